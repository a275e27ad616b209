//! What sharing is worth (SPEC §9–§11): the guarantee, `--compare` and
//! `--marginal`, on problems solved by hand (the arithmetic is in the
//! comments), on every backend; marginal values against explicit re-solves
//! of the changed problems; guaranteed plans against alone values computed
//! apart from the LP builder.

use allot::problem::builder::ChangeEntry;
use allot::problem::{Guarantee, Target};
use allot::share::{CompareWith, with_units};
use allot::{Problem, Solution, SolveOptions, SolveRequest, SolverKind};

use crate::handsolved::close;
use crate::harness::Test;

/// Three states pooling ventilators (problems/medical-ventilators-guarantee-hand.toml
/// without its guarantee line): NY holds 12 and needs 10, NJ holds 0 and
/// needs 10, CT holds 4 and needs 10; lanes NY→NJ and NY→CT at 1 a unit.
const VENTS: &str = r#"
name = "vents"
tiers = ["critical"]
[[items]]
id = "vent"
[[allies]]
id = "NY"
[[allies]]
id = "NJ"
[[allies]]
id = "CT"
[[supply]]
ally = "NY"
item = "vent"
stock = 12
[[supply]]
ally = "CT"
item = "vent"
stock = 4
[[demand]]
ally = "NY"
item = "vent"
tier = "critical"
quantity = 10
[[demand]]
ally = "NJ"
item = "vent"
tier = "critical"
quantity = 10
[[demand]]
ally = "CT"
item = "vent"
tier = "critical"
quantity = 10
[[lanes]]
from = "NY"
to = ["NJ", "CT"]
cost = 1
"#;

fn load(text: &str) -> Problem {
    allot::load_str(text, "share.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// `text` with `guarantee = "alone"` (a top-level key, so it goes first).
fn guaranteed(text: &str) -> Problem {
    load(&format!("guarantee = \"alone\"\n{text}"))
}

/// The generated problem of `size`, with the guarantee when `guarantee`.
fn generated(size: allot::generate::Size, guarantee: bool) -> Problem {
    let mut b = size.builder();
    if guarantee {
        b.guarantee(Guarantee::Alone);
    }
    b.build().unwrap_or_else(|e| panic!("{e}"))
}

/// Solves with `opts` on every backend in the build; every plan verified.
/// One solve of `p` (or its scenario) with `opts`.
fn solve(p: &Problem, scenario: Option<&str>, opts: &SolveOptions) -> allot::Result<Solution> {
    SolveRequest::new(p)
        .solves([scenario])
        .options(*opts)
        .run()
        .map(|solved| solved.solution)
}

/// `opts` on `solver`.
fn on(solver: SolverKind, opts: &SolveOptions) -> SolveOptions<'static> {
    let mut o = SolveOptions::new(solver);
    o.compare = opts.compare;
    o.marginal = opts.marginal;
    o
}

fn solve_all(p: &Problem, scenario: Option<&str>, opts: &SolveOptions) -> Vec<Solution> {
    SolverKind::available()
        .into_iter()
        .map(|solver| {
            let opts = on(solver, opts);
            let s = solve(p, scenario, &opts).unwrap_or_else(|e| panic!("{}: {e}", solver.name()));
            assert!(s.verification.ok, "{}: {:?}", solver.name(), s.verification);
            s
        })
        .collect()
}

fn assert_close(what: &str, got: f64, want: f64) {
    assert!(close(got, want), "{what}: got {got}, want {want}");
}

fn shortages(s: &Solution) -> Vec<f64> {
    s.tiers.iter().map(|t| t.weighted_shortage).collect()
}

/// Without the guarantee, leximin levels 16 units over 30 needed: every
/// state at 16/30, NY 4.667 short where it is 0 short alone; cost 6.667.
/// With it, NY keeps 10 and ships its 2 spare to NJ (the only state that
/// can take more: nothing reaches CT but NY's, and CT keeps its own 4 ≥
/// its alone 4): fills NY 1, CT 0.4, NJ 0.2; shortage 14 either way; cost 2.
#[test]
fn the_guarantee_keeps_the_state_with_stock_whole() {
    let opts = SolveOptions::default();
    for s in solve_all(&load(VENTS), None, &opts) {
        assert_eq!(s.guarantee, Guarantee::None);
        assert_close("shortage", s.tiers[0].weighted_shortage, 14.0);
        for ally in ["NY", "NJ", "CT"] {
            assert_close(
                ally,
                s.fill_rate(ally, "vent", "critical").unwrap(),
                16.0 / 30.0,
            );
        }
        assert_close("cost", s.cost.total, 12.0 - 16.0 / 3.0);
    }
    for s in solve_all(&guaranteed(VENTS), None, &opts) {
        assert_eq!(s.guarantee, Guarantee::Alone);
        assert_close("shortage", s.tiers[0].weighted_shortage, 14.0);
        assert_close("NY", s.fill_rate("NY", "vent", "critical").unwrap(), 1.0);
        assert_close("NJ", s.fill_rate("NJ", "vent", "critical").unwrap(), 0.2);
        assert_close("CT", s.fill_rate("CT", "vent", "critical").unwrap(), 0.4);
        assert_close("cost", s.cost.total, 2.0);
    }
}

/// problems/chips-guarantee-tiers-hand.toml: TW holds 16, needs critical 4
/// and routine 6; the US needs critical 10. Guaranteed, TW keeps 10 and
/// ships 6: critical 4 short, routine 0, cost 12. Under `fab-fire` (stock
/// 8) TW's own alone values are (0, 2): it keeps all 8, critical 10 short,
/// routine 2, cost 0. Without the guarantee: critical 0 and routine 4,
/// cost 20; under the fire critical 6, routine 6, cost 16.
#[test]
fn the_guarantee_can_cost_the_higher_tier_and_follows_the_scenario() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/problems/chips-guarantee-tiers-hand.toml"
    ))
    .unwrap();
    let p = load(&text);
    assert_eq!(p.guarantee(), Guarantee::Alone);
    let opts = SolveOptions::default();
    for (scenario, want, cost) in [
        (None, [4.0, 0.0], 12.0),
        (Some("fab-fire"), [10.0, 2.0], 0.0),
    ] {
        for s in solve_all(&p, scenario, &opts) {
            let got = shortages(&s);
            assert_close(&format!("{scenario:?} critical"), got[0], want[0]);
            assert_close(&format!("{scenario:?} routine"), got[1], want[1]);
            assert_close(&format!("{scenario:?} cost"), s.cost.total, cost);
        }
    }
    let free = load(&text.replace("\nguarantee = \"alone\"\n", "\n"));
    assert_eq!(free.guarantee(), Guarantee::None);
    // Under the fire, leximin levels critical at 8/14: the US gets
    // 10 · 8/14 = 5.714 by the lane, at 2 a unit.
    for (scenario, want, cost) in [
        (None, [0.0, 4.0], 20.0),
        (Some("fab-fire"), [6.0, 6.0], 2.0 * 80.0 / 14.0),
    ] {
        for s in solve_all(&free, scenario, &opts) {
            let got = shortages(&s);
            assert_close(&format!("{scenario:?} critical"), got[0], want[0]);
            assert_close(&format!("{scenario:?} routine"), got[1], want[1]);
            assert_close(&format!("{scenario:?} cost"), s.cost.total, cost);
        }
    }
}

