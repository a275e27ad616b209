//! How big a problem's LP will be, known before anything is allocated per
//! period or per lane, and the guard that refuses problems beyond a limit.
//!
//! A [`Shape`] holds counts only: per supply and demand entry the periods in
//! which its quantities are positive, per `[[lanes]]` entry the allies it
//! joins and the periods it is open. Validation builds one from the file as
//! written ([`crate::validate`]), *before* expanding per-period arrays and
//! `"*"` lanes, and refuses the problem when [`Estimate::size`] is beyond the
//! limit (`max_size`, default [`DEFAULT_MAX_SIZE`]). [`of_problem`] builds
//! the same shape from a validated problem.
//!
//! The estimate follows the LP of [`crate::model`] column by column and row
//! by row; where that depends on which periods several entries share, it is
//! an upper bound (export-limit rows). It also counts the memory the
//! validated problem takes ([`Estimate::values`], in 8-byte words: one per
//! period for every supply quantity, demand and lane, plus a fixed part per
//! entry), since a file of a few lines can describe millions of lanes even
//! when few of them can carry anything.

use std::collections::{HashMap, HashSet};

use crate::problem::Problem;

/// Default `max_size`: the largest LP (in non-zero coefficients) and the
/// most memory (in 8-byte words) a validated problem may take. Tens of
/// millions: large enough for real work, small enough that a problem at the
/// limit is held in 160 MB and its LP built in a few hundred more.
pub const DEFAULT_MAX_SIZE: u64 = 20_000_000;

/// Beyond this size (and the limit), the estimate stops at the cheap counts.
const EARLY_STOP: u64 = 1 << 26;

/// Most (ally, item) pairs counted exactly in a hash set (when a bit per
/// pair would take too much memory); beyond, nodes are bounded from above.
const MAX_HASHED_NODES: u64 = 1 << 22;

/// Words a supply entry takes besides its per-period quantities (its fields,
/// three vectors and their allocations).
const SUPPLY_WORDS: u64 = 16;
/// Words a demand entry takes besides its quantities.
const DEMAND_WORDS: u64 = 8;
/// Words a lane takes besides its capacities and items.
const LANE_WORDS: u64 = 16;

/// The size of a problem and of its LP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Estimate {
    /// LP columns.
    pub variables: u64,
    /// LP rows.
    pub rows: u64,
    /// Non-zero coefficients in the rows.
    pub nonzeros: u64,
    /// Memory the validated problem takes, in 8-byte words: per-period
    /// quantities, lane item lists, and a fixed part per supply, demand and
    /// lane entry.
    pub values: u64,
}

impl Estimate {
    /// What the limit applies to: the larger of the LP's non-zeros and the
    /// problem's memory words.
    pub fn size(&self) -> u64 {
        self.nonzeros.max(self.values)
    }
}

/// Periods in which a quantity is positive (or finite).
#[derive(Debug, Clone, PartialEq)]
pub enum Periods {
    /// Every period.
    All,
    /// These 0-based periods, ascending (none when empty).
    These(Vec<usize>),
}

impl Periods {
    /// No period.
    pub fn none() -> Periods {
        Periods::These(Vec::new())
    }

    /// How many of the first `periods` periods.
    pub fn count(&self, periods: u64) -> u64 {
        match self {
            Periods::All => periods,
            Periods::These(v) => v.iter().filter(|&&t| (t as u64) < periods).count() as u64,
        }
    }

    /// The periods of `values` where `keep` holds (`All` if every one does).
    pub fn of(values: &[f64], keep: impl Fn(f64) -> bool) -> Periods {
        let these: Vec<usize> = (0..values.len()).filter(|&t| keep(values[t])).collect();
        if these.len() == values.len() && !values.is_empty() {
            Periods::All
        } else {
            Periods::These(these)
        }
    }
}

/// A set of allies (or items, tiers): every one, or these (ascending, distinct).
#[derive(Debug, Clone, PartialEq)]
pub enum Allies {
    /// `"*"`.
    All,
    /// These ally indices.
    These(Vec<usize>),
}

impl Allies {
    /// How many of `allies` allies.
    pub fn len(&self, allies: usize) -> u64 {
        match self {
            Allies::All => allies as u64,
            Allies::These(v) => v.len() as u64,
        }
    }

    /// Whether ally (or item, tier) `a` is a member.
    pub fn contains(&self, a: usize) -> bool {
        match self {
            Allies::All => true,
            Allies::These(v) => v.binary_search(&a).is_ok(),
        }
    }

