//! kill -9 during a large import, then the same import again (contract §4: nothing lost,
//! nothing twice, whatever is interrupted and re-run): the archive must be exactly what
//! one uninterrupted import gives, ids included, since ids follow file order.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{CorpusFormat, Sandbox, write_corpus};

/// A random number in `0..bound`, seeded by the process (no extra dependency needed).
fn random_below(bound: u64) -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(bound);
    hasher.finish() % bound.max(1)
}

/// What the rounds did, for the report.
#[derive(Debug, Default)]
struct Tally {
    rounds: u32,
    killed_before_any_commit: u32,
    killed_part_way: u32,
    finished_before_the_kill: u32,
}

/// Imports `messages` generated messages into a reference archive, then `rounds` times
/// into a fresh archive: start, SIGKILL after a random delay, import again; each result
/// must equal the reference. When no random kill landed part-way, aimed rounds follow
/// until one does (at most five).
fn kill_rounds(rounds: u32, messages: u64) -> Tally {
    let sandbox = Sandbox::new();
    let file = sandbox.file("big.json");
    write_corpus(&file, messages, 31, CorpusFormat::Api);

    let reference = sandbox.root().join("reference");
    let started = Instant::now();
    let summary = sandbox.import_on(&reference, &[&file]).success().summary();
    let full_import = started.elapsed();
    assert_eq!(summary.added, messages);
    let expected = ndjson(&sandbox, &reference);

    let mut tally = Tally::default();
    for round in 0..rounds {
        let delay = Duration::from_millis(random_below(full_import.as_millis() as u64));
        kill_round(
            &sandbox,
            &file,
            round,
            Kill::After(delay),
            (messages, &expected),
            &mut tally,
        );
    }
    // Random delays can all land before the first commit (or after the end), which
    // tests nothing of a kill in the middle: then aim one, right after a commit is seen.
    let mut aimed = 0;
    while tally.killed_part_way == 0 && aimed < 5 {
        kill_round(
            &sandbox,
            &file,
            rounds + aimed,
            Kill::OnceCommitted,
            (messages, &expected),
            &mut tally,
        );
        aimed += 1;
    }
    tally
}

/// When a round kills the import.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// After this long.
    After(Duration),
    /// As soon as the archive is seen to hold messages (polled by a second process).
    OnceCommitted,
}

/// One round: import `file` into a fresh archive, SIGKILL it as `kill` says, import again;
/// the result must equal the uninterrupted import's `expected` answer.
fn kill_round(
    sandbox: &Sandbox,
    file: &Path,
    round: u32,
    kill: Kill,
    (messages, expected): (u64, &[u8]),
    tally: &mut Tally,
) {
    let archive = sandbox.root().join(format!("round-{round}"));
    let started = Instant::now();
    let mut child = sandbox
        .std_command()
        .arg("--archive")
        .arg(&archive)
        .arg("import")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the import");
    match kill {
        Kill::After(delay) => std::thread::sleep(delay),
        Kill::OnceCommitted => {
            while archived(sandbox, &archive) == 0
                && child.try_wait().expect("poll the import").is_none()
            {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }
    let finished = child.try_wait().expect("poll the import").is_some();
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("reap the import");
    let killed_after = started.elapsed();

    let partial = archived(sandbox, &archive);
    match (finished || status.success(), partial) {
        (true, _) => tally.finished_before_the_kill += 1,
        (false, 0) => tally.killed_before_any_commit += 1,
        (false, _) => tally.killed_part_way += 1,
    }
    eprintln!(
        "round {round} ({kill:?}): killed after {killed_after:?}, {partial} of {messages} archived"
    );

    let rerun = sandbox.import_on(&archive, &[file]).ok().summary();
    assert_eq!(
        (rerun.added, rerun.already_archived),
        (messages - partial, partial),
        "round {round}: the re-run adds exactly what the killed run did not"
    );
    let got = ndjson(sandbox, &archive);
    assert!(
        got == expected,
        "round {round}: the archive differs from one uninterrupted import ({kill:?})"
    );
    assert!(
        sandbox
            .run_on(&archive, &["quarantine"])
            .ok()
            .stdout
            .is_empty()
    );
    // The records derived in the import's transactions (chain links, conversations,
    // content blocks) survived the kill as well as the messages.
    let verified = sandbox.run_on(&archive, &["verify"]).ok().stdout_text();
    assert!(
        verified.starts_with("ok: ") && verified.contains("is intact"),
        "round {round}: {verified}"
    );
    tally.rounds += 1;
    std::fs::remove_dir_all(&archive).expect("clean up the round");
}

/// How many messages `archive` holds (0 when there is no archive yet).
fn archived(sandbox: &Sandbox, archive: &Path) -> u64 {
    if !archive.join("archive.sqlite3").exists() {
        return 0;
    }
    let run = sandbox.run_on(archive, &["query", "--count"]).ok();
    run.stdout_text().trim().parse().expect("a count")
}

fn ndjson(sandbox: &Sandbox, archive: &Path) -> Vec<u8> {
    sandbox
        .run_on(archive, &["query", "--format", "ndjson"])
        .ok()
        .stdout
}

#[test]
fn kill_9_during_an_import_then_the_same_import_gives_the_uninterrupted_archive() {
    let tally = kill_rounds(3, 30_000);
    eprintln!("{tally:?}");
    assert!(tally.rounds >= 3);
    assert!(
        tally.killed_part_way >= 1,
        "no kill landed after a commit and before the end: {tally:?}"
    );
}

/// The long version: `cargo test -p plupper-cli --release -- --ignored kill_9_fifty`.
#[test]
#[ignore = "long: 50 rounds of kill -9 on a 200k-message import"]
fn kill_9_fifty_rounds_on_200k_messages() {
    let tally = kill_rounds(50, 200_000);
    println!("{tally:?}");
    assert!(tally.rounds >= 50);
    assert!(
        tally.killed_part_way >= 10,
        "too few kills landed part-way: {tally:?}"
    );
}
