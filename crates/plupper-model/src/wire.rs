//! Turning archived messages back into the API's wire format.

use std::borrow::Cow;
use std::cell::RefCell;

use chrono::{FixedOffset, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::date::{write_java_date, write_rfc3339};
use crate::element::{Original, OriginalKind};
use crate::message::Message;

/// The six fields in the API's key order, for serializing: the object of an API element,
/// or the middle of a larger record (with `#[serde(flatten)]`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct WireMessage<'a> {
    /// The `content` field.
    pub content: &'a str,
    #[serde(rename = "customerId")]
    /// The `customerId` field.
    pub customer_id: Option<&'a str>,
    /// The `created` field.
    pub created: &'a str,
    #[serde(rename = "visitorId")]
    /// The `visitorId` field.
    pub visitor_id: Option<i64>,
    #[serde(rename = "type")]
    /// The `type` field.
    pub message_type: &'a str,
    /// The `operator` field.
    pub operator: Option<&'a str>,
}

impl<'a> From<&'a Message> for WireMessage<'a> {
    fn from(message: &'a Message) -> Self {
        WireMessage {
            content: &message.content,
            customer_id: message.customer_id.as_deref(),
            created: &message.created,
            visitor_id: message.visitor_id,
            message_type: &message.message_type,
            operator: message.operator.as_deref(),
        }
    }
}

/// One archived message as the `ndjson` and `csv` outputs give it: the archive `id`, the
/// six fields in the API's key order, and `timestamp` (RFC 3339 with the written offset,
/// or null when the zone is unknown). The one shape of a message record: the CLI prints
/// it, an evidence bundle writes it and reads it back to check it.
///
/// ```
/// use plupper_model::{element::parse_element, wire::MessageRecord};
///
/// let element = parse_element(br#"{"content":"Hi","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","visitorId":7}"#)?;
/// let timestamp = element.date.instant().map(|t| t.to_rfc3339());
/// let record = MessageRecord::new(1, &element.message, timestamp);
/// assert_eq!(
///     serde_json::to_string(&record)?,
///     r#"{"id":1,"content":"Hi","customerId":null,"created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":7,"type":"VO","operator":null,"timestamp":"2009-04-29T17:16:13+02:00"}"#
/// );
/// assert_eq!(record.csv_row()[4], "7");
/// assert_eq!(record.csv_row()[2], ""); // null is an empty field
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRecord<'a> {
    /// The archive id.
    pub id: i64,
    /// The `content` field.
    pub content: Cow<'a, str>,
    /// The `customerId` field.
    #[serde(rename = "customerId")]
    pub customer_id: Option<Cow<'a, str>>,
    /// The `created` field.
    pub created: Cow<'a, str>,
    /// The `visitorId` field.
    #[serde(rename = "visitorId")]
    pub visitor_id: Option<i64>,
    /// The `type` field.
    #[serde(rename = "type")]
    pub message_type: Cow<'a, str>,
    /// The `operator` field.
    pub operator: Option<Cow<'a, str>>,
    /// The instant, RFC 3339 with the written offset; `None` when the zone is unknown.
    pub timestamp: Option<String>,
}

/// How a message's `created` text is held where it is read from: as written, or as the
/// zone alone when Java's format of the wall clock and zone gives the text back (the
/// store keeps most dates so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatedText<'a> {
    /// The text as written.
    Written(&'a str),
    /// Java's `Date.toString()` of the wall clock in this zone
    /// ([`format_java_date`](crate::date::format_java_date)).
    JavaFormat {
        /// The zone as written (`CEST`).
        zone: &'a str,
    },
}

