//! Where the archive is (contract §3, §5 "`--archive DIR`"): `--archive`, else
//! `PLUPPER_ARCHIVE`, else the platform data directory (`$XDG_DATA_HOME/plupper-archive`,
//! or `$HOME/.local/share/plupper-archive` without it); created with its parents.

use std::path::Path;

use crate::harness::{Run, Sandbox, created, list, message_object, repo_root};

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

/// Sets the modes under `dir` (and `dir` itself): directories `dirs`, files `files`.
fn set_modes(dir: &Path, dirs: u32, files: u32) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            set_modes(&path, dirs, files);
        } else {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(files)).unwrap();
        }
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(dirs)).unwrap();
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

/// `setpriv`, when it can run the binary as `nobody` (root writes whatever the modes say,
/// so as root a reader without write access is `nobody`).
fn setpriv_to_nobody() -> Option<&'static str> {
    ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .filter(|p| Path::new(p).is_file())
        .find(|setpriv| {
            std::process::Command::new(setpriv)
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(crate::harness::BIN)
                .arg("--version")
                .output()
                .is_ok_and(|output| output.status.success())
        })
}

/// Runs the binary on `archive` as a user who cannot write it: `nobody` through
/// `setpriv` when running as root, else this user.
fn run_without_write_access(
    sandbox: &Sandbox,
    setpriv: Option<&str>,
    archive: &Path,
    args: &[&str],
) -> Run {
    let mut command = match setpriv {
        Some(setpriv) => {
            let mut wrapped = assert_cmd::Command::new(setpriv);
            wrapped
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(crate::harness::BIN)
                .env_clear()
                .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                .env("HOME", sandbox.home())
                .current_dir(sandbox.root());
            wrapped
        }
        None => sandbox.bare_command(),
    };
    command.arg("--archive").arg(archive).args(args);
    Run::from(command.output().expect("run the binary"))
}

/// Makes the sandbox's archive read-only, and says how to run the binary without write
/// access to it (see [`run_without_write_access`]); `None` when that cannot be done here
/// (root without a `setpriv` that can run the binary as `nobody`): the case is skipped.
fn take_write_access_away(sandbox: &Sandbox) -> Option<Option<&'static str>> {
    let archive = sandbox.archive();
    set_modes(&archive, 0o555, 0o444);
    set_modes(sandbox.root(), 0o755, 0o644);
    let setpriv = setpriv_to_nobody();
    if running_as_root() && setpriv.is_none() {
        eprintln!("running as root, and `nobody` cannot run the binary: the case is skipped");
        set_modes(&archive, 0o755, 0o644);
        return None;
    }
    Some(setpriv)
}

/// Regression: on an archive its user could only read (read-only media, another user's
/// files), every command failed with "attempt to write a readonly database", naming
/// neither the archive nor the cause. Reading commands now answer from it as it is;
/// writing ones say the archive is read-only.
#[test]
fn an_archive_that_cannot_be_written_is_read_as_it_is() {
    let sandbox = Sandbox::new();
    import_seed(&mut sandbox.command()).success();
    let archive = sandbox.archive();
    let Some(setpriv) = take_write_access_away(&sandbox) else {
        return;
    };
    let run =
        |args: &[&str]| -> Run { run_without_write_access(&sandbox, setpriv, &archive, args) };

    let count = run(&["query", "--count"]).success();
    assert_eq!(count.stdout_text().trim(), "5");
    let run_found = run(&["query", "--contains", "HELP", "--format", "ndjson"]).success();
    assert!(run_found.stderr.is_empty(), "{}", run_found.stderr);
    let found = run_found;
    let found = found.stdout_text();
    assert_eq!(found.lines().count(), 1, "{found}");
    let searched = run(&["search", "help", "--format", "ndjson"]).success();
    assert_eq!(
        searched.stdout_text().lines().count(),
        1,
        "{}",
        searched.stdout_text()
    );
    assert!(searched.stderr.is_empty(), "{}", searched.stderr);
    run(&["verify"]).success();

    let import = run(&[
        "import",
        &repo_root().join("data/seed.json").to_string_lossy(),
    ])
    .code(1);
    assert!(
        import.stderr.contains(&format!(
            "archive {} is read-only for this user: adding messages needs write access",
            archive.display()
        )),
        "{}",
        import.stderr
    );
    let index = run(&["index", "--rebuild"]).code(1);
    assert!(
        index
            .stderr
            .contains("is read-only for this user: updating the search index needs write access"),
        "{}",
        index.stderr
    );
    // Nothing was written next to the database.
    let mut names: Vec<String> = std::fs::read_dir(&archive)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["archive.sqlite3", "index", "index.lock"]);

    set_modes(&archive, 0o755, 0o644);
    assert_eq!(sandbox.count::<&str>(&[]), 5);
}

