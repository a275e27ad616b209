//! Property tests over random valid problems. Every solve is checked by the
//! independent verifier (`allot::verify`), and the optimum is compared with
//! equivalent formulations: costs removed, quantities scaled, allies listed
//! in another order, a scenario of factors 1. Leximin optimality is checked
//! by re-solving: no fill rate can rise without lowering one not larger.
//!
//! A problem is drawn as its structure ([`Shape`]: allies, items, periods,
//! tiers, each quantity and lane) by proptest strategies and built with
//! [`ProblemBuilder`], so a failing case shrinks to fewer allies, items,
//! periods and lanes and to smaller numbers. A few past failures are kept
//! as seeds of the shape's own generator ([`Shape::from_seed`]).

use allot::backend::{Sense, SolverKind};
use allot::problem::builder::{Amount, ChangeEntry};
use allot::problem::{Problem, ProblemBuilder, Target};
use allot::{Solution, SolveOptions, SolveRequest, Tuning};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// The tier names, highest priority first; a shape uses the first few.
const TIERS: [&str; 3] = ["critical", "essential", "routine"];
/// The most periods, items and allies a drawn shape has.
const MAX_PERIODS: usize = 6;
const MAX_ITEMS: usize = 3;
const MAX_ALLIES: usize = 5;
/// Cases per property.
const CASES: u32 = 16;

/// A per-period quantity in whole units: the same every period, or one a
/// period (the first `periods` of them).
#[derive(Debug, Clone)]
enum Qty {
    Each(u32),
    PerPeriod(Vec<u32>),
}

/// What one ally holds and makes of one item.
#[derive(Debug, Clone)]
struct SupplyDraw {
    stock: u32,
    /// Capped at the stock.
    reserve: u32,
    /// Capacity and cost per unit.
    production: Option<(Qty, u32)>,
    /// Capacity and cost per unit.
    surge: Option<(Qty, u32)>,
    export_limit: Option<Qty>,
}

/// One ally: its supply of each item and its demand of each item at each
/// tier (only the shape's first items and tiers are used).
#[derive(Debug, Clone)]
struct AllyDraw {
    supply: Vec<Option<SupplyDraw>>,
    /// `[item][tier]`.
    demand: Vec<Vec<Option<Qty>>>,
}

/// A lane between two allies.
#[derive(Debug, Clone)]
struct LaneDraw {
    /// Origin: this modulo the number of allies.
    from: usize,
    /// Destination: the `to`-th (modulo) of the other allies.
    to: usize,
    cost: u32,
    /// Capped at the horizon less one period.
    lead_time: usize,
    /// Unlimited when `None`.
    capacity: Option<Qty>,
    /// Carries only item `item` (modulo the items): when `filtered`, and
    /// in the [`Variant::parts`] variant.
    filtered: bool,
    item: usize,
    bidirectional: bool,
}

/// A `"*"` to `"*"` lane (left out in the [`Variant::parts`] variant).
#[derive(Debug, Clone)]
struct StarLane {
    cost: u32,
    capacity: Qty,
    lead_time: usize,
}

/// A problem's structure, with every quantity, cost and value in whole
/// numbers; [`build`] makes the problem (or a [`Variant`] of it).
#[derive(Debug, Clone)]
struct Shape {
    name: String,
    periods: usize,
    tiers: usize,
    /// Each item's value (1 to 3) and whether it is reusable in the
    /// [`Variant::mixed`] variant.
    items: Vec<(u32, bool)>,
    allies: Vec<AllyDraw>,
    star: Option<StarLane>,
    lanes: Vec<LaneDraw>,
}

fn qty(max: u32) -> impl Strategy<Value = Qty> {
    prop_oneof![
        3 => (0..=max).prop_map(Qty::Each),
        2 => prop::collection::vec(0..=max, MAX_PERIODS).prop_map(Qty::PerPeriod),
    ]
}

fn supply_draw() -> impl Strategy<Value = SupplyDraw> {
    (
        0..=40u32,
        prop::option::weighted(0.3, 0..=40u32),
        prop::option::weighted(0.5, (qty(15), 0..=3u32)),
        prop::option::weighted(0.4, (qty(10), 0..=9u32)),
        prop::option::weighted(0.25, qty(20)),
    )
        .prop_map(
            |(stock, reserve, production, surge, export_limit)| SupplyDraw {
                stock,
                reserve: reserve.unwrap_or(0),
                production,
                surge,
                export_limit,
            },
        )
}

