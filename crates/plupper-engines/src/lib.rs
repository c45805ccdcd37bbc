//! The move to a distributed engine: a plupper-archive's messages in the formats of
//! Quickwit and OpenSearch, and the API's filters as their queries.
//!
//! One archive answers hundreds of millions of messages on one machine. Beyond that, the
//! archive exports its messages for an existing distributed engine (docs/scale-out.md):
//!
//! - [`Document`]: what a message becomes in either engine (the archive id, the
//!   instant, the answer order, the written date, the API's fields, the folded content);
//! - [`config`]: Quickwit's index config (YAML) and OpenSearch's mapping (JSON);
//! - [`export`]: the gzip NDJSON shards (OpenSearch: `_bulk` bodies), the index
//!   definition and `manifest.json`, written a document at a time;
//! - [`translate`](mod@translate): an API filter as the engine's query, with where the
//!   engine answers only a superset.
//!
//! Nothing here reads the archive, a clock or the environment: the facade
//! (`plupper_archive::Archive::export_engine`) streams the messages in.
//!
//! # Example
//!
//! ```
//! use plupper_engines::{Engine, translate::translate};
//! use plupper_search::Filter;
//!
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
//! let filter = Filter::from_query_string("operator=peter&contains=money", today)?;
//! let answer = translate(Engine::Quickwit, &filter);
//! assert!(answer.to_string().contains("exact: no, the engine's answer is not the API's"));
//! assert_eq!("opensearch".parse::<Engine>()?, Engine::OpenSearch);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(unreachable_pub)]

pub mod config;
mod document;
mod error;
pub mod export;
pub mod translate;

use serde::{Deserialize, Serialize};

pub use document::Document;
pub use error::EngineError;

/// A distributed engine the archive exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Quickwit (distributed tantivy), index config format 0.8.
    Quickwit,
    /// OpenSearch (2.x: the `wildcard` field type came in 2.15).
    OpenSearch,
}

impl Engine {
    /// Its name, as the command line and the manifest write it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Quickwit => "quickwit",
            Engine::OpenSearch => "opensearch",
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Engine {
    type Err = EngineError;

    fn from_str(name: &str) -> Result<Engine, EngineError> {
        match name {
            "quickwit" => Ok(Engine::Quickwit),
            "opensearch" => Ok(Engine::OpenSearch),
            _ => Err(EngineError::UnknownEngine(name.to_owned())),
        }
    }
}
