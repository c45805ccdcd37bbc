//! The query string of a page: the search words, the API's filters, the page number; and
//! the links that keep them.

use plupper_archive::api::parse_message_id;
use plupper_archive::{ConversationId, Filter, NaiveDate, Param};
use plupper_model::param::parse_cli_date;

use crate::Error;

/// Hits on one page.
pub(crate) const PAGE_SIZE: u64 = 20;

/// The last page a search lists: deeper pages would read ever more of the answer, and
/// nobody reads that far (the filters narrow an answer better).
pub(crate) const MAX_PAGE: u64 = 500;

/// A page's query string, decoded as a browser encodes a form
/// (`application/x-www-form-urlencoded`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    pub(crate) fn parse(query: &str) -> Form {
        let query = query.strip_prefix('?').unwrap_or(query);
        Form {
            pairs: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        }
    }

    /// The value of `name` as given (`""` when absent or empty); an error when it is
    /// given more than once.
    pub(crate) fn value(&self, name: &'static str) -> Result<&str, Error> {
        let mut values = self.pairs.iter().filter(|(k, _)| k == name);
        let first = values.next().map_or("", |(_, v)| v.as_str());
        match values.next() {
            Some(_) => Err(Error::Duplicate(name)),
            None => Ok(first),
        }
    }

    /// The value of `name` as given, the first when it is given more than once (to fill
    /// the form again on an error page).
    pub(crate) fn first(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The search words, trimmed; empty when there are none.
    pub(crate) fn words(&self) -> Result<&str, Error> {
        Ok(self.value("q")?.trim())
    }

    /// The API's filters, dates also in ISO form.
    pub(crate) fn filter(&self, today: NaiveDate) -> Result<Filter, Error> {
        let pairs = self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        Ok(Filter::from_form_params(pairs, today)?)
    }

    /// The page number, from 1 (the default) to [`MAX_PAGE`].
    pub(crate) fn page(&self) -> Result<u64, Error> {
        let text = self.value("page")?;
        if text.is_empty() {
            return Ok(1);
        }
        let digits = text.bytes().all(|b| b.is_ascii_digit());
        match text.parse::<u64>() {
            Ok(page) if digits && page > MAX_PAGE => Err(Error::PageTooFar {
                page,
                max: MAX_PAGE,
            }),
            Ok(page) if digits && page >= 1 => Ok(page),
            // More digits than a u64 holds: still a page far beyond the last.
            Err(_) if digits && !text.is_empty() => Err(Error::PageTooFar {
                page: u64::MAX,
                max: MAX_PAGE,
            }),
            _ => Err(Error::PageNumber(text.to_owned())),
        }
    }

    /// A date parameter as a date input shows it (ISO), when it reads as a date.
    pub(crate) fn iso_date(&self, param: Param, today: NaiveDate) -> Option<String> {
        parse_cli_date(self.first(param.name()), today)
            .ok()
            .map(|date| date.format("%Y-%m-%d").to_string())
    }

    /// A link to `path` with this form's words and filters (those given, in a fixed
    /// order) and `page` (left out for the first).
    pub(crate) fn link(&self, path: &str, page: u64) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        let names = std::iter::once("q").chain(Param::ALL.iter().map(|p| p.name()));
        for name in names {
            let value = self.first(name);
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}

/// A conversation id in a path, read as `show` reads a message id (a conversation's id is
/// the id of its first message): a positive integer. A positive integer too large for
/// any id names nothing ([`Error::NoConversation`]).
pub(crate) fn conversation_id(text: &str) -> Result<ConversationId, Error> {
    match parse_message_id(text) {
        Ok(id) => Ok(ConversationId(id.0)),
        Err(plupper_archive::Error::NoMessage { id }) => Err(Error::NoConversation(id)),
        Err(_) => Err(Error::Id {
            what: "conversation",
            text: text.to_owned(),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn a_form_keeps_what_was_given_and_drops_the_empty_fields() {
        let form = Form::parse("q=money+back&from=2009-04-29&to=&operator=pe%26ter&page=3&_=1");
        assert_eq!(form.words().unwrap(), "money back");
        assert_eq!(form.page().unwrap(), 3);
        assert_eq!(
            form.link("/search", 4),
            "/search?q=money+back&from=2009-04-29&operator=pe%26ter&page=4"
        );
        assert_eq!(
            form.link("/search", 1),
            "/search?q=money+back&from=2009-04-29&operator=pe%26ter"
        );
        assert_eq!(Form::parse("").link("/stats", 1), "/stats");
        let filter = form.filter(today()).unwrap();
        assert_eq!(filter.from, NaiveDate::from_ymd_opt(2009, 4, 29));
        assert_eq!(filter.operator.as_deref(), Some("pe&ter"));
    }

    #[test]
    fn dates_read_in_the_apis_form_and_in_iso_and_show_as_iso() {
        let form = Form::parse("from=04/29/09&to=2009-05-01");
        assert_eq!(
            form.iso_date(Param::From, today()).as_deref(),
            Some("2009-04-29")
        );
        assert_eq!(
            form.iso_date(Param::To, today()).as_deref(),
            Some("2009-05-01")
        );
        let bad = Form::parse("from=2009-02-30");
        assert_eq!(bad.iso_date(Param::From, today()), None);
        assert!(
            bad.filter(today())
                .unwrap_err()
                .to_string()
                .contains("2009-02-30")
        );
    }

    #[test]
    fn bad_pages_and_repeated_parameters_are_invalid_input() {
        for (query, message) in [
            ("page=0", "invalid `page`: `0` is not a positive integer"),
            ("page=-1", "invalid `page`: `-1` is not a positive integer"),
            (
                "page=two",
                "invalid `page`: `two` is not a positive integer",
            ),
            (
                "page=501",
                "page 501 is beyond the first 500 pages: narrow the search with the filters",
            ),
            (
                "page=99999999999999999999999",
                "page 18446744073709551615 is beyond the first 500 pages: narrow the search with the filters",
            ),
            ("page=1&page=2", "parameter `page` is given more than once"),
        ] {
            let error = Form::parse(query).page().unwrap_err();
            assert_eq!(error.to_string(), message, "{query}");
            assert_eq!(error.status(), 400);
        }
        assert_eq!(
            Form::parse("q=a&q=b").words().unwrap_err().to_string(),
            "parameter `q` is given more than once"
        );
        assert_eq!(
            Form::parse("operator=a&operator=b")
                .filter(today())
                .unwrap_err()
                .to_string(),
            "parameter `operator` is given more than once"
        );
    }

    #[test]
    fn conversation_ids_are_positive_integers_as_show_reads_message_ids() {
        assert_eq!(conversation_id("42").unwrap(), ConversationId(42));
        assert_eq!(conversation_id("007").unwrap(), ConversationId(7));
        for text in ["0", "", "-1", "+1", "1.0", "abc", "%31"] {
            let error = conversation_id(text).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("invalid conversation id `{text}`: expected a positive integer")
            );
            assert_eq!(error.status(), 400);
        }
        let huge = conversation_id("99999999999999999999").unwrap_err();
        assert_eq!(huge.status(), 404);
        assert_eq!(
            huge.to_string(),
            "no conversation with id 99999999999999999999"
        );
    }
}