fn ally_draw() -> impl Strategy<Value = AllyDraw> {
    let demand = prop::collection::vec(prop::option::weighted(0.45, qty(30)), TIERS.len());
    (
        prop::collection::vec(prop::option::weighted(0.5, supply_draw()), MAX_ITEMS),
        prop::collection::vec(demand, MAX_ITEMS),
    )
        .prop_map(|(supply, demand)| AllyDraw { supply, demand })
}

fn lane_draw() -> impl Strategy<Value = LaneDraw> {
    (
        (0..MAX_ALLIES, 0..MAX_ALLIES - 1, 0..=5u32, 0..MAX_PERIODS),
        prop::option::weighted(0.6, qty(25)),
        (prop::bool::weighted(0.3), 0..MAX_ITEMS),
        prop::bool::weighted(0.3),
    )
        .prop_map(
            |((from, to, cost, lead_time), capacity, (filtered, item), bidirectional)| LaneDraw {
                from,
                to,
                cost,
                lead_time,
                capacity,
                filtered,
                item,
                bidirectional,
            },
        )
}

/// Shapes of 2 to 5 allies, 1 to 3 items, 1 to 6 periods, 1 to 3 tiers and
/// 1 to 5 lanes (and maybe a `"*"` lane): every feature of the format
/// except scenarios and stockpiles.
fn shape() -> impl Strategy<Value = Shape> {
    let star = prop::option::weighted(0.3, (0..=4u32, qty(20), 0..2usize)).prop_map(|s| {
        s.map(|(cost, capacity, lead_time)| StarLane {
            cost,
            capacity,
            lead_time,
        })
    });
    (
        (1..=MAX_PERIODS, 1..=TIERS.len()),
        prop::collection::vec((1..=3u32, prop::bool::weighted(0.6)), 1..=MAX_ITEMS),
        prop::collection::vec(ally_draw(), 2..=MAX_ALLIES),
        star,
        prop::collection::vec(lane_draw(), 1..=5),
    )
        .prop_map(|((periods, tiers), items, allies, star, lanes)| Shape {
            name: "drawn".to_string(),
            periods,
            tiers,
            items,
            allies,
            star,
            lanes,
        })
}

/// The crate's seedable generator, with the draws [`Shape::from_seed`] uses.
struct Rng(allot::generate::Rng);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// A whole number up to `max`.
    fn qty(&mut self, max: u64) -> u32 {
        self.below(max + 1) as u32
    }
    fn per_period(&mut self, periods: usize, max: u64) -> Qty {
        if self.chance(40) {
            Qty::PerPeriod((0..periods).map(|_| self.qty(max)).collect())
        } else {
            Qty::Each(self.qty(max))
        }
    }
}

impl Shape {
    /// The shape of the earlier seed-based generator: the same draws in the
    /// same order, so that a past failure's seed gives its problem again
    /// (at most 4 allies, 2 items and 3 periods).
    fn from_seed(seed: u64) -> Shape {
        let mut r = Rng(allot::generate::Rng::new(seed));
        let periods = 1 + r.below(3) as usize;
        let n_allies = 2 + r.below(3) as usize;
        let n_items = 1 + r.below(2) as usize;
        let tiers = 1 + r.below(3) as usize;
        // Reusable flags come from a stream of their own.
        let mut flags = Rng(allot::generate::Rng::new(seed ^ 0x2e05_ab1e_5eed_2e05));
        let items = (0..n_items)
            .map(|_| (1 + r.below(3) as u32, flags.chance(60)))
            .collect();
        let mut allies: Vec<AllyDraw> = (0..n_allies)
            .map(|_| AllyDraw {
                supply: Vec::new(),
                demand: Vec::new(),
            })
            .collect();
        for ally in &mut allies {
            for _ in 0..n_items {
                if !r.chance(50) {
                    ally.supply.push(None);
                    continue;
                }
                let stock = r.qty(40);
                let reserve = if r.chance(30) { r.qty(stock as u64) } else { 0 };
                let production = r.chance(50).then(|| {
                    let q = r.per_period(periods, 15);
                    (q, r.qty(3))
                });
                let surge = r.chance(40).then(|| {
                    let q = r.per_period(periods, 10);
                    (q, r.qty(9))
                });
                let export_limit = r.chance(25).then(|| r.per_period(periods, 20));
                ally.supply.push(Some(SupplyDraw {
                    stock,
                    reserve,
                    production,
                    surge,
                    export_limit,
                }));
            }
        }
        for ally in &mut allies {
            for _ in 0..n_items {
                let by_tier = (0..tiers)
                    .map(|_| r.chance(45).then(|| r.per_period(periods, 30)))
                    .collect();
                ally.demand.push(by_tier);
            }
        }
        let star = r.chance(30).then(|| StarLane {
            cost: r.qty(4),
            capacity: r.per_period(periods, 20),
            lead_time: r.below(2) as usize,
        });
        let lanes = (0..1 + r.below(5))
            .map(|_| {
                let from = r.below(n_allies as u64) as usize;
                let to = r.below(n_allies as u64 - 1) as usize;
                let cost = r.qty(5);
                let lead_time = r.below(periods as u64) as usize;
                let capacity = r.chance(60).then(|| r.per_period(periods, 25));
                let filtered = r.chance(30);
                let item = if filtered {
                    r.below(n_items as u64) as usize
                } else {
                    0
                };
                LaneDraw {
                    from,
                    to,
                    cost,
                    lead_time,
                    capacity,
                    filtered,
                    item,
                    bidirectional: r.chance(30),
                }
            })
            .collect();
        Shape {
            name: format!("gen-{seed}"),
            periods,
            tiers,
            items,
            allies,
            star,
            lanes,
        }
    }
}

