//! `Archive::export_engine` on the sample data: the shards hold exactly the messages the
//! filter selects (decompressed, parsed, against `Archive::query`), and `since_id` adds
//! only what is new.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::io::{BufRead, BufReader};
use std::path::Path;

use flate2::read::GzDecoder;
use plupper_archive::{
    Archive, Engine, EngineManifest, ExportInfo, Filter, NoProgress, ShardLimits,
};
use serde_json::Value;

fn info() -> ExportInfo {
    ExportInfo {
        tool: "test".into(),
        exported_at: "2026-11-25T12:00:00Z".into(),
        given: vec![],
    }
}

fn sample() -> Vec<std::path::PathBuf> {
    [
        "messages-2008.json",
        "messages-2009.json",
        "messages-2010.json",
    ]
    .iter()
    .map(|name| Path::new("../../data/sample").join(name))
    .collect()
}

/// Every document line of the export, in shard order.
fn documents(dir: &Path, manifest: &EngineManifest) -> Vec<Value> {
    let mut docs = Vec::new();
    for shard in &manifest.shards {
        let file = std::fs::File::open(dir.join(&shard.file.path)).unwrap();
        for line in BufReader::new(GzDecoder::new(file)).lines() {
            let value: Value = serde_json::from_str(&line.unwrap()).unwrap();
            if value.get("index").is_none() {
                docs.push(value);
            }
        }
    }
    docs
}

#[test]
fn the_shards_hold_exactly_the_selected_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::create(dir.path().join("archive")).unwrap();
    archive.import(&sample(), &NoProgress).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    for (query, applied) in [
        ("", ""),
        ("contains=the", "contains=the"),
        (
            "operator=peter&from=01/01/09",
            "from=01%2F01%2F2009&operator=peter",
        ),
    ] {
        let filter = Filter::from_query_string(query, today).unwrap();
        let expected: Vec<_> = archive
            .query(&filter)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(!expected.is_empty(), "{query}");
        for engine in [Engine::Quickwit, Engine::OpenSearch] {
            let out = dir.path().join(format!("{engine}-{}", query.len()));
            let limits = ShardLimits {
                documents: 50,
                bytes: None,
            };
            let manifest = archive
                .export_engine(&filter, None, engine, &out, info(), limits)
                .unwrap();
            assert_eq!(manifest.counts.documents, expected.len() as u64, "{query}");
            assert_eq!(manifest.shards.len(), expected.len().div_ceil(50));
            assert_eq!(manifest.filter.applied, applied);
            let docs = documents(&out, &manifest);
            assert_eq!(docs.len(), expected.len());
            for (doc, stored) in docs.iter().zip(&expected) {
                assert_eq!(doc["id"], stored.id.0);
                assert_eq!(doc["content"], stored.message.content.as_str());
                assert_eq!(doc["created"], stored.message.created.as_str());
                assert_eq!(doc["operator"].as_str(), stored.message.operator.as_deref());
                assert_eq!(
                    doc["customerId"].as_str(),
                    stored.message.customer_id.as_deref()
                );
                assert_eq!(doc["visitorId"].as_i64(), stored.message.visitor_id);
                assert_eq!(doc["type"], stored.message.message_type.as_str());
                assert_eq!(
                    doc["timestamp"].as_str(),
                    stored.timestamp_rfc3339().as_deref()
                );
                assert_eq!(doc["date"], stored.written_date.to_string());
            }
        }
    }
}

#[test]
fn since_id_adds_only_the_new_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::create(dir.path().join("archive")).unwrap();
    archive.import(&sample()[..1], &NoProgress).unwrap();
    let limits = ShardLimits::for_engine(Engine::OpenSearch);
    let first = dir.path().join("first");
    let manifest = archive
        .export_engine(
            &Filter::default(),
            None,
            Engine::OpenSearch,
            &first,
            info(),
            limits,
        )
        .unwrap();
    let before = manifest.last_id;
    assert_eq!(
        manifest.counts.documents,
        archive.count(&Filter::default()).unwrap()
    );
    assert_eq!(manifest.since_id, None);

    archive.import(&sample()[1..], &NoProgress).unwrap();
    let next = dir.path().join("next");
    let manifest = archive
        .export_engine(
            &Filter::default(),
            Some(before),
            Engine::OpenSearch,
            &next,
            info(),
            limits,
        )
        .unwrap();
    assert_eq!(manifest.since_id, Some(before));
    let all = archive.count(&Filter::default()).unwrap();
    assert_eq!(manifest.counts.documents, all - before as u64);
    assert_eq!(manifest.last_id, all as i64);
    let mut ids: Vec<i64> = documents(&next, &manifest)
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ((before + 1)..=all as i64).collect::<Vec<_>>());

    // With a filter: the filter's messages among the new ones.
    let filtered = dir.path().join("filtered");
    let filter = Filter::default().contains("the");
    let manifest = archive
        .export_engine(
            &filter,
            Some(before),
            Engine::Quickwit,
            &filtered,
            info(),
            limits,
        )
        .unwrap();
    let expected: Vec<i64> = archive
        .query(&filter)
        .unwrap()
        .map(|m| m.unwrap().id.0)
        .filter(|&id| id > before)
        .collect();
    assert!(!expected.is_empty());
    let ids: Vec<i64> = documents(&filtered, &manifest)
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, expected);

    // Nothing new: an export of nothing, still with its manifest.
    let empty = dir.path().join("empty");
    let manifest = archive
        .export_engine(
            &Filter::default(),
            Some(all as i64),
            Engine::OpenSearch,
            &empty,
            info(),
            limits,
        )
        .unwrap();
    assert_eq!((manifest.counts.documents, manifest.counts.shards), (0, 0));
    assert!(empty.join("manifest.json").is_file());

    // An output directory that holds anything is the caller's mistake.
    let error = archive
        .export_engine(
            &Filter::default(),
            None,
            Engine::Quickwit,
            &first,
            info(),
            limits,
        )
        .unwrap_err();
    assert!(error.is_invalid_input());
}
