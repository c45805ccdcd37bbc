//! The §1b rule against a plainly written model: after any sequence of sources, each
//! applied in any chunking and possibly cut off and re-run, the archive holds each
//! message max(N over the sources) times, whichever of two connections applies each
//! source (each keeps its own Bloom filter of the archive's sort keys and must catch
//! up with the other's writes), and whether a connection is fresh (no filter yet: every
//! element is looked up) or has written before.

#![allow(clippy::unwrap_used)] // a test states its expectations with unwrap()

use std::collections::HashMap;

use plupper_model::element::parse_element;
use plupper_store::{Arrival, Store};
use proptest::prelude::*;

/// A small pool so that sources overlap and repeat messages.
fn element_text(pick: u8) -> String {
    let content = ["ok", "OK", "Hi", "hello", "ok "][usize::from(pick % 5)];
    let visitor = if pick.is_multiple_of(7) {
        "null".to_owned()
    } else {
        (pick / 5).to_string()
    };
    // Two seconds, and in the first one two ways of writing it (CEST and CET give the
    // same instant, so the same sort key, but `created`, and so the message, differ).
    let created = [
        "Wed Apr 29 17:16:13 CEST 2009",
        "Wed Apr 29 17:16:14 CEST 2009",
        "Wed Apr 29 16:16:13 CET 2009",
    ][usize::from(pick % 3)];
    serde_json::to_string(&format!(
        r#"{{"content":"{content}","customerId":null,"created":"{created}","visitorId":{visitor},"type":"VO","operator":"john"}}"#
    ))
    .unwrap()
}

fn arrivals(source: &[u8]) -> Vec<Arrival> {
    source
        .iter()
        .enumerate()
        .map(|(i, &pick)| {
            Arrival::new(
                parse_element(element_text(pick).as_bytes()).unwrap(),
                i as u64,
            )
        })
        .collect()
}

fn archived_counts(store: &Store, max_id: i64) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for id in 1..=max_id {
        if let Some(stored) = store.message(plupper_store::ArchiveId(id)).unwrap() {
            *counts
                .entry(stored.original().into_owned().text)
                .or_default() += 1;
        }
    }
    counts
}

/// Applies `source` in chunks of `chunk`; when `cut_after` is given, stops after that
/// many chunks without finishing (a process killed between transactions).
fn apply(store: &mut Store, source: &[u8], chunk: usize, cut_after: Option<usize>) {
    let arrivals = arrivals(source);
    let mut unit = store.begin("test").unwrap();
    for (n, part) in arrivals.chunks(chunk.max(1)).enumerate() {
        if cut_after == Some(n) {
            return;
        }
        unit.apply(part, &[]).unwrap();
    }
    unit.finish().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn archive_holds_the_most_copies_any_source_listed(
        sources in prop::collection::vec(prop::collection::vec(0u8..20, 0..30), 1..5),
        chunk in 1usize..8,
        cuts in prop::collection::vec(proptest::option::of(0usize..5), 5),
        writers in prop::collection::vec((0usize..2, any::<bool>()), 5),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut stores = [Store::open(dir.path()).unwrap(), Store::open(dir.path()).unwrap()];
        let mut expected: HashMap<String, usize> = HashMap::new();
        for ((source, cut), &(writer, reopen)) in sources.iter().zip(&cuts).zip(&writers) {
            if reopen {
                stores[writer] = Store::open(dir.path()).unwrap();
            }
            let store = &mut stores[writer];
            if cut.is_some() {
                apply(store, source, chunk, *cut);
            }
            apply(store, source, chunk, None);
            let mut in_source: HashMap<String, usize> = HashMap::new();
            for &pick in source {
                *in_source.entry(element_text(pick)).or_default() += 1;
            }
            for (text, n) in in_source {
                let held = expected.entry(text).or_default();
                *held = (*held).max(n);
            }
        }
        let store = &stores[0];
        let max_id = store.max_id().unwrap().0;
        let total: usize = expected.values().sum();
        prop_assert_eq!(store.message_count().unwrap() as usize, total);
        // AUTOINCREMENT: ids are 1..=total with no gap, since nothing is ever deleted.
        prop_assert_eq!(max_id as usize, total);
        prop_assert_eq!(archived_counts(store, max_id), expected);
    }
}

#[test]
fn a_small_source_into_a_large_archive_is_looked_up_element_by_element() {
    // A fresh connection that has written less than an eighth of the archive has no
    // Bloom filter: every element goes through the lookups. The same sources through a
    // connection that has one must give the same archive.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let large: Vec<u8> = (0..200).map(|i| (i % 20) as u8).collect();
    apply(&mut store, &large, 50, None);
    assert_eq!(store.message_count().unwrap(), 200);
    let mut fresh = Store::open(dir.path()).unwrap();
    let small: Vec<u8> = vec![3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4];
    apply(&mut fresh, &small, 4, None);
    // 3 was held 10 times (200 / 20), the source lists it 11 times: one more copy.
    assert_eq!(fresh.message_count().unwrap(), 201);
    apply(&mut store, &small, 4, None);
    assert_eq!(store.message_count().unwrap(), 201);
}