    /// The single member, when there is exactly one.
    fn single(&self, allies: usize) -> Option<usize> {
        match self {
            Allies::All if allies == 1 => Some(0),
            Allies::These(v) if v.len() == 1 => Some(v[0]),
            _ => None,
        }
    }

    /// The members among `allies`, ascending.
    pub fn iter(&self, allies: usize) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            Allies::All => Box::new(0..allies),
            Allies::These(v) => Box::new(v.iter().copied()),
        }
    }
}

/// One supply entry.
#[derive(Debug, Clone, PartialEq)]
pub struct SupplyShape {
    /// Ally index.
    pub ally: usize,
    /// Item index.
    pub item: usize,
    /// Periods with production capacity > 0.
    pub make: Periods,
    /// Periods with surge capacity > 0.
    pub surge: Periods,
    /// Periods with a finite export limit.
    pub export_limited: Periods,
    /// Whether the reserve is > 0.
    pub reserve: bool,
}

/// One demand entry.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandShape {
    /// Ally index.
    pub ally: usize,
    /// Item index.
    pub item: usize,
    /// Periods with demand > 0.
    pub positive: Periods,
}

/// One direction of one `[[lanes]]` entry: a lane for every pair of an
/// origin in `from` and a different destination in `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneShape {
    /// Index of the `[[lanes]]` entry (for messages).
    pub entry: usize,
    /// Origins.
    pub from: Allies,
    /// Destinations.
    pub to: Allies,
    /// Items carried (distinct indices).
    pub items: Vec<usize>,
    /// Dispatch periods (t + lead time within the horizon) with capacity > 0.
    pub open: u64,
    /// Those of them with a finite capacity.
    pub open_limited: u64,
}

/// What the size of a problem depends on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shape {
    /// Horizon length T.
    pub periods: u64,
    /// Number of allies.
    pub allies: usize,
    /// Number of items.
    pub items: usize,
    /// Supply entries (with known ally and item).
    pub supply: Vec<SupplyShape>,
    /// Demand entries (with known ally and item).
    pub demand: Vec<DemandShape>,
    /// Lane entries, one per direction.
    pub lanes: Vec<LaneShape>,
    /// Per item, whether it is reusable (SPEC §8); missing entries are
    /// not.
    pub reusable: Vec<bool>,
}

/// What makes a problem too large.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// The horizon: everything is multiplied by it.
    Periods,
    /// One `[[lanes]]` entry (by index) makes most of the size.
    Lane {
        /// The entry.
        entry: usize,
        /// Lanes it makes.
        lanes: u64,
    },
    /// Many entries together.
    Entries,
}

/// A refusal: the estimate, the limit and the main cause.
#[derive(Debug, Clone, PartialEq)]
pub struct TooLarge {
    /// The estimate (partial when the problem was refused early).
    pub estimate: Estimate,
    /// The limit in force.
    pub limit: u64,
    /// What makes it large.
    pub cause: Cause,
    /// The cause in words, e.g. `periods = 1000000000`.
    pub detail: String,
}

impl Shape {
    /// Number of ordered pairs (origin ≠ destination) one lane shape makes.
    pub fn pairs(&self, l: &LaneShape) -> u64 {
        let (f, t) = (l.from.len(self.allies), l.to.len(self.allies));
        let both = match (&l.from, &l.to) {
            (Allies::All, _) => t,
            (_, Allies::All) => f,
            (Allies::These(a), Allies::These(b)) => {
                a.iter().filter(|x| b.binary_search(x).is_ok()).count() as u64
            }
        };
        f.saturating_mul(t).saturating_sub(both)
    }

    /// The memory the expanded problem takes, in 8-byte words; cheap,
    /// computed before anything else so that absurd files are refused at
    /// once.
    pub fn values(&self) -> u64 {
        let t = self.periods;
        let lanes: u64 = self
            .lanes
            .iter()
            .map(|l| self.pairs(l))
            .fold(0u64, u64::saturating_add);
        let lane_items: u64 = self
            .lanes
            .iter()
            .map(|l| self.pairs(l).saturating_mul(l.items.len() as u64))
            .fold(0u64, u64::saturating_add);
        let (s, d) = (self.supply.len() as u64, self.demand.len() as u64);
        let per_period = (3 * s).saturating_add(d).saturating_add(lanes);
        let fixed = (s * SUPPLY_WORDS)
            .saturating_add(d * DEMAND_WORDS)
            .saturating_add(lanes.saturating_mul(LANE_WORDS));
        t.saturating_mul(per_period)
            .saturating_add(lane_items)
            .saturating_add(fixed)
    }

