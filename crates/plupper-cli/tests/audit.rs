//! The audit commands end to end: `conversations`, `show --conversation`, `stats`,
//! `export`, `verify-bundle` and `verify`, on a small fixture whose figures are worked out
//! by hand below, and on archives and bundles changed behind the program's back.
//!
//! Through the one CLI harness (`cli/harness.rs`: a temporary directory, the real binary,
//! an environment with only `PATH` and `HOME`).

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

#[path = "cli/harness.rs"]
mod harness;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use harness::{Run, Sandbox};

const ENTRY: &str = "Plupper: visitor has entered communication";

/// What these tests ask of the one CLI harness's sandbox beyond what it gives.
trait AuditSandbox {
    /// A path in the sandbox (not created).
    fn path(&self, name: &str) -> PathBuf;
    /// Runs and expects exit status `code`; returns stdout.
    fn expect(&self, code: i32, args: &[&str]) -> String;
    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        self.expect(0, args)
    }
    /// Changes the database directly, as someone with access to the file could.
    fn tamper(&self, sql: &str);
}

impl AuditSandbox for Sandbox {
    fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    fn expect(&self, code: i32, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(
            run.code,
            code,
            "{args:?}\nstdout:\n{}\nstderr:\n{}",
            run.stdout_text(),
            run.stderr
        );
        run.stdout_text()
    }

    fn tamper(&self, sql: &str) {
        let conn = rusqlite::Connection::open(self.archive().join("archive.sqlite3")).unwrap();
        conn.execute_batch(sql).unwrap();
    }
}

fn text(bytes: impl AsRef<[u8]>) -> String {
    String::from_utf8_lossy(bytes.as_ref()).into_owned()
}

