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

impl Source for FileSource {
    type Unit = Path;
    type Error = FileError;

    /// The absolute path.
    fn describe(&self, path: &Path) -> String {
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
        let mut file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(FileError::NotFound {
                    path: path.to_owned(),
                });
            }
            Err(e) => return Err(unreadable(e)),
        };
        let len = file.metadata().map(|m| m.len()).ok();
        let mut head = Vec::with_capacity(HEAD);
        (&mut file)
            .take(HEAD as u64 + 1)
            .read_to_end(&mut head)
            .map_err(unreadable)?;
        let whole = head.len() <= HEAD;
        let format = detect(&head, whole).map_err(|reason| FileError::Foreign {
            path: path.to_owned(),
            reason,
        })?;
        Ok(Opened {
            reader: Box::new(io::Cursor::new(head).chain(file)),
            format,
            len,
        })
    }
}
