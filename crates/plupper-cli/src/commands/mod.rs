//! One module per command: flags in, library calls, output.
//!
//! The commands that read go through the library's door, [`plupper_archive::Archive`],
//! opened with [`open`]: only `import` and `sync` create a missing archive.

use std::path::Path;

use plupper_archive::Archive;

use crate::Failure;

/// The existing archive in `dir`: `error: no archive in DIR` (exit 1) when there is none.
pub fn open(dir: &Path) -> Result<Archive, Failure> {
    Ok(Archive::open(dir)?)
}

/// The existing archive in `dir`, opened to answer queries only (see
/// [`Archive::open_to_read`]).
pub fn open_to_read(dir: &Path) -> Result<Archive, Failure> {
    Ok(Archive::open_to_read(dir)?)
}

pub mod completions;
pub mod context;
pub mod conversations;
pub mod export;
pub mod filter;
pub mod import;
pub mod index;
pub mod keygen;
pub mod man;
pub mod password;
pub mod quarantine;
pub mod query;
pub mod search;
pub mod serve;
pub mod show;
pub mod show_conversation;
pub mod stats;
pub mod sync;
pub mod translate;
pub mod user;
pub mod verify;
pub mod verify_bundle;
