//! Reading messages by archive id, in the order given: ids close together in ascending
//! order are read in one walk of their range, others one by one; both give what a lookup
//! of each id gives.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use plupper_model::element::parse_element;
use plupper_store::{ArchiveId, Arrival, NDJSON_PART, NDJSON_TWO_THREADS_FROM, Store, StoreError};
use proptest::prelude::*;

/// An archive of `n` messages: every third one's original kept (escaped), every fifth
/// with an unknown zone, every seventh with a null visitor and operator.
fn archive(n: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let arrivals: Vec<Arrival> = (0..n)
        .map(|i| {
            let zone = if i % 5 == 0 { "XYZ" } else { "CEST" };
            let (visitor, operator) = if i % 7 == 0 {
                ("null".to_owned(), "null".to_owned())
            } else {
                (i.to_string(), r#""peter""#.to_owned())
            };
            let content = if i % 3 == 0 {
                format!(r#"caf\u00e9 \"{i}\"\n"#)
            } else {
                format!("message {i}")
            };
            let text = format!(
                r#"{{"content":"{content}","customerId":null,"created":"Wed Apr 29 17:{:02}:13 {zone} 2009","visitorId":{visitor},"type":"VO","operator":{operator}}}"#,
                i % 60
            );
            Arrival::new(parse_element(text.as_bytes()).unwrap(), i as u64)
        })
        .collect();
    let mut unit = store.begin("test").unwrap();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
    (dir, store)
}

/// What a lookup of each id on its own gives, as NDJSON lines.
fn one_by_one(store: &Store, ids: &[ArchiveId]) -> Vec<u8> {
    let mut lines = Vec::new();
    for id in ids {
        if let Some(stored) = store.message(*id).unwrap() {
            stored.view().write_ndjson(&mut lines, &mut String::new());
        }
    }
    lines
}

fn visited(store: &Store, ids: &[ArchiveId]) -> Vec<u8> {
    let mut lines = Vec::new();
    let mut scratch = String::new();
    store
        .visit_by_ids(ids, |view| {
            view.write_ndjson(&mut lines, &mut scratch);
            Ok::<_, StoreError>(())
        })
        .unwrap();
    lines
}

fn ids(ids: &[i64]) -> Vec<ArchiveId> {
    ids.iter().copied().map(ArchiveId).collect()
}

#[test]
fn walks_lookups_and_missing_ids_keep_the_order_given() {
    let (_dir, store) = archive(120);
    // Close ascending runs (walked), a gap beyond a walk's reach, a step back, a repeat,
    // ids never assigned (0, beyond the last), a run that ends past the last id.
    let asked = ids(&[
        1, 2, 3, 5, 9, 21, 22, 60, 59, 59, 0, 58, 100, 115, 119, 120, 121, 130, 7, 8, 10,
    ]);
    let (got, expected) = (visited(&store, &asked), one_by_one(&store, &asked));
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&expected)
    );
    // 18 of the 21 ids exist (0, 121 and 130 do not).
    assert_eq!(expected.iter().filter(|&&b| b == b'\n').count(), 18);
    let messages = store.messages_by_ids(&asked).unwrap();
    let got: Vec<i64> = messages.iter().map(|m| m.id.0).collect();
    assert_eq!(
        got,
        [
            1, 2, 3, 5, 9, 21, 22, 60, 59, 59, 58, 100, 115, 119, 120, 7, 8, 10
        ]
    );
    for stored in &messages {
        assert_eq!(Some(stored), store.message(stored.id).unwrap().as_ref());
    }
}

/// What `ndjson_by_ids` hands out, joined, and how many lines it said it gave.
fn written(store: &Store, ids: &[ArchiveId]) -> (Vec<u8>, u64) {
    let (mut bytes, mut count) = (Vec::new(), 0);
    store
        .ndjson_by_ids(ids, |lines, n| {
            bytes.extend_from_slice(lines);
            count += n;
            Ok::<_, StoreError>(())
        })
        .unwrap();
    (bytes, count)
}

#[test]
fn a_long_listing_written_on_two_threads_is_the_one_visited() {
    let n = NDJSON_TWO_THREADS_FROM * 2 + 300;
    let (_dir, store) = archive(n);
    // Answer order as an index gives it: mostly ascending (walked), with gaps, steps
    // back, repeats and ids that do not exist, over more parts than the two threads take
    // in one turn each (an even number of parts, then an odd one).
    let mut asked: Vec<i64> = (1..=n as i64).filter(|id| id % 7 != 3).collect();
    asked.insert(asked.len() * 2 / 3, 17);
    asked.insert(asked.len() / 3, 0);
    asked.insert(100, 9_999_999);
    asked.extend([42, 42, 1]);
    for asked in [&asked[..], &asked[..NDJSON_PART * 3]] {
        let asked = ids(asked);
        let expected = visited(&store, &asked);
        let (bytes, count) = written(&store, &asked);
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&expected)
        );
        assert_eq!(
            count,
            expected.iter().filter(|&&b| b == b'\n').count() as u64
        );
    }
    // A short one, on this thread alone, the same way.
    let short = ids(&[3, 1, 2, 2, 500]);
    assert_eq!(written(&store, &short), (visited(&store, &short), 5));
}

#[test]
fn a_listing_on_two_threads_stops_at_the_first_error() {
    let (_dir, store) = archive(NDJSON_TWO_THREADS_FROM * 2);
    let asked = ids(&(1..=NDJSON_TWO_THREADS_FROM as i64 * 2).collect::<Vec<_>>());
    let mut pieces = 0;
    let result = store.ndjson_by_ids(&asked, |_, _| {
        pieces += 1;
        if pieces == 2 {
            Err(StoreError::from(rusqlite::Error::InvalidQuery))
        } else {
            Ok(())
        }
    });
    assert!(result.is_err());
    assert_eq!(pieces, 2);
}

#[test]
fn a_visit_stops_at_its_first_error() {
    let (_dir, store) = archive(40);
    let mut seen = Vec::new();
    let result = store.visit_by_ids(&ids(&[1, 2, 3, 4, 30]), |view| {
        seen.push(view.id);
        if view.id == 3 {
            Err(StoreError::from(rusqlite::Error::InvalidQuery))
        } else {
            Ok(())
        }
    });
    assert!(result.is_err());
    assert_eq!(seen, [1, 2, 3]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any ids in any order: the walks and lookups give each id's lookup, in order.
    #[test]
    fn any_ids_read_as_each_ones_lookup(asked in prop::collection::vec(0i64..110, 0..80), sort in any::<bool>()) {
        static STORE: std::sync::OnceLock<std::sync::Mutex<(tempfile::TempDir, Store)>> =
            std::sync::OnceLock::new();
        let guard = STORE.get_or_init(|| std::sync::Mutex::new(archive(100))).lock().unwrap();
        let store = &guard.1;
        let mut asked = asked;
        if sort {
            asked.sort_unstable();
        }
        let asked = ids(&asked);
        let (got, expected) = (visited(store, &asked), one_by_one(store, &asked));
        prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&expected));
    }
}

/// The two connections of a long listing fetch their pages without waiting on each
/// other: the bundled SQLite is built without `SQLITE_ENABLE_MEMORY_MANAGEMENT`
/// (`.cargo/config.toml`), with which every connection of the process shares one page
/// cache behind one mutex.
#[test]
fn each_connection_has_a_page_cache_of_its_own() {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    let options: Vec<String> = conn
        .prepare("PRAGMA compile_options")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    // The bundled build's options, as libsqlite3-sys sets them.
    assert!(options.iter().any(|o| o == "ENABLE_FTS5"), "{options:?}");
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
}
