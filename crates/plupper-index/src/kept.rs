//! Current indexes kept open between the queries of one process (a server answers many
//! on one archive; opening an index maps every file of every segment). A kept reader is
//! reused only while the index directory is as it was opened ([`Signature`]: `meta.json`
//! byte for byte, and every file's name, length and modification time) and the archive
//! (uuid, last id, read inside the caller's snapshot) is the one it was current for; any
//! commit to the index or the archive, or a file changed by hand, opens it again.
//!
//! A process that asks one query (a CLI command) turns keeping off ([`keep_readers`]):
//! the signature, read before and after opening, is two reads of the directory and a
//! `stat` of each of its files, which only a later query could repay. Its last reader is
//! then left open until the process ends ([`leave`]), never used again: the exit takes
//! down the whole address space at once, which costs less than unmapping every file of
//! every segment one by one (a rare word's count at 1M: 0.1 of 2.4 ms a process). Such
//! a process also reads the index's files instead of mapping them (`snapshot::Reads`).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use crate::ids::SegmentIds;
use crate::readers::Readers;

/// Whether current readers are kept; see [`keep_readers`].
static KEEPING: AtomicBool = AtomicBool::new(true);

/// Whether this process keeps each current index reader open for its next query
/// ([`crate::IndexSearcher::open_current`]): on unless turned off. A server or a tool that
/// asks many queries keeps it on; a process that asks one turns it off, and its last
/// reader is then left open, unused, until the process ends (the exit unmaps it with
/// everything else, at less cost).
///
/// ```
/// plupper_index::keep_readers(false);
/// plupper_index::keep_readers(true);
/// ```
pub fn keep_readers(on: bool) {
    KEEPING.store(on, Ordering::Relaxed);
}

/// Whether readers are kept ([`keep_readers`]).
pub(crate) fn keeping() -> bool {
    KEEPING.load(Ordering::Relaxed)
}

/// Indexes kept at most (a process that reads many archives, such as a test suite, keeps
/// the latest).
const KEPT: usize = 4;

/// What an index directory holds: `meta.json`, and each file's name, length and
/// modification time, in name order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    meta: Vec<u8>,
    files: Vec<(std::ffi::OsString, u64, Option<SystemTime>)>,
}

impl Signature {
    /// The signature of the index in `dir`, when it can be read.
    pub(crate) fn read(dir: &Path) -> Option<Signature> {
        let meta = std::fs::read(dir.join("meta.json")).ok()?;
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).ok()? {
            let entry = entry.ok()?;
            let metadata = entry.metadata().ok()?;
            files.push((entry.file_name(), metadata.len(), metadata.modified().ok()));
        }
        files.sort_unstable();
        Some(Signature { meta, files })
    }
}

struct Kept {
    dir: PathBuf,
    signature: Signature,
    uuid: String,
    last_id: i64,
    reader: Reader,
}

/// A kept reader: its segment readers, and its commit's consecutive segments.
pub(crate) type Reader = (Readers, SegmentIds);

static OPEN: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

/// The last reader of a process that keeps none ([`leave`]). A static is never dropped,
/// so what this holds is unmapped by the process's exit.
static LEFT: Mutex<Option<Readers>> = Mutex::new(None);

/// Leaves `readers` open until the process ends, in a process that keeps no readers;
/// the reader it replaces, if any, is closed now, so a process holds at most one.
pub(crate) fn leave(readers: &Readers) {
    let previous = LEFT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .replace(readers.clone());
    drop(previous);
}

fn open() -> MutexGuard<'static, Vec<Kept>> {
    // A panic elsewhere while the list was held leaves it whole (pushes and removes).
    OPEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The kept reader of the index in `dir`, if it was opened as the directory is now
/// (`signature`) and was current for archive `uuid` holding messages up to `archived`.
pub(crate) fn find(dir: &Path, signature: &Signature, uuid: &str, archived: i64) -> Option<Reader> {
    find_in(&open(), dir, signature, uuid, archived)
}

