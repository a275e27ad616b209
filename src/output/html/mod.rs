//! The HTML report (`allot solve --format html`, `allot report RESULT.json`):
//! one self-contained page rendered from a JSON result (docs/format.md
//! § Results), never from the solver's own types, so that a result stored
//! today renders the same tomorrow and the report knows the contract only.
//!
//! Crates, and why:
//!
//! - **maud** writes the page: its `html!` macro is checked at compile
//!   time (a misspelt field or an unbalanced element is a build error, not
//!   a broken page), escapes every interpolated string, and needs no
//!   template files or runtime; askama would do the same from separate
//!   template files with more machinery (a parser crate and a derive).
//! - **plotters** draws the charts through its SVG backend only
//!   (`default-features = false`): axes, ticks, bars, lines and markers
//!   without a hand-written chart library. Its SVG text is plain `<text>`
//!   set in the browser's own fonts; without the `ttf` feature plotters
//!   reads no font file, so the page ships none and fetches none.
//!   [`charts`] adds what plotters lacks for a page: titles and text
//!   alternatives, fill patterns and per-bar tooltips.
//!
//! The page has no script, no external stylesheet, font or image: CSS and
//! SVG are inline, links are fragment links within the page. The output is
//! a function of the JSON alone (no clock, no hash order), so it is the
//! same byte for byte for the same result.

pub mod charts;
pub mod data;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use charts::{BarMeta, Groups, HBar, Line};
use data::Run;

/// Fill-rate bars drawn per result; the table below the chart lists all.
pub const MAX_BARS: usize = 40;
/// Worst-served (ally, item) pairs whose stock is drawn over time.
pub const MAX_STOCK_CHARTS: usize = 4;

/// Renders the report of a JSON result (one object, or an array of them,
/// base first).
pub fn render_value(value: serde_json::Value) -> Result<String, String> {
    let runs = data::parse(value)?;
    Ok(render(&runs))
}

/// Renders the report of JSON text. An error carries the line and column
/// of a syntax error, and what is wrong.
pub fn render_str(text: &str) -> Result<String, (Option<(usize, usize)>, String)> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| (Some((e.line(), e.column())), e.to_string()))?;
    render_value(value).map_err(|e| (None, e))
}