/// A cap sums an ally's items in a tier: JP needs 5 masks (it holds 5) and
/// 5 vents (it holds none), KR needs 10 vents and holds 10, and KR also
/// needs 5 masks, which only JP holds. Alone: JP 5 short (vents), KR 5
/// short (masks): caps 5 and 5. Shared without a guarantee, critical is
/// 10 short whatever moves (5 masks and 10 vents for 10 masks and 15
/// vents); masks and vents are separate parts, and leximin levels masks at
/// 1/2 each (2.5 short each) and vents at 2/3 (JP 1.667, KR 3.333 short):
/// JP 4.167 ≤ 5, KR 5.833 > 5: KR worse off. Guaranteed, KR's shortage
/// ≤ 5: with masks m to KR (JP keeps 5 − m) and vents v to JP (KR keeps
/// 10 − v), JP is short m + 5 − v ≤ 5 and KR 5 − m + v ≤ 5, so v = m;
/// leximin of (masks JP (5 − m)/5, KR m/5, vents JP v/5, KR (10 − v)/10)
/// with v = m: max-min at m = 2.5: fills 0.5, 0.5, 0.5, 0.75; shortages JP
/// 5, KR 5.
const TWO_ITEMS: &str = r#"
name = "two-items"
tiers = ["critical"]
[[items]]
id = "masks"
[[items]]
id = "vents"
[[allies]]
id = "JP"
[[allies]]
id = "KR"
[[supply]]
ally = "JP"
item = "masks"
stock = 5
[[supply]]
ally = "KR"
item = "vents"
stock = 10
[[demand]]
ally = "JP"
item = "masks"
tier = "critical"
quantity = 5
[[demand]]
ally = "JP"
item = "vents"
tier = "critical"
quantity = 5
[[demand]]
ally = "KR"
item = "masks"
tier = "critical"
quantity = 5
[[demand]]
ally = "KR"
item = "vents"
tier = "critical"
quantity = 10
[[lanes]]
from = "JP"
to = "KR"
[[lanes]]
from = "KR"
to = "JP"
"#;

