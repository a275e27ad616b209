//! Structured benchmark problems, deterministic from a seed.
//!
//! `N` allies on a ring, each linked to its `D` nearest neighbours (`D/2`
//! each way) by two bidirectional lanes carrying every item: a cheap, slow,
//! high-capacity one ("sea") and a dear, fast, small one ("air"). About 40 %
//! of the (ally, item) pairs hold stock, production and surge capacity.
//! Every ally needs most items in three tiers, with per-period demand arrays;
//! supply covers roughly the first two tiers, so the lower tiers are short
//! and their fill rates spread over many distinct levels.
//!
//! The generator builds the problem in code ([`ProblemBuilder`]), so a
//! generated problem goes through the same validation as a user's file;
//! [`Size::toml`] writes it as a problem file that loads to the same
//! problem:
//!
//! ```
//! use allot::generate::Size;
//! let size = Size::new(4, 2, 3).degree(2).seed(7);
//! let problem = size.problem();
//! assert_eq!(problem.allies().len(), 4);
//! assert_eq!(problem.periods(), 3);
//! assert_eq!(allot::load_str(&size.toml(), "gen.toml").unwrap(), problem);
//! ```

use crate::problem::Target;
use crate::problem::builder::{ChangeEntry, ProblemBuilder};

/// The shape of a generated problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Allies (N).
    pub allies: usize,
    /// Items.
    pub items: usize,
    /// Periods (T).
    pub periods: usize,
    /// Neighbours per ally (D); rounded down to even, at most N − 1.
    pub degree: usize,
    /// Random seed.
    pub seed: u64,
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

/// A small deterministic generator (splitmix64), shared by the generator,
/// the benchmarks and the randomised tests, so that a case is one seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform(0.0, 1.0) < p
    }

    /// Uniform in 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Rounds to whole units (keeps numbers short and exact in the file).
fn units(x: f64) -> f64 {
    x.round()
}

impl Size {
    /// `allies × items × periods`, degree 2, seed 1.
    pub fn new(allies: usize, items: usize, periods: usize) -> Size {
        Size {
            allies,
            items,
            periods,
            degree: 2,
            seed: 1,
        }
    }

    /// With `D` neighbours per ally.
    pub fn degree(self, degree: usize) -> Size {
        Size { degree, ..self }
    }

    /// With this seed.
    pub fn seed(self, seed: u64) -> Size {
        Size { seed, ..self }
    }

    /// `NxKxT` (and `dD` when D ≠ 2), for tables.
    pub fn label(&self) -> String {
        format!(
            "{}x{}x{} D={}",
            self.allies, self.items, self.periods, self.degree
        )
    }

