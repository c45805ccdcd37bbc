//! Damaged and foreign files (contract §5 "Damaged and foreign files"): every element of
//! a recognised file ends up archived or in quarantine; a file cut off or broken between
//! elements exits 2 after the other files, naming the file and the byte offset; a file
//! not recognised at all stores nothing (2); a missing path is invalid input (2), a file
//! that cannot be read a failure (1); one bad file never stops the others, and nothing
//! archived before is lost.

use std::path::{Path, PathBuf};

use base64::Engine as _;

use crate::harness::{
    CorpusFormat, Sandbox, created, list, message_object, ndjson_lines, repo_root, string_element,
    write_corpus,
};

fn seed() -> PathBuf {
    repo_root().join("data/seed.json")
}

fn good(content: &str, n: u32) -> String {
    string_element(&message_object(content, &created(n)))
}

/// A sandbox whose archive already holds the 5 seed messages, and a good file of 2 more.
fn archive_with_seed() -> (Sandbox, PathBuf) {
    let sandbox = Sandbox::new();
    assert_eq!(sandbox.import_ok(&[seed()]).added, 5);
    let other = sandbox.write(
        "other.json",
        list(&[good("other 1", 1), good("other 2", 2)]),
    );
    (sandbox, other)
}

#[test]
fn a_missing_path_is_invalid_input_and_the_other_files_are_imported() {
    let (sandbox, other) = archive_with_seed();
    let run = sandbox
        .import(&[Path::new("files/missing.json"), &other])
        .code(2)
        .errors(1)
        .stderr_line("error: files/missing.json: no such file or directory");
    assert_eq!(run.summary().added, 2);
    assert_eq!(sandbox.count::<&str>(&[]), 7);

    // A dangling symbolic link given as a path is missing too.
    std::os::unix::fs::symlink("nowhere.json", sandbox.file("dangling.json")).unwrap();
    let run = sandbox
        .import(&["files/dangling.json"])
        .code(2)
        .errors(1)
        .stderr_line("error: files/dangling.json: no such file or directory");
    // Issue 17: nothing was read, so no summary of zeros under the error.
    assert_eq!(run.stdout_text(), "");
}

