//! Scenario factors may not push a quantity beyond [`MAX_NUMBER`]; run
//! once the rest of the problem is valid.

use std::collections::HashMap;

use super::{Ctx, MAX_NUMBER};
use crate::problem::{Problem, Target};

/// Scenario factors may not push a quantity beyond [`MAX_NUMBER`] (or to
/// infinity): each quantity a scenario touches is bounded by its largest
/// base value times the factors > 1 applied to it, and checked period by
/// period only when that bound is too large.
pub(super) fn check(ctx: &mut Ctx, problem: &Problem) {
    let raw = ctx.raw;
    let ck = &mut ctx.ck;
    for (si, sc) in problem.scenarios.iter().enumerate() {
        // (target, entry) → changes touching it, in order.
        let mut touched: HashMap<(u8, usize), Vec<usize>> = HashMap::new();
        for (ci, c) in sc.changes.iter().enumerate() {
            for &i in &c.selected {
                touched
                    .entry((target_code(c.target), i))
                    .or_default()
                    .push(ci);
            }
        }
        let mut keys: Vec<&(u8, usize)> = touched.keys().collect();
        keys.sort_unstable();
        for key in keys {
            let Some(changes) = touched.get(key) else {
                continue;
            };
            let base: &[f64] = match key.0 {
                0 => problem.supply.get(key.1).map_or(&[][..], |s| &s.production),
                1 => problem.supply.get(key.1).map_or(&[][..], |s| &s.surge),
                2 => problem
                    .supply
                    .get(key.1)
                    .map_or(&[][..], |s| &s.export_limit),
                3 => problem
                    .supply
                    .get(key.1)
                    .map_or(&[][..], |s| std::slice::from_ref(&s.stock)),
                4 => problem.demand.get(key.1).map_or(&[][..], |d| &d.quantity),
                _ => problem.lanes.get(key.1).map_or(&[][..], |l| &l.capacity),
            };
            let max_base = base
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            let growth: f64 = changes
                .iter()
                .filter_map(|&ci| sc.changes.get(ci))
                .map(|c| c.factor.max(1.0))
                .product();
            let bound = max_base * growth;
            if bound.is_finite() && bound <= MAX_NUMBER {
                continue;
            }
            // Period by period: which change first pushes a value too far.
            let mut culprit: Option<(usize, usize, f64)> = None;
            'periods: for (t, &v0) in base.iter().enumerate() {
                if !v0.is_finite() {
                    continue;
                }
                let mut v = v0;
                for &ci in changes {
                    let Some(c) = sc.changes.get(ci) else {
                        continue;
                    };
                    let applies = c.target == Target::Stock || (c.first..=c.last).contains(&t);
                    if applies {
                        v = if c.factor == 0.0 { 0.0 } else { v * c.factor };
                        if !(v.is_finite() && v <= MAX_NUMBER) {
                            culprit = Some((ci, t, v));
                            break 'periods;
                        }
                    }
                }
            }
            let Some((ci, t, v)) = culprit else {
                continue;
            };
            let what = match key.0 {
                0 => format!("supply[{}].production", key.1),
                1 => format!("supply[{}].surge", key.1),
                2 => format!("supply[{}].export_limit", key.1),
                3 => format!("supply[{}].stock", key.1),
                4 => format!("demand[{}].quantity", key.1),
                _ => format!("the capacity of lane {}", lane_name(problem, key.1)),
            };
            let when = if key.0 == 3 {
                String::new()
            } else {
                format!(" in period {}", t + 1)
            };
            let span = raw
                .scenarios
                .get(si)
                .and_then(|s| s.get_ref().changes.get(ci))
                .map(|c| c.get_ref().factor.span());
            ck.error(
                span,
                format!("scenarios[{si}].changes[{ci}].factor"),
                format!(
                    "scenario `{}` makes {what}{when} {v:e}, beyond the largest supported number ({MAX_NUMBER:e})",
                    sc.name
                ),
                "use a smaller factor (factors of a scenario multiply)".into(),
            );
            break;
        }
    }
}

fn lane_name(p: &Problem, i: usize) -> String {
    match p.lanes.get(i) {
        Some(l) => format!(
            "{}->{} (lanes[{}])",
            p.allies.get(l.from).map_or("?", |a| a.id.as_str()),
            p.allies.get(l.to).map_or("?", |a| a.id.as_str()),
            l.entry
        ),
        None => format!("#{i}"),
    }
}

fn target_code(t: Target) -> u8 {
    match t {
        Target::Production => 0,
        Target::Surge => 1,
        Target::ExportLimit => 2,
        Target::Stock => 3,
        Target::Demand => 4,
        Target::Lanes => 5,
    }
}
