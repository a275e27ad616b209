//! Regression checks of problem files against their `[expect]` tables
//! (SPEC §7), and blessing ([`CheckOptions::bless`]), which writes the
//! current results into those tables. The `allot check` command runs them
//! and prints the report (`src/cli/check.rs`).
//!
//! ## What is checked
//!
//! Every problem file under the given paths (directories are searched
//! recursively for `.toml` and `.json` files, hidden entries skipped, in
//! sorted order) is loaded and solved: the base problem and every scenario.
//! For each solve the expected numbers of its expectation — the base `[expect]`
//! table or `[expect.scenarios.NAME]` — are compared with the results:
//! every tier's `weighted_shortage` and the total `cost` that the expectation
//! names. A number passes when `|got − expected| ≤ tolerance · max(1, |expected|)`
//! (`tolerance` from `[expect]`, default 1e-6). A solve without an expectation
//! is *unchecked*: listed, not a failure, unless [`CheckOptions::strict`].
//!
//! Exit status: 2 when a file does not load (or a blessed file cannot be
//! written), else 3 when a solve failed, else 1 when a check failed (or, when
//! strict, a solve is unchecked), else 0.
//!
//! ## Blessing
//!
//! Blessing writes the results of every solve into the file's expectations:
//! `weighted_shortage` for every tier, `cost`, and `[expect.scenarios.NAME]`
//! for every scenario. TOML files are edited in place with `toml_edit`, so
//! comments, key order and formatting of everything else survive (an existing
//! `tolerance`, the comments around `[expect]` and after its values are kept
//! too); JSON files get their top-level `"expect"` object replaced by a
//! pretty-printed one (the rest of the text is kept byte for byte). Files are
//! written atomically, and only when their text changes.
//!
//! Blessed values are rounded so that the files stay readable, in two rules
//! (with the file's `tolerance`, default 1e-6):
//!
//! - a value smaller in magnitude than the tolerance is written as 0: the
//!   check accepts anything that small against 0, and a weighted shortage or
//!   cost that small is solver noise, not a result;
//! - any other value is written as the decimal with the fewest significant
//!   digits within `tolerance/100 · max(1, |value|)` of it (at most about 8
//!   significant digits by default): 374.99999999 becomes 375, 780.000006
//!   becomes 780, 0.41666666667 becomes 0.41666667.
//!
//! The written value thus passes the check with nearly the whole tolerance to
//! spare (or, for the values written as 0, with what is left of it), and it
//! is the true optimum whenever the solver is that close to it. Bless, then
//! cross-check the files with an independent solver (see tools/reference).
//!
//! ## Parallelism
//!
//! The solves (every base problem and scenario of every file) are independent
//! and run on [`CheckOptions::jobs`] threads (default: the number of cores), largest
//! problems first. The output is printed in file order, each file as soon as
//! it and every file before it is done, so it is the same on every run.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::Serialize;

use crate::backend::SolverKind;
use crate::error::{Error, Result, VerifiedRun};
use crate::load::Format;
use crate::problem::{Expectation, Problem};
use crate::solution::{Solution, Status};
use crate::solve::{SolveOptions, SolveRequest};

pub use crate::problem::DEFAULT_TOLERANCE;

/// Significant digits of the numbers in a FAIL line.
pub const REPORT_DIGITS: usize = 9;

/// How to check.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// LP backend.
    pub solver: SolverKind,
    /// Unchecked solves fail.
    pub strict: bool,
    /// Write results into the files instead of comparing.
    pub bless: bool,
    /// Worker threads; 0 for the number of cores.
    pub jobs: usize,
    /// Wall-clock limit of each solve ([`SolveOptions::time_limit`]).
    pub time_limit: Option<std::time::Duration>,
    /// How a failed solve's error is worded in the report (default: its
    /// `Display`, whose hints name options; the command line's name flags).
    pub wording: Option<fn(&Error) -> String>,
    /// Called with every problem that loaded, and the backend, before the
    /// solves start.
    pub before_solving: Option<fn(&Problem, SolverKind)>,
}

impl CheckOptions {
    fn word(&self, e: &Error) -> String {
        self.wording.map_or_else(|| e.to_string(), |word| word(e))
    }
}

/// The verdict on one solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Every expected number matches.
    Ok,
    /// Some expected number differs by more than the tolerance.
    Fail,
    /// No expectation for this solve.
    Unchecked,
    /// The results were written into the file.
    Blessed,
    /// The file did not load, the solve failed, or the blessed file could not be written.
    Error,
}

