//! All integration tests, in one binary (one link, one run).

mod handsolved;
mod harness;
mod properties;
mod solve;