/// Issue 17: `import typo.json` prints its error and no summary (a summary of zeros
/// reads as "it worked, the file was empty"); with `--no-index` too.
#[test]
fn a_run_that_read_no_file_prints_only_its_errors() {
    let sandbox = Sandbox::new();
    for args in [
        &["import", "files/typo.json"][..],
        &[
            "import",
            "--no-index",
            "files/typo.json",
            "files/other.ndjson",
        ],
    ] {
        let run = sandbox.run(args).code(2);
        assert_eq!(run.stdout_text(), "", "{args:?}");
        assert!(
            run.stderr
                .lines()
                .all(|l| l.starts_with("error: files/")
                    && l.ends_with(": no such file or directory")),
            "{args:?}: {}",
            run.stderr
        );
    }
    // A directory holding no file is no error: its summary says so.
    std::fs::create_dir(sandbox.file("empty")).unwrap();
    let summary = sandbox.import_ok(&["files/empty"]);
    assert_eq!((summary.files, summary.added), (0, 0));
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

/// A file that exists but cannot be read is a failure (1): the error names it, and the
/// other files of the same command are imported.
#[track_caller]
fn assert_unreadable(sandbox: &Sandbox, path: &Path, other: &Path, before: u64) {
    let run = sandbox.import(&[path, other]).code(1).errors(1);
    assert!(
        run.stderr
            .starts_with(&format!("error: {}: cannot read", path.display())),
        "{}",
        run.stderr
    );
    let summary = run.summary();
    assert_eq!(
        (summary.added, summary.already_archived),
        (0, 2),
        "the other file is read (its messages were archived before)"
    );
    assert_eq!(sandbox.count::<&str>(&[]), before);
}

#[test]
fn a_file_that_cannot_be_read_is_a_failure() {
    use std::os::unix::fs::PermissionsExt;
    let (sandbox, other) = archive_with_seed();
    sandbox.import_ok(&[&other]);

    // Permissions stop everyone but root; the tests may well run as root.
    let locked = sandbox.write("locked.json", list(&[good("locked", 9)]));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if running_as_root() {
        eprintln!("running as root: a mode 000 file is readable, that case is skipped");
    } else {
        assert_unreadable(&sandbox, &locked, &other, 7);
    }

    // Reading fails for root too: /proc/self/mem opens, but reading its first page is
    // an I/O error; a symbolic link to itself cannot be resolved.
    assert_unreadable(&sandbox, Path::new("/proc/self/mem"), &other, 7);
    std::os::unix::fs::symlink("loop.json", sandbox.file("loop.json")).unwrap();
    assert_unreadable(&sandbox, Path::new("files/loop.json"), &other, 7);
}

#[test]
fn empty_binary_and_foreign_files_are_rejected_and_nothing_of_them_is_stored() {
    let (sandbox, other) = archive_with_seed();
    let foreign: [(&str, &[u8], &str); 6] = [
        ("empty.json", b"", "an empty file"),
        ("blank.json", b" \n\t\n", "white space"),
        ("binary.json", b"[\x00\x01\x02\x03binary", "binary"),
        ("number.json", b"42", "not an API list response"),
        ("string.json", br#""{\"content\":\"Hi\"}""#, "not an API list response"),
        (
            "pretty.json",
            b"{\n  \"content\": \"Hi\",\n  \"created\": \"Wed Apr 29 17:16:13 CEST 2009\",\n  \"type\": \"VO\"\n}\n",
            "not an API list response",
        ),
    ];
    for (name, bytes, reason) in foreign {
        let path = sandbox.write(name, bytes);
        let run = sandbox.import(&[&path, &other]).code(2).errors(1);
        assert!(
            run.stderr
                .starts_with(&format!("error: {}: ", path.display()))
                && run.stderr.contains(reason),
            "{name}: {}",
            run.stderr
        );
        let summary = run.summary();
        assert_eq!((summary.files, summary.not_imported), (2, 1), "{name}");
        assert_eq!(
            summary.elements, 2,
            "{name}: only the other file's elements"
        );
    }
    assert_eq!(sandbox.count::<&str>(&[]), 7);
    assert!(sandbox.quarantine().is_empty());
}

#[test]
fn invalid_utf8_inside_an_element_is_quarantined_with_its_bytes() {
    let (sandbox, other) = archive_with_seed();
    let bad_element: Vec<u8> = [
        &b"\"{\\\"content\\\":\\\"bad \xff\xfe bytes\\\",\\\"created\\\":\\\""[..],
        created(5).as_bytes(),
        b"\\\",\\\"type\\\":\\\"VO\\\"}\"",
    ]
    .concat();
    let mut body = format!("[{}, ", good("before", 1)).into_bytes();
    let offset = body.len();
    body.extend_from_slice(&bad_element);
    body.extend_from_slice(format!(", {}]", good("after", 2)).as_bytes());
    let list_path = sandbox.write("latin1.json", &body);

    let bad_line: Vec<u8> = [
        &b"{\"content\":\"caf\xe9\",\"created\":\""[..],
        created(6).as_bytes(),
        b"\",\"type\":\"VO\"}",
    ]
    .concat();
    let mut lines = format!("{}\n", message_object("line before", &created(3))).into_bytes();
    let line_offset = lines.len();
    lines.extend_from_slice(&bad_line);
    lines
        .extend_from_slice(format!("\n{}\n", message_object("line after", &created(4))).as_bytes());
    let ndjson_path = sandbox.write("latin1.ndjson", &lines);

    let summary = sandbox
        .import(&[&list_path, &ndjson_path, &other])
        .success()
        .summary();
    assert_eq!((summary.added, summary.quarantined), (6, 2));
    assert_eq!(
        sandbox.contents_by_id()[5..],
        [
            "before",
            "after",
            "line before",
            "line after",
            "other 1",
            "other 2"
        ]
    );

    let entries = sandbox.quarantine();
    assert_eq!(entries.len(), 2);
    let engine = base64::engine::general_purpose::STANDARD;
    for (entry, bytes, offset) in [
        (&entries[0], &bad_element, offset),
        (&entries[1], &bad_line, line_offset),
    ] {
        assert!(entry.get("text").is_none(), "{entry}");
        let decoded = engine
            .decode(entry["textBase64"].as_str().expect("textBase64"))
            .unwrap();
        assert_eq!(&decoded, bytes);
        assert_eq!(entry["byteOffset"], offset as u64);
        assert!(
            entry["reason"].as_str().unwrap().contains("UTF-8"),
            "{entry}"
        );
    }
    let csv_out = sandbox
        .run(&["quarantine", "--format", "csv"])
        .success()
        .stdout;
    let mut reader = csv::Reader::from_reader(&csv_out[..]);
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[5], "");
    assert_eq!(engine.decode(&row[6]).unwrap(), bad_element);
    assert_eq!(sandbox.count::<&str>(&[]), 11);
}

/// Where the element containing byte `at` starts, and how many elements come before it,
/// in an API list written by the corpus generator (`[`, then the elements joined by
/// `, `): a `", "` can only be a separator, since every quote inside an element's string
/// is escaped.
fn element_around(body: &[u8], at: usize) -> (usize, usize) {
    let separators = body[..at].windows(4).filter(|w| *w == b"\", \"").count();
    let start = body[..at]
        .windows(4)
        .rposition(|w| w == b"\", \"")
        .map_or(1, |i| i + 3);
    (start, separators)
}

#[test]
fn an_array_cut_off_in_the_middle_of_a_100k_element_file() {
    const MESSAGES: u64 = 100_000;
    let (sandbox, other) = archive_with_seed();
    let full = sandbox.file("full.json");
    write_corpus(&full, MESSAGES, 21, CorpusFormat::Api);
    let body = std::fs::read(&full).unwrap();

    // Cut 20 bytes into the element that holds the middle byte.
    let (offset, cut_element) = element_around(&body, body.len() / 2);
    let cut = offset + 20;
    let path = sandbox.write("cut.json", &body[..cut]);

    let run = sandbox.import(&[&path, &other]).code(2).errors(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: {}: damaged at byte {offset}: ",
            path.display()
        )),
        "{}",
        run.stderr
    );
    let summary = run.summary();
    assert_eq!(
        summary.added,
        cut_element as u64 + 2,
        "the elements before the cut, and the other file"
    );
    assert_eq!(summary.quarantined, 1);
    assert_eq!(sandbox.count::<&str>(&[]), 5 + cut_element as u64 + 2);

    let entries = sandbox.quarantine();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["byteOffset"], offset as u64);
    assert_eq!(
        entries[0]["text"].as_str().unwrap().as_bytes(),
        &body[offset..cut]
    );
    assert!(entries[0]["reason"].as_str().unwrap().contains("cut off"));
}

