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

use std::ops::Range;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::schema::{Schema, Term};
use tantivy::{DocId, DocSet, Index, Searcher, SegmentReader};

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

    /// Runs `query`, an exact filter (every term of it must match), and collects its
    /// hits as [`Readers::search`] does, on two threads when it may visit
    /// [`TWO_THREADS_FROM`] documents or more (the fewest documents of any of its terms,
    /// summed over the segments) and the machine has two cores: the documents are cut
    /// where half of those lie (taken as spread evenly over each segment's documents),
    /// and each thread collects its side of the cut (a segment that straddles it, as two
    /// parts). The hits are the same, and reach the collector in segment order (a
    /// segment cut in two as two fruits).
    ///
    /// Not for a collector whose [`Collector::collect_segment`] has a shortcut for
    /// `query` that is worth more than a second core: tantivy's
    /// [`Count`](tantivy::collector::Count) reads the document frequency of one term.
    pub(crate) fn search_split<C: Collector>(
        &self,
        query: &dyn Query,
        collector: &C,
        split: Split,
    ) -> tantivy::Result<C::Fruit> {
        let readers = self.segment_readers();
        // An index smaller than the threshold runs every query on one thread: no need
        // to look up its terms' frequencies.
        let documents: u64 = readers.iter().map(|r| u64::from(r.max_doc())).sum();
        if collector.requires_scoring()
            || (split == Split::WhenCostly && documents < TWO_THREADS_FROM)
        {
            return self.search(query, collector);
        }
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| terms.push(term.clone()));
        let visits = readers
            .iter()
            .map(|reader| visits(reader, &terms))
            .collect::<tantivy::Result<Vec<u64>>>()?;
        let total: u64 = visits.iter().sum();
        tracing::debug!(?visits, "the documents the query may visit");
        let costly = || total >= TWO_THREADS_FROM && plupper_store::cores::two_cores();
        let cut = (split == Split::Always || costly())
            .then(|| cut_at_half(readers, &visits))
            .flatten();
        let Some(Cut { segment, doc }) = cut else {
            return self.search(query, collector);
        };
        let schema = match self {
            Readers::Searcher(searcher) => searcher.schema(),
            Readers::Segments(segments) => &segments.schema,
        };
        let weight = query.weight(EnableScoring::disabled_from_schema(schema))?;
        collector.check_schema(schema)?;
        let weight = weight.as_ref();
        // This thread: the segments before the cut and the straddled one's first part;
        // the other: its second part and the rest.
        let (mine, theirs) = std::thread::scope(|scope| {
            let theirs = plupper_store::cores::spawn_beside(scope, move || {
                (segment..readers.len())
                    .map(|ord| {
                        let reader = &readers[ord];
                        let from = if ord == segment { doc } else { 0 };
                        collect_part(collector, weight, ord, reader, from..reader.max_doc())
                    })
                    .collect::<tantivy::Result<Vec<_>>>()
            });
            let straddled = (doc > 0).then_some((segment, doc));
            let mine = (0..segment)
                .map(|ord| (ord, readers[ord].max_doc()))
                .chain(straddled)
                .map(|(ord, to)| collect_part(collector, weight, ord, &readers[ord], 0..to))
                .collect::<tantivy::Result<Vec<_>>>();
            // A panic on the other thread is this one's.
            let theirs = theirs
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (mine, theirs)
        });
        let mut fruits = mine?;
        fruits.extend(theirs?);
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

/// When [`Readers::search_split`] runs a query on two threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split {
    /// When it may visit [`TWO_THREADS_FROM`] documents on a machine with two cores.
    WhenCostly,
    /// Whenever its documents can be cut (for tests: the same answers either way).
    #[cfg_attr(not(test), allow(dead_code))]
    Always,
}

/// The documents a query may visit from which [`Readers::search_split`] runs it on two
/// threads. Below it, a second thread and a second set of postings cost about what they
/// save.
pub(crate) const TWO_THREADS_FROM: u64 = 16_384;

