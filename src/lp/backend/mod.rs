//! LP solver backends behind one small trait, so the model and the
//! lexicographic driver never name a solver.
//!
//! A [`Backend`] opens a [`Session`] on an [`Lp`]; the driver then adds
//! columns and rows, moves bounds and solves with one objective after
//! another. A backend that can re-solve in place (warm start) does so:
//! HiGHS after any change, the embedded one (microlp) only when the LP
//! changed by fixing and releasing *switch* columns
//! ([`Session::add_switch_col`]) since its last solve with that objective;
//! otherwise it builds its model afresh.

use std::time::Instant;

use crate::model::Lp;

#[cfg(feature = "highs")]
pub mod highs;
pub mod microlp;

/// Direction of an objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    /// Minimise.
    Minimise,
    /// Maximise.
    Maximise,
}

/// An optimal vertex of the current LP.
#[derive(Debug, Clone, PartialEq)]
pub struct LpOutcome {
    /// Value of every column.
    pub values: Vec<f64>,
    /// Objective value.
    pub objective: f64,
    /// Row duals, when the backend provides them.
    pub row_duals: Option<Vec<f64>>,
    /// Reduced costs and basis statuses, when the backend provides them
    /// (HiGHS): what the driver needs to restrict later stages to this
    /// solve's optimal face.
    pub basis: Option<Box<VertexBasis>>,
}

/// Where a column or a row stands at an optimal vertex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Basic, or nonbasic between its bounds (free): no bound is active.
    Basic,
    /// Nonbasic at its lower bound.
    Lower,
    /// Nonbasic at its upper bound.
    Upper,
}

/// The reduced costs and basis of an optimal vertex.
#[derive(Debug, Clone, PartialEq)]
pub struct VertexBasis {
    /// Reduced cost of every column (the objective's own sense).
    pub col_duals: Vec<f64>,
    /// Basis status of every column.
    pub col_side: Vec<Side>,
    /// Basis status of every row (of its activity `Σ coef·x`).
    pub row_side: Vec<Side>,
}

/// A simplex basis recorded after a solve ([`Session::basis`]), to start
/// a later session's solve from ([`Session::start_from`]): the backend's
/// own status code of every column and row. Only the backend that
/// recorded it reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    /// Status of every column.
    pub(crate) cols: Vec<u8>,
    /// Status of every row.
    pub(crate) rows: Vec<u8>,
}

impl Basis {
    /// Columns and rows of the LP it was recorded on.
    pub fn shape(&self) -> (usize, usize) {
        (self.cols.len(), self.rows.len())
    }
}

/// Why a solve gave no optimal vertex.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LpFailure {
    /// The LP has no feasible point (for allot's LPs: numerical trouble
    /// while holding an earlier optimum).
    #[error("the LP is infeasible")]
    Infeasible,
    /// The objective is unbounded.
    #[error("the LP is unbounded")]
    Unbounded,
    /// A time or iteration limit was hit.
    #[error("the solver hit its limit: {0}")]
    Limit(LimitKind),
    /// The solver refused a call that builds or changes the LP (a C
    /// library's error status); the session cannot be trusted after it.
    #[error("{call} failed with status {status}")]
    Rejected {
        /// The call, e.g. `Highs_addRow`.
        call: &'static str,
        /// The status it returned.
        status: i32,
    },
    /// Anything else the solver reported.
    #[error("{0}")]
    Other(String),
}

/// Which limit stopped a solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitKind {
    /// The wall-clock limit; the limit that was set, when known.
    Time(Option<std::time::Duration>),
    /// An iteration (or node) limit of the solver.
    Iterations,
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitKind::Time(Some(limit)) => {
                write!(f, "the time limit of {} s was reached", limit.as_secs_f64())
            }
            LimitKind::Time(None) => f.write_str("the time limit was reached"),
            LimitKind::Iterations => f.write_str("the iteration limit was reached"),
        }
    }
}

