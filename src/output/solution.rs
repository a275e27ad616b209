//! The solved plan in domain terms ([`Plan`]) and the result of one solve
//! ([`Solution`]) with every SPEC §6 field, computed from the plan and the
//! problem data — never from LP rows.

use serde::{Deserialize, Serialize};

use crate::problem::{Guarantee, Problem};
use crate::share::{Compare, Marginal};

/// The decisions of a plan, indexed like the problem's entries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    /// `(lane, item, period (0-based), quantity)` for every dispatch.
    pub ship: Vec<(usize, usize, usize, f64)>,
    /// `[supply][t]` normal production.
    pub make: Vec<Vec<f64>>,
    /// `[supply][t]` surge production.
    pub surge: Vec<Vec<f64>>,
    /// `[demand][t]` units served.
    pub served: Vec<Vec<f64>>,
    /// `[supply][t]` reserve drawn to serve the ally's own demand.
    pub draw: Vec<Vec<f64>>,
}

impl Plan {
    /// The plan with every quantity multiplied by `unit`: a plan of
    /// [`crate::units::in_lp_units`]`(p, unit)` back in `p`'s units.
    pub fn in_units_of(mut self, unit: f64) -> Plan {
        for s in &mut self.ship {
            s.3 *= unit;
        }
        for grid in [
            &mut self.make,
            &mut self.surge,
            &mut self.served,
            &mut self.draw,
        ] {
            grid.iter_mut().flatten().for_each(|v| *v *= unit);
        }
        self
    }
}

/// Outcome of a solve (SPEC §6 `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every lexicographic stage solved to optimality and the plan passed
    /// verification.
    Optimal,
    /// The stages solved, but the plan breaks the problem's rules by more
    /// than the verification tolerance (exit 3).
    VerificationFailed,
}

/// One tier's totals (SPEC §6 `tiers`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierResult {
    /// Tier name.
    pub tier: String,
    /// Units demanded over the horizon.
    pub demand: f64,
    /// Units served.
    pub served: f64,
    /// Units short.
    pub shortage: f64,
    /// `Σ value · shortage` — the quantity minimised for this tier.
    pub weighted_shortage: f64,
}

/// One item's totals over every ally and tier (an addition to SPEC §6).
/// For a reusable item (SPEC §8) the quantities are unit-periods: a unit in
/// use for three periods counts three.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    /// Item id.
    pub item: String,
    /// Display unit (may be empty).
    pub unit: String,
    /// Whether the item is reusable.
    pub reusable: bool,
    /// Demanded over the horizon: units, or unit-periods if reusable.
    pub demand: f64,
    /// Served.
    pub served: f64,
    /// `demand − served`.
    pub shortage: f64,
    /// `value · shortage`, summed over the tiers.
    pub weighted_shortage: f64,
}

impl ItemResult {
    /// What the item's quantities count, for people: its unit (or
    /// `units`) for a consumable item; for a reusable one `UNIT-periods`
    /// (`ventilator-periods`), or `unit-periods` when the unit is empty,
    /// `unit` or `units`. Problem files have no word for a period, so the
    /// word is `periods`.
    pub fn measure(&self) -> String {
        let unit = self.unit.trim();
        let plain = unit.is_empty() || unit == "unit" || unit == "units";
        match (self.reusable, plain) {
            (false, true) => "units".into(),
            (false, false) => unit.into(),
            (true, true) => "unit-periods".into(),
            (true, false) => format!("{unit}-periods"),
        }
    }
}

/// Cost breakdown (SPEC §6 `cost`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostResult {
    /// Sum of the three parts.
    pub total: f64,
    /// Lane costs.
    pub transport: f64,
    /// Normal production costs.
    pub production: f64,
    /// Surge production costs.
    pub surge: f64,
}

