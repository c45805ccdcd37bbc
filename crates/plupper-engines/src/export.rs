//! Writing an engine export: the documents as gzip NDJSON shards, the engine's index
//! definition and `manifest.json`.
//!
//! ```text
//! DIR/
//!   messages-00001.ndjson.gz   documents, one JSON object a line (Quickwit); for
//!   messages-00002.ndjson.gz   OpenSearch, `_bulk` bodies: an `index` action line
//!   ...                        (`_id` = archive id) before each document
//!   index-config.yaml          Quickwit's index config   | mapping.json  OpenSearch's
//!   manifest.json              engine, filter, since_id, last_id, counts, and the
//!                              SHA-256 and size of every other file
//! ```
//!
//! A shard holds at most [`ShardLimits::documents`] documents and, when
//! [`ShardLimits::bytes`] is set, at most that many bytes before compression (a document
//! bigger than that alone has a shard to itself). [`ExportWriter`] streams: it holds one
//! document and one shard's compressor, whatever the number of messages.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::{INDEX, file_name, index_definition};
use crate::error::write_error;
use crate::{Document, Engine, EngineError};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// What a manifest says it is.
pub const FORMAT: &str = "plupper-archive engine export";
/// The version of this layout.
pub const FORMAT_VERSION: u32 = 1;

/// How big a shard may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardLimits {
    /// Documents per shard.
    pub documents: u64,
    /// Bytes per shard before compression, when limited.
    pub bytes: Option<u64>,
}

impl ShardLimits {
    /// The limits of the issue for `engine`: 1,000,000 documents; for OpenSearch also
    /// 64 MiB before compression, so that a shard is one `_bulk` request under
    /// OpenSearch's default `http.max_content_length` of 100 MB.
    pub fn for_engine(engine: Engine) -> ShardLimits {
        ShardLimits {
            documents: 1_000_000,
            bytes: match engine {
                Engine::Quickwit => None,
                Engine::OpenSearch => Some(64 << 20),
            },
        }
    }
}

/// What `manifest.json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngineManifest {
    /// [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// `quickwit` or `opensearch`.
    pub engine: Engine,
    /// The index the files name.
    pub index: String,
    /// The program that exported it.
    pub tool: String,
    /// When (RFC 3339, UTC).
    pub exported_at: String,
    /// The archive it comes from, as it was.
    pub archive: ArchiveState,
    /// The filter as given and as applied.
    pub filter: FilterRecord,
    /// Only messages with an archive id above this were exported (`--since-id`).
    pub since_id: Option<i64>,
    /// The archive's last id when exported: `--since-id` of the next export.
    pub last_id: i64,
    /// Documents and shards.
    pub counts: Counts,
    /// The limits the shards were cut at.
    pub shard_limits: ShardLimits,
    /// The index definition file.
    pub index_definition: FileRecord,
    /// The shards, in order.
    pub shards: Vec<ShardRecord>,
}

/// The archive an export comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchiveState {
    /// The archive's uuid.
    pub uuid: String,
    /// How many messages it held.
    pub messages: u64,
}

/// The filter of an export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterRecord {
    /// As given: (flag or parameter, value) pairs, in order.
    pub given: Vec<(String, String)>,
    /// As applied (dates resolved), an API query string.
    pub applied: String,
}

/// The counts of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Counts {
    /// Documents, one per exported message.
    pub documents: u64,
    /// Shard files.
    pub shards: u64,
}

/// A file of the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FileRecord {
    /// Its name in the directory.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, hex (what `sha256sum` prints).
    pub sha256: String,
}

/// A shard of the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShardRecord {
    /// The gzip file.
    #[serde(flatten)]
    pub file: FileRecord,
    /// Documents in it.
    pub documents: u64,
    /// Its size decompressed.
    pub uncompressed_bytes: u64,
}

/// What the manifest records besides the documents; nothing here is read from a clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportHeader {
    /// The program, e.g. `plupper-archive 0.1.0`.
    pub tool: String,
    /// When (RFC 3339, UTC).
    pub exported_at: String,
    /// The archive.
    pub archive: ArchiveState,
    /// The filter.
    pub filter: FilterRecord,
    /// `--since-id`, when given.
    pub since_id: Option<i64>,
    /// The archive's last id, read with the messages.
    pub last_id: i64,
}

