//! Evidence bundles: a directory of exported messages that proves itself.
//!
//! ```text
//! DIR/
//!   originals.ndjson       every message the bundle shows, with its original element:
//!                          the selected messages and, marked as context, the rest of
//!                          their conversations, a conversation at a time (mod@originals)
//!   messages.json          the API's response body for the selected messages: the
//!                          original elements, byte for byte
//!   messages.ndjson        the same messages as NDJSON (id, six fields, timestamp)
//!   messages.csv           the same messages as CSV
//!   conversations.ndjson   the conversations the messages belong to, one summary a line
//!   transcripts/conversation-ID.txt   each of those conversations, whole, for reading
//!   index.html             all of it as one page with a search box, for any browser
//!   manifest.json          what was exported, from where, when, by what, and the
//!                          SHA-256 of every other file but the transcripts (made from
//!                          originals.ndjson, and checked against it)
//!   manifest.sha256        the SHA-256 of manifest.json (`sha256sum -c` reads it)
//!   manifest.sig           (signed bundles) an Ed25519 signature of manifest.json
//! ```
//!
//! [`export`] writes `originals.ndjson` and the files made from it ([`mod@derive`]),
//! seals the bundle ([`seal`]: the manifest), signs it when given a key ([`mod@sign`])
//! and records it in the archive's chain ([`plupper_store::exports`]). [`verify_bundle`]
//! checks a bundle, streaming its files (memory does not grow with its messages):
//!
//! - every file against its recorded SHA-256 and size, none missing or added, the
//!   manifest against `manifest.sha256`;
//! - every file made from the messages against the same file made again from
//!   `originals.ndjson` and `messages.json`, naming the first line that differs; the
//!   selected messages of `originals.ndjson` against `messages.json` (the same messages
//!   with the same ids and originals), the `selected` marks against the manifest's
//!   filter, and each conversation against the grouping rule;
//! - and, as asked ([`Expected`]), the manifest against a SHA-256 given out of band,
//!   against the exports the archive recorded, and its signature against a public key.
//!
//! Checksums inside a bundle prove nothing against someone who rewrites the bundle: only
//! the checks against something kept apart (the SHA-256 the export printed, the archive,
//! the public key) do. The others find any change that leaves the files disagreeing.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::AuditError;

mod compare;
pub mod derive;
pub mod html;
pub mod originals;
mod rebuild;
mod seal;
pub mod sign;
mod verify;
pub mod write;

pub use seal::seal;
pub use verify::{BundleCheck, Expected, verify_bundle};
pub use write::{ExportInfo, export};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The file holding the manifest's SHA-256.
pub const MANIFEST_SUM: &str = "manifest.sha256";
/// The file holding the manifest's signature, in a signed bundle.
pub const SIGNATURE: &str = "manifest.sig";
/// Every message the bundle shows, with its original element.
pub const ORIGINALS: &str = "originals.ndjson";
/// The API response body of the selected messages.
pub const MESSAGES_JSON: &str = "messages.json";
/// The selected messages as NDJSON.
pub const MESSAGES_NDJSON: &str = "messages.ndjson";
/// The selected messages as CSV.
pub const MESSAGES_CSV: &str = "messages.csv";
/// The conversations' summaries as NDJSON.
pub const CONVERSATIONS_NDJSON: &str = "conversations.ndjson";
/// The page for browsers.
pub const INDEX_HTML: &str = "index.html";
/// The directory of transcripts.
pub const TRANSCRIPTS: &str = "transcripts";
/// What a manifest says it is.
pub const FORMAT: &str = "plupper-archive evidence bundle";
/// The version of the bundle layout: 2 added `originals.ndjson` and `index.html`, and
/// left the id lists out of the manifest (the files hold them).
pub const FORMAT_VERSION: u32 = 2;

