//! The reference executor against a filter written plainly in this test: random archives
//! (tricky Unicode, zones, duplicates) and random filters must give the same answer, in
//! the same order.

#![allow(clippy::unwrap_used)] // a test states its expectations with unwrap()

use chrono::{Duration, NaiveDate, NaiveDateTime};
use plupper_model::element::parse_element;
use plupper_model::fold_char;
use plupper_search::{Filter, reference};
use plupper_store::{Arrival, Store};
use proptest::prelude::*;

/// Zones with the offset this test expects (seconds east), or None for unknown ones.
const ZONES: &[(&str, Option<i64>)] = &[
    ("CET", Some(3600)),
    ("CEST", Some(7200)),
    ("GMT", Some(0)),
    ("EST", Some(-18000)),
    ("AEDT", Some(39600)),
    ("GMT+05:30", Some(19800)),
    ("CST", None),
    ("MSK", None),
    ("XYZ", None),
];

/// Letters that fold in surprising ways, and some that do not fold at all.
const ALPHABET: &[char] = &[
    'a', 'A', 'k', 'K', '\u{212A}', 's', 'S', 'ſ', 'ß', 'ẞ', 'σ', 'Σ', 'ς', 'µ', 'μ', 'ä', 'Ä',
    'ﬁ', 'f', 'i', 'İ', ' ', '%', '_',
];

#[derive(Debug, Clone)]
struct Generated {
    content: String,
    operator: Option<&'static str>,
    visitor: Option<i64>,
    customer: Option<&'static str>,
    wall_clock: NaiveDateTime,
    zone: usize,
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..max)
        .prop_map(|chars| chars.into_iter().collect())
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        text(8),
        prop::option::of(prop::sample::select(vec!["peter", "Peter", "john"])),
        prop::option::of(prop::sample::select(vec![1i64, 2, 3_000_000_000])),
        prop::option::of(prop::sample::select(vec!["IBM", "ibm", "42"])),
        0i64..(4 * 86_400),
        0..ZONES.len(),
    )
        .prop_map(|(content, operator, visitor, customer, seconds, zone)| {
            let base = NaiveDate::from_ymd_opt(2009, 4, 28)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap();
            // Times fall on a few minutes only, so that equal instants happen.
            let wall_clock = base + Duration::seconds(seconds - seconds % 1800);
            Generated {
                content,
                operator,
                visitor,
                customer,
                wall_clock,
                zone,
            }
        })
}

fn filter() -> impl Strategy<Value = Filter> {
    let day = prop::option::of((27u32..33).prop_map(|d| {
        NaiveDate::from_ymd_opt(2009, 4, 1).unwrap() + Duration::days(i64::from(d) - 1)
    }));
    (
        day.clone(),
        day,
        prop::option::of(prop::sample::select(vec![
            "peter", "Peter", "john", "nobody",
        ])),
        prop::option::of(prop::sample::select(vec![1i64, 2, 3_000_000_000])),
        prop::option::of(prop::sample::select(vec!["IBM", "ibm", "42"])),
        prop::option::of(text(3).prop_filter("non-empty", |t| !t.is_empty())),
    )
        .prop_map(
            |(from, to, operator, visitor_id, customer_id, contains)| Filter {
                from,
                to,
                operator: operator.map(str::to_owned),
                visitor_id,
                customer_id: customer_id.map(str::to_owned),
                contains,
            },
        )
}

fn element_text(message: &Generated) -> String {
    let created = format!(
        "{} {} {}",
        message.wall_clock.format("%a %b %d %H:%M:%S"),
        ZONES[message.zone].0,
        message.wall_clock.format("%Y")
    );
    serde_json::json!({
        "content": message.content,
        "customerId": message.customer,
        "created": created,
        "visitorId": message.visitor,
        "type": "VO",
        "operator": message.operator,
    })
    .to_string()
}

/// `contains`, written plainly: fold every character, then look at every window.
fn plainly_contains(haystack: &str, needle: &str) -> bool {
    let haystack: Vec<char> = haystack.chars().map(fold_char).collect();
    let needle: Vec<char> = needle.chars().map(fold_char).collect();
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window == needle.as_slice())
}

