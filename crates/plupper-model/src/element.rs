//! One element of an API list response (or one NDJSON line), parsed and kept verbatim.
//!
//! An element is either a JSON **string** whose text is a JSON object (what the API
//! sends) or a plain JSON **object** (what other tools and NDJSON files hold). The
//! contract's §5 rules:
//!
//! - a missing `customerId`, `visitorId` or `operator` reads as null;
//! - a missing or ill-typed `content`, `created` or `type`, a `visitorId` that is not a
//!   JSON integer in the 64-bit range, a `customerId` or `operator` that is neither text
//!   nor null (a number is accepted for `customerId` and kept as its text), an element
//!   that is not an object or a string holding one, a key given twice, or text that is not
//!   UTF-8 or not JSON: an [`ElementError`] (the caller quarantines the element);
//! - an impossible `created` date is an error; a wrong weekday or an unknown zone is not.
//!
//! Unknown fields are allowed; they stay in the original text.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::date::{DateError, JavaDate};
use crate::message::Message;
use crate::param::parse_java_long;

/// How an element was written in its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OriginalKind {
    /// A JSON string literal (with its quotes and escapes) whose text is the object, as
    /// the API sends its list elements.
    String,
    /// A plain JSON object: an element of an array of objects, or an NDJSON line.
    Object,
}

/// The element's original text, byte for byte as it stood in its source (without the
/// whitespace around it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Original {
    /// String literal or object.
    pub kind: OriginalKind,
    /// The text itself.
    pub text: String,
}

/// A parsed element: the message, its parsed date, and the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The six fields.
    pub message: Message,
    /// `created`, parsed.
    pub date: JavaDate,
    /// The text the element was parsed from.
    pub original: Original,
}

impl Element {
    /// Warnings about an element that is archived all the same.
    pub fn warnings(&self) -> Vec<ElementWarning> {
        let mut warnings = Vec::new();
        if !self.date.weekday_matches() {
            warnings.push(ElementWarning::WeekdayMismatch);
        }
        if self.date.instant().is_none() {
            warnings.push(ElementWarning::UnknownZone);
        }
        warnings
    }
}

/// Something odd about an element that is archived all the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElementWarning {
    /// The weekday written in `created` is not the date's weekday.
    WeekdayMismatch,
    /// The zone in `created` is unknown or ambiguous: the instant is unknown.
    UnknownZone,
}

impl std::fmt::Display for ElementWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ElementWarning::WeekdayMismatch => "weekday does not match the date",
            ElementWarning::UnknownZone => "unknown or ambiguous time zone",
        })
    }
}

/// Why an element cannot be archived (it goes to quarantine).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ElementError {
    /// The bytes are not UTF-8.
    #[error("not valid UTF-8 (at byte {0} of the element)")]
    NotUtf8(usize),
    /// The text is not JSON.
    #[error("not JSON: {0}")]
    NotJson(String),
    /// Valid JSON, but not an object or a string holding one.
    #[error("not a message object: {0}")]
    NotAnObject(&'static str),
    /// A required field is missing.
    #[error("missing field `{0}`")]
    Missing(&'static str),
    /// A field has the wrong JSON type.
    #[error("field `{field}` must be {expected}, found {found}")]
    IllTyped {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
        /// What it was.
        found: &'static str,
    },
    /// A key appears twice in the object.
    #[error("field `{0}` appears twice")]
    Duplicate(String),
    /// `created` is not a valid Java date.
    #[error("field `created`: {0}")]
    Date(#[from] DateError),
    /// A `\u` escape names half of a UTF-16 surrogate pair without the other half: JSON's
    /// syntax allows it, but it is no Unicode character, so no text can hold it.
    #[error("{place}: the escape `{escape}` is a lone UTF-16 surrogate, not a Unicode character")]
    LoneSurrogate {
        /// Where: ``field `content` ``, or the element when it is a string literal.
        place: String,
        /// The escape as written, e.g. `\ud800`.
        escape: String,
    },
}

/// The wire object, with each known field kept raw so that its JSON type can be checked.
#[derive(Deserialize)]
struct WireObject<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    content: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present", rename = "customerId")]
    customer_id: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    created: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present", rename = "visitorId")]
    visitor_id: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present", rename = "type")]
    message_type: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    operator: Option<&'a RawValue>,
}

/// Keeps a JSON `null` as a raw value (plain `Option` would turn it into `None`, and a
/// null `content` must be told apart from a missing one).
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

/// Parses one element from its original bytes (surrounding whitespace is trimmed).
pub fn parse_element(bytes: &[u8]) -> Result<Element, ElementError> {
    let text = std::str::from_utf8(bytes.trim_ascii())
        .map_err(|e| ElementError::NotUtf8(e.valid_up_to()))?;
    let (kind, message, date) = parse_text(text)?;
    Ok(Element {
        message,
        date,
        original: Original {
            kind,
            text: text.to_owned(),
        },
    })
}

/// [`parse_element`], taking the bytes: when they need no trimming (the scanners give
/// elements so), they become the element's original text without a copy (an import
/// reads millions of elements). An element that cannot be parsed gives its bytes back,
/// unchanged, with the error (for quarantine).
pub fn parse_element_owned(bytes: Vec<u8>) -> Result<Element, (ElementError, Vec<u8>)> {
    if bytes.trim_ascii().len() != bytes.len() {
        return parse_element(&bytes).map_err(|error| (error, bytes));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = error.utf8_error().valid_up_to();
            return Err((ElementError::NotUtf8(valid), error.into_bytes()));
        }
    };
    match parse_text(&text) {
        Ok((kind, message, date)) => Ok(Element {
            message,
            date,
            original: Original { kind, text },
        }),
        Err(error) => Err((error, text.into_bytes())),
    }
}

