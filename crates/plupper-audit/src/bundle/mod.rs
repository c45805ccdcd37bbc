//! Evidence bundles: a directory of exported messages that proves itself.
//!
//! ```text
//! DIR/
//!   messages.json          the API's response body for the selected messages: the
//!                          original elements, byte for byte
//!   messages.ndjson        the same messages as NDJSON (id, six fields, timestamp)
//!   messages.csv           the same messages as CSV
//!   conversations.ndjson   the conversations the messages belong to, one summary a line
//!   transcripts/conversation-ID.txt   each of those conversations, whole, for reading
//!   manifest.json          what was exported, from where, when, by what, and the
//!                          SHA-256 of every other file
//!   manifest.sha256        the SHA-256 of manifest.json (`sha256sum -c` reads it)
//! ```
//!
//! [`export`] writes the message files, the conversations and their transcripts
//! ([`write`]); [`seal`] then writes the manifest over whatever the directory holds. [`verify_bundle`] checks a bundle:
//! every file against its recorded SHA-256 and size, no file missing or added, the
//! manifest against `manifest.sha256`, the manifest's counts and ids against the files,
//! and the messages of the three message files against each other (each NDJSON line and
//! CSV row re-derived from the corresponding original in `messages.json`), so that a
//! change is named down to the message and field where it can be.
//!
//! A bundle proves itself to whoever holds its manifest's SHA-256 from the time of export
//! (the export prints it); someone who rewrites a file, the manifest and
//! `manifest.sha256` together is caught only against that. The manifest also records the
//! archive's chain head at export, which `verify` on the archive prints.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use plupper_model::Message;
use plupper_model::element::parse_element;
use plupper_model::printable::printable;
use plupper_store::chain::hex;

use plupper_model::plural::counted;

use crate::AuditError;

pub mod write;

pub use write::{ExportInfo, export};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The file holding the manifest's SHA-256.
pub const MANIFEST_SUM: &str = "manifest.sha256";
/// The API response body of the selected messages.
pub const MESSAGES_JSON: &str = "messages.json";
/// The selected messages as NDJSON.
pub const MESSAGES_NDJSON: &str = "messages.ndjson";
/// The selected messages as CSV.
pub const MESSAGES_CSV: &str = "messages.csv";
/// The conversations' summaries as NDJSON.
pub const CONVERSATIONS_NDJSON: &str = "conversations.ndjson";
/// The directory of transcripts.
pub const TRANSCRIPTS: &str = "transcripts";
/// What a manifest says it is.
pub const FORMAT: &str = "plupper-archive evidence bundle";
/// The version of the bundle layout.
pub const FORMAT_VERSION: u32 = 1;

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
    /// The archive ids of the exported messages, in the order of the message files.
    pub message_ids: Vec<i64>,
    /// The conversations they belong to, in the order they started.
    pub conversation_ids: Vec<i64>,
    /// Every other file of the bundle, by path (`/`-separated, relative), sorted.
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
    /// Messages exported.
    pub messages: u64,
    /// Conversations they belong to.
    pub conversations: u64,
    /// Files other than the manifest and its checksum.
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
    /// The exported messages' ids.
    pub message_ids: Vec<i64>,
    /// Their conversations' ids.
    pub conversation_ids: Vec<i64>,
}

/// What [`seal`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The manifest.
    pub manifest: Manifest,
    /// The SHA-256 of `manifest.json`, hex.
    pub manifest_sha256: String,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
    move |source| AuditError::Io {
        path: path.to_owned(),
        source,
    }
}

/// SHA-256 and size of a file, read in blocks.
fn hash_file(path: &Path) -> Result<(String, u64), std::io::Error> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut bytes = 0;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok((hex(&hasher.finalize()), bytes))
}

