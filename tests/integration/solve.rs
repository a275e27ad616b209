//! `allot solve` end to end.

use crate::harness::Test;

const SHARE: &str = r#"
[[items]]
id = "chips"
[[allies]]
id = "TW"
[[allies]]
id = "US"
[[supply]]
ally = "TW"
item = "chips"
stock = 80
[[demand]]
ally = "US"
item = "chips"
tier = "critical"
quantity = 100
[[lanes]]
from = "TW"
to = "US"
cost = 2
"#;

#[test]
fn solves_to_json_with_spec_fields() {
    let out = Test::new()
        .file("share.toml", SHARE)
        .args(["solve", "share.toml", "--format", "json"])
        .run();
    let v = out.json();
    assert_eq!(v["problem"], "share");
    assert_eq!(v["scenario"], serde_json::Value::Null);
    assert_eq!(v["status"], "optimal");
    let ws = v["tiers"][0]["weighted_shortage"].as_f64().unwrap();
    assert!((ws - 20.0).abs() < 1e-6, "{ws}");
}

#[test]
fn unknown_scenario_is_a_usage_error() {
    Test::new()
        .file("share.toml", SHARE)
        .args(["solve", "share.toml", "--scenario", "nope"])
        .status(2)
        .stderr_has("no scenario `nope`")
        .run();
}

/// Several solves at once: each result is the solve on its own, in the
/// order asked, and an unknown scenario fails only its own solve.
#[test]
fn solve_many_returns_each_solve_in_order() {
    let text = format!(
        "{SHARE}[[scenarios]]\nname = \"half\"\nchanges = [{{ target = \"stock\", factor = 0.5 }}]\n"
    );
    let problem = allot::load_str(&text, "share.toml").unwrap();
    let opts = allot::SolveOptions::default();
    let results = allot::solve::solve_many(&problem, &[Some("half"), Some("nope"), None], &opts);
    assert_eq!(results.len(), 3);
    let half = allot::solve(&problem, Some("half"), &opts).unwrap();
    let base = allot::solve(&problem, None, &opts).unwrap();
    assert_eq!(results[0].as_ref().unwrap().0, half);
    let err = results[1].as_ref().unwrap_err().to_string();
    assert!(err.contains("no scenario `nope`"), "{err}");
    assert_eq!(results[2].as_ref().unwrap().0, base);
    // 40 of 100 units reach the US under "half".
    let ws = half.tiers[0].weighted_shortage;
    assert!((ws - 60.0).abs() < 1e-6, "{ws}");
}
