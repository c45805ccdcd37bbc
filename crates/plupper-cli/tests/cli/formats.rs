//! The output formats of `query` (contract §3): `api` is the API's response body,
//! `ndjson` one object per line with `id` and `timestamp`, `csv` RFC 4180 with a header,
//! `table` for people; `--limit` and `--count`; and a reader that stops early.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::filters::fixture_archive;
use crate::harness::{Sandbox, fixture, parse_ndjson, repo_root};

/// The fixture's elements as raw texts, in file order (= archive id − 1).
fn fixture_elements() -> Vec<String> {
    let body = std::fs::read(fixture("filters.json")).unwrap();
    let elements: Vec<Box<RawValue>> = serde_json::from_slice(&body).unwrap();
    elements.iter().map(|e| e.get().to_owned()).collect()
}

#[test]
fn api_output_gives_back_the_original_elements() {
    let sandbox = fixture_archive();
    let originals = fixture_elements();
    let ids = sandbox.ids::<&str>(&[]);
    let out = sandbox.run(&["query", "--format", "api"]).success().stdout;

    // A valid API response: an array of strings, in the answer's order.
    let raw: Vec<Box<RawValue>> = serde_json::from_slice(&out).expect("a JSON array");
    assert_eq!(raw.len(), originals.len());
    for (element, id) in raw.iter().zip(&ids) {
        let original = &originals[*id as usize - 1];
        assert!(
            element.get().starts_with('"'),
            "not a string: {}",
            element.get()
        );
        if original.starts_with('"') {
            // A string element: its bytes exactly.
            assert_eq!(element.get(), original, "element of id {id}");
        } else {
            // A plain object: a string holding the object's text verbatim.
            let text: String = serde_json::from_str(element.get()).unwrap();
            assert_eq!(&text, original, "element of id {id}");
        }
        // Either way, re-parsed it is the original element's object.
        let text: String = serde_json::from_str(element.get()).unwrap();
        let object: Value = serde_json::from_str(&text).unwrap();
        let original_value: Value = serde_json::from_str(original).unwrap();
        let original_object: Value = match original_value {
            Value::String(inner) => serde_json::from_str(&inner).unwrap(),
            object => object,
        };
        assert_eq!(object, original_object, "element of id {id}");
    }

    // Filtered and limited, and empty: still a valid response.
    let some = sandbox
        .run(&[
            "query",
            "--format",
            "api",
            "--operator",
            "peter",
            "--limit",
            "2",
        ])
        .success()
        .stdout;
    let some: Vec<String> = serde_json::from_slice(&some).unwrap();
    assert_eq!(some.len(), 2);
    let none = sandbox
        .run(&["query", "--format", "api", "--operator", "nobody"])
        .success();
    assert_eq!(none.stdout_text(), "[]");
}