/// How to build a shape: `scale` multiplies every quantity, `cost_scale`
/// every cost and `value_scale` every item value; `costs` keeps or drops
/// every cost, `reverse_allies` lists allies backwards,
/// `scenario` adds a scenario `scaled` whose changes multiply every
/// quantity by that factor (1: the identity); `parts` makes every
/// lane carry one item and leaves out the `"*"` lane, so that most problems
/// fall into independent parts; `mixed` makes the items the shape marks
/// reusable (SPEC §8), so that the problem is otherwise the one without.
#[derive(Clone, Copy)]
struct Variant {
    scale: f64,
    cost_scale: f64,
    value_scale: f64,
    costs: bool,
    reverse_allies: bool,
    scenario: Option<f64>,
    parts: bool,
    mixed: bool,
}

const BASE: Variant = Variant {
    scale: 1.0,
    cost_scale: 1.0,
    value_scale: 1.0,
    costs: true,
    reverse_allies: false,
    scenario: None,
    parts: false,
    mixed: false,
};

/// The problem of `shape` in variant `v`, built with [`ProblemBuilder`]:
/// several tiers, item values, stock and reserves, production and surge
/// with costs, export limits, per-period quantities, parallel lanes with
/// lead times and capacities, lane item filters, `"*"` and bidirectional
/// lanes, reusable items among consumable ones.
fn build(shape: &Shape, v: Variant) -> Problem {
    let periods = shape.periods;
    let n_items = shape.items.len();
    let n_allies = shape.allies.len();
    let ally = |a: usize| format!("A{a}");
    let item = |k: usize| format!("k{k}");
    let amount = |q: &Qty| -> Amount {
        match q {
            Qty::Each(x) => Amount::Each(*x as f64 * v.scale),
            Qty::PerPeriod(xs) => {
                Amount::PerPeriod(xs[..periods].iter().map(|&x| x as f64 * v.scale).collect())
            }
        }
    };
    let cost = |c: u32| {
        if v.costs {
            c as f64 * v.cost_scale
        } else {
            0.0
        }
    };
    let mut b = ProblemBuilder::new(&shape.name);
    b.periods(periods)
        .tiers(TIERS[..shape.tiers].iter().copied());
    let mut order: Vec<usize> = (0..n_allies).collect();
    if v.reverse_allies {
        order.reverse();
    }
    for a in order {
        b.ally(ally(a));
    }
    for (k, &(value, reusable)) in shape.items.iter().enumerate() {
        let entry = b.item(item(k)).value(value as f64 * v.value_scale);
        if v.mixed && reusable {
            entry.reusable(true);
        }
    }
    for (a, draw) in shape.allies.iter().enumerate() {
        for (k, s) in draw.supply[..n_items].iter().enumerate() {
            let Some(s) = s else { continue };
            let entry = b.supply(ally(a), item(k));
            entry
                .stock(s.stock as f64 * v.scale)
                .reserve(s.reserve.min(s.stock) as f64 * v.scale);
            if let Some((q, c)) = &s.production {
                entry.production(amount(q)).production_cost(cost(*c));
            }
            if let Some((q, c)) = &s.surge {
                entry.surge(amount(q)).surge_cost(cost(*c));
            }
            if let Some(q) = &s.export_limit {
                entry.export_limit(amount(q));
            }
        }
    }
    for (a, draw) in shape.allies.iter().enumerate() {
        for (k, by_tier) in draw.demand[..n_items].iter().enumerate() {
            for (tier, q) in by_tier[..shape.tiers].iter().enumerate() {
                if let Some(q) = q {
                    b.demand(ally(a), item(k), amount(q)).tier(TIERS[tier]);
                }
            }
        }
    }
    if let Some(star) = shape.star.as_ref().filter(|_| !v.parts) {
        b.lane("*", "*")
            .cost(cost(star.cost))
            .capacity(amount(&star.capacity))
            .lead_time(star.lead_time);
    }
    for lane in &shape.lanes {
        let from = lane.from % n_allies;
        let mut to = lane.to % (n_allies - 1);
        if to >= from {
            to += 1;
        }
        let entry = b.lane(ally(from), ally(to));
        entry
            .cost(cost(lane.cost))
            .lead_time(lane.lead_time.min(periods - 1));
        if let Some(q) = &lane.capacity {
            entry.capacity(amount(q));
        }
        if lane.filtered || v.parts {
            entry.items([item(lane.item % n_items)]);
        }
        if lane.bidirectional {
            entry.bidirectional(true);
        }
    }
    if let Some(f) = v.scenario {
        let has_demand = shape.allies.iter().any(|a| {
            a.demand[..n_items]
                .iter()
                .any(|t| t[..shape.tiers].iter().any(Option::is_some))
        });
        let has_supply = shape
            .allies
            .iter()
            .any(|a| a.supply[..n_items].iter().any(Option::is_some));
        let s = b.scenario("scaled");
        s.change(ChangeEntry::new(Target::Lanes, f).from("*").to("*"));
        if has_demand {
            s.change(ChangeEntry::new(Target::Demand, f));
        }
        if has_supply {
            for target in [
                Target::Production,
                Target::Surge,
                Target::ExportLimit,
                Target::Stock,
            ] {
                s.change(ChangeEntry::new(target, f).ally("*").item("*"));
            }
        }
    }
    b.build().unwrap_or_else(|e| panic!("{e}\n{}", b.toml()))
}