    /// The problem, built in code ([`ProblemBuilder`]).
    pub fn builder(&self) -> ProblemBuilder {
        let n = self.allies.max(2);
        let k_len = self.items.max(1);
        let t_len = self.periods.max(1);
        let half = (self.degree.min(n - 1) / 2).max(1);
        let mut rng = Rng::new(self.seed ^ 0xA110_7000);
        let mut b = ProblemBuilder::new(format!(
            "gen-{n}x{k_len}x{t_len}-d{}-s{}",
            2 * half,
            self.seed
        ));
        b.periods(t_len).tiers(["critical", "essential", "routine"]);
        for k in 0..k_len {
            let value = units(rng.uniform(1.0, 5.0));
            b.item(format!("i{k}")).value(value);
        }
        for a in 0..n {
            b.ally(format!("a{a}"));
        }
        // Mean demand per (ally, item, period) is about 100 over the tiers.
        let shares = [("critical", 0.25), ("essential", 0.35), ("routine", 0.4)];
        for a in 0..n {
            for k in 0..k_len {
                let base = rng.uniform(50.0, 150.0);
                for &(tier, share) in &shares {
                    if !rng.chance(0.8) {
                        continue;
                    }
                    let q: Vec<f64> = (0..t_len)
                        .map(|_| units(base * share * rng.uniform(0.6, 1.4)))
                        .collect();
                    b.demand(format!("a{a}"), format!("i{k}"), q).tier(tier);
                }
            }
        }
        // About 40 % of pairs hold supply; normal production covers about 55 %
        // of all demand, surge another 10 %, stock about one period.
        for a in 0..n {
            for k in 0..k_len {
                if !rng.chance(0.4) {
                    continue;
                }
                let make = rng.uniform(80.0, 190.0);
                let stock = units(make * rng.uniform(0.5, 2.0));
                let reserve = units(stock * rng.uniform(0.0, 0.2));
                let production: Vec<f64> = (0..t_len)
                    .map(|_| units(make * rng.uniform(0.7, 1.3)))
                    .collect();
                let surge = units(make * 0.2);
                let production_cost = units(rng.uniform(1.0, 4.0));
                let surge_cost = units(rng.uniform(5.0, 12.0));
                let s = b.supply(format!("a{a}"), format!("i{k}"));
                s.stock(stock)
                    .reserve(reserve)
                    .production(production)
                    .production_cost(production_cost)
                    .surge(surge)
                    .surge_cost(surge_cost);
                if rng.chance(0.3) {
                    s.export_limit(units(make * 0.6));
                }
            }
        }
        // Lanes: ring neighbours at distance 1..=half, both directions.
        for a in 0..n {
            for step in 1..=half {
                let b_ = (a + step) % n;
                if step * 2 == n && a >= b_ {
                    continue; // the pair was made from the other end
                }
                let sea_cap = units(rng.uniform(150.0, 400.0) * k_len as f64 / 3.0);
                let sea_cost = units(rng.uniform(1.0, 3.0));
                let sea_lead = 1 + (rng.next_u64() % 2) as usize;
                let air_cap = units(rng.uniform(15.0, 50.0));
                let air_cost = units(rng.uniform(8.0, 20.0));
                let (from, to) = (format!("a{a}"), format!("a{b_}"));
                b.lane(&from, &to)
                    .bidirectional(true)
                    .cost(sea_cost)
                    .capacity(sea_cap)
                    .lead_time(sea_lead);
                b.lane(&from, &to)
                    .bidirectional(true)
                    .cost(air_cost)
                    .capacity(air_cap)
                    .lead_time(0);
            }
        }
        b
    }

    /// The problem as TOML text ([`ProblemBuilder::toml`] of
    /// [`Size::builder`]).
    pub fn toml(&self) -> String {
        self.builder().toml()
    }

    /// The planning benchmark (SPEC §12): [`Size::builder`] with a
    /// stockpile for every item (a budget of about one period's demand of
    /// a tenth of the allies, anywhere, at cost 0.5) and `scenarios`
    /// disruptions with probabilities summing to 0.6 (the base problem has
    /// 0.4), in turn: demand ×1.6 in a quarter of the allies from period 2,
    /// their production ×0.3, their outgoing lanes closed in the first
    /// half of the horizon, their stock halved. Each scenario's allies are
    /// a block of the ring starting at a random ally, taken from those the
    /// change can select, so every change selects something.
    pub fn planning_builder(&self, scenarios: usize) -> ProblemBuilder {
        let mut b = self.builder();
        let p = b.build().expect("the generator builds valid problems");
        let mut rng = Rng::new(self.seed ^ 0x5_70C6_911E);
        for (k, item) in p.items.iter().enumerate() {
            let need: f64 = p
                .demand
                .iter()
                .filter(|d| d.item == k)
                .map(|d| d.quantity.iter().sum::<f64>())
                .sum::<f64>()
                / p.periods as f64;
            let budget = units((need / 10.0).max(1.0));
            b.stockpile(&item.id, budget).cost(0.5);
        }
        let n = p.allies.len();
        let group = (n / 4).max(1);
        let probability = (0.6 / scenarios.max(1) as f64 * 1e6).floor() / 1e6;
        for j in 0..scenarios {
            // The allies the change can select, in ring order from a random one.
            let candidates: Vec<usize> = match j % 4 {
                0 => p.demand.iter().map(|d| d.ally).collect(),
                1 => p
                    .supply
                    .iter()
                    .filter(|x| x.production.iter().any(|&v| v > 0.0))
                    .map(|x| x.ally)
                    .collect(),
                2 => p.lanes.iter().map(|l| l.from).collect(),
                _ => (0..n).collect(),
            };
            let mut candidates = candidates;
            candidates.sort_unstable();
            candidates.dedup();
            if candidates.is_empty() {
                candidates.push(0);
            }
            let start = rng.below(candidates.len());
            let chosen: Vec<String> = (0..group.min(candidates.len()))
                .map(|i| {
                    p.allies[candidates[(start + i) % candidates.len()]]
                        .id
                        .clone()
                })
                .collect();
            let t = p.periods;
            let (name, change) = match j % 4 {
                0 => (
                    "demand-surge",
                    ChangeEntry::new(Target::Demand, 1.6)
                        .ally(chosen)
                        .periods(2.min(t), t),
                ),
                1 => (
                    "production-cut",
                    ChangeEntry::new(Target::Production, 0.3).ally(chosen),
                ),
                2 => (
                    "lanes-closed",
                    ChangeEntry::new(Target::Lanes, 0.0)
                        .from(chosen)
                        .periods(1, t.div_ceil(2)),
                ),
                _ => (
                    "stock-loss",
                    ChangeEntry::new(Target::Stock, 0.5).ally(chosen),
                ),
            };
            b.scenario(format!("{name}-{j}"))
                .probability(probability)
                .change(change);
        }
        b
    }

