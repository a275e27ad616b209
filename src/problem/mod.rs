//! The validated problem: ids resolved to indices, per-period quantities
//! expanded to one number per period, lanes expanded to one entry per
//! ordered pair. Every [`Problem`] satisfies SPEC §2; get one with
//! [`crate::load()`] from a file, or build one in code with a
//! [`ProblemBuilder`]: both go through [`crate::validate`].

use std::collections::BTreeMap;

/// Default relative tolerance of `[expect]` (SPEC §7).
pub const DEFAULT_TOLERANCE: f64 = 1e-6;

pub mod builder;
pub mod generate;
pub mod validate;

pub use builder::ProblemBuilder;

/// How each tier's shortage is shared (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Fairness {
    /// Leximin-optimal fill rates within each tier.
    Leximin,
    /// No fairness step.
    None,
}

/// Whether an ally may end worse off than alone (SPEC §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Guarantee {
    /// No guarantee (the default).
    #[default]
    None,
    /// No ally's weighted shortage in any tier exceeds what it would have
    /// alone, with every lane closed (SPEC §9).
    Alone,
}

impl Guarantee {
    /// Whether there is none.
    pub fn is_none(&self) -> bool {
        *self == Guarantee::None
    }
}

/// An upper bound on one ally's weighted shortage in one tier:
/// `Σ_{k,t} value_k · (demand − u) ≤ cap` over the ally's demand in the
/// tier. The solve adds one per (ally, tier with demand) under
/// [`Guarantee::Alone`], with `cap` the ally's alone shortage `A[a,g]`
/// ([`crate::share`]); a loaded problem has none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShortageCap {
    /// Index into [`Problem::allies`].
    pub ally: usize,
    /// Index into [`Problem::tiers`].
    pub tier: usize,
    /// Most weighted shortage allowed, in the problem's units and values.
    pub cap: f64,
}

/// A critical item.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Unique id.
    pub id: String,
    /// Display name (defaults to the id).
    pub name: String,
    /// Display unit (may be empty).
    pub unit: String,
    /// Weight of one unit of shortage, > 0.
    pub value: f64,
    /// Not used up by serving: a unit on hand serves again every period
    /// (SPEC §8); demand and shortage are counted in unit-periods.
    pub reusable: bool,
}

/// A country, region or stockpile.
#[derive(Debug, Clone, PartialEq)]
pub struct Ally {
    /// Unique id.
    pub id: String,
    /// Display name (defaults to the id).
    pub name: String,
}

/// What one ally holds and can make of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Supply {
    /// Index into [`Problem::allies`].
    pub ally: usize,
    /// Index into [`Problem::items`].
    pub item: usize,
    /// Units on hand at the start of period 1.
    pub stock: f64,
    /// Part of `stock` only this ally may use (≤ stock).
    pub reserve: f64,
    /// Normal production capacity, one per period.
    pub production: Vec<f64>,
    /// Cost per unit of normal production.
    pub production_cost: f64,
    /// Surge capacity on top of production, one per period.
    pub surge: Vec<f64>,
    /// Cost per unit of surge production.
    pub surge_cost: f64,
    /// Most shipped out per period; `f64::INFINITY` when unlimited.
    pub export_limit: Vec<f64>,
}

/// What one ally needs of one item at one tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    /// Index into [`Problem::allies`].
    pub ally: usize,
    /// Index into [`Problem::items`].
    pub item: usize,
    /// Index into [`Problem::tiers`] (0 = highest priority).
    pub tier: usize,
    /// Units needed, one per period.
    pub quantity: Vec<f64>,
}

/// One directed lane (entries naming several pairs are expanded).
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// Origin ally index.
    pub from: usize,
    /// Destination ally index.
    pub to: usize,
    /// Items carried, ascending indices.
    pub items: Vec<usize>,
    /// Cost per unit shipped.
    pub cost: f64,
    /// Most units dispatched per period, its items together;
    /// `f64::INFINITY` when unlimited.
    pub capacity: Vec<f64>,
    /// Whole periods from dispatch to arrival.
    pub lead_time: usize,
    /// Index of the `[[lanes]]` entry this lane came from (0-based).
    pub entry: usize,
}