/// Which simplex variant a warm-starting backend should use for the next
/// solves (a hint; backends without a choice ignore it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// The backend's default (HiGHS: dual simplex from the last basis).
    #[default]
    Auto,
    /// Forget the last basis and solve from scratch with presolve and
    /// dual simplex: best for a new objective before any fill rates are
    /// fixed (a warm dual simplex start from the previous stage's vertex
    /// took 3–5× longer on the benchmark problems). HiGHS may price in
    /// parallel here ([`Session::set_parallel`]).
    Cold,
    /// Primal simplex, best when the previous optimal vertex stays feasible
    /// (every leximin round: the first one starts from a vertex with all
    /// fill rates ≥ 0 = z; primal simplex proved `z = 0` optimal in 0.1 s
    /// where dual simplex took 4 s on the 30×6×12 benchmark). HiGHS runs
    /// the solves after the first on a copy without the columns at zero,
    /// pricing them back in (see the `highs` module).
    Primal,
    /// Interior point, then crossover to a vertex: best for a new objective
    /// on a highly degenerate LP (after fill rates have been fixed), where
    /// simplex methods stall.
    Barrier,
}

/// An LP being solved, possibly several times with changes in between.
pub trait Session {
    /// Sets the simplex variant for the following solves.
    fn set_method(&mut self, method: Method) {
        let _ = method;
    }
    /// Allows (or forbids) several threads in the cold solves
    /// ([`Method::Cold`]); see [`crate::SolveOptions::parallel_simplex`].
    fn set_parallel(&mut self, parallel: bool) {
        let _ = parallel;
    }
    /// The moment every following solve must end by (`None`: no limit); a
    /// solve that reaches it fails with [`LpFailure::Limit`]. A backend
    /// that cannot stop inside a solve ignores it (the driver still checks
    /// before every solve).
    fn set_deadline(&mut self, deadline: Option<Instant>) {
        let _ = deadline;
    }
    /// Adds a column with bounds; returns its index.
    fn add_col(&mut self, lo: f64, hi: f64, name: &str) -> usize;
    /// Adds a *switch* column: one whose bounds the driver moves, again and
    /// again, between `lo..=hi` and single values inside that range. A
    /// backend that re-solves by fixing and releasing columns (the embedded
    /// one) keeps such a column a variable with this range; for others it
    /// is a plain column.
    fn add_switch_col(&mut self, lo: f64, hi: f64, name: &str) -> usize {
        self.add_col(lo, hi, name)
    }
    /// Ends a switch column's switching: its bounds will not move again,
    /// so a backend may treat it as a plain column from now on.
    fn retire_switch_col(&mut self, col: usize) {
        let _ = col;
    }
    /// Adds a row `lo ≤ Σ coef·x ≤ hi`; returns its index.
    fn add_row(&mut self, coefs: &[(usize, f64)], lo: f64, hi: f64, name: &str) -> usize;
    /// Changes a column's bounds.
    fn set_col_bounds(&mut self, col: usize, lo: f64, hi: f64);
    /// Changes a row's bounds.
    fn set_row_bounds(&mut self, row: usize, lo: f64, hi: f64);
    /// A column's bounds now, if the backend keeps them.
    fn col_bounds(&self, col: usize) -> Option<(f64, f64)> {
        let _ = col;
        None
    }
    /// A row's bounds now, if the backend keeps them.
    fn row_bounds(&self, row: usize) -> Option<(f64, f64)> {
        let _ = row;
        None
    }
    /// The basis of the last solve's optimal vertex, when it ran on the
    /// whole LP and the backend reports one (HiGHS); `None` otherwise.
    fn basis(&self) -> Option<Basis> {
        None
    }
    /// Starts the next solve, which must use [`Method::Cold`], with dual
    /// simplex from `basis` (recorded by [`Session::basis`] on an LP with
    /// the same columns, rows, matrix and objective, only bounds moved)
    /// instead of from scratch. Where simplex starts does not change what
    /// is optimal: the next solve's optimum is the same either way.
    /// Returns whether the backend took it (`false`: a backend without
    /// warm starts, or a basis of another shape; the solve starts cold).
    fn start_from(&mut self, basis: &Basis) -> bool {
        let _ = basis;
        false
    }
    /// Solves with the given sparse objective.
    fn solve(&mut self, sense: Sense, objective: &[(usize, f64)]) -> Result<LpOutcome, LpFailure>;
}