/// A writer that counts and hashes what passes through it.
struct Hashing<W> {
    inner: W,
    sha: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sha.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The shard being written.
struct Open {
    path: PathBuf,
    gzip: GzEncoder<Hashing<BufWriter<File>>>,
    documents: u64,
    uncompressed: u64,
}

/// Writes an export into a directory, a document at a time.
///
/// ```
/// use plupper_engines::export::{ExportHeader, ExportWriter, ShardLimits, ArchiveState};
/// use plupper_engines::{Document, Engine};
/// use plupper_model::Message;
///
/// let dir = tempfile::tempdir()?;
/// let out = dir.path().join("export");
/// let limits = ShardLimits { documents: 2, bytes: None };
/// let mut writer = ExportWriter::create(&out, Engine::OpenSearch, limits)?;
/// let day = chrono::NaiveDate::from_ymd_opt(2009, 4, 29).unwrap();
/// for id in 1..=3 {
///     let message = Message {
///         content: format!("message {id}"),
///         customer_id: None,
///         created: "Wed Apr 29 17:16:13 GMT 2009".into(),
///         visitor_id: Some(1),
///         message_type: "VO".into(),
///         operator: None,
///     };
///     let wall_clock = day.and_hms_opt(17, 16, 13).unwrap();
///     writer.write(&Document::new(id, &message, day, wall_clock, chrono::FixedOffset::east_opt(0)))?;
/// }
/// let header = ExportHeader {
///     tool: "example".into(),
///     exported_at: "2026-11-25T12:00:00Z".into(),
///     archive: ArchiveState { uuid: "u".into(), messages: 3 },
///     filter: Default::default(),
///     since_id: None,
///     last_id: 3,
/// };
/// let manifest = writer.finish(header)?;
/// assert_eq!((manifest.counts.documents, manifest.counts.shards), (3, 2));
/// assert_eq!(manifest.shards[1].file.path, "messages-00002.ndjson.gz");
/// assert!(out.join("mapping.json").is_file());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ExportWriter {
    dir: PathBuf,
    made: bool,
    engine: Engine,
    limits: ShardLimits,
    open: Option<Open>,
    shards: Vec<ShardRecord>,
    documents: u64,
    line: Vec<u8>,
}

impl std::fmt::Debug for ExportWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportWriter")
            .field("dir", &self.dir)
            .field("engine", &self.engine)
            .field("documents", &self.documents)
            .finish_non_exhaustive()
    }
}

impl ExportWriter {
    /// A writer into `dir`, made here with its parents; a directory that exists must be
    /// empty (an export is never mixed with another).
    pub fn create(dir: &Path, engine: Engine, limits: ShardLimits) -> Result<Self, EngineError> {
        if limits.documents == 0 {
            return Err(EngineError::Limit("documents per shard"));
        }
        if limits.bytes == Some(0) {
            return Err(EngineError::Limit("bytes per shard"));
        }
        let made = prepare(dir)?;
        Ok(ExportWriter {
            dir: dir.to_owned(),
            made,
            engine,
            limits,
            open: None,
            shards: Vec::new(),
            documents: 0,
            line: Vec::new(),
        })
    }

    /// Adds one document (for OpenSearch with its `index` action line).
    pub fn write(&mut self, doc: &Document) -> Result<(), EngineError> {
        self.line.clear();
        if self.engine == Engine::OpenSearch {
            let action = serde_json::json!({"index": {"_index": INDEX, "_id": doc.id.to_string()}});
            serde_json::to_writer(&mut self.line, &action)
                .map_err(io::Error::from)
                .map_err(write_error(&self.dir))?;
            self.line.push(b'\n');
        }
        serde_json::to_writer(&mut self.line, doc)
            .map_err(io::Error::from)
            .map_err(write_error(&self.dir))?;
        self.line.push(b'\n');
        let size = self.line.len() as u64;
        let full = self.open.as_ref().is_some_and(|open| {
            open.documents >= self.limits.documents
                || self
                    .limits
                    .bytes
                    .is_some_and(|limit| open.uncompressed + size > limit)
        });
        if full {
            self.close_shard()?;
        }
        if self.open.is_none() {
            self.open = Some(self.open_shard()?);
        }
        if let Some(open) = &mut self.open {
            open.gzip
                .write_all(&self.line)
                .map_err(write_error(&open.path))?;
            open.documents += 1;
            open.uncompressed += size;
        }
        self.documents += 1;
        Ok(())
    }

