//! The problem file as written: serde types that mirror SPEC §2 key for key,
//! with byte spans kept for every value that validation may complain about.
//!
//! Nothing here is checked beyond types and unknown keys; [`crate::validate`]
//! turns a [`RawProblem`] into a [`crate::Problem`].

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde_spanned::Spanned;

/// Every top-level key of a problem file (SPEC §2).
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "name",
    "description",
    "periods",
    "tiers",
    "fairness",
    "guarantee",
    "items",
    "allies",
    "supply",
    "demand",
    "lanes",
    "scenarios",
    "stockpile",
    "expect",
];

/// A whole problem file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProblem {
    /// Shown in reports; defaults to the file stem.
    pub name: Option<Spanned<String>>,
    /// Free text.
    pub description: Option<Spanned<String>>,
    /// Horizon length; an integer ≥ 1 (read as a number to report fractions well).
    pub periods: Option<Spanned<f64>>,
    /// Tier names, highest priority first.
    pub tiers: Option<Spanned<Vec<Spanned<String>>>>,
    /// `"leximin"` or `"none"`.
    pub fairness: Option<Spanned<String>>,
    /// `"none"` or `"alone"` (SPEC §9).
    pub guarantee: Option<Spanned<String>>,
    /// Critical items (required).
    pub items: Option<Spanned<Vec<Spanned<RawItem>>>>,
    /// Allies (required).
    pub allies: Option<Spanned<Vec<Spanned<RawAlly>>>>,
    /// Holdings and capacities.
    #[serde(default)]
    pub supply: Vec<Spanned<RawSupply>>,
    /// Needs.
    #[serde(default)]
    pub demand: Vec<Spanned<RawDemand>>,
    /// Shipping lanes.
    #[serde(default)]
    pub lanes: Vec<Spanned<RawLane>>,
    /// Named disruptions.
    #[serde(default)]
    pub scenarios: Vec<Spanned<RawScenario>>,
    /// Units `allot plan` may place (SPEC §12).
    #[serde(default)]
    pub stockpile: Vec<Spanned<RawStockpile>>,
    /// Regression expectations.
    pub expect: Option<Spanned<RawExpect>>,
}

/// `[[items]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    /// Unique id.
    pub id: Spanned<String>,
    /// Display name.
    pub name: Option<String>,
    /// Display unit.
    pub unit: Option<String>,
    /// Weight of one unit of shortage (> 0, default 1).
    pub value: Option<Spanned<f64>>,
    /// Serves again every period it is on hand (SPEC §8; default false).
    pub reusable: Option<bool>,
}

/// `[[allies]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlly {
    /// Unique id.
    pub id: Spanned<String>,
    /// Display name.
    pub name: Option<String>,
}

/// `[[supply]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSupply {
    /// Ally id.
    pub ally: Spanned<String>,
    /// Item id.
    pub item: Spanned<String>,
    /// Units on hand at the start of period 1.
    pub stock: Option<Spanned<f64>>,
    /// Part of the stock only this ally may use.
    pub reserve: Option<Spanned<f64>>,
    /// Normal production capacity per period.
    pub production: Option<Spanned<Quantity>>,
    /// Cost per unit of normal production.
    pub production_cost: Option<Spanned<f64>>,
    /// Surge capacity per period.
    pub surge: Option<Spanned<Quantity>>,
    /// Cost per unit of surge production.
    pub surge_cost: Option<Spanned<f64>>,
    /// Most shipped out per period (unlimited when absent).
    pub export_limit: Option<Spanned<Quantity>>,
}

/// `[[demand]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDemand {
    /// Ally id.
    pub ally: Spanned<String>,
    /// Item id.
    pub item: Spanned<String>,
    /// Tier name (default: the last tier).
    pub tier: Option<Spanned<String>>,
    /// Per-period quantity needed.
    pub quantity: Spanned<Quantity>,
}

