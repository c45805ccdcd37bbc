//! Importing what the archive already holds (contract §1b): a message listed N times
//! that the archive holds M times is added N − M times, so re-imports and overlapping
//! files add only what is new, and identity is the six fields, not the raw text.

use crate::harness::{
    CorpusFormat, ImportSummary, Sandbox, content_of, corpus_objects, created, fixture, list,
    message_object, ndjson_lines, repo_root, string_element, write_corpus,
};

#[test]
fn importing_the_same_files_again_adds_nothing() {
    let sandbox = Sandbox::new();
    let seed = repo_root().join("data/seed.json");
    let filters = fixture("filters.json");
    let generated = sandbox.file("generated.ndjson");
    write_corpus(&generated, 500, 5, CorpusFormat::Ndjson);
    let paths = [&seed, &filters, &generated];

    let first = sandbox.import_ok(&paths);
    assert_eq!(first.files, 3);
    assert_eq!(first.elements, 5 + 54 + 500);
    assert_eq!(first.added, 5 + 54 + 500);
    assert_eq!(first.already_archived, 0);
    assert_eq!(first.quarantined, 0);
    let before = sandbox
        .run(&["query", "--format", "ndjson"])
        .success()
        .stdout;

    for _ in 0..2 {
        let again = sandbox.import_ok(&paths);
        assert_eq!(
            again,
            ImportSummary {
                added: 0,
                already_archived: 559,
                ..first
            }
        );
        assert_eq!(sandbox.count::<&str>(&[]), 559);
    }
    // The archive did not change at all: same messages, same ids.
    let after = sandbox
        .run(&["query", "--format", "ndjson"])
        .success()
        .stdout;
    assert!(before == after, "a re-import changed the archive");
}

