//! A command's report on stdout when nobody can read it: a pipe whose reader went away
//! (`| head`, `| true`) or a full disk (`> /dev/full`). The work is done and kept either
//! way; a closed pipe ends quietly with the exit status the work decided, a full disk is
//! an `error:` line and exit 1.

use std::path::PathBuf;

use crate::harness::{Gone, Run, Sandbox, created, message_object, repo_root, string_element};

/// Five messages.
fn seed() -> PathBuf {
    repo_root().join("data/seed.json")
}

/// A list cut off inside its second element: the first is archived, the import exits 2.
fn cut_off(sandbox: &Sandbox) -> PathBuf {
    let good = string_element(&message_object("before the cut", &created(0)));
    sandbox.write("cut.json", format!(r#"[{good}, "{{\"content\":\"cut"#))
}

const FULL: &str = "error: cannot write the output: No space left on device (os error 28)";

#[test]
fn an_import_summary_on_a_closed_pipe_does_not_panic() {
    for flags in [&[][..], &["--no-index"]] {
        let sandbox = Sandbox::new();
        let mut args = vec!["import".into()];
        args.extend(flags.iter().map(PathBuf::from));
        args.push(seed());
        sandbox
            .run_without_stdout(Gone::ClosedPipe, &args)
            .success();
        assert_eq!(sandbox.count::<&str>(&[]), 5, "{flags:?}");
    }
}

#[test]
fn an_import_of_a_damaged_file_on_a_closed_pipe_still_exits_2() {
    for flags in [&[][..], &["--no-index"]] {
        let sandbox = Sandbox::new();
        let mut args = vec!["import".into()];
        args.extend(flags.iter().map(PathBuf::from));
        args.extend([cut_off(&sandbox), seed()]);
        let run = sandbox
            .run_without_stdout(Gone::ClosedPipe, &args)
            .code(2)
            .errors(1);
        assert!(run.stderr.contains("damaged at byte"), "{}", run.stderr);
        assert_eq!(sandbox.count::<&str>(&[]), 6, "{flags:?}");
        assert_eq!(sandbox.quarantine().len(), 1);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_import_summary_to_a_full_disk_does_not_panic_and_exits_1() {
    let sandbox = Sandbox::new();
    let run = sandbox
        .run_without_stdout(Gone::Full, &["import".into(), seed()])
        .code(1);
    assert_eq!(run.stderr, format!("{FULL}\n"));
    assert_eq!(sandbox.count::<&str>(&[]), 5, "archived all the same");

    // A damaged file (2) and a lost summary (1): both said, 1 wins (a failure outweighs
    // bad input, as between files).
    let run = sandbox
        .run_without_stdout(Gone::Full, &["import".into(), cut_off(&sandbox)])
        .code(1)
        .errors(2);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines[0].contains("damaged at byte"), "{}", run.stderr);
    assert_eq!(lines[1], FULL);
    assert_eq!(sandbox.count::<&str>(&[]), 6);
}

#[test]
fn index_on_a_closed_pipe_does_not_panic() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[seed()]);
    for args in [&["index"][..], &["index", "--rebuild"]] {
        sandbox.run_without_stdout(Gone::ClosedPipe, args).success();
    }
    // Rebuilt whole: the index answers again without a note on stderr.
    sandbox
        .run(&["query", "--contains", "a", "--count"])
        .success();
}

#[cfg(target_os = "linux")]
#[test]
fn index_to_a_full_disk_does_not_panic_and_exits_1() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[seed()]);
    let run = sandbox
        .run_without_stdout(Gone::Full, &["index", "--rebuild"])
        .code(1);
    assert_eq!(run.stderr, format!("{FULL}\n"));
    sandbox
        .run(&["query", "--contains", "a", "--count"])
        .success();
}

