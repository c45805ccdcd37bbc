//! Adding messages: importing files, syncing from the API. Both bring the search index
//! up to date at their end.

use std::path::PathBuf;

use chrono::NaiveDate;

use plupper_index::{NoProgress as NoIndexProgress, UpdateReport, update};
use plupper_sync::file::{FileError, FileReport, ImportProgress, expand_paths, import_file};
use plupper_sync::http::{HttpConfig, HttpSource, Password};
use plupper_sync::pull::{PullOptions, PullProgress, PullReport, pull};

use crate::{Archive, Error};

/// What [`Archive::import`] did. One bad file never stops the others: each file's
/// outcome is here.
#[derive(Debug)]
pub struct ImportReport {
    /// Each file, in the order imported: what was archived, and what went wrong.
    pub files: Vec<FileReport>,
    /// The paths that do not exist or could not be listed.
    pub unlisted: Vec<FileError>,
    /// The search index update at the end.
    pub index: Result<UpdateReport, Error>,
}

impl ImportReport {
    /// Messages added to the archive.
    pub fn added(&self) -> u64 {
        self.files.iter().map(|file| file.unit.applied.added).sum()
    }

    /// Messages the archive held already (§1b: not added again).
    pub fn already_archived(&self) -> u64 {
        self.files
            .iter()
            .map(|file| file.unit.applied.already_archived)
            .sum()
    }

    /// Elements put in quarantine.
    pub fn quarantined(&self) -> u64 {
        self.files
            .iter()
            .map(|file| file.unit.applied.quarantined)
            .sum()
    }

    /// Every error: the paths that could not be listed, then the files' errors.
    pub fn errors(&self) -> impl Iterator<Item = &FileError> {
        self.unlisted
            .iter()
            .chain(self.files.iter().filter_map(|file| file.error.as_ref()))
    }
}

/// How to sync: where the API is, who asks, and which windows to pull.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// The API's address and credentials, and the time-outs.
    pub http: HttpConfig,
    /// The date windows, retries and window budget.
    pub pull: PullOptions,
}

impl SyncConfig {
    /// An incremental sync from the API at `url` as `user`, with the default time-outs
    /// and retries. `today` is the local date (the library reads no clock).
    pub fn new(url: &str, user: &str, password: Password, today: NaiveDate) -> SyncConfig {
        SyncConfig {
            http: HttpConfig::new(url, user, password),
            pull: PullOptions::new(today),
        }
    }
}

/// What [`Archive::sync`] did.
#[derive(Debug)]
pub struct SyncReport {
    /// The windows pulled and what they added; `pull.error` says why the sync stopped
    /// early, when it did (the next sync resumes there).
    pub pull: PullReport,
    /// The search index update at the end (also after a sync that stopped early: what
    /// was added is searchable at once).
    pub index: Result<UpdateReport, Error>,
}

impl Archive {
    /// Imports files and directories (read recursively in file-name order, hidden entries
    /// skipped): API list responses and NDJSON. Importing the same data again adds
    /// nothing (contract §1b); elements that cannot be archived go to quarantine. Then
    /// brings the search index up to date.
    ///
    /// ```
    /// use plupper_archive::{Archive, NoProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut archive = Archive::create(dir.path())?;
    /// let report = archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// assert_eq!((report.added(), report.errors().count()), (5, 0));
    /// assert_eq!(report.index?.last_id, 5);
    /// // Seen again: nothing added.
    /// let again = archive.import(&["../../data/seed.json"], &NoProgress)?;
    /// assert_eq!((again.added(), again.already_archived()), (0, 5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn import<P: Into<PathBuf> + Clone>(
        &mut self,
        paths: &[P],
        progress: &dyn ImportProgress,
    ) -> Result<ImportReport, Error> {
        self.store.check_writable("an import")?;
        let paths: Vec<PathBuf> = paths.iter().cloned().map(Into::into).collect();
        let mut report = ImportReport {
            files: Vec::new(),
            unlisted: Vec::new(),
            index: Ok(UpdateReport::default()),
        };
        for file in expand_paths(&paths) {
            match file {
                Ok(path) => {
                    let file = import_file(&mut self.store, &path, progress);
                    // The archive itself failed: the other files would fail too.
                    let stop = matches!(file.error, Some(FileError::Store { .. }));
                    report.files.push(file);
                    if stop {
                        break;
                    }
                }
                Err(error) => report.unlisted.push(error),
            }
        }
        report.index = self.bring_index_up_to_date();
        Ok(report)
    }

    /// Pulls the history from the Plupper API, one date window at a time, each applied
    /// whole or not at all with the sync state: incremental, resumable, idempotent. Then
    /// brings the search index up to date.
    ///
    /// ```no_run
    /// use chrono::NaiveDate;
    /// use plupper_archive::{Archive, NoProgress, Password, SyncConfig};
    ///
    /// let mut archive = Archive::create("archive")?;
    /// let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    /// let config = SyncConfig::new("https://api.plupper.com", "john", Password::new("secret".into()), today);
    /// let report = archive.sync(&config, &NoProgress)?;
    /// println!("{} added", report.pull.applied.added);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sync(
        &mut self,
        config: &SyncConfig,
        progress: &dyn PullProgress,
    ) -> Result<SyncReport, Error> {
        self.store.check_writable("a sync")?;
        let source = HttpSource::new(config.http.clone())?;
        let pulled = pull(
            &mut self.store,
            &source,
            &source.scope(),
            &config.pull,
            progress,
        );
        Ok(SyncReport {
            pull: pulled,
            index: self.bring_index_up_to_date(),
        })
    }

    fn bring_index_up_to_date(&self) -> Result<UpdateReport, Error> {
        Ok(update(&self.store, false, &NoIndexProgress)?)
    }
}