/// The most documents of `reader` that a query whose `terms` must all match visits: the
/// documents of its rarest term (every document when it has none).
fn visits(reader: &SegmentReader, terms: &[Term]) -> tantivy::Result<u64> {
    let mut fewest = reader.max_doc();
    for term in terms {
        fewest = fewest.min(reader.inverted_index(term.field())?.doc_freq(term)?);
    }
    Ok(u64::from(fewest))
}

/// Where [`Readers::search_split`] cuts the documents: at document `doc` of segment
/// `segment` (that segment's documents before it on one side, the rest on the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cut {
    segment: usize,
    doc: DocId,
}

/// The cut with half of the visits on each side, taking a segment's visits as spread
/// evenly over its documents; `None` when they cannot be cut (none, or all in one
/// document).
fn cut_at_half(readers: &[SegmentReader], visits: &[u64]) -> Option<Cut> {
    let sizes: Vec<DocId> = readers.iter().map(SegmentReader::max_doc).collect();
    cut_sizes_at_half(&sizes, visits)
}

/// [`cut_at_half`] of segments with these document counts and visits.
fn cut_sizes_at_half(sizes: &[DocId], visits: &[u64]) -> Option<Cut> {
    let total: u64 = visits.iter().sum();
    let half = total / 2;
    let mut before = 0u64;
    for (segment, (&size, &here)) in sizes.iter().zip(visits).enumerate() {
        if here > 0 && before + here > half {
            // `half - before` of this segment's visits, as a share of its documents.
            let share = (half - before) as u128 * u128::from(size) / u128::from(here);
            let doc = DocId::try_from(share).unwrap_or(size);
            return (0 < doc && doc < size)
                .then_some(Cut { segment, doc })
                .or_else(|| {
                    // A cut at a segment's edge is the edge between two segments.
                    let segment = if doc == 0 { segment } else { segment + 1 };
                    (0 < segment && segment < sizes.len()).then_some(Cut { segment, doc: 0 })
                });
        }
        before += here;
    }
    None
}

/// Collects the hits of `weight` among the documents `docs` of the segment `reader`, as
/// [`Collector::collect_segment`] does for a query without scores.
fn collect_part<C: Collector>(
    collector: &C,
    weight: &dyn Weight,
    ord: usize,
    reader: &SegmentReader,
    docs: Range<DocId>,
) -> tantivy::Result<<C::Child as SegmentCollector>::Fruit> {
    let mut part = collector.for_segment(ord as u32, reader)?;
    let mut scorer = weight.scorer(reader, 1.0)?;
    let mut doc = scorer.doc();
    if doc < docs.start {
        doc = scorer.seek(docs.start);
    }
    let alive = reader.alive_bitset();
    while doc < docs.end {
        if alive.is_none_or(|alive| alive.is_alive(doc)) {
            part.collect(doc, 0.0);
        }
        doc = scorer.advance();
    }
    Ok(part.harvest())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cut_halves_the_visits() {
        // Visits spread evenly: the middle document.
        assert_eq!(
            cut_sizes_at_half(&[1000], &[500]),
            Some(Cut {
                segment: 0,
                doc: 500
            })
        );
        // Two segments, the second with three times the first's visits.
        assert_eq!(
            cut_sizes_at_half(&[100, 100], &[100, 300]),
            Some(Cut {
                segment: 1,
                doc: 33
            })
        );
        // Half of the visits exactly at the edge: the second segment whole.
        assert_eq!(
            cut_sizes_at_half(&[100, 100], &[100, 100]),
            Some(Cut { segment: 1, doc: 0 })
        );
        // Segments without visits are stepped over.
        assert_eq!(
            cut_sizes_at_half(&[100, 100, 100], &[0, 60, 0]),
            Some(Cut {
                segment: 1,
                doc: 50
            })
        );
    }

    #[test]
    fn visits_that_cannot_be_cut_run_on_one_thread() {
        assert_eq!(cut_sizes_at_half(&[100], &[0]), None);
        assert_eq!(cut_sizes_at_half(&[], &[]), None);
        assert_eq!(cut_sizes_at_half(&[1], &[1000]), None);
    }
}
