//! The NDJSON line every engine of the comparison writes for a matching message: the
//! same fields, in the same order, as `plupper-archive query --format ndjson`, so that
//! answers can be compared line by line.

use std::io::{self, Write};

use serde::Serialize;

use plupper_model::Message;
use plupper_model::wire::WireMessage;

/// One output line: `id`, the six API fields (in the API's order, as the model writes
/// them) and `timestamp`.
#[derive(Debug, Serialize)]
pub struct Line<'a> {
    /// The archive id (the 1-based position in the source for the peers).
    pub id: i64,
    /// The six fields.
    #[serde(flatten)]
    pub fields: WireMessage<'a>,
    /// The instant in RFC 3339 with the written offset, or null when the zone is unknown.
    pub timestamp: Option<String>,
}

impl<'a> Line<'a> {
    /// The line for a message.
    pub fn new(id: i64, message: &'a Message, timestamp: Option<String>) -> Line<'a> {
        Line {
            id,
            fields: WireMessage::from(message),
            timestamp,
        }
    }

    /// Writes the line with its newline.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer(&mut *out, self)?;
        out.write_all(b"\n")
    }
}
