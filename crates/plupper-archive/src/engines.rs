//! Exports for a distributed engine (Quickwit, OpenSearch), and the API's filters as
//! their queries: the formats are `plupper-engines`'; this is the door.

use std::path::Path;

use plupper_audit::bundle::{ExportInfo, applied_query};
use plupper_engines::export::{
    ArchiveState, EngineManifest, ExportHeader, ExportWriter, FilterRecord, ShardLimits,
};
use plupper_engines::{Document, Engine};
use plupper_search::executor;
use plupper_store::{ArchiveId, StoredMessage};

use crate::{Archive, Error, Filter};

/// Ids read at a time by an unfiltered `since_id` export.
const ID_BATCH: i64 = 4096;

impl Archive {
    /// Exports the messages `filter` selects (with `since_id`: only those with a larger
    /// archive id) for `engine` into `dir` (made here; one that exists must be empty):
    /// gzip NDJSON shards cut at `limits`, the engine's index definition and
    /// `manifest.json`, whose `last_id` is the `since_id` of the next export. Reads one
    /// snapshot of the archive, a message at a time (with `since_id` and no filter, only
    /// the messages above it, by id); the archive is not written, so a read-only one
    /// exports too. A failed export leaves nothing behind.
    ///
    /// ```
    /// use plupper_archive::{Archive, Engine, ExportInfo, Filter, NoProgress, ShardLimits};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path().join("archive"))?;
    /// archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// let info = ExportInfo {
    ///     tool: "my-move 1.0".into(),
    ///     exported_at: "2026-11-25T12:00:00Z".into(),
    ///     given: vec![],
    /// };
    /// let limits = ShardLimits::for_engine(Engine::Quickwit);
    /// let out = dir.path().join("quickwit");
    /// let manifest = archive.export_engine(&Filter::default(), None, Engine::Quickwit, &out, info.clone(), limits)?;
    /// assert_eq!((manifest.counts.documents, manifest.last_id), (5, 5));
    /// assert!(out.join("index-config.yaml").is_file());
    ///
    /// // Later: only what is new since then.
    /// let next = dir.path().join("quickwit-2");
    /// let manifest = archive.export_engine(&Filter::default(), Some(manifest.last_id), Engine::Quickwit, &next, info, limits)?;
    /// assert_eq!(manifest.counts.documents, 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_engine(
        &self,
        filter: &Filter,
        since_id: Option<i64>,
        engine: Engine,
        dir: &Path,
        info: ExportInfo,
        limits: ShardLimits,
    ) -> Result<EngineManifest, Error> {
        let mut writer = ExportWriter::create(dir, engine, limits)?;
        match self.write_engine_export(&mut writer, filter, since_id) {
            Ok((archive, last_id)) => {
                let header = ExportHeader {
                    tool: info.tool,
                    exported_at: info.exported_at,
                    archive,
                    filter: FilterRecord {
                        given: info.given,
                        applied: applied_query(filter),
                    },
                    since_id,
                    last_id,
                };
                Ok(writer.finish(header)?)
            }
            Err(error) => {
                writer.abandon();
                Err(error)
            }
        }
    }

    /// Streams the selected messages into `writer` from one snapshot; the archive's
    /// state in that snapshot.
    fn write_engine_export(
        &self,
        writer: &mut ExportWriter,
        filter: &Filter,
        since_id: Option<i64>,
    ) -> Result<(ArchiveState, i64), Error> {
        let snapshot = self.store.snapshot()?;
        let store = snapshot.store();
        let after = since_id.unwrap_or(0);
        let last_id = store.max_id()?.0;
        let mut write = |stored: StoredMessage| {
            let doc = Document::new(
                stored.id.0,
                &stored.message,
                stored.written_date,
                stored.wall_clock,
                stored.utc_offset,
            );
            writer.write(&doc)
        };
        if after > 0 && *filter == Filter::default() {
            // Archive ids increase in archive order: what was added since is the ids
            // above `after`, read by id, without going through the older messages.
            let mut next = after.saturating_add(1);
            while next <= last_id {
                let end = next.saturating_add(ID_BATCH - 1).min(last_id);
                let ids: Vec<ArchiveId> = (next..=end).map(ArchiveId).collect();
                for stored in store.messages_by_ids(&ids)? {
                    write(stored)?;
                }
                next = end.saturating_add(1);
            }
        } else {
            let (_, messages) = executor::messages(store, filter, None)?;
            for stored in messages {
                let stored = stored?;
                if stored.id.0 > after {
                    write(stored)?;
                }
            }
        }
        let state = ArchiveState {
            uuid: store.info()?.uuid,
            messages: store.message_count()?,
        };
        Ok((state, last_id))
    }
}

/// The query of `engine` for `filter`, and where the engine answers only a superset
/// (see `docs/scale-out.md`).
///
/// ```
/// use plupper_archive::{Engine, Filter, translate};
///
/// let translation = translate(Engine::Quickwit, &Filter::default().contains("hi"));
/// assert!(!translation.is_exact()); // under three characters: no trigram to narrow on
/// assert!(translate(Engine::OpenSearch, &Filter::default().contains("hi")).is_exact());
/// ```
pub fn translate(engine: Engine, filter: &Filter) -> plupper_engines::translate::Translation {
    plupper_engines::translate::translate(engine, filter)
}
