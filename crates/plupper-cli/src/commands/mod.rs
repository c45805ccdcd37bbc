//! One module per command: flags in, library calls, output.

pub mod import;
pub mod quarantine;
pub mod show;
