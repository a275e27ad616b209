//! `[expect]` (SPEC §7): known tiers and scenarios, numbers ≥ 0, only
//! `weighted_shortage` and `cost` per scenario and in `[expect.plan]`.

use std::collections::{BTreeMap, HashMap};

use serde_spanned::Spanned;

use super::Ctx;
use super::checker::Checker;
use crate::problem::{Expect, Expectation, Problem};
use crate::raw::RawExpect;

/// The `[expect]` table, if any; `p` has the scenarios it may name.
pub(super) fn check(ctx: &mut Ctx, p: &Problem) -> Option<Expect> {
    let scenario_names: HashMap<&str, usize> = p
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let raw = ctx.raw;
    raw.expect
        .as_ref()
        .map(|e| expectations(&mut ctx.ck, e, &ctx.tier_ids, &scenario_names))
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
