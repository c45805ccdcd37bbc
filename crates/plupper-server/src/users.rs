//! The users who may sign in: the file `users` in the archive directory, owner-only
//! (mode 0600), one `NAME:HASH` a line, each hash an Argon2id PHC string
//! (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`). Lines starting with `#` are comments.
//!
//! The users are a file of the server's and not a table of the archive's database: the
//! server opens the archive read-only and never writes it, adding a user must not need
//! a writable archive (nor change its integrity chain), and a file owned by the person
//! who runs the server is what `chmod` and backups understand. The file is replaced
//! whole through a new file and a rename, so a reader never sees half of it.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use plupper_archive::Password;

use crate::ServerError;

/// The users file's name in the archive directory.
pub const USERS_FILE: &str = "users";

/// The longest user name, in bytes.
const MAX_NAME: usize = 128;

/// The users file of an archive directory.
#[derive(Debug, Clone)]
pub struct UsersFile {
    path: PathBuf,
}

/// A user name the users file can hold: not empty, at most 128 bytes, no `:` (HTTP Basic
/// auth ends the name at the first one), no whitespace or control character.
pub fn check_name(name: &str) -> Result<(), ServerError> {
    let why = if name.is_empty() {
        Some("a user name cannot be empty")
    } else if name.len() > MAX_NAME {
        Some("a user name has at most 128 bytes")
    } else if name.contains(':') {
        Some("a user name cannot hold `:` (HTTP Basic authentication ends the name there)")
    } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("a user name cannot hold spaces or control characters")
    } else if name.starts_with('#') {
        Some("a user name cannot start with `#`")
    } else {
        None
    };
    match why {
        Some(why) => Err(ServerError::UserName {
            name: name.to_owned(),
            why,
        }),
        None => Ok(()),
    }
}

/// The Argon2id hash of `password`, as a PHC string with a new random salt.
pub fn hash_password(password: &Password) -> Result<String, ServerError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ServerError::Hash(error.to_string()))
}

/// Whether `password` matches `hash` (a PHC string); a hash that cannot be read matches
/// nothing.
pub fn verify_password(password: &[u8], hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password, &parsed).is_ok())
}

impl UsersFile {
    /// The users file of the archive in `dir`.
    pub fn in_archive(dir: &Path) -> UsersFile {
        UsersFile {
            path: dir.join(USERS_FILE),
        }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The users and their hashes, by name; none when there is no file. A file other
    /// users can read is refused.
    pub fn read(&self) -> Result<BTreeMap<String, String>, ServerError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(error) => return Err(self.io_error(error)),
        };
        self.check_private()?;
        let mut users = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let syntax = |why: String| ServerError::UsersSyntax {
                path: self.path.clone(),
                line: n + 1,
                why,
            };
            let (name, hash) = line
                .split_once(':')
                .ok_or_else(|| syntax("expected NAME:ARGON2ID-HASH".into()))?;
            check_name(name).map_err(|error| syntax(error.to_string()))?;
            let parsed = PasswordHash::new(hash)
                .map_err(|error| syntax(format!("the hash of `{name}` cannot be read: {error}")))?;
            if parsed.algorithm.as_str() != "argon2id" {
                return Err(syntax(format!(
                    "the hash of `{name}` is {}, not argon2id",
                    parsed.algorithm
                )));
            }
            if users.insert(name.to_owned(), hash.to_owned()).is_some() {
                return Err(syntax(format!("user `{name}` is listed twice")));
            }
        }
        Ok(users)
    }

    /// The names of the users, in order.
    pub fn names(&self) -> Result<Vec<String>, ServerError> {
        Ok(self.read()?.into_keys().collect())
    }

    /// Adds user `name` with `password`, or gives an existing user a new password.
    /// Returns whether the user existed.
    pub fn add(&self, name: &str, password: &Password) -> Result<bool, ServerError> {
        check_name(name)?;
        if password.expose().is_empty() {
            return Err(ServerError::EmptyPassword {
                name: name.to_owned(),
            });
        }
        let mut users = self.read()?;
        let existed = users
            .insert(name.to_owned(), hash_password(password)?)
            .is_some();
        self.write(&users)?;
        Ok(existed)
    }

    /// Removes user `name`; [`ServerError::UnknownUser`] when the file does not hold it.
    pub fn remove(&self, name: &str) -> Result<(), ServerError> {
        let mut users = self.read()?;
        if users.remove(name).is_none() {
            return Err(ServerError::UnknownUser {
                name: name.to_owned(),
                path: self.path.clone(),
            });
        }
        self.write(&users)
    }

    /// Replaces the file with `users`: a new owner-only file beside it, synced, renamed
    /// over it.
    fn write(&self, users: &BTreeMap<String, String>) -> Result<(), ServerError> {
        let mut text = String::from(
            "# plupper-archive users: NAME:ARGON2ID-HASH, one a line (`plupper-archive user`)\n",
        );
        for (name, hash) in users {
            text.push_str(name);
            text.push(':');
            text.push_str(hash);
            text.push('\n');
        }
        let temporary = self.path.with_extension("new");
        let written = (|| {
            let mut file = private_file(&temporary)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::rename(&temporary, &self.path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        written.map_err(|error| self.io_error(error))
    }

    #[cfg(unix)]
    fn check_private(&self) -> Result<(), ServerError> {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&self.path)
            .map_err(|error| self.io_error(error))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(ServerError::UsersNotPrivate {
                path: self.path.clone(),
                mode: mode & 0o777,
            });
        }
        Ok(())
    }

    #[cfg(not(unix))]
    fn check_private(&self) -> Result<(), ServerError> {
        Ok(())
    }

    fn io_error(&self, source: io::Error) -> ServerError {
        ServerError::UsersIo {
            path: self.path.clone(),
            source,
        }
    }
}

