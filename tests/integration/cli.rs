//! Command-line conventions: help with examples, the three output formats,
//! deterministic and atomic output, usage errors, closed pipes and colour.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::Test;

/// The bundled, hand-checked case (README quick start).
const HAND: &str = "problems/chips-hand-check.toml";

/// Two allies, three tiers' worth of data, two scenarios: quick to solve.
pub(crate) const SMALL: &str = r#"
name = "small"
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
stock = 30
production = 20
[[demand]]
ally = "US"
item = "chips"
tier = "critical"
quantity = 25
[[demand]]
ally = "JP"
item = "chips"
tier = "critical"
quantity = [10, 20]
[[lanes]]
from = "TW"
to = ["US", "JP"]
cost = 2
lead_time = 1
[[scenarios]]
name = "fab-fire"
changes = [{ target = "production", ally = "TW", item = "chips", factor = 0.0 }]
[[scenarios]]
name = "air-bridge"
changes = [{ target = "lanes", from = "TW", to = "JP", factor = 2.0, periods = [1, 1] }]
"#;

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-6 * want.abs().max(1.0)
}

#[test]
fn help_lists_the_commands_and_exit_codes() {
    let out = Test::new().args(["--help"]).run();
    for command in ["solve", "check", "validate"] {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{command} "))),
            "`allot --help` does not list `{command}`:\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("Exit status"), "{}", out.stdout);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn version_goes_to_stdout() {
    Test::new()
        .args(["--version"])
        .stdout(&format!("allot {}\n", env!("CARGO_PKG_VERSION")))
        .run();
}

/// The example lines (`  allot …`) under "Example(s):" in a help text.
fn examples(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| !l.starts_with("Example"))
        .filter_map(|l| l.trim().strip_prefix("allot ").map(str::to_string))
        .collect()
}

/// Every subcommand's help has at least one example; the examples of
/// `solve` and `validate` run as printed on the bundled problems, and every
/// file an example names exists.
#[test]
fn every_subcommand_help_has_examples_that_work() {
    let top = Test::new().args(["--help"]).run().stdout;
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 2, "{top}");
    for command in &commands {
        let help = Test::new().args([command.as_str(), "--help"]).run().stdout;
        let examples = examples(&help);
        assert!(
            !examples.is_empty(),
            "`allot {command} --help` has no example:\n{help}"
        );
        for example in examples {
            let words: Vec<&str> = example.split_whitespace().collect();
            let mut args: Vec<String> = Vec::new();
            for w in &words {
                if let Some(dir) = w.strip_suffix("/*.toml") {
                    // The shell's glob, expanded here.
                    let mut files: Vec<String> = std::fs::read_dir(repo(dir))
                        .unwrap()
                        .map(|e| e.unwrap().path())
                        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
                        .collect();
                    files.sort();
                    assert!(!files.is_empty(), "{example}: no files in {dir}");
                    args.extend(files);
                } else {
                    if w.starts_with("problems/") {
                        assert!(repo(w).exists(), "`allot {example}`: {w} does not exist");
                    }
                    args.push(w.to_string());
                }
            }
            if !["solve", "validate"].contains(&words[0]) {
                continue;
            }
            let mut t = Test::new();
            for a in args.iter().filter(|a| a.starts_with("problems/")) {
                t = t.repo_file(a, a);
            }
            t.args(&args).status(0).run();
        }
    }
}

