//! Signed bundles: an Ed25519 signature of `manifest.json` in `manifest.sig`, made with a
//! key pair that `keygen` writes (the secret key readable by its owner only).
//!
//! Key files are one line of text: `plupper-archive ed25519 secret key BASE64` (the
//! 32-byte seed) and `plupper-archive ed25519 public key BASE64`. `manifest.sig` is one
//! line: `ed25519 PUBLIC-KEY-BASE64 SIGNATURE-BASE64`. A signature proves the manifest
//! (and through its SHA-256s, every file) to whoever holds the public key from elsewhere:
//! the key named in `manifest.sig` is only a hint of which key to ask for.
//!
//! ```
//! use plupper_audit::bundle::sign::{PublicKey, SecretKey};
//!
//! let key = SecretKey::from_seed([7; 32]);
//! let public = PublicKey::parse(&key.public().to_text()).ok_or("not a public key")?;
//! let signature = key.sign(b"manifest");
//! assert!(public.verify(b"manifest", &signature));
//! assert!(!public.verify(b"manifest!", &signature));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::{MANIFEST, SIGNATURE, io_error};
use crate::AuditError;

const SECRET_PREFIX: &str = "plupper-archive ed25519 secret key ";
const PUBLIC_PREFIX: &str = "plupper-archive ed25519 public key ";
const SIGNATURE_PREFIX: &str = "ed25519 ";

/// A secret signing key.
pub struct SecretKey(SigningKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKey").finish_non_exhaustive()
    }
}

/// A public key, to check signatures with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl SecretKey {
    /// The key made from 32 random bytes (the caller draws them: the library reads no
    /// source of randomness).
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        SecretKey(SigningKey::from_bytes(&seed))
    }

    /// Its public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs `bytes`.
    pub fn sign(&self, bytes: &[u8]) -> [u8; 64] {
        self.0.sign(bytes).to_bytes()
    }

    fn to_text(&self) -> String {
        format!("{SECRET_PREFIX}{}\n", STANDARD.encode(self.0.to_bytes()))
    }

    fn parse(text: &str) -> Option<SecretKey> {
        let seed = decode(text.trim_end().strip_prefix(SECRET_PREFIX)?)?;
        Some(SecretKey::from_seed(seed.try_into().ok()?))
    }
}

impl PublicKey {
    /// The key file's text (one line).
    pub fn to_text(&self) -> String {
        format!("{PUBLIC_PREFIX}{}\n", self.to_base64())
    }

    /// The key as base64, as `manifest.sig` names it.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_bytes())
    }

    /// Reads a public key file's text; `None` when it is not one.
    pub fn parse(text: &str) -> Option<PublicKey> {
        Self::from_base64(text.trim_end().strip_prefix(PUBLIC_PREFIX)?)
    }

    fn from_base64(text: &str) -> Option<PublicKey> {
        let bytes: [u8; 32] = decode(text)?.try_into().ok()?;
        VerifyingKey::from_bytes(&bytes).ok().map(PublicKey)
    }

    /// Whether `signature` is this key's signature of `bytes` (strict Ed25519).
    pub fn verify(&self, bytes: &[u8], signature: &[u8; 64]) -> bool {
        self.0
            .verify_strict(bytes, &Signature::from_bytes(signature))
            .is_ok()
    }
}