fn ndjson(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// One API element: visitor, time on 2009-04-29 (CEST), type, operator, content.
fn element(visitor: i64, time: &str, kind: &str, operator: &str, content: &str) -> String {
    let object = format!(
        r#"{{"content":{},"customerId":"ACME","created":"Wed Apr 29 {time} CEST 2009","visitorId":{visitor},"type":"{kind}","operator":"{operator}"}}"#,
        serde_json::to_string(content).unwrap()
    );
    serde_json::to_string(&object).unwrap()
}

/// The fixture, archive ids 1 to 9 in this order. Visitors 100 and 200 interleave.
///
/// | id | time     | visitor | type | operator | content                  |
/// |----|----------|---------|------|----------|--------------------------|
/// | 1  | 10:00:00 | 100     | VO   | john     | entry line               |
/// | 2  | 10:00:10 | 100     | VO   | john     | hello                    | first line of A
/// | 3  | 10:00:40 | 200     | VO   | peter    | entry line               |
/// | 4  | 10:01:30 | 100     | VT   | john     | hi, john here            | A's first reply: 80 s
/// | 5  | 10:02:00 | 200     | VO   | peter    | a question               | first line of B
/// | 6  | 10:05:00 | 100     | VT   | anna     | anna from billing here   | a second operator in A
/// | 7  | 10:06:00 | 200     | VT   | peter    | an answer                | B's first reply: 240 s
/// | 8  | 10:34:59 | 100     | VO   | john     | one more thing           | 29:59 after 6: still A
/// | 9  | 11:05:00 | 100     | VO   | john     | hello again?             | 30:01 after 8: C, unanswered
fn first_file() -> String {
    let lines = [
        element(100, "10:00:00", "VO", "john", ENTRY),
        element(100, "10:00:10", "VO", "john", "hello"),
        element(200, "10:00:40", "VO", "peter", ENTRY),
        element(100, "10:01:30", "VT", "john", "hi, john here"),
        element(200, "10:02:00", "VO", "peter", "a question"),
        element(100, "10:05:00", "VT", "anna", "anna from billing here"),
        element(200, "10:06:00", "VT", "peter", "an answer"),
        element(100, "10:34:59", "VO", "john", "one more thing"),
        element(100, "11:05:00", "VO", "john", "hello again?"),
    ];
    format!("[{}]", lines.join(", "))
}

/// Arriving late: 10 answers C after 60 s; 11 falls inside A.
fn late_file() -> String {
    let lines = [
        element(100, "11:06:00", "VT", "john", "sorry, here now"),
        element(100, "10:20:00", "VT", "john", "anything else?"),
    ];
    format!("[{}]", lines.join(", "))
}

fn with_fixture() -> Sandbox {
    let sandbox = Sandbox::new();
    let first = sandbox.write("first.json", first_file());
    sandbox.ok(&["import", first.to_str().unwrap()]);
    sandbox
}

fn with_late_messages() -> Sandbox {
    let sandbox = with_fixture();
    let late = sandbox.write("late.json", late_file());
    sandbox.ok(&["import", late.to_str().unwrap()]);
    sandbox
}

/// (id, message ids in order) of each conversation, from `show --conversation`.
fn members(sandbox: &Sandbox) -> Vec<(i64, Vec<i64>)> {
    let list = ndjson(&sandbox.ok(&["conversations", "--format", "ndjson"]));
    list.iter()
        .map(|c| {
            let id = c["id"].as_i64().unwrap();
            let shown = ndjson(&sandbox.ok(&[
                "show",
                "--conversation",
                &id.to_string(),
                "--format",
                "ndjson",
            ]));
            (
                id,
                shown.iter().map(|m| m["id"].as_i64().unwrap()).collect(),
            )
        })
        .collect()
}

#[test]
fn conversations_group_interleaved_visitors_and_split_after_thirty_minutes() {
    let sandbox = with_fixture();
    assert_eq!(
        members(&sandbox),
        [(1, vec![1, 2, 4, 6, 8]), (3, vec![3, 5, 7]), (9, vec![9])]
    );
    let list = ndjson(&sandbox.ok(&["conversations", "--format", "ndjson"]));
    assert_eq!(list[0]["operators"], serde_json::json!(["john", "anna"]));
    assert_eq!(list[0]["visitorId"], 100);
    assert_eq!(list[0]["customerId"], "ACME");
    assert_eq!(list[0]["messages"], 5);
    assert_eq!(list[0]["start"], "Wed Apr 29 10:00:00 CEST 2009");
    assert_eq!(list[0]["end"], "Wed Apr 29 10:34:59 CEST 2009");
    assert_eq!(list[2]["unanswered"], true);
    assert_eq!(list[2]["firstResponseSeconds"], Value::Null);
}

#[test]
fn late_messages_join_their_conversations_which_keep_their_ids() {
    let sandbox = with_late_messages();
    assert_eq!(
        members(&sandbox),
        [
            (1, vec![1, 2, 4, 6, 11, 8]),
            (3, vec![3, 5, 7]),
            (9, vec![9, 10])
        ]
    );
    // Importing the same files again changes nothing.
    let first = sandbox.file("first.json");
    sandbox.ok(&["import", first.to_str().unwrap()]);
    assert_eq!(members(&sandbox).len(), 3);
}

#[test]
fn first_response_figures_as_worked_out_by_hand() {
    let sandbox = with_fixture();
    let list = ndjson(&sandbox.ok(&["conversations", "--format", "ndjson"]));
    let times: Vec<Value> = list
        .iter()
        .map(|c| c["firstResponseSeconds"].clone())
        .collect();
    // A: hello 10:00:10 → john 10:01:30; B: question 10:02:00 → peter 10:06:00; C: none.
    assert_eq!(times, [Value::from(80), Value::from(240), Value::Null]);
    let total = ndjson(&sandbox.ok(&["stats", "--format", "ndjson"]));
    assert_eq!(total.len(), 1);
    assert_eq!(total[0]["messages"], 9);
    assert_eq!(total[0]["conversations"], 3);
    assert_eq!(total[0]["visitors"], 2);
    assert_eq!(total[0]["unanswered"], 1);
    // [80, 240]: nearest rank ⌈0.5·2⌉ = 1 → 80; ⌈0.9·2⌉ = 2 → 240.
    assert_eq!(total[0]["medianFirstResponseSeconds"], 80);
    assert_eq!(total[0]["p90FirstResponseSeconds"], 240);

    let late = sandbox.write("late.json", late_file());
    sandbox.ok(&["import", late.to_str().unwrap()]);
    let rows = ndjson(&sandbox.ok(&["stats", "--by", "operator", "--format", "ndjson"]));
    let row = |group: &str| rows.iter().find(|r| r["group"] == group).unwrap().clone();
    let figures = |r: &Value| {
        [
            "messages",
            "conversations",
            "visitors",
            "answered",
            "medianFirstResponseSeconds",
            "p90FirstResponseSeconds",
            "unanswered",
        ]
        .map(|k| r[k].clone())
    };
    let n = |v: i64| Value::from(v);
    // anna: message 6; she took part in A but john replied first: no time of hers.
    assert_eq!(
        figures(&row("anna")),
        [n(1), n(1), n(1), n(0), Value::Null, Value::Null, n(0)]
    );
    // john: messages 1 2 4 8 9 10 11; A (80 s) and C (9 → 10: 60 s): [60, 80].
    assert_eq!(
        figures(&row("john")),
        [n(7), n(2), n(1), n(2), n(60), n(80), n(0)]
    );
    // peter: B, 240 s.
    assert_eq!(
        figures(&row("peter")),
        [n(3), n(1), n(1), n(1), n(240), n(240), n(0)]
    );
    let total = rows.last().unwrap();
    assert_eq!(total["total"], true);
    // [60, 80, 240]: ⌈1.5⌉ = 2 → 80; ⌈2.7⌉ = 3 → 240.
    assert_eq!(
        figures(total),
        [n(11), n(3), n(2), n(3), n(80), n(240), n(0)]
    );
}

#[test]
fn a_filter_selects_conversations_whole() {
    let sandbox = with_fixture();
    let list = ndjson(&sandbox.ok(&["conversations", "--operator", "anna", "--format", "ndjson"]));
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], 1);
    assert_eq!(list[0]["messages"], 5);
    // Stats: only anna's message counts as a message, but conversation A counts whole,
    // with john's first response.
    let rows = ndjson(&sandbox.ok(&[
        "stats",
        "--operator",
        "anna",
        "--by",
        "operator",
        "--format",
        "ndjson",
    ]));
    let john = rows.iter().find(|r| r["group"] == "john").unwrap();
    assert_eq!(
        (john["messages"].clone(), john["conversations"].clone()),
        (Value::from(0), Value::from(1))
    );
    assert_eq!(john["medianFirstResponseSeconds"], 80);
    let total = rows.last().unwrap();
    assert_eq!(
        (total["messages"].clone(), total["conversations"].clone()),
        (Value::from(1), Value::from(1))
    );
}