    /// The estimate; `limit` lets it stop early (with a partial, already
    /// too large estimate) rather than count a huge problem in full.
    pub fn estimate(&self, limit: u64) -> Estimate {
        let t = self.periods;
        let values = self.values();
        // Ship columns, before anything that iterates over allies.
        let ship: u64 = self
            .lanes
            .iter()
            .map(|l| {
                self.pairs(l)
                    .saturating_mul(l.items.len() as u64)
                    .saturating_mul(l.open)
            })
            .fold(0u64, u64::saturating_add);
        // Far beyond the limit: stop here rather than count nodes.
        if (values > limit || ship > limit) && values.max(ship) > EARLY_STOP {
            return Estimate {
                variables: ship,
                rows: 0,
                nonzeros: ship.saturating_mul(2),
                values,
            };
        }
        let nodes = self.nodes();
        let n = nodes.count;
        let sum = |it: &mut dyn Iterator<Item = u64>| it.fold(0u64, u64::saturating_add);
        let make = sum(&mut self.supply.iter().map(|s| s.make.count(t)));
        let surge = sum(&mut self.supply.iter().map(|s| s.surge.count(t)));
        let serve = sum(&mut self.demand.iter().map(|d| d.positive.count(t)));

        // Reserve: per supply with a reserve, the periods with any demand
        // served at its node get a draw and a reserve column and two rows.
        let mut demand_at: HashMap<(usize, usize), Vec<&DemandShape>> = HashMap::new();
        for d in &self.demand {
            demand_at.entry((d.ally, d.item)).or_default().push(d);
        }
        // The periods with any demand at a node.
        let served_periods = |ds: &[&DemandShape]| -> u64 {
            if ds.iter().any(|d| d.positive == Periods::All) {
                t
            } else {
                let mut union: Vec<usize> = ds
                    .iter()
                    .flat_map(|d| match &d.positive {
                        Periods::These(v) => v.clone(),
                        Periods::All => Vec::new(),
                    })
                    .filter(|&p| (p as u64) < t)
                    .collect();
                union.sort_unstable();
                union.dedup();
                union.len() as u64
            }
        };
        let reusable = |k: usize| self.reusable.get(k).copied().unwrap_or(false);
        let (mut draw, mut draw_nz) = (0u64, 0u64);
        for s in self
            .supply
            .iter()
            .filter(|s| s.reserve && !reusable(s.item))
        {
            let Some(ds) = demand_at.get(&(s.ally, s.item)) else {
                continue;
            };
            let drawn = served_periods(ds);
            if drawn == 0 {
                continue;
            }
            draw = draw.saturating_add(drawn);
            // reserve rows: r, w (+ previous r after the first); draw caps:
            // w and every served column at the node in those periods.
            let served = sum(&mut ds.iter().map(|d| d.positive.count(t)));
            draw_nz = sum(&mut [draw_nz, drawn.saturating_mul(4) - 1, served].into_iter());
        }

        // Reusable items (SPEC §8): a row per period with demand at the
        // node, with its served columns (counted with the balance rows'
        // below) and its stock column.
        let mut in_use = 0u64;
        for ((_, k), ds) in &demand_at {
            if reusable(*k) {
                in_use = in_use.saturating_add(served_periods(ds));
            }
        }

        // Export limits: a row per limited period of a node with outgoing
        // lanes (an upper bound: some periods may have no open lane), with
        // every dispatch column leaving the node.
        let limited: HashMap<(usize, usize), u64> = self
            .supply
            .iter()
            .map(|s| ((s.ally, s.item), s.export_limited.count(t)))
            .filter(|&(_, c)| c > 0)
            .collect();
        let mut out_cols: HashMap<(usize, usize), u64> = HashMap::new();
        if !limited.is_empty() {
            for l in &self.lanes {
                let dest_count = l.to.len(self.allies);
                for f in l.from.iter(self.allies) {
                    let dests = dest_count.saturating_sub(u64::from(l.to.contains(f)));
                    if dests == 0 {
                        continue;
                    }
                    for &k in &l.items {
                        if limited.contains_key(&(f, k)) {
                            let c = out_cols.entry((f, k)).or_default();
                            *c = c.saturating_add(dests.saturating_mul(l.open));
                        }
                    }
                }
            }
        }
        let (mut export_rows, mut export_nz) = (0u64, 0u64);
        for (node, cols) in &out_cols {
            if *cols > 0 {
                export_rows = export_rows.saturating_add(limited.get(node).copied().unwrap_or(0));
                export_nz = export_nz.saturating_add(*cols);
            }
        }

        // Capacity rows of lanes carrying several items.
        let (mut cap_rows, mut cap_nz) = (0u64, 0u64);
        for l in self.lanes.iter().filter(|l| l.items.len() > 1) {
            let rows = self.pairs(l).saturating_mul(l.open_limited);
            cap_rows = cap_rows.saturating_add(rows);
            cap_nz = cap_nz.saturating_add(rows.saturating_mul(l.items.len() as u64));
        }

        let stock = n.saturating_mul(t);
        let draws = draw.saturating_mul(2);
        let variables = sum(&mut [ship, make, surge, serve, draws, stock].into_iter());
        let rows = sum(&mut [draws, stock, export_rows, cap_rows, in_use].into_iter());
        let balance_nz = sum(&mut [
            n.saturating_mul(t.saturating_mul(2).saturating_sub(1)),
            make,
            surge,
            draw,
            ship.saturating_mul(2),
            serve,
        ]
        .into_iter());
        let nonzeros = sum(&mut [balance_nz, draw_nz, export_nz, cap_nz, in_use].into_iter());
        Estimate {
            variables,
            rows,
            nonzeros,
            values,
        }
    }

