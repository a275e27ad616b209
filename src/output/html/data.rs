//! The report's own view of a JSON result (docs/format.md § Results): only
//! the fields it draws, every one read by name, unknown fields ignored, so
//! the renderer depends on the JSON contract and not on the solver's types.
//! Fields added after SPEC §6 (`periods`, `stock`, `lanes`, `compare`,
//! `marginal`, `guarantee`) are optional: a result written by an older allot
//! renders without the sections that need them.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One solved problem or scenario.
#[derive(Debug, Clone, Deserialize)]
pub struct Run {
    /// The problem's name.
    pub problem: String,
    /// The scenario, `None` for the base problem.
    #[serde(default)]
    pub scenario: Option<String>,
    /// `optimal` or `verification_failed` (any string is shown as it is).
    pub status: String,
    /// `"alone"` under SPEC §9's guarantee.
    #[serde(default)]
    pub guarantee: Option<String>,
    /// Every tier in priority order.
    pub tiers: Vec<Tier>,
    /// The cost breakdown.
    pub cost: Cost,
    /// Every (ally, item, tier) with demand.
    #[serde(default)]
    pub fill: Vec<Fill>,
    /// Every positive dispatch.
    #[serde(default)]
    pub shipments: Vec<Shipment>,
    /// The horizon length.
    #[serde(default)]
    pub periods: Option<usize>,
    /// On-hand stock and service per (ally, item) and period.
    #[serde(default)]
    pub stock: Vec<Stock>,
    /// Every lane with its lead time.
    #[serde(default)]
    pub lanes: Vec<Lane>,
    /// SPEC §10 comparisons.
    #[serde(default)]
    pub compare: Option<Compare>,
    /// SPEC §11 marginal values.
    #[serde(default)]
    pub marginal: Vec<Marginal>,
}

/// One tier's totals.
#[derive(Debug, Clone, Deserialize)]
pub struct Tier {
    /// Tier name.
    pub tier: String,
    /// Units demanded over the horizon.
    pub demand: f64,
    /// Units served.
    pub served: f64,
    /// Units short.
    #[serde(default)]
    pub shortage: f64,
    /// Σ value · shortage.
    pub weighted_shortage: f64,
}

/// The cost breakdown.
#[derive(Debug, Clone, Deserialize)]
pub struct Cost {
    /// The sum of the parts.
    pub total: f64,
    /// Lane costs.
    #[serde(default)]
    pub transport: f64,
    /// Normal production costs.
    #[serde(default)]
    pub production: f64,
    /// Surge production costs.
    #[serde(default)]
    pub surge: f64,
}

/// A fill rate.
#[derive(Debug, Clone, Deserialize)]
pub struct Fill {
    /// Ally id.
    pub ally: String,
    /// Item id.
    pub item: String,
    /// Tier name.
    pub tier: String,
    /// Units demanded.
    pub demand: f64,
    /// Units served.
    pub served: f64,
    /// served / demand.
    pub fill_rate: f64,
}

/// A dispatch.
#[derive(Debug, Clone, Deserialize)]
pub struct Shipment {
    /// Origin ally.
    pub from: String,
    /// Destination ally.
    pub to: String,
    /// Item id.
    pub item: String,
    /// Dispatch period.
    pub period: usize,
    /// Arrival period.
    pub arrives: usize,
    /// Units.
    pub quantity: f64,
}

/// Stock and service of one (ally, item), one number per period.
#[derive(Debug, Clone, Deserialize)]
pub struct Stock {
    /// Ally id.
    pub ally: String,
    /// Item id.
    pub item: String,
    /// Units on hand at the end of each period.
    pub on_hand: Vec<f64>,
    /// Units demanded in each period, all tiers.
    pub demand: Vec<f64>,
    /// Units served in each period, all tiers.
    pub served: Vec<f64>,
}

/// A lane.
#[derive(Debug, Clone, Deserialize)]
pub struct Lane {
    /// Origin ally.
    pub from: String,
    /// Destination ally.
    pub to: String,
    /// Lead time in periods.
    pub lead_time: usize,
}

/// SPEC §10: what sharing and fairness are worth.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Compare {
    /// Against every ally alone.
    #[serde(default)]
    pub alone: Option<CompareAlone>,
    /// Against no fairness step.
    #[serde(default)]
    pub none: Option<CompareNone>,
}

/// SPEC §10 `compare.alone`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CompareAlone {
    /// Per tier: the alone optimum and the gain of sharing.
    #[serde(default)]
    pub tiers: Vec<AloneTier>,
    /// The alone problem's cost.
    #[serde(default)]
    pub cost: Option<f64>,
    /// Per (ally, tier): shared and alone weighted shortage.
    #[serde(default)]
    pub allies: Vec<AloneAlly>,
    /// Allies worse off than alone.
    #[serde(default)]
    pub worse_off: Vec<String>,
}

/// One tier of `compare.alone`.
#[derive(Debug, Clone, Deserialize)]
pub struct AloneTier {
    /// Tier name.
    pub tier: String,
    /// The alone problem's weighted shortage.
    pub weighted_shortage: f64,
    /// alone − shared.
    pub gain: f64,
}

/// One (ally, tier) of `compare.alone`.
#[derive(Debug, Clone, Deserialize)]
pub struct AloneAlly {
    /// Ally id.
    pub ally: String,
    /// Tier name.
    pub tier: String,
    /// Shared plan's weighted shortage.
    pub weighted_shortage: f64,
    /// Alone.
    pub alone: f64,
    /// alone − shared.
    pub gain: f64,
}

/// SPEC §10 `compare.none`.
#[derive(Debug, Clone, Deserialize)]
pub struct CompareNone {
    /// Cost without the fairness step.
    pub cost: f64,
    /// The cost of fairness.
    pub price_of_fairness: f64,
}

/// SPEC §11: the gain of N more units at one ally.
#[derive(Debug, Clone, Deserialize)]
pub struct Marginal {
    /// Ally id.
    pub ally: String,
    /// Item id.
    pub item: String,
    /// Units added.
    pub units: f64,
    /// Per tier: shortage avoided.
    #[serde(default)]
    pub gain: BTreeMap<String, f64>,
    /// Cost with minus cost without.
    #[serde(default)]
    pub cost_change: f64,
}

/// Reads a JSON result: one object, or an array of them (base first).
pub fn parse(value: serde_json::Value) -> Result<Vec<Run>, String> {
    let runs = match value {
        serde_json::Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| serde_json::from_value(v).map_err(|e| format!("result [{i}]: {e}")))
            .collect::<Result<Vec<Run>, String>>()?,
        v @ serde_json::Value::Object(_) => {
            vec![serde_json::from_value(v).map_err(|e| e.to_string())?]
        }
        _ => {
            return Err(
                "expected a JSON object or an array of objects (a solve's JSON result)".into(),
            );
        }
    };
    if runs.is_empty() {
        return Err("the array holds no result".into());
    }
    Ok(runs)
}