#[test]
fn verify_of_a_changed_archive_on_a_closed_pipe_still_exits_1() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[seed()]);
    let conn = rusqlite::Connection::open(sandbox.archive().join("archive.sqlite3")).unwrap();
    conn.execute(
        "UPDATE message SET content = 'not what was sent' WHERE id = 2",
        [],
    )
    .unwrap();
    drop(conn);
    let run = sandbox
        .run_without_stdout(Gone::ClosedPipe, &["verify"])
        .code(1)
        .errors(1);
    assert!(
        run.stderr.contains("is not as plupper-archive wrote it"),
        "{}",
        run.stderr
    );
}

#[test]
fn verify_bundle_of_a_changed_bundle_on_a_closed_pipe_still_exits_1() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[seed()]);
    let bundle = sandbox.root().join("bundle");
    let bundle_arg = bundle.to_str().unwrap();
    sandbox.run(&["export", "--out", bundle_arg]).success();
    let ndjson = bundle.join("messages.ndjson");
    let text = std::fs::read_to_string(&ndjson).unwrap();
    std::fs::write(&ndjson, text.replacen("Hi", "Ho", 1)).unwrap();
    let run = sandbox
        .run_without_stdout(Gone::ClosedPipe, &["verify-bundle", bundle_arg])
        .code(1)
        .errors(1);
    assert!(run.stderr.contains("is not as exported"), "{}", run.stderr);
}

/// Regression: an error, a note or a file's error with stderr unwritable (`2>/dev/full`)
/// aborted the process (exit 134): `eprintln!` panics when it cannot write. The exit
/// status is still the one the command decided.
#[test]
fn an_unwritable_stderr_does_not_abort() {
    let sandbox = Sandbox::new();
    let cut = cut_off(&sandbox);
    let full = || {
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let run = |args: &[&std::ffi::OsStr]| {
        sandbox
            .std_command()
            .arg("--archive")
            .arg(sandbox.archive())
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(full())
            .status()
            .unwrap()
            .code()
    };
    // An invalid parameter (2), an import with a damaged file (2), a note (0).
    assert_eq!(
        run(&["query".as_ref(), "--from".as_ref(), "13/01/09".as_ref()]),
        Some(2)
    );
    assert_eq!(
        run(&["import".as_ref(), cut.as_os_str(), seed().as_os_str()]),
        Some(2)
    );
    std::fs::remove_dir_all(sandbox.archive().join("index")).unwrap();
    assert_eq!(
        run(&["query".as_ref(), "--contains".as_ref(), "hi".as_ref()]),
        Some(0)
    );
    assert_eq!(sandbox.count::<&str>(&[]), 6);
}

/// Runs the binary on the sandbox's archive with its stdout closed altogether (`>&-`),
/// not redirected. The program opens `/dev/null` there first, as Rust's runtime does
/// (`start.rs`), so that no file it opens takes descriptor 1; SQLite guards its own files
/// the same way, so for commands that open the archive first this checks the outcome
/// (the work done, no error), not which of the two guarded it.
#[cfg(unix)]
fn run_with_stdout_closed(sandbox: &Sandbox, args: &[&std::ffi::OsStr]) -> Run {
    let output = std::process::Command::new("sh")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.home())
        .current_dir(sandbox.root())
        .args([
            "-c",
            r#"exec "$0" "$@" >&-"#,
            crate::harness::BIN,
            "--archive",
        ])
        .arg(sandbox.archive())
        .args(args)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run sh");
    Run::from(output)
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_is_taken_by_no_file_and_the_work_is_done() {
    use std::ffi::OsStr;
    let sandbox = Sandbox::new();
    let seed = seed();
    // What would be printed goes nowhere; nothing fails for it and no file gets it.
    run_with_stdout_closed(&sandbox, &[OsStr::new("import"), seed.as_os_str()]).success();
    for args in [
        &["query", "--count"][..],
        &["query", "--contains", "hi", "--format", "ndjson"],
        &["verify"],
    ] {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        run_with_stdout_closed(&sandbox, &args).success();
    }
    assert_eq!(sandbox.count::<&str>(&[]), 5);
    sandbox.run(&["verify"]).success();
}
