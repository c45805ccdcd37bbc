//! The index path against the reference executor: whatever the archive, the filter and
//! the state of the index, the answer is the same.

#![allow(clippy::unwrap_used)] // a test states its expectations with unwrap()

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use plupper_index::{Freshness, NoProgress, freshness, update};
use plupper_model::element::parse_element;
use plupper_search::executor::{self, Route};
use plupper_search::ranked::{parse, search};
use plupper_search::{Filter, reference};
use plupper_store::{Arrival, Store};
use proptest::prelude::*;

const ZONES: &[&str] = &["CET", "CEST", "GMT", "EST", "GMT+05:30", "CST", "XYZ"];
const ALPHABET: &[char] = &[
    'a', 'A', 'b', 'k', 'K', '\u{212A}', 's', 'S', 'ſ', 'ß', 'ẞ', 'σ', 'Σ', 'ς', 'µ', 'μ', 'ä',
    'Ä', 'ﬁ', 'f', 'i', 'İ', ' ', '%', '😀',
];

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..max)
        .prop_map(|chars| chars.into_iter().collect())
}

/// An element of the API's form, from generated parts.
fn element() -> impl Strategy<Value = String> {
    (
        text(12),
        prop::option::of(prop::sample::select(vec!["peter", "Peter", "john"])),
        prop::option::of(prop::sample::select(vec![1i64, 2, 3_000_000_000])),
        prop::option::of(prop::sample::select(vec!["IBM", "ibm", "42"])),
        0u32..4,
        prop::sample::select(vec!["10:00:00", "10:30:00", "23:30:00", "00:15:00"]),
        0..ZONES.len(),
    )
        .prop_map(|(content, operator, visitor, customer, day, time, zone)| {
            let date = NaiveDate::from_ymd_opt(2009, 4, 28).unwrap()
                + chrono::Duration::days(i64::from(day));
            let created = format!("{} {time} {} 2009", date.format("%a %b %d"), ZONES[zone]);
            serde_json::json!({
                "content": content, "customerId": customer, "created": created,
                "visitorId": visitor, "type": "VO", "operator": operator,
            })
            .to_string()
        })
}

fn filter() -> impl Strategy<Value = Filter> {
    let day = prop::option::of((27u32..32).prop_map(|d| {
        NaiveDate::from_ymd_opt(2009, 4, 1).unwrap() + chrono::Duration::days(i64::from(d) - 1)
    }));
    (
        day.clone(),
        day,
        prop::option::of(prop::sample::select(vec!["peter", "Peter", "john"])),
        prop::option::of(prop::sample::select(vec![1i64, 3_000_000_000])),
        prop::option::of(prop::sample::select(vec!["IBM", "42"])),
        text(5).prop_filter("non-empty", |t| !t.is_empty()),
    )
        .prop_map(
            |(from, to, operator, visitor_id, customer_id, contains)| Filter {
                from,
                to,
                operator: operator.map(str::to_owned),
                visitor_id,
                customer_id: customer_id.map(str::to_owned),
                contains: Some(contains),
            },
        )
}

fn add(store: &mut Store, elements: &[String]) {
    let arrivals: Vec<Arrival> = elements
        .iter()
        .enumerate()
        .map(|(i, text)| Arrival::new(parse_element(text.as_bytes()).unwrap(), i as u64))
        .collect();
    let mut unit = store.begin("test").unwrap();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
}

/// How many of `unit`'s elements §1b adds to an archive holding `archived`.
fn copies_added(archived: &[String], unit: &[String]) -> usize {
    let mut held: HashMap<&str, usize> = HashMap::new();
    for text in archived {
        *held.entry(text).or_default() += 1;
    }
    let mut listed: HashMap<&str, usize> = HashMap::new();
    for text in unit {
        *listed.entry(text).or_default() += 1;
    }
    listed
        .iter()
        .map(|(text, &n)| n.saturating_sub(held.get(text).copied().unwrap_or(0)))
        .sum()
}

fn ids_of(store: &Store, filter: &Filter, limit: Option<u64>) -> (Route, Vec<i64>) {
    let (route, messages) = executor::messages(store, filter, limit).unwrap();
    (route, messages.map(|m| m.unwrap().id.0).collect())
}