    /// The (ally, item) stock nodes: every supply and demand entry's, and
    /// every lane end's for each item the lane carries.
    fn nodes(&self) -> Nodes {
        // Lane ends that make nodes: an origin counts when some destination
        // differs from it, and the other way round.
        let ends = |l: &'_ LaneShape| {
            [
                (
                    l.from.clone(),
                    l.to.single(self.allies),
                    l.to.len(self.allies),
                ),
                (
                    l.to.clone(),
                    l.from.single(self.allies),
                    l.from.len(self.allies),
                ),
            ]
        };
        let attempts = self
            .lanes
            .iter()
            .flat_map(|l| {
                ends(l).map(|(side, _, other_len)| {
                    if other_len == 0 {
                        0
                    } else {
                        side.len(self.allies).saturating_mul(l.items.len() as u64)
                    }
                })
            })
            .fold(
                (self.supply.len() + self.demand.len()) as u64,
                u64::saturating_add,
            );
        let cells = (self.allies as u64).saturating_mul(self.items as u64);
        let mut set = if cells <= 1 << 28 {
            NodeSet::Bits(vec![0u64; cells.div_ceil(64) as usize], self.items)
        } else if attempts <= MAX_HASHED_NODES {
            NodeSet::Hash(HashSet::new())
        } else {
            return Nodes {
                count: attempts.min(cells),
            };
        };
        for s in &self.supply {
            set.insert(s.ally, s.item);
        }
        for d in &self.demand {
            set.insert(d.ally, d.item);
        }
        for l in &self.lanes {
            for (side, other_single, other_len) in ends(l) {
                if other_len == 0 {
                    continue;
                }
                for a in side.iter(self.allies) {
                    if other_len == 1 && other_single == Some(a) {
                        continue;
                    }
                    for &k in &l.items {
                        set.insert(a, k);
                    }
                }
            }
        }
        Nodes { count: set.len() }
    }

    /// The estimate, or why it is beyond `limit`.
    pub fn check(&self, limit: u64) -> Result<Estimate, TooLarge> {
        let estimate = self.estimate(limit);
        if estimate.size() <= limit {
            return Ok(estimate);
        }
        let (cause, detail) = self.cause(&estimate);
        Err(TooLarge {
            estimate,
            limit,
            cause,
            detail,
        })
    }

    /// The main reason for a large estimate.
    fn cause(&self, estimate: &Estimate) -> (Cause, String) {
        let t = self.periods;
        // Size per lane entry (both directions together).
        let mut per_entry: HashMap<usize, (u64, u64)> = HashMap::new();
        for l in &self.lanes {
            let pairs = self.pairs(l);
            // Its part of the memory, or of the non-zeros (a dispatch column
            // is in two balance rows).
            let k = l.items.len() as u64;
            let memory = pairs.saturating_mul(t.saturating_add(k).saturating_add(LANE_WORDS));
            let nonzeros = pairs
                .saturating_mul(k)
                .saturating_mul(l.open)
                .saturating_mul(2);
            let size = memory.max(nonzeros);
            let e = per_entry.entry(l.entry).or_default();
            e.0 = e.0.saturating_add(pairs);
            e.1 = e.1.saturating_add(size);
        }
        let biggest = per_entry
            .iter()
            .max_by_key(|(entry, (_, size))| (*size, std::cmp::Reverse(**entry)));
        if let Some((&entry, &(lanes, size))) = biggest
            && size >= estimate.size() / 2
        {
            let items = self
                .lanes
                .iter()
                .find(|l| l.entry == entry)
                .map_or(0, |l| l.items.len());
            return (
                Cause::Lane { entry, lanes },
                format!(
                    "lanes[{entry}] makes {lanes} lanes, each for {items} item{} over {t} period{}",
                    plural(items as u64),
                    plural(t)
                ),
            );
        }
        if t > 1 {
            return (
                Cause::Periods,
                format!("periods = {t}: every quantity, lane and stock is counted once per period"),
            );
        }
        (
            Cause::Entries,
            format!(
                "{} supply, {} demand entries and {} lane entries",
                self.supply.len(),
                self.demand.len(),
                per_entry.len()
            ),
        )
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

struct Nodes {
    count: u64,
}

enum NodeSet {
    /// One bit per (ally, item); the second field is the number of items.
    Bits(Vec<u64>, usize),
    Hash(HashSet<(usize, usize)>),
}

impl NodeSet {
    fn insert(&mut self, a: usize, k: usize) {
        match self {
            NodeSet::Bits(bits, items) => {
                let i = a * *items + k;
                if let Some(w) = bits.get_mut(i / 64) {
                    *w |= 1 << (i % 64);
                }
            }
            NodeSet::Hash(set) => {
                set.insert((a, k));
            }
        }
    }

    fn len(&self) -> u64 {
        match self {
            NodeSet::Bits(bits, _) => bits.iter().map(|w| u64::from(w.count_ones())).sum(),
            NodeSet::Hash(set) => set.len() as u64,
        }
    }
}

/// The shape of a validated problem (each lane is its own entry).
pub fn of_problem(p: &Problem) -> Shape {
    let t = p.periods;
    Shape {
        periods: t as u64,
        allies: p.allies.len(),
        items: p.items.len(),
        reusable: p.items.iter().map(|k| k.reusable).collect(),
        supply: p
            .supply
            .iter()
            .map(|s| SupplyShape {
                ally: s.ally,
                item: s.item,
                make: Periods::of(&s.production, |v| v > 0.0),
                surge: Periods::of(&s.surge, |v| v > 0.0),
                export_limited: Periods::of(&s.export_limit, f64::is_finite),
                reserve: s.reserve > 0.0,
            })
            .collect(),
        demand: p
            .demand
            .iter()
            .map(|d| DemandShape {
                ally: d.ally,
                item: d.item,
                positive: Periods::of(&d.quantity, |v| v > 0.0),
            })
            .collect(),
        lanes: p
            .lanes
            .iter()
            .map(|l| {
                let open = crate::problem::dispatch_periods(t as u64, l.lead_time as u64) as usize;
                let dispatch = &l.capacity[..open.min(l.capacity.len())];
                LaneShape {
                    entry: l.entry,
                    from: Allies::These(vec![l.from]),
                    to: Allies::These(vec![l.to]),
                    items: l.items.clone(),
                    open: dispatch.iter().filter(|&&c| c > 0.0).count() as u64,
                    open_limited: dispatch
                        .iter()
                        .filter(|&&c| c > 0.0 && c.is_finite())
                        .count() as u64,
                }
            })
            .collect(),
    }
}

/// The size estimate of a validated problem (its base LP).
pub fn estimate(p: &Problem) -> Estimate {
    of_problem(p).estimate(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_size(p: &Problem) -> (u64, u64, u64) {
        let m = crate::model::build(p);
        (
            m.lp.cols.len() as u64,
            m.lp.rows.len() as u64,
            m.lp.nonzeros() as u64,
        )
    }

    /// The estimate agrees with the LP actually built: exactly for columns
    /// and balance rows, and from above (within 10 %) where it is a bound.
    fn agrees(p: &Problem, what: &str) {
        let e = estimate(p);
        let (cols, rows, nz) = model_size(p);
        assert_eq!(e.variables, cols, "{what}: variables");
        assert!(
            e.rows >= rows && e.rows as f64 <= rows as f64 * 1.1 + 2.0,
            "{what}: rows {} vs {rows}",
            e.rows
        );
        assert!(
            e.nonzeros >= nz && e.nonzeros as f64 <= nz as f64 * 1.1 + 2.0,
            "{what}: non-zeros {} vs {nz}",
            e.nonzeros
        );
    }

    #[test]
    fn estimate_matches_the_model_on_the_sample_problems() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("problems");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("problems/") {
            let path = entry.expect("entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let p = crate::load(&path).unwrap_or_else(|e| panic!("{e}"));
            agrees(&p, &path.display().to_string());
            for s in &p.scenarios {
                agrees(
                    &p.with_scenario(s),
                    &format!("{} / {}", path.display(), s.name),
                );
            }
            seen += 1;
        }
        assert!(seen >= 5, "only {seen} sample problems");
    }

    #[test]
    fn estimate_matches_the_model_on_generated_problems() {
        for (allies, items, periods) in [(6, 2, 4), (12, 3, 6), (30, 4, 3)] {
            let text = crate::generate::Size::new(allies, items, periods)
                .seed(3)
                .toml();
            let p = crate::load_str(&text, "gen.toml").unwrap_or_else(|e| panic!("{e}"));
            agrees(&p, &format!("generated {allies}×{items}×{periods}"));
        }
    }

    #[test]
    fn the_shape_before_expansion_equals_the_shape_after() {
        let text = r#"
            periods = 4
            [[items]]
            id = "a"
            [[items]]
            id = "b"
            [[allies]]
            id = "X"
            [[allies]]
            id = "Y"
            [[allies]]
            id = "Z"
            [[supply]]
            ally = "X"
            item = "a"
            stock = 10
            reserve = 4
            production = [1, 0, 2, 0]
            export_limit = 5
            [[demand]]
            ally = "X"
            item = "a"
            quantity = [0, 3, 0, 1]
            [[demand]]
            ally = "Z"
            item = "b"
            quantity = 2
            [[lanes]]
            from = "*"
            to = "*"
            capacity = [1, 0, 2, 3]
            lead_time = 1
            [[lanes]]
            from = "X"
            to = ["Y", "Z"]
            items = ["a"]
            bidirectional = true
        "#;
        let p = crate::load_str(text, "s.toml").unwrap_or_else(|e| panic!("{e}"));
        let raw = crate::load::parse_raw(text, std::path::Path::new("s.toml"), crate::Format::Toml)
            .unwrap_or_else(|e| panic!("{e}"));
        let before = crate::validate::shape(&raw).estimate(u64::MAX);
        let after = estimate(&p);
        assert_eq!(before, after);
        agrees(&p, "hand-made");
        // 6 ordered pairs × 4 periods + 4 more lanes, 3 supply numbers and 2
        // demands per period; 16 words per supply and lane, 8 per demand.
        assert_eq!(
            after.values,
            4 * (3 + 2 + 6 + 4) + 6 * 2 + 4 + 16 + 2 * 8 + 10 * 16
        );
    }

    #[test]
    fn star_lanes_are_counted_without_being_made() {
        let shape = Shape {
            periods: 1000,
            allies: 5000,
            items: 1,
            lanes: vec![LaneShape {
                entry: 0,
                from: Allies::All,
                to: Allies::All,
                items: vec![0],
                open: 1000,
                open_limited: 0,
            }],
            ..Shape::default()
        };
        let err = shape.check(DEFAULT_MAX_SIZE).unwrap_err();
        assert_eq!(
            err.cause,
            Cause::Lane {
                entry: 0,
                lanes: 5000 * 4999
            }
        );
        assert_eq!(err.estimate.values, (1000 + 1 + 16) * 5000 * 4999);
        assert!(err.detail.contains("24995000 lanes"), "{}", err.detail);
    }

    #[test]
    fn a_long_horizon_is_named() {
        let shape = Shape {
            periods: 1_000_000_000,
            allies: 2,
            items: 1,
            supply: vec![SupplyShape {
                ally: 0,
                item: 0,
                make: Periods::All,
                surge: Periods::none(),
                export_limited: Periods::none(),
                reserve: false,
            }],
            ..Shape::default()
        };
        let err = shape.check(DEFAULT_MAX_SIZE).unwrap_err();
        assert_eq!(err.cause, Cause::Periods);
        assert!(
            err.detail.starts_with("periods = 1000000000"),
            "{}",
            err.detail
        );
        let small = Shape {
            periods: 10,
            ..shape
        };
        let ok = small.check(DEFAULT_MAX_SIZE).unwrap();
        // make 10 + stock 10 columns; 10 balance rows with f, previous f, make.
        assert_eq!((ok.variables, ok.rows, ok.nonzeros), (20, 10, 29));
    }
}
