//! Content blocks: written with the messages, read by a count of every content, checked
//! by `verify`, and harmless when changed or removed behind plupper-archive's back.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::path::Path;

use plupper_model::element::parse_element;
use plupper_model::{Contains, fold_char};
use plupper_store::content_block::BLOCK_MESSAGES;
use plupper_store::query::Selection;
use plupper_store::{Arrival, DATABASE_FILE, Problem, Store, StoreError};
use proptest::prelude::*;
use rusqlite::Connection;

const B: u64 = BLOCK_MESSAGES as u64;

/// The content of message `i` (0-based): ASCII, Slovak, the Kelvin sign, a NUL.
fn content(i: u64) -> String {
    match i % 5 {
        0 => format!("Thanks, order {i}"),
        1 => format!("Ďakujem {i}"),
        2 => format!("\u{212A}elvin {i}"),
        3 => format!("nul\u{0}{i}"),
        _ => format!("ĎAKUJEM a thanks {i}"),
    }
}

fn arrival(i: u64) -> Arrival {
    let text = format!(
        r#"{{"content":{},"customerId":null,"created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":{i},"type":"VO","operator":"john"}}"#,
        serde_json::to_string(&content(i)).unwrap()
    );
    Arrival::new(parse_element(text.as_bytes()).unwrap(), i)
}

/// Adds messages `from..to` in units of `unit` messages, applied `chunk` at a time.
fn add(store: &mut Store, from: u64, to: u64, unit: u64, chunk: usize) {
    let arrivals: Vec<Arrival> = (from..to).map(arrival).collect();
    for (n, part) in arrivals.chunks(unit as usize).enumerate() {
        let mut reconciler = store.begin(&format!("unit {n}")).unwrap();
        for chunk in part.chunks(chunk) {
            reconciler.apply(chunk, &[]).unwrap();
        }
        reconciler.finish().unwrap();
    }
}

fn count(store: &Store, needle: &str) -> Result<u64, StoreError> {
    let contains = Contains::new(needle);
    store.count_contents(&Selection::default(), &|| contains.counter())
}

/// The count written plainly: every content of messages `0..messages`, tested alone.
fn expected(needle: &str, messages: u64) -> u64 {
    let contains = Contains::new(needle);
    (0..messages)
        .filter(|&i| contains.matches(&content(i)))
        .count() as u64
}

const NEEDLES: [&str; 6] = ["thanks", "ďakujem", "kelvin", "\u{0}1", "7", "nothing"];

fn blocks(dir: &Path) -> Vec<i64> {
    let conn = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    let mut statement = conn
        .prepare("SELECT first_id FROM content_block ORDER BY first_id")
        .unwrap();
    statement
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn tamper(dir: &Path, sql: &str) {
    let conn = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn named(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(ToString::to_string).collect()
}

#[test]
fn blocks_are_written_once_their_ids_are_assigned_whatever_the_units_and_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    add(&mut store, 0, B - 1, 3000, 700);
    assert_eq!(blocks(dir.path()), Vec::<i64>::new());
    add(&mut store, B - 1, B, 1, 1);
    assert_eq!(blocks(dir.path()), [1]);
    add(&mut store, B, 2 * B + 10, 2500, 999);
    assert_eq!(blocks(dir.path()), [1, BLOCK_MESSAGES + 1]);
    let messages = 2 * B + 10;
    for needle in NEEDLES {
        assert_eq!(
            count(&store, needle).unwrap(),
            expected(needle, messages),
            "{needle:?}"
        );
    }
    let verification = store.verify().unwrap();
    assert_eq!(named(&verification.problems), Vec::<String>::new());
    // Seen again: nothing added, no block written twice.
    add(&mut store, 0, messages, 5000, 1000);
    assert_eq!(blocks(dir.path()), [1, BLOCK_MESSAGES + 1]);
}

#[test]
fn a_rolled_back_unit_leaves_no_block() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    {
        let arrivals: Vec<Arrival> = (0..B + 1).map(arrival).collect();
        let mut unit = store.begin_atomic("dropped").unwrap();
        unit.apply(&arrivals, &[]).unwrap();
        // dropped without finishing: rolled back
    }
    assert_eq!(blocks(dir.path()), Vec::<i64>::new());
    add(&mut store, 0, B + 1, B + 1, 100);
    assert_eq!(blocks(dir.path()), [1]);
    assert_eq!(
        named(&store.verify().unwrap().problems),
        Vec::<String>::new()
    );
}

#[test]
fn an_archive_from_before_the_blocks_gets_them_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    add(
        &mut Store::open(dir.path()).unwrap(),
        0,
        2 * B + 1,
        2 * B + 1,
        4096,
    );
    tamper(
        dir.path(),
        "DROP TABLE content_block; PRAGMA user_version = 4;",
    );
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        store.info().unwrap().schema_version,
        plupper_store::schema::CURRENT_VERSION
    );
    assert_eq!(blocks(dir.path()), [1, BLOCK_MESSAGES + 1]);
    assert_eq!(
        named(&store.verify().unwrap().problems),
        Vec::<String>::new()
    );
    assert_eq!(
        count(&store, "thanks").unwrap(),
        expected("thanks", 2 * B + 1)
    );
}

