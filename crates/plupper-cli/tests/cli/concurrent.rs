//! Two imports at once into one archive: both finish (one waits for the other's write
//! transactions), or one fails with a clear "busy" error; never a duplicate
//! (contract §4).

use std::path::Path;
use std::process::{Child, Stdio};

use serde_json::Value;

use crate::harness::{
    CorpusFormat, Run, Sandbox, corpus_objects, list, parse_ndjson, string_element,
};

fn spawn_import(sandbox: &Sandbox, archive: &Path, file: &Path) -> Child {
    sandbox
        .std_command()
        .arg("--archive")
        .arg(archive)
        .arg("import")
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start an import")
}

/// Waits for an import started with [`spawn_import`]; when it failed because the
/// archive was busy, runs it again.
fn finish(sandbox: &Sandbox, archive: &Path, file: &Path, child: Child) -> Run {
    let run = Run::from(child.wait_with_output().expect("wait for the import"));
    if run.code == 0 {
        // It may say that it waits for the other one, but nothing went wrong.
        assert!(!run.stderr.contains("error"), "{}", run.stderr);
        return run;
    }
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(
        run.stderr.starts_with("error: ") && run.stderr.contains("busy"),
        "a concurrent import failed without saying the archive is busy: {}",
        run.stderr
    );
    // Run again, it may wait in turn for the other one's index update, and say so.
    sandbox.import_on(archive, &[file]).ok()
}

/// The archive's messages without their ids, sorted: a multiset to compare.
fn messages_without_ids(sandbox: &Sandbox, archive: &Path) -> Vec<String> {
    let out = sandbox
        .run_on(archive, &["query", "--format", "ndjson"])
        .success()
        .stdout;
    let mut messages: Vec<String> = parse_ndjson(&out)
        .into_iter()
        .map(|mut m| {
            m.as_object_mut().unwrap().remove("id");
            m.to_string()
        })
        .collect();
    messages.sort();
    messages
}

fn ids(sandbox: &Sandbox, archive: &Path) -> Vec<i64> {
    let out = sandbox
        .run_on(archive, &["query", "--format", "ndjson"])
        .success()
        .stdout;
    let mut ids: Vec<i64> = parse_ndjson(&out)
        .iter()
        .map(|m: &Value| m["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn two_imports_of_overlapping_files_at_once_never_duplicate() {
    const MESSAGES: usize = 15_000;
    let sandbox = Sandbox::new();
    let objects = corpus_objects(MESSAGES as u64, 41);
    let strings: Vec<String> = objects.iter().map(|o| string_element(o)).collect();
    // Two thirds each, one third in both.
    let first = sandbox.write("first.json", list(&strings[..MESSAGES * 2 / 3]));
    let second = sandbox.write("second.json", list(&strings[MESSAGES / 3..]));
    let all = sandbox.write("all.json", list(&strings));

    let seed = crate::harness::repo_root().join("data/seed.json");
    for round in 0..2 {
        // Round 0 starts both on an archive that does not exist yet, so that they also
        // race to create it; round 1 on an archive holding the seed messages.
        let archive = sandbox.root().join(format!("shared-{round}"));
        let reference = sandbox.root().join(format!("reference-{round}"));
        if round == 1 {
            sandbox.import_on(&archive, &[&seed]).success();
            sandbox.import_on(&reference, &[&seed]).success();
        }
        sandbox.import_on(&reference, &[&all]).success();
        let expected = messages_without_ids(&sandbox, &reference);

        let a = spawn_import(&sandbox, &archive, &first);
        let b = spawn_import(&sandbox, &archive, &second);
        let a = finish(&sandbox, &archive, &first, a).summary();
        let b = finish(&sandbox, &archive, &second, b).summary();

        assert_eq!(
            a.added + b.added,
            MESSAGES as u64,
            "round {round}: {a:?} {b:?}"
        );
        let got = messages_without_ids(&sandbox, &archive);
        assert_eq!(got.len(), expected.len(), "round {round}");
        assert!(got == expected, "round {round}: not the same messages");
        let mut ids = ids(&sandbox, &archive);
        ids.dedup();
        assert_eq!(
            ids.len(),
            expected.len(),
            "round {round}: an id given twice"
        );
    }
}

#[test]
fn two_imports_of_the_same_file_at_once_add_it_once() {
    let sandbox = Sandbox::new();
    let file = sandbox.file("same.json");
    crate::harness::write_corpus(&file, 12_000, 43, CorpusFormat::Api);
    let archive = sandbox.archive();
    let a = spawn_import(&sandbox, &archive, &file);
    let b = spawn_import(&sandbox, &archive, &file);
    let a = finish(&sandbox, &archive, &file, a).summary();
    let b = finish(&sandbox, &archive, &file, b).summary();
    assert_eq!(a.added + b.added, 12_000, "{a:?} {b:?}");
    assert_eq!(sandbox.count::<&str>(&[]), 12_000);
}
