//! A process that keeps no readers (a CLI command) reads the index's files instead of
//! mapping them, and opens each segment itself instead of through tantivy's reader: the
//! same answers as a kept, mapped reader, over several segments, for counts, keys, ids
//! among a set and ranked search. Its own test binary: `keep_readers` is the process's.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use plupper_index::{Clause, IndexSearcher, RankedQuery};
use plupper_model::element::parse_element;
use plupper_store::query::Selection;
use plupper_store::{ArchiveId, Arrival, Store};

fn arrival(n: u64, text: &str) -> Arrival {
    let element = format!(
        r#"{{"content":"{text} {n}","created":"Wed Apr 29 17:{:02}:13 CEST 2009","type":"VO","operator":"{}"}}"#,
        59 - n % 60,
        if n.is_multiple_of(3) { "peter" } else { "anna" }
    );
    Arrival::new(parse_element(element.as_bytes()).unwrap(), n)
}

/// Everything the test asks of a searcher, in one value to compare: the segments, the
/// counts, the ids of each listing and of each ranked search.
#[derive(Debug, PartialEq)]
struct Answers {
    segments: usize,
    counts: Vec<u64>,
    keys: Vec<Vec<i64>>,
    among: Vec<(Option<u64>, Option<Vec<i64>>)>,
    ranked: Vec<Vec<i64>>,
}

fn answers(store: &Store) -> Answers {
    let searcher = IndexSearcher::open_current(store).unwrap().unwrap();
    let needles = ["quokka", "the", "hello world", "100%", "absent", ""];
    let peter = Selection {
        operator: Some("peter".into()),
        ..Selection::default()
    };
    let mut counts = Vec::new();
    let mut keys = Vec::new();
    for needle in needles {
        for selection in [&Selection::default(), &peter] {
            counts.push(searcher.count(selection, needle).unwrap());
            let ids = |limit| -> Vec<i64> {
                let keys = searcher.keys(store, selection, needle, limit).unwrap();
                keys.iter().map(|key| key.id).collect()
            };
            keys.push(ids(None));
            keys.push(ids(Some(5)));
        }
    }
    let every_other: Vec<ArchiveId> = (1..=120).step_by(2).map(ArchiveId).collect();
    let among = [&Selection::default(), &peter]
        .into_iter()
        .map(|selection| {
            let count = searcher.count_among(selection, &every_other).unwrap();
            let keys = searcher
                .keys_among(store, selection, &every_other, None)
                .unwrap()
                .map(|keys| keys.iter().map(|key| key.id).collect());
            (count, keys)
        })
        .collect();
    let ranked: Vec<Vec<i64>> = ["quokka", "hello", "wor"]
        .iter()
        .map(|word| {
            let query = RankedQuery {
                required: vec![vec![Clause::Prefix((*word).into())]],
                excluded: Vec::new(),
            };
            let hits = searcher
                .ranked(&query, &Selection::default(), None)
                .unwrap();
            hits.iter().map(|(_, id)| id.0).collect()
        })
        .collect();
    Answers {
        segments: searcher.segment_count(),
        counts,
        keys,
        among,
        ranked,
    }
}

#[test]
fn copied_reads_answer_as_mapped_ones_do() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let texts = ["hello world", "the quokka says hello", "100% sure, the end"];
    for (round, first) in [1u64, 41, 81].into_iter().enumerate() {
        let mut unit = store.begin("file").unwrap();
        let batch: Vec<Arrival> = (first..first + 40)
            .map(|n| arrival(n, texts[(n as usize + round) % texts.len()]))
            .collect();
        unit.apply(&batch, &[]).unwrap();
        unit.finish().unwrap();
        plupper_index::update(&store, false, &plupper_index::NoProgress).unwrap();
    }
    plupper_index::keep_readers(true);
    let mapped = answers(&store);
    plupper_index::keep_readers(false);
    let copied = answers(&store);
    assert!(mapped.segments > 1, "{} segment", mapped.segments);
    assert_eq!(copied, mapped);
    // Not vacuous: the words are found.
    assert!(mapped.counts.iter().any(|&count| count > 0));
    assert!(
        mapped
            .among
            .iter()
            .all(|(count, _)| count.is_some_and(|n| n > 0))
    );
    assert!(mapped.ranked.iter().all(|hits| !hits.is_empty()));
}
