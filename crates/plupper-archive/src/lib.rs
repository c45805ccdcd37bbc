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
//!   [`Archive::export`] (evidence bundles, checked by [`verify_bundle`] and [`Archive::verify_bundle`]).
//! - moving to a distributed engine: [`Archive::export_engine`] (Quickwit or OpenSearch
//!   shards, index definition, manifest; `since_id` for what is new), [`translate`] (an
//!   API filter as the engine's query, and where it answers only a superset).
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
mod engines;
mod error;
mod ingest;
mod search;

use std::path::Path;

pub use archive::{Archive, Messages};
pub use audit::Conversations;
pub use engines::translate;
pub use error::Error;
pub use ingest::{ImportReport, SyncConfig, SyncReport};

/// The calendar date of the filters' `from` and `to` and of `today`.
pub use chrono::NaiveDate;
pub use plupper_audit::bundle::sign::{PublicKey, SecretKey};
pub use plupper_audit::bundle::{BundleCheck, ExportInfo, Manifest, Sealed};
pub use plupper_audit::check::{ArchiveCheck, IndexState};
pub use plupper_audit::conversations::Conversation;
pub use plupper_audit::stats::{GroupBy, StatsRow};
pub use plupper_audit::summary::ConversationSummary;
pub use plupper_engines::Engine;
pub use plupper_engines::export::{EngineManifest, ShardLimits};
pub use plupper_engines::translate::{Caveat, Translation};
pub use plupper_index::{
    Freshness, UpdateProgress, UpdateReport, keep_readers as keep_index_readers,
};
pub use plupper_model::wire::{CreatedText, MessageView};
pub use plupper_model::{Message, Original, OriginalKind};
pub use plupper_search::executor::Route;
pub use plupper_search::ranked::{Hit, Ranked};
pub use plupper_search::{Filter, FilterError, Param};
pub use plupper_store::exports::{ExportEntry, ExportRecord};
pub use plupper_store::{ArchiveId, ConversationId, QuarantineEntry, StoredMessage};
pub use plupper_sync::file::{FileError, FileReport, ImportProgress};
pub use plupper_sync::http::{HttpConfig, Password};
pub use plupper_sync::load::Progress;
pub use plupper_sync::pull::{PullOptions, PullProgress, PullReport, SyncError};

/// What an evidence bundle is checked against besides itself: what was kept apart from
/// it. See also [`Archive::verify_bundle`], which adds the archive's records.
#[derive(Debug, Default, Clone)]
pub struct BundleProof {
    /// The SHA-256 of the bundle's `manifest.json` that the export printed (hex).
    pub manifest_sha256: Option<String>,
    /// The public key the manifest must be signed with.
    pub key: Option<PublicKey>,
}

impl BundleProof {
    fn expected<'a>(
        &self,
        store: Option<&'a plupper_store::Store>,
    ) -> plupper_audit::bundle::Expected<'a> {
        plupper_audit::bundle::Expected {
            manifest_sha256: self.manifest_sha256.clone(),
            key: self.key.clone(),
            archive: store,
        }
    }
}

/// Checks an evidence bundle made by [`Archive::export`]: every file against the
/// manifest, the manifest against `manifest.sha256` and `proof`, and every file made
/// from the messages against the same file made again from them. Differences are in the
/// answer; a directory that cannot be read is an error.
///
/// ```
/// use plupper_archive::{BundleProof, verify_bundle};
///
/// let dir = tempfile::tempdir()?;
/// let check = verify_bundle(dir.path(), &BundleProof::default())?; // an empty directory is no bundle
/// assert!(check.manifest.is_none());
/// assert_eq!(check.differences[0], "manifest.json is missing: nothing in the bundle can be checked without it");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_bundle(dir: &Path, proof: &BundleProof) -> Result<BundleCheck, Error> {
    Ok(plupper_audit::bundle::verify_bundle(
        dir,
        &proof.expected(None),
    )?)
}

/// Writes a new signing key pair for [`Archive::export`]: the secret key at `secret`
/// (readable by its owner only; never over a file that exists) and the public key beside
/// it, named with `.pub` added. `seed` is 32 random bytes, drawn by the caller.
///
/// ```
/// use plupper_archive::{keygen, read_public_key, read_secret_key};
///
/// let dir = tempfile::tempdir()?;
/// let public = keygen(&dir.path().join("key"), [9; 32])?;
/// assert_eq!(read_public_key(&dir.path().join("key.pub"))?, public);
/// assert_eq!(read_secret_key(&dir.path().join("key"))?.public(), public);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn keygen(secret: &Path, seed: [u8; 32]) -> Result<PublicKey, Error> {
    Ok(plupper_audit::bundle::sign::write_key_pair(secret, seed)?)
}

/// Reads a secret key that [`keygen`] wrote; refuses one that others may read.
pub fn read_secret_key(path: &Path) -> Result<SecretKey, Error> {
    Ok(plupper_audit::bundle::sign::read_secret_key(path)?)
}

/// Reads a public key that [`keygen`] wrote.
pub fn read_public_key(path: &Path) -> Result<PublicKey, Error> {
    Ok(plupper_audit::bundle::sign::read_public_key(path)?)
}

/// A progress listener that ignores everything: for [`Archive::import`],
/// [`Archive::sync`] and [`Archive::update_index`].
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}
impl ImportProgress for NoProgress {}
impl PullProgress for NoProgress {}
impl UpdateProgress for NoProgress {}
