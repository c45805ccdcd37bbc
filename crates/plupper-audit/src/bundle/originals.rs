//! `originals.ndjson`: every message the bundle shows, with its original element, a
//! conversation at a time (in the order they started; in each, answer order). Each line:
//!
//! ```text
//! {"conversation":1,"id":2,"selected":true,"element":"{\"content\":\"Hi\",…}"}
//! ```
//!
//! `element` is the element as `messages.json` holds it (the API's string, byte for
//! byte); `selected: false` marks context: the other messages of the selected messages'
//! conversations. Every other file but the manifest is made from this one.

use std::io::{self, Write};

use serde::Deserialize;
use serde_json::value::RawValue;

use plupper_model::element::Element;
use plupper_model::wire::api_element;
use plupper_store::{ArchiveId, StoredMessage};

/// One line, as read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Line<'a> {
    pub(super) conversation: i64,
    pub(super) id: i64,
    pub(super) selected: bool,
    #[serde(borrow)]
    pub(super) element: &'a RawValue,
}

/// Writes one line.
pub(super) fn write_line(
    out: &mut impl Write,
    conversation: i64,
    stored: &StoredMessage,
    selected: bool,
) -> io::Result<()> {
    writeln!(
        out,
        "{{\"conversation\":{conversation},\"id\":{},\"selected\":{selected},\"element\":{}}}",
        stored.id,
        api_element(&stored.original())
    )
}

/// The message an element read from a bundle stands for, with archive id `id`.
pub(super) fn stored_message(id: i64, element: Element) -> StoredMessage {
    let canonical = plupper_model::wire::canonical_element(&element.message);
    let kept_original = (element.original.kind != plupper_model::OriginalKind::String
        || element.original.text != canonical)
        .then_some(element.original);
    StoredMessage {
        id: ArchiveId(id),
        written_date: element.date.written_date(),
        wall_clock: element.date.wall_clock(),
        utc_offset: element.date.zone().offset(),
        message: element.message,
        kept_original,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use plupper_model::element::parse_element;

    #[test]
    fn a_line_reads_back_as_the_message_it_was_written_from() {
        let element = r#""{\"content\":\"Hi <b>\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}""#;
        for text in [
            element.to_owned(),
            element.replace(",\\\"type", ", \\\"type"),
        ] {
            let stored = stored_message(7, parse_element(text.as_bytes()).unwrap());
            let mut out = Vec::new();
            write_line(&mut out, 3, &stored, true).unwrap();
            let line: Line<'_> = serde_json::from_slice(&out).unwrap();
            assert_eq!((line.conversation, line.id, line.selected), (3, 7, true));
            assert_eq!(line.element.get(), text);
            let again = stored_message(7, parse_element(line.element.get().as_bytes()).unwrap());
            assert_eq!(again, stored);
        }
    }
}
