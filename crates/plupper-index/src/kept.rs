//! Current indexes kept open between the queries of one process (a server answers many
//! on one archive; opening an index maps every file of every segment). A kept reader is
//! reused only while the index directory is as it was opened ([`Signature`]: `meta.json`
//! byte for byte, and every file's name, length and modification time) and the archive
//! (uuid, last id, read inside the caller's snapshot) is the one it was current for; any
//! commit to the index or the archive, or a file changed by hand, opens it again.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use tantivy::Searcher;

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
    searcher: Searcher,
}

static OPEN: Mutex<Vec<Kept>> = Mutex::new(Vec::new());

fn open() -> MutexGuard<'static, Vec<Kept>> {
    // A panic elsewhere while the list was held leaves it whole (pushes and removes).
    OPEN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The kept reader of the index in `dir`, if it was opened as the directory is now
/// (`signature`) and was current for archive `uuid` holding messages up to `archived`.
pub(crate) fn find(
    dir: &Path,
    signature: &Signature,
    uuid: &str,
    archived: i64,
) -> Option<Searcher> {
    open()
        .iter()
        .find(|k| {
            k.dir == dir && k.signature == *signature && k.uuid == uuid && k.last_id == archived
        })
        .map(|k| k.searcher.clone())
}

/// Keeps `searcher`, opened while the directory was as `signature` says, as the reader
/// of the index in `dir` (replacing the one kept for that directory).
pub(crate) fn keep(
    dir: &Path,
    signature: Signature,
    uuid: String,
    last_id: i64,
    searcher: Searcher,
) {
    let mut open = open();
    open.retain(|k| k.dir != dir);
    if open.len() == KEPT {
        open.remove(0);
    }
    open.push(Kept {
        dir: dir.to_owned(),
        signature,
        uuid,
        last_id,
        searcher,
    });
}