/// An index directory its user may pass through but not list (another user's files, mode
/// 0111 here): a query opens the index's files by their full paths, since the directory
/// cannot be opened to open them relative to it, and the index answers as it does for
/// its owner.
#[test]
fn an_index_directory_that_cannot_be_listed_still_answers() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    import_seed(&mut sandbox.command()).success();
    let archive = sandbox.archive();
    let args = ["query", "--contains", "HELP", "--format", "ndjson"];
    let expected = sandbox.run(&args).success().stdout_text();
    assert_eq!(expected.lines().count(), 1, "{expected}");
    let Some(setpriv) = take_write_access_away(&sandbox) else {
        return;
    };
    let index = archive.join("index");
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o111)).unwrap();
    assert!(
        running_as_root() || std::fs::read_dir(&index).is_err(),
        "the index directory can still be listed"
    );
    let mut verbose = vec!["-v"];
    verbose.extend(args);
    let run = run_without_write_access(&sandbox, setpriv, &archive, &verbose).code(0);
    assert_eq!(run.stdout_text(), expected);
    assert!(
        run.stderr.contains("route: the search index"),
        "{}",
        run.stderr
    );
    // Listable again before the walk that gives the modes back.
    std::fs::set_permissions(&index, std::fs::Permissions::from_mode(0o755)).unwrap();
    set_modes(&archive, 0o755, 0o644);
}

/// Regression: `--archive` naming a file said "File exists (os error 17)".
#[test]
fn an_archive_path_that_is_a_file_is_not_a_directory() {
    let sandbox = Sandbox::new();
    let file = sandbox.write("afile", "not an archive");
    let seed = repo_root().join("data/seed.json");
    let run = sandbox
        .run_on(&file, &[std::ffi::OsStr::new("import"), seed.as_os_str()])
        .code(1);
    assert_eq!(
        run.stderr,
        format!(
            "error: cannot create archive directory {}: it exists and is not a directory\n",
            file.display()
        )
    );
    // A reading command finds no archive there.
    let run = sandbox.run_on(&file, &["query", "--count"]).code(1);
    assert!(
        run.stderr
            .starts_with(&format!("error: no archive in {}: ", file.display())),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "not an archive");
}

