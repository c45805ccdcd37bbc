//! Which `contains` needles the index answers, and that it refuses the others rather
//! than answering them wrong.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use plupper_index::IndexSearcher;
use plupper_model::element::parse_element;
use plupper_store::query::Selection;
use plupper_store::{Arrival, Store};

fn arrival(n: u64) -> Arrival {
    let text = format!(
        r#"{{"content":"message {n}","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}}"#
    );
    Arrival::new(parse_element(text.as_bytes()).unwrap(), n)
}

#[test]
fn a_needle_of_fewer_than_three_characters_is_refused_not_answered_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut unit = store.begin("file").unwrap();
    unit.apply(&[arrival(1), arrival(2)], &[]).unwrap();
    unit.finish().unwrap();
    plupper_index::update(&store, false, &plupper_index::NoProgress).unwrap();
    let searcher = IndexSearcher::open_current(&store).unwrap().unwrap();
    for needle in ["e", "es", "ΣΣ"] {
        let error = searcher.count(&Selection::default(), needle).unwrap_err();
        assert!(
            error.to_string().contains("fewer than 3 characters"),
            "{needle}: {error}"
        );
        assert!(
            searcher
                .keys(&store, &Selection::default(), needle, None)
                .is_err()
        );
    }
    assert_eq!(searcher.count(&Selection::default(), "").unwrap(), 2);
}
