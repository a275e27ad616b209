//! Stockpile planning (SPEC §12): where to pre-position units before it is
//! known which disruption happens — `allot plan`.
//!
//! ## The LP: the extensive form
//!
//! One LP over the *cases* — the base problem and every scenario — each a
//! block of its own built by the ordinary model builder ([`crate::model`]),
//! so every feature of SPEC §3 (and §8) applies in every block unchanged.
//! The blocks share only the placement columns `y[a,k] ≥ 0`, one per
//! stockpile position (an ally allowed by the item's `[[stockpile]]`), with
//! `Σ_a y[a,k] ≤ budget_k`. A placed unit adds to the free stock of (a, k)
//! before the case's changes apply, so `y[a,k]` enters each block's
//! first-period balance row of (a, k) with the factor the case's `stock`
//! changes give that position ([`Problem::stock_factor`]). A position without
//! a `supply` entry gets an empty one (stock 0) first, so that it has a node
//! in every block; the case's supply changes select it as they select it in
//! the written placed problem ([`placed_text`]), where it is a real entry.
//!
//! The objective is lexicographic, with the same driver and the same exact
//! holds as `allot solve` ([`crate::solve`]): for each tier g in order,
//! maximise the expected weighted service `Σ_s P(s) · Σ value·u_s` (which
//! minimises the expected weighted shortage) and hold it; last, minimise
//! `Σ cost_k · y + Σ_s P(s) · C(s)`. No leximin step is taken. Cases of
//! probability 0 add nothing to the objective, so they are left out of the
//! LP; their figures come from an ordinary solve of the placed problem.
//!
//! ## Naming
//!
//! [`Plan`] here is a stockpile plan: the placement and what it yields.
//! [`crate::solution::Plan`] is something else, the decisions of one solve
//! (shipments, production, service), indexed like the problem; each case
//! of a stockpile plan has one ([`Case::decisions`]).
//!
//! ## Scale
//!
//! The extensive form has about (number of cases) × the base LP's size; it
//! is built once and refused, before anything is built, when it would pass
//! the size limit (`max_size`). docs/plan.md describes how the same
//! structure maps onto Benders decomposition.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::backend::{Sense, SolverKind};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{Lp, Model, build};
use crate::problem::{Problem, Scenario, Supply, Target};
use crate::solution::{NOISE, Solution, Status};
use crate::solve::{Driver, SolveRequest, SolveStats, plan_from, shortage_slack};
use crate::units::{in_lp_units, lp_unit};
use crate::verify::verify;

mod output;
mod write;

pub use output::{json, table};
pub use write::placed_text;

/// How to plan. Start from [`PlanOptions::default`] (or
/// [`PlanOptions::new`]) and set fields; new options are added without
/// breaking callers (`#[non_exhaustive]`).
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct PlanOptions<'a> {
    /// Which LP backend.
    pub solver: SolverKind,
    /// Called with a short description before each stage (building the
    /// extensive form, each tier, the cost) and after each of its LPs.
    pub progress: Option<&'a (dyn Fn(&str) + Sync)>,
    /// Wall-clock limit of the planning LP's stages (and of each solve of a
    /// case of probability 0); reaching it is [`Error::Solver`].
    pub time_limit: Option<Duration>,
    /// Refuse an extensive form larger than this ([`crate::size`]).
    pub max_size: u64,
}

impl Default for PlanOptions<'_> {
    fn default() -> Self {
        PlanOptions {
            solver: SolverKind::default(),
            progress: None,
            time_limit: None,
            max_size: crate::size::DEFAULT_MAX_SIZE,
        }
    }
}

impl PlanOptions<'_> {
    /// The default options on `solver`.
    pub fn new(solver: SolverKind) -> Self {
        PlanOptions {
            solver,
            ..PlanOptions::default()
        }
    }
}

impl std::fmt::Debug for PlanOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanOptions")
            .field("solver", &self.solver)
            .field("time_limit", &self.time_limit)
            .field("max_size", &self.max_size)
            .finish_non_exhaustive()
    }
}

/// Units placed at one ally (SPEC §12 `placement`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placement {
    /// Ally id.
    pub ally: String,
    /// Item id.
    pub item: String,
    /// Units placed.
    pub units: f64,
}

