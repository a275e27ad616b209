//! Writing results: a readable table (default), JSON with the SPEC §6 field
//! names, or CSV. Every format is deterministic: the same input gives the
//! same bytes.

use std::fmt::Write as _;

use crate::solution::Solution;

/// Output formats of `allot solve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned text tables for people.
    #[default]
    Table,
    /// SPEC §6 JSON: one object, or an array when several are solved.
    Json,
    /// Comma-separated values, one table (see `--csv-table`).
    Csv,
}

/// Which table `--format csv` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CsvTable {
    /// One row per positive dispatch.
    #[default]
    Shipments,
    /// One row per (ally, item, tier) with demand.
    Fill,
    /// One row per tier.
    Tiers,
    /// One row per positive production.
    Production,
    /// One row per solve with the cost breakdown.
    Cost,
}

/// SPEC §6 JSON: one object for one solution, an array (base first) for several.
pub fn json(solutions: &[Solution]) -> String {
    let text = match solutions {
        [one] => serde_json::to_string_pretty(one),
        many => serde_json::to_string_pretty(many),
    };
    // Serialising plain structs of strings and finite numbers cannot fail.
    let mut text = text.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

/// CSV of one kind of row for every solution; the first two columns name
/// the problem and scenario.
pub fn csv(solutions: &[Solution], table: CsvTable) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> = Vec::new();
    let header: &[&str] = match table {
        CsvTable::Shipments => &[
            "problem", "scenario", "period", "arrives", "from", "to", "lane", "item", "quantity",
            "cost",
        ],
        CsvTable::Fill => &[
            "problem",
            "scenario",
            "ally",
            "item",
            "tier",
            "demand",
            "served",
            "fill_rate",
        ],
        CsvTable::Tiers => &[
            "problem",
            "scenario",
            "tier",
            "demand",
            "served",
            "shortage",
            "weighted_shortage",
        ],
        CsvTable::Production => &[
            "problem", "scenario", "ally", "item", "period", "normal", "surge",
        ],
        CsvTable::Cost => &[
            "problem",
            "scenario",
            "total",
            "transport",
            "production",
            "surge",
        ],
    };
    rows.push(header.iter().map(|s| s.to_string()).collect());
    for s in solutions {
        let head = [s.problem.clone(), s.scenario.clone().unwrap_or_default()];
        let mut push = |cells: Vec<String>| {
            let mut row = head.to_vec();
            row.extend(cells);
            rows.push(row);
        };
        match table {
            CsvTable::Shipments => {
                for x in &s.shipments {
                    push(vec![
                        x.period.to_string(),
                        x.arrives.to_string(),
                        x.from.clone(),
                        x.to.clone(),
                        x.lane.to_string(),
                        x.item.clone(),
                        x.quantity.to_string(),
                        x.cost.to_string(),
                    ]);
                }
            }
            CsvTable::Fill => {
                for f in &s.fill {
                    push(vec![
                        f.ally.clone(),
                        f.item.clone(),
                        f.tier.clone(),
                        f.demand.to_string(),
                        f.served.to_string(),
                        f.fill_rate.to_string(),
                    ]);
                }
            }
            CsvTable::Tiers => {
                for t in &s.tiers {
                    push(vec![
                        t.tier.clone(),
                        t.demand.to_string(),
                        t.served.to_string(),
                        t.shortage.to_string(),
                        t.weighted_shortage.to_string(),
                    ]);
                }
            }
            CsvTable::Production => {
                for p in &s.production {
                    push(vec![
                        p.ally.clone(),
                        p.item.clone(),
                        p.period.to_string(),
                        p.normal.to_string(),
                        p.surge.to_string(),
                    ]);
                }
            }
            CsvTable::Cost => push(vec![
                s.cost.total.to_string(),
                s.cost.transport.to_string(),
                s.cost.production.to_string(),
                s.cost.surge.to_string(),
            ]),
        }
    }
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A number for people: up to 3 decimals, trailing zeros dropped.
pub fn num(x: f64) -> String {
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Aligned columns: the first `left` columns left-aligned, the rest right.
fn grid(out: &mut String, rows: &[Vec<String>], left: usize) {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c].saturating_sub(cell.chars().count());
            line.push(' ');
            if c < left {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

fn strings<const N: usize>(cells: [&str; N]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

/// Readable tables: tier summary, cost, fill rates worst first, shipments by period.
pub fn table(solutions: &[Solution]) -> String {
    let mut out = String::new();
    for (i, s) in solutions.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let title = match &s.scenario {
            Some(sc) => format!("{} — scenario {sc}", s.problem),
            None => s.problem.clone(),
        };
        let status = match s.status {
            crate::solution::Status::Optimal => "optimal".to_string(),
            crate::solution::Status::VerificationFailed => format!(
                "VERIFICATION FAILED ({}: {:.2e})",
                s.verification.worst, s.verification.max_violation
            ),
        };
        let _ = writeln!(out, "{title}: {status}, {} LPs solved", s.lp_solves);
        out.push_str("\nTiers\n");
        let mut rows = vec![strings([
            "tier", "demand", "served", "shortage", "weighted", "fill",
        ])];
        for t in &s.tiers {
            let fill = if t.demand > 0.0 {
                percent(t.served / t.demand)
            } else {
                "-".into()
            };
            rows.push(vec![
                t.tier.clone(),
                num(t.demand),
                num(t.served),
                num(t.shortage),
                num(t.weighted_shortage),
                fill,
            ]);
        }
        grid(&mut out, &rows, 1);
        let c = &s.cost;
        let _ = writeln!(
            out,
            "\nCost {} (transport {}, production {}, surge {})",
            num(c.total),
            num(c.transport),
            num(c.production),
            num(c.surge)
        );
        if !s.fill.is_empty() {
            out.push_str("\nFill rates, worst first\n");
            let mut fill: Vec<_> = s.fill.iter().collect();
            fill.sort_by(|a, b| a.fill_rate.total_cmp(&b.fill_rate));
            let mut rows = vec![strings([
                "ally", "item", "tier", "demand", "served", "fill",
            ])];
            for f in fill {
                rows.push(vec![
                    f.ally.clone(),
                    f.item.clone(),
                    f.tier.clone(),
                    num(f.demand),
                    num(f.served),
                    percent(f.fill_rate),
                ]);
            }
            grid(&mut out, &rows, 3);
        }
        if s.shipments.is_empty() {
            out.push_str("\nNo shipments\n");
        } else {
            out.push_str("\nShipments by period\n");
            let mut rows = vec![strings([
                "period", "arrives", "from", "to", "item", "quantity", "cost",
            ])];
            for x in &s.shipments {
                rows.push(vec![
                    x.period.to_string(),
                    x.arrives.to_string(),
                    x.from.clone(),
                    x.to.clone(),
                    x.item.clone(),
                    num(x.quantity),
                    num(x.cost),
                ]);
            }
            grid(&mut out, &rows, 0);
        }
    }
    out
}
