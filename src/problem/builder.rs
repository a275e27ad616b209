//! A problem built in code, by ids ([`ProblemBuilder`]).
//!
//! The builder records what a problem file would say, key for key, and
//! [`ProblemBuilder::build`] hands it to the same validation a file goes
//! through ([`crate::validate`]): the same rules, the same errors. An error
//! is located in the code instead of a file: its key path (`supply[0].stock`)
//! and the builder call, shown as a line of the calls made
//! (`--> ProblemBuilder:5:33`, then `b.supply("north", "masks").stock(-1)`
//! with the bad number marked).
//!
//! ```
//! use allot::problem::ProblemBuilder;
//!
//! // North holds 10 masks and can ship 4 a period to South, which needs 6
//! // in each of 2 periods (12 in all).
//! let mut b = ProblemBuilder::new("two allies");
//! b.periods(2).tiers(["critical"]);
//! b.item("masks");
//! b.ally("north");
//! b.ally("south");
//! b.supply("north", "masks").stock(10.0);
//! b.demand("south", "masks", 6.0);
//! b.lane("north", "south").capacity(4.0);
//! let problem = b.build()?;
//! assert_eq!(problem.lanes().len(), 1);
//!
//! // By hand: with lead time 0, South receives at most 4 a period, 8 in
//! // all, out of North's 10; it is short 12 − 8 = 4 units (value 1 each).
//! let solved = allot::SolveRequest::new(&problem).run()?;
//! let shortage = solved.solution.tiers[0].weighted_shortage;
//! assert!((shortage - 4.0).abs() < 1e-6, "{shortage}");
//!
//! // A bad number is refused like in a file, located at the call.
//! let mut bad = ProblemBuilder::new("bad");
//! bad.item("masks");
//! bad.ally("north");
//! bad.supply("north", "masks").stock(-1.0);
//! let e = bad.build().unwrap_err();
//! assert!(e.to_string().contains("`supply[0].stock`"), "{e}");
//! assert!(e.to_string().contains(r#"b.supply("north", "masks").stock(-1)"#), "{e}");
//! # Ok::<(), allot::Error>(())
//! ```

use std::fmt::Write;
use std::ops::Range;
use std::path::Path;

use serde_spanned::Spanned;

use crate::Problem;
use crate::error::Result;
use crate::problem::{Fairness, Guarantee, Target};
use crate::raw::{
    IdSelector, Quantity, RawAlly, RawChange, RawDemand, RawItem, RawLane, RawProblem, RawScenario,
    RawStockpile, RawSupply,
};

/// Where a builder's errors say they are, in place of a file name.
pub const BUILDER_SOURCE: &str = "ProblemBuilder";

/// A per-period quantity: the same every period, or one number a period.
#[derive(Debug, Clone, PartialEq)]
pub enum Amount {
    /// The same every period.
    Each(f64),
    /// One number per period.
    PerPeriod(Vec<f64>),
}

impl From<f64> for Amount {
    fn from(v: f64) -> Amount {
        Amount::Each(v)
    }
}

impl From<Vec<f64>> for Amount {
    fn from(v: Vec<f64>) -> Amount {
        Amount::PerPeriod(v)
    }
}

impl From<&[f64]> for Amount {
    fn from(v: &[f64]) -> Amount {
        Amount::PerPeriod(v.to_vec())
    }
}

impl<const N: usize> From<[f64; N]> for Amount {
    fn from(v: [f64; N]) -> Amount {
        Amount::PerPeriod(v.to_vec())
    }
}

/// Allies, items or tiers selected by id: one id, several, or `"*"` for all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ids {
    /// One id, or `"*"`.
    One(String),
    /// Several ids.
    Many(Vec<String>),
}

impl From<&str> for Ids {
    fn from(v: &str) -> Ids {
        Ids::One(v.to_string())
    }
}

impl From<String> for Ids {
    fn from(v: String) -> Ids {
        Ids::One(v)
    }
}

impl From<&String> for Ids {
    fn from(v: &String) -> Ids {
        Ids::One(v.clone())
    }
}

impl From<Vec<String>> for Ids {
    fn from(v: Vec<String>) -> Ids {
        Ids::Many(v)
    }
}

impl From<Vec<&str>> for Ids {
    fn from(v: Vec<&str>) -> Ids {
        Ids::Many(v.into_iter().map(str::to_string).collect())
    }
}

impl From<&[&str]> for Ids {
    fn from(v: &[&str]) -> Ids {
        Ids::Many(v.iter().map(|s| s.to_string()).collect())
    }
}

impl<const N: usize> From<[&str; N]> for Ids {
    fn from(v: [&str; N]) -> Ids {
        Ids::Many(v.iter().map(|s| s.to_string()).collect())
    }
}

/// `[[items]]`: set with [`ProblemBuilder::item`].
#[derive(Debug, Clone, PartialEq)]
pub struct ItemEntry {
    id: String,
    name: Option<String>,
    unit: Option<String>,
    value: Option<f64>,
    reusable: Option<bool>,
}