fn reference_ids(store: &Store, filter: &Filter) -> Vec<i64> {
    reference::messages(store, filter)
        .unwrap()
        .map(|m| m.unwrap().id.0)
        .collect()
}

fn assert_same(store: &Store, filter: &Filter) -> Result<(), TestCaseError> {
    let expected = reference_ids(store, filter);
    let (route, answer) = ids_of(store, filter, None);
    // Needles of one or two characters are the store's (its content blocks or rows), and
    // so are filters without `contains` that its B-tree indexes select (a visitor id,
    // dates, nothing); an operator or customer id without a visitor id is the index's.
    let indexed = match filter.contains.as_deref() {
        Some(needle) => plupper_index::answers_contains(needle),
        None => {
            filter.visitor_id.is_none()
                && (filter.operator.is_some() || filter.customer_id.is_some())
        }
    };
    // A listing of a short needle without a visitor id is the content blocks' and the
    // index's, unless more than a quarter of the messages contain it; so is its count
    // with an operator or a customer id, however many; other counts are the store's.
    let short = filter
        .contains
        .as_deref()
        .is_some_and(|needle| !plupper_index::answers_contains(needle));
    let listed_from_blocks = short && filter.visitor_id.is_none() && {
        let containing = Filter {
            contains: filter.contains.clone(),
            ..Filter::default()
        };
        let messages = reference_ids(store, &Filter::default()).len() as u64;
        reference_ids(store, &containing).len() as u64 <= messages / executor::CONTENT_BLOCKS_SHARE
    };
    let route_of = |from_blocks: bool| {
        if indexed {
            Route::Index
        } else if from_blocks {
            Route::ContentBlocks
        } else {
            Route::Store
        }
    };
    prop_assert_eq!(route.clone(), route_of(listed_from_blocks));
    let (count_route, _) = executor::count(store, filter).unwrap();
    let counted_from_blocks = short
        && filter.visitor_id.is_none()
        && (filter.operator.is_some() || filter.customer_id.is_some());
    if filter.contains.is_some() || indexed {
        prop_assert_eq!(count_route, route_of(counted_from_blocks));
    }
    prop_assert_eq!(&answer, &expected, "{:?}", filter);
    // Visited (the index's answer read straight from the store's rows), the same
    // messages as the reference's, field for field.
    let (_, visited) = executor::messages(store, filter, None).unwrap();
    let mut visited_lines = Vec::new();
    let mut scratch = String::new();
    visited
        .visit(|view| {
            view.write_ndjson(&mut visited_lines, &mut scratch);
            Ok::<_, plupper_store::StoreError>(())
        })
        .unwrap();
    let mut expected_lines = Vec::new();
    for stored in reference::messages(store, filter).unwrap() {
        stored
            .unwrap()
            .view()
            .write_ndjson(&mut expected_lines, &mut scratch);
    }
    prop_assert_eq!(
        String::from_utf8_lossy(&visited_lines),
        String::from_utf8_lossy(&expected_lines)
    );
    let (_, limited) = ids_of(store, filter, Some(2));
    prop_assert_eq!(&limited[..], &expected[..expected.len().min(2)]);
    let (_, count) = executor::count(store, filter).unwrap();
    prop_assert_eq!(count, expected.len() as u64);
    // A count without `contains` above the cap is the index's (the corpus here is far
    // below the real cap, so a cap of 0 sends every such count there).
    let (route, count) = executor::count_with_store_cap(store, filter, 0).unwrap();
    prop_assert_eq!(count, expected.len() as u64);
    if filter.contains.is_none() {
        prop_assert_eq!(route, Route::Index);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn index_path_equals_the_reference(
        first in prop::collection::vec(element(), 0..40),
        second in prop::collection::vec(element(), 0..40),
        filters in prop::collection::vec(filter(), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        // Duplicates within a source are two messages.
        let mut with_repeats = first.clone();
        with_repeats.extend(first.iter().take(3).cloned());
        add(&mut store, &with_repeats);
        update(&store, false, &NoProgress).unwrap();
        for filter in &filters {
            assert_same(&store, filter)?;
        }
        // Incremental additions.
        add(&mut store, &second);
        let state = freshness(&store).unwrap();
        // The contract's §1b: an element listed N times, archived M times, adds N − M
        // copies when N > M. The generated texts are canonical JSON, so equal text is
        // equal identity.
        let added = copies_added(&with_repeats, &second);
        let indexed = with_repeats.len() as i64;
        let expected_state = if added == 0 {
            Freshness::Current
        } else {
            Freshness::Behind { indexed, archived: indexed + added as i64 }
        };
        prop_assert_eq!(state, expected_state);
        // A behind index never answers a count: the store does, whatever the cap.
        for filter in &filters {
            let (route, count) = executor::count_with_store_cap(&store, filter, 0).unwrap();
            prop_assert_eq!(count, reference_ids(&store, filter).len() as u64);
            if added > 0 {
                prop_assert_ne!(route, Route::Index);
            }
        }
        update(&store, false, &NoProgress).unwrap();
        for filter in &filters {
            assert_same(&store, filter)?;
        }
        // Counted from the index alone, without the store, when the database file says
        // the index is current: the same count.
        drop(store);
        let reader = Store::open_read_only(dir.path()).unwrap();
        for filter in &filters {
            let expected = reference_ids(&reader, filter).len() as u64;
            match executor::count_from_index(dir.path(), filter) {
                Some(count) => prop_assert_eq!(count, expected),
                // Only the counts that need the store are left to it: its own, and a
                // short needle's, which its content blocks find.
                None => {
                    let route = executor::count(&reader, filter).unwrap().0;
                    prop_assert!(matches!(route, Route::Store | Route::ContentBlocks), "{:?}", route);
                }
            }
        }
        drop(reader);
        let store = Store::open(dir.path()).unwrap();
        // After a rebuild.
        update(&store, true, &NoProgress).unwrap();
        for filter in &filters {
            assert_same(&store, filter)?;
        }
    }

    #[test]
    fn hostile_search_input_never_panics_or_hangs(query in prop::collection::vec(
        prop::sample::select(vec!["\"", "-", "*", ":", "(", ")", "^", "~", "OR", "AND", " ", "\u{0}", "\u{7}", "\n", "a", "hi", "ÿ", "\\", "+", "NOT", "[", "]", "{", "}", "'"]),
        0..64,
    )) {
        // No wall clock here: a slow machine must not fail a property. That no input
        // hangs is `long_hostile_queries_finish`'s (bounded queries, a generous bound).
        let query: String = query.concat();
        let ranked = parse(&query);
        let hits = search(fixture(), &ranked, &Filter::default(), Some(5))
            .unwrap()
            .expect("the fixture's index is current");
        prop_assert!(hits.len() <= 2, "{query:?}: the fixture holds 2 messages");
        for hit in &hits {
            let chars = hit.snippet.chars().count();
            prop_assert!(
                hit.highlights.iter().all(|&(start, end)| start < end && end <= chars),
                "{query:?}: highlights {:?} outside the snippet {:?}", hit.highlights, hit.snippet
            );
        }
    }
}

/// A small indexed archive shared by the hostile-input test (made once).
fn fixture() -> &'static Store {
    static DIR: std::sync::OnceLock<(tempfile::TempDir, std::sync::Mutex<()>)> =
        std::sync::OnceLock::new();
    thread_local! {
        static STORE: &'static Store = {
            let (dir, _) = DIR.get_or_init(|| (tempfile::tempdir().unwrap(), std::sync::Mutex::new(())));
            let mut store = Store::open(dir.path()).unwrap();
            if store.message_count().unwrap() == 0 {
                add(&mut store, &[
                    r#"{"content":"hi there, how can i help","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#.to_owned(),
                    r#"{"content":"a OR b: \"quoted\" (x) ^y ~z","created":"Wed Apr 29 17:16:14 CEST 2009","type":"VO"}"#.to_owned(),
                ]);
                update(&store, false, &NoProgress).unwrap();
            }
            Box::leak(Box::new(store))
        };
    }
    STORE.with(|store| *store)
}