#[test]
fn csv_output_is_rfc_4180_with_a_header() {
    let sandbox = fixture_archive();
    let ndjson = sandbox.query::<&str>(&[]);
    let out = sandbox.run(&["query", "--format", "csv"]).success().stdout;
    let mut reader = csv::ReaderBuilder::new().from_reader(&out[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "id",
            "content",
            "customerId",
            "created",
            "visitorId",
            "type",
            "operator",
            "timestamp"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(|r| r.expect("an RFC 4180 row"))
        .collect();
    assert_eq!(rows.len(), ndjson.len());
    let text = |v: &Value| match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for (row, message) in rows.iter().zip(&ndjson) {
        for (i, field) in [
            "id",
            "content",
            "customerId",
            "created",
            "visitorId",
            "type",
            "operator",
            "timestamp",
        ]
        .iter()
        .enumerate()
        {
            assert_eq!(row[i], text(&message[*field]), "{field} of {message}");
        }
    }
    // The fields that need quoting were quoted: commas, quotes, a tab, a newline.
    let raw = String::from_utf8(out).unwrap();
    assert!(raw.contains(r#","say ""hi"" 😀","#), "{raw}");
    assert!(raw.contains(r#","Hi, I need to send money","#), "{raw}");
    // Records end in CRLF or LF, never in anything else.
    assert!(raw.ends_with('\n'));
}

#[test]
fn ndjson_output_has_the_id_the_six_fields_and_a_timestamp() {
    let sandbox = fixture_archive();
    let messages = sandbox.query::<&str>(&[]);
    assert_eq!(messages.len(), 54);
    for message in &messages {
        let keys: Vec<&str> = message
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            [
                "content",
                "created",
                "customerId",
                "id",
                "operator",
                "timestamp",
                "type",
                "visitorId"
            ]
        );
        match &message["timestamp"] {
            Value::Null => {
                let zone = message["created"]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .nth(4)
                    .unwrap();
                assert!(["CST", "IST", "MSK"].contains(&zone), "{message}");
            }
            Value::String(t) => {
                chrono::DateTime::parse_from_rfc3339(t)
                    .unwrap_or_else(|e| panic!("{t:?} is not RFC 3339: {e}"));
            }
            other => panic!("timestamp {other}"),
        }
    }
    let by_id = |id: i64| messages.iter().find(|m| m["id"] == id).unwrap();
    assert_eq!(by_id(41)["timestamp"], "2009-04-30T00:30:00+02:00");
    assert_eq!(by_id(42)["timestamp"], "2009-04-29T23:30:00-05:00");
    assert_eq!(by_id(33)["operator"], Value::Null);
    assert_eq!(by_id(33)["visitorId"], Value::Null);
    assert_eq!(by_id(33)["customerId"], Value::Null);
    assert_eq!(by_id(34)["visitorId"], 3_000_000_000_i64);
    assert_eq!(by_id(36)["customerId"], "42");
    assert_eq!(by_id(54)["type"], "XX");
    assert_eq!(by_id(3)["content"], "Ärger mit der Rechnung");
    // Not a terminal: ndjson is the default.
    let default = sandbox.run(&["query"]).success().stdout;
    assert_eq!(parse_ndjson(&default), messages);
}

#[test]
fn table_output_has_a_header_and_a_line_per_message() {
    let sandbox = fixture_archive();
    let table = sandbox
        .run(&["query", "--format", "table", "--operator", "peter"])
        .success()
        .stdout_text();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(
        lines[0].contains("ID") && lines[0].contains("CONTENT"),
        "{table}"
    );
    for (line, id) in lines[1..].iter().zip([1, 3, 4]) {
        assert!(line.trim_start().starts_with(&format!("{id} ")), "{line}");
        assert!(line.contains("peter"), "{line}");
    }
}

/// Issue 17: a table into a pipe or a file is never cut (it has no width), whatever
/// `COLUMNS` says; the word searched for stays whole.
#[test]
fn a_table_off_a_terminal_keeps_every_content_whole() {
    let sandbox = Sandbox::new();
    let long = format!("{} I forgot my password", "word ".repeat(40));
    let element = crate::harness::string_element(&crate::harness::message_object(
        &long,
        &crate::harness::created(1),
    ));
    sandbox.write("long.json", crate::harness::list(&[element]));
    sandbox.import_ok(&["files/long.json"]);
    for columns in [None, Some("40"), Some("200")] {
        let mut command = sandbox.command();
        if let Some(columns) = columns {
            command.env("COLUMNS", columns);
        }
        let out = command
            .args(["query", "--contains", "password", "--format", "table"])
            .output()
            .unwrap();
        let table = String::from_utf8(out.stdout).unwrap();
        assert!(
            table.lines().nth(1).is_some_and(|l| l.ends_with(&long)),
            "COLUMNS {columns:?}:\n{table}"
        );
    }
}

#[test]
fn limit_cuts_the_answer_and_count_ignores_it() {
    let sandbox = fixture_archive();
    let all = sandbox.ids::<&str>(&[]);
    assert_eq!(sandbox.ids(&["--limit", "3"]), all[..3]);
    assert_eq!(sandbox.ids(&["--limit", "54"]), all);
    assert_eq!(sandbox.ids(&["--limit", "1000"]), all);
    assert_eq!(sandbox.ids(&["--limit", "1", "--operator", "peter"]), [1]);
    let count = |args: &[&str]| {
        let mut all = vec!["query", "--count"];
        all.extend_from_slice(args);
        sandbox.run(&all).success().stdout_text()
    };
    assert_eq!(count(&["--limit", "2"]), "54\n");
    assert_eq!(count(&["--limit", "0", "--operator", "peter"]), "3\n");
    assert_eq!(count(&["--operator", "nobody"]), "0\n");
    sandbox.run(&["query", "--limit", "-1"]).code(2);
    sandbox.run(&["query", "--limit", "x"]).code(2);
}

/// Regression (QA §5): `--limit 0` printed `[]` in `api`, the header in `csv` and
/// `table`, for `query` and `search`. Contract §5: it prints nothing and exits 0, in
/// every format of every command that takes `--limit`; `--count` ignores it.
#[test]
fn limit_zero_printed_an_empty_list_or_a_header() {
    let sandbox = fixture_archive();
    let formats = ["ndjson", "api", "csv", "table"];
    let runs = formats
        .iter()
        .map(|format| vec!["query", "--limit", "0", "--format", format])
        .chain(
            formats
                .iter()
                .map(|format| vec!["search", "money", "--limit", "0", "--format", format]),
        )
        .chain(
            ["ndjson", "csv", "table"]
                .iter()
                .map(|format| vec!["conversations", "--limit", "0", "--format", format]),
        );
    for args in runs {
        let run = sandbox.run(&args).success();
        assert_eq!(run.stdout_text(), "", "{args:?}");
    }
    // With a filter and no format (not a terminal: ndjson) too.
    let run = sandbox
        .run(&["query", "--limit", "0", "--operator", "peter"])
        .success();
    assert_eq!(run.stdout_text(), "");
    // Invalid input is still invalid with --limit 0.
    sandbox
        .run(&["query", "--limit", "0", "--from", "13/01/09"])
        .code(2);
    assert_eq!(
        sandbox
            .run(&["query", "--count", "--limit", "0"])
            .success()
            .stdout_text(),
        "54\n"
    );
}

/// The characters that must never reach a terminal raw: C0 controls other than the line
/// feeds the output itself writes, DEL, C1, the bidi embeddings, overrides, isolates and
/// marks, the line and paragraph separators, and the invisible zero width space.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(
                    c,
                    '\u{202A}'..='\u{202E}'
                        | '\u{2066}'..='\u{2069}'
                        | '\u{200B}'
                        | '\u{200F}'
                        | '\u{2028}'
                )
        })
        .collect()
}

/// A visitor and an operator whose every text field carries terminal controls, and an
/// element that goes to quarantine from a file whose name does too.
fn hostile_archive() -> (Sandbox, &'static str) {
    const CONTENT: &str = "line1\nline2\r\u{1b}[31mRED\u{1b}[0m \u{7}bell money \u{202e}gnp.exe \u{9b}2J \u{200b}\u{200f}\u{2028}\r\nend";
    let lines = [
        serde_json::json!({
            "content": "Plupper: visitor has entered communication",
            "customerId": "c\u{1b}]0;title\u{7}", "created": "Wed Apr 29 17:16:03 CEST 2009",
            "visitorId": 5, "type": "VO", "operator": "o\u{1b}[2Jx",
        }),
        serde_json::json!({
            "content": CONTENT,
            "customerId": "c\u{1b}]0;title\u{7}", "created": "Wed Apr 29 17:16:13 CEST 2009",
            "visitorId": 5, "type": "VO", "operator": "o\u{1b}[2Jx",
        }),
        serde_json::json!({
            "content": "money back \u{2066}soon\u{2069}\u{7f}",
            "customerId": "c\u{1b}]0;title\u{7}", "created": "Wed Apr 29 17:16:43 CEST 2009",
            "visitorId": 5, "type": "VT", "operator": "o\u{1b}[2Jx",
        }),
        serde_json::json!({
            "content": "odd money",
            "customerId": null, "created": "Wed Apr 29 17:17:00 C\u{1b}[2JT 2009",
            "visitorId": 5, "type": "Z\u{1b}Z", "operator": null,
        }),
        serde_json::json!({
            "content": "q", "created": "Thu Apr 31 10:00:00 C\u{1b}[2JT 2009", "type": "VO",
        }),
    ];
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    let sandbox = Sandbox::new();
    let path = sandbox.write("evil\u{1b}[2J.ndjson", text);
    let summary = sandbox.import(&[path]).ok().summary();
    assert_eq!((summary.added, summary.quarantined), (4, 1));
    (sandbox, CONTENT)
}

/// Regression (QA §4): the table outputs printed archived text with its terminal
/// controls raw (`show` the content's ESC, CR and BEL; `query`, `conversations`,
/// `show --conversation` and `stats` an operator's `ESC[2J`). Every output for people
/// now shows them as `\u{HEX}`, and the machine formats keep them as they are.
#[test]
fn table_output_printed_terminal_control_characters_raw() {
    let (sandbox, content) = hostile_archive();
    let table = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--format", "table"]);
        let out = sandbox.run(&all).success().stdout_text();
        assert_eq!(
            raw_controls(&out),
            Vec::<char>::new(),
            "{args:?} printed raw controls:\n{out}"
        );
        out
    };

    let show = table(&["show", "2"]);
    assert_eq!(
        show,
        "id          2\n\
         created     Wed Apr 29 17:16:13 CEST 2009\n\
         timestamp   2009-04-29T17:16:13+02:00\n\
         operator    o\\u{1b}[2Jx\n\
         visitorId   5\n\
         customerId  c\\u{1b}]0;title\\u{7}\n\
         type        VO\n\
         content     line1\n\
         \x20           line2\\u{d}\\u{1b}[31mRED\\u{1b}[0m \\u{7}bell money \\u{202e}gnp.exe \\u{9b}2J \\u{200b}\\u{200f}\\u{2028}\n\
         \x20           end\n\
         belongs to  conversation 1 (show --conversation 1)\n"
    );
    let odd = table(&["show", "4"]);
    assert!(
        odd.contains("created     Wed Apr 29 17:17:00 C\\u{1b}[2JT 2009\n"),
        "{odd}"
    );
    assert!(odd.contains("type        Z\\u{1b}Z\n"), "{odd}");

    let query = table(&["query"]);
    assert!(query.contains("o\\u{1b}[2"), "{query}");
    assert!(query.contains("line1\\u{a}line2\\u{"), "{query}");
    assert!(query.contains("C\\u{1b}[2JT"), "{query}");

    let search = table(&["search", "money"]);
    assert!(
        search.contains("o\\u{1b}[2Jx to visitor 5, customer c\\u{1b}]0;title\\u{7},"),
        "{search}"
    );
    assert!(search.contains("\\u{1b}[31mRED"), "{search}");
    assert!(search.contains("\\u{2066}soon\\u{2069}\\u{7f}"), "{search}");

    let conversations = table(&["conversations"]);
    assert!(
        conversations.contains("c\\u{1b}]0;title"),
        "{conversations}"
    );
    assert!(conversations.contains("o\\u{1b}[2Jx"), "{conversations}");

    let transcript = table(&["show", "--conversation", "1"]);
    for line in [
        "  customer        c\\u{1b}]0;title\\u{7}",
        "  operators       o\\u{1b}[2Jx",
        "2009-04-29 17:16:43 CEST  #3      o\\u{1b}[2Jx: money back \\u{2066}soon\\u{2069}\\u{7f}",
    ] {
        assert!(
            transcript.lines().any(|l| l == line),
            "{line:?} not in\n{transcript}"
        );
    }
    // The content's lines continue under its first.
    let continued = format!(
        "visitor: line1\n{}line2\\u{{d}}\\u{{1b}}[31mRED",
        " ".repeat(43)
    );
    assert!(transcript.contains(&continued), "{transcript}");

    // The message with the odd zone is read as UTC: two hours later, a conversation
    // of its own.
    let odd = table(&["show", "--conversation", "4"]);
    for line in [
        "  from            Wed Apr 29 17:17:00 C\\u{1b}[2JT 2009",
        "2009-04-29 17:17:00 C\\u{1b}[2JT  #4      [Z\\u{1b}Z]: odd money",
    ] {
        assert!(odd.lines().any(|l| l == line), "{line:?} not in\n{odd}");
    }

    let by_operator = table(&["stats", "--by", "operator"]);
    assert!(by_operator.contains("\no\\u{1b}[2Jx "), "{by_operator}");
    let by_customer = table(&["stats", "--by", "customer"]);
    assert!(
        by_customer.contains("\nc\\u{1b}]0;title\\u{7} "),
        "{by_customer}"
    );

    let quarantine = table(&["quarantine"]);
    assert!(quarantine.contains("evil\\u{1b}[2J.ndjson"), "{quarantine}");
    assert!(quarantine.contains("C\\u{1b}[2JT"), "{quarantine}");

    // The machine formats keep the text as it is.
    let ndjson = sandbox.query(&["--visitor-id", "5"]);
    assert_eq!(ndjson[1]["content"], content);
    assert_eq!(ndjson[1]["operator"], "o\u{1b}[2Jx");
    let csv = sandbox
        .run(&["query", "--format", "csv"])
        .success()
        .stdout_text();
    assert!(csv.contains("o\u{1b}[2Jx"), "{csv}");
    let api = sandbox
        .run(&["show", "2", "--format", "api"])
        .success()
        .stdout_text();
    let object: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(object["content"], content);
    let hits = parse_ndjson(
        &sandbox
            .run(&["search", "money", "--format", "ndjson"])
            .success()
            .stdout,
    );
    // The NDJSON snippet has spaces for control characters, as before.
    assert!(
        hits.iter().any(|hit| hit["snippet"]
            .as_str()
            .unwrap()
            .starts_with("line1 line2  [31mRED")),
        "{hits:?}"
    );
}

