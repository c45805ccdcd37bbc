//! An index opened on another thread while the store opens (`prefetch`, in a process that
//! keeps no readers) is used only when it is current for the store as the caller sees it.
//! Its own test binary: `keep_readers` is the process's.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use plupper_index::{Freshness, IndexSearcher, NoProgress, prefetch, update};
use plupper_model::element::parse_element;
use plupper_store::query::Selection;
use plupper_store::{Arrival, Store};

fn add(store: &mut Store, first: u64, count: u64) {
    let arrivals: Vec<Arrival> = (first..first + count)
        .map(|n| {
            let element = format!(
                r#"{{"content":"quokka {n}","created":"Wed Apr 29 17:{:02}:13 CEST 2009","type":"VO"}}"#,
                n % 60
            );
            Arrival::new(parse_element(element.as_bytes()).unwrap(), n)
        })
        .collect();
    let mut unit = store.begin("test").unwrap();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
}

fn quokkas(store: &Store) -> Result<u64, Freshness> {
    IndexSearcher::open_current(store)
        .unwrap()
        .map(|searcher| searcher.count(&Selection::default(), "quokka").unwrap())
}

#[test]
fn a_prefetched_index_answers_only_while_it_is_current() {
    plupper_index::keep_readers(false);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    add(&mut store, 0, 30);
    update(&store, false, &NoProgress).unwrap();
    drop(store);

    // Current: the same answer as an index opened after the store.
    prefetch(dir.path());
    let reader = Store::open_read_only(dir.path()).unwrap();
    assert_eq!(quokkas(&reader), Ok(30));
    assert_eq!(quokkas(&reader), Ok(30), "and without a prefetch");
    drop(reader);

    // The archive moved on after the prefetch: the prefetched index is behind.
    prefetch(dir.path());
    let mut writer = Store::open(dir.path()).unwrap();
    add(&mut writer, 30, 5);
    drop(writer);
    let reader = Store::open_read_only(dir.path()).unwrap();
    assert_eq!(
        quokkas(&reader),
        Err(Freshness::Behind {
            indexed: 30,
            archived: 35
        })
    );
    drop(reader);

    // Another archive's prefetch is not taken for this one.
    let other = tempfile::tempdir().unwrap();
    let mut other_store = Store::open(other.path()).unwrap();
    add(&mut other_store, 0, 7);
    update(&other_store, false, &NoProgress).unwrap();
    drop(other_store);
    prefetch(other.path());
    let writer = Store::open(dir.path()).unwrap();
    update(&writer, false, &NoProgress).unwrap();
    drop(writer);
    let reader = Store::open_read_only(dir.path()).unwrap();
    assert_eq!(quokkas(&reader), Ok(35));
    let other_reader = Store::open_read_only(other.path()).unwrap();
    assert_eq!(quokkas(&other_reader), Ok(7));
}