impl ItemEntry {
    /// Display name (defaults to the id).
    pub fn name(&mut self, name: impl Into<String>) -> &mut Self {
        self.name = Some(name.into());
        self
    }

    /// Display unit.
    pub fn unit(&mut self, unit: impl Into<String>) -> &mut Self {
        self.unit = Some(unit.into());
        self
    }

    /// Weight of one unit of shortage (> 0, default 1).
    pub fn value(&mut self, value: f64) -> &mut Self {
        self.value = Some(value);
        self
    }

    /// Serves again every period it is on hand (SPEC §8; default false).
    pub fn reusable(&mut self, reusable: bool) -> &mut Self {
        self.reusable = Some(reusable);
        self
    }
}

/// `[[allies]]`: set with [`ProblemBuilder::ally`].
#[derive(Debug, Clone, PartialEq)]
pub struct AllyEntry {
    id: String,
    name: Option<String>,
}

impl AllyEntry {
    /// Display name (defaults to the id).
    pub fn name(&mut self, name: impl Into<String>) -> &mut Self {
        self.name = Some(name.into());
        self
    }
}

/// `[[supply]]`: set with [`ProblemBuilder::supply`].
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyEntry {
    ally: String,
    item: String,
    stock: Option<f64>,
    reserve: Option<f64>,
    production: Option<Amount>,
    production_cost: Option<f64>,
    surge: Option<Amount>,
    surge_cost: Option<f64>,
    export_limit: Option<Amount>,
}

impl SupplyEntry {
    /// Units on hand at the start of period 1.
    pub fn stock(&mut self, v: f64) -> &mut Self {
        self.stock = Some(v);
        self
    }

    /// Part of the stock only this ally may use.
    pub fn reserve(&mut self, v: f64) -> &mut Self {
        self.reserve = Some(v);
        self
    }

    /// Normal production capacity per period.
    pub fn production(&mut self, v: impl Into<Amount>) -> &mut Self {
        self.production = Some(v.into());
        self
    }

    /// Cost per unit of normal production.
    pub fn production_cost(&mut self, v: f64) -> &mut Self {
        self.production_cost = Some(v);
        self
    }

    /// Surge capacity per period.
    pub fn surge(&mut self, v: impl Into<Amount>) -> &mut Self {
        self.surge = Some(v.into());
        self
    }

    /// Cost per unit of surge production.
    pub fn surge_cost(&mut self, v: f64) -> &mut Self {
        self.surge_cost = Some(v);
        self
    }

    /// Most shipped out per period (unlimited when not set).
    pub fn export_limit(&mut self, v: impl Into<Amount>) -> &mut Self {
        self.export_limit = Some(v.into());
        self
    }
}

/// `[[demand]]`: set with [`ProblemBuilder::demand`].
#[derive(Debug, Clone, PartialEq)]
pub struct DemandEntry {
    ally: String,
    item: String,
    quantity: Amount,
    tier: Option<String>,
}

impl DemandEntry {
    /// The tier (default: the last).
    pub fn tier(&mut self, tier: impl Into<String>) -> &mut Self {
        self.tier = Some(tier.into());
        self
    }
}

/// `[[lanes]]`: set with [`ProblemBuilder::lane`].
#[derive(Debug, Clone, PartialEq)]
pub struct LaneEntry {
    from: Ids,
    to: Ids,
    items: Option<Vec<String>>,
    cost: Option<f64>,
    capacity: Option<Amount>,
    lead_time: Option<usize>,
    bidirectional: Option<bool>,
}

impl LaneEntry {
    /// The items carried (all when not set).
    pub fn items<S: Into<String>>(&mut self, items: impl IntoIterator<Item = S>) -> &mut Self {
        self.items = Some(items.into_iter().map(Into::into).collect());
        self
    }

    /// Cost per unit shipped.
    pub fn cost(&mut self, v: f64) -> &mut Self {
        self.cost = Some(v);
        self
    }

    /// Most units dispatched per period (unlimited when not set).
    pub fn capacity(&mut self, v: impl Into<Amount>) -> &mut Self {
        self.capacity = Some(v.into());
        self
    }

    /// Whole periods between dispatch and arrival (default 0).
    pub fn lead_time(&mut self, periods: usize) -> &mut Self {
        self.lead_time = Some(periods);
        self
    }

    /// Also make the reverse lane.
    pub fn bidirectional(&mut self, yes: bool) -> &mut Self {
        self.bidirectional = Some(yes);
        self
    }
}

/// One scenario change (SPEC §5), for [`ScenarioEntry::change`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeEntry {
    target: Target,
    factor: f64,
    ally: Option<Ids>,
    item: Option<Ids>,
    tier: Option<Ids>,
    from: Option<Ids>,
    to: Option<Ids>,
    items: Option<Ids>,
    periods: Option<(usize, usize)>,
}

impl ChangeEntry {
    /// Multiplies `target` by `factor` (≥ 0) in every selected entry.
    pub fn new(target: Target, factor: f64) -> ChangeEntry {
        ChangeEntry {
            target,
            factor,
            ally: None,
            item: None,
            tier: None,
            from: None,
            to: None,
            items: None,
            periods: None,
        }
    }

