//! Counts in the sentences the commands print agree with their number: `1 message`,
//! `2 messages`, and an empty index holds `no messages`, not `messages 1 to 0`.

use crate::harness::{Sandbox, created, list, message_object, string_element};

/// A file of one message, its second of `created` being `n`.
fn one_message(sandbox: &Sandbox, n: u32) -> String {
    let name = format!("one-{n}.json");
    let element = string_element(&message_object("hello", &created(n)));
    let path = sandbox.write(&name, list(&[element]));
    path.to_str().unwrap().to_owned()
}

#[test]
fn index_of_an_empty_archive_says_it_holds_no_messages() {
    let sandbox = Sandbox::new();
    // An import of nothing makes an empty archive.
    let nothing = sandbox.file("nothing");
    std::fs::create_dir_all(&nothing).unwrap();
    sandbox
        .run(&["import", "--no-index", nothing.to_str().unwrap()])
        .success();
    let run = sandbox.run(&["index"]).success();
    assert_eq!(
        run.stdout_text(),
        "rebuilt the search index: 0 messages indexed; it holds no messages\n"
    );
    sandbox
        .run(&["import", "--no-index", &one_message(&sandbox, 0)])
        .success();
    let run = sandbox.run(&["index"]).success();
    assert_eq!(
        run.stdout_text(),
        "updated the search index: 1 message indexed; it now holds message 1\n"
    );
    sandbox
        .run(&["import", "--no-index", &one_message(&sandbox, 1)])
        .success();
    let run = sandbox.run(&["index"]).success();
    assert_eq!(
        run.stdout_text(),
        "updated the search index: 1 message indexed; it now holds messages 1 to 2\n"
    );
}

#[test]
fn one_message_of_one_conversation_is_not_1_messages_of_1_conversations() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[one_message(&sandbox, 0)]);

    let verify = sandbox.run(&["verify"]).success().stdout_text();
    assert!(
        verify.contains(
            " is intact: 1 message matches its original, 1 chain link, 1 conversation, search index current (1 message); chain head: link 1 "
        ),
        "{verify}"
    );

    let bundle = sandbox.root().join("bundle");
    let bundle = bundle.to_str().unwrap();
    let export = sandbox
        .run(&["export", "--out", bundle])
        .success()
        .stdout_text();
    assert!(
        export.starts_with(&format!(
            "exported 1 message of 1 conversation (0 more of them as context) to {bundle} ("
        )),
        "{export}"
    );
    let verified = sandbox
        .run(&["verify-bundle", bundle])
        .success()
        .stdout_text();
    assert!(
        verified.contains(" files, 1 message (0 more as context), 1 conversation, exported "),
        "{verified}"
    );
}

/// Issue 17: `--count` on `conversations` too, as on `query` and `search`: the number
/// of what the command would list, whatever `--limit` says.
#[test]
fn conversations_count_is_the_number_listed() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[crate::harness::repo_root().join("data")]);
    for filter in [
        &[][..],
        &["--operator", "peter"],
        &["--contains", "password"],
    ] {
        let mut list = vec!["conversations", "--format", "ndjson"];
        list.extend(filter);
        let listed = crate::harness::parse_ndjson(&sandbox.run(&list).success().stdout).len();
        assert!(listed > 0, "{filter:?}");
        let mut count = vec!["conversations", "--count", "--limit", "1"];
        count.extend(filter);
        let run = sandbox.run(&count).success();
        assert_eq!(run.stdout_text(), format!("{listed}\n"), "{filter:?}");
    }
}