    fn open_shard(&self) -> Result<Open, EngineError> {
        let path = self.dir.join(shard_name(self.shards.len() + 1));
        let file = File::create_new(&path).map_err(write_error(&path))?;
        let hashing = Hashing {
            inner: BufWriter::with_capacity(1 << 16, file),
            sha: Sha256::new(),
            bytes: 0,
        };
        Ok(Open {
            path,
            gzip: GzEncoder::new(hashing, Compression::default()),
            documents: 0,
            uncompressed: 0,
        })
    }

    fn close_shard(&mut self) -> Result<(), EngineError> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        let mut hashing = open.gzip.finish().map_err(write_error(&open.path))?;
        hashing.flush().map_err(write_error(&open.path))?;
        let file = hashing
            .inner
            .into_inner()
            .map_err(|error| error.into_error())
            .map_err(write_error(&open.path))?;
        file.sync_all().map_err(write_error(&open.path))?;
        self.shards.push(ShardRecord {
            file: FileRecord {
                path: shard_name(self.shards.len() + 1),
                bytes: hashing.bytes,
                sha256: hex(&hashing.sha.finalize()),
            },
            documents: open.documents,
            uncompressed_bytes: open.uncompressed,
        });
        Ok(())
    }

    /// Closes the last shard, writes the index definition and `manifest.json`, and gives
    /// the manifest.
    pub fn finish(mut self, header: ExportHeader) -> Result<EngineManifest, EngineError> {
        self.close_shard()?;
        let definition = index_definition(self.engine);
        let definition = write_file(&self.dir, file_name(self.engine), definition.as_bytes())?;
        let manifest = EngineManifest {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            engine: self.engine,
            index: INDEX.to_owned(),
            tool: header.tool,
            exported_at: header.exported_at,
            archive: header.archive,
            filter: header.filter,
            since_id: header.since_id,
            last_id: header.last_id,
            counts: Counts {
                documents: self.documents,
                shards: self.shards.len() as u64,
            },
            shard_limits: self.limits,
            index_definition: definition,
            shards: std::mem::take(&mut self.shards),
        };
        let mut text = serde_json::to_vec_pretty(&manifest)
            .map_err(io::Error::from)
            .map_err(write_error(&self.dir))?;
        text.push(b'\n');
        write_file(&self.dir, MANIFEST, &text)?;
        Ok(manifest)
    }

    /// Takes away what was written: the directory when it was made here, else what was
    /// put in the empty directory given. For an export that failed half-way.
    pub fn abandon(mut self) {
        let dir = self.dir.clone();
        drop(self.open.take());
        let removed = if self.made {
            fs::remove_dir_all(&dir)
        } else {
            fs::read_dir(&dir).and_then(|entries| {
                entries
                    .flatten()
                    .try_for_each(|entry| fs::remove_file(entry.path()))
            })
        };
        if let Err(error) = removed {
            tracing::warn!(dir = %dir.display(), %error, "cannot remove the failed export");
        }
    }
}

/// The file name of shard `n` (from 1).
pub fn shard_name(n: usize) -> String {
    format!("messages-{n:05}.ndjson.gz")
}

/// The output directory: made here (then `true`); one that exists must be empty.
fn prepare(dir: &Path) -> Result<bool, EngineError> {
    match fs::read_dir(dir).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Err(EngineError::OutDir {
            path: dir.to_owned(),
            why: "the directory is not empty; give a new one",
        }),
        Ok(false) => Ok(false),
        Err(_) if dir.exists() => Err(EngineError::OutDir {
            path: dir.to_owned(),
            why: "not a directory",
        }),
        Err(_) => {
            fs::create_dir_all(dir).map_err(write_error(dir))?;
            Ok(true)
        }
    }
}

fn write_file(dir: &Path, name: &str, contents: &[u8]) -> Result<FileRecord, EngineError> {
    let path = dir.join(name);
    let mut file = File::create_new(&path).map_err(write_error(&path))?;
    file.write_all(contents).map_err(write_error(&path))?;
    file.sync_all().map_err(write_error(&path))?;
    Ok(FileRecord {
        path: name.to_owned(),
        bytes: contents.len() as u64,
        sha256: hex(&Sha256::digest(contents)),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
