//! `[[supply]]`: known ally and item, numbers ≥ 0, reserve ≤ stock,
//! per-period quantities of the horizon's length, one entry per (ally, item).

use std::collections::HashMap;
use std::ops::Range;

use serde_spanned::Spanned;

use super::{Ctx, MAX_NUMBER};
use crate::problem::{Problem, Supply};

/// The supply entries with known ids; `p` has the items and allies.
pub(super) fn check(ctx: &mut Ctx, p: &Problem) -> Vec<Supply> {
    let raw = ctx.raw;
    let periods = ctx.periods;
    let ck = &mut ctx.ck;
    let ally_id = |a: usize| p.allies.get(a).map_or("?", |x| x.id.as_str());
    let item_id = |k: usize| p.items.get(k).map_or("?", |x| x.id.as_str());
    let mut supply = Vec::new();
    let mut supply_seen: HashMap<(usize, usize), (usize, Range<usize>)> = HashMap::new();
    for (i, s) in raw.supply.iter().enumerate() {
        let entry_span = s.span();
        let s = s.get_ref();
        let key = |k: &str| format!("supply[{i}].{k}");
        let ally = ck.resolve(&s.ally, &key("ally"), "ally", &ctx.ally_ids);
        let item = ck.resolve(&s.item, &key("item"), "item", &ctx.item_ids);
        let stock = ck.opt_number(&s.stock, &key("stock"), 0.0);
        let reserve = ck.opt_number(&s.reserve, &key("reserve"), 0.0);
        if reserve > stock
            && let Some(r) = &s.reserve
            && valid_number(&s.stock)
            && valid_number(&s.reserve)
        {
            ck.error(
                Some(r.span()),
                key("reserve"),
                format!("reserve {reserve} is larger than stock {stock}"),
                "the reserve is part of the stock: make reserve ≤ stock".into(),
            );
        }
        let production = ck.opt_quantity(&s.production, &key("production"), periods, 0.0);
        let production_cost = ck.opt_number(&s.production_cost, &key("production_cost"), 0.0);
        let surge = ck.opt_quantity(&s.surge, &key("surge"), periods, 0.0);
        let surge_cost = ck.opt_number(&s.surge_cost, &key("surge_cost"), 0.0);
        let export_limit = ck.opt_quantity(
            &s.export_limit,
            &key("export_limit"),
            periods,
            f64::INFINITY,
        );
        if let (Some(a), Some(k)) = (ally, item) {
            if let Some((first, first_span)) = supply_seen.get(&(a, k)) {
                let line = if ck.full() { 0 } else { ck.line(first_span) };
                ck.error(
                    Some(s.ally.span()),
                    format!("supply[{i}]"),
                    format!(
                        "duplicate supply entry for ally `{}` and item `{}`: supply[{first}] at line {line} already gives it",
                        ally_id(a),
                        item_id(k)
                    ),
                    "merge the two entries into one".into(),
                );
            } else {
                supply_seen.insert((a, k), (i, entry_span));
            }
            supply.push(Supply {
                ally: a,
                item: k,
                stock,
                reserve: reserve.min(stock),
                production,
                production_cost,
                surge,
                surge_cost,
                export_limit,
            });
        }
    }
    supply
}

/// Whether an optional number is absent or acceptable (no error reported).
fn valid_number(v: &Option<Spanned<f64>>) -> bool {
    v.as_ref()
        .is_none_or(|v| (0.0..=MAX_NUMBER).contains(v.get_ref()))
}
