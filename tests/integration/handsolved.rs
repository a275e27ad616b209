//! Small problems solved by hand; the arithmetic is in each test's comment.
//! Every tier shortage, fill rate and the cost are asserted.

use allot::{Solution, SolveRequest, SolverKind};

/// Solves `text` (TOML) on every backend in this build, checks the plan
/// verified, and returns the solutions (the first is the embedded backend's).
pub fn solve_all(text: &str, scenario: Option<&str>) -> Vec<Solution> {
    let problem = allot::load_str(text, "hand.toml").unwrap_or_else(|e| panic!("{e}"));
    SolverKind::available()
        .into_iter()
        .map(|solver| {
            let s = SolveRequest::new(&problem)
                .solves([scenario])
                .solver(solver)
                .run()
                .unwrap_or_else(|e| panic!("{}: {e}", solver.name()))
                .solution;
            assert!(s.verification.ok, "{}: {:?}", solver.name(), s.verification);
            s
        })
        .collect()
}

pub fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-6 * want.abs().max(1.0)
}

/// Asserts tier weighted shortages (in tier order), fill rates and cost.
fn expect(
    text: &str,
    scenario: Option<&str>,
    shortages: &[f64],
    fills: &[(&str, &str, &str, f64)],
    cost: f64,
) {
    for s in solve_all(text, scenario) {
        let got: Vec<f64> = s.tiers.iter().map(|t| t.weighted_shortage).collect();
        assert_eq!(got.len(), shortages.len(), "tiers: {got:?}");
        for (g, w) in got.iter().zip(shortages) {
            assert!(
                close(*g, *w),
                "weighted shortages {got:?}, want {shortages:?}"
            );
        }
        assert_eq!(s.fill.len(), fills.len(), "fill entries: {:?}", s.fill);
        for &(ally, item, tier, rate) in fills {
            let f = s
                .fill_rate(ally, item, tier)
                .unwrap_or_else(|| panic!("no fill rate for {ally} {item} {tier}"));
            assert!(
                close(f, rate),
                "fill {ally} {item} {tier} = {f}, want {rate}"
            );
        }
        assert!(
            close(s.cost.total, cost),
            "cost {} want {cost}",
            s.cost.total
        );
        let parts = s.cost.transport + s.cost.production + s.cost.surge;
        assert!(close(parts, s.cost.total), "cost parts {:?}", s.cost);
    }
}

const ONE_PERIOD: &str = r#"
tiers = ["critical"]
[[items]]
id = "chips"
[[allies]]
id = "TW"
[[allies]]
id = "US"
[[allies]]
id = "JP"
[[supply]]
ally = "TW"
item = "chips"
stock = 100
[[demand]]
ally = "US"
item = "chips"
tier = "critical"
quantity = 60
[[demand]]
ally = "JP"
item = "chips"
tier = "critical"
quantity = 50
[[lanes]]
from = "TW"
to = "US"
cost = 2
[[lanes]]
from = "TW"
to = "JP"
cost = 3

[[scenarios]]
name = "japan-cut-off"
changes = [{ target = "lanes", from = "TW", to = "JP", factor = 0 }]

[[scenarios]]
name = "identity"
changes = [
  { target = "lanes", from = "*", to = "*", factor = 1 },
  { target = "stock", factor = 1 },
  { target = "demand", ally = ["US", "JP"], factor = 1.0 },
]
"#;

/// Single-period transport. 100 units for 110 demanded: the shortage is 10.
/// Leximin equalises the fill rates: 100/110 = 0.909090… each, so the US
/// gets 600/11 and Japan 500/11. Cost = 2·600/11 + 3·500/11 = 2700/11.
#[test]
fn single_period_transport() {
    let f = 100.0 / 110.0;
    expect(
        ONE_PERIOD,
        None,
        &[10.0],
        &[
            ("US", "chips", "critical", f),
            ("JP", "chips", "critical", f),
        ],
        2700.0 / 11.0,
    );
}

/// Scenario closes TW→JP: the US gets its 60 at 2 each = 120; Japan gets
/// nothing: shortage 50.
#[test]
fn scenario_closing_a_lane() {
    expect(
        ONE_PERIOD,
        Some("japan-cut-off"),
        &[50.0],
        &[
            ("US", "chips", "critical", 1.0),
            ("JP", "chips", "critical", 0.0),
        ],
        120.0,
    );
}

