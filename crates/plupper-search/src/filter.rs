//! The filter of `GET /resources/message`.
//!
//! Grammar (contract §2, §5): a query string decoded as
//! `application/x-www-form-urlencoded` (WHATWG: `+` is a space, an invalid `%` escape
//! stays literal, invalid UTF-8 becomes U+FFFD); parameter names are case-sensitive;
//!
//! | parameter | value |
//! |---|---|
//! | `from`, `to` | `MM/DD/YY`, `M/D/YY` or `MM/DD/YYYY` ([`parse_api_date`]) |
//! | `operator`, `customerId` | any text, matched exactly |
//! | `visitorId` | an integer as `Long.parseLong` reads it ([`parse_java_long`]) |
//! | `contains` | any text, every character literal |
//!
//! An empty value is the same as an absent parameter; unknown parameters are ignored; a
//! known parameter given twice is an error (even with the same value).

use chrono::NaiveDate;

use plupper_model::Contains;
use plupper_model::element::Element;
use plupper_model::param::{ApiDateError, parse_api_date, parse_cli_date, parse_java_long};
use plupper_store::query::Selection;

/// [`Filter::matches`], prepared: the `contains` needle folded once, one scratch buffer.
#[derive(Debug)]
pub struct Matcher<'f> {
    filter: &'f Filter,
    contains: Option<Contains>,
    scratch: String,
}

impl Matcher<'_> {
    /// Whether `element` matches every part of the filter.
    pub fn matches(&mut self, element: &Element) -> bool {
        let filter = self.filter;
        let message = &element.message;
        let date = element.date.written_date();
        let equal =
            |wanted: &Option<String>, value: &Option<String>| wanted.is_none() || wanted == value;
        filter.from.is_none_or(|from| date >= from)
            && filter.to.is_none_or(|to| date <= to)
            && equal(&filter.operator, &message.operator)
            && equal(&filter.customer_id, &message.customer_id)
            && filter
                .visitor_id
                .is_none_or(|v| message.visitor_id == Some(v))
            && self
                .contains
                .as_ref()
                .is_none_or(|c| c.matches_with(&message.content, &mut self.scratch))
    }
}

/// Decodes a URL query string into (name, value) pairs, as a browser encodes them
/// (`application/x-www-form-urlencoded`); a leading `?` is allowed.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    let query = query.strip_prefix('?').unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A parameter of the API's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Param {
    /// `from`
    From,
    /// `to`
    To,
    /// `operator`
    Operator,
    /// `visitorId`
    VisitorId,
    /// `customerId`
    CustomerId,
    /// `contains`
    Contains,
}

impl Param {
    /// Every parameter.
    pub const ALL: [Param; 6] = [
        Param::From,
        Param::To,
        Param::Operator,
        Param::VisitorId,
        Param::CustomerId,
        Param::Contains,
    ];

    /// The parameter's name in a query string.
    pub fn name(self) -> &'static str {
        match self {
            Param::From => "from",
            Param::To => "to",
            Param::Operator => "operator",
            Param::VisitorId => "visitorId",
            Param::CustomerId => "customerId",
            Param::Contains => "contains",
        }
    }

    /// The parameter with this (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Param> {
        Param::ALL.into_iter().find(|param| param.name() == name)
    }
}

/// Why a filter is invalid input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterError {
    /// `from` or `to` is not a date.
    #[error("invalid `{param}`: {reason}")]
    Date {
        /// `from` or `to`.
        param: &'static str,
        /// What is wrong with the value.
        reason: plupper_model::param::ApiDateError,
    },
    /// `visitorId` is not an integer.
    #[error("invalid `visitorId`: `{0}` is not an integer")]
    VisitorId(String),
    /// `visitorId` is an integer outside Java's `long` (the API's type).
    #[error(
        "invalid `visitorId`: `{0}` is out of range: a visitor id is a 64-bit integer, from -9223372036854775808 to 9223372036854775807"
    )]
    VisitorIdRange(String),
    /// A parameter is given twice.
    #[error("parameter `{0}` is given more than once")]
    Duplicate(&'static str),
}

/// The API's filter: every given part must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// The written date is on or after this day.
    pub from: Option<NaiveDate>,
    /// The written date is on or before this day (the whole day).
    pub to: Option<NaiveDate>,
    /// `operator` equals this, case-sensitive.
    pub operator: Option<String>,
    /// `visitorId` equals this.
    pub visitor_id: Option<i64>,
    /// `customerId` equals this, case-sensitive.
    pub customer_id: Option<String>,
    /// `content` contains this, ignoring case by Unicode simple case folding.
    pub contains: Option<String>,
}

