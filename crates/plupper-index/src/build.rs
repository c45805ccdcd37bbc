//! Building the index from the store, and telling whether it is current.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tantivy::index::SegmentId;
use tantivy::indexer::{LogMergePolicy, MergeCandidate, MergePolicy, NoMergePolicy};
use tantivy::{Index, IndexWriter, SegmentMeta, TantivyDocument};

use plupper_store::{ArchiveId, IndexRow, Store};

use crate::ids::{self, Consecutive, SegmentIds};
use crate::kept;
use crate::schema::{Fields, SCHEMA_VERSION, register_tokenizers, schema};
use crate::snapshot::{self, CommittedSegment, Reads, SearchDirectory};
use crate::{INDEX_DIR, IndexError, LOCK_FILE};

/// Rows read from the store at a time.
const BATCH: usize = 4096;
/// Documents between commits: an interrupted update keeps what it committed. One
/// indexing thread ([`update_following`]) makes one segment a commit when its budget
/// holds it, so this is also the size of the segments an import leaves: 160 batches,
/// above [`MAX_MERGED_DOCS`], so that no two of them fit in one merge and an import
/// leaves them as they are (a merge at its end is time nobody else uses: at 1M, 0.8 s
/// of a 7.7 s import; at 250,000 a commit, every pair was merged). Each segment costs a
/// query that opens the index its files and footers: at 5M messages, 8 segments of
/// 655,360 answered a rare word's listing in 2.07 ms where the 11 of 491,520 (120
/// batches) took 2.22 (60 interleaved processes), and peak RSS of the import went from
/// 203 to 227 MiB.
const COMMIT_EVERY: u64 = 160 * BATCH as u64;
/// The one indexing thread's memory budget. One thread indexes, in archive order, so
/// that each commit makes one segment whose documents hold consecutive ids, which queries
/// read by addition ([`crate::ids`]); a merge of such segments in archive order keeps
/// them so. Following an import, whose writer keeps the other core busy, a second thread
/// would only compete for it; a standalone update or rebuild had two, whose segments
/// shared the messages out and so were read from their `id` columns. Measured at 1M
/// messages (`index --rebuild`, five alternating runs each): one thread 3.27–5.74 s,
/// median 3.30, peak RSS 110 MiB; two 3.02–4.34 s, median 3.30, 117 MiB. The budget
/// holds a whole commit's segment ([`COMMIT_EVERY`]) with the margin 96 MiB left for
/// 120 batches (64 MiB flushed those in pieces, which were then merged).
const MEMORY_BUDGET: usize = 128 << 20;
/// No merge makes a segment of more documents than this (about 45 MB of index): a merge
/// maps every segment it reads, and those pages count as the process's memory until it
/// ends, so this bounds the memory of an update whatever the archive's size. Measured
/// at 1M messages (`index --rebuild`, 32 MiB budget): peak RSS 107 MiB with this cap,
/// 186 MiB with a cap of 1M documents. The price is in queries: each segment costs one
/// about 0.05 ms of file opens and footers ([`COMMIT_EVERY`]; an import of 1M messages
/// leaves 2 segments, of 5M 8).
const MAX_MERGED_DOCS: u64 = 500_000;

/// The merges of an update that follows a writer ([`update_following`]): as soon as the
/// committed segments of fewer than a quarter of [`MAX_MERGED_DOCS`] documents fill a
/// group (at least three quarters of the cap, as [`compact`] groups them), it is merged,
/// in the background while the writer goes on, its segments in archive order
/// ([`ids::in_id_order`]). The end of the update then has only the last, partial group
/// left to merge.
#[derive(Debug)]
struct FullGroups(Index);