fn solve(p: &Problem, scenario: Option<&str>) -> Solution {
    let s = SolveRequest::new(p)
        .solves([scenario])
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
        .solution;
    assert!(
        s.verification.ok,
        "verification failed: {:?}",
        s.verification
    );
    s
}

fn solve_with(p: &Problem, opts: &SolveOptions) -> Solution {
    let s = SolveRequest::new(p)
        .options(*opts)
        .run()
        .unwrap_or_else(|e| panic!("{}: {e}", opts.solver.name()))
        .solution;
    assert!(
        s.verification.ok,
        "verification failed: {:?}",
        s.verification
    );
    s
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    close_above(a, b, rel, 1.0)
}

/// `a` and `b` agree within `rel`, relative to the larger of them or to
/// `floor`.
fn close_above(a: f64, b: f64, rel: f64, floor: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(floor)
}

fn same_optimum(a: &Solution, b: &Solution, cost_factor: Option<f64>, scale: f64, what: &str) {
    // Quantities scaled below 1 are compared relative to the scale.
    let floor = scale.min(1.0);
    assert_eq!(a.tiers.len(), b.tiers.len(), "{what}: tiers");
    for (x, y) in a.tiers.iter().zip(&b.tiers) {
        assert!(
            close_above(
                x.weighted_shortage * scale,
                y.weighted_shortage,
                1e-6,
                floor
            ),
            "{what}: tier {} shortage {} vs {}",
            x.tier,
            x.weighted_shortage,
            y.weighted_shortage
        );
    }
    let fills = |s: &Solution| {
        let mut v: Vec<(String, f64)> = s
            .fill
            .iter()
            .map(|f| (format!("{}/{}/{}", f.ally, f.item, f.tier), f.fill_rate))
            .collect();
        v.sort_by(|p, q| p.0.cmp(&q.0));
        v
    };
    let (fills_a, fills_b) = (fills(a), fills(b));
    assert_eq!(fills_a.len(), fills_b.len(), "{what}: fill entries");
    for ((ka, fa), (kb, fb)) in fills_a.iter().zip(&fills_b) {
        assert_eq!(ka, kb);
        assert!(close(*fa, *fb, 1e-6), "{what}: fill {ka} {fa} vs {fb}");
    }
    if let Some(f) = cost_factor {
        assert!(
            close_above(a.cost.total * f, b.cost.total, 1e-6, f.min(1.0)),
            "{what}: cost {} vs {}",
            a.cost.total,
            b.cost.total
        );
    }
}