/// Same regression for `verify-bundle`: a difference quotes the exported text and names
/// the files found in the bundle, both chosen by whoever changed it.
#[test]
fn verify_bundle_printed_terminal_control_characters_raw() {
    let (sandbox, _) = hostile_archive();
    sandbox.run(&["export", "--out", "files/bundle"]).success();
    let bundle = sandbox.file("bundle");
    let ndjson = bundle.join("messages.ndjson");
    let text = std::fs::read_to_string(&ndjson).unwrap();
    std::fs::write(
        &ndjson,
        text.replace("odd money", "odd money\u{202e}\u{85}"),
    )
    .unwrap();
    std::fs::write(bundle.join("added\u{1b}[2J.txt"), "x").unwrap();
    let run = sandbox.run(&["verify-bundle", "files/bundle"]).code(1);
    let out = run.stdout_text();
    assert_eq!(raw_controls(&out), Vec::<char>::new(), "{out}");
    assert!(out.contains("odd money\\u{202e}\\u{85}"), "{out}");
    assert!(
        out.contains("added\\u{1b}[2J.txt: not in the manifest"),
        "{out}"
    );
}

/// Runs `ARGS...` with stdout piped into a reader that reads one line and closes the
/// pipe: the command must end quietly with status 0.
fn assert_quiet_on_a_closed_pipe(sandbox: &Sandbox, args: &[&str]) {
    let mut child = sandbox
        .std_command()
        .arg("--archive")
        .arg(sandbox.archive())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(!line.is_empty());
    drop(reader);
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "",
        "{args:?}: no error output on a closed pipe"
    );
    assert_eq!(output.status.code(), Some(0), "{args:?}");
}