impl Lane {
    /// Whether the lane carries `item`.
    pub fn carries(&self, item: usize) -> bool {
        self.items.binary_search(&item).is_ok()
    }

    /// The period in which what is dispatched in period `t` arrives, `None`
    /// beyond a horizon of `periods` ([`dispatch_periods`]).
    pub fn arrival(&self, t: usize, periods: usize) -> Option<usize> {
        let at = t + self.lead_time;
        (at < periods).then_some(at)
    }
}

/// The lead-time rule (SPEC §2): what a lane of `lead_time` dispatches in
/// period t arrives in period t + `lead_time`, so it dispatches only in the
/// first `periods − lead_time` periods of the horizon (none when the lead
/// time is the horizon or longer).
pub fn dispatch_periods(periods: u64, lead_time: u64) -> u64 {
    periods.saturating_sub(lead_time)
}

/// What a scenario change multiplies (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Normal production capacity.
    Production,
    /// Surge capacity.
    Surge,
    /// Export limit.
    ExportLimit,
    /// Stock and reserve.
    Stock,
    /// Demand quantity.
    Demand,
    /// Lane capacity.
    Lanes,
}

impl Target {
    /// The spelling in problem files.
    pub const NAMES: [&'static str; 6] = [
        "production",
        "surge",
        "export_limit",
        "stock",
        "demand",
        "lanes",
    ];
}

/// A validated scenario change: the entries it selects are resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What is multiplied.
    pub target: Target,
    /// Indices of the selected entries: into `supply` (production, surge,
    /// export_limit, stock), `demand`, or `lanes`.
    pub selected: Vec<usize>,
    /// The multiplier, ≥ 0.
    pub factor: f64,
    /// 0-based inclusive period range.
    pub first: usize,
    /// 0-based inclusive period range end.
    pub last: usize,
    /// For a change of a supply quantity (production, surge, export
    /// limit, stock): the stockpile positions (ally, item) it selects,
    /// whether or not they have a `supply` entry. Units placed there
    /// (SPEC §12) are scaled by a `stock` change like the rest of the stock,
    /// and shipped out under the position's export limit, which an
    /// `export_limit` change closes (factor 0) also where the entry is
    /// created by the placement. Empty for the other targets and for
    /// problems without `[[stockpile]]`.
    pub positions: Vec<(usize, usize)>,
}

/// A named disruption.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Applied in order.
    pub changes: Vec<Change>,
    /// Probability of the disruption (SPEC §5), in [0, 1]; either every
    /// scenario of a problem has one or none has.
    pub probability: Option<f64>,
}

/// A `[[stockpile]]` table (SPEC §12): units of one item that `allot plan`
/// may place before a disruption is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Stockpile {
    /// Index into [`Problem::items`].
    pub item: usize,
    /// Most units placed, all allies together.
    pub budget: f64,
    /// Where units may be placed: ally indices, ascending, distinct.
    pub allies: Vec<usize>,
    /// Cost per unit placed.
    pub cost: f64,
}

/// Expected results of one solve (SPEC §7).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expectation {
    /// Expected weighted shortage per tier name.
    pub weighted_shortage: BTreeMap<String, f64>,
    /// Expected total cost.
    pub cost: Option<f64>,
}

/// The `[expect]` table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expect {
    /// Relative tolerance.
    pub tolerance: f64,
    /// For the base problem.
    pub base: Expectation,
    /// Per scenario name.
    pub scenarios: BTreeMap<String, Expectation>,
    /// `[expect.plan]`: the expected figures of `allot plan` (SPEC §12).
    pub plan: Option<Expectation>,
}

