//! Atomic units: a sync window is applied whole, with its sync-state row, or not at all.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use chrono::NaiveDate;
use plupper_model::element::parse_element;
use plupper_store::{Applied, Arrival, Store, SyncScope, WindowRecord};

fn arrival(content: &str, position: u64) -> Arrival {
    let text = format!(
        r#"{{"content":"{content}","customerId":null,"created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":1,"type":"VO","operator":"john"}}"#
    );
    Arrival::new(parse_element(text.as_bytes()).unwrap(), position)
}

fn scope() -> SyncScope {
    SyncScope {
        url: "http://127.0.0.1:1".into(),
        user: "demo".into(),
    }
}

fn record(added: u64) -> WindowRecord {
    let day = NaiveDate::from_ymd_opt(2009, 4, 1).unwrap();
    WindowRecord {
        from: Some(day),
        to: None,
        pulled_on: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        elements: added,
        applied: Applied {
            added,
            ..Applied::default()
        },
    }
}

#[test]
fn a_dropped_atomic_unit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    {
        let mut unit = store.begin_atomic("window").unwrap();
        unit.apply(&[arrival("a", 0), arrival("b", 1)], &[])
            .unwrap();
        unit.apply(&[arrival("c", 2)], &[]).unwrap();
    }
    assert_eq!(store.message_count().unwrap(), 0);
    assert_eq!(store.max_id().unwrap().0, 0, "no id is used up either");
    assert!(store.synced_windows(&scope()).unwrap().is_empty());

    // The store is usable afterwards, by either kind of unit.
    let mut unit = store.begin("file").unwrap();
    unit.apply(&[arrival("a", 0)], &[]).unwrap();
    unit.finish().unwrap();
    assert_eq!(store.message_count().unwrap(), 1);
}

#[test]
fn a_finished_window_commits_messages_and_state_together() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut unit = store.begin_atomic("window").unwrap();
    let applied = unit
        .apply(&[arrival("a", 0), arrival("a", 1)], &[])
        .unwrap();
    assert_eq!(applied.added, 2);
    unit.finish_window(&scope(), &record(2)).unwrap();

    let windows = store.synced_windows(&scope()).unwrap();
    assert_eq!(windows.len(), 1);
    assert_eq!(windows[0].record, record(2));
    assert_eq!(store.message_count().unwrap(), 2);
    let other = SyncScope {
        user: "someone else".into(),
        ..scope()
    };
    assert!(store.synced_windows(&other).unwrap().is_empty());
}

#[test]
fn a_second_open_of_the_archive_waits_for_an_atomic_unit() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let unit = store.begin_atomic("window").unwrap();
    // A reader still sees the archive as it was.
    let reader = Store::open(dir.path()).unwrap();
    assert_eq!(reader.message_count().unwrap(), 0);
    unit.finish().unwrap();
}

/// Makes every insert of a message with this content fail, as a full disk or a damaged
/// database would, from a second connection.
fn refuse_content(dir: &std::path::Path, content: &str) {
    let conn = rusqlite::Connection::open(dir.join("archive.sqlite3")).unwrap();
    conn.execute_batch(&format!(
        "CREATE TRIGGER refuse BEFORE INSERT ON message WHEN NEW.content = '{content}'
         BEGIN SELECT RAISE(ABORT, 'refused'); END;"
    ))
    .unwrap();
}

#[test]
fn a_failed_call_rolls_back_the_open_group_and_ends_the_unit() {
    for atomic in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        refuse_content(dir.path(), "bad");
        // A group committed before the failure stays (a file's unit commits every
        // 65,536 elements; here, "a" is committed by a unit of its own).
        let mut first = store.begin("earlier file").unwrap();
        first.apply(&[arrival("a", 0)], &[]).unwrap();
        first.finish().unwrap();
        let mut unit = if atomic {
            store.begin_atomic("window").unwrap()
        } else {
            store.begin("file").unwrap()
        };
        unit.apply(&[arrival("b", 0)], &[]).unwrap();
        // "c" is inserted before "bad" fails: it goes with the failed call, and "b", not
        // committed yet, with the open group.
        unit.apply(&[arrival("c", 1), arrival("bad", 2)], &[])
            .unwrap_err();
        // The unit takes no more calls: what it would add after the hole, and its
        // finishing mark, would claim a source read whole.
        let again = unit.apply(&[arrival("d", 3)], &[]).unwrap_err();
        assert!(
            matches!(again, plupper_store::StoreError::UnitFailed { .. }),
            "{again}"
        );
        let finished = unit.finish().unwrap_err();
        assert_eq!(
            finished.to_string(),
            format!(
                "reading {} into the archive already failed and was rolled back; start it again",
                if atomic { "window" } else { "file" }
            )
        );
        let contents: Vec<String> = (1..=5)
            .filter_map(|id| store.message(plupper_store::ArchiveId(id)).unwrap())
            .map(|stored| stored.message.content)
            .collect();
        assert_eq!(contents, ["a"], "atomic: {atomic}");
    }
}

#[test]
fn a_file_unit_dropped_unfinished_keeps_what_its_calls_applied() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    {
        let mut unit = store.begin("file").unwrap();
        unit.apply(&[arrival("a", 0), arrival("b", 1)], &[])
            .unwrap();
        // Dropped, as when reading the file fails part-way.
    }
    let other = Store::open(dir.path()).unwrap();
    assert_eq!(other.message_count().unwrap(), 2);
}

#[test]
fn after_a_rolled_back_unit_a_message_another_writer_archived_is_not_added_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    {
        // The second call reads the first call's row into the connection's Bloom
        // filter; the rollback takes the row back, and its id is used again.
        let mut unit = store.begin_atomic("window").unwrap();
        unit.apply(&[arrival("x", 0)], &[]).unwrap();
        unit.apply(&[arrival("y", 1)], &[]).unwrap();
    }
    let mut other = Store::open(dir.path()).unwrap();
    let mut unit = other.begin("file").unwrap();
    unit.apply(&[arrival("m", 0)], &[]).unwrap();
    unit.finish().unwrap();
    assert_eq!(
        other.max_id().unwrap().0,
        1,
        "the rolled-back id is used again"
    );

    let mut unit = store.begin("the same file").unwrap();
    let applied = unit.apply(&[arrival("m", 0)], &[]).unwrap();
    unit.finish().unwrap();
    assert_eq!((applied.added, applied.already_archived), (0, 1));
    assert_eq!(store.message_count().unwrap(), 1);
}