/// A solver that can open sessions.
pub trait Backend: Sync {
    /// Short name: `microlp` or `highs`.
    fn name(&self) -> &'static str;
    /// Whether [`LpOutcome::row_duals`] is filled.
    fn has_duals(&self) -> bool {
        false
    }
    /// Opens a session on `lp`.
    fn open(&self, lp: &Lp) -> Box<dyn Session>;
}

/// The backends compiled into this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SolverKind {
    /// microlp, the embedded pure-Rust simplex.
    #[default]
    Microlp,
    /// HiGHS, warm-started in place (cargo feature `highs`).
    #[cfg(feature = "highs")]
    Highs,
}

impl SolverKind {
    /// Every backend in this build, by name.
    pub fn available() -> Vec<SolverKind> {
        vec![
            SolverKind::Microlp,
            #[cfg(feature = "highs")]
            SolverKind::Highs,
        ]
    }

    /// The short name.
    pub fn name(self) -> &'static str {
        match self {
            SolverKind::Microlp => "microlp",
            #[cfg(feature = "highs")]
            SolverKind::Highs => "highs",
        }
    }

    /// Parses a short name.
    pub fn from_name(name: &str) -> Option<SolverKind> {
        Self::available().into_iter().find(|k| k.name() == name)
    }

    /// The backend.
    pub fn backend(self) -> &'static dyn Backend {
        match self {
            SolverKind::Microlp => &microlp::Microlp,
            #[cfg(feature = "highs")]
            SolverKind::Highs => &highs::Highs,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Column, Row};

    /// A feasible, bounded LP with `cols` columns in [0, 10] and `rows`
    /// rows `Σ a·x ≤ b` (about 5 % of the coefficients non-zero, each in
    /// (0, 1]; every `b` ≥ 1), drawn from `seed`: slow enough to solve that
    /// a millisecond's time limit stops it (maximising `Σ x`).
    pub(crate) fn large_lp(cols: usize, rows: usize, seed: u64) -> Lp {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let cols_v = (0..cols)
            .map(|j| Column {
                name: format!("x{j}"),
                lo: 0.0,
                hi: 10.0,
            })
            .collect();
        let rows_v = (0..rows)
            .map(|i| {
                let coefs: Vec<(usize, f64)> = (0..cols)
                    .filter_map(|j| {
                        let keep = next() < 0.05;
                        let a = next();
                        keep.then_some((j, a.max(1e-3)))
                    })
                    .collect();
                Row {
                    name: format!("r{i}"),
                    coefs,
                    lo: f64::NEG_INFINITY,
                    hi: 1.0 + 50.0 * next(),
                }
            })
            .collect();
        Lp {
            cols: cols_v,
            rows: rows_v,
        }
    }

    #[test]
    fn failures_say_what_stopped_the_solve() {
        let rejected = LpFailure::Rejected {
            call: "Highs_addRow",
            status: -1,
        };
        assert_eq!(rejected.to_string(), "Highs_addRow failed with status -1");
        let limit = |k| LpFailure::Limit(k).to_string();
        assert_eq!(
            limit(LimitKind::Time(Some(std::time::Duration::from_millis(
                2500
            )))),
            "the solver hit its limit: the time limit of 2.5 s was reached"
        );
        assert_eq!(
            limit(LimitKind::Time(None)),
            "the solver hit its limit: the time limit was reached"
        );
        assert_eq!(
            limit(LimitKind::Iterations),
            "the solver hit its limit: the iteration limit was reached"
        );
    }

    /// The generated LP is what its doc says: every row has room (b ≥ 1)
    /// and every coefficient is positive, so x = 0 is feasible and the
    /// bounds make it bounded.
    #[test]
    fn the_large_lp_is_feasible_and_bounded() {
        let lp = large_lp(300, 200, 7);
        assert_eq!((lp.cols.len(), lp.rows.len()), (300, 200));
        assert!(lp.rows.iter().all(|r| r.hi >= 1.0));
        let nonzeros: usize = lp.rows.iter().map(|r| r.coefs.len()).sum();
        // About 5 % of 300 · 200 = 3000.
        assert!((2000..4000).contains(&nonzeros), "{nonzeros}");
        assert!(
            lp.rows
                .iter()
                .flat_map(|r| &r.coefs)
                .all(|&(j, a)| j < 300 && a > 0.0 && a <= 1.0)
        );
        assert_eq!(large_lp(300, 200, 7), lp);
    }
}