/// Fill rate of one (ally, item, tier) with demand (SPEC §6 `fill`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FillResult {
    /// Ally id.
    pub ally: String,
    /// Item id.
    pub item: String,
    /// Tier name.
    pub tier: String,
    /// Units demanded over the horizon.
    pub demand: f64,
    /// Units served.
    pub served: f64,
    /// `served / demand`.
    pub fill_rate: f64,
}

/// One positive dispatch (SPEC §6 `shipments`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    /// Origin ally id.
    pub from: String,
    /// Destination ally id.
    pub to: String,
    /// 0-based index of the `[[lanes]]` entry the lane came from
    /// (tells parallel lanes apart).
    pub lane: usize,
    /// Item id.
    pub item: String,
    /// Dispatch period (1-based).
    pub period: usize,
    /// Arrival period (1-based).
    pub arrives: usize,
    /// Units.
    pub quantity: f64,
    /// `quantity · lane cost`.
    pub cost: f64,
}

/// Production of one (ally, item) in one period, when positive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductionResult {
    /// Ally id.
    pub ally: String,
    /// Item id.
    pub item: String,
    /// Period (1-based).
    pub period: usize,
    /// Units of normal production.
    pub normal: f64,
    /// Units of surge production.
    pub surge: f64,
}

/// Stock and service of one (ally, item), one number per period: what a
/// chart of stock over time needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockResult {
    /// Ally id.
    pub ally: String,
    /// Item id.
    pub item: String,
    /// Units on hand at the end of each period (free stock and reserve).
    pub on_hand: Vec<f64>,
    /// Units demanded in each period, all tiers together.
    pub demand: Vec<f64>,
    /// Units served in each period, all tiers together.
    pub served: Vec<f64>,
}

/// One lane (one ordered pair of one `[[lanes]]` entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaneResult {
    /// Origin ally id.
    pub from: String,
    /// Destination ally id.
    pub to: String,
    /// 0-based index of the `[[lanes]]` entry.
    pub lane: usize,
    /// Periods from dispatch to arrival.
    pub lead_time: usize,
}

/// The independent check of the plan against the problem data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// Largest violation found, relative to max(1, |bound|).
    pub max_violation: f64,
    /// Which rule it was (empty when there is none).
    pub worst: String,
    /// `max_violation` ≤ the tolerance.
    pub ok: bool,
}

/// Result of solving one problem or scenario (SPEC §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Solution {
    /// Problem name.
    pub problem: String,
    /// Scenario name, `None` for the base problem.
    pub scenario: Option<String>,
    /// Outcome.
    pub status: Status,
    /// Every tier in priority order.
    pub tiers: Vec<TierResult>,
    /// Every item in file order, with `reusable` (not in SPEC §6).
    pub items: Vec<ItemResult>,
    /// Cost breakdown.
    pub cost: CostResult,
    /// Every (ally, item, tier) with demand, in problem order.
    pub fill: Vec<FillResult>,
    /// Every positive dispatch, by period, then lane, then item.
    pub shipments: Vec<Shipment>,
    /// Every positive production, by ally, item and period.
    pub production: Vec<ProductionResult>,
    /// The horizon length T.
    pub periods: usize,
    /// Every (ally, item) with a `[[supply]]` entry, demand or a shipment,
    /// by ally then item (file order): on hand, demand and service per period.
    pub stock: Vec<StockResult>,
    /// Every lane, in the problem's lane order.
    pub lanes: Vec<LaneResult>,
    /// The plan's independent check.
    pub verification: Verification,
    /// Number of LPs solved.
    pub lp_solves: usize,
    /// `"alone"` when the problem's guarantee was in force (SPEC §9);
    /// left out of the JSON otherwise.
    #[serde(default, skip_serializing_if = "Guarantee::is_none")]
    pub guarantee: Guarantee,
    /// The comparisons asked for (SPEC §10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<Compare>,
    /// The marginal values asked for (SPEC §11), in file
    /// order: allies, then items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub marginal: Option<Vec<Marginal>>,
}

/// Quantities below this many of the LP's units
/// ([`crate::units::lp_unit`], 1 for ordinary quantities) are reported as
/// zero (solver noise).
pub const NOISE: f64 = 1e-9;