fn repo(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn solve_prints_a_table_by_default() {
    let out = Test::new()
        .repo_file(HAND, "hand.toml")
        .args(["solve", "hand.toml"])
        .stdout_has("chips-hand-check: optimal")
        .stdout_has("Cost 375 (transport 135, production 160, surge 80)")
        .stdout_has("Fill rates, worst first")
        .run();
    // The worst fill rate is listed first: US routine, 25 of 60.
    let first_fill = out
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Fill rates"))
        .nth(2)
        .unwrap();
    assert!(
        first_fill.contains("US") && first_fill.contains("41.7%"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.is_empty(), "stderr: {}", out.stderr);
}

#[test]
fn solve_prints_spec_json() {
    let out = Test::new()
        .repo_file(HAND, "hand.toml")
        .args(["solve", "hand.toml", "--format", "json"])
        .run();
    let v = out.json();
    assert_eq!(v["problem"], "chips-hand-check");
    assert_eq!(v["status"], "optimal");
    assert!(close(v["cost"]["total"].as_f64().unwrap(), 375.0));
    let routine = &v["tiers"][2];
    assert_eq!(routine["tier"], "routine");
    assert!(close(routine["weighted_shortage"].as_f64().unwrap(), 50.0));
    let us = v["fill"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["ally"] == "US" && f["tier"] == "routine")
        .unwrap();
    assert!(close(us["fill_rate"].as_f64().unwrap(), 25.0 / 60.0));
}

/// `--parallel-simplex` changes how HiGHS solves, not what: a separate
/// process (no other HiGHS run in it, so its cold solves do price in
/// parallel) prints the serial results.
#[cfg(feature = "highs")]
#[test]
fn parallel_simplex_gives_the_serial_results() {
    let toml = allot::generate::Size::new(12, 3, 6)
        .degree(3)
        .seed(5)
        .toml();
    let run = |extra: &[&str]| {
        let mut args = vec!["solve", "g.toml", "--solver", "highs", "--format", "json"];
        args.extend_from_slice(extra);
        Test::new().file("g.toml", &toml).args(&args).run().json()
    };
    let serial = run(&[]);
    let parallel = run(&["--parallel-simplex"]);
    let numbers = |v: &serde_json::Value| -> Vec<f64> {
        let tiers = v["tiers"].as_array().unwrap().iter();
        let fill = v["fill"].as_array().unwrap().iter();
        tiers
            .map(|t| t["weighted_shortage"].as_f64().unwrap())
            .chain(fill.map(|f| f["fill_rate"].as_f64().unwrap()))
            .chain([v["cost"]["total"].as_f64().unwrap()])
            .collect()
    };
    let (a, b) = (numbers(&serial), numbers(&parallel));
    assert_eq!(a.len(), b.len());
    assert!(a.len() > 10, "a problem with work to do: {a:?}");
    for (x, y) in a.iter().zip(&b) {
        assert!(close(*x, *y), "serial {x} vs parallel {y}");
    }
    assert_eq!(parallel["status"], "optimal");
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut rows = vec![r.headers().unwrap().iter().map(str::to_string).collect()];
    for rec in r.records() {
        rows.push(rec.unwrap().iter().map(str::to_string).collect());
    }
    rows
}

#[test]
fn solve_prints_every_csv_table() {
    let run = |table: &str| {
        let out = Test::new()
            .repo_file(HAND, "hand.toml")
            .args([
                "solve",
                "hand.toml",
                "--format",
                "csv",
                "--csv-table",
                table,
            ])
            .run();
        csv_rows(&out.stdout)
    };
    let col = |rows: &[Vec<String>], name: &str| -> Vec<f64> {
        let i = rows[0].iter().position(|h| h == name).unwrap();
        rows[1..].iter().map(|r| r[i].parse().unwrap()).collect()
    };
    // Shipments (the default table): TW sends 25 to the US and 30 to JP.
    let default = Test::new()
        .repo_file(HAND, "hand.toml")
        .args(["solve", "hand.toml", "--format", "csv"])
        .run();
    let ships = csv_rows(&default.stdout);
    assert_eq!(ships, run("shipments"));
    assert_eq!(
        ships[0],
        [
            "problem", "scenario", "period", "arrives", "from", "to", "lane", "item", "quantity",
            "cost"
        ]
    );
    assert!(close(col(&ships, "quantity").iter().sum(), 55.0));
    assert!(close(col(&ships, "cost").iter().sum(), 135.0));

    let fill = run("fill");
    assert_eq!(fill.len(), 1 + 6);
    assert!(close(col(&fill, "served").iter().sum(), 160.0));

    let tiers = run("tiers");
    assert_eq!(tiers.len(), 1 + 3);
    assert!(close(col(&tiers, "weighted_shortage").iter().sum(), 50.0));

    let production = run("production");
    assert!(close(col(&production, "normal").iter().sum(), 130.0));
    assert!(close(col(&production, "surge").iter().sum(), 10.0));

    let cost = run("cost");
    assert_eq!(cost.len(), 2);
    assert!(close(col(&cost, "total")[0], 375.0));
}

#[test]
fn csv_of_several_scenarios_names_each_row() {
    let out = Test::new()
        .file("small.toml", SMALL)
        .args([
            "solve",
            "small.toml",
            "--all-scenarios",
            "--format",
            "csv",
            "--csv-table",
            "cost",
        ])
        .run();
    let rows = csv_rows(&out.stdout);
    let names: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("small", ""),
            ("small", "fab-fire"),
            ("small", "air-bridge")
        ]
    );
}

