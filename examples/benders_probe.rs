//! Research probe for issue 22: an exact lexicographic L-shaped (Benders)
//! decomposition of `allot plan` — how many rounds each stage takes on the
//! planning benchmark and what a round costs (docs/plan.md, "Benders").
//!
//! cargo run --release --features highs --example benders_probe -- 30x6x12:6 8
//!
//! Master: the placement `y` and, per tier h and case s, a column `w[h,s]`:
//! in stage h it is maximised (`Σ_s P(s)·w[h,s]`, cut from above by
//! `w[h,s] ≤ V[h,s](ŷ, ŵ_{<h}) + g·(y − ŷ) + Σ_{h'<h} d_{h'}·(w[h',s] − ŵ)`),
//! and from stage h+1 on it is case s's *allowance*: the tier-h service the
//! case must keep, with the hold `Σ_s P(s)·w[h,s] ≥ E_h*`. `V[h,s]` is case
//! s's tier-h weighted service with `y` placed and tier-h' service ≥
//! `w[h',s]` for h' < h: an LP in which `y` and `w` move right-hand sides
//! only, so `V` is jointly concave and the row duals give the cut. The cuts
//! of tier h stay valid on the allowance `w[h,s]` in later stages. A case
//! infeasible at the master's point has, at its lowest infeasible tier h,
//! `ŵ[h,s] > V[h,s]`: that tier's subproblem (always feasible) gives a cut
//! that removes the point — no Farkas ray is needed. The cost stage is the
//! same with `min Σ cost·y + Σ P(s)·c_s`.
//!
//! One HiGHS session per (case, stage), so that each re-solve only moves
//! right-hand sides and warm-starts (dual simplex).

use std::time::Instant;

use allot::backend::{Method, Sense, Session, SolverKind};
use allot::generate::Size;
use allot::model::{Column, Lp, Model, build};
use allot::units::{in_lp_units, lp_unit};

/// Slack on holds and floors, relative (the driver's `shortage_slack`
/// order, a little looser so that floors at a cut's tight value stay
/// feasible).
const SLACK: f64 = 1e-10;

struct Sub {
    session: Box<dyn Session>,
    /// Floor rows, one per earlier tier.
    floors: Vec<usize>,
    /// Where the master's point was last placed here.
    solves: usize,
    seconds: f64,
}

struct Case {
    p: f64,
    model: Model,
    /// (position, stock row, factor, row's lo, row's hi).
    rows: Vec<(usize, usize, f64, f64, f64)>,
    /// One per stage (tiers, then cost).
    subs: Vec<Sub>,
}

/// A cut's data: value at (ŷ, ŵ), supergradient in y and in the floors.
struct Cut {
    value: f64,
    gy: Vec<f64>,
    gw: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
}

fn parse_size(s: &str) -> Size {
    let (dims, degree) = s.split_once(':').unwrap_or((s, "6"));
    let d: Vec<usize> = dims.split('x').map(|v| v.parse().unwrap()).collect();
    Size::new(d[0], d[1], d[2]).degree(degree.parse().unwrap())
}

/// Stage `h` of case `c` at (y, w_{<h}): None when infeasible.
fn evaluate(c: &mut Case, h: usize, y: &[f64], w: &[f64], npos: usize) -> Option<Cut> {
    let tiers = c.model.tier_served.len();
    let (sense, objective) = if h < tiers {
        (Sense::Maximise, c.model.tier_served[h].clone())
    } else {
        (Sense::Minimise, c.model.cost.clone())
    };
    let sub = &mut c.subs[h];
    for &(j, row, f, lo, hi) in &c.rows {
        sub.session
            .set_row_bounds(row, lo + f * y[j], hi + f * y[j]);
    }
    for (k, &row) in sub.floors.iter().enumerate() {
        sub.session
            .set_row_bounds(row, w[k] - SLACK * w[k].abs().max(1.0), f64::INFINITY);
    }
    sub.session.set_method(if sub.solves == 0 {
        Method::Cold
    } else {
        Method::Auto
    });
    let t = Instant::now();
    let out = sub.session.solve(sense, &objective);
    sub.seconds += t.elapsed().as_secs_f64();
    sub.solves += 1;
    let out = match out {
        Ok(o) => o,
        Err(allot::backend::LpFailure::Infeasible) => return None,
        Err(e) => panic!("subproblem: {e}"),
    };
    let duals = out.row_duals.expect("HiGHS gives row duals");
    let mut gy = vec![0.0; npos];
    for &(j, row, f, _, _) in &c.rows {
        gy[j] += f * duals[row];
    }
    let gw = sub.floors.iter().map(|&r| duals[r]).collect();
    Some(Cut {
        value: out.objective,
        gy,
        gw,
        y: y.to_vec(),
        w: w[..sub.floors.len()].to_vec(),
    })
}