/// Replays the plan's stock per (ally, item) and period (SPEC §3's balance:
/// start stock, plus production, surge and arrivals, minus dispatches and
/// what is served from it), for the pairs with supply, demand or shipments.
fn stock_over_time(p: &Problem, plan: &Plan, clean: &dyn Fn(f64) -> f64) -> Vec<StockResult> {
    let (nk, t_len) = (p.items.len(), p.periods);
    let pair = |a: usize, k: usize| a * nk + k;
    let n = p.allies.len() * nk;
    let mut used = vec![false; n];
    let mut flow = vec![vec![0.0; t_len]; n];
    let mut demand = vec![vec![0.0; t_len]; n];
    let mut served = vec![vec![0.0; t_len]; n];
    for (i, s) in p.supply.iter().enumerate() {
        let j = pair(s.ally, s.item);
        used[j] = true;
        for (f, (m, x)) in flow[j]
            .iter_mut()
            .zip(plan.make[i].iter().zip(&plan.surge[i]))
        {
            *f += m + x;
        }
    }
    for (i, d) in p.demand.iter().enumerate() {
        let j = pair(d.ally, d.item);
        used[j] = true;
        for t in 0..t_len {
            demand[j][t] += d.quantity[t];
            served[j][t] += plan.served[i][t];
        }
    }
    for &(l, k, t, q) in &plan.ship {
        let lane = &p.lanes[l];
        let (from, to) = (pair(lane.from, k), pair(lane.to, k));
        used[from] = true;
        used[to] = true;
        flow[from][t] -= q;
        if let Some(arrival) = lane.arrival(t, t_len) {
            flow[to][arrival] += q;
        }
    }
    let mut start = vec![0.0; n];
    for s in &p.supply {
        start[pair(s.ally, s.item)] += s.stock;
    }
    let mut out = Vec::new();
    for a in 0..p.allies.len() {
        for k in 0..nk {
            let j = pair(a, k);
            if !used[j] {
                continue;
            }
            // A reusable item is not used up by serving (SPEC §8): what is
            // on hand is what was held, in use or not.
            let used_up = if p.items[k].reusable { 0.0 } else { 1.0 };
            let mut held = start[j];
            let on_hand = (0..t_len)
                .map(|t| {
                    held += flow[j][t] - used_up * served[j][t];
                    clean(held.max(0.0))
                })
                .collect();
            out.push(StockResult {
                ally: p.allies[a].id.clone(),
                item: p.items[k].id.clone(),
                on_hand,
                demand: demand[j].clone(),
                served: served[j].iter().map(|x| clean(*x)).collect(),
            });
        }
    }
    out
}

