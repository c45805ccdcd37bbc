//! Auditing a plupper-archive offline: "what did operator X tell customer Y, when, and
//! can you prove that this is what the service sent?"
//!
//! - [`conversations`]: the conversations a filter selects (those with at least one
//!   matching message, taken whole), in the order they started, with their
//!   [`summary`] figures: visitor, customer, operators, first-response time;
//! - [`stats`]: messages, conversations, visitors, median and 90th-percentile
//!   first-response time and unanswered conversations, overall or by operator, day,
//!   month or customer;
//! - [`transcript`]: a conversation as a readable chat transcript;
//! - [`bundle`]: evidence bundles (the exported files, a manifest with the SHA-256 of
//!   each) and their verification;
//! - [`check`]: verifying a whole archive: the store's checks
//!   ([`plupper_store::verify`]) and the search index against the store.
//!
//! The conversations themselves (the grouping rule and the ids) are the store's:
//! [`plupper_store::conversation`]. Like every library of the workspace, this one reads
//! no clock and no environment: the time of an export is an argument.
//!
//! # Example
//!
//! ```
//! use plupper_audit::{conversations, stats::{GroupBy, Stats}};
//! use plupper_search::Filter;
//! use plupper_store::Store;
//! use plupper_sync::{file::import_file, load::NoProgress};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = Store::open(dir.path())?;
//! // The API reference's example: two chats of visitor 32751 with john, a day apart.
//! import_file(&mut store, "../../data/seed.json".as_ref(), &NoProgress);
//!
//! let selected = conversations::select(&store, &Filter::default())?;
//! let mut stats = Stats::new(Some(GroupBy::Operator));
//! for conversation in conversations::in_order(&store, selected) {
//!     let conversation = conversation?;
//!     for message in &conversation.messages {
//!         stats.add_message(message);
//!     }
//!     stats.add_conversation(&conversation.summary);
//! }
//! let rows = stats.rows();
//! assert_eq!(rows[0].group.as_deref(), Some("john"));
//! assert_eq!((rows[0].messages, rows[0].conversations), (5, 2));
//! // First responses of 91 s (17:16:13 → 17:17:44) and 205 s (15:54:16 → 15:57:41).
//! assert_eq!(rows[0].median_first_response, Some(91));
//! assert_eq!(rows[0].p90_first_response, Some(205));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(unreachable_pub)]

pub mod bundle;
pub mod check;
pub mod conversations;
mod error;
pub mod stats;
pub mod summary;
pub mod transcript;

pub use error::AuditError;