/// Tiny item values kept a tier's shortage only to within 1e-11 of a
/// weighted unit, 1e-5 real units here, and a later stage gave those away:
/// a fill rate of 0.3333300 instead of 1/3 (seed 41, values ×1e-6, both
/// backends). The hold is now relative to one unit of the least valuable
/// item.
#[test]
fn tiny_item_values_keep_the_fill_rates() {
    agree_on_every_backend(
        &Shape::from_seed(41),
        &[(
            Variant {
                value_scale: 1e-6,
                ..BASE
            },
            Some(1.0),
            1e-6,
        )],
    );
}

/// Earlier optima held with a slack gave it to later stages, which moved
/// the units and froze them into the plan, so that the cost stage had to
/// ship them where the optimum ships nothing at a cost (each of these
/// problems reports a cost of exactly 0 unscaled, on both backends): a
/// leximin pair held 1e-9 below its level gave 6e-8 units to a pair
/// blocked in a later round, shipped on a lane costing 3e6 per unit, cost
/// 0.19 (seed 9796948922323849397, costs ×1e6, microlp); a frozen tier's
/// 1e-12 of 5.6e9 units went to the next tier, cost 0.009 (seed
/// 14577415126949035370, quantities ×1e8, microlp; 14612821415078849671,
/// HiGHS, 0.0037). SPEC §6 asks for the cost within 1e-6 of 0. Holds are
/// now exact until an LP is infeasible.
#[test]
fn held_optima_leave_nothing_to_ship() {
    let cases = [
        (
            9796948922323849397,
            Variant {
                cost_scale: 1e6,
                value_scale: 1e-6,
                ..BASE
            },
        ),
        (14577415126949035370, Variant { scale: 1e8, ..BASE }),
        (14612821415078849671, Variant { scale: 1e8, ..BASE }),
    ];
    for (seed, variant) in cases {
        for solver in SolverKind::available() {
            let opts = SolveOptions::new(solver);
            let shape = Shape::from_seed(seed);
            let base = solve_with(&build(&shape, BASE), &opts);
            assert_eq!(base.cost.total, 0.0, "seed {seed}, {}", solver.name());
            let s = solve_with(&build(&shape, variant), &opts);
            assert!(
                s.cost.total.abs() <= 1e-6,
                "seed {seed}, {}: cost {} where the optimum is 0",
                solver.name(),
                s.cost.total
            );
        }
    }
}

/// Item values of 1e6 made the weighted service a tier holds run to 1e7
/// and more, beyond microlp's absolute tolerance (1e-10) once holds were
/// exact: a round's optimum of 0 instead of 0.017 (seed
/// 5475382244638341839), a critical tier short by 8e-6 weighted where it
/// is served in full (5581601109027784742). The LP now counts values in a
/// unit near 1 (`allot::units::value_unit`).
#[test]
fn huge_item_values_keep_the_optimum() {
    for seed in [5475382244638341839, 5581601109027784742] {
        agree_on_every_backend(
            &Shape::from_seed(seed),
            &[(
                Variant {
                    cost_scale: 1e-6,
                    value_scale: 1e6,
                    ..BASE
                },
                Some(1e-6),
                1e6,
            )],
        );
    }
}

/// Solves the problem of `shape` and each variant of it on every backend
/// and checks that each variant has the base's optimum, its cost multiplied
/// by the first factor and its quantities (weighted shortages) by the second.
fn agree_on_every_backend(shape: &Shape, variants: &[(Variant, Option<f64>, f64)]) {
    agree_on_every_backend_from(shape, BASE, variants);
}

/// [`agree_on_every_backend`] from the variant `base` of the problem.
fn agree_on_every_backend_from(
    shape: &Shape,
    base: Variant,
    variants: &[(Variant, Option<f64>, f64)],
) {
    let base = build(shape, base);
    for solver in SolverKind::available() {
        let opts = SolveOptions::new(solver);
        let s = solve_with(&base, &opts);
        for &(v, cost_factor, scale) in variants {
            let other = solve_with(&build(shape, v), &opts);
            let what = format!(
                "{}: quantities ×{:e}, costs ×{:e}, values ×{:e}",
                solver.name(),
                v.scale,
                v.cost_scale,
                v.value_scale
            );
            same_optimum(&s, &other, cost_factor, scale, &what);
        }
    }
}