/// A filter as an API query string, dates written `MM/DD/YYYY` (read literally, so the
/// string means the same whatever day it is read on).
///
/// ```
/// use plupper_audit::bundle::applied_query;
/// use plupper_search::Filter;
///
/// let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
/// let filter = Filter::from_query_string("from=4/29/09&contains=100%25+off", today)?;
/// assert_eq!(applied_query(&filter), "from=04%2F29%2F2009&contains=100%25+off");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn applied_query(filter: &plupper_search::Filter) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    let date = |d: chrono::NaiveDate| d.format("%m/%d/%Y").to_string();
    if let Some(from) = filter.from {
        query.append_pair("from", &date(from));
    }
    if let Some(to) = filter.to {
        query.append_pair("to", &date(to));
    }
    if let Some(operator) = &filter.operator {
        query.append_pair("operator", operator);
    }
    if let Some(visitor) = filter.visitor_id {
        query.append_pair("visitorId", &visitor.to_string());
    }
    if let Some(customer) = &filter.customer_id {
        query.append_pair("customerId", customer);
    }
    if let Some(contains) = &filter.contains {
        query.append_pair("contains", contains);
    }
    query.finish()
}

/// The path of a conversation's transcript inside a bundle.
pub fn transcript_path(conversation: i64) -> String {
    format!("{TRANSCRIPTS}/conversation-{conversation}.txt")
}

/// What `manifest.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The program that exported it, e.g. `plupper-archive 0.1.0`.
    pub tool: String,
    /// When it was exported (RFC 3339, UTC).
    pub exported_at: String,
    /// The archive it was exported from.
    pub archive: ArchiveRecord,
    /// The filter as given, and as applied.
    pub filter: FilterRecord,
    /// How many of each.
    pub counts: Counts,
    /// Every other file of the bundle but the transcripts, by path (`/`-separated,
    /// relative), sorted. The transcripts are made from `originals.ndjson`, which is
    /// listed, and checked against it line by line.
    pub files: Vec<FileRecord>,
}

/// The archive a bundle comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchiveRecord {
    /// The archive's uuid.
    pub uuid: String,
    /// How many messages it held.
    pub messages: u64,
    /// The last link of its chain at export (`None`: an empty archive).
    pub chain_head: Option<ChainHead>,
}

/// A chain link, as a manifest records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainHead {
    /// The link's number.
    pub link: i64,
    /// The last archive id it covers.
    pub last_id: i64,
    /// Its hash, hex.
    pub sha256: String,
}

/// The filter of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterRecord {
    /// The filter as given: (flag, value) pairs, in the order given.
    pub given: Vec<(String, String)>,
    /// The filter as applied (dates resolved), as an API query string.
    pub applied: String,
}

/// The counts of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Counts {
    /// Messages exported (selected by the filter).
    pub messages: u64,
    /// The other messages of their conversations, exported as context.
    pub context: u64,
    /// Conversations they belong to.
    pub conversations: u64,
    /// Files listed in the manifest (all but the manifest, its checksum and signature,
    /// and the transcripts).
    pub files: u64,
}

/// A file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileRecord {
    /// Its path inside the bundle.
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

/// What an export knows before the files are hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The program, e.g. `plupper-archive 0.1.0`.
    pub tool: String,
    /// When (RFC 3339, UTC): given by the caller, the library reads no clock.
    pub exported_at: String,
    /// The archive.
    pub archive: ArchiveRecord,
    /// The filter.
    pub filter: FilterRecord,
    /// How many messages, context messages and conversations (`files` is counted when
    /// sealing).
    pub counts: Counts,
}

/// What [`seal`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The manifest.
    pub manifest: Manifest,
    /// The SHA-256 of `manifest.json`, hex.
    pub manifest_sha256: String,
}

impl Manifest {
    /// What the page of the bundle says about the export.
    pub fn page_info(&self) -> html::PageInfo {
        html::PageInfo {
            tool: self.tool.clone(),
            exported_at: self.exported_at.clone(),
            archive: self.archive.uuid.clone(),
            filter: self.filter.applied.clone(),
        }
    }
}

/// Names the file an I/O error is about.
fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
    move |source| AuditError::Io {
        path: path.to_owned(),
        source,
    }
}
