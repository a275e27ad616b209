//! Raw file → validated [`Problem`]: every rule of SPEC §2 and §5 checked,
//! every violation reported with its location and a fix, all at once (up to
//! [`MAX_DIAGNOSTICS`]).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use serde_spanned::Spanned;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::problem::{
    Ally, Change, Demand, Expect, Expectation, Fairness, Item, Lane, Problem, Scenario, Supply,
    Target,
};
use crate::raw::{IdSelector, Quantity, RawChange, RawExpect, RawProblem};

/// At most this many diagnostics are reported for one file.
pub const MAX_DIAGNOSTICS: usize = 50;

/// Largest accepted `periods`: far beyond any real horizon, small enough
/// that per-period arrays cannot exhaust memory before the size guard runs.
pub const MAX_PERIODS: usize = 100_000;

/// Largest accepted `lead_time`.
const MAX_LEAD_TIME: f64 = 1e6;

const DEFAULT_TIERS: [&str; 3] = ["critical", "essential", "routine"];

/// Collects diagnostics for one file.
struct Checker<'a> {
    file: &'a Path,
    text: &'a str,
    diags: Vec<Diagnostic>,
}

impl<'a> Checker<'a> {
    fn error(&mut self, span: Option<Range<usize>>, key: String, message: String, help: String) {
        if self.diags.len() < MAX_DIAGNOSTICS {
            let d = Diagnostic::at(self.file, self.text, span, key, message);
            self.diags.push(if help.is_empty() {
                d
            } else {
                d.with_help(help)
            });
        }
    }

    /// A finite number ≥ 0 (or > 0 with `positive`).
    fn number(&mut self, v: &Spanned<f64>, key: &str, positive: bool) -> f64 {
        let x = *v.get_ref();
        if !x.is_finite() {
            self.error(
                Some(v.span()),
                key.into(),
                format!("{x} is not a finite number"),
                "write a finite number (not nan or inf)".into(),
            );
            0.0
        } else if positive && x <= 0.0 {
            self.error(
                Some(v.span()),
                key.into(),
                format!("must be greater than 0, found {x}"),
                "write a positive number".into(),
            );
            1.0
        } else if x < 0.0 {
            self.error(
                Some(v.span()),
                key.into(),
                format!("must not be negative, found {x}"),
                "write a number ≥ 0".into(),
            );
            0.0
        } else {
            x
        }
    }

    fn opt_number(&mut self, v: &Option<Spanned<f64>>, key: &str, default: f64) -> f64 {
        match v {
            Some(v) => self.number(v, key, false),
            None => default,
        }
    }

    /// A per-period quantity expanded to `periods` finite numbers ≥ 0.
    fn quantity(&mut self, q: &Spanned<Quantity>, key: &str, periods: usize) -> Vec<f64> {
        let span = q.span();
        match q.get_ref() {
            Quantity::Scalar(x) => {
                let x = self.number(&Spanned::new(span, *x), key, false);
                vec![x; periods]
            }
            Quantity::PerPeriod(values) => {
                if values.len() != periods {
                    self.error(
                        Some(span),
                        key.into(),
                        format!(
                            "has {} values but `periods` is {periods}",
                            values.len()
                        ),
                        format!(
                            "give exactly {periods} numbers, one per period, or a single number for every period"
                        ),
                    );
                    return vec![0.0; periods];
                }
                values
                    .iter()
                    .enumerate()
                    .map(|(t, x)| {
                        self.number(
                            &Spanned::new(span.clone(), *x),
                            &format!("{key}[{t}]"),
                            false,
                        )
                    })
                    .collect()
            }
        }
    }

    fn opt_quantity(
        &mut self,
        q: &Option<Spanned<Quantity>>,
        key: &str,
        periods: usize,
        default: f64,
    ) -> Vec<f64> {
        match q {
            Some(q) => self.quantity(q, key, periods),
            None => vec![default; periods],
        }
    }

