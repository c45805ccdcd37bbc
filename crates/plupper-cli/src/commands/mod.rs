//! One module per command: flags in, library calls, output.

pub mod completions;
pub mod context;
pub mod conversations;
pub mod export;
pub mod filter;
pub mod import;
pub mod index;
pub mod man;
pub mod quarantine;
pub mod query;
pub mod search;
pub mod show;
pub mod show_conversation;
pub mod stats;
pub mod sync;
pub mod verify;
pub mod verify_bundle;