#[test]
fn a_cap_couples_an_allys_items_and_the_parts_follow() {
    // Without the guarantee, masks and vents are independent parts.
    let free = load(TWO_ITEMS);
    assert_eq!(allot::components::split(&free).len(), 2);
    let opts = SolveOptions::default();
    for s in solve_all(&free, None, &opts) {
        assert_close("shortage", s.tiers[0].weighted_shortage, 10.0);
        assert_close(
            "JP masks",
            s.fill_rate("JP", "masks", "critical").unwrap(),
            0.5,
        );
        assert_close(
            "KR vents",
            s.fill_rate("KR", "vents", "critical").unwrap(),
            2.0 / 3.0,
        );
    }
    let p = guaranteed(TWO_ITEMS);
    for s in solve_all(&p, None, &opts) {
        assert_close("shortage", s.tiers[0].weighted_shortage, 10.0);
        for (ally, item, want) in [
            ("JP", "masks", 0.5),
            ("KR", "masks", 0.5),
            ("JP", "vents", 0.5),
            ("KR", "vents", 0.75),
        ] {
            assert_close(
                &format!("{ally} {item}"),
                s.fill_rate(ally, item, "critical").unwrap(),
                want,
            );
        }
    }
    // With caps, KR's (and JP's) two items are one part.
    let capped = p.with_caps(allot::share::caps(&p, &[0.0, 5.0, 5.0, 0.0]));
    assert_eq!(capped.caps().len(), 2);
    assert_eq!(allot::components::split(&capped).len(), 1);
}

/// `--compare alone,none` on VENTS (no guarantee): alone the shortage is
/// 16 (NJ 10, CT 6), shared 14: gain 2; per state shared 4.667 each: NY
/// gains −4.667 (worse off), NJ 5.333, CT 1.333; alone costs 0. With
/// fairness "none" the cheapest optimal plan ships NY's 2 spare units:
/// cost 2, price of fairness 6.667 − 2 = 4.667. Guaranteed, nobody is
/// worse off and the price of fairness is 0 (the guaranteed plan already
/// ships only 2).
#[test]
fn compare_alone_and_none_by_hand() {
    let mut opts = SolveOptions::default();
    opts.compare = CompareWith {
        alone: true,
        none: true,
    };
    // Each state is served 16/3 of its 10.
    let short = 10.0 - 16.0 / 3.0;
    for s in solve_all(&load(VENTS), None, &opts) {
        let c = s.compare.as_ref().expect("compare");
        let a = c.alone.as_ref().expect("alone");
        assert_eq!(a.tiers.len(), 1);
        assert_close("alone", a.tiers[0].weighted_shortage, 16.0);
        assert_close("gain", a.tiers[0].gain, 2.0);
        assert_close("alone cost", a.cost, 0.0);
        let want = [("NY", 0.0), ("NJ", 10.0), ("CT", 6.0)];
        assert_eq!(a.allies.len(), 3);
        for (x, (ally, alone)) in a.allies.iter().zip(want) {
            assert_eq!((x.ally.as_str(), x.tier.as_str()), (ally, "critical"));
            assert_close(ally, x.weighted_shortage, short);
            assert_close(ally, x.alone, alone);
            assert_close(ally, x.gain, alone - short);
        }
        assert_eq!(a.worse_off, ["NY"]);
        assert!(a.allies_unique);
        let n = c.none.as_ref().expect("none");
        assert_close("none cost", n.cost, 2.0);
        assert_close("price", n.price_of_fairness, 12.0 - 16.0 / 3.0 - 2.0);
    }
    for s in solve_all(&guaranteed(VENTS), None, &opts) {
        let c = s.compare.as_ref().expect("compare");
        let a = c.alone.as_ref().expect("alone");
        assert!(a.worse_off.is_empty(), "{a:?}");
        let gains: Vec<f64> = a.allies.iter().map(|x| x.gain).collect();
        assert_eq!(gains.len(), 3, "{gains:?}");
        for (g, want) in gains.iter().zip([0.0, 2.0, 0.0]) {
            assert_close("gain", *g, want);
        }
        assert_close("price", c.none.as_ref().unwrap().price_of_fairness, 0.0);
    }
    // Under fairness "none" the per-ally figures are one plan's.
    let none = load(&format!("fairness = \"none\"\n{VENTS}"));
    assert_eq!(none.fairness(), allot::problem::Fairness::None);
    for s in solve_all(&none, None, &opts) {
        let c = s.compare.as_ref().unwrap();
        assert!(!c.alone.as_ref().unwrap().allies_unique);
        assert_close("price", c.none.as_ref().unwrap().price_of_fairness, 0.0);
    }
}