/// `query` on the sample data (3205 messages, far more than a pipe buffer holds).
fn closed_pipe(args: &[&str]) {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[repo_root().join("data/sample")]);
    assert_quiet_on_a_closed_pipe(&sandbox, args);
}

#[test]
fn a_closed_pipe_ends_an_ndjson_query_quietly() {
    closed_pipe(&["query", "--format", "ndjson"]);
}

#[test]
fn a_closed_pipe_ends_an_api_query_quietly() {
    closed_pipe(&["query", "--format", "api"]);
}

#[test]
fn a_closed_pipe_ends_a_table_query_quietly() {
    closed_pipe(&["query", "--format", "table"]);
}

#[test]
fn a_closed_pipe_ends_a_csv_query_quietly() {
    closed_pipe(&["query", "--format", "csv"]);
}

#[test]
fn a_closed_pipe_ends_a_csv_quarantine_listing_quietly() {
    let sandbox = Sandbox::new();
    let bad: Vec<String> = (0..3000)
        .map(|n| {
            format!(
                r#"{{"content":"entry {n} {}","type":"VO"}}"#,
                "x".repeat(200)
            )
        })
        .collect();
    sandbox.write("bad.json", format!("[{}]", bad.join(",")));
    assert_eq!(sandbox.import_ok(&["files/bad.json"]).quarantined, 3000);
    assert_quiet_on_a_closed_pipe(&sandbox, &["quarantine", "--format", "csv"]);
    assert_quiet_on_a_closed_pipe(&sandbox, &["quarantine", "--format", "ndjson"]);
}

