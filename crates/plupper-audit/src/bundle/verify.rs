//! Checking a bundle: every file against the manifest, the manifest against
//! `manifest.sha256` and whatever is given from outside the bundle (a SHA-256, a public
//! key, the archive), and every file made from the messages against the same file made
//! again ([`rebuild`](super::rebuild)).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path};

use sha2::{Digest, Sha256};

use plupper_model::printable::printable;
use plupper_store::Store;
use plupper_store::chain::hex;
use plupper_store::exports::ExportRecord;

use super::rebuild::check_contents;
use super::seal::{bundle_files, hash_file};
use super::sign::{PublicKey, check_signature};
use super::{
    CONVERSATIONS_NDJSON, FORMAT, FORMAT_VERSION, INDEX_HTML, MANIFEST, MANIFEST_SUM, MESSAGES_CSV,
    MESSAGES_JSON, MESSAGES_NDJSON, Manifest, ORIGINALS, io_error,
};
use crate::AuditError;

/// What to check a bundle against besides itself: what was kept apart from it.
#[derive(Debug, Default)]
pub struct Expected<'a> {
    /// The SHA-256 of `manifest.json` as the export printed it (hex, any case).
    pub manifest_sha256: Option<String>,
    /// The public key whose signature `manifest.sig` must hold.
    pub key: Option<PublicKey>,
    /// The archive the bundle must have been exported from, and recorded by.
    pub archive: Option<&'a Store>,
}

/// What [`verify_bundle`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleCheck {
    /// The manifest, when it could be read.
    pub manifest: Option<Manifest>,
    /// The SHA-256 of `manifest.json` as found, when it exists.
    pub manifest_sha256: Option<String>,
    /// The key (base64) whose signature of the manifest holds, in a signed bundle.
    pub signer: Option<String>,
    /// The archive's record of this export, when an archive was given and recorded it.
    pub export: Option<ExportRecord>,
    /// Everything that differs from what was exported, as lines for people
    /// ([`printable`]: a difference may quote an exported text or a file name found in the
    /// bundle); empty for an intact bundle.
    pub differences: Vec<String>,
}

/// Checks the bundle in `dir`, and against `expected`; see the [module docs](super). A
/// directory that does not exist or cannot be read is an error; everything else is a
/// difference.
pub fn verify_bundle(dir: &Path, expected: &Expected<'_>) -> Result<BundleCheck, AuditError> {
    let mut differences = Vec::new();
    let present = bundle_files(dir)?;
    let manifest_bytes = match fs::read(dir.join(MANIFEST)) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            differences.push(format!(
                "{MANIFEST} is missing: nothing in the bundle can be checked without it"
            ));
            None
        }
        Err(e) => return Err(io_error(&dir.join(MANIFEST))(e)),
    };
    let manifest_sha256 = manifest_bytes
        .as_ref()
        .map(|bytes| hex(&Sha256::digest(bytes)));
    check_manifest_sum(dir, manifest_sha256.as_deref(), &mut differences)?;
    if let Some(given) = &expected.manifest_sha256
        && manifest_sha256.as_deref() != Some(given.to_ascii_lowercase().as_str())
    {
        differences.push(format!(
            "{MANIFEST}: its SHA-256 is {}, not the SHA-256 given ({given}): this is not the bundle that was exported",
            manifest_sha256.as_deref().unwrap_or("(none: it is missing)")
        ));
    }
    let signer = check_signature(
        dir,
        manifest_bytes.as_deref(),
        expected.key.as_ref(),
        &mut differences,
    )?;
    let manifest = manifest_bytes
        .as_deref()
        .and_then(|bytes| read_manifest(bytes, &mut differences));
    // What the rest of the check holds grows with the files listed, not the messages.
    drop(manifest_bytes);
    let mut export = None;
    if let Some(manifest) = &manifest {
        check_manifest(manifest, &mut differences);
        check_files(dir, manifest, &present, &mut differences)?;
        drop(present);
        if let (Some(store), Some(sha256)) = (expected.archive, &manifest_sha256) {
            export = check_archive(store, manifest, sha256, &mut differences)?;
        }
        check_contents(dir, manifest, &mut differences)?;
    }
    let differences = differences
        .into_iter()
        .map(|line| printable(&line).into_owned())
        .collect();
    Ok(BundleCheck {
        manifest,
        manifest_sha256,
        signer,
        export,
        differences,
    })
}

fn read_manifest(bytes: &[u8], differences: &mut Vec<String>) -> Option<Manifest> {
    match serde_json::from_slice::<Manifest>(bytes) {
        Ok(manifest) => Some(manifest),
        Err(error) => {
            let version = serde_json::from_slice::<serde_json::Value>(bytes)
                .ok()
                .and_then(|value| value.get("formatVersion")?.as_u64());
            differences.push(match version {
                Some(version) if version != u64::from(FORMAT_VERSION) => format!(
                    "{MANIFEST}: a bundle of format {version}, which this version (format {FORMAT_VERSION}) does not check; check it with the version that made it"
                ),
                _ => format!("{MANIFEST} is not a bundle manifest any more: {error}"),
            });
            None
        }
    }
}

