//! Conversations as the store keeps them: grouped by visitor, split by the entry line and
//! by more than 30 minutes of silence, kept up to date as messages arrive (late ones
//! too), and equal to a from-scratch grouping whatever the order and chunking of arrival.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use plupper_model::date::format_java_date;
use plupper_model::element::parse_element;
use plupper_store::conversation::ENTRY_LINE;
use plupper_store::{ArchiveId, Arrival, ConversationId, Store};
use proptest::prelude::*;

/// 2009-04-29 17:00:00 (CEST, as written) plus `seconds`.
fn clock(seconds: i64) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2009, 4, 29)
        .unwrap()
        .and_hms_opt(17, 0, 0)
        .unwrap()
        + chrono::Duration::seconds(seconds)
}

/// A message of `visitor` (None: no visitor id) at `seconds` after 17:00.
#[derive(Debug, Clone)]
struct Line {
    visitor: Option<i64>,
    seconds: i64,
    kind: &'static str,
    operator: &'static str,
    content: String,
}

fn visitor(visitor: i64, seconds: i64, content: &str) -> Line {
    Line {
        visitor: Some(visitor),
        seconds,
        kind: "VO",
        operator: "john",
        content: content.into(),
    }
}

fn operator(visitor: i64, seconds: i64, operator: &'static str, content: &str) -> Line {
    Line {
        visitor: Some(visitor),
        seconds,
        kind: "VT",
        operator,
        content: content.into(),
    }
}

fn entry(visitor: i64, seconds: i64) -> Line {
    self::visitor(visitor, seconds, ENTRY_LINE)
}

fn text(line: &Line) -> String {
    let object = serde_json::json!({
        "content": line.content,
        "customerId": "IBM",
        "created": format_java_date(clock(line.seconds), "CEST"),
        "visitorId": line.visitor,
        "type": line.kind,
        "operator": line.operator,
    });
    serde_json::to_string(&object.to_string()).unwrap()
}

/// Imports `lines` as one source, in one chunk.
fn add(store: &mut Store, lines: &[Line]) {
    let arrivals: Vec<Arrival> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| Arrival::new(parse_element(text(line).as_bytes()).unwrap(), i as u64))
        .collect();
    let mut unit = store.begin("test").unwrap();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
}

