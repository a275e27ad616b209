//! One error type for the whole flow. Each variant carries every fact its
//! message needs and knows its exit status (SPEC §6, [`ExitStatus`]). What
//! to try next is a [`Hint`], worded here without naming any command-line
//! flag; the `allot` command words it with its flags
//! ([`Error::render_with`]).

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

/// Everything that can go wrong between reading a file and writing a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A problem file is malformed or breaks SPEC §2/§5; every problem found is listed.
    #[error("{}", render(diagnostics))]
    Invalid {
        /// What is wrong, where, and how to fix it.
        diagnostics: Vec<Diagnostic>,
    },
    /// The command line asks for something that cannot be done.
    #[error("{message}")]
    Usage {
        /// What is wrong and what to do instead.
        message: String,
    },
    /// The problem is beyond the size limit (`max_size`): its LP, or the
    /// numbers it would hold once expanded per period and per lane.
    #[error("{diagnostic}")]
    TooLarge {
        /// Estimated LP columns.
        variables: u64,
        /// Estimated LP rows.
        rows: u64,
        /// Estimated LP non-zeros.
        nonzeros: u64,
        /// Numbers the expanded problem would hold.
        values: u64,
        /// The limit in force.
        limit: u64,
        /// What makes it large, e.g. `periods = 1000000000: ...`.
        cause: String,
        /// What to change to make it fit.
        remedy: SizeRemedy,
        /// The message, located at the cause in the file, worded without
        /// naming how the limit is set ([`Error::render_with`] adds that).
        diagnostic: Box<Diagnostic>,
    },
    /// The LP solver failed or hit a limit.
    #[error("{}", solver_text(problem, backend, stage, message, hint.text()))]
    Solver {
        /// The problem (and scenario) name.
        problem: String,
        /// The backend's name.
        backend: String,
        /// Which lexicographic stage, e.g. `tier critical: shortage`.
        stage: String,
        /// What the solver said.
        message: String,
        /// What to try.
        hint: Hint,
    },
    /// The solved plan breaks the problem's own rules by more than the tolerance.
    #[error("{}", verification_text(problem, run, detail, *violation, *tolerance, Hint::OtherBackend.text()))]
    Verification {
        /// The problem (and scenario) name.
        problem: String,
        /// Which run's decisions fail: a solve's, or a stockpile plan's.
        run: VerifiedRun,
        /// The worst violation found.
        detail: String,
        /// Its relative size.
        violation: f64,
        /// The allowed size.
        tolerance: f64,
    },
}

/// The run whose decisions fail verification ([`Error::Verification`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifiedRun {
    /// A solve of the problem (`scenario` `None`) or of one of its
    /// scenarios.
    Solve {
        /// The scenario solved.
        scenario: Option<String>,
    },
    /// A stockpile plan (SPEC §12), in the case of scenario `case` (`None`:
    /// the base case, or the case is not known).
    Plan {
        /// The scenario of the failing case.
        case: Option<String>,
    },
}

/// What to try after a solver failure or a plan that fails verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// The time limit was reached: raise it, and with the embedded backend
    /// (`try_highs`) try HiGHS.
    RaiseTimeLimit {
        /// The solve ran on the embedded backend.
        try_highs: bool,
    },
    /// Another limit of the solver: raise it or try another backend.
    RaiseLimit,
    /// A failure that should not happen for a valid problem.
    Report,
    /// A solve that ended without solving an LP.
    ReportProblem,
    /// A plan that fails verification: a solver or model bug.
    OtherBackend,
}

impl Hint {
    /// The hint in the library's words (naming options, not flags).
    pub fn text(self) -> &'static str {
        match self {
            Hint::RaiseTimeLimit { try_highs: true } => {
                "raise the time limit, or try the HiGHS backend (much faster on large problems)"
            }
            Hint::RaiseTimeLimit { try_highs: false } => "raise the time limit",
            Hint::RaiseLimit => "raise the limit or try another backend",
            Hint::Report => {
                "this should not happen for a valid problem; try another backend and report the file"
            }
            Hint::ReportProblem => "report the problem file",
            Hint::OtherBackend => {
                "this is a solver or model bug; try another backend and report the problem file"
            }
        }
    }
}

/// What to change when a problem is beyond the size limit
/// ([`Error::TooLarge`]): besides raising the limit, what makes it smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SizeRemedy {
    /// The horizon is too long.
    FewerPeriods,
    /// A lane entry expands to too many lanes (`"*"` or long lists).
    NameLaneAllies,
    /// Too many entries altogether.
    Split,
    /// The scenario changes select or rescale too much; the limit in force
    /// is `limit` selections and `work_limit` entry-periods.
    FewerScenarioChanges {
        /// The limit on entry-periods rescaled.
        work_limit: u64,
    },
    /// The planning LP (one block per case) is too large.
    FewerPlanCases,
}

impl SizeRemedy {
    /// The help, with `raise` saying how to raise the limit.
    pub fn help(self, raise: &str) -> String {
        match self {
            SizeRemedy::FewerPeriods => {
                format!("use fewer, longer periods (weeks or months instead of days), or {raise}")
            }
            SizeRemedy::NameLaneAllies => format!(
                "name the allies this entry really connects instead of \"*\" or long lists, or {raise}"
            ),
            SizeRemedy::Split => format!("split the problem into smaller ones, or {raise}"),
            SizeRemedy::FewerScenarioChanges { .. } => format!(
                "use fewer scenario changes, or select fewer lanes or entries with each, or {raise}"
            ),
            SizeRemedy::FewerPlanCases => format!(
                "{raise} if the machine has the memory (about 1 kB per non-zero while solving), or plan with fewer scenarios (merge similar ones; those of probability 0 cost nothing), fewer periods or fewer stockpile items"
            ),
        }
    }
}

