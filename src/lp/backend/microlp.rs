//! The embedded backend: microlp, a pure-Rust simplex, called directly.
//! Needs no C toolchain.
//!
//! microlp cannot change a solved model's objective, or add columns to it,
//! so a solve with a new objective builds a microlp model from the
//! session's copy of the LP, after a small presolve (`Reduced`): columns
//! fixed by their bounds (frozen tiers) become constants and rows left with
//! one free column become its bounds (microlp spends its time in dual
//! simplex pivots from a slack basis, so every column and row it does not
//! see helps).
//!
//! What a solved microlp model *can* do is fix a variable at a value and
//! release it to its original bounds, re-solving in place from its last
//! basis (`microlp::Solution::fix_var`, `unfix_var`). So the session keeps its last two
//! solved models (`Warm`), and a solve with the objective of one of them
//! re-solves that one in place when the LP changed only in its *switch
//! columns* ([`Session::add_switch_col`]): each fixed inside its declared
//! range, or released to it, in the order the driver set their bounds.
//! Anything else (a new row or column, a moved row or plain column bound)
//! builds afresh. A model is built with its switch columns over their
//! declared range and then fixed in place, so that it can release them
//! later; that is done only for an objective on switch columns (a tier's
//! shortage, leximin rounds and checks, [`mod@crate::solve`]). On the 10×3×6
//! benchmark a round or check took 30–50 ms rebuilt and mostly under 3 ms
//! in place; with the tier's shortage in the same model, the full solve
//! went from 1.04 s to 0.11 s, and on 15×3×8 from 13.6 s to 2.6 s.
//!
//! A deadline ([`Session::set_deadline`]) becomes microlp's own time
//! limit: a build gets the time left when its model is ready to solve, and
//! the in-place re-solves of a model each get what was left then (microlp
//! fixes a model's limit when it is built). A solve stopped by it, with or
//! without a feasible point, is [`LpFailure::Limit`].

use std::time::Instant;

use std::collections::BTreeMap;

use super::{Backend, LimitKind, LpFailure, LpOutcome, Sense, Session};
use crate::model::{Column, Lp, Row};

/// The microlp backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct Microlp;

impl Backend for Microlp {
    fn name(&self) -> &'static str {
        "microlp"
    }

    fn open(&self, lp: &Lp) -> Box<dyn Session> {
        Box::new(MicrolpSession::new(lp))
    }
}

/// Solved models with switch columns kept for warm re-solves. A leximin
/// tier needs one (its shortage, rounds and checks share an objective); the
/// second keeps the last other such model, so that an alternation of two
/// costs no rebuilds.
const WARM_MODELS: usize = 2;

struct MicrolpSession {
    lp: Lp,
    /// Per column: its declared range, for a switch column.
    switch: Vec<Option<(f64, f64)>>,
    /// Per column: when its bounds were last set (a tick of `clock`).
    stamps: Vec<u64>,
    clock: u64,
    /// Solved models, the most recently used last.
    warm: Vec<Warm>,
    /// Solves answered by re-solving a kept model in place.
    in_place: usize,
    /// When solves must end ([`Session::set_deadline`]).
    deadline: Option<Instant>,
}

impl MicrolpSession {
    fn new(lp: &Lp) -> MicrolpSession {
        MicrolpSession {
            switch: vec![None; lp.cols.len()],
            stamps: vec![0; lp.cols.len()],
            clock: 0,
            lp: lp.clone(),
            warm: Vec::new(),
            in_place: 0,
            deadline: None,
        }
    }
}

