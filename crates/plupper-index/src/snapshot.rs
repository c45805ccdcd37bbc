//! The directory an index is searched through: it reads the index as it was when it was
//! opened, and never writes.
//!
//! - tantivy reads `meta.json` three times to open an index and a reader (the index, its
//!   metas, the reader's segments) and parses it each time; here it is read once, so every
//!   part of the open sees the same commit, and [`SearchDirectory::commit`] reads the
//!   commit's segments and payload from the same bytes without building the schema again
//!   (the payload alone: a rare word's count at 1M 0.06M instructions fewer, of 2.0M, by
//!   callgrind; the segments: see [`crate::readers`]).
//! - tantivy's list of the files it wrote (`.managed.json`), which opening an index reads
//!   and parses, is only used to delete files a writer no longer needs; a directory that
//!   is only searched has none, so it is not read (a name per file: 66 at 5M).
//! - In a directory this process cannot write (an archive on read-only media, another
//!   user's files) it takes no locks: tantivy takes a lock file to read, which cannot be
//!   created there, and nothing this process does changes the files. Otherwise reads take
//!   tantivy's locks as usual, so that a writer's garbage collection waits for them.
//! - A process that asks one query ([`Reads::Copied`], when readers are not kept: see
//!   [`crate::keep_readers`]) reads the files instead of mapping them. Opening a segment
//!   reads a few bytes at the end of each of its six files, and a query a few hundred
//!   more (12 files at 1M, 48 at 5M). Opening a file, mapping it and faulting its last
//!   page in took about 6 µs on this project's machine; opening it and reading its end
//!   with `pread`, 2. A rare word's count at 1M: 1.24 instead of 1.48 ms of CPU. Each
//!   file is opened relative to the index's directory, opened once, and its length taken
//!   with `lseek`. The last [`TAIL`] bytes of a file are read once for all the footers in
//!   them; a file is mapped after all, from the descriptor already open, when a read asks
//!   for more than [`MAP_ABOVE`] bytes (a term dictionary, a fast-field column of a
//!   listing, a long posting list), since copying it would cost more than the pages it
//!   touches. A server keeps its readers, and maps: its pages are then shared with the
//!   page cache and read again without a system call.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes, WatchCallback,
    WatchHandle, WritePtr,
};
use tantivy::index::SegmentId;

const META: &str = "meta.json";
/// tantivy's list of the files it wrote, for its garbage collection ([`SearchDirectory`]
/// says it has none).
const MANAGED: &str = ".managed.json";

/// How a [`SearchDirectory`] reads its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reads {
    /// Mapped, as tantivy's [`MmapDirectory`] does: for readers kept for many queries.
    Mapped,
    /// Copied with `pread`, a file mapped only for a large read: for one query.
    Copied,
}

/// The bytes at the end of a file read at once on its first read there: tantivy's footer
/// and a composite file's table of fields, read as four small reads from the end (a few
/// hundred bytes in all; a read before the tail is a read of its own). 4 KiB cost 69,000
/// more instructions per count at 1M in zeroing the buffers, for two reads fewer.
const TAIL: usize = 1024;

/// A read of more bytes than this maps the file ([`Reads::Copied`]).
const MAP_ABOVE: usize = 16 << 10;

/// An [`MmapDirectory`] that is only read, with `meta.json` read once.
#[derive(Debug, Clone)]
pub(crate) struct SearchDirectory {
    inner: MmapDirectory,
    /// The directory `inner` maps files from (a file read by [`Reads::Copied`] is opened
    /// here).
    root: PathBuf,
    /// `root`, opened, when files are read by [`Reads::Copied`]: each is opened relative
    /// to it (see [`Opened`]).
    opened: Option<Opened>,
    reads: Reads,
    locks: bool,
    meta: Arc<OnceLock<Vec<u8>>>,
}

impl SearchDirectory {
    /// The index in `root`, read as `reads` says; `locks`: take tantivy's locks (false
    /// in a directory this process cannot write).
    pub(crate) fn open(
        root: &Path,
        reads: Reads,
        locks: bool,
    ) -> Result<SearchDirectory, tantivy::directory::error::OpenDirectoryError> {
        Ok(SearchDirectory {
            inner: MmapDirectory::open(root)?,
            root: root.to_owned(),
            opened: match reads {
                Reads::Copied => Opened::open(root),
                Reads::Mapped => None,
            },
            reads,
            locks,
            meta: Arc::default(),
        })
    }