#[test]
fn a_list_that_breaks_its_syntax_between_elements() {
    let (sandbox, other) = archive_with_seed();
    let (a, b, c) = (good("a", 1), good("b", 2), good("c", 3));
    // A missing comma between b and c.
    let body = format!("[{a}, {b} {c}]");
    let offset = format!("[{a}, {b} ").len();
    let path = sandbox.write("broken.json", &body);

    let run = sandbox.import(&[&path, &other]).code(2).errors(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: {}: damaged at byte {offset}: ",
            path.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.summary().added, 4);
    let entries = sandbox.quarantine();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["byteOffset"], offset as u64);
    assert_eq!(entries[0]["text"], &body[offset..]);
    assert_eq!(sandbox.count::<&str>(&[]), 9);
}

#[test]
fn ndjson_with_a_broken_line_quarantines_the_line_and_archives_the_rest() {
    let (sandbox, other) = archive_with_seed();
    let broken = r#"{"content":"two", "created": broken"#;
    let cut = r#"{"content":"five","created":"Wed Apr"#;
    let body = format!(
        "{}\n{broken}\n{}\n\n{}\n{cut}",
        message_object("one", &created(1)),
        message_object("three", &created(3)),
        message_object("four", &created(4)),
    );
    let path = sandbox.write("broken.ndjson", &body);

    // §5: in NDJSON each line stands alone; a bad line is a quarantined element, and a
    // quarantine alone does not fail the import.
    let run = sandbox.import(&[&path, &other]).success();
    let summary = run.summary();
    assert_eq!(
        (summary.elements, summary.added, summary.quarantined),
        (7, 5, 2)
    );
    assert_eq!(
        sandbox.contents_by_id()[5..],
        ["one", "three", "four", "other 1", "other 2"]
    );
    let entries = sandbox.quarantine();
    let texts: Vec<&str> = entries
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, [broken, cut]);
    assert_eq!(entries[0]["element"], 1);
    assert_eq!(entries[1]["element"], 4);
    assert_eq!(entries[1]["byteOffset"], (body.len() - cut.len()) as u64);
    assert_eq!(sandbox.count::<&str>(&[]), 5 + 3 + 2);
}