/// `--marginal` on VENTS. Without the guarantee, one more unit anywhere
/// makes 17 for 30: shortage 13 (gain 1), fills 17/30 = 5.667 each. At NY
/// it ships 13 − 5.667 = 7.333 (cost +0.667); at NJ or CT the unit is
/// served at home, NY ships 6.333 (cost −0.333). Guaranteed (base: NJ 2,
/// cost 2): at NY its spare is 3, NJ gets 3: gain 1, cost +1; at NJ its own
/// unit plus NY's 2: gain 1, cost 0; at CT (cap now 5): NJ still gets 2
/// (its max-min), CT 5: gain 1, cost 0.
#[test]
fn marginal_values_by_hand() {
    let mut opts = SolveOptions::default();
    opts.marginal = Some(1.0);
    let cases = [
        (load(VENTS), [2.0 / 3.0, -1.0 / 3.0, -1.0 / 3.0]),
        (guaranteed(VENTS), [1.0, 0.0, 0.0]),
    ];
    for (p, costs) in cases {
        for s in solve_all(&p, None, &opts) {
            let m = s.marginal.as_ref().expect("marginal");
            assert_eq!(m.len(), 3);
            for (e, (ally, cost)) in m.iter().zip(["NY", "NJ", "CT"].into_iter().zip(costs)) {
                assert_eq!(
                    (e.ally.as_str(), e.item.as_str(), e.units),
                    (ally, "vent", 1.0)
                );
                assert_eq!(e.gain.0.len(), 1);
                assert_close(ally, e.gain.get("critical").unwrap(), 1.0);
                assert_close(ally, e.cost_change, cost);
            }
        }
    }
}

/// The entries are what full re-solves of the changed problems give, on
/// generated problems with and without the guarantee, one with a scenario
/// (the units are added after its changes); the JSON carries them.
#[test]
fn marginal_entries_equal_full_re_solves() {
    use allot::generate::Size;
    for (seed, guarantee) in [(3, false), (5, true), (8, true)] {
        let p = generated(Size::new(3, 2, 2).seed(seed), guarantee);
        let units = 7.0;
        let mut opts = SolveOptions::default();
        opts.marginal = Some(units);
        for solver in SolverKind::available() {
            let opts = on(solver, &opts);
            let s = solve(&p, None, &opts).unwrap();
            let plain = SolveOptions::new(solver);
            let entries = s.marginal.as_ref().unwrap();
            assert_eq!(entries.len(), p.allies().len() * p.items().len());
            let mut i = 0;
            for a in 0..p.allies().len() {
                for k in 0..p.items().len() {
                    let e = &entries[i];
                    i += 1;
                    assert_eq!(
                        (e.ally.as_str(), e.item.as_str()),
                        (p.allies()[a].id.as_str(), p.items()[k].id.as_str())
                    );
                    let (with, _) = with_units(&p, a, k, units);
                    let w = solve(&with, None, &plain).unwrap();
                    let what = format!(
                        "seed {seed} {} +{units} {} at {}",
                        solver.name(),
                        e.item,
                        e.ally
                    );
                    assert_eq!(s.tiers.len(), w.tiers.len(), "{what}: tiers");
                    for (b, x) in s.tiers.iter().zip(&w.tiers) {
                        let want = b.weighted_shortage - x.weighted_shortage;
                        let got = e.gain.get(&b.tier).unwrap();
                        assert!(
                            (got - want).abs() <= 1e-6 * b.weighted_shortage.abs().max(1.0),
                            "{what}: gain {} {got}, re-solve {want}",
                            b.tier
                        );
                    }
                    let want = w.cost.total - s.cost.total;
                    assert!(
                        (e.cost_change - want).abs() <= 1e-6 * s.cost.total.abs().max(1.0),
                        "{what}: cost change {}, re-solve {want}",
                        e.cost_change
                    );
                }
            }
        }
    }
}

/// VENTS with 30 ventilators at NY: every state is served in full (NY
/// ships 10 to NJ and 6 to CT, cost 16) and NY keeps 14 spare in its only
/// period. One more unit at NY changes nothing, and the base plan proves
/// it (no re-solve); at NJ or CT the unit is served at home and NY ships
/// one less: gain 0, cost −1, which takes a re-solve (neither keeps
/// stock).
#[test]
fn marginal_units_where_stock_is_left_change_nothing_by_hand() {
    let p = load(&VENTS.replace("stock = 12", "stock = 30"));
    assert_eq!(p.supply()[0].stock, 30.0);
    let mut opts = SolveOptions::default();
    opts.marginal = Some(1.0);
    for solver in SolverKind::available() {
        let solved = SolveRequest::new(&p)
            .options(on(solver, &opts))
            .run()
            .unwrap();
        let what = solver.name();
        assert_close(what, solved.solution.cost.total, 16.0);
        let m = solved.solution.marginal.as_ref().expect("marginal");
        assert_eq!(m.len(), 3, "{what}: one entry per state");
        for (e, cost) in m.iter().zip([0.0, -1.0, -1.0]) {
            assert_close(&format!("{what} {}", e.ally), e.cost_change, cost);
            assert_close(&e.ally, e.gain.get("critical").unwrap(), 0.0);
        }
        assert_eq!(solved.stats.marginal_unchanged, 1, "{what}");
    }
}

