//! Validated [`Problem`] → the LP of SPEC §3, as a plain sparse matrix
//! ([`Lp`]) whose columns are named by domain keys
//! (`ship[TW->US#0,chips,t3]`), plus the index that maps plan quantities to
//! columns ([`Model`]).
//!
//! Only columns that can be non-zero are created: no `x` for lanes closed in
//! a period or dispatches arriving after T, no `p`/`s`/`u` where the bound is
//! 0, no reserve columns where there is no reserve (nor for a reusable
//! item, SPEC §8, whose reserve serves every period). Single-item lane
//! capacities become column bounds; other capacities and export limits are
//! rows, and only where finite.

use std::collections::HashMap;

use crate::problem::Problem;

/// A column: a variable with bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Domain name, e.g. `serve[US,chips,critical,t2]`.
    pub name: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound (`f64::INFINITY` for none).
    pub hi: f64,
}

/// A row: `lo ≤ Σ coef·x ≤ hi`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Domain name, e.g. `balance[US,chips,t2]`.
    pub name: String,
    /// Sparse coefficients (column, value).
    pub coefs: Vec<(usize, f64)>,
    /// Lower bound (`-inf` for none).
    pub lo: f64,
    /// Upper bound (`inf` for none).
    pub hi: f64,
}

/// A sparse LP without objective.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lp {
    /// Variables.
    pub cols: Vec<Column>,
    /// Constraints.
    pub rows: Vec<Row>,
}

impl Lp {
    fn col(&mut self, name: String, lo: f64, hi: f64) -> usize {
        self.cols.push(Column { name, lo, hi });
        self.cols.len() - 1
    }

    fn row(&mut self, name: String, coefs: Vec<(usize, f64)>, lo: f64, hi: f64) {
        self.rows.push(Row {
            name,
            coefs,
            lo,
            hi,
        });
    }

    /// Number of non-zero coefficients.
    pub fn nonzeros(&self) -> usize {
        self.rows.iter().map(|r| r.coefs.len()).sum()
    }
}

/// A dispatch column: units of `item` sent on `lane` in `period` (0-based).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShipCol {
    /// Lane index.
    pub lane: usize,
    /// Item index.
    pub item: usize,
    /// 0-based dispatch period.
    pub period: usize,
    /// Column.
    pub col: usize,
}

/// The LP and where each plan quantity lives in it.
#[derive(Debug, Clone)]
pub struct Model {
    /// The constraint matrix and bounds.
    pub lp: Lp,
    /// Every dispatch column.
    pub ship: Vec<ShipCol>,
    /// `[supply][t]` → normal production column.
    pub make: Vec<Vec<Option<usize>>>,
    /// `[supply][t]` → surge production column.
    pub surge: Vec<Vec<Option<usize>>>,
    /// `[demand][t]` → served column.
    pub serve: Vec<Vec<Option<usize>>>,
    /// `[supply][t]` → reserve drawn column.
    pub draw: Vec<Vec<Option<usize>>>,
    /// Per tier: `Σ value·u` as (column, coefficient), values counted in
    /// [`Model::value_unit`]; maximising it minimises that tier's weighted
    /// shortage.
    pub tier_served: Vec<Vec<(usize, f64)>>,
    /// Per tier: the constant `Σ value·demand`, in [`Model::value_unit`].
    pub tier_weighted_demand: Vec<f64>,
    /// The unit item values are counted in by `tier_served` and
    /// `tier_weighted_demand` ([`crate::units::value_unit`]).
    pub value_unit: f64,
    /// Total cost as (column, coefficient).
    pub cost: Vec<(usize, f64)>,
    /// The rows of the problem's shortage caps
    /// ([`crate::problem::ShortageCap`]) that can bind.
    pub caps: Vec<usize>,
    /// `(ally, item)` → the row of its first period's free-stock balance,
    /// whose right-hand side is `stock − reserve` (for every (ally, item)
    /// with a node: a supply or demand entry, or a lane carrying the item).
    /// Units placed there before the horizon (SPEC §12) enter this row.
    pub stock_rows: HashMap<(usize, usize), usize>,
}

