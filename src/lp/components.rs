//! Independent parts of a problem, solved apart.
//!
//! Every row of the LP (SPEC §3) lives at one stock node (ally, item): the
//! reserve and free-stock balances and the export limit are per node, and a
//! dispatch column `x[l,k,t]` links only the nodes `(o(l), k)` and
//! `(d(l), k)`. The one row that spans several nodes is the capacity of a
//! lane carrying several items, which ties those items together at the
//! lane's origin. So the nodes fall into *components*: union-find joins
//! `(o(l), k)` with `(d(l), k)` for every item `k` a lane carries, and, when
//! the lane's capacity is finite in some period, all its items at its
//! origin. Two components share no row and no column. A shortage cap
//! ([`crate::problem::ShortageCap`], the guarantee of SPEC §9) is a row over
//! the served columns of one ally's demand in one tier, so it joins those
//! demand nodes too (every item the ally needs in that tier). (A lane carrying
//! several items without a capacity has no row across them, so its items
//! may fall into different components; each gets the lane with its own
//! items.)
//!
//! The lexicographic optimum of SPEC §4 decomposes over components:
//!
//! - each tier's weighted shortage `SH_g` is a sum over the parts, each term
//!   depending on its own part only; over a product of feasible sets, a sum
//!   is minimal exactly when every term is, so a plan is optimal for tier g
//!   (given the holds of the earlier tiers, which decompose the same way)
//!   iff each part's plan is;
//! - a fill rate belongs to one (ally, item) and so to one part; the leximin
//!   optimum of fill rates over a product of independent feasible sets is
//!   the concatenation of the parts' leximin optima (raising the smallest
//!   fill rate anywhere is raising it in its own part, with the others
//!   untouched), and the per-pair holds that follow are per part again;
//! - the cost `C` is a sum over the parts, minimal iff every term is.
//!
//! A component without demand has no shortage or fill rate to improve, and
//! costs are ≥ 0 in a validated problem, so shipping and making nothing is
//! its optimum: it is left out, and its quantities stay 0.
//!
//! [`split`] returns the components with demand as [`Component`]s (index
//! sets into the original problem), ordered by their smallest demand index,
//! so that the order never depends on hashing or threads.
//! [`Component::problem`] makes one into a [`Problem`] of its own.

use std::collections::HashMap;

use crate::problem::{Lane, Problem};

/// One independent part: indices into the original problem's entries, each
/// list ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Indices into [`Problem::supply`].
    pub supply: Vec<usize>,
    /// Indices into [`Problem::demand`] (never empty).
    pub demand: Vec<usize>,
    /// The lanes with items of this part, by lane index.
    pub lanes: Vec<PartLane>,
}

/// A lane of a [`Component`], with the items it carries there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartLane {
    /// Index into [`Problem::lanes`].
    pub lane: usize,
    /// The lane's items in this part, ascending: all of them when the
    /// lane's capacity couples them, else those whose nodes are here.
    pub items: Vec<usize>,
}

impl Component {
    /// The part as a problem of its own: every ally, item and tier of `p`
    /// (so ally, item and tier indices stay valid), but only this part's
    /// supply, demand and lanes (each lane with its items in this part), in
    /// the original order. Index `i` of the part's supply is
    /// `self.supply[i]` of `p`; likewise demand, and lanes through
    /// [`PartLane::lane`].
    /// The part has no scenarios (apply one to `p` first), no
    /// stockpiles and no expectations.
    pub fn problem(&self, p: &Problem) -> Problem {
        Problem {
            name: p.name.clone(),
            description: p.description.clone(),
            periods: p.periods,
            tiers: p.tiers.clone(),
            fairness: p.fairness,
            guarantee: p.guarantee,
            caps: p
                .caps
                .iter()
                .filter(|c| {
                    self.demand
                        .iter()
                        .any(|&i| p.demand[i].ally == c.ally && p.demand[i].tier == c.tier)
                })
                .copied()
                .collect(),
            items: p.items.clone(),
            allies: p.allies.clone(),
            supply: self.supply.iter().map(|&i| p.supply[i].clone()).collect(),
            demand: self.demand.iter().map(|&i| p.demand[i].clone()).collect(),
            lanes: self
                .lanes
                .iter()
                .map(|pl| Lane {
                    items: pl.items.clone(),
                    ..p.lanes[pl.lane].clone()
                })
                .collect(),
            scenarios: Vec::new(),
            stockpiles: Vec::new(),
            expect: None,
        }
    }
}