/// A scenario whose factors are all 1 gives the base results.
#[test]
fn identity_scenario_equals_base() {
    let base = &solve_all(ONE_PERIOD, None)[0];
    let same = &solve_all(ONE_PERIOD, Some("identity"))[0];
    assert_eq!(base.tiers, same.tiers);
    assert_eq!(base.fill, same.fill);
    assert_eq!(base.cost, same.cost);
}

/// Air (lead 0, cap 20, cost 10) against sea (lead 2, cost 1), 3 periods,
/// 30 demanded per period at US, 100 in stock in KR.
/// t1: only air can arrive → 20. t2: air again → 20 (sea sent in t1 lands
/// in t3). t3: sea sent in t1 → 30. Served 70 of 90: shortage 20, fill 7/9.
/// Cost: air 40·10 + sea 30·1 = 430.
#[test]
fn air_and_sea_with_lead_times() {
    let text = r#"
periods = 3
[[items]]
id = "cells"
[[allies]]
id = "KR"
[[allies]]
id = "US"
[[supply]]
ally = "KR"
item = "cells"
stock = 100
[[demand]]
ally = "US"
item = "cells"
tier = "essential"
quantity = 30
[[lanes]]
from = "KR"
to = "US"
cost = 1
lead_time = 2
[[lanes]]
from = "KR"
to = "US"
cost = 10
capacity = 20
"#;
    expect(
        text,
        None,
        &[0.0, 20.0, 0.0],
        &[("US", "cells", "essential", 7.0 / 9.0)],
        430.0,
    );
}

/// JP holds 100, of which 60 is a reserve only JP may use. JP needs 30, the
/// US 80, lane JP→US at 1. JP serves itself from the reserve and ships its
/// 40 free units: served 70, shortage 40; JP fill 1, US fill 0.5; cost 40.
/// (Without the reserve leximin would give both 100/110.)
#[test]
fn reserve_serves_home_and_is_never_exported() {
    let text = r#"
[[items]]
id = "api"
[[allies]]
id = "JP"
[[allies]]
id = "US"
[[supply]]
ally = "JP"
item = "api"
stock = 100
reserve = 60
[[demand]]
ally = "JP"
item = "api"
tier = "critical"
quantity = 30
[[demand]]
ally = "US"
item = "api"
tier = "critical"
quantity = 80
[[lanes]]
from = "JP"
to = "US"
cost = 1
"#;
    expect(
        text,
        None,
        &[40.0, 0.0, 0.0],
        &[
            ("JP", "api", "critical", 1.0),
            ("US", "api", "critical", 0.5),
        ],
        40.0,
    );
}

/// DE makes 50 at 2 and can surge 30 more at 10. DE needs 70 critical, FR 20
/// essential (lane DE→FR at 1). Critical: 50 + 20 surge = 70 → cost 100 + 200.
/// Essential: the last 10 of surge go to FR: 10·10 + 10·1 = 110. Total 410;
/// essential shortage 10, FR fill 0.5.
#[test]
fn surge_with_cost() {
    let text = r#"
[[items]]
id = "ventilators"
[[allies]]
id = "DE"
[[allies]]
id = "FR"
[[supply]]
ally = "DE"
item = "ventilators"
production = 50
production_cost = 2
surge = 30
surge_cost = 10
[[demand]]
ally = "DE"
item = "ventilators"
tier = "critical"
quantity = 70
[[demand]]
ally = "FR"
item = "ventilators"
tier = "essential"
quantity = 20
[[lanes]]
from = "DE"
to = "FR"
cost = 1
"#;
    expect(
        text,
        None,
        &[0.0, 10.0, 0.0],
        &[
            ("DE", "ventilators", "critical", 1.0),
            ("FR", "ventilators", "essential", 0.5),
        ],
        410.0,
    );
}

