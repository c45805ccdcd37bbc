//! `show ID` (contract §3, §5 "Archive ids"): one message by its archive id; `0` and
//! non-numbers are invalid input (2); an id never assigned is a failure (1) with
//! `error: no message with id N`.

use serde_json::json;

use crate::harness::{Sandbox, parse_ndjson, repo_root};

fn seeded() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[repo_root().join("data/seed.json")]);
    sandbox
}

#[test]
fn show_zero_and_words_are_invalid_input() {
    let sandbox = seeded();
    for id in [
        "0", "abc", "-1", "1.0", "1e3", "", " 1", "#", "##3", "#0", "3#",
    ] {
        let run = sandbox.run(&["show", "--", id]).code(2).errors(1);
        assert!(run.stdout.is_empty(), "show {id:?}");
        assert!(run.stderr.contains("id"), "show {id:?}: {}", run.stderr);
    }
}

/// Issue 17: `search` prints `#84`; `show '#84'` takes it as written.
#[test]
fn show_takes_an_id_as_search_prints_it() {
    let sandbox = seeded();
    let plain = sandbox.run(&["show", "3", "--format", "ndjson"]).success();
    let hashed = sandbox.run(&["show", "#3", "--format", "ndjson"]).success();
    assert_eq!(hashed.stdout, plain.stdout);
    assert_eq!(parse_ndjson(&hashed.stdout)[0]["id"], 3);
    sandbox
        .run(&["show", "#0"])
        .code(2)
        .stderr_line("error: invalid message id `#0`: expected a positive integer");
}

#[test]
fn show_of_an_id_never_assigned_is_a_failure() {
    let sandbox = seeded();
    let run = sandbox
        .run(&["show", "999"])
        .code(1)
        .errors(1)
        .stderr_line("error: no message with id 999");
    assert!(run.stdout.is_empty());
    sandbox
        .run(&["show", "6"])
        .code(1)
        .stderr_line("error: no message with id 6");

    // On an archive that holds nothing yet, too; and nothing on stdout.
    let empty = Sandbox::new();
    let nothing = empty.file("nothing");
    std::fs::create_dir_all(&nothing).unwrap();
    empty.run(&["import", nothing.to_str().unwrap()]).success();
    empty
        .command()
        .args(["show", "1", "--format", "api"])
        .assert()
        .code(1)
        .stdout(predicates::str::is_empty())
        .stderr(predicates::str::diff("error: no message with id 1\n"));
}

#[test]
fn show_prints_one_message_in_each_format() {
    let sandbox = seeded();
    let ndjson = parse_ndjson(
        &sandbox
            .run(&["show", "2", "--format", "ndjson"])
            .success()
            .stdout,
    );
    assert_eq!(
        ndjson,
        [json!({
            "id": 2,
            "content": "Hi",
            "customerId": null,
            "created": "Wed Apr 29 17:16:13 CEST 2009",
            "visitorId": 32751,
            "type": "VO",
            "operator": "john",
            "timestamp": "2009-04-29T17:16:13+02:00",
        })]
    );
    // Not a terminal: ndjson is the default.
    let default = sandbox.run(&["show", "2"]).success().stdout;
    assert_eq!(parse_ndjson(&default), ndjson);

    let csv_out = sandbox
        .run(&["show", "5", "--format", "csv"])
        .success()
        .stdout_text();
    assert_eq!(
        csv_out,
        "id,content,customerId,created,visitorId,type,operator,timestamp\n\
         5,\"Sure, just go to the account settings ...\",,Thu Apr 30 15:57:41 CEST 2009,32751,VT,john,2009-04-30T15:57:41+02:00\n"
    );

    let table = sandbox
        .run(&["show", "2", "--format", "table"])
        .success()
        .stdout_text();
    for needle in ["Hi", "Wed Apr 29 17:16:13 CEST 2009", "john", "32751", "VO"] {
        assert!(table.contains(needle), "{needle:?} not in\n{table}");
    }
    // Issue 17: the message says where it belongs (the seed is one conversation).
    assert!(
        table.ends_with("belongs to  conversation 1 (show --conversation 1)\n"),
        "{table}"
    );

    let api = sandbox
        .run(&["show", "2", "--format", "api"])
        .success()
        .stdout_text();
    assert_eq!(
        api,
        r#"{"content":"Hi","customerId":null,"created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":32751,"type":"VO","operator":"john"}"#
    );
}

#[test]
fn ids_increase_in_archive_order_and_never_change() {
    let sandbox = seeded();
    let before = sandbox
        .run(&["show", "3", "--format", "api"])
        .success()
        .stdout;
    sandbox.import_ok(&[crate::harness::fixture("filters.json")]);
    assert_eq!(
        sandbox
            .run(&["show", "3", "--format", "api"])
            .success()
            .stdout,
        before
    );
    let ids = sandbox.ids::<&str>(&[]);
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (1..=59).collect::<Vec<i64>>());
}