#[test]
fn show_conversation_prints_a_transcript_and_the_message_formats() {
    let sandbox = with_fixture();
    let transcript = sandbox.ok(&["show", "--conversation", "3", "--format", "table"]);
    assert!(
        transcript.starts_with("conversation 3\n  visitor         200\n"),
        "{transcript}"
    );
    assert!(
        transcript.contains("first response  4m 0s (message 5 to message 7)"),
        "{transcript}"
    );
    assert!(
        transcript
            .contains("2009-04-29 10:00:40 CEST  #3      (visitor has entered communication)\n"),
        "{transcript}"
    );
    assert!(
        transcript.contains("2009-04-29 10:06:00 CEST  #7      peter: an answer\n"),
        "{transcript}"
    );
    let api = sandbox.ok(&["show", "--conversation", "3", "--format", "api"]);
    let elements: Vec<String> = serde_json::from_str(&api).unwrap();
    assert_eq!(elements.len(), 3);
    assert!(api.contains(&element(200, "10:02:00", "VO", "peter", "a question")));
    let csv = sandbox.ok(&["show", "--conversation", "3", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 4);
    // A message id that is not a conversation's: exit 1, saying where the message is.
    let output = sandbox.run(&["show", "--conversation", "5"]);
    assert_eq!(output.code, 1);
    assert_eq!(
        text(&output.stderr),
        "error: no conversation with id 5 (message 5 belongs to conversation 3)\n"
    );
    assert_eq!(sandbox.run(&["show", "--conversation", "0"]).code, 2);
}

/// Exports everything to `bundle/` and returns its path.
fn export(sandbox: &Sandbox) -> PathBuf {
    let out = sandbox.path("bundle");
    let stdout = sandbox.ok(&["export", "--out", out.to_str().unwrap()]);
    assert!(
        stdout
            .starts_with("exported 9 messages of 3 conversations (0 more of them as context) to "),
        "{stdout}"
    );
    out
}

fn verify_bundle(sandbox: &Sandbox, dir: &Path) -> Run {
    sandbox.run(&["verify-bundle", dir.to_str().unwrap()])
}

/// Every file of a bundle, relative.
fn bundle_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        out.push(
            entry
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
        );
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn an_export_verifies_and_holds_the_originals_byte_for_byte() {
    let sandbox = with_fixture();
    let dir = export(&sandbox);
    assert_eq!(
        bundle_files(&dir),
        [
            "conversations.ndjson",
            "index.html",
            "manifest.json",
            "manifest.sha256",
            "messages.csv",
            "messages.json",
            "messages.ndjson",
            "originals.ndjson",
            "transcripts/conversation-1.txt",
            "transcripts/conversation-3.txt",
            "transcripts/conversation-9.txt",
        ]
    );
    let output = verify_bundle(&sandbox, &dir);
    assert_eq!(output.code, 0, "{}", text(&output.stdout));
    assert!(
        text(&output.stdout)
            .contains("is intact: 11 files, 9 messages (0 more as context), 3 conversations"),
        "{}",
        text(&output.stdout)
    );
    // messages.json is the API's answer, the originals byte for byte.
    assert_eq!(
        fs::read_to_string(dir.join("messages.json")).unwrap(),
        sandbox.ok(&["query", "--format", "api"])
    );
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["counts"],
        serde_json::json!({"messages": 9, "context": 0, "conversations": 3, "files": 6})
    );
    assert_eq!(manifest["formatVersion"], 2);
    assert_eq!(
        manifest["tool"],
        format!("plupper-archive {}", env!("CARGO_PKG_VERSION"))
    );
    // An export into a directory that is not empty is refused.
    let output = sandbox.run(&["export", "--out", dir.to_str().unwrap()]);
    assert_eq!(output.code, 2);
}

