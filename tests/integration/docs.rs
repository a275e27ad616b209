//! The documentation is tested: every example in README.md and
//! docs/format.md must do what the text around it says.
//!
//! Conventions for fenced code blocks in those files (the info string after
//! the opening fence):
//!
//! - ```` ```toml ```` — a complete problem file; it must load and validate.
//! - ```` ```toml fragment ```` — part of a problem file. It is merged into the
//!   latest complete ```` ```toml ```` block before it, together with the
//!   fragments in between (arrays of tables are appended, other keys
//!   replaced), and the result must validate.
//! - ```` ```toml invalid ```` — a complete problem file that must be
//!   rejected with exit status 2. When the next block is ```` ```text ````, it
//!   must appear, as a whole, in the message (read as `example.toml`).
//! - ```` ```json ```` — a problem file in JSON; it must load and validate.
//! - A block right after an HTML comment `<!-- allot: ARGS -->` is the exact
//!   stdout of `allot ARGS`, run in a directory holding a copy of `problems/`
//!   and, as `example.toml`, the latest complete ```` ```toml ```` block with
//!   the fragments after it merged in. A ```` ```json ```` output is compared
//!   number by number within 1e-6 relative (solver round-off), anything else
//!   byte for byte.
//! - ```` ```rust ```` blocks are compiled and run as doc tests (src/lib.rs
//!   includes the documents under `cfg(doctest)`); this test checks they are
//!   included.
//! - ```` ```sh ```` — commands for the reader; every `allot …` line that
//!   names a file under `problems/` must run with exit status 0 (in a copy of
//!   `problems/`, with `problems/*.toml` expanded).
//! - ```` ```text ````, ```` ```console ````: not checked.
//!
//! Any other info string is an error, so that a typo cannot hide an example
//! from the tests. Besides, every key the problem file accepts (read from
//! the serde types in `allot::raw`) must have a row in the key tables of
//! docs/format.md.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One fenced code block.
#[derive(Debug)]
struct Block {
    /// The info string, e.g. `toml fragment`.
    info: String,
    /// The text between the fences, ending in a newline.
    body: String,
    /// 1-based line of the opening fence.
    line: usize,
    /// ARGS of an `<!-- allot: ARGS -->` comment right before the block.
    command: Option<String>,
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    let mut last_comment: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        match &mut open {
            Some(block) => {
                if trimmed == "```" {
                    out.push(open.take().unwrap());
                } else {
                    block.body.push_str(line);
                    block.body.push('\n');
                }
            }
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let command = last_comment
                        .take()
                        .filter(|(at, _)| *at + 1 == i)
                        .map(|(_, c)| c);
                    open = Some(Block {
                        info: info.trim().to_string(),
                        body: String::new(),
                        line: i + 1,
                        command,
                    });
                } else if let Some(c) = trimmed
                    .strip_prefix("<!-- allot:")
                    .and_then(|c| c.strip_suffix("-->"))
                {
                    last_comment = Some((i, c.trim().to_string()));
                }
            }
        }
    }
    assert!(open.is_none(), "an unclosed code fence");
    out
}

fn merge(base: &mut toml::Table, fragment: toml::Table) {
    for (key, value) in fragment {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Array(existing)), toml::Value::Array(more)) => existing.extend(more),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// Runs the binary as documented and returns its stdout.
fn run_documented(args: &str, example: Option<&str>) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    if let Some(text) = example {
        std::fs::write(dir.path().join("example.toml"), text).unwrap();
    }
    std::fs::create_dir(dir.path().join("problems")).unwrap();
    for entry in std::fs::read_dir(repo("problems")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(
                &path,
                dir.path().join("problems").join(path.file_name().unwrap()),
            )
            .unwrap();
        }
    }
    // The shell's `*`, for the one pattern the documents use.
    let mut argv: Vec<String> = Vec::new();
    for word in args.split_whitespace() {
        match word.strip_suffix("/*.toml") {
            Some(sub) => {
                let mut files: Vec<String> = std::fs::read_dir(dir.path().join(sub))
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".toml"))
                    .map(|n| format!("{sub}/{n}"))
                    .collect();
                files.sort();
                argv.extend(files);
            }
            None => argv.push(word.to_string()),
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_allot"))
        .args(&argv)
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// JSON values equal up to 1e-6 relative in numbers; the first difference.
fn json_diff(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value::{Array, Number, Object};
    match (a, b) {
        (Number(x), Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            ((x - y).abs() > 1e-6 * x.abs().max(y.abs()).max(1.0))
                .then(|| format!("{at}: {x} vs {y}"))
        }
        (Array(x), Array(y)) => {
            if x.len() != y.len() {
                return Some(format!("{at}: {} vs {} elements", x.len(), y.len()));
            }
            x.iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (x, y))| json_diff(x, y, &format!("{at}[{i}]")))
        }
        (Object(x), Object(y)) => {
            let kx: Vec<&String> = x.keys().collect();
            let ky: Vec<&String> = y.keys().collect();
            if kx != ky {
                return Some(format!("{at}: keys {kx:?} vs {ky:?}"));
            }
            x.iter()
                .find_map(|(k, v)| json_diff(v, &y[k], &format!("{at}.{k}")))
        }
        _ => (a != b).then(|| format!("{at}: {a} vs {b}")),
    }
}