/// A validated problem (SPEC §2), read-only: get one from
/// [`crate::load()`] or a [`ProblemBuilder`], read it through its accessors
/// ([`Problem::allies`], [`Problem::demand`], …), and make a variant with
/// [`Problem::with_scenario`] or a new builder.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Shown in reports.
    pub(crate) name: String,
    /// Free text.
    pub(crate) description: String,
    /// Horizon length T ≥ 1.
    pub(crate) periods: usize,
    /// Tier names, highest priority first.
    pub(crate) tiers: Vec<String>,
    /// Fairness rule.
    pub(crate) fairness: Fairness,
    /// `guarantee` (SPEC §9).
    pub(crate) guarantee: Guarantee,
    /// Caps on allies' weighted shortages that the LP must keep (SPEC §9's
    /// rows): set by the solve under [`Guarantee::Alone`], empty in a
    /// loaded problem.
    pub(crate) caps: Vec<ShortageCap>,
    /// Items.
    pub(crate) items: Vec<Item>,
    /// Allies.
    pub(crate) allies: Vec<Ally>,
    /// At most one per (ally, item).
    pub(crate) supply: Vec<Supply>,
    /// At most one per (ally, item, tier).
    pub(crate) demand: Vec<Demand>,
    /// Directed lanes.
    pub(crate) lanes: Vec<Lane>,
    /// Scenarios in file order.
    pub(crate) scenarios: Vec<Scenario>,
    /// Stockpiles `allot plan` may place (SPEC §12), at most one per item,
    /// in file order. `allot solve` places nothing.
    pub(crate) stockpiles: Vec<Stockpile>,
    /// Regression expectations.
    pub(crate) expect: Option<Expect>,
}

impl Problem {
    /// The name shown in reports.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Free text describing the problem.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The horizon length T ≥ 1, in periods.
    pub fn periods(&self) -> usize {
        self.periods
    }

    /// The tier names, highest priority first; a [`Demand::tier`] indexes
    /// them.
    pub fn tiers(&self) -> &[String] {
        &self.tiers
    }

    /// How each tier's shortage is shared (SPEC §4).
    pub fn fairness(&self) -> Fairness {
        self.fairness
    }

    /// Whether an ally may end worse off than alone (SPEC §9).
    pub fn guarantee(&self) -> Guarantee {
        self.guarantee
    }

    /// The caps on allies' weighted shortages the LP keeps (SPEC §9's
    /// rows): empty in a loaded or built problem, set by the solve under
    /// [`Guarantee::Alone`] or by [`Problem::with_caps`].
    pub fn caps(&self) -> &[ShortageCap] {
        &self.caps
    }

    /// The items, in file order; the `item` of a supply, demand or
    /// stockpile entry indexes them.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// The allies, in file order; the `ally` of a supply or demand entry
    /// and a lane's `from` and `to` index them.
    pub fn allies(&self) -> &[Ally] {
        &self.allies
    }

    /// What each ally holds and can make, at most one entry per (ally,
    /// item), quantities expanded to one per period.
    pub fn supply(&self) -> &[Supply] {
        &self.supply
    }

    /// What each ally needs, at most one entry per (ally, item, tier),
    /// quantities expanded to one per period.
    pub fn demand(&self) -> &[Demand] {
        &self.demand
    }

    /// The directed lanes: an entry naming several pairs (or
    /// `bidirectional`) is expanded to one lane per ordered pair.
    pub fn lanes(&self) -> &[Lane] {
        &self.lanes
    }

    /// The scenarios, in file order (see [`Problem::scenario`] and
    /// [`Problem::with_scenario`]).
    pub fn scenarios(&self) -> &[Scenario] {
        &self.scenarios
    }

    /// The stockpiles `allot plan` may place (SPEC §12), at most one per
    /// item, in file order; `allot solve` places nothing.
    pub fn stockpiles(&self) -> &[Stockpile] {
        &self.stockpiles
    }

    /// The `[expect]` table (SPEC §7), if the file has one.
    pub fn expect(&self) -> Option<&Expect> {
        self.expect.as_ref()
    }