/// `[[lanes]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLane {
    /// Origin ally id(s) or `"*"`.
    pub from: Spanned<IdSelector>,
    /// Destination ally id(s) or `"*"`.
    pub to: Spanned<IdSelector>,
    /// Item ids carried (all when absent).
    pub items: Option<Spanned<Vec<Spanned<String>>>>,
    /// Cost per unit shipped.
    pub cost: Option<Spanned<f64>>,
    /// Most units dispatched per period (unlimited when absent).
    pub capacity: Option<Spanned<Quantity>>,
    /// Whole periods between dispatch and arrival.
    pub lead_time: Option<Spanned<f64>>,
    /// Also make the reverse lane.
    pub bidirectional: Option<bool>,
}

/// `[[scenarios]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Unique name.
    pub name: Spanned<String>,
    /// Free text.
    pub description: Option<String>,
    /// Changes applied in order.
    #[serde(default)]
    pub changes: Vec<Spanned<RawChange>>,
    /// Probability of the disruption, in [0, 1] (SPEC §5).
    pub probability: Option<Spanned<f64>>,
}

/// `[[stockpile]]` (SPEC §12).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStockpile {
    /// Item id.
    pub item: Spanned<String>,
    /// Most units placed, all allies together.
    pub budget: Spanned<f64>,
    /// Where units may be placed: ally id(s) or `"*"` (default).
    pub allies: Option<Spanned<IdSelector>>,
    /// Cost per unit placed (default 0).
    pub cost: Option<Spanned<f64>>,
}

/// One scenario change (SPEC §5).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChange {
    /// What to multiply.
    pub target: Spanned<String>,
    /// Ally selector (supply, stock, demand targets).
    pub ally: Option<Spanned<IdSelector>>,
    /// Item selector (supply, stock, demand targets).
    pub item: Option<Spanned<IdSelector>>,
    /// Tier selector (demand target).
    pub tier: Option<Spanned<IdSelector>>,
    /// Origin selector (lanes target).
    pub from: Option<Spanned<IdSelector>>,
    /// Destination selector (lanes target).
    pub to: Option<Spanned<IdSelector>>,
    /// Lanes carrying at least one of these items (lanes target).
    pub items: Option<Spanned<IdSelector>>,
    /// The multiplier, ≥ 0.
    pub factor: Spanned<f64>,
    /// `[first, last]`, inclusive; all periods when absent.
    pub periods: Option<Spanned<Vec<Spanned<f64>>>>,
}

/// `[expect]` and `[expect.scenarios.NAME]` (SPEC §7).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// Expected weighted shortage per tier name.
    #[serde(default)]
    pub weighted_shortage: BTreeMap<String, Spanned<f64>>,
    /// Expected total cost.
    #[serde(default)]
    pub cost: Option<Spanned<f64>>,
    /// Relative tolerance (default 1e-6).
    #[serde(default)]
    pub tolerance: Option<Spanned<f64>>,
    /// Expectations per scenario name.
    #[serde(default)]
    pub scenarios: BTreeMap<String, Spanned<RawExpect>>,
    /// `[expect.plan]`: the expected figures of `allot plan` (SPEC §12).
    #[serde(default)]
    pub plan: Option<Box<Spanned<RawExpect>>>,
}

/// A per-period quantity: one number for every period, or one per period.
///
/// Array elements keep their own spans, so a bad element is reported where
/// it is, not at the start of the array.
#[derive(Debug, Clone, PartialEq)]
pub enum Quantity {
    /// The same every period.
    Scalar(f64),
    /// Exactly `periods` numbers.
    PerPeriod(Vec<Spanned<f64>>),
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or an array of numbers, one per period")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Ok(Quantity::Scalar(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity::Scalar(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity::Scalar(v as f64))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Quantity, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<Spanned<f64>>()? {
                    values.push(v);
                }
                Ok(Quantity::PerPeriod(values))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Selects allies, items or tiers: one id, several, or `"*"` for all.
#[derive(Debug, Clone, PartialEq)]
pub enum IdSelector {
    /// One id, or `"*"`.
    One(String),
    /// Several ids, each with its span.
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for IdSelector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = IdSelector;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id, an array of ids, or \"*\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdSelector, E> {
                Ok(IdSelector::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<IdSelector, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<Spanned<String>>()? {
                    values.push(v);
                }
                Ok(IdSelector::Many(values))
            }
        }
        deserializer.deserialize_any(V)
    }
}