#[test]
fn identical_input_gives_identical_bytes() {
    for format in ["json", "table", "csv"] {
        let run = || {
            Test::new()
                .file("small.toml", SMALL)
                .args(["solve", "small.toml", "--all-scenarios", "--format", format])
                .run()
                .stdout
        };
        let (a, b) = (run(), run());
        assert!(!a.is_empty());
        assert_eq!(a, b, "two runs differ in --format {format}");
    }
    // The JSON is an array, base first, then the scenarios in file order.
    let v = Test::new()
        .file("small.toml", SMALL)
        .args(["solve", "small.toml", "--all-scenarios", "--format", "json"])
        .run()
        .json();
    let scenarios: Vec<&serde_json::Value> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["scenario"])
        .collect();
    assert_eq!(
        scenarios,
        [
            &serde_json::Value::Null,
            &"fab-fire".into(),
            &"air-bridge".into()
        ]
    );
}

/// Medical supplies between Korea and Australia, which share no lane with
/// SMALL's chips: SMALL with this appended solves as two independent parts.
const MEDS: &str = r#"
[[items]]
id = "meds"
value = 3
[[allies]]
id = "KR"
[[allies]]
id = "AU"
[[supply]]
ally = "KR"
item = "meds"
stock = 30
[[demand]]
ally = "AU"
item = "meds"
tier = "critical"
quantity = [20, 25]
[[lanes]]
from = "KR"
to = "AU"
cost = 1
[[scenarios]]
name = "meds-strike"
changes = [{ target = "lanes", from = "KR", to = "AU", factor = 0.5 }]
"#;

/// The solves of `--all-scenarios` (and of several `--scenario`s) run in
/// parallel, independent parts too, yet stdout is byte for byte what
/// solving one after the other prints, and `--timings` lists the solves in
/// order.
#[test]
fn parallel_solves_print_what_sequential_solves_print() {
    use allot::report::{CsvTable, csv, json, table};
    use allot::{SolveRequest, Tuning};
    let text = format!("{SMALL}{MEDS}");
    let problem = allot::load_str(&text, "parts.toml").unwrap();
    let sequential = Tuning::default().with_parallel(false);
    let runs: [(&[&str], Vec<Option<&str>>); 2] = [
        (
            &["--all-scenarios"],
            vec![
                None,
                Some("fab-fire"),
                Some("air-bridge"),
                Some("meds-strike"),
            ],
        ),
        (
            &["--scenario", "meds-strike", "--scenario", "fab-fire"],
            vec![Some("meds-strike"), Some("fab-fire")],
        ),
    ];
    for (flags, scenarios) in runs {
        let solutions: Vec<allot::Solution> = SolveRequest::new(&problem)
            .solves(scenarios.iter().copied())
            .tuning(sequential)
            .run_each()
            .into_iter()
            .map(|r| r.unwrap().solution)
            .collect();
        let formats: [(&str, String); 3] = [
            ("table", table(&solutions)),
            ("json", json(&solutions)),
            ("csv", csv(&solutions, CsvTable::Shipments)),
        ];
        for (format, want) in formats {
            let out = Test::new()
                .file("parts.toml", &text)
                .args(["solve", "parts.toml", "--format", format, "--timings"])
                .args(flags)
                .stdout(&want)
                .run();
            let solved: Vec<&str> = out
                .stderr
                .lines()
                .filter_map(|l| l.split_once(": LP ").map(|(name, _)| name))
                .collect();
            let names: Vec<String> = scenarios
                .iter()
                .map(|s| s.map_or("small".into(), |s| format!("small / {s}")))
                .collect();
            assert_eq!(solved, names, "{}", out.stderr);
            assert!(
                out.stderr.contains("in 2 independent parts"),
                "{}",
                out.stderr
            );
        }
    }
}

