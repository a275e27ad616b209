//! Stockpile planning (SPEC §12): hand-checked plans on every backend, an
//! independent replay of every case's decisions with the placed stock, the
//! placed problem written and solved again, and small property tests.

use allot::plan::{Plan, PlanOptions, placed, plan};
use allot::{Problem, SolverKind, load_str};

use super::handsolved::close;
use super::harness::Test;

fn plan_on(p: &Problem, solver: SolverKind) -> Plan {
    let opts = PlanOptions::new(solver);
    plan(p, &opts).unwrap_or_else(|e| panic!("{}: {e}", solver.name()))
}

/// One solve (`None`: the base problem) with `solver`.
fn solve_case(p: &Problem, scenario: Option<&str>, solver: SolverKind) -> allot::Solution {
    allot::SolveRequest::new(p)
        .solves([scenario])
        .solver(solver)
        .run()
        .unwrap_or_else(|e| panic!("{}: {e}", solver.name()))
        .solution
}

fn units(plan: &Plan, ally: &str, item: &str) -> f64 {
    plan.placement
        .iter()
        .find(|p| p.ally == ally && p.item == item)
        .map_or(0.0, |p| p.units)
}

fn expected(plan: &Plan, tier: &str) -> f64 {
    plan.expected
        .tiers
        .iter()
        .find(|t| t.tier == tier)
        .map(|t| t.weighted_shortage)
        .unwrap_or_else(|| panic!("no tier {tier}"))
}

/// Every case's decisions, replayed by the independent verifier against the
/// placed problem of that case (placement added to the stock, then the
/// scenario's changes), and every reported figure recomputed from them.
fn replay(p: &Problem, plan: &Plan) {
    assert_eq!(plan.cases.len(), p.scenarios().len() + 1);
    let probabilities = p.probabilities();
    let mut expected_ws = vec![0.0; p.tiers().len()];
    let mut expected_cost = 0.0;
    for (i, case) in plan.cases.iter().enumerate() {
        let q = plan.case_problem(p, case.scenario);
        if let Some(d) = &case.decisions {
            let v = allot::verify::verify(&q, d);
            assert!(v.ok, "case {i}: {} ({})", v.worst, v.max_violation);
            let again = allot::Solution::from_plan(&q, None, d, v, 0);
            assert_eq!(again.tiers.len(), case.solution.tiers.len(), "case {i}");
            for (a, b) in again.tiers.iter().zip(&case.solution.tiers) {
                assert!(close(a.weighted_shortage, b.weighted_shortage));
            }
            assert!(close(again.cost.total, case.solution.cost.total));
        }
        for (g, t) in plan.scenarios[i].tiers.iter().enumerate() {
            expected_ws[g] += probabilities[i] * t.weighted_shortage;
        }
        expected_cost += probabilities[i] * plan.scenarios[i].cost;
        assert!(close(plan.scenarios[i].probability, probabilities[i]));
    }
    for sp in p.stockpiles() {
        let placed: f64 = plan
            .units
            .iter()
            .filter(|u| u.1 == sp.item)
            .map(|u| u.2)
            .sum();
        assert!(placed <= sp.budget * (1.0 + 1e-9) + 1e-9, "over budget");
        expected_cost += sp.cost * placed;
        assert!(
            plan.units
                .iter()
                .filter(|u| u.1 == sp.item)
                .all(|u| u.2 >= 0.0 && sp.allies.contains(&u.0))
        );
    }
    for (g, t) in plan.expected.tiers.iter().enumerate() {
        assert!(close(t.weighted_shortage, expected_ws[g]), "tier {g}");
    }
    assert!(close(plan.expected.cost, expected_cost));
}

