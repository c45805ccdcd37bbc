//! Where elements come from: one trait for every source, so that the HTTP API and files
//! on disk reach the archive through the same loader ([`load_opened`]).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use plupper_store::Reconciler;

use crate::file::FileError;
use crate::load::{LoadError, OnDamage, Progress, UnitReport, load_into};
use crate::scan::{Format, ListScanner, NdjsonScanner, detect};

/// How much of a file [`detect`] looks at.
const HEAD: usize = 64 << 10;

/// A source of elements, cut into units that are each loaded as a whole (the §1b rule
/// counts copies within one unit): files for [`FileSource`], date windows for
/// [`HttpSource`](crate::http::HttpSource).
pub trait Source {
    /// One unit: a path, a [`Window`](crate::window::Window).
    type Unit: ?Sized;
    /// Why a unit cannot be opened.
    type Error;

    /// Names the unit in the archive's records (the batch, quarantine entries); never
    /// holds a secret.
    fn describe(&self, unit: &Self::Unit) -> String;

    /// Opens the unit's bytes (one attempt: a network source may fail and be asked again).
    fn open(&self, unit: &Self::Unit) -> Result<Opened, Self::Error>;
}

/// A unit's bytes, ready to be scanned.
pub struct Opened {
    /// The bytes, from the first.
    pub reader: Box<dyn Read + Send>,
    /// How to split them into elements.
    pub format: Format,
    /// The number of bytes, when known in advance.
    pub len: Option<u64>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("format", &self.format)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

/// Scans an opened unit in its format and loads it into `unit` (see
/// [`load_into`]): the one path from bytes to the archive.
pub fn load_opened(
    unit: &mut Reconciler<'_>,
    opened: Opened,
    on_damage: OnDamage,
    progress: &dyn Progress,
) -> Result<UnitReport, LoadError> {
    match opened.format {
        Format::List => load_into(unit, ListScanner::new(opened.reader), on_damage, progress),
        Format::Ndjson => load_into(unit, NdjsonScanner::new(opened.reader), on_damage, progress),
    }
}

/// Saved API responses and NDJSON files: a unit is a file, its format told from its
/// first bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileSource;

/// The path that stands for standard input among an import's paths (`import -`).
pub const STANDARD_INPUT: &str = "-";

/// Whether `path` is [`STANDARD_INPUT`] (a file named `-` is `./-`).
pub fn is_standard_input(path: &Path) -> bool {
    path.as_os_str() == STANDARD_INPUT
}

impl Source for FileSource {
    type Unit = Path;
    type Error = FileError;

    /// The absolute path, or `standard input`.
    fn describe(&self, path: &Path) -> String {
        if is_standard_input(path) {
            return "standard input".to_owned();
        }
        std::path::absolute(path)
            .unwrap_or_else(|_| path.to_owned())
            .display()
            .to_string()
    }

    fn open(&self, path: &Path) -> Result<Opened, FileError> {
        let unreadable = |source| FileError::Unreadable {
            path: path.to_owned(),
            source,
        };
        let (mut reader, len): (Box<dyn Read + Send>, Option<u64>) = if is_standard_input(path) {
            (Box::new(io::stdin()), None)
        } else {
            let file = match File::open(path) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(FileError::NotFound {
                        path: path.to_owned(),
                    });
                }
                Err(e) => return Err(unreadable(e)),
            };
            let len = file.metadata().map(|m| m.len()).ok();
            (Box::new(file), len)
        };
        let mut head = Vec::with_capacity(HEAD);
        (&mut reader)
            .take(HEAD as u64 + 1)
            .read_to_end(&mut head)
            .map_err(unreadable)?;
        let whole = head.len() <= HEAD;
        let format = detect(&head, whole).map_err(|reason| FileError::Foreign {
            path: path.to_owned(),
            reason,
        })?;
        Ok(Opened {
            reader: Box::new(io::Cursor::new(head).chain(reader)),
            format,
            len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_lone_dash_is_standard_input() {
        assert!(is_standard_input(Path::new("-")));
        for path in ["./-", "--", "-.json", "", "a/-"] {
            assert!(!is_standard_input(Path::new(path)), "{path:?}");
        }
        assert_eq!(FileSource.describe(Path::new("-")), "standard input");
        assert!(FileSource.describe(Path::new("./-")).ends_with("/-"));
    }
}
