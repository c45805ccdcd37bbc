//! The search index under interruption and concurrency: `index --rebuild` killed part
//! way, two `index` runs at once, and queries while an import runs. Whatever happens,
//! every answer equals the one the archive alone gives.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{CorpusFormat, Sandbox, write_corpus};

/// An archive of `messages` generated messages, imported without the index.
fn archive(messages: u64) -> Sandbox {
    let sandbox = Sandbox::new();
    let file = sandbox.file("corpus.json");
    write_corpus(&file, messages, 5, CorpusFormat::Api);
    let run = sandbox.run(&["import", "--no-index", file.to_str().unwrap()]);
    run.success();
    sandbox
}

/// The answers that must not depend on the index: counts and ids of some `contains`.
/// (A query may note on stderr that the index cannot answer; the answer is what counts.)
fn answers(sandbox: &Sandbox) -> Vec<(u64, Vec<i64>)> {
    ["ok", "Ďakujem", "help", "100%", "@"]
        .iter()
        .map(|needle| (count(sandbox, needle), ids(sandbox, needle)))
        .collect()
}

fn count(sandbox: &Sandbox, needle: &str) -> u64 {
    let run = sandbox
        .run(&["query", "--count", "--contains", needle])
        .ok();
    run.stdout_text().trim().parse().unwrap()
}

fn ids(sandbox: &Sandbox, needle: &str) -> Vec<i64> {
    let run = sandbox
        .run(&["query", "--format", "ndjson", "--contains", needle])
        .ok();
    run.stdout_text()
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect()
}

#[test]
fn kill_9_during_index_rebuild_then_index_repairs_it() {
    let sandbox = archive(20_000);
    // Without any index: the archive alone answers.
    let expected = answers(&sandbox);
    sandbox.run(&["index"]).success();
    assert_eq!(answers(&sandbox), expected);
    for round in 0..3u64 {
        let started = Instant::now();
        let mut child = sandbox
            .std_command()
            .arg("--archive")
            .arg(sandbox.archive())
            .args(["index", "--rebuild"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start index --rebuild");
        std::thread::sleep(Duration::from_millis(50 + round * 150));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        eprintln!("round {round}: killed after {:?}", started.elapsed());
        // Whatever state the index was left in, answers are the archive's.
        assert_eq!(answers(&sandbox), expected, "round {round}, before repair");
        sandbox.run(&["index"]).success();
        assert_eq!(answers(&sandbox), expected, "round {round}, after repair");
    }
}

#[test]
fn two_index_runs_at_once_one_waits_and_the_index_is_sound() {
    let sandbox = archive(20_000);
    let expected = answers(&sandbox);
    let children: Vec<_> = (0..2)
        .map(|_| {
            sandbox
                .std_command()
                .arg("--archive")
                .arg(sandbox.archive())
                .args(["index", "--rebuild"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start index")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("index finishes");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(answers(&sandbox), expected);
    // The index answers now (no note about falling back).
    let run = sandbox.run(&["query", "--contains", "ok", "--count"]);
    let run = run.success();
    assert!(!run.stderr.contains("note:"), "{}", run.stderr);
}

#[test]
fn queries_while_an_import_runs_get_consistent_answers() {
    let sandbox = archive(5_000);
    sandbox.run(&["index"]).success();
    let more = sandbox.file("more.json");
    write_corpus(&more, 30_000, 6, CorpusFormat::Api);
    let mut import = sandbox
        .std_command()
        .arg("--archive")
        .arg(sandbox.archive())
        .args(["import", more.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the import");
    // Each answer is a snapshot: the ndjson answer's length equals the count only when
    // both come from one state, so compare the ids of one answer with a count of the
    // same state instead: the ids must be increasing by time and unique.
    while import.try_wait().expect("poll").is_none() {
        let ids = ids(&sandbox, "ok");
        let mut seen = std::collections::HashSet::new();
        assert!(
            ids.iter().all(|id| seen.insert(*id)),
            "an answer repeats a message"
        );
    }
    assert!(import.wait().expect("reap").success());
    let final_ids = ids(&sandbox, "ok");
    assert_eq!(count(&sandbox, "ok"), final_ids.len() as u64);
}
