//! The one reconciliation path: scanned elements → parsed in parallel → applied to the
//! store by a single writer, in transactions of a bounded number of elements.

use std::io;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use rayon::prelude::*;

use plupper_model::element::parse_element_owned;
use plupper_store::{Applied, Arrival, Quarantined, Reconciler, Store, StoreError};

use crate::scan::{Damage, RawElement, ScanItem};

/// Elements per transaction (and per parallel parse).
const CHUNK_ELEMENTS: usize = 8192;
/// Bytes per transaction at most, so that huge elements do not pile up in memory.
const CHUNK_BYTES: usize = 16 << 20;
/// Chunks in flight between the stages.
const QUEUE: usize = 2;

/// Hears how far a load has come. Implemented by the CLI's progress bar; the default
/// methods do nothing.
pub trait Progress: Sync {
    /// `bytes` more of the source have been read (approximately: up to the last element).
    fn advance(&self, bytes: u64) {
        let _ = bytes;
    }
}

/// A progress listener that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// What loading one source did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitReport {
    /// Elements read (archived, already archived or quarantined).
    pub elements: u64,
    /// What the store did with them.
    pub applied: Applied,
    /// Elements archived with a warning (wrong weekday, unknown zone).
    pub warnings: u64,
    /// Where the source's syntax broke, if it did; its rest, if any, is in quarantine.
    pub damage: Option<DamageReport>,
}

/// Where a source's syntax broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DamageReport {
    /// The byte offset of the damage.
    pub offset: u64,
    /// What is wrong.
    pub reason: String,
    /// Whether bytes followed the damage (and went to quarantine as one entry): a list
    /// cut off right after an element or its comma has no rest.
    pub rest_kept: bool,
}

/// Why a load stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Reading the source failed part-way; what was read before is archived.
    #[error("read failed after byte {offset}: {source}")]
    Read {
        /// About where.
        offset: u64,
        /// Why.
        source: io::Error,
    },
    /// The source breaks its syntax at `offset`, in a unit loaded with
    /// [`OnDamage::Fail`]: the unit must not be finished.
    #[error("damaged at byte {offset}: {reason}")]
    Damaged {
        /// Where.
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// The archive failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a load does when the source breaks its syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDamage {
    /// Keep what came before, put the rest in quarantine, report the damage (files: the
    /// contract's §5 "Damaged and foreign files").
    Quarantine,
    /// Stop with [`LoadError::Damaged`] (sync windows: an atomic unit that is rolled back
    /// and pulled again).
    Fail,
}

struct Chunk {
    elements: Vec<RawElement>,
    damage: Option<Damage>,
    read_error: Option<io::Error>,
    end_offset: u64,
}

struct Parsed {
    arrivals: Vec<Arrival>,
    quarantined: Vec<Quarantined>,
    warnings: u64,
    elements: u64,
    damage: Option<DamageReport>,
    read_error: Option<io::Error>,
    bytes: u64,
    end_offset: u64,
}

/// Loads one source (one file, one sync window) into the store: the §1b rule counts the
/// copies across all of `items`.
///
/// Three stages run at once: this thread's caller's items are scanned on one thread,
/// parsed on the rayon pool, and applied on the calling thread, the only one that
/// writes. At most a few chunks are in flight, so memory does not depend on the size
/// of the source.
pub fn load<I>(
    store: &mut Store,
    source: &str,
    items: I,
    progress: &dyn Progress,
) -> Result<UnitReport, LoadError>
where
    I: Iterator<Item = io::Result<ScanItem>> + Send,
{
    let mut unit = store.begin(source)?;
    let report = load_into(&mut unit, items, OnDamage::Quarantine, progress)?;
    unit.finish()?;
    Ok(report)
}

