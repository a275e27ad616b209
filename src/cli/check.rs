//! `allot check`'s arguments and printing; the checking itself is
//! [`crate::check`].

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::print_stdout;
use crate::check::{
    CheckOptions, FileReport, Outcome, SolveReport, Summary, bless_round, check_files, discover,
    json_report_with, label, significant,
};
use crate::error::{Error, Result};
use crate::lp::backend::SolverKind;

/// Options of `allot check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Problem files, or directories to search recursively for .toml and .json files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write the current results into each file's `[expect]` table instead of comparing.
    #[arg(long)]
    pub bless: bool,
    /// Treat solves without an expectation as failures.
    #[arg(long)]
    pub strict: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// LP backend.
    #[arg(long, default_value = "microlp", value_parser = super::solver_name)]
    pub solver: SolverKind,
    /// Solve on this many threads (default: the number of cores).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print the time of every solve to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Give up a solve that has run this many seconds (it counts as a
    /// solver error: exit status 3).
    #[arg(long, value_name = "SECONDS", value_parser = super::seconds)]
    pub time_limit: Option<std::time::Duration>,
    /// Check only the K-th of N equal, consecutive slices of the files found
    /// (in the order they are listed); the summary counts that slice.
    #[arg(long, value_name = "K/N", value_parser = super::shard)]
    pub shard: Option<crate::shard::Shard>,
}

/// Output formats of `allot check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CheckFormat {
    /// One line per problem and scenario, then a summary.
    #[default]
    Text,
    /// One JSON object with every result and the summary (for CI systems).
    Json,
}

/// `allot check`: prints the report (text lines as files finish, or one
/// JSON document at the end) and returns the exit status.
pub fn run(args: &CheckArgs) -> Result<i32> {
    let mut files = discover(&args.paths)?;
    if let Some(shard) = args.shard {
        files = files[shard.range(files.len())].to_vec();
    }
    let opts = CheckOptions {
        solver: args.solver,
        strict: args.strict,
        bless: args.bless,
        jobs: args.jobs.unwrap_or(0),
        time_limit: args.time_limit,
        wording: Some(super::message),
        before_solving: Some(|p, solver| {
            if let Some(note) = super::advice(p, solver) {
                eprintln!("note: {note}");
            }
        }),
    };
    let mut print_error: Option<Error> = None;
    let mut on_file = |f: &FileReport| {
        if let Some(e) = &f.error {
            super::term::eprint_error(e);
        }
        for s in &f.solves {
            if let Some(m) = &s.message {
                super::term::eprint_error(m);
            }
            if args.timings {
                eprintln!("{:>9.3}s  {}", s.seconds, label(f, s));
            }
        }
        if args.format == CheckFormat::Text
            && print_error.is_none()
            && let Err(e) = print_stdout(&text_lines(f, args.strict))
        {
            print_error = Some(e);
        }
    };
    let reports = check_files(&files, &opts, &mut on_file);
    if let Some(e) = print_error {
        return Err(e);
    }
    let mut summary = Summary::of(&reports, args.strict);
    summary.shard = args.shard.map(|k| k.to_string());
    match args.format {
        CheckFormat::Text => print_stdout(&summary_line(&summary))?,
        CheckFormat::Json => print_stdout(&json_report_with(&reports, &summary))?,
    }
    Ok(summary.exit)
}

/// A result as shown in `ok`, `unchecked` and `blessed` lines: as it would be blessed.
fn num(v: f64, tolerance: f64) -> String {
    format!("{}", bless_round(v, tolerance))
}

fn values(file: &FileReport, s: &SolveReport) -> String {
    let mut parts: Vec<String> = s
        .weighted_shortage
        .iter()
        .map(|(t, v)| format!("{t} {}", num(*v, file.tolerance)))
        .collect();
    if let Some(c) = s.cost {
        parts.push(format!("cost {}", num(c, file.tolerance)));
    }
    parts.join(", ")
}

/// The text lines of one file: one per solve (or one for a file that did
/// not load). With `--strict`, an unchecked solve is a failure and says so.
fn text_lines(file: &FileReport, strict: bool) -> String {
    let mut out = String::new();
    let tol = file.tolerance;
    if file.solves.is_empty() {
        let _ = writeln!(
            out,
            "{:<10} {}  does not load (see the error on stderr)",
            "ERROR",
            file.path.display()
        );
        return out;
    }
    for s in &file.solves {
        let what = label(file, s);
        let _ = match s.outcome {
            Outcome::Ok => writeln!(out, "{:<10} {what}  {}", "ok", values(file, s)),
            Outcome::Fail => {
                let diffs: Vec<String> = s
                    .comparisons
                    .iter()
                    .filter(|c| !c.ok)
                    .map(|c| {
                        format!(
                            "{}: expected {}, got {} (relative difference {:.2e} > tolerance {:e})",
                            c.field,
                            significant(c.expected),
                            significant(c.got),
                            c.relative_difference,
                            tol
                        )
                    })
                    .collect();
                writeln!(out, "{:<10} {what}  {}", "FAIL", diffs.join("; "))
            }
            Outcome::Unchecked => {
                let missing = match &s.scenario {
                    None if s.plan => "no [expect.plan] table".to_string(),
                    None => "no [expect] table".to_string(),
                    Some(n) => format!("no [expect.scenarios.{n}] table"),
                };
                if strict {
                    writeln!(out, "{:<10} {what}  {missing} (--strict)", "FAIL")
                } else {
                    writeln!(
                        out,
                        "{:<10} {what}  {missing}; got {}",
                        "unchecked",
                        values(file, s)
                    )
                }
            }
            Outcome::Blessed => {
                let changed: Vec<String> = s
                    .comparisons
                    .iter()
                    .filter(|c| !c.ok)
                    .map(|c| {
                        format!(
                            "{} {} → {}",
                            c.field,
                            significant(c.expected),
                            num(c.got, tol)
                        )
                    })
                    .collect();
                let note = if changed.is_empty() {
                    String::new()
                } else {
                    format!(" (changed: {})", changed.join(", "))
                };
                writeln!(out, "{:<10} {what}  {}{note}", "blessed", values(file, s))
            }
            Outcome::Error => {
                let why = if file.error.is_some() {
                    "could not be written (see the error on stderr)"
                } else {
                    "solve failed (see the error on stderr)"
                };
                writeln!(out, "{:<10} {what}  {why}", "ERROR")
            }
        };
    }
    out
}

/// The summary line.
fn summary_line(s: &Summary) -> String {
    let mut parts = vec![
        format!("{} ok", s.ok),
        format!("{} failed", s.failed),
        format!(
            "{} unchecked{}",
            s.unchecked,
            if s.strict {
                " (--strict: failures)"
            } else {
                ""
            }
        ),
    ];
    if s.blessed > 0 {
        parts.push(format!(
            "{} blessed ({} files rewritten)",
            s.blessed, s.rewritten
        ));
    }
    parts.push(format!("{} errors", s.errors));
    let verdict = match s.exit {
        0 => "passed",
        1 => "FAILED",
        _ => "ERROR",
    };
    let shard = s
        .shard
        .as_ref()
        .map(|k| format!(" (shard {k})"))
        .unwrap_or_default();
    format!(
        "check{shard} {verdict}: {} files, {} solves: {}\n",
        s.files,
        s.solves,
        parts.join(", ")
    )
}
