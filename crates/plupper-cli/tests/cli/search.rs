//! `search` forgives as a person expects, and results come in context (issue 17, item 4;
//! contract §5 "`search QUERY` syntax"): `word*` finds every word starting so, matching
//! ignores accents, a message holding the words as written, accents included, ranks
//! first; `--count`, how many there are in all, the conversation of each hit, and
//! `-C N` for `search` and `query`.

use serde_json::Value;

use crate::harness::{Sandbox, content_of, list, message_object, parse_ndjson, string_element};

/// An archive of these contents, in this order (ids 1, 2, ...).
fn archive_of(contents: &[&str]) -> Sandbox {
    let sandbox = Sandbox::new();
    let elements: Vec<String> = contents
        .iter()
        .enumerate()
        .map(|(i, content)| {
            let created = format!("Wed Apr 29 17:{:02}:00 CEST 2009", i % 60);
            string_element(&message_object(content, &created))
        })
        .collect();
    sandbox.write("messages.json", list(&elements));
    sandbox.import_ok(&["files/messages.json"]);
    sandbox
}

fn search(sandbox: &Sandbox, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["search"];
    all.extend(args);
    all.extend(["--format", "ndjson"]);
    parse_ndjson(&sandbox.run(&all).success().stdout)
}

fn contents(hits: &[Value]) -> Vec<&str> {
    hits.iter().map(content_of).collect()
}

#[test]
fn a_star_finds_every_word_starting_so() {
    let sandbox = archive_of(&[
        "my password is lost",
        "passwords again",
        "a passage",
        "no match: compass",
        "spam and passes",
    ]);
    let hits = search(&sandbox, &["pass*"]);
    let mut found = contents(&hits);
    found.sort_unstable();
    assert_eq!(
        found,
        [
            "a passage",
            "my password is lost",
            "passwords again",
            "spam and passes"
        ]
    );
    assert_eq!(
        contents(&search(&sandbox, &["passw* -spam*"])),
        ["my password is lost", "passwords again"]
    );
    // The snippet marks each word the prefix found.
    let hit = &search(&sandbox, &["passw*"])[1];
    assert_eq!(hit["snippet"], "passwords again");
    assert_eq!(hit["highlights"], serde_json::json!([[0, 9]]));
    // Quoted, a star is no operator (and no word): `passw` is no word here.
    let run = sandbox
        .run(&["search", "\"passw*\"", "--format", "ndjson"])
        .code(0);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.starts_with("note: no message matches"),
        "{}",
        run.stderr
    );
}

#[test]
fn accents_do_not_matter_and_the_written_form_ranks_first() {
    let sandbox = archive_of(&[
        "Ďakujem pekne",
        "dakujem",
        "DAKUJEM!",
        "ďakujem",
        "dobrý deň",
    ]);
    let unaccented = contents(&search(&sandbox, &["dakujem"])).len();
    assert_eq!(unaccented, 4);
    let accented = search(&sandbox, &["Ďakujem"]);
    assert_eq!(accented.len(), 4);
    // The two with the accent first (ties in archive order), then the others.
    assert_eq!(
        contents(&accented),
        ["ďakujem", "Ďakujem pekne", "dakujem", "DAKUJEM!"]
    );
    let plain = search(&sandbox, &["dakujem"]);
    assert_eq!(contents(&plain)[..2], ["dakujem", "DAKUJEM!"]);
    // Phrases and prefixes ignore accents too; `query --contains` stays exact (§2).
    assert_eq!(
        contents(&search(&sandbox, &["\"dobry den\""])),
        ["dobrý deň"]
    );
    assert_eq!(contents(&search(&sandbox, &["dobr*"])), ["dobrý deň"]);
    assert_eq!(sandbox.count(&["--contains", "dakujem"]), 2);
}

/// Issue 17: `search --count`, the table's "20 of 23 shown" line, the conversation of
/// every hit, and `-C N`.
#[test]
fn count_and_the_shown_line_say_how_many_there_are() {
    let contents: Vec<String> = (0..25).map(|i| format!("hello number {i}")).collect();
    let refs: Vec<&str> = contents.iter().map(String::as_str).collect();
    let sandbox = archive_of(&refs);
    for args in [
        &["search", "hello", "--count"][..],
        &["search", "--count", "--limit", "1", "hello"],
    ] {
        assert_eq!(
            sandbox.run(args).success().stdout_text(),
            "25\n",
            "{args:?}"
        );
    }
    let run = sandbox.run(&["search", "nothing", "--count"]).success();
    assert_eq!(run.stdout_text(), "0\n");

    let table = sandbox
        .run(&["search", "hello", "--format", "table"])
        .success()
        .stdout_text();
    assert_eq!(table.lines().count(), 2 * 20 + 1, "{table}");
    assert_eq!(
        table.lines().last(),
        Some("20 of 25 shown, --limit for more")
    );
    let all = sandbox
        .run(&["search", "hello", "--format", "table", "--limit", "25"])
        .success()
        .stdout_text();
    assert!(!all.contains("shown"), "{all}");

    // One visitor, a message a minute: one conversation, whose id is its first message's.
    let hits = search(&sandbox, &["number 7"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["conversation"], 1);
}

#[test]
fn context_shows_the_messages_around_each_hit_in_its_conversation() {
    let sandbox = archive_of(&["first", "second", "the needle", "fourth", "fifth", "sixth"]);
    let run = sandbox
        .run(&["search", "needle OR sixth", "-C", "1"])
        .success();
    insta::assert_snapshot!("search_context", run.stdout_text());
    // -C is for people: the table also into a pipe, no other format.
    let run = sandbox
        .run(&["search", "needle", "-C", "1", "--format", "ndjson"])
        .code(2)
        .errors(1);
    assert!(run.stderr.contains("--context"), "{}", run.stderr);
    // Without -C, one header and one snippet line per hit.
    let run = sandbox
        .run(&["search", "needle", "--format", "table"])
        .success();
    insta::assert_snapshot!("search_hit", run.stdout_text());
}

/// Issue 17: `query -C N` shows each match (`>`) among its conversation's messages, groups
/// that meet as one, others apart by `--`.
#[test]
fn query_context_shows_each_match_in_its_conversation() {
    let sandbox = archive_of(&[
        "one", "two", "money 1", "four", "five", "six", "seven", "money 2", "money 3", "ten",
    ]);
    let run = sandbox
        .run(&["query", "--contains", "money", "-C", "1"])
        .success();
    insta::assert_snapshot!("query_context", run.stdout_text());
    let run = sandbox
        .run(&[
            "query",
            "--contains",
            "money",
            "-C",
            "1",
            "--format",
            "ndjson",
        ])
        .code(2)
        .errors(1);
    assert!(run.stderr.contains("--context"), "{}", run.stderr);
}
