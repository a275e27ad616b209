//! The size guard's view of a file as written: its [`Shape`] counted
//! without expanding any per-period quantity or lane, and the refusal
//! located at its cause.

use std::collections::HashMap;

use serde_spanned::Spanned;

use super::Ctx;
use super::checker::Checker;
use super::header::requested_periods;
use super::lanes::whole_lead_time;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, SizeRemedy};
use crate::raw::{IdSelector, Quantity, RawProblem};
use crate::size::{Allies, Cause, DemandShape, LaneShape, Periods, Shape, SupplyShape};

fn valid_lead_time(raw: &Option<Spanned<f64>>) -> u64 {
    raw.as_ref()
        .and_then(|lt| whole_lead_time(*lt.get_ref()))
        .map_or(0, |n| n as u64)
}

/// The periods (among the first `t`) where a quantity satisfies `keep`;
/// `absent` when the key is left out.
fn periods_of(
    q: Option<&Spanned<Quantity>>,
    t: u64,
    absent: Periods,
    keep: impl Fn(f64) -> bool,
) -> Periods {
    match q.map(|q| q.get_ref()) {
        None => absent,
        Some(Quantity::Scalar(x)) => {
            if keep(*x) {
                Periods::All
            } else {
                Periods::none()
            }
        }
        Some(Quantity::PerPeriod(v)) => {
            let these: Vec<usize> = v
                .iter()
                .enumerate()
                .filter(|(i, x)| (*i as u64) < t && keep(*x.get_ref()))
                .map(|(i, _)| i)
                .collect();
            if these.len() as u64 == t {
                Periods::All
            } else {
                Periods::These(these)
            }
        }
    }
}

fn positive(x: f64) -> bool {
    x > 0.0
}

/// First occurrence of every id.
fn id_map<'r>(ids: impl Iterator<Item = &'r Spanned<String>>) -> HashMap<&'r str, usize> {
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        map.entry(id.get_ref().as_str()).or_insert(i);
    }
    map
}

fn selector(sel: &IdSelector, ids: &HashMap<&str, usize>) -> Allies {
    match sel {
        IdSelector::One(s) if s == "*" => Allies::All,
        IdSelector::One(s) => Allies::These(ids.get(s.as_str()).copied().into_iter().collect()),
        IdSelector::Many(v) => {
            let mut out: Vec<usize> = v
                .iter()
                .filter_map(|s| ids.get(s.get_ref().as_str()).copied())
                .collect();
            out.sort_unstable();
            out.dedup();
            Allies::These(out)
        }
    }
}

/// The size-relevant counts of a file as written, without expanding any
/// per-period quantity or lane (entries with unknown ids are left out).
pub fn shape(raw: &RawProblem) -> Shape {
    let t = requested_periods(raw).unwrap_or(1);
    let no_items = Vec::new();
    let no_allies = Vec::new();
    let items = raw.items.as_ref().map_or(&no_items, |i| i.get_ref());
    let allies = raw.allies.as_ref().map_or(&no_allies, |a| a.get_ref());
    let item_ids = id_map(items.iter().map(|i| &i.get_ref().id));
    let ally_ids = id_map(allies.iter().map(|a| &a.get_ref().id));
    let mut shape = Shape {
        periods: t,
        allies: allies.len(),
        items: items.len(),
        reusable: items
            .iter()
            .map(|i| i.get_ref().reusable == Some(true))
            .collect(),
        ..Shape::default()
    };
    for s in &raw.supply {
        let s = s.get_ref();
        let (Some(&ally), Some(&item)) = (
            ally_ids.get(s.ally.get_ref().as_str()),
            item_ids.get(s.item.get_ref().as_str()),
        ) else {
            continue;
        };
        shape.supply.push(SupplyShape {
            ally,
            item,
            make: periods_of(s.production.as_ref(), t, Periods::none(), positive),
            surge: periods_of(s.surge.as_ref(), t, Periods::none(), positive),
            export_limited: periods_of(s.export_limit.as_ref(), t, Periods::none(), f64::is_finite),
            reserve: s.reserve.as_ref().is_some_and(|r| *r.get_ref() > 0.0),
        });
    }
    for d in &raw.demand {
        let d = d.get_ref();
        let (Some(&ally), Some(&item)) = (
            ally_ids.get(d.ally.get_ref().as_str()),
            item_ids.get(d.item.get_ref().as_str()),
        ) else {
            continue;
        };
        shape.demand.push(DemandShape {
            ally,
            item,
            positive: periods_of(Some(&d.quantity), t, Periods::none(), positive),
        });
    }
    for (entry, l) in raw.lanes.iter().enumerate() {
        let l = l.get_ref();
        let from = selector(l.from.get_ref(), &ally_ids);
        let to = selector(l.to.get_ref(), &ally_ids);
        let mut lane_items: Vec<usize> = match &l.items {
            None => (0..items.len()).collect(),
            Some(list) => list
                .get_ref()
                .iter()
                .filter_map(|id| item_ids.get(id.get_ref().as_str()).copied())
                .collect(),
        };
        lane_items.sort_unstable();
        lane_items.dedup();
        let dispatch = crate::problem::dispatch_periods(t, valid_lead_time(&l.lead_time));
        let all = Periods::All;
        let open = periods_of(l.capacity.as_ref(), dispatch, all.clone(), positive).count(dispatch);
        let open_limited = periods_of(l.capacity.as_ref(), dispatch, Periods::none(), |c| {
            c > 0.0 && c.is_finite()
        })
        .count(dispatch);
        let forward = LaneShape {
            entry,
            from: from.clone(),
            to: to.clone(),
            items: lane_items,
            open,
            open_limited,
        };
        if l.bidirectional == Some(true) {
            shape.lanes.push(LaneShape {
                from: to,
                to: from,
                ..forward.clone()
            });
        }
        shape.lanes.push(forward);
    }
    shape
}