fn decode(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

fn key_error(path: &Path, why: impl Into<String>) -> AuditError {
    AuditError::Key {
        path: path.to_owned(),
        why: why.into(),
    }
}

/// The public key file beside a secret key file: its path with `.pub` added.
pub fn public_path(secret: &Path) -> PathBuf {
    let mut name = secret.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Writes a new key pair: the secret key at `secret` (made here, readable and writable
/// by its owner only; a file that exists is never overwritten) and the public key beside
/// it ([`public_path`]).
pub fn write_key_pair(secret: &Path, seed: [u8; 32]) -> Result<PublicKey, AuditError> {
    let key = SecretKey::from_seed(seed);
    let public = public_path(secret);
    if public.exists() {
        return Err(key_error(&public, "exists already; give a new name"));
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(secret).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            key_error(secret, "exists already; give a new name")
        } else {
            io_error(secret)(e)
        }
    })?;
    file.write_all(key.to_text().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io_error(secret))?;
    fs::write(&public, key.public().to_text()).map_err(io_error(&public))?;
    Ok(key.public())
}

/// Reads a secret key file; refuses one that others than its owner may read.
pub fn read_secret_key(path: &Path) -> Result<SecretKey, AuditError> {
    let text = fs::read_to_string(path).map_err(io_error(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = fs::metadata(path).map_err(io_error(path))?.mode();
        if mode & 0o077 != 0 {
            return Err(key_error(
                path,
                format!(
                    "the secret key is readable by others (mode {:o}); `chmod 600` it, or make a new pair with `keygen` if others may have read it",
                    mode & 0o777
                ),
            ));
        }
    }
    SecretKey::parse(&text).ok_or_else(|| key_error(path, "not a secret key that `keygen` wrote"))
}

/// Reads a public key file.
pub fn read_public_key(path: &Path) -> Result<PublicKey, AuditError> {
    let text = fs::read_to_string(path).map_err(io_error(path))?;
    PublicKey::parse(&text).ok_or_else(|| {
        let hint = if text.starts_with(SECRET_PREFIX) {
            "this is the secret key; give the public one (the file ending in .pub)"
        } else {
            "not a public key that `keygen` wrote"
        };
        key_error(path, hint)
    })
}

/// Signs the bundle's `manifest.json` into `manifest.sig`.
pub fn sign_manifest(dir: &Path, key: &SecretKey) -> Result<(), AuditError> {
    let manifest = dir.join(MANIFEST);
    let bytes = fs::read(&manifest).map_err(io_error(&manifest))?;
    let path = dir.join(SIGNATURE);
    let line = format!(
        "{SIGNATURE_PREFIX}{} {}\n",
        key.public().to_base64(),
        STANDARD.encode(key.sign(&bytes))
    );
    fs::write(&path, line).map_err(io_error(&path))
}

/// What `manifest.sig` says, when it reads as a signature line.
pub(super) fn read_signature(text: &str) -> Option<(PublicKey, [u8; 64])> {
    let rest = text.strip_suffix('\n')?.strip_prefix(SIGNATURE_PREFIX)?;
    let (key, signature) = rest.split_once(' ')?;
    let signature: [u8; 64] = decode(signature)?.try_into().ok()?;
    Some((PublicKey::from_base64(key)?, signature))
}

/// Checks `manifest.sig` against the manifest's bytes and, when given, the public key:
/// the differences found, and the signer's key (base64) when the signature holds.
pub(super) fn check_signature(
    dir: &Path,
    manifest: Option<&[u8]>,
    key: Option<&PublicKey>,
    differences: &mut Vec<String>,
) -> Result<Option<String>, AuditError> {
    let path = dir.join(SIGNATURE);
    let text = match fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if key.is_some() {
                differences.push(format!(
                    "{SIGNATURE} is missing: the bundle is not signed, so the key given proves nothing of it"
                ));
            }
            return Ok(None);
        }
        Err(e) => return Err(io_error(&path)(e)),
    };
    let Some((signer, signature)) = read_signature(&text) else {
        differences.push(format!(
            "{SIGNATURE} was changed: it no longer holds one line `ed25519 PUBLIC-KEY SIGNATURE`"
        ));
        return Ok(None);
    };
    if let Some(key) = key
        && *key != signer
    {
        differences.push(format!(
            "{SIGNATURE}: signed with key {}, not with the key given ({}): someone else signed this manifest",
            signer.to_base64(),
            key.to_base64()
        ));
        return Ok(None);
    }
    match manifest {
        Some(bytes) if signer.verify(bytes, &signature) => Ok(Some(signer.to_base64())),
        Some(_) => {
            differences.push(format!(
                "{SIGNATURE}: the signature is not that of {MANIFEST} (the manifest was changed after signing)"
            ));
            Ok(None)
        }
        None => Ok(None),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_key_pair_is_written_owner_only_and_never_over_another() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("evidence-key");
        let public = write_key_pair(&secret, [1; 32]).unwrap();
        assert_eq!(read_public_key(&public_path(&secret)).unwrap(), public);
        let key = read_secret_key(&secret).unwrap();
        assert_eq!(key.public(), public);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&secret).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            fs::set_permissions(&secret, fs::Permissions::from_mode(0o644)).unwrap();
            let error = read_secret_key(&secret).unwrap_err().to_string();
            assert!(
                error.contains("the secret key is readable by others (mode 644)"),
                "{error}"
            );
        }
        let error = write_key_pair(&secret, [2; 32]).unwrap_err().to_string();
        assert!(
            error.ends_with("exists already; give a new name"),
            "{error}"
        );
        assert_eq!(read_public_key(&public_path(&secret)).unwrap(), public);
        let error = read_public_key(&secret).unwrap_err().to_string();
        assert!(
            error
                .ends_with("this is the secret key; give the public one (the file ending in .pub)"),
            "{error}"
        );
    }

    #[test]
    fn a_signature_holds_for_its_manifest_and_key_only() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MANIFEST), "{}\n").unwrap();
        let key = SecretKey::from_seed([3; 32]);
        sign_manifest(dir.path(), &key).unwrap();
        let mut differences = Vec::new();
        let signer = check_signature(
            dir.path(),
            Some(b"{}\n"),
            Some(&key.public()),
            &mut differences,
        )
        .unwrap();
        assert_eq!(
            (signer, differences.len()),
            (Some(key.public().to_base64()), 0)
        );
        check_signature(
            dir.path(),
            Some(b"{ }\n"),
            Some(&key.public()),
            &mut differences,
        )
        .unwrap();
        assert_eq!(
            differences,
            [
                "manifest.sig: the signature is not that of manifest.json (the manifest was changed after signing)"
            ]
        );
        let other = SecretKey::from_seed([4; 32]).public();
        differences.clear();
        check_signature(dir.path(), Some(b"{}\n"), Some(&other), &mut differences).unwrap();
        assert!(
            differences[0].contains("someone else signed this manifest"),
            "{differences:?}"
        );
    }
}