/// Issue 17, item 8: `stats --by` takes `--count` (its groups) and `--limit` (the first
/// groups, then the total of them all), as the other list commands do.
#[test]
fn stats_count_is_the_number_of_groups_and_limit_keeps_the_first_and_the_total() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[crate::harness::repo_root().join("data")]);
    let rows = |args: &[&str]| {
        let mut all = vec!["stats", "--format", "ndjson"];
        all.extend(args);
        crate::harness::parse_ndjson(&sandbox.run(&all).success().stdout)
    };
    for by in ["operator", "month", "customer"] {
        let every = rows(&["--by", by]);
        let groups = every.iter().filter(|row| row["total"] == false).count();
        assert!(groups > 3, "{by}: {every:?}");
        let run = sandbox.run(&["stats", "--by", by, "--count", "--limit", "1"]);
        assert_eq!(run.success().stdout_text(), format!("{groups}\n"), "{by}");
        // The first three groups, then the same total row as without --limit.
        let limited = rows(&["--by", by, "--limit", "3"]);
        assert_eq!(limited.len(), 4, "{by}: {limited:?}");
        assert_eq!(limited[..3], every[..3], "{by}");
        assert_eq!(limited[3], *every.last().unwrap(), "{by}");
        // --limit 0 prints nothing, not even a header.
        for format in ["table", "csv", "ndjson"] {
            let run = sandbox.run(&["stats", "--by", by, "--limit", "0", "--format", format]);
            assert_eq!(run.success().stdout_text(), "", "{by} {format}");
        }
    }
    // Without --by there are no groups to count or cut.
    let run = sandbox.run(&["stats", "--count"]).code(2);
    assert!(run.stderr.contains("--by"), "{}", run.stderr);
}

/// Issue 17, item 8: `quarantine --count` and `--limit`.
#[test]
fn quarantine_count_and_limit() {
    let sandbox = Sandbox::new();
    let bad: Vec<String> = (0..5).map(|n| n.to_string()).collect();
    sandbox.write("bad.json", list(&bad));
    sandbox.import(&["files/bad.json"]).ok();
    let run = sandbox.run(&["quarantine", "--count", "--limit", "1"]);
    assert_eq!(run.success().stdout_text(), "5\n");
    let listed = |args: &[&str]| {
        let mut all = vec!["quarantine", "--format", "ndjson"];
        all.extend(args);
        crate::harness::parse_ndjson(&sandbox.run(&all).success().stdout)
    };
    let every = listed(&[]);
    assert_eq!(every.len(), 5);
    assert_eq!(listed(&["--limit", "2"]), every[..2]);
    assert_eq!(listed(&["--limit", "9"]), every);
    for format in ["table", "csv", "ndjson"] {
        let run = sandbox.run(&["quarantine", "--limit", "0", "--format", format]);
        assert_eq!(run.success().stdout_text(), "", "{format}");
    }
}

/// Issue 17, item 9: a quarantine whose texts were seen again numbers its entries
/// 1, 2, 3, … with no gap (an entry turned away as a duplicate used up a number).
#[test]
fn quarantine_numbers_do_not_skip() {
    let sandbox = Sandbox::new();
    sandbox.write("first.json", list(&["1".into(), "2".into(), "1".into()]));
    sandbox.write("again.json", list(&["2".into(), "3".into()]));
    sandbox
        .import(&["files/first.json", "files/again.json"])
        .ok();
    sandbox.import(&["files/first.json"]).ok();
    sandbox.write("more.json", list(&["4".into()]));
    sandbox.import(&["files/more.json"]).ok();
    let entries = sandbox.quarantine();
    let numbered: Vec<(i64, &str)> = entries
        .iter()
        .map(|e| (e["id"].as_i64().unwrap(), e["text"].as_str().unwrap()))
        .collect();
    assert_eq!(numbered, [(1, "1"), (2, "2"), (3, "3"), (4, "4")]);
}

/// Issue 17, item 8: a table with nothing in it says so in the words of every table:
/// `no messages match` (conversations and statistics are selected by their messages).
#[test]
fn empty_tables_say_no_messages_match() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[crate::harness::repo_root().join("data/seed.json")]);
    for command in ["query", "conversations", "stats"] {
        let run = sandbox.run(&[command, "--operator", "nobody", "--format", "table"]);
        let table = run.success().stdout_text();
        assert_eq!(
            table.lines().nth(1),
            Some("no messages match"),
            "{command}:\n{table}"
        );
        assert_eq!(table.lines().count(), 2, "{command}:\n{table}");
    }
    let run = sandbox.run(&["search", "nothinglikethis", "--format", "table"]);
    assert_eq!(run.code(0).stdout_text(), "no messages match\n");
}
