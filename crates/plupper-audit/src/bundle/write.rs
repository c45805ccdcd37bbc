//! Writing a bundle: the selected messages once through into the three message files,
//! their conversations whole into `originals.ndjson` and the files made from them, then
//! [`seal`], the signature, and the export's record in the archive's chain. A failed
//! export leaves no directory behind (nor anything in a directory that was empty).

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use plupper_search::{Filter, executor};
use plupper_store::chain::hex;
use plupper_store::exports::ExportEntry;
use plupper_store::{ArchiveId, Store};

use super::derive::{ConversationFiles, Files, MessageFiles, Target};
use super::html::PageInfo;
use super::sign::{SecretKey, sign_manifest};
use super::{
    ArchiveRecord, ChainHead, Counts, Draft, FilterRecord, ORIGINALS, Sealed, TRANSCRIPTS,
    applied_query, io_error, originals, seal,
};
use crate::AuditError;
use crate::conversations::{Selected, conversations_of_messages, in_order};

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
/// conversations whole; seals it, signs it with `key` when given, and records it in the
/// archive's chain (so the archive must be writable).
///
/// ```
/// use plupper_audit::bundle::{Expected, ExportInfo, export, verify_bundle};
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
/// let sealed = export(&mut store, &Filter::default(), &dir.path().join("bundle"), info, None)?;
/// assert_eq!((sealed.manifest.counts.messages, sealed.manifest.counts.conversations), (5, 2));
/// assert_eq!(store.exports()?[0].entry.manifest_sha256, sealed.manifest_sha256);
/// let check = verify_bundle(&dir.path().join("bundle"), &Expected::default())?;
/// assert!(check.differences.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn export(
    store: &mut Store,
    filter: &Filter,
    dir: &Path,
    info: ExportInfo,
    key: Option<&SecretKey>,
) -> Result<Sealed, AuditError> {
    store.check_writable("an export, which the archive records,")?;
    let made = prepare(dir)?;
    let written = write_bundle(store, filter, dir, info).and_then(|sealed| {
        if let Some(key) = key {
            sign_manifest(dir, key)?;
        }
        let manifest = &sealed.manifest;
        store.record_export(&ExportEntry {
            exported_at: manifest.exported_at.clone(),
            filter: manifest.filter.applied.clone(),
            messages: manifest.counts.messages,
            context: manifest.counts.context,
            conversations: manifest.counts.conversations,
            manifest_sha256: sealed.manifest_sha256.clone(),
        })?;
        Ok(sealed)
    });
    if written.is_err() {
        remove(dir, made);
    }
    written
}

/// Writes and seals the bundle from one snapshot of the archive.
fn write_bundle(
    store: &Store,
    filter: &Filter,
    dir: &Path,
    info: ExportInfo,
) -> Result<Sealed, AuditError> {
    let snapshot = store.snapshot()?;
    let store = snapshot.store();
    let mut target = Files { dir };

    let mut files = MessageFiles::open(&mut target)?;
    let mut message_ids = Vec::new();
    let (_, messages) = executor::messages(store, filter, None)?;
    for stored in messages {
        let stored = stored?;
        files.write(&stored)?;
        message_ids.push(stored.id);
    }
    let selected_count = files.close(&mut target)?;

    let uuid = store.info()?.uuid;
    let applied = applied_query(filter);
    let page = PageInfo {
        tool: info.tool.clone(),
        exported_at: info.exported_at.clone(),
        archive: uuid.clone(),
        filter: applied.clone(),
    };
    let selected: HashSet<ArchiveId> = message_ids.iter().copied().collect();
    let is_selected = |id: i64| selected.contains(&ArchiveId(id));
    let mut conversations = ConversationFiles::open(&mut target, &page)?;
    let mut all = target.open(ORIGINALS)?;
    let chosen = Selected::Only(conversations_of_messages(store, &message_ids)?);
    let mut shown = 0;
    for conversation in in_order(store, chosen) {
        let conversation = conversation?;
        for stored in &conversation.messages {
            originals::write_line(
                &mut all,
                conversation.row.id.0,
                stored,
                is_selected(stored.id.0),
            )
            .map_err(io_error(&dir.join(ORIGINALS)))?;
        }
        shown += conversation.messages.len() as u64;
        conversations.write(&mut target, &conversation, &is_selected)?;
    }
    target.close(ORIGINALS, all)?;
    let conversation_count = conversations.close(&mut target)?;

    let head = store.chain_head()?;
    let draft = Draft {
        tool: info.tool,
        exported_at: info.exported_at,
        archive: ArchiveRecord {
            uuid,
            messages: store.message_count()?,
            chain_head: head.map(|link| ChainHead {
                link: link.id,
                last_id: link.last_id.0,
                sha256: hex(&link.hash),
            }),
        },
        filter: FilterRecord {
            given: info.given,
            applied,
        },
        counts: Counts {
            messages: selected_count,
            context: shown.saturating_sub(selected_count),
            conversations: conversation_count,
            files: 0,
        },
    };
    seal(dir, draft)
}

/// The bundle directory: made here (then `true`); one that exists must be empty.
fn prepare(dir: &Path) -> Result<bool, AuditError> {
    let made = match fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
        Ok(true) => {
            return Err(AuditError::BundleDir {
                path: dir.to_owned(),
                why: "the directory is not empty; give a new one",
            });
        }
        Ok(false) => false,
        Err(_) if dir.exists() => {
            return Err(AuditError::BundleDir {
                path: dir.to_owned(),
                why: "not a directory",
            });
        }
        Err(_) => true,
    };
    let transcripts = dir.join(TRANSCRIPTS);
    fs::create_dir_all(&transcripts).map_err(io_error(&transcripts))?;
    Ok(made)
}

/// Takes away what a failed export wrote: the directory when it made it, else what it
/// put in the empty directory it was given.
fn remove(dir: &Path, made: bool) {
    let removed = if made {
        fs::remove_dir_all(dir)
    } else {
        fs::read_dir(dir).and_then(|entries| {
            entries.flatten().try_for_each(|entry| {
                let path = entry.path();
                if path.is_dir() {
                    fs::remove_dir_all(path)
                } else {
                    fs::remove_file(path)
                }
            })
        })
    };
    if let Err(error) = removed {
        tracing::warn!(dir = %dir.display(), %error, "cannot remove the failed export");
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
        assert!(prepare(&fresh).unwrap());
        assert!(fresh.join(TRANSCRIPTS).is_dir());
    }

    #[test]
    fn a_failed_export_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let made = dir.path().join("made/bundle");
        assert!(prepare(&made).unwrap());
        fs::write(made.join(TRANSCRIPTS).join("conversation-1.txt"), "x").unwrap();
        remove(&made, true);
        assert!(!made.exists());
        let empty = dir.path().join("empty");
        fs::create_dir(&empty).unwrap();
        assert!(!prepare(&empty).unwrap());
        fs::write(empty.join(ORIGINALS), "x").unwrap();
        remove(&empty, false);
        assert_eq!(fs::read_dir(&empty).unwrap().count(), 0);

        // An archive that cannot record the export: refused before anything is made.
        let archive = dir.path().join("archive");
        drop(Store::open(&archive).unwrap());
        let mut store = Store::open_read_only(&archive).unwrap();
        let info = ExportInfo {
            tool: "test".into(),
            exported_at: "2026-11-25T12:00:00Z".into(),
            given: vec![],
        };
        let out = dir.path().join("bundle");
        let error = export(&mut store, &Filter::default(), &out, info, None).unwrap_err();
        assert!(error.to_string().contains("is read-only"), "{error}");
        assert!(!out.exists());
    }
}