#[test]
fn a_count_reads_the_blocks_and_verify_names_a_changed_one() {
    let dir = tempfile::tempdir().unwrap();
    add(&mut Store::open(dir.path()).unwrap(), 0, B + 3, B + 3, 4096);
    // The same lengths, other bytes: only the block says something else.
    tamper(
        dir.path(),
        "UPDATE content_block SET contents = zeroblob(length(contents))",
    );
    let store = Store::open(dir.path()).unwrap();
    // The three messages after the block are still read from their rows.
    assert_eq!(
        count(&store, "thanks").unwrap(),
        expected("thanks", B + 3) - expected("thanks", B)
    );
    assert_eq!(
        named(&store.verify().unwrap().problems),
        [format!(
            "content block of messages 1 to {B}: it does not hold the contents of these messages as archived"
        )]
    );
}

#[test]
fn a_damaged_block_makes_a_count_fail_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    add(&mut Store::open(dir.path()).unwrap(), 0, B, B, 4096);
    for damage in [
        "UPDATE content_block SET lengths = x'ff'",
        "UPDATE content_block SET contents = substr(contents, 2)",
        "UPDATE content_block SET contents = 'text'",
    ] {
        let copy = tempfile::tempdir().unwrap();
        std::fs::copy(
            dir.path().join(DATABASE_FILE),
            copy.path().join(DATABASE_FILE),
        )
        .unwrap();
        tamper(copy.path(), damage);
        let store = Store::open(copy.path()).unwrap();
        let error = count(&store, "thanks").unwrap_err();
        assert!(
            matches!(error, StoreError::ContentBlock { first: 1, .. }),
            "{damage}: {error}"
        );
        assert!(
            error.to_string().starts_with(&format!(
                "archive database error: the content block of messages 1 to {B} is damaged ("
            )),
            "{error}"
        );
        assert_eq!(store.verify().unwrap().problems.len(), 1, "{damage}");
    }
}

#[test]
fn without_its_blocks_a_count_reads_the_rows_and_verify_names_the_gap() {
    let dir = tempfile::tempdir().unwrap();
    add(&mut Store::open(dir.path()).unwrap(), 0, 3 * B, 3 * B, 4096);
    tamper(
        dir.path(),
        &format!("DELETE FROM content_block WHERE first_id = {}", B + 1),
    );
    let store = Store::open(dir.path()).unwrap();
    for needle in NEEDLES {
        assert_eq!(
            count(&store, needle).unwrap(),
            expected(needle, 3 * B),
            "{needle:?}"
        );
    }
    assert_eq!(
        named(&store.verify().unwrap().problems),
        [format!(
            "content block of messages {} to {}: no content block holds them, though all their ids are assigned",
            B + 1,
            2 * B
        )]
    );
}

#[test]
fn verify_names_blocks_that_cannot_have_been_written() {
    let dir = tempfile::tempdir().unwrap();
    add(&mut Store::open(dir.path()).unwrap(), 0, B + 1, B + 1, 4096);
    tamper(
        dir.path(),
        &format!(
            "INSERT INTO content_block VALUES (2, x'', x''), ({}, x'', x'')",
            B + 1
        ),
    );
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(
        named(&store.verify().unwrap().problems),
        [
            format!(
                "content block of messages 2 to {}: it does not start where a block starts (1, 4097, …)",
                B + 1
            ),
            format!(
                "content block of messages {} to {}: it covers ids that are not assigned yet",
                B + 1,
                2 * B
            ),
        ]
    );
}

/// Characters whose folding is tricky, and a NUL.
const ALPHABET: &[char] = &[
    'a', 'A', 'k', 'K', 's', 'S', '%', ' ', '\u{212A}', '\u{017F}', 'ß', 'ẞ', 'σ', 'ς', 'Σ', 'ä',
    'Ä', 'İ', 'ı', 'ﬆ', '😀', '\0',
];

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ALPHABET), 0..max)
        .prop_map(|chars| chars.into_iter().collect())
}

fn folded(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    /// The two paths of a count of every content, the blocks and the rows, both equal a
    /// plain loop that folds each content and looks for the folded needle.
    #[test]
    fn blocks_and_rows_count_alike(
        contents in proptest::collection::vec(text(8), B as usize..B as usize + 200),
        needles in proptest::collection::vec(text(3), 4),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let arrivals: Vec<Arrival> = contents
            .iter()
            .enumerate()
            .map(|(i, content)| {
                let text = format!(
                    r#"{{"content":{},"created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":{i},"type":"VO"}}"#,
                    serde_json::to_string(content).unwrap()
                );
                Arrival::new(parse_element(text.as_bytes()).unwrap(), i as u64)
            })
            .collect();
        let mut unit = store.begin("random").unwrap();
        for chunk in arrivals.chunks(1500) {
            unit.apply(chunk, &[]).unwrap();
        }
        unit.finish().unwrap();
        prop_assert_eq!(blocks(dir.path()), vec![1]);
        let expected = |needle: &str| {
            let needle = folded(needle);
            contents.iter().filter(|c| folded(c).contains(&needle)).count() as u64
        };
        for needle in &needles {
            prop_assert_eq!(count(&store, needle).unwrap(), expected(needle), "blocks, {:?}", needle);
        }
        tamper(dir.path(), "DELETE FROM content_block");
        for needle in &needles {
            prop_assert_eq!(count(&store, needle).unwrap(), expected(needle), "rows, {:?}", needle);
        }
    }
}