/// No fill rate of a leximin tier can be raised while every earlier
/// optimum is held and no fill rate that is not larger drops.
fn assert_leximin(p: &Problem, s: &Solution) {
    let model = allot::model::build(p);
    let rate = |d: &allot::problem::Demand| {
        s.fill_rate(
            &p.allies()[d.ally].id,
            &p.items()[d.item].id,
            &p.tiers()[d.tier],
        )
    };
    for g in 0..p.tiers().len() {
        let pairs: Vec<(usize, f64)> = p
            .demand()
            .iter()
            .enumerate()
            .filter(|(_, d)| d.tier == g)
            .filter_map(|(i, d)| rate(d).map(|r| (i, r)))
            .collect();
        for &(i, rate_i) in &pairs {
            if rate_i > 1.0 - 1e-6 {
                continue;
            }
            let mut session = SolverKind::Microlp.backend().open(&model.lp);
            let fill_row = |j: usize| -> Vec<(usize, f64)> {
                let total: f64 = p.demand()[j].quantity.iter().sum();
                model.serve[j]
                    .iter()
                    .flatten()
                    .map(|&c| (c, 1.0 / total))
                    .collect()
            };
            for h in 0..=g {
                let served =
                    model.tier_weighted_demand[h] - s.tiers[h].weighted_shortage / model.value_unit;
                session.add_row(
                    &model.tier_served[h],
                    served - 1e-9 * served.max(1.0),
                    f64::INFINITY,
                    "hold",
                );
            }
            for (j, d) in p.demand().iter().enumerate() {
                let Some(r) = rate(d) else { continue };
                // Ties within SPEC §6 accuracy (1e-6) count as "not larger".
                let keep = d.tier < g || (d.tier == g && j != i && r <= rate_i + 1e-6);
                if keep && p.fairness() == allot::problem::Fairness::Leximin {
                    session.add_row(&fill_row(j), r - 1e-9, f64::INFINITY, "keep");
                }
            }
            let out = session
                .solve(Sense::Maximise, &fill_row(i))
                .unwrap_or_else(|e| panic!("re-solve failed: {e}"));
            assert!(
                out.objective <= rate_i + 1e-5,
                "{}: fill rate of demand {i} ({rate_i}) can rise to {} without lowering a smaller one",
                p.name(),
                out.objective
            );
        }
    }
}

/// Solves with explicit tuning and checks the plan verified.
fn solve_tuned(p: &Problem, tuning: Tuning) -> (Solution, allot::solve::SolveStats) {
    let solved = SolveRequest::new(p)
        .tuning(tuning)
        .run()
        .unwrap_or_else(|e| panic!("{e}"));
    let (s, stats) = (solved.solution, solved.stats);
    assert!(
        s.verification.ok,
        "verification failed: {:?}",
        s.verification
    );
    (s, stats)
}

/// Solving independent parts apart, in parallel or one after the other,
/// gives the optimum of the single LP.
fn parts_agree_with_one_lp(p: &Problem) {
    let parallel = Tuning::default();
    let sequential = parallel.with_parallel(false);
    let whole = parallel.with_split_components(false);
    let (par, par_stats) = solve_tuned(p, parallel);
    let (seq, seq_stats) = solve_tuned(p, sequential);
    let (one, one_stats) = solve_tuned(p, whole);
    assert_eq!(one_stats.parts, 1);
    assert_eq!(par_stats.parts, seq_stats.parts);
    same_optimum(&one, &par, Some(1.0), 1.0, "split, parallel");
    same_optimum(&one, &seq, Some(1.0), 1.0, "split, sequential");
    // The parts are solved alike on any thread: the same bytes.
    assert_eq!(allot::report::json(&[par]), allot::report::json(&[seq]));
}

/// `n` shapes drawn by [`shape`], the same on every run.
fn sample_shapes(n: usize) -> Vec<Shape> {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = shape();
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("a shape").current())
        .collect()
}

/// The `parts` variant does produce problems of several parts (so that
/// the property below tests splitting), and so does the base variant at
/// times (138 and 57 of these 200 when written).
#[test]
fn drawn_problems_often_have_several_parts() {
    let shapes = sample_shapes(200);
    let count = |v: Variant| {
        shapes
            .iter()
            .filter(|s| allot::components::split(&build(s, v)).len() > 1)
            .count()
    };
    let parts = count(Variant {
        parts: true,
        ..BASE
    });
    assert!(parts >= 100, "{parts} of 200 problems split");
    let base = count(BASE);
    assert!(base >= 30, "{base} of 200 problems split");
}