/// Every entry's numbers, with the shortcut that answers an entry from the
/// base plan ([`allot::share::surplus_everywhere`]), against the same entries
/// with every entry re-solved, and against explicit full re-solves of the
/// changed problems where nothing changed (what the shortcut answers): on generated problems of
/// several periods (with and without the guarantee) and on bundled
/// problems, every backend. The shortcut must be taken somewhere, or the
/// test would prove nothing.
#[test]
fn marginal_shortcuts_give_the_re_solves_numbers() {
    use allot::generate::Size;
    use allot::solve::Tuning;
    let mut problems: Vec<Problem> = Vec::new();
    // Generated problems are short of stock everywhere; with their stock
    // multiplied, some nodes keep stock to the end and others do not.
    for (size, guarantee, stock) in [
        (Size::new(4, 2, 3).seed(2), false, 1.0),
        (Size::new(4, 2, 3).seed(2), false, 3.0),
        (Size::new(5, 2, 4).seed(7), false, 4.0),
        (Size::new(4, 2, 3).seed(11), true, 3.0),
        (Size::new(6, 3, 3).degree(3).seed(4), false, 2.0),
    ] {
        // The stock (and reserve) multiplied by a scenario's change.
        let mut b = size.builder();
        if guarantee {
            b.guarantee(Guarantee::Alone);
        }
        b.scenario("more stock")
            .change(ChangeEntry::new(Target::Stock, stock).ally("*").item("*"));
        let p = b.build().unwrap_or_else(|e| panic!("{e}"));
        problems.push(p.with_scenario(p.scenario("more stock").expect("scenario")));
    }
    for name in [
        "chips-hand-check.toml",
        "medical-ventilators-guarantee-hand.toml",
        "rare-earths-magnet-stockpile.toml",
    ] {
        let file = format!("{}/problems/{name}", env!("CARGO_MANIFEST_DIR"));
        problems.push(allot::load(std::path::Path::new(&file)).expect("bundled problem"));
    }
    let units = 3.0;
    let mut taken = 0;
    for p in &problems {
        for solver in SolverKind::available() {
            let mut opts = SolveOptions::new(solver);
            opts.marginal = Some(units);
            let fast = SolveRequest::new(p).options(opts).run().unwrap();
            opts.tuning = Tuning::default().with_marginal_shortcuts(false);
            let full = SolveRequest::new(p).options(opts).run().unwrap();
            assert_eq!(full.stats.marginal_unchanged, 0);
            taken += fast.stats.marginal_unchanged;
            eprintln!(
                "{} {}: {} of {} entries from the base plan",
                p.name(),
                solver.name(),
                fast.stats.marginal_unchanged,
                p.allies().len() * p.items().len()
            );
            let (fm, em) = (
                fast.solution.marginal.as_ref().unwrap(),
                full.solution.marginal.as_ref().unwrap(),
            );
            assert_eq!(fm.len(), em.len());
            let base = &fast.solution;
            for (f, e) in fm.iter().zip(em) {
                let what = format!(
                    "{} {} +{units} {} at {}",
                    p.name(),
                    solver.name(),
                    f.item,
                    f.ally
                );
                assert_eq!((&f.ally, &f.item), (&e.ally, &e.item));
                assert_eq!(f.gain.0.len(), e.gain.0.len(), "{what}: tiers");
                for ((tier, got), (_, want)) in f.gain.0.iter().zip(&e.gain.0) {
                    let scale = base.tiers.iter().find(|t| &t.tier == tier).unwrap();
                    assert!(
                        (got - want).abs() <= 1e-6 * scale.weighted_shortage.abs().max(1.0),
                        "{what}: gain {tier} {got}, re-solved {want}"
                    );
                }
                assert!(
                    (f.cost_change - e.cost_change).abs() <= 1e-6 * base.cost.total.abs().max(1.0),
                    "{what}: cost change {}, re-solved {}",
                    f.cost_change,
                    e.cost_change
                );
                // Where nothing changed (as the shortcut answers), a full
                // re-solve of the whole changed problem agrees.
                if f.cost_change == 0.0 && f.gain.0.iter().all(|(_, g)| *g == 0.0) {
                    let a = p.allies().iter().position(|x| x.id == f.ally).unwrap();
                    let k = p.items().iter().position(|x| x.id == f.item).unwrap();
                    let (with, _) = with_units(p, a, k, units);
                    let w = solve(&with, None, &SolveOptions::new(solver)).unwrap();
                    assert_eq!(base.tiers.len(), w.tiers.len(), "{what}: tiers");
                    for (b, x) in base.tiers.iter().zip(&w.tiers) {
                        assert!(
                            (b.weighted_shortage - x.weighted_shortage).abs()
                                <= 1e-6 * b.weighted_shortage.abs().max(1.0),
                            "{what}: {} {} re-solved {}",
                            b.tier,
                            b.weighted_shortage,
                            x.weighted_shortage
                        );
                    }
                    assert_close(&what, w.cost.total, base.cost.total);
                }
            }
        }
    }
    assert!(taken > 0, "no entry was answered from the base plan");
}