/// Two allies, one item, two scenarios with probabilities.
///
/// A and B each need 10 ventilators (critical) in the one period; nothing is
/// on hand. Up to 12 may be placed at A or B (1 per unit); a lane A → B
/// carries at most 3 at 1 per unit. `wave-a` (probability 0.5): only A needs
/// them (B's demand × 0); `wave-b` (0.3): only B; the base problem (both)
/// has 0.2.
///
/// With yA + yB = 12 (every placed unit cuts some shortage, so the budget is
/// spent), for 5 ≤ yA ≤ 10: wave-a is short 10 − yA; wave-b gets yB + 3 =
/// 15 − yA, short yA − 5; the base serves 12 of 20 whatever the split
/// (short 8). Expected shortage 0.2·8 + 0.5·(10 − yA) + 0.3·(yA − 5),
/// falling by 0.2 per unit moved to A up to yA = 10 and rising beyond (A's
/// 11th unit helps only wave-b, through the lane, at 0.3 per unit lost from
/// B's own). So yA = 10, yB = 2, expected shortage 1.6 + 0 + 1.5 = 3.1.
/// Cost: placement 12, wave-b ships 3 (0.3 · 3 = 0.9), the base ships
/// nothing (its shortage is 8 either way): 12.9.
const VENTS: &str = r#"
name = "vents"
tiers = ["critical"]
[[items]]
id = "vent"
[[allies]]
id = "A"
[[allies]]
id = "B"
[[demand]]
ally = "A"
item = "vent"
tier = "critical"
quantity = 10
[[demand]]
ally = "B"
item = "vent"
tier = "critical"
quantity = 10
[[lanes]]
from = "A"
to = "B"
capacity = 3
cost = 1
[[stockpile]]
item = "vent"
budget = 12
allies = ["A", "B"]
cost = 1
[[scenarios]]
name = "wave-a"
probability = 0.5
changes = [{ target = "demand", ally = "B", factor = 0 }]
[[scenarios]]
name = "wave-b"
probability = 0.3
changes = [{ target = "demand", ally = "A", factor = 0 }]
"#;

#[test]
fn hand_checked_placement_between_two_allies() {
    let p = load_str(VENTS, "vents.toml").unwrap();
    for solver in SolverKind::available() {
        let plan = plan_on(&p, solver);
        let n = solver.name();
        assert!(close(units(&plan, "A", "vent"), 10.0), "{n}: {plan:?}");
        assert!(close(units(&plan, "B", "vent"), 2.0), "{n}");
        assert!(close(expected(&plan, "critical"), 3.1), "{n}");
        assert!(close(plan.expected.cost, 12.9), "{n}");
        // The cases: base short 8, wave-a 0, wave-b 5 (A ships 3 to B).
        let ws: Vec<f64> = plan
            .scenarios
            .iter()
            .map(|c| c.tiers[0].weighted_shortage)
            .collect();
        assert!(
            close(ws[0], 8.0) && close(ws[1], 0.0) && close(ws[2], 5.0),
            "{n}: {ws:?}"
        );
        assert!(close(plan.scenarios[2].cost, 3.0), "{n}");
        assert!(close(plan.scenarios[0].probability, 0.2), "{n}");
        replay(&p, &plan);
    }
}

/// The same with probabilities 0.6 and 0.4: the base problem has
/// probability 0 and adds nothing. Expected shortage 0.6·(10 − yA) +
/// 0.4·(yA − 5) falls by 0.2 per unit up to yA = 10: yA = 10, yB = 2,
/// expected shortage 0.4·5 = 2, cost 12 + 0.4·3 = 13.2. The base case is
/// solved on its own with that placement, leximin-fair: short 8, and A
/// ships 3 to B (fill rates 0.7 and 0.5 instead of 1 and 0.2), cost 3.
#[test]
fn a_base_problem_of_probability_zero_adds_nothing() {
    let text = VENTS
        .replace("probability = 0.5", "probability = 0.6")
        .replace("probability = 0.3", "probability = 0.4");
    let p = load_str(&text, "vents.toml").unwrap();
    for solver in SolverKind::available() {
        let plan = plan_on(&p, solver);
        let n = solver.name();
        assert!(close(units(&plan, "A", "vent"), 10.0), "{n}");
        assert!(close(expected(&plan, "critical"), 2.0), "{n}");
        assert!(close(plan.expected.cost, 13.2), "{n}");
        assert_eq!(plan.scenarios[0].probability, 0.0);
        assert!(plan.cases[0].decisions.is_none(), "{n}: solved on its own");
        assert!(close(plan.scenarios[0].tiers[0].weighted_shortage, 8.0));
        assert!(close(plan.scenarios[0].cost, 3.0), "{n}");
        replay(&p, &plan);
    }
}