/// AU holds 50. Critical needs: AU 30, CA 40 (lane AU→CA at 1); routine: AU
/// 20. The critical tier takes all 50 (shortage 20), shared 50/70 each;
/// routine gets nothing (shortage 20). CA receives 40·5/7 = 200/7 → cost 200/7.
#[test]
fn first_tier_takes_everything() {
    let text = r#"
[[items]]
id = "magnets"
[[allies]]
id = "AU"
[[allies]]
id = "CA"
[[supply]]
ally = "AU"
item = "magnets"
stock = 50
[[demand]]
ally = "AU"
item = "magnets"
tier = "critical"
quantity = 30
[[demand]]
ally = "CA"
item = "magnets"
tier = "critical"
quantity = 40
[[demand]]
ally = "AU"
item = "magnets"
tier = "routine"
quantity = 20
[[lanes]]
from = "AU"
to = "CA"
cost = 1
"#;
    let f = 50.0 / 70.0;
    expect(
        text,
        None,
        &[20.0, 0.0, 20.0],
        &[
            ("AU", "magnets", "critical", f),
            ("CA", "magnets", "critical", f),
            ("AU", "magnets", "routine", 0.0),
        ],
        200.0 / 7.0,
    );
}

/// Leximin is not total-shortage minimisation: 80 units for A and B who
/// need 50 each. Any 80-unit split minimises the shortage (e.g. 50/30 =
/// fill 1.0/0.6); leximin picks 40/40 = 0.8/0.8. With C (needs 10, lane
/// capacity 5, so at most 0.5) the levels are 0.5 for C, then the 75 left
/// go 37.5/37.5 = 0.75 to A and B. Shortage 110 − 80 = 30. Lane costs 1,
/// so cost = units shipped = 80.
#[test]
fn leximin_differs_from_plain_shortage_minimisation() {
    let two = r#"
[[items]]
id = "ppe"
[[allies]]
id = "S"
[[allies]]
id = "A"
[[allies]]
id = "B"
[[supply]]
ally = "S"
item = "ppe"
stock = 80
[[demand]]
ally = "A"
item = "ppe"
tier = "critical"
quantity = 50
[[demand]]
ally = "B"
item = "ppe"
tier = "critical"
quantity = 50
[[lanes]]
from = "S"
to = ["A", "B"]
cost = 1
"#;
    expect(
        two,
        None,
        &[20.0, 0.0, 0.0],
        &[("A", "ppe", "critical", 0.8), ("B", "ppe", "critical", 0.8)],
        80.0,
    );
    let three = format!(
        "{two}\n[[allies]]\nid = \"C\"\n[[demand]]\nally = \"C\"\nitem = \"ppe\"\ntier = \"critical\"\nquantity = 10\n[[lanes]]\nfrom = \"S\"\nto = \"C\"\ncost = 1\ncapacity = 5\n"
    );
    expect(
        &three,
        None,
        &[30.0, 0.0, 0.0],
        &[
            ("A", "ppe", "critical", 0.75),
            ("B", "ppe", "critical", 0.75),
            ("C", "ppe", "critical", 0.5),
        ],
        80.0,
    );
    // With fairness = "none" only the total counts; the shortage is the same.
    let none = format!("fairness = \"none\"\n{two}");
    for s in solve_all(&none, None) {
        assert!(close(s.tiers[0].weighted_shortage, 20.0));
        let total: f64 = s.fill.iter().map(|f| f.served).sum();
        assert!(close(total, 80.0));
    }
}

/// Item values decide before fairness: one lane of capacity 10 carries
/// chips (value 5) and masks (value 1); the US needs 10 of each and TW has
/// both. Shipping chips leaves weighted shortage 10·1 = 10 (masks would leave
/// 50), so chips fill 1, masks fill 0. Cost: 10 shipped at 3 = 30.
#[test]
fn item_values_weigh_the_shortage() {
    let text = r#"
[[items]]
id = "chips"
value = 5
[[items]]
id = "masks"
[[allies]]
id = "TW"
[[allies]]
id = "US"
[[supply]]
ally = "TW"
item = "chips"
stock = 10
[[supply]]
ally = "TW"
item = "masks"
stock = 10
[[demand]]
ally = "US"
item = "chips"
tier = "critical"
quantity = 10
[[demand]]
ally = "US"
item = "masks"
tier = "critical"
quantity = 10
[[lanes]]
from = "TW"
to = "US"
capacity = 10
cost = 3
"#;
    expect(
        text,
        None,
        &[10.0, 0.0, 0.0],
        &[
            ("US", "chips", "critical", 1.0),
            ("US", "masks", "critical", 0.0),
        ],
        30.0,
    );
}

