//! `[[stockpile]]` (SPEC §12): where units may be placed before a case is known.

use std::collections::HashMap;
use std::ops::Range;

use super::Ctx;
use crate::problem::Stockpile;
use crate::raw::IdSelector;

/// The `[[stockpile]]` tables (SPEC §12): a known item, at most one table
/// per item, a finite budget and cost ≥ 0, and known allies.
pub(super) fn check(ctx: &mut Ctx) -> Vec<Stockpile> {
    let raw = ctx.raw;
    let (ck, item_ids, ally_ids) = (&mut ctx.ck, &ctx.item_ids, &ctx.ally_ids);
    let mut out = Vec::new();
    let mut seen: HashMap<usize, (usize, Range<usize>)> = HashMap::new();
    for (i, sp) in raw.stockpile.iter().enumerate() {
        let entry_span = sp.span();
        let sp = sp.get_ref();
        let key = |k: &str| format!("stockpile[{i}].{k}");
        let item = ck.resolve(&sp.item, &key("item"), "item", item_ids);
        let budget = ck.number(&sp.budget, &key("budget"), false);
        let cost = ck.opt_number(&sp.cost, &key("cost"), 0.0);
        let allies = match &sp.allies {
            Some(sel) if matches!(sel.get_ref(), IdSelector::Many(v) if v.is_empty()) => {
                ck.error(
                    Some(sel.span()),
                    key("allies"),
                    "must name at least one ally".into(),
                    "name the allies where units may be placed, or leave `allies` out for every ally".into(),
                );
                None
            }
            sel => ck.select(sel, &key("allies"), "ally", ally_ids),
        };
        let Some(k) = item else { continue };
        if let Some((first, first_span)) = seen.get(&k) {
            let line = if ck.full() { 0 } else { ck.line(first_span) };
            ck.error(
                Some(sp.item.span()),
                key("item"),
                format!(
                    "duplicate stockpile for item `{}`: stockpile[{first}] at line {line} already gives it",
                    sp.item.get_ref()
                ),
                "at most one [[stockpile]] per item: merge the two (add the budgets, join the allies)".into(),
            );
            continue;
        }
        seen.insert(k, (i, entry_span));
        let Some(allies) = allies else { continue };
        out.push(Stockpile {
            item: k,
            budget,
            allies: allies.iter(ally_ids.len()).collect(),
            cost,
        });
    }
    out
}
