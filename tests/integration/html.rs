//! The HTML report: `allot solve --format html` and `allot report`. The page
//! is parsed by an HTML5 parser (no parse errors: no unclosed or stray
//! tags), must reference nothing outside itself, must be the same byte for
//! byte from a stored JSON result as from the solve, and must draw one bar
//! per fill rate carrying that fill rate's exact value.

use scraper::{Html, Selector};

use crate::harness::Test;

/// Hand-solved: TW holds 80 chips and ships to the US (lead time 1,
/// dispatched in period 1, arrives in 2); the US needs 30 a period in
/// periods 1–2 (critical) and JP 10 (routine), JP's lane costs 1.
/// Period 1: nothing has arrived, so the US serves 0 (30 short); TW keeps
/// its stock. The critical tier: the US can receive at most what is
/// dispatched in period 1, served in period 2: 30; so US fill = 30/60 =
/// 0.5, critical weighted shortage 30. JP (routine, lead time 0) gets
/// 10 + 10 = 20 of 20: fill 1. TW ships 30 to the US and 20 to JP,
/// keeps 30 at the end.
pub const SMALL: &str = r#"
name = "two-lanes"
periods = 2

[[items]]
id = "chips"

[[allies]]
id = "TW"
[[allies]]
id = "US"
[[allies]]
id = "JP"

[[supply]]
ally = "TW"
item = "chips"
stock = 80

[[demand]]
ally = "US"
item = "chips"
tier = "critical"
quantity = 30

[[demand]]
ally = "JP"
item = "chips"
quantity = 10

[[lanes]]
from = "TW"
to = "US"
lead_time = 1
cost = 2

[[lanes]]
from = "TW"
to = "JP"
cost = 1
"#;

/// Parses `page` and fails on any HTML5 parse error.
pub fn parse_strict(page: &str) -> Html {
    let doc = Html::parse_document(page);
    assert!(
        doc.errors.is_empty(),
        "the page has HTML parse errors: {:?}",
        doc.errors
    );
    doc
}

/// Fails when `page` references anything by an http(s) URL, or loads
/// anything at all (scripts, stylesheets, images, fonts, frames).
pub fn assert_self_contained(page: &str) {
    let lower = page.to_ascii_lowercase();
    for bad in [
        "http://", "https://", "<script", "<link", "<img", "<iframe", "@import", "url(http", "src=",
    ] {
        assert!(!lower.contains(bad), "the page contains `{bad}`");
    }
    // Every url(...) is a reference to a pattern in the page itself.
    for (i, _) in lower.match_indices("url(") {
        assert!(
            lower[i + 4..].starts_with('#'),
            "url() that is not a fragment: {}",
            &page[i..(i + 40).min(page.len())]
        );
    }
}

/// (ally, item, tier, fill) of every bar with a `data-fill`.
pub fn bars(doc: &Html) -> Vec<(String, String, String, f64, String)> {
    let sel = Selector::parse("rect.bar[data-fill]").unwrap();
    doc.select(&sel)
        .map(|e| {
            let v = e.value();
            let title = e.text().collect::<String>();
            (
                v.attr("data-ally").unwrap().to_string(),
                v.attr("data-item").unwrap().to_string(),
                v.attr("data-tier").unwrap().to_string(),
                v.attr("data-fill").unwrap().parse().unwrap(),
                title,
            )
        })
        .collect()
}

/// Checks the bars against the JSON result's fill rates: one bar each,
/// worst first, the exact value in `data-fill` and in the tooltip.
pub fn assert_bars_match(doc: &Html, result: &serde_json::Value) {
    let runs: Vec<&serde_json::Value> = match result {
        serde_json::Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    let mut expected = Vec::new();
    for r in runs {
        let mut fill: Vec<(String, String, String, f64)> = r["fill"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["ally"].as_str().unwrap().to_string(),
                    f["item"].as_str().unwrap().to_string(),
                    f["tier"].as_str().unwrap().to_string(),
                    f["fill_rate"].as_f64().unwrap(),
                )
            })
            .collect();
        fill.sort_by(|a, b| a.3.total_cmp(&b.3));
        assert!(fill.len() <= allot::output::html::MAX_BARS);
        expected.extend(fill);
    }
    let got = bars(doc);
    assert_eq!(got.len(), expected.len(), "one bar per fill rate");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!((&g.0, &g.1, &g.2, g.3), (&e.0, &e.1, &e.2, e.3));
        assert!(
            g.4.contains(&format!("fill rate {}", e.3)),
            "tooltip `{}` lacks the exact fill rate {}",
            g.4,
            e.3
        );
    }
}

