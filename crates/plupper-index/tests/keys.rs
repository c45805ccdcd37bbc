//! The order keys of an answer over several segments, some without a hit (whose fast
//! fields are then never opened), some with few (whose keys come from the store), in full
//! and with a limit.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::ops::Range;

use plupper_index::IndexSearcher;
use plupper_model::element::parse_element;
use plupper_store::query::Selection;
use plupper_store::{Arrival, Store};

/// Message `n` holding `word`, dated a minute earlier than message `n - 1` (up to 1,440
/// messages), so that answer order is not archive order.
fn dated_earlier(n: u64, word: &str) -> Arrival {
    let minutes = 24 * 60 - 1 - n;
    let text = format!(
        r#"{{"content":"message {n} {word}","created":"Wed Apr 29 {:02}:{:02}:13 CEST 2009","type":"VO"}}"#,
        minutes / 60,
        minutes % 60
    );
    Arrival::new(parse_element(text.as_bytes()).unwrap(), n)
}

/// An archive of these imports (the messages numbered in the range, each holding the
/// word), each followed by an index update, which makes at least one segment.
fn indexed(dir: &std::path::Path, imports: &[(Range<u64>, &str)]) -> Store {
    let mut store = Store::open(dir).unwrap();
    for (range, word) in imports {
        let mut unit = store.begin("file").unwrap();
        let batch: Vec<Arrival> = range.clone().map(|n| dated_earlier(n, word)).collect();
        unit.apply(&batch, &[]).unwrap();
        unit.finish().unwrap();
        plupper_index::update(&store, false, &plupper_index::NoProgress).unwrap();
    }
    store
}

/// The archive ids of the answer to `needle`, in answer order.
fn ids(searcher: &IndexSearcher, store: &Store, needle: &str, limit: Option<usize>) -> Vec<i64> {
    let keys = searcher
        .keys(store, &Selection::default(), needle, limit)
        .unwrap();
    keys.iter().map(|key| key.id).collect()
}

#[test]
fn keys_come_from_the_segments_with_hits_in_answer_order() {
    let dir = tempfile::tempdir().unwrap();
    // Three segments or more, the word only in the second import.
    let store = indexed(
        dir.path(),
        &[(1..4, "plain"), (4..7, "quokka"), (7..10, "plain")],
    );
    let searcher = IndexSearcher::open_current(&store).unwrap().unwrap();
    assert!(
        searcher.segment_count() > 1,
        "{} segment",
        searcher.segment_count()
    );
    let ids = |needle, limit| ids(&searcher, &store, needle, limit);
    assert_eq!(ids("quokka", None), [6, 5, 4]);
    assert_eq!(ids("quokka", Some(2)), [6, 5]);
    assert_eq!(ids("plain", None), [9, 8, 7, 3, 2, 1]);
    assert_eq!(ids("plain", Some(4)), [9, 8, 7, 3]);
    assert_eq!(ids("absent", None), Vec::<i64>::new());
    assert_eq!(searcher.count(&Selection::default(), "quokka").unwrap(), 3);
}

#[test]
fn keys_of_few_hits_come_from_the_store_and_mix_with_the_index_s_in_answer_order() {
    let dir = tempfile::tempdir().unwrap();
    // A segment of more hits than a segment keeps as documents (its columns are opened,
    // the first hits' keys read after the fact), one of fewer (their keys come from the
    // store), and one without a hit.
    let many = plupper_index::FEW as u64 * 4 + 3;
    let store = indexed(
        dir.path(),
        &[
            (1..many + 1, "plain"),
            (many + 1..many + 4, "plain"),
            (many + 4..many + 7, "other"),
        ],
    );
    let searcher = IndexSearcher::open_current(&store).unwrap().unwrap();
    // Three updates, a segment each (too few to merge).
    assert!(
        searcher.segment_count() >= 3,
        "{}",
        searcher.segment_count()
    );
    let ids = |needle, limit| ids(&searcher, &store, needle, limit);
    // Later messages are dated earlier: the answer is in descending id order.
    let plain: Vec<i64> = (1..=many as i64 + 3).rev().collect();
    assert_eq!(ids("plain", None), plain);
    for limit in [1, 2, 3, 4, 5, plupper_index::FEW + 1, plain.len() + 1] {
        let expected = &plain[..limit.min(plain.len())];
        assert_eq!(ids("plain", Some(limit)), expected, "limit {limit}");
    }
    assert_eq!(
        ids("other", None),
        [many as i64 + 6, many as i64 + 5, many as i64 + 4]
    );
    assert_eq!(
        searcher.count(&Selection::default(), "plain").unwrap(),
        plain.len() as u64
    );
}
