#![allow(missing_docs)] // criterion_group! and criterion_main! generate undocumented items
//! Criterion micro-benchmarks of the steps every message goes through: parsing an
//! element, parsing its Java date, case folding for `contains`, the §1b reconciliation
//! of a batch into the store, and an index query. Short-running: `cargo bench -p
//! plupper-bench` takes about a minute.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use plupper_bench::corpus::{CorpusConfig, Format, GeneratedMessage, Generator, write_messages};
use plupper_model::element::parse_element;
use plupper_model::{Contains, JavaDate, fold::fold};
use plupper_store::query::Selection;
use plupper_store::{Arrival, Store};

/// A small deterministic corpus, as generated messages.
fn messages(count: u64) -> Vec<GeneratedMessage> {
    let config = CorpusConfig {
        messages: count,
        seed: 3,
        ..CorpusConfig::default()
    };
    Generator::new(config)
        .expect("a valid corpus config")
        .collect()
}

/// The messages as API list elements (JSON string literals).
fn api_elements(messages: &[GeneratedMessage]) -> Vec<String> {
    messages
        .iter()
        .map(|m| serde_json::to_string(&m.object_text()).expect("a string serializes"))
        .collect()
}

fn parsing(c: &mut Criterion) {
    let elements = api_elements(&messages(1000));
    c.bench_function("parse_element (1000 API elements)", |b| {
        b.iter(|| {
            for element in &elements {
                black_box(parse_element(element.as_bytes()).expect("a valid element"));
            }
        })
    });
    let dates: Vec<String> = messages(1000).into_iter().map(|m| m.created).collect();
    c.bench_function("JavaDate::parse (1000 dates)", |b| {
        b.iter(|| {
            for date in &dates {
                black_box(JavaDate::parse(date).expect("a valid date"));
            }
        })
    });
}

fn folding(c: &mut Criterion) {
    let contents: Vec<String> = messages(1000).into_iter().map(|m| m.content).collect();
    c.bench_function("fold (1000 contents)", |b| {
        b.iter(|| {
            for content in &contents {
                black_box(fold(content));
            }
        })
    });
    for needle in ["thanks", "Ďakujem"] {
        let contains = Contains::new(needle);
        c.bench_function(
            &format!("Contains::matches_with {needle} (1000 contents)"),
            |b| {
                let mut scratch = String::new();
                b.iter(|| {
                    contents
                        .iter()
                        .filter(|content| contains.matches_with(content, &mut scratch))
                        .count()
                })
            },
        );
    }
}

fn arrivals(messages: &[GeneratedMessage]) -> Vec<Arrival> {
    api_elements(messages)
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Arrival::new(
                parse_element(e.as_bytes()).expect("a valid element"),
                i as u64,
            )
        })
        .collect()
}

fn reconciliation(c: &mut Criterion) {
    let batch = arrivals(&messages(2000));
    c.bench_function("reconcile 2000 new messages (§1b, one transaction)", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let store = Store::open(dir.path()).expect("a new archive");
                (dir, store)
            },
            |(dir, mut store)| {
                let mut unit = store.begin("bench").expect("a unit");
                black_box(unit.apply(&batch, &[]).expect("applied"));
                unit.finish().expect("finished");
                drop(store);
                dir
            },
            BatchSize::PerIteration,
        )
    });
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut store = Store::open(dir.path()).expect("a new archive");
    let mut unit = store.begin("bench").expect("a unit");
    unit.apply(&batch, &[]).expect("applied");
    unit.finish().expect("finished");
    c.bench_function("reconcile 2000 messages already archived (§1b)", |b| {
        b.iter(|| {
            let mut unit = store.begin("bench again").expect("a unit");
            black_box(unit.apply(&batch, &[]).expect("applied"));
            unit.finish().expect("finished");
        })
    });
}

fn index_query(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("corpus.json");
    let out = std::fs::File::create(&file).expect("a corpus file");
    write_messages(out, Format::Api, messages(50_000)).expect("the corpus is written");
    let mut store = Store::open(&dir.path().join("archive")).expect("a new archive");
    let report =
        plupper_sync::file::import_file(&mut store, &file, &plupper_sync::load::NoProgress);
    assert!(report.error.is_none(), "{:?}", report.error);
    plupper_index::update(&store, false, &plupper_index::NoProgress).expect("the index is built");
    let searcher = plupper_index::IndexSearcher::open_current(&store)
        .expect("the index opens")
        .expect("the index is current");
    let all = Selection::default();
    for needle in ["quokka", "thanks", "ok", "Ďakujem"] {
        c.bench_function(&format!("index count {needle:?} (50k messages)"), |b| {
            b.iter(|| searcher.count(&all, needle).expect("counted"))
        });
    }
    c.bench_function("index keys \"thanks\" (50k messages)", |b| {
        b.iter(|| searcher.keys(&store, &all, "thanks", None).expect("keys"))
    });
}

criterion_group! {
    name = micro;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = parsing, folding, reconciliation, index_query
}
criterion_main!(micro);
