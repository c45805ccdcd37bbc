//! Evidence bundles through the library: what `verify_bundle` finds in bundles changed
//! so that the files still agree with the manifest (each file's SHA-256 recomputed), and
//! what it finds against the archive, a SHA-256 and a key kept apart.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use plupper_audit::bundle::sign::SecretKey;
use plupper_audit::bundle::{Expected, ExportInfo, Manifest, export, verify_bundle};
use plupper_search::Filter;
use plupper_store::Store;
use plupper_sync::{file::import_file, load::NoProgress};

fn info() -> ExportInfo {
    ExportInfo {
        tool: "test".into(),
        exported_at: "2026-11-25T12:00:00Z".into(),
        given: vec![],
    }
}

/// The API reference's two chats; the bundle of the messages holding "settings" (one
/// message selected, the other of its conversation as context).
fn exported(dir: &Path, key: Option<&SecretKey>) -> (Store, std::path::PathBuf, String) {
    let mut store = Store::open(&dir.join("archive")).unwrap();
    import_file(&mut store, "../../data/seed.json".as_ref(), &NoProgress);
    let bundle = dir.join("bundle");
    let filter = Filter::default().contains("settings");
    let sealed = export(&mut store, &filter, &bundle, info(), key).unwrap();
    assert_eq!(
        (
            sealed.manifest.counts.messages,
            sealed.manifest.counts.context
        ),
        (1, 1)
    );
    (store, bundle, sealed.manifest_sha256)
}

/// Recomputes every file's entry in the manifest and manifest.sha256, as a forger would.
fn reseal(bundle: &Path) {
    let path = bundle.join("manifest.json");
    let mut manifest: Manifest = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    for file in &mut manifest.files {
        let bytes = fs::read(bundle.join(&file.path)).unwrap();
        file.bytes = bytes.len() as u64;
        file.sha256 = plupper_store::chain::hex(&Sha256::digest(&bytes));
    }
    let text = serde_json::to_string_pretty(&manifest).unwrap() + "\n";
    fs::write(&path, &text).unwrap();
    let sum = plupper_store::chain::hex(&Sha256::digest(text.as_bytes()));
    fs::write(
        bundle.join("manifest.sha256"),
        format!("{sum}  manifest.json\n"),
    )
    .unwrap();
}

fn edit(bundle: &Path, file: &str, from: &str, to: &str) {
    let path = bundle.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn differences(bundle: &Path) -> Vec<String> {
    verify_bundle(bundle, &Expected::default())
        .unwrap()
        .differences
}

#[test]
fn a_clean_bundle_passes_against_everything_kept_apart() {
    let dir = tempfile::tempdir().unwrap();
    let key = SecretKey::from_seed([5; 32]);
    let (store, bundle, sha) = exported(dir.path(), Some(&key));
    let expected = Expected {
        manifest_sha256: Some(sha.clone()),
        key: Some(key.public()),
        archive: Some(&store),
    };
    let check = verify_bundle(&bundle, &expected).unwrap();
    assert_eq!(check.differences, Vec::<String>::new());
    assert_eq!(check.signer, Some(key.public().to_base64()));
    assert_eq!(check.export.unwrap().entry.manifest_sha256, sha);
}

#[test]
fn a_selected_message_marked_as_context_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bundle, _) = exported(dir.path(), None);
    edit(
        &bundle,
        "originals.ndjson",
        "\"selected\":true",
        "\"selected\":false",
    );
    reseal(&bundle);
    let found = differences(&bundle);
    assert!(
        found.contains(
            &"originals.ndjson line 2 (message 5): marked context, but the manifest's filter `contains=settings` selects it"
                .to_owned()
        ),
        "{found:?}"
    );
    assert!(
        found.iter().any(|d| d.starts_with(
            "messages.json and the selected messages of originals.ndjson are not the same messages"
        )),
        "{found:?}"
    );
}

#[test]
fn a_message_moved_to_another_conversation_breaks_the_grouping_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bundle, _) = exported(dir.path(), None);
    // Conversation 4 becomes 1 in the originals, as if its messages were the first chat's.
    edit(
        &bundle,
        "originals.ndjson",
        "{\"conversation\":4,\"id\":4,",
        "{\"conversation\":1,\"id\":4,",
    );
    reseal(&bundle);
    let found = differences(&bundle);
    assert!(
        found.contains(&"originals.ndjson line 1: conversation 1: its messages make conversations [4] by the grouping rule (an entry line or more than 30 minutes of silence starts one; its id is its smallest message id)".to_owned()),
        "{found:?}"
    );
}

#[test]
fn an_edited_element_in_messages_json_is_named_in_every_file_it_makes() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bundle, _) = exported(dir.path(), None);
    edit(
        &bundle,
        "messages.json",
        "account settings",
        "account settings, and pay me first",
    );
    reseal(&bundle);
    let found = differences(&bundle);
    for file in ["messages.ndjson: line 1 ", "messages.csv: line 2 "] {
        assert!(
            found.iter().any(|d| d.starts_with(file)),
            "{file}: {found:?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|d| d.contains("are not the same messages")),
        "{found:?}"
    );
}

#[test]
fn a_bundle_without_its_transcripts_names_each_one_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bundle, _) = exported(dir.path(), None);
    fs::remove_dir_all(bundle.join("transcripts")).unwrap();
    assert_eq!(
        differences(&bundle),
        [
            "transcripts/conversation-4.txt: missing, though the bundle's messages make it (it is rebuilt from them)"
        ]
    );
}
