//! The main command of the project's documentation, on the repository's own sample data:
//! `plupper-archive --archive <dir> import data`.

use crate::harness::{Sandbox, repo_root};

#[test]
fn importing_the_repository_data_directory_archives_all_3205_messages() {
    let sandbox = Sandbox::new();
    let run = sandbox
        .bare_command()
        .current_dir(repo_root())
        .arg("--archive")
        .arg(sandbox.archive())
        .args(["import", "data"])
        .output()
        .expect("run the binary");
    let run = crate::harness::Run::from(run).success();
    let summary = run.summary();
    assert_eq!(summary.files, 7);
    assert_eq!(summary.elements, 3205);
    assert_eq!(summary.added, 3205);
    assert_eq!(summary.quarantined, 0);
    assert_eq!(sandbox.count::<&str>(&[]), 3205);

    let again = sandbox.import_ok(&[repo_root().join("data")]);
    assert_eq!((again.added, again.already_archived), (0, 3205));
}
