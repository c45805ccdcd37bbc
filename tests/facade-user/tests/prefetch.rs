//! `Archive::prefetch_index` in a process that keeps no index readers, as a one-query
//! tool is: the same answers as without it, whether the index is current or behind. Its
//! own test binary: keeping readers is the process's choice.

use std::path::{Path, PathBuf};

use plupper_archive::{Archive, Filter, NoProgress, Route};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample")
}

fn ids(archive: &Archive, filter: &Filter) -> (Route, Vec<i64>) {
    let messages = archive.query(filter).expect("an answer");
    let route = messages.route().clone();
    let ids = messages
        .map(|message| message.expect("a message").id.0)
        .collect();
    (route, ids)
}

#[test]
fn a_prefetched_index_gives_the_same_answers() {
    plupper_archive::keep_index_readers(false);
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut archive = Archive::create(dir.path()).expect("an archive");
    archive.import(&[sample()], &NoProgress).expect("an import");
    drop(archive);
    let filter = Filter::default().operator("peter").contains("money");
    let expected = ids(
        &Archive::open_to_read(dir.path()).expect("a reader"),
        &filter,
    );
    assert_eq!(expected.0, Route::Index);
    assert!(!expected.1.is_empty());

    Archive::prefetch_index(dir.path(), &filter);
    let reader = Archive::open_to_read(dir.path()).expect("a reader");
    assert_eq!(ids(&reader, &filter), expected);
    drop(reader);

    // Prefetched, then the archive gains a message (and the index with it, by the
    // import): whenever the prefetch opened the index, the answer holds the new message.
    Archive::prefetch_index(dir.path(), &filter);
    let mut writer = Archive::open(dir.path()).expect("a writer");
    let extra = dir.path().join("extra.json");
    std::fs::write(
        &extra,
        r#"[{"content":"money back, please","created":"Thu Apr 30 10:00:00 CEST 2009","type":"VO","operator":"peter"}]"#,
    )
    .expect("a file");
    let report = writer.import(&[extra], &NoProgress).expect("an import");
    assert_eq!(report.added(), 1);
    drop(writer);
    let reader = Archive::open_to_read(dir.path()).expect("a reader");
    let (route, found) = ids(&reader, &filter);
    assert_eq!(route, Route::Index);
    assert_eq!(found.len(), expected.1.len() + 1);
    assert!(found.contains(&3201), "{found:?}"); // the sample holds 3,200
}
