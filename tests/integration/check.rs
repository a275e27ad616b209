//! `allot check` and `allot check --bless` end to end.
//!
//! The numbers are worked out by hand from the problem below: TW holds 80
//! chips, the US needs 100 at the critical tier, the lane costs 2 per unit.
//! Base: 80 shipped, critical weighted shortage 20, cost 160. Scenario
//! `halved` halves TW's stock: 40 shipped, shortage 60, cost 80.

use crate::harness::Test;

const SHARE: &str = r#"# A hand-checkable sharing case.
# TW ships what it has; the US is short by the rest.
name = "share"
periods = 1   # one week

[[items]]
id = "chips"
value = 1

[[allies]]
id   = "TW"     # aligned on purpose
[[allies]]
id   = "US"

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

[[scenarios]]
name = "halved"
# Half the stock is lost.
changes = [ { target = "stock", ally = "TW", item = "*", factor = 0.5 } ]
"#;

fn with_expect(expect: &str) -> String {
    format!("{SHARE}\n{expect}")
}

/// The right answers, by hand (see the module docs).
const RIGHT: &str = r#"[expect]
weighted_shortage = { critical = 20.0, essential = 0.0, routine = 0.0 }
cost = 160.0

[expect.scenarios.halved]
weighted_shortage = { critical = 60.0 }
cost = 80.0
"#;

#[test]
fn right_expectations_pass() {
    Test::new()
        .file("share.toml", with_expect(RIGHT))
        .args(["check", "share.toml"])
        .status(0)
        .stdout_has("ok         share.toml  critical 20, essential 0, routine 0, cost 160")
        .stdout_has("ok         share.toml [halved]  critical 60, essential 0, routine 0, cost 80")
        .stdout_has("check passed: 1 files, 2 solves: 2 ok, 0 failed, 0 unchecked, 0 errors")
        .run();
}

#[test]
fn a_wrong_expectation_fails_with_expected_and_got() {
    let wrong = RIGHT.replace("critical = 20.0", "critical = 25.0");
    Test::new()
        .file("share.toml", with_expect(&wrong))
        .args(["check", "share.toml"])
        .status(1)
        .stdout_has(
            "FAIL       share.toml  weighted_shortage.critical: expected 25, got 20 \
             (relative difference 2.00e-1 > tolerance 1e-6)",
        )
        .stdout_has("ok         share.toml [halved]")
        .stdout_has("check FAILED: 1 files, 2 solves: 1 ok, 1 failed")
        .run();
}

#[test]
fn the_tolerance_is_relative_to_the_expected_value() {
    // 160.0001 is 6.25e-7 away from 160 relative: inside 1e-6, outside 1e-7.
    let near = RIGHT.replace("cost = 160.0", "cost = 160.0001");
    Test::new()
        .file("share.toml", with_expect(&near))
        .args(["check", "share.toml"])
        .status(0)
        .run();
    let tight = near.replace("cost = 160.0001", "cost = 160.0001\ntolerance = 1e-7");
    Test::new()
        .file("share.toml", with_expect(&tight))
        .args(["check", "share.toml"])
        .status(1)
        .stdout_has(
            "cost: expected 160.0001, got 160 (relative difference 6.25e-7 > tolerance 1e-7)",
        )
        .run();
}

#[test]
fn scenario_expectations_are_checked() {
    let wrong = RIGHT.replace("critical = 60.0", "critical = 50.0");
    let out = Test::new()
        .file("share.toml", with_expect(&wrong))
        .args(["check", "share.toml"])
        .status(1)
        .stdout_has("ok         share.toml  critical 20")
        .stdout_has(
            "FAIL       share.toml [halved]  weighted_shortage.critical: expected 50, got 60",
        )
        .run();
    let fails = out.stdout.lines().filter(|l| l.starts_with("FAIL "));
    assert_eq!(fails.count(), 1, "{}", out.stdout);
}