#[test]
fn long_hostile_queries_finish() {
    let store = fixture();
    for query in [
        "a ".repeat(5000),
        "\"".repeat(10_000),
        "-x OR ".repeat(1700),
        "ÿ".repeat(10_000),
    ] {
        let started = Instant::now();
        let _ = search(store, &parse(&query), &Filter::default(), Some(5)).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{} chars took {:?}",
            query.len(),
            started.elapsed()
        );
    }
}

fn seeded(texts: &[&str]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let elements: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, content)| {
            serde_json::json!({"content": content, "created": format!("Wed Apr 29 17:16:{:02} CEST 2009", i % 60), "type": "VO", "operator": "peter"})
                .to_string()
        })
        .collect();
    add(&mut store, &elements);
    update(&store, false, &NoProgress).unwrap();
    (dir, store)
}

fn search_ids(store: &Store, query: &str) -> Vec<i64> {
    search(store, &parse(query), &Filter::default(), None)
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|hit| hit.message.id.0)
        .collect()
}

#[test]
fn ranking_and_phrases() {
    let (_dir, store) = seeded(&[
        "money is nice, I want my money",
        "money money money",
        "plain money once",
        "money back",
        "back money",
        "no match here",
    ]);
    let hits = search_ids(&store, "money");
    assert_eq!(hits.len(), 5);
    assert_eq!(hits[0], 2, "three times ranks first: {hits:?}");
    assert!(hits.iter().position(|&id| id == 2) < hits.iter().position(|&id| id == 3));
    assert_eq!(
        search_ids(&store, "\"money back\""),
        vec![4],
        "a phrase needs its order"
    );
    assert_eq!(search_ids(&store, "MONEY -back").len(), 3);
    let either = search_ids(&store, "nice OR match");
    assert_eq!(either.len(), 2);
    // Equal scores keep archive order.
    let (_dir, store) = seeded(&["same text", "same text", "same text"]);
    assert_eq!(search_ids(&store, "same"), vec![1, 2, 3]);
}