#[test]
fn output_file_equals_stdout_and_leaves_no_temporary_file() {
    for format in ["table", "json", "csv"] {
        let stdout = Test::new()
            .file("small.toml", SMALL)
            .args(["solve", "small.toml", "--all-scenarios", "--format", format])
            .run()
            .stdout;
        let out = Test::new()
            .file("small.toml", SMALL)
            .file("plan.out", "old contents, to be replaced\n")
            .args([
                "solve",
                "small.toml",
                "--all-scenarios",
                "--format",
                format,
                "--output",
                "plan.out",
            ])
            .stdout("")
            .run();
        let written = std::fs::read_to_string(out.path("plan.out")).unwrap();
        assert_eq!(written, stdout, "--output differs from stdout for {format}");
        let mut names: Vec<String> = std::fs::read_dir(out.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["plan.out", "small.toml"]);
    }
}

#[test]
fn output_into_a_missing_directory_is_an_error_and_writes_nothing() {
    let out = Test::new()
        .file("small.toml", SMALL)
        .args(["solve", "small.toml", "-o", "no/such/dir/plan.json"])
        .status(2)
        .stdout("")
        .stderr_has("error: ")
        .stderr_has("no/such/dir/plan.json")
        .run();
    assert!(!out.path("no").exists());
}

#[test]
fn unknown_scenario_is_exit_2_with_the_known_names() {
    Test::new()
        .file("small.toml", SMALL)
        .args(["solve", "small.toml", "--scenario", "fab-fir"])
        .status(2)
        .stdout("")
        .stderr_has("error: small.toml: no scenario `fab-fir`")
        .stderr_has("fab-fire")
        .stderr_has("air-bridge")
        .run();
}

#[test]
fn usage_errors_are_exit_2_on_stderr() {
    for args in [
        vec!["solve"],
        vec!["solve", "small.toml", "--format", "xml"],
        vec!["solve", "small.toml", "--csv-table", "everything"],
        vec!["frobnicate"],
    ] {
        let out = Test::new()
            .file("small.toml", SMALL)
            .args(&args)
            .status(2)
            .stdout("")
            .run();
        assert!(out.stderr.contains("error"), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn parallel_simplex_without_highs_is_a_usage_error() {
    let out = Test::new()
        .file("small.toml", SMALL)
        .args(["solve", "small.toml", "--parallel-simplex"])
        .status(2)
        .stdout("")
        .run();
    assert!(
        out.stderr
            .starts_with("error: --parallel-simplex is for --solver highs"),
        "{}",
        out.stderr
    );
}

#[test]
fn timings_go_to_stderr_only() {
    let plain = Test::new()
        .file("small.toml", SMALL)
        .args(["solve", "small.toml", "--all-scenarios", "--format", "json"])
        .run();
    let timed = Test::new()
        .file("small.toml", SMALL)
        .args([
            "solve",
            "small.toml",
            "--all-scenarios",
            "--format",
            "json",
            "--timings",
        ])
        .stderr_has("small / fab-fire: LP")
        .stderr_has("critical: shortage")
        .run();
    assert_eq!(plain.stdout, timed.stdout);
    // Off a terminal there is no progress indicator or anything else.
    assert_eq!(plain.stderr, "");
}

/// Runs allot with stdout going into a pipe whose reading end is already
/// closed, as in `allot … | head -c0`: every write fails with EPIPE.
fn run_into_closed_pipe(args: &[&str], dir: &Path) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    (status.code(), stderr)
}

/// `allot … | head -c1`: the reader takes one byte and goes away.
fn run_into_head(args: &[&str], dir: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    stdout.read_exact(&mut one).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap().code(), stderr)
}

#[test]
fn a_closed_pipe_exits_0_quietly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.toml"), SMALL).unwrap();
    std::fs::copy(repo(HAND), dir.path().join("hand.toml")).unwrap();
    let runs: [&[&str]; 7] = [
        &["solve", "small.toml", "--all-scenarios", "--format", "json"],
        &["solve", "small.toml", "--all-scenarios"],
        &["solve", "small.toml", "--all-scenarios", "--format", "csv"],
        &["solve", "hand.toml", "--format", "json"],
        &["validate", "small.toml", "hand.toml"],
        &["--help"],
        &["solve", "--help"],
    ];
    for args in runs {
        for (how, (status, stderr)) in [
            ("closed pipe", run_into_closed_pipe(args, dir.path())),
            ("| head -c1", run_into_head(args, dir.path())),
        ] {
            assert_eq!(status, Some(0), "allot {args:?} {how}: {stderr}");
            assert!(
                !stderr.contains("panicked") && stderr.is_empty(),
                "allot {args:?} {how}: {stderr}"
            );
        }
    }
}

