//! `-v` (issue 17, item 7): what each step did and how long it took, and no library
//! noise (tantivy's lines come from `-vv` on).

use crate::harness::{Run, Sandbox, repo_root};

fn verbose(sandbox: &Sandbox, args: &[&str]) -> Run {
    Run::from(
        sandbox
            .command()
            .arg("-v")
            .args(args)
            .output()
            .expect("run the binary"),
    )
    .code(0)
}

/// Each line is one of ours: `INFO plupper_archive::...` and never another crate's.
fn assert_only_ours(stderr: &str) {
    for line in stderr.lines() {
        assert!(
            line.trim_start().starts_with("INFO plupper_"),
            "not a line of ours: {line:?}\n{stderr}"
        );
    }
}

#[test]
fn v_says_each_file_the_index_update_and_the_route_of_a_query() {
    let sandbox = Sandbox::new();
    let seed = repo_root().join("data/seed.json");
    let run = verbose(&sandbox, &["import", seed.to_str().unwrap()]);
    assert_only_ours(&run.stderr);
    assert!(
        run.stderr.lines().any(|l| l.contains(
            "seed.json: 5 elements read, 5 added, 0 already archived, 0 quarantined in "
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.lines().any(|l| l.contains(
            "search index: 5 messages indexed (rebuilt), now up to message 5 in 1 segment, in "
        )),
        "{}",
        run.stderr
    );
    // A count the index answers alone, with no write in progress: the archive's database
    // is not even opened.
    let run = verbose(&sandbox, &["query", "--contains", "help", "--count"]);
    assert_only_ours(&run.stderr);
    assert!(
        run.stderr
            .contains("route: the search index (the archive's database was not opened)\n"),
        "{}",
        run.stderr
    );
    // What the index holds, in how many segments (each costs a query some file opens).
    assert!(
        run.stderr.contains(
            "search index: 5 messages in 1 segment (1 with consecutive ids), up to message 5\n"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("query done in "), "{}", run.stderr);
    // An operator has no B-tree index in the archive: the search index answers it.
    let run = verbose(&sandbox, &["query", "--operator", "john"]);
    assert!(
        run.stderr.contains("route: the search index\n"),
        "{}",
        run.stderr
    );
    let run = verbose(&sandbox, &["query", "--visitor-id", "32751", "--count"]);
    assert!(
        run.stderr.contains(
            "route: the archive's B-tree indexes and content blocks (a --contains under 3 characters counted alone or with a visitor or dates, or listed with a visitor or found in more than a quarter of the messages; or a visitor or dates without --contains)\n"
        ),
        "{}",
        run.stderr
    );
    // A listing of a needle the index does not hold: the content blocks find it in one
    // message of the five, the index orders it; in three ("Hi", "Hi, …", "graphis"), more
    // than a quarter, the archive reads its rows in order.
    for (contains, route, lines) in [
        (
            "su",
            "the archive's content blocks for the --contains under 3 characters, the search index for the rest of the filter",
            1,
        ),
        (
            "hi",
            "the archive's B-tree indexes and content blocks (a --contains under 3 characters counted alone or with a visitor or dates, or listed with a visitor or found in more than a quarter of the messages; or a visitor or dates without --contains)",
            3,
        ),
    ] {
        let run = verbose(
            &sandbox,
            &["query", "--contains", contains, "--format", "ndjson"],
        );
        assert!(
            run.stderr.contains(&format!("route: {route}\n")),
            "{}",
            run.stderr
        );
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(stdout.lines().count(), lines, "{stdout}");
    }
    // Without -v, nothing.
    sandbox
        .run(&["query", "--contains", "hi", "--count"])
        .success();
}

#[test]
fn v_says_the_route_of_a_search_and_how_long_it_took() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[repo_root().join("data/seed.json")]);
    let run = verbose(&sandbox, &["search", "account", "--count"]);
    assert_only_ours(&run.stderr);
    for line in [
        "search index: 5 messages in 1 segment (1 with consecutive ids), up to message 5",
        "route: the search index ranks the words",
    ] {
        assert!(
            run.stderr.lines().any(|l| l.ends_with(line)),
            "no {line:?} in\n{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("search done in "), "{}", run.stderr);
    // A --contains filter: from the index's trigrams, or (under three characters, which
    // the index does not hold) read in the contents.
    for (contains, route) in [
        ("settings", "--contains from the index's trigrams"),
        (
            "se",
            "--contains read in the ranked messages' contents (under 3 characters)",
        ),
    ] {
        let run = verbose(
            &sandbox,
            &["search", "account", "--contains", contains, "--count"],
        );
        let line = format!("route: the search index ranks the words; {route}");
        assert!(
            run.stderr.lines().any(|l| l.ends_with(&line)),
            "no {line:?} in\n{}",
            run.stderr
        );
    }
    // Without -v, nothing.
    sandbox.run(&["search", "account", "--count"]).success();
}
