//! Benchmark support for plupper-archive: the engines it is compared with, and the
//! comparison itself.
//!
//! - [`corpus`](mod@corpus): the corpus generator of `plupper-testkit` (re-exported), a
//!   deterministic generator of realistic Plupper chat history. The `plupper-corpus`
//!   binary is a thin command line over it; the checked-in sample under `data/sample/` is
//!   made with it.
//! - [`peer`]: the SQLite FTS5 peer (binary `plupper-peer`), with the contract's
//!   semantics implemented honestly;
//! - [`scan`]: the plain scan over the API file (binary `plupper-scan`);
//! - [`compare`]: the comparison run by `plupper-compare`: every engine as a process, on
//!   the same corpus, answers checked to agree, timings and sizes reported;
//! - [`load`]: the load benchmark of `serve` run by `plupper-load`: the same query
//!   classes over keep-alive HTTP connections, against the same queries as processes.
//!
//! # Example
//!
//! ```
//! use plupper_bench::corpus::{CorpusConfig, Generator, write_api};
//!
//! let config = CorpusConfig { messages: 20, seed: 7, ..CorpusConfig::default() };
//! let mut body = Vec::new();
//! let written = write_api(&mut body, Generator::new(config)?)?;
//! assert_eq!(written, 20);
//! // An API list response: an array of strings, each holding one message object.
//! let elements: Vec<String> = serde_json::from_slice(&body)?;
//! assert!(elements[0].starts_with(r#"{"content":"Plupper: visitor has entered communication","customerId":"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod compare;
pub mod elements;
mod error;
pub mod load;
pub mod ndjson;
pub mod peer;
pub mod scan;
pub mod shell;

pub use error::BenchError;
pub use plupper_testkit::corpus;
