//! One module per command: flags in, library calls, output.

pub mod filter;
pub mod import;
pub mod index;
pub mod quarantine;
pub mod search;
pub mod query;
pub mod show;
pub mod sync;
