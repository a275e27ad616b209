//! An independent check of a [`Plan`] against the [`Problem`] data, written
//! from SPEC §2–§3 and §8 without using the LP builder: it replays stock and
//! reserve per ally, item and period (for a reusable item, the units on hand
//! and what they serve) and checks every bound.

use crate::problem::Problem;
use crate::solution::{Plan, Verification};

/// Largest relative violation a verified plan may have.
pub const TOLERANCE: f64 = 1e-6;

struct Worst {
    violation: f64,
    what: String,
    /// Violations are relative to the rule's bound, or to this where the
    /// bound is smaller (a zero bound, e.g. "no negative shipments"): the
    /// unit the LP counted in ([`crate::units::lp_unit`]), 1 for ordinary
    /// quantities. So a plan of billions of units may miss by the same
    /// fraction of its quantities as one of hundreds.
    floor: f64,
}

impl Worst {
    /// Records a violation already relative to its rule's scale.
    fn check_relative(&mut self, rel: f64, what: impl FnOnce() -> String) {
        let rel = if rel.is_nan() { f64::INFINITY } else { rel };
        if rel > self.violation {
            self.violation = rel;
            self.what = what();
        }
    }

    /// Records `amount` by which a rule with bound `bound` is broken.
    fn check(&mut self, amount: f64, bound: f64, what: impl FnOnce() -> String) {
        let rel = if amount.is_nan() {
            f64::INFINITY
        } else {
            amount / bound.abs().max(self.floor)
        };
        if rel > self.violation {
            self.violation = rel;
            self.what = what();
        }
    }
}

