//! An update that follows a writer indexes exactly what the writer committed, however
//! the writer's units and the follower's passes interleave.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::sync::atomic::{AtomicBool, Ordering};

use plupper_index::{Freshness, IndexSearcher, NoProgress, freshness, update_following};
use plupper_model::element::parse_element;
use plupper_store::query::Selection;
use plupper_store::{Arrival, Store};

fn arrival(n: u64) -> Arrival {
    let text = format!(
        r#"{{"content":"message {n} word{}","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","visitorId":{n}}}"#,
        n % 7
    );
    Arrival::new(parse_element(text.as_bytes()).unwrap(), n)
}

#[test]
fn the_follower_ends_with_everything_the_writer_committed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let writing = AtomicBool::new(true);
    let report = std::thread::scope(|scope| {
        let follower = scope.spawn(|| {
            let reader = Store::open(dir.path()).unwrap();
            update_following(&reader, false, &writing, &NoProgress).unwrap()
        });
        let mut n = 0;
        for unit_number in 0..6 {
            let mut unit = store.begin(&format!("unit {unit_number}")).unwrap();
            for _ in 0..4 {
                let arrivals: Vec<Arrival> = (n..n + 500).map(arrival).collect();
                n += 500;
                unit.apply(&arrivals, &[]).unwrap();
            }
            unit.finish().unwrap();
            // Give the follower time to catch up now and then, so that it both waits
            // for the writer and finds work waiting.
            if unit_number % 2 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
        writing.store(false, Ordering::Release);
        follower.join().unwrap()
    });
    assert_eq!(report.last_id, 12_000);
    assert_eq!(report.indexed, 12_000);
    assert!(report.rebuilt, "there was no index before");
    assert_eq!(freshness(&store).unwrap(), Freshness::Current);
    let searcher = IndexSearcher::open_current(&store).unwrap().unwrap();
    assert_eq!(
        searcher.count(&Selection::default(), "message").unwrap(),
        12_000
    );
    // word3: n % 7 == 3 for n in 0..12000.
    let expected = (0..12_000u64).filter(|n| n % 7 == 3).count() as u64;
    assert_eq!(
        searcher.count(&Selection::default(), "WORD3").unwrap(),
        expected
    );
}

#[test]
fn a_follower_that_starts_after_the_writer_ended_is_a_plain_update() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut unit = store.begin("file").unwrap();
    unit.apply(&(0..100).map(arrival).collect::<Vec<_>>(), &[])
        .unwrap();
    unit.finish().unwrap();
    let report = update_following(&store, false, &AtomicBool::new(false), &NoProgress).unwrap();
    assert_eq!((report.indexed, report.last_id), (100, 100));
    assert_eq!(freshness(&store).unwrap(), Freshness::Current);
}

/// Regression: while another process rebuilt the index, queries said it "belongs to
/// another archive or version" (a rebuild starts from an empty index) and told the user
/// to repair it.
#[test]
fn an_index_another_process_is_updating_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut unit = store.begin("unit").unwrap();
    unit.apply(&[arrival(1)], &[]).unwrap();
    unit.finish().unwrap();
    assert_eq!(freshness(&store).unwrap(), Freshness::Missing);

    // The update lock, as another process's update holds it (a lock on another open
    // file description conflicts within one process too).
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.path().join(plupper_index::LOCK_FILE))
        .unwrap();
    lock.lock().unwrap();
    assert_eq!(freshness(&store).unwrap(), Freshness::Updating);
    drop(lock);
    assert_eq!(freshness(&store).unwrap(), Freshness::Missing);
}