/// The re-solves warm-started from the base solve's bases (HiGHS: each
/// tier's shortage and the cost start with dual simplex from the base
/// chain's optimal basis of the same objective) give the numbers of the
/// same re-solves started cold, entry by entry within SPEC §6's 1e-6
/// relative, on generated problems of several sizes (one split in parts,
/// one with the guarantee, one with `fairness = "none"`, one with the
/// stock tripled) and a bundled one. The warm start must be taken, or the
/// test would prove nothing.
#[cfg(feature = "highs")]
#[test]
fn marginal_warm_starts_give_the_cold_re_solves_numbers() {
    use allot::generate::Size;
    use allot::problem::Fairness;
    use allot::solve::Tuning;
    let mut problems: Vec<Problem> = Vec::new();
    for (size, guarantee, none, stock) in [
        (Size::new(4, 2, 3).seed(2), false, false, 1.0),
        (Size::new(5, 2, 4).seed(7), false, false, 3.0),
        (Size::new(4, 2, 3).seed(11), true, false, 1.0),
        (Size::new(6, 3, 3).degree(3).seed(4), false, false, 1.0),
        (Size::new(6, 3, 4).degree(3).seed(9), false, true, 1.0),
        (Size::new(8, 3, 4).degree(4).seed(5), false, false, 1.0),
    ] {
        // The stock (and reserve) multiplied by a scenario's change.
        let mut b = size.builder();
        if guarantee {
            b.guarantee(Guarantee::Alone);
        }
        if none {
            b.fairness(Fairness::None);
        }
        b.scenario("more stock")
            .change(ChangeEntry::new(Target::Stock, stock).ally("*").item("*"));
        let p = b.build().unwrap_or_else(|e| panic!("{e}"));
        problems.push(p.with_scenario(p.scenario("more stock").expect("scenario")));
    }
    let file = format!(
        "{}/problems/rare-earths-magnet-stockpile.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    problems.push(allot::load(std::path::Path::new(&file)).expect("bundled problem"));
    let units = 2.0;
    let mut warm_lps = 0;
    for p in &problems {
        let mut opts = SolveOptions::new(SolverKind::Highs);
        opts.marginal = Some(units);
        // Every entry re-solved, so that each one tests the warm start.
        opts.tuning = Tuning::default().with_marginal_shortcuts(false);
        let warm = SolveRequest::new(p).options(opts).run().unwrap();
        opts.tuning = opts.tuning.with_warm_start(false);
        let cold = SolveRequest::new(p).options(opts).run().unwrap();
        assert_eq!(cold.stats.warm_started, 0, "{}", p.name());
        warm_lps += warm.stats.warm_started;
        eprintln!(
            "{}: {} re-solve LPs warm-started",
            p.name(),
            warm.stats.warm_started
        );
        let (wm, cm) = (
            warm.solution.marginal.as_ref().unwrap(),
            cold.solution.marginal.as_ref().unwrap(),
        );
        assert_eq!(wm.len(), p.allies().len() * p.items().len());
        assert_eq!(wm.len(), cm.len());
        let base = &cold.solution;
        for (w, c) in wm.iter().zip(cm) {
            let what = format!("{} +{units} {} at {}", p.name(), w.item, w.ally);
            assert_eq!((&w.ally, &w.item), (&c.ally, &c.item));
            for ((tier, got), (_, want)) in w.gain.0.iter().zip(&c.gain.0) {
                let scale = base.tiers.iter().find(|t| &t.tier == tier).unwrap();
                assert!(
                    (got - want).abs() <= 1e-6 * scale.weighted_shortage.abs().max(1.0),
                    "{what}: gain {tier} warm {got}, cold {want}"
                );
            }
            assert!(
                (w.cost_change - c.cost_change).abs() <= 1e-6 * base.cost.total.abs().max(1.0),
                "{what}: cost change warm {}, cold {}",
                w.cost_change,
                c.cost_change
            );
        }
    }
    assert!(warm_lps > 0, "no re-solve LP was warm-started");
}

/// A guaranteed plan keeps every ally at or below its alone shortage,
/// checked from the result's fill rates against a plain solve of the
/// problem with its lanes removed (neither goes through the caps' rows);
/// and it never does better than the unguaranteed optimum in the first
/// tier (the caps only restrict).
#[test]
fn guaranteed_plans_respect_every_alone_value() {
    use allot::generate::Size;
    for seed in [1, 2, 4, 6] {
        let size = Size::new(4, 2, 2).seed(seed);
        let free = solve(&size.problem(), None, &SolveOptions::default()).unwrap();
        let p = generated(size, true);
        let alone = allot::share::alone_problem(&p);
        for solver in SolverKind::available() {
            let opts = SolveOptions::new(solver);
            let s = solve(&p, None, &opts).unwrap();
            assert!(s.verification.ok, "seed {seed}: {:?}", s.verification);
            let a = solve(&alone, None, &opts).unwrap();
            let by_ally = |s: &Solution, ally: &str, tier: &str| -> f64 {
                s.fill
                    .iter()
                    .filter(|f| f.ally == ally && f.tier == tier)
                    .map(|f| {
                        let value = p.items().iter().find(|k| k.id == f.item).unwrap().value;
                        value * (f.demand - f.served)
                    })
                    .sum()
            };
            for ally in p.allies() {
                for tier in p.tiers() {
                    let (shared, own) = (by_ally(&s, &ally.id, tier), by_ally(&a, &ally.id, tier));
                    assert!(
                        shared <= own + 1e-6 * own.max(1.0),
                        "seed {seed} {}: {} {tier}: {shared} > alone {own}",
                        solver.name(),
                        ally.id
                    );
                }
            }
            let first = s.tiers[0].weighted_shortage;
            let best = free.tiers[0].weighted_shortage;
            assert!(
                first >= best - 1e-6 * best.max(1.0),
                "seed {seed}: {first} < {best}"
            );
        }
    }
}

/// The verifier catches a plan that breaks a cap, without the LP builder.
#[test]
fn the_verifier_checks_caps() {
    let p = load(VENTS);
    // The unguaranteed leximin plan, checked against NY's alone value 0.
    let s = solve(&p, None, &SolveOptions::default()).unwrap();
    assert!(s.verification.ok);
    let p = p.with_caps(allot::share::caps(&p, &[0.0, 10.0, 6.0]));
    let plan = allot::solution::Plan {
        ship: vec![(0, 0, 0, 16.0 / 3.0), (1, 0, 0, 4.0 / 3.0)],
        make: vec![vec![0.0], vec![0.0]],
        surge: vec![vec![0.0], vec![0.0]],
        served: vec![vec![16.0 / 3.0]; 3],
        draw: vec![vec![0.0], vec![0.0]],
    };
    let v = allot::verify::verify(&p, &plan);
    assert!(
        !v.ok && v.worst.contains("NY") && v.worst.contains("alone"),
        "{v:?}"
    );
    // NY served in full, the rest as the guarantee has it: passes.
    let plan = allot::solution::Plan {
        ship: vec![(0, 0, 0, 2.0)],
        served: vec![vec![10.0], vec![2.0], vec![4.0]],
        ..plan
    };
    let v = allot::verify::verify(&p, &plan);
    assert!(v.ok, "{v:?}");
}

/// The CLI: JSON fields as SPEC words them, the table's sections, CSV
/// tables, scenarios each against their own alone problem, and bad input.
#[test]
fn cli_compare_json_table_and_csv() {
    let out = Test::new()
        .file("v.toml", VENTS)
        .args([
            "solve",
            "v.toml",
            "--compare",
            "alone,none",
            "--format",
            "json",
        ])
        .run();
    let v = out.json();
    let a = &v["compare"]["alone"];
    assert_eq!(a["tiers"][0]["tier"], "critical");
    assert_eq!(a["tiers"][0]["weighted_shortage"], 16.0);
    assert_eq!(a["tiers"][0]["gain"], 2.0);
    assert_eq!(a["cost"], 0.0);
    assert_eq!(a["allies"][1]["ally"], "NJ");
    assert_eq!(a["allies"][1]["alone"], 10.0);
    let num = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    assert_close("NJ gain", num(&a["allies"][1]["gain"]), 16.0 / 3.0);
    assert_eq!(a["worse_off"], serde_json::json!(["NY"]));
    assert_eq!(v["compare"]["none"]["cost"], 2.0);
    assert_close(
        "price",
        num(&v["compare"]["none"]["price_of_fairness"]),
        12.0 - 16.0 / 3.0 - 2.0,
    );
    assert!(v.get("guarantee").is_none(), "{v}");

    Test::new()
        .file("v.toml", VENTS)
        .args(["solve", "v.toml", "--compare", "alone,none"])
        .stdout_has("\nSharing (weighted shortage alone, with every lane closed, and shared)\n")
        .stdout_has("  critical    16     14    2")
        .stdout_has("NY   critical     0  4.667 -4.667")
        .stdout_has("Cost alone 0, shared 6.667")
        .stdout_has("Price of fairness 4.667 (cost 6.667 with fairness, 2 without)")
        .run();

    Test::new()
        .file("v.toml", VENTS)
        .args([
            "solve",
            "v.toml",
            "--compare",
            "alone",
            "--format",
            "csv",
            "--csv-table",
            "compare",
        ])
        .stdout_has(
            "problem,scenario,baseline,measure,ally,tier,shared,baseline_value,gain,worse_off\n",
        )
        .stdout_has("vents,,alone,weighted_shortage,,critical,14,16,2,\n")
        .stdout_has("vents,,alone,weighted_shortage,NY,critical,4.666666")
        .stdout_has(",0,-4.666666")
        .stdout_has(",true\nvents,,alone,weighted_shortage,NJ,critical,4.666666")
        .stdout_has("vents,,alone,cost,,,6.666666")
        .run();

    Test::new()
        .file("v.toml", format!("guarantee = \"alone\"\n{VENTS}"))
        .args([
            "solve",
            "v.toml",
            "--marginal",
            "--format",
            "csv",
            "--csv-table",
            "marginal",
        ])
        .stdout(
            "problem,scenario,ally,item,units,tier,gain,cost_change\n\
             vents,,NY,vent,1,critical,1,1\n\
             vents,,NJ,vent,1,critical,1,0\n\
             vents,,CT,vent,1,critical,1,0\n",
        )
        .run();

    let out = Test::new()
        .file("v.toml", format!("guarantee = \"alone\"\n{VENTS}"))
        .args([
            "solve",
            "v.toml",
            "--marginal",
            "--units",
            "2",
            "--format",
            "json",
        ])
        .run();
    let v = out.json();
    assert_eq!(v["guarantee"], "alone");
    // +2 at NY: spare 4, NJ 0.4 (gain 2), cost +2.
    assert_eq!(v["marginal"][0]["ally"], "NY");
    assert_eq!(v["marginal"][0]["units"], 2.0);
    assert_eq!(v["marginal"][0]["gain"]["critical"], 2.0);
    assert_eq!(v["marginal"][0]["cost_change"], 2.0);

    // With a comparison too: the re-solves are without a guarantee, as
    // the problem is.
    Test::new()
        .file("v.toml", VENTS)
        .args(["solve", "v.toml", "--marginal", "--compare", "alone"])
        .stdout_has("Where more units help (1 more unit of free stock; top 3 of 3 pairs")
        .stdout_has("  NJ   vent        1      -0.333\n  CT   vent        1      -0.333\n  NY   vent        1       0.667\n")
        .run();
}

#[test]
fn cli_compare_works_per_scenario() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/problems/chips-guarantee-tiers-hand.toml"
    );
    let out = Test::new()
        .args([
            "solve",
            path,
            "--all-scenarios",
            "--compare",
            "alone",
            "--format",
            "json",
        ])
        .run();
    let v = out.json();
    // Base: alone critical 10 (US), routine 0; guaranteed 4 and 0.
    assert_eq!(
        v[0]["compare"]["alone"]["tiers"][0]["weighted_shortage"],
        10.0
    );
    assert_eq!(v[0]["compare"]["alone"]["tiers"][0]["gain"], 6.0);
    // fab-fire: alone critical 10, routine 2; guaranteed the same.
    assert_eq!(v[1]["scenario"], "fab-fire");
    assert_eq!(
        v[1]["compare"]["alone"]["tiers"][1]["weighted_shortage"],
        2.0
    );
    assert_eq!(v[1]["compare"]["alone"]["tiers"][0]["gain"], 0.0);
    assert_eq!(v[1]["compare"]["alone"]["worse_off"], serde_json::json!([]));
}

#[test]
fn bad_compare_and_units_are_usage_errors() {
    for (args, fragment) in [
        (vec!["--compare", "alon"], "did you mean `alone`?"),
        (
            vec!["--compare", "alone,fair"],
            "write `alone`, `none` or `alone,none`",
        ),
        (
            vec!["--compare", ""],
            "write `alone`, `none` or `alone,none`",
        ),
        (vec!["--compare", "alone,alone"], "named twice"),
        (vec!["--marginal", "--units", "0"], "above 0"),
        (vec!["--marginal", "--units", "-3"], "above 0"),
        (vec!["--marginal", "--units", "NaN"], "above 0"),
        (vec!["--marginal", "--units", "inf"], "above 0"),
        (vec!["--marginal", "--units", "ten"], "is not a number"),
        (vec!["--units", "2"], "--marginal"),
    ] {
        let mut all = vec!["solve", "v.toml"];
        all.extend(args);
        Test::new()
            .file("v.toml", VENTS)
            .args(all)
            .status(2)
            .stderr_has(fragment)
            .stdout("")
            .run();
    }
}
