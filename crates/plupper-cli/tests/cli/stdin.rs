//! `import -` (issue 17, item 9): standard input is a file like any other, recognised by
//! its content, named `standard input` in the quarantine.

use crate::harness::{ImportSummary, Run, Sandbox, list, message_object, string_element};

fn import_stdin(sandbox: &Sandbox, args: &[&str], input: &str) -> Run {
    Run::from(
        sandbox
            .command()
            .arg("import")
            .args(args)
            .write_stdin(input)
            .output()
            .expect("run the binary"),
    )
}

#[test]
fn import_dash_reads_an_api_response_or_ndjson_from_standard_input() {
    let sandbox = Sandbox::new();
    let hi = message_object("Hi from a pipe", "Wed Apr 29 17:16:13 CEST 2009");
    let run = import_stdin(&sandbox, &["-"], &list(&[string_element(&hi)])).success();
    let summary = run.summary();
    assert_eq!((summary.files, summary.added), (1, 1));
    // Again, as NDJSON, beside a file: the same message is not added twice.
    sandbox.write("other.ndjson", format!("{hi}\n"));
    let run = import_stdin(&sandbox, &["files/other.ndjson", "-"], &format!("{hi}\n")).success();
    assert_eq!(
        run.summary(),
        ImportSummary {
            files: 2,
            elements: 2,
            already_archived: 2,
            ..ImportSummary::default()
        }
    );
    let contents = sandbox.contents_by_id();
    assert_eq!(contents, ["Hi from a pipe"]);
}

#[test]
fn what_standard_input_holds_is_judged_as_a_file_s_content() {
    let sandbox = Sandbox::new();
    let run = import_stdin(&sandbox, &["-"], r#"["{\"content\": 5}"]"#).success();
    assert_eq!(run.summary().quarantined, 1);
    let entries = sandbox.quarantine();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["source"], "standard input");
    // Nothing at all is not an import file.
    let run = import_stdin(&sandbox, &["-"], "").code(2).errors(1);
    assert!(
        run.stderr.starts_with("error: -: not an API list response"),
        "{}",
        run.stderr
    );
    assert_eq!(run.summary().files, 1);
}