/// The whole filter, written plainly; returns the matching archive ids in answer order.
fn plainly(archive: &[(i64, Generated)], filter: &Filter) -> Vec<i64> {
    let mut hits: Vec<(i64, i64)> = Vec::new();
    for (id, message) in archive {
        let date = message.wall_clock.date();
        let keep = filter.from.is_none_or(|from| date >= from)
            && filter.to.is_none_or(|to| date <= to)
            && filter
                .operator
                .as_deref()
                .is_none_or(|op| message.operator == Some(op))
            && filter.visitor_id.is_none_or(|v| message.visitor == Some(v))
            && filter
                .customer_id
                .as_deref()
                .is_none_or(|c| message.customer == Some(c))
            && filter
                .contains
                .as_deref()
                .is_none_or(|needle| plainly_contains(&message.content, needle));
        if keep {
            let wall = message.wall_clock.and_utc().timestamp();
            let sort_key = wall - ZONES[message.zone].1.unwrap_or(0);
            hits.push((sort_key, *id));
        }
    }
    hits.sort();
    hits.into_iter().map(|(_, id)| id).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn reference_executor_equals_the_plain_filter(
        messages in prop::collection::vec(generated(), 0..60),
        repeats in prop::collection::vec(0usize..60, 0..6),
        filters in prop::collection::vec(filter(), 1..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        // Some messages listed twice in the source: two copies are archived.
        let mut source = messages.clone();
        for &r in &repeats {
            if let Some(message) = messages.get(r) {
                source.push(message.clone());
            }
        }
        let arrivals: Vec<Arrival> = source
            .iter()
            .enumerate()
            .map(|(i, m)| Arrival::new(parse_element(element_text(m).as_bytes()).unwrap(), i as u64))
            .collect();
        let mut unit = store.begin("test").unwrap();
        unit.apply(&arrivals, &[]).unwrap();
        unit.finish().unwrap();
        let archive: Vec<(i64, Generated)> = source.into_iter().enumerate().map(|(i, m)| (i as i64 + 1, m)).collect();

        for filter in &filters {
            let expected = plainly(&archive, filter);
            let answer: Vec<i64> = reference::messages(&store, filter)
                .unwrap()
                .map(|m| m.unwrap().id.0)
                .collect();
            prop_assert_eq!(&answer, &expected, "{:?}", filter);
            prop_assert_eq!(reference::count(&store, filter).unwrap(), expected.len() as u64);
        }
    }
}

#[test]
fn pages_are_seamless_across_equal_instants() {
    // More messages with one instant than a page holds: keyset paging must not skip or
    // repeat any of them.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let arrivals: Vec<Arrival> = (0..1500)
        .map(|i| {
            let text = format!(
                r#"{{"content":"m{i}","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}}"#
            );
            Arrival::new(parse_element(text.as_bytes()).unwrap(), i)
        })
        .collect();
    let mut unit = store.begin("test").unwrap();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
    let ids: Vec<i64> = reference::messages(&store, &Filter::default())
        .unwrap()
        .map(|m| m.unwrap().id.0)
        .collect();
    assert_eq!(ids, (1..=1500).collect::<Vec<_>>());
}

#[test]
fn exact_filters_use_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let plan = |filter: Filter| store.explain_selection(&filter.selection()).unwrap();
    let operator = plan(Filter {
        operator: Some("peter".into()),
        ..Filter::default()
    });
    // Operator and customer id have no B-tree index of their own (the search index
    // answers them); without it, the store walks the time index in answer order.
    assert!(
        operator.contains("USING INDEX message_by_time"),
        "{operator}"
    );
    let customer = plan(Filter {
        customer_id: Some("IBM".into()),
        ..Filter::default()
    });
    assert!(
        customer.contains("USING INDEX message_by_time"),
        "{customer}"
    );
    assert!(
        !customer.contains("TEMP B-TREE"),
        "no sort needed: {customer}"
    );
    let visitor = plan(Filter {
        visitor_id: Some(5),
        ..Filter::default()
    });
    assert!(
        visitor.contains("USING INDEX message_by_visitor"),
        "{visitor}"
    );
    let dates = plan(Filter {
        from: NaiveDate::from_ymd_opt(2009, 4, 29),
        ..Filter::default()
    });
    assert!(dates.contains("USING INDEX message_by_time"), "{dates}");
    assert!(!dates.contains("TEMP B-TREE"), "no sort needed: {dates}");
    assert!(
        !operator.contains("TEMP B-TREE"),
        "no sort needed: {operator}"
    );
}