/// Every file under `dir` (not the manifest and its checksum), as sorted relative paths
/// with `/` separators. Other kinds of entries (links, sockets) are returned too, so that
/// they are reported.
fn bundle_files(dir: &Path) -> Result<Vec<String>, AuditError> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let absolute = dir.join(&relative);
        for entry in fs::read_dir(&absolute).map_err(io_error(&absolute))? {
            let entry = entry.map_err(io_error(&absolute))?;
            let path = relative.join(entry.file_name());
            let kind = entry.file_type().map_err(io_error(&absolute))?;
            if kind.is_dir() {
                pending.push(path);
            } else {
                let text = path
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                if text != MANIFEST && text != MANIFEST_SUM {
                    out.push(text);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `manifest.json` and `manifest.sha256` for the files now in `dir`.
pub fn seal(dir: &Path, draft: Draft) -> Result<Sealed, AuditError> {
    let mut files = Vec::new();
    for path in bundle_files(dir)? {
        let absolute = dir.join(&path);
        let (sha256, bytes) = hash_file(&absolute).map_err(io_error(&absolute))?;
        files.push(FileRecord {
            path,
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        tool: draft.tool,
        exported_at: draft.exported_at,
        archive: draft.archive,
        filter: draft.filter,
        counts: Counts {
            messages: draft.message_ids.len() as u64,
            conversations: draft.conversation_ids.len() as u64,
            files: files.len() as u64,
        },
        message_ids: draft.message_ids,
        conversation_ids: draft.conversation_ids,
        files,
    };
    let mut text = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| AuditError::Inconsistent(format!("cannot write the manifest: {e}")))?;
    text.push(b'\n');
    let path = dir.join(MANIFEST);
    fs::write(&path, &text).map_err(io_error(&path))?;
    let manifest_sha256 = hex(&Sha256::digest(&text));
    let path = dir.join(MANIFEST_SUM);
    fs::write(&path, format!("{manifest_sha256}  {MANIFEST}\n")).map_err(io_error(&path))?;
    Ok(Sealed {
        manifest,
        manifest_sha256,
    })
}

/// What [`verify_bundle`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleCheck {
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
    /// The SHA-256 of `manifest.json` as found, when it exists.
    pub manifest_sha256: Option<String>,
    /// Everything that differs from what was exported, as lines for people
    /// ([`printable`]: a difference may quote an exported text or a file name found in the
    /// bundle); empty for an intact bundle.
    pub differences: Vec<String>,
}

/// Checks the bundle in `dir`; see the [module docs](self). A directory that does not
/// exist or cannot be read is an error; everything else is a difference.
pub fn verify_bundle(dir: &Path) -> Result<BundleCheck, AuditError> {
    let mut differences = Vec::new();
    let present = bundle_files(dir)?;
    let manifest_bytes = match fs::read(dir.join(MANIFEST)) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            differences.push(format!(
                "{MANIFEST} is missing: nothing in the bundle can be checked without it"
            ));
            None
        }
        Err(e) => return Err(io_error(&dir.join(MANIFEST))(e)),
    };
    let manifest_sha256 = manifest_bytes
        .as_ref()
        .map(|bytes| hex(&Sha256::digest(bytes)));
    check_manifest_sum(dir, manifest_sha256.as_deref(), &mut differences)?;
    let manifest = match manifest_bytes
        .as_deref()
        .map(serde_json::from_slice::<Manifest>)
    {
        Some(Ok(manifest)) => Some(manifest),
        Some(Err(error)) => {
            differences.push(format!(
                "{MANIFEST} is not a bundle manifest any more: {error}"
            ));
            None
        }
        None => None,
    };
    if let Some(manifest) = &manifest {
        check_manifest(manifest, &mut differences);
        check_files(dir, manifest, &present, &mut differences)?;
        check_contents(dir, manifest, &mut differences);
    }
    let differences = differences
        .into_iter()
        .map(|line| printable(&line).into_owned())
        .collect();
    Ok(BundleCheck {
        manifest,
        manifest_sha256,
        differences,
    })
}

fn check_manifest_sum(
    dir: &Path,
    actual: Option<&str>,
    differences: &mut Vec<String>,
) -> Result<(), AuditError> {
    let path = dir.join(MANIFEST_SUM);
    let text = match fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            differences.push(format!(
                "{MANIFEST_SUM} is missing: the manifest cannot be checked"
            ));
            return Ok(());
        }
        Err(e) => return Err(io_error(&path)(e)),
    };
    let recorded = text
        .strip_suffix('\n')
        .and_then(|line| line.strip_suffix(&format!("  {MANIFEST}")))
        .filter(|hash| {
            hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        });
    match (recorded, actual) {
        (None, _) => differences.push(format!(
            "{MANIFEST_SUM} was changed: it no longer holds one line `<SHA-256>  {MANIFEST}`"
        )),
        (Some(recorded), Some(actual)) if recorded != actual => differences.push(format!(
            "{MANIFEST} was changed after export: its SHA-256 is {actual}, {MANIFEST_SUM} records {recorded}"
        )),
        _ => {}
    }
    Ok(())
}

