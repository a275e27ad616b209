//! `--shard K/N`: each shard prints its slice of the output, and the
//! slices concatenated in the order of K are the unsharded output byte
//! for byte (`solve`); `check` shards its files, and its lines concatenate
//! the same way, each shard's summary counting its own files.

use crate::cli::SMALL;
use crate::harness::Test;

/// stdout of `allot ARGS` run on `small.toml` (three solves with
/// `--all-scenarios`: the base and two scenarios).
fn solve(args: &[&str]) -> String {
    Test::new()
        .file("small.toml", SMALL)
        .args(["solve", "small.toml"])
        .args(args.iter().copied())
        .run()
        .stdout
}

#[test]
fn sharded_solves_concatenate_to_the_whole_output() {
    let formats: [&[&str]; 4] = [
        &["--format", "json"],
        &["--format", "table"],
        &["--format", "csv", "--csv-table", "fill"],
        &["--format", "csv", "--csv-table", "shipments"],
    ];
    for format in formats {
        let mut args = vec!["--all-scenarios"];
        args.extend_from_slice(format);
        let whole = solve(&args);
        assert!(!whole.is_empty());
        // 2 and 3 shards split the three solves; with 5, shards 1, 3 and
        // 5 are empty.
        for n in [2, 3, 5] {
            let mut joined = String::new();
            for k in 1..=n {
                let shard = format!("{k}/{n}");
                let mut a = args.clone();
                a.extend(["--shard", &shard]);
                let piece = solve(&a);
                // Each slice of a JSON array is no JSON of its own, but
                // a slice of one solve of three is (almost) a third.
                if n == 3 {
                    assert!(!piece.is_empty(), "{format:?} {shard} is empty");
                }
                joined.push_str(&piece);
            }
            assert_eq!(joined, whole, "{format:?} in {n} shards");
        }
    }
}

/// One solve (no scenarios): the first shard has it all (a JSON object,
/// not an array), the others print nothing.
#[test]
fn a_single_solve_belongs_to_the_last_shard() {
    let whole = solve(&["--format", "json"]);
    assert!(whole.starts_with('{'), "{whole}");
    // Solve 0 of 1 lies in ⌊(K−1)/N⌋..⌊K/N⌋: shard N only.
    assert_eq!(solve(&["--format", "json", "--shard", "1/2"]), "");
    assert_eq!(solve(&["--format", "json", "--shard", "2/2"]), whole);
}

#[test]
fn bad_shards_are_usage_errors_with_the_form() {
    for bad in ["0/3", "4/3", "1/0", "2", "a/b"] {
        Test::new()
            .file("small.toml", SMALL)
            .args(["solve", "small.toml", "--shard", bad])
            .status(2)
            .stderr_has("K/N with 1 ≤ K ≤ N")
            .run();
        Test::new()
            .file("small.toml", SMALL)
            .args(["check", "small.toml", "--shard", bad])
            .status(2)
            .stderr_has("K/N with 1 ≤ K ≤ N")
            .run();
    }
}

/// Three files: `a` as written, `b` with an expectation it fails, `c`
/// without scenarios; `allot check` on them exits with `status`.
fn check(args: &[&str], status: i32) -> String {
    let failing = SMALL.replace("name = \"small\"", "name = \"b\"") + "\n[expect]\ncost = 1.0\n";
    let out = Test::new()
        .file("dir/a.toml", SMALL)
        .file("dir/b.toml", failing)
        .file(
            "dir/c.toml",
            SMALL.split("[[scenarios]]").next().unwrap_or_default(),
        )
        .args(["check", "dir"])
        .args(args.iter().copied())
        .status(status)
        .run();
    out.stdout
}

#[test]
fn sharded_checks_split_the_files_and_count_their_own() {
    let whole = check(&[], 1);
    let lines = |text: &str| -> (Vec<String>, String) {
        let mut v: Vec<String> = text.lines().map(String::from).collect();
        let summary = v.pop().unwrap_or_default();
        (v, summary)
    };
    let (whole_lines, whole_summary) = lines(&whole);
    assert_eq!(whole_lines.len(), 3 + 3 + 1, "{whole}");
    assert!(
        whole_summary.starts_with("check FAILED: 3 files, 7 solves"),
        "{whole_summary}"
    );
    let mut joined = Vec::new();
    let mut solves = 0;
    for k in 1..=2 {
        let shard = format!("{k}/2");
        // Shard 1 has `a` (unchecked: passes), shard 2 `b` and `c`.
        let text = check(&["--shard", &shard], if k == 1 { 0 } else { 1 });
        let (part, summary) = lines(&text);
        assert!(
            summary.starts_with(&format!("check (shard {shard})")),
            "{summary}"
        );
        // "…: F files, S solves: …"
        let count = summary
            .split(" files, ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse::<usize>().ok())
            .expect("solves in summary");
        solves += count;
        joined.extend(part);
    }
    assert_eq!(joined, whole_lines);
    assert_eq!(solves, 7);
    // JSON: the shards' result rows concatenate to the whole run's.
    let rows = |args: &[&str], status| {
        let mut a = vec!["--format", "json"];
        a.extend_from_slice(args);
        let text = check(&a, status);
        let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        (
            v["results"].as_array().cloned().unwrap_or_default(),
            v["summary"].clone(),
        )
    };
    let (all, summary) = rows(&[], 1);
    assert!(summary.get("shard").is_none(), "{summary}");
    let (mut first, s1) = rows(&["--shard", "1/2"], 0);
    let (second, s2) = rows(&["--shard", "2/2"], 1);
    assert_eq!(s1["shard"], "1/2");
    assert_eq!(
        s1["solves"].as_u64().unwrap() + s2["solves"].as_u64().unwrap(),
        summary["solves"].as_u64().unwrap()
    );
    first.extend(second);
    assert_eq!(first, all);
}