    /// Allies selected (supply, stock and demand targets).
    pub fn ally(mut self, ids: impl Into<Ids>) -> Self {
        self.ally = Some(ids.into());
        self
    }

    /// Items selected (supply, stock and demand targets).
    pub fn item(mut self, ids: impl Into<Ids>) -> Self {
        self.item = Some(ids.into());
        self
    }

    /// Tiers selected (demand target).
    pub fn tier(mut self, ids: impl Into<Ids>) -> Self {
        self.tier = Some(ids.into());
        self
    }

    /// Lane origins selected (lanes target).
    pub fn from(mut self, ids: impl Into<Ids>) -> Self {
        self.from = Some(ids.into());
        self
    }

    /// Lane destinations selected (lanes target).
    pub fn to(mut self, ids: impl Into<Ids>) -> Self {
        self.to = Some(ids.into());
        self
    }

    /// Lanes carrying at least one of these items (lanes target).
    pub fn items(mut self, ids: impl Into<Ids>) -> Self {
        self.items = Some(ids.into());
        self
    }

    /// Only periods `first..=last` (1-based; all when not set).
    pub fn periods(mut self, first: usize, last: usize) -> Self {
        self.periods = Some((first, last));
        self
    }
}

/// `[[scenarios]]`: set with [`ProblemBuilder::scenario`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioEntry {
    name: String,
    description: Option<String>,
    probability: Option<f64>,
    changes: Vec<ChangeEntry>,
}

impl ScenarioEntry {
    /// Free text.
    pub fn description(&mut self, text: impl Into<String>) -> &mut Self {
        self.description = Some(text.into());
        self
    }

    /// Probability of the disruption, in [0, 1] (SPEC §5).
    pub fn probability(&mut self, p: f64) -> &mut Self {
        self.probability = Some(p);
        self
    }

    /// Adds a change, applied after the ones before it.
    pub fn change(&mut self, change: ChangeEntry) -> &mut Self {
        self.changes.push(change);
        self
    }
}

/// `[[stockpile]]` (SPEC §12): set with [`ProblemBuilder::stockpile`].
#[derive(Debug, Clone, PartialEq)]
pub struct StockpileEntry {
    item: String,
    budget: f64,
    allies: Option<Ids>,
    cost: Option<f64>,
}

impl StockpileEntry {
    /// Where units may be placed (default: anywhere, `"*"`).
    pub fn allies(&mut self, ids: impl Into<Ids>) -> &mut Self {
        self.allies = Some(ids.into());
        self
    }

    /// Cost per unit placed (default 0).
    pub fn cost(&mut self, v: f64) -> &mut Self {
        self.cost = Some(v);
        self
    }
}

/// A problem built in code, by ids; [`ProblemBuilder::build`] validates it
/// like a file (see the [module](self)). What is not set takes the file
/// format's default.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemBuilder {
    name: String,
    description: Option<String>,
    periods: Option<usize>,
    tiers: Option<Vec<String>>,
    fairness: Option<Fairness>,
    guarantee: Option<Guarantee>,
    items: Vec<ItemEntry>,
    allies: Vec<AllyEntry>,
    supply: Vec<SupplyEntry>,
    demand: Vec<DemandEntry>,
    lanes: Vec<LaneEntry>,
    scenarios: Vec<ScenarioEntry>,
    stockpiles: Vec<StockpileEntry>,
}

impl ProblemBuilder {
    /// An empty problem called `name`.
    pub fn new(name: impl Into<String>) -> ProblemBuilder {
        ProblemBuilder {
            name: name.into(),
            description: None,
            periods: None,
            tiers: None,
            fairness: None,
            guarantee: None,
            items: Vec::new(),
            allies: Vec::new(),
            supply: Vec::new(),
            demand: Vec::new(),
            lanes: Vec::new(),
            scenarios: Vec::new(),
            stockpiles: Vec::new(),
        }
    }

    /// Free text.
    pub fn description(&mut self, text: impl Into<String>) -> &mut Self {
        self.description = Some(text.into());
        self
    }

    /// The horizon, in periods (≥ 1; default 1).
    pub fn periods(&mut self, periods: usize) -> &mut Self {
        self.periods = Some(periods);
        self
    }

    /// The tiers, highest priority first (default: the file format's,
    /// `critical`, `essential`, `routine`).
    pub fn tiers<S: Into<String>>(&mut self, tiers: impl IntoIterator<Item = S>) -> &mut Self {
        self.tiers = Some(tiers.into_iter().map(Into::into).collect());
        self
    }

    /// How each tier's shortage is shared (default leximin).
    pub fn fairness(&mut self, fairness: Fairness) -> &mut Self {
        self.fairness = Some(fairness);
        self
    }

    /// Whether an ally may end worse off than alone (SPEC §9).
    pub fn guarantee(&mut self, guarantee: Guarantee) -> &mut Self {
        self.guarantee = Some(guarantee);
        self
    }

    /// Adds an item.
    pub fn item(&mut self, id: impl Into<String>) -> &mut ItemEntry {
        self.items.push(ItemEntry {
            id: id.into(),
            name: None,
            unit: None,
            value: None,
            reusable: None,
        });
        self.items.last_mut().expect("just pushed")
    }