/// Stock carried over periods, an export limit, and a per-period demand
/// array. IN makes 10 per period (cost 1) over 3 periods and may export at
/// most 5 per period; CA needs [0, 0, 20] (lane IN→CA, lead 1, cost 2).
/// CA can receive only what IN dispatched in t1 and t2 (t3 would arrive
/// after the horizon): 5 + 5 = 10 → shortage 10, fill 0.5. IN makes just the
/// 10 shipped (t1: 5, t2: 5, or made earlier and stored): cost 10·1 + 10·2 = 30.
#[test]
fn export_limit_and_horizon_end() {
    let text = r#"
periods = 3
[[items]]
id = "oxide"
[[allies]]
id = "IN"
[[allies]]
id = "CA"
[[supply]]
ally = "IN"
item = "oxide"
production = 10
production_cost = 1
export_limit = [5, 5, 5]
[[demand]]
ally = "CA"
item = "oxide"
tier = "essential"
quantity = [0, 0, 20]
[[lanes]]
from = "IN"
to = "CA"
lead_time = 1
cost = 2
"#;
    expect(
        text,
        None,
        &[0.0, 10.0, 0.0],
        &[("CA", "oxide", "essential", 0.5)],
        30.0,
    );
}

/// Dantzig's transportation problem (GAMS model library "trnsport"):
/// plants Seattle 350, San Diego 600; markets New York 325, Chicago 300,
/// Topeka 275; freight 90 $ per case per thousand miles, cost in k$.
/// Published optimum: 153.675.
#[test]
fn dantzig_trnsport() {
    let mut text = String::from("tiers = [\"demand\"]\n[[items]]\nid = \"cases\"\n");
    for a in ["seattle", "san-diego", "new-york", "chicago", "topeka"] {
        text += &format!("[[allies]]\nid = \"{a}\"\n");
    }
    for (a, cap) in [("seattle", 350), ("san-diego", 600)] {
        text += &format!("[[supply]]\nally = \"{a}\"\nitem = \"cases\"\nstock = {cap}\n");
    }
    for (a, need) in [("new-york", 325), ("chicago", 300), ("topeka", 275)] {
        text += &format!("[[demand]]\nally = \"{a}\"\nitem = \"cases\"\nquantity = {need}\n");
    }
    let miles = [
        ("seattle", "new-york", 2.5),
        ("seattle", "chicago", 1.7),
        ("seattle", "topeka", 1.8),
        ("san-diego", "new-york", 2.5),
        ("san-diego", "chicago", 1.8),
        ("san-diego", "topeka", 1.4),
    ];
    for (from, to, d) in miles {
        text += &format!(
            "[[lanes]]\nfrom = \"{from}\"\nto = \"{to}\"\ncost = {}\n",
            90.0 * d / 1000.0
        );
    }
    expect(
        &text,
        None,
        &[0.0],
        &[
            ("new-york", "cases", "demand", 1.0),
            ("chicago", "cases", "demand", 1.0),
            ("topeka", "cases", "demand", 1.0),
        ],
        153.675,
    );
}

const TWO_TIERS: &str = "tiers = [\"critical\", \"essential\"]\n";

/// Chips between the US and Japan.
const CHIPS_PART: &str = r#"
[[items]]
id = "chips"
[[allies]]
id = "US"
[[allies]]
id = "JP"
[[supply]]
ally = "US"
item = "chips"
stock = 50
[[demand]]
ally = "US"
item = "chips"
tier = "critical"
quantity = 30
[[demand]]
ally = "JP"
item = "chips"
tier = "critical"
quantity = 40
[[lanes]]
from = "US"
to = "JP"
cost = 2
"#;

/// Medical supplies between Korea and Australia: no lane to the US or Japan.
const MEDS_PART: &str = r#"
[[items]]
id = "meds"
value = 3
[[allies]]
id = "KR"
[[allies]]
id = "AU"
[[supply]]
ally = "KR"
item = "meds"
stock = 30
[[demand]]
ally = "AU"
item = "meds"
tier = "critical"
quantity = 20
[[demand]]
ally = "AU"
item = "meds"
tier = "essential"
quantity = 20
[[lanes]]
from = "KR"
to = "AU"
cost = 1
"#;