/// The kind, message and date of an element's trimmed text.
fn parse_text(text: &str) -> Result<(OriginalKind, Message, JavaDate), ElementError> {
    let (kind, message) = match text.as_bytes().first() {
        Some(b'"') => {
            let inner: String = serde_json::from_str(text).map_err(|e| not_json(text, e))?;
            let inner_start = inner.trim_start().as_bytes().first().copied();
            if inner_start != Some(b'{') {
                return Err(ElementError::NotAnObject(
                    "a string that does not hold a JSON object",
                ));
            }
            (OriginalKind::String, parse_object(&inner)?)
        }
        Some(b'{') => (OriginalKind::Object, parse_object(text)?),
        Some(_) => {
            let value: &RawValue = serde_json::from_str(text).map_err(|e| not_json(text, e))?;
            return Err(ElementError::NotAnObject(json_type(value)));
        }
        None => return Err(ElementError::NotJson("empty element".into())),
    };
    let date = JavaDate::parse(&message.created)?;
    Ok((kind, message, date))
}

/// Why `text` (at `place`) is not JSON: a lone surrogate escape by name (serde_json's
/// words for it vary, and call a trailing surrogate a leading one), otherwise what
/// serde_json says.
fn not_json_at(place: &str, text: &str, error: serde_json::Error) -> ElementError {
    match lone_surrogate(text) {
        Some(offset) => ElementError::LoneSurrogate {
            place: place.to_owned(),
            escape: text[offset..offset + 6].to_owned(),
        },
        None => ElementError::NotJson(error.to_string()),
    }
}

fn not_json(text: &str, error: serde_json::Error) -> ElementError {
    not_json_at("the element", text, error)
}

/// The byte offset of the first `\uXXXX` escape in `text` that is half a surrogate pair
/// alone.
fn lone_surrogate(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let unit = |at: usize| -> Option<u16> {
        let hex = bytes.get(at..at + 6)?.strip_prefix(b"\\u")?;
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    };
    let mut at = 0;
    // `at` passes the end after a backslash that ends the text.
    while let Some(found) = bytes
        .get(at..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\\'))
    {
        at += found;
        match unit(at) {
            Some(0xD800..=0xDBFF) if matches!(unit(at + 6), Some(0xDC00..=0xDFFF)) => at += 12,
            Some(0xD800..=0xDFFF) => return Some(at),
            Some(_) => at += 6,
            // Any other escape is two bytes long (`\\` among them).
            None => at += 2,
        }
    }
    None
}

fn parse_object(text: &str) -> Result<Message, ElementError> {
    let wire: WireObject<'_> = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        match message.strip_prefix("duplicate field `") {
            Some(rest) => {
                ElementError::Duplicate(rest.split('`').next().unwrap_or_default().to_owned())
            }
            None if e.is_data() => ElementError::NotAnObject("a JSON value that is not an object"),
            None => not_json(text, e),
        }
    })?;
    Ok(Message {
        content: required_text(wire.content, "content")?,
        customer_id: customer_id(wire.customer_id)?,
        created: required_text(wire.created, "created")?,
        visitor_id: visitor_id(wire.visitor_id)?,
        message_type: required_text(wire.message_type, "type")?,
        operator: optional_text(wire.operator, "operator")?,
    })
}

