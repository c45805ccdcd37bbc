//! A segment whose ids are consecutive is read by addition, and answers exactly as its
//! `id` column does: the same keys, counts and ranked hits with the index's record of
//! those segments and without it (an index written before the record, or after a crash
//! between a commit and the record).

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::path::Path;
use std::sync::atomic::AtomicBool;

use plupper_index::{Clause, IndexSearcher, NoProgress, RankedQuery, update, update_following};
use plupper_model::element::parse_element;
use plupper_store::query::{OrderKey, Selection};
use plupper_store::{ArchiveId, Arrival, Store};

fn arrival(n: u64) -> Arrival {
    // Dates out of archive order, so that answer order is not id order.
    let day = 1 + (n * 7) % 28;
    let rare = if n % 500 == 7 { " quokka" } else { "" };
    let text = format!(
        r#"{{"content":"message {n} word{}{rare}","created":"Wed Apr {day:02} 17:16:13 CEST 2009","type":"VO","visitorId":{n}}}"#,
        n % 7
    );
    Arrival::new(parse_element(text.as_bytes()).unwrap(), n)
}

/// An archive of `n` messages, indexed as an import indexes (one thread, following).
fn imported(dir: &Path, n: u64) -> Store {
    let mut store = Store::open(dir).unwrap();
    let mut unit = store.begin("test").unwrap();
    let arrivals: Vec<Arrival> = (0..n).map(arrival).collect();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
    update_following(&store, false, &AtomicBool::new(false), &NoProgress).unwrap();
    store
}

/// The commit's record of consecutive segments, as `meta.json` holds it.
fn record(dir: &Path) -> Option<String> {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index/meta.json")).unwrap()).unwrap();
    let payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    payload["consecutive"].as_str().map(str::to_owned)
}

/// Removes the record from the last commit, as an index written before it holds none.
fn forget_record(dir: &Path) {
    let path = dir.join("index/meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    payload.as_object_mut().unwrap().remove("consecutive");
    meta["payload"] = payload.to_string().into();
    std::fs::write(&path, meta.to_string()).unwrap();
}

#[derive(Debug, PartialEq)]
struct Answers {
    many: Vec<OrderKey>,
    few: Vec<OrderKey>,
    first_ten: Vec<OrderKey>,
    count: u64,
    ranked: Vec<ArchiveId>,
    among: Vec<OrderKey>,
    among_count: Option<u64>,
}

fn answers(store: &Store) -> Answers {
    let searcher = IndexSearcher::open_current(store).unwrap().unwrap();
    let all = Selection::default();
    let ranked = RankedQuery {
        required: vec![vec![Clause::Phrase("word3".into())]],
        excluded: vec![Clause::Phrase("quokka".into())],
    };
    Answers {
        // More hits in the segment than it keeps as documents: both columns.
        many: searcher.keys(store, &all, "word3", None).unwrap(),
        // A few: the ids alone, the keys from the store.
        few: searcher.keys(store, &all, "quokka", None).unwrap(),
        first_ten: searcher.keys(store, &all, "word5", Some(10)).unwrap(),
        count: searcher.count(&all, "word1").unwrap(),
        ranked: searcher
            .ranked(&ranked, &all, None)
            .unwrap()
            .into_iter()
            .map(|(_, id)| id)
            .collect(),
        among: searcher
            .keys_among(store, &all, &every_third(store), None)
            .unwrap()
            .unwrap(),
        among_count: searcher.count_among(&all, &every_third(store)).unwrap(),
    }
}

/// Every third archived id, and one beyond the archive.
fn every_third(store: &Store) -> Vec<ArchiveId> {
    let last = store.max_id().unwrap().0;
    (1..=last)
        .step_by(3)
        .chain([last + 10])
        .map(ArchiveId)
        .collect()
}

#[test]
fn keys_among_ids_are_the_keys_of_those_ids_in_answer_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = imported(dir.path(), 1000);
    let searcher = IndexSearcher::open_current(&store).unwrap().unwrap();
    let all = Selection::default();
    let ids = every_third(&store);
    let expected: Vec<OrderKey> = searcher
        .keys(&store, &all, "", None)
        .unwrap()
        .into_iter()
        .filter(|key| (key.id - 1) % 3 == 0)
        .collect();
    assert_eq!(expected.len(), 334);
    let among = |selection: &Selection, ids: &[ArchiveId], limit| {
        searcher.keys_among(&store, selection, ids, limit).unwrap()
    };
    assert_eq!(among(&all, &ids, None), Some(expected.clone()));
    assert_eq!(searcher.count_among(&all, &ids).unwrap(), Some(334));
    assert_eq!(among(&all, &ids, Some(10)), Some(expected[..10].to_vec()));
    let reversed: Vec<ArchiveId> = ids.iter().rev().copied().collect();
    assert_eq!(among(&all, &reversed, None), Some(expected.clone()));
    // The rest of the filter applies: message n has visitor n and archive id n + 1.
    let visitor = Selection {
        visitor_id: Some(3),
        ..Selection::default()
    };
    assert_eq!(searcher.count_among(&visitor, &ids).unwrap(), Some(1));
    let four: Vec<i64> = among(&visitor, &ids, None)
        .unwrap()
        .iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(four, [4]);
    let not_among = Selection {
        visitor_id: Some(2),
        ..Selection::default()
    };
    assert_eq!(among(&not_among, &ids, None), Some(vec![]));
    assert_eq!(among(&all, &[], None), Some(vec![]));
    // A few hits a segment: their keys from the store.
    let few = [ArchiveId(7), ArchiveId(900)];
    let keys: Vec<i64> = among(&all, &few, None)
        .unwrap()
        .iter()
        .map(|k| k.id)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [7, 900]);
    // Ids too far apart for a bitmap: no answer, for the caller to read the store.
    assert_eq!(among(&all, &[ArchiveId(1), ArchiveId(1 << 40)], None), None);
    let spread = [ArchiveId(1), ArchiveId(1 << 40)];
    assert_eq!(searcher.count_among(&all, &spread).unwrap(), None);
    assert_eq!(searcher.count_among(&all, &[]).unwrap(), Some(0));
}

