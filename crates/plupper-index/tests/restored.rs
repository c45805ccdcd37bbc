//! An archive whose database was put back from an older copy while its index was not:
//! the index holds messages under ids the archive will give to new messages again.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use plupper_index::{Freshness, IndexSearcher, NoProgress, freshness, update};
use plupper_model::element::parse_element;
use plupper_store::query::Selection;
use plupper_store::{Arrival, DATABASE_FILE, Store};

fn add(store: &mut Store, word: &str, count: u64) {
    let arrivals: Vec<Arrival> = (0..count)
        .map(|n| {
            let text = format!(
                r#"{{"content":"{word} {n}","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","visitorId":{n}}}"#
            );
            Arrival::new(parse_element(text.as_bytes()).unwrap(), n)
        })
        .collect();
    let mut unit = store.begin(word).unwrap();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
}

#[test]
fn an_index_ahead_of_a_restored_database_is_rebuilt_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let backup = tempfile::tempdir().unwrap();
    let database = dir.path().join(DATABASE_FILE);
    {
        let mut store = Store::open(dir.path()).unwrap();
        add(&mut store, "early", 5);
        // A copy of the database as it is now (closed, so the WAL is checkpointed).
    }
    std::fs::copy(&database, backup.path().join(DATABASE_FILE)).unwrap();
    {
        let mut store = Store::open(dir.path()).unwrap();
        add(&mut store, "later", 5);
        update(&store, false, &NoProgress).unwrap();
        assert_eq!(freshness(&store).unwrap(), Freshness::Current);
    }
    // The database is put back; the index of the ten messages stays.
    std::fs::copy(backup.path().join(DATABASE_FILE), &database).unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let found = freshness(&store).unwrap();
    assert_eq!(
        found,
        Freshness::Ahead {
            indexed: 10,
            archived: 5
        }
    );
    assert_eq!(
        found.to_string(),
        "the search index holds messages up to id 10, after the archive's last (5)"
    );
    assert!(IndexSearcher::open_current(&store).unwrap().is_err());

    // New messages take ids 6 to 8 again; the update rebuilds instead of keeping the
    // index's "later" messages under those ids.
    add(&mut store, "newer", 3);
    let report = update(&store, false, &NoProgress).unwrap();
    assert!(report.rebuilt);
    assert_eq!((report.indexed, report.last_id), (8, 8));
    assert_eq!(freshness(&store).unwrap(), Freshness::Current);
    let searcher = IndexSearcher::open_current(&store).unwrap().unwrap();
    let count = |word: &str| searcher.count(&Selection::default(), word).unwrap();
    assert_eq!((count("early"), count("later"), count("newer")), (5, 0, 3));
}
