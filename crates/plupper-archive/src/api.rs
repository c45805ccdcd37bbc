//! Answers in the Plupper API's own format, shared by every door that gives them: the
//! command line's `--format api` and the HTTP server's `/resources/message` endpoints
//! write through this module, so that both are byte for byte the same.
//!
//! - A list answer ([`ApiList`]) is a JSON array of the elements' original strings,
//!   `[` then the elements separated by `, ` (as the API's reference response) then `]`.
//! - A single message ([`single`]) is the object text itself: the decoded string of a
//!   string element, the text of an object element.
//! - A message id is read by [`parse_message_id`], as `show ID` and
//!   `/resources/message/{id}` both read it.

use std::borrow::Cow;
use std::io::{self, Write};

use plupper_model::wire::{api_element, object_text};
use plupper_store::{ArchiveId, StoredMessage};

use crate::Error;

/// The `Content-Type` of the API's answers.
pub const CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// Writes one list answer in the API's format as the messages come: memory does not grow
/// with the answer. Begin with [`ApiList::begin`], [`ApiList::push`] each message,
/// [`ApiList::finish`].
///
/// ```
/// use plupper_archive::api::ApiList;
/// use plupper_archive::{Archive, Filter, NoProgress};
///
/// let dir = tempfile::tempdir()?;
/// let mut archive = Archive::create(dir.path())?;
/// archive.import(&["../../data/seed.json"], &NoProgress)?;
/// let mut list = ApiList::begin(Vec::new())?;
/// for stored in archive.query(&Filter::default().contains("help"))? {
///     list.push(&stored?)?;
/// }
/// assert_eq!(list.written(), 1);
/// let body = String::from_utf8(list.finish()?)?;
/// assert_eq!(
///     body,
///     r#"["{\"content\":\"Hi, how can i help you ?\",\"customerId\":null,\"created\":\"Wed Apr 29 17:17:44 CEST 2009\",\"visitorId\":32751,\"type\":\"VT\",\"operator\":\"john\"}"]"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ApiList<W: Write> {
    out: W,
    written: u64,
}

impl<W: Write> ApiList<W> {
    /// Starts the answer: writes its `[`.
    pub fn begin(mut out: W) -> io::Result<Self> {
        out.write_all(b"[")?;
        Ok(ApiList { out, written: 0 })
    }

    /// Writes one message: its original element, after a `, ` unless it is the first.
    pub fn push(&mut self, stored: &StoredMessage) -> io::Result<()> {
        if self.written > 0 {
            self.out.write_all(b", ")?;
        }
        self.out
            .write_all(api_element(&stored.original()).as_bytes())?;
        self.written += 1;
        Ok(())
    }

    /// How many messages were written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The output, to take what was written so far (a server sends it as a chunk).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Ends the answer: writes its `]` and gives the output back (not flushed).
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"]")?;
        Ok(self.out)
    }
}

/// One message as the single-message endpoint answers it: the object text.
///
/// ```
/// use plupper_archive::{Archive, ArchiveId, NoProgress, api};
///
/// let dir = tempfile::tempdir()?;
/// let mut archive = Archive::create(dir.path())?;
/// archive.import(&["../../data/seed.json"], &NoProgress)?;
/// let second = archive.message(ArchiveId(2))?.expect("archived");
/// assert_eq!(
///     api::single(&second),
///     r#"{"content":"Hi","customerId":null,"created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":32751,"type":"VO","operator":"john"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn single(stored: &StoredMessage) -> String {
    match object_text(&stored.original()) {
        Cow::Borrowed(text) => text.to_owned(),
        Cow::Owned(text) => text,
    }
}

/// A message id as a person or a URL writes it: a positive integer, also as `search`
/// prints it (`#84`). Anything else is [`Error::InvalidId`] (invalid input); a positive
/// integer beyond any id an archive can assign is [`Error::NoMessage`], as an id that was
/// never assigned.
///
/// ```
/// use plupper_archive::{ArchiveId, Error, api::parse_message_id};
///
/// assert_eq!(parse_message_id("84")?, ArchiveId(84));
/// assert_eq!(parse_message_id("#84")?, ArchiveId(84));
/// let zero = parse_message_id("0").unwrap_err();
/// assert!(zero.is_invalid_input());
/// assert_eq!(zero.to_string(), "invalid message id `0`: expected a positive integer");
/// let huge = parse_message_id("99999999999999999999").unwrap_err();
/// assert!(matches!(huge, Error::NoMessage { .. }));
/// assert_eq!(huge.to_string(), "no message with id 99999999999999999999");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_message_id(written: &str) -> Result<ArchiveId, Error> {
    let text = written.strip_prefix('#').unwrap_or(written);
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let positive = digits && text.bytes().any(|b| b != b'0');
    match text.parse::<i64>() {
        Ok(id) if positive => Ok(ArchiveId(id)),
        Err(_) if positive => Err(Error::NoMessage {
            id: text.to_owned(),
        }),
        _ => Err(Error::InvalidId {
            written: written.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_as_show_reads_them() {
        assert_eq!(parse_message_id("007").ok(), Some(ArchiveId(7)));
        for written in [
            "", "#", "0", "000", "-1", "+1", "1.0", " 1", "abc", "1e3", "٣",
        ] {
            let error = parse_message_id(written).expect_err(written);
            assert!(error.is_invalid_input(), "{written:?}: {error}");
            assert_eq!(
                error.to_string(),
                format!("invalid message id `{written}`: expected a positive integer")
            );
        }
        let beyond = parse_message_id("9223372036854775808").expect_err("beyond i64");
        assert!(!beyond.is_invalid_input());
        assert_eq!(beyond.to_string(), "no message with id 9223372036854775808");
    }
}