#[test]
fn two_writers_on_one_archive_never_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap();
    let source: Vec<u8> = (0..200).map(|i| (i % 40) as u8).collect();
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let path = dir.path().to_owned();
            let source = source.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                apply(&mut store, &source, 7, None);
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.message_count().unwrap(), 200);
}

#[test]
fn originals_come_back_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let big = "x".repeat(1 << 20);
    let texts = [
        // The API's own form: stored once, as fields.
        r#""{\"content\":\"Hi\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}""#.to_owned(),
        // Escapes the canonical form would not write: kept verbatim.
        r#""{\"content\":\"caf\\u00e9 \\/ \\ud83d\\ude00\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}""#.to_owned(),
        r#"{ "type": "VO", "content": "object form", "created": "Wed Apr 29 17:16:13 CEST 2009", "extra": 1 }"#.to_owned(),
        serde_json::to_string(&format!(
            r#"{{"content":"{big}","customerId":"IBM","created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":1,"type":"VT","operator":"peter"}}"#
        ))
        .unwrap(),
    ];
    let arrivals: Vec<Arrival> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Arrival::new(parse_element(t.as_bytes()).unwrap(), i as u64))
        .collect();
    let mut unit = store.begin("test").unwrap();
    assert_eq!(unit.apply(&arrivals, &[]).unwrap().added, 4);
    unit.finish().unwrap();
    for (i, text) in texts.iter().enumerate() {
        let stored = store
            .message(plupper_store::ArchiveId(i as i64 + 1))
            .unwrap()
            .unwrap();
        assert_eq!(&stored.original().text, text);
        assert_eq!(stored.message, arrivals[i].element.message);
    }
    let seed = store.message(plupper_store::ArchiveId(1)).unwrap().unwrap();
    assert_eq!(
        seed.timestamp().unwrap().to_rfc3339(),
        "2009-04-29T17:16:13+02:00"
    );
}

#[test]
fn quarantine_is_deduplicated_by_exact_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let entry = |text: &[u8]| plupper_store::Quarantined {
        text: text.to_vec(),
        reason: "not JSON".into(),
        element: Some(3),
        byte_offset: Some(120),
    };
    let mut unit = store.begin("a.json").unwrap();
    let applied = unit
        .apply(
            &[],
            &[entry(b"\xffbad"), entry(b"\xffbad"), entry(b"other")],
        )
        .unwrap();
    unit.finish().unwrap();
    assert_eq!((applied.quarantined, applied.already_quarantined), (2, 1));
    let listed = store.quarantine().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].text, b"\xffbad");
    assert_eq!(listed[0].source, "a.json");
    assert_eq!(
        (listed[0].element, listed[0].byte_offset),
        (Some(3), Some(120))
    );
}

#[test]
fn a_quarantined_text_seen_again_by_a_later_unit_is_reported_as_already_quarantined() {
    // QA §8: a re-run stores nothing new in quarantine, and the report says so.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let entry = |text: &[u8]| plupper_store::Quarantined {
        text: text.to_vec(),
        reason: "not a message object: a number".into(),
        element: Some(0),
        byte_offset: None,
    };
    let mut reports = Vec::new();
    for source in ["first.json", "again.json", "first.json"] {
        let mut unit = store.begin(source).unwrap();
        reports.push(unit.apply(&[], &[entry(b"42"), entry(b"43")]).unwrap());
        unit.finish().unwrap();
    }
    let counts: Vec<(u64, u64)> = reports
        .iter()
        .map(|applied| (applied.quarantined, applied.already_quarantined))
        .collect();
    assert_eq!(counts, [(2, 0), (0, 2), (0, 2)]);
    assert_eq!(store.quarantine_count().unwrap(), 2);
}

#[test]
fn quarantine_numbers_do_not_skip_after_a_text_seen_again() {
    // Issue 17, item 9: a text already in quarantine used up a number (AUTOINCREMENT
    // takes one for an insert the UNIQUE constraint turns away), so the list went
    // #1, #2, #4.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let entry = |text: &[u8]| plupper_store::Quarantined {
        text: text.to_vec(),
        reason: "not a message object: a number".into(),
        element: None,
        byte_offset: None,
    };
    let units: [&[&[u8]]; 3] = [&[b"1", b"2", b"1"], &[b"2", b"1"], &[b"3", b"2", b"4"]];
    for (n, texts) in units.iter().enumerate() {
        let mut unit = store.begin(&format!("unit-{n}.json")).unwrap();
        let entries: Vec<_> = texts.iter().map(|text| entry(text)).collect();
        unit.apply(&[], &entries).unwrap();
        unit.finish().unwrap();
    }
    let listed: Vec<(i64, Vec<u8>)> = store
        .quarantine()
        .unwrap()
        .into_iter()
        .map(|entry| (entry.id, entry.text))
        .collect();
    assert_eq!(
        listed,
        [
            (1, b"1".to_vec()),
            (2, b"2".to_vec()),
            (3, b"3".to_vec()),
            (4, b"4".to_vec())
        ]
    );
}

