//! Checking a bundle: every file against the manifest, the manifest against
//! `manifest.sha256`, and the messages of the three message files against the originals.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path};

use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use plupper_model::Message;
use plupper_model::element::parse_element;
use plupper_model::plural::counted;
use plupper_model::printable::printable;
use plupper_store::chain::hex;

use super::seal::{bundle_files, hash_file};
use super::{
    CONVERSATIONS_NDJSON, FORMAT, FORMAT_VERSION, MANIFEST, MANIFEST_SUM, MESSAGES_CSV,
    MESSAGES_JSON, MESSAGES_NDJSON, Manifest, io_error, transcript_path,
};
use crate::AuditError;

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

/// Checks the bundle in `dir`; see the [module docs](super). A directory that does not
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use plupper_search::Filter;
    use plupper_store::Store;
    use plupper_sync::{file::import_file, load::NoProgress};

    use super::*;
    use crate::bundle::{ExportInfo, export};

    /// Written and checked with the one record shape: an intact bundle has no
    /// difference, and a changed field in one NDJSON line is named down to the field.
    #[test]
    fn what_export_writes_verify_reads_back_and_a_changed_field_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("archive")).unwrap();
        import_file(&mut store, "../../data/seed.json".as_ref(), &NoProgress);
        let bundle = dir.path().join("bundle");
        let info = ExportInfo {
            tool: "test".into(),
            exported_at: "2026-11-25T12:00:00Z".into(),
            given: vec![],
        };
        export(&store, &Filter::default(), &bundle, info).unwrap();
        assert_eq!(
            verify_bundle(&bundle).unwrap().differences,
            Vec::<String>::new()
        );

        let path = bundle.join(MESSAGES_NDJSON);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(
            &path,
            text.replacen("\"operator\":\"john\"", "\"operator\":\"paul\"", 1),
        )
        .unwrap();
        let differences = verify_bundle(&bundle).unwrap().differences;
        assert!(
            differences.iter().any(|d| d.starts_with(
                "messages.ndjson line 1 (message 1): `operator` is \"paul\" there but \"john\""
            )),
            "{differences:?}"
        );
    }
}
