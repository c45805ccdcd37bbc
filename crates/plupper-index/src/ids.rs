//! Which archive id each document of a segment holds, read without its `id` column where
//! the index's last commit says the segment's ids are consecutive.
//!
//! Opening a fast-field column reads the parameters of each of its blocks of 512
//! documents: about 233,000 instructions for the `id` column of a segment of 491,520
//! documents, so a rare word's listing at 5M messages (11 segments) spent 1.6M of its
//! 4.7M instructions there (callgrind). A segment written by one indexing thread in
//! archive order (every update's: one thread indexes, [`crate::update`]) holds ids `first`,
//! `first + 1`, … in document order, so document `d` holds `first + d`. After each
//! update, [`consecutive`] checks every new segment once and the commit records those
//! that are so ([`Consecutive`]); a query then reads their ids by addition
//! ([`SegmentIds`]). A segment's files never change once written (a merge writes a new
//! segment), so what a commit records of a segment stays true while the segment exists.
//! A segment the commit does not name (interleaved by the two indexing threads of an
//! older version's standalone update, a merge that joined ranges out of order, an index
//! written before this) opens its column as before.

use std::collections::BTreeMap;
use std::sync::Arc;

use tantivy::columnar::{Cardinality, Column};
use tantivy::fastfield::FastFieldReaders;
use tantivy::index::SegmentId;
use tantivy::{DocId, Index, Segment, SegmentMeta, SegmentReader};

use plupper_store::ArchiveId;

/// What a commit records of the segments whose ids are consecutive: by segment id (as
/// tantivy writes it in `meta.json`), the id of its first document and its number of
/// documents.
pub(crate) type Consecutive = BTreeMap<String, (u64, u32)>;

/// The consecutive segments of `segments`: those `known` names are taken from it (a
/// segment never changes), the others are read and checked.
pub(crate) fn consecutive(
    segments: &[Segment],
    known: &Consecutive,
) -> tantivy::Result<Consecutive> {
    let mut found = Consecutive::new();
    for segment in segments {
        let name = segment.id().uuid_string();
        let max_doc = segment.meta().max_doc();
        if let Some(&(first, docs)) = known.get(&name).filter(|(_, docs)| *docs == max_doc) {
            found.insert(name, (first, docs));
        } else if let Some(first) = first_of_consecutive(&SegmentReader::open(segment)?)? {
            found.insert(name, (first, max_doc));
        }
    }
    Ok(found)
}

/// Orders `group` (segments of `metas`) by the smallest archive id of each, so that a
/// merge of segments that hold consecutive ranges of ids writes a segment of
/// consecutive ids, which [`consecutive`] then records: a merge writes its segments'
/// documents one segment after another, in the order given. A group with a segment that
/// cannot be read is left in its order.
pub(crate) fn in_id_order(index: &Index, group: &mut [SegmentId], metas: &[SegmentMeta]) {
    let smallest = |id: &SegmentId| -> Option<u64> {
        let meta = metas.iter().find(|meta| meta.id() == *id)?;
        let reader = SegmentReader::open(&index.segment(meta.clone())).ok()?;
        Some(reader.fast_fields().u64("id").ok()?.min_value())
    };
    let Some(smallest) = group.iter().map(smallest).collect::<Option<Vec<u64>>>() else {
        return;
    };
    let mut ordered: Vec<(u64, SegmentId)> =
        smallest.into_iter().zip(group.iter().copied()).collect();
    ordered.sort_by_key(|&(smallest, _)| smallest);
    for (slot, (_, id)) in group.iter_mut().zip(ordered) {
        *slot = id;
    }
}

/// The first id of a segment whose documents hold consecutive ids in document order, one
/// each; `None` for any other segment (an empty one too).
fn first_of_consecutive(reader: &SegmentReader) -> tantivy::Result<Option<u64>> {
    let column = reader.fast_fields().u64("id")?;
    let max_doc = reader.max_doc();
    if max_doc == 0 || column.get_cardinality() != Cardinality::Full {
        return Ok(None);
    }
    let Some(first) = column.first(0) else {
        return Ok(None);
    };
    let mut chunk = vec![0u64; 4096];
    let mut start = 0u32;
    while start < max_doc {
        let len = chunk.len().min((max_doc - start) as usize);
        column.values.get_range(u64::from(start), &mut chunk[..len]);
        let expected = first + u64::from(start);
        if chunk[..len]
            .iter()
            .zip(expected..)
            .any(|(&id, expected)| id != expected)
        {
            return Ok(None);
        }
        start += len as u32;
    }
    Ok(Some(first))
}

/// A commit's record of its consecutive segments as its payload writes it: one
/// `segment first docs` entry for each, separated by `;`. A reader searches it for a
/// segment's name instead of parsing it, so that a query that reads no ids (a count)
/// pays only for copying it out of `meta.json`.
pub(crate) fn encode(consecutive: &Consecutive) -> String {
    let entries: Vec<String> = consecutive
        .iter()
        .map(|(name, (first, docs))| format!("{name} {first} {docs}"))
        .collect();
    entries.join(";")
}

/// The record [`encode`] wrote (entries it cannot read left out).
pub(crate) fn decode(text: &str) -> Consecutive {
    entries(text)
        .map(|(name, first, docs)| (name.to_owned(), (first, docs)))
        .collect()
}

fn entries(text: &str) -> impl Iterator<Item = (&str, u64, u32)> {
    text.split(';').filter_map(|entry| {
        let mut parts = entry.split(' ');
        let name = parts.next()?;
        let first = parts.next()?.parse().ok()?;
        let docs = parts.next()?.parse().ok()?;
        parts.next().is_none().then_some((name, first, docs))
    })
}