/// Builds the LP of SPEC §3 for `p`.
pub fn build(p: &Problem) -> Model {
    let t_len = p.periods;
    let mut lp = Lp::default();
    let ally = |a: usize| p.allies[a].id.as_str();
    let item = |k: usize| p.items[k].id.as_str();

    // One stock node per (ally, item) that anything touches.
    let mut nodes: HashMap<(usize, usize), usize> = HashMap::new();
    let mut node_keys: Vec<(usize, usize)> = Vec::new();
    let mut node = |a: usize, k: usize| -> usize {
        *nodes.entry((a, k)).or_insert_with(|| {
            node_keys.push((a, k));
            node_keys.len() - 1
        })
    };
    let supply_node: Vec<usize> = p.supply.iter().map(|s| node(s.ally, s.item)).collect();
    let demand_node: Vec<usize> = p.demand.iter().map(|d| node(d.ally, d.item)).collect();
    for l in &p.lanes {
        for &k in &l.items {
            node(l.from, k);
            node(l.to, k);
        }
    }
    let n_nodes = node_keys.len();
    let mut supply_of: Vec<Option<usize>> = vec![None; n_nodes];
    for (i, &n) in supply_node.iter().enumerate() {
        supply_of[n] = Some(i);
    }

    // Per node and period: the flows into the balance row.
    let mut inflow: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); t_len]; n_nodes];
    let mut outflow: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); t_len]; n_nodes];
    let mut served_at: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); t_len]; n_nodes];

    // Dispatch columns.
    let mut ship = Vec::new();
    let mut lane_rows: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for (li, l) in p.lanes.iter().enumerate() {
        let single = l.items.len() == 1;
        for (t, &capacity) in l.capacity.iter().enumerate().take(t_len) {
            let Some(arrival) = l.arrival(t, t_len) else {
                continue;
            };
            if capacity <= 0.0 {
                continue;
            }
            let hi = if single { capacity } else { f64::INFINITY };
            let mut cols = Vec::new();
            for &k in &l.items {
                let col = lp.col(
                    format!(
                        "ship[{}->{}#{li},{},t{}]",
                        ally(l.from),
                        ally(l.to),
                        item(k),
                        t + 1
                    ),
                    0.0,
                    hi,
                );
                ship.push(ShipCol {
                    lane: li,
                    item: k,
                    period: t,
                    col,
                });
                outflow[nodes[&(l.from, k)]][t].push(col);
                inflow[nodes[&(l.to, k)]][arrival].push(col);
                cols.push(col);
            }
            if !single && capacity.is_finite() {
                lane_rows.push((li, t, cols));
            }
        }
    }

    // Production, surge, served.
    let mut make = vec![vec![None; t_len]; p.supply.len()];
    let mut surge = vec![vec![None; t_len]; p.supply.len()];
    for (i, s) in p.supply.iter().enumerate() {
        for t in 0..t_len {
            if s.production[t] > 0.0 {
                make[i][t] = Some(lp.col(
                    format!("make[{},{},t{}]", ally(s.ally), item(s.item), t + 1),
                    0.0,
                    s.production[t],
                ));
            }
            if s.surge[t] > 0.0 {
                surge[i][t] = Some(lp.col(
                    format!("surge[{},{},t{}]", ally(s.ally), item(s.item), t + 1),
                    0.0,
                    s.surge[t],
                ));
            }
        }
    }
    let mut serve = vec![vec![None; t_len]; p.demand.len()];
    let mut tier_served = vec![Vec::new(); p.tiers.len()];
    let mut tier_weighted_demand = vec![0.0; p.tiers.len()];
    let value_unit = crate::units::value_unit(p);
    for (i, d) in p.demand.iter().enumerate() {
        let value = p.items[d.item].value / value_unit;
        for t in 0..t_len {
            if d.quantity[t] > 0.0 {
                let col = lp.col(
                    format!(
                        "serve[{},{},{},t{}]",
                        ally(d.ally),
                        item(d.item),
                        p.tiers[d.tier],
                        t + 1
                    ),
                    0.0,
                    d.quantity[t],
                );
                serve[i][t] = Some(col);
                served_at[demand_node[i]][t].push(col);
                tier_served[d.tier].push((col, value));
                tier_weighted_demand[d.tier] += value * d.quantity[t];
            }
        }
    }

    // Reserve: r[t] = r[t-1] - w[t], w[t] ≤ Σ_g u[t].
    // A reusable item's reserve is not drawn: it serves every period (§8).
    let mut draw = vec![vec![None; t_len]; p.supply.len()];
    for (i, s) in p.supply.iter().enumerate() {
        if s.reserve <= 0.0 || p.items[s.item].reusable {
            continue;
        }
        let n = supply_node[i];
        let mut prev_r: Option<usize> = None;
        for t in 0..t_len {
            if served_at[n][t].is_empty() {
                // Nothing to serve at home: nothing is drawn, r[t] = r[t-1].
                continue;
            }
            let w = lp.col(
                format!("draw[{},{},t{}]", ally(s.ally), item(s.item), t + 1),
                0.0,
                s.reserve,
            );
            let r = lp.col(
                format!("reserve[{},{},t{}]", ally(s.ally), item(s.item), t + 1),
                0.0,
                s.reserve,
            );
            draw[i][t] = Some(w);
            let mut coefs = vec![(r, 1.0), (w, 1.0)];
            let rhs = match prev_r {
                Some(pr) => {
                    coefs.push((pr, -1.0));
                    0.0
                }
                None => s.reserve,
            };
            lp.row(
                format!("reserve[{},{},t{}]", ally(s.ally), item(s.item), t + 1),
                coefs,
                rhs,
                rhs,
            );
            let mut cap = vec![(w, 1.0)];
            cap.extend(served_at[n][t].iter().map(|&c| (c, -1.0)));
            lp.row(
                format!("draw_cap[{},{},t{}]", ally(s.ally), item(s.item), t + 1),
                cap,
                f64::NEG_INFINITY,
                0.0,
            );
            prev_r = Some(r);
        }
    }

    // Free stock balance per node and period. For a reusable item (§8) the
    // balance has no serving terms (serving uses units, it does not use
    // them up), and a row per period with demand caps what is served by
    // what is on hand: Σ_g u[t] − f[t] ≤ reserve.
    let mut stock_rows = HashMap::new();
    for (n, &(a, k)) in node_keys.iter().enumerate() {
        let sup = supply_of[n];
        let reusable = p.items[k].reusable;
        let mut prev_f: Option<usize> = None;
        for t in 0..t_len {
            let f = lp.col(
                format!("stock[{},{},t{}]", ally(a), item(k), t + 1),
                0.0,
                f64::INFINITY,
            );
            let mut coefs = vec![(f, 1.0)];
            if let Some(pf) = prev_f {
                coefs.push((pf, -1.0));
            }
            if let Some(i) = sup {
                if let Some(c) = make[i][t] {
                    coefs.push((c, -1.0));
                }
                if let Some(c) = surge[i][t] {
                    coefs.push((c, -1.0));
                }
                if let Some(c) = draw[i][t] {
                    coefs.push((c, -1.0));
                }
            }
            coefs.extend(inflow[n][t].iter().map(|&c| (c, -1.0)));
            coefs.extend(outflow[n][t].iter().map(|&c| (c, 1.0)));
            if !reusable {
                coefs.extend(served_at[n][t].iter().map(|&c| (c, 1.0)));
            }
            let rhs = match (t, sup) {
                (0, Some(i)) => p.supply[i].stock - p.supply[i].reserve,
                _ => 0.0,
            };
            if t == 0 {
                stock_rows.insert((a, k), lp.rows.len());
            }
            lp.row(
                format!("balance[{},{},t{}]", ally(a), item(k), t + 1),
                coefs,
                rhs,
                rhs,
            );
            if reusable && !served_at[n][t].is_empty() {
                let mut coefs: Vec<(usize, f64)> =
                    served_at[n][t].iter().map(|&c| (c, 1.0)).collect();
                coefs.push((f, -1.0));
                lp.row(
                    format!("in_use[{},{},t{}]", ally(a), item(k), t + 1),
                    coefs,
                    f64::NEG_INFINITY,
                    sup.map_or(0.0, |i| p.supply[i].reserve),
                );
            }
            prev_f = Some(f);
        }
        // Export limits.
        if let Some(i) = sup {
            for (t, out) in outflow[n].iter().enumerate() {
                let limit = p.supply[i].export_limit[t];
                if limit.is_finite() && !out.is_empty() {
                    lp.row(
                        format!("export[{},{},t{}]", ally(a), item(k), t + 1),
                        out.iter().map(|&c| (c, 1.0)).collect(),
                        f64::NEG_INFINITY,
                        limit,
                    );
                }
            }
        }
    }

    // Capacities of lanes carrying several items.
    for (li, t, cols) in lane_rows {
        let l = &p.lanes[li];
        lp.row(
            format!("capacity[{}->{}#{li},t{}]", ally(l.from), ally(l.to), t + 1),
            cols.iter().map(|&c| (c, 1.0)).collect(),
            f64::NEG_INFINITY,
            l.capacity[t],
        );
    }

    // Shortage caps (SPEC §9): Σ value·(demand − u) ≤ cap over the ally's
    // demand in the tier, written as Σ value·u ≥ Σ value·demand − cap −
    // slack, in the model's value unit. The slack (CAP_SLACK of the cap and
    // of one unit of the least valuable item, and 1e-12 of the weighted
    // demand) leaves room for the round-off of the alone solve that found
    // the cap: the alone plan keeps the row in exact arithmetic, but its
    // shortage is known only to the solver's tolerance.
    let mut caps = Vec::new();
    for c in &p.caps {
        let mut coefs = Vec::new();
        let mut weighted = 0.0;
        let mut smallest = f64::INFINITY;
        for (i, d) in p.demand.iter().enumerate() {
            if d.ally != c.ally || d.tier != c.tier {
                continue;
            }
            let value = p.items[d.item].value / value_unit;
            for (t, col) in serve[i].iter().enumerate() {
                if let Some(col) = *col {
                    coefs.push((col, value));
                    weighted += value * d.quantity[t];
                    smallest = smallest.min(value);
                }
            }
        }
        let cap = c.cap / value_unit;
        let slack = CAP_SLACK * cap.max(smallest) + 1e-12 * weighted;
        let lo = weighted - cap - slack;
        if coefs.is_empty() || lo <= 0.0 {
            continue;
        }
        caps.push(lp.rows.len());
        lp.row(
            format!("cap[{},{}]", ally(c.ally), p.tiers[c.tier]),
            coefs,
            lo,
            f64::INFINITY,
        );
    }

    // Cost.
    let mut cost = Vec::new();
    for s in &ship {
        let c = p.lanes[s.lane].cost;
        if c > 0.0 {
            cost.push((s.col, c));
        }
    }
    for (i, s) in p.supply.iter().enumerate() {
        for t in 0..t_len {
            if let (Some(c), true) = (make[i][t], s.production_cost > 0.0) {
                cost.push((c, s.production_cost));
            }
            if let (Some(c), true) = (surge[i][t], s.surge_cost > 0.0) {
                cost.push((c, s.surge_cost));
            }
        }
    }

    Model {
        lp,
        ship,
        make,
        surge,
        serve,
        draw,
        tier_served,
        tier_weighted_demand,
        value_unit,
        cost,
        caps,
        stock_rows,
    }
}

