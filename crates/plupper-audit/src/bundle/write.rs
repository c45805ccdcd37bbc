//! Writing a bundle: the selected messages once through into the three message files,
//! their conversations whole, then [`seal`].

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use plupper_model::wire::{CSV_HEADER, MessageRecord, api_element};
use plupper_search::{Filter, executor};
use plupper_store::chain::hex;
use plupper_store::{Store, StoredMessage};

use super::{
    ArchiveRecord, CONVERSATIONS_NDJSON, ChainHead, Draft, FilterRecord, MESSAGES_CSV,
    MESSAGES_JSON, MESSAGES_NDJSON, Sealed, TRANSCRIPTS, applied_query, io_error, seal,
    transcript_path,
};
use crate::AuditError;
use crate::conversations::{Selected, conversations_of_messages, in_order};
use crate::summary::write_ndjson;
use crate::transcript::write_transcript;

/// What an export records beside the messages: nothing here is read from a clock or the
/// environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportInfo {
    /// The program, e.g. `plupper-archive 0.1.0`.
    pub tool: String,
    /// When (RFC 3339, UTC).
    pub exported_at: String,
    /// The filter as the user gave it: (flag or parameter, value) pairs, in order.
    pub given: Vec<(String, String)>,
}

/// Exports the messages `filter` selects from `store` into a new bundle in `dir` (made
/// here with its parents; a directory that exists must be empty), with their
/// conversations whole, and seals it.
///
/// ```
/// use plupper_audit::bundle::{ExportInfo, export, verify_bundle};
/// use plupper_search::Filter;
/// use plupper_store::Store;
/// use plupper_sync::{file::import_file, load::NoProgress};
///
/// let dir = tempfile::tempdir()?;
/// let mut store = Store::open(&dir.path().join("archive"))?;
/// import_file(&mut store, "../../data/seed.json".as_ref(), &NoProgress);
/// let info = ExportInfo {
///     tool: "example 1.0".into(),
///     exported_at: "2026-11-25T12:00:00Z".into(),
///     given: vec![],
/// };
/// let sealed = export(&store, &Filter::default(), &dir.path().join("bundle"), info)?;
/// assert_eq!((sealed.manifest.counts.messages, sealed.manifest.counts.conversations), (5, 2));
/// assert!(verify_bundle(&dir.path().join("bundle"))?.differences.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn export(
    store: &Store,
    filter: &Filter,
    dir: &Path,
    info: ExportInfo,
) -> Result<Sealed, AuditError> {
    prepare(dir)?;
    let snapshot = store.snapshot()?;
    let store = snapshot.store();

    let mut files = MessageFiles::create(dir)?;
    let mut message_ids = Vec::new();
    let (_, messages) = executor::messages(store, filter, None)?;
    for stored in messages {
        let stored = stored?;
        files.write(&stored)?;
        message_ids.push(stored.id);
    }
    files.finish()?;

    let selected = Selected::Only(conversations_of_messages(store, &message_ids)?);
    let path = dir.join(CONVERSATIONS_NDJSON);
    let mut summaries = create(&path)?;
    let mut conversation_ids = Vec::new();
    for conversation in in_order(store, selected) {
        let conversation = conversation?;
        write_ndjson(&conversation.summary, &mut summaries).map_err(io_error(&path))?;
        let transcript = dir.join(transcript_path(conversation.row.id.0));
        let mut out = create(&transcript)?;
        write_transcript(&conversation, &mut out)
            .and_then(|()| out.flush())
            .map_err(io_error(&transcript))?;
        conversation_ids.push(conversation.row.id.0);
    }
    summaries.flush().map_err(io_error(&path))?;

    let head = store.chain_head()?;
    let draft = Draft {
        tool: info.tool,
        exported_at: info.exported_at,
        archive: ArchiveRecord {
            uuid: store.info()?.uuid,
            messages: store.message_count()?,
            chain_head: head.map(|link| ChainHead {
                link: link.id,
                last_id: link.last_id.0,
                sha256: hex(&link.hash),
            }),
        },
        filter: FilterRecord {
            given: info.given,
            applied: applied_query(filter),
        },
        message_ids: message_ids.iter().map(|id| id.0).collect(),
        conversation_ids,
    };
    seal(dir, draft)
}

