//! The unit the LP counts in.
//!
//! LP solvers work to absolute tolerances (HiGHS: 1e-7 on primal and dual
//! feasibility) and drop matrix entries below 1e-9, so a problem whose
//! quantities run to billions of units — chips counted one by one — cannot
//! be solved in them: a fill-rate row `Σ_t u_t / D` then has coefficients
//! near or below 1e-9, and a balance row of 1e10 units cannot be held to
//! 1e-7. Measured on 500 generated problems (the property tests'), every
//! quantity multiplied by a factor and compared with the unscaled
//! problem's results: at 1e8 (demands up to about 3e10) HiGHS reported
//! wrong fill rates or costs, as optimal, on 129 of them (and stopped with
//! a solver error on 1), microlp on 5; at 1e7 HiGHS was wrong on 3 and
//! microlp stopped on 1; at 1e6 all 500 agreed. Counting in the LP's own
//! unit, all 500 agree at every one of those factors, with both backends.
//!
//! So the solver sees every quantity divided by a power of two
//! ([`lp_unit`]), chosen from the demands when they are beyond
//! [`COMFORTABLE`], and the plan is multiplied back
//! ([`crate::solution::Plan::in_units_of`]). Dividing by a power of two is exact in floating
//! point, and the LP of SPEC §3 is homogeneous in quantities (every bound
//! and right-hand side is a quantity; fill rates `Σ_t u_t / D` do not
//! change), so the scaled LP's plans are exactly the original's divided by
//! the unit; shortages and cost are then computed from the plan in the
//! problem's own units. Costs per unit are kept, and so are item values
//! unless they are far from 1 ([`value_unit`]). The
//! verifier and the report's noise threshold measure in the same unit
//! (`verify`, [`crate::solution::NOISE`]).

use crate::problem::Problem;

/// Largest per-period demand that the LP takes as it is (the smallest is
/// 1e-3); beyond, see [`lp_unit`].
pub const COMFORTABLE: f64 = 1e6;

/// Where the largest per-period demand lands once scaled.
pub const TARGET: f64 = 1e3;

/// The unit the LP counts `p`'s quantities in: 1 when the largest
/// per-period demand is within `[1e-3, COMFORTABLE]` (or there is none),
/// otherwise the power of two that brings it nearest to [`TARGET`].
pub fn lp_unit(p: &Problem) -> f64 {
    let largest = p
        .demand
        .iter()
        .flat_map(|d| d.quantity.iter())
        .copied()
        .filter(|q| q.is_finite())
        .fold(0.0_f64, f64::max);
    if largest == 0.0 || (1e-3..=COMFORTABLE).contains(&largest) {
        return 1.0;
    }
    let exponent = (largest / TARGET).log2().round();
    2.0_f64.powi(exponent.clamp(-1000.0, 1000.0) as i32)
}

/// Largest item value that the LP's tier rows take as it is (the smallest
/// is its inverse); beyond, see [`value_unit`].
pub const COMFORTABLE_VALUE: f64 = 1e3;

/// The unit the LP weighs served quantities in: 1 when the largest item
/// value is within `[1 / COMFORTABLE_VALUE, COMFORTABLE_VALUE]`, otherwise
/// the power of two nearest to it. A tier's held weighted service
/// `Σ value·u` is a row (or, with microlp, a fixed column) held to the
/// solver's absolute tolerance, so with item values of 1e6 it ran to 1e7
/// and more, where microlp (tolerance 1e-10) found a hold at the exact
/// optimum infeasible, or a leximin round's optimum at 0 instead of 0.017
/// (generated problems, values ×1e6). Dividing by a power of two is exact,
/// and the weighted shortages are computed from the plan in the problem's
/// own values.
pub fn value_unit(p: &Problem) -> f64 {
    let largest = p
        .items
        .iter()
        .map(|k| k.value)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    if largest == 0.0 || (1.0 / COMFORTABLE_VALUE..=COMFORTABLE_VALUE).contains(&largest) {
        return 1.0;
    }
    2.0_f64.powi(largest.log2().round().clamp(-1000.0, 1000.0) as i32)
}

