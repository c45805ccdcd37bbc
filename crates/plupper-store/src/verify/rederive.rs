//! A message row re-derived from its original text ([`rederive`]): every column of the
//! type plupper-archive writes, the text still parsing, and the parsed fields, date
//! columns what that text gives. (A canonical original is written from the fields
//! themselves, so a changed field of such a row changes the text: the chain, which
//! hashes the text, tells.)

use rusqlite::types::Value;

use plupper_model::Message;
use plupper_model::date::format_java_date;
use plupper_model::element::{OriginalKind, parse_element};
use plupper_model::wire::canonical_element;

use crate::verify::Problem;

/// A message row as stored, every column as SQLite holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawMessage {
    /// The archive id.
    pub id: i64,
    /// The other columns, in the order of [`RAW_COLUMNS`].
    pub values: Vec<Value>,
}

/// The columns of [`RawMessage::values`].
pub const RAW_COLUMNS: [&str; 11] = [
    "content",
    "customer_id",
    "created",
    "visitor_id",
    "type",
    "operator",
    "written_date",
    "wall_clock",
    "utc_offset",
    "original_kind",
    "original",
];

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Integer(n) => format!("the integer {n}"),
        Value::Real(x) => format!("the real number {x}"),
        Value::Text(t) => format!("the text {}", quoted(t)),
        Value::Blob(b) => format!("a blob of {} bytes", b.len()),
    }
}

fn quoted(text: &str) -> String {
    const SHOWN: usize = 60;
    let mut shown: String = text.chars().take(SHOWN).collect();
    if text.chars().nth(SHOWN).is_some() {
        shown.push('…');
    }
    serde_json_string(&shown)
}

fn serde_json_string(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn optional_text(text: Option<&str>) -> String {
    text.map_or("null".into(), quoted)
}

/// Reads the typed columns of a raw row; a column of the wrong type is a problem.
struct Typed<'r> {
    row: &'r RawMessage,
    problems: Vec<Problem>,
}

impl<'r> Typed<'r> {
    fn value(&self, column: &str) -> &'r Value {
        let index = RAW_COLUMNS.iter().position(|c| *c == column).unwrap_or(0);
        &self.row.values[index]
    }

    fn wrong(&mut self, column: &'static str) {
        let found = describe(self.value(column));
        self.problems.push(Problem::Column {
            id: self.row.id,
            column,
            found,
        });
    }

    fn text(&mut self, column: &'static str) -> Option<&'r str> {
        match self.value(column) {
            Value::Text(text) => Some(text),
            _ => {
                self.wrong(column);
                None
            }
        }
    }

    /// `created`: its text, or (migration 7) its zone as a BLOB, written out again with
    /// the row's wall clock (`None` when that is unreadable: already a problem).
    fn created(&mut self, wall_clock: Option<i64>) -> Option<String> {
        let clock = wall_clock
            .and_then(|seconds| chrono::DateTime::from_timestamp(seconds, 0))
            .map(|clock| clock.naive_utc());
        match (self.value("created"), clock) {
            (Value::Text(text), _) => Some(text.clone()),
            (Value::Blob(zone), Some(clock)) => match std::str::from_utf8(zone) {
                Ok(zone) => Some(format_java_date(clock, zone)),
                Err(_) => {
                    self.wrong("created");
                    None
                }
            },
            (Value::Blob(_), None) => None,
            _ => {
                self.wrong("created");
                None
            }
        }
    }

    fn optional_text(&mut self, column: &'static str) -> Option<Option<&'r str>> {
        match self.value(column) {
            Value::Null => Some(None),
            Value::Text(text) => Some(Some(text)),
            _ => {
                self.wrong(column);
                None
            }
        }
    }

    fn integer(&mut self, column: &'static str) -> Option<i64> {
        match self.value(column) {
            Value::Integer(n) => Some(*n),
            _ => {
                self.wrong(column);
                None
            }
        }
    }

    fn optional_integer(&mut self, column: &'static str) -> Option<Option<i64>> {
        match self.value(column) {
            Value::Null => Some(None),
            Value::Integer(n) => Some(Some(*n)),
            _ => {
                self.wrong(column);
                None
            }
        }
    }
}

/// The row's fields read back, or `None` when a column holds a value of the wrong type.
struct Fields<'r> {
    message: Message,
    written_date: i64,
    wall_clock: i64,
    utc_offset: Option<i64>,
    kind: i64,
    original: Option<&'r str>,
}