#[test]
fn small_report_is_valid_self_contained_and_draws_every_fill_rate() {
    let json = Test::new()
        .file("p.toml", SMALL)
        .args(["solve", "p.toml", "--format", "json", "-o", "r.json"])
        .status(0)
        .run();
    let text = std::fs::read_to_string(json.path("r.json")).unwrap();
    let result: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The numbers of the comment above.
    assert_eq!(result["tiers"][0]["weighted_shortage"], 30.0);
    assert_eq!(result["periods"], 2);
    let us = &result["stock"][1];
    assert_eq!(
        (us["ally"].as_str(), us["item"].as_str()),
        (Some("US"), Some("chips"))
    );
    assert_eq!(us["served"], serde_json::json!([0.0, 30.0]));
    assert_eq!(us["demand"], serde_json::json!([30.0, 30.0]));
    assert_eq!(result["stock"][0]["on_hand"][1], 30.0);
    assert_eq!(result["lanes"][0]["lead_time"], 1);

    let direct = Test::new()
        .file("p.toml", SMALL)
        .args(["solve", "p.toml", "--format", "html"])
        .status(0)
        .run();
    let stored = Test::new()
        .file("r.json", &text)
        .args(["report", "r.json", "-o", "r.html"])
        .status(0)
        .run();
    let page = std::fs::read_to_string(stored.path("r.html")).unwrap();
    assert_eq!(
        page, direct.stdout,
        "report from JSON = solve --format html"
    );

    let doc = parse_strict(&page);
    assert_self_contained(&page);
    assert_bars_match(&doc, &result);
    // Worst first: the US (0.5) above JP (1).
    let b = bars(&doc);
    assert_eq!((b[0].0.as_str(), b[0].3), ("US", 0.5));
    // The flow matrix: TW → US 30 with lead time 1, TW → JP 20 with 0.
    let cells: Vec<String> = doc
        .select(&Selector::parse("table.flow td[title]").unwrap())
        .map(|e| e.text().collect::<String>())
        .collect();
    assert_eq!(cells, ["30L1", "20L0"]);
    // Every chart has a text alternative.
    for svg in doc.select(&Selector::parse("svg.chart").unwrap()) {
        let t = Selector::parse("title").unwrap();
        let d = Selector::parse("desc").unwrap();
        assert!(svg.select(&t).next().is_some() && svg.select(&d).next().is_some());
    }
}

