//! Writing results: a readable table (default), JSON with the SPEC §6 field
//! names, or CSV. Every format is deterministic: the same input gives the
//! same bytes.

use std::fmt::Write as _;

use crate::solution::Solution;

/// Output formats of `allot solve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Aligned text tables for people.
    #[default]
    Table,
    /// SPEC §6 JSON: one object, or an array when several are solved.
    Json,
    /// Comma-separated values, one table (see [`CsvTable`]).
    Csv,
    /// A self-contained HTML page with charts, rendered from the JSON result.
    Html,
}

/// Which table CSV output prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvTable {
    /// One row per positive dispatch.
    #[default]
    Shipments,
    /// One row per (ally, item, tier) with demand.
    Fill,
    /// One row per tier.
    Tiers,
    /// One row per positive production.
    Production,
    /// One row per solve with the cost breakdown.
    Cost,
    /// The comparisons (SPEC §10): one row per tier, per (ally, tier) and per cost
    /// compared.
    Compare,
    /// The marginal values (SPEC §11): one row per (ally, item, tier).
    Marginal,
}

/// Significant digits of the numbers in JSON and CSV output: enough to be
/// far inside the 1e-6 agreement SPEC §6 asks for, few enough to hide the
/// solver's round-off (`79.9999999992` is written `80.0`).
pub const DIGITS: usize = 9;

/// `x` rounded to [`DIGITS`] significant digits (0 stays 0, never `-0`).
pub fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return if x == 0.0 { 0.0 } else { x };
    }
    let r: f64 = format!("{x:.prec$e}", prec = DIGITS - 1)
        .parse()
        .unwrap_or(x);
    if r == 0.0 { 0.0 } else { r }
}

/// A copy of `s` with every number [`round`]ed.
pub fn rounded(s: &Solution) -> Solution {
    let mut s = s.clone();
    for t in &mut s.tiers {
        for x in [
            &mut t.demand,
            &mut t.served,
            &mut t.shortage,
            &mut t.weighted_shortage,
        ] {
            *x = round(*x);
        }
    }
    for k in &mut s.items {
        for x in [
            &mut k.demand,
            &mut k.served,
            &mut k.shortage,
            &mut k.weighted_shortage,
        ] {
            *x = round(*x);
        }
    }
    let c = &mut s.cost;
    for x in [
        &mut c.total,
        &mut c.transport,
        &mut c.production,
        &mut c.surge,
    ] {
        *x = round(*x);
    }
    for f in &mut s.fill {
        for x in [&mut f.demand, &mut f.served, &mut f.fill_rate] {
            *x = round(*x);
        }
    }
    for x in &mut s.shipments {
        x.quantity = round(x.quantity);
        x.cost = round(x.cost);
    }
    for p in &mut s.production {
        p.normal = round(p.normal);
        p.surge = round(p.surge);
    }
    for x in &mut s.stock {
        for v in x
            .on_hand
            .iter_mut()
            .chain(&mut x.demand)
            .chain(&mut x.served)
        {
            *v = round(*v);
        }
    }
    s.verification.max_violation = round(s.verification.max_violation);
    if let Some(c) = &mut s.compare {
        if let Some(a) = &mut c.alone {
            for t in &mut a.tiers {
                t.weighted_shortage = round(t.weighted_shortage);
                t.gain = round(t.gain);
            }
            a.cost = round(a.cost);
            for x in &mut a.allies {
                for v in [&mut x.weighted_shortage, &mut x.alone, &mut x.gain] {
                    *v = round(*v);
                }
            }
        }
        if let Some(n) = &mut c.none {
            n.cost = round(n.cost);
            n.price_of_fairness = round(n.price_of_fairness);
            for t in &mut n.tiers {
                t.weighted_shortage = round(t.weighted_shortage);
            }
        }
    }
    for m in s.marginal.iter_mut().flatten() {
        m.units = round(m.units);
        m.cost_change = round(m.cost_change);
        for (_, v) in &mut m.gain.0 {
            *v = round(*v);
        }
    }
    s
}

