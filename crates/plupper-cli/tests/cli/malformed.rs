//! Elements that cannot be archived (contract §1, §5 "Element fields", "Quarantine",
//! "Dates in `created`"): kept verbatim in quarantine with the reason, counted in the
//! summary, listed by `quarantine`, never counted as messages; the good elements of
//! the same file are archived.

use serde_json::Value;

use crate::harness::{Sandbox, content_of, created, message_object, string_element};

fn good(content: &str, n: u32) -> String {
    string_element(&message_object(content, &created(n)))
}

/// A list response with a good element between each bad one, and the bad ones with the
/// reason each must be quarantined for (a part of it).
fn malformed_list() -> (String, Vec<(String, &'static str)>) {
    let bad = vec![
        ("nope".to_owned(), "not JSON"),
        ("{\"content\":}".to_owned(), "not JSON"),
        ("42".to_owned(), "a number"),
        ("\"just text\"".to_owned(), "not a message object"),
        ("[1, 2]".to_owned(), "an array"),
        (
            r#"{"content":"no date","type":"VO"}"#.to_owned(),
            "missing field `created`",
        ),
        (
            string_element(r#"{"created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#),
            "missing field `content`",
        ),
        (
            r#"{"content":"no type","created":"Wed Apr 29 17:16:13 CEST 2009"}"#.to_owned(),
            "missing field `type`",
        ),
        (
            r#"{"content":5,"created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#.to_owned(),
            "field `content`",
        ),
        (
            r#"{"content":"x","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","visitorId":5.0}"#
                .to_owned(),
            "field `visitorId`",
        ),
        (
            r#"{"content":"x","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","visitorId":"5"}"#
                .to_owned(),
            "field `visitorId`",
        ),
        (
            string_element(&message_object("april 31", "Fri Apr 31 10:00:00 CEST 2009")),
            "day that does not exist",
        ),
        (
            string_element(&message_object("25 o'clock", "Wed Apr 29 25:00:00 CEST 2009")),
            "time that does not exist",
        ),
        (
            string_element(&message_object("not a date", "yesterday")),
            "not a Java date",
        ),
    ];
    let mut elements = vec![good("good 0", 0)];
    for (i, (text, _)) in bad.iter().enumerate() {
        elements.push(text.clone());
        elements.push(good(&format!("good {}", i + 1), i as u32 + 1));
    }
    (format!("[{}]", elements.join(", ")), bad)
}

#[test]
fn malformed_elements_are_quarantined_counted_and_listed() {
    let sandbox = Sandbox::new();
    let (body, bad) = malformed_list();
    let path = sandbox.write("malformed.json", &body);

    let summary = sandbox.import(&[&path]).success().summary();
    assert_eq!(summary.elements, 2 * bad.len() as u64 + 1);
    assert_eq!(summary.added, bad.len() as u64 + 1);
    assert_eq!(summary.quarantined, bad.len() as u64);

    // The good elements are all archived; nothing quarantined counts as a message.
    let contents: Vec<String> = sandbox
        .query::<&str>(&[])
        .iter()
        .map(|m| content_of(m).to_owned())
        .collect();
    let expected: Vec<String> = (0..=bad.len()).map(|i| format!("good {i}")).collect();
    assert_eq!(contents, expected);

    let entries = sandbox.quarantine();
    assert_eq!(entries.len(), bad.len());
    let source = path.canonicalize().unwrap();
    for (index, (entry, (text, reason))) in entries.iter().zip(&bad).enumerate() {
        assert_eq!(entry["text"], *text, "entry {index}");
        let found = entry["reason"].as_str().unwrap();
        assert!(found.contains(reason), "reason {found:?} lacks {reason:?}");
        assert_eq!(entry["element"], 2 * index as u64 + 1, "element number");
        let offset = entry["byteOffset"].as_u64().expect("a byte offset") as usize;
        assert_eq!(
            &body.as_bytes()[offset..offset + text.len()],
            text.as_bytes()
        );
        assert_eq!(
            std::path::Path::new(entry["source"].as_str().unwrap())
                .canonicalize()
                .unwrap(),
            source
        );
    }

    // The same entries as CSV (RFC 4180) and as a table.
    let csv_out = sandbox
        .run(&["quarantine", "--format", "csv"])
        .success()
        .stdout;
    let mut reader = csv::Reader::from_reader(&csv_out[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "id",
            "reason",
            "source",
            "element",
            "byteOffset",
            "text",
            "textBase64"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), bad.len());
    for (row, entry) in rows.iter().zip(&entries) {
        assert_eq!(&row[0], entry["id"].to_string());
        assert_eq!(&row[1], entry["reason"].as_str().unwrap());
        assert_eq!(&row[5], entry["text"].as_str().unwrap());
    }
    let table = sandbox
        .run(&["quarantine", "--format", "table"])
        .success()
        .stdout_text();
    for entry in &entries {
        assert!(table.contains(&format!("#{} ", entry["id"])), "{table}");
        assert!(table.contains(entry["reason"].as_str().unwrap()), "{table}");
    }

    // Seen again: nothing new anywhere, the quarantine is deduplicated by exact text.
    let again = sandbox.import(&[&path]).success().summary();
    assert_eq!(again.added, 0);
    // Named in the summary again, as already there: nothing new was quarantined.
    assert_eq!(
        (again.quarantined, again.already_quarantined),
        (0, bad.len() as u64)
    );
    assert_eq!(sandbox.quarantine(), entries);
    assert_eq!(sandbox.count::<&str>(&[]), bad.len() as u64 + 1);
}

#[test]
fn a_truncated_last_element_is_quarantined_and_the_file_reported() {
    let sandbox = Sandbox::new();
    let first = good("first", 1);
    let second = good("second", 2);
    let cut_at = second.len() / 2;
    let body = format!("[{first}, {}", &second[..cut_at]);
    let path = sandbox.write("truncated.json", &body);
    let offset = first.len() + 3;

    let run = sandbox.import(&[&path]).code(2).errors(1);
    assert!(
        run.stderr.contains("truncated.json") && run.stderr.contains(&format!("byte {offset}")),
        "{}",
        run.stderr
    );
    let summary = run.summary();
    assert_eq!((summary.added, summary.quarantined), (1, 1));
    assert_eq!(sandbox.count::<&str>(&[]), 1);
    let entries = sandbox.quarantine();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["byteOffset"], offset as u64);
    assert_eq!(entries[0]["text"], &body[offset..]);
    assert_eq!(entries[0]["element"], Value::Null);
}

#[test]
fn a_quarantine_alone_does_not_fail_the_import() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("one-bad.json", format!("[{}, 42]", good("fine", 1)));
    let run = sandbox.import(&[&path]).success();
    assert_eq!(run.summary().quarantined, 1);
    let table = sandbox
        .run(&["quarantine", "--format", "table"])
        .success()
        .stdout_text();
    assert!(table.contains("one-bad.json"), "{table}");
}