    /// Resolves one id against `ids`, with a suggestion when it is unknown.
    fn resolve(
        &mut self,
        id: &Spanned<String>,
        key: &str,
        what: &str,
        ids: &HashMap<&str, usize>,
    ) -> Option<usize> {
        if let Some(&i) = ids.get(id.get_ref().as_str()) {
            return Some(i);
        }
        self.unknown(Some(id.span()), key, what, id.get_ref(), ids);
        None
    }

    fn unknown(
        &mut self,
        span: Option<Range<usize>>,
        key: &str,
        what: &str,
        id: &str,
        ids: &HashMap<&str, usize>,
    ) {
        let mut known: Vec<&str> = ids.keys().copied().collect();
        known.sort_by_key(|k| ids[k]);
        let help = match did_you_mean(id, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known {what}s: {}", list(&known)),
        };
        self.error(span, key.into(), format!("unknown {what} `{id}`"), help);
    }

    /// Resolves a selector to indices (`"*"` = all, in order).
    fn select(
        &mut self,
        sel: &Option<Spanned<IdSelector>>,
        key: &str,
        what: &str,
        ids: &HashMap<&str, usize>,
        count: usize,
    ) -> Option<Vec<usize>> {
        let Some(sel) = sel else {
            return Some((0..count).collect());
        };
        let names: Vec<&String> = match sel.get_ref() {
            IdSelector::One(s) if s == "*" => return Some((0..count).collect()),
            IdSelector::One(s) => vec![s],
            IdSelector::Many(v) => v.iter().collect(),
        };
        let mut out = Vec::new();
        let mut ok = true;
        for n in names {
            match ids.get(n.as_str()) {
                Some(&i) => out.push(i),
                None => {
                    self.unknown(Some(sel.span()), key, what, n, ids);
                    ok = false;
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        ok.then_some(out)
    }
}

fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(12).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(12);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else if shown.is_empty() {
        "none".into()
    } else {
        shown.join(", ")
    }
}

/// Registers unique ids, reporting duplicates with both places.
fn unique_ids<'r>(
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
            let first_loc = crate::diagnostic::Location::from_span(ck.text, &spans[first]);
            ck.error(
                Some(id.span()),
                key,
                format!(
                    "duplicate id `{}`: already used by {section}[{first}] at line {}",
                    id.get_ref(),
                    first_loc.line
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

/// Checks `raw` (read from `file`, whose text is `text`) against SPEC §2 and §5.
pub fn validate(raw: &RawProblem, file: &Path, text: &str) -> Result<Problem, Vec<Diagnostic>> {
    let mut ck = Checker {
        file,
        text,
        diags: Vec::new(),
    };

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

    let periods = match &raw.periods {
        None => 1,
        Some(p) => {
            let v = *p.get_ref();
            if !(v.fract() == 0.0 && v >= 1.0) {
                ck.error(
                    Some(p.span()),
                    "periods".into(),
                    format!("must be a whole number ≥ 1, found {v}"),
                    "write e.g. `periods = 12`".into(),
                );
                1
            } else if v > MAX_PERIODS as f64 {
                ck.error(
                    Some(p.span()),
                    "periods".into(),
                    format!(
                        "periods = {v} is beyond the largest supported horizon ({MAX_PERIODS})"
                    ),
                    "use coarser periods (weeks or months instead of days)".into(),
                );
                1
            } else {
                v as usize
            }
        }
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
            let _ = unique_ids(&mut ck, t.get_ref().iter(), "tiers");
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

    let item_ids = unique_ids(&mut ck, raw_items.iter().map(|i| &i.get_ref().id), "items");
    let ally_ids = unique_ids(
        &mut ck,
        raw_allies.iter().map(|a| &a.get_ref().id),
        "allies",
    );

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
                let line = crate::diagnostic::Location::from_span(text, first_span).line;
                ck.error(
                    Some(s.ally.span()),
                    format!("supply[{i}]"),
                    format!(
                        "duplicate supply entry for ally `{}` and item `{}`: supply[{first}] at line {line} already gives it",
                        allies[a].id, items[k].id
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
                let line = crate::diagnostic::Location::from_span(text, first_span).line;
                ck.error(
                    Some(d.ally.span()),
                    format!("demand[{i}]"),
                    format!(
                        "duplicate demand entry for ally `{}`, item `{}`, tier `{}`: demand[{first}] at line {line} already gives it",
                        allies[a].id, items[k].id, tiers[g]
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
        let from = ck.select(
            &Some(l.from.clone()),
            &key("from"),
            "ally",
            &ally_ids,
            allies.len(),
        );
        let to = ck.select(
            &Some(l.to.clone()),
            &key("to"),
            "ally",
            &ally_ids,
            allies.len(),
        );
        let lane_items = match &l.items {
            None => Some((0..items.len()).collect::<Vec<_>>()),
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
                    ck.error(
                        Some(lt.span()),
                        key("lead_time"),
                        format!("must be a whole number of periods ≥ 0, found {v}"),
                        "write e.g. `lead_time = 2`".into(),
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
        for &a in &from {
            for &b in &to {
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

    // scenarios
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut scenario_lines: HashMap<String, usize> = HashMap::new();
    for (si, sc) in raw.scenarios.iter().enumerate() {
        let sc_span = sc.span();
        let sc = sc.get_ref();
        let sname = sc.name.get_ref().clone();
        if let Some(line) = scenario_lines.get(&sname) {
            ck.error(
                Some(sc.name.span()),
                format!("scenarios[{si}].name"),
                format!("duplicate scenario name `{sname}`: already used at line {line}"),
                "scenario names must be unique".into(),
            );
        }
        scenario_lines.insert(
            sname.clone(),
            crate::diagnostic::Location::from_span(text, &sc_span).line,
        );
        let mut changes = Vec::new();
        for (ci, ch) in sc.changes.iter().enumerate() {
            let key = format!("scenarios[{si}].changes[{ci}]");
            if let Some(c) = change(
                &mut ck,
                ch,
                &key,
                periods,
                &ally_ids,
                &item_ids,
                &tier_ids,
                &supply,
                &demand,
                &lanes,
                items.len(),
                allies.len(),
                tiers.len(),
            ) {
                changes.push(c);
            }
        }
        scenarios.push(Scenario {
            name: sname,
            description: sc.description.clone().unwrap_or_default(),
            changes,
        });
    }

    let expect = raw
        .expect
        .as_ref()
        .map(|e| expectations(&mut ck, e, &tier_ids, &scenario_lines));

    if !ck.diags.is_empty() {
        return Err(ck.diags);
    }
    let problem = Problem {
        name,
        description,
        periods,
        tiers,
        fairness,
        items,
        allies,
        supply,
        demand,
        lanes,
        scenarios,
        expect,
    };
    overflow_check(&mut ck, raw, &problem);
    if !ck.diags.is_empty() {
        return Err(ck.diags);
    }
    Ok(problem)
}

/// Scenario factors that push a finite quantity past `f64::MAX` are errors.
fn overflow_check(ck: &mut Checker, raw: &RawProblem, problem: &Problem) {
    for (si, sc) in problem.scenarios.iter().enumerate() {
        let p = problem.with_scenario(sc);
        let finite = |v: &[f64], orig: &[f64]| {
            v.iter()
                .zip(orig)
                .all(|(a, b)| a.is_finite() || b.is_infinite())
        };
        let ok = p.supply.iter().zip(&problem.supply).all(|(a, b)| {
            a.stock.is_finite()
                && finite(&a.production, &b.production)
                && finite(&a.surge, &b.surge)
                && finite(&a.export_limit, &b.export_limit)
        }) && p
            .demand
            .iter()
            .zip(&problem.demand)
            .all(|(a, b)| finite(&a.quantity, &b.quantity))
            && p.lanes
                .iter()
                .zip(&problem.lanes)
                .all(|(a, b)| finite(&a.capacity, &b.capacity));
        if !ok {
            let span = raw.scenarios.get(si).map(|s| s.get_ref().name.span());
            ck.error(
                span,
                format!("scenarios[{si}]"),
                format!(
                    "scenario `{}` multiplies a quantity beyond the largest finite number",
                    sc.name
                ),
                "use smaller factors or quantities".into(),
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn change(
    ck: &mut Checker,
    ch: &Spanned<RawChange>,
    key: &str,
    periods: usize,
    ally_ids: &HashMap<&str, usize>,
    item_ids: &HashMap<&str, usize>,
    tier_ids: &HashMap<&str, usize>,
    supply: &[Supply],
    demand: &[Demand],
    lanes: &[Lane],
    n_items: usize,
    n_allies: usize,
    n_tiers: usize,
) -> Option<Change> {
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
    let factor = ck.number(&ch.factor, &k("factor"), false);
    let (mut first, mut last) = (0, periods - 1);
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
        if v.len() != 2
            || !whole(*v[0].get_ref())
            || !whole(*v[1].get_ref())
            || v[0].get_ref() > v[1].get_ref()
        {
            ck.error(
                Some(p.span()),
                k("periods"),
                format!("must be [first, last] with 1 ≤ first ≤ last ≤ {periods} (the horizon)"),
                format!("e.g. periods = [1, {periods}]"),
            );
        } else {
            first = *v[0].get_ref() as usize - 1;
            last = *v[1].get_ref() as usize - 1;
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
    let selected: Vec<usize> = match target {
        Target::Lanes => {
            let from = ck.select(&ch.from, &k("from"), "ally", ally_ids, n_allies)?;
            let to = ck.select(&ch.to, &k("to"), "ally", ally_ids, n_allies)?;
            let its = ck.select(&ch.items, &k("items"), "item", item_ids, n_items)?;
            lanes
                .iter()
                .enumerate()
                .filter(|(_, l)| {
                    from.contains(&l.from)
                        && to.contains(&l.to)
                        && l.items.iter().any(|i| its.contains(i))
                })
                .map(|(i, _)| i)
                .collect()
        }
        Target::Demand => {
            let a = ck.select(&ch.ally, &k("ally"), "ally", ally_ids, n_allies)?;
            let it = ck.select(&ch.item, &k("item"), "item", item_ids, n_items)?;
            let tr = ck.select(&ch.tier, &k("tier"), "tier", tier_ids, n_tiers)?;
            demand
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    a.contains(&d.ally) && it.contains(&d.item) && tr.contains(&d.tier)
                })
                .map(|(i, _)| i)
                .collect()
        }
        _ => {
            let a = ck.select(&ch.ally, &k("ally"), "ally", ally_ids, n_allies)?;
            let it = ck.select(&ch.item, &k("item"), "item", item_ids, n_items)?;
            supply
                .iter()
                .enumerate()
                .filter(|(_, s)| a.contains(&s.ally) && it.contains(&s.item))
                .map(|(i, _)| i)
                .collect()
        }
    };
    if selected.is_empty() {
        let what = match target {
            Target::Lanes => "no lane",
            Target::Demand => "no demand entry",
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
    })
}

fn expectations(
    ck: &mut Checker,
    e: &Spanned<RawExpect>,
    tier_ids: &HashMap<&str, usize>,
    scenarios: &HashMap<String, usize>,
) -> Expect {
    let tolerance = match &e.get_ref().tolerance {
        Some(t) => ck.number(t, "expect.tolerance", false),
        None => 1e-6,
    };
    let base = expectation(ck, e.get_ref(), "expect", tier_ids);
    let mut by_scenario = BTreeMap::new();
    for (name, s) in &e.get_ref().scenarios {
        if !scenarios.contains_key(name) {
            let names: HashMap<&str, usize> =
                scenarios.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            ck.unknown(
                Some(s.span()),
                &format!("expect.scenarios.{name}"),
                "scenario",
                name,
                &names,
            );
        }
        if s.get_ref().tolerance.is_some() || !s.get_ref().scenarios.is_empty() {
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
    Expect {
        tolerance,
        base,
        scenarios: by_scenario,
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
        weighted_shortage.insert(tier.clone(), ck.number(v, &k, false));
    }
    let cost = e
        .cost
        .as_ref()
        .map(|c| ck.number(c, &format!("{key}.cost"), false));
    Expectation {
        weighted_shortage,
        cost,
    }
}