impl Filter {
    /// Reads a URL query string (`operator=peter&contains=money`; a leading `?` is
    /// allowed). `today` anchors two-digit years.
    pub fn from_query_string(query: &str, today: NaiveDate) -> Result<Filter, FilterError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Filter::from_params(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), today)
    }

    /// Builds a filter from decoded (name, value) pairs, as a query string or command-line
    /// flags give them.
    pub fn from_params<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        today: NaiveDate,
    ) -> Result<Filter, FilterError> {
        Filter::reading_dates(pairs, today, parse_api_date)
    }

    /// As [`Filter::from_params`], for a web page's form: `from` and `to` also take ISO
    /// `YYYY-MM-DD`, which is what a browser's date input sends (contract §5); the API's
    /// forms read as they do there.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use plupper_search::Filter;
    ///
    /// let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    /// let filter = Filter::from_form_params([("from", "2009-04-29"), ("to", "04/30/09")], today)?;
    /// assert_eq!(filter.from, NaiveDate::from_ymd_opt(2009, 4, 29));
    /// assert_eq!(filter.to, NaiveDate::from_ymd_opt(2009, 4, 30));
    /// assert!(Filter::from_params([("from", "2009-04-29")], today).is_err());
    /// # Ok::<(), plupper_search::FilterError>(())
    /// ```
    pub fn from_form_params<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        today: NaiveDate,
    ) -> Result<Filter, FilterError> {
        Filter::reading_dates(pairs, today, parse_cli_date)
    }

    fn reading_dates<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        today: NaiveDate,
        read_date: fn(&str, NaiveDate) -> Result<NaiveDate, ApiDateError>,
    ) -> Result<Filter, FilterError> {
        let mut given = Vec::new();
        let mut filter = Filter::default();
        for (name, value) in pairs {
            let Some(param) = Param::from_name(name) else {
                continue;
            };
            if given.contains(&param) {
                return Err(FilterError::Duplicate(param.name()));
            }
            given.push(param);
            if !value.is_empty() {
                filter.set(param, value, today, read_date)?;
            }
        }
        Ok(filter)
    }

    fn set(
        &mut self,
        param: Param,
        value: &str,
        today: NaiveDate,
        read_date: fn(&str, NaiveDate) -> Result<NaiveDate, ApiDateError>,
    ) -> Result<(), FilterError> {
        let date = |value| {
            read_date(value, today).map_err(|reason| FilterError::Date {
                param: param.name(),
                reason,
            })
        };
        match param {
            Param::From => self.from = Some(date(value)?),
            Param::To => self.to = Some(date(value)?),
            Param::Operator => self.operator = Some(value.to_owned()),
            Param::VisitorId => {
                self.visitor_id = Some(parse_java_long(value).ok_or_else(|| {
                    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
                    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                        FilterError::VisitorIdRange(value.to_owned())
                    } else {
                        FilterError::VisitorId(value.to_owned())
                    }
                })?)
            }
            Param::CustomerId => self.customer_id = Some(value.to_owned()),
            Param::Contains => self.contains = Some(value.to_owned()),
        }
        Ok(())
    }

    /// The filter with `from`: the written date is on or after `day`.
    ///
    /// The typed builder: each method sets one parameter, as the query string would;
    /// an empty text is the same as an absent parameter (contract §2).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use plupper_search::Filter;
    ///
    /// let day = NaiveDate::from_ymd_opt(2009, 4, 29).unwrap();
    /// let built = Filter::default()
    ///     .from_date(day)
    ///     .to_date(day)
    ///     .operator("john")
    ///     .visitor_id(32751)
    ///     .customer_id("")
    ///     .contains("help");
    /// let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    /// let parsed = Filter::from_query_string(
    ///     "from=04/29/09&to=04/29/09&operator=john&visitorId=32751&customerId=&contains=help",
    ///     today,
    /// )?;
    /// assert_eq!(built, parsed);
    /// # Ok::<(), plupper_search::FilterError>(())
    /// ```
    #[must_use]
    pub fn from_date(mut self, day: NaiveDate) -> Filter {
        self.from = Some(day);
        self
    }

    /// The filter with `to`: the written date is on or before `day` (the whole day).
    #[must_use]
    pub fn to_date(mut self, day: NaiveDate) -> Filter {
        self.to = Some(day);
        self
    }

    /// The filter with `operator` (case-sensitive; empty: no operator filter).
    #[must_use]
    pub fn operator(mut self, name: &str) -> Filter {
        self.operator = non_empty(name);
        self
    }

    /// The filter with `visitorId`.
    #[must_use]
    pub fn visitor_id(mut self, id: i64) -> Filter {
        self.visitor_id = Some(id);
        self
    }

    /// The filter with `customerId` (case-sensitive; empty: no customer filter).
    #[must_use]
    pub fn customer_id(mut self, id: &str) -> Filter {
        self.customer_id = non_empty(id);
        self
    }

    /// The filter with `contains` (case-insensitive, every character literal; empty: no
    /// content filter).
    #[must_use]
    pub fn contains(mut self, text: &str) -> Filter {
        self.contains = non_empty(text);
        self
    }

    /// Whether an element matches every given part, tested in memory: the contract's §2
    /// written plainly, for programs that hold elements rather than an archive (a test
    /// server, a scan of a file). For many elements, prepare the test once with
    /// [`Filter::matcher`].
    ///
    /// ```
    /// use plupper_model::element::parse_element;
    /// use plupper_search::Filter;
    ///
    /// let element = parse_element(br#"{"content":"MONEY back","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VT","operator":"peter"}"#)?;
    /// assert!(Filter::default().operator("peter").contains("money").matches(&element));
    /// assert!(!Filter::default().operator("Peter").matches(&element));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matches(&self, element: &Element) -> bool {
        self.matcher().matches(element)
    }

    /// The in-memory test of [`Filter::matches`], prepared once for many elements.
    pub fn matcher(&self) -> Matcher<'_> {
        Matcher {
            filter: self,
            contains: self.contains.as_deref().map(Contains::new),
            scratch: String::new(),
        }
    }

    /// The parts SQLite answers exactly.
    pub fn selection(&self) -> Selection {
        Selection {
            from: self.from,
            to: self.to,
            operator: self.operator.clone(),
            visitor_id: self.visitor_id,
            customer_id: self.customer_id.clone(),
        }
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn parse(query: &str) -> Result<Filter, FilterError> {
        Filter::from_query_string(query, today())
    }

    #[test]
    fn decodes_as_a_browser_encodes() {
        let filter = parse("?operator=peter&contains=100%25+off%2").unwrap();
        assert_eq!(filter.operator.as_deref(), Some("peter"));
        assert_eq!(filter.contains.as_deref(), Some("100% off%2"));
        assert_eq!(
            parse("contains=%FF").unwrap().contains.as_deref(),
            Some("\u{FFFD}")
        );
        assert_eq!(
            parse("contains=a%2Bb").unwrap().contains.as_deref(),
            Some("a+b")
        );
    }

    #[test]
    fn empty_is_absent_and_unknown_is_ignored() {
        assert_eq!(
            parse("operator=&contains=&_=123&visitorid=x&_=5").unwrap(),
            Filter::default()
        );
        assert_eq!(parse("").unwrap(), Filter::default());
    }

    #[test]
    fn invalid_input_names_the_parameter() {
        let cases = [
            (
                "operator=a&operator=b",
                "parameter `operator` is given more than once",
            ),
            (
                "operator=a&operator=a",
                "parameter `operator` is given more than once",
            ),
            (
                "from=13/01/09",
                "invalid `from`: `13/01/09` is not a day of the calendar",
            ),
            (
                "to=02/30/09",
                "invalid `to`: `02/30/09` is not a day of the calendar",
            ),
            (
                "from=abc",
                "invalid `from`: `abc` is not a date of the form MM/DD/YY or MM/DD/YYYY",
            ),
            (
                "visitorId=5.0",
                "invalid `visitorId`: `5.0` is not an integer",
            ),
            ("visitorId=+", "invalid `visitorId`: ` ` is not an integer"),
            (
                "visitorId=9223372036854775808",
                "invalid `visitorId`: `9223372036854775808` is out of range: a visitor id is a 64-bit integer, from -9223372036854775808 to 9223372036854775807",
            ),
            (
                "visitorId=%2B",
                "invalid `visitorId`: `+` is not an integer",
            ),
        ];
        for (query, message) in cases {
            assert_eq!(parse(query).unwrap_err().to_string(), message, "{query}");
        }
    }

    #[test]
    fn typed_values() {
        let filter =
            parse("visitorId=3000000000&from=4/29/09&to=04/30/2009&customerId=IBM").unwrap();
        assert_eq!(filter.visitor_id, Some(3_000_000_000));
        assert_eq!(filter.from, NaiveDate::from_ymd_opt(2009, 4, 29));
        assert_eq!(filter.to, NaiveDate::from_ymd_opt(2009, 4, 30));
        assert_eq!(filter.customer_id.as_deref(), Some("IBM"));
    }
}
