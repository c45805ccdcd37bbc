//! An export written and read back: shards decompressed and parsed, split at the limits,
//! checksums, `_id`s, and the index definitions parsed as the engines would read them.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::io::{BufRead, BufReader};
use std::path::Path;

use chrono::{FixedOffset, NaiveDate};
use flate2::read::GzDecoder;
use plupper_engines::export::{
    ArchiveState, EngineManifest, ExportHeader, ExportWriter, FilterRecord, MANIFEST, ShardLimits,
};
use plupper_engines::{Document, Engine};
use plupper_model::Message;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn document(id: i64) -> Document {
    let message = Message {
        content: format!(
            "Message {id}: ÄRGER über Σ \"quoted\" \\ {}",
            "x".repeat(id as usize)
        ),
        customer_id: (id % 2 == 0).then(|| "IBM".to_owned()),
        created: "Wed Apr 29 17:16:13 CEST 2009".into(),
        visitor_id: Some(id * 10),
        message_type: "VO".into(),
        operator: Some("peter".into()),
    };
    let day = NaiveDate::from_ymd_opt(2009, 4, 29).unwrap();
    let offset = (id != 4).then(|| FixedOffset::east_opt(7200).unwrap());
    Document::new(
        id,
        &message,
        day,
        day.and_hms_opt(17, 16, 13).unwrap(),
        offset,
    )
}

fn header() -> ExportHeader {
    ExportHeader {
        tool: "test".into(),
        exported_at: "2026-11-25T12:00:00Z".into(),
        archive: ArchiveState {
            uuid: "uuid".into(),
            messages: 7,
        },
        filter: FilterRecord {
            given: vec![("--operator".into(), "peter".into())],
            applied: "operator=peter".into(),
        },
        since_id: Some(0),
        last_id: 7,
    }
}

fn export(dir: &Path, engine: Engine, limits: ShardLimits) -> EngineManifest {
    let mut writer = ExportWriter::create(dir, engine, limits).unwrap();
    for id in 1..=7 {
        writer.write(&document(id)).unwrap();
    }
    writer.finish(header()).unwrap()
}

fn lines(path: &Path) -> Vec<Value> {
    let file = std::fs::File::open(path).unwrap();
    BufReader::new(GzDecoder::new(file))
        .lines()
        .map(|line| serde_json::from_str(&line.unwrap()).unwrap())
        .collect()
}

#[test]
fn quickwit_shards_hold_every_document_once_split_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("qw");
    let manifest = export(
        &out,
        Engine::Quickwit,
        ShardLimits {
            documents: 3,
            bytes: None,
        },
    );
    let sizes: Vec<u64> = manifest.shards.iter().map(|s| s.documents).collect();
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(manifest.counts.documents, 7);
    let mut read = Vec::new();
    for shard in &manifest.shards {
        let path = out.join(&shard.file.path);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(shard.file.bytes, bytes.len() as u64);
        assert_eq!(shard.file.sha256, format!("{:x}", Sha256::digest(&bytes)));
        let docs = lines(&path);
        assert_eq!(docs.len() as u64, shard.documents);
        read.extend(
            docs.into_iter()
                .map(|d| serde_json::from_value::<Document>(d).unwrap()),
        );
    }
    let expected: Vec<Document> = (1..=7).map(document).collect();
    assert_eq!(read, expected);
    // The unknown zone: no timestamp, the date and the order kept.
    let raw = lines(&out.join("messages-00002.ndjson.gz"));
    assert!(raw[0].get("timestamp").is_none());
    assert_eq!(raw[0]["order"], "2009-04-29T17:16:13Z");
    assert_eq!(raw[1]["timestamp"], "2009-04-29T17:16:13+02:00");

    let written: EngineManifest =
        serde_json::from_slice(&std::fs::read(out.join(MANIFEST)).unwrap()).unwrap();
    assert_eq!(written, manifest);
    assert_eq!(written.since_id, Some(0));
    assert_eq!(written.last_id, 7);
}

#[test]
fn opensearch_bulk_shards_pair_an_index_action_with_each_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("os");
    let one = serde_json::to_vec(&document(7)).unwrap().len() as u64;
    // Room for two of the longest pairs: the byte limit cuts before the document limit.
    let limits = ShardLimits {
        documents: 100,
        bytes: Some(2 * (one + 60)),
    };
    let manifest = export(&out, Engine::OpenSearch, limits);
    assert!(manifest.shards.len() >= 3, "{:?}", manifest.shards);
    let mut ids = Vec::new();
    for shard in &manifest.shards {
        assert!(shard.uncompressed_bytes <= limits.bytes.unwrap());
        let lines = lines(&out.join(&shard.file.path));
        assert_eq!(lines.len() as u64, 2 * shard.documents);
        for pair in lines.chunks(2) {
            assert_eq!(pair[0]["index"]["_index"], "plupper-messages");
            let id = pair[0]["index"]["_id"].as_str().unwrap().to_owned();
            assert_eq!(id, pair[1]["id"].to_string());
            ids.push(id);
        }
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7);
    assert_eq!(ids, (1..=7).map(|i| i.to_string()).collect::<Vec<_>>());
}