/// One tier's weighted shortage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierShortage {
    /// Tier name.
    pub tier: String,
    /// Weighted shortage (expected, or of one case).
    pub weighted_shortage: f64,
}

/// The expected figures (SPEC §12 `expected`): the unique, checkable ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expected {
    /// `Σ_s P(s) · SH_g(s)` for every tier, in priority order.
    pub tiers: Vec<TierShortage>,
    /// `Σ cost_k · y + Σ_s P(s) · C(s)`.
    pub cost: f64,
}

/// One case of the plan (SPEC §12 `scenarios[]`): one optimal plan's
/// figures, not unique.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    /// Scenario name, `None` for the base problem.
    pub scenario: Option<String>,
    /// Its probability.
    pub probability: f64,
    /// Weighted shortage of every tier.
    pub tiers: Vec<TierShortage>,
    /// The case's cost `C(s)` (transport and production; the placement's
    /// cost is in the expected cost only).
    pub cost: f64,
}

/// One case with everything known about it (not part of the JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Index into [`Problem::scenarios`], `None` for the base problem.
    pub scenario: Option<usize>,
    /// The case's full result against [`Plan::case_problem`].
    pub solution: Solution,
    /// Its decisions, indexed like [`Plan::case_problem`], for a case the
    /// planning LP decided (`None` for a case of probability 0, solved and
    /// verified on its own).
    pub decisions: Option<crate::solution::Plan>,
}

/// A stockpile plan (SPEC §12).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// Problem name.
    pub problem: String,
    /// `optimal`, or `verification_failed` when some case's decisions
    /// break the placed problem's rules.
    pub status: Status,
    /// Units placed, by item and ally (both in file order); positions with
    /// nothing placed are left out.
    pub placement: Vec<Placement>,
    /// The expected figures.
    pub expected: Expected,
    /// The base problem, then every scenario in file order.
    pub scenarios: Vec<CaseResult>,
    /// Units placed at every stockpile position `(ally, item, units)`, zero
    /// ones too.
    #[serde(skip)]
    pub units: Vec<(usize, usize, f64)>,
    /// Every case in detail, in the order of `scenarios`.
    #[serde(skip)]
    pub cases: Vec<Case>,
    /// LPs solved in all.
    #[serde(skip)]
    pub lp_solves: usize,
}

impl Plan {
    /// The placed problem in the form the cases' decisions are indexed by:
    /// `p` with a supply entry for every stockpile position (appended,
    /// stock 0, where there was none), the placed units added to the
    /// stock. Use [`Plan::case_problem`] for one case.
    pub fn template(&self, p: &Problem) -> Problem {
        with_units(&template(p), &self.units)
    }

    /// The placed problem of one case (`None`: the base), the one its
    /// [`Case::decisions`] are a plan of.
    pub fn case_problem(&self, p: &Problem, scenario: Option<usize>) -> Problem {
        let t = self.template(p);
        match scenario {
            None => t,
            Some(s) => t.with_scenario(&t.scenarios[s]),
        }
    }
}

/// `p` with a `supply` entry for each stockpile position without one (stock
/// 0, nothing else), appended in stockpile and ally order; every change of
/// a supply quantity selects the new entries at the positions it selects,
/// as it would select them in the placed problem's file (so an
/// `export_limit` change of factor 0 keeps placed units at home there too).
pub fn template(p: &Problem) -> Problem {
    placed_with(p, &[], |_| true)
}

/// The placed problem (SPEC §12, the written file): `p` with `units` — `(ally,
/// item, units)` — added to the stock of those supply entries, new entries
/// created where units are placed (and, stock 0, where a `stock` change
/// would otherwise select no entry); no stockpiles, no expectations (they
/// were for the problem before placement).
pub fn placed(p: &Problem, units: &[(usize, usize, f64)]) -> Problem {
    let needed: Vec<(usize, usize)> = p
        .scenarios
        .iter()
        .flat_map(|s| &s.changes)
        .filter(|c| c.target == Target::Stock && c.selected.is_empty())
        .filter(|c| !c.positions.is_empty())
        .flat_map(|c| c.positions.iter().copied())
        .collect();
    let mut q = placed_with(p, units, |(a, k, u)| u > 0.0 || needed.contains(&(a, k)));
    q.stockpiles.clear();
    q.expect = None;
    q
}

