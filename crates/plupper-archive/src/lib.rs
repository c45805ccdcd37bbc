//! A plupper-archive as a library: one dependency for a tool that reads or feeds a Plupper
//! chat archive (an auditor's report script, a CRM import, an HTTP server).
//!
//! [`Archive`] is the door:
//!
//! - opening: [`Archive::open`] (an existing archive; [`Error::NoArchive`] otherwise),
//!   [`Archive::create`] (create or open), [`Archive::open_read_only`];
//! - the API's filters: [`Archive::query`] streams the matching messages in the API's
//!   order, [`Archive::count`] counts them; a [`Filter`] comes from an API query string
//!   ([`Filter::from_query_string`]) or from the typed builder
//!   (`Filter::default().operator("peter").contains("money")`). The search index answers
//!   when it is current and the store otherwise, with the same answer;
//! - ranked search: [`Archive::search`], hits with score, snippet, highlights and
//!   conversation, bringing the index up to date itself when it may write;
//! - adding messages: [`Archive::import`] (files and directories), [`Archive::sync`]
//!   (the Plupper API);
//! - auditing: [`Archive::conversations`], [`Archive::stats`], [`Archive::verify`],
//!   [`Archive::export`] (evidence bundles, checked by [`verify_bundle`]).
//!
//! - answers in the API's own format: [`api`] (what `--format api` prints and the HTTP
//!   server sends).
//!
//! Every method returns the one [`Error`] of this crate. Like every library of the
//! workspace, this one reads no clock and no environment: `today` (for two-digit years
//! and sync windows) and the time of an export are arguments.
//!
//! # Example
//!
//! ```
//! use plupper_archive::{Archive, Filter, NoProgress};
//!
//! let dir = tempfile::tempdir()?;
//! let mut archive = Archive::create(dir.path())?;
//! // The API reference's own example response: five messages of visitor 32751 and john.
//! archive.import(&["../../data/seed.json"], &NoProgress)?;
//!
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
//! let filter = Filter::from_query_string("operator=john&contains=HELP&from=04/29/09", today)?;
//! let answer: Vec<_> = archive.query(&filter)?.collect::<Result<_, _>>()?;
//! assert_eq!(answer.len(), 1);
//! assert_eq!(answer[0].message.content, "Hi, how can i help you ?");
//! assert_eq!(archive.count(&filter)?, 1);
//!
//! let hits = archive.search("help", &Filter::default(), Some(5))?;
//! assert_eq!(hits[0].message.id, answer[0].id);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(unreachable_pub)]

pub mod api;
mod archive;
mod audit;
mod error;
mod ingest;
mod search;

use std::path::Path;

pub use archive::{Archive, Messages};
pub use audit::Conversations;
pub use error::Error;
pub use ingest::{ImportReport, SyncConfig, SyncReport};

/// The calendar date of the filters' `from` and `to` and of `today`.
pub use chrono::NaiveDate;
pub use plupper_audit::bundle::{BundleCheck, ExportInfo, Manifest, Sealed};
pub use plupper_audit::check::{ArchiveCheck, IndexState};
pub use plupper_audit::conversations::Conversation;
pub use plupper_audit::stats::{GroupBy, StatsRow};
pub use plupper_audit::summary::ConversationSummary;
pub use plupper_index::{Freshness, UpdateProgress, UpdateReport};
pub use plupper_model::{Message, Original, OriginalKind};
pub use plupper_search::executor::Route;
pub use plupper_search::ranked::{Hit, Ranked};
pub use plupper_search::{Filter, FilterError, Param};
pub use plupper_store::{ArchiveId, ConversationId, QuarantineEntry, StoredMessage};
pub use plupper_sync::file::{FileError, FileReport, ImportProgress};
pub use plupper_sync::http::{HttpConfig, Password};
pub use plupper_sync::load::Progress;
pub use plupper_sync::pull::{PullOptions, PullProgress, PullReport, SyncError};

/// Checks an evidence bundle made by [`Archive::export`]: every file against the
/// manifest, the manifest against `manifest.sha256`, and the exported messages against
/// their originals. Differences are in the answer; a directory that cannot be read is an
/// error.
///
/// ```
/// use plupper_archive::verify_bundle;
///
/// let dir = tempfile::tempdir()?;
/// let check = verify_bundle(dir.path())?; // an empty directory is no bundle
/// assert!(check.manifest.is_none());
/// assert_eq!(check.differences[0], "manifest.json is missing: nothing in the bundle can be checked without it");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_bundle(dir: &Path) -> Result<BundleCheck, Error> {
    Ok(plupper_audit::bundle::verify_bundle(dir)?)
}

/// A progress listener that ignores everything: for [`Archive::import`],
/// [`Archive::sync`] and [`Archive::update_index`].
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}
impl ImportProgress for NoProgress {}
impl PullProgress for NoProgress {}
impl UpdateProgress for NoProgress {}