/// `p` with every quantity (stock, reserve, production, surge, export
/// limits, demands, lane capacities) divided by `unit`; infinite limits stay
/// infinite. Values and costs per unit are kept: the cost objective's scale
/// does not matter to the solver, and the model counts item values in a unit
/// of their own ([`value_unit`]), since a tier's weighted service is held.
pub fn in_lp_units(p: &Problem, unit: f64) -> Problem {
    let mut q = p.clone();
    let div = |v: &mut f64| {
        if v.is_finite() {
            *v /= unit;
        }
    };
    for s in &mut q.supply {
        div(&mut s.stock);
        div(&mut s.reserve);
        s.production.iter_mut().for_each(div);
        s.surge.iter_mut().for_each(div);
        s.export_limit.iter_mut().for_each(div);
    }
    for d in &mut q.demand {
        d.quantity.iter_mut().for_each(div);
    }
    for l in &mut q.lanes {
        l.capacity.iter_mut().for_each(div);
    }
    // A cap is a weighted quantity: values are kept, quantities divided.
    for c in &mut q.caps {
        div(&mut c.cap);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solution::Plan;

    fn problem(demand: f64) -> Problem {
        let text = format!(
            r#"
name = "u"
periods = 2
tiers = ["critical"]
[[items]]
id = "k"
[[allies]]
id = "A"
[[allies]]
id = "B"
[[supply]]
ally = "A"
item = "k"
stock = {stock}
reserve = {reserve}
production = [{demand}, 0]
export_limit = {demand}
[[demand]]
ally = "B"
item = "k"
tier = "critical"
quantity = [{demand}, {half}]
[[lanes]]
from = "A"
to = "B"
capacity = {demand}
"#,
            stock = 2.0 * demand,
            reserve = demand / 4.0,
            half = demand / 2.0,
        );
        crate::load_str(&text, "u.toml").unwrap()
    }

    #[test]
    fn ordinary_quantities_keep_their_unit() {
        assert_eq!(lp_unit(&problem(1e-3)), 1.0);
        assert_eq!(lp_unit(&problem(500.0)), 1.0);
        assert_eq!(lp_unit(&problem(1e6)), 1.0);
    }

    #[test]
    fn huge_and_tiny_quantities_get_a_power_of_two_near_the_target() {
        // 3e10 / 1e3 = 3e7 ≈ 2^24.8 → 2^25; 3e10 / 2^25 ≈ 894.
        assert_eq!(lp_unit(&problem(3e10)), 2.0_f64.powi(25));
        // 1e-4 / 1e3 = 1e-7 ≈ 2^-23.25 → 2^-23; 1e-4 · 2^23 ≈ 839.
        assert_eq!(lp_unit(&problem(1e-4)), 2.0_f64.powi(-23));
    }

    #[test]
    fn item_values_far_from_one_get_the_nearest_power_of_two() {
        let with_value = |value: f64| {
            let mut p = problem(10.0);
            p.items[0].value = value;
            value_unit(&p)
        };
        assert_eq!(with_value(1.0), 1.0);
        assert_eq!(with_value(1e-3), 1.0);
        assert_eq!(with_value(1e3), 1.0);
        // 3e6 ≈ 2^21.5 → 2^22; 3e6 / 2^22 ≈ 0.72.
        assert_eq!(with_value(3e6), 2.0_f64.powi(22));
        // 1e-6 ≈ 2^-19.9 → 2^-20.
        assert_eq!(with_value(1e-6), 2.0_f64.powi(-20));
        // The model counts values in it: the tier's weights are near 1.
        let mut p = problem(10.0);
        p.items[0].value = 3e6;
        let m = crate::model::build(&p);
        assert_eq!(m.value_unit, 2.0_f64.powi(22));
        assert!(
            m.tier_served[0]
                .iter()
                .all(|&(_, v)| v == 3e6 / 2.0_f64.powi(22))
        );
    }

    #[test]
    fn every_quantity_is_divided_and_multiplied_back_exactly() {
        let p = problem(3e10);
        let unit = lp_unit(&p);
        let q = in_lp_units(&p, unit);
        assert_eq!(q.supply[0].stock, 6e10 / unit);
        assert_eq!(q.supply[0].reserve, 7.5e9 / unit);
        assert_eq!(q.supply[0].production, [3e10 / unit, 0.0]);
        assert_eq!(q.supply[0].export_limit[0], 3e10 / unit);
        assert!(q.supply[0].surge.iter().all(|&s| s == 0.0));
        assert_eq!(q.demand[0].quantity, [3e10 / unit, 1.5e10 / unit]);
        assert_eq!(q.lanes[0].capacity, [3e10 / unit, 3e10 / unit]);
        assert_eq!(q.items, p.items);

        let plan = Plan {
            ship: vec![(0, 0, 1, 3.0)],
            make: vec![vec![1.0, 0.5]],
            surge: vec![vec![0.0, 2.0]],
            served: vec![vec![0.25, 4.0]],
            draw: vec![vec![8.0, 0.0]],
        };
        let back = plan.in_units_of(unit);
        assert_eq!(back.ship, [(0, 0, 1, 3.0 * unit)]);
        assert_eq!(back.make, [[unit, 0.5 * unit]]);
        assert_eq!(back.surge, [[0.0, 2.0 * unit]]);
        assert_eq!(back.served, [[0.25 * unit, 4.0 * unit]]);
        assert_eq!(back.draw, [[8.0 * unit, 0.0]]);
    }
}