impl MergePolicy for FullGroups {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let mut small: Vec<SegmentMeta> = segments
            .iter()
            .filter(|meta| u64::from(meta.num_docs()) < MAX_MERGED_DOCS / 4)
            .cloned()
            .collect();
        small.sort_by_key(|meta| (meta.num_docs(), meta.id()));
        let docs = |group: &[SegmentId]| -> u64 {
            group
                .iter()
                .filter_map(|id| small.iter().find(|meta| meta.id() == *id))
                .map(|meta| u64::from(meta.num_docs()))
                .sum()
        };
        merge_groups(&small)
            .into_iter()
            .filter(|group| docs(group) >= MAX_MERGED_DOCS / 4 * 3)
            .map(|mut group| {
                ids::in_id_order(&self.0, &mut group, &small);
                MergeCandidate(group)
            })
            .collect()
    }
}

/// An update that adds at least this many documents, or builds the index anew, is a bulk
/// build: it merges nothing while it adds, then [compacts](compact) once.
const BULK_DOCS: i64 = 100_000;

/// tantivy's log-structured merges (segments of similar sizes, eight at a time), except
/// the ones that would make a segment of more than [`MAX_MERGED_DOCS`] documents: the
/// policy of small updates (a sync's new messages), whose segments it merges as they
/// accumulate.
#[derive(Debug, Default)]
struct CappedMerges(LogMergePolicy);

impl MergePolicy for CappedMerges {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let docs = |candidate: &MergeCandidate| -> u64 {
            candidate
                .0
                .iter()
                .filter_map(|id| segments.iter().find(|meta| meta.id() == *id))
                .map(|meta| u64::from(meta.num_docs()))
                .sum()
        };
        self.0
            .compute_merge_candidates(segments)
            .into_iter()
            .filter(|candidate| docs(candidate) <= MAX_MERGED_DOCS)
            .collect()
    }
}

/// What each index commit records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Payload {
    archive: String,
    schema: u32,
    last_id: i64,
    /// The segments whose ids are consecutive ([`crate::ids::encode`]); none in a
    /// commit written before this was recorded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    consecutive: String,
}

impl Payload {
    /// What the commit records of its consecutive segments, for a reader's queries.
    pub(crate) fn segment_ids(&self) -> SegmentIds {
        SegmentIds::new(&self.consecutive)
    }
}

/// Whether the index can answer for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// It holds exactly the store's messages.
    Current,
    /// It lacks the messages after `indexed` (the store's last is `archived`): an update
    /// adds them.
    Behind {
        /// The last archive id in the index.
        indexed: i64,
        /// The last archive id in the store.
        archived: i64,
    },
    /// It holds messages after the store's last (the database was put back from an older
    /// copy, the index was not, or messages were removed behind the archive's back): an
    /// update rebuilds it, since new messages will get those ids again.
    Ahead {
        /// The last archive id in the index.
        indexed: i64,
        /// The last archive id in the store.
        archived: i64,
    },
    /// There is no index.
    Missing,
    /// It belongs to another archive, or to another version of the schema.
    Foreign,
    /// It cannot be read.
    Unreadable(String),
    /// Another process is updating it now (it holds the update lock).
    Updating,
}

impl std::fmt::Display for Freshness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Freshness::Current => write!(f, "the search index is current"),
            Freshness::Ahead { indexed, archived } => write!(
                f,
                "the search index holds messages up to id {indexed}, after the archive's last ({archived})"
            ),
            Freshness::Behind { indexed, archived } => {
                let lacking = archived - indexed;
                let s = if lacking == 1 { "" } else { "s" };
                write!(f, "the search index lacks {lacking} message{s}")
            }
            Freshness::Missing => write!(f, "there is no search index"),
            Freshness::Foreign => {
                write!(f, "the search index belongs to another archive or version")
            }
            Freshness::Unreadable(why) => write!(f, "the search index cannot be read ({why})"),
            Freshness::Updating => write!(f, "another process is updating the search index"),
        }
    }
}

pub(crate) fn index_path(store: &Store) -> PathBuf {
    store.dir().join(INDEX_DIR)
}

