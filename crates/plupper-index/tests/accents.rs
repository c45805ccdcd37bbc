//! Accent-insensitive ranked search over one word field: a word with accents is also
//! held without them at its position, marked. Single words, phrases (up to the regex
//! phrase past 16 combinations of forms) and prefixes find every form, and the written
//! form ranks first.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use plupper_index::{Clause, IndexSearcher, RankedQuery};
use plupper_model::element::parse_element;
use plupper_store::query::Selection;
use plupper_store::{ArchiveId, Arrival, Store};

fn arrival(n: u64, content: &str) -> Arrival {
    let text = format!(
        r#"{{"content":"{content}","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}}"#
    );
    Arrival::new(parse_element(text.as_bytes()).unwrap(), n)
}

/// An indexed archive of these contents (ids 1, 2, ...).
fn archive(contents: &[&str]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let arrivals: Vec<Arrival> = (0..)
        .zip(contents)
        .map(|(n, content)| arrival(n, content))
        .collect();
    let mut unit = store.begin("file").unwrap();
    unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
    plupper_index::update(&store, false, &plupper_index::NoProgress).unwrap();
    (dir, store)
}

/// The ids a one-clause search finds, best first.
fn found(store: &Store, clause: Clause) -> Vec<i64> {
    let searcher = IndexSearcher::open_current(store).unwrap().unwrap();
    let query = RankedQuery {
        required: vec![vec![clause]],
        excluded: Vec::new(),
    };
    let hits = searcher
        .ranked(&query, &Selection::default(), None)
        .unwrap();
    hits.into_iter().map(|(_, ArchiveId(id))| id).collect()
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

#[test]
fn words_and_phrases_find_every_form_and_the_written_one_first() {
    let (_dir, store) = archive(&[
        "ďakujem pekne",  // 1
        "dakujem pekne",  // 2
        "Ďakujem pékne",  // 3
        "pekne ďakujem",  // 4
        "ďakujemx pekne", // 5
    ]);
    let phrase = |text: &str| found(&store, Clause::Phrase(text.into()));
    // The messages holding the written form, then the others (each part by BM25, which
    // ranks a shorter message higher: every accented word counts twice in its length).
    let ranked = |text: &str, written: &[i64], others: &[i64]| {
        let hits = phrase(text);
        assert_eq!(hits.len(), written.len() + others.len(), "{text}: {hits:?}");
        assert_eq!(
            sorted(hits[..written.len()].to_vec()),
            written,
            "{text}: {hits:?}"
        );
        assert_eq!(
            sorted(hits[written.len()..].to_vec()),
            others,
            "{text}: {hits:?}"
        );
    };
    ranked("dakujem", &[2], &[1, 3, 4]);
    ranked("Ďakujem", &[1, 3, 4], &[2]);
    // A phrase: every combination of forms, in order.
    ranked("dakujem pekne", &[2], &[1, 3]);
    ranked("ďakujem pekne", &[1], &[2, 3]);
    ranked("\u{10f}akujem p\u{e9}kne", &[3], &[1, 2]);
    ranked("pekne dakujem", &[], &[4]);
    assert!(phrase("pekne dakujem x").is_empty());
}

#[test]
fn a_phrase_of_many_accented_words_still_finds_every_form() {
    // Five accented words: 32 combinations of forms, past the 16 a union spells out.
    let written = "čaj káva mlieko ľad šťava";
    let (_dir, store) = archive(&[
        written,                            // 1
        "caj kava mlieko lad stava",        // 2
        "čaj kava mlieko ľad stava",        // 3
        "čaj káva mlieko šťava ľad",        // 4: another order
        "čaj káva mlieko ľad šťava ďalšie", // 5
    ]);
    let phrase = |text: &str| sorted(found(&store, Clause::Phrase(text.into())));
    assert_eq!(phrase(written), [1, 2, 3, 5]);
    assert_eq!(phrase("caj kava mlieko lad stava"), [1, 2, 3, 5]);
}

#[test]
fn prefixes_ignore_accents_and_span_words() {
    let (_dir, store) = archive(&[
        "dôležité info",    // 1
        "dolezite veci",    // 2
        "e-mail prosím",    // 3
        "e-mailová adresa", // 4
        "é-mailový",        // 5
        "mail",             // 6
    ]);
    let prefix = |text: &str| sorted(found(&store, Clause::Prefix(text.into())));
    assert_eq!(prefix("dolez"), [1, 2]);
    assert_eq!(prefix("dôl"), [1, 2]);
    assert_eq!(prefix("e-mail"), [3, 4, 5]);
    assert_eq!(prefix("e-mailo"), [4, 5]);
    assert_eq!(prefix("mail"), [3, 4, 5, 6]);
}