    /// Adds an ally.
    pub fn ally(&mut self, id: impl Into<String>) -> &mut AllyEntry {
        self.allies.push(AllyEntry {
            id: id.into(),
            name: None,
        });
        self.allies.last_mut().expect("just pushed")
    }

    /// Adds what `ally` holds and can make of `item` (nothing until set).
    pub fn supply(&mut self, ally: impl Into<String>, item: impl Into<String>) -> &mut SupplyEntry {
        self.supply.push(SupplyEntry {
            ally: ally.into(),
            item: item.into(),
            stock: None,
            reserve: None,
            production: None,
            production_cost: None,
            surge: None,
            surge_cost: None,
            export_limit: None,
        });
        self.supply.last_mut().expect("just pushed")
    }

    /// Adds what `ally` needs of `item` per period (in the last tier until
    /// [`DemandEntry::tier`] says otherwise).
    pub fn demand(
        &mut self,
        ally: impl Into<String>,
        item: impl Into<String>,
        quantity: impl Into<Amount>,
    ) -> &mut DemandEntry {
        self.demand.push(DemandEntry {
            ally: ally.into(),
            item: item.into(),
            quantity: quantity.into(),
            tier: None,
        });
        self.demand.last_mut().expect("just pushed")
    }

    /// Adds a lane entry from `from` to `to` (ids, lists or `"*"`),
    /// unlimited, free and immediate until set.
    pub fn lane(&mut self, from: impl Into<Ids>, to: impl Into<Ids>) -> &mut LaneEntry {
        self.lanes.push(LaneEntry {
            from: from.into(),
            to: to.into(),
            items: None,
            cost: None,
            capacity: None,
            lead_time: None,
            bidirectional: None,
        });
        self.lanes.last_mut().expect("just pushed")
    }

    /// Adds a scenario.
    pub fn scenario(&mut self, name: impl Into<String>) -> &mut ScenarioEntry {
        self.scenarios.push(ScenarioEntry {
            name: name.into(),
            description: None,
            probability: None,
            changes: Vec::new(),
        });
        self.scenarios.last_mut().expect("just pushed")
    }

    /// Adds a stockpile of `item`: at most `budget` units `allot plan` may
    /// place (SPEC §12).
    pub fn stockpile(&mut self, item: impl Into<String>, budget: f64) -> &mut StockpileEntry {
        self.stockpiles.push(StockpileEntry {
            item: item.into(),
            budget,
            allies: None,
            cost: None,
        });
        self.stockpiles.last_mut().expect("just pushed")
    }

    /// Validates the problem with the default size limit.
    pub fn build(&self) -> Result<Problem> {
        self.build_with(crate::size::DEFAULT_MAX_SIZE)
    }

    /// Validates the problem, refusing one whose size estimate exceeds
    /// `max_size` ([`crate::size`]).
    pub fn build_with(&self, max_size: u64) -> Result<Problem> {
        let (raw, text) = self.raw();
        crate::validate::validate_with(&raw, Path::new(BUILDER_SOURCE), &text, max_size)
    }

    /// The raw problem a file saying the same would give, and the text its
    /// spans point into: one line per builder call.
    pub fn raw(&self) -> (RawProblem, String) {
        let mut s = Source::default();
        let name = Some(s.call("b = ProblemBuilder::new(", &self.name, |s, v| s.string(v)));
        s.newline();
        let description = self.description.as_ref().map(|d| {
            let v = s.call("b.description(", d, |s, v| s.string(v));
            s.newline();
            v
        });
        let periods = self.periods.map(|t| {
            let v = s.call("b.periods(", &t, |s, &t| s.number(t as f64));
            s.newline();
            v
        });
        let tiers = self.tiers.as_ref().map(|tiers| {
            s.push("b.tiers(");
            let v = s.list(tiers);
            s.push(")");
            s.newline();
            v
        });
        let fairness = self.fairness.map(|f| {
            let name = match f {
                Fairness::Leximin => "leximin",
                Fairness::None => "none",
            };
            let v = s.call("b.fairness(", name, |s, v| s.string(v));
            s.newline();
            v
        });
        let guarantee = self.guarantee.map(|g| {
            let name = match g {
                Guarantee::None => "none",
                Guarantee::Alone => "alone",
            };
            let v = s.call("b.guarantee(", name, |s, v| s.string(v));
            s.newline();
            v
        });
        let items = self.items.iter().map(|i| s.item(i)).collect::<Vec<_>>();
        let allies = self.allies.iter().map(|a| s.ally(a)).collect::<Vec<_>>();
        let supply = self.supply.iter().map(|x| s.supply(x)).collect();
        let demand = self.demand.iter().map(|d| s.demand(d)).collect();
        let lanes = self.lanes.iter().map(|l| s.lane(l)).collect();
        let scenarios = self.scenarios.iter().map(|x| s.scenario(x)).collect();
        let stockpile = self.stockpiles.iter().map(|x| s.stockpile(x)).collect();
        let whole = 0..s.text.len();
        let raw = RawProblem {
            name,
            description,
            periods,
            tiers,
            fairness,
            guarantee,
            // A file without items or allies is missing a required key:
            // so is a builder that added none.
            items: (!items.is_empty()).then(|| Spanned::new(whole.clone(), items)),
            allies: (!allies.is_empty()).then(|| Spanned::new(whole, allies)),
            supply,
            demand,
            lanes,
            scenarios,
            stockpile,
            expect: None,
        };
        (raw, s.text)
    }

