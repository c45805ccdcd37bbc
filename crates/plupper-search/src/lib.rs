//! The Plupper API's filters, answered exactly from the archive.
//!
//! - [`Filter`]: the `GET /resources/message` parameters (`from`, `to`, `operator`,
//!   `visitorId`, `customerId`, `contains`), built from a URL query string or from typed
//!   values and validated as the contract's §2 and §5 say;
//! - [`reference`](mod@reference): the reference executor. The exact parts of a filter
//!   run on SQLite's B-tree indexes where the store has one (time, visitor), on its rows
//!   otherwise; `contains` is tested in Rust with Unicode simple case folding
//!   ([`plupper_model::Contains`]). Results stream in the API's order: instant
//!   ascending, unknown instants by wall clock read as UTC, ties in archive order.
//! - [`executor`]: the same answers from the tantivy index (`plupper-index`) when it is
//!   current, from the reference executor otherwise;
//! - [`ranked`]: the `search` query language, BM25 ranking and snippets.
//!
//! # Example
//!
//! ```
//! use chrono::NaiveDate;
//! use plupper_search::{Filter, reference};
//! use plupper_store::Store;
//! use plupper_sync::{file::import_file, load::NoProgress};
//!
//! let dir = tempfile::tempdir()?;
//! let mut store = Store::open(dir.path())?;
//! // The API reference's own example response, five messages.
//! import_file(&mut store, "../../data/seed.json".as_ref(), &NoProgress);
//!
//! let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
//! let filter = Filter::from_query_string("operator=john&contains=HELP&from=04/29/09", today)?;
//! let answer: Vec<_> = reference::messages(&store, &filter)?.collect::<Result<_, _>>()?;
//! assert_eq!(answer.len(), 1);
//! assert_eq!(answer[0].message.content, "Hi, how can i help you ?");
//! assert_eq!(reference::count(&store, &filter)?, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(unreachable_pub)]

pub mod executor;
mod filter;
pub mod ranked;
pub mod reference;

pub use filter::{Filter, FilterError, Matcher, Param, query_pairs};