impl Session for MicrolpSession {
    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.deadline = deadline;
    }

    fn add_col(&mut self, lo: f64, hi: f64, name: &str) -> usize {
        self.lp.cols.push(Column {
            name: name.to_string(),
            lo,
            hi,
        });
        self.switch.push(None);
        self.stamps.push(0);
        self.lp.cols.len() - 1
    }

    fn add_switch_col(&mut self, lo: f64, hi: f64, name: &str) -> usize {
        let col = self.add_col(lo, hi, name);
        self.switch[col] = Some((lo, hi));
        col
    }

    fn retire_switch_col(&mut self, col: usize) {
        if let Some(s) = self.switch.get_mut(col) {
            *s = None;
        }
    }

    fn add_row(&mut self, coefs: &[(usize, f64)], lo: f64, hi: f64, name: &str) -> usize {
        self.lp.rows.push(Row {
            name: name.to_string(),
            coefs: coefs.to_vec(),
            lo,
            hi,
        });
        self.lp.rows.len() - 1
    }

    fn set_col_bounds(&mut self, col: usize, lo: f64, hi: f64) {
        if let Some(c) = self.lp.cols.get_mut(col) {
            c.lo = lo;
            c.hi = hi;
            self.clock += 1;
            self.stamps[col] = self.clock;
        }
    }

    fn set_row_bounds(&mut self, row: usize, lo: f64, hi: f64) {
        if let Some(r) = self.lp.rows.get_mut(row) {
            r.lo = lo;
            r.hi = hi;
        }
    }

    fn solve(&mut self, sense: Sense, objective: &[(usize, f64)]) -> Result<LpOutcome, LpFailure> {
        // A model solved with this objective re-solves in place when the LP
        // changed only by fixing and releasing switch columns.
        let warm = self
            .warm
            .iter()
            .position(|w| w.sense == sense && w.objective == objective)
            .map(|i| self.warm.remove(i))
            .and_then(|w| {
                let edits = w.edits(&self.lp, &self.stamps)?;
                Some(w.edit(&self.lp, edits))
            });
        let limit = self.deadline;
        let switched = objective.iter().any(|&(c, _)| self.switch[c].is_some());
        let warm = match warm {
            Some(Ok(w)) => {
                self.in_place += 1;
                w
            }
            Some(Err(e @ LpFailure::Limit(_))) => return Err(e),
            // An edit that failed otherwise rebuilds. Switch columns are
            // kept variables only for an objective on them (a tier's
            // shortage, leximin rounds and checks); for the others they are
            // presolved like any column.
            Some(Err(_)) | None if switched => {
                let switch = Some(self.switch.as_slice());
                match Warm::build(&self.lp, switch, &self.stamps, sense, objective, limit) {
                    Ok(w) => w,
                    Err(e @ LpFailure::Limit(_)) => return Err(e),
                    // The build solves a relaxation first (switch columns
                    // over their whole range) and then fixes; whatever else
                    // went wrong, a plain build of the LP as it is decides.
                    Err(_) => Warm::build(&self.lp, None, &self.stamps, sense, objective, limit)?,
                }
            }
            Some(Err(_)) | None => {
                Warm::build(&self.lp, None, &self.stamps, sense, objective, limit)?
            }
        };
        let out = warm.outcome();
        // Only a model with switch columns can be re-solved after a change;
        // one without would hold a whole solver state for nothing.
        if warm.range.iter().any(Option::is_some) {
            self.warm.push(warm);
            if self.warm.len() > WARM_MODELS {
                self.warm.remove(0);
            }
        }
        Ok(out)
    }
}

/// A solved microlp model, kept to re-solve in place.
struct Warm {
    sense: Sense,
    objective: Vec<(usize, f64)>,
    solution: microlp::Solution,
    /// Per column: its microlp variable, or `None` for a presolved constant.
    vars: Vec<Option<microlp::Variable>>,
    /// Per column: the value of a presolved constant.
    constants: Vec<f64>,
    /// Per switch column: the range its variable was built with (fixing
    /// inside it and releasing to it are the edits microlp can make).
    range: Vec<Option<(f64, f64)>>,
    /// Every column's bounds as the model has them now.
    cols: Vec<(f64, f64)>,
    /// Every row's bounds as the model has them.
    rows: Vec<(f64, f64)>,
}

/// An in-place change of a switch column.
enum Edit {
    Fix(usize, f64),
    Release(usize),
}

/// How far from its value a switch column's fix counts as "at the value"
/// (relative), and the step up taken when such a fix fails.
const FIX_STEP: f64 = 1e-9;

/// The solution of a re-solve, or why there is none: a solve stopped by
/// its time limit may still carry a feasible point, which is no optimum.
fn solved(
    outcome: Result<microlp::SolveOutcome, microlp::Error>,
) -> Result<microlp::Solution, LpFailure> {
    optimal(
        outcome
            .map_err(failure)?
            .into_solution()
            .map_err(|i| LpFailure::Limit(limit_kind(i.termination_reason())))?,
    )
}