    /// The problem as a TOML problem file that loads to the same
    /// [`Problem`] as [`ProblemBuilder::build`] (numbers written exactly).
    pub fn toml(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "name = {}", toml_string(&self.name));
        if let Some(d) = &self.description {
            let _ = writeln!(s, "description = {}", toml_string(d));
        }
        if let Some(t) = self.periods {
            let _ = writeln!(s, "periods = {t}");
        }
        if let Some(tiers) = &self.tiers {
            let _ = writeln!(s, "tiers = {}", toml_strings(tiers));
        }
        if let Some(f) = self.fairness {
            let name = match f {
                Fairness::Leximin => "leximin",
                Fairness::None => "none",
            };
            let _ = writeln!(s, "fairness = \"{name}\"");
        }
        if let Some(g) = self.guarantee {
            let name = match g {
                Guarantee::None => "none",
                Guarantee::Alone => "alone",
            };
            let _ = writeln!(s, "guarantee = \"{name}\"");
        }
        s.push('\n');
        for i in &self.items {
            let _ = writeln!(s, "[[items]]\nid = {}", toml_string(&i.id));
            opt(&mut s, "name", i.name.as_deref().map(toml_string));
            opt(&mut s, "unit", i.unit.as_deref().map(toml_string));
            opt(&mut s, "value", i.value.map(toml_number));
            opt(&mut s, "reusable", i.reusable.map(|b| b.to_string()));
            s.push('\n');
        }
        for a in &self.allies {
            let _ = writeln!(s, "[[allies]]\nid = {}", toml_string(&a.id));
            opt(&mut s, "name", a.name.as_deref().map(toml_string));
            s.push('\n');
        }
        for d in &self.demand {
            let _ = writeln!(
                s,
                "[[demand]]\nally = {}\nitem = {}",
                toml_string(&d.ally),
                toml_string(&d.item)
            );
            opt(&mut s, "tier", d.tier.as_deref().map(toml_string));
            let _ = writeln!(s, "quantity = {}\n", toml_amount(&d.quantity));
        }
        for x in &self.supply {
            let _ = writeln!(
                s,
                "[[supply]]\nally = {}\nitem = {}",
                toml_string(&x.ally),
                toml_string(&x.item)
            );
            opt(&mut s, "stock", x.stock.map(toml_number));
            opt(&mut s, "reserve", x.reserve.map(toml_number));
            opt(&mut s, "production", x.production.as_ref().map(toml_amount));
            opt(
                &mut s,
                "production_cost",
                x.production_cost.map(toml_number),
            );
            opt(&mut s, "surge", x.surge.as_ref().map(toml_amount));
            opt(&mut s, "surge_cost", x.surge_cost.map(toml_number));
            opt(
                &mut s,
                "export_limit",
                x.export_limit.as_ref().map(toml_amount),
            );
            s.push('\n');
        }
        for l in &self.lanes {
            let _ = writeln!(
                s,
                "[[lanes]]\nfrom = {}\nto = {}",
                toml_ids(&l.from),
                toml_ids(&l.to)
            );
            opt(&mut s, "items", l.items.as_deref().map(toml_strings));
            opt(
                &mut s,
                "bidirectional",
                l.bidirectional.map(|b| b.to_string()),
            );
            opt(&mut s, "cost", l.cost.map(toml_number));
            opt(&mut s, "capacity", l.capacity.as_ref().map(toml_amount));
            opt(&mut s, "lead_time", l.lead_time.map(|t| t.to_string()));
            s.push('\n');
        }
        for x in &self.stockpiles {
            let _ = writeln!(
                s,
                "[[stockpile]]\nitem = {}\nbudget = {}",
                toml_string(&x.item),
                toml_number(x.budget)
            );
            opt(&mut s, "allies", x.allies.as_ref().map(toml_ids));
            opt(&mut s, "cost", x.cost.map(toml_number));
            s.push('\n');
        }
        for sc in &self.scenarios {
            let _ = writeln!(s, "[[scenarios]]\nname = {}", toml_string(&sc.name));
            opt(
                &mut s,
                "description",
                sc.description.as_deref().map(toml_string),
            );
            opt(&mut s, "probability", sc.probability.map(toml_number));
            let changes: Vec<String> = sc.changes.iter().map(toml_change).collect();
            let _ = writeln!(s, "changes = [{}]\n", changes.join(", "));
        }
        s
    }
}

/// The text of the builder calls, with a span for every value.
#[derive(Default)]
struct Source {
    text: String,
}

impl Source {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn newline(&mut self) {
        self.text.push('\n');
    }