/// The manifest's own consistency.
fn check_manifest(manifest: &Manifest, differences: &mut Vec<String>) {
    let mut say = |what: String| differences.push(format!("{MANIFEST}: {what}"));
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        say(format!(
            "says it is `{} {}`, not `{FORMAT} {FORMAT_VERSION}`",
            manifest.format, manifest.format_version
        ));
    }
    let counts = &manifest.counts;
    if counts.messages != manifest.message_ids.len() as u64 {
        say(format!(
            "counts {} but lists {}",
            counted(counts.messages, "message"),
            counted(manifest.message_ids.len() as u64, "message id")
        ));
    }
    if counts.conversations != manifest.conversation_ids.len() as u64 {
        say(format!(
            "counts {} but lists {}",
            counted(counts.conversations, "conversation"),
            counted(manifest.conversation_ids.len() as u64, "conversation id")
        ));
    }
    if counts.files != manifest.files.len() as u64 {
        say(format!(
            "counts {} files but lists {}",
            counts.files,
            manifest.files.len()
        ));
    }
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    for id in &manifest.conversation_ids {
        let path = transcript_path(*id);
        if !listed.contains(path.as_str()) {
            say(format!(
                "lists conversation {id} but not its transcript {path}"
            ));
        }
    }
    for required in [
        MESSAGES_JSON,
        MESSAGES_NDJSON,
        MESSAGES_CSV,
        CONVERSATIONS_NDJSON,
    ] {
        if !listed.contains(required) {
            say(format!(
                "does not list {required}, which every bundle holds"
            ));
        }
    }
}

