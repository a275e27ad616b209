//! The embedded backend: microlp, a pure-Rust simplex, through good_lp.
//! Needs no C toolchain. It has no in-place re-solve with a new objective, so
//! every [`Session::solve`] rebuilds the good_lp model from the session's
//! copy of the LP.

use good_lp::{
    Expression, ProblemVariables, ResolutionError, Solution, SolverModel, Variable, variable,
};

use super::{Backend, LpFailure, LpOutcome, Sense, Session};
use crate::model::{Column, Lp, Row};

/// The microlp backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct Microlp;

impl Backend for Microlp {
    fn name(&self) -> &'static str {
        "microlp"
    }

    fn open(&self, lp: &Lp) -> Box<dyn Session> {
        Box::new(MicrolpSession { lp: lp.clone() })
    }
}

struct MicrolpSession {
    lp: Lp,
}

impl Session for MicrolpSession {
    fn add_col(&mut self, lo: f64, hi: f64, name: &str) -> usize {
        self.lp.cols.push(Column {
            name: name.to_string(),
            lo,
            hi,
        });
        self.lp.cols.len() - 1
    }

    fn add_row(&mut self, coefs: &[(usize, f64)], lo: f64, hi: f64, name: &str) -> usize {
        self.lp.rows.push(Row {
            name: name.to_string(),
            coefs: coefs.to_vec(),
            lo,
            hi,
        });
        self.lp.rows.len() - 1
    }

    fn set_col_bounds(&mut self, col: usize, lo: f64, hi: f64) {
        if let Some(c) = self.lp.cols.get_mut(col) {
            c.lo = lo;
            c.hi = hi;
        }
    }

    fn set_row_bounds(&mut self, row: usize, lo: f64, hi: f64) {
        if let Some(r) = self.lp.rows.get_mut(row) {
            r.lo = lo;
            r.hi = hi;
        }
    }

    fn solve(&mut self, sense: Sense, objective: &[(usize, f64)]) -> Result<LpOutcome, LpFailure> {
        let mut vars = ProblemVariables::new();
        let cols: Vec<Variable> = self
            .lp
            .cols
            .iter()
            .map(|c| vars.add(variable().bounds(c.lo..=c.hi)))
            .collect();
        let expr = |coefs: &[(usize, f64)]| {
            let mut e = Expression::with_capacity(coefs.len());
            for &(c, v) in coefs {
                e.add_mul(v, cols[c]);
            }
            e
        };
        let obj = expr(objective);
        let unsolved = match sense {
            Sense::Minimise => vars.minimise(obj.clone()),
            Sense::Maximise => vars.maximise(obj.clone()),
        };
        let mut model = unsolved.using(good_lp::microlp);
        for r in &self.lp.rows {
            if r.lo.is_finite() && r.lo == r.hi {
                model.add_constraint(expr(&r.coefs).eq(r.lo));
                continue;
            }
            if r.lo.is_finite() {
                model.add_constraint(expr(&r.coefs).geq(r.lo));
            }
            if r.hi.is_finite() {
                model.add_constraint(expr(&r.coefs).leq(r.hi));
            }
        }
        let solution = model.solve().map_err(|e| match e {
            ResolutionError::Infeasible => LpFailure::Infeasible,
            ResolutionError::Unbounded => LpFailure::Unbounded,
            other => LpFailure::Other(other.to_string()),
        })?;
        let values: Vec<f64> = cols.iter().map(|&v| solution.value(v)).collect();
        let objective = objective.iter().map(|&(c, v)| v * values[c]).sum();
        Ok(LpOutcome {
            values,
            objective,
            row_duals: None,
        })
    }
}