/// `solution` if microlp proved it optimal.
fn optimal(solution: microlp::Solution) -> Result<microlp::Solution, LpFailure> {
    match solution.status() {
        microlp::SolutionStatus::Optimal => Ok(solution),
        _ => Err(LpFailure::Limit(limit_kind(solution.termination_reason()))),
    }
}

/// The limit behind a solve that stopped short of an optimum. microlp's
/// other reasons (node limit, MIP gap) are for integer problems, which
/// allot's LPs are not: they count as an iteration limit.
fn limit_kind(reason: microlp::TerminationReason) -> LimitKind {
    match reason {
        microlp::TerminationReason::TimeLimit => LimitKind::Time(None),
        _ => LimitKind::Iterations,
    }
}

fn failure(e: microlp::Error) -> LpFailure {
    match e {
        microlp::Error::Infeasible => LpFailure::Infeasible,
        microlp::Error::Unbounded => LpFailure::Unbounded,
        other => LpFailure::Other(other.to_string()),
    }
}

impl Warm {
    /// Builds and solves `lp`. With `switch`, switch columns fixed inside
    /// their declared range are built over that range and then fixed in
    /// place, so that later solves can release them.
    fn build(
        lp: &Lp,
        switch: Option<&[Option<(f64, f64)>]>,
        stamps: &[u64],
        sense: Sense,
        objective: &[(usize, f64)],
        deadline: Option<Instant>,
    ) -> Result<Warm, LpFailure> {
        let range: Vec<Option<(f64, f64)>> = match switch {
            Some(switch) => lp
                .cols
                .iter()
                .zip(switch)
                .map(|(col, sw)| {
                    sw.map(|(lo, hi)| {
                        if col.lo == col.hi && lo <= col.lo && col.lo <= hi {
                            (lo, hi)
                        } else {
                            (col.lo, col.hi)
                        }
                    })
                })
                .collect(),
            None => vec![None; lp.cols.len()],
        };
        let reduced = Reduced::of(lp, &range)?;
        // Columns the reduction fixed are constants, not variables; the
        // others are microlp's variables in column order.
        let is_var: Vec<bool> = reduced
            .bounds
            .iter()
            .enumerate()
            .map(|(c, &(lo, hi))| range[c].is_some() || lo != hi)
            .collect();
        let mut costs = vec![0.0; lp.cols.len()];
        for &(c, v) in objective {
            costs[c] += v;
        }
        let mut problem = microlp::Problem::new(match sense {
            Sense::Minimise => microlp::OptimizationDirection::Minimize,
            Sense::Maximise => microlp::OptimizationDirection::Maximize,
        });
        let vars: Vec<Option<microlp::Variable>> = is_var
            .iter()
            .zip(&reduced.bounds)
            .zip(&costs)
            .map(|((&var, &bounds), &cost)| var.then(|| problem.add_var(cost, bounds)))
            .collect();
        // A row as microlp takes it: `sign · Σ coef·x` over the variables
        // (duplicates summed), and the presolved constants' part.
        // (Summed in good_lp's order: coefficients from 0.0, negated at the
        // end; the constant from 0.0, with `v · 0` for every variable.)
        let linear = |coefs: &[(usize, f64)], negate: bool| {
            let mut sum: BTreeMap<usize, (microlp::Variable, f64)> = BTreeMap::new();
            let mut constant = 0.0;
            for &(c, v) in coefs {
                match vars[c] {
                    Some(var) => {
                        sum.entry(c).or_insert((var, 0.0)).1 += v;
                        constant += v * 0.0;
                    }
                    None => constant += v * reduced.bounds[c].0,
                }
            }
            let mut expr = microlp::LinearExpr::empty();
            for (var, coef) in sum.into_values() {
                expr.add(var, if negate { 0.0 + -coef } else { coef });
            }
            (expr, constant)
        };
        for &r in &reduced.rows {
            let Row { coefs, lo, hi, .. } = &lp.rows[r];
            if lo.is_finite() && lo == hi {
                let (expr, constant) = linear(coefs, false);
                problem.add_constraint(expr, microlp::ComparisonOp::Eq, -(constant + -lo));
                continue;
            }
            // `Σ ≥ lo` as `−Σ ≤ −lo`, and `Σ ≤ hi`: the orientation (and
            // the floating-point arithmetic) good_lp gave microlp, so the
            // vertices found are the same as before it was dropped.
            if lo.is_finite() {
                let (expr, constant) = linear(coefs, true);
                problem.add_constraint(expr, microlp::ComparisonOp::Le, -(*lo + -constant));
            }
            if hi.is_finite() {
                let (expr, constant) = linear(coefs, false);
                problem.add_constraint(expr, microlp::ComparisonOp::Le, -(constant + -hi));
            }
        }
        let mut options = microlp::SolveOptions::default();
        options.mip_gap = 0.0;
        if let Some(deadline) = deadline {
            // What is left after the presolve and the model's construction.
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(LpFailure::Limit(LimitKind::Time(None)));
            }
            options.time_limit = Some(left);
        }
        let solution = solved(problem.solve_with(options))?;
        let warm = Warm {
            sense,
            objective: objective.to_vec(),
            solution,
            vars,
            constants: reduced.bounds.iter().map(|&(lo, _)| lo).collect(),
            cols: lp
                .cols
                .iter()
                .zip(&range)
                .map(|(c, r)| r.unwrap_or((c.lo, c.hi)))
                .collect(),
            range,
            rows: lp.rows.iter().map(|r| (r.lo, r.hi)).collect(),
        };
        let edits = warm
            .edits(lp, stamps)
            .ok_or_else(|| LpFailure::Other("switch columns out of range".into()))?;
        warm.edit(lp, edits)
    }

    /// The edits that bring the model to `lp`, if fixing switch columns
    /// inside their range and releasing them to it can; in the order the
    /// columns' bounds were last set (`stamps`), so the driver decides it.
    /// (Order matters: a fix at a new value before a release can make the
    /// model infeasible on the way, and a release before a fix can send
    /// simplex far away and back.)
    fn edits(&self, lp: &Lp, stamps: &[u64]) -> Option<Vec<Edit>> {
        if self.cols.len() != lp.cols.len() || self.rows.len() != lp.rows.len() {
            return None;
        }
        if lp
            .rows
            .iter()
            .zip(&self.rows)
            .any(|(r, &b)| (r.lo, r.hi) != b)
        {
            return None;
        }
        let mut edits = Vec::new();
        for (c, col) in lp.cols.iter().enumerate() {
            let now = (col.lo, col.hi);
            if now == self.cols[c] {
                continue;
            }
            let (Some(_), Some((lo, hi))) = (self.vars[c], self.range[c]) else {
                return None;
            };
            if now == (lo, hi) {
                edits.push((stamps[c], Edit::Release(c)));
            } else if col.lo == col.hi && lo <= col.lo && col.lo <= hi {
                edits.push((stamps[c], Edit::Fix(c, col.lo)));
            } else {
                return None;
            }
        }
        edits.sort_by_key(|&(stamp, _)| stamp);
        Some(edits.into_iter().map(|(_, e)| e).collect())
    }

    /// Makes the edits in place, re-solving after each.
    fn edit(mut self, lp: &Lp, edits: Vec<Edit>) -> Result<Warm, LpFailure> {
        for e in edits {
            let c = match e {
                Edit::Fix(c, value) => {
                    self = self.fix(c, value)?;
                    c
                }
                Edit::Release(c) => {
                    let var = self.vars[c].expect("a switch column is a variable");
                    self.solution = solved(self.solution.unfix_var(var).map(|(o, _)| o))?;
                    c
                }
            };
            self.cols[c] = (lp.cols[c].lo, lp.cols[c].hi);
        }
        Ok(self)
    }

    /// Fixes column `c` at `value`. microlp fixes a basic variable by one
    /// dual simplex pivot in the direction of the new value; when the
    /// variable already sits at that value it picks "down", which a
    /// degenerate vertex can block (it then reports the LP infeasible).
    /// So such a fix works on a copy and, if that fails, first fixes the
    /// column a step away and then at `value`: up, or down where up is
    /// out of reach (a blocked pair's fill rate held at its exact level).
    /// Measured on 1 500 generated problems: the step down saves a fifth of
    /// the rebuilds after a failed in-place edit (1 137 instead of 1 442).
    fn fix(mut self, c: usize, value: f64) -> Result<Warm, LpFailure> {
        let var = self.vars[c].expect("a switch column is a variable");
        let (lo, hi) = self.range[c].expect("a switch column has a range");
        let step = FIX_STEP * value.abs().max(1.0);
        // Up first; down for a column held at the most it can have (a
        // blocked pair's fill rate at its level cannot rise).
        let aways: Vec<f64> = [value + step, value - step]
            .into_iter()
            .filter(|a| (lo..=hi).contains(a))
            .collect();
        let now = self.solution.var_value_raw(var);
        if (now - value).abs() > step || aways.is_empty() {
            self.solution = solved(self.solution.fix_var(var, value))?;
            return Ok(self);
        }
        let mut failed = match solved(self.solution.clone().fix_var(var, value)) {
            Ok(s) => {
                self.solution = s;
                return Ok(self);
            }
            Err(e) => e,
        };
        for away in aways {
            match solved(self.solution.clone().fix_var(var, away))
                .and_then(|moved| solved(moved.fix_var(var, value)))
            {
                Ok(s) => {
                    self.solution = s;
                    return Ok(self);
                }
                Err(e @ LpFailure::Limit(_)) => return Err(e),
                Err(e) => failed = e,
            }
        }
        Err(failed)
    }

    fn outcome(&self) -> LpOutcome {
        let values: Vec<f64> = self
            .vars
            .iter()
            .zip(&self.constants)
            .map(|(v, &k)| v.map_or(k, |v| self.solution.var_value_raw(v)))
            .collect();
        let objective = self.objective.iter().map(|&(c, v)| v * values[c]).sum();
        LpOutcome {
            values,
            objective,
            row_duals: None,
            basis: None,
        }
    }
}