/// `p` with entries appended for the positions (with their units) that
/// `create` accepts and the units added to every position's stock.
fn placed_with(
    p: &Problem,
    units: &[(usize, usize, f64)],
    create: impl Fn((usize, usize, f64)) -> bool,
) -> Problem {
    let mut q = p.clone();
    let first_new = q.supply.len();
    for sp in &p.stockpiles {
        for &a in &sp.allies {
            let k = sp.item;
            let u = units
                .iter()
                .find(|&&(b, j, _)| (b, j) == (a, k))
                .map_or(0.0, |x| x.2);
            let has = q.supply.iter().any(|s| (s.ally, s.item) == (a, k));
            if !has && create((a, k, u)) {
                q.supply.push(Supply {
                    ally: a,
                    item: k,
                    stock: 0.0,
                    reserve: 0.0,
                    production: vec![0.0; p.periods],
                    production_cost: 0.0,
                    surge: vec![0.0; p.periods],
                    surge_cost: 0.0,
                    export_limit: vec![f64::INFINITY; p.periods],
                });
            }
        }
    }
    for sc in &mut q.scenarios {
        for c in &mut sc.changes {
            if matches!(c.target, Target::Demand | Target::Lanes) {
                continue;
            }
            for (i, s) in q.supply.iter().enumerate().skip(first_new) {
                if c.positions.contains(&(s.ally, s.item)) {
                    c.selected.push(i);
                }
            }
        }
    }
    with_units(&q, units)
}

/// `p` with `units` added to the stock of the supply entries at those
/// positions (which must exist, or the units are dropped).
fn with_units(p: &Problem, units: &[(usize, usize, f64)]) -> Problem {
    let mut q = p.clone();
    for &(a, k, u) in units {
        if let Some(s) = q.supply.iter_mut().find(|s| (s.ally, s.item) == (a, k)) {
            s.stock += u;
        }
    }
    q
}

/// One block of the extensive form.
struct Block {
    /// Scenario index, `None` for the base.
    scenario: Option<usize>,
    probability: f64,
    /// The case in the LP's units, without placement.
    problem: Problem,
    model: Model,
    col_offset: usize,
}

/// Plans `problem`'s stockpiles (SPEC §12). A problem without
/// `[[stockpile]]` is planned too: nothing is placed, and the expected
/// figures are those of its cases.
pub fn plan(problem: &Problem, opts: &PlanOptions) -> Result<Plan> {
    plan_with_stats(problem, opts).map(|(p, _)| p)
}