#[test]
fn the_quickwit_index_config_parses_and_keeps_the_api_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("qw");
    let manifest = export(
        &out,
        Engine::Quickwit,
        ShardLimits::for_engine(Engine::Quickwit),
    );
    assert_eq!(manifest.index_definition.path, "index-config.yaml");
    let text = std::fs::read(out.join("index-config.yaml")).unwrap();
    assert_eq!(
        manifest.index_definition.sha256,
        format!("{:x}", Sha256::digest(&text))
    );
    let yaml: serde_yaml::Value = serde_yaml::from_slice(&text).unwrap();
    assert_eq!(yaml["version"], serde_yaml::Value::from(0.8));
    assert_eq!(yaml["index_id"], "plupper-messages");
    let mapping = &yaml["doc_mapping"];
    assert_eq!(mapping["timestamp_field"], "order");
    assert_eq!(mapping["tag_fields"][0], "operator");
    let field = |name: &str| {
        mapping["field_mappings"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name}"))
            .clone()
    };
    for name in ["timestamp", "order", "date"] {
        assert_eq!(field(name)["type"], "datetime", "{name}");
        assert_eq!(field(name)["fast"], true, "{name}");
    }
    assert_eq!(field("date")["input_formats"][0], "%Y-%m-%d");
    for name in ["operator", "customerId", "type"] {
        assert_eq!(field(name)["tokenizer"], "raw", "{name}");
    }
    assert_eq!(field("visitorId")["type"], "i64");
    assert_eq!(field("content")["tokenizer"], "default");
    assert_eq!(field("content_folded")["tokenizer"], "trigram");
    let tokenizer = &mapping["tokenizers"][0];
    assert_eq!(tokenizer["name"], "trigram");
    assert_eq!(tokenizer["type"], "ngram");
    assert_eq!(
        (
            tokenizer["min_gram"].as_u64(),
            tokenizer["max_gram"].as_u64()
        ),
        (Some(3), Some(3))
    );
    assert_eq!(tokenizer["filters"].as_sequence().unwrap().len(), 0); // folded already
    assert_eq!(
        yaml["search_settings"]["default_search_fields"][0],
        "content"
    );
}

#[test]
fn the_opensearch_mapping_parses_with_keywords_a_date_and_a_wildcard() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("os");
    export(
        &out,
        Engine::OpenSearch,
        ShardLimits::for_engine(Engine::OpenSearch),
    );
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.join("mapping.json")).unwrap()).unwrap();
    let properties = &json["mappings"]["properties"];
    for name in ["operator", "customerId", "type"] {
        assert_eq!(properties[name]["type"], "keyword", "{name}");
    }
    assert_eq!(properties["date"]["type"], "date");
    assert_eq!(properties["date"]["format"], "strict_date");
    assert_eq!(properties["timestamp"]["type"], "date");
    assert_eq!(properties["visitorId"]["type"], "long");
    assert_eq!(properties["content"]["type"], "text");
    assert_eq!(properties["content_folded"]["type"], "wildcard");
    assert_eq!(json["mappings"]["dynamic"], "strict");
}

#[test]
fn an_export_never_mixes_with_another() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "x").unwrap();
    let error = ExportWriter::create(
        dir.path(),
        Engine::Quickwit,
        ShardLimits::for_engine(Engine::Quickwit),
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}: the directory is not empty; give a new one",
            dir.path().display()
        )
    );
    assert!(error.is_invalid_input());
    let limits = ShardLimits {
        documents: 0,
        bytes: None,
    };
    let error =
        ExportWriter::create(&dir.path().join("new"), Engine::Quickwit, limits).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid shard limit: documents per shard must be at least 1"
    );

    // An abandoned export leaves nothing behind.
    let out = dir.path().join("made/here");
    let mut writer = ExportWriter::create(
        &out,
        Engine::Quickwit,
        ShardLimits::for_engine(Engine::Quickwit),
    )
    .unwrap();
    writer.write(&document(1)).unwrap();
    writer.abandon();
    assert!(!out.exists());
}

#[test]
fn a_document_bigger_than_the_byte_limit_has_a_shard_to_itself() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("os");
    let limits = ShardLimits {
        documents: 100,
        bytes: Some(10),
    };
    let manifest = export(&out, Engine::OpenSearch, limits);
    assert_eq!(manifest.shards.len(), 7);
    assert!(manifest.shards.iter().all(|shard| shard.documents == 1));
}