/// The bundle directory: made here; one that exists must be empty.
fn prepare(dir: &Path) -> Result<(), AuditError> {
    if let Ok(mut entries) = fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(AuditError::BundleDir {
                path: dir.to_owned(),
                why: "the directory is not empty; give a new one",
            });
        }
    } else if dir.exists() {
        return Err(AuditError::BundleDir {
            path: dir.to_owned(),
            why: "not a directory",
        });
    }
    let transcripts = dir.join(TRANSCRIPTS);
    fs::create_dir_all(&transcripts).map_err(io_error(&transcripts))
}

fn create(path: &Path) -> Result<BufWriter<File>, AuditError> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(io_error(path))
}

/// `messages.json`, `messages.ndjson` and `messages.csv`, written together.
struct MessageFiles {
    api: (PathBuf, BufWriter<File>),
    ndjson: (PathBuf, BufWriter<File>),
    csv: (PathBuf, csv::Writer<BufWriter<File>>),
    written: u64,
}

impl MessageFiles {
    fn create(dir: &Path) -> Result<MessageFiles, AuditError> {
        let open = |name: &str| {
            let path = dir.join(name);
            create(&path).map(|file| (path, file))
        };
        let mut api = open(MESSAGES_JSON)?;
        api.1.write_all(b"[").map_err(io_error(&api.0))?;
        let ndjson = open(MESSAGES_NDJSON)?;
        let (csv_path, csv_file) = open(MESSAGES_CSV)?;
        let mut csv = csv::Writer::from_writer(csv_file);
        csv.write_record(CSV_HEADER)
            .map_err(|e| io_error(&csv_path)(e.into()))?;
        Ok(MessageFiles {
            api,
            ndjson,
            csv: (csv_path, csv),
            written: 0,
        })
    }

    fn write(&mut self, stored: &StoredMessage) -> Result<(), AuditError> {
        let (path, api) = &mut self.api;
        let separator: &[u8] = if self.written > 0 { b", " } else { b"" };
        api.write_all(separator)
            .and_then(|()| api.write_all(api_element(&stored.original()).as_bytes()))
            .map_err(io_error(path))?;
        let timestamp = stored.timestamp().map(|t| t.to_rfc3339());
        let record = MessageRecord::new(stored.id.0, &stored.message, timestamp);
        let (path, ndjson) = &mut self.ndjson;
        serde_json::to_writer(&mut *ndjson, &record)
            .map_err(std::io::Error::from)
            .and_then(|()| ndjson.write_all(b"\n"))
            .map_err(io_error(path))?;
        let (path, csv) = &mut self.csv;
        csv.write_record(record.csv_row().iter().map(|field| field.as_bytes()))
            .map_err(|e| io_error(path)(e.into()))?;
        self.written += 1;
        Ok(())
    }

    fn finish(self) -> Result<(), AuditError> {
        let (path, mut api) = self.api;
        api.write_all(b"]")
            .and_then(|()| api.flush())
            .map_err(io_error(&path))?;
        let (path, mut ndjson) = self.ndjson;
        ndjson.flush().map_err(io_error(&path))?;
        let (path, mut csv) = self.csv;
        csv.flush().map_err(io_error(&path))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_that_holds_anything_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keep.txt"), "x").unwrap();
        let error = prepare(dir.path()).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: the directory is not empty; give a new one",
                dir.path().display()
            )
        );
        let file = dir.path().join("keep.txt");
        assert_eq!(
            prepare(&file).unwrap_err().to_string(),
            format!("{}: not a directory", file.display())
        );
        let fresh = dir.path().join("a/b");
        prepare(&fresh).unwrap();
        assert!(fresh.join(TRANSCRIPTS).is_dir());
    }
}