/// Union-find with path halving and union by size.
struct Sets {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl Sets {
    fn add(&mut self) -> usize {
        self.parent.push(self.parent.len());
        self.size.push(1);
        self.parent.len() - 1
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn join(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

/// The independent parts of `p` that have demand, ordered by their smallest
/// demand index (see the module documentation). Lanes carrying no item
/// belong to no part.
pub fn split(p: &Problem) -> Vec<Component> {
    let mut sets = Sets {
        parent: Vec::new(),
        size: Vec::new(),
    };
    // Only the nodes something touches.
    let mut nodes: HashMap<(usize, usize), usize> = HashMap::new();
    let mut node = |sets: &mut Sets, a: usize, k: usize| -> usize {
        *nodes.entry((a, k)).or_insert_with(|| sets.add())
    };
    let supply_node: Vec<usize> = p
        .supply
        .iter()
        .map(|s| node(&mut sets, s.ally, s.item))
        .collect();
    let demand_node: Vec<usize> = p
        .demand
        .iter()
        .map(|d| node(&mut sets, d.ally, d.item))
        .collect();
    for l in &p.lanes {
        let coupled = l.items.len() > 1 && l.capacity.iter().any(|c| c.is_finite());
        let mut first: Option<usize> = None;
        for &k in &l.items {
            let from = node(&mut sets, l.from, k);
            let to = node(&mut sets, l.to, k);
            sets.join(from, to);
            match first {
                None => first = Some(from),
                Some(f) if coupled => sets.join(f, from),
                Some(_) => {}
            }
        }
    }

    // A shortage cap (SPEC §9's guarantee row) spans every item the ally
    // needs in the tier: its demand nodes are one part.
    for cap in &p.caps {
        let mut first: Option<usize> = None;
        for (d, &n) in p.demand.iter().zip(&demand_node) {
            if d.ally != cap.ally || d.tier != cap.tier {
                continue;
            }
            match first {
                None => first = Some(n),
                Some(f) => sets.join(f, n),
            }
        }
    }

    // One component per root with demand, numbered in demand order.
    let mut index_of_root: HashMap<usize, usize> = HashMap::new();
    let mut parts: Vec<Component> = Vec::new();
    for (i, &n) in demand_node.iter().enumerate() {
        let root = sets.find(n);
        let c = *index_of_root.entry(root).or_insert_with(|| {
            parts.push(Component {
                supply: Vec::new(),
                demand: Vec::new(),
                lanes: Vec::new(),
            });
            parts.len() - 1
        });
        parts[c].demand.push(i);
    }
    for (i, &n) in supply_node.iter().enumerate() {
        if let Some(&c) = index_of_root.get(&sets.find(n)) {
            parts[c].supply.push(i);
        }
    }
    // A lane without a capacity may carry items of several parts: each
    // part gets the lane with its own items.
    for (i, l) in p.lanes.iter().enumerate() {
        for &k in &l.items {
            let root = sets.find(nodes[&(l.from, k)]);
            let Some(&c) = index_of_root.get(&root) else {
                continue;
            };
            match parts[c].lanes.last_mut() {
                Some(last) if last.lane == i => last.items.push(k),
                _ => parts[c].lanes.push(PartLane {
                    lane: i,
                    items: vec![k],
                }),
            }
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"
[[items]]
id = "chips"
[[items]]
id = "masks"
[[allies]]
id = "US"
[[allies]]
id = "JP"
[[allies]]
id = "KR"
[[allies]]
id = "AU"
"#;

    fn load(body: &str) -> Problem {
        crate::load_str(&format!("{HEAD}{body}"), "parts.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn supply(ally: &str, item: &str) -> String {
        format!("[[supply]]\nally = \"{ally}\"\nitem = \"{item}\"\nstock = 10\n")
    }

    fn demand(ally: &str, item: &str) -> String {
        format!(
            "[[demand]]\nally = \"{ally}\"\nitem = \"{item}\"\ntier = \"critical\"\nquantity = 5\n"
        )
    }

    fn lane(from: &str, to: &str, extra: &str) -> String {
        format!("[[lanes]]\nfrom = \"{from}\"\nto = \"{to}\"\n{extra}")
    }

    /// Supply of both items at the US, demand of both in Japan.
    fn two_items_us_to_jp(lane_extra: &str) -> Problem {
        load(
            &[
                supply("US", "chips"),
                supply("US", "masks"),
                demand("JP", "chips"),
                demand("JP", "masks"),
                lane("US", "JP", lane_extra),
            ]
            .concat(),
        )
    }

    #[test]
    fn capacity_keeps_a_lanes_items_together() {
        let p = two_items_us_to_jp("capacity = 8\n");
        let parts = split(&p);
        assert_eq!(
            parts,
            [Component {
                supply: vec![0, 1],
                demand: vec![0, 1],
                lanes: vec![PartLane {
                    lane: 0,
                    items: vec![0, 1]
                }],
            }]
        );
    }

    #[test]
    fn capacity_finite_in_one_period_is_enough() {
        let mut p = two_items_us_to_jp("");
        p.periods = 2;
        for s in &mut p.supply {
            s.production = vec![0.0; 2];
            s.surge = vec![0.0; 2];
            s.export_limit = vec![f64::INFINITY; 2];
        }
        for d in &mut p.demand {
            d.quantity = vec![5.0; 2];
        }
        p.lanes[0].capacity = vec![f64::INFINITY, 3.0];
        assert_eq!(split(&p).len(), 1);
        p.lanes[0].capacity = vec![f64::INFINITY; 2];
        assert_eq!(split(&p).len(), 2);
    }

    #[test]
    fn a_lane_without_capacity_splits_its_items() {
        let p = two_items_us_to_jp("");
        let parts = split(&p);
        assert_eq!(
            parts,
            [
                Component {
                    supply: vec![0],
                    demand: vec![0],
                    lanes: vec![PartLane {
                        lane: 0,
                        items: vec![0]
                    }],
                },
                Component {
                    supply: vec![1],
                    demand: vec![1],
                    lanes: vec![PartLane {
                        lane: 0,
                        items: vec![1]
                    }],
                },
            ]
        );
        // Each part is a problem with every ally and item, and the lane
        // carries only the part's item.
        let masks = parts[1].problem(&p);
        assert_eq!(masks.allies, p.allies);
        assert_eq!(masks.items, p.items);
        assert_eq!(masks.supply, [p.supply[1].clone()]);
        assert_eq!(masks.demand, [p.demand[1].clone()]);
        assert_eq!(masks.lanes.len(), 1);
        assert_eq!(masks.lanes[0].items, [1]);
        assert_eq!(masks.lanes[0].entry, p.lanes[0].entry);
    }

    #[test]
    fn allies_without_a_lane_between_them_are_apart() {
        // US→JP for chips; KR and AU hold and need masks, with no lane.
        let p = load(
            &[
                demand("KR", "masks"),
                supply("US", "chips"),
                demand("JP", "chips"),
                supply("AU", "masks"),
                demand("AU", "masks"),
                lane("US", "JP", "items = [\"chips\"]\n"),
            ]
            .concat(),
        );
        let parts = split(&p);
        // Ordered by the smallest demand index: KR (demand 0) first. AU's
        // supply serves only AU.
        assert_eq!(
            parts,
            [
                Component {
                    supply: vec![],
                    demand: vec![0],
                    lanes: vec![],
                },
                Component {
                    supply: vec![0],
                    demand: vec![1],
                    lanes: vec![PartLane {
                        lane: 0,
                        items: vec![0]
                    }],
                },
                Component {
                    supply: vec![1],
                    demand: vec![2],
                    lanes: vec![],
                },
            ]
        );
    }

    #[test]
    fn lanes_chain_allies_and_parts_without_demand_are_left_out() {
        // US→JP→KR for chips joins all three; AU's masks have no demand.
        let p = load(
            &[
                supply("US", "chips"),
                supply("AU", "masks"),
                demand("KR", "chips"),
                lane("US", "JP", ""),
                lane("JP", "KR", "items = [\"chips\"]\n"),
                lane("AU", "KR", "items = [\"masks\"]\n"),
            ]
            .concat(),
        );
        let parts = split(&p);
        assert_eq!(
            parts,
            [Component {
                supply: vec![0],
                demand: vec![0],
                lanes: vec![
                    PartLane {
                        lane: 0,
                        items: vec![0]
                    },
                    PartLane {
                        lane: 1,
                        items: vec![0]
                    },
                ],
            }]
        );
    }

    #[test]
    fn a_problem_without_demand_has_no_parts() {
        let p = load(&[supply("US", "chips"), lane("US", "JP", "")].concat());
        assert!(split(&p).is_empty());
    }
}
