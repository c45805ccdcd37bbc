//! The usual command-line extras (issue 17, item 10): shell completions, the manual page,
//! Examples in every command's `--help`, and `--color` beside `NO_COLOR`.

use crate::harness::{Run, Sandbox, repo_root};

#[test]
fn completions_for_bash_zsh_and_fish_know_the_commands_and_create_no_archive() {
    let sandbox = Sandbox::new();
    for (shell, marker) in [
        ("bash", "complete -F _plupper__archive"),
        ("zsh", "#compdef plupper-archive"),
        ("fish", "complete -c plupper-archive"),
    ] {
        let run = sandbox.run(&["completions", shell]).success();
        let script = run.stdout_text();
        assert!(script.contains(marker), "{shell}:\n{script}");
        // Fish writes a long flag as `-l contains`.
        for word in ["query", "search", "contains", "archive", "color"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    let run = sandbox.run(&["completions", "tcsh"]).code(2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    assert!(!sandbox.archive().exists(), "completions made an archive");
}

#[test]
fn the_manual_page_on_stdout_and_one_page_per_command_into_a_directory() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["man"]).success();
    let page = run.stdout_text();
    assert!(page.contains(".TH plupper-archive 1"), "{page}");
    assert!(page.contains("plupper\\-archive\\-query(1)"), "{page}");

    let dir = sandbox.file("man1");
    let run = sandbox
        .run(&["man".as_ref(), "--out".as_ref(), dir.as_os_str()])
        .success();
    let listed: Vec<String> = run.stdout_text().lines().map(str::to_owned).collect();
    for name in [
        "plupper-archive",
        "plupper-archive-query",
        "plupper-archive-man",
    ] {
        let path = dir.join(format!("{name}.1"));
        assert!(
            listed.contains(&path.display().to_string()),
            "{name} not listed: {listed:?}"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(&format!(".TH {name} 1")), "{name}:\n{text}");
    }
    let query = std::fs::read_to_string(dir.join("plupper-archive-query.1")).unwrap();
    assert!(query.contains("\\-\\-contains"), "{query}");
    // The global flags are on every command's page.
    assert!(query.contains("\\-\\-archive"), "{query}");
    assert!(!sandbox.archive().exists(), "man made an archive");
}

#[test]
fn every_command_s_help_ends_with_examples() {
    let sandbox = Sandbox::new();
    let help = sandbox.bare_command().arg("--help").output().unwrap();
    let main = String::from_utf8(help.stdout).unwrap();
    let commands = crate::help::commands(&main);
    assert!(commands.len() >= 14, "{commands:?}");
    for command in commands {
        let run = Run::from(
            sandbox
                .bare_command()
                .args([command.as_str(), "--help"])
                .output()
                .unwrap(),
        )
        .success();
        let text = run.stdout_text();
        let examples = text
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{command} --help has no Examples:\n{text}"))
            .1;
        assert!(
            examples
                .lines()
                .any(|line| line.contains(&format!("plupper-archive {command}"))
                    || line.contains(&format!(" {command} "))),
            "{command}: the examples do not run it:\n{examples}"
        );
    }
}

/// `search`'s table marks matches in bold with `--color always` (also into a pipe, and
/// over `NO_COLOR`), and between `**` with `never` or `auto` off a terminal.
#[test]
fn color_auto_always_never_beside_no_color() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[repo_root().join("data/seed.json")]);
    let search = |color: Option<&str>, no_color: bool| -> String {
        let mut command = sandbox.command();
        if let Some(color) = color {
            command.args(["--color", color]);
        }
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let run = Run::from(
            command
                .args(["search", "settings", "--format", "table"])
                .output()
                .unwrap(),
        )
        .success();
        run.stdout_text()
    };
    let bold = "\x1b[1msettings\x1b[0m";
    let plain = "**settings**";
    for (color, no_color, expected) in [
        (None, false, plain),
        (Some("auto"), false, plain),
        (Some("never"), false, plain),
        (Some("always"), false, bold),
        (Some("always"), true, bold),
        (Some("never"), true, plain),
    ] {
        let out = search(color, no_color);
        assert!(
            out.contains(expected),
            "--color {color:?}, NO_COLOR {no_color}: {out:?}"
        );
    }
    let run = sandbox.run(&["--color", "sometimes", "query"]).code(2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
}
