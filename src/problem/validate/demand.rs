//! `[[demand]]`: known ally, item and tier (the last tier when left out),
//! a quantity per period, one entry per (ally, item, tier).

use std::collections::HashMap;
use std::ops::Range;

use super::Ctx;
use crate::problem::{Demand, Problem};

/// The demand entries with known ids; `p` has the tiers, items and allies.
pub(super) fn check(ctx: &mut Ctx, p: &Problem) -> Vec<Demand> {
    let raw = ctx.raw;
    let periods = ctx.periods;
    let ck = &mut ctx.ck;
    let ally_id = |a: usize| p.allies.get(a).map_or("?", |x| x.id.as_str());
    let item_id = |k: usize| p.items.get(k).map_or("?", |x| x.id.as_str());
    let mut demand = Vec::new();
    let mut demand_seen: HashMap<(usize, usize, usize), (usize, Range<usize>)> = HashMap::new();
    let last_tier = p.tiers.len().saturating_sub(1);
    for (i, d) in raw.demand.iter().enumerate() {
        let entry_span = d.span();
        let d = d.get_ref();
        let key = |k: &str| format!("demand[{i}].{k}");
        let ally = ck.resolve(&d.ally, &key("ally"), "ally", &ctx.ally_ids);
        let item = ck.resolve(&d.item, &key("item"), "item", &ctx.item_ids);
        let tier = match &d.tier {
            Some(t) => ck.resolve(t, &key("tier"), "tier", &ctx.tier_ids),
            None => Some(last_tier),
        };
        let quantity = ck.quantity(&d.quantity, &key("quantity"), periods);
        if let (Some(a), Some(k), Some(g)) = (ally, item, tier) {
            if let Some((first, first_span)) = demand_seen.get(&(a, k, g)) {
                let line = if ck.full() { 0 } else { ck.line(first_span) };
                ck.error(
                    Some(d.ally.span()),
                    format!("demand[{i}]"),
                    format!(
                        "duplicate demand entry for ally `{}`, item `{}`, tier `{}`: demand[{first}] at line {line} already gives it",
                        ally_id(a),
                        item_id(k),
                        p.tiers.get(g).map_or("?", |t| t.as_str())
                    ),
                    "merge the two entries into one (add the quantities)".into(),
                );
            } else {
                demand_seen.insert((a, k, g), (i, entry_span));
            }
            demand.push(Demand {
                ally: a,
                item: k,
                tier: g,
                quantity,
            });
        }
    }
    demand
}
