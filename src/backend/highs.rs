//! The HiGHS backend (cargo feature `highs`), through the C API of
//! `highs-sys`.
//!
//! One HiGHS instance holds the LP for the whole session. Columns and rows
//! are added and bounds and objectives changed in place, so every solve
//! after the first starts from the previous optimal basis (HiGHS warm
//! start): a new objective re-optimises with primal simplex, tightened
//! bounds with dual simplex. Row duals are returned with every solution.
//!
//! Tolerances are tighter than HiGHS's defaults (primal and dual
//! feasibility 1e-9) so that results agree with the exact optimum within
//! SPEC §6's 1e-6 relative, and HiGHS prints nothing.

use std::ffi::{CString, c_void};
use std::ptr::NonNull;

use highs_sys as sys;

use super::{Backend, LpFailure, LpOutcome, Method, Sense, Session};
use crate::model::Lp;

/// The HiGHS backend.
#[derive(Debug, Clone, Copy, Default)]
pub struct Highs;

impl Backend for Highs {
    fn name(&self) -> &'static str {
        "highs"
    }

    fn has_duals(&self) -> bool {
        true
    }

    fn open(&self, lp: &Lp) -> Box<dyn Session> {
        Box::new(HighsSession::new(lp))
    }
}

/// Matrix format code of the C API: rows.
const ROWWISE: sys::HighsInt = 2;
const OBJ_MINIMIZE: sys::HighsInt = 1;
const OBJ_MAXIMIZE: sys::HighsInt = -1;
const STATUS_ERROR: sys::HighsInt = -1;
const MODEL_OPTIMAL: sys::HighsInt = 7;
const MODEL_INFEASIBLE: sys::HighsInt = 8;
const MODEL_UNBOUNDED_OR_INFEASIBLE: sys::HighsInt = 9;
const MODEL_UNBOUNDED: sys::HighsInt = 10;
const MODEL_TIME_LIMIT: sys::HighsInt = 13;
const MODEL_ITERATION_LIMIT: sys::HighsInt = 14;
const MODEL_EMPTY: sys::HighsInt = 6;

/// An open HiGHS instance.
struct HighsSession {
    highs: NonNull<c_void>,
    cols: usize,
    rows: usize,
    /// Columns with a non-zero cost in the current objective.
    costed: Vec<usize>,
    /// The simplex variant asked for.
    method: Method,
}

fn int(n: usize) -> sys::HighsInt {
    sys::HighsInt::try_from(n).expect("LP too large for HiGHS's index type")
}

fn set_bool(highs: *mut c_void, name: &str, value: bool) {
    let name = CString::new(name).expect("option name");
    // SAFETY: `highs` is a live instance and `name` a NUL-terminated string.
    unsafe {
        sys::Highs_setBoolOptionValue(highs, name.as_ptr(), sys::HighsInt::from(value));
    }
}

fn set_string(highs: *mut c_void, name: &str, value: &str) {
    let name = CString::new(name).expect("option name");
    let value = CString::new(value).expect("option value");
    // SAFETY: as above.
    unsafe {
        sys::Highs_setStringOptionValue(highs, name.as_ptr(), value.as_ptr());
    }
}

fn set_double(highs: *mut c_void, name: &str, value: f64) {
    let name = CString::new(name).expect("option name");
    // SAFETY: as above.
    unsafe {
        sys::Highs_setDoubleOptionValue(highs, name.as_ptr(), value);
    }
}

