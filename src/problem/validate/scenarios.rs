//! `[[scenarios]]`: unique names, their changes (`change`), probabilities
//! all given or none and summing to at most 1, and a bound on the work the
//! changes take.

use std::collections::HashMap;
use std::ops::Range;

use serde_spanned::Spanned;

use super::checker::Checker;
use super::{Ctx, change};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, SizeRemedy};
use crate::problem::{Change, Problem, Scenario, Target};
use crate::raw::{RawChange, RawProblem};

/// Scenario changes may scan and rescale at most this many times the size
/// limit of entry-periods in total (a bound on validation time).
const SCENARIO_WORK_FACTOR: u64 = 50;

/// How far above 1 the scenarios' probabilities may sum (decimal rounding:
/// 0.1 + 0.2 + 0.7 is 1.0000000000000002 in binary).
const PROBABILITY_ROUNDING: f64 = 1e-9;

/// The scenarios; `p` has every entry they change. Too much work for the
/// changes is a size refusal.
pub(super) fn check(ctx: &mut Ctx, p: &Problem, max_size: u64) -> Result<Vec<Scenario>, Error> {
    let raw = ctx.raw;
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut scenario_spans: HashMap<String, Range<usize>> = HashMap::new();
    let mut budget = ScenarioBudget {
        selected: 0,
        work: 0,
        max_size,
    };
    // An entry that failed to validate is missing from the lists changes
    // select from: "selects nothing" would then be a follow-on error.
    let entries_ok = ctx.ck.diags.is_empty() && ctx.ck.dropped == 0;
    for (si, sc) in raw.scenarios.iter().enumerate() {
        let sc_span = sc.span();
        let sc = sc.get_ref();
        let sname = sc.name.get_ref().clone();
        if let Some(first) = scenario_spans.get(&sname) {
            let line = if ctx.ck.full() { 0 } else { ctx.ck.line(first) };
            ctx.ck.error(
                Some(sc.name.span()),
                format!("scenarios[{si}].name"),
                format!("duplicate scenario name `{sname}`: already used at line {line}"),
                "scenario names must be unique".into(),
            );
        } else {
            scenario_spans.insert(sname.clone(), sc_span);
        }
        if sname.is_empty() {
            ctx.ck.error(
                Some(sc.name.span()),
                format!("scenarios[{si}].name"),
                "a scenario name must not be empty".into(),
                "give a short name such as \"strait-closed\"".into(),
            );
        }
        let mut changes = Vec::new();
        for (ci, ch) in sc.changes.iter().enumerate() {
            let key = format!("scenarios[{si}].changes[{ci}]");
            if let Some(c) = change::check(ctx, p, ch, &key, entries_ok) {
                budget.spend(&c, p, &ctx.ck, ch, &key)?;
                changes.push(c);
            }
        }
        let probability = sc.probability.as_ref().map(|p| {
            let key = format!("scenarios[{si}].probability");
            let v = ctx.ck.any_number(p, &key, false);
            if v > 1.0 {
                ctx.ck.error(
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
    probabilities(&mut ctx.ck, raw);
    Ok(scenarios)
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
        p: &Problem,
        ck: &Checker,
        ch: &Spanned<RawChange>,
        key: &str,
    ) -> Result<(), Error> {
        let candidates = match c.target {
            Target::Lanes => p.lanes.len(),
            Target::Demand => p.demand.len(),
            _ => p.supply.len(),
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
