//! The lexicographic objective of SPEC §4, driven over one LP session:
//! per tier, minimise the weighted shortage and hold it; then (leximin) find
//! the exact leximin vector of the tier's fill rates and hold it; last,
//! minimise cost.
//!
//! How and why, with what was measured (exact leximin with dual
//! certificates, independent parts, frozen tiers, exact holds, where the time
//! goes): `docs/design.md`, "How the lexicographic solve works".

pub mod share;
mod warm;

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::backend::{LimitKind, LpFailure, LpOutcome, Method, Sense, Session, Side, SolverKind};
use crate::components::{Component, split};
use crate::error::{Error, Hint, Result};
use crate::model::{Model, build};
use crate::problem::{Fairness, Problem};
use crate::solution::{Plan, Solution};
use crate::units::{in_lp_units, lp_unit};
use crate::verify::verify;
pub(crate) use warm::WarmStarts;
use warm::{Step, Warm};

pub use crate::share::CompareWith;

mod request;
pub use request::{SolveOptions, SolveRequest, Solved, Tuning};

/// Relative slack of a tier's shortage hold once loosened (held exactly
/// until then, see "Exact holds" in docs/design.md). Kept tiny so that later stages
/// (above all the cost stage) cannot buy measurable savings with it.
pub const HOLD: f64 = 1e-11;

/// A fill rate must rise by more than this to count as "not blocked".
const RISE: f64 = 1e-7;

/// Slack of a fixed pair's fill rate once loosened: it is held exactly at
/// its level (or at its fill rate in the round's vertex, where that is
/// lower by solver noise) until a later LP is infeasible. Not larger:
/// later rounds spend the slack. A pair held 1e-8 below its level gave
/// `1e-8 × D` units to another pair's next level, and the cost stage had
/// to ship them: a cost of 2.8e-6 where the optimum is 0 (reference seed
/// 51467, HiGHS).
const FIX_SLACK: f64 = 1e-9;

/// Relative slack a frozen served column gets when holds are loosened
/// (it starts fixed exactly).
const FROZEN_SLACK: f64 = 1e-9;

/// How far below a round's level the blocked-pair checks hold the free
/// pairs: room for the embedded backend to fix a blocked pair's fill rate
/// at the level in place (from below; it cannot rise above it).
const CHECK_SLACK: f64 = 1e-9;

/// A row dual larger than this (in absolute value) certifies a blocked
/// pair. The duals of one round's `y − z` rows sum to 1, so real
/// certificates are far above solver noise.
const DUAL_CERTIFICATE: f64 = 1e-7;

/// A reduced cost or row dual above this (in absolute value) puts its
/// column or row on a bound of the optimal face (`docs/design.md`,
/// "Optimal faces"). The LPs' objectives have coefficients near 1 (item
/// values in their unit, [`crate::units::value_unit`]; a round's `z`), and
/// the measured duals are either below 1e-12 or above 1e-4.
const FACE_TOLERANCE: f64 = 1e-9;

/// Time and LP count of one lexicographic stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageStat {
    /// e.g. `critical: shortage`, `critical: fairness`, `cost`.
    pub name: String,
    /// LPs solved in the stage.
    pub lps: usize,
    /// Wall time in seconds.
    pub seconds: f64,
    /// Position in the lexicographic order (tier `g`: `2g` shortage,
    /// `2g + 1` fairness; the cost last), so that stages merged from
    /// independent parts keep that order.
    pub order: usize,
}

/// Solve statistics (not part of the deterministic report). When the
/// problem was solved in independent parts, every number is summed over the
/// parts (so with parallel parts the seconds are CPU time, and may exceed
/// the wall time).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SolveStats {
    /// Columns of the base LP.
    pub columns: usize,
    /// Rows of the base LP.
    pub rows: usize,
    /// Seconds to build the LP.
    pub build_seconds: f64,
    /// Per stage, in solving order; a stage of several parts sums their
    /// LPs and seconds.
    pub stages: Vec<StageStat>,
    /// Independent parts solved as LPs of their own (1 for one LP).
    pub parts: usize,
    /// Columns and rows fixed by optimal-face restrictions ([`Tuning::face`]).
    pub face_fixed: usize,
    /// Times a face restriction fell back on hold rows (a watch fell short,
    /// or an LP was infeasible with the face fixed); 0 when every fix held.
    pub face_fallbacks: usize,
    /// Marginal-value entries answered without a re-solve: the node that got
    /// the units had free stock left in every period of the base plan
    /// (see [`crate::share`], "Marginal values").
    pub marginal_unchanged: usize,
    /// LPs of the `--marginal` re-solves that started from the base
    /// solve's basis of the same objective instead of cold (see
    /// [`crate::solve::Tuning::warm_start`]).
    pub warm_started: usize,
}

impl SolveStats {
    /// LPs solved in all.
    pub fn lp_solves(&self) -> usize {
        self.stages.iter().map(|s| s.lps).sum()
    }

    /// Adds the statistics of another part: sizes, times and part counts
    /// summed, stages merged by name.
    fn add(&mut self, other: SolveStats) {
        self.columns += other.columns;
        self.rows += other.rows;
        self.build_seconds += other.build_seconds;
        self.parts += other.parts;
        self.face_fixed += other.face_fixed;
        self.face_fallbacks += other.face_fallbacks;
        self.marginal_unchanged += other.marginal_unchanged;
        self.warm_started += other.warm_started;
        for stage in other.stages {
            match self.stages.iter_mut().find(|s| s.name == stage.name) {
                Some(s) => {
                    s.lps += stage.lps;
                    s.seconds += stage.seconds;
                }
                None => self.stages.push(stage),
            }
        }
    }
}

/// LP columns (the size estimate's, [`crate::size::estimate`], exact for
/// columns) above which the embedded backend is expected to need more
/// than about a minute. Measured on generated problems
/// (`examples/perf.rs`): 10×3×6 (1 590 columns) in 0.11 s, 15×3×8
/// (4 388) in 2.6 s, 20×4×8 (8 544 by the rough count this replaced) not
/// within 3 minutes (its routine tier's shortage and leximin LPs take
/// microlp minutes, rebuilt or in place).
pub const MICROLP_MINUTE_COLUMNS: usize = 6_000;

/// The estimated LP columns of `p` when `solver` is likely to need more
/// than about a minute on it — the embedded backend on a problem of
/// national scale — else `None` (the command line advises HiGHS then).
pub fn likely_slow(p: &Problem, solver: SolverKind) -> Option<usize> {
    if solver != SolverKind::Microlp {
        return None;
    }
    let columns = usize::try_from(crate::size::estimate(p).variables).unwrap_or(usize::MAX);
    (columns > MICROLP_MINUTE_COLUMNS).then_some(columns)
}

