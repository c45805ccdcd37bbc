//! The NDJSON line every engine of the comparison writes for a matching message: the
//! same fields, in the same order, as `plupper-archive query --format ndjson`, so that
//! answers can be compared line by line.

use std::io::{self, Write};

use serde::Serialize;

use plupper_model::Message;

/// One output line: `id`, the six API fields and `timestamp`.
#[derive(Debug, Serialize)]
pub struct Line<'a> {
    /// The archive id (the 1-based position in the source for the peers).
    pub id: i64,
    /// `content`.
    pub content: &'a str,
    /// `customerId`.
    #[serde(rename = "customerId")]
    pub customer_id: Option<&'a str>,
    /// `created`, as written.
    pub created: &'a str,
    /// `visitorId`.
    #[serde(rename = "visitorId")]
    pub visitor_id: Option<i64>,
    /// `type`.
    #[serde(rename = "type")]
    pub message_type: &'a str,
    /// `operator`.
    pub operator: Option<&'a str>,
    /// The instant in RFC 3339 with the written offset, or null when the zone is unknown.
    pub timestamp: Option<String>,
}

impl<'a> Line<'a> {
    /// The line for a message.
    pub fn new(id: i64, message: &'a Message, timestamp: Option<String>) -> Line<'a> {
        Line {
            id,
            content: &message.content,
            customer_id: message.customer_id.as_deref(),
            created: &message.created,
            visitor_id: message.visitor_id,
            message_type: &message.message_type,
            operator: message.operator.as_deref(),
            timestamp,
        }
    }

    /// Writes the line with its newline.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        serde_json::to_writer(&mut *out, self)?;
        out.write_all(b"\n")
    }
}
