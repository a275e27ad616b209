//! The command line: argument parsing (clap) and the commands, returning
//! the exit status (SPEC §6: 0 solved, 1 a check failed, 2 bad input or
//! usage, 3 solver failure). Results go to stdout, diagnostics to stderr.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod check;
pub mod term;

use crate::backend::SolverKind;
use crate::error::{Error, Hint, Result, SizeRemedy, VerifiedRun, Wording};
use crate::report::{CsvTable, OutputFormat};
use crate::solution::Solution;
use crate::solve::SolveRequest;

/// Emergency allocation of critical items among allies.
#[derive(Debug, Parser)]
#[command(
    name = "allot",
    version,
    about,
    long_about = None,
    after_help = "Examples:
  allot solve problems/chips-hand-check.toml
  allot check problems/
  allot validate problems/*.toml

Results go to stdout, messages to stderr. Exit status: 0 solved (or every
check passed), 1 a regression check failed, 2 bad input or usage, 3 the
solver failed or hit a limit. The problem file format: docs/format.md."
)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// allot's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Solve a problem file and report the plan.
    #[command(after_help = "Examples:
  allot solve problems/chips-hand-check.toml
  allot solve problems/chips-taiwan-blockade.toml --all-scenarios --format json -o plan.json
  allot solve problems/chips-taiwan-blockade.toml --scenario strait-blockade --format csv --csv-table fill")]
    Solve(SolveArgs),
    /// Check problem files and report every error found.
    #[command(after_help = "Example:\n  allot validate problems/*.toml")]
    Validate(ValidateArgs),
    /// Solve problem files with their scenarios and compare with their `[expect]` tables.
    #[command(after_help = "Examples:
  allot check problems/
  allot check problems/ --format json --strict
  allot check --bless problems/chips-hand-check.toml

Exit status: 0 all passed, 1 a result differs (or, with --strict, has no
expectation), 2 a file does not load, 3 a solve failed.")]
    Check(check::CheckArgs),
    /// Decide where to pre-position the `[[stockpile]]` units before a disruption is known.
    #[command(after_help = "Examples:
  allot plan problems/medical-pandemic-stockpile.toml
  allot plan problems/medical-pandemic-stockpile.toml --format json -o plan.json
  allot plan problems/medical-pandemic-stockpile.toml --write placed.toml

With --write, `allot solve placed.toml --all-scenarios` then shows each case
with the placement in stock. One LP over the base problem and every scenario (SPEC §12): tier by tier the
expected weighted shortage, then the placement's and the expected cost. Only
the expected figures are unique; the placement and the per-case figures are
one optimal plan's. Exit status: 0 planned, 2 bad input or usage, 3 the
solver failed or hit a limit.")]
    Plan(PlanArgs),
    /// Render a stored JSON result (`allot solve --format json`) as an HTML report.
    #[command(after_help = "Examples:
  allot solve problems/chips-taiwan-blockade.toml --all-scenarios --format json -o plan.json
  allot report plan.json -o report.html

The page is self-contained (inline CSS and SVG, no scripts, nothing
fetched); `allot solve FILE --format html` makes the same page directly.")]
    Report(ReportArgs),
}

/// Output formats of `allot plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PlanFormat {
    /// Aligned text tables for people.
    #[default]
    Table,
    /// SPEC §12 JSON.
    Json,
}

/// Options of `allot plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The problem file (.toml or .json).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
    /// Write the result to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the placed problem to PLACED (in the input's syntax): the
    /// placement added to the supply stock, the `[[stockpile]]` and `[expect]`
    /// tables removed; `allot solve PLACED --all-scenarios` shows each case.
    #[arg(long, value_name = "PLACED")]
    pub write: Option<PathBuf>,
    /// LP backend.
    #[arg(long, default_value = "microlp", value_parser = solver_name)]
    pub solver: SolverKind,
    /// Print the planning LP's size and stage timings to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Refuse problems (and planning LPs) with more than N non-zeros, or
    /// that would take more than N 8-byte words of memory once expanded.
    #[arg(long, value_name = "N", default_value_t = crate::size::DEFAULT_MAX_SIZE, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_size: u64,
    /// Give up after this many seconds of solving: exit status 3, naming
    /// the stage reached.
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub time_limit: Option<Duration>,
}

/// Options of `allot report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The JSON result (one object or an array, as `allot solve --format json` writes it); `-` reads stdin.
    pub file: PathBuf,
    /// Write the page to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Options of `allot solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The problem file (.toml or .json).
    pub file: PathBuf,
    /// Solve this scenario (repeatable; the base problem is solved when none is given).
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
    /// Solve the base problem and every scenario (in parallel), reported in file order.
    #[arg(long, conflicts_with = "scenarios")]
    pub all_scenarios: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Which table `--format csv` prints.
    #[arg(long, value_enum, default_value_t = CsvTableArg::Shipments)]
    pub csv_table: CsvTableArg,
    /// Write the result to FILE (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// LP backend.
    #[arg(long, default_value = "microlp", value_parser = solver_name)]
    pub solver: SolverKind,
    /// Print stage timings and LP counts to stderr.
    #[arg(long)]
    pub timings: bool,
    /// With `--solver highs`: let each new objective's dual simplex solve
    /// price on several threads (20–28 % faster on large problems, the whole
    /// solve about 10 %; much slower when other programs keep the cores busy).
    #[arg(long)]
    pub parallel_simplex: bool,
    /// Refuse problems whose LP would have more than N non-zeros, or that
    /// would take more than N 8-byte words of memory once expanded.
    #[arg(long, value_name = "N", default_value_t = crate::size::DEFAULT_MAX_SIZE, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_size: u64,
    /// Give up a solve (the base problem or one scenario) that has run this
    /// many seconds: exit status 3, naming the stage it reached.
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub time_limit: Option<Duration>,
    /// Also solve the baselines and report what sharing and fairness are
    /// worth: `alone` (every lane closed: per tier and per ally, and who is
    /// worse off), `none` (the cost with fairness "none": the price of
    /// fairness), or `alone,none`.
    #[arg(long, value_name = "alone[,none]", value_parser = compare_names)]
    pub compare: Option<crate::share::CompareWith>,
    /// For every ally and item, re-solve with more units of free stock there
    /// and report the gain per tier and the cost change.
    #[arg(long)]
    pub marginal: bool,
    /// How many more units `--marginal` adds (a number > 0).
    #[arg(long, value_name = "N", requires = "marginal", allow_negative_numbers = true, value_parser = units)]
    pub units: Option<f64>,
    /// Solve only the K-th of N equal, consecutive slices of the solves
    /// (base, then scenarios in file order) and print that slice of the
    /// output: the N outputs concatenated in order are the whole output.
    #[arg(long, value_name = "K/N", value_parser = shard)]
    pub shard: Option<crate::shard::Shard>,
}

/// Parses `--shard K/N` (shared by the commands).
pub(crate) fn shard(s: &str) -> std::result::Result<crate::shard::Shard, String> {
    s.parse().map_err(|e: crate::shard::ParseShardError| {
        format!(
            "`{}` {}; --shard takes K/N with 1 ≤ K ≤ N, e.g. `--shard 2/8` for the second of 8 shards",
            e.given, e.why
        )
    })
}

/// Parses `--compare`'s names.
fn compare_names(s: &str) -> std::result::Result<crate::share::CompareWith, String> {
    crate::share::CompareWith::parse(s)
}

/// Parses `--units`: a finite number above 0.
fn units(s: &str) -> std::result::Result<f64, String> {
    let value: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number; give the units to add, e.g. `--units 10`"))?;
    if !value.is_finite() || value <= 0.0 {
        return Err(format!(
            "the units to add must be a finite number above 0, got `{s}`; e.g. `--units 10`"
        ));
    }
    Ok(value)
}

/// `--format`: [`OutputFormat`] as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum FormatArg {
    /// Aligned text tables for people.
    #[default]
    Table,
    /// SPEC §6 JSON: one object, or an array when several are solved.
    Json,
    /// Comma-separated values, one table (see `--csv-table`).
    Csv,
    /// A self-contained HTML page with charts, rendered from the JSON result.
    Html,
}

impl From<FormatArg> for OutputFormat {
    fn from(f: FormatArg) -> OutputFormat {
        match f {
            FormatArg::Table => OutputFormat::Table,
            FormatArg::Json => OutputFormat::Json,
            FormatArg::Csv => OutputFormat::Csv,
            FormatArg::Html => OutputFormat::Html,
        }
    }
}

/// `--csv-table`: [`CsvTable`] as the command line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CsvTableArg {
    /// One row per positive dispatch.
    #[default]
    Shipments,
    /// One row per (ally, item, tier) with demand.
    Fill,
    /// One row per tier.
    Tiers,
    /// One row per positive production.
    Production,
    /// One row per solve with the cost breakdown.
    Cost,
    /// `--compare`: one row per tier, per (ally, tier) and per cost
    /// compared.
    Compare,
    /// `--marginal`: one row per (ally, item, tier).
    Marginal,
}

impl From<CsvTableArg> for CsvTable {
    fn from(t: CsvTableArg) -> CsvTable {
        match t {
            CsvTableArg::Shipments => CsvTable::Shipments,
            CsvTableArg::Fill => CsvTable::Fill,
            CsvTableArg::Tiers => CsvTable::Tiers,
            CsvTableArg::Production => CsvTable::Production,
            CsvTableArg::Cost => CsvTable::Cost,
            CsvTableArg::Compare => CsvTable::Compare,
            CsvTableArg::Marginal => CsvTable::Marginal,
        }
    }
}

// The reverse mappings are exhaustive, so that a table or format added to
// the library does not compile until the command line names it too.
impl From<CsvTable> for CsvTableArg {
    fn from(t: CsvTable) -> CsvTableArg {
        match t {
            CsvTable::Shipments => CsvTableArg::Shipments,
            CsvTable::Fill => CsvTableArg::Fill,
            CsvTable::Tiers => CsvTableArg::Tiers,
            CsvTable::Production => CsvTableArg::Production,
            CsvTable::Cost => CsvTableArg::Cost,
            CsvTable::Compare => CsvTableArg::Compare,
            CsvTable::Marginal => CsvTableArg::Marginal,
        }
    }
}

impl From<OutputFormat> for FormatArg {
    fn from(f: OutputFormat) -> FormatArg {
        match f {
            OutputFormat::Table => FormatArg::Table,
            OutputFormat::Json => FormatArg::Json,
            OutputFormat::Csv => FormatArg::Csv,
            OutputFormat::Html => FormatArg::Html,
        }
    }
}

/// Parses a positive number of seconds (shared by the commands).
pub(crate) fn seconds(s: &str) -> std::result::Result<Duration, String> {
    let value: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if value.is_nan() || value <= 0.0 {
        return Err(format!("the time limit must be above 0 seconds, got `{s}`"));
    }
    Duration::try_from_secs_f64(value).map_err(|_| format!("`{s}` seconds is out of range"))
}

/// Options of `allot validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Problem files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Refuse problems whose LP would have more than N non-zeros, or that
    /// would take more than N 8-byte words of memory once expanded.
    #[arg(long, value_name = "N", default_value_t = crate::size::DEFAULT_MAX_SIZE, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_size: u64,
}

/// Parses a `--solver` name (shared by the commands).
pub(crate) fn solver_name(s: &str) -> std::result::Result<SolverKind, String> {
    SolverKind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = SolverKind::available().iter().map(|k| k.name()).collect();
        format!(
            "unknown solver `{s}`; this build has: {} (HiGHS needs `--features highs`)",
            names.join(", ")
        )
    })
}

/// Runs allot with these arguments (the first is the program name) and
/// returns the exit status.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Solve(args) => solve(&args),
        Command::Validate(args) => validate(&args),
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan(&args),
        Command::Report(args) => report(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            term::eprint_error(&message(&e));
            e.exit_code()
        }
    }
}

/// An error's message as the command line words it: its hints name flags.
pub fn message(e: &Error) -> String {
    e.render_with(&Flags)
}

/// The command line's wording of the library's advice: its flags.
struct Flags;

impl Wording for Flags {
    fn hint(&self, hint: Hint) -> String {
        match hint {
            Hint::RaiseTimeLimit { try_highs: true } => {
                "raise --time-limit, or try --solver highs (much faster on large problems)"
            }
            Hint::RaiseTimeLimit { try_highs: false } => "raise --time-limit",
            Hint::RaiseLimit => "raise the limit or try another --solver",
            Hint::Report => {
                "this should not happen for a valid problem; try another --solver and report the file"
            }
            Hint::OtherBackend => {
                "this is a solver or model bug; try --solver with another backend and report the problem file"
            }
            other => other.text(),
        }
        .to_string()
    }

    fn limit_note(&self, remedy: SizeRemedy, limit: u64) -> String {
        match remedy {
            SizeRemedy::FewerScenarioChanges { .. } => format!(" (--max-size {limit})"),
            _ => " (--max-size)".to_string(),
        }
    }

    fn raise_limit(&self) -> String {
        "raise the limit with --max-size N".to_string()
    }
}

/// The note printed before solving when `solver` is likely to be slow on
/// `p`: the embedded backend on a problem of national scale.
pub(crate) fn advice(p: &crate::Problem, solver: SolverKind) -> Option<String> {
    let columns = crate::solve::likely_slow(p, solver)?;
    let how = if SolverKind::from_name("highs").is_some() {
        "try `--solver highs`"
    } else {
        "`--solver highs` (a build with `cargo build --release --features highs`) is much faster"
    };
    Some(format!(
        "`{}` has about {columns} LP columns: the embedded solver may need minutes or more; {how}",
        p.name
    ))
}

/// Writes `text` to stdout; a closed pipe is not an error.
pub fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Io {
            path: PathBuf::from("<stdout>"),
            source: e,
        }),
    }
}

fn solve(args: &SolveArgs) -> Result<i32> {
    if args.parallel_simplex && args.solver == SolverKind::Microlp {
        return Err(Error::usage(
            "--parallel-simplex is for --solver highs; the embedded solver runs on one thread",
        ));
    }
    let problem = crate::load::load_with(&args.file, args.max_size)?;
    let names: Vec<Option<String>> = if args.all_scenarios {
        std::iter::once(None)
            .chain(problem.scenarios.iter().map(|s| Some(s.name.clone())))
            .collect()
    } else if args.scenarios.is_empty() {
        vec![None]
    } else {
        for name in &args.scenarios {
            if problem.scenario(name).is_none() {
                let known: Vec<&str> = problem.scenarios.iter().map(|s| s.name.as_str()).collect();
                let hint = crate::diagnostic::did_you_mean(name, known.iter().copied())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                return Err(Error::usage(format!(
                    "{}: no scenario `{name}`; {hint}scenarios in this file: {}",
                    args.file.display(),
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                )));
            }
        }
        args.scenarios.iter().cloned().map(Some).collect()
    };
    let total = names.len();
    let shard = args.shard.unwrap_or(crate::shard::Shard::ALL);
    let range = shard.range(total);
    let names: Vec<Option<String>> = names[range.clone()].to_vec();
    if let Some(note) = advice(&problem, args.solver) {
        eprintln!("note: {note}");
    }
    let spinner = term::Spinner::start();
    // The solves run in parallel; the stage messages name their scenario.
    let progress = |stage: &str| spinner.set_message(stage);
    let mut request = SolveRequest::new(&problem)
        .solves(names.iter().cloned())
        .solver(args.solver)
        .parallel_simplex(args.parallel_simplex)
        .progress(&progress)
        .compare(args.compare.unwrap_or_default());
    if let Some(limit) = args.time_limit {
        request = request.time_limit(limit);
    }
    if args.marginal {
        request = request.marginal(args.units.unwrap_or(1.0));
    }
    let results = request.run_each();
    // Timings and the first error, in the order of the solves.
    let mut solutions: Vec<Solution> = Vec::new();
    for (name, result) in names.iter().zip(results) {
        let solved = result?;
        let stats = &solved.stats;
        if args.timings {
            spinner.suspend(|| {
                let parts = match stats.parts {
                    0 | 1 => String::new(),
                    n => format!(" in {n} independent parts"),
                };
                eprintln!(
                    "{}{}: LP {} columns × {} rows{parts}, built in {:.3}s",
                    problem.name,
                    name.as_ref().map(|n| format!(" / {n}")).unwrap_or_default(),
                    stats.columns,
                    stats.rows,
                    stats.build_seconds
                );
                for s in &stats.stages {
                    eprintln!("  {:<32} {:>4} LPs {:>9.3}s", s.name, s.lps, s.seconds);
                }
                if stats.marginal_unchanged > 0 {
                    eprintln!(
                        "  marginal: {} entries answered from the base plan (stock left in every period)",
                        stats.marginal_unchanged
                    );
                }
                if stats.warm_started > 0 {
                    eprintln!(
                        "  marginal: {} re-solve LPs started from the base solve's basis",
                        stats.warm_started
                    );
                }
                if stats.face_fixed > 0 || stats.face_fallbacks > 0 {
                    eprintln!(
                        "  optimal faces: {} columns and rows fixed, {} fallbacks to hold rows",
                        stats.face_fixed, stats.face_fallbacks
                    );
                }
            });
        }
        solutions.push(solved.solution);
    }
    drop(spinner);
    // The whole output, or this shard's piece of it (the same bytes
    // without --shard: one piece from 0 of all).
    let start = range.start;
    let text = match OutputFormat::from(args.format) {
        OutputFormat::Table => crate::report::table_piece(&solutions, start),
        OutputFormat::Json => crate::report::json_piece(&solutions, start, total),
        OutputFormat::Csv => crate::report::csv_piece(&solutions, start, args.csv_table.into()),
        // A page is not cut into pieces: a shard renders the page of its part.
        OutputFormat::Html => crate::report::html(&solutions),
    };
    let failed: Vec<&Solution> = solutions.iter().filter(|s| !s.verification.ok).collect();
    match &args.output {
        Some(path) => crate::output::write_atomic(path, &text)?,
        None => print_stdout(&text)?,
    }
    if let Some(s) = failed.first() {
        let e = Error::Verification {
            problem: s.problem.clone(),
            run: VerifiedRun::Solve {
                scenario: s.scenario.clone(),
            },
            detail: s.verification.worst.clone(),
            violation: s.verification.max_violation,
            tolerance: crate::verify::TOLERANCE,
        };
        term::eprint_error(&message(&e));
        return Ok(e.exit_code());
    }
    Ok(0)
}

fn plan(args: &PlanArgs) -> Result<i32> {
    let text = crate::load::read_text(&args.file)?;
    let format = crate::load::Format::of(&args.file, &text);
    if let Some(w) = &args.write {
        let wanted = crate::load::Format::of_path(w);
        if wanted != Some(format) {
            let ext = match format {
                crate::load::Format::Toml => "toml",
                crate::load::Format::Json => "json",
            };
            return Err(Error::usage(format!(
                "--write {}: the placed problem is written in the input's syntax; name it `.{ext}` like {}",
                w.display(),
                args.file.display()
            )));
        }
    }
    let problem = crate::load::parse_str_with(&text, &args.file, format, args.max_size)?;
    if problem.stockpiles.is_empty() {
        eprintln!(
            "note: {} has no [[stockpile]] tables: nothing can be placed, so the plan only weighs its cases",
            args.file.display()
        );
    }
    let spinner = term::Spinner::start();
    let progress = |stage: &str| spinner.set_message(stage);
    let opts = crate::plan::PlanOptions {
        solver: args.solver,
        progress: Some(&progress),
        time_limit: args.time_limit,
        max_size: args.max_size,
    };
    let result = crate::plan::plan_with_stats(&problem, &opts);
    drop(spinner);
    let (plan, stats) = match result {
        Ok(r) => r,
        Err(Error::TooLarge {
            variables,
            rows,
            nonzeros,
            values,
            limit,
            cause,
            remedy,
            mut diagnostic,
        }) => {
            diagnostic.file = args.file.clone();
            return Err(Error::TooLarge {
                variables,
                rows,
                nonzeros,
                values,
                limit,
                cause,
                remedy,
                diagnostic,
            });
        }
        Err(e) => return Err(e),
    };
    if args.timings {
        eprintln!(
            "{} (plan): LP {} columns × {} rows, built in {:.3}s",
            problem.name, stats.columns, stats.rows, stats.build_seconds
        );
        for s in &stats.stages {
            eprintln!("  {:<32} {:>4} LPs {:>9.3}s", s.name, s.lps, s.seconds);
        }
    }
    let out = match args.format {
        PlanFormat::Table => crate::plan::table(&plan),
        PlanFormat::Json => crate::plan::json(&plan),
    };
    if let Some(w) = &args.write {
        let placed = crate::plan::placed_text(
            &text,
            &args.file,
            format,
            &problem,
            &plan,
            "`allot plan --write`",
        )?;
        // The written file must load (and say what the plan placed).
        crate::load::parse_str(&placed, w, format).map_err(|e| {
            Error::usage(format!(
                "internal error: the placed problem does not load, so it was not written: {e}"
            ))
        })?;
        crate::output::write_atomic(w, &placed)?;
    }
    match &args.output {
        Some(path) => crate::output::write_atomic(path, &out)?,
        None => print_stdout(&out)?,
    }
    if plan.status != crate::solution::Status::Optimal {
        let worst = plan
            .cases
            .iter()
            .find(|c| !c.solution.verification.ok)
            .map(|c| &c.solution);
        if let Some(s) = worst {
            let e = Error::Verification {
                problem: s.problem.clone(),
                run: VerifiedRun::Plan {
                    case: s.scenario.clone(),
                },
                detail: s.verification.worst.clone(),
                violation: s.verification.max_violation,
                tolerance: crate::verify::TOLERANCE,
            };
            term::eprint_error(&message(&e));
            return Ok(e.exit_code());
        }
    }
    Ok(0)
}

fn report(args: &ReportArgs) -> Result<i32> {
    let text = if args.file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|source| {
            Error::Io {
                path: PathBuf::from("<stdin>"),
                source,
            }
        })?;
        text
    } else {
        std::fs::read_to_string(&args.file).map_err(|source| Error::Io {
            path: args.file.clone(),
            source,
        })?
    };
    let page = crate::output::html::render_str(&text).map_err(|(at, e)| {
        let at = at.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default();
        Error::usage(format!(
            "{}{at}: not an allot result: {e}\n  = help: give the JSON that `allot solve FILE --format json` writes",
            args.file.display()
        ))
    })?;
    match &args.output {
        Some(path) => crate::output::write_atomic(path, &page)?,
        None => print_stdout(&page)?,
    }
    Ok(0)
}

fn validate(args: &ValidateArgs) -> Result<i32> {
    let mut code = 0;
    for file in &args.files {
        match crate::load::load_with(file, args.max_size) {
            Ok(p) => {
                // From the size estimate: validating never builds the LP.
                let e = crate::size::estimate(&p);
                print_stdout(&format!(
                    "{}: ok — {} allies, {} items, {} periods, {} lanes, {} scenarios; LP about {} variables, {} rows, {} non-zeros\n",
                    file.display(),
                    p.allies.len(),
                    p.items.len(),
                    p.periods,
                    p.lanes.len(),
                    p.scenarios.len(),
                    e.variables,
                    e.rows,
                    e.nonzeros
                ))?;
            }
            Err(e) => {
                term::eprint_error(&message(&e));
                code = code.max(e.exit_code());
            }
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan that fails verification: the library states the facts (the
    /// problem, the plan's case, the violation) and advice without flags;
    /// the command line says the same with its flag.
    #[test]
    fn verification_errors_name_the_case_and_the_cli_adds_the_flag() {
        let e = Error::Verification {
            problem: "chips".into(),
            run: VerifiedRun::Plan {
                case: Some("strait-closed".into()),
            },
            detail: "balance row".into(),
            violation: 2e-3,
            tolerance: 1e-6,
        };
        let library = e.to_string();
        assert_eq!(
            library,
            "the plan for `chips (plan, case strait-closed)` fails verification: balance row \
             (violation 2.000e-3 > 1e-6)\n  = help: this is a solver or model bug; try another \
             backend and report the problem file"
        );
        assert!(!library.contains("--"), "{library}");
        let cli = message(&e);
        assert_eq!(
            cli,
            library.replace("try another backend", "try --solver with another backend")
        );
        let solve = |scenario: Option<&str>| Error::Verification {
            problem: "chips".into(),
            run: VerifiedRun::Solve {
                scenario: scenario.map(String::from),
            },
            detail: "balance row".into(),
            violation: 2e-3,
            tolerance: 1e-6,
        };
        let base = solve(None).to_string();
        assert!(base.starts_with("the plan for `chips` fails"), "{base}");
        let scenario = solve(Some("strait-closed")).to_string();
        assert!(
            scenario.starts_with("the plan for `chips (scenario strait-closed)` fails"),
            "{scenario}"
        );
        assert_eq!(e.exit_code(), 3);
    }
}