/// [`plan`], also returning the planning LP's size, timings and LP counts.
pub fn plan_with_stats(problem: &Problem, opts: &PlanOptions) -> Result<(Plan, SolveStats)> {
    let started = Instant::now();
    let progress = |msg: &str| {
        if let Some(f) = opts.progress {
            f(&format!("{} (plan): {msg}", problem.name));
        }
    };
    let probabilities = problem.probabilities();
    let base = template(problem);
    let cases: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..problem.scenarios.len()).map(Some))
        .collect();
    let scenario_of = |s: Option<usize>| -> Option<&Scenario> { s.map(|i| &base.scenarios[i]) };
    let case_problem = |s: Option<usize>| match scenario_of(s) {
        None => base.clone(),
        Some(sc) => base.with_scenario(sc),
    };

    // The cases in the LP, and the unit it counts quantities in (one for
    // all blocks: they share the placement columns).
    let in_lp: Vec<(Option<usize>, f64, Problem)> = cases
        .iter()
        .zip(&probabilities)
        .filter(|&(_, &pr)| pr > 0.0)
        .map(|(&s, &pr)| (s, pr, case_problem(s)))
        .collect();
    size_guard(problem, &in_lp, opts.max_size)?;
    let largest = |q: &Problem| {
        q.demand
            .iter()
            .flat_map(|d| d.quantity.iter().copied())
            .fold(0.0_f64, f64::max)
    };
    let unit = in_lp
        .iter()
        .max_by(|a, b| largest(&a.2).total_cmp(&largest(&b.2)))
        .map_or(1.0, |(_, _, q)| lp_unit(q));

    progress(&format!(
        "building the extensive form ({} case{})",
        in_lp.len(),
        if in_lp.len() == 1 { "" } else { "s" }
    ));
    let mut lp = Lp::default();
    let mut blocks = Vec::new();
    for (s, pr, q) in in_lp {
        let q = if unit == 1.0 {
            q
        } else {
            in_lp_units(&q, unit)
        };
        let model = build(&q);
        let col_offset = lp.cols.len();
        let tag = match s {
            None => "base".to_string(),
            Some(i) => problem.scenarios[i].name.clone(),
        };
        for c in &model.lp.cols {
            let mut c = c.clone();
            c.name = format!("{tag}:{}", c.name);
            lp.cols.push(c);
        }
        for r in &model.lp.rows {
            let mut r = r.clone();
            r.name = format!("{tag}:{}", r.name);
            for (c, _) in &mut r.coefs {
                *c += col_offset;
            }
            lp.rows.push(r);
        }
        blocks.push(Block {
            scenario: s,
            probability: pr,
            problem: q,
            model,
            col_offset,
        });
    }
    // Block row offsets, for the placement's entries in the balance rows.
    let mut row_offsets = Vec::new();
    let mut r = 0;
    for b in &blocks {
        row_offsets.push(r);
        r += b.model.lp.rows.len();
    }

    // Placement columns and budget rows.
    let mut positions: Vec<(usize, usize, usize)> = Vec::new(); // (ally, item, col)
    let mut cost: Vec<(usize, f64)> = Vec::new();
    for sp in &problem.stockpiles {
        let budget = sp.budget / unit;
        let mut cols = Vec::new();
        for &a in &sp.allies {
            let col = lp.cols.len();
            lp.cols.push(crate::model::Column {
                name: format!(
                    "place[{},{}]",
                    problem.allies[a].id, problem.items[sp.item].id
                ),
                lo: 0.0,
                hi: budget,
            });
            positions.push((a, sp.item, col));
            cols.push((col, 1.0));
            if sp.cost > 0.0 {
                cost.push((col, sp.cost));
            }
        }
        if cols.len() > 1 {
            lp.rows.push(crate::model::Row {
                name: format!("budget[{}]", problem.items[sp.item].id),
                coefs: cols,
                lo: f64::NEG_INFINITY,
                hi: budget,
            });
        }
    }
    for (b, &ro) in blocks.iter().zip(&row_offsets) {
        let sc = scenario_of(b.scenario);
        for &(a, k, col) in &positions {
            let f = base.stock_factor(sc, a, k);
            if f == 0.0 {
                continue;
            }
            if let Some(&row) = b.model.stock_rows.get(&(a, k)) {
                lp.rows[ro + row].coefs.push((col, -f));
            }
        }
    }

    // Objectives: expected weighted service per tier, expected cost.
    let tiers = problem.tiers.len();
    let mut served: Vec<Vec<(usize, f64)>> = vec![Vec::new(); tiers];
    let mut weighted_demand = vec![0.0; tiers];
    for b in &blocks {
        for g in 0..tiers {
            served[g].extend(
                b.model.tier_served[g]
                    .iter()
                    .map(|&(c, v)| (c + b.col_offset, b.probability * v)),
            );
            weighted_demand[g] += b.probability * b.model.tier_weighted_demand[g];
        }
        cost.extend(
            b.model
                .cost
                .iter()
                .map(|&(c, v)| (c + b.col_offset, b.probability * v)),
        );
    }

    let mut stats = SolveStats {
        columns: lp.cols.len(),
        rows: lp.rows.len(),
        build_seconds: started.elapsed().as_secs_f64(),
        stages: Vec::new(),
        parts: 1,
        face_fixed: 0,
        face_fallbacks: 0,
        marginal_unchanged: 0,
        warm_started: 0,
    };
    progress(&format!(
        "extensive form {} columns × {} rows built in {:.1}s",
        stats.columns, stats.rows, stats.build_seconds
    ));
    let backend = opts.solver.backend();
    let mut session = backend.open(&lp);
    let label = format!("{} (plan)", problem.name);
    session.set_deadline(opts.time_limit.map(|l| Instant::now() + l));
    let values = {
        let mut d = Driver::new(
            session,
            label.clone(),
            opts.solver,
            &mut stats,
            opts.progress,
            opts.time_limit,
        );
        let mut last = None;
        // The hold rows added so far (after the LP's own rows), and every
        // column's bounds as they stand.
        let mut held: Vec<Vec<(usize, f64)>> = Vec::new();
        let mut bounds: Vec<(f64, f64)> = lp.cols.iter().map(|c| (c.lo, c.hi)).collect();
        for (g, tier) in problem.tiers.iter().enumerate() {
            if served[g].is_empty() {
                continue;
            }
            d.stage(format!("{tier}: expected shortage"), 2 * g);
            pick_method(&mut d);
            let out = d.solve(Sense::Maximise, &served[g])?;
            let best = out.objective;
            let slack = shortage_slack(best, weighted_demand[g], &served[g]);
            d.hold_at_least(
                &served[g],
                best,
                slack,
                &format!("hold_expected_shortage[{tier}]"),
            );
            if let Some(duals) = &out.row_duals {
                let fixed = fix_by_reduced_costs(
                    &mut d,
                    &lp,
                    &held,
                    &mut bounds,
                    &served[g],
                    duals,
                    &out.values,
                );
                progress(&format!(
                    "{tier}: {fixed} columns fixed at their bounds by their reduced costs"
                ));
            }
            held.push(served[g].clone());
            last = Some(out);
        }
        d.stage("expected cost".into(), 2 * tiers);
        pick_method(&mut d);
        if !cost.is_empty() || last.is_none() {
            last = Some(d.solve(Sense::Minimise, &cost)?);
        }
        last.map(|o| o.values).unwrap_or_default()
    };
    let lp_solves = stats.lp_solves();

    // The placement, back in the problem's units.
    let noise = NOISE * unit;
    let units: Vec<(usize, usize, f64)> = positions
        .iter()
        .map(|&(a, k, col)| {
            // Rounded to the digits reports show, so that the placed
            // problem's written file states it exactly.
            let u = values.get(col).copied().unwrap_or(0.0).max(0.0) * unit;
            (
                a,
                k,
                if u < noise {
                    0.0
                } else {
                    crate::report::round(u)
                },
            )
        })
        .collect();
    let placed_template = with_units(&base, &units);
    let case_of = |s: Option<usize>| match s {
        None => placed_template.clone(),
        Some(i) => placed_template.with_scenario(&placed_template.scenarios[i]),
    };

    // Each case: from its block, or solved on its own (probability 0).
    let mut detailed: Vec<Case> = Vec::new();
    let zero: Vec<Option<usize>> = cases
        .iter()
        .zip(&probabilities)
        .filter(|&(_, &pr)| pr <= 0.0)
        .map(|(&s, _)| s)
        .collect();
    let mut solved_zero = std::collections::HashMap::new();
    if !zero.is_empty() {
        for &s in &zero {
            let case = case_of(s);
            let name = s.map(|i| problem.scenarios[i].name.clone());
            progress(&format!(
                "{} (probability 0): solved with the placement",
                name.as_deref().unwrap_or("base")
            ));
            let mut request = SolveRequest::new(&case).solver(opts.solver);
            if let Some(f) = opts.progress {
                request = request.progress(f);
            }
            if let Some(limit) = opts.time_limit {
                request = request.time_limit(limit);
            }
            let mut solution = request.run()?.solution;
            solution.scenario = name;
            solved_zero.insert(s, solution);
        }
    }
    let mut lp_total = lp_solves;
    for &s in &cases {
        let name = s.map(|i| problem.scenarios[i].name.as_str());
        let block = blocks.iter().find(|b| b.scenario == s);
        let case = match (block, solved_zero.remove(&s)) {
            (Some(b), _) => {
                let ncols = b.model.lp.cols.len();
                let vals = &values[b.col_offset..b.col_offset + ncols];
                let d = plan_from(&b.problem, &b.model, vals);
                let d = if unit == 1.0 { d } else { d.in_units_of(unit) };
                let case = case_of(s);
                let verification = verify(&case, &d);
                let solution = Solution::from_plan(&case, name, &d, verification, lp_solves);
                Case {
                    scenario: s,
                    solution,
                    decisions: Some(d),
                }
            }
            (None, Some(solution)) => {
                lp_total += solution.lp_solves;
                Case {
                    scenario: s,
                    solution,
                    decisions: None,
                }
            }
            (None, None) => {
                return Err(Error::usage(
                    "internal error: a case was neither in the planning LP nor solved on its own",
                ));
            }
        };
        detailed.push(case);
    }

    // Figures.
    let clean = |x: f64| if x.abs() < noise { 0.0 } else { x };
    let placement_cost: f64 = problem
        .stockpiles
        .iter()
        .map(|sp| {
            sp.cost
                * units
                    .iter()
                    .filter(|u| u.1 == sp.item)
                    .map(|u| u.2)
                    .sum::<f64>()
        })
        .sum();
    let mut expected_tiers = vec![0.0; tiers];
    let mut expected_cost = placement_cost;
    let mut results = Vec::new();
    for (c, &pr) in detailed.iter().zip(&probabilities) {
        for (g, t) in c.solution.tiers.iter().enumerate() {
            expected_tiers[g] += pr * t.weighted_shortage;
        }
        expected_cost += pr * c.solution.cost.total;
        results.push(CaseResult {
            scenario: c.solution.scenario.clone(),
            probability: pr,
            tiers: c
                .solution
                .tiers
                .iter()
                .map(|t| TierShortage {
                    tier: t.tier.clone(),
                    weighted_shortage: t.weighted_shortage,
                })
                .collect(),
            cost: c.solution.cost.total,
        });
    }
    let status = if detailed.iter().all(|c| c.solution.verification.ok) {
        Status::Optimal
    } else {
        Status::VerificationFailed
    };
    let mut placed_units: Vec<&(usize, usize, f64)> = units.iter().filter(|u| u.2 > 0.0).collect();
    placed_units.sort_by_key(|u| (u.1, u.0));
    let placement = placed_units
        .into_iter()
        .map(|&(a, k, u)| Placement {
            ally: problem.allies[a].id.clone(),
            item: problem.items[k].id.clone(),
            units: u,
        })
        .collect();
    let plan = Plan {
        problem: problem.name.clone(),
        status,
        placement,
        expected: Expected {
            tiers: problem
                .tiers
                .iter()
                .zip(&expected_tiers)
                .map(|(t, &v)| TierShortage {
                    tier: t.clone(),
                    weighted_shortage: clean(v.max(0.0)),
                })
                .collect(),
            cost: clean(expected_cost),
        },
        scenarios: results,
        units,
        cases: detailed,
        lp_solves: lp_total,
    };
    Ok((plan, stats))
}