/// The same while another process has the archive open (its WAL files exist): the
/// reader sees what that process committed.
#[test]
fn an_archive_another_process_has_open_is_read_through_its_wal() {
    use std::io::Write as _;
    if !running_as_root() {
        eprintln!("not root: the writer would lack write access too; the case is skipped");
        return;
    }
    let Some(setpriv) = setpriv_to_nobody() else {
        eprintln!("`nobody` cannot run the binary: the case is skipped");
        return;
    };
    let sandbox = Sandbox::new();
    import_seed(&mut sandbox.command()).success();
    set_modes(sandbox.root(), 0o755, 0o644);
    let archive = sandbox.archive();
    // An import from a FIFO holds the archive open until the FIFO is written.
    let fifo = sandbox.file("fifo.json");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut writer = sandbox
        .std_command()
        .arg("--archive")
        .arg(&archive)
        .arg("import")
        .arg(&fifo)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let wal = archive.join("archive.sqlite3-wal");
    for _ in 0..500 {
        if wal.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(wal.exists(), "the importing process has the archive open");

    let run = |args: &[&str]| run_without_write_access(&sandbox, Some(setpriv), &archive, args);
    let count = run(&["query", "--count"]).success();
    assert_eq!(count.stdout_text().trim(), "5");
    let import = run(&[
        "import",
        &repo_root().join("data/seed.json").to_string_lossy(),
    ])
    .code(1);
    assert!(
        import
            .stderr
            .contains("is read-only for this user: adding messages needs write access"),
        "{}",
        import.stderr
    );

    std::fs::File::options()
        .write(true)
        .open(&fifo)
        .unwrap()
        .write_all(list(&[message_object("one more", &created(1))]).as_bytes())
        .unwrap();
    assert!(writer.wait().unwrap().success());
    let count = run(&["query", "--count"]).success();
    assert_eq!(count.stdout_text().trim(), "6");
}

/// `search` needs a current index; on an archive it cannot write, it says why it cannot
/// bring one that is behind up to date, and what answers instead.
#[test]
fn search_on_a_read_only_archive_with_an_index_behind_says_what_answers_instead() {
    let sandbox = Sandbox::new();
    import_seed(&mut sandbox.command()).success();
    let more = sandbox.write(
        "more.json",
        list(&[message_object("one more", &created(1))]),
    );
    sandbox
        .run(&["import", "--no-index", &more.to_string_lossy()])
        .success();
    let archive = sandbox.archive();
    let Some(setpriv) = take_write_access_away(&sandbox) else {
        return;
    };
    let run = |args: &[&str]| run_without_write_access(&sandbox, setpriv, &archive, args);
    let search = run(&["search", "more"]).code(1);
    assert_eq!(
        search.stderr,
        format!(
            "error: the search index lacks 1 message, and archive {} is read-only for this user, so `search` cannot bring it up to date; `query --contains` answers from the archive alone\n",
            archive.display()
        )
    );
    let query = run(&["query", "--contains", "one more", "--count"]).code(0);
    assert_eq!(query.stdout_text().trim(), "1");
    // No repair is suggested to a user who cannot write the archive.
    assert_eq!(
        query.stderr,
        "note: the search index lacks 1 message; answering from the archive alone\n"
    );
    set_modes(&archive, 0o755, 0o644);
}

/// Contract §5: only `import` and `sync` create a missing archive. Every other command on
/// a directory without one exits 1, says so and how to make one, and creates nothing: a
/// mistyped path must never look like an empty archive.
#[test]
fn only_import_and_sync_create_an_archive() {
    let sandbox = Sandbox::new();
    let missing = sandbox.root().join("typo/archive");
    let out = sandbox.root().join("bundle");
    let commands: [&[&str]; 11] = [
        &["query"],
        &["query", "--count"],
        &["search", "hello"],
        &["show", "1"],
        &["show", "--conversation", "1"],
        &["index"],
        &["quarantine"],
        &["conversations"],
        &["stats"],
        &["export", "--out", out.to_str().unwrap()],
        &["verify"],
    ];
    let expected = format!(
        "error: no archive in {}: run `plupper-archive import PATH...` or `plupper-archive sync` first to make one, or check --archive and PLUPPER_ARCHIVE\n",
        missing.display()
    );
    for args in commands {
        let run = sandbox.run_on(&missing, args).code(1);
        assert_eq!(run.stderr, expected, "{args:?}");
        assert!(run.stdout.is_empty(), "{args:?}");
        assert!(!sandbox.root().join("typo").exists(), "{args:?} created it");
    }
    assert!(!out.exists(), "export made its bundle directory");

    // An empty directory holds no archive either, and stays empty.
    let empty = sandbox.root().join("empty");
    std::fs::create_dir(&empty).unwrap();
    sandbox.run_on(&empty, &["query"]).code(1);
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);

    // `import` makes it; then the same commands answer.
    let run = import_seed(&mut sandbox.command_on(&missing)).success();
    assert_eq!(run.summary().added, 5);
    assert_eq!(sandbox.count_on::<&str>(&missing, &[]), 5);
    sandbox.run_on(&missing, &["verify"]).success();
}