#[test]
fn an_export_with_filters_records_them_and_the_whole_conversations() {
    let sandbox = with_fixture();
    let out = sandbox.path("anna");
    sandbox.ok(&[
        "export",
        "--operator",
        "anna",
        "--params",
        "from=4/29/09",
        "--out",
        out.to_str().unwrap(),
    ]);
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["filter"]["given"],
        serde_json::json!([["--operator", "anna"], ["--params", "from=4/29/09"]])
    );
    assert_eq!(
        manifest["filter"]["applied"],
        "from=04%2F29%2F2009&operator=anna"
    );
    assert_eq!(
        manifest["counts"],
        serde_json::json!({"messages": 1, "context": 4, "conversations": 1, "files": 6})
    );
    // originals.ndjson holds the whole conversation, the rest of it marked as context.
    let marks: Vec<(i64, bool)> = fs::read_to_string(out.join("originals.ndjson"))
        .unwrap()
        .lines()
        .map(|line| {
            let line: Value = serde_json::from_str(line).unwrap();
            (
                line["id"].as_i64().unwrap(),
                line["selected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(marks.len(), 5);
    assert_eq!(
        marks
            .iter()
            .filter(|(_, selected)| *selected)
            .collect::<Vec<_>>(),
        [&(6, true)]
    );
    let transcript = fs::read_to_string(out.join("transcripts/conversation-1.txt")).unwrap();
    assert_eq!(
        transcript.lines().filter(|l| l.contains(" #")).count(),
        5,
        "{transcript}"
    );
    assert_eq!(verify_bundle(&sandbox, &out).code, 0);
}

/// Runs `verify-bundle` on a copy of `dir` changed by `change`; it must fail naming `name`.
fn assert_detected(
    sandbox: &Sandbox,
    dir: &Path,
    what: &str,
    name: &str,
    change: impl FnOnce(&Path),
) {
    let copy = sandbox.path(&format!("copy-{}", what.replace(['/', ' '], "-")));
    fs::create_dir_all(copy.join("transcripts")).unwrap();
    for file in bundle_files(dir) {
        fs::copy(dir.join(&file), copy.join(&file)).unwrap();
    }
    change(&copy);
    let output = verify_bundle(sandbox, &copy);
    let stdout = text(&output.stdout);
    assert_eq!(output.code, 1, "{what}: not detected\n{stdout}");
    assert!(stdout.contains(name), "{what}: {name} not named\n{stdout}");
    assert!(
        text(&output.stderr).starts_with("error: the bundle in "),
        "{what}"
    );
}

#[test]
fn a_byte_changed_in_any_file_or_a_file_deleted_is_detected() {
    let sandbox = with_fixture();
    let dir = export(&sandbox);
    for file in bundle_files(&dir) {
        assert_detected(
            &sandbox,
            &dir,
            &format!("one byte of {file}"),
            &file.replace("manifest.sha256", "manifest.json"),
            |copy| {
                let path = copy.join(&file);
                let mut bytes = fs::read(&path).unwrap();
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x01;
                fs::write(&path, bytes).unwrap();
            },
        );
        assert_detected(&sandbox, &dir, &format!("deleted {file}"), &file, |copy| {
            fs::remove_file(copy.join(&file)).unwrap();
        });
    }
    assert_detected(
        &sandbox,
        &dir,
        "added file",
        "notes.txt: not in the manifest",
        |copy| {
            fs::write(copy.join("notes.txt"), "hello").unwrap();
        },
    );
    assert_detected(
        &sandbox,
        &dir,
        "added transcript",
        "transcripts/conversation-2.txt: no conversation of originals.ndjson makes it (added after export)",
        |copy| {
            fs::write(copy.join("transcripts/conversation-2.txt"), "hello").unwrap();
        },
    );
}

#[test]
fn a_changed_message_is_named_with_its_file_and_line() {
    let sandbox = with_fixture();
    let dir = export(&sandbox);
    assert_detected(
        &sandbox,
        &dir,
        "ndjson content",
        "messages.ndjson: line 6 is not what the bundle's messages make: it reads `{\"id\":6,\"content\":\"anna from billing HERE\"",
        |copy| {
            let path = copy.join("messages.ndjson");
            let changed = fs::read_to_string(&path)
                .unwrap()
                .replace("billing here", "billing HERE");
            fs::write(path, changed).unwrap();
        },
    );
}

/// Rewrites the manifest with `edit` and makes manifest.sha256 agree, as someone would
/// who knows the format.
fn edit_manifest(copy: &Path, edit: impl FnOnce(&mut Value)) {
    use sha2::Digest;
    let path = copy.join("manifest.json");
    let mut manifest: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut manifest);
    let text = serde_json::to_string_pretty(&manifest).unwrap() + "\n";
    fs::write(&path, &text).unwrap();
    let sum = sha2::Sha256::digest(text.as_bytes());
    let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
    fs::write(
        copy.join("manifest.sha256"),
        format!("{hex}  manifest.json\n"),
    )
    .unwrap();
}

#[test]
fn an_edited_manifest_is_detected() {
    let sandbox = with_fixture();
    let dir = export(&sandbox);
    assert_detected(
        &sandbox,
        &dir,
        "manifest edited",
        "manifest.json was changed after export",
        |copy| {
            let path = copy.join("manifest.json");
            let edited = fs::read_to_string(&path)
                .unwrap()
                .replace("\"messages\": 9", "\"messages\": 8");
            fs::write(path, edited).unwrap();
        },
    );
    // Even with manifest.sha256 made to agree, what the manifest says is checked
    // against the files.
    assert_detected(
        &sandbox,
        &dir,
        "message dropped",
        "the bundle holds 9 selected messages; the manifest counts 8",
        |copy| {
            edit_manifest(copy, |m| {
                m["counts"]["messages"] = Value::from(8);
            });
        },
    );
    assert_detected(
        &sandbox,
        &dir,
        "file hash forged",
        "messages.csv: changed since export",
        |copy| {
            fs::write(copy.join("messages.csv"), "id\n").unwrap();
            edit_manifest(copy, |m| {
                let files = m["files"].as_array_mut().unwrap();
                let csv = files
                    .iter_mut()
                    .find(|f| f["path"] == "messages.csv")
                    .unwrap();
                csv["sha256"] = Value::from("0".repeat(64));
            });
        },
    );
}

#[test]
fn verify_bundle_of_a_missing_directory_is_invalid_input() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["verify-bundle", "no-such-bundle"]);
    assert_eq!(output.code, 2);
    assert_eq!(
        text(&output.stderr),
        "error: no bundle at no-such-bundle: not a directory\n"
    );
}

