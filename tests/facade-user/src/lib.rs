//! A user of the `plupper-archive` library from outside, as another tool would be: this
//! crate depends on the facade alone, and its tests (`tests/every_method.rs`) run every
//! facade method on the bundled sample data (`data/sample`).
//!
//! The one helper here is what such a tool writes first: the archive of a directory,
//! imported if need be.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let archive = plupper_facade_user::imported(dir.path(), &["../../data/seed.json"])?;
//! assert_eq!(archive.message_count()?, 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use plupper_archive::{Archive, Error, NoProgress};

/// The archive in `dir`, created and filled from `paths` when there is none yet (a file
/// that cannot be imported is left out, as the import reports); an existing archive is
/// opened as it is.
pub fn imported<P: AsRef<Path>>(dir: &Path, paths: &[P]) -> Result<Archive, Error> {
    match Archive::open(dir) {
        Err(Error::NoArchive { .. }) => {
            let mut archive = Archive::create(dir)?;
            let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_owned()).collect();
            archive.import(&paths, &NoProgress)?;
            Ok(archive)
        }
        opened => opened,
    }
}
