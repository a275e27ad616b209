//! Reusable items (SPEC §8), solved by hand: a unit on hand serves in every
//! period it is there, so shortages count unit-periods. The arithmetic is in
//! each test's comment; every backend in the build is asserted, and every
//! plan is checked by the independent verifier (`handsolved::solve_all`).

use crate::handsolved::{close, solve_all};
use crate::harness::Test;

/// One ally holding `stock` ventilators (of which `reserve` its own), a
/// constant `demand` in each of `periods` periods, no lanes.
fn alone(stock: f64, reserve: f64, demand: f64, periods: usize, reusable: bool) -> String {
    format!(
        r#"
periods = {periods}
tiers = ["critical"]
[[items]]
id = "vent"
unit = "ventilator"
reusable = {reusable}
[[allies]]
id = "A"
[[supply]]
ally = "A"
item = "vent"
stock = {stock}
reserve = {reserve}
[[demand]]
ally = "A"
item = "vent"
tier = "critical"
quantity = {demand}
[[scenarios]]
name = "double"
changes = [{{ target = "stock", ally = "A", item = "vent", factor = 2 }}]
[[scenarios]]
name = "half"
changes = [{{ target = "stock", ally = "A", item = "vent", factor = 0.5 }}]
"#
    )
}

fn shortage(s: &allot::Solution) -> f64 {
    s.tiers[0].weighted_shortage
}

/// Stock S and a constant demand D over T periods, alone: the same S units
/// serve every period, so the shortage is T·max(0, D − S) unit-periods and
/// the fill rate min(1, S/D). The reserve serves its own ally as well as
/// free stock does. Consumed instead, the S units serve once:
/// T·D − min(S, T·D).
#[test]
fn one_ally_alone_is_short_by_t_times_d_minus_s() {
    for (s, reserve, d, t) in [
        (3.0, 0.0, 5.0, 4),  // 4 · 2 = 8
        (3.0, 3.0, 5.0, 4),  // the reserve serves every period too: 8
        (7.0, 2.0, 5.0, 4),  // S ≥ D: 0
        (5.0, 0.0, 5.0, 1),  // 0
        (0.0, 0.0, 2.5, 3),  // 3 · 2.5 = 7.5
        (1.5, 1.0, 4.0, 10), // 10 · 2.5 = 25
    ] {
        let text = alone(s, reserve, d, t, true);
        let want = t as f64 * (d - s).max(0.0);
        for sol in solve_all(&text, None) {
            assert!(
                close(shortage(&sol), want),
                "S={s} D={d} T={t}: {} want {want}",
                shortage(&sol)
            );
            let fill = sol.fill_rate("A", "vent", "critical").unwrap();
            assert!(close(fill, (s / d).min(1.0)), "fill {fill}");
            assert_eq!(sol.items.len(), 1);
            assert!(sol.items[0].reusable);
            assert!(close(sol.items[0].shortage, want));
            assert_eq!(sol.items[0].measure(), "ventilator-periods");
        }
        let consumed = t as f64 * d - s.min(t as f64 * d);
        for sol in solve_all(&alone(s, reserve, d, t, false), None) {
            assert!(
                close(shortage(&sol), consumed),
                "consumed, S={s} D={d} T={t}: {} want {consumed}",
                shortage(&sol)
            );
            assert!(!sol.items[0].reusable);
        }
    }
}

/// A scenario's `stock` change scales the reusable pool (stock and
/// reserve): S = 3, D = 5, T = 4. Doubled, 6 ≥ 5: no shortage. Halved,
/// 1.5 units serve each period: 4 · 3.5 = 14.
#[test]
fn a_stock_scenario_scales_the_pool() {
    let text = alone(3.0, 2.0, 5.0, 4, true);
    for (scenario, want) in [(None, 8.0), (Some("double"), 0.0), (Some("half"), 14.0)] {
        for sol in solve_all(&text, scenario) {
            assert!(
                close(shortage(&sol), want),
                "{scenario:?}: {} want {want}",
                shortage(&sol)
            );
        }
    }
}

