//! The translator's queries against a plain model of each engine's matching, on random
//! contents and needles: Quickwit's trigram terms never miss a message that `contains`
//! matches (a superset: re-checking it gives the API's answer), and are exact for three
//! characters; OpenSearch's wildcard pattern on the folded field is exactly `contains`.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use plupper_engines::{Engine, translate::translate};
use plupper_model::Contains;
use plupper_model::fold::fold;
use plupper_search::Filter;
use proptest::prelude::*;

/// The character trigrams Quickwit's `ngram` tokenizer (3..3) makes of a text.
fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).map(|w| w.iter().collect()).collect()
}

/// The terms of a Quickwit query's `content_folded:"..."` clauses, unescaped.
fn quickwit_terms(query: &str) -> Vec<String> {
    query
        .split(" AND ")
        .filter_map(|clause| clause.strip_prefix("content_folded:\""))
        .map(|quoted| {
            let inner = &quoted[..quoted.len() - 1];
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' { chars.next().unwrap() } else { c });
            }
            out
        })
        .collect()
}

/// Quickwit's answer to the terms: every term is one of the document's trigrams.
fn quickwit_matches(terms: &[String], content: &str) -> bool {
    let grams = trigrams(&fold(content));
    terms.iter().all(|term| grams.contains(term))
}

/// OpenSearch's `wildcard` query on the folded field, for a `*literal*` pattern.
fn opensearch_matches(query: &str, content: &str) -> bool {
    let body: serde_json::Value = serde_json::from_str(query).unwrap();
    let pattern = body["query"]["bool"]["filter"][0]["wildcard"]["content_folded"]["value"]
        .as_str()
        .unwrap();
    let inner = &pattern[1..pattern.len() - 1];
    let mut literal = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => literal.push(chars.next().unwrap()),
            '*' | '?' => panic!("an unescaped wildcard in {pattern}"),
            c => literal.push(c),
        }
    }
    fold(content).contains(&literal)
}

fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            'a', 'A', 'b', 'σ', 'Σ', 'ς', 'ß', 'ẞ', ' ', '*', '?', '"', '\\',
        ]),
        0..max,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn quickwit_never_misses_and_a_recheck_is_exact(content in text(12), needle in text(6)) {
        prop_assume!(!needle.is_empty());
        let translation = translate(Engine::Quickwit, &Filter::default().contains(&needle));
        let terms = quickwit_terms(&translation.query);
        let api = Contains::new(&needle).matches(&content);
        let engine = quickwit_matches(&terms, &content);
        if api {
            prop_assert!(engine, "missed: {content:?} contains {needle:?}; query {}", translation.query);
        }
        // The re-check the caveat asks for gives the API's answer.
        prop_assert_eq!(engine && fold(&content).contains(&fold(&needle)), api);
        // Exact (no caveat) only where the engine alone answers as the API.
        if translation.is_exact() {
            prop_assert_eq!(engine, api, "{}", translation.query);
        }
        prop_assert_eq!(translation.is_exact(), needle.chars().count() == 3);
    }

    #[test]
    fn opensearch_wildcard_is_contains(content in text(12), needle in text(6)) {
        prop_assume!(!needle.is_empty());
        let translation = translate(Engine::OpenSearch, &Filter::default().contains(&needle));
        prop_assert!(translation.is_exact());
        prop_assert_eq!(
            opensearch_matches(&translation.query, &content),
            Contains::new(&needle).matches(&content)
        );
    }
}