/// Solves the base problem (`scenario` `None`) or one scenario: what
/// [`SolveRequest::run`] runs for each selected solve.
pub(crate) fn solve_one(
    problem: &Problem,
    scenario: Option<&str>,
    opts: &SolveOptions,
) -> Result<(Solution, SolveStats)> {
    let tuning = opts.tuning;
    let applied;
    let p = match scenario {
        None => problem,
        Some(name) => {
            let sc = problem.scenario(name).ok_or_else(|| {
                let known: Vec<&str> = problem.scenarios.iter().map(|s| s.name.as_str()).collect();
                Error::usage(format!(
                    "problem `{}` has no scenario `{name}`; its scenarios: {}",
                    problem.name,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            })?;
            applied = problem.with_scenario(sc);
            &applied
        }
    };
    let label = match scenario {
        Some(s) => format!("{} / {s}", problem.name),
        None => problem.name.clone(),
    };
    let deadline = opts.time_limit.map(|limit| Instant::now() + limit);
    crate::share::solve_applied(p, scenario, &label, opts, tuning, deadline)
}

/// Solves `p` as it is (a scenario already applied, its shortage caps as
/// given): in the LP's unit, in independent parts where it splits. Returns
/// the plan in `p`'s units, not yet verified.
pub(crate) fn solve_plan(
    p: &Problem,
    label: &str,
    opts: &SolveOptions,
    tuning: Tuning,
    deadline: Option<Instant>,
    warm: Warm,
) -> Result<(Plan, SolveStats)> {
    let parts = if tuning.split_components {
        split(p)
    } else {
        Vec::new()
    };
    // The LP counts in its own unit (see [`crate::units`]); the plan comes
    // back in the problem's.
    let unit = lp_unit(p);
    let in_units;
    let lp_problem = if unit == 1.0 {
        p
    } else {
        in_units = in_lp_units(p, unit);
        &in_units
    };
    let (plan, stats) = if parts.len() <= 1 {
        solve_part(lp_problem, label.to_string(), opts, tuning, deadline, warm)?
    } else {
        solve_parts(lp_problem, &parts, label, opts, tuning, deadline, warm)?
    };
    let plan = if unit == 1.0 {
        plan
    } else {
        plan.in_units_of(unit)
    };
    Ok((plan, stats))
}

/// Solves one of the parts of `p` ([`split`]) alone, in the LP's unit
/// like [`solve_plan`]: the part's plan, indexed like the part's problem
/// ([`Component::problem`]), in `p`'s units.
pub(crate) fn solve_one_part(
    p: &Problem,
    part: &Component,
    label: &str,
    opts: &SolveOptions,
    tuning: Tuning,
    deadline: Option<Instant>,
    warm: Warm,
) -> Result<(Plan, SolveStats)> {
    let unit = lp_unit(p);
    let sub = if unit == 1.0 {
        part.problem(p)
    } else {
        part.problem(&in_lp_units(p, unit))
    };
    let (plan, stats) = solve_part(&sub, label.to_string(), opts, tuning, deadline, warm)?;
    let plan = if unit == 1.0 {
        plan
    } else {
        plan.in_units_of(unit)
    };
    Ok((plan, stats))
}

/// The result of `p`'s `plan`: verified against `p`, with every SPEC §6
/// field.
pub(crate) fn solution_of(
    p: &Problem,
    scenario: Option<&str>,
    plan: &Plan,
    stats: &SolveStats,
) -> Solution {
    let verification = verify(p, plan);
    Solution::from_plan(p, scenario, plan, verification, stats.lp_solves())
}

/// Solves `p` as one LP: the lexicographic driver over one session, its
/// cold solves recorded or warm-started as `warm` says.
fn solve_part(
    p: &Problem,
    label: String,
    opts: &SolveOptions,
    tuning: Tuning,
    deadline: Option<Instant>,
    warm: Warm,
) -> Result<(Plan, SolveStats)> {
    let started = Instant::now();
    let model = build(p);
    let mut stats = SolveStats {
        columns: model.lp.cols.len(),
        rows: model.lp.rows.len(),
        build_seconds: started.elapsed().as_secs_f64(),
        stages: Vec::new(),
        parts: 1,
        face_fixed: 0,
        face_fallbacks: 0,
        marginal_unchanged: 0,
        warm_started: 0,
    };
    let fingerprint = match warm {
        Warm::Off => None,
        Warm::Record(_) | Warm::From(_) => Some(warm::fingerprint(&model.lp)),
    };
    let replay = match (warm, fingerprint) {
        (Warm::From(starts), Some(f)) => starts.chain(f),
        _ => None,
    };
    let backend = opts.solver.backend();
    let mut session = backend.open(&model.lp);
    session.set_parallel(opts.parallel_simplex);
    session.set_deadline(deadline);
    let mut driver = Driver {
        session,
        face: tuning.face && backend.has_duals(),
        face_fixes: Vec::new(),
        base: (model.lp.cols.len(), model.lp.rows.len()),
        watches: Vec::new(),
        duals: tuning.use_duals && backend.has_duals(),
        freeze: tuning.freeze,
        holds: Vec::new(),
        label,
        backend: opts.solver.name(),
        stats: &mut stats,
        progress: opts.progress,
        deadline: deadline.zip(opts.time_limit),
        cold_pending: false,
        record: matches!(warm, Warm::Record(_)).then(Vec::new),
        replay,
    };
    let outcome = lexicographic(&mut driver, p, &model)?;
    if let (Warm::Record(starts), Some(f), Some(steps)) = (warm, fingerprint, driver.record.take())
    {
        starts.record(f, steps);
    }
    let plan = plan_from(p, &model, &outcome.values);
    Ok((plan, stats))
}

/// Solves each of `parts` (at least two) of `p` on its own, in parallel
/// with [`Tuning::parallel`], and merges the plans into one plan for `p`.
/// Quantities outside every part (no demand there) stay 0. The first error
/// in part order is returned, so the outcome does not depend on threads.
fn solve_parts(
    p: &Problem,
    parts: &[Component],
    label: &str,
    opts: &SolveOptions,
    tuning: Tuning,
    deadline: Option<Instant>,
    warm: Warm,
) -> Result<(Plan, SolveStats)> {
    let n = parts.len();
    let one = |(i, part): (usize, &Component)| {
        let sub = part.problem(p);
        let label = format!("{label} (part {}/{n})", i + 1);
        solve_part(&sub, label, opts, tuning, deadline, warm)
    };
    let results: Vec<Result<(Plan, SolveStats)>> = if tuning.parallel {
        parts.par_iter().enumerate().map(one).collect()
    } else {
        parts.iter().enumerate().map(one).collect()
    };
    let zeros = |len: usize| vec![vec![0.0; p.periods]; len];
    let mut plan = Plan {
        ship: Vec::new(),
        make: zeros(p.supply.len()),
        surge: zeros(p.supply.len()),
        served: zeros(p.demand.len()),
        draw: zeros(p.supply.len()),
    };
    let mut stats = SolveStats::default();
    for (part, result) in parts.iter().zip(results) {
        let (sub, sub_stats) = result?;
        merge_part(&mut plan, part, sub);
        stats.add(sub_stats);
    }
    // Stages in the order one LP would meet them: tier by tier, then cost.
    stats.stages.sort_by_key(|s| s.order);
    // The order of the single LP's dispatch columns.
    plan.ship.sort_by_key(|&(l, k, t, _)| (l, t, k));
    Ok((plan, stats))
}

/// Puts the plan `sub` of `part` (indexed like [`Component::problem`])
/// into `plan`, a plan of the whole problem: the part's supply and demand
/// entries are overwritten, and its dispatches (on its lanes, of its
/// items there) replace those `plan` had. The caller sorts the
/// dispatches.
pub(crate) fn merge_part(plan: &mut Plan, part: &Component, sub: Plan) {
    let supply = part.supply.iter().zip(sub.make.into_iter().zip(sub.surge));
    for ((&i, (make, surge)), draw) in supply.zip(sub.draw) {
        plan.make[i] = make;
        plan.surge[i] = surge;
        plan.draw[i] = draw;
    }
    for (&i, served) in part.demand.iter().zip(sub.served) {
        plan.served[i] = served;
    }
    plan.ship.retain(|&(l, k, _, _)| {
        !part
            .lanes
            .iter()
            .any(|pl| pl.lane == l && pl.items.contains(&k))
    });
    plan.ship.extend(
        sub.ship
            .into_iter()
            .map(|(l, k, t, q)| (part.lanes[l].lane, k, t, q)),
    );
}

/// An earlier optimum held from now on: `Σ coefs ≥ value`, or a fixed
/// pair's fill-rate column `≥ value`, exactly; on numerical trouble
/// `value − slack × ℓ` with ℓ from 1e-3, tenfold per failure (see
/// [`Driver::solve`]).
struct Hold {
    at: HoldAt,
    value: f64,
    slack: f64,
}

/// Where a hold lives: a row's lower bound, or a column's lower bound (a
/// fixed pair's fill-rate column, whose upper bound is 1).
enum HoldAt {
    Row(usize),
    ColLower(usize),
    /// A frozen served column, fixed at `value` (see [`Driver::freeze`]);
    /// loosening lowers its lower bound.
    Fixed(usize),
    /// A frozen tier's shortage hold: free while the tier's columns are
    /// fixed, back in force when they are loosened, so that the slack they
    /// get on numerical trouble cannot be spent on a larger shortage.
    Dormant(usize),
}

/// A bound that a face restriction moved, and what it was before.
#[derive(Debug, Clone, Copy)]
enum FaceFix {
    Col(usize, f64, f64),
    Row(usize, f64, f64),
}

/// A tier's shortage optimum `Σ coefs ≥ value` that the optimal face
/// implies, so that it has no row; checked at every vertex, and made a
/// row ([`Driver::hold_at_least`]) if one falls short by more than
/// `slack` or when the face restriction is undone.
struct Watch {
    tier: usize,
    coefs: Vec<(usize, f64)>,
    value: f64,
    slack: f64,
    name: String,
}

pub(crate) struct Driver<'a> {
    session: Box<dyn Session>,
    /// Restrict later stages to optimal faces ([`Tuning::face`]).
    face: bool,
    /// The bounds face restrictions moved, in order.
    face_fixes: Vec<FaceFix>,
    /// Columns and rows of the base LP: the ones face restrictions touch.
    base: (usize, usize),
    watches: Vec<Watch>,
    /// Certify blocked pairs with row duals.
    duals: bool,
    /// Freeze settled tiers ([`Tuning::freeze`]).
    freeze: bool,
    holds: Vec<Hold>,
    label: String,
    backend: &'static str,
    stats: &'a mut SolveStats,
    progress: Option<&'a (dyn Fn(&str) + Sync)>,
    /// When the solve must end ([`SolveOptions::time_limit`]), and the limit.
    deadline: Option<(Instant, Duration)>,
    /// The next solve is a cold one ([`Driver::new_objective_method`]
    /// chose [`Method::Cold`]).
    cold_pending: bool,
    /// The cold solves' bases so far, when recording ([`Warm::Record`]).
    record: Option<Vec<Step>>,
    /// The base chain's cold solves to start from ([`Warm::From`]).
    replay: Option<std::sync::Arc<[Step]>>,
}

/// Slack of a tier's hold row `Σ value·u ≥ best − slack`. It is sized by
/// the tier's weighted *shortage* `W − best` (the number SPEC §6 asks to be
/// exact within 1e-6 relative), plus a term for the rounding of a sum of
/// size `W`, so that a fully served tier stays fully served (a slack sized
/// by `best` ≈ `W` would let the cost stage buy a visible shortage). A
/// shortage near zero is measured against one unit of the tier's least
/// valuable item (`served`'s smallest weight), not against 1: with item
/// values of 1e-6, a floor of 1 let later stages give away 1e-5 units,
/// a fill rate 3e-6 below its optimum (property tests, seed 41).
pub(crate) fn shortage_slack(best: f64, weighted_demand: f64, served: &[(usize, f64)]) -> f64 {
    let unit = served
        .iter()
        .map(|&(_, v)| v)
        .filter(|&v| v > 0.0)
        .fold(f64::INFINITY, f64::min);
    let unit = if unit.is_finite() { unit } else { 1.0 };
    HOLD * (weighted_demand - best).max(unit) + 1e-14 * weighted_demand.abs()
}

/// Most a hold's slack is multiplied by before the solve is given up.
const MAX_LOOSENING: f64 = 1e3;

impl<'a> Driver<'a> {
    /// A driver over `session` for the LPs of `label`, solved with
    /// `solver`: the lexicographic stages of [`crate::plan`] reuse its
    /// exact holds, deadline, statistics and progress messages.
    pub(crate) fn new(
        session: Box<dyn Session>,
        label: String,
        solver: SolverKind,
        stats: &'a mut SolveStats,
        progress: Option<&'a (dyn Fn(&str) + Sync)>,
        time_limit: Option<Duration>,
    ) -> Driver<'a> {
        let deadline = time_limit.map(|limit| (Instant::now() + limit, limit));
        Driver {
            session,
            // The planning LP holds its stages by rows: no optimal faces.
            face: false,
            face_fixes: Vec::new(),
            base: (0, 0),
            watches: Vec::new(),
            duals: false,
            freeze: false,
            holds: Vec::new(),
            label,
            backend: solver.name(),
            stats,
            progress,
            deadline,
            cold_pending: false,
            record: None,
            replay: None,
        }
    }

    /// Picks the method for a solve with a new objective: a cold start
    /// with presolve while every earlier tier is frozen ([`Driver::freeze`])
    /// — fixed columns, which presolve removes — and interior point while
    /// some earlier tier is held by a row (fairness `"none"` with a
    /// shortage), which makes the LP so degenerate that simplex stalls
    /// (measured on the 30×6×12 benchmark held by rows: routine shortage
    /// 3.0 s with interior point, 5.4 s cold dual simplex, 16 s warm dual
    /// simplex; frozen instead, 0.6 s cold).
    pub(crate) fn new_objective_method(&mut self) {
        let pinned = self
            .holds
            .iter()
            .any(|h| matches!(h.at, HoldAt::Row(_) | HoldAt::ColLower(_)));
        let method = if pinned {
            Method::Barrier
        } else {
            Method::Cold
        };
        self.session.set_method(method);
        self.cold_pending = method == Method::Cold;
    }

    /// Fixes `col` at `value` from now on, held like a frozen served
    /// column (loosened from below on numerical trouble).
    pub(crate) fn hold_fixed(&mut self, col: usize, value: f64) {
        self.session.set_col_bounds(col, value, value);
        self.holds.push(Hold {
            at: HoldAt::Fixed(col),
            value,
            slack: FROZEN_SLACK * value.abs().max(1.0),
        });
    }

    /// Sets the backend's method for the following solves.
    pub(crate) fn set_method(&mut self, method: Method) {
        self.session.set_method(method);
    }

    pub(crate) fn stage(&mut self, name: String, order: usize) {
        if let Some(progress) = self.progress {
            progress(&format!("{}: {name}", self.label));
        }
        self.stats.stages.push(StageStat {
            name,
            lps: 0,
            seconds: 0.0,
            order,
        });
    }

    /// Solves; on infeasibility (numerical trouble with the exact holds)
    /// lowers every hold by a thousandth of its slack, then tenfold more per
    /// failure, up to [`MAX_LOOSENING`] times the slack.
    pub(crate) fn solve(&mut self, sense: Sense, objective: &[(usize, f64)]) -> Result<LpOutcome> {
        let started = Instant::now();
        let cold = std::mem::take(&mut self.cold_pending);
        if cold
            && let Some(steps) = &self.replay
            && let Some(step) = steps
                .iter()
                .find(|s| s.sense == sense && s.objective == objective)
            && self.session.start_from(&step.basis)
        {
            self.stats.warm_started += 1;
        }
        let result = self.solve_held(sense, objective, started);
        if cold
            && result.is_ok()
            && let Some(record) = &mut self.record
            && let Some(basis) = self.session.basis()
        {
            record.push(Step {
                sense,
                objective: objective.to_vec(),
                basis,
            });
        }
        result
    }

    /// [`Driver::solve`] from where the session starts.
    fn solve_held(
        &mut self,
        sense: Sense,
        objective: &[(usize, f64)],
        started: Instant,
    ) -> Result<LpOutcome> {
        let mut loosening = 0.0;
        let result = loop {
            if let Some((deadline, limit)) = self.deadline
                && Instant::now() >= deadline
            {
                break Err(LpFailure::Limit(LimitKind::Time(Some(limit))));
            }
            let r = self
                .session
                .solve(sense, objective)
                .map_err(|e| match (e, self.deadline) {
                    (LpFailure::Limit(LimitKind::Time(_)), Some((_, limit))) => {
                        LpFailure::Limit(LimitKind::Time(Some(limit)))
                    }
                    (e, _) => e,
                });
            if let Some(s) = self.stats.stages.last_mut() {
                s.lps += 1;
            }
            match r {
                Err(LpFailure::Infeasible)
                    if !self.face_fixes.is_empty() || !self.watches.is_empty() =>
                {
                    // A face restriction fixed a bound it should not have
                    // (or rounding did): undo it, hold by rows from now on.
                    self.undo_face();
                }
                Ok(out) if self.watch_fails(&out) => {}
                Err(LpFailure::Infeasible)
                    if loosening < MAX_LOOSENING && !self.holds.is_empty() =>
                {
                    loosening = if loosening == 0.0 {
                        1e-3
                    } else {
                        loosening * 10.0
                    };
                    for h in &self.holds {
                        let lo = h.value - h.slack * loosening;
                        match h.at {
                            HoldAt::Row(row) | HoldAt::Dormant(row) => {
                                self.session.set_row_bounds(row, lo, f64::INFINITY)
                            }
                            HoldAt::ColLower(col) => {
                                self.session.set_col_bounds(col, lo.max(0.0), 1.0)
                            }
                            HoldAt::Fixed(col) => {
                                self.session.set_col_bounds(col, lo.max(0.0), h.value)
                            }
                        }
                    }
                }
                other => break other,
            }
        };
        if let Some(s) = self.stats.stages.last_mut() {
            s.seconds += started.elapsed().as_secs_f64();
            if let Some(progress) = self.progress {
                let lps = match s.lps {
                    1 => "1 LP".to_string(),
                    n => format!("{n} LPs"),
                };
                progress(&format!(
                    "{}: {} ({lps}, {:.1}s)",
                    self.label, s.name, s.seconds
                ));
            }
        }
        result.map_err(|e| {
            let stage = self
                .stats
                .stages
                .last()
                .map_or_else(String::new, |s| s.name.clone());
            let hint = match e {
                LpFailure::Limit(LimitKind::Time(_)) if self.deadline.is_some() => {
                    Hint::RaiseTimeLimit {
                        try_highs: self.backend == SolverKind::Microlp.name(),
                    }
                }
                LpFailure::Limit(_) => Hint::RaiseLimit,
                _ => Hint::Report,
            };
            Error::Solver {
                problem: self.label.clone(),
                backend: self.backend.to_string(),
                stage,
                message: e.to_string(),
                hint,
            }
        })
    }

    /// Undoes every face restriction and makes every watch a row; face
    /// restrictions stop.
    fn undo_face(&mut self) {
        self.face = false;
        self.stats.face_fallbacks += 1;
        for fix in std::mem::take(&mut self.face_fixes).into_iter().rev() {
            match fix {
                FaceFix::Col(j, lo, hi) => self.session.set_col_bounds(j, lo, hi),
                FaceFix::Row(i, lo, hi) => self.session.set_row_bounds(i, lo, hi),
            }
        }
        for w in std::mem::take(&mut self.watches) {
            self.hold_at_least(&w.coefs, w.value, w.slack, &w.name);
        }
    }

    /// Whether the vertex `out` falls short of a watched optimum; each
    /// that it does becomes a row, for the solve to be repeated.
    fn watch_fails(&mut self, out: &LpOutcome) -> bool {
        let short: Vec<usize> = (0..self.watches.len())
            .filter(|&k| {
                let w = &self.watches[k];
                fill_value(&w.coefs, &out.values) < w.value - w.slack
            })
            .collect();
        for &k in short.iter().rev() {
            let w = self.watches.remove(k);
            self.hold_at_least(&w.coefs, w.value, w.slack, &w.name);
            self.stats.face_fallbacks += 1;
        }
        !short.is_empty()
    }

    /// Restricts the LP to the optimal face of the solve that gave `out`:
    /// every base column nonbasic at a bound with a reduced cost above
    /// `tolerance` is fixed at that bound, every base row nonbasic at a
    /// bound with a dual above it becomes an equality there. By
    /// complementary slackness every optimal plan of that solve has them
    /// so. Returns how many columns and rows it fixed.
    fn restrict_face(&mut self, out: &LpOutcome, tolerance: f64) -> (usize, usize) {
        if !self.face {
            return (0, 0);
        }
        let (Some(basis), Some(row_duals)) = (&out.basis, &out.row_duals) else {
            return (0, 0);
        };
        let (mut cols, mut rows) = (0, 0);
        for j in 0..self.base.0 {
            let side = basis.col_side[j];
            if side == Side::Basic {
                continue;
            }
            let Some((lo, hi)) = self.session.col_bounds(j) else {
                return (cols, rows);
            };
            if lo >= hi {
                continue;
            }
            let dj = basis.col_duals[j];
            if dj.abs() <= tolerance {
                continue;
            }
            let at = if side == Side::Lower { lo } else { hi };
            if !at.is_finite() {
                continue;
            }
            self.session.set_col_bounds(j, at, at);
            self.face_fixes.push(FaceFix::Col(j, lo, hi));
            cols += 1;
        }
        let rows_of = basis.row_side.iter().zip(row_duals.iter());
        for (i, (&side, &yi)) in rows_of.enumerate().take(self.base.1) {
            if side == Side::Basic {
                continue;
            }
            let Some((lo, hi)) = self.session.row_bounds(i) else {
                return (cols, rows);
            };
            if lo >= hi {
                continue;
            }
            if yi.abs() <= tolerance {
                continue;
            }
            let at = if side == Side::Lower { lo } else { hi };
            if !at.is_finite() {
                continue;
            }
            self.session.set_row_bounds(i, at, at);
            self.face_fixes.push(FaceFix::Row(i, lo, hi));
            rows += 1;
        }
        self.stats.face_fixed += cols + rows;
        (cols, rows)
    }

    /// Adds a row holding `Σ coefs ≥ value − slack`.
    pub(crate) fn hold_at_least(
        &mut self,
        coefs: &[(usize, f64)],
        value: f64,
        slack: f64,
        name: &str,
    ) {
        let row = self.session.add_row(coefs, value, f64::INFINITY, name);
        self.holds.push(Hold {
            at: HoldAt::Row(row),
            value,
            slack,
        });
    }

    /// Freezes tier `g` once every pair's fill rate is settled (its
    /// leximin levels are fixed, or the whole tier is served): each of the
    /// tier's served columns is fixed at the *latest* schedule that serves
    /// the pair's current total (demand filled from the last period
    /// backwards), and the tier's holds from `holds_from` on are dropped.
    ///
    /// This is exact for every later stage. Take any plan that keeps the
    /// tier's fill rates. Serving a pair's units later (and no more than
    /// its total) keeps it feasible with every other column unchanged:
    /// units not yet served stay in free stock, which carries forward, and
    /// reserve draws move later with them (greedy draws keep
    /// `w ≤ Σ_g u` and the free stock at least as large in every period).
    /// The latest schedule is reachable from any schedule of the same total
    /// that way, so later tiers and the cost have the same optimum over
    /// frozen plans as over all plans that keep the fill rates. Frozen
    /// columns are plain bounds, where the holds they replace were rows
    /// that make the LP highly degenerate.
    fn freeze(&mut self, p: &Problem, m: &Model, g: usize, values: &[f64], holds_from: usize) {
        for (i, dem) in p.demand.iter().enumerate() {
            if dem.tier != g {
                continue;
            }
            let cols = &m.serve[i];
            if p.items[dem.item].reusable {
                // Served in full (up to solver noise): the vertex's own
                // schedule, which is feasible as it stands.
                for &col in cols.iter().flatten() {
                    let q = values[col].max(0.0);
                    self.session.set_col_bounds(col, q, q);
                    self.holds.push(Hold {
                        at: HoldAt::Fixed(col),
                        value: q,
                        slack: FROZEN_SLACK * q.max(1.0),
                    });
                }
                continue;
            }
            let mut left: f64 = cols.iter().flatten().map(|&c| values[c].max(0.0)).sum();
            for (t, col) in cols.iter().enumerate().rev() {
                let Some(col) = *col else { continue };
                let q = left.min(dem.quantity[t]).max(0.0);
                left -= q;
                self.session.set_col_bounds(col, q, q);
                self.holds.push(Hold {
                    at: HoldAt::Fixed(col),
                    value: q,
                    slack: FROZEN_SLACK * q.max(1.0),
                });
            }
        }
        for h in &mut self.holds[holds_from..] {
            match h.at {
                HoldAt::Row(row) => {
                    self.session
                        .set_row_bounds(row, f64::NEG_INFINITY, f64::INFINITY);
                    h.at = HoldAt::Dormant(row);
                }
                HoldAt::ColLower(col) => self.session.set_col_bounds(col, 0.0, 1.0),
                HoldAt::Fixed(_) | HoldAt::Dormant(_) => {}
            }
        }
        // The pairs' fill-rate holds are implied by the fixed columns.
        self.holds.retain(|h| !matches!(h.at, HoldAt::ColLower(_)));
        self.watches.retain(|w| w.tier != g);
    }
}