#[test]
fn verify_passes_on_a_fresh_archive() {
    let sandbox = with_late_messages();
    let stdout = sandbox.ok(&["verify"]);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("ok: archive "), "{stdout}");
    assert!(
        stdout.contains("is intact: 11 messages match their originals, 2 chain links, 3 conversations, search index current (11 messages); chain head: link 2 "),
        "{stdout}"
    );
    // An empty archive, too.
    let empty = Sandbox::new();
    let nothing = empty.path("nothing");
    fs::create_dir(&nothing).unwrap();
    empty.ok(&["import", nothing.to_str().unwrap()]);
    empty.ok(&["quarantine"]);
    assert!(empty.ok(&["verify"]).contains("is intact: 0 messages"));
    // No archive at all is a failure, not a pass.
    let none = Sandbox::new();
    assert_eq!(none.run(&["verify"]).code, 1);
}

/// Runs `verify` on the fixture after `sql`; it must exit 1 naming each of `named`.
fn assert_verify_names(sql: &str, named: &[&str]) {
    let sandbox = with_late_messages();
    sandbox.tamper(sql);
    let output = sandbox.run(&["verify"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.code, 1, "{sql}: not detected\n{stdout}");
    for name in named {
        assert!(stdout.contains(name), "{sql}: `{name}` not said\n{stdout}");
    }
    assert!(text(&output.stderr).starts_with("error: archive "), "{sql}");
}

#[test]
fn verify_names_an_edited_message_text() {
    assert_verify_names(
        "UPDATE message SET content = 'hi, this is not what john wrote' WHERE id = 4",
        &["chain link 1 (messages 1 to 9): the hash of the messages is not the recorded hash"],
    );
}

#[test]
fn verify_names_a_deleted_row() {
    assert_verify_names(
        "DELETE FROM message WHERE id = 5",
        &[
            "message 5 is missing (chain link 1 records it)",
            "conversation 3: records 3 messages, its messages are 2",
            "search index: it holds 11 messages, the archive 10",
        ],
    );
}

#[test]
fn verify_names_a_changed_batch_hash() {
    assert_verify_names(
        "UPDATE chain_link SET hash = zeroblob(32) WHERE id = 1",
        &[
            "chain link 2: its previous hash is not the hash of link 1",
            "chain link 1 (messages 1 to 9): the hash of the messages is not the recorded hash",
        ],
    );
}

#[test]
fn conversation_ids_are_read_like_message_ids() {
    let sandbox = with_fixture();
    for (id, code) in [
        ("0", 2),
        ("00", 2),
        ("-1", 2),
        ("abc", 2),
        ("", 2),
        ("99999999999999999999", 1),
        ("2", 1),
        ("01", 0),
    ] {
        let output = sandbox.run(&["show", "--conversation", id, "--format", "ndjson"]);
        assert_eq!(
            Some(output.code),
            Some(code),
            "{id:?}: {}",
            text(&output.stderr)
        );
    }
}
