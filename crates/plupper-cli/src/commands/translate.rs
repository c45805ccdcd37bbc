//! `translate --target ENGINE QUERY`: the engine's query for an API query string (see
//! `plupper_engines::translate`).

use std::io::Write;

use plupper_archive::Engine;

use crate::Failure;
use crate::cli::{EngineTarget, FilterArgs, TranslateArgs};
use crate::commands::filter::filter;

pub fn run(args: TranslateArgs) -> Result<(), Failure> {
    // The query string goes through `--params`' own reading: the same decoding, the same
    // warnings for unknown parameters.
    let filter = filter(&FilterArgs {
        from: None,
        to: None,
        operator: None,
        visitor_id: None,
        customer_id: None,
        contains: None,
        params: Some(args.query),
    })?;
    let engine = match args.target {
        EngineTarget::Quickwit => Engine::Quickwit,
        EngineTarget::Opensearch => Engine::OpenSearch,
    };
    let mut out = std::io::stdout().lock();
    write!(out, "{}", plupper_archive::translate(engine, &filter))?;
    out.flush()?;
    Ok(())
}
