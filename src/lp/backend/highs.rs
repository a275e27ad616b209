//! The HiGHS backend (cargo feature `highs`), through the C API of
//! `highs-sys`.
//!
//! One HiGHS instance holds the LP for the whole session. Columns and rows
//! are added and bounds and objectives changed in place, so a solve can
//! start from the previous optimal basis (HiGHS warm start), or from
//! scratch ([`Method`] says which). Primal simplex solves after the first
//! run on a second, restricted instance without the columns at zero, which
//! are priced back in (see `HighsSession`). Row duals are returned with
//! every solution.
//!
//! When allowed ([`Session::set_parallel`]), a cold dual simplex solve (a
//! new objective, [`Method::Cold`]) prices in parallel (HiGHS's SIP
//! strategy: the same pivots as serial dual simplex, PRICE and CHUZC spread
//! over threads) if it is the only HiGHS run in the process; beside other
//! runs (independent parts or scenarios solved in parallel) it stays
//! serial, since the threads would only compete. It is not the default:
//! HiGHS's threads wait actively, so beside other busy processes they cost
//! far more than they save.
//!
//! Tolerances are tighter than HiGHS's defaults (primal and dual
//! feasibility 1e-9) so that results agree with the exact optimum within
//! SPEC §6's 1e-6 relative, and HiGHS prints nothing.

use std::cell::Cell;
use std::ffi::{CString, c_void};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use highs_sys as sys;

use super::{
    Backend, Basis, LimitKind, LpFailure, LpOutcome, Method, Sense, Session, Side, VertexBasis,
};
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

// The C API's status, format and sense codes, as highs-sys declares them.
use sys::{
    MATRIX_FORMAT_COLUMN_WISE as COLWISE, MATRIX_FORMAT_ROW_WISE as ROWWISE,
    MODEL_STATUS_INFEASIBLE, MODEL_STATUS_MODEL_EMPTY, MODEL_STATUS_OPTIMAL,
    MODEL_STATUS_REACHED_ITERATION_LIMIT, MODEL_STATUS_REACHED_TIME_LIMIT, MODEL_STATUS_UNBOUNDED,
    MODEL_STATUS_UNBOUNDED_OR_INFEASIBLE, OBJECTIVE_SENSE_MAXIMIZE as OBJ_MAXIMIZE,
    OBJECTIVE_SENSE_MINIMIZE as OBJ_MINIMIZE, STATUS_ERROR,
};

/// `simplex_strategy` values of HiGHS.
const SIMPLEX_DUAL: sys::HighsInt = 1;
/// Dual simplex with HiGHS's parallel pricing (SIP): the same pivots as
/// serial dual simplex, with PRICE and CHUZC spread over the threads.
const SIMPLEX_DUAL_SIP: sys::HighsInt = 2;
const SIMPLEX_PRIMAL: sys::HighsInt = 4;
/// Basis status of a column at its lower bound.
const AT_LOWER: sys::HighsInt = sys::kHighsBasisStatusLower;
/// Basis status of a column or row at its upper bound.
const AT_UPPER: sys::HighsInt = sys::kHighsBasisStatusUpper;
/// A reduced cost this far on the improving side prices a left-out column
/// back in: HiGHS's own dual feasibility tolerance.
const PRICE_TOLERANCE: f64 = 1e-9;
/// Most pricing passes in one solve before it is handed to the whole LP.
const MAX_PRICING_PASSES: usize = 200;

fn int(n: usize) -> sys::HighsInt {
    sys::HighsInt::try_from(n).expect("LP too large for HiGHS's index type")
}

/// HiGHS runs in progress in this process, over all instances.
static RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Counts one run in [`RUNNING`] while it lives.
struct Running;