/// Every conversation: id → its messages' ids in answer order.
fn conversations(store: &Store) -> BTreeMap<i64, Vec<i64>> {
    let mut out = BTreeMap::new();
    let mut after = None;
    loop {
        let page = store.conversations_page(after, 100).unwrap();
        let Some(last) = page.last() else { break };
        after = Some((last.first_key, last.first_message));
        for row in &page {
            let ids: Vec<i64> = store
                .conversation_messages(row.id)
                .unwrap()
                .iter()
                .map(|m| m.id.0)
                .collect();
            assert_eq!(ids.len() as u64, row.messages);
            assert_eq!(ids[0], row.first_message.0);
            for &id in &ids {
                assert_eq!(
                    store.conversation_of(ArchiveId(id)).unwrap(),
                    Some(row.id),
                    "message {id}"
                );
            }
            assert_eq!(
                store
                    .conversations_of(&ids.iter().map(|&id| ArchiveId(id)).collect::<Vec<_>>())
                    .unwrap(),
                [row.id]
            );
            out.insert(row.id.0, ids);
        }
    }
    assert_eq!(out.len() as u64, store.conversation_count().unwrap());
    out
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

#[test]
fn interleaved_visitors_make_separate_conversations() {
    let (_dir, mut store) = open();
    add(
        &mut store,
        &[
            entry(1, 0),                      // 1
            entry(2, 5),                      // 2
            visitor(1, 10, "hi"),             // 3
            visitor(2, 12, "hello"),          // 4
            operator(1, 20, "john", "hi 1"),  // 5
            operator(2, 25, "peter", "hi 2"), // 6
        ],
    );
    assert_eq!(
        conversations(&store),
        BTreeMap::from([(1, vec![1, 3, 5]), (2, vec![2, 4, 6])])
    );
    assert_eq!(
        store.conversation_of(ArchiveId(6)).unwrap(),
        Some(ConversationId(2))
    );
}

#[test]
fn two_operators_in_one_conversation() {
    let (_dir, mut store) = open();
    add(
        &mut store,
        &[
            entry(1, 0),
            visitor(1, 10, "hi"),
            operator(1, 60, "john", "hello, how can I help?"),
            visitor(1, 120, "an invoice question"),
            operator(1, 180, "anna", "anna from billing here"),
        ],
    );
    assert_eq!(
        conversations(&store),
        BTreeMap::from([(1, vec![1, 2, 3, 4, 5])])
    );
}

#[test]
fn a_gap_just_under_the_limit_continues_and_just_over_splits() {
    let (_dir, mut store) = open();
    add(
        &mut store,
        &[
            visitor(1, 0, "a"),
            visitor(1, 30 * 60 - 1, "29:59 later"), // same
            visitor(1, 60 * 60 - 1, "exactly 30:00 later"), // same
            visitor(1, 90 * 60, "30:01 later"),     // new
        ],
    );
    assert_eq!(
        conversations(&store),
        BTreeMap::from([(1, vec![1, 2, 3]), (4, vec![4])])
    );
}

#[test]
fn the_entry_line_starts_a_new_conversation_without_silence() {
    let (_dir, mut store) = open();
    add(
        &mut store,
        &[
            entry(1, 0),
            visitor(1, 10, "a"),
            entry(1, 20),
            visitor(1, 30, "b"),
        ],
    );
    assert_eq!(
        conversations(&store),
        BTreeMap::from([(1, vec![1, 2]), (3, vec![3, 4])])
    );
}

#[test]
fn a_late_message_inside_a_conversation_joins_it_and_keeps_its_id() {
    let (_dir, mut store) = open();
    add(
        &mut store,
        &[entry(1, 0), visitor(1, 10, "a"), visitor(1, 30, "c")],
    );
    add(&mut store, &[operator(1, 20, "john", "b, late")]); // id 4
    assert_eq!(
        conversations(&store),
        BTreeMap::from([(1, vec![1, 2, 4, 3])])
    );
}

#[test]
fn a_late_message_before_the_first_joins_and_the_id_stays() {
    let (_dir, mut store) = open();
    add(&mut store, &[visitor(1, 100, "a"), visitor(1, 110, "b")]);
    add(&mut store, &[entry(1, 90)]); // id 3, earliest in time
    assert_eq!(conversations(&store), BTreeMap::from([(1, vec![3, 1, 2])]));
}

#[test]
fn a_late_message_filling_a_gap_merges_two_conversations_under_the_smaller_id() {
    let (_dir, mut store) = open();
    add(&mut store, &[visitor(1, 0, "a"), visitor(1, 40 * 60, "b")]);
    assert_eq!(
        conversations(&store),
        BTreeMap::from([(1, vec![1]), (2, vec![2])])
    );
    add(&mut store, &[visitor(1, 20 * 60, "in between")]); // id 3
    assert_eq!(conversations(&store), BTreeMap::from([(1, vec![1, 3, 2])]));
}

#[test]
fn a_late_entry_line_splits_a_conversation() {
    let (_dir, mut store) = open();
    add(
        &mut store,
        &[
            visitor(1, 0, "a"),
            visitor(1, 60, "b"),
            visitor(1, 120, "c"),
        ],
    );
    add(&mut store, &[entry(1, 90)]); // id 4, between b and c
    assert_eq!(
        conversations(&store),
        BTreeMap::from([(1, vec![1, 2]), (3, vec![4, 3])])
    );
}

#[test]
fn messages_without_a_visitor_are_grouped_by_customer() {
    let (_dir, mut store) = open();
    let mut anonymous = visitor(0, 0, "no visitor");
    anonymous.visitor = None;
    let mut later = anonymous.clone();
    later.seconds = 60;
    later.content = "still no visitor".into();
    add(&mut store, &[anonymous, visitor(7, 30, "a visitor"), later]);
    assert_eq!(
        conversations(&store),
        BTreeMap::from([(1, vec![1, 3]), (2, vec![2])])
    );
}

/// The plain model: per visitor, sort by (time, id); a new conversation at the first
/// message, at an entry line, or after more than 30 minutes; the id is the smallest id.
fn model(messages: &[(i64, Line)]) -> BTreeMap<i64, Vec<i64>> {
    let mut by_visitor: BTreeMap<Option<i64>, Vec<(i64, i64, bool)>> = BTreeMap::new();
    for (id, line) in messages {
        by_visitor.entry(line.visitor).or_default().push((
            line.seconds,
            *id,
            line.content == ENTRY_LINE,
        ));
    }
    let mut out = BTreeMap::new();
    for (_, mut lines) in by_visitor {
        lines.sort();
        let mut current: Vec<i64> = Vec::new();
        let mut previous: Option<i64> = None;
        for (seconds, id, is_entry) in lines {
            if previous.is_some_and(|p| is_entry || seconds - p > 30 * 60) {
                out.insert(*current.iter().min().unwrap(), std::mem::take(&mut current));
            }
            current.push(id);
            previous = Some(seconds);
        }
        if !current.is_empty() {
            out.insert(*current.iter().min().unwrap(), current);
        }
    }
    out
}

fn line_strategy() -> impl Strategy<Value = Line> {
    (0i64..3, 0i64..(4 * 3600), any::<u8>()).prop_map(|(visitor, seconds, pick)| {
        // Times on a coarse grid, so that gaps of exactly 30 minutes and equal times occur.
        let seconds = seconds / 300 * 300;
        let content = if pick % 6 == 0 {
            ENTRY_LINE.to_owned()
        } else {
            format!("line {pick}")
        };
        Line {
            visitor: (visitor > 0).then_some(visitor),
            seconds,
            kind: "VO",
            operator: "john",
            content,
        }
    })
}

/// Adds `lines` in sources of the sizes `cuts` gives (cycled), then checks the stored
/// conversations against the model and `verify`.
fn check_incremental(lines: &[Line], cuts: &[usize]) -> Result<(), TestCaseError> {
    let (_dir, mut store) = open();
    let mut rest = lines;
    let mut cuts = cuts.iter().cycle();
    while !rest.is_empty() {
        let n = (*cuts.next().unwrap()).min(rest.len());
        add(&mut store, &rest[..n]);
        rest = &rest[n..];
    }
    // Duplicates in one source are archived once per copy; ids follow arrival.
    let archived: Vec<(i64, Line)> = (1..=store.max_id().unwrap().0)
        .map(|id| {
            let stored = store.message(ArchiveId(id)).unwrap().unwrap();
            let line = lines
                .iter()
                .find(|l| text(l) == stored.original().text)
                .unwrap()
                .clone();
            (id, line)
        })
        .collect();
    prop_assert_eq!(conversations(&store), model(&archived));
    prop_assert_eq!(store.verify().unwrap().problems, vec![]);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn incremental_grouping_equals_grouping_from_scratch(
        lines in prop::collection::vec(line_strategy(), 1..40),
        cuts in prop::collection::vec(1usize..8, 1..8),
    ) {
        // Arrive in several sources of various sizes, in a random order of time: every
        // source after the first brings late messages.
        check_incremental(&lines, &cuts)?;
    }

    #[test]
    fn a_history_in_time_order_is_appended_as_grouping_from_scratch_would(
        mut lines in prop::collection::vec(line_strategy(), 1..40),
        cuts in prop::collection::vec(1usize..8, 1..8),
    ) {
        // In time order (as an export is), each source's messages of a key come after
        // the key's archived ones: they are appended, not regrouped.
        lines.sort_by_key(|line| line.seconds);
        check_incremental(&lines, &cuts)?;
    }
}
