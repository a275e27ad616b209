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
fn run_each_returns_each_solve_in_order() {
    let text = format!(
        "{SHARE}[[scenarios]]\nname = \"half\"\nchanges = [{{ target = \"stock\", factor = 0.5 }}]\n"
    );
    let problem = allot::load_str(&text, "share.toml").unwrap();
    let request = allot::SolveRequest::new(&problem);
    let results = request
        .clone()
        .solves([Some("half"), Some("nope"), None])
        .run_each();
    assert_eq!(results.len(), 3);
    let half = request.clone().scenario("half").run().unwrap().solution;
    let base = request.run().unwrap().solution;
    assert_eq!(results[0].as_ref().unwrap().solution, half);
    let err = results[1].as_ref().unwrap_err().to_string();
    assert!(err.contains("no scenario `nope`"), "{err}");
    assert_eq!(results[2].as_ref().unwrap().solution, base);
    // 40 of 100 units reach the US under "half".
    let ws = half.tiers[0].weighted_shortage;
    assert!((ws - 60.0).abs() < 1e-6, "{ws}");
}

/// Progress: a message when each stage starts, then one after each of its
/// LPs with the stage's count so far, so that a leximin stage of hundreds
/// of LPs shows how far it got. The counts end at the stage's LP count.
#[test]
fn progress_reports_every_lp_of_every_stage() {
    let problem = allot::generate::Size::new(10, 3, 6).degree(2).problem();
    let messages = std::sync::Mutex::new(Vec::new());
    let progress = |m: &str| messages.lock().unwrap().push(m.to_string());
    let stats = allot::SolveRequest::new(&problem)
        .progress(&progress)
        .run()
        .unwrap()
        .stats;
    let messages = messages.into_inner().unwrap();
    let fairness_lps: usize = stats
        .stages
        .iter()
        .filter(|s| s.name.ends_with("fairness"))
        .map(|s| s.lps)
        .sum();
    assert!(fairness_lps > 2, "{:?}", stats.stages);
    for stage in &stats.stages {
        let start = format!("{}: {}", problem.name(), stage.name);
        let at = messages
            .iter()
            .position(|m| *m == start)
            .unwrap_or_else(|| panic!("no `{start}` in {messages:#?}"));
        for n in 1..=stage.lps {
            let lps = if n == 1 {
                "1 LP".into()
            } else {
                format!("{n} LPs")
            };
            let prefix = format!("{start} ({lps}, ");
            let m = &messages[at + n];
            assert!(
                m.starts_with(&prefix) && m.ends_with("s)"),
                "{m} after {start}"
            );
        }
    }
    let total: usize = stats.stages.iter().map(|s| s.lps + 1).sum();
    assert_eq!(messages.len(), total, "{messages:#?}");
}