fn num(x: f64) -> String {
    crate::report::num(x)
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn run_name(r: &Run) -> String {
    match &r.scenario {
        Some(s) => format!("scenario {s}"),
        None => "base problem".into(),
    }
}

fn run_short(r: &Run) -> String {
    r.scenario.clone().unwrap_or_else(|| "base".into())
}

const CSS: &str = r#"
:root{color-scheme:light}
*{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:1000px;padding:16px 24px 40px}
h1{font-size:1.7em;margin:.2em 0 .1em}
h2{font-size:1.35em;margin:1.6em 0 .4em;padding-top:.4em;border-top:2px solid #1a1a1a}
h3{font-size:1.1em;margin:1.3em 0 .4em}
p{margin:.4em 0}
.sub{color:#444;margin-top:0}
caption{text-align:left;caption-side:top;padding:.2em 0}
table{border-collapse:collapse;margin:.5em 0 1em;font-variant-numeric:tabular-nums}
th,td{border:1px solid #bbb;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
td.n,th.n{text-align:right}
.status-ok{font-weight:600}
.status-bad{font-weight:700;color:#a00000}
.status-bad::before{content:"⚠ "}
figure{margin:.6em 0 1.2em}
figcaption{font-size:.92em;color:#333;margin:.2em 0}
svg.chart{max-width:100%;height:auto;display:block}
svg.swatch{vertical-align:-2px;margin-right:4px}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.92em;margin:.3em 0;padding:0;list-style:none}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:8px 16px}
.note{color:#444;font-size:.92em}
.defs{position:absolute;width:0;height:0;overflow:hidden}
table.flow{font-size:.85em}
table.flow td{text-align:right;min-width:3.2em}
table.flow td small{display:block;color:inherit;opacity:.8;font-size:.85em}
table.flow .v1{background:#eff3ff}.flow .v2{background:#c6dbef}.flow .v3{background:#6baed6}
table.flow .v4{background:#2171b5;color:#fff}.flow .v5{background:#08306b;color:#fff}
table.flow .lane{color:#888}
.scroll{overflow-x:auto}
nav ul{margin:.3em 0;padding-left:1.2em}
footer{margin-top:2.5em;font-size:.85em;color:#555;border-top:1px solid #bbb;padding-top:.5em}
@page{size:A4;margin:12mm}
@media print{
body{max-width:none;padding:0;font-size:10pt}
h2{break-before:auto;break-after:avoid}
h3{break-after:avoid}
figure,tr,.grid>div{break-inside:avoid}
table{font-size:8.5pt}
table.flow{font-size:7pt}
.scroll{overflow:visible}
nav{display:none}
a{color:inherit;text-decoration:none}
}
"#;

/// The whole page.
pub fn render(runs: &[Run]) -> String {
    let problem = runs.first().map(|r| r.problem.clone()).unwrap_or_default();
    let tiers = tier_names(runs);
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("allot {}", env!("CARGO_PKG_VERSION")));
                title { (problem) " — allot report" }
                style { (PreEscaped(CSS)) }
            }
            body {
                svg class="defs" width="0" height="0" aria-hidden="true" focusable="false" {
                    defs { (PreEscaped(charts::pattern_defs())) }
                }
                header {
                    h1 { (problem) }
                    p class="sub" { "Allocation report: " (runs.len()) (if runs.len() == 1 { " result" } else { " results" }) ", made by allot from its JSON result." }
                }
                (overview(runs, &tiers))
                @if runs.len() > 1 {
                    nav aria-label="Results" {
                        ul {
                            @for (i, r) in runs.iter().enumerate() {
                                li { a href=(format!("#run-{i}")) { (run_name(r)) } }
                            }
                            li { a href="#scenarios" { "scenarios compared" } }
                            li { a href="#cost" { "cost breakdown" } }
                        }
                    }
                }
                @for (i, r) in runs.iter().enumerate() {
                    (run_section(i, r, runs.len() > 1))
                }
                @if runs.len() > 1 {
                    (scenarios_section(runs, &tiers))
                }
                (cost_section(runs))
                footer {
                    "allot " (env!("CARGO_PKG_VERSION")) ". Numbers are rounded to 3 decimals and fill rates to 0.1 % in the text; the tooltips and data attributes of the bars, and the JSON result, carry full precision. "
                    "Patterns and labels, not colour alone, tell tiers and scenarios apart."
                }
            }
        }
    };
    let mut s = page.into_string();
    s.push('\n');
    s
}

/// Tier names in priority order, over all runs (they share them).
fn tier_names(runs: &[Run]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for r in runs {
        for t in &r.tiers {
            if !names.contains(&t.tier) {
                names.push(t.tier.clone());
            }
        }
    }
    names
}

fn tier_index(tiers: &[String], name: &str) -> usize {
    tiers.iter().position(|t| t == name).unwrap_or(0)
}

fn status(r: &Run) -> Markup {
    let ok = r.status == "optimal";
    html! {
        span class=(if ok { "status-ok" } else { "status-bad" }) { (r.status.replace('_', " ")) }
    }
}

fn overview(runs: &[Run], tiers: &[String]) -> Markup {
    html! {
        section aria-labelledby="overview" {
            h2 id="overview" { "Results" }
            table {
                caption class="note" { "Weighted shortage per tier (Σ item value × units short; lower is better, the highest tier first) and total cost." }
                thead {
                    tr {
                        th scope="col" { "result" }
                        th scope="col" { "status" }
                        @for t in tiers { th scope="col" class="n" { (t) } }
                        th scope="col" class="n" { "cost" }
                    }
                }
                tbody {
                    @for (i, r) in runs.iter().enumerate() {
                        tr {
                            th scope="row" { a href=(format!("#run-{i}")) { (run_name(r)) } }
                            td { (status(r)) @if let Some(g) = &r.guarantee { " (guarantee: " (g) ")" } }
                            @for t in tiers {
                                td class="n" { (r.tiers.iter().find(|x| &x.tier == t).map(|x| num(x.weighted_shortage)).unwrap_or_else(|| "–".into())) }
                            }
                            td class="n" { (num(r.cost.total)) }
                        }
                    }
                }
            }
        }
    }
}

fn run_section(i: usize, r: &Run, several: bool) -> Markup {
    let tiers: Vec<String> = r.tiers.iter().map(|t| t.tier.clone()).collect();
    let heading = if several || r.scenario.is_some() {
        format!("{}: {}", r.problem, run_name(r))
    } else {
        format!("{}: the plan", r.problem)
    };
    html! {
        section id=(format!("run-{i}")) aria-labelledby=(format!("run-{i}-h")) {
            h2 id=(format!("run-{i}-h")) { (heading) }
            p { "Status: " (status(r)) "." @if let Some(g) = &r.guarantee { " Guarantee: " (g) " (no ally worse off than alone)." } }
            (tier_summary(r))
            (fill_section(i, r, &tiers))
            (flow_section(r))
            (stock_section(i, r))
            (compare_section(r))
            (marginal_section(r, &tiers))
        }
    }
}

fn tier_summary(r: &Run) -> Markup {
    html! {
        h3 { "Tiers" }
        table {
            thead {
                tr {
                    th scope="col" { "tier" }
                    th scope="col" class="n" { "demand" }
                    th scope="col" class="n" { "served" }
                    th scope="col" class="n" { "shortage" }
                    th scope="col" class="n" { "weighted shortage" }
                    th scope="col" class="n" { "fill" }
                }
            }
            tbody {
                @for (k, t) in r.tiers.iter().enumerate() {
                    tr {
                        th scope="row" { (PreEscaped(charts::swatch(k))) (t.tier) }
                        td class="n" { (num(t.demand)) }
                        td class="n" { (num(t.served)) }
                        td class="n" { (num(t.shortage)) }
                        td class="n" { (num(t.weighted_shortage)) }
                        td class="n" { @if t.demand > 0.0 { (pct(t.served / t.demand)) } @else { "–" } }
                    }
                }
            }
        }
    }
}

/// Fill entries worst first, ties in file order.
fn worst_first(r: &Run) -> Vec<&data::Fill> {
    let mut fill: Vec<&data::Fill> = r.fill.iter().collect();
    fill.sort_by(|a, b| a.fill_rate.total_cmp(&b.fill_rate));
    fill
}

fn fill_section(i: usize, r: &Run, tiers: &[String]) -> Markup {
    let fill = worst_first(r);
    let shown = &fill[..fill.len().min(MAX_BARS)];
    let bars: Vec<HBar> = shown
        .iter()
        .map(|f| HBar {
            label: format!("{} · {} · {}", f.ally, f.item, f.tier),
            value: f.fill_rate,
            fill: tier_index(tiers, &f.tier),
            text: pct(f.fill_rate),
            meta: BarMeta {
                title: format!(
                    "{} {} ({}): fill rate {} — {} of {} served",
                    f.ally,
                    f.item,
                    f.tier,
                    f.fill_rate,
                    num(f.served),
                    num(f.demand)
                ),
                data: vec![
                    ("ally", f.ally.clone()),
                    ("item", f.item.clone()),
                    ("tier", f.tier.clone()),
                    ("fill", format!("{}", f.fill_rate)),
                ],
            },
        })
        .collect();
    let mut desc = String::from("Fill rates, worst first: ");
    for (k, f) in shown.iter().enumerate() {
        if k > 0 {
            desc.push_str("; ");
        }
        let _ = write!(
            desc,
            "{} {} {} {}",
            f.ally,
            f.item,
            f.tier,
            pct(f.fill_rate)
        );
    }
    desc.push('.');
    let present: BTreeSet<usize> = fill.iter().map(|f| tier_index(tiers, &f.tier)).collect();
    html! {
        h3 id=(format!("run-{i}-fill")) { "Fill rates, worst first" }
        @if fill.is_empty() {
            p class="note" { "No ally has demand." }
        } @else {
            figure {
                @if fill.len() > shown.len() {
                    figcaption { "The " (shown.len()) " worst of " (fill.len()) " fill rates; the table below lists all of them." }
                } @else {
                    figcaption { "Share of each (ally, item, tier)'s demand served over the horizon. The label names the tier; the fill pattern repeats it." }
                }
                ul class="legend" aria-label="Tiers" {
                    @for k in &present { li { (PreEscaped(charts::swatch(*k))) (tiers[*k]) } }
                }
                (PreEscaped(charts::hbars(&bars, 1.0, "fill rate", &|x| format!("{:.0}%", x * 100.0),
                    &format!("Fill rates of {}", run_name(r)), &desc)))
            }
            table {
                thead {
                    tr {
                        th scope="col" { "ally" }
                        th scope="col" { "item" }
                        th scope="col" { "tier" }
                        th scope="col" class="n" { "demand" }
                        th scope="col" class="n" { "served" }
                        th scope="col" class="n" { "short" }
                        th scope="col" class="n" { "fill" }
                    }
                }
                tbody {
                    @for f in &fill {
                        tr {
                            td { (f.ally) }
                            td { (f.item) }
                            td { (f.tier) }
                            td class="n" { (num(f.demand)) }
                            td class="n" { (num(f.served)) }
                            td class="n" { (num((f.demand - f.served).max(0.0))) }
                            td class="n" { (pct(f.fill_rate)) }
                        }
                    }
                }
            }
        }
    }
}

/// Lead times of the lanes from → to, from `lanes` or, in a result
/// without them, from the shipments.
fn lead_times(r: &Run) -> BTreeMap<(String, String), BTreeSet<usize>> {
    let mut m: BTreeMap<(String, String), BTreeSet<usize>> = BTreeMap::new();
    for l in &r.lanes {
        m.entry((l.from.clone(), l.to.clone()))
            .or_default()
            .insert(l.lead_time);
    }
    if r.lanes.is_empty() {
        for s in &r.shipments {
            m.entry((s.from.clone(), s.to.clone()))
                .or_default()
                .insert(s.arrives.saturating_sub(s.period));
        }
    }
    m
}

fn join_leads(s: &BTreeSet<usize>) -> String {
    s.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Items in the order they first appear in the result.
fn items_of(r: &Run) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    let seen = r
        .fill
        .iter()
        .map(|f| &f.item)
        .chain(r.stock.iter().map(|s| &s.item))
        .chain(r.shipments.iter().map(|s| &s.item));
    for it in seen {
        if !items.contains(it) {
            items.push(it.clone());
        }
    }
    items
}

/// Allies in the order they first appear in the result.
fn allies_of(r: &Run) -> Vec<String> {
    let mut allies: Vec<String> = Vec::new();
    let seen = r
        .stock
        .iter()
        .map(|s| &s.ally)
        .chain(r.fill.iter().map(|f| &f.ally))
        .chain(r.lanes.iter().flat_map(|l| [&l.from, &l.to]))
        .chain(r.shipments.iter().flat_map(|s| [&s.from, &s.to]));
    for a in seen {
        if !allies.contains(a) {
            allies.push(a.clone());
        }
    }
    allies
}

/// One item's flow matrix: origins, destinations, units per cell.
struct Matrix {
    item: String,
    rows: Vec<String>,
    cols: Vec<String>,
    /// `[row][col]` units shipped.
    units: Vec<Vec<f64>>,
}

fn matrices(r: &Run) -> Vec<Matrix> {
    let allies = allies_of(r);
    let pos = |a: &str| allies.iter().position(|x| x == a).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for item in items_of(r) {
        let mut flow: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for s in r.shipments.iter().filter(|s| s.item == item) {
            *flow.entry((pos(&s.from), pos(&s.to))).or_default() += s.quantity;
        }
        if flow.is_empty() {
            continue;
        }
        let rows: BTreeSet<usize> = flow.keys().map(|k| k.0).collect();
        let cols: BTreeSet<usize> = flow.keys().map(|k| k.1).collect();
        let name = |i: &usize| allies.get(*i).cloned().unwrap_or_default();
        out.push(Matrix {
            item,
            units: rows
                .iter()
                .map(|a| {
                    cols.iter()
                        .map(|b| flow.get(&(*a, *b)).copied().unwrap_or(0.0))
                        .collect()
                })
                .collect(),
            rows: rows.iter().map(name).collect(),
            cols: cols.iter().map(name).collect(),
        });
    }
    out
}

fn flow_section(r: &Run) -> Markup {
    let leads = lead_times(r);
    let lead = |a: &str, b: &str| leads.get(&(a.to_string(), b.to_string()));
    html! {
        h3 { "Flows: units shipped, from × to" }
        @if r.shipments.is_empty() {
            p class="note" { "Nothing is shipped." }
        } @else {
            p class="note" {
                "Total units of each item dispatched over the horizon, per origin (rows) and destination (columns); darker cells carry more. "
                "“L” gives the lane's lead time in periods (several when parallel lanes differ); “·” marks a lane that carried none of this item."
            }
            @for m in matrices(r) {
                @let max = m.units.iter().flatten().copied().fold(0.0f64, f64::max);
                div class="scroll" {
                    table class="flow" {
                        caption { "Item " (m.item) ": " (num(m.units.iter().flatten().sum::<f64>())) " units shipped" }
                        thead {
                            tr {
                                th scope="col" { "from \\ to" }
                                @for c in &m.cols { th scope="col" class="n" { (c) } }
                                th scope="col" class="n" { "total" }
                            }
                        }
                        tbody {
                            @for (from, row) in m.rows.iter().zip(&m.units) {
                                tr {
                                    th scope="row" { (from) }
                                    @for (to, q) in m.cols.iter().zip(row) {
                                        @if *q > 0.0 {
                                            td class=(format!("v{}", ((q / max) * 5.0).ceil().clamp(1.0, 5.0) as usize))
                                                title=(format!("{from} → {to}: {} units of {}", num(*q), m.item)) {
                                                (num(*q))
                                                @if let Some(l) = lead(from, to) { small { "L" (join_leads(l)) } }
                                            }
                                        } @else if lead(from, to).is_some() {
                                            td class="lane" { "·" }
                                        } @else {
                                            td {}
                                        }
                                    }
                                    td { (num(row.iter().sum::<f64>())) }
                                }
                            }
                            tr {
                                th scope="row" { "total" }
                                @for c in 0..m.cols.len() {
                                    td { (num(m.units.iter().map(|row| row[c]).sum::<f64>())) }
                                }
                                td { (num(m.units.iter().flatten().sum::<f64>())) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The worst-served (ally, item) pairs: their lowest fill rate, worst first.
fn worst_pairs(r: &Run) -> Vec<(String, String, f64, String)> {
    let mut out: Vec<(String, String, f64, String)> = Vec::new();
    for f in worst_first(r) {
        if !out.iter().any(|(a, k, _, _)| a == &f.ally && k == &f.item) {
            out.push((f.ally.clone(), f.item.clone(), f.fill_rate, f.tier.clone()));
        }
    }
    out
}

fn list(v: &[f64]) -> String {
    v.iter().map(|x| num(*x)).collect::<Vec<_>>().join(", ")
}

fn stock_section(i: usize, r: &Run) -> Markup {
    let periods = r
        .periods
        .or_else(|| r.stock.first().map(|s| s.on_hand.len()))
        .unwrap_or(1);
    let pairs = worst_pairs(r);
    let charts: Vec<(&data::Stock, f64, String)> = pairs
        .iter()
        .filter_map(|(a, k, f, t)| {
            r.stock
                .iter()
                .find(|s| &s.ally == a && &s.item == k)
                .map(|s| (s, *f, t.clone()))
        })
        .take(MAX_STOCK_CHARTS)
        .collect();
    html! {
        h3 id=(format!("run-{i}-stock")) { "Stock and service over time, worst served" }
        @if r.stock.is_empty() {
            p class="note" { "This result holds no per-period stock (written by an older allot, or no ally has demand)." }
        } @else if charts.is_empty() {
            p class="note" { "No ally has demand." }
        } @else {
            p class="note" { "The " (charts.len()) " (ally, item) pairs with the lowest fill rates: units on hand at the end of each period, units served and units demanded per period (all tiers)." }
            ul class="legend" aria-label="Lines" {
                li { (PreEscaped(legend_line(0, 0))) "on hand (end of period)" }
                li { (PreEscaped(legend_line(1, 2))) "served" }
                li { (PreEscaped(legend_line(2, 7))) "demand" }
            }
            div class="grid" {
                @for (s, f, t) in &charts {
                    div {
                        figure {
                            figcaption { b { (s.ally) " · " (s.item) } " — fill " (pct(*f)) " (" (t) ")" }
                            (PreEscaped(charts::lines(
                                &[
                                    Line { values: s.on_hand.clone(), marker: 0, fill: 0 },
                                    Line { values: s.served.clone(), marker: 1, fill: 2 },
                                    Line { values: s.demand.clone(), marker: 2, fill: 7 },
                                ],
                                periods,
                                "period",
                                &format!("{} {}: stock and service per period", s.ally, s.item),
                                &format!("Periods 1 to {periods}. On hand: {}. Served: {}. Demand: {}.", list(&s.on_hand), list(&s.served), list(&s.demand)),
                            )))
                        }
                    }
                }
            }
        }
    }
}

/// A legend sample of a line with its marker.
fn legend_line(marker: usize, fill: usize) -> String {
    let (r, g, b) = charts::PALETTE[fill % charts::PALETTE.len()];
    let c = format!("#{r:02X}{g:02X}{b:02X}");
    let (dash, mark) = match marker {
        0 => (
            "",
            format!("<circle cx=\"14\" cy=\"7\" r=\"4\" fill=\"{c}\"/>"),
        ),
        1 => (
            "",
            format!("<polygon points=\"14,2 19,11 9,11\" fill=\"{c}\"/>"),
        ),
        _ => (
            " stroke-dasharray=\"6 4\"",
            format!("<path d=\"M10 3L18 11M18 3L10 11\" stroke=\"{c}\" stroke-width=\"2\"/>"),
        ),
    };
    format!(
        "<svg class=\"swatch\" width=\"28\" height=\"14\" viewBox=\"0 0 28 14\" aria-hidden=\"true\"><path d=\"M0 7H28\" stroke=\"{c}\" stroke-width=\"2\"{dash}/>{mark}</svg>"
    )
}

fn compare_section(r: &Run) -> Markup {
    let Some(c) = &r.compare else {
        return html! {};
    };
    html! {
        @if let Some(a) = &c.alone {
            h3 { "Compared with every ally alone" }
            p class="note" { "Gain = weighted shortage alone − shared (positive: sharing helps)." }
            table {
                thead { tr { th scope="col" { "tier" } th scope="col" class="n" { "alone" } th scope="col" class="n" { "gain" } } }
                tbody {
                    @for t in &a.tiers {
                        tr { th scope="row" { (t.tier) } td class="n" { (num(t.weighted_shortage)) } td class="n" { (num(t.gain)) } }
                    }
                }
            }
            @if let Some(cost) = a.cost { p { "Cost alone: " (num(cost)) "." } }
            @if a.worse_off.is_empty() {
                p { "No ally is worse off than alone." }
            } @else {
                p { b { "Worse off than alone: " } (a.worse_off.join(", ")) "." }
            }
            @if !a.allies.is_empty() {
                table {
                    thead { tr { th scope="col" { "ally" } th scope="col" { "tier" } th scope="col" class="n" { "shared" } th scope="col" class="n" { "alone" } th scope="col" class="n" { "gain" } } }
                    tbody {
                        @for x in &a.allies {
                            tr { td { (x.ally) } td { (x.tier) } td class="n" { (num(x.weighted_shortage)) } td class="n" { (num(x.alone)) } td class="n" { (num(x.gain)) } }
                        }
                    }
                }
            }
        }
        @if let Some(n) = &c.none {
            h3 { "The price of fairness" }
            p { "Cost without the fairness step: " (num(n.cost)) "; the fair plan costs " (num(n.price_of_fairness)) " more." }
        }
    }
}

fn marginal_section(r: &Run, tiers: &[String]) -> Markup {
    if r.marginal.is_empty() {
        return html! {};
    }
    // Highest gain first, highest tier first (SPEC §11's table view).
    let mut m: Vec<&data::Marginal> = r.marginal.iter().collect();
    m.sort_by(|a, b| {
        for t in tiers {
            let (x, y) = (
                a.gain.get(t).copied().unwrap_or(0.0),
                b.gain.get(t).copied().unwrap_or(0.0),
            );
            match y.total_cmp(&x) {
                std::cmp::Ordering::Equal => continue,
                o => return o,
            }
        }
        std::cmp::Ordering::Equal
    });
    html! {
        h3 { "Where more units help most" }
        p class="note" { "Shortage avoided per tier by adding units of free stock at one ally, best first; cost change of the re-solved plan." }
        table {
            thead {
                tr {
                    th scope="col" { "ally" } th scope="col" { "item" } th scope="col" class="n" { "units" }
                    @for t in tiers { th scope="col" class="n" { "gain " (t) } }
                    th scope="col" class="n" { "cost change" }
                }
            }
            tbody {
                @for x in &m {
                    tr {
                        td { (x.ally) } td { (x.item) } td class="n" { (num(x.units)) }
                        @for t in tiers { td class="n" { (num(x.gain.get(t).copied().unwrap_or(0.0))) } }
                        td class="n" { (num(x.cost_change)) }
                    }
                }
            }
        }
    }
}

fn scenarios_section(runs: &[Run], tiers: &[String]) -> Markup {
    let groups = Groups {
        categories: tiers.to_vec(),
        series: runs
            .iter()
            .map(|r| {
                let values: Vec<f64> = tiers
                    .iter()
                    .map(|t| {
                        r.tiers
                            .iter()
                            .find(|x| &x.tier == t)
                            .map_or(0.0, |x| x.weighted_shortage)
                    })
                    .collect();
                let metas = tiers
                    .iter()
                    .zip(&values)
                    .map(|(t, v)| BarMeta {
                        title: format!("{}, tier {t}: weighted shortage {v}", run_short(r)),
                        data: vec![
                            ("scenario", run_short(r)),
                            ("tier", t.clone()),
                            ("weighted-shortage", format!("{v}")),
                        ],
                    })
                    .collect();
                (values, metas)
            })
            .collect(),
    };
    let mut desc = String::from("Weighted shortage per tier: ");
    for (k, r) in runs.iter().enumerate() {
        if k > 0 {
            desc.push_str("; ");
        }
        let _ = write!(desc, "{}:", run_short(r));
        for t in &r.tiers {
            let _ = write!(desc, " {} {}", t.tier, num(t.weighted_shortage));
        }
    }
    desc.push('.');
    html! {
        section id="scenarios" aria-labelledby="scenarios-h" {
            h2 id="scenarios-h" { "Scenarios compared" }
            figure {
                figcaption { "Each tier's weighted shortage, one bar per result (value written above it)." }
                ul class="legend" aria-label="Results" {
                    @for (k, r) in runs.iter().enumerate() { li { (PreEscaped(charts::swatch(k))) (run_short(r)) } }
                }
                (PreEscaped(charts::grouped(&groups, "weighted shortage", "Weighted shortage per tier and scenario", &desc)))
            }
        }
    }
}

fn cost_section(runs: &[Run]) -> Markup {
    let parts = ["transport", "production", "surge"];
    let value = |r: &Run, k: usize| match k {
        0 => r.cost.transport,
        1 => r.cost.production,
        _ => r.cost.surge,
    };
    let max = runs.iter().map(|r| r.cost.total).fold(0.0f64, f64::max);
    let mut bars: Vec<HBar> = Vec::new();
    for r in runs {
        for (k, p) in parts.iter().enumerate() {
            bars.push(HBar {
                label: format!("{} · {p}", run_short(r)),
                value: value(r, k),
                fill: k,
                text: num(value(r, k)),
                meta: BarMeta {
                    title: format!("{}: {p} cost {}", run_short(r), value(r, k)),
                    data: vec![
                        ("scenario", run_short(r)),
                        ("part", (*p).to_string()),
                        ("cost", format!("{}", value(r, k))),
                    ],
                },
            });
        }
    }
    let desc = runs
        .iter()
        .map(|r| {
            format!(
                "{}: total {}, transport {}, production {}, surge {}",
                run_short(r),
                num(r.cost.total),
                num(r.cost.transport),
                num(r.cost.production),
                num(r.cost.surge)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        section id="cost" aria-labelledby="cost-h" {
            h2 id="cost-h" { "Cost breakdown" }
            table {
                thead {
                    tr {
                        th scope="col" { "result" }
                        @for (k, p) in parts.iter().enumerate() { th scope="col" class="n" { (PreEscaped(charts::swatch(k))) (p) } }
                        th scope="col" class="n" { "total" }
                    }
                }
                tbody {
                    @for r in runs {
                        tr {
                            th scope="row" { (run_name(r)) }
                            @for k in 0..3 { td class="n" { (num(value(r, k))) } }
                            td class="n" { b { (num(r.cost.total)) } }
                        }
                    }
                }
            }
            @if max > 0.0 {
                figure {
                    figcaption { "Cost by part (the pattern and the label name the part)." }
                    (PreEscaped(charts::hbars(&bars, max, "cost", &|x| num(x), "Cost by part", &format!("{desc}."))))
                }
            } @else {
                p class="note" { "The plan costs nothing." }
            }
        }
    }
}
