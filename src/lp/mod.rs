//! Stage 3, the linear program: its size estimate and guard ([`size`]),
//! the LP of SPEC §3 ([`model`]) in the units it is solved in ([`units`]),
//! its independent parts ([`components`]) and the solvers behind one trait
//! ([`backend`]).

pub mod backend;
pub mod components;
pub mod model;
pub mod size;
pub mod units;
