//! `[[items]]` and `[[allies]]`: at least one of each, ids unique and not
//! empty, item values > 0.

use std::collections::HashMap;
use std::ops::Range;

use serde_spanned::Spanned;

use super::Ctx;
use super::checker::Checker;
use crate::problem::{Ally, Item};
use crate::raw::{RawAlly, RawItem, RawProblem};

/// Reads both lists; sets the item and ally ids in `ctx`.
pub(super) fn check<'r>(ctx: &mut Ctx<'r>) -> (Vec<Item>, Vec<Ally>) {
    let raw: &'r RawProblem = ctx.raw;
    let ck = &mut ctx.ck;
    let raw_items: &'r [Spanned<RawItem>] = match &raw.items {
        Some(items) => {
            if items.get_ref().is_empty() {
                ck.error(
                    Some(items.span()),
                    "items".into(),
                    "must list at least one item".into(),
                    "add an [[items]] table with an `id`".into(),
                );
            }
            items.get_ref()
        }
        None => {
            ck.error(
                Some(0..0),
                "items".into(),
                "missing required key `items`".into(),
                "add at least one [[items]] table, e.g. [[items]] id = \"chips\"".into(),
            );
            &[]
        }
    };
    let raw_allies: &'r [Spanned<RawAlly>] = match &raw.allies {
        Some(allies) => {
            if allies.get_ref().is_empty() {
                ck.error(
                    Some(allies.span()),
                    "allies".into(),
                    "must list at least one ally".into(),
                    "add an [[allies]] table with an `id`".into(),
                );
            }
            allies.get_ref()
        }
        None => {
            ck.error(
                Some(0..0),
                "allies".into(),
                "missing required key `allies`".into(),
                "add at least one [[allies]] table, e.g. [[allies]] id = \"US\"".into(),
            );
            &[]
        }
    };

    ctx.item_ids = unique_ids(ck, raw_items.iter().map(|i| &i.get_ref().id), "items");
    ctx.ally_ids = unique_ids(ck, raw_allies.iter().map(|a| &a.get_ref().id), "allies");

    let items: Vec<Item> = raw_items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let it = it.get_ref();
            let value = match &it.value {
                Some(v) => ck.number(v, &format!("items[{i}].value"), true),
                None => 1.0,
            };
            Item {
                id: it.id.get_ref().clone(),
                name: it.name.clone().unwrap_or_else(|| it.id.get_ref().clone()),
                unit: it.unit.clone().unwrap_or_default(),
                value,
                reusable: it.reusable.unwrap_or(false),
            }
        })
        .collect();
    let allies: Vec<Ally> = raw_allies
        .iter()
        .map(|a| {
            let a = a.get_ref();
            Ally {
                id: a.id.get_ref().clone(),
                name: a.name.clone().unwrap_or_else(|| a.id.get_ref().clone()),
            }
        })
        .collect();
    (items, allies)
}

/// Registers unique ids, reporting duplicates with both places.
pub(super) fn unique_ids<'r>(
    ck: &mut Checker,
    entries: impl Iterator<Item = &'r Spanned<String>>,
    section: &str,
) -> HashMap<&'r str, usize> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut spans: Vec<Range<usize>> = Vec::new();
    for (i, id) in entries.enumerate() {
        let key = format!("{section}[{i}].id");
        if id.get_ref().is_empty() {
            ck.error(
                Some(id.span()),
                key.clone(),
                "an id must not be empty".into(),
                "give a short name such as \"US\"".into(),
            );
        } else if id.get_ref() == "*" {
            ck.error(
                Some(id.span()),
                key.clone(),
                "`*` is reserved for \"every\" and cannot be an id".into(),
                "choose another id".into(),
            );
        }
        if let Some(&first) = ids.get(id.get_ref().as_str()) {
            let line = if ck.full() {
                0
            } else {
                spans.get(first).map_or(0, |s| ck.line(s))
            };
            ck.error(
                Some(id.span()),
                key,
                format!(
                    "duplicate id `{}`: already used by {section}[{first}] at line {line}",
                    id.get_ref(),
                ),
                "ids must be unique; rename one of them".into(),
            );
        } else {
            ids.insert(id.get_ref().as_str(), i);
        }
        spans.push(id.span());
    }
    ids
}