#[test]
fn scenario_report_compares_every_result() {
    let out = Test::new()
        .repo_file("problems/chips-taiwan-blockade.toml", "p.toml")
        .args(["solve", "p.toml", "--all-scenarios", "--format", "json"])
        .status(0)
        .run();
    let result = out.json();
    let n = result.as_array().unwrap().len();
    assert!(n > 1);
    let page = allot::output::html::render_str(&out.stdout).unwrap();
    let doc = parse_strict(&page);
    assert_self_contained(&page);
    assert_bars_match(&doc, &result);
    // One bar per (result, tier) in the scenario chart, with the exact value.
    let sel = Selector::parse("rect.bar[data-weighted-shortage]").unwrap();
    let tiers = result[0]["tiers"].as_array().unwrap().len();
    let got: Vec<f64> = doc
        .select(&sel)
        .map(|e| {
            e.value()
                .attr("data-weighted-shortage")
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(got.len(), n * tiers);
    for (k, t) in (0..tiers)
        .flat_map(|t| (0..n).map(move |k| (k, t)))
        .zip(0..)
    {
        let want = result[k.0]["tiers"][k.1]["weighted_shortage"]
            .as_f64()
            .unwrap();
        assert_eq!(got[t], want);
    }
    // Same JSON, same bytes.
    assert_eq!(page, allot::output::html::render_str(&out.stdout).unwrap());
}

#[test]
fn report_of_a_bad_file_is_a_located_usage_error() {
    Test::new()
        .file("r.json", "{\n  \"problem\": \"x\",\n  oops\n}\n")
        .args(["report", "r.json"])
        .status(2)
        .stderr_has("r.json:3:3: not an allot result")
        .run();
    Test::new()
        .file("r.json", "{\"problem\": \"x\"}")
        .args(["report", "r.json"])
        .status(2)
        .stderr_has("missing field `status`")
        .run();
    Test::new()
        .args(["report", "missing.json"])
        .status(2)
        .stderr_has("missing.json")
        .run();
}

/// The parse check is not blind: an element left open, a stray end tag
/// and a misnested element are parse errors.
#[test]
fn the_parse_check_catches_broken_html() {
    let ok = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>x</title></head><body><div><p>x</p></div></body></html>";
    assert!(Html::parse_document(ok).errors.is_empty());
    for broken in [
        ok.replace("</div>", ""),
        ok.replace("<p>x</p>", "<p>x</p></span>"),
        ok.replace("<p>x</p>", "<b><i>x</b></i>"),
        ok.replace("<!DOCTYPE html>", ""),
    ] {
        assert!(
            !Html::parse_document(&broken).errors.is_empty(),
            "not caught: {broken}"
        );
    }
}

/// A result shaped like the 30×6×12 benchmark's (30 allies, 6 items, 3
/// tiers, 12 periods), denser than any solve of it: every (ally, item,
/// tier) has demand, every ally ships every item to 6 others in every
/// period. Its page stays under 1 MB (the charts draw the worst 40 fill
/// rates and 4 stock series; the tables hold the rest).
#[test]
fn benchmark_sized_report_is_under_a_megabyte() {
    let (allies, items, periods) = (30usize, 6usize, 12usize);
    let tiers = ["critical", "essential", "routine"];
    let ally = |a: usize| format!("A{a:02}");
    let item = |k: usize| format!("item{k}");
    let mut fill = Vec::new();
    let mut stock = Vec::new();
    let mut shipments = Vec::new();
    let mut lanes = Vec::new();
    for a in 0..allies {
        for k in 0..items {
            for (g, t) in tiers.iter().enumerate() {
                let rate = ((a * 7 + k * 3 + g) % 97) as f64 / 96.0;
                fill.push(
                    serde_json::json!({"ally": ally(a), "item": item(k), "tier": t,
                    "demand": 1234.5, "served": 1234.5 * rate, "fill_rate": rate}),
                );
            }
            let v: Vec<f64> = (0..periods)
                .map(|t| (a * 31 + k * 17 + t) as f64 * 1.37)
                .collect();
            stock.push(serde_json::json!({"ally": ally(a), "item": item(k),
                "on_hand": v, "demand": v, "served": v}));
        }
        for d in 1..=6 {
            let b = (a + d * 4) % allies;
            lanes.push(
                serde_json::json!({"from": ally(a), "to": ally(b), "lane": a, "lead_time": d % 3}),
            );
            for k in 0..items {
                for t in 1..=periods {
                    shipments.push(
                        serde_json::json!({"from": ally(a), "to": ally(b), "lane": a,
                        "item": item(k), "period": t, "arrives": t + d % 3,
                        "quantity": 12.345 * (t + k) as f64, "cost": 1.0}),
                    );
                }
            }
        }
    }
    let result = serde_json::json!({
        "problem": "gen-30x6x12", "scenario": null, "status": "optimal",
        "tiers": tiers.iter().map(|t| serde_json::json!({"tier": t, "demand": 1.0e5,
            "served": 9.0e4, "shortage": 1.0e4, "weighted_shortage": 2.5e4})).collect::<Vec<_>>(),
        "cost": {"total": 1.0e6, "transport": 5.0e5, "production": 4.0e5, "surge": 1.0e5},
        "fill": fill, "shipments": shipments, "periods": periods, "stock": stock, "lanes": lanes,
    });
    let page = allot::output::html::render_value(result.clone()).unwrap();
    assert!(page.len() < 1_000_000, "{} bytes", page.len());
    let doc = parse_strict(&page);
    assert_self_contained(&page);
    // The 40 worst fill rates are drawn, worst first.
    let b = bars(&doc);
    assert_eq!(b.len(), allot::output::html::MAX_BARS);
    assert!(b.windows(2).all(|w| w[0].3 <= w[1].3));
    let mut rates: Vec<f64> = result["fill"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fill_rate"].as_f64().unwrap())
        .collect();
    rates.sort_by(f64::total_cmp);
    assert_eq!(b.iter().map(|x| x.3).collect::<Vec<_>>(), rates[..40]);
    // Every fill rate is in the table.
    let rows = doc
        .select(&Selector::parse("table tbody tr").unwrap())
        .count();
    assert!(rows >= fill_count(&result));
}

fn fill_count(result: &serde_json::Value) -> usize {
    result["fill"].as_array().unwrap().len()
}
