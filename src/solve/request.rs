//! The one way to ask for a solve: [`SolveRequest`] names the problem, which
//! of its solves (the base problem, scenarios) and how ([`SolveOptions`]);
//! [`SolveRequest::run`] and [`SolveRequest::run_each`] return [`Solved`].
//!
//! ```
//! # let problem = allot::load(std::path::Path::new("problems/chips-taiwan-blockade.toml")).unwrap();
//! use allot::{SolveRequest, SolverKind};
//!
//! // The base problem, with the default options.
//! let base = SolveRequest::new(&problem).run()?;
//! // One scenario, on a chosen backend, within a minute.
//! let blockade = SolveRequest::new(&problem)
//!     .scenario("strait-blockade")
//!     .solver(SolverKind::Microlp)
//!     .time_limit(std::time::Duration::from_secs(60))
//!     .run()?;
//! assert!(blockade.solution.cost.total >= 0.0);
//! // The base problem and every scenario, in parallel, in file order.
//! let all = SolveRequest::new(&problem).all_scenarios().run_each();
//! assert_eq!(all.len(), 1 + problem.scenarios().len());
//! assert_eq!(all[0].as_ref().unwrap().solution.cost, base.solution.cost);
//! # Ok::<(), allot::Error>(())
//! ```

use std::time::Duration;

use rayon::prelude::*;

use crate::backend::SolverKind;
use crate::error::{Error, Result};
use crate::problem::Problem;
use crate::solution::Solution;

use super::{SolveStats, solve_one};

/// How to solve: the backend, limits, progress and [`Tuning`]. Start from
/// [`SolveOptions::default`] (or [`SolveOptions::new`]) and set fields, or
/// use [`SolveRequest`]'s setters; new options are added without breaking
/// callers (`#[non_exhaustive]`).
#[derive(Clone, Copy, Default)]
#[non_exhaustive]
pub struct SolveOptions<'a> {
    /// Which LP backend.
    pub solver: SolverKind,
    /// Called with a short description before each lexicographic stage
    /// and after each of its LPs (with the stage's LP count and seconds so
    /// far: a large problem's leximin stage can run hundreds of LPs).
    /// Solves run in parallel (independent parts, several selected solves)
    /// call it from several threads; the description names the problem,
    /// the scenario and, for a part, which one.
    pub progress: Option<&'a (dyn Fn(&str) + Sync)>,
    /// Let the backend's cold solves (each new objective) use several
    /// threads where it can: HiGHS prices its dual simplex in parallel, the
    /// same pivots as serially, 20–28 % faster on large problems (the whole
    /// solve about 10 %). Only worth it when nothing else competes for the
    /// cores: two allot processes so doing on a 2-core machine took 7.7 s
    /// where they took 3.2 s without it. Within one process, a cold solve
    /// that starts while another HiGHS solve runs (parts and scenarios
    /// solved in parallel) stays serial. The embedded backend ignores it.
    pub parallel_simplex: bool,
    /// Wall-clock limit of each solve (the base problem's, or one
    /// scenario's: every selected solve gets its own). When it is reached,
    /// the solve fails with [`Error::Solver`] (exit status 3), naming the
    /// stage it got to. The limit is checked before every LP, and the
    /// backends stop inside an LP at the deadline
    /// ([`crate::backend::Session::set_deadline`]; microlp's in-place
    /// re-solves get what was left when their model was built).
    pub time_limit: Option<Duration>,
    /// The baselines to add to each result (SPEC §10).
    pub compare: super::CompareWith,
    /// The marginal value of this many more units of free stock at every
    /// (ally, item) (SPEC §11); `None` for none.
    pub marginal: Option<f64>,
    /// How, not what, to solve (for tests and benchmarks).
    pub tuning: Tuning,
}

impl SolveOptions<'_> {
    /// The default options on `solver`.
    pub fn new(solver: SolverKind) -> Self {
        SolveOptions {
            solver,
            ..SolveOptions::default()
        }
    }
}

impl std::fmt::Debug for SolveOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SolveOptions")
            .field("solver", &self.solver)
            .field("parallel_simplex", &self.parallel_simplex)
            .field("time_limit", &self.time_limit)
            .field("compare", &self.compare)
            .field("marginal", &self.marginal)
            .field("tuning", &self.tuning)
            .finish_non_exhaustive()
    }
}

