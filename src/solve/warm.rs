//! Warm starts of the `--marginal` re-solves (SPEC §11) from the base
//! solve.
//!
//! A re-solve's problem is the base problem with more free stock at one
//! node: the first-period balance row of that node gets a larger
//! right-hand side ([`crate::model`]), and nothing else in the LP changes
//! but numbers the lexicographic driver derives from earlier optima (the
//! held shortages, leximin levels, frozen schedules, optimal-face bounds).
//! So each LP of the re-solve's chain that starts a new objective cold
//! (each tier's shortage and the cost, [`crate::backend::Method::Cold`])
//! has the same columns, rows, matrix and objective as the base chain's LP
//! with that objective, with some bounds moved. The base chain's optimal
//! basis there is then a start that is dual feasible except where the
//! moved bounds make it not, and usually a few pivots from the re-solve's
//! optimum: dual simplex starts from it
//! ([`crate::backend::Session::start_from`]) instead
//! of from scratch.
//!
//! It is exact: a starting basis only decides where simplex starts, not
//! what is optimal, and every number of an entry is a unique optimum
//! (SPEC §6); the re-solve is checked like any other (`verify`). It is
//! taken only where the base chain has a basis recorded on an LP with the
//! same structure ([`fingerprint`]: the same columns and rows, by name, and
//! the same matrix) and the same objective; elsewhere (a new supply entry
//! that renumbers the nodes, another part, a chain that met its stages
//! differently) the solve starts as it would without it.
//!
//! Only the cold solves are warm-started. The leximin rounds already start
//! from the previous LP's vertex; started instead from the base chain's
//! basis of the same round with dual simplex, one 30×6×12 round took
//! 35 017 pivots and 28 s where the usual primal start took 670 pivots and
//! 1 s (README, "What sharing costs to compute").

use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use crate::backend::{Basis, Sense};
use crate::model::Lp;

/// One cold solve of a base chain: its objective and its optimal basis.
pub(crate) struct Step {
    pub(crate) sense: Sense,
    pub(crate) objective: Vec<(usize, f64)>,
    pub(crate) basis: Basis,
}

/// The cold solves' bases of every part of a base solve, by the part's LP
/// structure ([`fingerprint`]).
#[derive(Default)]
pub(crate) struct WarmStarts {
    chains: Mutex<Vec<(u64, Arc<[Step]>)>>,
}

impl WarmStarts {
    /// Keeps the chain of the part whose LP has `fingerprint`. A second
    /// part of the same structure (identical parts) keeps the first's.
    pub(crate) fn record(&self, fingerprint: u64, steps: Vec<Step>) {
        let mut chains = self.chains.lock().unwrap_or_else(|e| e.into_inner());
        if !chains.iter().any(|(f, _)| *f == fingerprint) {
            chains.push((fingerprint, steps.into()));
        }
    }

    /// The chain of the base part whose LP has `fingerprint`.
    pub(crate) fn chain(&self, fingerprint: u64) -> Option<Arc<[Step]>> {
        let chains = self.chains.lock().unwrap_or_else(|e| e.into_inner());
        chains
            .iter()
            .find(|(f, _)| *f == fingerprint)
            .map(|(_, c)| c.clone())
    }
}

/// What a solve does with warm starts.
#[derive(Clone, Copy, Default)]
pub(crate) enum Warm<'a> {
    /// Nothing.
    #[default]
    Off,
    /// Records its cold solves' bases (the base solve of `--marginal`).
    Record(&'a WarmStarts),
    /// Starts its cold solves from the recorded bases where they fit (a
    /// re-solve).
    From(&'a WarmStarts),
}

/// A hash of `lp`'s structure: the number, names and order of its columns
/// and rows and every coefficient, but no bound. Two LPs with the same
/// fingerprint differ (but for a hash collision, which would only make a
/// poor starting basis) in bounds alone.
pub(crate) fn fingerprint(lp: &Lp) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    lp.cols.len().hash(&mut h);
    lp.rows.len().hash(&mut h);
    for c in &lp.cols {
        c.name.hash(&mut h);
    }
    for r in &lp.rows {
        r.name.hash(&mut h);
        r.coefs.len().hash(&mut h);
        for &(c, v) in &r.coefs {
            c.hash(&mut h);
            v.to_bits().hash(&mut h);
        }
    }
    h.finish()
}