fn fields<'r>(typed: &mut Typed<'r>) -> Option<Fields<'r>> {
    let content = typed.text("content");
    let customer_id = typed.optional_text("customer_id");
    let wall_clock = typed.integer("wall_clock");
    let created = typed.created(wall_clock);
    let visitor_id = typed.optional_integer("visitor_id");
    let message_type = typed.text("type");
    let operator = typed.optional_text("operator");
    let written_date = typed.integer("written_date");
    let utc_offset = typed.optional_integer("utc_offset");
    let kind = typed.integer("original_kind");
    let original = typed.optional_text("original");
    let consistent = match (kind, original) {
        (Some(0), Some(None)) | (Some(1 | 2), Some(Some(_))) => true,
        (Some(_), Some(_)) => {
            typed.wrong("original_kind");
            false
        }
        _ => false,
    };
    if !consistent {
        return None;
    }
    Some(Fields {
        message: Message {
            content: content?.to_owned(),
            customer_id: customer_id?.map(str::to_owned),
            created: created?,
            visitor_id: visitor_id?,
            message_type: message_type?.to_owned(),
            operator: operator?.map(str::to_owned),
        },
        written_date: written_date?,
        wall_clock: wall_clock?,
        utc_offset: utc_offset?,
        kind: kind?,
        original: original?,
    })
}