    /// [`Size::planning_builder`] as TOML text.
    pub fn planning_toml(&self, scenarios: usize) -> String {
        self.planning_builder(scenarios).toml()
    }

    /// The validated problem.
    pub fn problem(&self) -> crate::Problem {
        self.builder()
            .build()
            .expect("the generator builds valid problems")
    }
}

/// The benchmark sizes of the performance issue: 10×3×6 (D=2),
/// 30×6×12 (D=6), 60×12×26 (D=8).
pub fn benchmark_sizes() -> [Size; 3] {
    [
        Size::new(10, 3, 6).degree(2),
        Size::new(30, 6, 12).degree(6),
        Size::new(60, 12, 26).degree(8),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_text_other_seed_other_text() {
        let a = Size::new(6, 2, 4).degree(2).seed(3);
        assert_eq!(a.toml(), a.toml());
        assert_ne!(a.toml(), a.seed(4).toml());
    }

    /// The TOML written loads to the problem built, for the plain and the
    /// planning problems (stockpiles, scenarios with selectors and periods).
    #[test]
    fn the_toml_loads_to_the_problem_built() {
        for size in [
            Size::new(4, 2, 3).degree(2).seed(7),
            Size::new(10, 3, 6),
            Size::new(9, 2, 5).degree(4).seed(3),
        ] {
            assert_eq!(
                crate::load_str(&size.toml(), "gen.toml").unwrap(),
                size.problem(),
                "{size}"
            );
            let planning = size.planning_builder(5);
            assert_eq!(
                crate::load_str(&planning.toml(), "plan.toml").unwrap(),
                planning.build().unwrap(),
                "{size}"
            );
        }
    }

    #[test]
    fn shape_matches_the_size() {
        let p = Size::new(30, 6, 12).degree(6).problem();
        assert_eq!(p.allies.len(), 30);
        assert_eq!(p.items.len(), 6);
        assert_eq!(p.periods, 12);
        // Each ally has 6 neighbours, two lanes each way per neighbour pair:
        // 30·6/2 pairs × 2 lanes × 2 directions.
        assert_eq!(p.lanes.len(), 360);
        let holders = p.supply.len() as f64 / (30.0 * 6.0);
        assert!((0.25..0.55).contains(&holders), "{holders}");
        let tiers: std::collections::BTreeSet<usize> = p.demand.iter().map(|d| d.tier).collect();
        assert_eq!(tiers.len(), 3);
        // Demand varies over the periods.
        assert!(p.demand.iter().any(|d| d.quantity[0] != d.quantity[1]));
    }
}
