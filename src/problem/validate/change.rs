//! One scenario change: a known target, a factor, a period range, the keys
//! of its target only, and a selection of at least one entry.

use std::ops::Range;

use serde_spanned::Spanned;

use super::Ctx;
use super::checker::list;
use crate::diagnostic::did_you_mean;
use crate::problem::{Change, Problem, Target};
use crate::raw::RawChange;

/// One change of a scenario, its selection resolved against `p`; `None`
/// when it has an error. With `entries_ok` false some entry failed to
/// validate, so an empty selection is not reported (it may be a follow-on).
pub(super) fn check(
    ctx: &mut Ctx,
    p: &Problem,
    ch: &Spanned<RawChange>,
    key: &str,
    entries_ok: bool,
) -> Option<Change> {
    let periods = ctx.periods;
    let ck = &mut ctx.ck;
    let span = ch.span();
    let ch = ch.get_ref();
    let k = |s: &str| format!("{key}.{s}");
    let target = match ch.target.get_ref().as_str() {
        "production" => Target::Production,
        "surge" => Target::Surge,
        "export_limit" => Target::ExportLimit,
        "stock" => Target::Stock,
        "demand" => Target::Demand,
        "lanes" => Target::Lanes,
        other => {
            let help = match did_you_mean(other, Target::NAMES) {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => format!("one of {}", list(&Target::NAMES)),
            };
            ck.error(
                Some(ch.target.span()),
                k("target"),
                format!("unknown target \"{other}\""),
                help,
            );
            return None;
        }
    };
    // Factors may be large (a quantity of 0 stays 0); what they make of
    // the quantities is checked afterwards.
    let factor = ck.any_number(&ch.factor, &k("factor"), false);
    let (mut first, mut last) = (0, periods.saturating_sub(1));
    if let Some(p) = &ch.periods {
        if target == Target::Stock {
            ck.error(
                Some(p.span()),
                k("periods"),
                "a stock change applies at the start and takes no `periods`".into(),
                "remove `periods`".into(),
            );
        }
        let v = p.get_ref();
        let whole = |x: f64| x.fract() == 0.0 && x >= 1.0 && x <= periods as f64;
        match v.as_slice() {
            [a, b] if whole(*a.get_ref()) && whole(*b.get_ref()) && a.get_ref() <= b.get_ref() => {
                first = *a.get_ref() as usize - 1;
                last = *b.get_ref() as usize - 1;
            }
            _ if !ck.periods_ok => {}
            _ => {
                let found = v
                    .iter()
                    .map(|x| x.get_ref().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                ck.error(
                    Some(p.span()),
                    k("periods"),
                    format!(
                        "must be [first, last] with 1 ≤ first ≤ last ≤ {periods} (the horizon), found [{found}]"
                    ),
                    format!("e.g. periods = [1, {periods}]"),
                );
            }
        }
    }
    // Which keys go with which target.
    let misplaced: Vec<(&str, Option<Range<usize>>)> = [
        ("ally", ch.ally.as_ref().map(|s| s.span())),
        ("item", ch.item.as_ref().map(|s| s.span())),
        ("tier", ch.tier.as_ref().map(|s| s.span())),
        ("from", ch.from.as_ref().map(|s| s.span())),
        ("to", ch.to.as_ref().map(|s| s.span())),
        ("items", ch.items.as_ref().map(|s| s.span())),
    ]
    .into_iter()
    .filter(|(name, span)| {
        span.is_some()
            && match target {
                Target::Lanes => !["from", "to", "items"].contains(name),
                Target::Demand => !["ally", "item", "tier"].contains(name),
                _ => !["ally", "item"].contains(name),
            }
    })
    .collect();
    let mut misplaced_any = false;
    for (name, span) in misplaced {
        misplaced_any = true;
        ck.error(
            span,
            k(name),
            format!(
                "`{name}` does not apply to target \"{}\"",
                ch.target.get_ref()
            ),
            match target {
                Target::Lanes => "lane changes select with `from`, `to` and `items`".into(),
                Target::Demand => "demand changes select with `ally`, `item` and `tier`".into(),
                _ => "supply changes select with `ally` and `item`".into(),
            },
        );
    }
    if misplaced_any {
        return None;
    }
    let mut positions = Vec::new();
    let selected: Vec<usize> = match target {
        Target::Lanes => {
            let from = ck.select(&ch.from, &k("from"), "ally", &ctx.ally_ids);
            let to = ck.select(&ch.to, &k("to"), "ally", &ctx.ally_ids);
            let its = ck.select(&ch.items, &k("items"), "item", &ctx.item_ids);
            let (from, to, its) = (from?, to?, its?);
            p.lanes
                .iter()
                .enumerate()
                .filter(|(_, l)| {
                    from.contains(l.from)
                        && to.contains(l.to)
                        && l.items.iter().any(|&i| its.contains(i))
                })
                .map(|(i, _)| i)
                .collect()
        }
        Target::Demand => {
            let a = ck.select(&ch.ally, &k("ally"), "ally", &ctx.ally_ids);
            let it = ck.select(&ch.item, &k("item"), "item", &ctx.item_ids);
            let tr = ck.select(&ch.tier, &k("tier"), "tier", &ctx.tier_ids);
            let (a, it, tr) = (a?, it?, tr?);
            p.demand
                .iter()
                .enumerate()
                .filter(|(_, d)| a.contains(d.ally) && it.contains(d.item) && tr.contains(d.tier))
                .map(|(i, _)| i)
                .collect()
        }
        _ => {
            let a = ck.select(&ch.ally, &k("ally"), "ally", &ctx.ally_ids);
            let it = ck.select(&ch.item, &k("item"), "item", &ctx.item_ids);
            let (a, it) = (a?, it?);
            {
                positions = p
                    .stockpiles
                    .iter()
                    .filter(|sp| it.contains(sp.item))
                    .flat_map(|sp| {
                        sp.allies
                            .iter()
                            .filter(|&&b| a.contains(b))
                            .map(|&b| (b, sp.item))
                    })
                    .collect();
                positions.sort_unstable();
            }
            p.supply
                .iter()
                .enumerate()
                .filter(|(_, s)| a.contains(s.ally) && it.contains(s.item))
                .map(|(i, _)| i)
                .collect()
        }
    };
    // A stock change may select only stockpile positions (it scales the
    // units placed there); other supply changes must select an entry.
    if selected.is_empty() && (target != Target::Stock || positions.is_empty()) {
        if !entries_ok {
            return None;
        }
        let what = match target {
            Target::Lanes => "no lane",
            Target::Demand => "no demand entry",
            Target::Stock if !p.stockpiles.is_empty() => {
                "no supply entry and no stockpile position"
            }
            _ => "no supply entry",
        };
        ck.error(
            Some(span),
            key.to_string(),
            format!("this change selects {what}, so it would do nothing"),
            "check the ids and the target; a change must match at least one entry".into(),
        );
        return None;
    }
    Some(Change {
        target,
        selected,
        factor,
        first,
        last,
        positions,
    })
}