/// One compared number.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// `weighted_shortage.TIER` or `cost`.
    pub field: String,
    /// From the file.
    pub expected: f64,
    /// From the solve.
    pub got: f64,
    /// `|got − expected| / max(1, |expected|)`.
    pub relative_difference: f64,
    /// `relative_difference ≤ tolerance`.
    pub ok: bool,
}

/// The result of one solve (base or scenario) of one file, or of its
/// stockpile plan (`allot plan`, checked against `[expect.plan]`).
#[derive(Debug, Clone, PartialEq)]
pub struct SolveReport {
    /// Scenario name; `None` for the base problem (and for the plan).
    pub scenario: Option<String>,
    /// This is the file's stockpile plan: `weighted_shortage` and `cost`
    /// are its expected figures (SPEC §12).
    pub plan: bool,
    /// The verdict.
    pub outcome: Outcome,
    /// Weighted shortage of every tier, in priority order (empty on error).
    pub weighted_shortage: Vec<(String, f64)>,
    /// Total cost (`None` on error).
    pub cost: Option<f64>,
    /// Every expected number, compared (in check and bless mode alike).
    pub comparisons: Vec<Comparison>,
    /// What went wrong, for [`Outcome::Error`].
    pub message: Option<String>,
    /// Exit status the error calls for (0 when there is none).
    pub error_code: i32,
    /// Wall time of the solve.
    pub seconds: f64,
}

/// The result of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    /// As found.
    pub path: PathBuf,
    /// Problem name, when the file loaded.
    pub problem: Option<String>,
    /// Relative tolerance in force.
    pub tolerance: f64,
    /// Why the file did not load or could not be blessed.
    pub error: Option<String>,
    /// Exit status of that error (0 when there is none).
    pub error_code: i32,
    /// Base problem first, then the scenarios in file order.
    pub solves: Vec<SolveReport>,
    /// Blessing rewrote the file (its text changed).
    pub rewritten: bool,
}

impl FileReport {
    fn load_error(path: PathBuf, e: &Error) -> FileReport {
        FileReport {
            path,
            problem: None,
            tolerance: DEFAULT_TOLERANCE,
            error: Some(e.to_string().trim_end().to_string()),
            error_code: e.exit_code(),
            solves: Vec::new(),
            rewritten: false,
        }
    }

    /// Exit status this file calls for (SPEC §6; see the module docs).
    pub fn exit_code(&self, strict: bool) -> i32 {
        let mut code = self.error_code;
        for s in &self.solves {
            code = worse(code, s.error_code);
            match s.outcome {
                Outcome::Fail => code = worse(code, 1),
                Outcome::Unchecked if strict => code = worse(code, 1),
                _ => {}
            }
        }
        code
    }
}

