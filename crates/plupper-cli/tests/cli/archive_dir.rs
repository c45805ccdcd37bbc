//! Where the archive is (contract §3, §5 "`--archive DIR`"): `--archive`, else
//! `PLUPPER_ARCHIVE`, else the platform data directory (`$XDG_DATA_HOME/plupper-archive`,
//! or `$HOME/.local/share/plupper-archive` without it); created with its parents.

use std::path::Path;

use crate::harness::{Run, Sandbox, repo_root};

const DATABASE: &str = "archive.sqlite3";

fn import_seed(command: &mut assert_cmd::Command) -> Run {
    Run::from(
        command
            .arg("import")
            .arg(repo_root().join("data/seed.json"))
            .output()
            .expect("run the binary"),
    )
}

fn assert_archive(dir: &Path, messages: u64, sandbox: &Sandbox) {
    assert!(
        dir.join(DATABASE).is_file(),
        "no archive in {}",
        dir.display()
    );
    assert_eq!(sandbox.count_on::<&str>(dir, &[]), messages);
}

#[test]
fn a_fresh_archive_in_a_nested_missing_directory_is_created() {
    let sandbox = Sandbox::new();
    let nested = sandbox.root().join("a/b/c/archive");
    let run = import_seed(&mut sandbox.command_on(&nested)).success();
    assert_eq!(run.summary().added, 5);
    assert_archive(&nested, 5, &sandbox);
    // Nothing was put anywhere else.
    assert_eq!(std::fs::read_dir(sandbox.home()).unwrap().count(), 0);
}

#[test]
fn the_default_archive_is_in_xdg_data_home() {
    let sandbox = Sandbox::new();
    let data_home = sandbox.root().join("xdg-data");
    let run = import_seed(sandbox.bare_command().env("XDG_DATA_HOME", &data_home)).success();
    assert_eq!(run.summary().added, 5);
    assert_archive(&data_home.join("plupper-archive"), 5, &sandbox);
    assert_eq!(std::fs::read_dir(sandbox.home()).unwrap().count(), 0);
}

#[test]
fn without_xdg_data_home_the_default_archive_is_in_home_local_share() {
    let sandbox = Sandbox::new();
    let run = import_seed(&mut sandbox.bare_command()).success();
    assert_eq!(run.summary().added, 5);
    assert_archive(
        &sandbox.home().join(".local/share/plupper-archive"),
        5,
        &sandbox,
    );

    // The other commands find it there too.
    let count = sandbox
        .bare_command()
        .args(["query", "--count"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&count.stdout), "5\n");
}

#[test]
fn plupper_archive_names_the_archive_and_the_flag_wins_over_it() {
    let sandbox = Sandbox::new();
    let from_env = sandbox.root().join("from-env");
    let run = import_seed(sandbox.bare_command().env("PLUPPER_ARCHIVE", &from_env)).success();
    assert_eq!(run.summary().added, 5);
    assert_archive(&from_env, 5, &sandbox);

    let from_flag = sandbox.root().join("from-flag");
    let mut command = sandbox.bare_command();
    command
        .env("PLUPPER_ARCHIVE", &from_env)
        .arg("--archive")
        .arg(&from_flag);
    import_seed(&mut command).success();
    assert_archive(&from_flag, 5, &sandbox);
    assert_archive(&from_env, 5, &sandbox);
    assert!(!sandbox.home().join(".local").exists());
}

#[test]
fn the_archive_flag_is_global() {
    let sandbox = Sandbox::new();
    let archive = sandbox.root().join("after-the-command");
    let run = Run::from(
        sandbox
            .bare_command()
            .arg("import")
            .arg(repo_root().join("data/seed.json"))
            .arg("--archive")
            .arg(&archive)
            .output()
            .unwrap(),
    );
    assert_eq!(run.success().summary().added, 5);
    assert_archive(&archive, 5, &sandbox);
}