/// Symbolic links inside an imported directory: `import DIR` reads files recursively;
/// a link to a file is a file to the user.
#[test]
fn a_symlinked_file_inside_a_directory_is_imported() {
    let sandbox = Sandbox::new();
    let dir = sandbox.file("dir");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(seed(), dir.join("seed.json")).unwrap();
    let summary = sandbox.import(&[&dir]).success().summary();
    assert_eq!((summary.files, summary.added), (1, 5));
}

/// `import /dev/stdin`, as `import <(curl ...)` gives it: a pipe, not a file.
#[test]
fn a_pipe_given_as_a_path_is_read() {
    let sandbox = Sandbox::new();
    let run = crate::harness::Run::from(
        sandbox
            .command()
            .args(["import", "/dev/stdin"])
            .write_stdin(std::fs::read(seed()).unwrap())
            .output()
            .unwrap(),
    );
    assert_eq!(run.success().summary().added, 5);
}

/// Regression: an NDJSON file whose first message was longer than the 64 KiB the importer
/// reads to tell the format was refused whole as "not NDJSON", while the same messages in
/// the other order were imported (the contract accepts at least 1 MiB of content).
#[test]
fn an_ndjson_file_starting_with_a_message_longer_than_64_kib_is_imported() {
    let sandbox = Sandbox::new();
    let long = "x".repeat(1 << 20);
    let body = ndjson_lines(&[
        message_object(&long, &created(1)),
        message_object("short", &created(2)),
    ]);
    let path = sandbox.write("long-first.ndjson", &body);
    let summary = sandbox.import(&[&path]).success().summary();
    assert_eq!((summary.elements, summary.added), (2, 2));
    assert_eq!(sandbox.contents_by_id(), [long.as_str(), "short"]);
}

/// Regression: a list cut off right after an element or its comma said "the rest of the
/// file is in quarantine", though nothing followed and nothing was quarantined.
#[test]
fn a_list_cut_off_between_elements_says_nothing_follows() {
    let (sandbox, other) = archive_with_seed();
    let (a, b) = (good("a", 1), good("b", 2));
    for (name, body) in [
        ("after-comma.json", format!("[{a}, {b},")),
        ("after-element.json", format!("[{a}, {b}")),
    ] {
        let path = sandbox.write(name, &body);
        let run = sandbox.import(&[&path, &other]).code(2).errors(1);
        let line = run.stderr.lines().next().unwrap();
        assert!(line.starts_with(&format!("error: {}: damaged at byte ", path.display())));
        assert!(
            line.ends_with("; the 2 elements before it were read, and nothing follows it"),
            "{line}"
        );
        assert!(sandbox.quarantine().is_empty());
    }
    assert_eq!(sandbox.count::<&str>(&[]), 5 + 2 + 2);
}

/// Regression: error lines quoted file names raw, so a name holding an escape sequence
/// reached the terminal as one.
#[test]
fn a_file_name_with_control_characters_is_printed_escaped_in_errors() {
    let (sandbox, _) = archive_with_seed();
    sandbox
        .import(&["files/x\u{1b}[2J.json"])
        .code(2)
        .errors(1)
        .stderr_line("error: files/x\\u{1b}[2J.json: no such file or directory");
    let run = sandbox.run(&["query", "--from", "\u{7}"]).code(2);
    assert!(
        run.stderr.starts_with("error: invalid `from`: `\\u{7}`"),
        "{}",
        run.stderr
    );
}