impl Running {
    /// Enters a run; returns it and the number of other runs in progress.
    fn enter() -> (Running, usize) {
        (Running, RUNNING.fetch_add(1, Ordering::SeqCst))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One HiGHS instance, destroyed on drop.
struct Instance {
    raw: NonNull<c_void>,
    /// The next runs are cold dual simplex solves ([`Method::Cold`]).
    cold: Cell<bool>,
    /// Cold runs may price in parallel ([`Session::set_parallel`]); they do
    /// when no other HiGHS run is in progress in the process.
    parallel: Cell<bool>,
    /// When runs must stop ([`Session::set_deadline`]): every run of a
    /// solve (pricing passes, retries) shares it.
    deadline: Cell<Option<Instant>>,
    /// The first call HiGHS refused (an error status), with its status:
    /// the next run fails with [`LpFailure::Rejected`] instead of solving
    /// an LP that is not the one asked for.
    rejected: Cell<Option<(&'static str, sys::HighsInt)>>,
}

impl Instance {
    /// A silent instance with allot's tolerances.
    fn new() -> Instance {
        // SAFETY: Highs_create returns a new instance or null.
        let raw = unsafe { sys::Highs_create() };
        let inst = Instance {
            raw: NonNull::new(raw).expect("HiGHS could not create an instance"),
            cold: Cell::new(false),
            parallel: Cell::new(false),
            deadline: Cell::new(None),
            rejected: Cell::new(None),
        };
        inst.set_bool("output_flag", false);
        inst.set_double("primal_feasibility_tolerance", 1e-9);
        inst.set_double("dual_feasibility_tolerance", 1e-9);
        inst
    }

    fn ptr(&self) -> *mut c_void {
        self.raw.as_ptr()
    }

    /// Records `call`'s status if it is an error (warnings are fine); the
    /// first error recorded fails the next run.
    fn check(&self, call: &'static str, status: sys::HighsInt) {
        if status == STATUS_ERROR && self.rejected.get().is_none() {
            self.rejected.set(Some((call, status)));
        }
    }

    fn set_bool(&self, name: &str, value: bool) {
        let name = CString::new(name).expect("option name");
        // SAFETY: the instance is live and `name` a NUL-terminated string.
        unsafe {
            let status = sys::Highs_setBoolOptionValue(
                self.ptr(),
                name.as_ptr(),
                sys::HighsInt::from(value),
            );
            self.check("Highs_setBoolOptionValue", status);
        }
    }

    fn set_string(&self, name: &str, value: &str) {
        let name = CString::new(name).expect("option name");
        let value = CString::new(value).expect("option value");
        // SAFETY: as above.
        unsafe {
            let status = sys::Highs_setStringOptionValue(self.ptr(), name.as_ptr(), value.as_ptr());
            self.check("Highs_setStringOptionValue", status);
        }
    }

    fn set_double(&self, name: &str, value: f64) {
        let name = CString::new(name).expect("option name");
        // SAFETY: as above.
        unsafe {
            let status = sys::Highs_setDoubleOptionValue(self.ptr(), name.as_ptr(), value);
            self.check("Highs_setDoubleOptionValue", status);
        }
    }

    fn set_int(&self, name: &str, value: sys::HighsInt) {
        let name = CString::new(name).expect("option name");
        // SAFETY: as above.
        unsafe {
            let status = sys::Highs_setIntOptionValue(self.ptr(), name.as_ptr(), value);
            self.check("Highs_setIntOptionValue", status);
        }
    }

    /// Sets the simplex variant and solver for `method`.
    fn set_method(&self, method: Method) {
        let strategy = match method {
            Method::Auto | Method::Barrier | Method::Cold => SIMPLEX_DUAL,
            Method::Primal => SIMPLEX_PRIMAL,
        };
        self.set_int("simplex_strategy", strategy);
        self.cold.set(method == Method::Cold);
        let solver = match method {
            Method::Barrier => "ipm",
            Method::Auto | Method::Primal | Method::Cold => "choose",
        };
        self.set_string("solver", solver);
    }

    fn add_col(&self, cost: f64, lo: f64, hi: f64, entries: &[(usize, f64)]) {
        let index: Vec<sys::HighsInt> = entries.iter().map(|&(r, _)| int(r)).collect();
        let value: Vec<f64> = entries.iter().map(|&(_, v)| v).collect();
        // SAFETY: index and value have `entries.len()` entries, rows exist.
        let status = unsafe {
            sys::Highs_addCol(
                self.ptr(),
                cost,
                lo,
                hi,
                int(entries.len()),
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        self.check("Highs_addCol", status);
    }

    fn add_row(&self, coefs: &[(usize, f64)], lo: f64, hi: f64) {
        let index: Vec<sys::HighsInt> = coefs.iter().map(|&(c, _)| int(c)).collect();
        let value: Vec<f64> = coefs.iter().map(|&(_, v)| v).collect();
        // SAFETY: index and value have `coefs.len()` entries, columns exist.
        let status = unsafe {
            sys::Highs_addRow(
                self.ptr(),
                lo,
                hi,
                int(coefs.len()),
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        self.check("Highs_addRow", status);
    }

    fn set_col_bounds(&self, col: usize, lo: f64, hi: f64) {
        // SAFETY: `col` is a column of the instance.
        let status = unsafe { sys::Highs_changeColBounds(self.ptr(), int(col), lo, hi) };
        self.check("Highs_changeColBounds", status);
    }

    fn set_row_bounds(&self, row: usize, lo: f64, hi: f64) {
        // SAFETY: `row` is a row of the instance.
        let status = unsafe { sys::Highs_changeRowBounds(self.ptr(), int(row), lo, hi) };
        self.check("Highs_changeRowBounds", status);
    }

    /// Replaces the objective: `costed` lists the columns with a cost now
    /// and is updated to the new objective's columns.
    fn set_costs(&self, costed: &mut Vec<usize>, sense: Sense, objective: &[(usize, f64)]) {
        let sense = match sense {
            Sense::Minimise => OBJ_MINIMIZE,
            Sense::Maximise => OBJ_MAXIMIZE,
        };
        // Sum duplicate entries, then set the new costs and clear the old.
        let mut dense: std::collections::BTreeMap<usize, f64> = std::collections::BTreeMap::new();
        for &c in costed.iter() {
            dense.insert(c, 0.0);
        }
        let mut now = Vec::new();
        for &(c, v) in objective {
            *dense.entry(c).or_insert(0.0) += v;
            now.push(c);
        }
        let index: Vec<sys::HighsInt> = dense.keys().map(|&c| int(c)).collect();
        let cost: Vec<f64> = dense.values().copied().collect();
        // SAFETY: index and cost have the same length, indices < cols.
        unsafe {
            let status = sys::Highs_changeObjectiveSense(self.ptr(), sense);
            self.check("Highs_changeObjectiveSense", status);
            if !index.is_empty() {
                let status = sys::Highs_changeColsCostBySet(
                    self.ptr(),
                    int(index.len()),
                    index.as_ptr(),
                    cost.as_ptr(),
                );
                self.check("Highs_changeColsCostBySet", status);
            }
        }
        now.sort_unstable();
        now.dedup();
        *costed = now;
    }

    fn clear_solver(&self) {
        // SAFETY: the instance is live; clearing the solver keeps the model.
        let status = unsafe { sys::Highs_clearSolver(self.ptr()) };
        self.check("Highs_clearSolver", status);
    }

    fn run(&self) -> Result<(), LpFailure> {
        if let Some((call, status)) = self.rejected.get() {
            return Err(LpFailure::Rejected { call, status });
        }
        let (_running, others) = Running::enter();
        if self.cold.get() && self.parallel.get() {
            // Parallel pricing takes the same pivots as serial dual
            // simplex, 20–28 % faster on the benchmark's large cold solves
            // (2 cores). Beside another run (parts or scenarios solved in
            // parallel) its threads only compete: three scenarios of
            // 30×6×12 took 24–55 s instead of 7 s. (A run that starts
            // alone keeps its threads if others start meanwhile.)
            let strategy = if others == 0 {
                SIMPLEX_DUAL_SIP
            } else {
                SIMPLEX_DUAL
            };
            self.set_int("simplex_strategy", strategy);
        }
        if let Some(deadline) = self.deadline.get() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(LpFailure::Limit(LimitKind::Time(None)));
            }
            // HiGHS measures its time limit from the instance's clocks,
            // which run on over every run (until HiGHS 2.0): zeroed here,
            // so that the limit is this run's.
            // SAFETY: the instance is live.
            let status = unsafe { sys::Highs_zeroAllClocks(self.ptr()) };
            self.check("Highs_zeroAllClocks", status);
            self.set_double("time_limit", left.as_secs_f64());
        } else {
            self.set_double("time_limit", f64::INFINITY);
        }
        // SAFETY: the instance is live.
        let run = unsafe { sys::Highs_run(self.ptr()) };
        // SAFETY: as above.
        let status = unsafe { sys::Highs_getModelStatus(self.ptr()) };
        if let Some((call, status)) = self.rejected.get() {
            return Err(LpFailure::Rejected { call, status });
        }
        run_outcome(status, run)
    }

    /// Column values, reduced costs and row duals of the last solve.
    fn solution(&self, cols: usize, rows: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut values = vec![0.0; cols];
        let mut col_duals = vec![0.0; cols];
        let mut row_values = vec![0.0; rows];
        let mut row_duals = vec![0.0; rows];
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
        (values, col_duals, row_duals)
    }

    /// Basis statuses of columns and rows, if the instance has a valid basis.
    fn basis(&self, cols: usize, rows: usize) -> Option<(Vec<sys::HighsInt>, Vec<sys::HighsInt>)> {
        let mut col_status = vec![0; cols];
        let mut row_status = vec![0; rows];
        // SAFETY: the arrays have the instance's column and row counts.
        let status = unsafe {
            sys::Highs_getBasis(self.ptr(), col_status.as_mut_ptr(), row_status.as_mut_ptr())
        };
        (status != STATUS_ERROR).then_some((col_status, row_status))
    }

    fn set_basis(&self, col_status: &[sys::HighsInt], row_status: &[sys::HighsInt]) -> bool {
        // SAFETY: the arrays have the instance's column and row counts.
        let status =
            unsafe { sys::Highs_setBasis(self.ptr(), col_status.as_ptr(), row_status.as_ptr()) };
        status != STATUS_ERROR
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: the instance was created by Highs_create and is destroyed once.
        unsafe { sys::Highs_destroy(self.ptr()) }
    }
}

/// An open session: the whole LP in one HiGHS instance, and while primal
/// simplex runs (the leximin rounds), a *restricted* copy without the
/// columns that sit at zero.
///
/// HiGHS's primal simplex pays per pivot for every column of the LP, zero
/// or not: on a 30×6×12 leximin round 0.63 ms per pivot with all 35 681
/// columns, 0.04 ms with the 9 578 that are not at zero. So primal solves
/// run on the restricted copy and *price* the left-out columns after each
/// optimum: a left-out column (at its lower bound 0, no cost) whose
/// reduced cost `−aⱼᵀπ` improves the objective by more than HiGHS's dual
/// feasibility tolerance is added back (at 0, so the vertex stays
/// feasible) and primal simplex continues. When none prices in, the
/// restricted optimum is optimal for the whole LP: the left-out columns at
/// 0 are dual feasible. This is column generation, exact to the same
/// tolerance as HiGHS's own optimality test.
struct HighsSession {
    full: Instance,
    cols: usize,
    rows: usize,
    /// Columns with a non-zero cost in the current objective.
    costed: Vec<usize>,
    /// The simplex variant asked for.
    method: Method,
    /// Column bounds, rows' bounds, and the matrix by columns: what
    /// pricing and restricted copies need.
    col_lo: Vec<f64>,
    col_hi: Vec<f64>,
    row_lo: Vec<f64>,
    row_hi: Vec<f64>,
    entries: Vec<Vec<(usize, f64)>>,
    restricted: Option<Restricted>,
    /// The next cold solve starts from a basis set by
    /// [`Session::start_from`] instead of from scratch.
    warm: bool,
}

/// The restricted copy used by primal simplex (see [`HighsSession`]).
struct Restricted {
    inst: Instance,
    /// Restricted column of each session column that is in the copy.
    slot: Vec<Option<usize>>,
    /// Session column of each restricted column.
    session_col: Vec<usize>,
    /// Restricted columns with a non-zero cost.
    costed: Vec<usize>,
    /// Left-out columns to bring in before the next solve (their bounds
    /// no longer allow 0, or they are in the objective), so that many
    /// bound changes in a row (freezing a tier) add them in one call.
    pending: Vec<usize>,
}

impl HighsSession {
    fn new(lp: &Lp) -> HighsSession {
        let full = Instance::new();
        let h = full.ptr();
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
        let mut entries = vec![Vec::new(); n];
        for (i, r) in lp.rows.iter().enumerate() {
            start.push(int(index.len()));
            for &(c, v) in &r.coefs {
                index.push(int(c));
                value.push(v);
                entries[c].push((i, v));
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
        full.check("Highs_passLp", status);
        HighsSession {
            full,
            cols: n,
            rows: m,
            costed: Vec::new(),
            method: Method::Auto,
            col_lo,
            col_hi,
            row_lo,
            row_hi,
            entries,
            restricted: None,
            warm: false,
        }
    }

    /// Whether column `col` may be left out of the restricted copy: it
    /// sits at a lower bound of 0 (an upper bound of 0 too is fine).
    fn may_leave_out(&self, col: usize) -> bool {
        self.col_lo[col] == 0.0 && self.col_hi[col] >= 0.0
    }

    /// Opens the restricted copy from the whole LP's last basis, leaving
    /// out the columns nonbasic at a zero lower bound. Does nothing when
    /// there is no valid basis or too few columns would be left out.
    fn enter_restricted(&mut self) {
        let Some((col_status, row_status)) = self.full.basis(self.cols, self.rows) else {
            return;
        };
        let keep: Vec<bool> = (0..self.cols)
            .map(|j| col_status[j] != AT_LOWER || !self.may_leave_out(j))
            .collect();
        let kept = keep.iter().filter(|&&k| k).count();
        if kept * 4 > self.cols * 3 {
            return;
        }
        let mut slot = vec![None; self.cols];
        let mut session_col = Vec::with_capacity(kept);
        let (mut start, mut index, mut value) = (Vec::new(), Vec::new(), Vec::new());
        let (mut lo, mut hi, mut status) = (Vec::new(), Vec::new(), Vec::new());
        for j in (0..self.cols).filter(|&j| keep[j]) {
            slot[j] = Some(session_col.len());
            session_col.push(j);
            start.push(int(index.len()));
            for &(r, v) in &self.entries[j] {
                index.push(int(r));
                value.push(v);
            }
            lo.push(self.col_lo[j]);
            hi.push(self.col_hi[j]);
            status.push(col_status[j]);
        }
        start.push(int(index.len()));
        let inst = Instance::new();
        let cost = vec![0.0; kept];
        // SAFETY: every array has the length passLp reads (kept, rows,
        // kept + 1 and nnz), and the instance is live.
        let passed = unsafe {
            sys::Highs_passLp(
                inst.ptr(),
                int(kept),
                int(self.rows),
                int(index.len()),
                COLWISE,
                OBJ_MINIMIZE,
                0.0,
                cost.as_ptr(),
                lo.as_ptr(),
                hi.as_ptr(),
                self.row_lo.as_ptr(),
                self.row_hi.as_ptr(),
                start.as_ptr(),
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        if passed == STATUS_ERROR || !inst.set_basis(&status, &row_status) {
            return;
        }
        inst.set_method(Method::Primal);
        inst.deadline.set(self.full.deadline.get());
        inst.set_string("presolve", "off");
        // HiGHS's primal simplex perturbs bounds against degeneracy and,
        // at the end of a run, removes the perturbation and cleans up. On
        // the 60×12×26 benchmark's rounds that cost 2–4 s a run whatever
        // the pivot count; without it the same runs take 0.04–0.5 s. (On
        // the whole LP, the first round of a tier, it stays: there, without
        // it, rounds end at vertices with fewer non-zero duals and the
        // leximin needs more LPs: 48 instead of 29 for the 30×6×12
        // benchmark's routine tier.)
        inst.set_double("primal_simplex_bound_perturbation_multiplier", 0.0);
        self.restricted = Some(Restricted {
            inst,
            slot,
            session_col,
            costed: Vec::new(),
            pending: Vec::new(),
        });
    }

    /// Closes the restricted copy; with `keep_basis`, its basis (left-out
    /// columns at their lower bound) becomes the whole LP's.
    fn leave_restricted(&mut self, keep_basis: bool) {
        let Some(r) = self.restricted.take() else {
            return;
        };
        if !keep_basis {
            return;
        }
        if let Some((col_status, row_status)) = r.inst.basis(r.session_col.len(), self.rows) {
            let full: Vec<sys::HighsInt> = r
                .slot
                .iter()
                .map(|s| s.map_or(AT_LOWER, |k| col_status[k]))
                .collect();
            self.full.set_basis(&full, &row_status);
        }
    }

    /// Adds session columns `cols` (not yet in it) to the restricted copy.
    fn bring_in_all(&mut self, cols: &[usize]) {
        let Some(r) = self.restricted.as_mut() else {
            return;
        };
        let (mut start, mut index, mut value) = (Vec::new(), Vec::new(), Vec::new());
        let (mut lo, mut hi) = (Vec::new(), Vec::new());
        for &j in cols {
            start.push(int(index.len()));
            for &(i, v) in &self.entries[j] {
                index.push(int(i));
                value.push(v);
            }
            lo.push(self.col_lo[j]);
            hi.push(self.col_hi[j]);
            r.slot[j] = Some(r.session_col.len());
            r.session_col.push(j);
        }
        let cost = vec![0.0; cols.len()];
        // SAFETY: cost, lo, hi and start have `cols.len()` entries, index
        // and value the same number; every row index is a row of the copy.
        let status = unsafe {
            sys::Highs_addCols(
                r.inst.ptr(),
                int(cols.len()),
                cost.as_ptr(),
                lo.as_ptr(),
                hi.as_ptr(),
                int(index.len()),
                start.as_ptr(),
                index.as_ptr(),
                value.as_ptr(),
            )
        };
        r.inst.check("Highs_addCols", status);
    }

    /// Marks session column `col` to be brought into the restricted copy
    /// before the next solve, if it is not in it.
    fn bring_in(&mut self, col: usize) {
        if let Some(r) = self.restricted.as_mut()
            && r.slot[col].is_none()
        {
            r.pending.push(col);
        }
    }

    /// Brings the pending columns into the restricted copy.
    fn bring_in_pending(&mut self) {
        let Some(r) = self.restricted.as_mut() else {
            return;
        };
        let mut cols = std::mem::take(&mut r.pending);
        cols.sort_unstable();
        cols.dedup();
        cols.retain(|&j| r.slot[j].is_none());
        if !cols.is_empty() {
            self.bring_in_all(&cols);
        }
    }

    /// Solves on the restricted copy, pricing left-out columns back in
    /// until none improves (see [`HighsSession`]).
    fn solve_restricted(
        &mut self,
        sense: Sense,
        objective: &[(usize, f64)],
    ) -> Result<LpOutcome, LpFailure> {
        for &(c, _) in objective {
            self.bring_in(c);
        }
        self.bring_in_pending();
        let r = self.restricted.as_mut().expect("restricted copy");
        let mapped: Vec<(usize, f64)> = objective
            .iter()
            .map(|&(c, v)| (r.slot[c].expect("brought in"), v))
            .collect();
        r.inst.set_costs(&mut r.costed, sense, &mapped);
        for _ in 0..MAX_PRICING_PASSES {
            let r = self.restricted.as_ref().expect("restricted copy");
            r.inst.run()?;
            let (kept_values, kept_duals, row_duals) =
                r.inst.solution(r.session_col.len(), self.rows);
            // A left-out column has cost 0, so its reduced cost is −aⱼᵀπ;
            // it improves a maximisation when positive, a minimisation
            // when negative: `gain` is the improvement per unit.
            let gain = |j: usize| {
                let d: f64 = -self.entries[j]
                    .iter()
                    .map(|&(i, v)| v * row_duals[i])
                    .sum::<f64>();
                match sense {
                    Sense::Maximise => d,
                    Sense::Minimise => -d,
                }
            };
            // A left-out column fixed at 0 (by the driver's face
            // restriction) cannot enter.
            let left_out: Vec<(f64, usize)> = (0..self.cols)
                .filter(|&j| r.slot[j].is_none() && self.col_hi[j] > 0.0)
                .map(|j| (gain(j), j))
                .collect();
            let improving = left_out
                .iter()
                .filter(|&&(g, _)| g > PRICE_TOLERANCE)
                .count();
            if improving == 0 {
                let mut values = vec![0.0; self.cols];
                for (k, &j) in r.session_col.iter().enumerate() {
                    values[j] = kept_values[k];
                }
                // Left out: nonbasic at 0, reduced cost −aⱼᵀπ.
                let mut col_duals = vec![0.0; self.cols];
                let mut col_side = vec![Side::Lower; self.cols];
                for &(g, j) in &left_out {
                    col_duals[j] = match sense {
                        Sense::Maximise => g,
                        Sense::Minimise => -g,
                    };
                }
                let basis = r
                    .inst
                    .basis(r.session_col.len(), self.rows)
                    .map(|(cs, rs)| {
                        for (k, &j) in r.session_col.iter().enumerate() {
                            col_duals[j] = kept_duals[k];
                            col_side[j] = side(cs[k]);
                        }
                        Box::new(VertexBasis {
                            col_duals,
                            col_side,
                            row_side: rs.iter().map(|&s| side(s)).collect(),
                        })
                    });
                let objective = objective.iter().map(|&(c, v)| v * values[c]).sum();
                return Ok(LpOutcome {
                    values,
                    objective,
                    row_duals: Some(row_duals),
                    basis,
                });
            }
            let cols: Vec<usize> = left_out
                .into_iter()
                .filter(|&(g, _)| g > PRICE_TOLERANCE)
                .map(|(_, j)| j)
                .collect();
            self.bring_in_all(&cols);
        }
        Err(LpFailure::Other("pricing did not settle".into()))
    }
}

impl Session for HighsSession {
    fn set_parallel(&mut self, parallel: bool) {
        self.full.parallel.set(parallel);
    }

    fn set_deadline(&mut self, deadline: Option<Instant>) {
        self.full.deadline.set(deadline);
        if let Some(r) = &self.restricted {
            r.inst.deadline.set(deadline);
        }
    }

    fn set_method(&mut self, method: Method) {
        self.warm = false;
        if method != Method::Primal {
            // A dual simplex warm start continues from the restricted
            // copy's basis; cold starts and interior point need none.
            self.leave_restricted(method == Method::Auto);
        }
        self.full.set_method(method);
        self.method = method;
    }

    fn add_col(&mut self, lo: f64, hi: f64, _name: &str) -> usize {
        self.full.add_col(0.0, lo, hi, &[]);
        self.col_lo.push(lo);
        self.col_hi.push(hi);
        self.entries.push(Vec::new());
        if let Some(r) = self.restricted.as_mut() {
            r.inst.add_col(0.0, lo, hi, &[]);
            r.slot.push(Some(r.session_col.len()));
            r.session_col.push(self.cols);
        }
        self.cols += 1;
        self.cols - 1
    }

    fn add_row(&mut self, coefs: &[(usize, f64)], lo: f64, hi: f64, _name: &str) -> usize {
        self.full.add_row(coefs, lo, hi);
        for &(c, v) in coefs {
            self.entries[c].push((self.rows, v));
        }
        self.row_lo.push(lo);
        self.row_hi.push(hi);
        if let Some(r) = self.restricted.as_ref() {
            let kept: Vec<(usize, f64)> = coefs
                .iter()
                .filter_map(|&(c, v)| r.slot[c].map(|k| (k, v)))
                .collect();
            r.inst.add_row(&kept, lo, hi);
        }
        self.rows += 1;
        self.rows - 1
    }

    fn set_col_bounds(&mut self, col: usize, lo: f64, hi: f64) {
        if col >= self.cols {
            return;
        }
        self.full.set_col_bounds(col, lo, hi);
        self.col_lo[col] = lo;
        self.col_hi[col] = hi;
        let may_leave_out = self.may_leave_out(col);
        if let Some(r) = self.restricted.as_mut() {
            match r.slot[col] {
                Some(k) => r.inst.set_col_bounds(k, lo, hi),
                // Left out at 0, which the new bounds no longer allow.
                None if !may_leave_out => r.pending.push(col),
                None => {}
            }
        }
    }

    fn set_row_bounds(&mut self, row: usize, lo: f64, hi: f64) {
        if row >= self.rows {
            return;
        }
        self.full.set_row_bounds(row, lo, hi);
        self.row_lo[row] = lo;
        self.row_hi[row] = hi;
        if let Some(r) = self.restricted.as_ref() {
            r.inst.set_row_bounds(row, lo, hi);
        }
    }

    fn col_bounds(&self, col: usize) -> Option<(f64, f64)> {
        Some((*self.col_lo.get(col)?, *self.col_hi.get(col)?))
    }

    fn row_bounds(&self, row: usize) -> Option<(f64, f64)> {
        Some((*self.row_lo.get(row)?, *self.row_hi.get(row)?))
    }

    fn basis(&self) -> Option<Basis> {
        if self.restricted.is_some() {
            // The last solve ran on the restricted copy.
            return None;
        }
        let (cols, rows) = self.full.basis(self.cols, self.rows)?;
        let code = |v: &[sys::HighsInt]| -> Option<Vec<u8>> {
            v.iter().map(|&s| u8::try_from(s).ok()).collect()
        };
        Some(Basis {
            cols: code(&cols)?,
            rows: code(&rows)?,
        })
    }

    fn start_from(&mut self, basis: &Basis) -> bool {
        if self.method != Method::Cold || basis.shape() != (self.cols, self.rows) {
            return false;
        }
        self.leave_restricted(false);
        self.full.clear_solver();
        let cols: Vec<sys::HighsInt> = basis.cols.iter().map(|&s| s.into()).collect();
        let rows: Vec<sys::HighsInt> = basis.rows.iter().map(|&s| s.into()).collect();
        // HiGHS checks the basis (one basic per row); from a valid one it
        // runs dual simplex without presolve.
        self.warm = self.full.set_basis(&cols, &rows);
        self.warm
    }

    fn solve(&mut self, sense: Sense, objective: &[(usize, f64)]) -> Result<LpOutcome, LpFailure> {
        self.full.set_costs(&mut self.costed, sense, objective);
        if self.method == Method::Primal && self.restricted.is_some() {
            match self.solve_restricted(sense, objective) {
                Ok(out) => return Ok(out),
                Err(e @ LpFailure::Limit(_)) => return Err(e),
                // Infeasible without the left-out columns, or stuck: the
                // whole LP decides, from the copy's basis.
                Err(_) => self.leave_restricted(true),
            }
        }
        // A basis set by `start_from` is the start of this solve; a cold
        // solve otherwise forgets the last one.
        let warm = std::mem::take(&mut self.warm);
        if self.method == Method::Cold && !warm {
            self.full.clear_solver();
        }
        if let Err(e) = self.full.run() {
            if e == LpFailure::Infeasible {
                if self.method == Method::Primal {
                    // Primal simplex can lose feasibility to rounding on
                    // these tight LPs; dual simplex from the same basis
                    // settles it quickly.
                    self.full.set_int("simplex_strategy", SIMPLEX_DUAL);
                    let retry = self.full.run();
                    self.full.set_int("simplex_strategy", SIMPLEX_PRIMAL);
                    retry?;
                } else {
                    // The caller loosens its holds; a cold retry would only
                    // prove the same again, slowly.
                    return Err(e);
                }
            } else if matches!(e, LpFailure::Limit(_)) {
                return Err(e);
            } else {
                // A warm start can stall on numerical trouble: retry once from
                // scratch before giving up.
                self.full.clear_solver();
                self.full.run().map_err(|_| e)?;
            }
        }
        let (values, col_duals, row_duals) = self.full.solution(self.cols, self.rows);
        let basis = self.full.basis(self.cols, self.rows).map(|(cs, rs)| {
            Box::new(VertexBasis {
                col_duals,
                col_side: cs.iter().map(|&s| side(s)).collect(),
                row_side: rs.iter().map(|&s| side(s)).collect(),
            })
        });
        if self.method == Method::Primal {
            // Later primal solves run on a restricted copy. Not this one:
            // from another stage's vertex, pricing went one degenerate
            // column at a time (170 passes, 1 s, on the 30×6×12 benchmark's
            // first leximin round, where the whole LP takes 0.03–0.26 s).
            self.enter_restricted();
        }
        let objective = objective.iter().map(|&(c, v)| v * values[c]).sum();
        Ok(LpOutcome {
            values,
            objective,
            row_duals: Some(row_duals),
            basis,
        })
    }
}

/// What a run ended with, from HiGHS's model status and the status
/// `Highs_run` returned: `Ok` for an optimum (or an empty model), else the
/// typed failure.
fn run_outcome(model_status: sys::HighsInt, run_status: sys::HighsInt) -> Result<(), LpFailure> {
    match model_status {
        MODEL_STATUS_OPTIMAL | MODEL_STATUS_MODEL_EMPTY if run_status != STATUS_ERROR => Ok(()),
        MODEL_STATUS_INFEASIBLE | MODEL_STATUS_UNBOUNDED_OR_INFEASIBLE => {
            Err(LpFailure::Infeasible)
        }
        MODEL_STATUS_UNBOUNDED => Err(LpFailure::Unbounded),
        MODEL_STATUS_REACHED_TIME_LIMIT => Err(LpFailure::Limit(LimitKind::Time(None))),
        MODEL_STATUS_REACHED_ITERATION_LIMIT => Err(LpFailure::Limit(LimitKind::Iterations)),
        other => Err(LpFailure::Other(format!(
            "HiGHS stopped with model status {other} (run status {run_status})"
        ))),
    }
}

/// The [`Side`] of a HiGHS basis status.
fn side(status: sys::HighsInt) -> Side {
    match status {
        AT_LOWER => Side::Lower,
        AT_UPPER => Side::Upper,
        _ => Side::Basic,
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

    /// A solve past its time limit fails with `Limit`; a later, generous
    /// limit solves as usual.
    #[test]
    fn time_limit_stops_a_solve() {
        let mut s = Highs.open(&lp());
        s.set_deadline(Some(Instant::now()));
        let out = s.solve(Sense::Maximise, &[(0, 1.0), (1, 1.0)]);
        assert!(matches!(out, Err(LpFailure::Limit(_))), "{out:?}");
        s.set_deadline(Some(Instant::now() + std::time::Duration::from_secs(3600)));
        let out = s.solve(Sense::Maximise, &[(0, 1.0), (1, 1.0)]).unwrap();
        assert!(close(out.objective, 2.8), "{out:?}");
        // No limit at all.
        s.set_deadline(None);
        let out = s.solve(Sense::Minimise, &[(0, 1.0)]).unwrap();
        assert!(close(out.objective, 0.0), "{out:?}");
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

    /// Primal solves leave zero columns out and price them back in.
    ///
    /// Columns x, y1, y2 ∈ [0, 10]; rows x + y1 ≤ 2, x ≤ 1. Maximising x
    /// gives x = 1 with y1 = y2 = 0 at their lower bounds, so the primal
    /// solve that follows leaves them out. It holds x ≥ 1 and maximises a
    /// new column t with t ≤ y1 + y2 and y2 ≤ 3: without y1 and y2, t = 0;
    /// both price in (reduced cost −aⱼᵀπ = π > 0 for the binding row's
    /// dual π), and the optimum is t = y1 + y2 = (2 − 1) + 3 = 4.
    #[test]
    fn primal_solves_price_left_out_columns_back_in() {
        let col = |name: &str| Column {
            name: name.into(),
            lo: 0.0,
            hi: 10.0,
        };
        let lp = Lp {
            cols: vec![col("x"), col("y1"), col("y2")],
            rows: vec![
                Row {
                    name: "a".into(),
                    coefs: vec![(0, 1.0), (1, 1.0)],
                    lo: f64::NEG_INFINITY,
                    hi: 2.0,
                },
                Row {
                    name: "b".into(),
                    coefs: vec![(0, 1.0)],
                    lo: f64::NEG_INFINITY,
                    hi: 1.0,
                },
            ],
        };
        let mut s = Highs.open(&lp);
        let out = s.solve(Sense::Maximise, &[(0, 1.0)]).unwrap();
        assert!(close(out.values[0], 1.0), "{out:?}");
        s.set_method(Method::Primal);
        let t = s.add_col(0.0, 10.0, "t");
        s.add_row(
            &[(t, 1.0), (1, -1.0), (2, -1.0)],
            f64::NEG_INFINITY,
            0.0,
            "t_le_y",
        );
        s.set_col_bounds(2, 0.0, 3.0);
        s.set_col_bounds(0, 1.0, 10.0);
        let out = s.solve(Sense::Maximise, &[(t, 1.0)]).unwrap();
        assert!(close(out.objective, 4.0), "{out:?}");
        assert!(
            close(out.values[1], 1.0) && close(out.values[2], 3.0),
            "{out:?}"
        );
        // Minimising: x − t ≥ x − (2 − x + 3) = 2x − 5 ≥ −3 at x = 1.
        let out = s.solve(Sense::Minimise, &[(0, 1.0), (t, -1.0)]).unwrap();
        assert!(close(out.objective, -3.0), "{out:?}");
        // A bound that makes a left-out column non-zero brings it in:
        // y1 ≥ 1.5 needs x ≤ 0.5, against x ≥ 1.
        s.set_col_bounds(1, 1.5, 10.0);
        assert_eq!(
            s.solve(Sense::Maximise, &[(t, 1.0)]),
            Err(LpFailure::Infeasible)
        );
        // Freed again, dual simplex on the whole LP: t = (2 − 0) + 3 = 5.
        s.set_col_bounds(0, 0.0, 10.0);
        s.set_method(Method::Auto);
        let out = s.solve(Sense::Maximise, &[(t, 1.0)]).unwrap();
        assert!(
            close(out.objective, 5.0) && out.values[1] >= 1.5 - 1e-9,
            "{out:?}"
        );
    }

    /// Every HiGHS model status becomes its typed outcome; an optimum
    /// counts only when the run itself did not fail.
    #[test]
    fn model_statuses_map_to_typed_outcomes() {
        use sys::*;
        for run in [STATUS_OK, STATUS_WARNING] {
            assert_eq!(run_outcome(MODEL_STATUS_OPTIMAL, run), Ok(()));
            assert_eq!(run_outcome(MODEL_STATUS_MODEL_EMPTY, run), Ok(()));
        }
        for run in [STATUS_OK, STATUS_WARNING, STATUS_ERROR] {
            assert_eq!(
                run_outcome(MODEL_STATUS_INFEASIBLE, run),
                Err(LpFailure::Infeasible)
            );
            assert_eq!(
                run_outcome(MODEL_STATUS_UNBOUNDED_OR_INFEASIBLE, run),
                Err(LpFailure::Infeasible)
            );
            assert_eq!(
                run_outcome(MODEL_STATUS_UNBOUNDED, run),
                Err(LpFailure::Unbounded)
            );
            assert_eq!(
                run_outcome(MODEL_STATUS_REACHED_TIME_LIMIT, run),
                Err(LpFailure::Limit(LimitKind::Time(None)))
            );
            assert_eq!(
                run_outcome(MODEL_STATUS_REACHED_ITERATION_LIMIT, run),
                Err(LpFailure::Limit(LimitKind::Iterations))
            );
        }
        // An "optimum" of a run that failed is no optimum.
        assert_eq!(
            run_outcome(MODEL_STATUS_OPTIMAL, STATUS_ERROR),
            Err(LpFailure::Other(format!(
                "HiGHS stopped with model status {MODEL_STATUS_OPTIMAL} (run status {STATUS_ERROR})"
            )))
        );
        // Every other status is reported with its numbers.
        for status in [
            MODEL_STATUS_NOTSET,
            MODEL_STATUS_LOAD_ERROR,
            MODEL_STATUS_MODEL_ERROR,
            MODEL_STATUS_PRESOLVE_ERROR,
            MODEL_STATUS_SOLVE_ERROR,
            MODEL_STATUS_POSTSOLVE_ERROR,
            MODEL_STATUS_OBJECTIVE_BOUND,
            MODEL_STATUS_OBJECTIVE_TARGET,
            MODEL_STATUS_UNKNOWN,
            MODEL_STATUS_REACHED_SOLUTION_LIMIT,
            MODEL_STATUS_REACHED_INTERRUPT,
            MODEL_STATUS_REACHED_MEMORY_LIMIT,
            MODEL_STATUS_HIGHS_INTERRUPT,
        ] {
            assert_eq!(
                run_outcome(status, STATUS_OK),
                Err(LpFailure::Other(format!(
                    "HiGHS stopped with model status {status} (run status {STATUS_OK})"
                ))),
                "{status}"
            );
        }
    }

    /// A call HiGHS refuses (a row on a column that does not exist) fails
    /// the next run with `Rejected`, naming the first refused call;
    /// warnings and later errors do not replace it.
    #[test]
    fn refused_calls_fail_the_next_run_with_the_call_named() {
        let inst = Instance::new();
        inst.add_col(1.0, 0.0, 1.0, &[]);
        inst.check("Highs_test_warning", sys::STATUS_WARNING);
        assert_eq!(inst.rejected.get(), None);
        // Column 5 does not exist: HiGHS returns kHighsStatusError.
        inst.add_row(&[(5, 1.0)], 0.0, 1.0);
        inst.set_col_bounds(9, 0.0, 1.0);
        assert_eq!(
            inst.run(),
            Err(LpFailure::Rejected {
                call: "Highs_addRow",
                status: sys::STATUS_ERROR,
            })
        );
        // The bounds of a column that does not exist, on a fresh instance.
        let inst = Instance::new();
        inst.set_col_bounds(3, 0.0, 1.0);
        assert_eq!(
            inst.run(),
            Err(LpFailure::Rejected {
                call: "Highs_changeColBounds",
                status: sys::STATUS_ERROR,
            })
        );
        // Calls HiGHS accepts leave the instance solvable.
        let inst = Instance::new();
        inst.add_col(1.0, 0.0, 1.0, &[]);
        inst.add_row(&[(0, 1.0)], 0.0, 1.0);
        assert_eq!(inst.run(), Ok(()));
    }

    /// HiGHS's own time limit, reached inside a run (the deadline is still
    /// ahead when the run starts), gives `Limit(Time)`; the LP is
    /// feasible and bounded, so no other outcome can pass for it.
    #[test]
    fn a_time_limit_reached_inside_highs_is_a_time_limit() {
        let lp = crate::backend::tests::large_lp(2000, 1500, 7);
        let objective: Vec<(usize, f64)> = (0..lp.cols.len()).map(|j| (j, 1.0)).collect();
        let mut s = Highs.open(&lp);
        s.set_deadline(Some(Instant::now() + std::time::Duration::from_millis(1)));
        assert_eq!(
            s.solve(Sense::Maximise, &objective),
            Err(LpFailure::Limit(LimitKind::Time(None)))
        );
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