fn lexicographic(d: &mut Driver, p: &Problem, m: &Model) -> Result<LpOutcome> {
    let mut last: Option<LpOutcome> = None;
    for (g, tier) in p.tiers.iter().enumerate() {
        let served = &m.tier_served[g];
        if served.is_empty() {
            continue;
        }
        d.stage(format!("{tier}: shortage"), 2 * g);
        d.new_objective_method();
        // Without duals, the leximin's columns come first, so that the
        // shortage is solved in the same model as the rounds and checks.
        let switched =
            (!d.duals && p.fairness == Fairness::Leximin).then(|| SwitchedTier::add(d, p, m, g));
        let holds_before = d.holds.len();
        let (out, best, slack) = match &switched {
            Some(t) => {
                let out = t.shortage(d)?;
                let best: f64 = served.iter().map(|&(c, v)| v * out.values[c]).sum();
                let slack = shortage_slack(best, m.tier_weighted_demand[g], served);
                t.hold_shortage(d, &out, best, slack);
                (out, best, slack)
            }
            None => {
                let out = d.solve(Sense::Maximise, served)?;
                let best = out.objective;
                let slack = shortage_slack(best, m.tier_weighted_demand[g], served);
                let name = format!("hold_shortage[{tier}]");
                if d.face && out.basis.is_some() {
                    d.restrict_face(&out, FACE_TOLERANCE);
                    d.watches.push(Watch {
                        tier: g,
                        coefs: served.clone(),
                        value: best,
                        slack,
                        name,
                    });
                } else {
                    d.hold_at_least(served, best, slack, &name);
                }
                (out, best, slack)
            }
        };
        let everything = best >= m.tier_weighted_demand[g] - slack;
        last = Some(out);
        if p.fairness == Fairness::Leximin && !everything {
            d.stage(format!("{tier}: fairness"), 2 * g + 1);
            let out = match &switched {
                Some(t) => leximin_by_checks(d, t)?,
                None => leximin(d, p, m, g)?,
            };
            if let Some(out) = out {
                last = Some(out);
            }
        }
        // Settled: fully served, or every fill rate fixed by the leximin.
        // A reusable pair short of its demand has no schedule to freeze
        // at (docs/design.md, "Frozen tiers"): its tier stays held by rows.
        let settled = everything || p.fairness == Fairness::Leximin;
        let mut frozen = false;
        if settled
            && d.freeze
            && let Some(out) = &last
            && (everything || reusable_pairs_served(p, m, g, &out.values))
        {
            frozen = true;
            d.freeze(p, m, g, &out.values, holds_before);
        }
        if let Some(t) = &switched {
            t.retire(d, frozen);
        }
    }
    d.stage("cost".into(), 2 * p.tiers.len());
    d.new_objective_method();
    if !m.cost.is_empty() || last.is_none() {
        last = Some(d.solve(Sense::Minimise, &m.cost)?);
    }
    last.ok_or_else(|| Error::Solver {
        problem: d.label.clone(),
        backend: d.backend.to_string(),
        stage: "cost".into(),
        message: "no LP was solved".into(),
        hint: Hint::ReportProblem,
    })
}