/// Checks `plan` against `p` and reports the largest relative violation.
pub fn verify(p: &Problem, plan: &Plan) -> Verification {
    let mut w = Worst {
        violation: 0.0,
        what: String::new(),
        floor: crate::units::lp_unit(p),
    };
    let t_len = p.periods;
    let a_id = |a: usize| p.allies[a].id.as_str();
    let k_id = |k: usize| p.items[k].id.as_str();

    // Shapes must match the problem, or nothing else can be trusted.
    let shape_ok = plan.make.len() == p.supply.len()
        && plan.surge.len() == p.supply.len()
        && plan.draw.len() == p.supply.len()
        && plan.served.len() == p.demand.len()
        && plan
            .make
            .iter()
            .chain(&plan.surge)
            .chain(&plan.draw)
            .chain(&plan.served)
            .all(|v| v.len() == t_len);
    if !shape_ok {
        return Verification {
            max_violation: f64::INFINITY,
            worst: "the plan does not match the problem's shape".into(),
            ok: false,
        };
    }

    // Net flows per (ally, item, period).
    let idx = |a: usize, k: usize, t: usize| (a * p.items.len() + k) * t_len + t;
    let n = p.allies.len() * p.items.len() * t_len;
    let mut arrive = vec![0.0; n];
    let mut depart = vec![0.0; n];
    let mut lane_load = vec![0.0; p.lanes.len() * t_len];
    for &(l, k, t, q) in &plan.ship {
        let Some(lane) = p.lanes.get(l) else {
            w.check(f64::INFINITY, 1.0, || {
                format!("shipment on unknown lane {l}")
            });
            continue;
        };
        w.check(-q, 0.0, || format!("negative shipment on lane {l}"));
        if !lane.carries(k) {
            w.check(q.abs(), 0.0, || {
                format!(
                    "lane {}->{} ships {} which it does not carry",
                    a_id(lane.from),
                    a_id(lane.to),
                    k_id(k)
                )
            });
        }
        if t + lane.lead_time >= t_len {
            w.check(q.abs(), 0.0, || {
                format!(
                    "lane {}->{} dispatches in period {} what arrives after the horizon",
                    a_id(lane.from),
                    a_id(lane.to),
                    t + 1
                )
            });
            continue;
        }
        depart[idx(lane.from, k, t)] += q;
        arrive[idx(lane.to, k, t + lane.lead_time)] += q;
        lane_load[l * t_len + t] += q;
    }
    for (l, lane) in p.lanes.iter().enumerate() {
        for t in 0..t_len {
            let cap = lane.capacity[t];
            let load = lane_load[l * t_len + t];
            w.check(load - cap, cap, || {
                format!(
                    "lane {}->{} carries {load} > capacity {cap} in period {}",
                    a_id(lane.from),
                    a_id(lane.to),
                    t + 1
                )
            });
        }
    }

    // Supply per (ally, item).
    let mut supply_of = vec![None; p.allies.len() * p.items.len()];
    for (i, s) in p.supply.iter().enumerate() {
        supply_of[s.ally * p.items.len() + s.item] = Some(i);
    }
    let mut served = vec![0.0; n];
    for (i, d) in p.demand.iter().enumerate() {
        for t in 0..t_len {
            let u = plan.served[i][t];
            let q = d.quantity[t];
            w.check(-u, 0.0, || {
                format!("negative service at {} {}", a_id(d.ally), k_id(d.item))
            });
            w.check(u - q, q, || {
                format!(
                    "{} {} {} served {u} > demand {q} in period {}",
                    a_id(d.ally),
                    k_id(d.item),
                    p.tiers[d.tier],
                    t + 1
                )
            });
            served[idx(d.ally, d.item, t)] += u;
        }
    }

    for a in 0..p.allies.len() {
        for k in 0..p.items.len() {
            let sup = supply_of[a * p.items.len() + k].map(|i| (i, &p.supply[i]));
            let (mut free, mut reserve) = match sup {
                Some((_, s)) => (s.stock - s.reserve, s.reserve),
                None => (0.0, 0.0),
            };
            for t in 0..t_len {
                let j = idx(a, k, t);
                let (made, surged, drawn) = match sup {
                    Some((i, s)) => {
                        let (m, x, d) = (plan.make[i][t], plan.surge[i][t], plan.draw[i][t]);
                        w.check(-m, 0.0, || {
                            format!("negative production at {} {}", a_id(a), k_id(k))
                        });
                        w.check(-x, 0.0, || {
                            format!("negative surge at {} {}", a_id(a), k_id(k))
                        });
                        w.check(-d, 0.0, || {
                            format!("negative reserve draw at {} {}", a_id(a), k_id(k))
                        });
                        let cap = s.production[t];
                        w.check(m - cap, cap, || {
                            format!(
                                "{} {} produces {m} > capacity {cap} in period {}",
                                a_id(a),
                                k_id(k),
                                t + 1
                            )
                        });
                        let cap = s.surge[t];
                        w.check(x - cap, cap, || {
                            format!(
                                "{} {} surges {x} > capacity {cap} in period {}",
                                a_id(a),
                                k_id(k),
                                t + 1
                            )
                        });
                        let limit = s.export_limit[t];
                        let out = depart[j];
                        w.check(out - limit, limit, || {
                            format!(
                                "{} {} exports {out} > limit {limit} in period {}",
                                a_id(a),
                                k_id(k),
                                t + 1
                            )
                        });
                        (m, x, d)
                    }
                    None => (0.0, 0.0, 0.0),
                };
                if p.items[k].reusable {
                    // SPEC §8: no reserve is drawn; what is on hand after
                    // the period's dispatches and arrivals serves, and is
                    // not used up; the reserve is never shipped (free
                    // stock stays ≥ 0) and serves at home every period.
                    w.check(drawn.abs(), 0.0, || {
                        format!(
                            "{} {} is reusable but draws {drawn} from its reserve in period {}",
                            a_id(a),
                            k_id(k),
                            t + 1
                        )
                    });
                    free += made + surged + arrive[j] - depart[j];
                    let scale = free.abs().max(depart[j]);
                    w.check(-free, scale, || {
                        format!("{} {} free stock goes negative ({free}) in period {}: more shipped than held, or the reserve shipped", a_id(a), k_id(k), t + 1)
                    });
                    let on_hand = free + reserve;
                    w.check(served[j] - on_hand, on_hand, || {
                        format!(
                            "{} {} serves {} in period {} with only {on_hand} on hand",
                            a_id(a),
                            k_id(k),
                            served[j],
                            t + 1
                        )
                    });
                    continue;
                }
                // The reserve only serves this ally's own demand.
                w.check(drawn - served[j], served[j], || {
                    format!("{} {} draws {drawn} from its reserve but serves only {} at home in period {}", a_id(a), k_id(k), served[j], t + 1)
                });
                reserve -= drawn;
                w.check(-reserve, sup.map_or(0.0, |(_, s)| s.reserve), || {
                    format!(
                        "{} {} draws more than its reserve by period {}",
                        a_id(a),
                        k_id(k),
                        t + 1
                    )
                });
                free += made + surged + arrive[j] - depart[j] - (served[j] - drawn);
                let scale = free.abs().max(served[j]).max(depart[j]);
                w.check(-free, scale, || {
                    format!("{} {} free stock goes negative ({free}) in period {}: more shipped or served than held", a_id(a), k_id(k), t + 1)
                });
            }
        }
    }
    // Shortage caps (SPEC §9's guarantee): an ally's weighted shortage in
    // a tier, recomputed from the plan, against its cap, relative to the
    // cap or one unit of the ally's least valuable item there.
    for c in &p.caps {
        let (mut short, mut unit) = (0.0, f64::INFINITY);
        for (i, d) in p.demand.iter().enumerate() {
            if d.ally != c.ally || d.tier != c.tier {
                continue;
            }
            let value = p.items[d.item].value;
            let served: f64 = plan.served[i].iter().sum();
            short += value * (d.quantity.iter().sum::<f64>() - served);
            unit = unit.min(value);
        }
        if unit.is_finite() {
            let scale = c.cap.abs().max(unit * w.floor);
            w.check_relative((short - c.cap) / scale, || {
                format!(
                    "{} has a weighted shortage of {short} in tier {}, more than its {} alone",
                    a_id(c.ally),
                    p.tiers[c.tier],
                    c.cap
                )
            });
        }
    }
    Verification {
        max_violation: w.violation,
        ok: w.violation <= TOLERANCE,
        worst: w.what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// JP holds 100 of which 60 is reserve; the US needs 80 over a lane.
    const TEXT: &str = r#"
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
production = 5
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
capacity = 50
"#;

    fn problem() -> Problem {
        crate::load_str(TEXT, "v.toml").unwrap()
    }

    /// JP serves itself from the reserve, makes 5 and ships 45 of its free
    /// 40 + 5: every rule holds.
    fn good_plan() -> Plan {
        Plan {
            ship: vec![(0, 0, 0, 45.0)],
            make: vec![vec![5.0]],
            surge: vec![vec![0.0]],
            served: vec![vec![30.0], vec![45.0]],
            draw: vec![vec![30.0]],
        }
    }

    #[test]
    fn a_feasible_plan_passes() {
        let v = verify(&problem(), &good_plan());
        assert!(v.ok && v.max_violation == 0.0, "{v:?}");
    }

    #[test]
    fn shipping_the_reserve_is_caught() {
        // JP serves itself from free stock instead, and ships 10 units of
        // the reserve: free stock 40 + 5 − 30 − 25 = −10.
        let mut plan = good_plan();
        plan.draw = vec![vec![0.0]];
        plan.ship = vec![(0, 0, 0, 25.0)];
        plan.served = vec![vec![30.0], vec![25.0]];
        let v = verify(&problem(), &plan);
        assert!(!v.ok && v.worst.contains("free stock"), "{v:?}");
        assert!((v.max_violation - 10.0 / 30.0).abs() < 1e-12, "{v:?}");
    }

    #[test]
    fn drawing_the_reserve_for_others_is_caught() {
        let mut plan = good_plan();
        plan.served = vec![vec![10.0], vec![45.0]];
        let v = verify(&problem(), &plan);
        assert!(!v.ok && v.worst.contains("reserve"), "{v:?}");
    }

    #[test]
    fn capacity_production_and_demand_bounds_are_caught() {
        let p = problem();
        let mut plan = good_plan();
        plan.ship = vec![(0, 0, 0, 51.0)];
        plan.served[1][0] = 51.0;
        plan.make[0][0] = 11.0;
        let v = verify(&p, &plan);
        assert!(!v.ok, "{v:?}");
        let mut plan = good_plan();
        plan.served[1][0] = 81.0;
        plan.ship = vec![(0, 0, 0, 81.0)];
        assert!(!verify(&p, &plan).ok);
        let mut plan = good_plan();
        plan.make[0][0] = 6.0;
        let v = verify(&p, &plan);
        assert!(!v.ok && v.worst.contains("produces"), "{v:?}");
    }

    /// JP holds 10 ventilators (reusable), 6 of them its reserve, and needs
    /// 5 a period for 2 periods; the US needs 4 a period over a lane with
    /// lead time 0. JP serves its 5 from the 10 on hand in both periods,
    /// ships its 4 free units in period 1, and the US serves them twice.
    fn reusable() -> (Problem, Plan) {
        let text = r#"
periods = 2
[[items]]
id = "vent"
reusable = true
[[allies]]
id = "JP"
[[allies]]
id = "US"
[[supply]]
ally = "JP"
item = "vent"
stock = 10
reserve = 6
[[demand]]
ally = "JP"
item = "vent"
tier = "critical"
quantity = 5
[[demand]]
ally = "US"
item = "vent"
tier = "critical"
quantity = 4
[[lanes]]
from = "JP"
to = "US"
"#;
        let plan = Plan {
            ship: vec![(0, 0, 0, 4.0)],
            make: vec![vec![0.0, 0.0]],
            surge: vec![vec![0.0, 0.0]],
            served: vec![vec![5.0, 5.0], vec![4.0, 4.0]],
            draw: vec![vec![0.0, 0.0]],
        };
        (crate::load_str(text, "r.toml").unwrap(), plan)
    }

    #[test]
    fn reusable_units_serve_every_period_they_are_on_hand() {
        let (p, plan) = reusable();
        let v = verify(&p, &plan);
        assert!(v.ok && v.max_violation == 0.0, "{v:?}");
    }

    #[test]
    fn reusable_units_not_on_hand_cannot_serve() {
        // The US, needing 6, serves 5 with 4 on hand: 1 over, relative to 4.
        let (mut p, mut plan) = reusable();
        p.demand[1].quantity = vec![6.0, 6.0];
        plan.served[1][1] = 5.0;
        let v = verify(&p, &plan);
        assert!(!v.ok && v.worst.contains("on hand"), "{v:?}");
        assert!((v.max_violation - 0.25).abs() < 1e-12, "{v:?}");
        // Units in transit serve nowhere: with lead time 1 the 4 arrive in
        // period 2, so the US cannot serve in period 1.
        let (mut p, mut plan) = reusable();
        p.lanes[0].lead_time = 1;
        plan.served[1] = vec![4.0, 4.0];
        let v = verify(&p, &plan);
        assert!(!v.ok && v.worst.contains("period 1"), "{v:?}");
        plan.served[1] = vec![0.0, 4.0];
        assert!(verify(&p, &plan).ok);
    }

    #[test]
    fn a_reusable_reserve_never_ships_and_is_never_drawn() {
        // Shipping 5 leaves JP's free stock at −1: the reserve shipped.
        let (p, mut plan) = reusable();
        plan.ship = vec![(0, 0, 0, 5.0)];
        let v = verify(&p, &plan);
        assert!(!v.ok && v.worst.contains("free stock"), "{v:?}");
        let (p, mut plan) = reusable();
        plan.draw = vec![vec![1.0, 0.0]];
        let v = verify(&p, &plan);
        assert!(!v.ok && v.worst.contains("draws"), "{v:?}");
    }

    #[test]
    fn dispatch_past_the_horizon_and_wrong_shapes_are_caught() {
        let mut p = problem();
        p.lanes[0].lead_time = 1;
        assert!(!verify(&p, &good_plan()).ok);
        let mut plan = good_plan();
        plan.served.pop();
        assert!(!verify(&problem(), &plan).ok);
    }
}