/// The LP after a small presolve: fixed columns become constants, and
/// rows left with no free column are checked and dropped. Rows with one
/// free column become that column's bounds, which may fix it in turn, so
/// the two reductions repeat until nothing changes.
struct Reduced {
    /// Every column's bounds after the reduction (`lo == hi`: fixed).
    bounds: Vec<(f64, f64)>,
    /// The rows still to be written as constraints.
    rows: Vec<usize>,
}

/// How far a dropped row may be violated before the LP is infeasible.
const DROP_TOLERANCE: f64 = 1e-9;

impl Reduced {
    /// Presolves `lp`. Columns with a `keep` range stay variables over
    /// that range, whatever their bounds and rows say.
    fn of(lp: &Lp, keep: &[Option<(f64, f64)>]) -> Result<Reduced, LpFailure> {
        let mut bounds: Vec<(f64, f64)> = lp
            .cols
            .iter()
            .zip(keep)
            .map(|(c, k)| k.unwrap_or((c.lo, c.hi)))
            .collect();
        let mut live: Vec<bool> = lp
            .rows
            .iter()
            .map(|r| r.lo.is_finite() || r.hi.is_finite())
            .collect();
        loop {
            let mut changed = false;
            for (r, row) in lp.rows.iter().enumerate() {
                if !live[r] {
                    continue;
                }
                let mut constant = 0.0;
                let mut free = None;
                let mut count = 0;
                for &(c, v) in &row.coefs {
                    let (lo, hi) = bounds[c];
                    if keep[c].is_some() {
                        // Counts as two free columns: a row with a kept
                        // column is never reduced.
                        count += 2;
                    } else if lo == hi {
                        constant += v * lo;
                    } else if v != 0.0 {
                        count += 1;
                        free = Some((c, v));
                    }
                }
                let (lo, hi) = (row.lo - constant, row.hi - constant);
                match (count, free) {
                    (0, _) => {
                        let tol = DROP_TOLERANCE * (1.0 + constant.abs());
                        if lo > tol || hi < -tol {
                            return Err(LpFailure::Infeasible);
                        }
                        live[r] = false;
                    }
                    (1, Some((c, v))) => {
                        let (a, b) = if v > 0.0 {
                            (lo / v, hi / v)
                        } else {
                            (hi / v, lo / v)
                        };
                        let (clo, chi) = bounds[c];
                        let (nlo, nhi) = (clo.max(a), chi.min(b));
                        if nlo > nhi {
                            let tol = DROP_TOLERANCE * (1.0 + nlo.abs());
                            if nlo - nhi > tol {
                                return Err(LpFailure::Infeasible);
                            }
                            // Crossed within tolerance: fix at the upper one.
                            bounds[c] = (nhi, nhi);
                        } else {
                            bounds[c] = (nlo, nhi);
                        }
                        live[r] = false;
                        changed = true;
                    }
                    _ => {}
                }
            }
            if !changed {
                break;
            }
        }
        let rows = (0..lp.rows.len()).filter(|&r| live[r]).collect();
        Ok(Reduced { bounds, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(lo: f64, hi: f64) -> Column {
        Column {
            name: String::new(),
            lo,
            hi,
        }
    }

    fn row(coefs: &[(usize, f64)], lo: f64, hi: f64) -> Row {
        Row {
            name: String::new(),
            coefs: coefs.to_vec(),
            lo,
            hi,
        }
    }

    /// max x0 + x1 + x2 with x2 fixed at 2 by its bounds:
    ///   r0: x0 + x1 + x2 ≤ 5   → x0 + x1 ≤ 3 after substitution
    ///   r1: 2·x2 − x1 ≥ 3      → one free column: x1 ≤ 1
    ///   r2: −2·x0 + x2 ≥ −2    → one free column: x0 ≤ 2
    /// so x1 = 1, x0 = 2, objective 5; only r0 is left for microlp.
    #[test]
    fn fixed_columns_and_singleton_rows_are_presolved() {
        let lp = Lp {
            cols: vec![col(0.0, 10.0), col(0.0, 10.0), col(2.0, 2.0)],
            rows: vec![
                row(&[(0, 1.0), (1, 1.0), (2, 1.0)], f64::NEG_INFINITY, 5.0),
                row(&[(2, 2.0), (1, -1.0)], 3.0, f64::INFINITY),
                row(&[(0, -2.0), (2, 1.0)], -2.0, f64::INFINITY),
            ],
        };
        let reduced = Reduced::of(&lp, &[None; 3]).unwrap();
        assert_eq!(reduced.bounds, vec![(0.0, 2.0), (0.0, 1.0), (2.0, 2.0)]);
        assert_eq!(reduced.rows, vec![0]);
        let mut session = Microlp.open(&lp);
        let obj = [(0, 1.0), (1, 1.0), (2, 1.0)];
        let out = session.solve(Sense::Maximise, &obj).unwrap();
        assert!((out.objective - 5.0).abs() < 1e-9, "{out:?}");
        assert!((out.values[0] - 2.0).abs() < 1e-9 && (out.values[1] - 1.0).abs() < 1e-9);
        assert_eq!(out.values[2], 2.0);
    }

    /// A build past its time limit fails with `Limit` (microlp checks its
    /// deadline as it pivots); a generous limit solves as usual. The LP
    /// (max x0 + x1 + x2 over x0 + x1 + x2 ≤ 5 and x0 + 2·x1 ≤ 4, all in
    /// [0, 10]) keeps two rows after presolve, so microlp has work to do.
    #[test]
    fn time_limit_stops_a_build() {
        let lp = Lp {
            cols: vec![col(0.0, 10.0), col(0.0, 10.0), col(0.0, 10.0)],
            rows: vec![
                row(&[(0, 1.0), (1, 1.0), (2, 1.0)], f64::NEG_INFINITY, 5.0),
                row(&[(0, 1.0), (1, 2.0)], f64::NEG_INFINITY, 4.0),
            ],
        };
        let obj = [(0, 1.0), (1, 1.0), (2, 1.0)];
        let mut session = Microlp.open(&lp);
        session.set_deadline(Some(Instant::now()));
        let out = session.solve(Sense::Maximise, &obj);
        assert!(matches!(out, Err(LpFailure::Limit(_))), "{out:?}");
        session.set_deadline(Some(Instant::now() + std::time::Duration::from_secs(3600)));
        let out = session.solve(Sense::Maximise, &obj).unwrap();
        assert!((out.objective - 5.0).abs() < 1e-9, "{out:?}");
    }

    /// microlp's own time limit, reached while it pivots (the deadline is
    /// still ahead when the build starts), gives `Limit(Time)`; the LP is
    /// feasible and bounded, so no other outcome can pass for it.
    #[test]
    fn a_time_limit_reached_inside_microlp_is_a_time_limit() {
        let lp = crate::backend::tests::large_lp(600, 400, 7);
        let objective: Vec<(usize, f64)> = (0..lp.cols.len()).map(|j| (j, 1.0)).collect();
        let mut session = Microlp.open(&lp);
        session.set_deadline(Some(Instant::now() + std::time::Duration::from_millis(20)));
        assert_eq!(
            session.solve(Sense::Maximise, &objective),
            Err(LpFailure::Limit(LimitKind::Time(None)))
        );
    }

    /// Fixing x1 at 3 makes x0 = 4 − 3 = 1 by r0 (an equality with one free
    /// column), which r1 (x0 ≥ 2) then contradicts: infeasible, found by the
    /// presolve alone. Fixing x1 at 2 instead gives x0 = 2, which fits.
    #[test]
    fn presolve_chains_reductions_and_finds_infeasibility() {
        let lp = Lp {
            cols: vec![col(0.0, 10.0), col(0.0, 10.0)],
            rows: vec![
                row(&[(0, 1.0), (1, 1.0)], 4.0, 4.0),
                row(&[(0, 1.0)], 2.0, f64::INFINITY),
            ],
        };
        let mut session = Microlp.open(&lp);
        session.set_col_bounds(1, 3.0, 3.0);
        assert_eq!(
            session.solve(Sense::Minimise, &[(0, 1.0)]),
            Err(LpFailure::Infeasible)
        );
        session.set_col_bounds(1, 2.0, 2.0);
        let out = session.solve(Sense::Minimise, &[(0, 1.0)]).unwrap();
        assert_eq!(out.values, vec![2.0, 2.0]);
        // A violation within the tolerance is not infeasible.
        session.set_col_bounds(1, 2.0 + 1e-12, 2.0 + 1e-12);
        assert!(session.solve(Sense::Minimise, &[(0, 1.0)]).is_ok());
    }

    /// A session with switch columns re-solves in place, and gets what a
    /// fresh session gets. max 3·x0 + 2·x1 + 2·s with
    ///   r0: x0 + x1 + s ≤ 4,  r1: x0 − s ≤ 1,  x0, x1 ∈ [0, 3], s ∈ [0, 2].
    /// For s ≤ 1.5: x0 = 1 + s, x1 = 3 − 2s, objective 9 + s; for s ≥ 1.5:
    /// x0 = 4 − s, x1 = 0, objective 12 − s. So:
    /// - s over [0, 2]: s = 1.5, objective 10.5;
    /// - s fixed at 0: 9;  s fixed at 2: 10;  released again: 10.5.
    #[test]
    fn switch_columns_are_fixed_and_released_in_place() {
        let lp = Lp {
            cols: vec![col(0.0, 3.0), col(0.0, 3.0)],
            rows: vec![],
        };
        let mut session = MicrolpSession::new(&lp);
        let s = session.add_switch_col(0.0, 2.0, "s");
        session.add_row(
            &[(0, 1.0), (1, 1.0), (s, 1.0)],
            f64::NEG_INFINITY,
            4.0,
            "r0",
        );
        session.add_row(&[(0, 1.0), (s, -1.0)], f64::NEG_INFINITY, 1.0, "r1");
        let obj = [(0, 3.0), (1, 2.0), (s, 2.0)];
        let solve = |session: &mut MicrolpSession| session.solve(Sense::Maximise, &obj).unwrap();
        let out = solve(&mut session);
        assert!((out.objective - 10.5).abs() < 1e-9, "{out:?}");
        assert!((out.values[s] - 1.5).abs() < 1e-9, "{out:?}");
        session.set_col_bounds(s, 0.0, 0.0);
        let out = solve(&mut session);
        assert!((out.objective - 9.0).abs() < 1e-9, "{out:?}");
        assert_eq!(out.values[s], 0.0);
        session.set_col_bounds(s, 2.0, 2.0);
        assert!((solve(&mut session).objective - 10.0).abs() < 1e-9);
        session.set_col_bounds(s, 0.0, 2.0);
        let out = solve(&mut session);
        assert!((out.objective - 10.5).abs() < 1e-9, "{out:?}");
        assert!((out.values[s] - 1.5).abs() < 1e-9, "{out:?}");
        assert_eq!(session.in_place, 3);
        // A bound change on a plain column rebuilds: x1 ≤ 1 keeps 10.5
        // (s = 1.5 has x1 = 0).
        session.set_col_bounds(1, 0.0, 1.0);
        assert!((solve(&mut session).objective - 10.5).abs() < 1e-9);
        assert_eq!(session.in_place, 3);
    }

    /// A small deterministic generator (no dependency needed for this).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Random LPs with switch columns, changed at random between solves
    /// with two objectives: the warm session answers every solve as a
    /// fresh build of the LP does (same status, same optimum within 1e-7),
    /// and its vertex is feasible.
    #[test]
    fn warm_solves_match_fresh_builds() {
        let mut rng = Lcg(7);
        let mut in_place = 0;
        for case in 0..300 {
            let n = 3 + rng.below(5) as usize;
            let cols: Vec<Column> = (0..n)
                .map(|_| col(0.0, 1.0 + rng.below(4) as f64))
                .collect();
            let mut session = MicrolpSession::new(&Lp { cols, rows: vec![] });
            let switches: Vec<usize> = (0..1 + rng.below(3))
                .map(|_| session.add_switch_col(0.0, 1.0 + rng.below(3) as f64, "s"))
                .collect();
            let total = session.lp.cols.len();
            for _ in 0..2 + rng.below(4) {
                let mut coefs = Vec::new();
                for c in 0..total {
                    if rng.below(2) == 0 {
                        coefs.push((c, rng.below(5) as f64 - 2.0));
                    }
                }
                let (lo, hi) = if rng.below(3) == 0 {
                    (-(rng.below(3) as f64), f64::INFINITY)
                } else {
                    (f64::NEG_INFINITY, rng.below(6) as f64)
                };
                session.add_row(&coefs, lo, hi, "r");
            }
            // Links `a − b ≥ 0` between columns, switch ones included, make
            // degenerate vertices (a switch column basic at the value it is
            // then fixed at), as the leximin's `w ≤ y ≤ φ` do.
            for _ in 0..rng.below(4) {
                let a = rng.below(total as u64) as usize;
                let b = rng.below(total as u64) as usize;
                if a != b {
                    session.add_row(&[(a, 1.0), (b, -1.0)], 0.0, f64::INFINITY, "link");
                }
            }
            let objectives: Vec<Vec<(usize, f64)>> = (0..2)
                .map(|_| (0..total).map(|c| (c, rng.below(7) as f64 - 3.0)).collect())
                .collect();
            for step in 0..12 {
                let s = switches[rng.below(switches.len() as u64) as usize];
                let (lo, hi) = session.switch[s].unwrap();
                match rng.below(3) {
                    0 => session.set_col_bounds(s, lo, hi),
                    _ => {
                        let v = lo + (hi - lo) * rng.below(5) as f64 / 4.0;
                        session.set_col_bounds(s, v, v);
                    }
                }
                let obj = &objectives[rng.below(2) as usize];
                let warm = session.solve(Sense::Maximise, obj);
                let fresh = Warm::build(
                    &session.lp,
                    None,
                    &session.stamps,
                    Sense::Maximise,
                    obj,
                    None,
                )
                .map(|w| w.outcome());
                match (&warm, &fresh) {
                    (Ok(a), Ok(b)) => {
                        assert!(
                            (a.objective - b.objective).abs() < 1e-7,
                            "case {case} step {step}: {} vs {}",
                            a.objective,
                            b.objective
                        );
                        for (c, column) in session.lp.cols.iter().enumerate() {
                            let v = a.values[c];
                            assert!(v >= column.lo - 1e-9 && v <= column.hi + 1e-9);
                        }
                        for row in &session.lp.rows {
                            let act: f64 = row.coefs.iter().map(|&(c, k)| k * a.values[c]).sum();
                            assert!(act >= row.lo - 1e-7 && act <= row.hi + 1e-7);
                        }
                    }
                    (Err(a), Err(b)) => assert_eq!(a, b, "case {case} step {step}"),
                    _ => panic!("case {case} step {step}: {warm:?} vs {fresh:?}"),
                }
            }
            in_place += session.in_place;
        }
        // Most solves were re-solves in place.
        assert!(in_place > 1500, "{in_place}");
    }
}