#[test]
fn pages_of_a_ranked_search_follow_one_another_without_gaps_or_repeats() {
    let contents: Vec<String> = (0..23)
        .map(|i| "money ".repeat(1 + i % 4) + &format!("item{i}"))
        .collect();
    let contents: Vec<&str> = contents.iter().map(String::as_str).collect();
    let (_dir, store) = seeded(&contents);
    let query = parse("money");
    let whole = search_ids(&store, "money");
    let mut paged = Vec::new();
    for offset in (0..30).step_by(5) {
        let page = plupper_search::ranked::search_page(
            &store,
            &query,
            &Filter::default(),
            offset,
            Some(5),
        )
        .unwrap()
        .unwrap();
        assert_eq!(page.total, 23, "the total does not depend on the page");
        assert!(page.hits.len() <= 5);
        paged.extend(page.hits.iter().map(|hit| hit.message.id.0));
    }
    assert_eq!(paged, whole);
    let beyond =
        plupper_search::ranked::search_page(&store, &query, &Filter::default(), 99, Some(5))
            .unwrap()
            .unwrap();
    assert_eq!((beyond.hits.len(), beyond.total), (0, 23));
}

#[test]
fn a_search_with_a_short_contains_keeps_exactly_the_hits_whose_content_has_it() {
    let (_dir, store) = seeded(&[
        "money, ok?",
        "money: Ok",
        "money only",
        "no match",
        "money, O\u{212A}",
    ]);
    let with = |contains: &str| {
        let filter = Filter {
            contains: Some(contains.into()),
            ..Filter::default()
        };
        let ranked =
            plupper_search::ranked::search_counted(&store, &parse("money"), &filter, Some(1))
                .unwrap()
                .unwrap();
        let mut ids: Vec<i64> = search(&store, &parse("money"), &filter, None)
            .unwrap()
            .unwrap()
            .into_iter()
            .map(|hit| hit.message.id.0)
            .collect();
        ids.sort_unstable();
        (ids, ranked.total, ranked.hits.len())
    };
    // Not in the index (one or two characters): the contents decide, folded as the
    // contract folds (the Kelvin sign is a k).
    assert_eq!(with("ok"), (vec![1, 2, 5], 3, 1));
    assert_eq!(with(","), (vec![1, 5], 2, 1));
    // Three characters: the index decides, with the same answer a content test gives.
    assert_eq!(with("ok?"), (vec![1], 1, 1));
}

/// Archives one message dated after the seeded ones, without indexing it.
fn add_late(store: &mut Store, content: &str) {
    let element = serde_json::json!({
        "content": content, "created": "Thu Apr 30 10:00:00 CEST 2009", "type": "VO",
    });
    add(store, &[element.to_string()]);
}

