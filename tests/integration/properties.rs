//! Property tests over random valid problems. Every solve is checked by the
//! independent verifier (`allot::verify`), and the optimum is compared with
//! equivalent formulations: costs removed, quantities scaled, allies listed
//! in another order, a scenario of factors 1. Leximin optimality is checked
//! by re-solving: no fill rate can rise without lowering one not larger.

use allot::backend::{Sense, SolverKind};
use allot::problem::Problem;
use allot::{Solution, SolveOptions, SolveRequest, Tuning};
use proptest::prelude::*;

/// The crate's seedable generator, with the draws these tests use.
struct Rng(allot::generate::Rng);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// A "nice" quantity: whole numbers up to `max`.
    fn qty(&mut self, max: u64) -> f64 {
        self.below(max + 1) as f64
    }
}

/// Options for the generated file: `scale` multiplies every quantity,
/// `costs` keeps or drops every cost, `reverse_allies` lists allies backwards,
/// `parts` makes every lane carry one item and leaves out the `"*"` lane, so
/// that most problems fall into independent parts.
#[derive(Clone, Copy)]
struct Variant {
    scale: f64,
    cost_scale: f64,
    value_scale: f64,
    costs: bool,
    reverse_allies: bool,
    identity_scenario: bool,
    parts: bool,
    /// Make some items reusable (SPEC §8), drawn from a stream of their
    /// own, so that the problem is otherwise the one without.
    mixed: bool,
}

const BASE: Variant = Variant {
    scale: 1.0,
    cost_scale: 1.0,
    value_scale: 1.0,
    costs: true,
    reverse_allies: false,
    identity_scenario: false,
    parts: false,
    mixed: false,
};

/// A random valid problem (TOML) with every feature: several tiers, item
/// values, stock and reserves, production and surge with costs, export
/// limits, per-period arrays, parallel lanes with lead times and capacities,
/// lane item filters, `"*"` and bidirectional lanes; with
/// [`Variant::mixed`], reusable items among consumable ones.
fn generate(seed: u64, v: Variant) -> String {
    let mut r = Rng(allot::generate::Rng::new(seed));
    let periods = 1 + r.below(3) as usize;
    let n_allies = 2 + r.below(3) as usize;
    let n_items = 1 + r.below(2) as usize;
    let tiers = ["critical", "essential", "routine"];
    let n_tiers = 1 + r.below(3) as usize;
    let mut t = format!("name = \"gen-{seed}\"\nperiods = {periods}\n");
    t += &format!("tiers = {:?}\n", &tiers[..n_tiers]);
    let allies: Vec<String> = (0..n_allies).map(|a| format!("A{a}")).collect();
    let items: Vec<String> = (0..n_items).map(|k| format!("k{k}")).collect();
    let mut order: Vec<usize> = (0..n_allies).collect();
    if v.reverse_allies {
        order.reverse();
    }
    for &a in &order {
        t += &format!("[[allies]]\nid = \"{}\"\n", allies[a]);
    }
    let mut flags = Rng(allot::generate::Rng::new(seed ^ 0x2e05_ab1e_5eed_2e05));
    for k in &items {
        let value = (1 + r.below(3)) as f64 * v.value_scale;
        t += &format!("[[items]]\nid = \"{k}\"\nvalue = {value}\n");
        if v.mixed && flags.chance(60) {
            t += "reusable = true\n";
        }
    }
    let s = v.scale;
    let per_period = |r: &mut Rng, max: u64| -> String {
        if r.chance(40) {
            let xs: Vec<String> = (0..periods)
                .map(|_| format!("{}", r.qty(max) * s))
                .collect();
            format!("[{}]", xs.join(", "))
        } else {
            format!("{}", r.qty(max) * s)
        }
    };
    // Always draw, so that dropping costs leaves the rest of the problem alike.
    let cost = |r: &mut Rng, max: u64| -> f64 {
        let c = r.qty(max);
        if v.costs { c * v.cost_scale } else { 0.0 }
    };
    for a in &allies {
        for k in &items {
            if !r.chance(50) {
                continue;
            }
            let stock = r.qty(40);
            let reserve = if r.chance(30) {
                r.qty(stock as u64)
            } else {
                0.0
            };
            t += &format!(
                "[[supply]]\nally = \"{a}\"\nitem = \"{k}\"\nstock = {}\nreserve = {}\n",
                stock * s,
                reserve * s
            );
            if r.chance(50) {
                t += &format!(
                    "production = {}\nproduction_cost = {}\n",
                    per_period(&mut r, 15),
                    cost(&mut r, 3)
                );
            }
            if r.chance(40) {
                t += &format!(
                    "surge = {}\nsurge_cost = {}\n",
                    per_period(&mut r, 10),
                    cost(&mut r, 9)
                );
            }
            if r.chance(25) {
                t += &format!("export_limit = {}\n", per_period(&mut r, 20));
            }
        }
    }
    for a in &allies {
        for k in &items {
            for tier in &tiers[..n_tiers] {
                if r.chance(45) {
                    t += &format!(
                        "[[demand]]\nally = \"{a}\"\nitem = \"{k}\"\ntier = \"{tier}\"\nquantity = {}\n",
                        per_period(&mut r, 30)
                    );
                }
            }
        }
    }
    if r.chance(30) && !v.parts {
        t += &format!(
            "[[lanes]]\nfrom = \"*\"\nto = \"*\"\ncost = {}\ncapacity = {}\nlead_time = {}\n",
            cost(&mut r, 4),
            per_period(&mut r, 20),
            r.below(2)
        );
    }
    for _ in 0..1 + r.below(5) {
        let a = r.below(n_allies as u64) as usize;
        let mut b = r.below(n_allies as u64 - 1) as usize;
        if b >= a {
            b += 1;
        }
        t += &format!(
            "[[lanes]]\nfrom = \"{}\"\nto = \"{}\"\ncost = {}\nlead_time = {}\n",
            allies[a],
            allies[b],
            cost(&mut r, 5),
            r.below(periods as u64)
        );
        if r.chance(60) {
            t += &format!("capacity = {}\n", per_period(&mut r, 25));
        }
        if r.chance(30) || v.parts {
            t += &format!(
                "items = [\"{}\"]\n",
                items[r.below(n_items as u64) as usize]
            );
        }
        if r.chance(30) {
            t += "bidirectional = true\n";
        }
    }
    if v.identity_scenario {
        t += "[[scenarios]]\nname = \"identity\"\nchanges = [\n";
        t += "  { target = \"lanes\", from = \"*\", to = \"*\", factor = 1 },\n";
        if t.contains("[[demand]]") {
            t += "  { target = \"demand\", factor = 1 },\n";
        }
        if t.contains("[[supply]]") {
            for target in ["production", "surge", "export_limit", "stock"] {
                t += &format!(
                    "  {{ target = \"{target}\", ally = \"*\", item = \"*\", factor = 1 }},\n"
                );
            }
        }
        t += "]\n";
    }
    t
}

