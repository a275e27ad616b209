//! One error type for the whole flow. Each variant carries every fact its
//! message needs and knows its exit code (SPEC §6).

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
    /// The problem is beyond the size limit (`--max-size`): its LP, or the
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
        /// The message, located at the cause in the file.
        diagnostic: Box<Diagnostic>,
    },
    /// The LP solver failed or hit a limit.
    #[error("solver {backend} failed on `{problem}` at stage {stage}: {message}\n  = help: {help}")]
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
        help: String,
    },
    /// The solved plan breaks the problem's own rules by more than the tolerance.
    #[error(
        "the plan for `{problem}` fails verification: {detail} (violation {violation:.3e} > {tolerance:.0e})\n  = help: this is a solver or model bug; try --solver with another backend and report the problem file"
    )]
    Verification {
        /// The problem (and scenario) name.
        problem: String,
        /// The worst violation found.
        detail: String,
        /// Its relative size.
        violation: f64,
        /// The allowed size.
        tolerance: f64,
    },
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
    /// The process exit status for this error (SPEC §6): 2 for bad input or
    /// usage, 3 when the solver failed, hit a limit or produced a plan that
    /// fails verification.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Io { .. }
            | Error::Invalid { .. }
            | Error::Usage { .. }
            | Error::TooLarge { .. } => 2,
            Error::Solver { .. } | Error::Verification { .. } => 3,
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