/// The consecutive segments of the commit a reader was opened at ([`encode`]d), for its
/// queries.
#[derive(Debug, Clone, Default)]
pub(crate) struct SegmentIds(Arc<str>);

impl SegmentIds {
    /// From what a commit records.
    pub(crate) fn new(encoded: &str) -> SegmentIds {
        SegmentIds(encoded.into())
    }

    /// The ids of `segment`'s documents: by addition when its ids are consecutive,
    /// otherwise from its `id` column, opened now.
    pub(crate) fn of(&self, segment: &SegmentReader) -> tantivy::Result<DocIds> {
        DocIds::open(self.first(segment), segment.fast_fields())
    }

    /// The first id of `segment` when its ids are consecutive.
    pub(crate) fn first(&self, segment: &SegmentReader) -> Option<u64> {
        if self.0.is_empty() {
            return None;
        }
        let name = segment.segment_id().uuid_string();
        entries(&self.0)
            .find(|&(recorded, _, docs)| recorded == name && docs == segment.max_doc())
            .map(|(_, first, _)| first)
    }
}

/// The archive ids of a segment's documents.
pub(crate) enum DocIds {
    /// Document `d` holds `first + d`.
    From(u64),
    /// Read from the segment's `id` column.
    Column(Column<u64>),
}

impl DocIds {
    /// The ids of a segment's documents: by addition from `first` when they are
    /// consecutive, otherwise from its `id` column in `fast_fields`, opened now.
    pub(crate) fn open(
        first: Option<u64>,
        fast_fields: &FastFieldReaders,
    ) -> tantivy::Result<DocIds> {
        Ok(match first {
            Some(first) => DocIds::From(first),
            None => DocIds::Column(fast_fields.u64("id")?),
        })
    }

    /// The archive id of document `doc`.
    pub(crate) fn id(&self, doc: DocId) -> ArchiveId {
        let id = match self {
            DocIds::From(first) => first + u64::from(doc),
            DocIds::Column(column) => column.first(doc).unwrap_or_default(),
        };
        ArchiveId(id as i64)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{FAST, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    /// An index of one segment whose documents hold these ids, in this order.
    fn segment(ids: &[u64]) -> (Index, Segment) {
        let mut builder = Schema::builder();
        let field = builder.add_u64_field("id", FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for &id in ids {
            let mut doc = TantivyDocument::new();
            doc.add_u64(field, id);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let segment = index.searchable_segments().unwrap().remove(0);
        (index, segment)
    }

    fn first(ids: &[u64]) -> Option<u64> {
        let (_index, segment) = segment(ids);
        first_of_consecutive(&SegmentReader::open(&segment).unwrap()).unwrap()
    }

    #[test]
    fn consecutive_ids_in_document_order_are_found() {
        assert_eq!(first(&[7, 8, 9]), Some(7));
        // Across several chunks of the check.
        let many: Vec<u64> = (1..=10_000).collect();
        assert_eq!(first(&many), Some(1));
    }

    #[test]
    fn ids_out_of_order_or_with_a_gap_are_not() {
        assert_eq!(first(&[8, 7, 9]), None);
        assert_eq!(first(&[7, 8, 10]), None);
        assert_eq!(first(&[7, 7, 8]), None);
        // A gap far past the first chunk.
        let mut many: Vec<u64> = (1..=10_000).collect();
        many[9_000] += 1;
        assert_eq!(first(&many), None);
    }

    #[test]
    fn a_reader_adds_for_a_recorded_segment_and_reads_the_column_otherwise() {
        let (_index, segment) = segment(&[5, 6, 7]);
        let reader = SegmentReader::open(&segment).unwrap();
        let found = consecutive(std::slice::from_ref(&segment), &Consecutive::new()).unwrap();
        assert_eq!(found.len(), 1);
        let recorded = SegmentIds::new(&encode(&found));
        assert!(matches!(recorded.of(&reader).unwrap(), DocIds::From(5)));
        assert_eq!(recorded.of(&reader).unwrap().id(2), ArchiveId(7));

        let none = SegmentIds::default();
        assert!(matches!(none.of(&reader).unwrap(), DocIds::Column(_)));
        assert_eq!(none.of(&reader).unwrap().id(2), ArchiveId(7));

        // A record of another number of documents is not this segment's.
        let name = segment.id().uuid_string();
        let other = SegmentIds::new(&format!("{name} 5 4"));
        assert!(other.first(&reader).is_none());
        // What a commit recorded is taken without reading the segment again.
        let known = Consecutive::from([(name, (100, 3))]);
        assert_eq!(
            consecutive(std::slice::from_ref(&segment), &known).unwrap(),
            known
        );
    }

    #[test]
    fn a_record_reads_back_as_written() {
        let record = Consecutive::from([
            ("0d74ded6da5445d4bfe254e702f77978".into(), (1, 491_520)),
            ("13fb070eaa614666bf3e9ede447aa128".into(), (491_521, 84_800)),
        ]);
        let text = encode(&record);
        assert_eq!(
            text,
            "0d74ded6da5445d4bfe254e702f77978 1 491520;13fb070eaa614666bf3e9ede447aa128 491521 84800"
        );
        assert_eq!(decode(&text), record);
        assert_eq!(decode(""), Consecutive::new());
        // An entry it cannot read is left out, the others kept.
        assert_eq!(decode(&format!("x 1;y 1 2 3;{text}")), record);
    }
}