/// Checks every block of one document; returns how many were checked.
fn check_document(path: &str) -> usize {
    let text = read(path);
    let blocks = blocks(&text);
    // The latest complete example as text, and as a table with the
    // fragments since merged in.
    let mut latest_complete: Option<String> = None;
    let mut merged: Option<toml::Table> = None;
    let mut checked = 0;
    let mut failures = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let here = format!("{path}:{}", b.line);
        let words: Vec<&str> = b.info.split_whitespace().collect();
        if let Some(args) = &b.command {
            let (status, stdout, stderr) = run_documented(args, latest_complete.as_deref());
            let same = if words.first() == Some(&"json") {
                let expected: serde_json::Value = serde_json::from_str(&b.body)
                    .unwrap_or_else(|e| panic!("{here}: documented output is not JSON: {e}"));
                match serde_json::from_str::<serde_json::Value>(&stdout) {
                    Ok(actual) => json_diff(&expected, &actual, "$"),
                    Err(e) => Some(format!("the output is not JSON: {e}")),
                }
            } else {
                (stdout != b.body).then(|| "the output differs".to_string())
            };
            if let Some(diff) = same {
                failures.push(format!(
                    "{here}: `allot {args}` (exit {status}): {diff}\n--- documented\n{}--- actual stdout\n{stdout}--- stderr\n{stderr}",
                    b.body
                ));
            }
            checked += 1;
            continue;
        }
        match words.as_slice() {
            ["toml"] => {
                match allot::load_str(&b.body, "example.toml") {
                    Ok(_) => {}
                    Err(e) => failures.push(format!("{here}: the example does not validate:\n{e}")),
                }
                merged = Some(toml::from_str(&b.body).unwrap_or_else(|e| panic!("{here}: {e}")));
                latest_complete = Some(b.body.clone());
            }
            ["toml", "fragment"] => {
                let fragment: toml::Table = match toml::from_str(&b.body) {
                    Ok(t) => t,
                    Err(e) => {
                        failures.push(format!("{here}: the fragment is not TOML: {e}"));
                        continue;
                    }
                };
                let table = merged
                    .as_mut()
                    .unwrap_or_else(|| panic!("{here}: a fragment before any complete example"));
                merge(table, fragment);
                let text = toml::to_string(table).unwrap();
                if let Err(e) = allot::load_str(&text, "example.toml") {
                    failures.push(format!(
                        "{here}: the fragment, merged into the example before it, does not validate:\n{e}\n--- merged\n{text}"
                    ));
                }
                latest_complete = Some(text);
            }
            ["toml", "invalid"] => match allot::load_str(&b.body, "example.toml") {
                Ok(_) => failures.push(format!("{here}: the invalid example is accepted")),
                Err(e) => {
                    let message = e.to_string();
                    if e.exit_code() != 2 {
                        failures.push(format!("{here}: exit {} instead of 2", e.exit_code()));
                    }
                    if let Some(next) = blocks.get(i + 1).filter(|n| n.info == "text") {
                        let shown = next.body.trim_end();
                        if !message.contains(shown) {
                            failures.push(format!(
                                "{here}: the message is not as documented\n--- documented\n{shown}\n--- actual\n{message}"
                            ));
                        }
                    }
                }
            },
            ["json"] => {
                if let Err(e) = allot::load_str(&b.body, "example.json") {
                    failures.push(format!("{here}: the JSON example does not validate:\n{e}"));
                }
            }
            ["rust"] => {
                let lib = read("src/lib.rs");
                let include = format!("include_str!(\"../{path}\")");
                assert!(
                    lib.contains(&include),
                    "{here}: a rust block, but src/lib.rs does not run {path} as doc tests ({include})"
                );
            }
            ["sh"] => {
                // Commands shown for the reader: the ones that only read the
                // bundled problems must run as shown.
                for line in b.body.lines() {
                    let command = line.split('#').next().unwrap_or("").trim();
                    let Some(args) = command.strip_prefix("allot ") else {
                        continue;
                    };
                    if !args.split_whitespace().any(|w| w.starts_with("problems/")) {
                        continue;
                    }
                    let (status, _, stderr) = run_documented(args, None);
                    if status != 0 {
                        failures.push(format!("{here}: `{command}` exits {status}:\n{stderr}"));
                    }
                }
            }
            ["text"] | ["console"] => continue,
            _ => failures.push(format!(
                "{here}: unknown code block kind `{}` (see tests/integration/docs.rs)",
                b.info
            )),
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    checked
}

#[test]
fn readme_examples_work() {
    let n = check_document("README.md");
    assert!(n >= 3, "README.md has only {n} checked examples");
}

#[test]
fn format_reference_examples_work() {
    let n = check_document("docs/format.md");
    assert!(n >= 10, "docs/format.md has only {n} checked examples");
}

/// The keys a serde type accepts, read from its "unknown field" message.
fn keys_of<T: serde::de::DeserializeOwned>() -> Vec<String> {
    let err = match toml::from_str::<T>("zz_not_a_key = 1") {
        Ok(_) => panic!("an unknown key was accepted"),
        Err(e) => e.message().to_string(),
    };
    let expected = err
        .split_once("expected")
        .unwrap_or_else(|| panic!("unexpected message: {err}"))
        .1;
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The lines of `text` under the heading that starts with `heading`, up to
/// the next heading of the same or a higher level.
fn section<'a>(text: &'a str, heading: &str) -> Vec<&'a str> {
    let mut lines = text.lines();
    let level = heading.chars().take_while(|&c| c == '#').count();
    let found = lines.by_ref().any(|l| l.starts_with(heading));
    assert!(found, "docs/format.md has no heading `{heading}`");
    lines
        .take_while(|l| {
            let hashes = l.chars().take_while(|&c| c == '#').count();
            !(hashes > 0 && hashes <= level && l[hashes..].starts_with(' '))
        })
        .collect()
}