impl HighsSession {
    fn new(lp: &Lp) -> HighsSession {
        // SAFETY: Highs_create returns a new instance or null.
        let raw = unsafe { sys::Highs_create() };
        let highs = NonNull::new(raw).expect("HiGHS could not create an instance");
        let h = highs.as_ptr();
        set_bool(h, "output_flag", false);
        set_double(h, "primal_feasibility_tolerance", 1e-9);
        set_double(h, "dual_feasibility_tolerance", 1e-9);
        let n = lp.cols.len();
        let m = lp.rows.len();
        let cost = vec![0.0; n];
        let col_lo: Vec<f64> = lp.cols.iter().map(|c| c.lo).collect();
        let col_hi: Vec<f64> = lp.cols.iter().map(|c| c.hi).collect();
        let row_lo: Vec<f64> = lp.rows.iter().map(|r| r.lo).collect();
        let row_hi: Vec<f64> = lp.rows.iter().map(|r| r.hi).collect();
        let mut start = Vec::with_capacity(m + 1);
        let mut index = Vec::with_capacity(lp.nonzeros());
        let mut value = Vec::with_capacity(lp.nonzeros());
        for r in &lp.rows {
            start.push(int(index.len()));
            for &(c, v) in &r.coefs {
                index.push(int(c));
                value.push(v);
            }
        }
        start.push(int(index.len()));
        // SAFETY: every array has the length passLp reads (n, m, m + 1 and
        // nnz), and `h` is live.
        let status = unsafe {
            sys::Highs_passLp(
                h,
                int(n),
                int(m),
                int(index.len()),
                ROWWISE,
                OBJ_MINIMIZE,
                0.0,
                cost.as_ptr(),
                col_lo.as_ptr(),
                col_hi.as_ptr(),
                row_lo.as_ptr(),
                row_hi.as_ptr(),
                start.as_ptr(),
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        assert!(status != STATUS_ERROR, "HiGHS rejected the LP");
        HighsSession {
            highs,
            cols: n,
            rows: m,
            costed: Vec::new(),
            method: Method::Auto,
        }
    }

    fn ptr(&self) -> *mut c_void {
        self.highs.as_ptr()
    }

    fn set_costs(&mut self, sense: Sense, objective: &[(usize, f64)]) {
        let h = self.ptr();
        let sense = match sense {
            Sense::Minimise => OBJ_MINIMIZE,
            Sense::Maximise => OBJ_MAXIMIZE,
        };
        // Sum duplicate entries, then set the new costs and clear the old.
        let mut dense: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
        for &c in &self.costed {
            dense.insert(c, 0.0);
        }
        let mut costed = Vec::new();
        for &(c, v) in objective {
            *dense.entry(c).or_insert(0.0) += v;
            costed.push(c);
        }
        let index: Vec<sys::HighsInt> = dense.keys().map(|&c| int(c)).collect();
        let cost: Vec<f64> = dense.values().copied().collect();
        // SAFETY: index and cost have the same length, indices < cols.
        unsafe {
            sys::Highs_changeObjectiveSense(h, sense);
            if !index.is_empty() {
                sys::Highs_changeColsCostBySet(h, int(index.len()), index.as_ptr(), cost.as_ptr());
            }
        }
        costed.sort_unstable();
        costed.dedup();
        self.costed = costed;
    }

    fn run(&mut self) -> Result<(), LpFailure> {
        let h = self.ptr();
        // SAFETY: `h` is live.
        let run = unsafe { sys::Highs_run(h) };
        // SAFETY: as above.
        let status = unsafe { sys::Highs_getModelStatus(h) };
        match status {
            MODEL_OPTIMAL | MODEL_EMPTY if run != STATUS_ERROR => Ok(()),
            MODEL_INFEASIBLE | MODEL_UNBOUNDED_OR_INFEASIBLE => Err(LpFailure::Infeasible),
            MODEL_UNBOUNDED => Err(LpFailure::Unbounded),
            MODEL_TIME_LIMIT => Err(LpFailure::Limit("HiGHS time limit".into())),
            MODEL_ITERATION_LIMIT => Err(LpFailure::Limit("HiGHS iteration limit".into())),
            other => Err(LpFailure::Other(format!(
                "HiGHS stopped with model status {other} (run status {run})"
            ))),
        }
    }
}

impl Drop for HighsSession {
    fn drop(&mut self) {
        // SAFETY: the instance was created by Highs_create and is destroyed once.
        unsafe { sys::Highs_destroy(self.ptr()) }
    }
}

fn set_int(highs: *mut c_void, name: &str, value: sys::HighsInt) {
    let name = CString::new(name).expect("option name");
    // SAFETY: as above.
    unsafe {
        sys::Highs_setIntOptionValue(highs, name.as_ptr(), value);
    }
}

/// `simplex_strategy` values of HiGHS.
const SIMPLEX_DUAL: sys::HighsInt = 1;
const SIMPLEX_PRIMAL: sys::HighsInt = 4;

impl Session for HighsSession {
    fn set_method(&mut self, method: Method) {
        let strategy = match method {
            Method::Auto | Method::Barrier | Method::Cold => SIMPLEX_DUAL,
            Method::Primal => SIMPLEX_PRIMAL,
        };
        set_int(self.ptr(), "simplex_strategy", strategy);
        let solver = match method {
            Method::Barrier => "ipm",
            Method::Auto | Method::Primal | Method::Cold => "choose",
        };
        set_string(self.ptr(), "solver", solver);
        self.method = method;
    }

    fn add_col(&mut self, lo: f64, hi: f64, _name: &str) -> usize {
        // SAFETY: `h` is live; the column has no matrix entries.
        unsafe {
            sys::Highs_addVar(self.ptr(), lo, hi);
        }
        self.cols += 1;
        self.cols - 1
    }

    fn add_row(&mut self, coefs: &[(usize, f64)], lo: f64, hi: f64, _name: &str) -> usize {
        let index: Vec<sys::HighsInt> = coefs.iter().map(|&(c, _)| int(c)).collect();
        let value: Vec<f64> = coefs.iter().map(|&(_, v)| v).collect();
        // SAFETY: index and value have `coefs.len()` entries, indices < cols.
        unsafe {
            sys::Highs_addRow(
                self.ptr(),
                lo,
                hi,
                int(coefs.len()),
                index.as_ptr(),
                value.as_ptr(),
            );
        }
        self.rows += 1;
        self.rows - 1
    }

    fn set_col_bounds(&mut self, col: usize, lo: f64, hi: f64) {
        if col < self.cols {
            // SAFETY: `col` is a column of the instance.
            unsafe {
                sys::Highs_changeColBounds(self.ptr(), int(col), lo, hi);
            }
        }
    }

    fn set_row_bounds(&mut self, row: usize, lo: f64, hi: f64) {
        if row < self.rows {
            // SAFETY: `row` is a row of the instance.
            unsafe {
                sys::Highs_changeRowBounds(self.ptr(), int(row), lo, hi);
            }
        }
    }

    fn solve(&mut self, sense: Sense, objective: &[(usize, f64)]) -> Result<LpOutcome, LpFailure> {
        self.set_costs(sense, objective);
        if self.method == Method::Cold {
            // SAFETY: `h` is live; clearing the solver keeps the model.
            unsafe {
                sys::Highs_clearSolver(self.ptr());
            }
        }
        if let Err(e) = self.run() {
            if e == LpFailure::Infeasible {
                if self.method == Method::Primal {
                    // Primal simplex can lose feasibility to rounding on
                    // these tight LPs; dual simplex from the same basis
                    // settles it quickly.
                    set_int(self.ptr(), "simplex_strategy", SIMPLEX_DUAL);
                    let retry = self.run();
                    set_int(self.ptr(), "simplex_strategy", SIMPLEX_PRIMAL);
                    retry?;
                } else {
                    // The caller loosens its holds; a cold retry would only
                    // prove the same again, slowly.
                    return Err(e);
                }
            } else {
                // A warm start can stall on numerical trouble: retry once from
                // scratch before giving up.
                // SAFETY: `h` is live.
                unsafe {
                    sys::Highs_clearSolver(self.ptr());
                }
                self.run().map_err(|_| e)?;
            }
        }
        let mut values = vec![0.0; self.cols];
        let mut col_duals = vec![0.0; self.cols];
        let mut row_values = vec![0.0; self.rows];
        let mut row_duals = vec![0.0; self.rows];
        // SAFETY: the arrays have the instance's column and row counts.
        unsafe {
            sys::Highs_getSolution(
                self.ptr(),
                values.as_mut_ptr(),
                col_duals.as_mut_ptr(),
                row_values.as_mut_ptr(),
                row_duals.as_mut_ptr(),
            );
        }
        let objective = objective.iter().map(|&(c, v)| v * values[c]).sum();
        Ok(LpOutcome {
            values,
            objective,
            row_duals: Some(row_duals),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Row};

    /// max x + y  s.t.  x + 2y ≤ 4 (row 0), 3x + y ≤ 6 (row 1), x, y ∈ [0, 10].
    fn lp() -> Lp {
        let col = |name: &str| Column {
            name: name.into(),
            lo: 0.0,
            hi: 10.0,
        };
        let row = |name: &str, coefs: Vec<(usize, f64)>, hi: f64| Row {
            name: name.into(),
            coefs,
            lo: f64::NEG_INFINITY,
            hi,
        };
        Lp {
            cols: vec![col("x"), col("y")],
            rows: vec![
                row("a", vec![(0, 1.0), (1, 2.0)], 4.0),
                row("b", vec![(0, 3.0), (1, 1.0)], 6.0),
            ],
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn solves_and_reports_row_duals() {
        let mut s = Highs.open(&lp());
        let out = s.solve(Sense::Maximise, &[(0, 1.0), (1, 1.0)]).unwrap();
        // Optimum at x = 1.6, y = 1.2; duals 0.4 and 0.2 (up to sign).
        assert!(
            close(out.values[0], 1.6) && close(out.values[1], 1.2),
            "{out:?}"
        );
        assert!(close(out.objective, 2.8));
        let duals = out.row_duals.unwrap();
        assert!(
            close(duals[0].abs(), 0.4) && close(duals[1].abs(), 0.2),
            "{duals:?}"
        );
    }

    #[test]
    fn re_solves_in_place_after_changes() {
        let mut s = Highs.open(&lp());
        s.solve(Sense::Maximise, &[(0, 1.0), (1, 1.0)]).unwrap();
        // A new objective replaces the old one entirely.
        let out = s.solve(Sense::Minimise, &[(1, -1.0)]).unwrap();
        assert!(close(out.values[1], 2.0), "{out:?}");
        // A new column and row: z ≤ x − 1, maximise z.
        let z = s.add_col(0.0, 10.0, "z");
        let r = s.add_row(&[(z, 1.0), (0, -1.0)], f64::NEG_INFINITY, -1.0, "z_le_x");
        let out = s.solve(Sense::Maximise, &[(z, 1.0)]).unwrap();
        assert!(close(out.objective, 1.0), "{out:?}");
        // Bounds move: x ≤ 1.5 caps z at 0.5; freeing the row lifts it to 10.
        s.set_col_bounds(0, 0.0, 1.5);
        assert!(close(
            s.solve(Sense::Maximise, &[(z, 1.0)]).unwrap().objective,
            0.5
        ));
        s.set_row_bounds(r, f64::NEG_INFINITY, f64::INFINITY);
        for method in [Method::Primal, Method::Barrier, Method::Cold, Method::Auto] {
            s.set_method(method);
            let out = s.solve(Sense::Maximise, &[(z, 1.0)]).unwrap();
            assert!(close(out.objective, 10.0), "{method:?}: {out:?}");
        }
    }

    #[test]
    fn reports_infeasibility() {
        let mut s = Highs.open(&lp());
        s.add_row(&[(0, 1.0)], 5.0, f64::INFINITY, "x_ge_5");
        assert_eq!(
            s.solve(Sense::Maximise, &[(0, 1.0)]),
            Err(LpFailure::Infeasible)
        );
        s.set_method(Method::Primal);
        assert_eq!(
            s.solve(Sense::Maximise, &[(0, 1.0)]),
            Err(LpFailure::Infeasible)
        );
    }
}
