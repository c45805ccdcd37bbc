//! The message mark in the database header: what `read_mark` says about an archive
//! without opening it, through a writer's life.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::path::Path;

use plupper_model::element::parse_element;
use plupper_store::mark::{message_mark, read_mark};
use plupper_store::{Arrival, DATABASE_FILE, Store};
use rusqlite::Connection;

fn arrival(content: &str, position: u64) -> Arrival {
    let text = format!(
        r#"{{"content":"{content}","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","visitorId":1}}"#
    );
    Arrival::new(parse_element(text.as_bytes()).unwrap(), position)
}

fn add(store: &mut Store, contents: &[&str]) {
    let arrivals: Vec<Arrival> = (0u64..)
        .zip(contents)
        .map(|(position, content)| arrival(content, position))
        .collect();
    let mut unit = store.begin("test").unwrap();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
}

/// The mark the archive's messages should have, read through SQLite.
fn expected(dir: &Path) -> u32 {
    let store = Store::open_read_only(dir).unwrap();
    message_mark(&store.info().unwrap().uuid, store.max_id().unwrap().0)
}

#[test]
fn an_idle_archive_says_its_mark_and_a_writer_hides_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    // Open to write: WAL mode, and the file alone is not the archive.
    assert_eq!(read_mark(dir.path()), None);
    add(&mut store, &["Hi", "Hello"]);
    assert_eq!(read_mark(dir.path()), None);
    drop(store);
    let two = read_mark(dir.path()).expect("an idle archive has a mark");
    assert_eq!(two, expected(dir.path()));

    // Every commit that adds messages moves it; one that adds none leaves it.
    let mut store = Store::open(dir.path()).unwrap();
    add(&mut store, &["Hi", "Hello"]); // the same two: nothing added (§1b)
    drop(store);
    assert_eq!(read_mark(dir.path()), Some(two));
    let mut store = Store::open(dir.path()).unwrap();
    add(&mut store, &["Third"]);
    drop(store);
    let three = read_mark(dir.path()).unwrap();
    assert_ne!(three, two);
    assert_eq!(three, expected(dir.path()));
}

#[test]
fn a_new_archive_has_the_mark_of_no_message() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let uuid = store.info().unwrap().uuid;
    drop(store);
    assert_eq!(read_mark(dir.path()), Some(message_mark(&uuid, 0)));
}

#[test]
fn a_rolled_back_unit_leaves_the_mark_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    add(&mut store, &["Hi"]);
    {
        let mut unit = store.begin_atomic("dropped").unwrap();
        unit.apply(&[arrival("never committed", 0)], &[]).unwrap();
    }
    drop(store);
    assert_eq!(read_mark(dir.path()), Some(expected(dir.path())));
    assert_eq!(
        Store::open_read_only(dir.path())
            .unwrap()
            .max_id()
            .unwrap()
            .0,
        1
    );
}

#[test]
fn a_wal_or_a_journal_beside_the_database_hides_the_mark() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    add(&mut store, &["Hi"]);
    drop(store);
    assert!(read_mark(dir.path()).is_some());
    for suffix in ["-wal", "-journal"] {
        let beside = dir.path().join(format!("{DATABASE_FILE}{suffix}"));
        std::fs::write(&beside, b"").unwrap();
        assert_eq!(read_mark(dir.path()), None, "{suffix}");
        std::fs::remove_file(&beside).unwrap();
    }
    assert!(read_mark(dir.path()).is_some());
}

#[test]
fn an_archive_of_the_version_before_gets_its_mark_when_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    add(&mut store, &["Hi", "Hello"]);
    drop(store);
    // As version 10 left it: no mark.
    Connection::open(dir.path().join(DATABASE_FILE))
        .unwrap()
        .execute_batch("PRAGMA application_id = 0; PRAGMA user_version = 10;")
        .unwrap();
    assert_eq!(read_mark(dir.path()), None);
    drop(Store::open(dir.path()).unwrap());
    assert_eq!(read_mark(dir.path()), Some(expected(dir.path())));
    // A version this program does not know is not read.
    Connection::open(dir.path().join(DATABASE_FILE))
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    assert_eq!(read_mark(dir.path()), None);
}