/// The plan verifies; removing costs changes neither shortages nor fill
/// rates; scaling every quantity by 10 scales shortages and cost by 10
/// and keeps fill rates; listing allies in reverse changes nothing;
/// solving twice gives byte-identical JSON.
fn check_equivalent_formulations_agree(shape: &Shape, mixed: bool) {
    let v = Variant { mixed, ..BASE };
    let base = build(shape, v);
    let s = solve(&base, None);
    let no_cost = solve(&build(shape, Variant { costs: false, ..v }), None);
    same_optimum(&s, &no_cost, None, 1.0, "costs removed");
    let scaled = solve(&build(shape, Variant { scale: 10.0, ..v }), None);
    same_optimum(&s, &scaled, Some(10.0), 10.0, "scaled by 10");
    let reversed = solve(
        &build(
            shape,
            Variant {
                reverse_allies: true,
                ..v
            },
        ),
        None,
    );
    same_optimum(&s, &reversed, Some(1.0), 1.0, "allies reversed");
    let again = solve(&base, None);
    assert_eq!(allot::report::json(&[s]), allot::report::json(&[again]));
}

/// Quantities in the billions or the millionths (chips counted one by
/// one, or a file written in millions of units) give the results of
/// ordinary ones, scaled, on every backend, and plans that verify.
/// Before the LP counted in its own unit (`allot::units`), HiGHS gave
/// wrong fill rates or costs on 129 of 500 generated problems scaled by
/// 1e8, microlp on 5.
fn check_huge_and_tiny_quantities_agree(shape: &Shape, mixed: bool) {
    let v = Variant { mixed, ..BASE };
    let variants = [1e8, 1e10, 1e-7].map(|scale| (Variant { scale, ..v }, Some(scale), scale));
    agree_on_every_backend_from(shape, v, &variants);
}

/// Money in any unit: item values and costs per unit multiplied by 1e6
/// or 1e-6 scale the weighted shortages and the cost and change no fill
/// rate, on every backend.
fn check_values_and_costs_in_any_unit_agree(shape: &Shape, mixed: bool) {
    // Weighted shortages scale with the values, the cost with the costs.
    let v = Variant { mixed, ..BASE };
    let variants = [(1e6, 1e-6), (1e-6, 1e6)].map(|(cost_scale, value_scale)| {
        (
            Variant {
                cost_scale,
                value_scale,
                ..v
            },
            Some(cost_scale),
            value_scale,
        )
    });
    agree_on_every_backend_from(shape, v, &variants);
}

/// A scenario whose factors are all 1 gives the base results.
fn check_identity_scenario_gives_base(shape: &Shape, mixed: bool) {
    let p = build(
        shape,
        Variant {
            scenario: Some(1.0),
            mixed,
            ..BASE
        },
    );
    let base = solve(&p, None);
    let same = solve(&p, Some("scaled"));
    same_optimum(&base, &same, Some(1.0), 1.0, "identity scenario");
}

/// A scenario that multiplies every quantity (stock and reserve,
/// production, surge, export limits, demand, lane capacities) by `f` gives
/// the problem built with every quantity multiplied by `f`: the same fill
/// rates, `f` times the weighted shortages and the cost. One formulation
/// goes through the scenario's changes ([`Problem::with_scenario`]), the
/// other through the builder's numbers. By hand, for one ally with stock 3
/// and demand 5 of value 1: ×2 gives stock 6, demand 10, shortage 4 = 2·2.
fn check_scaling_scenario_gives_the_scaled_problem(shape: &Shape, mixed: bool, f: f64) {
    let v = Variant { mixed, ..BASE };
    let p = build(
        shape,
        Variant {
            scenario: Some(f),
            ..v
        },
    );
    let by_changes = solve(&p, Some("scaled"));
    let by_numbers = solve(&build(shape, Variant { scale: f, ..v }), None);
    same_optimum(
        &by_numbers,
        &by_changes,
        Some(1.0),
        1.0,
        &format!("scenario ×{f}"),
    );
}

/// Independent parts solved apart (in parallel or not) give the single
/// LP's shortages, fill rates and cost.
fn check_split_solves_agree_with_one_lp(shape: &Shape, mixed: bool) {
    let v = Variant { mixed, ..BASE };
    parts_agree_with_one_lp(&build(shape, Variant { parts: true, ..v }));
    parts_agree_with_one_lp(&build(shape, v));
}

/// Freezing settled tiers at their latest schedule gives the optimum
/// of holding them by rows: the same shortages, fill rates and cost.
fn check_frozen_tiers_agree_with_held_tiers(shape: &Shape, mixed: bool) {
    let p = build(shape, Variant { mixed, ..BASE });
    let (frozen, _) = solve_tuned(&p, Tuning::default());
    let (held, _) = solve_tuned(&p, Tuning::default().with_freeze(false));
    same_optimum(&held, &frozen, Some(1.0), 1.0, "frozen vs held");
}