/// Opens the index of `store`, and what its last commit says.
fn open(path: &Path) -> Result<Option<(Index, Option<Payload>)>, tantivy::TantivyError> {
    if !path.join("meta.json").exists() {
        return Ok(None);
    }
    let index = Index::open_in_dir(path)?;
    register_tokenizers(&index);
    let payload = index
        .load_metas()?
        .payload
        .and_then(|text| serde_json::from_str(&text).ok());
    Ok(Some((index, payload)))
}

/// An index opened to be searched, as of one commit, with the segments that commit
/// lists (for a process that opens them itself: [`crate::readers`]).
pub(crate) struct Opened {
    pub(crate) index: Index,
    pub(crate) segments: Vec<CommittedSegment>,
}

/// Opens the index in `path` to be searched, as of its last commit: through a
/// [`SearchDirectory`], which reads `meta.json` once for the index, its commit's list
/// and payload, and a reader. Without write access (`read_only`) it takes no locks. A
/// process that keeps no readers reads the files instead of mapping them
/// ([`Reads::Copied`]).
fn open_to_search(
    path: &Path,
    read_only: bool,
) -> Result<Option<(Opened, Option<Payload>)>, tantivy::TantivyError> {
    if !path.join("meta.json").exists() {
        return Ok(None);
    }
    let reads = if kept::keeping() || !snapshot::COPIES {
        Reads::Mapped
    } else {
        Reads::Copied
    };
    let directory = SearchDirectory::open(path, reads, !read_only)?;
    let index = Index::open(directory.clone())?;
    register_tokenizers(&index);
    let (segments, payload) = match directory.commit() {
        Some(commit) => (
            commit.segments,
            commit
                .payload
                .and_then(|text| serde_json::from_str(&text).ok()),
        ),
        None => (Vec::new(), None),
    };
    Ok(Some((Opened { index, segments }, payload)))
}

/// Opens the index if it is current for `store`; otherwise says why not: while another
/// process updates it, that (a rebuild starts from an empty index, which would otherwise
/// look foreign).
pub(crate) fn open_current(
    store: &Store,
) -> Result<Result<(Opened, i64, SegmentIds), Freshness>, IndexError> {
    Ok(match current(store)? {
        Err(_) if updating(store) => Err(Freshness::Updating),
        opened => opened,
    })
}

/// Whether another process holds the update lock (see [`lock`]).
fn updating(store: &Store) -> bool {
    let Ok(file) = File::open(store.dir().join(LOCK_FILE)) else {
        return false;
    };
    matches!(
        file.try_lock_shared(),
        Err(std::fs::TryLockError::WouldBlock)
    )
}

fn current(store: &Store) -> Result<Result<(Opened, i64, SegmentIds), Freshness>, IndexError> {
    let info = store.info()?;
    let archived = store.max_id()?.0;
    let (opened, payload) = match open_to_search(&index_path(store), store.is_read_only()) {
        Ok(Some(opened)) => opened,
        Ok(None) => return Ok(Err(Freshness::Missing)),
        Err(error) => return Ok(Err(Freshness::Unreadable(error.to_string()))),
    };
    match payload {
        Some(p) if p.archive == info.uuid && p.schema == SCHEMA_VERSION => {
            let indexed = p.last_id;
            Ok(match indexed.cmp(&archived) {
                std::cmp::Ordering::Equal => Ok((opened, archived, p.segment_ids())),
                std::cmp::Ordering::Less => Err(Freshness::Behind { indexed, archived }),
                std::cmp::Ordering::Greater => Err(Freshness::Ahead { indexed, archived }),
            })
        }
        _ => Ok(Err(Freshness::Foreign)),
    }
}

/// The index of the archive in `dir` opened to be searched without the store (and
/// without locks), as of its last commit, with what that commit records.
fn open_committed(dir: &Path) -> Option<(Opened, Payload)> {
    let (opened, payload) = open_to_search(&dir.join(INDEX_DIR), true).ok()??;
    Some((opened, payload?))
}