/// Whether every pair of tier `g` whose item is reusable is served in full
/// (to within [`RISE`]) in the vertex `values`, so that the tier can be
/// frozen (docs/design.md, "Frozen tiers").
fn reusable_pairs_served(p: &Problem, m: &Model, g: usize, values: &[f64]) -> bool {
    p.demand.iter().enumerate().all(|(i, dem)| {
        if dem.tier != g || !p.items[dem.item].reusable {
            return true;
        }
        let total: f64 = dem.quantity.iter().sum();
        let served: f64 = m.serve[i].iter().flatten().map(|&c| values[c]).sum();
        served >= total * (1.0 - RISE)
    })
}

/// One pair of the leximin step: its fill-rate expression and helper columns.
struct Pair {
    fill: Vec<(usize, f64)>,
    y: usize,
    link: usize,
}

/// The value of a fill-rate expression at a vertex.
fn fill_value(fill: &[(usize, f64)], values: &[f64]) -> f64 {
    fill.iter().map(|&(c, v)| v * values[c]).sum()
}

/// The pairs of tier `g` with demand: each one's key (`ally,item,tier`,
/// for column and row names) and fill-rate expression `Σ_t u_t / D`.
fn tier_fills(p: &Problem, m: &Model, g: usize) -> Vec<(String, Vec<(usize, f64)>)> {
    let tier = &p.tiers[g];
    let mut fills = Vec::new();
    for (i, dem) in p.demand.iter().enumerate() {
        let total: f64 = dem.quantity.iter().sum();
        if dem.tier != g || total <= 0.0 {
            continue;
        }
        let key = format!("{},{},{tier}", p.allies[dem.ally].id, p.items[dem.item].id);
        let fill = m.serve[i]
            .iter()
            .flatten()
            .map(|&c| (c, 1.0 / total))
            .collect();
        fills.push((key, fill));
    }
    fills
}

