//! # allot — emergency allocation of critical items among allies
//!
//! allot reads a problem file (TOML or JSON, see `docs/format.md` and the
//! contract `docs/SPEC.md`), builds the linear program of who makes, ships and
//! serves what, solves it lexicographically — tier by tier the weighted
//! shortage, then leximin-fair fill rates, then cost — and reports the plan.
//!
//! The pipeline, one folder per stage (`docs/design.md` says more):
//!
//! | stage | type | module |
//! | --- | --- | --- |
//! | 1. file as written | [`raw::RawProblem`] | [`input`]: [`raw`], [`json`], [`mod@load`], [`diagnostic`] |
//! | 2. validated problem | [`Problem`] | [`problem`]: [`validate`], [`generate`] |
//! | 3. linear program | [`model::Model`] | [`lp`]: [`size`], [`model`], [`units`], [`components`], [`backend`] |
//! | 4. lexicographic solve | [`SolveRequest`] | [`mod@solve`]; guarantee, comparisons, marginal values: [`share`] ([`share::Compare`], [`share::Marginal`]) |
//! | 5. plan and results | [`Solution`] | [`output`]: [`solution`], [`verify`], [`report`] |
//! | stockpile planning (`allot plan`) | [`plan::Plan`] | [`mod@plan`]: the extensive form over every case, built from stage 3's model |
//!
//! Around them: [`error`] (one error type with its exit status), [`check`]
//! (regression checks of problem files against their `[expect]` tables) and,
//! with the default feature `cli`, the `allot` command (`cli`: arguments,
//! printing, progress and colour on stderr). The library builds without it
//! (`cargo build --no-default-features --lib`): no clap, indicatif or anstream.
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
//! let solution = allot::SolveRequest::new(&problem).run().unwrap().solution;
//! // 80 of the 100 units needed reach the US, at 2 per unit.
//! let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
//! assert!(close(solution.tier("critical").unwrap().weighted_shortage, 20.0));
//! assert!(close(solution.fill_rate("US", "chips", "critical").unwrap(), 0.8));
//! assert!(close(solution.cost.total, 160.0));
//! ```

#![deny(missing_docs)]

pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod input;
pub mod lp;
pub mod output;
pub mod plan;
pub mod problem;
pub mod shard;
pub mod solve;

// Each stage's modules, also at the crate root (the paths before the stages
// became folders).
pub use input::{diagnostic, json, load, raw};
pub use lp::{backend, components, model, size, units};
pub use output::{report, solution, verify};
pub use problem::{generate, validate};
pub use solve::share;

pub use backend::SolverKind;
pub use error::{Error, Result};
pub use load::{Format, load};
pub use plan::{PlanOptions, plan};
pub use problem::Problem;
pub use solution::Solution;
pub use solve::{SolveOptions, SolveRequest, Solved, Tuning};

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