#[test]
fn an_empty_quarantine_lists_nothing() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[crate::harness::repo_root().join("data/seed.json")]);
    assert_eq!(sandbox.quarantine(), Vec::<Value>::new());
    let csv_out = sandbox
        .run(&["quarantine", "--format", "csv"])
        .success()
        .stdout_text();
    assert_eq!(csv_out.lines().count(), 1, "only the header: {csv_out}");
}

#[test]
fn dates_with_a_wrong_weekday_or_an_unknown_zone_are_archived_with_a_warning() {
    let sandbox = Sandbox::new();
    let elements = [
        // 2009-04-29 was a Wednesday.
        string_element(&message_object("monday?", "Mon Apr 29 10:00:00 CEST 2009")),
        string_element(&message_object("cst", "Wed Apr 29 10:00:00 CST 2009")),
        string_element(&message_object("xyz", "Wed Apr 29 10:00:00 XYZ 2009")),
        string_element(&message_object(
            "fine",
            "Wed Apr 29 10:00:00 GMT+02:00 2009",
        )),
    ];
    sandbox.write("warn.json", format!("[{}]", elements.join(",")));
    let summary = sandbox.import_ok(&["files/warn.json"]);
    assert_eq!((summary.added, summary.warnings), (4, 3));
    // Archived under the written date, whatever the weekday says.
    let found = sandbox.query(&["--from", "04/29/09", "--to", "04/29/09"]);
    assert_eq!(found.len(), 4);
    let monday = found.iter().find(|m| content_of(m) == "monday?").unwrap();
    assert_eq!(monday["timestamp"], "2009-04-29T10:00:00+02:00");
    let fine = found.iter().find(|m| content_of(m) == "fine").unwrap();
    assert_eq!(fine["timestamp"], "2009-04-29T10:00:00+02:00");
    for unknown in ["cst", "xyz"] {
        let message = found.iter().find(|m| content_of(m) == unknown).unwrap();
        assert_eq!(message["timestamp"], Value::Null, "{unknown}");
    }
}
