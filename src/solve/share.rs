//! What sharing is worth: the guarantee that no ally ends worse off than
//! alone (SPEC §9), the comparisons with going alone and with fairness
//! `"none"` (SPEC §10), and the marginal value of more units of stock
//! (SPEC §11).
//!
//! ## The alone problem
//!
//! The *alone* problem of `p` is `p` with every lane closed
//! ([`alone_problem`]). Without lanes every row of the LP of SPEC §3 lives
//! at one stock node (ally, item), so it falls into one independent part
//! per node ([`crate::components`]), each a handful of columns; they are
//! solved in parallel like any other parts. Its per-ally weighted shortages
//! `A[a,g]` are unique: each node's tier shortages are its own
//! lexicographic optimum, and `A[a,g]` sums the nodes of ally `a`.
//!
//! ## The guarantee
//!
//! Under `guarantee = "alone"` the solve first solves the alone problem,
//! then adds one [`ShortageCap`] per (ally, tier with demand) with the cap
//! `A[a,g]`, and solves SPEC §4 with those rows ([`crate::model`]). A cap
//! joins the ally's demand nodes of that tier into one part
//! ([`crate::components::split`]), so a guaranteed problem splits no finer
//! than its rows allow. The verifier checks every cap against the plan
//! ([`crate::verify`]).
//!
//! ## Marginal values
//!
//! For each (ally, item) the problem with `N` more units of free stock
//! there is re-solved, but only where it can differ: the extra units sit
//! at one stock node, which belongs to at most one part of the changed
//! problem (the parts of a problem depend only on which entries, lanes and
//! caps exist, not on their numbers, and a new supply entry joins nothing).
//! The full solve of the changed problem is the optimum of each of its parts
//! side by side (see [`crate::components`]); every other part is the same
//! subproblem as in the base problem, so its optimum — its tier shortages
//! and its cost, which are unique — is the base plan's there. So the
//! changed problem's optimum is the base plan with the one part re-solved,
//! and when the node is in no part with demand, it is the base plan
//! itself: the gains and the cost change are then exactly 0 (the units
//! reach no demand, and costs are never negative). Under the guarantee
//! the changed problem's own alone values are used: the alone problem
//! splits by node, so only the node that got the units is re-solved
//! alone, and its caps follow.
//!
//! A part is not re-solved either when the base plan proves that the
//! units change nothing ([`surplus_everywhere`]): the node, its item not
//! reusable, keeps free stock in every period. Its free-stock columns
//! `f_t ≥ 0` then sit above zero in an optimal plan `x*` of every LP of the
//! lexicographic sequence (each tier's shortage, each leximin round
//! `max z` and check `max Σ fill` with the earlier optima held, the cost):
//! `x*` keeps every hold and reaches every optimum. No objective and no
//! hold has an `f_t` term, and `f_t` appears only in the node's balance
//! rows of periods `t` (coefficient 1) and `t + 1` (−1), so by
//! complementary slackness every optimal dual `y` of each of those LPs has
//! `y_t = y_{t+1}` and `y_T = 0`: the first period's balance row, whose
//! right-hand side gets the units, has `y_1 = 0`. The dual stays feasible
//! when a right-hand side moves, so by weak duality the LP's optimum with
//! `N` more units is at most (for a maximum; at least, for the cost) the
//! base optimum plus `N·y_1`, the base optimum; and `x*` with `N` more in
//! every `f_t` is feasible there, so the optimum is the base one, for any
//! `N`. Stage by stage, then, the changed problem's LPs are the base LPs
//! with the same held values: every tier's shortage, every leximin level
//! and blocked set (a blocked pair's check keeps its optimum; a pair that
//! could rise still can) and the cost are the base's, and so are the
//! entry's numbers: every gain and the cost change 0. Under the guarantee
//! the shortcut is taken only when the node's re-solved alone values are
//! the base's to the bit, so that the caps are unchanged too. "Above zero"
//! means above [`SURPLUS`], ten times the solvers' feasibility tolerance.
//!
//! A re-solve's cold LPs (each tier's shortage, the cost) start from the
//! base solve's optimal bases of the same objectives where the backend
//! can (HiGHS), which changes where simplex starts and no number (the
//! `warm` module of [`crate::solve`]; [`crate::solve::Tuning::warm_start`]).
//!
//! `tests/integration/share.rs` compares every entry with a full re-solve
//! of the changed problem, the entries with and without the shortcut
//! ([`crate::solve::Tuning::marginal_shortcuts`]), and warm-started
//! re-solves with cold ones.

