//! Bad input, end to end: the malformed-file corpus (`tests/corpus/`,
//! replayed from its manifest), every error of a file at once, the size
//! guard and `--max-size`, outputs that are never half-written, and a
//! deterministic mutation test that no damaged problem file makes the loader
//! panic.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::harness::Test;
use allot::generate::Rng;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    file: String,
    status: i32,
    stderr: Vec<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn manifest() -> Manifest {
    let path = corpus_dir().join("manifest.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What one run of the binary did.
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

/// Runs `allot ARGS` in `dir`; on Linux under a 1 GiB address-space limit,
/// so that a run needing more fails instead of passing.
fn run_limited(dir: &Path, args: &[&str]) -> Run {
    let bin = env!("CARGO_BIN_EXE_allot");
    let mut cmd = if cfg!(target_os = "linux") && Path::new("/bin/sh").exists() {
        let mut c = Command::new("/bin/sh");
        c.arg("-c")
            .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env_remove("RUST_BACKTRACE");
    let started = Instant::now();
    let out = cmd.output().expect("run allot");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// Whether `s` contains `FILE:LINE:`.
fn has_location(s: &str, file: &str) -> bool {
    s.match_indices(&format!("{file}:")).any(|(i, m)| {
        let rest = &s[i + m.len()..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with(':')
    })
}

#[test]
fn the_corpus_is_complete_and_every_error_case_names_its_place() {
    let m = manifest();
    let listed: Vec<&str> = m.case.iter().map(|c| c.file.as_str()).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "a file is listed twice");
    let on_disk: BTreeSet<String> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "manifest.toml")
        .collect();
    let listed: BTreeSet<String> = unique.iter().map(|s| s.to_string()).collect();
    assert_eq!(on_disk, listed, "files and manifest cases differ");
    let errors: Vec<&Case> = m.case.iter().filter(|c| c.status == 2).collect();
    assert!(errors.len() >= 30, "only {} malformed files", errors.len());
    assert!(
        errors.iter().any(|c| c.file.ends_with(".json"))
            && errors.iter().any(|c| c.file.ends_with(".toml"))
    );
    for c in &errors {
        let frags = c.stderr.join("\n");
        assert!(
            has_location(&frags, &c.file),
            "{}: no `{}:LINE:` fragment",
            c.file,
            c.file
        );
        assert!(
            c.stderr.len() >= 2,
            "{}: name what is wrong, not only where",
            c.file
        );
    }
    for c in m.case.iter().filter(|c| c.status != 2) {
        assert_eq!(c.status, 0, "{}", c.file);
        assert!(
            c.file.starts_with("valid-"),
            "{}: a valid case is named valid-*",
            c.file
        );
    }
}

#[test]
fn the_corpus_replays_with_located_errors_and_no_panic() {
    let dir = corpus_dir();
    let mut failures = Vec::new();
    for case in manifest().case {
        for command in ["validate", "solve", "plan"] {
            let run = run_limited(&dir, &[command, &case.file]);
            let what = format!("allot {command} {}", case.file);
            let mut problems = Vec::new();
            if run.status != case.status {
                problems.push(format!("exit {} (expected {})", run.status, case.status));
            }
            for f in &case.stderr {
                if !run.stderr.contains(f.as_str()) {
                    problems.push(format!("stderr lacks {f:?}"));
                }
            }
            if case.status == 2 && !run.stdout.is_empty() {
                problems.push("stdout is not empty".into());
            }
            if case.status == 0 && run.stdout.is_empty() {
                problems.push("stdout is empty".into());
            }
            if case.status == 0 && run.stderr.contains("error") {
                problems.push("stderr has an error".into());
            }
            if run.stderr.contains("panicked") || run.stderr.contains("RUST_BACKTRACE") {
                problems.push("it panicked".into());
            }
            if run.elapsed >= Duration::from_secs(10) {
                problems.push(format!("took {:?}", run.elapsed));
            }
            if !problems.is_empty() {
                failures.push(format!(
                    "{what}: {}\n--- stdout\n{}\n--- stderr\n{}",
                    problems.join("; "),
                    run.stdout,
                    run.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

const BASE: &str = r#"periods = 3
[[items]]
id = "chips"
[[allies]]
id = "TW"
[[allies]]
id = "US"
[[supply]]
ally = "TW"
item = "chips"
stock = 10
production = [5, 5, 5]
[[demand]]
ally = "US"
item = "chips"
tier = "critical"
quantity = 4
[[lanes]]
from = "TW"
to = "US"
capacity = 8
"#;

#[test]
fn validate_lists_every_error_of_a_file_and_goes_on_to_the_next_file() {
    let semantic = BASE
        .replace("stock = 10", "stock = -3")
        .replace("production = [5, 5, 5]", "production = [5, nan]")
        .replace("ally = \"US\"\nitem", "ally = \"UK\"\nitem")
        .replace("to = \"US\"", "to = \"TW\"");
    // Keys and types are checked table by table: every broken table is named.
    let unread = format!(
        "{BASE}[[supply]]\nally = \"US\"\nitem = \"chips\"\nstok = 1\n[[supply]]\nally = \"US\"\n[[lanes]]\nfrom = \"US\"\nto = \"TW\"\nlead_time = \"2\"\n"
    );
    let out = Test::new()
        .file("ok.toml", BASE)
        .file("semantic.toml", &semantic)
        .file("unread.toml", &unread)
        .args(["validate", "semantic.toml", "ok.toml", "unread.toml"])
        .status(2)
        .stdout_has("ok.toml: ok — 2 allies, 1 items, 3 periods, 1 lanes")
        .stderr_has("`supply[0].stock`: must not be negative, found -3\n  --> semantic.toml:11:9")
        .stderr_has(
            "`supply[0].production`: has 2 values but `periods` is 3\n  --> semantic.toml:12:14",
        )
        .stderr_has("`demand[0].ally`: unknown ally `UK`\n  --> semantic.toml:14:8")
        .stderr_has(
            "`lanes[0].to`: a lane cannot go from an ally to itself\n  --> semantic.toml:20:6",
        )
        .stderr_has("4 errors")
        .stderr_has("`supply[1].stok`: unknown key `stok`\n  --> unread.toml:25:1")
        .stderr_has("`supply[2]`: missing required key `item`\n  --> unread.toml:26:1")
        .stderr_has(
            "`lanes[1].lead_time`: expected a number, found string \"2\"\n  --> unread.toml:31:13",
        )
        .stderr_has("3 errors")
        .run();
    assert!(!out.stdout.contains("semantic.toml") && !out.stdout.contains("unread.toml"));
    // `solve` prints the same errors and stops.
    Test::new()
        .file("semantic.toml", &semantic)
        .args(["solve", "semantic.toml"])
        .status(2)
        .stderr_has("`demand[0].ally`: unknown ally `UK`")
        .stderr_has("4 errors")
        .stdout("")
        .run();
}

#[test]
fn errors_are_capped_and_the_rest_counted() {
    let mut text = BASE.to_string();
    for i in 0..70 {
        text.push_str(&format!(
            "[[demand]]\nally = \"X{i}\"\nitem = \"chips\"\nquantity = 1\n"
        ));
    }
    let out = Test::new()
        .file("many.toml", &text)
        .args(["validate", "many.toml"])
        .status(2)
        .stderr_has("unknown ally `X0`")
        .stderr_has("unknown ally `X49`")
        .stderr_has("20 more errors not shown (the first 50 are)")
        .run();
    assert!(!out.stderr.contains("`X50`"), "{}", out.stderr);
}

/// `from = "*", to = "*"` among `n` allies, over `periods` periods.
fn star(n: usize, periods: usize) -> String {
    let allies: Vec<String> = (0..n).map(|i| format!("{{ id = \"A{i}\" }}")).collect();
    format!(
        "periods = {periods}\nitems = [{{ id = \"x\" }}]\nallies = [{}]\n[[supply]]\nally = \"A0\"\nitem = \"x\"\nstock = 5\n[[demand]]\nally = \"A1\"\nitem = \"x\"\nquantity = 1\n[[lanes]]\nfrom = \"*\"\nto = \"*\"\n",
        allies.join(", ")
    )
}

#[test]
fn max_size_sets_the_limit_of_the_size_guard() {
    // 60 allies: 3540 lanes over 10 periods take 3540 · (10 capacities, 1
    // item, 16 words of their own) = 95 580 words, about 1 MB: well below
    // the default limit, above a limit of 30 000.
    let text = star(60, 10);
    Test::new()
        .file("star.toml", &text)
        .args(["validate", "star.toml"])
        .stdout_has("star.toml: ok — 60 allies, 1 items, 10 periods, 3540 lanes")
        .run();
    Test::new()
        .file("star.toml", &text)
        .args(["validate", "star.toml", "--max-size", "30000"])
        .status(2)
        .stderr_has("`lanes[0].from`: the problem is too large: lanes[0] makes 3540 lanes, each for 1 item over 10 periods")
        .stderr_has("beyond the limit of 30000 (--max-size)")
        .stderr_has("--> star.toml:13:8")
        .stdout("")
        .run();
    Test::new()
        .file("star.toml", &text)
        .args(["solve", "star.toml", "--max-size", "30000"])
        .status(2)
        .stderr_has("lanes[0] makes 3540 lanes")
        .stdout("")
        .run();
    Test::new()
        .file("base.toml", BASE)
        .args(["solve", "base.toml", "--max-size", "0"])
        .status(2)
        .run();
    // The base problem's LP: 14 columns; a limit of 10 refuses it, naming
    // the horizon, and a limit of 100 admits it.
    Test::new()
        .file("base.toml", BASE)
        .args(["solve", "base.toml", "--max-size", "10"])
        .status(2)
        .stderr_has("`periods`: the problem is too large: periods = 3")
        .run();
    Test::new()
        .file("base.toml", BASE)
        .args([
            "solve",
            "base.toml",
            "--max-size",
            "100",
            "--format",
            "json",
        ])
        .stdout_has("\"status\": \"optimal\"")
        .run();
}

#[test]
fn tiny_files_asking_for_huge_problems_are_refused_at_once() {
    // Library level: the guard runs before anything is expanded.
    for (text, key) in [
        (star(5000, 1000), "lanes[0].from"),
        (
            BASE.replace("periods = 3", "periods = 1000000000")
                .replace("[5, 5, 5]", "5"),
            "periods",
        ),
        (
            star(3000, 1).replace(
                "from = \"*\"",
                "from = \"*\"\ncapacity = 0\nbidirectional = true",
            ),
            "lanes[0].from",
        ),
    ] {
        let started = Instant::now();
        match allot::load_str(&text, "big.toml") {
            Err(e) if matches!(e, allot::Error::TooLarge { .. }) => {
                let allot::Error::TooLarge {
                    diagnostic, limit, ..
                } = &e
                else {
                    unreachable!()
                };
                assert_eq!(diagnostic.key, key);
                assert_eq!(*limit, allot::size::DEFAULT_MAX_SIZE);
                assert!(diagnostic.location.is_some());
                // The library names no flag; the command line adds it.
                let library = e.to_string();
                assert!(!library.contains("--max-size"), "{library}");
                assert!(library.contains("raise the size limit"), "{library}");
                let cli = allot::cli::message(&e);
                assert!(cli.contains("(--max-size)"), "{cli}");
                assert!(cli.contains("raise the limit with --max-size N"), "{cli}");
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}

/// A problem microlp cannot solve today (numbers over 24 orders of
/// magnitude): it reports a solver failure, exit 3.
const ILL_CONDITIONED: &str = r#"periods = 4
[[items]]
id = "a"
value = 1e15
[[items]]
id = "b"
value = 1e-9
[[allies]]
id = "X"
[[allies]]
id = "Y"
[[allies]]
id = "Z"
[[supply]]
ally = "X"
item = "a"
stock = 1e15
production = [1e-9, 1e15, 3, 1e14]
production_cost = 1e15
[[supply]]
ally = "Y"
item = "b"
stock = 1e-9
production = 1e15
surge = 1e-7
surge_cost = 1e-9
[[demand]]
ally = "Y"
item = "a"
tier = "critical"
quantity = [1e15, 1e-9, 7e14, 1]
[[demand]]
ally = "Z"
item = "a"
tier = "critical"
quantity = [1e15, 1e-9, 7e14, 1]
[[demand]]
ally = "X"
item = "b"
tier = "routine"
quantity = 1e15
[[lanes]]
from = "*"
to = "*"
cost = 1e-9
capacity = [1e15, 1e-9, 1e15, 3e14]
"#;

/// The files of a directory, by name.
fn files_in(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_failed_run_leaves_the_output_file_as_it_was() {
    // Bad input: exit 2, the previous output untouched, no temporary file.
    let out = Test::new()
        .file("bad.toml", BASE.replace("stock = 10", "stock = -1"))
        .file("plan.json", "previous")
        .args([
            "solve",
            "bad.toml",
            "--format",
            "json",
            "--output",
            "plan.json",
        ])
        .status(2)
        .run();
    assert_eq!(
        std::fs::read_to_string(out.path("plan.json")).unwrap(),
        "previous"
    );
    assert_eq!(
        files_in(out.dir.path()),
        BTreeSet::from(["bad.toml".into(), "plan.json".into()])
    );

    // A solver failure: exit 3 with what happened and what to try, the
    // previous output untouched. (Should the solver learn to solve this
    // problem, the run must then write a whole plan.)
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("ill.toml"), ILL_CONDITIONED).unwrap();
    std::fs::write(dir.path().join("plan.json"), "previous").unwrap();
    let run = run_limited(
        dir.path(),
        &[
            "solve",
            "ill.toml",
            "--format",
            "json",
            "--output",
            "plan.json",
        ],
    );
    assert_eq!(
        files_in(dir.path()),
        BTreeSet::from(["ill.toml".into(), "plan.json".into()])
    );
    let written = std::fs::read_to_string(dir.path().join("plan.json")).unwrap();
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    match run.status {
        3 => {
            assert_eq!(written, "previous");
            assert!(
                run.stderr.contains("solver") && run.stderr.contains("help:"),
                "{}",
                run.stderr
            );
        }
        0 => {
            let v: serde_json::Value = serde_json::from_str(&written).expect("a whole JSON plan");
            assert_eq!(v["status"], "optimal");
        }
        s => panic!("exit {s}\n{}", run.stderr),
    }

    // Success replaces the file with the whole plan.
    let out = Test::new()
        .file("base.toml", BASE)
        .file("plan.json", "previous")
        .args([
            "solve",
            "base.toml",
            "--format",
            "json",
            "--output",
            "plan.json",
        ])
        .stdout("")
        .run();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path("plan.json")).unwrap()).unwrap();
    assert_eq!(v["problem"], "base");
    assert_eq!(
        files_in(out.dir.path()),
        BTreeSet::from(["base.toml".into(), "plan.json".into()])
    );
}

/// Tokens that matter to the formats and to validation.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "=",
    ",",
    "\"",
    ":",
    ".",
    "\n",
    "#",
    "*",
    "\"*\"",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1",
    "0",
    "0.5",
    "1e9",
    "99999999999999999999",
    "2024-01-01",
    "[[lanes]]\nfrom = \"*\"\nto = \"*\"\n",
    "periods = 100000\n",
    "[[supply]]\n",
    "\"\\u0000\"",
    "é",
    "\u{0}",
];

fn mutate(rng: &mut Rng, text: &[u8]) -> Vec<u8> {
    let mut b = text.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 => {
                if at < b.len() {
                    b[at] = rng.next_u64() as u8;
                }
            }
            1 => b.truncate(at),
            2 => {
                let end = (at + 1 + rng.below(40)).min(b.len());
                if at < end {
                    b.drain(at..end);
                }
            }
            3 => {
                let end = (at + 1 + rng.below(60)).min(b.len());
                if at < end {
                    let piece = b[at..end].to_vec();
                    let to = rng.below(b.len() + 1);
                    b.splice(to..to, piece);
                }
            }
            4 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                b.splice(at..at, t.iter().copied());
            }
            _ => {
                // Replace a number with an extreme one.
                let digits: Vec<usize> = (0..b.len()).filter(|&i| b[i].is_ascii_digit()).collect();
                if !digits.is_empty() {
                    let i = digits[rng.below(digits.len())];
                    let t = ["1e308", "-5", "nan", "1000000000", "0", "2.5"][rng.below(6)];
                    b.splice(i..i + 1, t.bytes());
                }
            }
        }
    }
    b
}

#[test]
fn damaged_problem_files_never_make_the_loader_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in ["problems", "tests/corpus"] {
        for name in files_in(&root.join(dir)) {
            let valid = dir == "problems" || name.starts_with("valid-");
            if valid && (name.ends_with(".toml") || name.ends_with(".json")) {
                let bytes = std::fs::read(root.join(dir).join(&name)).expect("read");
                seeds.push((name, bytes));
            }
        }
    }
    assert!(seeds.len() >= 5, "{} seed files", seeds.len());
    let mut rng = Rng::new(0x5EED_A110);
    let (mut loaded, mut refused, mut built) = (0, 0, 0);
    // ALLOT_MUTATIONS=N runs more cases (a longer search than CI's).
    let cases: usize = std::env::var("ALLOT_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    for case in 0..cases {
        let (name, seed) = &seeds[case % seeds.len()];
        let bytes = mutate(&mut rng, seed);
        let text = String::from_utf8_lossy(&bytes);
        let result = std::panic::catch_unwind(|| allot::load_str(&text, name));
        let Ok(result) = result else {
            panic!("case {case}: loading a damaged {name} panicked:\n{text}");
        };
        match result {
            Ok(p) => {
                loaded += 1;
                // The size estimate agrees with the LP actually built.
                let e = allot::size::estimate(&p);
                if e.nonzeros < 200_000 {
                    let m =
                        std::panic::catch_unwind(|| allot::model::build(&p)).unwrap_or_else(|_| {
                            panic!("case {case}: building the LP panicked:\n{text}")
                        });
                    assert_eq!(e.variables, m.lp.cols.len() as u64, "case {case}:\n{text}");
                    assert!(e.rows >= m.lp.rows.len() as u64, "case {case}:\n{text}");
                    assert!(e.nonzeros >= m.lp.nonzeros() as u64, "case {case}:\n{text}");
                    built += 1;
                }
            }
            Err(e) => {
                refused += 1;
                assert_eq!(e.exit_code(), 2, "case {case}: {e}");
                let message = e.to_string();
                assert!(message.starts_with("error: "), "case {case}: {message}");
                assert!(message.contains(name.as_str()), "case {case}: {message}");
            }
        }
    }
    // Both outcomes are exercised.
    assert!(
        loaded > 100 && refused > 1000,
        "loaded {loaded}, refused {refused}"
    );
    assert!(built > 100, "built {built}");
}