/// `words` 8-byte words as MB, GB or TB.
fn memory(words: u64) -> String {
    let bytes = words as f64 * 8.0;
    match bytes {
        b if b >= 1e12 => format!("{:.1} TB", b / 1e12),
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.0} MB", b / 1e6),
        b => format!("{:.0} kB", (b / 1e3).max(1.0)),
    }
}

/// The size refusal, located at its cause.
fn too_large(raw: &RawProblem, ck: &Checker, err: crate::size::TooLarge) -> Error {
    let e = &err.estimate;
    let (key, span, remedy) = match &err.cause {
        Cause::Periods => (
            "periods".to_string(),
            raw.periods.as_ref().map(|p| p.span()),
            SizeRemedy::FewerPeriods,
        ),
        Cause::Lane { entry, .. } => {
            let lane = raw.lanes.get(*entry).map(|l| l.get_ref());
            let (which, span) = match lane {
                Some(l)
                    if matches!(l.to.get_ref(), IdSelector::One(s) if s == "*")
                        && !matches!(l.from.get_ref(), IdSelector::One(s) if s == "*") =>
                {
                    ("to", Some(l.to.span()))
                }
                Some(l) => ("from", Some(l.from.span())),
                None => ("from", None),
            };
            (
                format!("lanes[{entry}].{which}"),
                span,
                SizeRemedy::NameLaneAllies,
            )
        }
        Cause::Entries => {
            let (key, span) = if raw.lanes.len() >= raw.supply.len().max(raw.demand.len()) {
                ("lanes", raw.lanes.first().map(|l| l.span()))
            } else if raw.supply.len() >= raw.demand.len() {
                ("supply", raw.supply.first().map(|s| s.span()))
            } else {
                ("demand", raw.demand.first().map(|d| d.span()))
            };
            (key.to_string(), span, SizeRemedy::Split)
        }
    };
    let memory = memory(e.values);
    let message = if e.rows == 0 {
        let lp = if e.nonzeros > 0 {
            format!(" and its LP at least {} non-zeros", e.nonzeros)
        } else {
            String::new()
        };
        format!(
            "the problem is too large: {}; holding it would take about {memory}{lp}, beyond the limit of {}",
            err.detail, err.limit
        )
    } else {
        format!(
            "the problem is too large: {}; its LP would have about {} variables, {} rows and {} non-zeros (holding the problem about {memory}), beyond the limit of {}",
            err.detail, e.variables, e.rows, e.nonzeros, err.limit
        )
    };
    let diagnostic = Diagnostic::at(ck.file, ck.text, span, key, message);
    Error::too_large(e, err.limit, err.detail, remedy, diagnostic)
}

/// Refuses a problem beyond `max_size` before anything is expanded.
pub(super) fn check(ctx: &Ctx, max_size: u64) -> Result<(), Error> {
    match shape(ctx.raw).check(max_size) {
        Ok(_) => Ok(()),
        Err(err) => Err(too_large(ctx.raw, &ctx.ck, err)),
    }
}