/// A `stock` change scales placed units, also where the ally has no
/// `supply` entry. A needs 8; up to 10 may be placed at A or B; B → A ships
/// at 1 per unit. `depot-fire` (probability 0.5) destroys A's stock (stock
/// × 0). No shortage needs yB ≥ 8 (the fire leaves only B's); then the
/// base ships 8 − yA and the fire 8: expected cost 0.5·(8 − yA) + 0.5·8,
/// least at yA = 2 (the budget's rest): yA = 2, yB = 8, cost 7. Were the
/// fire not to touch placed units, yA = 8 would cost 0.
#[test]
fn a_stock_change_scales_units_placed_without_a_supply_entry() {
    let text = r#"
tiers = ["critical"]
[[items]]
id = "vent"
[[allies]]
id = "A"
[[allies]]
id = "B"
[[demand]]
ally = "A"
item = "vent"
tier = "critical"
quantity = 8
[[lanes]]
from = "B"
to = "A"
cost = 1
[[stockpile]]
item = "vent"
budget = 10
[[scenarios]]
name = "depot-fire"
probability = 0.5
changes = [{ target = "stock", ally = "A", item = "vent", factor = 0 }]
"#;
    let p = load_str(text, "fire.toml").unwrap();
    for solver in SolverKind::available() {
        let plan = plan_on(&p, solver);
        let n = solver.name();
        assert!(close(units(&plan, "A", "vent"), 2.0), "{n}: {plan:?}");
        assert!(close(units(&plan, "B", "vent"), 8.0), "{n}");
        assert!(close(expected(&plan, "critical"), 0.0), "{n}");
        assert!(close(plan.expected.cost, 7.0), "{n}");
        replay(&p, &plan);
    }
}

/// Without probabilities the base and every scenario are equally likely.
#[test]
fn without_probabilities_every_case_is_equally_likely() {
    let text = VENTS
        .replace("probability = 0.5\n", "")
        .replace("probability = 0.3\n", "");
    let p = load_str(&text, "vents.toml").unwrap();
    assert_eq!(p.probabilities(), vec![1.0 / 3.0; 3]);
    // (8 + (10 − yA) + (yA − 5)) / 3 is flat in yA ∈ [5, 10]: 13/3 = 4.333…
    let plan = plan_on(&p, SolverKind::Microlp);
    assert!(close(expected(&plan, "critical"), 13.0 / 3.0), "{plan:?}");
    replay(&p, &plan);
}

/// Bad stockpile and probability keys are located errors (exit 2).
#[test]
fn bad_stockpile_and_probability_keys_are_located() {
    let base = VENTS.replace(
        "[[stockpile]]\nitem = \"vent\"\nbudget = 12\nallies = [\"A\", \"B\"]\ncost = 1\n",
        "",
    );
    for (stockpile, key, message) in [
        (
            "[[stockpile]]\nitem = \"vnt\"\nbudget = 1\n",
            "stockpile[0].item",
            "did you mean `vent`?",
        ),
        (
            "[[stockpile]]\nitem = \"vent\"\nbudget = -1\n",
            "stockpile[0].budget",
            "must not be negative",
        ),
        (
            "[[stockpile]]\nitem = \"vent\"\nbudget = 1\ncost = nan\n",
            "stockpile[0].cost",
            "not a finite number",
        ),
        (
            "[[stockpile]]\nitem = \"vent\"\nbudget = 1\nallies = [\"AA\"]\n",
            "stockpile[0].allies[0]",
            "known allies: `A`, `B`",
        ),
        (
            "[[stockpile]]\nitem = \"vent\"\nbudget = 1\n[[stockpile]]\nitem = \"vent\"\nbudget = 2\n",
            "stockpile[1].item",
            "duplicate stockpile for item `vent`",
        ),
        (
            "[[stockpile]]\nitem = \"vent\"\n",
            "stockpile[0]",
            "missing required key `budget`",
        ),
    ] {
        let text = format!("{base}{stockpile}");
        Test::new()
            .file("p.toml", text)
            .args(["plan", "p.toml"])
            .status(2)
            .stderr_has(key)
            .stderr_has(message)
            .stderr_has("p.toml:")
            .run();
    }
    for (from, to, key, message) in [
        (
            "probability = 0.5",
            "probability = 1.5",
            "scenarios[0].probability",
            "at most 1",
        ),
        (
            "probability = 0.3",
            "probability = 0.6",
            "scenarios[1].probability",
            "sum to 1.1",
        ),
        (
            "probability = 0.3\n",
            "",
            "scenarios[1]",
            "has no `probability`",
        ),
    ] {
        Test::new()
            .file("p.toml", VENTS.replace(from, to))
            .args(["solve", "p.toml"])
            .status(2)
            .stderr_has(key)
            .stderr_has(message)
            .stderr_has("p.toml:")
            .run();
    }
}