/// The bundle against the archive given: the same archive, and an export it recorded.
fn check_archive(
    store: &Store,
    manifest: &Manifest,
    sha256: &str,
    differences: &mut Vec<String>,
) -> Result<Option<ExportRecord>, AuditError> {
    let uuid = store.info()?.uuid;
    if manifest.archive.uuid != uuid {
        differences.push(format!(
            "{MANIFEST}: says it was exported from archive {}, but the archive given is {uuid}",
            manifest.archive.uuid
        ));
    }
    let record = store.exports_with_manifest(sha256)?.into_iter().next();
    if record.is_none() {
        differences.push(format!(
            "archive {uuid} never exported this bundle: none of its recorded exports has manifest SHA-256 {sha256}"
        ));
    }
    Ok(record)
}

fn check_manifest_sum(
    dir: &Path,
    actual: Option<&str>,
    differences: &mut Vec<String>,
) -> Result<(), AuditError> {
    let path = dir.join(MANIFEST_SUM);
    let text = match fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            differences.push(format!(
                "{MANIFEST_SUM} is missing: the manifest cannot be checked"
            ));
            return Ok(());
        }
        Err(e) => return Err(io_error(&path)(e)),
    };
    let recorded = text
        .strip_suffix('\n')
        .and_then(|line| line.strip_suffix(&format!("  {MANIFEST}")))
        .filter(|hash| {
            hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        });
    match (recorded, actual) {
        (None, _) => differences.push(format!(
            "{MANIFEST_SUM} was changed: it no longer holds one line `<SHA-256>  {MANIFEST}`"
        )),
        (Some(recorded), Some(actual)) if recorded != actual => differences.push(format!(
            "{MANIFEST} was changed after export: its SHA-256 is {actual}, {MANIFEST_SUM} records {recorded}"
        )),
        _ => {}
    }
    Ok(())
}

/// The manifest's own consistency.
fn check_manifest(manifest: &Manifest, differences: &mut Vec<String>) {
    let mut say = |what: String| differences.push(format!("{MANIFEST}: {what}"));
    if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
        say(format!(
            "says it is `{} {}`, not `{FORMAT} {FORMAT_VERSION}`",
            manifest.format, manifest.format_version
        ));
    }
    let counts = &manifest.counts;
    if counts.files != manifest.files.len() as u64 {
        say(format!(
            "counts {} files but lists {}",
            counts.files,
            manifest.files.len()
        ));
    }
    let listed: BTreeSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    for required in [
        ORIGINALS,
        INDEX_HTML,
        MESSAGES_JSON,
        MESSAGES_NDJSON,
        MESSAGES_CSV,
        CONVERSATIONS_NDJSON,
    ] {
        if !listed.contains(required) {
            say(format!(
                "does not list {required}, which every bundle holds"
            ));
        }
    }
}

/// A manifest path that stays inside the bundle.
fn inside(path: &str) -> bool {
    !path.is_empty()
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

fn check_files(
    dir: &Path,
    manifest: &Manifest,
    present: &[String],
    differences: &mut Vec<String>,
) -> Result<(), AuditError> {
    let mut listed = BTreeSet::new();
    for record in &manifest.files {
        if !inside(&record.path) {
            differences.push(format!(
                "{MANIFEST}: lists `{}`, which is not a path inside the bundle",
                record.path
            ));
            continue;
        }
        listed.insert(record.path.as_str());
        let path = dir.join(&record.path);
        match hash_file(&path) {
            Ok((sha256, bytes)) if sha256 == record.sha256 && bytes == record.bytes => {}
            Ok((sha256, bytes)) => differences.push(format!(
                "{}: changed since export: it has {bytes} bytes with SHA-256 {sha256}; the manifest records {} bytes with SHA-256 {}",
                record.path, record.bytes, record.sha256
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => differences.push(format!(
                "{}: missing (the manifest records {} bytes with SHA-256 {})",
                record.path, record.bytes, record.sha256
            )),
            Err(e) => differences.push(format!("{}: cannot be read: {e}", record.path)),
        }
    }
    for path in present {
        if !listed.contains(path.as_str()) {
            differences.push(format!("{path}: not in the manifest (added after export)"));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use plupper_search::Filter;
    use plupper_store::Store;
    use plupper_sync::{file::import_file, load::NoProgress};

    use super::*;
    use crate::bundle::{ExportInfo, export};

    /// Written and checked by the one code path: an intact bundle has no difference, and
    /// a line changed in a file made from the messages is named with its line.
    #[test]
    fn what_export_writes_verify_makes_again_and_a_changed_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("archive")).unwrap();
        import_file(&mut store, "../../data/seed.json".as_ref(), &NoProgress);
        let bundle = dir.path().join("bundle");
        let info = ExportInfo {
            tool: "test".into(),
            exported_at: "2026-11-25T12:00:00Z".into(),
            given: vec![],
        };
        export(&mut store, &Filter::default(), &bundle, info, None).unwrap();
        let check = verify_bundle(&bundle, &Expected::default()).unwrap();
        assert_eq!(check.differences, Vec::<String>::new());

        let path = bundle.join(MESSAGES_NDJSON);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(
            &path,
            text.replacen("\"operator\":\"john\"", "\"operator\":\"paul\"", 1),
        )
        .unwrap();
        let differences = verify_bundle(&bundle, &Expected::default())
            .unwrap()
            .differences;
        assert!(
            differences.iter().any(|d| d.starts_with(
                "messages.ndjson: line 1 is not what the bundle's messages make: it reads `"
            ) && d.contains("\"operator\":\"paul\",\"timestamp\"")
                && d.contains("`, rebuilt `…")
                && d.ends_with(
                    "\"operator\":\"john\",\"timestamp\":\"2009-04-29T17:16:03+02:00\"}`"
                )),
            "{differences:?}"
        );
    }
}