/// After a tier's stage: fixes every column whose reduced cost in the
/// stage's optimum is clearly non-zero at the bound it sits on, and returns
/// how many. Every optimal plan of the stage satisfies complementary
/// slackness with the stage's optimal duals, so such a column is at that
/// bound in every plan that keeps the stage's optimum: fixing it is exact
/// (the stage's hold row stays, for the columns whose reduced costs are
/// too small to tell). Later stages then solve over far fewer columns — the
/// extensive form has no leximin to freeze tiers with, and its hold rows,
/// dense across all cases, make it highly degenerate otherwise.
///
/// Reduced costs are `c − Aᵀπ` over the LP's rows and the hold rows added
/// so far (`held`), with the duals `π` of the maximisation; the sign
/// convention is read off the vertex (dual feasibility).
fn fix_by_reduced_costs(
    d: &mut Driver,
    lp: &Lp,
    held: &[Vec<(usize, f64)>],
    bounds: &mut [(f64, f64)],
    objective: &[(usize, f64)],
    duals: &[f64],
    values: &[f64],
) -> usize {
    let n = bounds.len();
    let mut rc = vec![0.0; n];
    for &(c, v) in objective {
        rc[c] += v;
    }
    let rows = lp.rows.iter().map(|r| &r.coefs).chain(held.iter());
    for (coefs, &pi) in rows.zip(duals) {
        if pi == 0.0 {
            continue;
        }
        for &(c, a) in coefs {
            rc[c] -= a * pi;
        }
    }
    let scale = objective.iter().fold(0.0_f64, |m, &(_, v)| m.max(v.abs()));
    let threshold = REDUCED_COST * scale.max(1e-12);
    let at = |v: f64, b: f64| b.is_finite() && (v - b).abs() <= 1e-9 * b.abs().max(1.0);
    // Dual feasibility of a maximisation: at a lower bound the reduced
    // cost is ≤ 0, at an upper bound ≥ 0. If the backend's duals have the
    // other sign, most clear reduced costs say so.
    let (mut agree, mut disagree) = (0usize, 0usize);
    for j in 0..n {
        let (lo, hi) = bounds[j];
        if lo == hi {
            continue;
        }
        let v = values[j];
        if at(v, lo) && rc[j] < -threshold || at(v, hi) && rc[j] > threshold {
            agree += 1;
        } else if at(v, lo) && rc[j] > threshold || at(v, hi) && rc[j] < -threshold {
            disagree += 1;
        }
    }
    let sign = if disagree > agree { -1.0 } else { 1.0 };
    let mut fixed = 0;
    for j in 0..n {
        let (lo, hi) = bounds[j];
        if lo == hi {
            continue;
        }
        let (v, r) = (values[j], sign * rc[j]);
        let target = if at(v, lo) && r < -threshold {
            lo
        } else if at(v, hi) && r > threshold {
            hi
        } else {
            continue;
        };
        d.hold_fixed(j, target);
        bounds[j] = (target, target);
        fixed += 1;
    }
    fixed
}