#[test]
fn format_reference_has_a_row_for_every_key() {
    use allot::raw::*;
    let text = read("docs/format.md");
    let sections: Vec<(&str, Vec<String>)> = vec![
        ("## Top level", keys_of::<RawProblem>()),
        ("### `[[items]]`", keys_of::<RawItem>()),
        ("### `[[allies]]`", keys_of::<RawAlly>()),
        ("### `[[supply]]`", keys_of::<RawSupply>()),
        ("### `[[demand]]`", keys_of::<RawDemand>()),
        ("### `[[lanes]]`", keys_of::<RawLane>()),
        ("### `[[scenarios]]`", keys_of::<RawScenario>()),
        ("### Changes", keys_of::<RawChange>()),
        ("### `[[stockpile]]`", keys_of::<RawStockpile>()),
        ("## `[expect]`", keys_of::<RawExpect>()),
    ];
    assert_eq!(
        sections[0].1,
        allot::raw::TOP_LEVEL_KEYS,
        "the top-level keys read from serde"
    );
    let mut missing = Vec::new();
    for (heading, keys) in &sections {
        assert!(keys.len() >= 2, "{heading}: only {keys:?}");
        let lines = section(&text, heading);
        for key in keys {
            let cell = format!("`{key}`");
            let has_row = lines.iter().any(|l| {
                l.starts_with('|') && l.split('|').nth(1).is_some_and(|c| c.contains(&cell))
            });
            if !has_row {
                missing.push(format!("{heading}: {key}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "keys without a row in docs/format.md:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_block_reader_sees_fences_comments_and_info_strings() {
    let text = "a\n<!-- allot: solve example.toml -->\n```text\nout\n```\n\n```toml fragment\nx = 1\n```\n";
    let b = blocks(text);
    assert_eq!(b.len(), 2);
    assert_eq!(b[0].command.as_deref(), Some("solve example.toml"));
    assert_eq!((b[0].info.as_str(), b[0].body.as_str()), ("text", "out\n"));
    assert_eq!((b[1].info.as_str(), b[1].line), ("toml fragment", 7));
    assert_eq!(b[1].command, None);
}

/// `1234567` as `1 234 567`, the way docs/format.md writes large numbers.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[test]
fn documented_limits_are_the_code_s() {
    let text = read("docs/format.md");
    let limits = section(&text, "## Limits").join("\n");
    for (what, shown) in [
        (
            "MAX_PERIODS",
            format!(
                "`periods` ≤ {}",
                grouped(allot::validate::MAX_PERIODS as u64)
            ),
        ),
        (
            "MAX_FILE_BYTES",
            format!("at most {} MiB", allot::load::MAX_FILE_BYTES >> 20),
        ),
        (
            "DEFAULT_MAX_SIZE",
            format!(
                "more than {} non-zero",
                grouped(allot::size::DEFAULT_MAX_SIZE)
            ),
        ),
        (
            "MAX_DIAGNOSTICS",
            format!("At most {} errors", allot::validate::MAX_DIAGNOSTICS),
        ),
    ] {
        assert!(
            limits.contains(&shown),
            "docs/format.md § Limits does not say `{shown}` ({what}):\n{limits}"
        );
    }
    assert_eq!(grouped(20_000_000), "20 000 000");
}