fn load(text: &str) -> Problem {
    allot::load_str(text, "gen.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
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
        41,
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
            let base = solve_with(&load(&generate(seed, BASE)), &opts);
            assert_eq!(base.cost.total, 0.0, "seed {seed}, {}", solver.name());
            let s = solve_with(&load(&generate(seed, variant)), &opts);
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
            seed,
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

/// Solves the problem of `seed` and each variant of it on every backend
/// and checks that each variant has the base's optimum, its cost multiplied
/// by the first factor and its quantities (weighted shortages) by the second.
fn agree_on_every_backend(seed: u64, variants: &[(Variant, Option<f64>, f64)]) {
    agree_on_every_backend_from(seed, BASE, variants);
}

/// [`agree_on_every_backend`] from the variant `base` of the problem.
fn agree_on_every_backend_from(seed: u64, base: Variant, variants: &[(Variant, Option<f64>, f64)]) {
    let base = load(&generate(seed, base));
    for solver in SolverKind::available() {
        let opts = SolveOptions::new(solver);
        let s = solve_with(&base, &opts);
        for &(v, cost_factor, scale) in variants {
            let other = solve_with(&load(&generate(seed, v)), &opts);
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
        s.fill_rate(&p.allies[d.ally].id, &p.items[d.item].id, &p.tiers[d.tier])
    };
    for g in 0..p.tiers.len() {
        let pairs: Vec<(usize, f64)> = p
            .demand
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
                let total: f64 = p.demand[j].quantity.iter().sum();
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
            for (j, d) in p.demand.iter().enumerate() {
                let Some(r) = rate(d) else { continue };
                // Ties within SPEC §6 accuracy (1e-6) count as "not larger".
                let keep = d.tier < g || (d.tier == g && j != i && r <= rate_i + 1e-6);
                if keep && p.fairness == allot::problem::Fairness::Leximin {
                    session.add_row(&fill_row(j), r - 1e-9, f64::INFINITY, "keep");
                }
            }
            let out = session
                .solve(Sense::Maximise, &fill_row(i))
                .unwrap_or_else(|e| panic!("re-solve failed: {e}"));
            assert!(
                out.objective <= rate_i + 1e-5,
                "{}: fill rate of demand {i} ({rate_i}) can rise to {} without lowering a smaller one",
                p.name,
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

/// The `parts` variant does produce problems of several parts (so that
/// the property below tests splitting), and so does the base generator at
/// times.
#[test]
fn generated_problems_often_have_several_parts() {
    let count = |v: Variant| {
        (0..200u64)
            .filter(|&seed| allot::components::split(&load(&generate(seed, v))).len() > 1)
            .count()
    };
    let parts = count(Variant {
        parts: true,
        ..BASE
    });
    assert!(parts >= 80, "{parts} of 200 problems split");
    assert!(count(BASE) >= 20);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// The plan verifies; removing costs changes neither shortages nor fill
    /// rates; scaling every quantity by 10 scales shortages and cost by 10
    /// and keeps fill rates; listing allies in reverse changes nothing;
    /// solving twice gives byte-identical JSON.
    #[test]
    fn equivalent_formulations_agree(seed in any::<u64>(), mixed in any::<bool>()) {
        let v = Variant { mixed, ..BASE };
        let base = load(&generate(seed, v));
        let s = solve(&base, None);
        let no_cost = solve(&load(&generate(seed, Variant { costs: false, ..v })), None);
        same_optimum(&s, &no_cost, None, 1.0, "costs removed");
        let scaled = solve(&load(&generate(seed, Variant { scale: 10.0, ..v })), None);
        same_optimum(&s, &scaled, Some(10.0), 10.0, "scaled by 10");
        let reversed = solve(&load(&generate(seed, Variant { reverse_allies: true, ..v })), None);
        same_optimum(&s, &reversed, Some(1.0), 1.0, "allies reversed");
        let again = solve(&base, None);
        prop_assert_eq!(allot::report::json(&[s]), allot::report::json(&[again]));
    }

    /// Quantities in the billions or the millionths (chips counted one by
    /// one, or a file written in millions of units) give the results of
    /// ordinary ones, scaled, on every backend, and plans that verify.
    /// Before the LP counted in its own unit (`allot::units`), HiGHS gave
    /// wrong fill rates or costs on 129 of 500 generated problems scaled by
    /// 1e8, microlp on 5.
    #[test]
    fn huge_and_tiny_quantities_agree(seed in any::<u64>(), mixed in any::<bool>()) {
        let v = Variant { mixed, ..BASE };
        let variants = [1e8, 1e10, 1e-7].map(|scale| (Variant { scale, ..v }, Some(scale), scale));
        agree_on_every_backend_from(seed, v, &variants);
    }

    /// Money in any unit: item values and costs per unit multiplied by 1e6
    /// or 1e-6 scale the weighted shortages and the cost and change no fill
    /// rate, on every backend.
    #[test]
    fn values_and_costs_in_any_unit_agree(seed in any::<u64>(), mixed in any::<bool>()) {
        // Weighted shortages scale with the values, the cost with the costs.
        let v = Variant { mixed, ..BASE };
        let variants = [(1e6, 1e-6), (1e-6, 1e6)]
            .map(|(cost_scale, value_scale)| (Variant { cost_scale, value_scale, ..v }, Some(cost_scale), value_scale));
        agree_on_every_backend_from(seed, v, &variants);
    }

    /// A scenario whose factors are all 1 gives the base results.
    #[test]
    fn identity_scenario_gives_base(seed in any::<u64>(), mixed in any::<bool>()) {
        let p = load(&generate(seed, Variant { identity_scenario: true, mixed, ..BASE }));
        let base = solve(&p, None);
        let same = solve(&p, Some("identity"));
        same_optimum(&base, &same, Some(1.0), 1.0, "identity scenario");
    }

    /// Independent parts solved apart (in parallel or not) give the single
    /// LP's shortages, fill rates and cost.
    #[test]
    fn split_solves_agree_with_one_lp(seed in any::<u64>(), mixed in any::<bool>()) {
        let v = Variant { mixed, ..BASE };
        parts_agree_with_one_lp(&load(&generate(seed, Variant { parts: true, ..v })));
        parts_agree_with_one_lp(&load(&generate(seed, v)));
    }

    /// Freezing settled tiers at their latest schedule gives the optimum
    /// of holding them by rows: the same shortages, fill rates and cost.
    #[test]
    fn frozen_tiers_agree_with_held_tiers(seed in any::<u64>(), mixed in any::<bool>()) {
        let p = load(&generate(seed, Variant { mixed, ..BASE }));
        let (frozen, _) = solve_tuned(&p, Tuning::default());
        let (held, _) = solve_tuned(&p, Tuning::default().with_freeze(false));
        same_optimum(&held, &frozen, Some(1.0), 1.0, "frozen vs held");
    }

    /// Leximin holds: checked by re-solving for every pair below 1.
    #[test]
    fn fill_rates_are_leximin(seed in any::<u64>(), mixed in any::<bool>()) {
        let p = load(&generate(seed, Variant { mixed, ..BASE }));
        let s = solve(&p, None);
        assert_leximin(&p, &s);
    }

    /// Every plan of a problem is a plan of the same problem with some
    /// items reusable (SPEC §8: a unit that serves is still on hand, and
    /// the reserve serves every period), so the first tier's weighted
    /// shortage can only fall; on every backend, and the plans verify.
    #[test]
    fn reusable_items_never_raise_the_first_tier_shortage(seed in any::<u64>()) {
        let consumed = load(&generate(seed, BASE));
        let mixed = load(&generate(seed, Variant { mixed: true, ..BASE }));
        for solver in SolverKind::available() {
            let opts = SolveOptions::new(solver);
            let a = solve_with(&consumed, &opts);
            let b = solve_with(&mixed, &opts);
            let g = a.tiers.iter().position(|t| t.demand > 0.0).unwrap_or(0);
            prop_assert!(
                b.tiers[g].weighted_shortage <= a.tiers[g].weighted_shortage + 1e-6 * a.tiers[g].weighted_shortage.max(1.0),
                "{}: tier {} shortage {} reusable vs {} consumed",
                solver.name(), a.tiers[g].tier, b.tiers[g].weighted_shortage, a.tiers[g].weighted_shortage
            );
        }
    }
}
