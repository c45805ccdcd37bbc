//! One module per command: flags in, library calls, output.

pub mod filter;
pub mod import;
pub mod quarantine;
pub mod query;
pub mod show;