fn leximin(d: &mut Driver, p: &Problem, m: &Model, g: usize) -> Result<Option<LpOutcome>> {
    let tier = &p.tiers[g];
    let z = d.session.add_col(0.0, 1.0, &format!("min_fill[{tier}]"));
    let mut pairs = Vec::new();
    for (key, fill) in tier_fills(p, m, g) {
        let y = d.session.add_col(0.0, 1.0, &format!("fill[{key}]"));
        let mut row = fill.clone();
        row.push((y, -1.0));
        d.session
            .add_row(&row, 0.0, f64::INFINITY, &format!("fill_def[{key}]"));
        let link = d.session.add_row(
            &[(y, 1.0), (z, -1.0)],
            0.0,
            f64::INFINITY,
            &format!("fill_min[{key}]"),
        );
        pairs.push(Pair { fill, y, link });
    }
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut free: Vec<usize> = (0..pairs.len()).collect();
    let mut last = None;
    // Every round starts from a feasible vertex: the first from the
    // shortage stage's (all fill rates ≥ 0 = z), later ones from the last
    // round's (pairs fixed at the level they have, z freed). Primal simplex
    // continues from it in a few pivots, where dual simplex would wander
    // for thousands on these degenerate LPs.
    d.session.set_method(Method::Primal);
    loop {
        // Between rounds, never between a round and its blocked pairs:
        // the round's level is the max-min over all the pairs it had.
        settle_fixed_pairs(d, &pairs, &mut free);
        if free.is_empty() {
            break;
        }
        d.session.set_col_bounds(z, 0.0, 1.0);
        let round = d.solve(Sense::Maximise, &[(z, 1.0)])?;
        let level = round_level(round.objective, &free, |i| {
            fill_value(&pairs[i].fill, &round.values)
        });
        if level >= 1.0 - RISE {
            // Everyone left is served to within RISE of fully: hold them at
            // the level reached (not at 1, which may be out of reach by
            // solver noise).
            for &i in &free {
                fix(d, &pairs[i], level);
            }
            last = Some(round);
            break;
        }
        // The checks and later rounds stay on the round's optimal face.
        d.restrict_face(&round, FACE_TOLERANCE);
        if d.duals
            && let Some(duals) = &round.row_duals
        {
            let certified: Vec<usize> = free
                .iter()
                .copied()
                .filter(|&i| duals[pairs[i].link].abs() > DUAL_CERTIFICATE)
                .collect();
            if !certified.is_empty() {
                for &i in &certified {
                    fix(d, &pairs[i], level);
                }
                free.retain(|i| !certified.contains(i));
                last = Some(round);
                continue;
            }
        }
        let (blocked, check_out) = blocked_by_checks(
            d,
            z,
            &free,
            &round,
            level,
            |i, values| fill_value(&pairs[i].fill, values),
            |d, candidates| {
                let objective: Vec<(usize, f64)> =
                    candidates.iter().map(|&i| (pairs[i].y, 1.0)).collect();
                d.solve(Sense::Maximise, &objective)
            },
        )?;
        for &i in &blocked {
            fix(d, &pairs[i], level);
        }
        free.retain(|i| !blocked.contains(i));
        last = check_out.or(Some(round));
    }
    d.session.set_col_bounds(z, 0.0, 0.0);
    Ok(last)
}