    /// Writes `shown` and returns its span.
    fn span(&mut self, shown: &str) -> Range<usize> {
        let start = self.text.len();
        self.text.push_str(shown);
        start..self.text.len()
    }

    fn string(&mut self, v: &str) -> Spanned<String> {
        let span = self.span(&format!("{v:?}"));
        Spanned::new(span, v.to_string())
    }

    fn number(&mut self, v: f64) -> Spanned<f64> {
        let span = self.span(&code_number(v));
        Spanned::new(span, v)
    }

    /// `head` `value` `)`: the value's span.
    fn call<T: ?Sized, U>(
        &mut self,
        head: &str,
        v: &T,
        value: impl FnOnce(&mut Self, &T) -> Spanned<U>,
    ) -> Spanned<U> {
        self.push(head);
        let v = value(self, v);
        self.push(")");
        v
    }

    /// `.key(value)` of an entry's call.
    fn setter<T: ?Sized, U>(
        &mut self,
        key: &str,
        v: Option<&T>,
        value: impl FnOnce(&mut Self, &T) -> Spanned<U>,
    ) -> Option<Spanned<U>> {
        let v = v?;
        Some(self.call(&format!(".{key}("), v, value))
    }

    fn list(&mut self, values: &[String]) -> Spanned<Vec<Spanned<String>>> {
        let start = self.text.len();
        self.push("[");
        let mut out = Vec::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            out.push(self.string(v));
        }
        self.push("]");
        Spanned::new(start..self.text.len(), out)
    }

    fn ids(&mut self, ids: &Ids) -> Spanned<IdSelector> {
        match ids {
            Ids::One(id) => {
                let v = self.string(id);
                let span = v.span();
                Spanned::new(span, IdSelector::One(v.into_inner()))
            }
            Ids::Many(list) => {
                let v = self.list(list);
                let span = v.span();
                Spanned::new(span, IdSelector::Many(v.into_inner()))
            }
        }
    }

    fn amount(&mut self, a: &Amount) -> Spanned<Quantity> {
        match a {
            Amount::Each(v) => {
                let v = self.number(*v);
                let span = v.span();
                Spanned::new(span, Quantity::Scalar(v.into_inner()))
            }
            Amount::PerPeriod(values) => {
                let start = self.text.len();
                self.push("[");
                let mut out = Vec::new();
                for (i, &v) in values.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    out.push(self.number(v));
                }
                self.push("]");
                Spanned::new(start..self.text.len(), Quantity::PerPeriod(out))
            }
        }
    }

    /// Ends an entry's line: the entry spans it.
    fn entry<T>(&mut self, start: usize, value: T) -> Spanned<T> {
        let span = start..self.text.len();
        self.newline();
        Spanned::new(span, value)
    }

    fn item(&mut self, i: &ItemEntry) -> Spanned<RawItem> {
        let start = self.text.len();
        let id = self.call("b.item(", i.id.as_str(), |s, v| s.string(v));
        if let Some(n) = &i.name {
            self.push(&format!(".name({n:?})"));
        }
        if let Some(u) = &i.unit {
            self.push(&format!(".unit({u:?})"));
        }
        let value = self.setter("value", i.value.as_ref(), |s, &v| s.number(v));
        if let Some(r) = i.reusable {
            self.push(&format!(".reusable({r})"));
        }
        let raw = RawItem {
            id,
            name: i.name.clone(),
            unit: i.unit.clone(),
            value,
            reusable: i.reusable,
        };
        self.entry(start, raw)
    }

    fn ally(&mut self, a: &AllyEntry) -> Spanned<RawAlly> {
        let start = self.text.len();
        let id = self.call("b.ally(", a.id.as_str(), |s, v| s.string(v));
        if let Some(n) = &a.name {
            self.push(&format!(".name({n:?})"));
        }
        let raw = RawAlly {
            id,
            name: a.name.clone(),
        };
        self.entry(start, raw)
    }

    fn supply(&mut self, x: &SupplyEntry) -> Spanned<RawSupply> {
        let start = self.text.len();
        self.push("b.supply(");
        let ally = self.string(&x.ally);
        self.push(", ");
        let item = self.string(&x.item);
        self.push(")");
        let num = |s: &mut Source, &v: &f64| s.number(v);
        let raw = RawSupply {
            ally,
            item,
            stock: self.setter("stock", x.stock.as_ref(), num),
            reserve: self.setter("reserve", x.reserve.as_ref(), num),
            production: self.setter("production", x.production.as_ref(), Source::amount),
            production_cost: self.setter("production_cost", x.production_cost.as_ref(), num),
            surge: self.setter("surge", x.surge.as_ref(), Source::amount),
            surge_cost: self.setter("surge_cost", x.surge_cost.as_ref(), num),
            export_limit: self.setter("export_limit", x.export_limit.as_ref(), Source::amount),
        };
        self.entry(start, raw)
    }

    fn demand(&mut self, d: &DemandEntry) -> Spanned<RawDemand> {
        let start = self.text.len();
        self.push("b.demand(");
        let ally = self.string(&d.ally);
        self.push(", ");
        let item = self.string(&d.item);
        self.push(", ");
        let quantity = self.amount(&d.quantity);
        self.push(")");
        let tier = self.setter("tier", d.tier.as_deref(), |s, v| s.string(v));
        let raw = RawDemand {
            ally,
            item,
            tier,
            quantity,
        };
        self.entry(start, raw)
    }

    fn lane(&mut self, l: &LaneEntry) -> Spanned<RawLane> {
        let start = self.text.len();
        self.push("b.lane(");
        let from = self.ids(&l.from);
        self.push(", ");
        let to = self.ids(&l.to);
        self.push(")");
        let items = self.setter("items", l.items.as_deref(), |s, v| s.list(v));
        let cost = self.setter("cost", l.cost.as_ref(), |s, &v| s.number(v));
        let capacity = self.setter("capacity", l.capacity.as_ref(), Source::amount);
        let lead_time = self.setter("lead_time", l.lead_time.as_ref(), |s, &v| {
            s.number(v as f64)
        });
        if let Some(b) = l.bidirectional {
            self.push(&format!(".bidirectional({b})"));
        }
        let raw = RawLane {
            from,
            to,
            items,
            cost,
            capacity,
            lead_time,
            bidirectional: l.bidirectional,
        };
        self.entry(start, raw)
    }

    fn change(&mut self, c: &ChangeEntry) -> Spanned<RawChange> {
        let start = self.text.len();
        let target_name = Target::NAMES[c.target as usize];
        self.push("ChangeEntry::new(");
        let target = Spanned::new(self.span(&format!("Target::{:?}", c.target)), {
            target_name.to_string()
        });
        self.push(", ");
        let factor = self.number(c.factor);
        self.push(")");
        let ally = self.setter("ally", c.ally.as_ref(), Source::ids);
        let item = self.setter("item", c.item.as_ref(), Source::ids);
        let tier = self.setter("tier", c.tier.as_ref(), Source::ids);
        let from = self.setter("from", c.from.as_ref(), Source::ids);
        let to = self.setter("to", c.to.as_ref(), Source::ids);
        let items = self.setter("items", c.items.as_ref(), Source::ids);
        let periods = c.periods.map(|(first, last)| {
            self.push(".periods(");
            let list_start = self.text.len();
            let first = self.number(first as f64);
            self.push(", ");
            let last = self.number(last as f64);
            let list = list_start..self.text.len();
            self.push(")");
            Spanned::new(list, vec![first, last])
        });
        let raw = RawChange {
            target,
            ally,
            item,
            tier,
            from,
            to,
            items,
            factor,
            periods,
        };
        Spanned::new(start..self.text.len(), raw)
    }

    fn scenario(&mut self, sc: &ScenarioEntry) -> Spanned<RawScenario> {
        let start = self.text.len();
        let name = self.call("b.scenario(", sc.name.as_str(), |s, v| s.string(v));
        if let Some(d) = &sc.description {
            self.push(&format!(".description({d:?})"));
        }
        let probability = self.setter("probability", sc.probability.as_ref(), |s, &v| s.number(v));
        let mut changes = Vec::new();
        for c in &sc.changes {
            self.push(".change(");
            changes.push(self.change(c));
            self.push(")");
        }
        let raw = RawScenario {
            name,
            description: sc.description.clone(),
            changes,
            probability,
        };
        self.entry(start, raw)
    }

    fn stockpile(&mut self, x: &StockpileEntry) -> Spanned<RawStockpile> {
        let start = self.text.len();
        self.push("b.stockpile(");
        let item = self.string(&x.item);
        self.push(", ");
        let budget = self.number(x.budget);
        self.push(")");
        let allies = self.setter("allies", x.allies.as_ref(), Source::ids);
        let cost = self.setter("cost", x.cost.as_ref(), |s, &v| s.number(v));
        let raw = RawStockpile {
            item,
            budget,
            allies,
            cost,
        };
        self.entry(start, raw)
    }
}