#[test]
fn files_without_expectations_are_unchecked_and_strict_fails_them() {
    let base_only =
        with_expect("[expect]\nweighted_shortage = { critical = 20.0 }\ncost = 160.0\n");
    Test::new()
        .file("a.toml", SHARE)
        .file("b.toml", &base_only)
        .args(["check", "."])
        .status(0)
        .stdout_has("unchecked  ./a.toml  no [expect] table; got critical 20, essential 0, routine 0, cost 160")
        .stdout_has("unchecked  ./a.toml [halved]  no [expect.scenarios.halved] table")
        .stdout_has("ok         ./b.toml  critical 20")
        .stdout_has("unchecked  ./b.toml [halved]  no [expect.scenarios.halved] table")
        .stdout_has("1 ok, 0 failed, 3 unchecked")
        .run();
    Test::new()
        .file("a.toml", SHARE)
        .file("b.toml", &base_only)
        .args(["check", "--strict", "."])
        .status(1)
        .stdout_has("FAIL       ./a.toml  no [expect] table (--strict)")
        .stdout_has("check FAILED")
        .run();
}

#[test]
fn a_bad_file_is_reported_with_exit_2_and_the_others_still_checked() {
    let bad = SHARE.replace("stock = 80", "stock = -80");
    Test::new()
        .file("a-good.toml", with_expect(RIGHT))
        .file("b-bad.toml", bad)
        .args(["check", "."])
        .status(2)
        .stdout_has("ok         ./a-good.toml  critical 20")
        .stdout_has("ERROR      ./b-bad.toml  does not load")
        .stdout_has("1 errors")
        .stderr_has("error: ")
        .stderr_has("b-bad.toml:18:")
        .run();
}

#[test]
fn missing_paths_and_empty_directories_are_usage_errors() {
    Test::new()
        .args(["check", "nowhere"])
        .status(2)
        .stderr_has("nowhere")
        .run();
    Test::new()
        .file("empty/readme.txt", "not a problem")
        .args(["check", "empty"])
        .status(2)
        .stderr_has("empty: no problem files (.toml or .json)")
        .run();
}

#[test]
fn directories_are_searched_recursively_in_sorted_order() {
    let right = with_expect(RIGHT);
    let out = Test::new()
        .file("lib/z.toml", &right)
        .file("lib/a/m.toml", &right)
        .file("lib/b.toml", &right)
        .file("lib/.hidden/x.toml", "not even toml [")
        .file("lib/notes.txt", "ignored")
        .args(["check", "--jobs", "2", "lib"])
        .status(0)
        .run();
    let files: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("ok") && !l.contains('['))
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(
        files,
        ["lib/a/m.toml", "lib/b.toml", "lib/z.toml"],
        "{}",
        out.stdout
    );
}

/// `text` without its `[expect]` tables: the lines from `[expect]` to the
/// next table that is not part of it.
fn strip_expect(text: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') {
            inside = t.starts_with("[expect]") || t.starts_with("[expect.");
        }
        if !inside {
            out.push_str(line);
        }
    }
    out
}

#[test]
fn bless_writes_expectations_that_then_pass_and_keep_the_rest_of_the_file() {
    // The file ends with a comment: the new table goes after it.
    let original = format!("{SHARE}\n# Expectations: written by allot check --bless.\n");
    let out = Test::new()
        .file("share.toml", &original)
        .args(["check", "--bless", "share.toml"])
        .status(0)
        .stdout_has("blessed    share.toml  critical 20, essential 0, routine 0, cost 160")
        .stdout_has("blessed    share.toml [halved]  critical 60")
        .stdout_has("2 blessed (1 files rewritten)")
        .run();
    let blessed = std::fs::read_to_string(out.path("share.toml")).unwrap();
    // Everything before the new table is the file as written, byte for byte.
    assert!(
        blessed.starts_with(&format!("{original}[expect]\n")),
        "{blessed}"
    );
    assert_eq!(strip_expect(&blessed), original);
    // Every tier, the cost, and every scenario, with the hand-computed values.
    let v: toml::Table = toml::from_str(&blessed).unwrap();
    let e = &v["expect"];
    assert_eq!(e["weighted_shortage"]["critical"].as_float(), Some(20.0));
    assert_eq!(e["weighted_shortage"]["essential"].as_float(), Some(0.0));
    assert_eq!(e["weighted_shortage"]["routine"].as_float(), Some(0.0));
    assert_eq!(e["cost"].as_float(), Some(160.0));
    let h = &e["scenarios"]["halved"];
    assert_eq!(h["weighted_shortage"]["critical"].as_float(), Some(60.0));
    assert_eq!(h["cost"].as_float(), Some(80.0));
    // Then the check passes, and a second bless changes nothing.
    let dir = out.dir;
    let out = Test::new()
        .in_dir(dir)
        .args(["check", "--strict", "share.toml"])
        .status(0)
        .stdout_has("2 ok, 0 failed, 0 unchecked")
        .run();
    let out = Test::new()
        .in_dir(out.dir)
        .args(["check", "--bless", "share.toml"])
        .status(0)
        .stdout_has("(0 files rewritten)")
        .run();
    assert_eq!(
        std::fs::read_to_string(out.path("share.toml")).unwrap(),
        blessed
    );
}

