//! # allot — emergency allocation of critical items among allies
//!
//! allot reads a problem file (TOML or JSON, see `docs/format.md` and the
//! contract `docs/SPEC.md`), builds the linear program of who makes, ships and
//! serves what, solves it lexicographically — tier by tier the weighted
//! shortage, then leximin-fair fill rates, then cost — and reports the plan.
//!
//! The pipeline, one module per stage:
//!
//! | stage | type | module |
//! | --- | --- | --- |
//! | file as written | [`raw::RawProblem`] | [`raw`], [`json`], [`mod@load`] |
//! | validated problem | [`Problem`] | [`validate`], [`problem`] |
//! | size estimate and guard (`--max-size`) | [`size::Estimate`] | [`size`] |
//! | linear program | [`model::Model`] | [`model`] |
//! | LP solver | [`backend::Backend`] | [`backend`] |
//! | independent parts | [`components::Component`] | [`components`] |
//! | lexicographic solve | [`SolveOptions`] | [`mod@solve`] |
//! | guarantee, comparisons, marginal values | [`share::Compare`], [`share::Marginal`] | [`share`] |
//! | plan and results | [`Solution`] | [`solution`], checked by [`verify`] |
//! | output | table, JSON, CSV | [`report`] |
//!
//! Around them: [`error`] (one error type with its exit status),
//! [`diagnostic`] (located messages), [`cli`] (the `allot` command) and
//! [`term`] (progress spinner and colour on stderr).
//!
//! ```
//! let problem = allot::load_str(r#"
//!     [[items]]
//!     id = "chips"
//!     [[allies]]
//!     id = "TW"
//!     [[allies]]
//!     id = "US"
//!     [[supply]]
//!     ally = "TW"
//!     item = "chips"
//!     stock = 80
//!     [[demand]]
//!     ally = "US"
//!     item = "chips"
//!     tier = "critical"
//!     quantity = 100
//!     [[lanes]]
//!     from = "TW"
//!     to = "US"
//!     cost = 2
//! "#, "example.toml").unwrap();
//! let solution = allot::solve(&problem, None, &allot::SolveOptions::default()).unwrap();
//! // 80 of the 100 units needed reach the US, at 2 per unit.
//! let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
//! assert!(close(solution.tier("critical").unwrap().weighted_shortage, 20.0));
//! assert!(close(solution.fill_rate("US", "chips", "critical").unwrap(), 0.8));
//! assert!(close(solution.cost.total, 160.0));
//! ```

#![deny(missing_docs)]

pub mod backend;
pub mod check;
pub mod cli;
pub mod components;
pub mod diagnostic;
pub mod error;
pub mod generate;
pub mod json;
pub mod load;
pub mod model;
pub mod problem;
pub mod raw;
pub mod report;
pub mod share;
pub mod size;
pub mod solution;
pub mod solve;
pub mod term;
pub mod units;
pub mod validate;
pub mod verify;

pub use backend::SolverKind;
pub use error::{Error, Result};
pub use load::{Format, load};
pub use problem::Problem;
pub use solution::Solution;
pub use solve::{SolveOptions, solve};

/// Parses and validates a problem from text; `name` (a file name such as
/// `x.toml` or `x.json`) picks the format and appears in messages.
pub fn load_str(text: &str, name: &str) -> Result<Problem> {
    let path = std::path::Path::new(name);
    let format = Format::of_path(path).unwrap_or(Format::Toml);
    load::parse_str(text, path, format)
}

/// The Rust examples of README.md, run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
