//! All integration tests, in one binary (one link, one run).

mod backends;
mod check;
mod cli;
mod docs;
mod errors;
mod handsolved;
mod harness;
mod properties;
mod reusable;
mod shard;
mod share;
mod solve;