/// Steps 1 and 2 of a leximin round at `level` (see "Exact leximin" in
/// docs/design.md): the free pairs above the level in the round's vertex
/// are not blocked; of the other candidates, `check` maximises the sum of
/// the fill rates with every free pair held at the level (`z` fixed
/// [`CHECK_SLACK`] below it), and those that rise above it by more than
/// [`RISE`] are not blocked; repeated with the rest until none rises. A
/// lone candidate needs no check: some candidate is blocked. If
/// none is left (numerically impossible in theory), the free pair lowest in
/// the round's vertex is, so that the leximin always progresses. Returns
/// the blocked pairs and the last check's vertex.
fn blocked_by_checks(
    d: &mut Driver,
    z: usize,
    free: &[usize],
    round: &LpOutcome,
    level: f64,
    fill: impl Fn(usize, &[f64]) -> f64,
    mut check: impl FnMut(&mut Driver, &[usize]) -> Result<LpOutcome>,
) -> Result<(Vec<usize>, Option<LpOutcome>)> {
    // z sits a little below the level: the round's vertex meets the level
    // exactly ([`round_level`]), and the room lets the embedded backend
    // fix a blocked pair at the level in place after the checks. A check
    // only asks which pairs rise by more than RISE ≫ CHECK_SLACK.
    let check_level = (level - CHECK_SLACK).max(0.0);
    d.session.set_col_bounds(z, check_level, check_level);
    let mut candidates: Vec<usize> = free
        .iter()
        .copied()
        .filter(|&i| fill(i, &round.values) <= level + RISE)
        .collect();
    let mut check_out = None;
    while candidates.len() > 1 {
        let out = check(d, &candidates)?;
        let before = candidates.len();
        candidates.retain(|&i| fill(i, &out.values) <= level + RISE);
        let done = candidates.len() == before;
        check_out = Some(out);
        if done {
            break;
        }
    }
    if candidates.is_empty()
        && let Some(i) = free
            .iter()
            .copied()
            .min_by(|&a, &b| fill(a, &round.values).total_cmp(&fill(b, &round.values)))
    {
        candidates.push(i);
    }
    Ok((candidates, check_out))
}

