//! `plupper-archive sync` against a real HTTP upstream on 127.0.0.1 (plupper-testkit):
//! the archive equals the upstream, the password never leaks, kill -9 loses nothing.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

#[path = "cli/harness.rs"]
mod harness;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::Days;
use plupper_testkit::{Fault, Faults, Upstream, corpus, message_on, multiset};
use serde_json::value::RawValue;

const USER: &str = "demo";
/// A value that must never show up anywhere but in the request's header.
const SENTINEL: &str = "Pw-S3ntinel-7f3a9c";

/// The binary through the one CLI harness, with a clean environment (no PLUPPER_* or
/// RUST_LOG from the caller).
fn command(archive: &Path) -> Command {
    let mut command = harness::clean_std_command();
    command.env("NO_COLOR", "1").arg("--archive").arg(archive);
    command
}

fn sync(archive: &Path, upstream: &Upstream, extra: &[&str]) -> Command {
    let mut command = command(archive);
    command
        .args([
            "sync",
            "--no-index",
            "--url",
            &upstream.url(),
            "--user",
            USER,
        ])
        .args(extra)
        .env("PLUPPER_PASSWORD", SENTINEL)
        .stdin(Stdio::null());
    command
}

fn run(mut command: Command) -> Output {
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn dataset(messages: u64) -> Vec<String> {
    let mut elements = corpus(messages, 5);
    let today = chrono::Local::now().date_naive();
    for back in 0..3 {
        let day = today - Days::new(back);
        elements.push(message_on(day, "08:00:00", "recent"));
        elements.push(message_on(day, "08:00:00", "recent"));
    }
    elements
}

/// The archive's messages as the API would list them (`query --format api`).
fn archived(archive: &Path) -> HashMap<String, usize> {
    let output = run({
        let mut command = command(archive);
        command.args(["query", "--format", "api"]);
        command
    });
    assert!(output.status.success(), "{}", text(&output.stderr));
    let list: Vec<Box<RawValue>> = serde_json::from_slice(&output.stdout).unwrap();
    multiset(list.iter().map(|raw| raw.get().to_owned()))
}

fn summary_line(stdout: &str, name: &str) -> String {
    stdout
        .lines()
        .find(|line| line.starts_with(name))
        .map(|line| line[name.len()..].trim().to_owned())
        .unwrap_or_default()
}

#[test]
fn sync_equals_the_upstream_and_again_adds_nothing() {
    let upstream = Upstream::start(dataset(2000), USER, SENTINEL, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");

    let first = run(sync(&archive, &upstream, &[]));
    assert!(first.status.success(), "{}", text(&first.stderr));
    let stdout = text(&first.stdout);
    assert_eq!(
        summary_line(&stdout, "added:"),
        upstream.len().to_string(),
        "{stdout}"
    );
    assert_eq!(summary_line(&stdout, "retries:"), "0");
    assert!(text(&first.stderr).is_empty(), "{}", text(&first.stderr));
    assert_eq!(archived(&archive), multiset(upstream.elements()));

    let again = run(sync(&archive, &upstream, &[]));
    assert!(again.status.success());
    let stdout = text(&again.stdout);
    assert_eq!(summary_line(&stdout, "added:"), "0", "{stdout}");
    assert_eq!(summary_line(&stdout, "windows:"), "1 of 1", "{stdout}");

    // Upstream additions (one more copy of an archived message among them) and a
    // deletion in the days that are pulled again.
    let today = chrono::Local::now().date_naive();
    let mut expected = multiset(upstream.elements());
    for element in [
        message_on(today, "08:00:00", "recent"),
        message_on(today, "12:00:00", "new"),
    ] {
        upstream.add(element.clone());
        *expected.entry(element).or_default() += 1;
    }
    let yesterday = today - Days::new(1);
    assert!(upstream.remove(&message_on(yesterday, "08:00:00", "recent")));
    let third = run(sync(&archive, &upstream, &[]));
    assert!(third.status.success());
    assert_eq!(summary_line(&text(&third.stdout), "added:"), "2");
    assert_eq!(archived(&archive), expected, "the deleted one stays");
}

#[test]
fn a_fresh_archive_under_faults_equals_the_upstream() {
    // Every sixth request: the CLI's own backoff (0.25 s to 0.5 s before a first
    // retry) makes more faults slow to test. A first pull asks about 30 windows.
    let faults = Faults::every(
        6,
        vec![
            Fault::Status(500),
            Fault::DropUndelimited,
            Fault::TooManyRequests { retry_after: 0 },
            Fault::DropChunked,
            Fault::CutList,
            Fault::NotJson,
            Fault::DropWithLength,
            Fault::Slow {
                chunk: 2048,
                pause: Duration::from_millis(1),
            },
        ],
    );
    let upstream = Upstream::start(dataset(3000), USER, SENTINEL, faults);
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let output = run(sync(&archive, &upstream, &[]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let retries: u64 = summary_line(&text(&output.stdout), "retries:")
        .parse()
        .unwrap();
    assert!(retries >= 4, "{retries}");
    assert_eq!(archived(&archive), multiset(upstream.elements()));
}

#[test]
fn a_wrong_password_exits_1_with_a_clear_message() {
    let upstream = Upstream::start(dataset(10), USER, "the-right-one", Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let output = run(sync(dir.path(), &upstream, &[]));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        format!(
            "error: authentication failed for user {USER} at {}\n",
            upstream.url()
        )
    );
    assert_eq!(upstream.log().len(), 1, "not retried");
}

#[test]
fn a_sync_that_fails_before_any_window_prints_no_summary() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    // A wrong password.
    let upstream = Upstream::start(dataset(10), USER, "the-right-one", Faults::none());
    let output = run(sync_and_index(&archive, &upstream));
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "", "no all-zero summary");
    assert_eq!(
        text(&output.stderr),
        format!(
            "error: authentication failed for user {USER} at {}\n",
            upstream.url()
        )
    );
    // An unreachable host.
    let mut unreachable = command(&archive);
    unreachable
        .args(["sync", "--retries", "0", "--url", "http://127.0.0.1:9"])
        .args(["--user", USER])
        .env("PLUPPER_PASSWORD", SENTINEL)
        .stdin(Stdio::null());
    let output = run(unreachable);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "");
    assert!(text(&output.stderr).starts_with("error: cannot reach "));
    assert_eq!(text(&output.stderr).lines().count(), 1);
}

#[test]
fn a_sync_that_stops_after_some_windows_prints_their_summary_then_the_error() {
    // The 14th request (the window of 2012: nothing splits here, and the corpus is
    // written 2008 to 2012) is refused for good.
    let faults = Faults {
        schedule: vec![Fault::Status(404)],
        every: 1000,
        offset: 13,
    };
    let upstream = Upstream::start(dataset(100), USER, SENTINEL, faults);
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let output = run(sync_and_index(&archive, &upstream));
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(
        summary_line(&stdout, "windows:").starts_with("13 of "),
        "{stdout}"
    );
    let added = summary_line(&stdout, "added:");
    assert!(added.parse::<u64>().unwrap() > 0, "{stdout}");
    assert_eq!(
        summary_line(&stdout, "indexed:"),
        format!("{added} (index rebuilt)")
    );
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains("404"),
        "{stderr}"
    );
}