/// A manifest path that stays inside the bundle.
fn inside(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn check_files(
    dir: &Path,
    manifest: &Manifest,
    present: &[String],
    differences: &mut Vec<String>,
) -> Result<(), AuditError> {
    let mut listed = BTreeSet::new();
    for record in &manifest.files {
        if !inside(&record.path) {
            differences.push(format!(
                "{MANIFEST}: lists `{}`, which is not a path inside the bundle",
                record.path
            ));
            continue;
        }
        listed.insert(record.path.as_str());
        let path = dir.join(&record.path);
        match hash_file(&path) {
            Ok((sha256, bytes)) if sha256 == record.sha256 && bytes == record.bytes => {}
            Ok((sha256, bytes)) => differences.push(format!(
                "{}: changed since export: it has {bytes} bytes with SHA-256 {sha256}; the manifest records {} bytes with SHA-256 {}",
                record.path, record.bytes, record.sha256
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => differences.push(format!(
                "{}: missing (the manifest records {} bytes with SHA-256 {})",
                record.path, record.bytes, record.sha256
            )),
            Err(e) => differences.push(format!("{}: cannot be read: {e}", record.path)),
        }
    }
    for path in present {
        if !listed.contains(path.as_str()) {
            differences.push(format!("{path}: not in the manifest (added after export)"));
        }
    }
    Ok(())
}

/// One exported message as the NDJSON and CSV files give it.
type ExportedMessage = plupper_model::wire::MessageRecord<'static>;

/// A message re-derived from its original element.
struct Derived {
    message: Message,
    timestamp: Option<String>,
}

/// The originals of `messages.json`, re-derived; `None` where one does not parse.
fn derived_messages(dir: &Path, differences: &mut Vec<String>) -> Option<Vec<Option<Derived>>> {
    let bytes = fs::read(dir.join(MESSAGES_JSON)).ok()?;
    let elements: Vec<&RawValue> = match serde_json::from_slice(&bytes) {
        Ok(elements) => elements,
        Err(error) => {
            differences.push(format!(
                "{MESSAGES_JSON}: not an API response any more: {error}"
            ));
            return None;
        }
    };
    let derived = elements
        .iter()
        .enumerate()
        .map(|(i, raw)| match parse_element(raw.get().as_bytes()) {
            Ok(element) => Some(Derived {
                timestamp: element.date.instant().map(|t| t.to_rfc3339()),
                message: element.message,
            }),
            Err(error) => {
                differences.push(format!(
                    "{MESSAGES_JSON}: element {} no longer parses as a message: {error}",
                    i + 1
                ));
                None
            }
        })
        .collect();
    Some(derived)
}

fn check_contents(dir: &Path, manifest: &Manifest, differences: &mut Vec<String>) {
    let derived = derived_messages(dir, differences);
    if let Some(derived) = &derived
        && derived.len() != manifest.message_ids.len()
    {
        differences.push(format!(
            "{MESSAGES_JSON}: holds {}, the manifest lists {}",
            counted(derived.len() as u64, "message"),
            manifest.message_ids.len()
        ));
    }
    let ndjson = read_ndjson(dir, differences);
    let csv = read_csv(dir, differences);
    for (file, rows, unit) in [
        (MESSAGES_NDJSON, ndjson, "line"),
        (MESSAGES_CSV, csv, "row"),
    ] {
        let Some(rows) = rows else { continue };
        if rows.len() != manifest.message_ids.len() {
            differences.push(format!(
                "{file}: holds {}, the manifest lists {}",
                counted(rows.len() as u64, "message"),
                manifest.message_ids.len()
            ));
        }
        for (i, row) in rows.iter().enumerate() {
            let place = format!("{file} {unit} {}", i + 1);
            let Some(row) = row else { continue };
            if let Some(&id) = manifest.message_ids.get(i)
                && row.id != id
            {
                differences.push(format!(
                    "{place}: message id is {}, the manifest lists {id}",
                    row.id
                ));
            }
            if let Some(Some(original)) = derived.as_ref().and_then(|d| d.get(i)) {
                compare(&place, row, original, file == MESSAGES_CSV, differences);
            }
        }
    }
    check_conversations(dir, manifest, differences);
}

fn read_ndjson(dir: &Path, differences: &mut Vec<String>) -> Option<Vec<Option<ExportedMessage>>> {
    let bytes = fs::read(dir.join(MESSAGES_NDJSON)).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let rows = text
        .lines()
        .enumerate()
        .map(|(i, line)| match serde_json::from_str(line) {
            Ok(row) => Some(row),
            Err(error) => {
                differences.push(format!(
                    "{MESSAGES_NDJSON} line {}: not a message any more: {error}",
                    i + 1
                ));
                None
            }
        })
        .collect();
    Some(rows)
}

fn read_csv(dir: &Path, differences: &mut Vec<String>) -> Option<Vec<Option<ExportedMessage>>> {
    let bytes = fs::read(dir.join(MESSAGES_CSV)).ok()?;
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let expected = plupper_model::wire::CSV_HEADER;
    match reader.headers() {
        Ok(headers) if headers.iter().eq(expected) => {}
        _ => {
            differences.push(format!(
                "{MESSAGES_CSV}: its header is not `{}` any more",
                expected.join(",")
            ));
            return None;
        }
    }
    let empty_is_null = |field: &str| (!field.is_empty()).then(|| field.to_owned().into());
    let rows = reader
        .records()
        .enumerate()
        .map(|(i, record)| {
            let parsed = record.map_err(|e| e.to_string()).and_then(|r| {
                Ok(ExportedMessage {
                    id: r[0]
                        .parse()
                        .map_err(|_| format!("id `{}` is not a number", &r[0]))?,
                    content: r[1].to_owned().into(),
                    customer_id: empty_is_null(&r[2]),
                    created: r[3].to_owned().into(),
                    visitor_id: match &r[4] {
                        "" => None,
                        v => Some(
                            v.parse()
                                .map_err(|_| format!("visitorId `{v}` is not a number"))?,
                        ),
                    },
                    message_type: r[5].to_owned().into(),
                    operator: empty_is_null(&r[6]),
                    timestamp: (!r[7].is_empty()).then(|| r[7].to_owned()),
                })
            });
            match parsed {
                Ok(row) => Some(row),
                Err(error) => {
                    differences.push(format!(
                        "{MESSAGES_CSV} row {}: not a message any more: {error}",
                        i + 1
                    ));
                    None
                }
            }
        })
        .collect();
    Some(rows)
}

/// Compares an exported row with the message re-derived from its original. CSV writes
/// null as an empty field, so there an empty text and null are the same.
fn compare(
    place: &str,
    row: &ExportedMessage,
    original: &Derived,
    csv: bool,
    differences: &mut Vec<String>,
) {
    let text = |value: Option<&str>| match value {
        None => "null".to_owned(),
        Some(text) => serde_json::to_string(text).unwrap_or_default(),
    };
    let optional = |value: Option<&str>| {
        text(if csv {
            value.filter(|v| !v.is_empty())
        } else {
            value
        })
    };
    let message = &original.message;
    let fields = [
        (
            "content",
            text(Some(&row.content)),
            text(Some(&message.content)),
        ),
        (
            "customerId",
            optional(row.customer_id.as_deref()),
            optional(message.customer_id.as_deref()),
        ),
        (
            "created",
            text(Some(&row.created)),
            text(Some(&message.created)),
        ),
        (
            "visitorId",
            row.visitor_id.map_or("null".into(), |v| v.to_string()),
            message.visitor_id.map_or("null".into(), |v| v.to_string()),
        ),
        (
            "type",
            text(Some(&row.message_type)),
            text(Some(&message.message_type)),
        ),
        (
            "operator",
            optional(row.operator.as_deref()),
            optional(message.operator.as_deref()),
        ),
        (
            "timestamp",
            optional(row.timestamp.as_deref()),
            optional(original.timestamp.as_deref()),
        ),
    ];
    for (field, exported, derived) in fields {
        if exported != derived {
            differences.push(format!(
                "{place} (message {}): `{field}` is {exported} there but {derived} in the original in {MESSAGES_JSON}",
                row.id
            ));
        }
    }
}

fn check_conversations(dir: &Path, manifest: &Manifest, differences: &mut Vec<String>) {
    let Ok(bytes) = fs::read(dir.join(CONVERSATIONS_NDJSON)) else {
        return;
    };
    #[derive(Deserialize)]
    struct Line {
        id: i64,
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut ids = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match serde_json::from_str::<Line>(line) {
            Ok(line) => ids.push(line.id),
            Err(error) => differences.push(format!(
                "{CONVERSATIONS_NDJSON} line {}: not a conversation any more: {error}",
                i + 1
            )),
        }
    }
    if ids != manifest.conversation_ids {
        let mine: BTreeMap<i64, ()> = ids.iter().map(|&id| (id, ())).collect();
        let theirs: BTreeMap<i64, ()> = manifest
            .conversation_ids
            .iter()
            .map(|&id| (id, ()))
            .collect();
        let only_here: Vec<String> = mine
            .keys()
            .filter(|id| !theirs.contains_key(id))
            .map(ToString::to_string)
            .collect();
        let only_there: Vec<String> = theirs
            .keys()
            .filter(|id| !mine.contains_key(id))
            .map(ToString::to_string)
            .collect();
        differences.push(format!(
            "{CONVERSATIONS_NDJSON}: its conversations are not the manifest's (only in the file: [{}]; only in the manifest: [{}])",
            only_here.join(", "),
            only_there.join(", ")
        ));
    }
}