/// An archived message borrowed from where it is read (a database row, a
/// [`Message`]): what a listing prints, without a `String` per field.
///
/// ```
/// use chrono::{FixedOffset, NaiveDate};
/// use plupper_model::wire::{CreatedText, MessageView};
///
/// let view = MessageView {
///     id: 7,
///     content: "Hi \"there\"",
///     customer_id: None,
///     created: CreatedText::JavaFormat { zone: "CEST" },
///     visitor_id: Some(32751),
///     message_type: "VO",
///     operator: Some("john"),
///     wall_clock: NaiveDate::from_ymd_opt(2009, 4, 29).unwrap().and_hms_opt(17, 16, 13).unwrap(),
///     utc_offset: FixedOffset::east_opt(7200),
/// };
/// let mut line = Vec::new();
/// view.write_ndjson(&mut line, &mut String::new());
/// assert_eq!(
///     String::from_utf8(line)?,
///     concat!(
///         r#"{"id":7,"content":"Hi \"there\"","customerId":null,"#,
///         r#""created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":32751,"type":"VO","#,
///         r#""operator":"john","timestamp":"2009-04-29T17:16:13+02:00"}"#,
///         "\n"
///     )
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageView<'a> {
    /// The archive id.
    pub id: i64,
    /// The `content` field.
    pub content: &'a str,
    /// The `customerId` field.
    pub customer_id: Option<&'a str>,
    /// The `created` field.
    pub created: CreatedText<'a>,
    /// The `visitorId` field.
    pub visitor_id: Option<i64>,
    /// The `type` field.
    pub message_type: &'a str,
    /// The `operator` field.
    pub operator: Option<&'a str>,
    /// The wall clock written in `created`.
    pub wall_clock: NaiveDateTime,
    /// The offset of the zone written in `created`, when known.
    pub utc_offset: Option<FixedOffset>,
}

impl MessageView<'_> {
    /// Appends the message's `ndjson` line (with its `\n`) to `line`: byte for byte what
    /// serde_json writes for its [`MessageRecord`], without building one. `scratch` holds
    /// a `created` written out again (kept by the caller for its capacity).
    pub fn write_ndjson(&self, line: &mut Vec<u8>, scratch: &mut String) {
        line.extend_from_slice(b"{\"id\":");
        push_integer(line, self.id);
        line.extend_from_slice(b",\"content\":");
        push_str(line, self.content);
        line.extend_from_slice(b",\"customerId\":");
        push_optional_str(line, self.customer_id);
        line.extend_from_slice(b",\"created\":");
        match self.created {
            CreatedText::Written(text) => push_str(line, text),
            CreatedText::JavaFormat { zone } => {
                scratch.clear();
                write_java_date(scratch, self.wall_clock, zone);
                push_str(line, scratch);
            }
        }
        line.extend_from_slice(b",\"visitorId\":");
        match self.visitor_id {
            Some(visitor) => push_integer(line, visitor),
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b",\"type\":");
        push_str(line, self.message_type);
        line.extend_from_slice(b",\"operator\":");
        push_optional_str(line, self.operator);
        line.extend_from_slice(b",\"timestamp\":");
        match self.utc_offset {
            Some(offset) => {
                line.push(b'"');
                write_rfc3339(line, self.wall_clock, offset);
                line.push(b'"');
            }
            None => line.extend_from_slice(b"null"),
        }
        line.extend_from_slice(b"}\n");
    }
}