/// `allot solve` places nothing: the stockpile tables are accepted and
/// ignored (both need 10, nothing is on hand: 20 short).
#[test]
fn solve_places_nothing() {
    let p = load_str(VENTS, "vents.toml").unwrap();
    let s = solve_case(&p, None, SolverKind::Microlp);
    assert!(close(s.tier("critical").unwrap().weighted_shortage, 20.0));
}

/// `allot plan --write` writes the placed problem: it loads back as
/// [`placed`] describes it, and solving it scenario by scenario (fairness
/// `"none"`: with the placement fixed the cases separate, each at its own
/// lexicographic optimum) gives the plan's per-case and expected figures.
#[test]
fn the_placed_problem_round_trips_through_solve() {
    let text = format!("fairness = \"none\"\n# a comment that survives\n{VENTS}");
    let out = Test::new()
        .file("p.toml", &text)
        .args([
            "plan",
            "p.toml",
            "--format",
            "json",
            "--write",
            "placed.toml",
        ])
        .run();
    let json = out.json();
    assert_eq!(json["placement"][0]["ally"], "A");
    assert!(close(
        json["expected"]["tiers"][0]["weighted_shortage"]
            .as_f64()
            .unwrap(),
        3.1
    ));
    let written = std::fs::read_to_string(out.path("placed.toml")).unwrap();
    assert!(written.contains("# a comment that survives"), "{written}");
    assert!(!written.contains("\n[[stockpile]]") && !written.contains("\n[expect"));
    let p = load_str(&text, "p.toml").unwrap();
    let plan = plan_on(&p, SolverKind::Microlp);
    let want = placed(&p, &plan.units);
    let got = load_str(&written, "placed.toml").unwrap();
    assert_eq!(got, want);
    let solved = Test::new()
        .in_dir(out.dir)
        .args([
            "solve",
            "placed.toml",
            "--all-scenarios",
            "--format",
            "json",
        ])
        .run()
        .json();
    let probabilities = p.probabilities();
    let mut e = 0.0;
    for (i, s) in solved.as_array().unwrap().iter().enumerate() {
        let ws = s["tiers"][0]["weighted_shortage"].as_f64().unwrap();
        let case = json["scenarios"][i]["tiers"][0]["weighted_shortage"]
            .as_f64()
            .unwrap();
        assert!(close(ws, case), "case {i}: {ws} vs {case}");
        e += probabilities[i] * ws;
    }
    assert!(close(e, 3.1));
}

/// `[expect.plan]` is checked by `allot check`, and `--bless` writes it.
#[test]
fn check_compares_expect_plan() {
    let good =
        format!("{VENTS}\n[expect.plan]\nweighted_shortage = {{ critical = 3.1 }}\ncost = 12.9\n");
    Test::new()
        .file("p.toml", &good)
        .args(["check", "p.toml"])
        .stdout_has("ok         p.toml [plan]  critical 3.1, cost 12.9")
        .run();
    Test::new()
        .file("p.toml", good.replace("cost = 12.9", "cost = 13"))
        .args(["check", "p.toml"])
        .status(1)
        .stdout_has("FAIL       p.toml [plan]  cost: expected 13, got 12.9")
        .run();
    let out = Test::new()
        .file("p.toml", VENTS)
        .args(["check", "--bless", "p.toml"])
        .run();
    let blessed = std::fs::read_to_string(out.path("p.toml")).unwrap();
    assert!(blessed.contains("[expect.plan]"), "{blessed}");
    Test::new()
        .in_dir(out.dir)
        .args(["check", "--strict", "p.toml"])
        .stdout_has("ok         p.toml [plan]")
        .run();
}