/// Leximin holds: checked by re-solving for every pair below 1.
fn check_fill_rates_are_leximin(shape: &Shape, mixed: bool) {
    let p = build(shape, Variant { mixed, ..BASE });
    let s = solve(&p, None);
    assert_leximin(&p, &s);
}

/// Every plan of a problem is a plan of the same problem with some
/// items reusable (SPEC §8: a unit that serves is still on hand, and
/// the reserve serves every period), so the first tier's weighted
/// shortage can only fall; on every backend, and the plans verify.
fn check_reusable_items_never_raise_the_first_tier_shortage(shape: &Shape) {
    let consumed = build(shape, BASE);
    let mixed = build(
        shape,
        Variant {
            mixed: true,
            ..BASE
        },
    );
    for solver in SolverKind::available() {
        let opts = SolveOptions::new(solver);
        let a = solve_with(&consumed, &opts);
        let b = solve_with(&mixed, &opts);
        assert_eq!(a.tiers.len(), b.tiers.len(), "tiers");
        let g = a.tiers.iter().position(|t| t.demand > 0.0).unwrap_or(0);
        assert!(
            b.tiers[g].weighted_shortage
                <= a.tiers[g].weighted_shortage + 1e-6 * a.tiers[g].weighted_shortage.max(1.0),
            "{}: tier {} shortage {} reusable vs {} consumed",
            solver.name(),
            a.tiers[g].tier,
            b.tiers[g].weighted_shortage,
            a.tiers[g].weighted_shortage
        );
    }
}

/// Seeds of the earlier seed-based generator whose problems once failed
/// a property (kept from its proptest regression file): every property
/// still holds on them, with and without reusable items.
#[test]
fn past_failures_still_hold() {
    for seed in [
        5122810720543700489,
        14939273443501910392,
        9796948922323849397,
    ] {
        let shape = Shape::from_seed(seed);
        for mixed in [false, true] {
            check_equivalent_formulations_agree(&shape, mixed);
            check_huge_and_tiny_quantities_agree(&shape, mixed);
            check_values_and_costs_in_any_unit_agree(&shape, mixed);
            check_identity_scenario_gives_base(&shape, mixed);
            check_scaling_scenario_gives_the_scaled_problem(&shape, mixed, 3.0);
            check_split_solves_agree_with_one_lp(&shape, mixed);
            check_frozen_tiers_agree_with_held_tiers(&shape, mixed);
            check_fill_rates_are_leximin(&shape, mixed);
        }
        check_reusable_items_never_raise_the_first_tier_shortage(&shape);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn equivalent_formulations_agree(shape in shape(), mixed in any::<bool>()) {
        check_equivalent_formulations_agree(&shape, mixed);
    }

    #[test]
    fn huge_and_tiny_quantities_agree(shape in shape(), mixed in any::<bool>()) {
        check_huge_and_tiny_quantities_agree(&shape, mixed);
    }

    #[test]
    fn values_and_costs_in_any_unit_agree(shape in shape(), mixed in any::<bool>()) {
        check_values_and_costs_in_any_unit_agree(&shape, mixed);
    }

    #[test]
    fn identity_scenario_gives_base(shape in shape(), mixed in any::<bool>()) {
        check_identity_scenario_gives_base(&shape, mixed);
    }

    #[test]
    fn scaling_scenario_gives_the_scaled_problem(
        shape in shape(),
        mixed in any::<bool>(),
        f in prop_oneof![Just(0.5), Just(2.0), Just(3.0), Just(0.25)],
    ) {
        check_scaling_scenario_gives_the_scaled_problem(&shape, mixed, f);
    }

    #[test]
    fn split_solves_agree_with_one_lp(shape in shape(), mixed in any::<bool>()) {
        check_split_solves_agree_with_one_lp(&shape, mixed);
    }

    #[test]
    fn frozen_tiers_agree_with_held_tiers(shape in shape(), mixed in any::<bool>()) {
        check_frozen_tiers_agree_with_held_tiers(&shape, mixed);
    }

    #[test]
    fn fill_rates_are_leximin(shape in shape(), mixed in any::<bool>()) {
        check_fill_rates_are_leximin(&shape, mixed);
    }

    #[test]
    fn reusable_items_never_raise_the_first_tier_shortage(shape in shape()) {
        check_reusable_items_never_raise_the_first_tier_shortage(&shape);
    }
}