/// One pair of [`leximin_by_checks`]: its fill-rate expression and its
/// three switch columns.
struct SwitchedPair {
    fill: Vec<(usize, f64)>,
    /// `y ≤ φ` (row `fill_def`); fixed at the pair's level once blocked.
    y: usize,
    /// Release of the pair's link `y − z + r ≥ 0`: fixed at 0 while the
    /// pair is free, over `[0, 1]` (the link cannot bind) once blocked.
    r: usize,
    /// `w ≤ y` (row `check_def`), the pair's term of the objective
    /// `s + z + Σ w`: over `[0, 1]` for a candidate of a check, fixed at 0
    /// for a free pair otherwise.
    w: usize,
}

/// The switch columns of a tier's leximin without duals
/// ([`leximin_by_checks`]), added before the tier's shortage so that one
/// model serves the shortage, the rounds and the checks, whose objective
/// is `s + z + Σ w`. `s ≤ Σ served` (row `shortage_def`) is the tier's
/// weighted service: released for the shortage (with `z` and every `w`
/// fixed at 0, the objective is the shortage's), then fixed at the optimum
/// less its slack, which holds it. The first round then continues from the
/// shortage's vertex.
struct SwitchedTier {
    s: usize,
    s_range: (f64, f64),
    z: usize,
    pairs: Vec<SwitchedPair>,
    objective: Vec<(usize, f64)>,
}

impl SwitchedTier {
    fn add(d: &mut Driver, p: &Problem, m: &Model, g: usize) -> SwitchedTier {
        let tier = &p.tiers[g];
        let s_range = (0.0, m.tier_weighted_demand[g].max(0.0) + 1.0);
        let s = d
            .session
            .add_switch_col(s_range.0, s_range.1, &format!("served[{tier}]"));
        let mut row = m.tier_served[g].clone();
        for (_, v) in &mut row {
            *v = -*v;
        }
        row.push((s, 1.0));
        d.session.add_row(
            &row,
            f64::NEG_INFINITY,
            0.0,
            &format!("shortage_def[{tier}]"),
        );
        let z = d
            .session
            .add_switch_col(0.0, 1.0, &format!("min_fill[{tier}]"));
        let mut pairs = Vec::new();
        for (key, fill) in tier_fills(p, m, g) {
            let y = d.session.add_switch_col(0.0, 1.0, &format!("fill[{key}]"));
            let r = d
                .session
                .add_switch_col(0.0, 1.0, &format!("release[{key}]"));
            let w = d.session.add_switch_col(0.0, 1.0, &format!("check[{key}]"));
            let mut row = fill.clone();
            row.push((y, -1.0));
            d.session
                .add_row(&row, 0.0, f64::INFINITY, &format!("fill_def[{key}]"));
            d.session.add_row(
                &[(y, 1.0), (z, -1.0), (r, 1.0)],
                0.0,
                f64::INFINITY,
                &format!("fill_min[{key}]"),
            );
            d.session.add_row(
                &[(y, 1.0), (w, -1.0)],
                0.0,
                f64::INFINITY,
                &format!("check_def[{key}]"),
            );
            d.session.set_col_bounds(r, 0.0, 0.0);
            d.session.set_col_bounds(w, 0.0, 0.0);
            pairs.push(SwitchedPair { fill, y, r, w });
        }
        d.session.set_col_bounds(z, 0.0, 0.0);
        let mut objective: Vec<(usize, f64)> = pairs.iter().map(|q| (q.w, 1.0)).collect();
        objective.push((z, 1.0));
        objective.push((s, 1.0));
        SwitchedTier {
            s,
            s_range,
            z,
            pairs,
            objective,
        }
    }

    /// The tier's shortage stage: `s` released, `z` and every `w` at 0.
    fn shortage(&self, d: &mut Driver) -> Result<LpOutcome> {
        d.solve(Sense::Maximise, &self.objective)
    }

    /// Holds the weighted service at `best` by fixing `s` (at its value in
    /// the vertex `out` where that is lower by rounding: the sum `best` can
    /// exceed it by more than microlp's absolute tolerance of 1e-10).
    fn hold_shortage(&self, d: &mut Driver, out: &LpOutcome, best: f64, slack: f64) {
        let value = best
            .min(out.values[self.s])
            .clamp(self.s_range.0, self.s_range.1);
        d.session.set_col_bounds(self.s, value, value);
        d.holds.push(Hold {
            at: HoldAt::Fixed(self.s),
            value,
            slack,
        });
    }

    /// Ends the tier's switching: every switch column becomes a plain one.
    /// When the tier is `frozen`, its served columns hold it from now on,
    /// so `s` and the pairs' `y` are released and their holds dropped (a
    /// fixed `y` or `s` could conflict with the frozen totals by rounding).
    fn retire(&self, d: &mut Driver, frozen: bool) {
        d.session.set_col_bounds(self.z, 0.0, 0.0);
        if frozen {
            d.session
                .set_col_bounds(self.s, self.s_range.0, self.s_range.1);
            let mut released = vec![self.s];
            for pair in &self.pairs {
                d.session.set_col_bounds(pair.y, 0.0, 1.0);
                released.push(pair.y);
            }
            d.holds
                .retain(|h| !matches!(h.at, HoldAt::Fixed(c) if released.contains(&c)));
        }
        d.session.retire_switch_col(self.s);
        d.session.retire_switch_col(self.z);
        for pair in &self.pairs {
            for col in [pair.y, pair.r, pair.w] {
                d.session.retire_switch_col(col);
            }
        }
    }
}