#[test]
fn overlapping_files_add_only_what_is_new() {
    let sandbox = Sandbox::new();
    let objects = corpus_objects(30, 9);
    let strings: Vec<String> = objects.iter().map(|o| string_element(o)).collect();
    // Days 1-20 as a list response, days 11-30 as NDJSON: 10 messages in both.
    let early = sandbox.write("early.json", list(&strings[..20]));
    let late = sandbox.write("late.ndjson", ndjson_lines(&objects[10..]));

    let first = sandbox.import_ok(&[&early]);
    assert_eq!((first.added, first.already_archived), (20, 0));
    let second = sandbox.import_ok(&[&late]);
    assert_eq!((second.added, second.already_archived), (10, 10));
    assert_eq!(sandbox.count::<&str>(&[]), 30);

    // Archive order follows the files: the new ten come last, in their file's order.
    let contents: Vec<String> = sandbox
        .query::<&str>(&[])
        .iter()
        .map(|m| (m["id"].as_i64().unwrap(), content_of(m).to_owned()))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect();
    let expected: Vec<String> = objects
        .iter()
        .map(|o| {
            let value: serde_json::Value = serde_json::from_str(o).unwrap();
            value["content"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(contents, expected);

    // Both files at once into a fresh archive: the same 30.
    let fresh = sandbox.root().join("fresh");
    let both = sandbox
        .import_on(&fresh, &[&early, &late])
        .success()
        .summary();
    assert_eq!((both.added, both.already_archived), (30, 10));
    assert_eq!(sandbox.count_on::<&str>(&fresh, &[]), 30);
}

#[test]
fn a_file_listing_a_message_three_times_adds_two_to_an_archive_holding_it_once() {
    let sandbox = Sandbox::new();
    let ok = string_element(&message_object("ok", &created(1)));
    let other = string_element(&message_object("other", &created(2)));
    let once = sandbox.write("once.json", list(std::slice::from_ref(&ok)));
    let thrice = sandbox.write(
        "thrice.json",
        list(&[ok.clone(), other.clone(), ok.clone(), ok.clone()]),
    );

    assert_eq!(sandbox.import_ok(&[&once]).added, 1);
    let summary = sandbox.import_ok(&[&thrice]);
    assert_eq!((summary.added, summary.already_archived), (3, 1)); // 2 × "ok", 1 × "other"
    assert_eq!(sandbox.count(&["--contains", "ok"]), 3);
    assert_eq!(sandbox.count::<&str>(&[]), 4);

    // N = 3 copies, M = 3 archived: nothing; N = 1: nothing.
    assert_eq!(sandbox.import_ok(&[&thrice]).added, 0);
    assert_eq!(sandbox.import_ok(&[&once]).added, 0);
    assert_eq!(sandbox.count(&["--contains", "ok"]), 3);
}

#[test]
fn two_identical_messages_in_one_file_stay_two() {
    let sandbox = Sandbox::new();
    let ok = string_element(&message_object("ok", &created(1)));
    let twice = sandbox.write("twice.json", list(&[ok.clone(), ok.clone()]));
    assert_eq!(sandbox.import_ok(&[&twice]).added, 2);
    assert_eq!(sandbox.ids::<&str>(&[]), [1, 2]);
}

#[test]
fn identity_is_the_six_fields_not_the_raw_text() {
    let sandbox = Sandbox::new();
    let created = created(1);
    let canonical = string_element(&message_object("café", &created));
    // The same message: other key order, spacing, escapes, an unknown field, a plain
    // object, NDJSON, missing keys for nulls, customerId 42 as a number.
    let variants = [
        format!(
            r#"{{ "operator" : "john", "type":"VO", "visitorId":1, "created":"{created}", "customerId":null, "content":"caf\u00e9", "extra": true }}"#
        ),
        string_element(&format!(
            r#"{{"content":"caf\u00e9","created":"{created}","customerId":null,"visitorId":1,"type":"VO","operator":"john"}}"#
        )),
    ];
    sandbox.write("canonical.json", list(&[canonical]));
    // One file each: a file listing the message twice would rightly add a second copy.
    sandbox.write("variant-1.json", list(&variants[..1]));
    sandbox.write("variant-2.json", list(&variants[1..]));
    sandbox.write(
        "variant.ndjson",
        format!(
            "{}\n",
            message_object("café", &created)
                .replace(r#""content":"café""#, r#""content":"caf\u00e9""#)
        ),
    );
    assert_eq!(sandbox.import_ok(&["files/canonical.json"]).added, 1);
    let summary = sandbox.import_ok(&[
        "files/variant-1.json",
        "files/variant-2.json",
        "files/variant.ndjson",
    ]);
    assert_eq!((summary.added, summary.already_archived), (0, 3));

    // Missing keys read as null; customerId 42 and "42" are the same value.
    let nulls = format!(r#"{{"content":"x","created":"{created}","type":"VO"}}"#);
    let explicit = format!(
        r#"{{"content":"x","customerId":null,"created":"{created}","visitorId":null,"type":"VO","operator":null}}"#
    );
    let number = format!(r#"{{"content":"y","customerId":42,"created":"{created}","type":"VO"}}"#);
    let text = format!(r#"{{"content":"y","customerId":"42","created":"{created}","type":"VO"}}"#);
    sandbox.write("a.ndjson", format!("{nulls}\n{number}\n"));
    sandbox.write("b.ndjson", format!("{explicit}\n{text}\n"));
    assert_eq!(sandbox.import_ok(&["files/a.ndjson"]).added, 2);
    let summary = sandbox.import_ok(&["files/b.ndjson"]);
    assert_eq!((summary.added, summary.already_archived), (0, 2));
    let customer = sandbox.query(&["--customer-id", "42"]);
    assert_eq!(customer.len(), 1);
    assert_eq!(customer[0]["customerId"], "42");
}

#[test]
fn a_reimport_does_not_count_its_quarantined_elements_again() {
    // QA §8: the quarantine keeps an exact text once, so a re-run stores nothing new and
    // says so, as it does for messages (`added` / `already archived`).
    let sandbox = Sandbox::new();
    let lines = [message_object("x", &created(0)), "42".to_owned()];
    let path = sandbox.write("q.ndjson", ndjson_lines(&lines));

    let first = sandbox.import_ok(&[&path]);
    assert_eq!(
        (first.added, first.quarantined, first.already_quarantined),
        (1, 1, 0)
    );
    let run = sandbox.import(&[&path]).success();
    let again = run.summary();
    assert_eq!(
        (again.added, again.already_archived),
        (0, 1),
        "{}",
        run.stdout_text()
    );
    assert_eq!((again.quarantined, again.already_quarantined), (0, 1));
    assert!(
        run.stdout_text()
            .lines()
            .any(|line| line == "quarantined:       0 (1 already in quarantine)"),
        "{}",
        run.stdout_text()
    );
    assert_eq!(sandbox.quarantine().len(), 1);
}