/// `route` is the fallback of an index of `indexed` messages behind `archived`.
fn assert_behind(route: &Route, indexed: i64, archived: i64) {
    assert_eq!(
        route,
        &Route::Fallback(Freshness::Behind { indexed, archived })
    );
}

#[test]
fn a_short_needle_is_listed_from_the_content_blocks_while_the_index_is_current() {
    // Ids 1..=16; "ok" in 1, 4 (the Kelvin sign folds to k) and 8: at most a quarter of
    // the messages, which the content blocks find; "o" in five: the store's rows.
    let (_dir, mut store) = seeded(&[
        "ok",
        "no",
        "fine",
        "O\u{212A}",
        "yes",
        "sure",
        "nope",
        "oK then",
        "x",
        "a",
        "b",
        "c",
        "d",
        "e",
        "f",
        "g",
    ]);
    let with = |contains: &str| Filter {
        contains: Some(contains.into()),
        ..Filter::default()
    };
    // Seconds 0..=15 of one minute: answer order is archive order.
    assert_eq!(
        ids_of(&store, &with("ok"), None),
        (Route::ContentBlocks, vec![1, 4, 8])
    );
    assert_eq!(
        ids_of(&store, &with("ok"), Some(2)),
        (Route::ContentBlocks, vec![1, 4])
    );
    assert_eq!(
        ids_of(&store, &with("o"), None),
        (Route::Store, vec![1, 2, 4, 7, 8])
    );
    // The rest of the filter is the index's.
    let johns = Filter {
        operator: Some("john".into()),
        ..with("ok")
    };
    assert_eq!(ids_of(&store, &johns, None), (Route::ContentBlocks, vec![]));
    // With a visitor id, the store's rows.
    let visitor = Filter {
        visitor_id: Some(1),
        ..with("ok")
    };
    assert_eq!(ids_of(&store, &visitor, None), (Route::Store, vec![]));
    // A count is the content blocks' alone; with an operator, the index's too.
    assert_eq!(
        executor::count(&store, &with("ok")).unwrap(),
        (Route::Store, 3)
    );
    let peters = Filter {
        operator: Some("peter".into()),
        ..with("ok")
    };
    assert_eq!(
        executor::count(&store, &peters).unwrap(),
        (Route::ContentBlocks, 3)
    );
    assert_eq!(
        executor::count(&store, &johns).unwrap(),
        (Route::ContentBlocks, 0)
    );

    // Behind: the store's rows, and the same answer.
    add_late(&mut store, "ok late");
    let (route, ids) = ids_of(&store, &with("ok"), None);
    assert_behind(&route, 16, 17);
    assert_eq!(ids, vec![1, 4, 8, 17]);
    let (route, count) = executor::count(&store, &peters).unwrap();
    assert!(
        matches!(route, Route::Fallback(Freshness::Behind { .. })),
        "{route:?}"
    );
    assert_eq!(count, 3);
    update(&store, false, &NoProgress).unwrap();
    assert_eq!(
        ids_of(&store, &with("ok"), None),
        (Route::ContentBlocks, vec![1, 4, 8, 17])
    );
}