#[test]
fn a_file_that_is_not_a_database_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(plupper_store::DATABASE_FILE),
        vec![b'x'; 4096],
    )
    .unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        err.to_string()
            .contains("is not a plupper-archive database"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join(plupper_store::DATABASE_FILE)).unwrap(),
        vec![b'x'; 4096]
    );
}

#[test]
fn reopening_keeps_the_uuid() {
    let dir = tempfile::tempdir().unwrap();
    let first = Store::open(dir.path()).unwrap().info().unwrap();
    let again = Store::open(dir.path()).unwrap().info().unwrap();
    assert_eq!(first, again);
    assert_eq!(first.schema_version, plupper_store::schema::CURRENT_VERSION);
    let other = Store::open(&dir.path().join("nested/other"))
        .unwrap()
        .info()
        .unwrap();
    assert_ne!(other.uuid, first.uuid);
}

#[test]
fn a_new_archive_has_16_kib_pages_and_an_old_one_keeps_its_own() {
    let page_size = |dir: &std::path::Path| -> i64 {
        let conn = rusqlite::Connection::open(dir.join(plupper_store::DATABASE_FILE)).unwrap();
        conn.query_row("PRAGMA page_size", [], |row| row.get(0))
            .unwrap()
    };
    let new = tempfile::tempdir().unwrap();
    let mut store = Store::open(new.path()).unwrap();
    apply(&mut store, &[1, 2, 3], 2, None);
    assert_eq!(page_size(new.path()), 16_384);

    // An archive made with 4 KiB pages (as plupper-archive made them before) keeps them
    // and takes more messages.
    let old = tempfile::tempdir().unwrap();
    {
        let conn =
            rusqlite::Connection::open(old.path().join(plupper_store::DATABASE_FILE)).unwrap();
        conn.execute_batch("PRAGMA page_size = 4096; CREATE TABLE made_before (x);")
            .unwrap();
    }
    let mut store = Store::open(old.path()).unwrap();
    apply(&mut store, &[1, 2, 3], 2, None);
    apply(&mut store, &[1, 2, 3, 3, 4], 2, None);
    assert_eq!(store.message_count().unwrap(), 5);
    assert_eq!(page_size(old.path()), 4096);
}

#[test]
fn created_is_kept_as_its_zone_when_java_writes_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let canonical = element_text(6); // written on Wed Apr 29 17:16:13 CEST 2009
    // Java never writes this (29 April 2009 was a Wednesday): kept as it is.
    let thursday = canonical.replace("Wed Apr 29", "Thu Apr 29");
    let texts = [canonical, thursday];
    let arrivals: Vec<Arrival> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Arrival::new(parse_element(text.as_bytes()).unwrap(), i as u64))
        .collect();
    let mut unit = store.begin("test").unwrap();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();

    let conn = rusqlite::Connection::open(dir.path().join(plupper_store::DATABASE_FILE)).unwrap();
    let stored: Vec<(String, Vec<u8>)> = conn
        .prepare("SELECT typeof(created), CAST(created AS BLOB) FROM message ORDER BY id")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored[0], ("blob".to_owned(), b"CEST".to_vec()));
    assert_eq!(
        stored[1],
        ("text".to_owned(), b"Thu Apr 29 17:16:13 CEST 2009".to_vec())
    );
    // Both read back byte for byte, created and original alike.
    for (i, text) in texts.iter().enumerate() {
        let message = store
            .message(plupper_store::ArchiveId(i as i64 + 1))
            .unwrap()
            .unwrap();
        assert_eq!(&message.original().text, text);
    }
    assert_eq!(store.verify().unwrap().problems, []);
}

#[test]
fn writers_opening_an_idle_archive_at_once_all_open_it() {
    // An archive a writer closed is left in DELETE journal mode; each writer that opens
    // it switches it to WAL. Eight at once, ten times: none may fail with "busy".
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    for _ in 0..10 {
        let start = std::sync::Barrier::new(8);
        std::thread::scope(|scope| {
            let opened: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        Store::open(dir.path()).map(drop)
                    })
                })
                .collect();
            for handle in opened {
                handle.join().unwrap().unwrap();
            }
        });
    }
}