    /// The problem with `caps` on allies' weighted shortages in place of
    /// its own: what the solve does under [`Guarantee::Alone`] with the
    /// caps of [`crate::share::caps`], for checking a capped plan
    /// ([`crate::verify::verify`]) or solving under caps of one's own.
    ///
    /// # Panics
    ///
    /// If a cap's `ally` or `tier` is not an index into
    /// [`Problem::allies`] or [`Problem::tiers`].
    pub fn with_caps(&self, caps: Vec<ShortageCap>) -> Problem {
        for c in &caps {
            assert!(
                c.ally < self.allies.len() && c.tier < self.tiers.len(),
                "a shortage cap names ally {} and tier {} of a problem with {} allies and {} tiers",
                c.ally,
                c.tier,
                self.allies.len(),
                self.tiers.len()
            );
        }
        Problem {
            caps,
            ..self.clone()
        }
    }

    /// The scenario called `name`.
    pub fn scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// Total demand of every (ally, item, tier) triple with demand, in the
    /// order of [`Problem::demand`].
    pub fn total_demand(&self, d: &Demand) -> f64 {
        d.quantity.iter().sum()
    }

    /// The probability of the base problem and of every scenario, in that
    /// order (SPEC §5): without probabilities all are equally likely; with
    /// them the base problem has what the scenarios leave over.
    pub fn probabilities(&self) -> Vec<f64> {
        let n = self.scenarios.len() + 1;
        if self.scenarios.iter().any(|s| s.probability.is_none()) || self.scenarios.is_empty() {
            return vec![1.0 / n as f64; n];
        }
        let given: Vec<f64> = self
            .scenarios
            .iter()
            .map(|s| s.probability.unwrap_or(0.0))
            .collect();
        let base = (1.0 - given.iter().sum::<f64>()).max(0.0);
        std::iter::once(base).chain(given).collect()
    }

    /// The factor `scenario`'s `stock` changes apply to units placed at
    /// the stockpile position (`ally`, `item`) (SPEC §12), 1 for the base
    /// problem (`None`).
    pub fn stock_factor(&self, scenario: Option<&Scenario>, ally: usize, item: usize) -> f64 {
        let Some(sc) = scenario else { return 1.0 };
        sc.changes
            .iter()
            .filter(|c| c.target == Target::Stock && c.positions.contains(&(ally, item)))
            .fold(1.0, |v, c| scaled(v, c.factor))
    }

    /// The problem with `scenario`'s changes applied, in order (SPEC §5).
    /// The result has no scenarios of its own.
    pub fn with_scenario(&self, scenario: &Scenario) -> Problem {
        let mut p = self.clone();
        p.scenarios.clear();
        for change in &scenario.changes {
            let f = change.factor;
            let range = change.first..=change.last;
            let scale = |values: &mut Vec<f64>| {
                for (t, v) in values.iter_mut().enumerate() {
                    if range.contains(&t) {
                        *v = scaled(*v, f);
                    }
                }
            };
            for &i in &change.selected {
                match change.target {
                    Target::Production => scale(&mut p.supply[i].production),
                    Target::Surge => scale(&mut p.supply[i].surge),
                    Target::ExportLimit => scale(&mut p.supply[i].export_limit),
                    Target::Stock => {
                        p.supply[i].stock = scaled(p.supply[i].stock, f);
                        p.supply[i].reserve = scaled(p.supply[i].reserve, f);
                    }
                    Target::Demand => scale(&mut p.demand[i].quantity),
                    Target::Lanes => scale(&mut p.lanes[i].capacity),
                }
            }
        }
        p
    }
}

/// `v · f`, where an unlimited `v` stays unlimited for `f > 0` and becomes 0
/// for `f = 0` (SPEC §5).
fn scaled(v: f64, f: f64) -> f64 {
    if f == 0.0 {
        0.0
    } else if v.is_infinite() {
        v
    } else {
        v * f
    }
}