/// Opens the index of the archive in `dir` if its last commit is of the messages that
/// `mark` says the archive holds ([`plupper_store::mark`]), without the store: `None`
/// when it is not, or cannot be opened (the store then says why).
pub(crate) fn open_marked(dir: &Path, mark: u32) -> Option<(Opened, i64, SegmentIds)> {
    let (opened, payload) = open_committed(dir)?;
    (payload.schema == SCHEMA_VERSION
        && plupper_store::mark::message_mark(&payload.archive, payload.last_id) == mark)
        .then(|| (opened, payload.last_id, payload.segment_ids()))
}

/// Whether the index of `store` is current, and if not, why.
pub fn freshness(store: &Store) -> Result<Freshness, IndexError> {
    Ok(match open_current(store)? {
        Ok(_) => Freshness::Current,
        Err(freshness) => freshness,
    })
}

/// Hears how an update goes. The CLI draws a progress bar; the defaults do nothing.
pub trait UpdateProgress {
    /// Another process is updating the index; this one waits for it.
    fn waiting(&self) {}
    /// `total` messages are to be indexed.
    fn start(&self, total: u64) {
        let _ = total;
    }
    /// `n` more messages were indexed.
    fn advance(&self, n: u64) {
        let _ = n;
    }
}

/// An [`UpdateProgress`] that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl UpdateProgress for NoProgress {}

/// What an update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UpdateReport {
    /// Messages added to the index.
    pub indexed: u64,
    /// Whether the index was rebuilt from scratch (asked for, or found foreign, of another
    /// schema, ahead of the archive, or unreadable).
    pub rebuilt: bool,
    /// The last archive id the index now holds.
    pub last_id: i64,
    /// The index's segments after the update (each costs a query a few file opens).
    pub segments: usize,
}

/// Brings the index of `store` up to date: adds the messages after the last indexed id,
/// or rebuilds it from scratch when `rebuild` is set or the index is not this archive's,
/// holds messages after the archive's last, or cannot be read. Waits for another update
/// to finish first.
pub fn update(
    store: &Store,
    rebuild: bool,
    progress: &dyn UpdateProgress,
) -> Result<UpdateReport, IndexError> {
    run_update(store, rebuild, None, progress)
}

/// [`update`], while another connection writes to the archive: indexes what it has
/// committed, again and again, until `writing` is false and everything it committed is
/// indexed. An import runs this on a second thread, so that indexing uses the core the
/// single writer leaves idle instead of starting when the writer ends.
///
/// `progress` hears of the work only once the writer is done: [`start`] with what is
/// left then, and [`advance`] from there.
///
/// [`start`]: UpdateProgress::start
/// [`advance`]: UpdateProgress::advance
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
///
/// use plupper_index::{NoProgress, freshness, Freshness, update_following};
/// use plupper_store::Store;
/// use plupper_sync::{file::import_file, load::NoProgress as NoLoadProgress};
///
/// let dir = tempfile::tempdir()?;
/// let mut store = Store::open(dir.path())?;
/// let writing = AtomicBool::new(true);
/// let indexed = std::thread::scope(|scope| {
///     let follower = scope.spawn(|| {
///         let reader = Store::open(dir.path())?;
///         update_following(&reader, false, &writing, &NoProgress)
///     });
///     import_file(&mut store, "../../data/seed.json".as_ref(), &NoLoadProgress);
///     writing.store(false, Ordering::Release);
///     follower.join().expect("the follower does not panic")
/// })?;
/// assert_eq!(indexed.last_id, store.max_id()?.0);
/// assert_eq!(freshness(&store)?, Freshness::Current);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn update_following(
    store: &Store,
    rebuild: bool,
    writing: &AtomicBool,
    progress: &dyn UpdateProgress,
) -> Result<UpdateReport, IndexError> {
    run_update(store, rebuild, Some(writing), progress)
}

