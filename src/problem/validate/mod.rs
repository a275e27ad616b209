//! Raw file → validated [`Problem`]: every rule of SPEC §2 and §5 checked,
//! every violation reported with its location and a fix, all at once (up to
//! [`MAX_DIAGNOSTICS`]).
//!
//! Nothing is allocated per period or per lane before the size guard
//! ([`crate::size`]) has measured the problem from the file as written: a
//! file of a few lines that asks for a billion periods, or `"*"` lanes among
//! thousands of allies, is refused at once with [`Error::TooLarge`].

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use serde_spanned::Spanned;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::error::{Error, SizeRemedy};
use crate::problem::{
    Ally, Change, Demand, Expect, Expectation, Fairness, Guarantee, Item, Lane, Problem, Scenario,
    Stockpile, Supply, Target,
};
use crate::raw::{IdSelector, RawChange, RawExpect, RawProblem};

mod checker;
mod guard;

use checker::{Checker, list, unique_ids};
pub use guard::shape;

/// At most this many diagnostics are reported for one file.
pub const MAX_DIAGNOSTICS: usize = 50;

/// Largest accepted `periods`: far beyond any real horizon. The size guard
/// refuses long horizons of any real problem first; this bounds the rest.
pub const MAX_PERIODS: usize = 100_000;

/// Largest accepted quantity, cost or item value. LP solvers work in double
/// precision and treat numbers near 1e20 as infinite; beyond this, a plan
/// would silently lose its small numbers.
pub const MAX_NUMBER: f64 = 1e15;

/// Largest accepted `lead_time`.
const MAX_LEAD_TIME: f64 = 1e6;

/// Scenario changes may scan and rescale at most this many times the size
/// limit of entry-periods in total (a bound on validation time).
const SCENARIO_WORK_FACTOR: u64 = 50;

/// How far above 1 the scenarios' probabilities may sum (decimal rounding:
/// 0.1 + 0.2 + 0.7 is 1.0000000000000002 in binary).
const PROBABILITY_ROUNDING: f64 = 1e-9;

const DEFAULT_TIERS: [&str; 3] = ["critical", "essential", "routine"];

/// `periods` as written when it is a whole number ≥ 1 (of any size).
fn requested_periods(raw: &RawProblem) -> Option<u64> {
    let v = *raw.periods.as_ref()?.get_ref();
    (v.fract() == 0.0 && v >= 1.0).then_some(if v >= u64::MAX as f64 {
        u64::MAX
    } else {
        v as u64
    })
}

/// Whether an optional number is absent or acceptable (no error reported).
fn valid_number(v: &Option<Spanned<f64>>) -> bool {
    v.as_ref()
        .is_none_or(|v| (0.0..=MAX_NUMBER).contains(v.get_ref()))
}

/// Checks `raw` (read from `file`, whose text is `text`) against SPEC §2 and
/// §5, with the default size limit.
pub fn validate(raw: &RawProblem, file: &Path, text: &str) -> Result<Problem, Error> {
    validate_with(raw, file, text, crate::size::DEFAULT_MAX_SIZE)
}

/// Checks `raw` against SPEC §2 and §5, refusing problems whose size
/// estimate exceeds `max_size` ([`crate::size`]).
pub fn validate_with(
    raw: &RawProblem,
    file: &Path,
    text: &str,
    max_size: u64,
) -> Result<Problem, Error> {
    let mut ck = Checker::new(file, text);
    match check(&mut ck, raw, max_size) {
        Err(too_large) => Err(too_large),
        Ok(problem) if ck.diags.is_empty() => Ok(problem),
        Ok(_) => {
            let mut diagnostics = ck.diags;
            if ck.dropped > 0 {
                diagnostics.push(Diagnostic::at(
                    file,
                    text,
                    None,
                    "",
                    format!(
                        "{} more error{} not shown (the first {MAX_DIAGNOSTICS} are)",
                        ck.dropped,
                        if ck.dropped == 1 { "" } else { "s" }
                    ),
                ));
            }
            Err(Error::Invalid { diagnostics })
        }
    }
}

