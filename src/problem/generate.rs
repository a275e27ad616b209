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
//! The generator writes problem-file text (TOML), so a generated problem goes
//! through the same loader and validator as a user's file:
//!
//! ```
//! use allot::generate::Size;
//! let text = Size::new(4, 2, 3).degree(2).seed(7).toml();
//! let problem = allot::load_str(&text, "gen.toml").unwrap();
//! assert_eq!(problem.allies.len(), 4);
//! assert_eq!(problem.periods, 3);
//! ```

use std::fmt::Write;

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

fn array(values: &[f64]) -> String {
    let parts: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
    format!("[{}]", parts.join(", "))
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

    /// The problem as TOML text.
    pub fn toml(&self) -> String {
        let n = self.allies.max(2);
        let k_len = self.items.max(1);
        let t_len = self.periods.max(1);
        let half = (self.degree.min(n - 1) / 2).max(1);
        let mut rng = Rng::new(self.seed ^ 0xA110_7000);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "name = \"gen-{n}x{k_len}x{t_len}-d{}-s{}\"",
            2 * half,
            self.seed
        );
        let _ = writeln!(s, "periods = {t_len}");
        let _ = writeln!(s, "tiers = [\"critical\", \"essential\", \"routine\"]\n");
        for k in 0..k_len {
            let value = units(rng.uniform(1.0, 5.0));
            let _ = writeln!(s, "[[items]]\nid = \"i{k}\"\nvalue = {value}\n");
        }
        for a in 0..n {
            let _ = writeln!(s, "[[allies]]\nid = \"a{a}\"\n");
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
                    let _ = writeln!(
                        s,
                        "[[demand]]\nally = \"a{a}\"\nitem = \"i{k}\"\ntier = \"{tier}\"\nquantity = {}\n",
                        array(&q)
                    );
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
                let _ = write!(
                    s,
                    "[[supply]]\nally = \"a{a}\"\nitem = \"i{k}\"\nstock = {stock}\nreserve = {reserve}\nproduction = {}\nproduction_cost = {}\nsurge = {surge}\nsurge_cost = {}\n",
                    array(&production),
                    units(rng.uniform(1.0, 4.0)),
                    units(rng.uniform(5.0, 12.0)),
                );
                if rng.chance(0.3) {
                    let _ = writeln!(s, "export_limit = {}", units(make * 0.6));
                }
                s.push('\n');
            }
        }
        // Lanes: ring neighbours at distance 1..=half, both directions.
        for a in 0..n {
            for step in 1..=half {
                let b = (a + step) % n;
                if step * 2 == n && a >= b {
                    continue; // the pair was made from the other end
                }
                let sea_cap = units(rng.uniform(150.0, 400.0) * k_len as f64 / 3.0);
                let sea_cost = units(rng.uniform(1.0, 3.0));
                let sea_lead = 1 + (rng.next_u64() % 2) as usize;
                let air_cap = units(rng.uniform(15.0, 50.0));
                let air_cost = units(rng.uniform(8.0, 20.0));
                let _ = writeln!(
                    s,
                    "[[lanes]]\nfrom = \"a{a}\"\nto = \"a{b}\"\nbidirectional = true\ncost = {sea_cost}\ncapacity = {sea_cap}\nlead_time = {sea_lead}\n"
                );
                let _ = writeln!(
                    s,
                    "[[lanes]]\nfrom = \"a{a}\"\nto = \"a{b}\"\nbidirectional = true\ncost = {air_cost}\ncapacity = {air_cap}\nlead_time = 0\n"
                );
            }
        }
        s
    }

    /// The planning benchmark (SPEC §12): [`Size::toml`] with a
    /// `[[stockpile]]` for every item (a budget of about one period's
    /// demand of a tenth of the allies, anywhere, at cost 0.5) and
    /// `scenarios` disruptions with probabilities summing to 0.6 (the base
    /// problem has 0.4), in turn: demand ×1.6 in a quarter of the allies
    /// from period 2, their production ×0.3, their outgoing lanes closed in
    /// the first half of the horizon, their stock halved. Each scenario's
    /// allies are a block of the ring starting at a random ally, taken from
    /// those the change can select, so every change selects something.
    pub fn planning_toml(&self, scenarios: usize) -> String {
        let mut s = self.toml();
        let p = self.problem();
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
            let _ = writeln!(
                s,
                "[[stockpile]]\nitem = \"{}\"\nbudget = {budget}\ncost = 0.5\n",
                item.id
            );
        }
        let n = p.allies.len();
        let group = (n / 4).max(1);
        let probability = (0.6 / scenarios.max(1) as f64 * 1e6).floor() / 1e6;
        let id = |a: usize| p.allies[a].id.clone();
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
                .map(|i| format!("\"{}\"", id(candidates[(start + i) % candidates.len()])))
                .collect();
            let allies = format!("[{}]", chosen.join(", "));
            let t = p.periods;
            let (name, change) = match j % 4 {
                0 => (
                    "demand-surge",
                    format!(
                        "{{ target = \"demand\", ally = {allies}, factor = 1.6, periods = [{}, {t}] }}",
                        2.min(t)
                    ),
                ),
                1 => (
                    "production-cut",
                    format!("{{ target = \"production\", ally = {allies}, factor = 0.3 }}"),
                ),
                2 => (
                    "lanes-closed",
                    format!(
                        "{{ target = \"lanes\", from = {allies}, factor = 0, periods = [1, {}] }}",
                        t.div_ceil(2)
                    ),
                ),
                _ => (
                    "stock-loss",
                    format!("{{ target = \"stock\", ally = {allies}, factor = 0.5 }}"),
                ),
            };
            let _ = writeln!(
                s,
                "[[scenarios]]\nname = \"{name}-{j}\"\nprobability = {probability}\nchanges = [{change}]\n"
            );
        }
        s
    }

    /// The validated problem.
    pub fn problem(&self) -> crate::Problem {
        crate::load_str(&self.toml(), "generated.toml")
            .expect("the generator writes valid problems")
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