/// How long [`update_following`] waits before it looks for newly committed messages.
const POLL: Duration = Duration::from_millis(20);

fn run_update(
    store: &Store,
    rebuild: bool,
    following: Option<&AtomicBool>,
    progress: &dyn UpdateProgress,
) -> Result<UpdateReport, IndexError> {
    store.check_writable("updating the search index")?;
    let _lock = lock(store, progress)?;
    let path = index_path(store);
    let info = store.info()?;
    let mut target = store.max_id()?;
    let (schema, fields) = schema();

    // An index that cannot be opened, or whose segments cannot be read, is rebuilt.
    let existing = if rebuild {
        None
    } else {
        open(&path)
            .ok()
            .flatten()
            .filter(|(index, _)| crate::search::reader(index).is_ok())
    };
    let (index, last_id, rebuilt, recorded) = match existing {
        // An index ahead of the archive (its database put back from an older copy) holds
        // messages under ids that new messages will be given again.
        Some((index, Some(p)))
            if p.archive == info.uuid && p.schema == SCHEMA_VERSION && p.last_id <= target.0 =>
        {
            (index, p.last_id, false, ids::decode(&p.consecutive))
        }
        _ => {
            if path.exists() {
                std::fs::remove_dir_all(&path).map_err(|source| IndexError::Io {
                    path: path.clone(),
                    source,
                })?;
            }
            std::fs::create_dir_all(&path).map_err(|source| IndexError::Io {
                path: path.clone(),
                source,
            })?;
            let index = Index::create_in_dir(&path, schema)?;
            register_tokenizers(&index);
            (index, 0, true, Consecutive::new())
        }
    };

    let mut writer: IndexWriter = index.writer_with_num_threads(1, MEMORY_BUDGET)?;
    // Following a writer, how much will come is not known: merge only full groups of
    // small segments meanwhile and compact at the end, which suits a large import and
    // costs a small one nothing (it merges only small segments).
    let bulk = following.is_some() || rebuilt || target.0 - last_id >= BULK_DOCS;
    if following.is_some() {
        writer.set_merge_policy(Box::new(FullGroups(index.clone())));
    } else if bulk {
        writer.set_merge_policy(Box::new(NoMergePolicy));
    } else {
        writer.set_merge_policy(Box::new(CappedMerges::default()));
    }
    // The commits on the way keep what the last one recorded of segments (those that
    // are merged away are no longer read); the end records the segments it leaves.
    let payload = |last_id: i64, consecutive: &Consecutive| {
        serde_json::to_string(&Payload {
            archive: info.uuid.clone(),
            schema: SCHEMA_VERSION,
            last_id,
            consecutive: ids::encode(consecutive),
        })
        .unwrap_or_default()
    };
    let mut shown = following.is_none();
    if shown {
        progress.start(u64::try_from(target.0 - last_id).unwrap_or(0));
    }
    let mut report = UpdateReport {
        indexed: 0,
        rebuilt,
        last_id,
        segments: 0,
    };
    let mut since_commit = 0;
    loop {
        let rows = store.index_rows(ArchiveId(report.last_id), target, BATCH)?;
        let Some(last) = rows.last() else {
            let Some(writing) = following else { break };
            // In this order: once the writer is seen done, the newest id read after it
            // is its last.
            let done = !writing.load(Ordering::Acquire);
            let newest = store.max_id()?;
            if done && !shown {
                shown = true;
                progress.start(u64::try_from(newest.0 - report.last_id).unwrap_or(0));
            }
            if newest > target {
                target = newest;
            } else if done {
                break;
            } else {
                std::thread::sleep(POLL);
            }
            continue;
        };
        let last = last.id.0;
        for row in &rows {
            writer.add_document(document(&fields, row))?;
        }
        report.indexed += rows.len() as u64;
        report.last_id = last;
        since_commit += rows.len() as u64;
        if shown {
            progress.advance(rows.len() as u64);
        }
        if since_commit >= COMMIT_EVERY {
            commit(&mut writer, &payload(last, &recorded))?;
            since_commit = 0;
        }
    }
    if report.indexed > 0 || rebuilt || last_id != target.0 {
        report.last_id = target.0;
        commit(&mut writer, &payload(target.0, &recorded))?;
    }
    if bulk {
        // The merges a policy started must end before the compaction groups what is left
        // and collects the merged-away files; waiting for them takes the writer.
        writer.set_merge_policy(Box::new(NoMergePolicy));
        writer.wait_merging_threads()?;
        writer = index.writer_with_num_threads(1, MEMORY_BUDGET)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        compact(&index, &mut writer)?;
    }
    writer.wait_merging_threads()?;
    let segments = index.searchable_segments()?;
    report.segments = segments.len();
    // A commit of nothing but what it records of the segments, when that changed.
    let consecutive = ids::consecutive(&segments, &recorded)?;
    drop(segments); // a living segment keeps its files from being collected
    if consecutive != recorded {
        let mut writer: IndexWriter = index.writer_with_num_threads(1, MEMORY_BUDGET)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        commit(&mut writer, &payload(report.last_id, &consecutive))?;
        writer.wait_merging_threads()?;
    }
    Ok(report)
}