fn json_type(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

fn ill_typed(field: &'static str, expected: &'static str, raw: &RawValue) -> ElementError {
    ElementError::IllTyped {
        field,
        expected,
        found: json_type(raw),
    }
}

fn required_text(raw: Option<&RawValue>, field: &'static str) -> Result<String, ElementError> {
    let raw = raw.ok_or(ElementError::Missing(field))?;
    if json_type(raw) != "a string" {
        return Err(ill_typed(field, "a string", raw));
    }
    serde_json::from_str(raw.get())
        .map_err(|e| not_json_at(&format!("field `{field}`"), raw.get(), e))
}

fn optional_text(
    raw: Option<&RawValue>,
    field: &'static str,
) -> Result<Option<String>, ElementError> {
    match raw {
        None => Ok(None),
        Some(raw) if json_type(raw) == "null" => Ok(None),
        Some(raw) if json_type(raw) == "a string" => serde_json::from_str(raw.get())
            .map(Some)
            .map_err(|e| not_json_at(&format!("field `{field}`"), raw.get(), e)),
        Some(raw) => Err(ill_typed(field, "a string or null", raw)),
    }
}

fn customer_id(raw: Option<&RawValue>) -> Result<Option<String>, ElementError> {
    match raw {
        Some(raw) if json_type(raw) == "a number" => Ok(Some(raw.get().to_owned())),
        Some(raw) if !matches!(json_type(raw), "a string" | "null") => {
            Err(ill_typed("customerId", "a string, a number or null", raw))
        }
        other => optional_text(other, "customerId"),
    }
}

fn visitor_id(raw: Option<&RawValue>) -> Result<Option<i64>, ElementError> {
    match raw {
        None => Ok(None),
        Some(raw) if json_type(raw) == "null" => Ok(None),
        Some(raw) => {
            // JSON integers have no `+` and no leading zeros; `parse_java_long` accepts a
            // superset, and serde_json has already rejected what JSON does not allow.
            let text = raw.get();
            match json_type(raw) {
                "a number" => parse_java_long(text)
                    .map(Some)
                    .ok_or_else(|| ill_typed("visitorId", "an integer in the 64-bit range", raw)),
                _ => Err(ill_typed("visitorId", "an integer or null", raw)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#""{\"content\":\"Hi\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}""#;

    fn object(fields: &str) -> String {
        format!(
            r#"{{"content":"Hi","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"{fields}}}"#
        )
    }

    /// The owned parser gives what the borrowed one gives, and on an error its bytes back
    /// unchanged.
    fn same_either_way(bytes: &[u8]) {
        match (parse_element(bytes), parse_element_owned(bytes.to_vec())) {
            (Ok(borrowed), Ok(owned)) => {
                assert_eq!(borrowed.message, owned.message);
                assert_eq!(borrowed.original, owned.original);
                assert_eq!(borrowed.date.sort_key(), owned.date.sort_key());
            }
            (Err(borrowed), Err((owned, back))) => {
                assert_eq!(borrowed.to_string(), owned.to_string());
                assert_eq!(back, bytes);
            }
            (borrowed, owned) => panic!("{bytes:?}: {borrowed:?} against {owned:?}"),
        }
    }

    #[test]
    fn owned_and_borrowed_parsing_agree() {
        let inner: String = serde_json::from_str(SEED).unwrap();
        for text in [
            SEED,
            &inner,
            &format!("  {SEED}\n"),
            &format!("{inner}\r\n"),
            &object(r#","visitorId":"x""#),
            "[1]",
            "",
            "\"{}\"",
            "{\"content\":",
        ] {
            same_either_way(text.as_bytes());
        }
        same_either_way(b"{\"content\":\"\xff\"}");
        same_either_way(b" \xff");
        // A text that ends in a backslash (found by the property test below).
        for text in ["\\", "{\"content\":\"a\\", "\"\\u12\\"] {
            same_either_way(text.as_bytes());
            assert!(
                matches!(
                    parse_element(text.as_bytes()),
                    Err(ElementError::NotJson(_))
                ),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn owned_and_borrowed_parsing_agree_on_any_bytes(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
            element in "[ ]?\\{\"content\":\"[a-zé]{0,5}\",\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"type\":\"VO\"\\}[ \n]?",
        ) {
            same_either_way(&bytes);
            same_either_way(element.as_bytes());
        }
    }

    #[test]
    fn string_and_object_elements_give_the_same_message() {
        let from_string = parse_element(SEED.as_bytes()).unwrap();
        let inner: String = serde_json::from_str(SEED).unwrap();
        let from_object = parse_element(inner.as_bytes()).unwrap();
        assert_eq!(from_string.message, from_object.message);
        assert_eq!(from_string.original.kind, OriginalKind::String);
        assert_eq!(from_object.original.kind, OriginalKind::Object);
        assert_eq!(from_string.original.text, SEED);
        assert_eq!(from_object.original.text, inner);
    }

    #[test]
    fn missing_optional_fields_read_as_null_and_unknown_fields_are_kept() {
        let text = object(r#","extra":[1,{"a":2}]"#);
        let element = parse_element(text.as_bytes()).unwrap();
        assert_eq!(element.message.customer_id, None);
        assert_eq!(element.message.visitor_id, None);
        assert_eq!(element.message.operator, None);
        assert_eq!(element.original.text, text);
    }

    #[test]
    fn numeric_customer_id_is_kept_as_its_text() {
        let number = parse_element(object(r#","customerId":42"#).as_bytes()).unwrap();
        let text = parse_element(object(r#","customerId":"42""#).as_bytes()).unwrap();
        assert_eq!(number.message.customer_id.as_deref(), Some("42"));
        assert_eq!(number.message, text.message);
        assert_eq!(number.message.fingerprint(), text.message.fingerprint());
    }

    #[test]
    fn visitor_ids() {
        let big = parse_element(object(r#","visitorId":3000000000"#).as_bytes()).unwrap();
        assert_eq!(big.message.visitor_id, Some(3_000_000_000));
        let negative = parse_element(object(r#","visitorId":-1"#).as_bytes()).unwrap();
        assert_eq!(negative.message.visitor_id, Some(-1));
        for bad in ["5.0", "1e3", r#""5""#, "9223372036854775808", "true", "[]"] {
            let err =
                parse_element(object(&format!(r#","visitorId":{bad}"#)).as_bytes()).unwrap_err();
            assert!(
                matches!(
                    err,
                    ElementError::IllTyped {
                        field: "visitorId",
                        ..
                    }
                ),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn rejected_elements_say_why() {
        let cases: &[(&[u8], &str)] = &[
            (b"not json", "not JSON: expected ident at line 1 column 2"),
            (b"42", "not a message object: a number"),
            (b"null", "not a message object: null"),
            (b"[1]", "not a message object: an array"),
            (br#""hello""#, "not a message object: a string that does not hold a JSON object"),
            (br#"{"content":"Hi","type":"VO"}"#, "missing field `created`"),
            (br#"{"created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#, "missing field `content`"),
            (br#"{"content":"Hi","created":"Wed Apr 29 17:16:13 CEST 2009"}"#, "missing field `type`"),
            (br#"{"content":7,"created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#, "field `content` must be a string, found a number"),
            (br#"{"content":null,"created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#, "field `content` must be a string, found null"),
            (br#"{"content":"Hi","created":"Thu Apr 31 17:16:13 CEST 2009","type":"VO"}"#, "field `created`: `Thu Apr 31 17:16:13 CEST 2009` names a day that does not exist"),
            (br#"{"content":"Hi","content":"Ho","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#, "field `content` appears twice"),
            (br#"{"content":"Hi","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","operator":1}"#, "field `operator` must be a string or null, found a number"),
            (br#"{"content":"Hi","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","customerId":true}"#, "field `customerId` must be a string, a number or null, found a boolean"),
            (b"", "not JSON: empty element"),
            (b"\xff\xfe", "not valid UTF-8 (at byte 0 of the element)"),
            // Regression: serde_json called `\udc00` a "lone leading surrogate".
            (br#"{"content":"low \udc00","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#, "field `content`: the escape `\\udc00` is a lone UTF-16 surrogate, not a Unicode character"),
            (br#"{"content":"x","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","operator":"\ud800 x"}"#, "field `operator`: the escape `\\ud800` is a lone UTF-16 surrogate, not a Unicode character"),
            (br#"{"content":"\\ud800 \ud83d\ude00 \uD800","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#, "field `content`: the escape `\\uD800` is a lone UTF-16 surrogate, not a Unicode character"),
            (br#""{\"content\":\"\ud800\"}""#, "the element: the escape `\\ud800` is a lone UTF-16 surrogate, not a Unicode character"),
        ];
        for (bytes, reason) in cases {
            let err = parse_element(bytes).unwrap_err();
            assert_eq!(
                err.to_string(),
                *reason,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        let truncated = parse_element(br#"{"content":"Hi","created""#).unwrap_err();
        assert!(matches!(truncated, ElementError::NotJson(_)), "{truncated}");
    }

    #[test]
    fn warnings_do_not_reject() {
        let element = parse_element(
            br#"{"content":"Hi","created":"Mon Apr 29 17:16:13 CST 2009","type":"VO"}"#,
        )
        .unwrap();
        assert_eq!(
            element.warnings(),
            vec![ElementWarning::WeekdayMismatch, ElementWarning::UnknownZone]
        );
    }
}