/// A reduced cost larger than this, relative to the stage's largest
/// objective coefficient, is taken as non-zero ([`fix_by_reduced_costs`]):
/// far above HiGHS's dual feasibility tolerance (1e-7).
const REDUCED_COST: f64 = 1e-6;

/// Every stage's objective is new and its earlier optima are held by rows:
/// solved from scratch with presolve (which removes the columns fixed by
/// [`fix_by_reduced_costs`]). Measured on the planning benchmark (30×6×12
/// with 8 scenarios, HiGHS, a loaded 2-core machine): the essential stage
/// had not finished after 120 s with interior point nor after 290 s with
/// primal or dual simplex held by the row alone. Again on 2026-12-04: this
/// way 158 s (load 6–7); restricted to the critical stage's optimal face
/// instead of the hold row (the solve driver's optimal faces and watches: the
/// same 14 688 columns fixed, no row), 242 s with this method and 230 s
/// with interior point (load 10–11) — no gain, so not kept. One case's
/// essential LP alone takes 0.9 s: the extensive form's size, not its
/// method, is what costs (docs/plan.md, "When to build it").
fn pick_method(d: &mut Driver) {
    d.set_method(crate::backend::Method::Cold);
}

/// Refuses an extensive form beyond `max_size` ([`crate::size`]): the sum
/// of its blocks' estimates.
fn size_guard(
    problem: &Problem,
    blocks: &[(Option<usize>, f64, Problem)],
    max_size: u64,
) -> Result<()> {
    let mut total = crate::size::Estimate::default();
    for (_, _, q) in blocks {
        let e = crate::size::estimate(q);
        total.variables += e.variables;
        total.rows += e.rows;
        total.nonzeros += e.nonzeros;
        total.values += e.values;
    }
    if total.size() <= max_size {
        return Ok(());
    }
    let cause = format!(
        "the planning LP over the base problem and {} scenario{} (one block each)",
        blocks.len().saturating_sub(1),
        if blocks.len() == 2 { "" } else { "s" }
    );
    let message = format!(
        "the problem is too large to plan: {cause} would have about {} variables, {} rows and {} non-zeros, beyond the limit of {}",
        total.variables, total.rows, total.nonzeros, max_size
    );
    let diagnostic = Diagnostic::at(
        std::path::Path::new(&problem.name),
        "",
        None,
        "scenarios",
        message,
    );
    Err(Error::too_large(
        &total,
        max_size,
        cause,
        crate::error::SizeRemedy::FewerPlanCases,
        diagnostic,
    ))
}