/// A number as the code would write it.
fn code_number(v: f64) -> String {
    if v.is_nan() {
        "f64::NAN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "f64::INFINITY"
        } else {
            "f64::NEG_INFINITY"
        }
        .into()
    } else {
        toml_number(v)
    }
}

/// A number in TOML that reads back as exactly `v`.
fn toml_number(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.into()
    } else if v.abs() < 1e15 && (v.fract() == 0.0 || v.abs() >= 1e-5) {
        // Rust writes the shortest decimal that reads back as `v`.
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

fn toml_string(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

fn toml_strings(list: &[String]) -> String {
    let parts: Vec<String> = list.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", parts.join(", "))
}

fn toml_ids(ids: &Ids) -> String {
    match ids {
        Ids::One(id) => toml_string(id),
        Ids::Many(list) => toml_strings(list),
    }
}

fn toml_amount(a: &Amount) -> String {
    match a {
        Amount::Each(v) => toml_number(*v),
        Amount::PerPeriod(values) => {
            let parts: Vec<String> = values.iter().map(|&v| toml_number(v)).collect();
            format!("[{}]", parts.join(", "))
        }
    }
}

fn toml_change(c: &ChangeEntry) -> String {
    let mut parts = vec![format!("target = \"{}\"", Target::NAMES[c.target as usize])];
    for (key, ids) in [
        ("ally", &c.ally),
        ("item", &c.item),
        ("tier", &c.tier),
        ("from", &c.from),
        ("to", &c.to),
        ("items", &c.items),
    ] {
        if let Some(ids) = ids {
            parts.push(format!("{key} = {}", toml_ids(ids)));
        }
    }
    parts.push(format!("factor = {}", toml_number(c.factor)));
    if let Some((first, last)) = c.periods {
        parts.push(format!("periods = [{first}, {last}]"));
    }
    format!("{{ {} }}", parts.join(", "))
}

fn opt(s: &mut String, key: &str, value: Option<String>) {
    if let Some(v) = value {
        let _ = writeln!(s, "{key} = {v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

    fn diagnostics(e: crate::Error) -> Vec<Diagnostic> {
        match e {
            crate::Error::Invalid { diagnostics } => diagnostics,
            other => panic!("expected invalid, got {other}"),
        }
    }

    /// The builder's errors are the file's (same keys, same messages), each
    /// located at the builder call instead of a line of the file.
    #[test]
    fn errors_are_the_files_located_at_the_call() {
        let mut b = ProblemBuilder::new("bad");
        b.periods(2);
        b.item("masks");
        b.ally("north");
        b.supply("north", "masks").stock(-1.0);
        b.demand("south", "masks", [1.0, 2.0, 3.0]);
        b.lane("north", "nowhere").lead_time(1);
        let built = diagnostics(b.build().unwrap_err());
        let file = diagnostics(crate::load_str(&b.toml(), "bad.toml").unwrap_err());
        let said = |d: &[Diagnostic]| -> Vec<(String, String)> {
            d.iter()
                .map(|d| (d.key.clone(), d.message.clone()))
                .collect()
        };
        assert_eq!(said(&built), said(&file));
        // Negative stock, an unknown ally, 3 numbers for 2 periods, an
        // unknown lane end.
        assert!(built.len() >= 4, "{built:?}");
        let stock = built
            .iter()
            .find(|d| d.key == "supply[0].stock")
            .expect("the negative stock");
        assert_eq!(stock.file, Path::new(BUILDER_SOURCE));
        let at = stock.location.as_ref().expect("located");
        // Line 1 `ProblemBuilder::new`, 2 periods, 3 item, 4 ally, 5 supply;
        // `b.supply("north", "masks").stock(` is 33 characters.
        assert_eq!(at.source_line, r#"b.supply("north", "masks").stock(-1)"#);
        assert_eq!((at.line, at.column, at.width), (5, 34, 2));
    }

    /// No items or allies: the same missing keys as an empty file.
    #[test]
    fn an_empty_builder_misses_what_an_empty_file_misses() {
        let b = ProblemBuilder::new("empty");
        let built = diagnostics(b.build().unwrap_err());
        let file = diagnostics(crate::load_str(&b.toml(), "empty.toml").unwrap_err());
        let keys = |d: &[Diagnostic]| -> Vec<String> { d.iter().map(|d| d.key.clone()).collect() };
        assert_eq!(keys(&built), keys(&file));
        assert!(keys(&built).contains(&"items".to_string()), "{built:?}");
    }

    /// Everything the builder sets reaches the problem as a file would
    /// say it: scenarios, stockpiles, per-period arrays, lists of ids.
    #[test]
    fn every_key_round_trips_through_the_toml() {
        let mut b = ProblemBuilder::new("all keys");
        b.description("every key")
            .periods(3)
            .tiers(["high", "low"])
            .fairness(Fairness::None)
            .guarantee(Guarantee::Alone);
        b.item("water").name("Water").unit("l").value(2.5);
        b.item("tents").reusable(true);
        b.ally("a").name("Ally A");
        b.ally("b");
        b.ally("c");
        b.supply("a", "water")
            .stock(10.0)
            .reserve(1.0)
            .production([1.0, 2.0, 3.0])
            .production_cost(0.1)
            .surge(1.0)
            .surge_cost(7.0)
            .export_limit(3.0);
        b.supply("b", "tents").stock(4.0);
        b.demand("b", "water", [3.0, 0.0, 1e-3]).tier("high");
        b.demand("c", "tents", 1.0);
        b.lane("a", ["b", "c"])
            .items(["water"])
            .cost(1.5)
            .capacity(2.0);
        b.lane("*", "c").lead_time(1).bidirectional(true);
        b.stockpile("water", 5.0).allies(["a", "b"]).cost(0.5);
        b.scenario("drought")
            .description("dry")
            .probability(0.25)
            .change(
                ChangeEntry::new(Target::Production, 0.5)
                    .ally("a")
                    .periods(2, 3),
            )
            .change(
                ChangeEntry::new(Target::Lanes, 0.0)
                    .from("*")
                    .items("water"),
            );
        let built = b.build().unwrap();
        assert_eq!(crate::load_str(&b.toml(), "all.toml").unwrap(), built);
        assert_eq!(built.scenarios[0].changes.len(), 2);
        assert_eq!(built.stockpiles[0].allies, vec![0, 1]);
    }
}