/// A supply change selects a stockpile position like the entry the
/// placement creates there in the written file: an embargo closing A's
/// exports (factor 0, every item) keeps the units placed at A at home,
/// although A has no `supply` entry of them. B needs 5; up to 5 may be
/// placed, only at A; `embargo` (probability 0.5) leaves B 5 short, so the
/// expected shortage is 2.5 (it would be 0 if the placed units escaped the
/// embargo), and the written file's cases agree.
#[test]
fn an_export_embargo_holds_back_units_placed_without_a_supply_entry() {
    let text = r#"
tiers = ["critical"]
fairness = "none"
[[items]]
id = "vent"
[[items]]
id = "mask"
[[allies]]
id = "A"
[[allies]]
id = "B"
[[supply]]
ally = "A"
item = "mask"
stock = 1
[[demand]]
ally = "B"
item = "vent"
tier = "critical"
quantity = 5
[[lanes]]
from = "A"
to = "B"
[[stockpile]]
item = "vent"
budget = 5
allies = ["A"]
[[scenarios]]
name = "embargo"
probability = 0.5
changes = [{ target = "export_limit", ally = "A", item = "*", factor = 0 }]
"#;
    let p = load_str(text, "embargo.toml").unwrap();
    for solver in SolverKind::available() {
        let plan = plan_on(&p, solver);
        assert!(close(units(&plan, "A", "vent"), 5.0), "{plan:?}");
        assert!(close(expected(&plan, "critical"), 2.5), "{}", solver.name());
        replay(&p, &plan);
    }
    let out = Test::new()
        .file("p.toml", text)
        .args(["plan", "p.toml", "--write", "placed.toml"])
        .run();
    let solved = Test::new()
        .in_dir(out.dir)
        .args([
            "solve",
            "placed.toml",
            "--all-scenarios",
            "--format",
            "json",
        ])
        .run()
        .json();
    let ws: Vec<f64> = solved
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["tiers"][0]["weighted_shortage"].as_f64().unwrap())
        .collect();
    assert!(close(ws[0], 0.0) && close(ws[1], 5.0), "{ws:?}");
}

/// Generated planning problems (few and small): every case's decisions
/// pass the independent verifier with the placed stock; the placement is
/// within budget at allowed allies; it never does worse on the top tier
/// than placing nothing; and the placed problem solved case by case
/// (fairness `"none"`, so each case's lexicographic optimum is unique in
/// its tier shortages and cost) gives the plan's expected figures.
#[test]
fn generated_plans_replay_and_round_trip() {
    for seed in 1..=3 {
        let size = allot::generate::Size::new(4, 2, 3).seed(seed);
        let text = format!("fairness = \"none\"\n{}", size.planning_toml(2));
        let p = load_str(&text, "gen.toml").unwrap();
        let probabilities = p.probabilities();
        for solver in SolverKind::available() {
            let what = format!("seed {seed}, {}", solver.name());
            let plan = plan_on(&p, solver);
            assert_eq!(plan.status, allot::solution::Status::Optimal, "{what}");
            replay(&p, &plan);
            let placed = placed(&p, &plan.units);
            let cases: Vec<Option<&str>> = std::iter::once(None)
                .chain(p.scenarios().iter().map(|s| Some(s.name.as_str())))
                .collect();
            let mut with = vec![0.0; p.tiers().len()];
            let mut without = 0.0;
            let mut cost: f64 = p
                .stockpiles()
                .iter()
                .map(|sp| {
                    sp.cost
                        * plan
                            .units
                            .iter()
                            .filter(|u| u.1 == sp.item)
                            .map(|u| u.2)
                            .sum::<f64>()
                })
                .sum();
            assert_eq!(cases.len(), probabilities.len(), "{what}");
            for (case, pr) in cases.iter().zip(&probabilities) {
                let s = solve_case(&placed, *case, solver);
                for (g, t) in s.tiers.iter().enumerate() {
                    with[g] += pr * t.weighted_shortage;
                }
                cost += pr * s.cost.total;
                let bare = solve_case(&p, *case, solver);
                without += pr * bare.tiers[0].weighted_shortage;
            }
            for (g, t) in plan.expected.tiers.iter().enumerate() {
                let scale = t.weighted_shortage.abs().max(1.0);
                assert!(
                    (t.weighted_shortage - with[g]).abs() <= 1e-6 * scale,
                    "{what}: tier {g}: plan {} vs placed {}",
                    t.weighted_shortage,
                    with[g]
                );
            }
            assert!(
                (plan.expected.cost - cost).abs() <= 1e-6 * cost.abs().max(1.0),
                "{what}: cost {} vs {cost}",
                plan.expected.cost
            );
            assert!(
                plan.expected.tiers[0].weighted_shortage <= without + 1e-6 * without.max(1.0),
                "{what}"
            );
        }
    }
}