/// How a caller words an error's advice: the library names options, the
/// `allot` command its flags ([`Error::render_with`]). Every method
/// defaults to the library's words.
pub trait Wording {
    /// What to try after a solver failure or a failed verification.
    fn hint(&self, hint: Hint) -> String {
        hint.text().to_string()
    }

    /// Appended to a size refusal's message: how the limit in force is set
    /// (nothing by default).
    fn limit_note(&self, remedy: SizeRemedy, limit: u64) -> String {
        let _ = (remedy, limit);
        String::new()
    }

    /// How to raise the size limit, in a size refusal's help.
    fn raise_limit(&self) -> String {
        LIBRARY_RAISE_LIMIT.to_string()
    }
}

/// The library's words for raising the size limit.
const LIBRARY_RAISE_LIMIT: &str = "raise the size limit (`max_size`)";

/// The library's own wording.
struct Library;

impl Wording for Library {}

/// allot's exit statuses (SPEC §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExitStatus {
    /// Solved; for `check`, every check passed.
    Success = 0,
    /// A regression check failed.
    CheckFailed = 1,
    /// Bad input or usage.
    BadInput = 2,
    /// The solver failed or hit a limit, or the plan failed verification.
    SolverFailed = 3,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> i32 {
        self as i32
    }
}

fn solver_text(problem: &str, backend: &str, stage: &str, message: &str, help: &str) -> String {
    format!("solver {backend} failed on `{problem}` at stage {stage}: {message}\n  = help: {help}")
}

fn verification_text(
    problem: &str,
    run: &VerifiedRun,
    detail: &str,
    violation: f64,
    tolerance: f64,
    help: &str,
) -> String {
    let problem = match run {
        VerifiedRun::Solve { scenario: None } => problem.to_string(),
        VerifiedRun::Solve {
            scenario: Some(scenario),
        } => format!("{problem} (scenario {scenario})"),
        VerifiedRun::Plan { case: None } => format!("{problem} (plan)"),
        VerifiedRun::Plan { case: Some(case) } => format!("{problem} (plan, case {case})"),
    };
    format!(
        "the plan for `{problem}` fails verification: {detail} (violation {violation:.3e} > {tolerance:.0e})\n  = help: {help}"
    )
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(d.to_string().trim_end());
    }
    if diagnostics.len() > 1 {
        out.push_str(&format!("\n\n{} errors", diagnostics.len()));
    }
    out
}

impl Error {
    /// The exit status for this error (SPEC §6): 2 for bad input or
    /// usage, 3 when the solver failed, hit a limit or produced a plan that
    /// fails verification.
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Io { .. }
            | Error::Invalid { .. }
            | Error::Usage { .. }
            | Error::TooLarge { .. } => ExitStatus::BadInput,
            Error::Solver { .. } | Error::Verification { .. } => ExitStatus::SolverFailed,
        }
    }

    /// [`Error::exit_status`] as a process exit code.
    pub fn exit_code(&self) -> i32 {
        self.exit_status().code()
    }

    /// The hint of a solver or verification error.
    pub fn hint(&self) -> Option<Hint> {
        match self {
            Error::Solver { hint, .. } => Some(*hint),
            Error::Verification { .. } => Some(Hint::OtherBackend),
            _ => None,
        }
    }

    /// The message, with its advice worded by `wording` instead of the
    /// library's words: the command line names its flags this way.
    pub fn render_with(&self, wording: &dyn Wording) -> String {
        let word = |hint| wording.hint(hint);
        match self {
            Error::Solver {
                problem,
                backend,
                stage,
                message,
                hint,
            } => solver_text(problem, backend, stage, message, &word(*hint)),
            Error::Verification {
                problem,
                run,
                detail,
                violation,
                tolerance,
            } => verification_text(
                problem,
                run,
                detail,
                *violation,
                *tolerance,
                &word(Hint::OtherBackend),
            ),
            Error::TooLarge {
                limit,
                remedy,
                diagnostic,
                ..
            } => {
                let mut d = (**diagnostic).clone();
                d.message.push_str(&wording.limit_note(*remedy, *limit));
                d.help = Some(remedy.help(&wording.raise_limit()));
                d.to_string()
            }
            other => other.to_string(),
        }
    }

    /// A size refusal: `diagnostic` (message and location, worded without
    /// the limit's name) gets the help of `remedy` in the library's words.
    pub(crate) fn too_large(
        estimate: &crate::size::Estimate,
        limit: u64,
        cause: String,
        remedy: SizeRemedy,
        diagnostic: Diagnostic,
    ) -> Error {
        Error::TooLarge {
            variables: estimate.variables,
            rows: estimate.rows,
            nonzeros: estimate.nonzeros,
            values: estimate.values,
            limit,
            cause,
            remedy,
            diagnostic: Box::new(diagnostic.with_help(remedy.help(&Library.raise_limit()))),
        }
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage {
            message: message.into(),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
