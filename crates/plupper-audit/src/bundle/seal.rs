//! Sealing a bundle: the manifest, with the SHA-256 and size of every file (but the
//! manifest, its checksum and its signature), and its own SHA-256 in `manifest.sha256`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use plupper_store::chain::hex;

use super::{
    Counts, Draft, FORMAT, FORMAT_VERSION, FileRecord, MANIFEST, MANIFEST_SUM, Manifest, SIGNATURE,
    Sealed, TRANSCRIPTS, io_error,
};
use crate::AuditError;

/// SHA-256 and size of a file, read in blocks.
pub(super) fn hash_file(path: &Path) -> Result<(String, u64), std::io::Error> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut bytes = 0;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok((hex(&hasher.finalize()), bytes))
}

/// Every file under `dir` but the manifest, its checksum and signature, and the
/// transcripts (which are checked against the messages they are made from, not listed:
/// so what a check holds does not grow with the conversations), as sorted relative paths
/// with `/` separators. Other kinds of entries (links, sockets) are returned too, so that
/// they are reported.
pub(super) fn bundle_files(dir: &Path) -> Result<Vec<String>, AuditError> {
    let mut out = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let absolute = dir.join(&relative);
        for entry in fs::read_dir(&absolute).map_err(io_error(&absolute))? {
            let entry = entry.map_err(io_error(&absolute))?;
            let path = relative.join(entry.file_name());
            let kind = entry.file_type().map_err(io_error(&absolute))?;
            if kind.is_dir() && path == Path::new(TRANSCRIPTS) {
                continue;
            } else if kind.is_dir() {
                pending.push(path);
            } else {
                let text = path
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                if ![MANIFEST, MANIFEST_SUM, SIGNATURE].contains(&text.as_str()) {
                    out.push(text);
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Writes `manifest.json` and `manifest.sha256` for the files now in `dir`.
pub fn seal(dir: &Path, draft: Draft) -> Result<Sealed, AuditError> {
    let mut files = Vec::new();
    for path in bundle_files(dir)? {
        let absolute = dir.join(&path);
        let (sha256, bytes) = hash_file(&absolute).map_err(io_error(&absolute))?;
        files.push(FileRecord {
            path,
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        tool: draft.tool,
        exported_at: draft.exported_at,
        archive: draft.archive,
        filter: draft.filter,
        counts: Counts {
            files: files.len() as u64,
            ..draft.counts
        },
        files,
    };
    let mut text = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| AuditError::Inconsistent(format!("cannot write the manifest: {e}")))?;
    text.push(b'\n');
    let path = dir.join(MANIFEST);
    fs::write(&path, &text).map_err(io_error(&path))?;
    let manifest_sha256 = hex(&Sha256::digest(&text));
    let path = dir.join(MANIFEST_SUM);
    fs::write(&path, format!("{manifest_sha256}  {MANIFEST}\n")).map_err(io_error(&path))?;
    Ok(Sealed {
        manifest,
        manifest_sha256,
    })
}
