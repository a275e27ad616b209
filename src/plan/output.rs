//! `allot plan`'s output: SPEC §12 JSON and a readable table.

use std::fmt::Write as _;

use serde::Serialize;

use super::{CaseResult, Expected, Placement, Plan, TierShortage};
use crate::report::{grid, num, round};
use crate::solution::Status;

/// The SPEC §12 fields, numbers rounded ([`round`]).
#[derive(Serialize)]
struct View<'a> {
    problem: &'a str,
    status: Status,
    placement: Vec<Placement>,
    expected: Expected,
    scenarios: Vec<CaseResult>,
}

fn tiers(t: &[TierShortage]) -> Vec<TierShortage> {
    t.iter()
        .map(|t| TierShortage {
            tier: t.tier.clone(),
            weighted_shortage: round(t.weighted_shortage),
        })
        .collect()
}

/// SPEC §12 JSON: `problem`, `status`, `placement`, `expected` (`tiers`,
/// `cost`) and `scenarios` (base first), numbers rounded to
/// [`crate::report::DIGITS`] significant digits.
pub fn json(plan: &Plan) -> String {
    let view = View {
        problem: &plan.problem,
        status: plan.status,
        placement: plan
            .placement
            .iter()
            .map(|p| Placement {
                units: round(p.units),
                ..p.clone()
            })
            .collect(),
        expected: Expected {
            tiers: tiers(&plan.expected.tiers),
            cost: round(plan.expected.cost),
        },
        scenarios: plan
            .scenarios
            .iter()
            .map(|c| CaseResult {
                scenario: c.scenario.clone(),
                probability: round(c.probability),
                tiers: tiers(&c.tiers),
                cost: round(c.cost),
            })
            .collect(),
    };
    let mut text =
        serde_json::to_string_pretty(&view).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// Readable tables: the placement (ally, item, units), the expected
/// figures, and per case its probability, tier shortages and cost.
pub fn table(plan: &Plan) -> String {
    let mut out = String::new();
    let status = match plan.status {
        Status::Optimal => "optimal".to_string(),
        Status::VerificationFailed => {
            let worst = plan
                .cases
                .iter()
                .map(|c| &c.solution.verification)
                .find(|v| !v.ok)
                .map_or_else(String::new, |v| {
                    format!(" ({}: {:.2e})", v.worst, v.max_violation)
                });
            format!("VERIFICATION FAILED{worst}")
        }
    };
    let _ = writeln!(
        out,
        "{}: stockpile plan, {status}, {} LPs solved",
        plan.problem, plan.lp_solves
    );
    out.push_str("\nPlacement\n");
    if plan.placement.is_empty() {
        out.push_str("  nothing placed\n");
    } else {
        let mut rows = vec![vec!["ally".into(), "item".into(), "units".into()]];
        for p in &plan.placement {
            rows.push(vec![p.ally.clone(), p.item.clone(), num(p.units)]);
        }
        grid(&mut out, &rows, 2);
    }
    out.push_str("\nExpected (probability-weighted over the cases)\n");
    let mut rows = vec![vec!["tier".to_string(), "weighted shortage".to_string()]];
    for t in &plan.expected.tiers {
        rows.push(vec![t.tier.clone(), num(t.weighted_shortage)]);
    }
    grid(&mut out, &rows, 1);
    let _ = writeln!(
        out,
        "\nExpected cost {} (placement and the cases' transport and production)",
        num(plan.expected.cost)
    );
    out.push_str("\nCases (weighted shortage by tier; one optimal plan's, not unique)\n");
    let mut header = vec!["case".to_string(), "probability".to_string()];
    header.extend(plan.expected.tiers.iter().map(|t| t.tier.clone()));
    header.push("cost".into());
    let mut rows = vec![header];
    for c in &plan.scenarios {
        let mut row = vec![
            c.scenario.clone().unwrap_or_else(|| "base".into()),
            num(c.probability),
        ];
        row.extend(c.tiers.iter().map(|t| num(t.weighted_shortage)));
        row.push(num(c.cost));
        rows.push(row);
    }
    grid(&mut out, &rows, 1);
    out
}