    /// What the commit the index was opened at lists (`None` before it was opened, or
    /// when `meta.json` is not what tantivy writes), read from the same bytes without
    /// building the schema: a process that opens the segments itself
    /// ([`crate::search`]) takes them from here instead of tantivy's reader parsing the
    /// whole file again.
    pub(crate) fn commit(&self) -> Option<Commit> {
        serde_json::from_slice(self.meta.get()?).ok()
    }
}

/// A commit's list of segments and its payload, as `meta.json` holds them.
#[derive(Debug, Deserialize)]
pub(crate) struct Commit {
    pub(crate) segments: Vec<CommittedSegment>,
    #[serde(default)]
    pub(crate) payload: Option<String>,
}

/// One segment of a commit.
#[derive(Debug, Deserialize)]
pub(crate) struct CommittedSegment {
    segment_id: SegmentId,
    max_doc: u32,
    deletes: Option<Deletes>,
}

/// The deletes a commit records for a segment.
#[derive(Debug, Deserialize)]
struct Deletes {
    num_deleted_docs: u32,
    opstamp: u64,
}

impl CommittedSegment {
    /// The segment in `index` (its deletes included), as tantivy's reader makes it.
    pub(crate) fn segment(&self, index: &tantivy::Index) -> tantivy::Segment {
        let meta = index.new_segment_meta(self.segment_id, self.max_doc);
        let meta = match &self.deletes {
            Some(deletes) => meta.with_delete_meta(deletes.num_deleted_docs, deletes.opstamp),
            None => meta,
        };
        index.segment(meta)
    }
}

/// A directory opened once, whose files are opened relative to it: the kernel then looks
/// up one name for each, not every component of the index's path again (an `openat` of
/// a segment file took 1.46 µs against 1.80 for its full path, on this project's machine;
/// a query at 5M messages opens 48).
#[derive(Debug, Clone)]
struct Opened(#[cfg(unix)] Arc<rustix::fd::OwnedFd>, #[cfg(not(unix))] ());

impl Opened {
    /// `root`, opened (`None` where it cannot be: its files are then opened by their
    /// full paths).
    #[cfg(unix)]
    fn open(root: &Path) -> Option<Opened> {
        use rustix::fs::{Mode, OFlags};
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::open(root, flags, Mode::empty()).ok()?;
        Some(Opened(Arc::new(fd)))
    }

    #[cfg(not(unix))]
    fn open(_root: &Path) -> Option<Opened> {
        None
    }

    /// The file `path` in this directory, opened to read.
    #[cfg(unix)]
    fn file(&self, path: &Path) -> io::Result<File> {
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::openat(
            &*self.0,
            path,
            OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(File::from(fd))
    }

    #[cfg(not(unix))]
    fn file(&self, _path: &Path) -> io::Result<File> {
        Err(io::ErrorKind::Unsupported.into())
    }
}

/// A file read with `pread` ([`Reads::Copied`]), its end once, until a large read maps
/// it.
#[derive(Debug)]
struct CopiedFile {
    file: File,
    len: usize,
    /// The file's path in the index's directory, for errors.
    path: PathBuf,
    /// The last [`TAIL`] bytes (fewer in a shorter file), from the first read there on.
    tail: OnceLock<OwnedBytes>,
    /// The mapped file, from the first read of more than [`MAP_ABOVE`] bytes on.
    mapped: OnceLock<OwnedBytes>,
}

impl CopiedFile {
    fn open(
        root: &Path,
        opened: Option<&Opened>,
        path: &Path,
    ) -> Result<CopiedFile, OpenReadError> {
        let full = || root.join(path);
        let file = match opened {
            Some(opened) => opened.file(path),
            None => File::open(full()),
        }
        .map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_owned()),
            _ => OpenReadError::wrap_io_error(error, full()),
        })?;
        // Its length from `lseek` (0.12 µs here), not from `statx` (0.33 µs): reads are
        // positioned, so where the cursor stands does not matter.
        let len = io::Seek::seek(&mut &file, io::SeekFrom::End(0))
            .map_err(|error| OpenReadError::wrap_io_error(error, full()))?;
        Ok(CopiedFile {
            file,
            len: usize::try_from(len).unwrap_or(usize::MAX),
            path: path.to_owned(),
            tail: OnceLock::new(),
            mapped: OnceLock::new(),
        })
    }

    /// `range` of the file, read with `pread`.
    fn copy(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        let mut bytes = vec![0; range.len()];
        read_exact_at(&self.file, &mut bytes, range.start as u64)?;
        Ok(OwnedBytes::new(bytes))
    }

    /// The whole file, mapped from the descriptor it was opened with: a file removed
    /// since (a writer's merge and garbage collection) is still read, and no second open
    /// of it by its name is needed (an `openat`, two `statx` and a `close` for each
    /// segment a query maps a term dictionary of, with tantivy's map of mapped files).
    #[allow(unsafe_code)]
    fn map(&self) -> io::Result<OwnedBytes> {
        // SAFETY: a mapping is undefined behaviour if the file changes under it. Index
        // files are written once, under names of their own (new segment ids), before a
        // commit lists them, and never written again; tantivy's `MmapDirectory` maps them
        // on the same terms.
        let map = unsafe { memmap2::Mmap::map(&self.file) }?;
        Ok(OwnedBytes::new(map))
    }
}

