//! `export --format quickwit|opensearch` and `translate` (issue 21), on real files: the
//! shards hold exactly what `query` answers, `--since-id` adds only the new, the
//! translator's output for every parameter is under snapshot tests.

use std::io::{BufRead, BufReader};
use std::path::Path;

use flate2::read::GzDecoder;
use insta::assert_snapshot;
use serde_json::Value;
use sha2::Digest;

use crate::harness::{Sandbox, repo_root};

fn sample(sandbox: &Sandbox, files: &[&str]) {
    let paths: Vec<_> = files
        .iter()
        .map(|name| repo_root().join("data/sample").join(name))
        .collect();
    sandbox.import(&paths).ok();
}

/// The manifest and every line of every shard of the export in `dir`.
fn read_export(dir: &Path) -> (Value, Vec<Value>) {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let mut lines = Vec::new();
    for shard in manifest["shards"].as_array().unwrap() {
        let path = dir.join(shard["path"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        let sha = sha2::Sha256::digest(&bytes);
        assert_eq!(shard["sha256"], format!("{sha:x}"), "{}", path.display());
        for line in BufReader::new(GzDecoder::new(&bytes[..])).lines() {
            lines.push(serde_json::from_str(&line.unwrap()).unwrap());
        }
    }
    (manifest, lines)
}

#[test]
fn an_engine_export_holds_exactly_what_query_answers() {
    let sandbox = Sandbox::new();
    sample(&sandbox, &["messages-2011.json", "extra-2012.ndjson"]);
    let filter = ["--operator", "peter", "--contains", "the"];
    let expected = sandbox.query(&filter);
    assert!(expected.len() > 10);

    let out = sandbox.root().join("qw");
    let mut args = vec![
        "export",
        "--format",
        "quickwit",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(&filter);
    let stdout = sandbox.run(&args).ok().stdout_text();
    assert_eq!(
        sandbox.redact(&stdout),
        format!(
            "exported {} messages for quickwit to [SANDBOX]/qw: 1 shard, index-config.yaml and manifest.json\n\
             the archive's last id is {}: `export --format quickwit --since-id {}` adds what comes after\n",
            expected.len(),
            sandbox.count::<&str>(&[]),
            sandbox.count::<&str>(&[]),
        )
    );
    let (manifest, docs) = read_export(&out);
    assert_eq!(manifest["counts"]["documents"], expected.len());
    assert_eq!(manifest["filter"]["applied"], "operator=peter&contains=the");
    assert_eq!(docs.len(), expected.len());
    for (doc, message) in docs.iter().zip(&expected) {
        for field in ["id", "content", "created", "type", "operator", "timestamp"] {
            assert_eq!(
                doc.get(field).unwrap_or(&Value::Null),
                &message[field],
                "{field}"
            );
        }
        assert_eq!(
            doc.get("customerId").unwrap_or(&Value::Null),
            &message["customerId"]
        );
        assert_eq!(
            doc.get("visitorId").unwrap_or(&Value::Null),
            &message["visitorId"]
        );
    }
    let yaml: serde_yaml::Value =
        serde_yaml::from_slice(&std::fs::read(out.join("index-config.yaml")).unwrap()).unwrap();
    assert_eq!(yaml["doc_mapping"]["timestamp_field"], "order");
}

#[test]
fn since_id_adds_only_the_messages_archived_after_the_last_export() {
    let sandbox = Sandbox::new();
    sample(&sandbox, &["messages-2008.json"]);
    let first = sandbox.root().join("first");
    sandbox
        .run(&[
            "export",
            "--format",
            "opensearch",
            "--out",
            first.to_str().unwrap(),
        ])
        .ok();
    let (manifest, lines) = read_export(&first);
    let last = manifest["lastId"].as_i64().unwrap();
    assert_eq!(lines.len() as i64, 2 * last); // an action line before each document

    sample(&sandbox, &["messages-2009.json"]);
    let next = sandbox.root().join("next");
    let since = last.to_string();
    sandbox
        .run(&[
            "export",
            "--format",
            "opensearch",
            "--since-id",
            &since,
            "--out",
            next.to_str().unwrap(),
        ])
        .ok();
    let (manifest, lines) = read_export(&next);
    assert_eq!(manifest["sinceId"], last);
    let all = sandbox.count::<&str>(&[]) as i64;
    assert_eq!(manifest["lastId"], all);
    let ids: Vec<String> = lines
        .iter()
        .filter_map(|line| line["index"]["_id"].as_str().map(str::to_owned))
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "every _id once");
    let mut numbers: Vec<i64> = ids.iter().map(|id| id.parse().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, ((last + 1)..=all).collect::<Vec<_>>());
}

#[test]
fn engine_export_usage_errors() {
    let sandbox = Sandbox::new();
    sample(&sandbox, &["messages-2008.json"]);
    let out = sandbox.root().join("out");
    let out = out.to_str().unwrap();
    let cases: [(&str, &[&str]); 4] = [
        (
            "sign",
            &[
                "export", "--format", "quickwit", "--sign", "key", "--out", out,
            ],
        ),
        (
            "since_id_bundle",
            &["export", "--since-id", "5", "--out", out],
        ),
        (
            "since_id_word",
            &[
                "export",
                "--format",
                "opensearch",
                "--since-id",
                "abc",
                "--out",
                out,
            ],
        ),
        (
            "not_empty",
            &["export", "--format", "quickwit", "--out", "files"],
        ),
    ];
    sandbox.write("anything.txt", "x");
    let mut all = String::new();
    for (name, args) in cases {
        let run = sandbox.run(args).code(2);
        assert!(!Path::new(out).exists(), "{name}");
        all.push_str(&format!("{name}: {}", sandbox.redact(&run.stderr)));
    }
    assert_snapshot!("engine_export_errors", all);
}

/// `translate` for each parameter alone and together, for both engines.
#[test]
fn translate_every_parameter() {
    let sandbox = Sandbox::new();
    let queries = [
        "",
        "from=04/29/09",
        "to=04/30/2009",
        "from=04/29/09&to=04/30/09",
        "operator=peter",
        "visitorId=-32751",
        "customerId=IBM",
        "contains=MONEY",
        "contains=Mon",
        "contains=hi",
        "contains=100%25+*off?+%22quoted%22+%5C",
        "contains=ΣΑΣ+ẞ",
        "operator=peter&contains=money&from=04/29/09&to=04/30/09&visitorId=32751&customerId=IBM",
    ];
    for engine in ["quickwit", "opensearch"] {
        let mut all = String::new();
        for query in queries {
            let run = sandbox
                .bare_command()
                .args(["translate", "--target", engine, query])
                .output()
                .unwrap();
            assert_eq!(run.status.code(), Some(0), "{query}");
            all.push_str(&format!(
                "$ plupper-archive translate --target {engine} '{query}'\n"
            ));
            all.push_str(&String::from_utf8(run.stdout).unwrap());
            all.push('\n');
        }
        assert_snapshot!(format!("translate_{engine}"), all);
    }
    let run = sandbox
        .bare_command()
        .args(["translate", "--target", "quickwit", "visitorId=abc"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(run.stderr).unwrap(),
        "error: invalid `visitorId`: `abc` is not an integer\n"
    );
}