/// Re-derives a message's fields from its original text and compares them with the
/// stored ones. Returns the original text (what the chain hashes), when the row can be
/// read, and the problems found. Pure.
pub fn rederive(row: &RawMessage) -> (Option<String>, Vec<Problem>) {
    let mut typed = Typed {
        row,
        problems: Vec::new(),
    };
    let Some(stored) = fields(&mut typed) else {
        return (None, typed.problems);
    };
    let id = row.id;
    let mut problems = typed.problems;
    let text = match stored.original {
        None => canonical_element(&stored.message),
        Some(text) => text.to_owned(),
    };
    let element = match parse_element(text.as_bytes()) {
        Ok(element) => element,
        Err(error) => {
            problems.push(Problem::Unparsable {
                id,
                reason: error.to_string(),
            });
            return (Some(text), problems);
        }
    };
    let mut differs = |field: &'static str, stored: String, derived: String| {
        if stored != derived {
            problems.push(Problem::Field {
                id,
                field,
                stored,
                derived,
            });
        }
    };
    let (mine, theirs) = (&stored.message, &element.message);
    differs("content", quoted(&mine.content), quoted(&theirs.content));
    differs(
        "customerId",
        optional_text(mine.customer_id.as_deref()),
        optional_text(theirs.customer_id.as_deref()),
    );
    differs("created", quoted(&mine.created), quoted(&theirs.created));
    let visitor = |v: Option<i64>| v.map_or("null".into(), |v| v.to_string());
    differs(
        "visitorId",
        visitor(mine.visitor_id),
        visitor(theirs.visitor_id),
    );
    differs(
        "type",
        quoted(&mine.message_type),
        quoted(&theirs.message_type),
    );
    differs(
        "operator",
        optional_text(mine.operator.as_deref()),
        optional_text(theirs.operator.as_deref()),
    );
    let date = element.date.written_date();
    let written = {
        use chrono::Datelike;
        i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
    };
    differs(
        "written_date",
        stored.written_date.to_string(),
        written.to_string(),
    );
    differs(
        "wall_clock",
        stored.wall_clock.to_string(),
        element.date.wall_clock().and_utc().timestamp().to_string(),
    );
    let offset = element
        .date
        .zone()
        .offset()
        .map(|o| i64::from(o.local_minus_utc()));
    differs("utc_offset", visitor(stored.utc_offset), visitor(offset));
    let kind = match element.original.kind {
        OriginalKind::String if stored.kind == 0 => 0,
        OriginalKind::String => 1,
        OriginalKind::Object => 2,
    };
    differs("original_kind", stored.kind.to_string(), kind.to_string());
    (Some(text), problems)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The row the store writes for `text`: `created` as its zone (a BLOB) when Java's
    /// format gives it back, as the store has written it since migration 7.
    fn raw(text: &str) -> RawMessage {
        let mut row = raw_as_text(text);
        let element = parse_element(text.as_bytes()).unwrap();
        let date = &element.date;
        if format_java_date(date.wall_clock(), date.zone().written()) == element.message.created {
            row.values[2] = Value::Blob(date.zone().written().as_bytes().to_vec());
        }
        row
    }

    /// The row as written before migration 7: `created` as its text.
    fn raw_as_text(text: &str) -> RawMessage {
        let element = parse_element(text.as_bytes()).unwrap();
        let message = &element.message;
        let date = &element.date;
        let canonical = canonical_element(message) == text;
        let kind = match element.original.kind {
            OriginalKind::String if canonical => 0,
            OriginalKind::String => 1,
            OriginalKind::Object => 2,
        };
        let opt = |t: &Option<String>| t.clone().map_or(Value::Null, Value::Text);
        let written = date.written_date();
        use chrono::Datelike;
        RawMessage {
            id: 7,
            values: vec![
                Value::Text(message.content.clone()),
                opt(&message.customer_id),
                Value::Text(message.created.clone()),
                message.visitor_id.map_or(Value::Null, Value::Integer),
                Value::Text(message.message_type.clone()),
                opt(&message.operator),
                Value::Integer(
                    i64::from(written.year()) * 10_000
                        + i64::from(written.month()) * 100
                        + i64::from(written.day()),
                ),
                Value::Integer(date.wall_clock().and_utc().timestamp()),
                date.zone().offset().map_or(Value::Null, |o| {
                    Value::Integer(i64::from(o.local_minus_utc()))
                }),
                Value::Integer(kind),
                if kind == 0 {
                    Value::Null
                } else {
                    Value::Text(text.to_owned())
                },
            ],
        }
    }

    const CANONICAL: &str = r#""{\"content\":\"Hi\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}""#;
    const OBJECT: &str = r#"{"type":"VT","content":"Hello","created":"Wed Apr 29 17:16:13 XYZ 2009","operator":"peter","extra":1}"#;

    #[test]
    fn intact_rows_rederive_without_problems() {
        for text in [CANONICAL, OBJECT] {
            for row in [raw(text), raw_as_text(text)] {
                let (derived, problems) = rederive(&row);
                assert_eq!(problems, []);
                assert_eq!(derived.as_deref(), Some(text));
            }
        }
        assert_eq!(raw(CANONICAL).values[2], Value::Blob(b"CEST".to_vec()));
        // A `created` Java's format does not give back (a weekday that is not the
        // date's): the text stays.
        let wrong_weekday = CANONICAL.replace("Wed Apr 29", "Thu Apr 29");
        let element = parse_element(wrong_weekday.as_bytes()).unwrap();
        assert_eq!(
            raw(&wrong_weekday).values[2],
            Value::Text(element.message.created)
        );
    }

    #[test]
    fn a_changed_wall_clock_changes_a_created_kept_as_its_zone() {
        // The canonical original is written from the stored fields: a wall clock moved
        // by an hour writes another `created`, so the text the chain hashes changes.
        let mut row = raw(CANONICAL);
        let Value::Integer(clock) = row.values[7] else {
            panic!("wall_clock is an integer")
        };
        row.values[7] = Value::Integer(clock + 3600);
        let (text, _) = rederive(&row);
        let text = text.unwrap();
        assert_ne!(text, CANONICAL);
        assert!(text.contains("18:16:13"), "{text}");
    }

    #[test]
    fn a_changed_field_of_a_kept_original_is_named() {
        let mut row = raw(OBJECT);
        row.values[0] = Value::Text("Goodbye".into());
        let (_, problems) = rederive(&row);
        assert_eq!(
            problems,
            [Problem::Field {
                id: 7,
                field: "content",
                stored: "\"Goodbye\"".into(),
                derived: "\"Hello\"".into()
            }]
        );
    }

    #[test]
    fn a_changed_field_of_a_canonical_original_changes_the_text_the_chain_hashes() {
        let mut row = raw(CANONICAL);
        row.values[0] = Value::Text("Goodbye".into());
        let (text, problems) = rederive(&row);
        // The fields and the text agree (the text is written from them) ...
        assert_eq!(problems, []);
        // ... and the text the chain hashes is not the one archived.
        assert_ne!(text.as_deref(), Some(CANONICAL));
        assert!(text.unwrap().contains("Goodbye"));
    }

    #[test]
    fn a_changed_date_column_is_named() {
        // (With `created` kept as its zone, the same change moves `created` too: see
        // `a_changed_wall_clock_changes_a_created_kept_as_its_zone`.)
        let mut row = raw_as_text(CANONICAL);
        row.values[7] = Value::Integer(0);
        let (_, problems) = rederive(&row);
        assert!(
            matches!(
                problems.as_slice(),
                [Problem::Field {
                    field: "wall_clock",
                    ..
                }]
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named() {
        // `created` may be a BLOB (its zone), but only of UTF-8.
        for (index, column, value, found) in [
            (0, "content", Value::Blob(vec![1, 2]), "a blob of 2 bytes"),
            (2, "created", Value::Blob(vec![0xff]), "a blob of 1 bytes"),
        ] {
            let mut row = raw(CANONICAL);
            row.values[index] = value;
            let (text, problems) = rederive(&row);
            assert_eq!(text, None);
            assert_eq!(
                problems,
                [Problem::Column {
                    id: 7,
                    column,
                    found: found.into()
                }]
            );
        }
    }

    #[test]
    fn a_garbled_original_is_named() {
        let mut row = raw(OBJECT);
        row.values[10] = Value::Text("{\"type\":".into());
        let (_, problems) = rederive(&row);
        assert!(
            matches!(problems.as_slice(), [Problem::Unparsable { id: 7, .. }]),
            "{problems:?}"
        );
    }
}