/// SPEC §6 JSON: one object for one solution, an array (base first) for
/// several; numbers [`round`]ed to [`DIGITS`] significant digits.
pub fn json(solutions: &[Solution]) -> String {
    let solutions: Vec<Solution> = solutions.iter().map(rounded).collect();
    let text = match solutions.as_slice() {
        [one] => serde_json::to_string_pretty(one),
        many => serde_json::to_string_pretty(many),
    };
    // Serialising plain structs of strings and finite numbers cannot fail.
    let mut text = text.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// The part of [`json`]`(all)` that `part = all[start..start + part.len()]`
/// gives (`total = all.len()`), so that the pieces of consecutive parts,
/// concatenated, are [`json`]'s output byte for byte (sharding, see
/// [`crate::shard`]): the opening `[` comes with the first solution, the
/// closing `]` with the last, and each solution is pretty-printed one
/// level in, as in the whole array.
pub fn json_piece(part: &[Solution], start: usize, total: usize) -> String {
    if part.is_empty() {
        return String::new();
    }
    if total == 1 {
        return json(part);
    }
    let mut out = String::new();
    if start == 0 {
        out.push('[');
    }
    for (i, s) in part.iter().enumerate() {
        out.push_str(if start + i == 0 { "\n" } else { ",\n" });
        let one = json(std::slice::from_ref(s));
        for (k, line) in one.trim_end_matches('\n').split('\n').enumerate() {
            if k > 0 {
                out.push('\n');
            }
            out.push_str("  ");
            out.push_str(line);
        }
    }
    if start + part.len() == total {
        out.push_str("\n]\n");
    }
    out
}

/// The part of [`csv()`]`(all)` that `part = all[start..]` gives: its rows,
/// and the header line with the first solution, so that consecutive
/// pieces concatenate to [`csv()`]'s output byte for byte.
pub fn csv_piece(part: &[Solution], start: usize, table: CsvTable) -> String {
    if part.is_empty() {
        return String::new();
    }
    let text = csv(part, table);
    if start == 0 {
        return text;
    }
    // The header is one line of plain names (nothing quoted).
    match text.split_once('\n') {
        Some((_, rows)) => rows.to_string(),
        None => String::new(),
    }
}

/// The part of [`table`]`(all)` that `part = all[start..]` gives: the
/// blank line before each solution but the first comes with it.
pub fn table_piece(part: &[Solution], start: usize) -> String {
    let mut out = String::new();
    if start > 0 && !part.is_empty() {
        out.push('\n');
    }
    out.push_str(&table(part));
    out
}

/// The JSON result as a value (the numbers of [`json`]; keys in the
/// value's own order), for renderers that read the JSON contract.
pub fn json_value(solutions: &[Solution]) -> serde_json::Value {
    let solutions: Vec<Solution> = solutions.iter().map(rounded).collect();
    let value = match solutions.as_slice() {
        [one] => serde_json::to_value(one),
        many => serde_json::to_value(many),
    };
    // Plain structs of strings and finite numbers always convert.
    value.unwrap_or(serde_json::Value::Null)
}

/// The HTML report of the solutions (see [`crate::output::html`]).
pub fn html(solutions: &[Solution]) -> String {
    crate::output::html::render_value(json_value(solutions)).unwrap_or_else(|e| {
        format!("<!DOCTYPE html>\n<p>The report could not be rendered: {e}</p>\n")
    })
}

/// CSV of one kind of row for every solution; the first two columns name
/// the problem and scenario. Numbers are [`round`]ed to [`DIGITS`]
/// significant digits.
pub fn csv(solutions: &[Solution], table: CsvTable) -> String {
    let solutions: Vec<Solution> = solutions.iter().map(rounded).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let header: &[&str] = match table {
        CsvTable::Shipments => &[
            "problem", "scenario", "period", "arrives", "from", "to", "lane", "item", "quantity",
            "cost",
        ],
        CsvTable::Fill => &[
            "problem",
            "scenario",
            "ally",
            "item",
            "tier",
            "demand",
            "served",
            "fill_rate",
        ],
        CsvTable::Tiers => &[
            "problem",
            "scenario",
            "tier",
            "demand",
            "served",
            "shortage",
            "weighted_shortage",
        ],
        CsvTable::Production => &[
            "problem", "scenario", "ally", "item", "period", "normal", "surge",
        ],
        CsvTable::Cost => &[
            "problem",
            "scenario",
            "total",
            "transport",
            "production",
            "surge",
        ],
        CsvTable::Compare => &[
            "problem",
            "scenario",
            "baseline",
            "measure",
            "ally",
            "tier",
            "shared",
            "baseline_value",
            "gain",
            "worse_off",
        ],
        CsvTable::Marginal => &[
            "problem",
            "scenario",
            "ally",
            "item",
            "units",
            "tier",
            "gain",
            "cost_change",
        ],
    };
    rows.push(header.iter().map(|s| s.to_string()).collect());
    for s in &solutions {
        let head = [s.problem.clone(), s.scenario.clone().unwrap_or_default()];
        let mut push = |cells: Vec<String>| {
            let mut row = head.to_vec();
            row.extend(cells);
            rows.push(row);
        };
        match table {
            CsvTable::Shipments => {
                for x in &s.shipments {
                    push(vec![
                        x.period.to_string(),
                        x.arrives.to_string(),
                        x.from.clone(),
                        x.to.clone(),
                        x.lane.to_string(),
                        x.item.clone(),
                        x.quantity.to_string(),
                        x.cost.to_string(),
                    ]);
                }
            }
            CsvTable::Fill => {
                for f in &s.fill {
                    push(vec![
                        f.ally.clone(),
                        f.item.clone(),
                        f.tier.clone(),
                        f.demand.to_string(),
                        f.served.to_string(),
                        f.fill_rate.to_string(),
                    ]);
                }
            }
            CsvTable::Tiers => {
                for t in &s.tiers {
                    push(vec![
                        t.tier.clone(),
                        t.demand.to_string(),
                        t.served.to_string(),
                        t.shortage.to_string(),
                        t.weighted_shortage.to_string(),
                    ]);
                }
            }
            CsvTable::Production => {
                for p in &s.production {
                    push(vec![
                        p.ally.clone(),
                        p.item.clone(),
                        p.period.to_string(),
                        p.normal.to_string(),
                        p.surge.to_string(),
                    ]);
                }
            }
            CsvTable::Cost => push(vec![
                s.cost.total.to_string(),
                s.cost.transport.to_string(),
                s.cost.production.to_string(),
                s.cost.surge.to_string(),
            ]),
            CsvTable::Compare => {
                let compare = s.compare.as_ref();
                if let Some(a) = compare.and_then(|c| c.alone.as_ref()) {
                    for (t, shared) in a.tiers.iter().zip(&s.tiers) {
                        push(vec![
                            "alone".into(),
                            "weighted_shortage".into(),
                            String::new(),
                            t.tier.clone(),
                            shared.weighted_shortage.to_string(),
                            t.weighted_shortage.to_string(),
                            t.gain.to_string(),
                            String::new(),
                        ]);
                    }
                    for x in &a.allies {
                        let worse = x.gain < -crate::share::WORSE_OFF * x.alone.abs().max(1.0);
                        push(vec![
                            "alone".into(),
                            "weighted_shortage".into(),
                            x.ally.clone(),
                            x.tier.clone(),
                            x.weighted_shortage.to_string(),
                            x.alone.to_string(),
                            x.gain.to_string(),
                            worse.to_string(),
                        ]);
                    }
                    push(vec![
                        "alone".into(),
                        "cost".into(),
                        String::new(),
                        String::new(),
                        s.cost.total.to_string(),
                        a.cost.to_string(),
                        crate::share::difference(a.cost, s.cost.total).to_string(),
                        String::new(),
                    ]);
                }
                if let Some(n) = compare.and_then(|c| c.none.as_ref()) {
                    push(vec![
                        "none".into(),
                        "cost".into(),
                        String::new(),
                        String::new(),
                        s.cost.total.to_string(),
                        n.cost.to_string(),
                        round(-n.price_of_fairness).to_string(),
                        String::new(),
                    ]);
                }
            }
            CsvTable::Marginal => {
                for m in s.marginal.iter().flatten() {
                    for (tier, gain) in &m.gain.0 {
                        push(vec![
                            m.ally.clone(),
                            m.item.clone(),
                            m.units.to_string(),
                            tier.clone(),
                            gain.to_string(),
                            m.cost_change.to_string(),
                        ]);
                    }
                }
            }
        }
    }
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A number for people: up to 3 decimals, trailing zeros dropped.
pub fn num(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Aligned columns: the first `left` columns left-aligned, the rest right.
pub(crate) fn grid(out: &mut String, rows: &[Vec<String>], left: usize) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            line.push(' ');
            if c < left {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn strings<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

/// Readable tables: tier summary, cost, fill rates worst first (ties in
/// file order), shipments by period. Numbers are rounded for reading
/// ([`num`]); JSON and CSV carry full precision.
pub fn table(solutions: &[Solution]) -> String {
    let mut out = String::new();
    for (i, s) in solutions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let title = match &s.scenario {
            Some(sc) => format!("{} — scenario {sc}", s.problem),
            None => s.problem.clone(),
        };
        let status = match s.status {
            crate::solution::Status::Optimal => "optimal".to_string(),
            crate::solution::Status::VerificationFailed => format!(
                "VERIFICATION FAILED ({}: {:.2e})",
                s.verification.worst, s.verification.max_violation
            ),
        };
        let _ = writeln!(out, "{title}: {status}, {} LPs solved", s.lp_solves);
        out.push_str("\nTiers\n");
        let mut rows = vec![strings([
            "tier", "demand", "served", "shortage", "weighted", "fill",
        ])];
        for t in &s.tiers {
            let fill = if t.demand > 0.0 {
                percent(t.served / t.demand)
            } else {
                "-".into()
            };
            rows.push(vec![
                t.tier.clone(),
                num(t.demand),
                num(t.served),
                num(t.shortage),
                num(t.weighted_shortage),
                fill,
            ]);
        }
        grid(&mut out, &rows, 1);
        if s.items.iter().any(|k| k.reusable) {
            // Units and unit-periods do not add up: say what each item's
            // figures count.
            out.push_str("\nItems\n");
            let mut rows = vec![strings([
                "item",
                "counted in",
                "demand",
                "served",
                "shortage",
                "fill",
            ])];
            for k in &s.items {
                let fill = if k.demand > 0.0 {
                    percent(k.served / k.demand)
                } else {
                    "-".into()
                };
                rows.push(vec![
                    k.item.clone(),
                    k.measure(),
                    num(k.demand),
                    num(k.served),
                    num(k.shortage),
                    fill,
                ]);
            }
            grid(&mut out, &rows, 2);
        }
        let c = &s.cost;
        let _ = writeln!(
            out,
            "\nCost {} (transport {}, production {}, surge {})",
            num(c.total),
            num(c.transport),
            num(c.production),
            num(c.surge)
        );
        if !s.fill.is_empty() {
            out.push_str("\nFill rates, worst first\n");
            let mut fill: Vec<_> = s.fill.iter().collect();
            // Worst first; rates equal to 1e-6 (solver round-off) keep
            // their file order.
            fill.sort_by_key(|f| (f.fill_rate * 1e6).round() as i64);
            let mut rows = vec![strings([
                "ally", "item", "tier", "demand", "served", "fill",
            ])];
            for f in fill {
                rows.push(vec![
                    f.ally.clone(),
                    f.item.clone(),
                    f.tier.clone(),
                    num(f.demand),
                    num(f.served),
                    percent(f.fill_rate),
                ]);
            }
            grid(&mut out, &rows, 3);
        }
        if let Some(c) = &s.compare {
            sharing(&mut out, s, c);
        }
        if let Some(m) = &s.marginal {
            more_units(&mut out, s, m);
        }
        if s.shipments.is_empty() {
            out.push_str("\nNo shipments\n");
        } else {
            out.push_str("\nShipments by period\n");
            let mut rows = vec![strings([
                "period", "arrives", "from", "to", "item", "quantity", "cost",
            ])];
            for x in &s.shipments {
                rows.push(vec![
                    x.period.to_string(),
                    x.arrives.to_string(),
                    x.from.clone(),
                    x.to.clone(),
                    x.item.clone(),
                    num(x.quantity),
                    num(x.cost),
                ]);
            }
            grid(&mut out, &rows, 0);
        }
    }
    out
}

/// How many entries "Where more units help" lists.
pub const TOP_MARGINAL: usize = 10;

/// The "Sharing" section (SPEC §10 comparisons): per tier alone → shared and the
/// gain, the allies worse off than alone, the costs and the price of
/// fairness.
fn sharing(out: &mut String, s: &Solution, c: &crate::share::Compare) {
    out.push_str("\nSharing (weighted shortage alone, with every lane closed, and shared)\n");
    if let Some(a) = &c.alone {
        let mut rows = vec![strings(["tier", "alone", "shared", "gain"])];
        for (t, shared) in a.tiers.iter().zip(&s.tiers) {
            rows.push(vec![
                t.tier.clone(),
                num(t.weighted_shortage),
                num(shared.weighted_shortage),
                num(t.gain),
            ]);
        }
        grid(out, &rows, 1);
        let worse: Vec<&crate::share::AllyGain> = a
            .allies
            .iter()
            .filter(|x| x.gain < -crate::share::WORSE_OFF * x.alone.abs().max(1.0))
            .collect();
        if worse.is_empty() {
            out.push_str("  No ally is worse off than alone.\n");
        } else {
            out.push_str("  Worse off than alone (weighted shortage):\n");
            let mut rows = vec![strings(["ally", "tier", "alone", "shared", "gain"])];
            for x in worse {
                rows.push(vec![
                    x.ally.clone(),
                    x.tier.clone(),
                    num(x.alone),
                    num(x.weighted_shortage),
                    num(x.gain),
                ]);
            }
            let mut block = String::new();
            grid(&mut block, &rows, 2);
            for line in block.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        if !a.allies_unique {
            out.push_str(
                "  (fairness = \"none\": the per-ally figures are one optimal plan's, not unique)\n",
            );
        }
        let _ = writeln!(
            out,
            "  Cost alone {}, shared {}",
            num(a.cost),
            num(s.cost.total)
        );
    }
    if let Some(n) = &c.none {
        let _ = writeln!(
            out,
            "  Price of fairness {} (cost {} with fairness, {} without)",
            num(n.price_of_fairness),
            num(s.cost.total),
            num(n.cost)
        );
    }
}

/// The "Where more units help" section (SPEC §11 marginal values): the
/// [`TOP_MARGINAL`] entries with the largest gains, highest tier first
/// (then the largest saving, then file order); entries that change
/// nothing are left out.
fn more_units(out: &mut String, s: &Solution, entries: &[crate::share::Marginal]) {
    let units = entries.first().map_or(1.0, |m| m.units);
    let mut helpful: Vec<&crate::share::Marginal> = entries
        .iter()
        .filter(|m| m.cost_change != 0.0 || m.gain.0.iter().any(|&(_, g)| g != 0.0))
        .collect();
    // Gains and cost changes are compared at 1e-6 of the largest in their
    // column, so that round-off does not order equal entries; the sort is
    // stable, so they keep file order.
    let scale =
        |values: &mut dyn Iterator<Item = f64>| 1e-6 * values.fold(1.0_f64, |m, v| m.max(v.abs()));
    let tiers = s.tiers.len();
    let q_gain: Vec<f64> = (0..tiers)
        .map(|g| scale(&mut helpful.iter().filter_map(|m| m.gain.0.get(g).map(|x| x.1))))
        .collect();
    let q_cost = scale(&mut helpful.iter().map(|m| m.cost_change));
    helpful.sort_by_cached_key(|m| {
        let mut key: Vec<i64> = m
            .gain
            .0
            .iter()
            .zip(&q_gain)
            .map(|(&(_, g), q)| -((g / q).round() as i64))
            .collect();
        key.push((m.cost_change / q_cost).round() as i64);
        key
    });
    let what = if units == 1.0 {
        "1 more unit".to_string()
    } else {
        format!("{} more units", num(units))
    };
    if helpful.is_empty() {
        let _ = writeln!(
            out,
            "\nWhere more units help\n  {what} of any item at any ally changes nothing ({} pairs tried)",
            entries.len()
        );
        return;
    }
    let shown = helpful.len().min(TOP_MARGINAL);
    let _ = writeln!(
        out,
        "\nWhere more units help ({what} of free stock; top {shown} of {} pairs, by gain in weighted shortage, highest tier first)",
        entries.len()
    );
    let mut header = vec!["ally".to_string(), "item".to_string()];
    header.extend(s.tiers.iter().map(|t| t.tier.clone()));
    header.push("cost change".into());
    let mut rows = vec![header];
    for m in helpful.into_iter().take(shown) {
        let mut row = vec![m.ally.clone(), m.item.clone()];
        row.extend(m.gain.0.iter().map(|&(_, g)| num(g)));
        row.push(num(m.cost_change));
        rows.push(row);
    }
    grid(out, &rows, 2);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solution::{CostResult, FillResult, Status, TierResult, Verification};

    fn solution(fill: &[(&str, f64)]) -> Solution {
        Solution {
            problem: "p".into(),
            scenario: None,
            status: Status::Optimal,
            tiers: vec![TierResult {
                tier: "critical".into(),
                demand: 30.0,
                served: 20.0,
                shortage: 10.0,
                weighted_shortage: 10.0,
            }],
            items: Vec::new(),
            cost: CostResult {
                total: 1.5,
                transport: 1.5,
                production: 0.0,
                surge: 0.0,
            },
            fill: fill
                .iter()
                .map(|&(ally, rate)| FillResult {
                    ally: ally.into(),
                    item: "chips".into(),
                    tier: "critical".into(),
                    demand: 10.0,
                    served: 10.0 * rate,
                    fill_rate: rate,
                })
                .collect(),
            shipments: Vec::new(),
            periods: 1,
            stock: Vec::new(),
            lanes: Vec::new(),
            production: Vec::new(),
            verification: Verification {
                max_violation: 0.0,
                worst: String::new(),
                ok: true,
            },
            lp_solves: 3,
            guarantee: Default::default(),
            compare: None,
            marginal: None,
        }
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(num(375.0), "375");
        assert_eq!(num(0.41666666), "0.417");
        assert_eq!(num(2.5), "2.5");
        assert_eq!(num(-1e-12), "0");
        assert_eq!(num(1234567.0004), "1234567");
    }

    #[test]
    fn fill_rates_worst_first_with_round_off_ties_in_file_order() {
        let s = solution(&[("US", 1.0 - 1e-11), ("JP", 0.5), ("TW", 1.0), ("KR", 0.5)]);
        let text = table(&[s]);
        let order: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("Fill rates"))
            .skip(2)
            .take(4)
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        assert_eq!(order, ["JP", "KR", "US", "TW"], "{text}");
        assert!(text.contains("No shipments"), "{text}");
    }

    #[test]
    fn rounds_to_nine_significant_digits() {
        assert_eq!(round(79.9999999992), 80.0);
        assert_eq!(round(0.4166666666750002), 0.416666667);
        assert_eq!(round(1.4e-14), 1.4e-14);
        assert_eq!(round(123456789012.0), 123456789000.0);
        assert_eq!(round(-0.0).to_string(), "0");
        assert_eq!(round(f64::INFINITY), f64::INFINITY);
        let mut s = solution(&[("US", 0.799999999992)]);
        s.cost.total = 159.9999999984;
        let r = rounded(&s);
        assert_eq!((r.fill[0].fill_rate, r.cost.total), (0.8, 160.0));
    }

    #[test]
    fn csv_rows_name_problem_and_scenario() {
        let mut s = solution(&[("US", 0.25)]);
        s.scenario = Some("quake".into());
        assert_eq!(
            csv(&[s], CsvTable::Fill),
            "problem,scenario,ally,item,tier,demand,served,fill_rate\np,quake,US,chips,critical,10,2.5,0.25\n"
        );
    }

    #[test]
    fn json_is_an_object_for_one_and_an_array_for_several() {
        let one = json(&[solution(&[])]);
        assert!(one.starts_with('{') && one.ends_with("}\n"));
        let two = json(&[solution(&[]), solution(&[])]);
        let v: serde_json::Value = serde_json::from_str(&two).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(2));
    }
}