/// The more serious of two exit statuses: 2 (bad input) over 3 (solver) over 1 (check).
fn worse(a: i32, b: i32) -> i32 {
    let rank = |c: i32| match c {
        0 => 0,
        1 => 1,
        3 => 2,
        _ => 3,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Counts over a whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Problem files found.
    pub files: usize,
    /// Solves attempted.
    pub solves: usize,
    /// Solves whose expectations all matched.
    pub ok: usize,
    /// Solves with a differing number.
    pub failed: usize,
    /// Solves without an expectation.
    pub unchecked: usize,
    /// Solves whose results were written.
    pub blessed: usize,
    /// Files rewritten by blessing.
    pub rewritten: usize,
    /// Files that did not load or could not be written, and failed solves.
    pub errors: usize,
    /// Unchecked solves count as failures.
    pub strict: bool,
    /// The exit status.
    pub exit: i32,
    /// `K/N` when only that shard of the files was checked
    /// ([`crate::shard::Shard`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

impl Summary {
    /// Totals of `files`.
    pub fn of(files: &[FileReport], strict: bool) -> Summary {
        let mut s = Summary {
            files: files.len(),
            strict,
            ..Summary::default()
        };
        for f in files {
            if f.error.is_some() {
                s.errors += 1;
            }
            s.rewritten += usize::from(f.rewritten);
            s.exit = worse(s.exit, f.exit_code(strict));
            for r in &f.solves {
                s.solves += 1;
                match r.outcome {
                    Outcome::Ok => s.ok += 1,
                    Outcome::Fail => s.failed += 1,
                    Outcome::Unchecked => s.unchecked += 1,
                    Outcome::Blessed => s.blessed += 1,
                    Outcome::Error => s.errors += 1,
                }
            }
        }
        s
    }
}

/// Finds the problem files named by `paths`: a file is taken as it is; a
/// directory is searched recursively for `.toml` and `.json` files (entries
/// whose names start with `.` are skipped, symbolic links to directories are
/// not followed), in sorted order. Paths keep their order; a file found twice
/// is listed once. A path that does not exist, or a directory without problem
/// files, is a usage error.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let mut found = Vec::new();
        if meta.is_dir() {
            walk(path, &mut found)?;
            found.sort();
            if found.is_empty() {
                return Err(Error::usage(format!(
                    "{}: no problem files (.toml or .json) in this directory or below",
                    path.display()
                )));
            }
        } else {
            found.push(path.clone());
        }
        for f in found {
            if seen.insert(f.clone()) {
                out.push(f);
            }
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<std::io::Result<_>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(io)?;
        if kind.is_dir() {
            walk(&path, out)?;
        } else if Format::of_path(&path).is_some()
            && std::fs::metadata(&path).is_ok_and(|m| m.is_file())
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Rounds a result for writing into a file: 0 when `|v| < tolerance`, else
/// the decimal with the fewest significant digits within
/// `tolerance/100 · max(1, |v|)` of `v`. See the module docs.
pub fn bless_round(v: f64, tolerance: f64) -> f64 {
    if !v.is_finite() {
        return v;
    }
    if v.abs() < tolerance {
        return 0.0;
    }
    let band = tolerance / 100.0 * v.abs().max(1.0);
    for digits in 1..=17 {
        let r: f64 = format!("{v:.prec$e}", prec = digits - 1)
            .parse()
            .unwrap_or(v);
        if (r - v).abs() <= band {
            return r;
        }
    }
    v
}

/// `v` to [`REPORT_DIGITS`] significant digits, for messages.
pub fn significant(v: f64) -> f64 {
    if !v.is_finite() || v == 0.0 {
        return v;
    }
    format!("{v:.prec$e}", prec = REPORT_DIGITS - 1)
        .parse()
        .unwrap_or(v)
}

/// Compares `solution` with `expect`: every number the expectation names.
pub fn compare(expect: &Expectation, solution: &Solution, tolerance: f64) -> Vec<Comparison> {
    let tiers: Vec<(String, f64)> = solution
        .tiers
        .iter()
        .map(|t| (t.tier.clone(), t.weighted_shortage))
        .collect();
    compare_values(expect, &tiers, solution.cost.total, tolerance)
}

/// Compares the weighted shortages `tiers` (in priority order) and `cost`
/// with `expect`: every number the expectation names.
pub fn compare_values(
    expect: &Expectation,
    tiers: &[(String, f64)],
    cost: f64,
    tolerance: f64,
) -> Vec<Comparison> {
    let mut out = Vec::new();
    let mut push = |field: String, expected: f64, got: f64| {
        let relative_difference = (got - expected).abs() / expected.abs().max(1.0);
        out.push(Comparison {
            field,
            expected,
            got,
            relative_difference,
            ok: relative_difference <= tolerance,
        });
    };
    // Tiers in priority order (validation guarantees every name is a tier).
    for (tier, got) in tiers {
        if let Some(&e) = expect.weighted_shortage.get(tier) {
            push(format!("weighted_shortage.{tier}"), e, *got);
        }
    }
    if let Some(e) = expect.cost {
        push("cost".into(), e, cost);
    }
    out
}

/// Whether `allot check` plans `p` too: it has `[expect.plan]` or
/// `[[stockpile]]` tables (then a missing `[expect.plan]` is unchecked).
fn plans(p: &Problem) -> bool {
    !p.stockpiles.is_empty() || p.expect.as_ref().is_some_and(|e| e.plan.is_some())
}

/// A problem file that loaded, with its text (for blessing).
struct Loaded {
    text: String,
    format: Format,
    problem: Problem,
}

fn load_file(path: &Path) -> Result<Loaded> {
    let text = crate::load::read_text(path)?;
    let format = Format::of(path, &text);
    let problem = crate::load::parse_str(&text, path, format)?;
    Ok(Loaded {
        text,
        format,
        problem,
    })
}

/// What one job gives: a solve's result, or the file's stockpile plan.
#[derive(Debug)]
enum Run {
    Solve(Box<Solution>),
    Plan(Box<crate::plan::Plan>),
}

/// One finished solve, as the workers send it: file, solve, result, seconds.
type Done = (usize, usize, Result<Run>, f64);

/// A solve's result and wall time, once it is done.
type Slot = Option<(Result<Run>, f64)>;

/// Checks (or blesses) every file in `files`, in parallel; calls `on_file`
/// with each file's report in file order, as soon as it and every earlier
/// file are done, and returns all reports.
pub fn check_files(
    files: &[PathBuf],
    opts: &CheckOptions,
    on_file: &mut dyn FnMut(&FileReport),
) -> Vec<FileReport> {
    let loaded: Vec<Result<Loaded>> = files.iter().map(|p| load_file(p)).collect();
    // Before any long solve starts (the command line advises a faster
    // backend there, as `allot solve` does).
    if let Some(before) = opts.before_solving {
        for l in loaded.iter().flatten() {
            before(&l.problem, opts.solver);
        }
    }
    // One job per (file, solve); solve 0 is the base problem.
    let mut jobs: Vec<(usize, usize, usize)> = Vec::new();
    let mut pending: Vec<usize> = vec![0; files.len()];
    for (i, l) in loaded.iter().enumerate() {
        if let Ok(l) = l {
            let size = crate::model::build(&l.problem).lp.nonzeros();
            // The solves, then (job n) the plan.
            let n = 1 + l.problem.scenarios.len() + usize::from(plans(&l.problem));
            pending[i] = n;
            jobs.extend((0..n).map(|r| (size, i, r)));
        }
    }
    // Largest first shortens the wall time; the output order is fixed anyway.
    jobs.sort_by(|a, b| b.0.cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut results: Vec<Vec<Slot>> = pending
        .iter()
        .map(|&n| (0..n).map(|_| None).collect())
        .collect();
    let workers = match opts.jobs {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .min(jobs.len())
    .max(1);
    // Files are solved in parallel: one solve's threads would compete.
    let mut solve_opts = SolveOptions::new(opts.solver);
    solve_opts.time_limit = opts.time_limit;
    let mut reports = Vec::with_capacity(files.len());
    let next_job = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<Done>();
        for _ in 0..workers {
            let tx = tx.clone();
            let (jobs, loaded, next_job, solve_opts) = (&jobs, &loaded, &next_job, &solve_opts);
            scope.spawn(move || {
                loop {
                    let j = next_job.fetch_add(1, Ordering::Relaxed);
                    let Some(&(_, i, r)) = jobs.get(j) else { break };
                    let Ok(l) = &loaded[i] else { continue };
                    let start = Instant::now();
                    let result = if r > l.problem.scenarios.len() {
                        let opts = crate::plan::PlanOptions {
                            solver: solve_opts.solver,
                            progress: None,
                            time_limit: solve_opts.time_limit,
                            max_size: crate::size::DEFAULT_MAX_SIZE,
                        };
                        crate::plan::plan(&l.problem, &opts).map(|p| Run::Plan(Box::new(p)))
                    } else {
                        let scenario = r
                            .checked_sub(1)
                            .map(|s| l.problem.scenarios[s].name.as_str());
                        SolveRequest::new(&l.problem)
                            .solves([scenario])
                            .options(*solve_opts)
                            .run()
                            .map(|solved| Run::Solve(Box::new(solved.solution)))
                    };
                    let seconds = start.elapsed().as_secs_f64();
                    if tx.send((i, r, result, seconds)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut finish_ready =
            |results: &mut Vec<Vec<Slot>>, pending: &[usize], reports: &mut Vec<FileReport>| {
                while reports.len() < files.len() && pending[reports.len()] == 0 {
                    let i = reports.len();
                    let done = std::mem::take(&mut results[i]);
                    let report = match &loaded[i] {
                        Err(e) => FileReport::load_error(files[i].clone(), e),
                        Ok(l) => finish_file(&files[i], l, done, opts),
                    };
                    on_file(&report);
                    reports.push(report);
                }
            };
        finish_ready(&mut results, &pending, &mut reports);
        for (i, r, result, seconds) in rx {
            results[i][r] = Some((result, seconds));
            pending[i] -= 1;
            finish_ready(&mut results, &pending, &mut reports);
        }
    });
    reports
}

/// Compares (or blesses) one file whose solves are all done.
fn finish_file(path: &Path, l: &Loaded, done: Vec<Slot>, opts: &CheckOptions) -> FileReport {
    let p = &l.problem;
    let tolerance = p.expect.as_ref().map_or(DEFAULT_TOLERANCE, |e| e.tolerance);
    let mut solves = Vec::new();
    let mut solutions: Vec<(Option<&str>, Solution)> = Vec::new();
    let mut planned: Option<crate::plan::Plan> = None;
    for (r, d) in done.into_iter().enumerate() {
        let is_plan = r > p.scenarios.len();
        let scenario = r
            .checked_sub(1)
            .filter(|_| !is_plan)
            .map(|s| p.scenarios[s].name.clone());
        let expectation = p.expect.as_ref().and_then(|e| match &scenario {
            _ if is_plan => e.plan.as_ref(),
            None => Some(&e.base),
            Some(name) => e.scenarios.get(name),
        });
        let expectation =
            expectation.filter(|e| !e.weighted_shortage.is_empty() || e.cost.is_some());
        let (result, seconds) = d.unwrap_or_else(|| {
            (
                Err(Error::usage(
                    "internal error: the solve did not report back",
                )),
                0.0,
            )
        });
        let mut report = SolveReport {
            scenario: scenario.clone(),
            plan: is_plan,
            outcome: Outcome::Error,
            weighted_shortage: Vec::new(),
            cost: None,
            comparisons: Vec::new(),
            message: None,
            error_code: 0,
            seconds,
        };
        match result {
            Err(e) => {
                report.message = Some(opts.word(&e).trim_end().to_string());
                report.error_code = e.exit_code();
            }
            Ok(Run::Plan(plan)) => {
                if plan.status != Status::Optimal {
                    let failed = plan.cases.iter().find(|c| !c.solution.verification.ok);
                    let v = failed.map(|c| &c.solution.verification);
                    let e = Error::Verification {
                        problem: plan.problem.clone(),
                        run: VerifiedRun::Plan {
                            case: failed.and_then(|c| c.solution.scenario.clone()),
                        },
                        detail: v.map_or_else(String::new, |v| v.worst.clone()),
                        violation: v.map_or(0.0, |v| v.max_violation),
                        tolerance: crate::verify::TOLERANCE,
                    };
                    report.message = Some(opts.word(&e));
                    report.error_code = e.exit_code();
                } else {
                    report.weighted_shortage = plan
                        .expected
                        .tiers
                        .iter()
                        .map(|t| (t.tier.clone(), t.weighted_shortage))
                        .collect();
                    report.cost = Some(plan.expected.cost);
                    if let Some(e) = expectation {
                        report.comparisons = compare_values(
                            e,
                            &report.weighted_shortage,
                            plan.expected.cost,
                            tolerance,
                        );
                    }
                    report.outcome = verdict(opts, expectation.is_some(), &report.comparisons);
                    planned = Some(*plan);
                }
            }
            Ok(Run::Solve(s)) if s.status != Status::Optimal => {
                let e = Error::Verification {
                    problem: s.problem.clone(),
                    run: VerifiedRun::Solve {
                        scenario: s.scenario.clone(),
                    },
                    detail: s.verification.worst.clone(),
                    violation: s.verification.max_violation,
                    tolerance: crate::verify::TOLERANCE,
                };
                report.message = Some(opts.word(&e));
                report.error_code = e.exit_code();
            }
            Ok(Run::Solve(s)) => {
                report.weighted_shortage = s
                    .tiers
                    .iter()
                    .map(|t| (t.tier.clone(), t.weighted_shortage))
                    .collect();
                report.cost = Some(s.cost.total);
                if let Some(e) = expectation {
                    report.comparisons = compare(e, &s, tolerance);
                }
                report.outcome = verdict(opts, expectation.is_some(), &report.comparisons);
                let name = r.checked_sub(1).map(|i| p.scenarios[i].name.as_str());
                solutions.push((name, *s));
            }
        }
        solves.push(report);
    }
    let mut report = FileReport {
        path: path.to_path_buf(),
        problem: Some(p.name.clone()),
        tolerance,
        error: None,
        error_code: 0,
        solves,
        rewritten: false,
    };
    if opts.bless && report.solves.iter().all(|s| s.outcome == Outcome::Blessed) {
        let runs: Vec<(Option<&str>, &Solution)> = solutions.iter().map(|(n, s)| (*n, s)).collect();
        let blessed = match l.format {
            Format::Toml => bless_toml(&l.text, path, p, &runs, planned.as_ref(), tolerance),
            Format::Json => bless_json(&l.text, path, p, &runs, planned.as_ref(), tolerance),
        };
        let written = blessed.and_then(|text| {
            if text == l.text {
                Ok(false)
            } else {
                crate::output::write_atomic(path, &text).map(|()| true)
            }
        });
        match written {
            Ok(changed) => report.rewritten = changed,
            Err(e) => {
                report.error = Some(e.to_string().trim_end().to_string());
                report.error_code = e.exit_code();
                for s in &mut report.solves {
                    s.outcome = Outcome::Error;
                }
            }
        }
    }
    report
}

/// The verdict on a solve or plan whose numbers are `comparisons`.
fn verdict(opts: &CheckOptions, expected: bool, comparisons: &[Comparison]) -> Outcome {
    if opts.bless {
        Outcome::Blessed
    } else if !expected {
        Outcome::Unchecked
    } else if comparisons.iter().all(|c| c.ok) {
        Outcome::Ok
    } else {
        Outcome::Fail
    }
}

/// The numbers blessed for a plan: every tier's expected weighted
/// shortage, then the expected cost, rounded by [`bless_round`].
fn blessed_plan(plan: &crate::plan::Plan, tolerance: f64) -> (Vec<(String, f64)>, f64) {
    let ws = plan
        .expected
        .tiers
        .iter()
        .map(|t| (t.tier.clone(), bless_round(t.weighted_shortage, tolerance)))
        .collect();
    (ws, bless_round(plan.expected.cost, tolerance))
}

/// The numbers blessed for one solve: every tier's weighted shortage, then
/// the cost, rounded by [`bless_round`].
fn blessed_numbers(p: &Problem, s: &Solution, tolerance: f64) -> (Vec<(String, f64)>, f64) {
    let ws = p
        .tiers
        .iter()
        .map(|t| {
            let v = s.tier(t).map_or(0.0, |r| r.weighted_shortage);
            (t.clone(), bless_round(v, tolerance))
        })
        .collect();
    (ws, bless_round(s.cost.total, tolerance))
}

fn bless_error(path: &Path, message: String) -> Error {
    Error::Invalid {
        diagnostics: vec![
            crate::diagnostic::Diagnostic::at(path, "", None, "expect", message)
                .with_help("fix the file by hand, or delete its [expect] table and bless again"),
        ],
    }
}

/// `text` (a TOML problem file) with its `[expect]` table holding the results
/// in `runs` (base first, then scenarios); everything else is kept as written.
pub fn bless_toml(
    text: &str,
    path: &Path,
    p: &Problem,
    runs: &[(Option<&str>, &Solution)],
    plan: Option<&crate::plan::Plan>,
    tolerance: f64,
) -> Result<String> {
    use toml_edit::{DocumentMut, Item, Table};
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| bless_error(path, e.to_string()))?;
    let exists = doc.get("expect").is_some_and(|i| i.is_table_like());
    if exists {
        if let Some(item) = doc.get_mut("expect") {
            to_table(item);
        }
    } else {
        // A new [expect] goes at the end of the file, after any comments
        // that end it (they are the document's trailing text).
        let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
        doc.set_trailing("");
        let mut table = Table::new();
        if !trailing.is_empty() {
            table.decor_mut().set_prefix(trailing);
        }
        let root = doc.as_table_mut();
        root.remove("expect");
        root.insert("expect", Item::Table(table));
    }
    // The solves (base first), then `[expect.plan]`.
    let mut targets: Vec<BlessTarget> = runs
        .iter()
        .map(|(scenario, s)| {
            let (ws, cost) = blessed_numbers(p, s, tolerance);
            (*scenario, false, ws, cost)
        })
        .collect();
    if let Some(plan) = plan {
        let (ws, cost) = blessed_plan(plan, tolerance);
        targets.push((None, true, ws, cost));
    }
    for (scenario, is_plan, ws, cost) in targets {
        let expect = doc["expect"]
            .as_table_like_mut()
            .ok_or_else(|| bless_error(path, "[expect] is not a table".into()))?;
        let target: &mut dyn toml_edit::TableLike = match scenario {
            _ if is_plan => {
                let one = expect
                    .entry("plan")
                    .or_insert_with(|| Item::Table(Table::new()));
                to_table(one);
                one.as_table_like_mut()
                    .ok_or_else(|| bless_error(path, "[expect.plan] is not a table".into()))?
            }
            None => expect,
            Some(name) => {
                let scenarios = expect.entry("scenarios").or_insert_with(|| {
                    let mut t = Table::new();
                    t.set_implicit(true);
                    Item::Table(t)
                });
                to_table(scenarios);
                let scenarios = scenarios
                    .as_table_like_mut()
                    .ok_or_else(|| bless_error(path, "[expect.scenarios] is not a table".into()))?;
                let one = scenarios
                    .entry(name)
                    .or_insert_with(|| Item::Table(Table::new()));
                to_table(one);
                one.as_table_like_mut().ok_or_else(|| {
                    bless_error(path, format!("[expect.scenarios.{name}] is not a table"))
                })?
            }
        };
        let shortages = target
            .entry("weighted_shortage")
            .or_insert_with(|| toml_edit::value(toml_edit::InlineTable::new()));
        let table = shortages
            .as_table_like_mut()
            .ok_or_else(|| bless_error(path, "`weighted_shortage` is not a table".into()))?;
        let mut added = false;
        for (tier, v) in &ws {
            added |= set_number(table, tier, *v);
        }
        // New keys in an inline table: respace it as `{ a = 1.0, b = 2.0 }`.
        if added && let Some(inline) = shortages.as_inline_table_mut() {
            inline.fmt();
        }
        set_number(target, "cost", cost);
    }
    Ok(doc.to_string())
}

/// Where blessed numbers go: a scenario (`None`: the base), whether it is
/// `[expect.plan]`, the weighted shortages and the cost.
type BlessTarget<'a> = (Option<&'a str>, bool, Vec<(String, f64)>, f64);

/// Makes an inline table `item` a standard table (so sub-tables can be added).
fn to_table(item: &mut toml_edit::Item) {
    if let toml_edit::Item::Value(toml_edit::Value::InlineTable(t)) = item {
        let t = std::mem::take(t);
        *item = toml_edit::Item::Table(t.into_table());
    }
}

/// Sets `key = v` in `table`, keeping the comments and spacing around an
/// existing value; returns whether the key is new.
fn set_number(table: &mut dyn toml_edit::TableLike, key: &str, v: f64) -> bool {
    match table.get_mut(key).and_then(|i| i.as_value_mut()) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = toml_edit::Value::from(v);
            *old.decor_mut() = decor;
            false
        }
        None => {
            table.insert(key, toml_edit::value(v));
            true
        }
    }
}

/// A small JSON tree with ordered keys, for writing the `expect` object.
enum J {
    Num(f64),
    Obj(Vec<(String, J)>),
}

impl J {
    fn write(&self, out: &mut String, indent: &str, unit: &str) {
        match self {
            J::Num(v) => out.push_str(&serde_json::to_string(v).unwrap_or_else(|_| "0".into())),
            J::Obj(entries) if entries.is_empty() => out.push_str("{}"),
            J::Obj(entries) => {
                let inner = format!("{indent}{unit}");
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&inner);
                    out.push_str(&serde_json::to_string(k).unwrap_or_default());
                    out.push_str(": ");
                    v.write(out, &inner, unit);
                }
                out.push('\n');
                out.push_str(indent);
                out.push('}');
            }
        }
    }
}

/// `text` (a JSON problem file) with its top-level `"expect"` object replaced
/// by the results in `runs` (pretty-printed, an existing `tolerance` kept);
/// the rest of the text is unchanged.
pub fn bless_json(
    text: &str,
    path: &Path,
    p: &Problem,
    runs: &[(Option<&str>, &Solution)],
    plan: Option<&crate::plan::Plan>,
    tolerance: f64,
) -> Result<String> {
    let raw = crate::load::parse_raw(text, path, Format::Json)?;
    let numbers = |(ws, cost): (Vec<(String, f64)>, f64)| {
        vec![
            (
                "weighted_shortage".to_string(),
                J::Obj(ws.into_iter().map(|(k, v)| (k, J::Num(v))).collect()),
            ),
            ("cost".to_string(), J::Num(cost)),
        ]
    };
    let mut entries = Vec::new();
    let mut scenarios = Vec::new();
    for (scenario, s) in runs {
        let n = numbers(blessed_numbers(p, s, tolerance));
        match scenario {
            None => entries = n,
            Some(name) => scenarios.push((name.to_string(), J::Obj(n))),
        }
    }
    if let Some(t) = raw
        .expect
        .as_ref()
        .and_then(|e| e.get_ref().tolerance.as_ref())
    {
        entries.push(("tolerance".into(), J::Num(*t.get_ref())));
    }
    if !scenarios.is_empty() {
        entries.push(("scenarios".into(), J::Obj(scenarios)));
    }
    if let Some(plan) = plan {
        entries.push((
            "plan".into(),
            J::Obj(numbers(blessed_plan(plan, tolerance))),
        ));
    }
    let object = J::Obj(entries);
    // The indentation unit: that of the first indented line, else two spaces.
    let unit: String = text
        .lines()
        .skip(1)
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .find(|ws| !ws.is_empty())
        .unwrap_or("  ")
        .to_string();
    let mut out = String::with_capacity(text.len() + 512);
    match &raw.expect {
        Some(e) => {
            let span = e.span();
            let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let line = &text[line_start..span.start];
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&text[..span.start]);
            object.write(&mut out, indent, &unit);
            out.push_str(&text[span.end..]);
        }
        None => {
            let end = text.trim_end().len();
            let close = text[..end]
                .rfind('}')
                .filter(|&c| c + 1 == end)
                .ok_or_else(|| bless_error(path, "the file does not end with `}`".into()))?;
            let body = text[..close].trim_end();
            out.push_str(body);
            if !body.ends_with('{') {
                out.push(',');
            }
            out.push('\n');
            out.push_str(&unit);
            out.push_str("\"expect\": ");
            object.write(&mut out, &unit, &unit);
            out.push('\n');
            out.push_str(&text[close..]);
        }
    }
    Ok(out)
}

/// How a solve is named in the report: the file, and `[scenario]` for a
/// scenario (`[plan]` for the stockpile plan).
pub fn label(file: &FileReport, s: &SolveReport) -> String {
    if s.plan {
        return format!("{} [plan]", file.path.display());
    }
    match &s.scenario {
        None => file.path.display().to_string(),
        Some(name) => format!("{} [{name}]", file.path.display()),
    }
}

#[derive(Serialize)]
struct JsonRow<'a> {
    file: String,
    problem: Option<&'a str>,
    scenario: Option<&'a str>,
    plan: bool,
    status: Outcome,
    tolerance: f64,
    weighted_shortage: Option<TierMap<'a>>,
    cost: Option<f64>,
    checks: &'a [Comparison],
    message: Option<&'a str>,
}