/// A new file only its owner can read and write (replacing a leftover one).
fn private_file(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        // A leftover file keeps its mode through `open`: set it.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::new(text.to_owned())
    }

    #[test]
    fn users_are_added_checked_replaced_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let file = UsersFile::in_archive(dir.path());
        assert!(file.names().unwrap().is_empty());
        assert!(!file.add("john", &password("s3cret")).unwrap());
        assert!(!file.add("peter", &password("other")).unwrap());
        let users = file.read().unwrap();
        assert_eq!(users.keys().collect::<Vec<_>>(), ["john", "peter"]);
        assert!(users["john"].starts_with("$argon2id$v=19$"));
        assert!(verify_password(b"s3cret", &users["john"]));
        assert!(!verify_password(b"S3cret", &users["john"]));
        assert!(!verify_password(b"s3cret", "not a hash"));

        // A new password replaces the old one.
        assert!(file.add("john", &password("new")).unwrap());
        let users = file.read().unwrap();
        assert!(verify_password(b"new", &users["john"]));
        assert!(!verify_password(b"s3cret", &users["john"]));

        file.remove("john").unwrap();
        assert_eq!(file.names().unwrap(), ["peter"]);
        let error = file.remove("john").unwrap_err();
        assert!(
            error.to_string().starts_with("no user `john` in "),
            "{error}"
        );
        // The password is nowhere in the file.
        let text = fs::read_to_string(file.path()).unwrap();
        assert!(!text.contains("other"), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_owner_only_and_a_readable_one_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = UsersFile::in_archive(dir.path());
        file.add("john", &password("pw")).unwrap();
        let mode = fs::metadata(file.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        fs::set_permissions(file.path(), fs::Permissions::from_mode(0o644)).unwrap();
        let error = file.read().unwrap_err();
        assert!(
            error
                .to_string()
                .contains("can be read by other users (mode 644)"),
            "{error}"
        );
    }

    #[test]
    fn bad_names_and_lines_are_named() {
        for (name, why) in [
            ("", "cannot be empty"),
            ("a:b", "cannot hold `:`"),
            ("a b", "spaces"),
            ("a\u{1b}", "control"),
            ("#x", "start with `#`"),
        ] {
            let error = check_name(name).unwrap_err();
            assert!(error.is_invalid_input());
            assert!(error.to_string().contains(why), "{name:?}: {error}");
        }
        check_name(&"x".repeat(129)).unwrap_err();
        check_name("jöhn.doe@example.com").unwrap();

        let dir = tempfile::tempdir().unwrap();
        let file = UsersFile::in_archive(dir.path());
        let error = file.add("john", &password("")).unwrap_err();
        assert_eq!(error.to_string(), "the password of user `john` is empty");
        for (text, why) in [
            ("john\n", "line 1: expected NAME:ARGON2ID-HASH"),
            (
                "# c\njohn:plain\n",
                "line 2: the hash of `john` cannot be read",
            ),
        ] {
            fs::write(file.path(), text).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(file.path(), fs::Permissions::from_mode(0o600)).unwrap();
            }
            let error = file.read().unwrap_err();
            assert!(error.to_string().contains(why), "{error}");
        }
    }
}