/// Two independent parts in one file, solved apart and merged.
/// Chips: 50 in the US for 30 + 40 demanded: shortage 20 (value 1);
/// leximin gives both 50/70 = 5/7, so the US keeps 150/7 and ships 200/7
/// to Japan at 2: cost 400/7.
/// Meds (value 3): 30 in Korea; the critical 20 reach Australia in full,
/// the essential 20 get the other 10: weighted shortage 3·10 = 30, fill
/// 1/2; cost 30·1 = 30.
/// Together: critical 20, essential 30, cost 400/7 + 30 = 610/7 — the sum of
/// the parts solved as files of their own.
#[test]
fn independent_parts_solve_as_separate_files() {
    let both = format!("{TWO_TIERS}{CHIPS_PART}{MEDS_PART}");
    let f = 5.0 / 7.0;
    expect(
        &both,
        None,
        &[20.0, 30.0],
        &[
            ("US", "chips", "critical", f),
            ("JP", "chips", "critical", f),
            ("AU", "meds", "critical", 1.0),
            ("AU", "meds", "essential", 0.5),
        ],
        610.0 / 7.0,
    );
    let chips = &solve_all(&format!("{TWO_TIERS}{CHIPS_PART}"), None)[0];
    let meds = &solve_all(&format!("{TWO_TIERS}{MEDS_PART}"), None)[0];
    let whole = &solve_all(&both, None)[0];
    for g in 0..2 {
        let parts = chips.tiers[g].weighted_shortage + meds.tiers[g].weighted_shortage;
        assert!(close(whole.tiers[g].weighted_shortage, parts), "tier {g}");
    }
    assert!(close(whole.cost.total, chips.cost.total + meds.cost.total));
    for fill in chips.fill.iter().chain(&meds.fill) {
        let got = whole.fill_rate(&fill.ally, &fill.item, &fill.tier).unwrap();
        assert!(close(got, fill.fill_rate), "{fill:?}");
    }
    // Solved as two LP sessions, whose LPs add up.
    let problem = allot::load_str(&both, "both.toml").unwrap();
    let stats = SolveRequest::new(&problem).run().unwrap().stats;
    assert_eq!(stats.parts, 2);
    assert_eq!(whole.lp_solves, chips.lp_solves + meds.lp_solves);
}

/// A blocked pair's slack is not shipped (reference seed 51467, reduced).
/// Essential tier: DE needs 18.4 a period (55.2) and holds 4; AU needs 21
/// (63) and holds 53.3 + 3.7 = 57. Only DE → AU has a lane (cost 5), so
/// DE cannot be raised: its fill rate is 4/55.2, AU's 57/63, the shortage
/// 55.2 − 4 + 63 − 57 = 57.2, and nothing needs shipping (cost 0). When
/// DE's fill rate was held 1e-8 below its level, the next round moved the
/// 1e-8 × 55.2 units it freed to AU, and HiGHS shipped them at a cost of
/// 2.8e-6.
#[test]
fn a_blocked_pairs_slack_is_not_shipped() {
    let text = r#"
name = "blocked-pair-slack"
periods = 3
[[items]]
id = "oxide"
[[allies]]
id = "DE"
[[allies]]
id = "AU"
[[supply]]
ally = "DE"
item = "oxide"
stock = 4
[[supply]]
ally = "AU"
item = "oxide"
stock = 53.3
production = [3.7, 0, 0]
[[demand]]
ally = "AU"
item = "oxide"
tier = "essential"
quantity = 21
[[demand]]
ally = "DE"
item = "oxide"
tier = "essential"
quantity = 18.4
[[lanes]]
from = "DE"
to = "AU"
cost = 5
lead_time = 0
"#;
    expect(
        text,
        None,
        &[0.0, 57.2, 0.0],
        &[
            ("DE", "oxide", "essential", 4.0 / 55.2),
            ("AU", "oxide", "essential", 57.0 / 63.0),
        ],
        0.0,
    );
}