/// Relative slack of a shortage cap's row ([`crate::problem::ShortageCap`]):
/// far below SPEC §6's 1e-6, above the alone solve's round-off.
pub const CAP_SLACK: f64 = 1e-9;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::ProblemBuilder;

    /// Two allies, one consumable item, two periods. North holds 10 masks
    /// (4 of them its reserve), makes 3 a period at cost 2 and needs 2 a
    /// period; South needs 6 a period; the lane North → South takes one
    /// period, carries at most 4 and costs 1 a unit.
    fn two_allies() -> Problem {
        let mut b = ProblemBuilder::new("two allies");
        b.periods(2).tiers(["critical"]);
        b.item("masks");
        b.ally("north");
        b.ally("south");
        b.supply("north", "masks")
            .stock(10.0)
            .reserve(4.0)
            .production(3.0)
            .production_cost(2.0);
        b.demand("north", "masks", 2.0);
        b.demand("south", "masks", 6.0);
        b.lane("north", "south")
            .capacity(4.0)
            .lead_time(1)
            .cost(1.0);
        b.build().expect("valid problem")
    }

    #[test]
    fn columns_and_rows_are_the_ones_counted_by_hand() {
        let m = build(&two_allies());
        // Columns, by hand:
        // - ship: dispatched in period 1 it arrives in period 2; one
        //   dispatched in period 2 would arrive after the horizon: 1;
        // - make: 3 a period, 2 periods: 2;
        // - serve: 2 demands × 2 periods: 4;
        // - reserve: North serves at home in both periods, so a draw and
        //   a reserve level per period: 4;
        // - stock: 2 nodes (north, south) × 2 periods: 4.
        // 1 + 2 + 4 + 4 + 4 = 15.
        let names: Vec<&str> = m.lp.cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(m.lp.cols.len(), 15, "{names:?}");
        assert_eq!(m.ship.len(), 1);
        assert_eq!(m.ship[0].period, 0);
        assert_eq!(
            m.lp.cols[m.ship[0].col].hi, 4.0,
            "a single-item lane's capacity is a bound"
        );
        // Rows: 2 nodes × 2 periods of balance, and per period North's
        // reserve level and draw cap: 4 + 4 = 8; no export limit, no lane
        // row (one item: the capacity is a bound), no cap.
        let rows: Vec<&str> = m.lp.rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(m.lp.rows.len(), 8, "{rows:?}");
        // North's first balance row has stock − reserve = 10 − 4 = 6 on
        // the right; South's has 0.
        let north = m.stock_rows[&(0, 0)];
        let south = m.stock_rows[&(1, 0)];
        assert_eq!((m.lp.rows[north].lo, m.lp.rows[north].hi), (6.0, 6.0));
        assert_eq!((m.lp.rows[south].lo, m.lp.rows[south].hi), (0.0, 0.0));
        // Cost: the one dispatch at 1 and the two production columns at 2.
        let mut cost: Vec<f64> = m.cost.iter().map(|&(_, c)| c).collect();
        cost.sort_by(f64::total_cmp);
        assert_eq!(cost, [1.0, 2.0, 2.0]);
        // The tier's weighted demand: value 1 × (2 + 2 + 6 + 6) = 16.
        assert_eq!(m.value_unit, 1.0);
        assert_eq!(m.tier_weighted_demand, [16.0]);
        assert_eq!(m.tier_served[0].len(), 4);
    }

    #[test]
    fn a_reusable_item_has_no_reserve_draws_and_an_in_use_row_per_period_with_demand() {
        let mut b = ProblemBuilder::new("ventilators");
        b.periods(3).tiers(["critical"]);
        b.item("vents").reusable(true);
        b.ally("north");
        b.supply("north", "vents").stock(5.0).reserve(2.0);
        b.demand("north", "vents", vec![4.0, 0.0, 4.0]);
        let m = build(&b.build().expect("valid problem"));
        // Columns: serve in periods 1 and 3 (none where demand is 0), and
        // stock in 3 periods: 5; the reserve of a reusable item is not
        // drawn (SPEC §8), so no draw or reserve columns.
        let names: Vec<&str> = m.lp.cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(m.lp.cols.len(), 5, "{names:?}");
        assert!(m.draw[0].iter().all(Option::is_none));
        // Rows: 3 balance rows and an in-use row in each period with
        // demand (u − f ≤ reserve = 2): 3 + 2 = 5.
        let in_use: Vec<&Row> =
            m.lp.rows
                .iter()
                .filter(|r| r.name.starts_with("in_use["))
                .collect();
        assert_eq!(m.lp.rows.len(), 5);
        assert_eq!(in_use.len(), 2);
        assert!(
            in_use
                .iter()
                .all(|r| r.hi == 2.0 && r.lo == f64::NEG_INFINITY)
        );
        // The balance rows carry no serving term: serving does not use a
        // reusable unit up.
        let served: Vec<usize> = m.serve[0].iter().flatten().copied().collect();
        for r in m.lp.rows.iter().filter(|r| r.name.starts_with("balance[")) {
            assert!(
                r.coefs.iter().all(|(c, _)| !served.contains(c)),
                "{}",
                r.name
            );
        }
    }
}