/// Issue 17: a missing value reads the same in every table for people: `-` (not `null`
/// in `show`, `(none)` in `stats`).
#[test]
fn a_missing_value_is_a_dash_in_every_table() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[repo_root().join("data/seed.json")]);
    let table = |args: &[&str]| sandbox.run(args).success().stdout_text();
    let show = table(&["show", "1", "--format", "table"]);
    assert!(show.contains("\ncustomerId  -\n"), "{show}");
    let stats = table(&["stats", "--by", "customer", "--format", "table"]);
    assert!(
        stats
            .lines()
            .any(|l| l.starts_with("-  ") || l.starts_with("-        ")),
        "{stats}"
    );
    assert!(!stats.contains("(none)"), "{stats}");
    let conversations = table(&["conversations", "--format", "table"]);
    assert!(conversations.contains("  -  "), "{conversations}");
    let query = table(&["query", "--format", "table"]);
    assert!(!query.contains("null"), "{query}");
    // And "nothing" reads the same: `no messages match` (as `search` says it).
    for args in [
        &["query", "--operator", "nobody", "--format", "table"][..],
        &["search", "hi", "--operator", "nobody", "--format", "table"],
    ] {
        let run = sandbox.run(args).code(0);
        assert_eq!(
            run.stdout_text().lines().last(),
            Some("no messages match"),
            "{args:?}"
        );
    }
}