#[test]
fn a_resync_does_not_count_its_quarantined_elements_again() {
    // QA §8: what the quarantine holds already is said apart, as `already archived` is.
    let mut elements = dataset(20);
    elements.extend(["42".to_owned(), r#""{}""#.to_owned()]);
    let upstream = Upstream::start(elements, USER, SENTINEL, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let first = run(sync(&archive, &upstream, &[]));
    assert!(first.status.success(), "{}", text(&first.stderr));
    assert_eq!(summary_line(&text(&first.stdout), "quarantined:"), "2");
    let again = run(sync(&archive, &upstream, &["--full"]));
    assert!(again.status.success(), "{}", text(&again.stderr));
    let stdout = text(&again.stdout);
    assert_eq!(summary_line(&stdout, "added:"), "0", "{stdout}");
    assert_eq!(
        summary_line(&stdout, "quarantined:"),
        "0 (2 already in quarantine)",
        "{stdout}"
    );
}

#[test]
fn a_password_in_argv_is_refused() {
    let upstream = Upstream::start(dataset(10), USER, SENTINEL, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--password", SENTINEL],
        vec!["--password=Pw-S3ntinel-7f3a9c"],
    ] {
        let output = run(sync(dir.path(), &upstream, &args));
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        assert!(
            stderr.starts_with("error: --password is not accepted"),
            "{stderr}"
        );
        assert!(stderr.contains("PLUPPER_PASSWORD"), "{stderr}");
        assert!(stderr.contains("--password-stdin"), "{stderr}");
        assert!(!stderr.contains(SENTINEL), "{stderr}");
    }
    assert!(upstream.log().is_empty(), "nothing was sent");
}

#[test]
fn password_stdin_works_and_no_password_is_invalid_usage() {
    let upstream = Upstream::start(dataset(50), USER, SENTINEL, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");

    let mut child = command(&archive)
        .args([
            "sync",
            "--no-index",
            "--url",
            &upstream.url(),
            "--user",
            USER,
        ])
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{SENTINEL}").unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(archived(&archive), multiset(upstream.elements()));

    let mut none = command(&archive);
    none.args(["sync", "--url", &upstream.url(), "--user", USER])
        .stdin(Stdio::null());
    let output = run(none);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).starts_with("error: no password: set PLUPPER_PASSWORD"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn the_password_never_leaks() {
    let upstream = Upstream::start(dataset(300), USER, SENTINEL, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let header = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{SENTINEL}"));
    let mut outputs = Vec::new();

    // Verbose, with every log target at trace, and with index building.
    let mut verbose = command(&archive);
    verbose
        .args(["-vv", "sync", "--url", &upstream.url(), "--user", USER])
        .env("PLUPPER_PASSWORD", SENTINEL)
        .env("RUST_LOG", "trace")
        .stdin(Stdio::null());
    outputs.push(run(verbose));
    // A wrong password, an unreachable host, a URL with credentials in it.
    let wrong = Upstream::start(Vec::new(), USER, "other", Faults::none());
    outputs.push(run(sync(&archive, &wrong, &["-v"])));
    let mut unreachable = command(&archive);
    unreachable
        .args([
            "sync",
            "--retries",
            "0",
            "--url",
            "http://127.0.0.1:9",
            "--user",
            USER,
        ])
        .env("PLUPPER_PASSWORD", SENTINEL);
    outputs.push(run(unreachable));
    let mut in_url = command(&archive);
    in_url
        .args(["sync", "--user", USER, "--url"])
        .arg(format!("http://{USER}:{SENTINEL}@127.0.0.1:9"))
        .env("PLUPPER_PASSWORD", SENTINEL);
    let in_url = run(in_url);
    assert_eq!(in_url.status.code(), Some(2), "{}", text(&in_url.stderr));
    outputs.push(in_url);

    assert!(outputs[0].status.success(), "{}", text(&outputs[0].stderr));
    for output in &outputs {
        for stream in [&output.stdout, &output.stderr] {
            let stream = text(stream);
            assert!(!stream.contains(SENTINEL), "{stream}");
            assert!(!stream.contains(&header), "{stream}");
        }
    }
    // No file of the archive holds it, and none is readable by others.
    let mut files = vec![archive.clone()];
    while let Some(path) = files.pop() {
        let meta = std::fs::metadata(&path).unwrap();
        if meta.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let haystack = String::from_utf8_lossy(&bytes);
        assert!(!haystack.contains(SENTINEL), "{}", path.display());
        assert!(!haystack.contains(&header), "{}", path.display());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the archive directory is private: {mode:o}"
        );
    }
}

#[test]
fn an_unreachable_host_and_bad_dates() {
    let dir = tempfile::tempdir().unwrap();
    let mut command_ = command(dir.path());
    command_
        .args([
            "sync",
            "--retries",
            "1",
            "--url",
            "http://127.0.0.1:9",
            "--user",
            USER,
        ])
        .env("PLUPPER_PASSWORD", SENTINEL)
        .stdin(Stdio::null());
    let output = run(command_);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    // The retry, then the error.
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(lines[0].starts_with("warning: window "), "{stderr}");
    assert!(
        lines[1].starts_with("error: cannot reach http://127.0.0.1:9/resources/message"),
        "{stderr}"
    );
    assert!(lines[1].contains("gave up after 2 attempts"), "{stderr}");

    for args in [
        vec!["--from", "13/01/09"],
        vec!["--to", "abc"],
        vec!["--from", "05/01/09", "--to", "04/01/09"],
    ] {
        let mut bad = command(dir.path());
        bad.args(["sync", "--url", "http://127.0.0.1:9", "--user", USER])
            .args(&args)
            .env("PLUPPER_PASSWORD", SENTINEL);
        let output = run(bad);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(text(&output.stderr).starts_with("error: "), "{args:?}");
    }
}

/// A pipe whose reader went away before anything was written (`| true`).
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

/// `sync` with its index update (no `--no-index`), the summary's last line.
fn sync_and_index(archive: &Path, upstream: &Upstream) -> Command {
    let mut command = command(archive);
    command
        .args(["sync", "--url", &upstream.url(), "--user", USER])
        .env("PLUPPER_PASSWORD", SENTINEL)
        .stdin(Stdio::null());
    command
}

#[test]
fn a_sync_summary_on_a_closed_pipe_does_not_panic() {
    let upstream = Upstream::start(dataset(50), USER, SENTINEL, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    for mut command in [
        sync_and_index(&archive, &upstream),
        sync(&archive, &upstream, &["--full"]),
    ] {
        let output = command.stdout(closed_pipe()).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        assert_eq!(text(&output.stderr), "");
    }
    assert_eq!(archived(&archive), multiset(upstream.elements()));

    // The sync's own failure keeps its status and its message.
    let wrong = Upstream::start(dataset(10), USER, "the-right-one", Faults::none());
    let output = sync(&archive, &wrong, &[])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        format!(
            "error: authentication failed for user {USER} at {}\n",
            wrong.url()
        )
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_sync_summary_to_a_full_disk_does_not_panic_and_exits_1() {
    let upstream = Upstream::start(dataset(50), USER, SENTINEL, Faults::none());
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = sync_and_index(&archive, &upstream)
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "error: cannot write the output: No space left on device (os error 28)\n"
    );
    assert_eq!(archived(&archive), multiset(upstream.elements()));
    // The index was brought up to date all the same: `query` needs no note.
    let mut count = command(&archive);
    count.args(["query", "--contains", "recent", "--count"]);
    let output = run(count);
    assert_eq!(text(&output.stderr), "");
    assert_eq!(text(&output.stdout), "6\n");
}

/// A small deterministic generator for kill times.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Rounds of: a sync of 20 000 messages killed with SIGKILL at a random moment (three
/// times, each resuming the last), then a sync to the end. Returns the kill moments.
fn kill_rounds(rounds: u64, seed: u64) -> Vec<(u64, Vec<u64>)> {
    // Slow bodies now and then, so that kills land inside windows too.
    let faults = Faults::every(
        5,
        vec![Fault::Slow {
            chunk: 16 << 10,
            pause: Duration::from_millis(3),
        }],
    );
    let upstream = Upstream::start(dataset(20_000), USER, SENTINEL, faults);
    let expected = multiset(upstream.elements());
    // How long a whole sync takes here, to spread the kills over it.
    let timing = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let output = run(sync(timing.path(), &upstream, &[]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let whole = started.elapsed().as_millis() as u64;
    assert_eq!(archived(timing.path()), expected);

    let mut random = Lcg(seed);
    let mut log = Vec::new();
    for round in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("archive");
        let mut kills = Vec::new();
        for _ in 0..3 {
            let at = random.below(whole.max(10));
            let mut child = sync(&archive, &upstream, &[])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(at));
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            kills.push(at);
        }
        let output = run(sync(&archive, &upstream, &[]));
        assert!(
            output.status.success(),
            "round {round}: {}",
            text(&output.stderr)
        );
        assert_eq!(
            archived(&archive),
            expected,
            "round {round}, killed at {kills:?} ms"
        );
        log.push((round, kills));
    }
    eprintln!("a whole sync took {whole} ms; kills (ms): {log:?}");
    log
}

#[test]
fn kill_9_at_random_points_loses_nothing_and_adds_nothing_twice() {
    kill_rounds(3, 0x5eed);
}

#[test]
#[ignore = "50 rounds, a few minutes: cargo test -p plupper-cli --test sync -- --ignored"]
fn kill_9_fifty_rounds() {
    kill_rounds(50, 0xfeed_beef);
}