fn find_in(
    kept: &[Kept],
    dir: &Path,
    signature: &Signature,
    uuid: &str,
    archived: i64,
) -> Option<Reader> {
    kept.iter()
        .find(|k| {
            k.dir == dir && k.signature == *signature && k.uuid == uuid && k.last_id == archived
        })
        .map(|k| k.reader.clone())
}

/// Keeps `searcher`, opened while the directory was as `signature` says, as the reader
/// of the index in `dir` (replacing the one kept for that directory).
pub(crate) fn keep(dir: &Path, signature: Signature, uuid: String, last_id: i64, reader: Reader) {
    keep_in(&mut open(), dir, signature, uuid, last_id, reader);
}

fn keep_in(
    kept: &mut Vec<Kept>,
    dir: &Path,
    signature: Signature,
    uuid: String,
    last_id: i64,
    reader: Reader,
) {
    kept.retain(|k| k.dir != dir);
    if kept.len() == KEPT {
        kept.remove(0);
    }
    kept.push(Kept {
        dir: dir.to_owned(),
        signature,
        uuid,
        last_id,
        reader,
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn reader() -> Reader {
        let index = tantivy::Index::create_in_ram(crate::schema::schema().0);
        (
            Readers::Searcher(index.reader().unwrap().searcher()),
            SegmentIds::default(),
        )
    }

    fn signature(meta: &str) -> Signature {
        Signature {
            meta: meta.as_bytes().to_vec(),
            files: Vec::new(),
        }
    }

    #[test]
    fn a_kept_reader_is_found_only_for_the_same_directory_state_and_archive() {
        let mut kept = Vec::new();
        let dir = Path::new("/kept-test/a");
        keep_in(&mut kept, dir, signature("1"), "uuid".into(), 10, reader());
        assert!(find_in(&kept, dir, &signature("1"), "uuid", 10).is_some());
        // Another commit of the index, another archive, the archive moved on.
        assert!(find_in(&kept, dir, &signature("2"), "uuid", 10).is_none());
        assert!(find_in(&kept, dir, &signature("1"), "other", 10).is_none());
        assert!(find_in(&kept, dir, &signature("1"), "uuid", 11).is_none());
        // A newer state replaces the directory's reader.
        keep_in(&mut kept, dir, signature("2"), "uuid".into(), 11, reader());
        assert!(find_in(&kept, dir, &signature("1"), "uuid", 10).is_none());
        assert!(find_in(&kept, dir, &signature("2"), "uuid", 11).is_some());
        // At most KEPT directories: the oldest goes.
        for n in 0..KEPT {
            let other = PathBuf::from(format!("/kept-test/{n}"));
            keep_in(
                &mut kept,
                &other,
                signature("1"),
                "uuid".into(),
                1,
                reader(),
            );
        }
        assert_eq!(kept.len(), KEPT);
        assert!(find_in(&kept, dir, &signature("2"), "uuid", 11).is_none());
    }

    #[test]
    fn a_process_leaves_only_its_last_reader_open() {
        let with_docs = |n: usize| {
            let (schema, fields) = crate::schema::schema();
            let index = tantivy::Index::create_in_ram(schema);
            crate::schema::register_tokenizers(&index);
            let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
            for id in 0..n {
                let mut doc = tantivy::TantivyDocument::default();
                doc.add_u64(fields.id, id as u64);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
            Readers::Searcher(index.reader().unwrap().searcher())
        };
        leave(&with_docs(1));
        leave(&with_docs(2));
        let left = LEFT.lock().unwrap();
        assert_eq!(left.as_ref().map(Readers::num_docs), Some(2));
    }

    #[test]
    fn a_changed_file_changes_the_signature() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Signature::read(dir.path()), None, "no meta.json: no index");
        std::fs::write(dir.path().join("meta.json"), "{}").unwrap();
        std::fs::write(dir.path().join("a.idx"), "1234").unwrap();
        let before = Signature::read(dir.path()).unwrap();
        assert_eq!(Signature::read(dir.path()), Some(before.clone()));
        std::fs::write(dir.path().join("a.idx"), "12345").unwrap();
        assert_ne!(Signature::read(dir.path()), Some(before));
    }
}