/// Loads one source's items into a unit the caller began (and finishes): the same
/// three stages as [`load`]. With [`OnDamage::Fail`], a damaged source stops the load
/// with [`LoadError::Damaged`] before anything after the damage is applied; the caller
/// then drops an atomic unit ([`Store::begin_atomic`]) so that nothing of it stays.
pub fn load_into<I>(
    unit: &mut Reconciler<'_>,
    items: I,
    on_damage: OnDamage,
    progress: &dyn Progress,
) -> Result<UnitReport, LoadError>
where
    I: Iterator<Item = io::Result<ScanItem>> + Send,
{
    let mut report = UnitReport::default();
    let outcome = std::thread::scope(|scope| -> Result<(), LoadError> {
        let (chunk_tx, chunk_rx) = sync_channel(QUEUE);
        let (parsed_tx, parsed_rx) = sync_channel(QUEUE);
        scope.spawn(move || scan_stage(items, chunk_tx));
        scope.spawn(move || parse_stage(chunk_rx, parsed_tx));
        for parsed in parsed_rx {
            let parsed: Parsed = parsed;
            if let (OnDamage::Fail, Some(damage)) = (on_damage, &parsed.damage) {
                return Err(LoadError::Damaged {
                    offset: damage.offset,
                    reason: damage.reason.clone(),
                });
            }
            report.applied += unit.apply(&parsed.arrivals, &parsed.quarantined)?;
            report.elements += parsed.elements;
            report.warnings += parsed.warnings;
            progress.advance(parsed.bytes);
            if parsed.damage.is_some() {
                report.damage = parsed.damage;
            }
            if let Some(source) = parsed.read_error {
                return Err(LoadError::Read {
                    offset: parsed.end_offset,
                    source,
                });
            }
        }
        Ok(())
    });
    outcome?;
    Ok(report)
}

fn scan_stage<I>(items: I, out: SyncSender<Chunk>)
where
    I: Iterator<Item = io::Result<ScanItem>>,
{
    let mut chunk = Chunk {
        elements: Vec::new(),
        damage: None,
        read_error: None,
        end_offset: 0,
    };
    let mut bytes = 0;
    for item in items {
        match item {
            Ok(ScanItem::Element(element)) => {
                bytes += element.bytes.len();
                chunk.end_offset = element.offset + element.bytes.len() as u64;
                chunk.elements.push(element);
            }
            Ok(ScanItem::Damage(damage)) => {
                chunk.end_offset = damage.offset + damage.rest.len() as u64;
                chunk.damage = Some(damage);
                break;
            }
            Err(error) => {
                chunk.read_error = Some(error);
                break;
            }
        }
        if chunk.elements.len() >= CHUNK_ELEMENTS || bytes >= CHUNK_BYTES {
            let end_offset = chunk.end_offset;
            let full = std::mem::replace(
                &mut chunk,
                Chunk {
                    elements: Vec::new(),
                    damage: None,
                    read_error: None,
                    end_offset,
                },
            );
            bytes = 0;
            if out.send(full).is_err() {
                return; // the writer stopped
            }
        }
    }
    let _ = out.send(chunk);
}

fn parse_stage(chunks: Receiver<Chunk>, out: SyncSender<Parsed>) {
    let mut previous_end = 0;
    for chunk in chunks {
        let results: Vec<_> = chunk
            .elements
            .into_par_iter()
            .map(|raw| match parse_element_owned(raw.bytes) {
                Ok(element) => Ok(Arrival::new(element, raw.index)),
                Err((error, bytes)) => Err(Quarantined {
                    reason: error.to_string(),
                    element: Some(raw.index),
                    byte_offset: Some(raw.offset),
                    text: bytes,
                }),
            })
            .collect();
        let elements = results.len() as u64;
        let mut arrivals = Vec::with_capacity(results.len());
        let mut quarantined = Vec::new();
        let mut warnings = 0;
        for result in results {
            match result {
                Ok(arrival) => {
                    warnings += u64::from(!arrival.element.warnings().is_empty());
                    arrivals.push(arrival);
                }
                Err(entry) => quarantined.push(entry),
            }
        }
        let damage = chunk.damage.map(|damage| {
            let kept = if damage.rest_complete {
                String::new()
            } else {
                format!(
                    "; only its first {} MiB are kept here",
                    crate::scan::MAX_REST >> 20
                )
            };
            let rest_kept = !damage.rest.is_empty();
            if rest_kept {
                quarantined.push(Quarantined {
                    reason: format!(
                        "{}: the rest of the file from byte {}{kept}",
                        damage.reason, damage.offset
                    ),
                    element: None,
                    byte_offset: Some(damage.offset),
                    text: damage.rest,
                });
            }
            DamageReport {
                offset: damage.offset,
                reason: damage.reason,
                rest_kept,
            }
        });
        let parsed = Parsed {
            arrivals,
            quarantined,
            warnings,
            elements,
            damage,
            read_error: chunk.read_error,
            bytes: chunk.end_offset.saturating_sub(previous_end),
            end_offset: chunk.end_offset,
        };
        previous_end = chunk.end_offset;
        if out.send(parsed).is_err() {
            return;
        }
    }
}