/// Whether this platform reads a file at an offset without moving a shared cursor
/// ([`Reads::Copied`] needs it; elsewhere files are mapped).
pub(crate) const COPIES: bool = cfg!(unix);

#[cfg(unix)]
fn read_exact_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(not(unix))]
fn read_exact_at(_file: &File, _bytes: &mut [u8], _offset: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

impl HasLen for CopiedFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for CopiedFile {
    fn read_bytes(&self, range: Range<usize>) -> io::Result<OwnedBytes> {
        if range.start > range.end || range.end > self.len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{}: bytes {}..{} asked of a file of {}",
                    self.path.display(),
                    range.start,
                    range.end,
                    self.len
                ),
            ));
        }
        if range.is_empty() {
            return Ok(OwnedBytes::empty());
        }
        if let Some(mapped) = self.mapped.get() {
            return Ok(mapped.slice(range));
        }
        let tail_start = self.len.saturating_sub(TAIL);
        if range.start >= tail_start {
            let tail = match self.tail.get() {
                Some(tail) => tail,
                None => {
                    let tail = self.copy(tail_start..self.len)?;
                    self.tail.get_or_init(|| tail)
                }
            };
            return Ok(tail.slice(range.start - tail_start..range.end - tail_start));
        }
        if range.len() > MAP_ABOVE {
            let mapped = match self.mapped.get() {
                Some(mapped) => mapped,
                None => {
                    let mapped = self.map()?;
                    self.mapped.get_or_init(|| mapped)
                }
            };
            return Ok(mapped.slice(range));
        }
        self.copy(range)
    }
}

fn refused(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{}: the index is opened to be searched, not written",
            path.display()
        ),
    )
}