use std::time::Instant;

use rayon::prelude::*;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::components::split;
use crate::error::{Error, Result};
use crate::problem::{Fairness, Guarantee, Problem, ShortageCap, Supply};
use crate::solution::{Plan, Solution};
use crate::solve::warm::Warm;
use crate::solve::{
    SolveOptions, SolveStats, StageStat, Tuning, WarmStarts, merge_part, solution_of,
    solve_one_part, solve_plan,
};

/// Which baselines a solve adds to its result (SPEC §10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompareWith {
    /// `alone`: the alone problem (every lane closed).
    pub alone: bool,
    /// `none`: the same problem with `fairness = "none"`.
    pub none: bool,
}

impl CompareWith {
    /// The baselines' names.
    pub const NAMES: [&'static str; 2] = ["alone", "none"];

    /// Parses `alone`, `none` or `alone,none` (either order). An unknown,
    /// empty or repeated name is an error that names the valid ones.
    pub fn parse(s: &str) -> std::result::Result<CompareWith, String> {
        let mut with = CompareWith::default();
        for name in s.split(',') {
            let seen = match name.trim() {
                "alone" => std::mem::replace(&mut with.alone, true),
                "none" => std::mem::replace(&mut with.none, true),
                other => {
                    let hint = crate::diagnostic::did_you_mean(other, Self::NAMES)
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    return Err(format!(
                        "unknown comparison `{other}`; {hint}write `alone`, `none` or `alone,none`"
                    ));
                }
            };
            if seen {
                return Err(format!(
                    "`{}` is named twice; write `alone`, `none` or `alone,none`",
                    name.trim()
                ));
            }
        }
        Ok(with)
    }

    /// Whether any baseline is asked for.
    pub fn any(self) -> bool {
        self.alone || self.none
    }
}

/// `compare` in a result (SPEC §10): the baselines asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compare {
    /// Against the alone problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alone: Option<CompareAlone>,
    /// Against fairness `"none"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub none: Option<CompareNone>,
}

/// `compare.alone` (SPEC §10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareAlone {
    /// Every tier in priority order: the alone problem's weighted shortage
    /// and the gain, alone − shared.
    pub tiers: Vec<AloneTier>,
    /// The alone problem's total cost (its SPEC §4 optimum).
    pub cost: f64,
    /// Every (ally, tier) with demand, allies in file order, then tiers.
    pub allies: Vec<AllyGain>,
    /// Allies with a negative gain in some tier, in file order.
    pub worse_off: Vec<String>,
    /// Whether the shared per-ally figures (`allies[].weighted_shortage`,
    /// their gains, `worse_off`) are unique: true under leximin; under
    /// `fairness = "none"` they are one optimal plan's (SPEC §10).
    pub allies_unique: bool,
}

/// One tier of [`CompareAlone::tiers`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AloneTier {
    /// Tier name.
    pub tier: String,
    /// The alone problem's weighted shortage of the tier.
    pub weighted_shortage: f64,
    /// Alone − shared.
    pub gain: f64,
}

/// One (ally, tier) of [`CompareAlone::allies`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllyGain {
    /// Ally id.
    pub ally: String,
    /// Tier name.
    pub tier: String,
    /// The ally's weighted shortage in the tier, in the shared plan.
    pub weighted_shortage: f64,
    /// The same alone, `A[a,g]`.
    pub alone: f64,
    /// Alone − shared.
    pub gain: f64,
}

/// `compare.none` (SPEC §10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareNone {
    /// Total cost with `fairness = "none"` (any guarantee kept).
    pub cost: f64,
    /// This result's cost minus `cost`. It can be negative: leximin holds
    /// each tier's fill rates for the later tiers, which can leave them a
    /// larger shortage and a smaller cost.
    pub price_of_fairness: f64,
    /// The weighted shortage of every tier with `fairness = "none"`: the
    /// first tier's is this result's; later ones can be smaller.
    pub tiers: Vec<NoneTier>,
}