/// The whole check; diagnostics go to `ck`, a size refusal is the error.
fn check(ck: &mut Checker, raw: &RawProblem, max_size: u64) -> Result<Problem, Error> {
    let file = ck.file;
    let name = raw.name.as_ref().map_or_else(
        || {
            file.file_stem()
                .map_or_else(|| "problem".into(), |s| s.to_string_lossy().into_owned())
        },
        |n| n.get_ref().clone(),
    );
    let description = raw
        .description
        .as_ref()
        .map_or_else(String::new, |d| d.get_ref().clone());

    // The size guard comes first: nothing below allocates per period or
    // per lane before it has passed.
    if let Err(err) = shape(raw).check(max_size) {
        return Err(guard::too_large(raw, ck, err));
    }

    let periods = match (&raw.periods, requested_periods(raw)) {
        (None, _) => 1,
        (Some(p), None) => {
            ck.periods_ok = false;
            let v = *p.get_ref();
            ck.error(
                Some(p.span()),
                "periods".into(),
                format!("must be a whole number ≥ 1, found {v}"),
                "write e.g. `periods = 12`".into(),
            );
            1
        }
        (Some(p), Some(v)) if v > MAX_PERIODS as u64 => {
            ck.periods_ok = false;
            ck.error(
                Some(p.span()),
                "periods".into(),
                format!("periods = {v} is beyond the longest supported horizon ({MAX_PERIODS})"),
                "use coarser periods (weeks or months instead of days)".into(),
            );
            1
        }
        (Some(_), Some(v)) => v as usize,
    };

    let tiers: Vec<String> = match &raw.tiers {
        None => DEFAULT_TIERS.iter().map(|s| s.to_string()).collect(),
        Some(t) => {
            if t.get_ref().is_empty() {
                ck.error(
                    Some(t.span()),
                    "tiers".into(),
                    "must name at least one tier".into(),
                    "e.g. tiers = [\"critical\", \"essential\", \"routine\"], or leave it out for that default".into(),
                );
            }
            let _ = unique_ids(ck, t.get_ref().iter(), "tiers");
            t.get_ref().iter().map(|s| s.get_ref().clone()).collect()
        }
    };
    let tier_ids: HashMap<&str, usize> = tiers
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| (s.as_str(), i))
        .collect();

    let fairness = match &raw.fairness {
        None => Fairness::Leximin,
        Some(f) => match f.get_ref().as_str() {
            "leximin" => Fairness::Leximin,
            "none" => Fairness::None,
            other => {
                let help = match did_you_mean(other, ["leximin", "none"]) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => "write \"leximin\" or \"none\"".into(),
                };
                ck.error(
                    Some(f.span()),
                    "fairness".into(),
                    format!("unknown fairness rule \"{other}\""),
                    help,
                );
                Fairness::Leximin
            }
        },
    };

    let guarantee = match &raw.guarantee {
        None => Guarantee::None,
        Some(f) => match f.get_ref().as_str() {
            "none" => Guarantee::None,
            "alone" => Guarantee::Alone,
            other => {
                let help = match did_you_mean(other, ["none", "alone"]) {
                    Some(s) => format!("did you mean \"{s}\"?"),
                    None => "write \"alone\" (no ally ends worse off than with every lane closed) or \"none\"".into(),
                };
                ck.error(
                    Some(f.span()),
                    "guarantee".into(),
                    format!("unknown guarantee \"{other}\""),
                    help,
                );
                Guarantee::None
            }
        },
    };

    let empty_items = Vec::new();
    let raw_items = match &raw.items {
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
            &empty_items
        }
    };
    let empty_allies = Vec::new();
    let raw_allies = match &raw.allies {
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
            &empty_allies
        }
    };

    let item_ids = unique_ids(ck, raw_items.iter().map(|i| &i.get_ref().id), "items");
    let ally_ids = unique_ids(ck, raw_allies.iter().map(|a| &a.get_ref().id), "allies");

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
    let ally_id = |a: usize| allies.get(a).map_or("?", |x| x.id.as_str());
    let item_id = |k: usize| items.get(k).map_or("?", |x| x.id.as_str());

    // supply
    let mut supply = Vec::new();
    let mut supply_seen: HashMap<(usize, usize), (usize, Range<usize>)> = HashMap::new();
    for (i, s) in raw.supply.iter().enumerate() {
        let entry_span = s.span();
        let s = s.get_ref();
        let key = |k: &str| format!("supply[{i}].{k}");
        let ally = ck.resolve(&s.ally, &key("ally"), "ally", &ally_ids);
        let item = ck.resolve(&s.item, &key("item"), "item", &item_ids);
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

    // demand
    let mut demand = Vec::new();
    let mut demand_seen: HashMap<(usize, usize, usize), (usize, Range<usize>)> = HashMap::new();
    let last_tier = tiers.len().saturating_sub(1);
    for (i, d) in raw.demand.iter().enumerate() {
        let entry_span = d.span();
        let d = d.get_ref();
        let key = |k: &str| format!("demand[{i}].{k}");
        let ally = ck.resolve(&d.ally, &key("ally"), "ally", &ally_ids);
        let item = ck.resolve(&d.item, &key("item"), "item", &item_ids);
        let tier = match &d.tier {
            Some(t) => ck.resolve(t, &key("tier"), "tier", &tier_ids),
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
                        tiers.get(g).map_or("?", |t| t.as_str())
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

    // lanes
    let mut lanes = Vec::new();
    for (i, l) in raw.lanes.iter().enumerate() {
        let l = l.get_ref();
        let key = |k: &str| format!("lanes[{i}].{k}");
        let from = ck.select(&Some(l.from.clone()), &key("from"), "ally", &ally_ids);
        let to = ck.select(&Some(l.to.clone()), &key("to"), "ally", &ally_ids);
        let lane_items = match &l.items {
            None => Some((0..items.len()).collect::<Vec<_>>()),
            // An empty list is allowed (docs/format.md): the lane carries
            // nothing.
            Some(list) => {
                let mut out = Vec::new();
                let mut ok = true;
                for (j, id) in list.get_ref().iter().enumerate() {
                    match ck.resolve(id, &format!("lanes[{i}].items[{j}]"), "item", &item_ids) {
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
            Some(lt) => {
                let v = *lt.get_ref();
                if !(v.fract() == 0.0 && (0.0..=MAX_LEAD_TIME).contains(&v)) {
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
                } else {
                    v as usize
                }
            }
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
        for a in from.iter(allies.len()) {
            for b in to.iter(allies.len()) {
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

    let stockpiles = stockpiles(ck, raw, &item_ids, &ally_ids);

    // scenarios
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut scenario_spans: HashMap<String, Range<usize>> = HashMap::new();
    let mut budget = ScenarioBudget {
        selected: 0,
        work: 0,
        max_size,
    };
    // An entry that failed to validate is missing from the lists changes
    // select from: "selects nothing" would then be a follow-on error.
    let entries_ok = ck.diags.is_empty() && ck.dropped == 0;
    for (si, sc) in raw.scenarios.iter().enumerate() {
        let sc_span = sc.span();
        let sc = sc.get_ref();
        let sname = sc.name.get_ref().clone();
        if let Some(first) = scenario_spans.get(&sname) {
            let line = if ck.full() { 0 } else { ck.line(first) };
            ck.error(
                Some(sc.name.span()),
                format!("scenarios[{si}].name"),
                format!("duplicate scenario name `{sname}`: already used at line {line}"),
                "scenario names must be unique".into(),
            );
        } else {
            scenario_spans.insert(sname.clone(), sc_span);
        }
        if sname.is_empty() {
            ck.error(
                Some(sc.name.span()),
                format!("scenarios[{si}].name"),
                "a scenario name must not be empty".into(),
                "give a short name such as \"strait-closed\"".into(),
            );
        }
        let mut changes = Vec::new();
        for (ci, ch) in sc.changes.iter().enumerate() {
            let key = format!("scenarios[{si}].changes[{ci}]");
            let ctx = Context {
                periods,
                ally_ids: &ally_ids,
                item_ids: &item_ids,
                tier_ids: &tier_ids,
                supply: &supply,
                demand: &demand,
                lanes: &lanes,
                stockpiles: &stockpiles,
            };
            if let Some(c) = change(ck, ch, &key, &ctx, entries_ok) {
                budget.spend(&c, &ctx, ck, ch, &key)?;
                changes.push(c);
            }
        }
        let probability = sc.probability.as_ref().map(|p| {
            let key = format!("scenarios[{si}].probability");
            let v = ck.any_number(p, &key, false);
            if v > 1.0 {
                ck.error(
                    Some(p.span()),
                    key,
                    format!("a probability is at most 1, found {v}"),
                    "write a number from 0 to 1, e.g. `probability = 0.2`".into(),
                );
                1.0
            } else {
                v
            }
        });
        scenarios.push(Scenario {
            name: sname,
            description: sc.description.clone().unwrap_or_default(),
            changes,
            probability,
        });
    }
    probabilities(ck, raw);
    let scenario_names: HashMap<&str, usize> = scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();

    let expect = raw
        .expect
        .as_ref()
        .map(|e| expectations(ck, e, &tier_ids, &scenario_names));

    let problem = Problem {
        name,
        description,
        periods,
        tiers,
        fairness,
        guarantee,
        caps: Vec::new(),
        items,
        allies,
        supply,
        demand,
        lanes,
        scenarios,
        stockpiles,
        expect,
    };
    if ck.diags.is_empty() {
        overflow_check(ck, raw, &problem);
    }
    Ok(problem)
}

/// What a scenario change is resolved against.
struct Context<'a> {
    periods: usize,
    ally_ids: &'a HashMap<&'a str, usize>,
    item_ids: &'a HashMap<&'a str, usize>,
    tier_ids: &'a HashMap<&'a str, usize>,
    supply: &'a [Supply],
    demand: &'a [Demand],
    lanes: &'a [Lane],
    stockpiles: &'a [Stockpile],
}

/// The `[[stockpile]]` tables (SPEC §12): a known item, at most one table
/// per item, a finite budget and cost ≥ 0, and known allies.
fn stockpiles(
    ck: &mut Checker,
    raw: &RawProblem,
    item_ids: &HashMap<&str, usize>,
    ally_ids: &HashMap<&str, usize>,
) -> Vec<Stockpile> {
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

/// SPEC §5: either every scenario has a `probability` or none has, and
/// they sum to at most 1 (a little rounding above 1 is forgiven).
fn probabilities(ck: &mut Checker, raw: &RawProblem) {
    let with: Vec<usize> = (0..raw.scenarios.len())
        .filter(|&i| raw.scenarios[i].get_ref().probability.is_some())
        .collect();
    if with.is_empty() {
        return;
    }
    if with.len() < raw.scenarios.len() {
        let first = with[0];
        let first_line = raw.scenarios[first]
            .get_ref()
            .probability
            .as_ref()
            .map_or(0, |p| ck.line(&p.span()));
        for (i, sc) in raw.scenarios.iter().enumerate() {
            let sc = sc.get_ref();
            if sc.probability.is_some() {
                continue;
            }
            ck.error(
                Some(sc.name.span()),
                format!("scenarios[{i}]"),
                format!(
                    "scenario `{}` has no `probability`, but scenarios[{first}] at line {first_line} has one",
                    sc.name.get_ref()
                ),
                "give every scenario a `probability` (the base problem gets what is left of 1), or none (then all are equally likely)".into(),
            );
        }
        return;
    }
    let given: Vec<f64> = raw
        .scenarios
        .iter()
        .filter_map(|s| s.get_ref().probability.as_ref())
        .map(|p| *p.get_ref())
        .collect();
    // A probability outside [0, 1] is reported on its own.
    if given.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return;
    }
    let sum: f64 = given.iter().sum();
    if sum > 1.0 + PROBABILITY_ROUNDING {
        let last = raw.scenarios.len() - 1;
        let span = raw.scenarios[last]
            .get_ref()
            .probability
            .as_ref()
            .map(|p| p.span());
        ck.error(
            span,
            format!("scenarios[{last}].probability"),
            format!(
                "the scenarios' probabilities sum to {}, more than 1",
                crate::report::round(sum)
            ),
            "lower them so that they sum to at most 1: the base problem (no disruption) has the probability left over".into(),
        );
    }
}

/// Bounds the memory and time scenario changes take: every change scans
/// its candidates and rescales its selection in every period it covers.
struct ScenarioBudget {
    selected: u64,
    work: u64,
    max_size: u64,
}

impl ScenarioBudget {
    fn spend(
        &mut self,
        c: &Change,
        ctx: &Context,
        ck: &Checker,
        ch: &Spanned<RawChange>,
        key: &str,
    ) -> Result<(), Error> {
        let candidates = match c.target {
            Target::Lanes => ctx.lanes.len(),
            Target::Demand => ctx.demand.len(),
            _ => ctx.supply.len(),
        } as u64;
        let selected = c.selected.len() as u64;
        let span = (c.last + 1 - c.first) as u64;
        self.selected = self.selected.saturating_add(selected);
        self.work = self
            .work
            .saturating_add(candidates)
            .saturating_add(selected.saturating_mul(span));
        let work_limit = self.max_size.saturating_mul(SCENARIO_WORK_FACTOR);
        if self.selected <= self.max_size && self.work <= work_limit {
            return Ok(());
        }
        let detail = format!(
            "the scenario changes up to {key} select {} entries and rescale {} entry-periods in total",
            self.selected, self.work
        );
        let diagnostic = Diagnostic::at(
            ck.file,
            ck.text,
            Some(ch.span()),
            key,
            format!(
                "the problem is too large: {detail}, beyond the limit of {} selections and {work_limit} entry-periods",
                self.max_size
            ),
        );
        let estimate = crate::size::Estimate {
            values: self.work,
            ..Default::default()
        };
        Err(Error::too_large(
            &estimate,
            self.max_size,
            detail,
            SizeRemedy::FewerScenarioChanges { work_limit },
            diagnostic,
        ))
    }
}

/// Scenario factors may not push a quantity beyond [`MAX_NUMBER`] (or to
/// infinity): each quantity a scenario touches is bounded by its largest
/// base value times the factors > 1 applied to it, and checked period by
/// period only when that bound is too large.
fn overflow_check(ck: &mut Checker, raw: &RawProblem, problem: &Problem) {
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

fn change(
    ck: &mut Checker,
    ch: &Spanned<RawChange>,
    key: &str,
    ctx: &Context,
    entries_ok: bool,
) -> Option<Change> {
    let periods = ctx.periods;
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
            let from = ck.select(&ch.from, &k("from"), "ally", ctx.ally_ids);
            let to = ck.select(&ch.to, &k("to"), "ally", ctx.ally_ids);
            let its = ck.select(&ch.items, &k("items"), "item", ctx.item_ids);
            let (from, to, its) = (from?, to?, its?);
            ctx.lanes
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
            let a = ck.select(&ch.ally, &k("ally"), "ally", ctx.ally_ids);
            let it = ck.select(&ch.item, &k("item"), "item", ctx.item_ids);
            let tr = ck.select(&ch.tier, &k("tier"), "tier", ctx.tier_ids);
            let (a, it, tr) = (a?, it?, tr?);
            ctx.demand
                .iter()
                .enumerate()
                .filter(|(_, d)| a.contains(d.ally) && it.contains(d.item) && tr.contains(d.tier))
                .map(|(i, _)| i)
                .collect()
        }
        _ => {
            let a = ck.select(&ch.ally, &k("ally"), "ally", ctx.ally_ids);
            let it = ck.select(&ch.item, &k("item"), "item", ctx.item_ids);
            let (a, it) = (a?, it?);
            {
                positions = ctx
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
            ctx.supply
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
            Target::Stock if !ctx.stockpiles.is_empty() => {
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

fn expectations(
    ck: &mut Checker,
    e: &Spanned<RawExpect>,
    tier_ids: &HashMap<&str, usize>,
    scenarios: &HashMap<&str, usize>,
) -> Expect {
    let tolerance = match &e.get_ref().tolerance {
        Some(t) => ck.any_number(t, "expect.tolerance", false),
        None => crate::problem::DEFAULT_TOLERANCE,
    };
    let base = expectation(ck, e.get_ref(), "expect", tier_ids);
    let mut by_scenario = BTreeMap::new();
    for (name, s) in &e.get_ref().scenarios {
        if !scenarios.contains_key(name.as_str()) {
            ck.unknown(
                Some(s.span()),
                &format!("expect.scenarios.{name}"),
                "scenario",
                name,
                scenarios,
            );
        }
        if s.get_ref().tolerance.is_some()
            || !s.get_ref().scenarios.is_empty()
            || s.get_ref().plan.is_some()
        {
            ck.error(
                Some(s.span()),
                format!("expect.scenarios.{name}"),
                "only `weighted_shortage` and `cost` may be given per scenario".into(),
                "put `tolerance` in [expect]".into(),
            );
        }
        by_scenario.insert(
            name.clone(),
            expectation(
                ck,
                s.get_ref(),
                &format!("expect.scenarios.{name}"),
                tier_ids,
            ),
        );
    }
    let plan = e.get_ref().plan.as_deref().map(|pl| {
        let r = pl.get_ref();
        if r.tolerance.is_some() || !r.scenarios.is_empty() || r.plan.is_some() {
            ck.error(
                Some(pl.span()),
                "expect.plan".into(),
                "only `weighted_shortage` and `cost` may be given in [expect.plan]".into(),
                "put `tolerance` in [expect]; [expect.plan] holds the expected values of `allot plan`".into(),
            );
        }
        expectation(ck, r, "expect.plan", tier_ids)
    });
    Expect {
        tolerance,
        base,
        scenarios: by_scenario,
        plan,
    }
}

fn expectation(
    ck: &mut Checker,
    e: &RawExpect,
    key: &str,
    tier_ids: &HashMap<&str, usize>,
) -> Expectation {
    let mut weighted_shortage = BTreeMap::new();
    for (tier, v) in &e.weighted_shortage {
        let k = format!("{key}.weighted_shortage.{tier}");
        if !tier_ids.contains_key(tier.as_str()) {
            ck.unknown(Some(v.span()), &k, "tier", tier, tier_ids);
        }
        weighted_shortage.insert(tier.clone(), ck.any_number(v, &k, false));
    }
    let cost = e
        .cost
        .as_ref()
        .map(|c| ck.any_number(c, &format!("{key}.cost"), false));
    Expectation {
        weighted_shortage,
        cost,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::error::Error;
    use crate::load::{Format, parse_str};

    const TEXT: &str = r#"periods = 2
[[items]]
id = "masks"
[[allies]]
id = "north"
[[supply]]
ally = "north"
item = "masks"
stock = 10
reserve = 12
[[demand]]
ally = "nort"
item = "masks"
quantity = 3
"#;

    fn diagnostics(text: &str) -> Vec<crate::diagnostic::Diagnostic> {
        match parse_str(text, Path::new("t.toml"), Format::Toml) {
            Err(Error::Invalid { diagnostics }) => diagnostics,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn every_error_is_found_and_located_at_its_key() {
        let d = diagnostics(TEXT);
        let keys: Vec<&str> = d.iter().map(|d| d.key.as_str()).collect();
        assert_eq!(d.len(), 2, "{keys:?}");
        // The reserve (12) is above the stock (10): line 10, at the value.
        let reserve = d
            .iter()
            .find(|d| d.key == "supply[0].reserve")
            .unwrap_or_else(|| panic!("{keys:?}"));
        let at = reserve.location.as_ref().expect("located");
        assert_eq!((at.line, at.column), (10, 11), "{reserve:?}");
        // An unknown ally is named with the id it is close to.
        let ally = d
            .iter()
            .find(|d| d.key == "demand[0].ally")
            .unwrap_or_else(|| panic!("{keys:?}"));
        let at = ally.location.as_ref().expect("located");
        assert_eq!(at.line, 12, "{ally:?}");
        let said = format!("{} {}", ally.message, ally.help.clone().unwrap_or_default());
        assert!(said.contains("north"), "{said}");
    }

    #[test]
    fn the_fixed_file_validates() {
        let fixed = TEXT
            .replace("reserve = 12", "reserve = 4")
            .replace("\"nort\"", "\"north\"");
        let p = parse_str(&fixed, Path::new("t.toml"), Format::Toml).expect("valid");
        assert_eq!(p.periods, 2);
        assert_eq!((p.supply[0].stock, p.supply[0].reserve), (10.0, 4.0));
        assert_eq!(p.demand[0].quantity, [3.0, 3.0]);
    }
}
