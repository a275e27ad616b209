//! Stage 1, reading: the file as written ([`raw`], with JSON's own reader in
//! [`json`]), loading it ([`mod@load`]: format, size guard, then
//! [`crate::problem::validate`]) and the located messages it produces
//! ([`diagnostic`]).

pub mod diagnostic;
pub mod json;
pub mod load;
pub mod raw;
