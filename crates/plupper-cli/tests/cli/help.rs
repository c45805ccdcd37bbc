//! Every command's `--help` and the main error messages, under snapshot tests: a worse
//! message shows up as a diff of `snapshots/*.snap`.

use insta::assert_snapshot;

use crate::harness::{Sandbox, created, list, message_object, string_element};

/// The commands the main `--help` lists (without `help` itself).
pub(crate) fn commands(main_help: &str) -> Vec<String> {
    main_help
        .lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// The main `--help` and each command's: a new command needs its snapshot accepted.
#[test]
fn every_command_has_help() {
    let sandbox = Sandbox::new();
    let help = |args: &[&str]| {
        let run = sandbox.bare_command().args(args).output().expect("run");
        assert_eq!(run.status.code(), Some(0), "{args:?}");
        assert!(run.stderr.is_empty(), "{args:?}");
        String::from_utf8(run.stdout).expect("UTF-8 help")
    };
    let main = help(&["--help"]);
    assert_snapshot!("help", main);
    let commands = commands(&main);
    for command in ["import", "query", "show", "quarantine"] {
        assert!(
            commands.iter().any(|c| c == command),
            "{command} in {commands:?}"
        );
    }
    for command in commands {
        assert_snapshot!(format!("help_{command}"), help(&[&command, "--help"]));
    }
}

/// Runs `args` on an archive holding the API reference's example messages and renders
/// the exit status and stderr, with the sandbox's path redacted.
fn error_of(sandbox: &Sandbox, args: &[&str]) -> String {
    let run = sandbox.run(args);
    assert_ne!(run.code, 0, "{args:?} succeeded");
    format!(
        "$ plupper-archive {}\nexit status: {}\n{}",
        args.join(" "),
        run.code,
        sandbox.redact(&run.stderr)
    )
}

#[test]
fn usage_and_query_errors() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[crate::harness::repo_root().join("data/seed.json")]);
    for (name, args) in [
        ("error_show_zero", &["show", "0"][..]),
        ("error_show_word", &["show", "abc"]),
        ("error_show_unknown_id", &["show", "999"]),
        ("error_from_month_13", &["query", "--from", "13/01/09"]),
        ("error_to_february_30", &["query", "--to", "02/30/09"]),
        ("error_from_not_a_date", &["query", "--from", "abc"]),
        (
            "error_visitor_id_decimal",
            &["query", "--visitor-id", "5.0"],
        ),
        (
            "error_param_twice",
            &["query", "--params", "operator=a&operator=b"],
        ),
        (
            "error_param_flag_and_params",
            &["query", "--operator", "a", "--params", "operator=b"],
        ),
        ("error_query_bad_format", &["query", "--format", "xml"]),
        ("error_import_without_path", &["import"]),
        ("error_unknown_command", &["frobnicate"]),
    ] {
        assert_snapshot!(name, error_of(&sandbox, args));
    }
}

/// Runs `args`, which must succeed, and renders stdout and stderr (the warnings and
/// notes), with the sandbox's path redacted.
fn notes_of(sandbox: &Sandbox, args: &[&str]) -> String {
    let run = sandbox.run(args).code(0);
    format!(
        "$ plupper-archive {}\n--- stdout ---\n{}--- stderr ---\n{}",
        args.join(" "),
        run.stdout_text(),
        sandbox.redact(&run.stderr)
    )
}

/// Issue 17: what a run that succeeds says about a slip (an unknown parameter, a range
/// that cannot match, a search with nothing to search for or that finds nothing).
#[test]
fn warnings_and_notes() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[crate::harness::repo_root().join("data/seed.json")]);
    for (name, args) in [
        (
            "warning_unknown_parameters",
            &[
                "query",
                "--count",
                "--params",
                "opertor=john&_=1241000000000&visitorid=5",
            ][..],
        ),
        (
            "warning_from_after_to",
            &[
                "query",
                "--count",
                "--from",
                "2009-05-01",
                "--to",
                "04/30/09",
            ],
        ),
        (
            "note_search_no_word",
            &["search", "*", "--format", "ndjson"],
        ),
        ("note_search_quote", &["search", "\"", "--format", "ndjson"]),
        ("note_search_flag", &["search", "🇸🇰", "--format", "ndjson"]),
        (
            "note_search_and",
            &["search", "help AND money", "--format", "ndjson"],
        ),
        (
            "note_search_filtered",
            &["search", "hi", "--operator", "nobody", "--format", "ndjson"],
        ),
    ] {
        assert_snapshot!(name, notes_of(&sandbox, args));
    }
}

#[test]
fn import_errors() {
    let sandbox = Sandbox::new();
    let good = string_element(&message_object("Hi", &created(1)));
    let cut = format!("[{good}, {}", &good[..40]);
    sandbox.write("empty.json", "");
    sandbox.write("binary.json", b"\x7fELF\x02\x01\x01\x00\x00\x00");
    sandbox.write("number.json", "42\n");
    sandbox.write("object.json", "{\n  \"content\": \"Hi\"\n}\n");
    sandbox.write("cut.json", &cut);
    sandbox.write("broken.json", format!("[{good} {good}]"));
    sandbox.write("good.json", list(std::slice::from_ref(&good)));
    for (name, args) in [
        (
            "error_import_missing",
            &["import", "files/missing.json"][..],
        ),
        ("error_import_empty", &["import", "files/empty.json"]),
        ("error_import_binary", &["import", "files/binary.json"]),
        ("error_import_number", &["import", "files/number.json"]),
        ("error_import_object", &["import", "files/object.json"]),
        ("error_import_cut_off", &["import", "files/cut.json"]),
        ("error_import_broken", &["import", "files/broken.json"]),
    ] {
        assert_snapshot!(name, error_of(&sandbox, args));
    }
}
