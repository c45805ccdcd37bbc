//! The segment readers a query runs on, opened one of two ways.
//!
//! A process that keeps its readers for many queries (a server, `search`) opens them
//! through tantivy's [`IndexReader`](tantivy::IndexReader), whose [`Searcher`] also
//! ranks. A process that asks one exact query (the CLI's `query`, see
//! [`crate::keep_readers`]) opens each segment of the commit itself
//! ([`Readers::open_segments`]), from the list [`crate::snapshot::SearchDirectory`]
//! already read, and runs the query on them as tantivy's searcher does on one thread.
//! tantivy's reader would parse `meta.json` a second time (its schema included), open
//! each segment's document store, which the index does not use, and track both in its
//! inventories. A rare word's count (callgrind): at 5M messages (11 segments) 1.88M
//! instructions that way, 1.75M this way; at 1M (3 segments) 1.04M and 0.95M. The
//! answers are the same: the same segments of the same commit, the same weights,
//! collected in the same order (`tests/copied.rs` compares the two).

use std::sync::{Arc, OnceLock};

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Schema;
use tantivy::{Index, Searcher, SegmentReader};

use crate::build::Opened;
use crate::search::reader;

/// The segment readers of one commit.
#[derive(Clone)]
pub(crate) enum Readers {
    /// tantivy's searcher.
    Searcher(Searcher),
    /// Segment readers opened one by one.
    Segments(Arc<Segments>),
}

/// Segment readers opened one by one, in the commit's order.
pub(crate) struct Segments {
    index: Index,
    schema: Schema,
    readers: Vec<SegmentReader>,
    /// A searcher of the same commit, opened on the first ranked query: BM25 scores need
    /// tantivy's [`Searcher`] (the directory serves the commit it first read, so this
    /// opens the same segments).
    searcher: OnceLock<Searcher>,
}

impl Readers {
    /// Opens the index through tantivy's reader.
    pub(crate) fn open_searcher(opened: &Opened) -> tantivy::Result<Readers> {
        Ok(Readers::Searcher(reader(&opened.index)?.searcher()))
    }

    /// Opens each segment the commit lists.
    pub(crate) fn open_segments(opened: Opened) -> tantivy::Result<Readers> {
        let Opened { index, segments } = opened;
        let readers = segments
            .iter()
            .map(|segment| SegmentReader::open(&segment.segment(&index)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Readers::Segments(Arc::new(Segments {
            schema: index.schema(),
            index,
            readers,
            searcher: OnceLock::new(),
        })))
    }

    /// The segments' readers, in the commit's order.
    pub(crate) fn segment_readers(&self) -> &[SegmentReader] {
        match self {
            Readers::Searcher(searcher) => searcher.segment_readers(),
            Readers::Segments(segments) => &segments.readers,
        }
    }

    /// How many documents the segments hold, deleted ones left out.
    pub(crate) fn num_docs(&self) -> u64 {
        self.segment_readers()
            .iter()
            .map(|reader| u64::from(reader.num_docs()))
            .sum()
    }

    /// Runs `query` and collects its hits, as [`Searcher::search`] does.
    pub(crate) fn search<C: Collector>(
        &self,
        query: &dyn Query,
        collector: &C,
    ) -> tantivy::Result<C::Fruit> {
        let segments = match self {
            Readers::Segments(segments) if !collector.requires_scoring() => segments,
            _ => return self.searcher()?.search(query, collector),
        };
        // `Searcher::search_with_executor` on one thread, with scoring disabled.
        let weight = query.weight(EnableScoring::disabled_from_schema(&segments.schema))?;
        collector.check_schema(&segments.schema)?;
        let fruits = segments
            .readers
            .iter()
            .enumerate()
            .map(|(ord, reader)| collector.collect_segment(weight.as_ref(), ord as u32, reader))
            .collect::<tantivy::Result<Vec<_>>>()?;
        collector.merge_fruits(fruits)
    }

    /// tantivy's searcher of these segments, for ranked queries.
    pub(crate) fn searcher(&self) -> tantivy::Result<&Searcher> {
        match self {
            Readers::Searcher(searcher) => Ok(searcher),
            Readers::Segments(segments) => match segments.searcher.get() {
                Some(searcher) => Ok(searcher),
                None => {
                    let searcher = reader(&segments.index)?.searcher();
                    Ok(segments.searcher.get_or_init(|| searcher))
                }
            },
        }
    }
}