#[test]
fn bless_edits_an_existing_expect_table_in_place() {
    // [expect] sits between the lanes and the scenarios, with comments, a
    // tolerance, a stale cost with a trailing comment, and no scenario part.
    let (head, tail) = SHARE.split_at(SHARE.find("[[scenarios]]").unwrap());
    let expect = "# Expected results (blessed).\n[expect]\ntolerance = 1e-5   # looser: data are rough\nweighted_shortage = { critical = 99.0 }\ncost = 1.0   # dollars\n\n";
    let original = format!("{head}{expect}{tail}");
    let out = Test::new()
        .file("share.toml", &original)
        .args(["check", "--bless", "share.toml"])
        .status(0)
        .stdout_has("(changed: weighted_shortage.critical 99 → 20, cost 1 → 160)")
        .run();
    let blessed = std::fs::read_to_string(out.path("share.toml")).unwrap();
    assert!(blessed.starts_with(head), "{blessed}");
    assert!(blessed.ends_with(tail), "{blessed}");
    assert_eq!(strip_expect(&blessed), strip_expect(&original));
    let middle = &blessed[head.len()..blessed.len() - tail.len()];
    assert!(
        middle.starts_with(
            "# Expected results (blessed).\n[expect]\ntolerance = 1e-5   # looser: data are rough\n"
        ),
        "{middle}"
    );
    assert!(middle.contains("cost = 160.0   # dollars\n"), "{middle}");
    assert!(
        middle.contains("weighted_shortage = { critical = 20.0, essential = 0.0, routine = 0.0 }"),
        "{middle}"
    );
    assert!(middle.contains("[expect.scenarios.halved]"), "{middle}");
    Test::new()
        .in_dir(out.dir)
        .args(["check", "--strict", "share.toml"])
        .status(0)
        .run();
}

const SHARE_JSON: &str = r#"{
    "name": "share-json",
    "items": [{"id": "chips"}],
    "allies": [{"id": "TW"}, {"id": "US"}],
    "supply": [{"ally": "TW", "item": "chips", "stock": 80}],
    "demand": [{"ally": "US", "item": "chips", "tier": "critical", "quantity": 100}],
    "lanes": [{"from": "TW", "to": "US", "cost": 2}],
    "scenarios": [
        {"name": "halved", "changes": [{"target": "stock", "ally": "TW", "item": "*", "factor": 0.5}]}
    ]
}
"#;

#[test]
fn bless_writes_the_expect_object_of_json_files() {
    let out = Test::new()
        .file("share.json", SHARE_JSON)
        .args(["check", "--bless", "share.json"])
        .status(0)
        .stdout_has("blessed    share.json  critical 20, essential 0, routine 0, cost 160")
        .run();
    let blessed = std::fs::read_to_string(out.path("share.json")).unwrap();
    let before = &SHARE_JSON[..SHARE_JSON.rfind(']').unwrap() + 1];
    assert!(blessed.starts_with(before), "{blessed}");
    let v: serde_json::Value = serde_json::from_str(&blessed).unwrap();
    assert_eq!(v["expect"]["weighted_shortage"]["critical"], 20.0);
    assert_eq!(v["expect"]["weighted_shortage"]["routine"], 0.0);
    assert_eq!(v["expect"]["cost"], 160.0);
    assert_eq!(
        v["expect"]["scenarios"]["halved"]["weighted_shortage"]["critical"],
        60.0
    );
    assert_eq!(v["expect"]["scenarios"]["halved"]["cost"], 80.0);
    assert!(
        blessed.contains("\n    \"expect\": {\n        \"weighted_shortage\": {\n"),
        "{blessed}"
    );
    let out = Test::new()
        .in_dir(out.dir)
        .args(["check", "--strict", "share.json"])
        .status(0)
        .stdout_has("ok         share.json [halved]  critical 60")
        .run();

    // An existing expect object is replaced in place; its tolerance stays.
    let stale = SHARE_JSON.replace(
        "    \"lanes\"",
        "    \"expect\": {\"cost\": 5, \"tolerance\": 1e-4},\n    \"lanes\"",
    );
    let out = Test::new()
        .in_dir(out.dir)
        .file("share.json", &stale)
        .args(["check", "--bless", "share.json"])
        .status(0)
        .stdout_has("(changed: cost 5 → 160)")
        .run();
    let blessed = std::fs::read_to_string(out.path("share.json")).unwrap();
    let (head, tail) = stale.split_at(stale.find("{\"cost\": 5").unwrap());
    let tail = &tail[tail.find("},").unwrap() + 1..];
    assert!(
        blessed.starts_with(head) && blessed.ends_with(tail),
        "{blessed}"
    );
    let v: serde_json::Value = serde_json::from_str(&blessed).unwrap();
    assert_eq!(v["expect"]["tolerance"], 1e-4);
    assert_eq!(v["expect"]["cost"], 160.0);
    Test::new()
        .in_dir(out.dir)
        .args(["check", "--strict", "share.json"])
        .status(0)
        .run();
}