/// One tier of [`CompareNone::tiers`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoneTier {
    /// Tier name.
    pub tier: String,
    /// Its weighted shortage with `fairness = "none"`.
    pub weighted_shortage: f64,
}

/// One entry of `marginal` (SPEC §11).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marginal {
    /// Ally id.
    pub ally: String,
    /// Item id.
    pub item: String,
    /// Units of free stock added.
    pub units: f64,
    /// Per tier, in priority order: SH_g(problem) − SH_g(with the units).
    pub gain: TierValues,
    /// C(with the units) − C(problem).
    pub cost_change: f64,
}

/// Numbers by tier name, kept in tier order; a JSON object
/// `{"critical": 3.0, ...}`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TierValues(pub Vec<(String, f64)>);

impl TierValues {
    /// The value of tier `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(t, _)| t == name).map(|&(_, v)| v)
    }
}

impl Serialize for TierValues {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for TierValues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<TierValues, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TierValues;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of numbers by tier")
            }
            fn visit_map<M: MapAccess<'de>>(
                self,
                mut m: M,
            ) -> std::result::Result<TierValues, M::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, f64>()? {
                    out.push((k, v));
                }
                Ok(TierValues(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// An ally counts as worse off in a tier when its gain is below this
/// times max(1, |alone|) below zero (SPEC §10).
pub const WORSE_OFF: f64 = 1e-6;

/// A difference of two optima smaller than this times max(1, |either|) is
/// reported as 0: it is the solvers' round-off, far inside SPEC §6's 1e-6.
pub const SAME: f64 = 1e-9;

/// `a − b`, or 0 when they differ by round-off only ([`SAME`]).
pub fn difference(a: f64, b: f64) -> f64 {
    let d = a - b;
    if d.abs() <= SAME * a.abs().max(b.abs()).max(1.0) {
        0.0
    } else {
        d
    }
}

/// `p` with every lane closed (SPEC §9): each ally keeps its own stock,
/// reserve, production and surge. It has no scenarios, guarantee or caps.
pub fn alone_problem(p: &Problem) -> Problem {
    let mut q = p.clone();
    q.lanes.clear();
    q.scenarios.clear();
    q.guarantee = Guarantee::None;
    q.caps.clear();
    q.expect = None;
    q
}

/// The weighted shortage `value · (demand − served)` of every demand
/// entry of `p` in `plan`, in the order of [`Problem::demand`].
pub fn entry_shortages(p: &Problem, plan: &Plan) -> Vec<f64> {
    p.demand
        .iter()
        .zip(&plan.served)
        .map(|(d, served)| {
            let short: f64 = d.quantity.iter().sum::<f64>() - served.iter().sum::<f64>();
            p.items[d.item].value * short.max(0.0)
        })
        .collect()
}

/// Every (ally, tier) with demand, allies in file order, then tiers, with
/// the sum of `values` (one per demand entry) over its entries.
pub fn by_ally_and_tier(p: &Problem, values: &[f64]) -> Vec<(usize, usize, f64)> {
    let g_len = p.tiers.len();
    let mut sum = vec![0.0; p.allies.len() * g_len];
    let mut has = vec![false; p.allies.len() * g_len];
    for (d, v) in p.demand.iter().zip(values) {
        if d.quantity.iter().sum::<f64>() > 0.0 {
            sum[d.ally * g_len + d.tier] += v;
            has[d.ally * g_len + d.tier] = true;
        }
    }
    (0..p.allies.len())
        .flat_map(|a| (0..g_len).map(move |g| (a, g)))
        .filter(|&(a, g)| has[a * g_len + g])
        .map(|(a, g)| (a, g, sum[a * g_len + g]))
        .collect()
}

/// The caps of SPEC §9 from the alone problem's entry shortages
/// ([`entry_shortages`] of its plan): one per (ally, tier with demand).
pub fn caps(p: &Problem, alone_entries: &[f64]) -> Vec<ShortageCap> {
    by_ally_and_tier(p, alone_entries)
        .into_iter()
        .map(|(ally, tier, cap)| ShortageCap { ally, tier, cap })
        .collect()
}

/// The alone problem of a solve, solved.
struct Alone {
    /// Its result (tiers and cost are the alone optimum).
    solution: Solution,
    /// Weighted shortage of every demand entry alone.
    entries: Vec<f64>,
    stats: SolveStats,
}

fn verified(s: &Solution, label: &str) -> Result<()> {
    if s.verification.ok {
        return Ok(());
    }
    Err(Error::Verification {
        problem: label.to_string(),
        // The label names the scenario and the variant solved.
        run: crate::error::VerifiedRun::Solve { scenario: None },
        detail: s.verification.worst.clone(),
        violation: s.verification.max_violation,
        tolerance: crate::verify::TOLERANCE,
    })
}

fn solve_alone(
    p: &Problem,
    label: &str,
    opts: &SolveOptions,
    tuning: Tuning,
    deadline: Option<Instant>,
) -> Result<Alone> {
    let q = alone_problem(p);
    let label = format!("{label} (alone)");
    let (plan, stats) = solve_plan(&q, &label, opts, tuning, deadline, Warm::Off)?;
    let solution = solution_of(&q, None, &plan, &stats);
    verified(&solution, &label)?;
    let entries = entry_shortages(&q, &plan);
    Ok(Alone {
        solution,
        entries,
        stats,
    })
}

/// A stage line of the statistics that sums another solve's LPs and
/// seconds.
fn summary_stage(name: &str, stats: &SolveStats, order: usize) -> StageStat {
    StageStat {
        name: name.to_string(),
        lps: stats.lp_solves(),
        seconds: stats.stages.iter().map(|s| s.seconds).sum::<f64>() + stats.build_seconds,
        order,
    }
}

/// Solves `p`, a problem with its scenario (if any) applied, with the
/// guarantee, comparisons and marginal values that `p` and `opts` ask for.
pub(crate) fn solve_applied(
    p: &Problem,
    scenario: Option<&str>,
    label: &str,
    opts: &SolveOptions,
    tuning: Tuning,
    deadline: Option<Instant>,
) -> Result<(Solution, SolveStats)> {
    let guaranteed = p.guarantee == Guarantee::Alone;
    if !guaranteed && !opts.compare.any() && opts.marginal.is_none() {
        let (plan, stats) = solve_plan(p, label, opts, tuning, deadline, Warm::Off)?;
        return Ok((solution_of(p, scenario, &plan, &stats), stats));
    }
    let alone = if guaranteed || opts.compare.alone {
        Some(solve_alone(p, label, opts, tuning, deadline)?)
    } else {
        None
    };
    let shared_p = with_caps(p, alone.as_ref().map(|a| a.entries.as_slice()));
    // With `--marginal`, the shared solve records its cold solves' bases
    // for the re-solves to start from (see the `warm` module).
    let starts = WarmStarts::default();
    let record = if opts.marginal.is_some() && tuning.warm_start {
        Warm::Record(&starts)
    } else {
        Warm::Off
    };
    let shared = || solve_plan(&shared_p, label, opts, tuning, deadline, record);
    // The same problem with fairness "none" (its guarantee kept), beside
    // the shared solve; a problem without fairness is its own baseline.
    let none_p = (opts.compare.none && p.fairness != Fairness::None).then(|| {
        let mut q = shared_p.clone();
        q.fairness = Fairness::None;
        q
    });
    let none_label = format!("{label} (fairness none)");
    let none = || {
        none_p
            .as_ref()
            .map(|q| solve_plan(q, &none_label, opts, tuning, deadline, Warm::Off))
            .transpose()
    };
    let (shared, none) = if tuning.parallel {
        rayon::join(shared, none)
    } else {
        (shared(), none())
    };
    let (plan, mut stats) = shared?;
    let none = none?;
    let mut solution = solution_of(&shared_p, scenario, &plan, &stats);
    solution.guarantee = p.guarantee;
    let order = 2 * p.tiers.len() + 1;
    let mut compare = Compare {
        alone: None,
        none: None,
    };
    if let Some(a) = &alone {
        stats.stages.push(summary_stage("alone", &a.stats, order));
        if opts.compare.alone {
            compare.alone = Some(compare_alone(p, &plan, &solution, a));
        }
    }
    if opts.compare.none {
        let baseline = match (&none, &none_p) {
            (Some((none_plan, none_stats)), Some(q)) => {
                let s = solution_of(q, scenario, none_plan, none_stats);
                verified(&s, &none_label)?;
                stats
                    .stages
                    .push(summary_stage("compare: fairness none", none_stats, order));
                s
            }
            _ => solution.clone(),
        };
        compare.none = Some(CompareNone {
            cost: baseline.cost.total,
            price_of_fairness: difference(solution.cost.total, baseline.cost.total),
            tiers: baseline
                .tiers
                .iter()
                .map(|t| NoneTier {
                    tier: t.tier.clone(),
                    weighted_shortage: t.weighted_shortage,
                })
                .collect(),
        });
    }
    if opts.compare.any() {
        solution.compare = Some(compare);
    }
    if let Some(units) = opts.marginal {
        let started = Instant::now();
        let base = Base {
            p,
            plan: &plan,
            solution: &solution,
            // The re-solves take the changed problem's alone values only
            // under the guarantee (a comparison does not re-solve them).
            alone: alone
                .as_ref()
                .filter(|_| guaranteed)
                .map(|a| a.entries.as_slice()),
            warm: match record {
                Warm::Record(starts) => Warm::From(starts),
                _ => Warm::Off,
            },
        };
        let (entries, lps, unchanged, warm_started) =
            marginal(&base, units, label, opts, tuning, deadline)?;
        stats.marginal_unchanged = unchanged;
        stats.warm_started = warm_started;
        stats.stages.push(StageStat {
            name: "marginal".into(),
            lps,
            seconds: started.elapsed().as_secs_f64(),
            order,
        });
        solution.marginal = Some(entries);
    }
    solution.lp_solves = stats.lp_solves();
    Ok((solution, stats))
}

/// `p` with the caps of SPEC §9 from the alone entry shortages, when its
/// guarantee asks for them.
fn with_caps(p: &Problem, alone_entries: Option<&[f64]>) -> Problem {
    let mut q = p.clone();
    if p.guarantee == Guarantee::Alone
        && let Some(entries) = alone_entries
    {
        q.caps = caps(p, entries);
    }
    q
}

fn compare_alone(p: &Problem, plan: &Plan, shared: &Solution, alone: &Alone) -> CompareAlone {
    let tiers = p
        .tiers
        .iter()
        .zip(&alone.solution.tiers)
        .zip(&shared.tiers)
        .map(|((tier, a), s)| AloneTier {
            tier: tier.clone(),
            weighted_shortage: a.weighted_shortage,
            gain: difference(a.weighted_shortage, s.weighted_shortage),
        })
        .collect();
    let shared_entries = entry_shortages(p, plan);
    let alone_by = by_ally_and_tier(p, &alone.entries);
    let shared_by = by_ally_and_tier(p, &shared_entries);
    let mut allies = Vec::new();
    let mut worse = vec![false; p.allies.len()];
    for (&(a, g, alone_v), &(_, _, shared_v)) in alone_by.iter().zip(&shared_by) {
        let gain = difference(alone_v, shared_v);
        if gain < -WORSE_OFF * alone_v.abs().max(1.0) {
            worse[a] = true;
        }
        allies.push(AllyGain {
            ally: p.allies[a].id.clone(),
            tier: p.tiers[g].clone(),
            weighted_shortage: clean(shared_v),
            alone: clean(alone_v),
            gain,
        });
    }
    CompareAlone {
        tiers,
        cost: alone.solution.cost.total,
        allies,
        worse_off: p
            .allies
            .iter()
            .zip(worse)
            .filter(|(_, w)| *w)
            .map(|(a, _)| a.id.clone())
            .collect(),
        allies_unique: p.fairness == Fairness::Leximin,
    }
}

/// A weighted shortage with round-off below zero removed.
fn clean(x: f64) -> f64 {
    if x.abs() <= SAME { 0.0 } else { x }
}

/// What the marginal re-solves start from.
struct Base<'a> {
    /// The problem, its scenario applied, without caps.
    p: &'a Problem,
    /// The solved plan of `shared_p`.
    plan: &'a Plan,
    /// Its result.
    solution: &'a Solution,
    /// Under the guarantee: the alone entry shortages.
    alone: Option<&'a [f64]>,
    /// The base solve's bases, to start the re-solves from.
    warm: Warm<'a>,
}

/// `p` with `units` more units of free stock of `item` at `ally`, and the
/// index of the supply entry that holds them (created at the end when
/// there is none, with nothing else).
pub fn with_units(p: &Problem, ally: usize, item: usize, units: f64) -> (Problem, usize) {
    let mut q = p.clone();
    match q
        .supply
        .iter()
        .position(|s| s.ally == ally && s.item == item)
    {
        Some(i) => {
            q.supply[i].stock += units;
            (q, i)
        }
        None => {
            let t = p.periods;
            q.supply.push(Supply {
                ally,
                item,
                stock: units,
                reserve: 0.0,
                production: vec![0.0; t],
                production_cost: 0.0,
                surge: vec![0.0; t],
                surge_cost: 0.0,
                export_limit: vec![f64::INFINITY; t],
            });
            let i = q.supply.len() - 1;
            (q, i)
        }
    }
}

/// The marginal entries of SPEC §11, in file order (allies, then items),
/// the LPs they took, how many were answered without a re-solve, and how
/// many of their LPs started from the base solve's basis.
fn marginal(
    base: &Base,
    units: f64,
    label: &str,
    opts: &SolveOptions,
    tuning: Tuning,
    deadline: Option<Instant>,
) -> Result<(Vec<Marginal>, usize, usize, usize)> {
    let p = base.p;
    let pairs: Vec<(usize, usize)> = (0..p.allies.len())
        .flat_map(|a| (0..p.items.len()).map(move |k| (a, k)))
        .collect();
    let one =
        |&(a, k): &(usize, usize)| one_marginal(base, a, k, units, label, opts, tuning, deadline);
    let results: Vec<Result<(Marginal, Resolved)>> = if tuning.parallel {
        pairs.par_iter().map(one).collect()
    } else {
        pairs.iter().map(one).collect()
    };
    let mut entries = Vec::new();
    let mut lps = 0;
    let mut unchanged = 0;
    let mut warm_started = 0;
    for r in results {
        let (m, how) = r?;
        entries.push(m);
        lps += how.lps;
        unchanged += usize::from(how.unchanged);
        warm_started += how.warm_started;
    }
    Ok((entries, lps, unchanged, warm_started))
}

/// How one marginal entry was found.
struct Resolved {
    /// LPs solved.
    lps: usize,
    /// Answered from the base plan ([`surplus_everywhere`]).
    unchanged: bool,
    /// LPs started from the base solve's basis.
    warm_started: usize,
}

#[allow(clippy::too_many_arguments)]
fn one_marginal(
    base: &Base,
    a: usize,
    k: usize,
    units: f64,
    label: &str,
    opts: &SolveOptions,
    tuning: Tuning,
    deadline: Option<Instant>,
) -> Result<(Marginal, Resolved)> {
    let p = base.p;
    let (mut with, s) = with_units(p, a, k, units);
    let label = format!("{label} (+{units} {} at {})", p.items[k].id, p.allies[a].id);
    let mut lps = 0;
    let mut caps_same = true;
    if let Some(alone) = base.alone {
        // The alone problem splits by node: only (a, k) changes.
        let mut entries = alone.to_vec();
        let node: Vec<usize> = (0..with.demand.len())
            .filter(|&i| with.demand[i].ally == a && with.demand[i].item == k)
            .collect();
        if !node.is_empty() {
            let mut q = alone_problem(&with);
            q.supply = vec![q.supply[s].clone()];
            q.demand = node.iter().map(|&i| q.demand[i].clone()).collect();
            let alone_label = format!("{label} (alone)");
            let (plan, stats) = solve_plan(&q, &alone_label, opts, tuning, deadline, Warm::Off)?;
            verified(&solution_of(&q, None, &plan, &stats), &alone_label)?;
            lps += stats.lp_solves();
            for (&i, v) in node.iter().zip(entry_shortages(&q, &plan)) {
                caps_same &= v == entries[i];
                entries[i] = v;
            }
        }
        with.caps = caps(&with, &entries);
    }
    // The shortcut of the module documentation: the node had free stock
    // left in every period of the base plan, and (under the guarantee) its
    // alone values, hence the caps, are the base's.
    if tuning.marginal_shortcuts && caps_same && surplus_everywhere(p, base.plan, a, k) {
        let how = Resolved {
            lps,
            unchanged: true,
            warm_started: 0,
        };
        return Ok((base_entry(base, a, k, units), how));
    }
    let mut plan = base.plan.clone();
    if s == base.plan.make.len() {
        let zeros = vec![0.0; p.periods];
        plan.make.push(zeros.clone());
        plan.surge.push(zeros.clone());
        plan.draw.push(zeros);
    }
    let parts = split(&with);
    let mut warm_started = 0;
    let solution = match parts.iter().find(|c| c.supply.contains(&s)) {
        // The units reach no demand: nothing changes (module
        // documentation).
        None => base.solution.clone(),
        Some(part) => {
            let (sub, stats) =
                solve_one_part(&with, part, &label, opts, tuning, deadline, base.warm)?;
            lps += stats.lp_solves();
            warm_started = stats.warm_started;
            merge_part(&mut plan, part, sub);
            plan.ship.sort_by_key(|&(l, k, t, _)| (l, t, k));
            let s = solution_of(&with, None, &plan, &stats);
            verified(&s, &label)?;
            s
        }
    };
    let gain = base
        .solution
        .tiers
        .iter()
        .zip(&solution.tiers)
        .map(|(b, w)| {
            (
                b.tier.clone(),
                difference(b.weighted_shortage, w.weighted_shortage),
            )
        })
        .collect();
    Ok((
        Marginal {
            ally: p.allies[a].id.clone(),
            item: p.items[k].id.clone(),
            units,
            gain: TierValues(gain),
            cost_change: difference(solution.cost.total, base.solution.cost.total),
        },
        Resolved {
            lps,
            unchanged: false,
            warm_started,
        },
    ))
}

/// The entry of units that change nothing: every gain and the cost change 0.
fn base_entry(base: &Base, a: usize, k: usize, units: f64) -> Marginal {
    let p = base.p;
    Marginal {
        ally: p.allies[a].id.clone(),
        item: p.items[k].id.clone(),
        units,
        gain: TierValues(
            base.solution
                .tiers
                .iter()
                .map(|t| (t.tier.clone(), 0.0))
                .collect(),
        ),
        cost_change: 0.0,
    }
}

/// Free stock left at node (`ally`, `item`) that proves more units there
/// change nothing: at least this many LP units ([`crate::units::lp_unit`])
/// in every period, ten times HiGHS's primal feasibility tolerance (1e-7),
/// so that the LP's stock column is above zero in the solver's vertex and
/// not by round-off.
pub const SURPLUS: f64 = 1e-6;

/// Whether `plan`, an optimal plan of `p`, keeps more than [`SURPLUS`]
/// free stock of `item` at `ally` at the end of every period, the item
/// not reusable: then more free stock there changes no optimum of the
/// lexicographic objective (module documentation, "Marginal values").
/// The free stock is computed from the plan like the LP's balance rows:
/// what was there, plus what is made, surged, drawn from the reserve or
/// arrives, less what leaves and is served.
pub fn surplus_everywhere(p: &Problem, plan: &Plan, ally: usize, item: usize) -> bool {
    if p.items[item].reusable {
        return false;
    }
    let t_len = p.periods;
    let mut net = vec![0.0; t_len];
    for (i, s) in p.supply.iter().enumerate() {
        if s.ally != ally || s.item != item {
            continue;
        }
        net[0] += s.stock - s.reserve;
        for (t, n) in net.iter_mut().enumerate() {
            *n += plan.make[i][t] + plan.surge[i][t] + plan.draw[i][t];
        }
    }
    for (i, d) in p.demand.iter().enumerate() {
        if d.ally == ally && d.item == item {
            for (t, n) in net.iter_mut().enumerate() {
                *n -= plan.served[i][t];
            }
        }
    }
    for &(l, k, t, q) in &plan.ship {
        if k != item {
            continue;
        }
        let lane = &p.lanes[l];
        if lane.from == ally {
            net[t] -= q;
        }
        if lane.to == ally
            && let Some(arrival) = lane.arrival(t, t_len)
        {
            net[arrival] += q;
        }
    }
    let least = SURPLUS * crate::units::lp_unit(p);
    let mut stock = 0.0;
    net.iter().all(|n| {
        stock += n;
        stock > least
    })
}