/// Where the index answers, `ndjson` lines are written straight from the store's rows
/// (ids close together read in one walk of their range, others one by one): byte for
/// byte the lines the store alone gives once the index is gone, in the same order.
#[test]
fn ndjson_of_the_index_path_is_the_store_paths_byte_for_byte() {
    let sandbox = fixture_archive();
    let filters: [&[&str]; 4] = [
        &["--operator", "anna"],
        &["--contains", "as "],
        &["--contains", "0:0", "--from", "05/05/09"],
        &["--customer-id", "42"],
    ];
    let ndjson = |args: &[&str]| {
        let run = sandbox.run(&[&["query", "--format", "ndjson"], args].concat());
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        (run.stdout, run.stderr)
    };
    let mut from_index = Vec::new();
    for args in filters {
        let (lines, stderr) = ndjson(args);
        assert!(
            !stderr.contains("note:"),
            "{args:?}: the index answers: {stderr}"
        );
        assert!(lines.split(|&b| b == b'\n').count() > 2, "{args:?}");
        from_index.push(lines);
    }
    std::fs::remove_dir_all(sandbox.archive().join("index")).unwrap();
    for (args, expected) in filters.iter().zip(&from_index) {
        let (lines, stderr) = ndjson(args);
        assert!(
            stderr.contains("note:"),
            "{args:?}: the store answers: {stderr}"
        );
        assert_eq!(
            String::from_utf8_lossy(&lines),
            String::from_utf8_lossy(expected),
            "{args:?}"
        );
    }
}