/// The cut as a master row on column `target` (w[h,s] or the cost θ):
/// `target − gy·y − Σ gw·w[h'] ≤ value − gy·ŷ − gw·ŵ` (maximise), `≥` for the
/// cost.
fn add_cut(master: &mut Box<dyn Session>, target: usize, wcols: &[usize], cut: &Cut, max: bool) {
    let mut coefs: Vec<(usize, f64)> = vec![(target, 1.0)];
    coefs.extend(
        cut.gy
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(j, v)| (j, -v)),
    );
    coefs.extend(
        cut.gw
            .iter()
            .zip(wcols)
            .filter(|(v, _)| **v != 0.0)
            .map(|(v, &c)| (c, -v)),
    );
    let rhs = cut.value
        - cut.gy.iter().zip(&cut.y).map(|(a, b)| a * b).sum::<f64>()
        - cut.gw.iter().zip(&cut.w).map(|(a, b)| a * b).sum::<f64>();
    if max {
        master.add_row(&coefs, f64::NEG_INFINITY, rhs, "cut");
    } else {
        master.add_row(&coefs, rhs, f64::INFINITY, "cut");
    }
}

/// Evaluates case `s`'s tiers below `h` at (y, ws) in order, adding each
/// tier's cut on its allowance column, and stops at the first tier whose
/// allowance the case cannot keep: whether there was one.
#[allow(clippy::too_many_arguments)]
fn cut_short_tier(
    c: &mut Case,
    master: &mut Box<dyn Session>,
    w: &[Vec<usize>],
    s: usize,
    h: usize,
    y: &[f64],
    ws: &[f64],
    npos: usize,
) -> bool {
    for k in 0..h {
        let cut = evaluate(c, k, y, ws, npos).expect("a lower tier is feasible");
        let short = cut.value < ws[k] - SLACK * ws[k].abs().max(1.0);
        let wcols: Vec<usize> = (0..k).map(|j| w[j][s]).collect();
        add_cut(master, w[k][s], &wcols, &cut, true);
        if short {
            return true;
        }
    }
    false
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size = parse_size(args.first().map_or("30x6x12:6", String::as_str));
    let scenarios: usize = args.get(1).map_or(8, |s| s.parse().unwrap());
    let tol: f64 = args.get(2).map_or(1e-9, |s| s.parse().unwrap());
    let precheck = !args.iter().any(|a| a == "--no-precheck");
    // A trust region around the incumbent placement (a box of ρ·budget).
    let trust = args.iter().any(|a| a == "--trust-region");
    let text = size.planning_toml(scenarios);
    let problem = allot::load_str(&text, "plan-benchmark.toml").expect("valid");
    let backend = SolverKind::Highs.backend();
    let t0 = Instant::now();

    let base = allot::plan::template(&problem);
    let probabilities = problem.probabilities();
    let mut qs = vec![(None, probabilities[0], base.clone())];
    for (i, sc) in base.scenarios().iter().enumerate() {
        qs.push((Some(i), probabilities[i + 1], base.with_scenario(sc)));
    }
    qs.retain(|(_, p, _)| *p > 0.0);
    let largest = |q: &allot::Problem| {
        q.demand()
            .iter()
            .flat_map(|d| d.quantity.iter().copied())
            .fold(0.0_f64, f64::max)
    };
    let unit = qs
        .iter()
        .max_by(|a, b| largest(&a.2).total_cmp(&largest(&b.2)))
        .map_or(1.0, |(_, _, q)| lp_unit(q));
    let tiers = problem.tiers().len();

    let mut positions = Vec::new();
    let mut budgets = Vec::new();
    let mut place_cost = Vec::new();
    for sp in problem.stockpiles() {
        let mut idx = Vec::new();
        for &a in &sp.allies {
            idx.push(positions.len());
            positions.push((a, sp.item));
            place_cost.push(sp.cost);
        }
        budgets.push((sp.budget / unit, idx));
    }
    let npos = positions.len();

    let mut cases: Vec<Case> = qs
        .iter()
        .map(|(s, p, q)| {
            let q = if unit == 1.0 {
                q.clone()
            } else {
                in_lp_units(q, unit)
            };
            let model = build(&q);
            let sc = s.map(|i| &base.scenarios()[i]);
            let rows = positions
                .iter()
                .enumerate()
                .filter_map(|(j, &(a, k))| {
                    let f = base.stock_factor(sc, a, k);
                    let &row = model.stock_rows.get(&(a, k))?;
                    let r = &model.lp.rows[row];
                    (f != 0.0).then_some((j, row, f, r.lo, r.hi))
                })
                .collect();
            let subs = (0..=tiers)
                .map(|h| {
                    let mut session = backend.open(&model.lp);
                    let floors = (0..h)
                        .map(|k| {
                            session.add_row(&model.tier_served[k], 0.0, f64::INFINITY, "floor")
                        })
                        .collect();
                    Sub {
                        session,
                        floors,
                        solves: 0,
                        seconds: 0.0,
                    }
                })
                .collect();
            Case {
                p: *p,
                model,
                rows,
                subs,
            }
        })
        .collect();
    let ncase = cases.len();
    eprintln!(
        "{} cases, {} positions, {} tiers, case LP {} × {}, unit {unit}; built in {:.1}s",
        ncase,
        npos,
        tiers,
        cases[0].model.lp.cols.len(),
        cases[0].model.lp.rows.len(),
        t0.elapsed().as_secs_f64()
    );

    let mut lp = Lp::default();
    for j in 0..npos {
        let hi = budgets
            .iter()
            .find(|(_, idx)| idx.contains(&j))
            .map_or(0.0, |b| b.0);
        lp.cols.push(Column {
            name: format!("y{j}"),
            lo: 0.0,
            hi,
        });
    }
    let mut master = backend.open(&lp);
    for (b, idx) in &budgets {
        if idx.len() > 1 {
            let coefs: Vec<(usize, f64)> = idx.iter().map(|&j| (j, 1.0)).collect();
            master.add_row(&coefs, f64::NEG_INFINITY, *b, "budget");
        }
    }
    let ymax: Vec<f64> = lp.cols.iter().map(|c| c.hi).collect();
    let mut center: Option<Vec<f64>> = None;
    // w[h][s], then the cost θ[s].
    let mut w: Vec<Vec<usize>> = Vec::new();
    let mut total_rounds = 0;
    for h in 0..=tiers {
        let is_cost = h == tiers;
        let cols: Vec<usize> = (0..ncase)
            .map(|s| {
                let hi = if is_cost {
                    f64::INFINITY
                } else {
                    cases[s].model.tier_weighted_demand[h]
                };
                master.add_col(0.0, hi, &format!("w{h}_{s}"))
            })
            .collect();
        let mut objective: Vec<(usize, f64)> =
            cols.iter().zip(&cases).map(|(&c, k)| (c, k.p)).collect();
        if is_cost {
            objective.extend(
                place_cost
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0.0)
                    .map(|(j, &c)| (j, c * unit)),
            );
        }
        w.push(cols);
        let stage = Instant::now();
        let mut best = if is_cost {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
        let mut rounds = 0;
        let mut infeasible = 0;
        let mut violations = 0;
        let mut cuts: Vec<Vec<Cut>> = (0..ncase).map(|_| Vec::new()).collect();
        let mut rho = 0.05_f64;
        let mut full_next = center.is_none();
        let mut best_y = vec![0.0; npos];
        loop {
            rounds += 1;
            let restricted = trust && !full_next && center.is_some();
            for j in 0..npos {
                let (lo, hi) = match &center {
                    Some(c) if restricted => {
                        let d = rho * ymax[j];
                        ((c[j] - d).max(0.0), (c[j] + d).min(ymax[j]))
                    }
                    _ => (0.0, ymax[j]),
                };
                master.set_col_bounds(j, lo, hi);
            }
            let sense = if is_cost {
                Sense::Minimise
            } else {
                Sense::Maximise
            };
            let m = master.solve(sense, &objective).expect("master");
            let y: Vec<f64> = m.values[..npos].to_vec();
            let bound = m.objective;
            let mut value = if is_cost {
                place_cost
                    .iter()
                    .zip(&y)
                    .map(|(c, v)| c * unit * v)
                    .sum::<f64>()
            } else {
                0.0
            };
            let mut feasible = true;
            for s in 0..ncase {
                let ws: Vec<f64> = (0..h).map(|k| m.values[w[k][s]]).collect();
                // Check the allowances tier by tier first (fast warm
                // solves), so that the stage's own solve is feasible.
                if precheck && cut_short_tier(&mut cases[s], &mut master, &w, s, h, &y, &ws, npos) {
                    infeasible += 1;
                    feasible = false;
                    continue;
                }
                match evaluate(&mut cases[s], h, &y, &ws, npos) {
                    Some(cut) => {
                        // Earlier cuts of this case must hold at the new point.
                        for old in &cuts[s] {
                            let at = old.value
                                + old
                                    .gy
                                    .iter()
                                    .zip(&y)
                                    .zip(&old.y)
                                    .map(|((g, a), b)| g * (a - b))
                                    .sum::<f64>()
                                + old
                                    .gw
                                    .iter()
                                    .zip(&ws)
                                    .zip(&old.w)
                                    .map(|((g, a), b)| g * (a - b))
                                    .sum::<f64>();
                            let off = if is_cost {
                                at - cut.value
                            } else {
                                cut.value - at
                            };
                            if off > 1e-6 * cut.value.abs().max(1.0) {
                                violations += 1;
                            }
                        }
                        value += cases[s].p * cut.value;
                        add_cut(
                            &mut master,
                            w[h][s],
                            &(0..h).map(|k| w[k][s]).collect::<Vec<_>>(),
                            &cut,
                            !is_cost,
                        );
                        cuts[s].push(cut);
                    }
                    None => {
                        infeasible += 1;
                        feasible = false;
                        cut_short_tier(&mut cases[s], &mut master, &w, s, h, &y, &ws, npos);
                    }
                }
            }
            if feasible && (if is_cost { value < best } else { value > best }) {
                best = value;
                best_y = y.clone();
                if trust {
                    let edge = center.as_ref().is_some_and(|c| {
                        (0..npos).any(|j| {
                            let d = rho * ymax[j];
                            (y[j] - c[j]).abs() >= d * (1.0 - 1e-9) && d > 0.0
                        })
                    });
                    if restricted && edge {
                        rho = (rho * 2.0).min(1.0);
                    }
                    center = Some(y.clone());
                }
            }
            let gap = if is_cost { best - bound } else { bound - best } / bound.abs().max(1.0);
            if trust && gap <= tol && restricted {
                // Locally converged: check without the region.
                full_next = true;
                eprintln!(
                    "stage {h} round {rounds}: converged in the region (ρ {rho}), checking without it"
                );
                continue;
            }
            if trust && !restricted && gap > tol && center.is_some() {
                full_next = false;
                rho = (rho * 4.0).min(1.0);
            }
            eprintln!(
                "stage {h} round {rounds}: bound {bound:.9} best {best:.9} gap {gap:.2e} ({:.1}s; infeasible {infeasible}, cut violations {violations})",
                stage.elapsed().as_secs_f64()
            );
            if gap <= tol || rounds >= 400 {
                break;
            }
        }
        total_rounds += rounds;
        let sub_s: f64 = cases
            .iter()
            .map(|c| c.subs.iter().map(|s| s.seconds).sum::<f64>())
            .sum();
        let solves: usize = cases
            .iter()
            .map(|c| c.subs.iter().map(|s| s.solves).sum::<usize>())
            .sum();
        let shown = if is_cost {
            best
        } else {
            let wd: f64 = cases
                .iter()
                .map(|c| c.p * c.model.tier_weighted_demand[h])
                .sum();
            (wd - best) * cases[0].model.value_unit
        };
        println!(
            "stage {h} ({}): {rounds} rounds, {:.1}s; {infeasible} infeasible; {violations} cut violations; value {shown:.9}; subproblems so far {solves} solves {sub_s:.1}s",
            if is_cost {
                "cost".to_string()
            } else {
                problem.tiers()[h].clone()
            },
            stage.elapsed().as_secs_f64()
        );
        center = Some(best_y.clone());
        if !is_cost {
            let hold: Vec<(usize, f64)> = w[h].iter().zip(&cases).map(|(&c, k)| (c, k.p)).collect();
            master.add_row(
                &hold,
                best - SLACK * best.abs().max(1.0),
                f64::INFINITY,
                "hold",
            );
        }
    }
    println!(
        "total {:.1}s, {total_rounds} rounds",
        t0.elapsed().as_secs_f64()
    );
}
