//! `[[lanes]]`: known allies (or `"*"`) and items, cost ≥ 0, capacity per
//! period, a whole lead time; each entry expanded to its ordered pairs.

use super::Ctx;
use crate::problem::{Lane, Problem};
use crate::raw::IdSelector;

/// Largest accepted `lead_time`.
const MAX_LEAD_TIME: f64 = 1e6;

/// A valid `lead_time`: a whole number of periods, 0 to [`MAX_LEAD_TIME`]
/// (also the size guard's rule).
pub(super) fn whole_lead_time(v: f64) -> Option<usize> {
    (v.fract() == 0.0 && (0.0..=MAX_LEAD_TIME).contains(&v)).then_some(v as usize)
}

/// The lanes, one per ordered pair; `p` has the items and allies.
pub(super) fn check(ctx: &mut Ctx, p: &Problem) -> Vec<Lane> {
    let raw = ctx.raw;
    let periods = ctx.periods;
    let ck = &mut ctx.ck;
    let mut lanes = Vec::new();
    for (i, l) in raw.lanes.iter().enumerate() {
        let l = l.get_ref();
        let key = |k: &str| format!("lanes[{i}].{k}");
        let from = ck.select(&Some(l.from.clone()), &key("from"), "ally", &ctx.ally_ids);
        let to = ck.select(&Some(l.to.clone()), &key("to"), "ally", &ctx.ally_ids);
        let lane_items = match &l.items {
            None => Some((0..p.items.len()).collect::<Vec<_>>()),
            // An empty list is allowed (docs/format.md): the lane carries
            // nothing.
            Some(list) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (j, id) in list.get_ref().iter().enumerate() {
                    match ck.resolve(id, &format!("lanes[{i}].items[{j}]"), "item", &ctx.item_ids) {
                        Some(k) => out.push(k),
                        None => ok = false,
                    }
                }
                out.sort_unstable();
                out.dedup();
                ok.then_some(out)
            }
        };
        let cost = ck.opt_number(&l.cost, &key("cost"), 0.0);
        let capacity = ck.opt_quantity(&l.capacity, &key("capacity"), periods, f64::INFINITY);
        let lead_time = match &l.lead_time {
            None => 0,
            Some(lt) => whole_lead_time(*lt.get_ref()).unwrap_or_else(|| {
                let v = *lt.get_ref();
                let why = if v.fract() != 0.0 || !v.is_finite() {
                    format!("must be a whole number of periods, found {v}")
                } else if v < 0.0 {
                    format!("must not be negative, found {v}")
                } else {
                    format!("{v} is beyond the longest supported lead time ({MAX_LEAD_TIME:e})")
                };
                ck.error(
                    Some(lt.span()),
                    key("lead_time"),
                    why,
                    "write a whole number of periods ≥ 0, e.g. `lead_time = 2`".into(),
                );
                0
            }),
        };
        let single = |s: &IdSelector| matches!(s, IdSelector::One(x) if x != "*");
        if single(l.from.get_ref()) && l.from.get_ref() == l.to.get_ref() {
            ck.error(
                Some(l.to.span()),
                key("to"),
                "a lane cannot go from an ally to itself".into(),
                "name another ally in `to`, or remove the lane".into(),
            );
            continue;
        }
        let (Some(from), Some(to), Some(lane_items)) = (from, to, lane_items) else {
            continue;
        };
        let bidirectional = l.bidirectional.unwrap_or(false);
        for a in from.iter(p.allies.len()) {
            for b in to.iter(p.allies.len()) {
                if a == b {
                    continue;
                }
                let mut pairs = vec![(a, b)];
                if bidirectional {
                    pairs.push((b, a));
                }
                for (o, d) in pairs {
                    lanes.push(Lane {
                        from: o,
                        to: d,
                        items: lane_items.clone(),
                        cost,
                        capacity: capacity.clone(),
                        lead_time,
                        entry: i,
                    });
                }
            }
        }
    }
    lanes
}