/// Choices that change how, not what, is solved: every setting gives the
/// same results (within SPEC §6's tolerance). For tests and benchmarks:
/// `Tuning::default().with_freeze(false)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tuning {
    /// Use row duals to certify blocked pairs when the backend has them
    /// (otherwise always the primal check).
    pub use_duals: bool,
    /// Solve independent parts ([`crate::components`]) as LPs of their
    /// own (otherwise always one LP for the whole problem).
    pub split_components: bool,
    /// Solve the parts, and the selected solves, on rayon's thread pool
    /// (otherwise one after the other on the calling thread).
    pub parallel: bool,
    /// Freeze each settled tier at its latest schedule (see "Frozen
    /// tiers" in docs/design.md; otherwise its optimum is held by rows to
    /// the end).
    pub freeze: bool,
    /// Restrict later stages to each solve's optimal face when the backend
    /// reports a basis (see "Optimal faces" in docs/design.md; otherwise a
    /// tier's shortage is held by a row through its leximin).
    pub face: bool,
    /// Answer a marginal-value entry without a re-solve when the base plan
    /// proves the units change nothing (see [`crate::share`], "Marginal
    /// values"; otherwise every entry whose units reach demand is
    /// re-solved).
    pub marginal_shortcuts: bool,
    /// Start each cold solve of a `--marginal` re-solve (a tier's
    /// shortage, the cost) from the base solve's optimal basis of the same
    /// objective, where the backend can (HiGHS; see the `warm` module of
    /// [`crate::solve`]); otherwise every re-solve starts cold.
    pub warm_start: bool,
}

impl Default for Tuning {
    fn default() -> Tuning {
        Tuning {
            use_duals: true,
            split_components: true,
            parallel: true,
            freeze: true,
            face: true,
            marginal_shortcuts: true,
            warm_start: true,
        }
    }
}

impl Tuning {
    /// With [`Tuning::use_duals`] set to `on`.
    pub fn with_duals(self, on: bool) -> Tuning {
        Tuning {
            use_duals: on,
            ..self
        }
    }

    /// With [`Tuning::split_components`] set to `on`.
    pub fn with_split_components(self, on: bool) -> Tuning {
        Tuning {
            split_components: on,
            ..self
        }
    }

    /// With [`Tuning::parallel`] set to `on`.
    pub fn with_parallel(self, on: bool) -> Tuning {
        Tuning {
            parallel: on,
            ..self
        }
    }

    /// With [`Tuning::freeze`] set to `on`.
    pub fn with_freeze(self, on: bool) -> Tuning {
        Tuning { freeze: on, ..self }
    }

    /// With [`Tuning::face`] set to `on`.
    pub fn with_face(self, on: bool) -> Tuning {
        Tuning { face: on, ..self }
    }

    /// With [`Tuning::marginal_shortcuts`] set to `on`.
    pub fn with_marginal_shortcuts(self, on: bool) -> Tuning {
        Tuning {
            marginal_shortcuts: on,
            ..self
        }
    }

    /// With [`Tuning::warm_start`] set to `on`.
    pub fn with_warm_start(self, on: bool) -> Tuning {
        Tuning {
            warm_start: on,
            ..self
        }
    }
}

/// A request to solve `problem`: which of its solves — the base problem,
/// named scenarios — and how. Built with [`SolveRequest::new`] and the
/// setters, run with [`run`](SolveRequest::run) (one solve) or
/// [`run_each`](SolveRequest::run_each) (every selected solve).
#[derive(Debug, Clone)]
pub struct SolveRequest<'a> {
    problem: &'a Problem,
    /// `None` for the base problem, `Some(name)` for a scenario.
    solves: Vec<Option<String>>,
    options: SolveOptions<'a>,
}

/// The result of one solve, with its statistics.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Solved {
    /// The plan and its figures (SPEC §6).
    pub solution: Solution,
    /// Timings and LP counts (not part of the deterministic result).
    pub stats: SolveStats,
}