/// The exact leximin of a tier for a backend without duals: the same
/// rounds and checks as [`leximin`]'s step 2 (see the module
/// documentation), written so that the LP changes only by fixing and
/// releasing switch columns ([`Session::add_switch_col`]) and the tier's
/// shortage, rounds and checks share one objective, `max s + z + Σ w`
/// ([`SwitchedTier`]). The embedded backend then re-solves each from the
/// last one, in place, instead of from scratch: on the 10×3×6 benchmark a
/// round or check took 30–50 ms rebuilt and mostly under 3 ms in place.
///
/// Per pair, `y ≤ φ` (row `fill_def`), the link `y − z + r ≥ 0` with its
/// release `r` (fixed at 0 while the pair is free, over `[0, 1]` once it
/// is blocked, when the link can no longer bind), and `w ≤ y` (row
/// `check_def`). A round fixes every free pair's `w` at 0 and releases
/// `z`: it maximises `z` (`s` is fixed, and a blocked pair's `w` equals
/// its fixed `y` at the optimum: constants). A check fixes `z` a little
/// below the level (`CHECK_SLACK`) and releases the candidates' `w`: it
/// maximises the sum of the candidates' fill rates. A blocked pair's `y`
/// is fixed at the level ([`round_level`]), then its `r` released: in
/// that order the model stays feasible on the way.
///
/// Measured on 10×3×6 (full solve): rounds and checks rebuilt every time
/// 1.04 s; in place with an objective each (two models per tier) 0.27 s;
/// one model for both 0.21 s; one model from the shortage on 0.12 s.
/// Tried and dropped: one model for every tier, frozen only at the end
/// (0.31 s; 15×3×8 17.7 s instead of 2.6 s: its first build, all tiers
/// relaxed at once, and the unfrozen later tiers cost more than the
/// builds saved); releasing a pair by fixing `r` at 1 under an objective
/// penalty on `r` (0.13 s, 15×3×8 2.3 s: no clear gain).
fn leximin_by_checks(d: &mut Driver, t: &SwitchedTier) -> Result<Option<LpOutcome>> {
    let SwitchedTier {
        z,
        pairs,
        objective,
        ..
    } = t;
    let z = *z;
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut free: Vec<usize> = (0..pairs.len()).collect();
    let mut last = None;
    d.session.set_method(Method::Primal);
    while !free.is_empty() {
        // The order of bound changes is the order in which the embedded
        // backend re-solves: the free pairs' `w` are fixed at 0 before `z`
        // is released, so that simplex does not first raise them.
        for &i in &free {
            d.session.set_col_bounds(pairs[i].w, 0.0, 0.0);
        }
        d.session.set_col_bounds(z, 0.0, 1.0);
        let round = d.solve(Sense::Maximise, objective)?;
        let level = round_level(round.values[z], &free, |i| {
            fill_value(&pairs[i].fill, &round.values)
        });
        if level >= 1.0 - RISE {
            for &i in &free {
                release(d, &pairs[i], level);
            }
            last = Some(round);
            break;
        }
        let (blocked, check_out) = blocked_by_checks(
            d,
            z,
            &free,
            &round,
            level,
            |i, values| fill_value(&pairs[i].fill, values),
            |d, candidates| {
                // `z` first (fixed before the checks), then the `w` fixed at 0
                // (candidates that rose in the last check), then the
                // candidates' released: the model is held at the new level
                // before it maximises. A blocked pair's `w ≤ y` is a
                // constant (its `y` is fixed), so its `w` is left as it is.
                for &i in &free {
                    if !candidates.contains(&i) {
                        d.session.set_col_bounds(pairs[i].w, 0.0, 0.0);
                    }
                }
                for &i in candidates {
                    d.session.set_col_bounds(pairs[i].w, 0.0, 1.0);
                }
                d.solve(Sense::Maximise, objective)
            },
        )?;
        for &i in &blocked {
            release(d, &pairs[i], level);
        }
        free.retain(|i| !blocked.contains(i));
        last = check_out.or(Some(round));
    }
    d.session.set_col_bounds(z, 0.0, 0.0);
    Ok(last)
}

/// Holds a blocked pair's fill rate at `level` ([`round_level`]) by fixing
/// its `y`, and then releases its link to `z`. In that order the embedded
/// backend's model stays feasible on the way (after a check it still holds
/// the pair's `y ≥ z`, `z` just below the level) and does not first raise
/// `z` past the pair after a round.
fn release(d: &mut Driver, pair: &SwitchedPair, level: f64) {
    d.session.set_col_bounds(pair.y, level, level);
    d.session.set_col_bounds(pair.r, 0.0, 1.0);
    d.holds.push(Hold {
        at: HoldAt::Fixed(pair.y),
        value: level,
        slack: FIX_SLACK,
    });
}

/// Fixes, without an LP, every free pair whose served columns are all
/// fixed (by optimal faces or a frozen tier): its fill rate is the same in
/// every plan left, so it is its leximin value, and the leximin of the
/// others is that of the whole vector without it.
fn settle_fixed_pairs(d: &mut Driver, pairs: &[Pair], free: &mut Vec<usize>) {
    if !d.face {
        return;
    }
    let mut settled = Vec::new();
    for &i in free.iter() {
        let mut fill = 0.0;
        let mut fixed = true;
        for &(c, v) in &pairs[i].fill {
            match d.session.col_bounds(c) {
                Some((lo, hi)) if lo == hi => fill += v * lo,
                _ => {
                    fixed = false;
                    break;
                }
            }
        }
        if fixed {
            settled.push((i, fill.clamp(0.0, 1.0)));
        }
    }
    for &(i, fill) in &settled {
        fix(d, &pairs[i], fill);
    }
    free.retain(|i| !settled.iter().any(|&(j, _)| j == *i));
}

/// Holds a pair's fill rate at `level` ([`round_level`]) from now on.
fn fix(d: &mut Driver, pair: &Pair, level: f64) {
    d.session
        .set_row_bounds(pair.link, f64::NEG_INFINITY, f64::INFINITY);
    d.session.set_col_bounds(pair.y, level, 1.0);
    d.holds.push(Hold {
        at: HoldAt::ColLower(pair.y),
        value: level,
        slack: FIX_SLACK,
    });
}

/// The level a leximin round reached: its optimum `z`, or the lowest fill
/// rate of a free pair in the round's vertex (`fill`) where that is lower
/// by solver noise, so that the vertex meets the checks and holds at the
/// level exactly (see "Exact holds" in docs/design.md).
fn round_level(z: f64, free: &[usize], fill: impl Fn(usize) -> f64) -> f64 {
    free.iter()
        .map(|&i| fill(i))
        .fold(z, f64::min)
        .clamp(0.0, 1.0)
}

/// Reads the plan's quantities out of the LP's column values.
pub(crate) fn plan_from(p: &Problem, m: &Model, values: &[f64]) -> Plan {
    let get = |c: &Option<usize>| c.map_or(0.0, |c| values[c]);
    let grid = |cols: &Vec<Vec<Option<usize>>>| -> Vec<Vec<f64>> {
        cols.iter()
            .map(|row| row.iter().map(get).collect())
            .collect()
    };
    let _ = p;
    Plan {
        ship: m
            .ship
            .iter()
            .map(|s| (s.lane, s.item, s.period, values[s.col]))
            .collect(),
        make: grid(&m.make),
        surge: grid(&m.surge),
        served: grid(&m.serve),
        draw: grid(&m.draw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::Size;
    use crate::model::build;

    #[test]
    fn embedded_backend_advises_highs_only_on_large_problems() {
        let small = Size::new(10, 3, 6).problem();
        assert_eq!(likely_slow(&small, SolverKind::Microlp), None);
        let large = Size::new(30, 6, 12).degree(6).problem();
        let columns = likely_slow(&large, SolverKind::Microlp).expect("slow");
        // The columns named are the LP's own.
        assert_eq!(columns, build(&large).lp.cols.len());
        #[cfg(feature = "highs")]
        assert_eq!(likely_slow(&large, SolverKind::Highs), None);
    }
}