/// A needs its one ventilator (critical) in periods 1–3 of 6; B needs one
/// (essential) in every period. Lent from period 4 on (k = 3 periods left)
/// over a lane of lead time L, it is in transit in periods 4 .. 3 + L and
/// serves B in periods 4 + L .. 6: k − L periods. So B's essential shortage
/// is 6 − (3 − L), its fill rate (3 − L)/6, and the plan ships one unit in
/// period 4 at a cost of 1 — except with L = 3, when it would arrive after
/// the horizon and nothing ships.
#[test]
fn a_unit_lent_for_k_periods_serves_k_minus_lead_time_there() {
    for lead in 0..=3usize {
        let text = format!(
            r#"
periods = 6
tiers = ["critical", "essential"]
[[items]]
id = "vent"
reusable = true
[[allies]]
id = "A"
[[allies]]
id = "B"
[[supply]]
ally = "A"
item = "vent"
stock = 1
[[demand]]
ally = "A"
item = "vent"
tier = "critical"
quantity = [1, 1, 1, 0, 0, 0]
[[demand]]
ally = "B"
item = "vent"
tier = "essential"
quantity = 1
[[lanes]]
from = "A"
to = "B"
cost = 1
lead_time = {lead}
"#
        );
        let served = 3.0 - lead as f64;
        for sol in solve_all(&text, None) {
            let got: Vec<f64> = sol.tiers.iter().map(|t| t.weighted_shortage).collect();
            assert!(
                close(got[0], 0.0) && close(got[1], 6.0 - served),
                "L={lead}: shortages {got:?}"
            );
            let fill = sol.fill_rate("B", "vent", "essential").unwrap();
            assert!(close(fill, served / 6.0), "L={lead}: fill {fill}");
            let want_cost = if lead < 3 { 1.0 } else { 0.0 };
            assert!(close(sol.cost.total, want_cost), "L={lead}: {:?}", sol.cost);
            if lead < 3 {
                assert_eq!(sol.shipments.len(), 1, "{:?}", sol.shipments);
                let x = &sol.shipments[0];
                assert_eq!((x.period, x.arrives), (4, 4 + lead));
                assert!(close(x.quantity, 1.0));
            } else {
                assert!(sol.shipments.is_empty());
            }
        }
    }
}

/// A holds 10 ventilators, 8 of them its reserve, and needs 5 a period; B
/// needs 10 a period; lane A→B without lead time; 3 periods, one tier. The
/// reserve serves A all 5 every period and never ships, so only the 2 free
/// units can go to B: B's fill 0.2, shortage 3 · 8 = 24. With no reserve,
/// the 10 units are shared by leximin: A gets 10/3, B 20/3 a period (both
/// fill 2/3), shortage 3 · 5 = 15.
#[test]
fn the_reserve_serves_at_home_and_never_ships() {
    let text = |reserve: f64| {
        format!(
            r#"
periods = 3
tiers = ["critical"]
[[items]]
id = "vent"
reusable = true
[[allies]]
id = "A"
[[allies]]
id = "B"
[[supply]]
ally = "A"
item = "vent"
stock = 10
reserve = {reserve}
[[demand]]
ally = "A"
item = "vent"
tier = "critical"
quantity = 5
[[demand]]
ally = "B"
item = "vent"
tier = "critical"
quantity = 10
[[lanes]]
from = "A"
to = "B"
"#
        )
    };
    for sol in solve_all(&text(8.0), None) {
        assert!(close(shortage(&sol), 24.0), "{}", shortage(&sol));
        assert!(close(sol.fill_rate("A", "vent", "critical").unwrap(), 1.0));
        assert!(close(sol.fill_rate("B", "vent", "critical").unwrap(), 0.2));
        // Never more than the free 2 units leave A, all in period 1.
        let shipped: f64 = sol.shipments.iter().map(|x| x.quantity).sum();
        assert!(shipped <= 2.0 + 1e-6, "{:?}", sol.shipments);
    }
    for sol in solve_all(&text(0.0), None) {
        assert!(close(shortage(&sol), 15.0), "{}", shortage(&sol));
        for ally in ["A", "B"] {
            let f = sol.fill_rate(ally, "vent", "critical").unwrap();
            assert!(close(f, 2.0 / 3.0), "{ally}: {f}");
        }
    }
}

/// Production adds to the pool for good: A can make 1 a period (at 2
/// each) from nothing and needs 3 a period over 4 periods. Made in periods
/// 1–3, the units on hand serve 1, 2, 3, 3: 9 of 12, shortage 3; a unit
/// made in period 4 would serve nothing more, so the cost is 3 · 2 = 6.
/// Consumed, each unit serves once: 4 made, 4 of 12 served, shortage 8,
/// cost 8.
#[test]
fn production_adds_to_the_pool_for_good() {
    let text = |reusable: bool| {
        format!(
            r#"
periods = 4
tiers = ["critical"]
[[items]]
id = "vent"
reusable = {reusable}
[[allies]]
id = "A"
[[supply]]
ally = "A"
item = "vent"
production = 1
production_cost = 2
[[demand]]
ally = "A"
item = "vent"
tier = "critical"
quantity = 3
"#
        )
    };
    for (reusable, want, cost) in [(true, 3.0, 6.0), (false, 8.0, 8.0)] {
        for sol in solve_all(&text(reusable), None) {
            assert!(
                close(shortage(&sol), want),
                "reusable {reusable}: {}",
                shortage(&sol)
            );
            assert!(close(sol.cost.total, cost), "{:?}", sol.cost);
        }
    }
}