impl<'a> SolveRequest<'a> {
    /// A request for `problem`'s base problem with the default options.
    pub fn new(problem: &'a Problem) -> Self {
        SolveRequest {
            problem,
            solves: vec![None],
            options: SolveOptions::default(),
        }
    }

    /// Selects the scenario called `name` (instead of whatever was
    /// selected). An unknown name is an [`Error::Usage`] when run.
    pub fn scenario(mut self, name: impl Into<String>) -> Self {
        self.solves = vec![Some(name.into())];
        self
    }

    /// Selects these solves, in this order: `None` for the base problem,
    /// `Some(name)` for a scenario.
    pub fn solves<I, S>(mut self, solves: I) -> Self
    where
        I: IntoIterator<Item = Option<S>>,
        S: Into<String>,
    {
        self.solves = solves.into_iter().map(|s| s.map(Into::into)).collect();
        self
    }

    /// Selects the base problem and then every scenario, in file order.
    pub fn all_scenarios(mut self) -> Self {
        self.solves = std::iter::once(None)
            .chain(self.problem.scenarios.iter().map(|s| Some(s.name.clone())))
            .collect();
        self
    }

    /// Replaces every option.
    pub fn options(mut self, options: SolveOptions<'a>) -> Self {
        self.options = options;
        self
    }

    /// The LP backend ([`SolveOptions::solver`]).
    pub fn solver(mut self, solver: SolverKind) -> Self {
        self.options.solver = solver;
        self
    }

    /// A wall-clock limit for each solve ([`SolveOptions::time_limit`]).
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.options.time_limit = Some(limit);
        self
    }

    /// Parallel pricing in cold solves ([`SolveOptions::parallel_simplex`]).
    pub fn parallel_simplex(mut self, on: bool) -> Self {
        self.options.parallel_simplex = on;
        self
    }

    /// Progress messages ([`SolveOptions::progress`]).
    pub fn progress(mut self, progress: &'a (dyn Fn(&str) + Sync)) -> Self {
        self.options.progress = Some(progress);
        self
    }

    /// The baselines to add to each result ([`SolveOptions::compare`]).
    pub fn compare(mut self, compare: super::CompareWith) -> Self {
        self.options.compare = compare;
        self
    }

    /// The marginal value of `units` more units of stock at every (ally,
    /// item) ([`SolveOptions::marginal`]).
    pub fn marginal(mut self, units: f64) -> Self {
        self.options.marginal = Some(units);
        self
    }

    /// How, not what, to solve ([`Tuning`]).
    pub fn tuning(mut self, tuning: Tuning) -> Self {
        self.options.tuning = tuning;
        self
    }

    /// The problem.
    pub fn problem(&self) -> &'a Problem {
        self.problem
    }

    /// The selected solves, in order (`None`: the base problem).
    pub fn selected(&self) -> &[Option<String>] {
        &self.solves
    }

    /// The options in force.
    pub fn current_options(&self) -> &SolveOptions<'a> {
        &self.options
    }

    /// Runs the one selected solve (the base problem unless
    /// [`scenario`](SolveRequest::scenario) or
    /// [`solves`](SolveRequest::solves) chose otherwise). A request that
    /// selects several solves is an [`Error::Usage`]: run it with
    /// [`run_each`](SolveRequest::run_each).
    pub fn run(&self) -> Result<Solved> {
        match self.solves.as_slice() {
            [one] => self.run_one(one.as_deref()),
            solves => Err(Error::usage(format!(
                "this request selects {} solves; `SolveRequest::run_each` runs several",
                solves.len()
            ))),
        }
    }

    /// Runs every selected solve — on rayon's thread pool with
    /// [`Tuning::parallel`], else one after the other — and returns the
    /// results in the order selected, whatever the threads did.
    pub fn run_each(&self) -> Vec<Result<Solved>> {
        let one = |s: &Option<String>| self.run_one(s.as_deref());
        if self.options.tuning.parallel {
            self.solves.par_iter().map(one).collect()
        } else {
            self.solves.iter().map(one).collect()
        }
    }

    fn run_one(&self, scenario: Option<&str>) -> Result<Solved> {
        let (solution, stats) = solve_one(self.problem, scenario, &self.options)?;
        Ok(Solved { solution, stats })
    }
}
