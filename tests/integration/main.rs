//! All integration tests, in one binary (one link, one run).

mod backends;
mod browser;
mod check;
mod cli;
mod docs;
mod errors;
mod handsolved;
mod harness;
mod html;
mod plan;
mod properties;
mod reusable;
mod shard;
mod share;
mod solve;