#[test]
fn json_format_reports_every_solve_and_a_summary() {
    let wrong = RIGHT.replace("cost = 80.0", "cost = 81.0");
    let out = Test::new()
        .file("share.toml", with_expect(&wrong))
        .file("plain.toml", SHARE)
        .args(["check", "--format", "json", "."])
        .status(1)
        .run();
    let v = out.json();
    let rows = v["results"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["file"], "./plain.toml");
    assert_eq!(rows[0]["status"], "unchecked");
    assert_eq!(rows[2]["file"], "./share.toml");
    assert_eq!(rows[2]["status"], "ok");
    let critical = rows[2]["weighted_shortage"]["critical"].as_f64().unwrap();
    assert!((critical - 20.0).abs() <= 1e-6 * 20.0, "{critical}");
    assert_eq!(rows[3]["scenario"], "halved");
    assert_eq!(rows[3]["status"], "fail");
    let c = &rows[3]["checks"][1];
    assert_eq!(c["field"], "cost");
    assert_eq!(c["expected"], 81.0);
    let got = c["got"].as_f64().unwrap();
    assert!((got - 80.0).abs() <= 1e-6 * 80.0, "{got}");
    assert_eq!(c["ok"], false);
    let s = &v["summary"];
    assert_eq!(
        (s["files"].as_u64(), s["solves"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!((s["ok"].as_u64(), s["failed"].as_u64()), (Some(1), Some(1)));
    assert_eq!(
        (s["unchecked"].as_u64(), s["exit"].as_i64()),
        (Some(2), Some(1))
    );
}

/// The shipped problem library passes: every file loads, every base problem
/// and scenario has an expectation (`--strict`), and every result matches.
/// The embedded backend checks every file allot does not advise against it
/// for; the national-scale real case (about 115 000 LP columns, where allot
/// says `--solver highs` on stderr) is checked with HiGHS when the build has
/// it (`--features highs`).
#[test]
fn the_problem_library_passes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/problems");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml" || x == "json"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    files.sort();
    let (large, small): (Vec<String>, Vec<String>) = files.into_iter().partition(|f| {
        let p = allot::load(std::path::Path::new(f)).unwrap_or_else(|e| panic!("{e}"));
        allot::solve::likely_slow(&p, allot::SolverKind::Microlp).is_some()
    });
    let out = Test::new()
        .args(["check", "--strict"])
        .args(&small)
        .status(0)
        .stdout_has("check passed")
        .run();
    let checked = out.stdout.lines().filter(|l| !l.contains('[')).count() - 1;
    assert!(
        checked >= 10,
        "only {checked} problem files:\n{}",
        out.stdout
    );
    assert!(
        large
            .iter()
            .any(|f| f.ends_with("medical-ventilators-us-states-2020.toml")),
        "{large:?}"
    );
    #[cfg(feature = "highs")]
    Test::new()
        .args(["check", "--strict", "--solver", "highs"])
        .args(&large)
        .status(0)
        .stdout_has("check passed")
        .run();
}