/// A JSON string, escaped as serde_json escapes (writing to a `Vec` cannot fail).
///
/// serde_json escapes only `"`, `\` and the controls below U+0020, looking up every
/// byte in turn; a text with none of them (most are) is copied as it is, after one pass
/// without branches that the compiler vectorizes (a 184k-row listing spent 5 % of its
/// time in serde_json's loop).
fn push_str(line: &mut Vec<u8>, text: &str) {
    let escaped = text.bytes().fold(false, |found, b| {
        found | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if escaped {
        let _ = serde_json::to_writer(&mut *line, text);
    } else {
        line.reserve(text.len() + 2);
        line.push(b'"');
        line.extend_from_slice(text.as_bytes());
        line.push(b'"');
    }
}

fn push_optional_str(line: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => push_str(line, text),
        None => line.extend_from_slice(b"null"),
    }
}

/// An integer as serde_json writes it.
fn push_integer(line: &mut Vec<u8>, n: i64) {
    let _ = serde_json::to_writer(&mut *line, &n);
}

/// The header of the `csv` output: [`MessageRecord`]'s fields in order.
pub const CSV_HEADER: [&str; 8] = [
    "id",
    "content",
    "customerId",
    "created",
    "visitorId",
    "type",
    "operator",
    "timestamp",
];

impl<'a> MessageRecord<'a> {
    /// The record of archived message `id`, borrowing its fields.
    pub fn new(id: i64, message: &'a Message, timestamp: Option<String>) -> Self {
        MessageRecord {
            id,
            content: Cow::Borrowed(&message.content),
            customer_id: message.customer_id.as_deref().map(Cow::Borrowed),
            created: Cow::Borrowed(&message.created),
            visitor_id: message.visitor_id,
            message_type: Cow::Borrowed(&message.message_type),
            operator: message.operator.as_deref().map(Cow::Borrowed),
            timestamp,
        }
    }

    /// The record as a CSV row under [`CSV_HEADER`]: null is an empty field.
    pub fn csv_row(&self) -> [Cow<'_, str>; 8] {
        [
            Cow::Owned(self.id.to_string()),
            Cow::Borrowed(&self.content),
            Cow::Borrowed(self.customer_id.as_deref().unwrap_or_default()),
            Cow::Borrowed(&self.created),
            Cow::Owned(self.visitor_id.map(|v| v.to_string()).unwrap_or_default()),
            Cow::Borrowed(&self.message_type),
            Cow::Borrowed(self.operator.as_deref().unwrap_or_default()),
            Cow::Borrowed(self.timestamp.as_deref().unwrap_or_default()),
        ]
    }
}

/// The element the API itself sends for `message`: a JSON string literal holding the
/// compact object with the keys in the API's order (`content`, `customerId`, `created`,
/// `visitorId`, `type`, `operator`), escaped as serde_json escapes.
///
/// The store keeps an element's original text only when it differs from this form, so
/// this function is part of the archive format ("canonical form, version 1"): it must
/// never change. A different encoding needs a new version.
///
/// ```
/// use plupper_model::{element::parse_element, wire::canonical_element};
///
/// let seed = r#""{\"content\":\"Hi\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}""#;
/// let element = parse_element(seed.as_bytes()).unwrap();
/// assert_eq!(canonical_element(&element.message), seed);
/// ```
pub fn canonical_element(message: &Message) -> String {
    serde_json::to_string(&object_json(message)).unwrap_or_default()
}

/// Whether `text` is the canonical element of `message` ([`canonical_element`]), decided
/// without an allocation per call: the element is written into buffers this thread
/// keeps (an import asks once per element).
pub fn is_canonical_element(message: &Message, text: &str) -> bool {
    thread_local! {
        static BUFFERS: RefCell<(Vec<u8>, Vec<u8>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    }
    BUFFERS.with_borrow_mut(|(object, literal)| {
        object.clear();
        literal.clear();
        let canonical = serde_json::to_writer(&mut *object, &WireMessage::from(message)).is_ok()
            && std::str::from_utf8(object)
                .is_ok_and(|object| serde_json::to_writer(&mut *literal, object).is_ok())
            && literal.as_slice() == text.as_bytes();
        // A huge element's buffers are not kept for the life of the thread.
        if literal.capacity() > KEPT_BUFFER {
            *object = Vec::new();
            *literal = Vec::new();
        }
        canonical
    })
}

/// The most bytes [`is_canonical_element`] keeps between calls, per buffer.
const KEPT_BUFFER: usize = 64 << 10;

/// The message as a compact JSON object in the API's key order.
pub fn object_json(message: &Message) -> String {
    serde_json::to_string(&WireMessage::from(message)).unwrap_or_default()
}

/// The element as it appears in an API list response: a JSON string literal. An element
/// that arrived as a plain object comes back as a string whose text is that object's
/// original text, verbatim (contract §5).
pub fn api_element(original: &Original) -> Cow<'_, str> {
    match original.kind {
        OriginalKind::String => Cow::Borrowed(&original.text),
        OriginalKind::Object => {
            Cow::Owned(serde_json::to_string(&original.text).unwrap_or_default())
        }
    }
}

/// The object text of the element, as the single-message endpoint returns it: the decoded
/// string for a string element, the text itself for an object.
pub fn object_text(original: &Original) -> Cow<'_, str> {
    match original.kind {
        OriginalKind::String => match serde_json::from_str::<String>(&original.text) {
            Ok(text) => Cow::Owned(text),
            // Not reachable for an element that parsed; keep the text rather than lose it.
            Err(_) => Cow::Borrowed(&original.text),
        },
        OriginalKind::Object => Cow::Borrowed(&original.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::{format_java_date, format_rfc3339};
    use crate::element::parse_element;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        // Escapes, controls, DEL, non-ASCII and astral characters: everything serde_json
        // treats apart.
        proptest::string::string_regex("(\\PC|[\"\\\\/\\x00-\\x1f\\x7f\u{2028}\u{1F600}])*")
            .expect("a valid regex")
    }

    proptest! {
        /// The NDJSON line written from a view is serde_json's line of its record.
        #[test]
        fn a_view_writes_the_records_line(
            id in any::<i64>(),
            content in text(),
            customer_id in proptest::option::of(text()),
            written in proptest::option::of(text()),
            zone in "[A-Z]{3,4}|GMT[+-][0-9]{2}:[0-9]{2}|\\PC{0,5}",
            visitor_id in proptest::option::of(any::<i64>()),
            message_type in text(),
            operator in proptest::option::of(text()),
            seconds in -62_000_000_000i64..253_402_300_799,
            offset in proptest::option::of(-86_399i32..86_400),
        ) {
            let wall_clock = chrono::DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
            let utc_offset = offset.and_then(FixedOffset::east_opt);
            let view = MessageView {
                id,
                content: &content,
                customer_id: customer_id.as_deref(),
                created: written.as_deref().map_or(CreatedText::JavaFormat { zone: &zone }, CreatedText::Written),
                visitor_id,
                message_type: &message_type,
                operator: operator.as_deref(),
                wall_clock,
                utc_offset,
            };
            let created = written.clone().unwrap_or_else(|| format_java_date(wall_clock, &zone));
            let message = Message {
                content: content.clone(),
                customer_id: customer_id.clone(),
                created,
                visitor_id,
                message_type: message_type.clone(),
                operator: operator.clone(),
            };
            let timestamp = utc_offset.map(|offset| format_rfc3339(wall_clock, offset));
            let mut expected = serde_json::to_vec(&MessageRecord::new(id, &message, timestamp)).unwrap();
            expected.push(b'\n');
            let mut line = b"kept".to_vec();
            view.write_ndjson(&mut line, &mut String::from("old"));
            let canonical = canonical_element(&message);
            prop_assert!(is_canonical_element(&message, &canonical));
            prop_assert!(!is_canonical_element(&message, &canonical[1..]));
            prop_assert_eq!(&line[..4], b"kept");
            prop_assert_eq!(String::from_utf8_lossy(&line[4..]), String::from_utf8_lossy(&expected));
        }
    }

    #[test]
    fn object_elements_come_back_as_strings_holding_their_text() {
        let text = r#"{ "type":"VO", "content":"é\/", "created":"Wed Apr 29 17:16:13 CEST 2009" }"#;
        let element = parse_element(text.as_bytes()).unwrap();
        let literal = api_element(&element.original);
        let decoded: String = serde_json::from_str(&literal).unwrap();
        assert_eq!(decoded, text);
        assert_eq!(object_text(&element.original), text);
        // Not the canonical form: the store must keep this original.
        assert_ne!(canonical_element(&element.message), text);
        assert!(!is_canonical_element(&element.message, text));
        let canonical = canonical_element(&element.message);
        assert!(is_canonical_element(&element.message, &canonical));
    }

    #[test]
    fn the_canonical_test_holds_after_a_huge_element() {
        let text = r#"{"content":"x","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#;
        let mut message = parse_element(text.as_bytes()).unwrap().message;
        let small = canonical_element(&message);
        message.content = "é\"".repeat(100_000);
        let huge = canonical_element(&message);
        assert!(is_canonical_element(&message, &huge));
        assert!(!is_canonical_element(&message, &huge[..huge.len() - 1]));
        message.content = "x".to_owned();
        assert!(is_canonical_element(&message, &small));
        assert!(!is_canonical_element(&message, &huge));
    }

    #[test]
    fn escapes_make_an_element_non_canonical() {
        let escaped = r#""{\"content\":\"caf\\u00e9\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":1,\"type\":\"VO\",\"operator\":null}""#;
        let element = parse_element(escaped.as_bytes()).unwrap();
        assert_eq!(element.message.content, "café");
        assert_ne!(canonical_element(&element.message), escaped);
        assert!(!is_canonical_element(&element.message, escaped));
        assert_eq!(
            object_text(&element.original),
            r#"{"content":"caf\u00e9","customerId":null,"created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":1,"type":"VO","operator":null}"#
        );
    }
}