#[test]
fn consecutive_segments_answer_as_their_id_columns_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = imported(dir.path(), 3000);
    let recorded = record(dir.path()).expect("an import's segments are recorded");
    assert!(!recorded.is_empty());
    let by_addition = answers(&store);
    assert_eq!(by_addition.few.len(), 6);
    assert_eq!(by_addition.many.len(), 3000 / 7 + 1);
    // Ids are those of the messages: message n has archive id n + 1.
    assert!(by_addition.many.iter().all(|k| (k.id - 1) % 7 == 3));

    forget_record(dir.path());
    assert_eq!(record(dir.path()), None);
    assert_eq!(answers(&store), by_addition, "read from the id columns");

    // An update with nothing to add writes the record again.
    let report = update(&store, false, &NoProgress).unwrap();
    assert_eq!(report.indexed, 0);
    assert_eq!(record(dir.path()), Some(recorded));
    assert_eq!(answers(&store), by_addition);
}

#[test]
fn an_update_records_the_segments_it_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = imported(dir.path(), 1000);
    let before = record(dir.path()).unwrap();
    // A sync's few messages: a segment of its own (one thread indexes, in archive
    // order), recorded, merged or not; answers stay exact.
    let mut unit = store.begin("more").unwrap();
    let arrivals: Vec<Arrival> = (1000..1100).map(arrival).collect();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
    update(&store, false, &NoProgress).unwrap();
    let after = record(dir.path()).unwrap_or_default();
    // The import's segment is still there and still recorded, and so is the sync's.
    let first = before.split(';').next().unwrap();
    assert!(after.contains(first), "{after}");
    let searcher = IndexSearcher::open_current(&store).unwrap().unwrap();
    assert_eq!(
        after.split(';').count(),
        searcher.segment_count(),
        "{after}"
    );
    let keys = searcher
        .keys(&store, &Selection::default(), "word3", None)
        .unwrap();
    let mut ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
    ids.sort_unstable();
    let expected: Vec<i64> = (0..1100).filter(|n| n % 7 == 3).map(|n| n + 1).collect();
    assert_eq!(ids, expected);
}

#[test]
fn a_rebuild_leaves_segments_of_consecutive_ids() {
    let dir = tempfile::tempdir().unwrap();
    let store = imported(dir.path(), 3000);
    let imported_answers = answers(&store);
    forget_record(dir.path());
    let report = update(&store, true, &NoProgress).unwrap();
    assert!(report.rebuilt);
    let recorded = record(dir.path()).expect("a rebuild's segments are recorded");
    let searcher = IndexSearcher::open_current(&store).unwrap().unwrap();
    assert_eq!(
        recorded.split(';').count(),
        searcher.segment_count(),
        "{recorded}"
    );
    assert!(recorded.ends_with(" 1 3000"), "{recorded}");
    assert_eq!(answers(&store), imported_answers);
}

#[test]
fn the_segments_of_successive_imports_merge_into_consecutive_ids() {
    let dir = tempfile::tempdir().unwrap();
    // The second import is the smaller: the compaction at its end groups segments
    // smallest first, so its segment comes first in the group unless the merge takes
    // them in archive order.
    let mut store = imported(dir.path(), 300);
    let mut unit = store.begin("second").unwrap();
    let arrivals: Vec<Arrival> = (300..500).map(arrival).collect();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
    let report = update_following(&store, false, &AtomicBool::new(false), &NoProgress).unwrap();
    assert_eq!(report.segments, 1, "merged");
    let recorded = record(dir.path()).unwrap();
    assert!(recorded.ends_with(" 1 500"), "{recorded}");
    let by_addition = answers(&store);
    forget_record(dir.path());
    assert_eq!(answers(&store), by_addition);
}