#[test]
fn stale_missing_foreign_and_damaged_indexes_never_change_an_answer() {
    let (dir, mut store) = seeded(&["hello money", "more money", "ok"]);
    let filter = Filter {
        contains: Some("money".into()),
        ..Filter::default()
    };
    let expected = vec![1, 2];

    // Behind: messages imported without indexing.
    add_late(&mut store, "late money");
    let (route, ids) = ids_of(&store, &filter, None);
    assert_behind(&route, 3, 4);
    assert_eq!(ids, vec![1, 2, 4]);
    update(&store, false, &NoProgress).unwrap();
    assert_eq!(ids_of(&store, &filter, None), (Route::Index, vec![1, 2, 4]));

    // Missing.
    let index_dir = dir.path().join(plupper_index::INDEX_DIR);
    std::fs::remove_dir_all(&index_dir).unwrap();
    assert_eq!(
        ids_of(&store, &filter, None),
        (Route::Fallback(Freshness::Missing), vec![1, 2, 4])
    );
    update(&store, false, &NoProgress).unwrap();
    assert_eq!(ids_of(&store, &filter, None).0, Route::Index);

    // Another archive's index.
    let (other_dir, _other) = seeded(&["money money"]);
    std::fs::remove_dir_all(&index_dir).unwrap();
    copy_dir(&other_dir.path().join(plupper_index::INDEX_DIR), &index_dir);
    assert_eq!(
        ids_of(&store, &filter, None),
        (Route::Fallback(Freshness::Foreign), vec![1, 2, 4])
    );
    assert!(update(&store, false, &NoProgress).unwrap().rebuilt);
    assert_eq!(ids_of(&store, &filter, None), (Route::Index, vec![1, 2, 4]));

    // A truncated segment file.
    for entry in std::fs::read_dir(&index_dir).unwrap() {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|e| e == "idx" || e == "pos" || e == "term")
        {
            let len = std::fs::metadata(&path).unwrap().len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .unwrap()
                .set_len(len / 2)
                .unwrap();
        }
    }
    let (route, ids) = ids_of(&store, &filter, None);
    assert!(
        matches!(route, Route::Fallback(Freshness::Unreadable(_))),
        "{route:?}"
    );
    assert_eq!(ids, vec![1, 2, 4]);
    assert!(update(&store, false, &NoProgress).unwrap().rebuilt);
    assert_eq!(ids_of(&store, &filter, None), (Route::Index, vec![1, 2, 4]));
    let _ = expected;
}

/// `count_from_index` with the writer closed (an open writer keeps the database in WAL
/// mode, where the file alone does not say the archive), and the writer opened again.
fn count_closed(dir: &std::path::Path, store: &mut Option<Store>, filter: &Filter) -> Option<u64> {
    drop(store.take());
    let counted = executor::count_from_index(dir, filter);
    *store = Some(Store::open(dir).unwrap());
    counted
}

#[test]
fn a_count_without_the_store_is_the_count_or_none() {
    let (dir, store) = seeded(&["hello money", "more money", "ok"]);
    let mut store = Some(store);
    let dir = dir.path();
    let money = Filter {
        contains: Some("money".into()),
        ..Filter::default()
    };
    // While the writer is open: not from the file.
    assert_eq!(executor::count_from_index(dir, &money), None);
    assert_eq!(count_closed(dir, &mut store, &money), Some(2));
    let peter = Filter {
        operator: Some("peter".into()),
        ..Filter::default()
    };
    assert_eq!(count_closed(dir, &mut store, &peter), Some(3));
    // The store's own filters: a short needle, a visitor, dates or nothing.
    for filter in [
        Filter {
            contains: Some("ok".into()),
            ..Filter::default()
        },
        Filter {
            visitor_id: Some(1),
            contains: None,
            ..Filter::default()
        },
        Filter::default(),
    ] {
        assert_eq!(count_closed(dir, &mut store, &filter), None, "{filter:?}");
    }

    // Behind: a message archived without indexing.
    add(
        store.as_mut().unwrap(),
        &[
            r#"{"content":"late money","created":"Thu Apr 30 10:00:00 CEST 2009","type":"VO"}"#
                .to_owned(),
        ],
    );
    assert_eq!(count_closed(dir, &mut store, &money), None);
    assert_eq!(
        executor::count(store.as_ref().unwrap(), &money).unwrap().1,
        3
    );
    update(store.as_ref().unwrap(), false, &NoProgress).unwrap();
    assert_eq!(count_closed(dir, &mut store, &money), Some(3));

    // Another archive's index, even of as many messages.
    let (other_dir, other) = seeded(&["money money", "money", "money", "money"]);
    drop(other);
    let index_dir = dir.join(plupper_index::INDEX_DIR);
    std::fs::remove_dir_all(&index_dir).unwrap();
    copy_dir(&other_dir.path().join(plupper_index::INDEX_DIR), &index_dir);
    assert_eq!(count_closed(dir, &mut store, &money), None);
    assert_eq!(
        executor::count(store.as_ref().unwrap(), &money).unwrap().1,
        3
    );

    // No index at all.
    std::fs::remove_dir_all(&index_dir).unwrap();
    assert_eq!(count_closed(dir, &mut store, &money), None);
    update(store.as_ref().unwrap(), false, &NoProgress).unwrap();
    assert_eq!(count_closed(dir, &mut store, &money), Some(3));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}