/// Merges the index's segments, smallest first, into as few segments of at most
/// [`MAX_MERGED_DOCS`] documents as a greedy grouping gives, one merge at a time (each
/// merge maps the segments it reads, so one at a time bounds the memory). Every segment
/// costs a query a few file opens and maps, so a bulk build should not leave dozens.
/// Each merge takes its segments in archive order ([`ids::in_id_order`]): the segments
/// of successive imports and syncs then merge into one of consecutive ids.
fn compact(index: &Index, writer: &mut IndexWriter) -> Result<(), IndexError> {
    let groups = {
        let mut segments = index.searchable_segment_metas()?;
        segments.sort_by_key(|meta| (meta.num_docs(), meta.id()));
        let mut groups = merge_groups(&segments);
        for group in &mut groups {
            ids::in_id_order(index, group, &segments);
        }
        groups
        // Dropped here: a living `SegmentMeta` keeps its files from being collected.
    };
    for group in groups {
        writer.merge(&group).wait()?;
    }
    // The merged segments' files are deleted only by a collection.
    writer.garbage_collect_files().wait()?;
    Ok(())
}

/// The groups [`compact`] merges: consecutive runs of `segments` (sorted by size) of at
/// most [`MAX_MERGED_DOCS`] documents in all, of two segments or more.
fn merge_groups(segments: &[SegmentMeta]) -> Vec<Vec<SegmentId>> {
    let mut groups = Vec::new();
    let mut group = Vec::new();
    let mut docs = 0;
    for meta in segments {
        let size = u64::from(meta.num_docs());
        if docs + size > MAX_MERGED_DOCS && !group.is_empty() {
            groups.push(std::mem::take(&mut group));
            docs = 0;
        }
        group.push(meta.id());
        docs += size;
    }
    groups.push(group);
    groups.retain(|group| group.len() >= 2);
    groups
}

fn commit(writer: &mut IndexWriter, payload: &str) -> Result<(), IndexError> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(payload);
    prepared.commit()?;
    Ok(())
}

fn document(fields: &Fields, row: &IndexRow) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_u64(fields.id, row.id.0 as u64);
    doc.add_i64(fields.sort_key, row.sort_key);
    doc.add_i64(fields.written_date, row.written_date);
    if let Some(operator) = &row.operator {
        doc.add_text(fields.operator, operator);
    }
    if let Some(customer) = &row.customer_id {
        doc.add_text(fields.customer_id, customer);
    }
    if let Some(visitor) = row.visitor_id {
        doc.add_i64(fields.visitor_id, visitor);
    }
    doc.add_text(fields.grams, &row.content);
    doc.add_text(fields.words, &row.content);
    doc
}