impl Directory for SearchDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        match self.reads {
            Reads::Mapped => self.inner.get_file_handle(path),
            Reads::Copied => Ok(Arc::new(CopiedFile::open(
                &self.root,
                self.opened.as_ref(),
                path,
            )?)),
        }
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(refused(path)),
            filepath: path.to_owned(),
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(refused(path)),
            filepath: path.to_owned(),
        })
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        if path == Path::new(MANAGED) {
            return Err(OpenReadError::FileDoesNotExist(path.to_owned()));
        }
        if path != Path::new(META) {
            return self.inner.atomic_read(path);
        }
        if let Some(bytes) = self.meta.get() {
            return Ok(bytes.clone());
        }
        let bytes = self.inner.atomic_read(path)?;
        Ok(self.meta.get_or_init(|| bytes).clone())
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(refused(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        if self.locks {
            self.inner.acquire_lock(lock)
        } else {
            Ok(DirectoryLock::from(Box::new(())))
        }
    }

    fn watch(&self, _watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_json_is_read_once_and_its_commit_from_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(META),
            br#"{"segments":[],"payload":"first"}"#,
        )
        .unwrap();
        let directory = SearchDirectory::open(dir.path(), Reads::Mapped, true).unwrap();
        assert!(directory.commit().is_none(), "nothing read yet");
        let first = directory.atomic_read(Path::new(META)).unwrap();
        // A commit after the open is not seen by this open.
        std::fs::write(
            dir.path().join(META),
            br#"{"segments":[],"payload":"second"}"#,
        )
        .unwrap();
        assert_eq!(directory.atomic_read(Path::new(META)).unwrap(), first);
        let commit = directory.clone().commit().unwrap();
        assert_eq!(commit.payload.as_deref(), Some("first"));
        assert!(commit.segments.is_empty());
        // Other files are read as they are now.
        std::fs::write(dir.path().join("other.json"), b"1").unwrap();
        assert_eq!(
            directory.atomic_read(Path::new("other.json")).unwrap(),
            b"1"
        );
        assert!(directory.open_write(Path::new("new")).is_err());
        assert!(directory.delete(Path::new("other.json")).is_err());
        // The list of tantivy's files is not read: nothing here is ever deleted.
        std::fs::write(dir.path().join(MANAGED), b"[\"meta.json\"]").unwrap();
        assert!(matches!(
            directory.atomic_read(Path::new(MANAGED)),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }

    /// The bytes of `range` of `name`, read through a directory that copies.
    #[cfg(unix)]
    fn copied(dir: &Path, name: &str, range: Range<usize>) -> io::Result<Vec<u8>> {
        let directory = SearchDirectory::open(dir, Reads::Copied, true).unwrap();
        let handle = directory.get_file_handle(Path::new(name)).unwrap();
        Ok(handle.read_bytes(range)?.as_slice().to_vec())
    }

    /// Directories that copy: one that opens its files relative to the index's directory,
    /// and one that opens them by their full paths, as it does when the directory itself
    /// cannot be opened (search permission without read permission, which a test run as
    /// root cannot set up: root opens it all the same).
    #[cfg(unix)]
    fn copying(dir: &Path) -> [SearchDirectory; 2] {
        let relative = SearchDirectory::open(dir, Reads::Copied, true).unwrap();
        assert!(relative.opened.is_some(), "the directory is opened");
        let mut by_path = relative.clone();
        by_path.opened = None;
        [relative, by_path]
    }

    #[test]
    #[cfg(unix)]
    fn a_copied_file_reads_what_a_mapped_one_does() {
        let dir = tempfile::tempdir().unwrap();
        // Longer than the tail and than a copied read, with no two bytes alike nearby.
        let len = TAIL + MAP_ABOVE * 3 + 17;
        let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
        std::fs::write(dir.path().join("file"), &bytes).unwrap();
        std::fs::write(dir.path().join("short"), b"footer").unwrap();
        std::fs::write(dir.path().join("empty"), b"").unwrap();
        let mapped = SearchDirectory::open(dir.path(), Reads::Mapped, true).unwrap();
        let ranges = [
            len - 8..len,                     // a footer's length: in the tail
            len - 100..len - 8,               // the footer, from the tail read before
            len - TAIL - 10..len - TAIL + 10, // across the tail's start: copied
            0..100,                           // small: copied
            5..5,                             // empty
            10..10 + MAP_ABOVE + 1,           // large: mapped
            100..200,                         // after the mapping: from it
            0..len,                           // the whole file
        ];
        let reference = mapped.get_file_handle(Path::new("file")).unwrap();
        for directory in copying(dir.path()) {
            let handle = directory.get_file_handle(Path::new("file")).unwrap();
            assert_eq!(handle.len(), len);
            for range in ranges.clone() {
                let read = handle.read_bytes(range.clone()).unwrap();
                assert_eq!(read.as_slice(), &bytes[range.clone()], "{range:?}");
                assert_eq!(
                    read.as_slice(),
                    reference.read_bytes(range).unwrap().as_slice()
                );
            }
        }
        assert_eq!(copied(dir.path(), "short", 0..6).unwrap(), b"footer");
        assert_eq!(copied(dir.path(), "short", 2..4).unwrap(), b"ot");
        assert_eq!(copied(dir.path(), "empty", 0..0).unwrap(), b"");
    }

    #[test]
    #[cfg(unix)]
    fn a_copied_file_refuses_bytes_past_its_end_and_a_missing_one_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("short"), b"footer").unwrap();
        let error = copied(dir.path(), "short", 2..7).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(
            error
                .to_string()
                .contains("short: bytes 2..7 asked of a file of 6")
        );
        for directory in copying(dir.path()) {
            assert!(matches!(
                directory.get_file_handle(Path::new("missing")),
                Err(OpenReadError::FileDoesNotExist(path)) if path == Path::new("missing")
            ));
        }
    }

    #[test]
    #[cfg(unix)]
    fn a_file_removed_after_it_was_opened_is_still_read_in_full() {
        let dir = tempfile::tempdir().unwrap();
        let len = TAIL + MAP_ABOVE * 2;
        let bytes: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        for directory in copying(dir.path()) {
            std::fs::write(dir.path().join("file"), &bytes).unwrap();
            let handle = directory.get_file_handle(Path::new("file")).unwrap();
            std::fs::remove_file(dir.path().join("file")).unwrap();
            // Too large to copy: mapped from the descriptor, which still reads it.
            let read = handle.read_bytes(1..MAP_ABOVE + 2).unwrap();
            assert_eq!(read.as_slice(), &bytes[1..MAP_ABOVE + 2]);
            assert_eq!(
                handle.read_bytes(len - 4..len).unwrap().as_slice(),
                &bytes[len - 4..]
            );
        }
    }
}