struct TierMap<'a>(&'a [(String, f64)]);

impl Serialize for TierMap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    results: Vec<JsonRow<'a>>,
    summary: Summary,
}

/// The JSON report: `results` (one row per solve, or per file that did not
/// load) and `summary`.
pub fn json_report(files: &[FileReport], strict: bool) -> String {
    json_report_with(files, &Summary::of(files, strict))
}

/// [`json_report`] with the summary given (a shard's).
pub fn json_report_with(files: &[FileReport], summary: &Summary) -> String {
    let summary = summary.clone();
    let mut results = Vec::new();
    for f in files {
        if f.solves.is_empty() {
            results.push(JsonRow {
                file: f.path.display().to_string(),
                problem: f.problem.as_deref(),
                scenario: None,
                plan: false,
                status: Outcome::Error,
                tolerance: f.tolerance,
                weighted_shortage: None,
                cost: None,
                checks: &[],
                message: f.error.as_deref(),
            });
        }
        for s in &f.solves {
            results.push(JsonRow {
                file: f.path.display().to_string(),
                problem: f.problem.as_deref(),
                scenario: s.scenario.as_deref(),
                plan: s.plan,
                status: s.outcome,
                tolerance: f.tolerance,
                weighted_shortage: (!s.weighted_shortage.is_empty())
                    .then_some(TierMap(&s.weighted_shortage)),
                cost: s.cost,
                checks: &s.comparisons,
                message: s.message.as_deref().or(f.error.as_deref()),
            });
        }
    }
    let report = JsonReport { results, summary };
    let mut text =
        serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_the_shortest_decimal_within_a_hundredth_of_the_tolerance() {
        // Default tolerance 1e-6: within 1e-8 · max(1, |v|).
        assert_eq!(bless_round(374.99999999311, 1e-6), 375.0);
        assert_eq!(bless_round(780.000006154668, 1e-6), 780.0);
        assert_eq!(bless_round(21.99999989, 1e-6), 22.0);
        assert_eq!(bless_round(0.41666666666666663, 1e-6), 0.41666667);
        assert_eq!(bless_round(2612220.1499970458, 1e-6), 2612220.15);
        assert_eq!(bless_round(5451001.99999, 1e-6), 5451002.0);
        assert_eq!(bless_round(5830.26057, 1e-6), 5830.2606);
        // Below the tolerance: solver noise, written as 0.
        assert_eq!(bless_round(3e-8, 1e-6), 0.0);
        assert_eq!(bless_round(-2e-12, 1e-6), 0.0);
        assert_eq!(bless_round(9.39e-7, 1e-6), 0.0);
        assert_eq!(bless_round(1.75386e-6, 1e-6), 1.75e-6);
        // A tighter tolerance keeps more digits; 0 keeps them all.
        assert_eq!(bless_round(0.41666666666666663, 1e-10), 0.416666666667);
        assert_eq!(bless_round(0.41666666666666663, 0.0), 0.41666666666666663);
        // Every value at least the tolerance stays within a hundredth of it.
        for v in [1e-3, 0.123456789, 7.0 / 3.0, 1e7 / 7.0, 123456.789e3] {
            for tol in [1e-4, 1e-6, 1e-9] {
                let r = bless_round(v, tol);
                assert!(
                    (r - v).abs() <= tol / 100.0 * v.abs().max(1.0),
                    "{v} {tol} {r}"
                );
            }
        }
    }

    #[test]
    fn worse_prefers_bad_input_then_solver_then_check() {
        assert_eq!(worse(0, 1), 1);
        assert_eq!(worse(1, 3), 3);
        assert_eq!(worse(3, 2), 2);
        assert_eq!(worse(2, 1), 2);
        assert_eq!(worse(2, 3), 2);
    }
}