/// One ventilator pool and one consumable item in the same problem: each
/// counts its own way. A holds 2 ventilators and 2 test kits and needs 3
/// of each a period for 2 periods: ventilators short 2 · 1 = 2
/// ventilator-periods, kits short 6 − 2 = 4 units.
const MIXED: &str = r#"
name = "mixed"
periods = 2
tiers = ["critical"]
[[items]]
id = "vent"
unit = "ventilator"
reusable = true
[[items]]
id = "kit"
unit = "kits"
[[allies]]
id = "A"
[[supply]]
ally = "A"
item = "vent"
stock = 2
[[supply]]
ally = "A"
item = "kit"
stock = 2
[[demand]]
ally = "A"
item = "vent"
tier = "critical"
quantity = 3
[[demand]]
ally = "A"
item = "kit"
tier = "critical"
quantity = 3
"#;

#[test]
fn reusable_and_consumable_items_count_their_own_way() {
    for sol in solve_all(MIXED, None) {
        assert!(close(shortage(&sol), 6.0), "{}", shortage(&sol));
        let by_id = |id: &str| sol.items.iter().find(|k| k.item == id).unwrap();
        assert!(close(by_id("vent").shortage, 2.0));
        assert!(close(by_id("kit").shortage, 4.0));
        assert_eq!(
            (by_id("vent").measure(), by_id("kit").measure()),
            ("ventilator-periods".to_string(), "kits".to_string())
        );
    }
}

#[test]
fn the_table_names_unit_periods_and_json_lists_items() {
    let out = Test::new()
        .file("mixed.toml", MIXED)
        .args(["solve", "mixed.toml"])
        .stdout_has("\nItems\n")
        .run();
    let line = |name: &str| {
        out.stdout
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|cells| cells.first() == Some(&name))
            .unwrap_or_else(|| panic!("no {name} line:\n{}", out.stdout))
    };
    // item, counted in, demand, served, shortage, fill
    assert_eq!(
        line("vent"),
        ["vent", "ventilator-periods", "6", "4", "2", "66.7%"]
    );
    assert_eq!(line("kit"), ["kit", "kits", "6", "2", "4", "33.3%"]);

    let out = Test::new()
        .file("mixed.toml", MIXED)
        .args(["solve", "mixed.toml", "--format", "json"])
        .run();
    let v = out.json();
    let items = v["items"].as_array().expect("an items array");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["item"], "vent");
    assert_eq!(items[0]["reusable"], true);
    assert_eq!(items[0]["shortage"], 2.0);
    assert_eq!(items[1]["item"], "kit");
    assert_eq!(items[1]["reusable"], false);
    assert_eq!(items[1]["shortage"], 4.0);

    // Without a reusable item the table has no Items section.
    Test::new()
        .file("one.toml", alone(3.0, 0.0, 5.0, 2, false))
        .args(["solve", "one.toml"])
        .stdout_lacks("Items")
        .run();
}

#[test]
fn a_non_boolean_reusable_is_a_located_error() {
    let text = MIXED.replace("reusable = true", "reusable = \"yes\"");
    Test::new()
        .file("bad.toml", &text)
        .args(["validate", "bad.toml"])
        .status(2)
        .stderr_has("bad.toml:8:")
        .stderr_has("reusable")
        .stderr_has("true or false")
        .run();
    let json = r#"{"items": [{"id": "vent", "reusable": 1}], "allies": [{"id": "A"}]}"#;
    Test::new()
        .file("bad.json", json)
        .args(["solve", "bad.json"])
        .status(2)
        .stderr_has("bad.json:1:")
        .stderr_has("reusable")
        .stderr_has("true or false")
        .run();
}

/// The real case (about 115 000 LP columns) is beyond the embedded solver:
/// the advice to use HiGHS is on stderr before the solve starts, so a user
/// who stops it (here the time limit) has already read it.
#[test]
fn the_real_case_advises_highs_before_the_embedded_solver_starts() {
    let real = "problems/medical-ventilators-us-states-2020.toml";
    for command in ["solve", "check"] {
        Test::new()
            .repo_file(real, "real.toml")
            .args([command, "real.toml", "--time-limit", "1"])
            .status(3)
            .stderr_has("note: `medical-ventilators-us-states-2020` has about")
            .stderr_has("the embedded solver may need minutes")
            .stderr_has("--solver highs")
            .run();
    }
}