impl Solution {
    /// Builds the report fields from `plan`, reading every number from the
    /// plan and the problem data.
    pub fn from_plan(
        p: &Problem,
        scenario: Option<&str>,
        plan: &Plan,
        verification: Verification,
        lp_solves: usize,
    ) -> Solution {
        let noise = NOISE * crate::units::lp_unit(p);
        let clean = |x: f64| if x.abs() < noise { 0.0 } else { x };
        let mut tiers: Vec<TierResult> = p
            .tiers
            .iter()
            .map(|t| TierResult {
                tier: t.clone(),
                demand: 0.0,
                served: 0.0,
                shortage: 0.0,
                weighted_shortage: 0.0,
            })
            .collect();
        let mut items: Vec<ItemResult> = p
            .items
            .iter()
            .map(|k| ItemResult {
                item: k.id.clone(),
                unit: k.unit.clone(),
                reusable: k.reusable,
                demand: 0.0,
                served: 0.0,
                shortage: 0.0,
                weighted_shortage: 0.0,
            })
            .collect();
        let mut fill = Vec::new();
        for (i, d) in p.demand.iter().enumerate() {
            let demand: f64 = d.quantity.iter().sum();
            let served: f64 = plan.served[i].iter().sum();
            let value = p.items[d.item].value;
            let tr = &mut tiers[d.tier];
            tr.demand += demand;
            tr.served += served;
            tr.weighted_shortage += value * (demand - served);
            let it = &mut items[d.item];
            it.demand += demand;
            it.served += served;
            it.weighted_shortage += value * (demand - served);
            if demand > 0.0 {
                fill.push(FillResult {
                    ally: p.allies[d.ally].id.clone(),
                    item: p.items[d.item].id.clone(),
                    tier: p.tiers[d.tier].clone(),
                    demand,
                    served: clean(served),
                    fill_rate: (served / demand).clamp(0.0, 1.0),
                });
            }
        }
        for t in &mut tiers {
            t.shortage = clean((t.demand - t.served).max(0.0));
            t.weighted_shortage = clean(t.weighted_shortage.max(0.0));
            t.served = clean(t.served);
        }
        for k in &mut items {
            k.shortage = clean((k.demand - k.served).max(0.0));
            k.weighted_shortage = clean(k.weighted_shortage.max(0.0));
            k.served = clean(k.served);
        }

        let mut ship: Vec<&(usize, usize, usize, f64)> =
            plan.ship.iter().filter(|s| s.3 > noise).collect();
        ship.sort_by_key(|&&(l, k, t, _)| (t, l, k));
        let mut transport = 0.0;
        let shipments = ship
            .into_iter()
            .map(|&(l, k, t, q)| {
                let lane = &p.lanes[l];
                let cost = q * lane.cost;
                transport += cost;
                Shipment {
                    from: p.allies[lane.from].id.clone(),
                    to: p.allies[lane.to].id.clone(),
                    lane: lane.entry,
                    item: p.items[k].id.clone(),
                    period: t + 1,
                    arrives: t + 1 + lane.lead_time,
                    quantity: q,
                    cost,
                }
            })
            .collect();
        let (mut production_cost, mut surge_cost) = (0.0, 0.0);
        let mut production = Vec::new();
        for (i, s) in p.supply.iter().enumerate() {
            for t in 0..p.periods {
                let (n, x) = (plan.make[i][t], plan.surge[i][t]);
                production_cost += n * s.production_cost;
                surge_cost += x * s.surge_cost;
                if n > noise || x > noise {
                    production.push(ProductionResult {
                        ally: p.allies[s.ally].id.clone(),
                        item: p.items[s.item].id.clone(),
                        period: t + 1,
                        normal: clean(n),
                        surge: clean(x),
                    });
                }
            }
        }
        let stock = stock_over_time(p, plan, &clean);
        let lanes = p
            .lanes
            .iter()
            .map(|l| LaneResult {
                from: p.allies[l.from].id.clone(),
                to: p.allies[l.to].id.clone(),
                lane: l.entry,
                lead_time: l.lead_time,
            })
            .collect();
        let status = if verification.ok {
            Status::Optimal
        } else {
            Status::VerificationFailed
        };
        Solution {
            problem: p.name.clone(),
            scenario: scenario.map(str::to_string),
            status,
            tiers,
            items,
            cost: CostResult {
                total: clean(transport + production_cost + surge_cost),
                transport: clean(transport),
                production: clean(production_cost),
                surge: clean(surge_cost),
            },
            fill,
            shipments,
            production,
            periods: p.periods,
            stock,
            lanes,
            verification,
            lp_solves,
            guarantee: Guarantee::None,
            compare: None,
            marginal: None,
        }
    }

    /// The tier called `name`.
    pub fn tier(&self, name: &str) -> Option<&TierResult> {
        self.tiers.iter().find(|t| t.tier == name)
    }

    /// The fill rate of (`ally`, `item`, `tier`), if it has demand.
    pub fn fill_rate(&self, ally: &str, item: &str, tier: &str) -> Option<f64> {
        self.fill
            .iter()
            .find(|f| f.ally == ally && f.item == item && f.tier == tier)
            .map(|f| f.fill_rate)
    }
}
