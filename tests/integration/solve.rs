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
