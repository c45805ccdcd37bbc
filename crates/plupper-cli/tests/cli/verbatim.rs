//! What comes back out is what went in (contract §1, §3, §5 "`--format api` for
//! objects"): `query --format api` is the API's response body byte for byte, and
//! `show ID --format api` is the single object's text.

use serde_json::value::RawValue;

use crate::harness::{Sandbox, created, list, message_object, repo_root, string_element};

/// The object text a string element holds.
fn decoded(element: &str) -> String {
    serde_json::from_str(element).expect("a JSON string element")
}

/// The elements of an API list response, as their raw texts.
fn raw_elements(body: &[u8]) -> Vec<String> {
    let elements: Vec<Box<RawValue>> =
        serde_json::from_slice(body).expect("the output is a JSON array");
    elements.iter().map(|e| e.get().to_owned()).collect()
}

/// String elements written the ways a JSON encoder may write them; `created(n)` keeps
/// them in file order.
fn escaped_elements() -> Vec<String> {
    let fields = |n: u32| {
        format!(
            r#"\"customerId\":null,\"created\":\"{}\",\"visitorId\":7,\"type\":\"VO\",\"operator\":\"john\""#,
            created(n)
        )
    };
    let mut big = String::new();
    while big.len() < 1 << 20 {
        big.push_str("Lorem ipsum \"dolor\" sit amet, café 😀\n\t\\ / ");
    }
    vec![
        // `\u00e9` in the string literal: the object text holds `é`.
        format!(r#""{{\"content\":\"caf\u00e9\",{}}}""#, fields(1)),
        // `\u00e9` in the object text: the string literal escapes its backslash.
        format!(r#""{{\"content\":\"caf\\u00e9\",{}}}""#, fields(2)),
        // Upper-case hex digits.
        format!(r#""{{\"content\":\"caf\u00E9\",{}}}""#, fields(3)),
        // `\/` in the literal, and in the object text.
        format!(r#""{{\"content\":\"a\/b\",{}}}""#, fields(4)),
        format!(r#""{{\"content\":\"a\\/b\",{}}}""#, fields(5)),
        // A surrogate pair in the literal, and in the object text.
        format!(r#""{{\"content\":\"smile \ud83d\ude00\",{}}}""#, fields(6)),
        format!(
            r#""{{\"content\":\"smile \\ud83d\\ude00\",{}}}""#,
            fields(7)
        ),
        // Spacing, key order, an unknown field.
        format!(
            r#""{{ \"type\" : \"VO\", \"content\" : \"spaced\", \"created\" : \"{}\", \"extra\" : [1, 2.50, null] }}""#,
            created(8)
        ),
        // Every byte escaped that may be.
        format!(
            r#""\u007b\"content\":\"\u0041\u0042\",{}\u007d""#,
            fields(9)
        ),
        // A 1 MiB content, as the API writes it.
        string_element(&message_object(&big, &created(10))),
    ]
}

#[test]
fn show_api_gives_back_the_original_text_byte_for_byte() {
    let sandbox = Sandbox::new();
    let elements = escaped_elements();
    sandbox.write("escaped.json", list(&elements));
    let summary = sandbox.import_ok(&["files/escaped.json"]);
    assert_eq!((summary.added, summary.quarantined), (10, 0));

    for (index, element) in elements.iter().enumerate() {
        let id = (index + 1).to_string();
        let shown = sandbox.run(&["show", &id, "--format", "api"]).success();
        assert!(
            shown.stdout == decoded(element).as_bytes(),
            "show {id} --format api:\n{}\nexpected:\n{}",
            shown.stdout_text().chars().take(300).collect::<String>(),
            decoded(element).chars().take(300).collect::<String>()
        );
    }
    // The 1 MiB content, whole.
    let big = sandbox.query(&["--contains", "lorem ipsum"]);
    assert_eq!(big.len(), 1);
    let original: serde_json::Value = serde_json::from_str(&decoded(&elements[9])).unwrap();
    assert_eq!(big[0]["content"], original["content"]);
    assert!(big[0]["content"].as_str().unwrap().len() >= 1 << 20);
}

#[test]
fn query_api_gives_back_the_response_body_byte_for_byte() {
    let sandbox = Sandbox::new();
    let elements = escaped_elements();
    let body = list(&elements);
    sandbox.write("escaped.json", &body);
    sandbox.import_ok(&["files/escaped.json"]);

    let out = sandbox.run(&["query", "--format", "api"]).success().stdout;
    assert_eq!(raw_elements(&out), elements);
    assert!(out == body.as_bytes(), "the response body differs");

    // The API reference's example, as the API sent it.
    let seed = std::fs::read(repo_root().join("data/seed.json")).unwrap();
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[repo_root().join("data/seed.json")]);
    let out = sandbox.run(&["query", "--format", "api"]).success().stdout;
    assert_eq!(
        String::from_utf8(out).unwrap(),
        String::from_utf8(seed).unwrap().trim_end()
    );
}

#[test]
fn plain_objects_and_ndjson_lines_come_back_as_their_text() {
    let sandbox = Sandbox::new();
    let objects = [
        format!(
            r#"{{ "type": "VO", "content": "caf\u00e9 \/ \ud83d\ude00", "created": "{}", "operator": "john", "extra": {{"a": [1, 2]}} }}"#,
            created(1)
        ),
        format!(
            r#"{{"content":"plain","customerId":42,"created":"{}","visitorId":5,"type":"VT","operator":null}}"#,
            created(2)
        ),
    ];
    let lines = [
        format!(
            r#"{{"created": "{}", "type": "VO", "content": "line \u00e9"}}"#,
            created(3)
        ),
        format!(
            "{{\"content\":\"tabs\\tand spaces\",   \"created\":\"{}\",\"type\":\"VT\"}}",
            created(4)
        ),
    ];
    sandbox.write(
        "objects.json",
        format!("[\n  {},\n  {}\n]\n", objects[0], objects[1]),
    );
    // CRLF line ends and a blank line: the line's text is the object, not its line end.
    sandbox.write(
        "lines.ndjson",
        format!("{}\r\n\n{}\r\n", lines[0], lines[1]),
    );
    let summary = sandbox.import_ok(&["files/objects.json", "files/lines.ndjson"]);
    assert_eq!((summary.added, summary.quarantined), (4, 0));

    let originals: Vec<&String> = objects.iter().chain(&lines).collect();
    for (index, original) in originals.iter().enumerate() {
        let id = (index + 1).to_string();
        let shown = sandbox.run(&["show", &id, "--format", "api"]).success();
        assert_eq!(shown.stdout_text(), **original, "show {id} --format api");
    }

    let out = sandbox.run(&["query", "--format", "api"]).success().stdout;
    let elements: Vec<String> = serde_json::from_slice(&out).expect("an array of strings");
    assert_eq!(
        elements,
        originals.iter().map(|o| o.to_string()).collect::<Vec<_>>()
    );
}