const BAD: &str = "periods = 1.5\n[[items]]\nid = \"chips\"\n[[allies]]\nid = \"US\"\n";

#[test]
fn colour_only_when_wanted_and_never_with_no_color() {
    let esc = '\u{1b}';
    // Off a terminal: plain.
    let plain = Test::new()
        .file("bad.toml", BAD)
        .env("CLICOLOR_FORCE", "")
        .args(["validate", "bad.toml"])
        .status(2)
        .stderr_has("error: `periods`")
        .run();
    assert!(!plain.stderr.contains(esc), "{:?}", plain.stderr);
    // CLICOLOR_FORCE=1 stands in for a terminal: coloured errors.
    let forced = Test::new()
        .file("bad.toml", BAD)
        .env("CLICOLOR_FORCE", "1")
        .args(["validate", "bad.toml"])
        .status(2)
        .run();
    assert!(forced.stderr.contains(esc), "{:?}", forced.stderr);
    // ... but NO_COLOR wins, for our errors and for clap's.
    for args in [vec!["validate", "bad.toml"], vec!["solve"]] {
        let out = Test::new()
            .file("bad.toml", BAD)
            .env("CLICOLOR_FORCE", "1")
            .env("NO_COLOR", "1")
            .args(&args)
            .status(2)
            .stderr_has("error")
            .run();
        assert!(!out.stderr.contains(esc), "{args:?}: {:?}", out.stderr);
    }
    // Results on stdout never carry colour.
    let out = Test::new()
        .repo_file(HAND, "hand.toml")
        .env("CLICOLOR_FORCE", "1")
        .args(["solve", "hand.toml"])
        .run();
    assert!(!out.stdout.contains(esc), "{:?}", out.stdout);
}

/// `--time-limit`: a solve out of time is a solver failure (exit 3) that
/// names the limit, the stage it reached and what to do; nothing goes to
/// stdout. A limit it stays within changes nothing.
#[test]
fn time_limit_ends_a_solve_with_status_3() {
    for solver in allot::SolverKind::available() {
        Test::new()
            .file("small.toml", SMALL)
            .args([
                "solve",
                "small.toml",
                "--all-scenarios",
                "--time-limit",
                "1e-9",
            ])
            .args(["--solver", solver.name()])
            .status(3)
            .stdout("")
            .stderr_has("error: solver ")
            .stderr_has("at stage critical: shortage")
            .stderr_has("the time limit of 0.000000001 s was reached")
            .stderr_has("help: raise --time-limit")
            .run();
    }
    let free = Test::new()
        .file("small.toml", SMALL)
        .args(["solve", "small.toml", "--all-scenarios", "--format", "json"])
        .run();
    Test::new()
        .file("small.toml", SMALL)
        .args(["solve", "small.toml", "--all-scenarios", "--format", "json"])
        .args(["--time-limit", "3600"])
        .stdout(&free.stdout)
        .run();
    Test::new()
        .file("small.toml", SMALL)
        .args(["check", "small.toml", "--time-limit", "1e-9"])
        .status(3)
        .stderr_has("error: solver ")
        .stderr_has("the time limit of 0.000000001 s was reached")
        .run();
}

#[test]
fn time_limit_must_be_a_positive_number_of_seconds() {
    for (value, says) in [
        ("0", "the time limit must be above 0 seconds, got `0`"),
        ("-3", "the time limit must be above 0 seconds, got `-3`"),
        ("NaN", "the time limit must be above 0 seconds, got `NaN`"),
        ("soon", "`soon` is not a number of seconds"),
        ("inf", "`inf` seconds is out of range"),
    ] {
        Test::new()
            .file("small.toml", SMALL)
            .args(["solve", "small.toml", &format!("--time-limit={value}")])
            .status(2)
            .stdout("")
            .stderr_has("error: ")
            .stderr_has(says)
            .run();
    }
}