/// Takes the update lock, waiting (and saying so) while another process holds it.
fn lock(store: &Store, progress: &dyn UpdateProgress) -> Result<File, IndexError> {
    let path = store.dir().join(LOCK_FILE);
    let io = |source| IndexError::Io {
        path: path.clone(),
        source,
    };
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            progress.waiting();
            file.lock().map_err(io)?;
            Ok(file)
        }
        Err(std::fs::TryLockError::Error(error)) => Err(io(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metas(sizes: &[u32]) -> Vec<SegmentMeta> {
        let (schema, _) = schema();
        let index = Index::create_in_ram(schema);
        sizes
            .iter()
            .map(|&docs| index.new_segment_meta(SegmentId::generate_random(), docs))
            .collect()
    }

    /// The merges `policy` proposes for segments of these sizes, as documents per merge.
    fn merges(policy: &dyn MergePolicy, sizes: &[u32]) -> Vec<u64> {
        let segments = metas(sizes);
        policy
            .compute_merge_candidates(&segments)
            .iter()
            .map(|candidate| {
                candidate
                    .0
                    .iter()
                    .map(|id| {
                        let meta = segments.iter().find(|meta| meta.id() == *id);
                        meta.map_or(0, |meta| u64::from(meta.num_docs()))
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn small_segments_merge_as_tantivy_would() {
        assert_eq!(
            merges(&CappedMerges::default(), &[50_000; 8]),
            vec![400_000]
        );
    }

    #[test]
    fn no_merge_makes_a_segment_above_the_cap() {
        let sizes = [200_000; 8];
        assert_eq!(merges(&LogMergePolicy::default(), &sizes), vec![1_600_000]);
        assert_eq!(merges(&CappedMerges::default(), &sizes), Vec::<u64>::new());
    }

    #[test]
    fn following_a_writer_merges_only_full_groups_of_small_segments() {
        // (Segments that exist only as metas: their order cannot be read, so it is kept.)
        let policy = FullGroups(Index::create_in_ram(schema().0));
        // 90 × 10k: a group of 500k and one of 400k (three quarters is 375k); 30 × 10k
        // wait for more (or the compaction).
        assert_eq!(merges(&policy, &[10_000; 90]), vec![500_000, 400_000]);
        assert_eq!(merges(&policy, &[10_000; 30]), Vec::<u64>::new());
        // Merged segments are left alone.
        assert_eq!(
            merges(&policy, &[500_000, 400_000, 130_000, 130_000, 130_000]),
            Vec::<u64>::new()
        );
        assert_eq!(merges(&policy, &[100_000; 4]), vec![400_000]);
    }

    #[test]
    fn a_bulk_build_is_compacted_into_groups_below_the_cap() {
        let sizes = [
            70_000, 70_000, 70_000, 600_000, 300_000, 70_000, 5_000, 900_000,
        ];
        let segments = metas(&sizes);
        let docs = |id: &SegmentId| {
            let meta = segments.iter().find(|meta| meta.id() == *id);
            meta.map_or(0, |meta| u64::from(meta.num_docs()))
        };
        let mut sorted = segments.clone();
        sorted.sort_by_key(|meta| meta.num_docs());
        let groups: Vec<Vec<u64>> = merge_groups(&sorted)
            .iter()
            .map(|group| group.iter().map(docs).collect())
            .collect();
        // 5k + 4 × 70k = 285k; + 300k would pass 500k; 300k, 600k and 900k stay alone.
        assert_eq!(groups, vec![vec![5_000, 70_000, 70_000, 70_000, 70_000]]);
        assert_eq!(merge_groups(&metas(&[1_000])), Vec::<Vec<SegmentId>>::new());
        assert_eq!(merge_groups(&[]), Vec::<Vec<SegmentId>>::new());
    }
}
