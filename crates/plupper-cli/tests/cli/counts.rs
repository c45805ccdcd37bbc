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
