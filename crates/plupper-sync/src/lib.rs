//! Sources of Plupper messages, feeding one reconciliation path into the archive.
//!
//! Every [`Source`](source::Source) — the HTTP API ([`http`]), saved API responses and
//! NDJSON files on disk ([`file`](mod@file)) — is cut into *units* (a date window, a file), and each
//! unit goes through the same path: [`scan`] splits the bytes into elements without
//! parsing them, [`load`] parses them in parallel (rayon) and hands them to the store's
//! [`Reconciler`](plupper_store::Reconciler), which applies the contract's §1b rule
//! across the whole unit. One thread writes; memory is bounded by a few chunks in
//! flight, whatever the size of the unit.
//!
//! A sync ([`pull`]) first *plans* (a pure function, [`window::plan`]: which date windows
//! to pull, from the sync state, today's date and the options), then pulls each window
//! and applies it all or nothing, together with its row in the sync state, retrying what
//! may pass ([`retry`]). The history's start is not guessed: the first window has no
//! `from` and asks for everything before 01/01/2000, then come calendar years up to a
//! last window with no `to`; a window whose answer is too large is pulled again in parts
//! (months, then halves). See [`window`] for how later syncs resume and overlap, and
//! [`compare`] for `sync --dry-run`, which pulls the same windows and writes nothing.
//!
//! # Example
//!
//! ```
//! use plupper_store::Store;
//! use plupper_sync::file::import_file;
//! use plupper_sync::load::NoProgress;
//!
//! let dir = tempfile::tempdir()?;
//! let file = dir.path().join("response.json");
//! std::fs::write(&file, r#"["{\"content\":\"Hi\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}", 42]"#)?;
//!
//! let mut store = Store::open(&dir.path().join("archive"))?;
//! let report = import_file(&mut store, &file, &NoProgress);
//! assert!(report.error.is_none());
//! assert_eq!((report.unit.applied.added, report.unit.applied.quarantined), (1, 1));
//!
//! // Idempotent: the same file again adds nothing.
//! assert_eq!(import_file(&mut store, &file, &NoProgress).unit.applied.added, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(unreachable_pub)]

pub mod compare;
pub mod file;
pub mod http;
pub mod load;
pub mod pull;
pub mod retry;
pub mod scan;
pub mod source;
pub mod window;

pub use pull::SyncError;
