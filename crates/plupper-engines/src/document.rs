//! The document a message becomes in an engine: the same for Quickwit and OpenSearch.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta};
use serde::{Deserialize, Serialize};

use plupper_model::Message;
use plupper_model::date::format_rfc3339;
use plupper_model::fold::fold;

/// One archived message as an engine indexes it.
///
/// | field | what | why |
/// |---|---|---|
/// | `id` | the archive id | the engine's `_id` (OpenSearch), a reload is idempotent |
/// | `timestamp` | the instant, RFC 3339 with the written offset; absent when the zone is unknown | time search in the engine's own UI |
/// | `order` | the instant in UTC, or the wall clock read as UTC when the zone is unknown | the API's order (then `id`), always present: Quickwit's timestamp field |
/// | `date` | the calendar date written in `created`, `YYYY-MM-DD` | `from` and `to` |
/// | `operator`, `customerId`, `visitorId`, `type`, `content` | the API's fields; null ones absent | the filters, ranked search |
/// | `created` | the API's `created` text as written | the API's element made again |
/// | `content_folded` | `content` folded as the contract folds for `contains` | `contains` |
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The archive id.
    pub id: i64,
    /// The instant with the offset written in `created`; `None` when the zone is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The answer-order instant, RFC 3339 in UTC (`2009-04-29T15:16:13Z`).
    pub order: String,
    /// The written calendar date, `YYYY-MM-DD`.
    pub date: String,
    /// The operator's user name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    /// The customer id.
    #[serde(
        rename = "customerId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub customer_id: Option<String>,
    /// The visitor id.
    #[serde(rename = "visitorId", default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<i64>,
    /// `VO`, `VT` or what the API wrote.
    #[serde(rename = "type")]
    pub message_type: String,
    /// The API's `created` text.
    pub created: String,
    /// The message text.
    pub content: String,
    /// `content` by Unicode simple case folding.
    pub content_folded: String,
}

impl Document {
    /// The document of archived message `id`: its six fields, the calendar date and wall
    /// clock written in `created`, and the offset of its zone when known.
    ///
    /// ```
    /// use chrono::{FixedOffset, NaiveDate};
    /// use plupper_engines::Document;
    /// use plupper_model::Message;
    ///
    /// let message = Message {
    ///     content: "MONEY back".into(),
    ///     customer_id: None,
    ///     created: "Wed Apr 29 17:16:13 CEST 2009".into(),
    ///     visitor_id: Some(7),
    ///     message_type: "VT".into(),
    ///     operator: Some("peter".into()),
    /// };
    /// let date = NaiveDate::from_ymd_opt(2009, 4, 29).unwrap();
    /// let wall_clock = date.and_hms_opt(17, 16, 13).unwrap();
    /// let doc = Document::new(3, &message, date, wall_clock, FixedOffset::east_opt(7200));
    /// assert_eq!(doc.timestamp.as_deref(), Some("2009-04-29T17:16:13+02:00"));
    /// assert_eq!(doc.order, "2009-04-29T15:16:13Z");
    /// assert_eq!(doc.content_folded, "money back");
    /// ```
    pub fn new(
        id: i64,
        message: &Message,
        written_date: NaiveDate,
        wall_clock: NaiveDateTime,
        offset: Option<FixedOffset>,
    ) -> Document {
        let order = match offset {
            Some(offset) => wall_clock - TimeDelta::seconds(i64::from(offset.local_minus_utc())),
            None => wall_clock,
        };
        Document {
            id,
            timestamp: offset.map(|offset| format_rfc3339(wall_clock, offset)),
            order: order.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true),
            date: written_date.format("%Y-%m-%d").to_string(),
            operator: message.operator.clone(),
            customer_id: message.customer_id.clone(),
            visitor_id: message.visitor_id,
            message_type: message.message_type.clone(),
            created: message.created.clone(),
            content: message.content.clone(),
            content_folded: fold(&message.content),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn message(content: &str) -> Message {
        Message {
            content: content.into(),
            customer_id: Some("IBM".into()),
            created: "Wed Apr 29 23:30:00 XYZ 2009".into(),
            visitor_id: None,
            message_type: "VO".into(),
            operator: None,
        }
    }

    #[test]
    fn an_unknown_zone_keeps_the_date_and_orders_by_the_wall_clock() {
        let date = NaiveDate::from_ymd_opt(2009, 4, 29).unwrap();
        let doc = Document::new(
            9,
            &message("ΣΑΣ"),
            date,
            date.and_hms_opt(23, 30, 0).unwrap(),
            None,
        );
        assert_eq!(doc.timestamp, None);
        assert_eq!(doc.order, "2009-04-29T23:30:00Z");
        assert_eq!(doc.date, "2009-04-29");
        assert_eq!(doc.content_folded, "σασ");
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(
            json,
            r#"{"id":9,"order":"2009-04-29T23:30:00Z","date":"2009-04-29","customerId":"IBM","type":"VO","created":"Wed Apr 29 23:30:00 XYZ 2009","content":"ΣΑΣ","content_folded":"σασ"}"#
        );
        assert_eq!(serde_json::from_str::<Document>(&json).unwrap(), doc);
    }

    #[test]
    fn the_order_instant_crosses_the_day_in_utc_but_the_date_stays_as_written() {
        let date = NaiveDate::from_ymd_opt(2009, 4, 30).unwrap();
        let wall_clock = date.and_hms_opt(1, 0, 0).unwrap();
        let doc = Document::new(
            1,
            &message("x"),
            date,
            wall_clock,
            FixedOffset::east_opt(7200),
        );
        assert_eq!(doc.order, "2009-04-29T23:00:00Z");
        assert_eq!(doc.date, "2009-04-30");
        assert_eq!(doc.timestamp.as_deref(), Some("2009-04-30T01:00:00+02:00"));
    }
}
