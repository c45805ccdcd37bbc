//! What every page shares: the document around the content, the navigation, the filter
//! fields of the forms, the error page, and the links to messages.

use maud::{DOCTYPE, Markup, html};
use plupper_archive::{ArchiveId, ConversationId, NaiveDate, Param};

use crate::form::Form;
use crate::{Error, Page};

/// The section of the site a page belongs to, marked in the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Search,
    Stats,
    None,
}

/// A whole HTML document.
pub(crate) fn document(title: &str, section: Section, content: Markup) -> String {
    let current = |s: Section| (s == section).then_some("page");
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · plupper-archive" }
                link rel="stylesheet" href="/assets/style.css";
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    a.brand href="/" { "plupper-archive" }
                    nav aria-label="Sections" {
                        a href="/" aria-current=[current(Section::Search)] { "Search" }
                        a href="/stats" aria-current=[current(Section::Stats)] { "Statistics" }
                    }
                }
                main #main { (content) }
            }
        }
    }
    .into_string()
}

/// The page that shows `error`, with its status.
pub(crate) fn error_page(error: &Error) -> Page {
    if let Error::Archive(source) = error {
        tracing::error!(error = %source, "a page could not be rendered");
    }
    let title = match error.status() {
        400 => "Invalid input",
        404 => "Not found",
        _ => "The archive could not answer",
    };
    let body = document(
        title,
        Section::None,
        html! {
            h1 { (title) }
            (error_note(error))
            p { a href="/" { "Back to the search" } }
        },
    );
    Page::html(error.status(), body)
}

/// An error as a note on a page.
pub(crate) fn error_note(error: &Error) -> Markup {
    html! { p.error role="alert" { "Error: " (error.to_string()) } }
}

/// The fields of the API's filters, filled from `form`.
pub(crate) fn filter_fields(form: &Form, today: NaiveDate) -> Markup {
    let text_field = |param: Param, label: &str, hint: &str, numeric: bool| {
        let name = param.name();
        html! {
            div.field {
                label for=(name) { (label) }
                input id=(name) name=(name) type="text" value=(form.first(name))
                    inputmode=[numeric.then_some("numeric")] aria-describedby=(format!("{name}-hint"));
                small id=(format!("{name}-hint")) { (hint) }
            }
        }
    };
    let date_field = |param: Param, label: &str| {
        let name = param.name();
        html! {
            div.field {
                label for=(name) { (label) }
                input id=(name) name=(name) type="date" value=[form.iso_date(param, today)];
            }
        }
    };
    html! {
        fieldset.filters {
            legend { "Filters (all must hold)" }
            (date_field(Param::From, "From (date)"))
            (date_field(Param::To, "To (date, included)"))
            (text_field(Param::Operator, "Operator", "exact, case-sensitive", false))
            (text_field(Param::VisitorId, "Visitor id", "an integer", true))
            (text_field(Param::CustomerId, "Customer id", "exact, case-sensitive", false))
            (text_field(Param::Contains, "Content contains", "any case, every character literal", false))
        }
    }
}

/// Where a message is shown: its place in its conversation, or (no conversation known)
/// its redirect.
pub(crate) fn message_href(conversation: Option<ConversationId>, id: ArchiveId) -> String {
    match conversation {
        Some(conversation) => format!("/conversations/{conversation}#m{}", id.0),
        None => format!("/messages/{}", id.0),
    }
}

/// `n` and the noun, in the singular for one (`1 hit`, `2 hits`).
pub(crate) fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `n` with a thin space between groups of three digits (`184 233`).
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_in_groups() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1\u{202f}000");
        assert_eq!(thousands(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(counted(1, "hit", "hits"), "1 hit");
        assert_eq!(counted(2, "hit", "hits"), "2 hits");
    }

    #[test]
    fn an_error_page_says_what_was_wrong_as_text() {
        let page = error_page(&Error::Id {
            what: "message",
            text: "<b>".into(),
        });
        assert_eq!(page.status, 400);
        assert!(
            page.body
                .contains("Error: invalid message id `&lt;b&gt;`: expected a positive integer")
        );
        assert!(!page.body.contains("<b>"));
    }

    #[test]
    fn the_filter_fields_are_labelled_and_keep_their_values() {
        let form = Form::parse("operator=%22%3E%3Cimg%20src%3Dx%3E&from=04/29/09");
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let html = filter_fields(&form, today).into_string();
        for name in [
            "from",
            "to",
            "operator",
            "visitorId",
            "customerId",
            "contains",
        ] {
            assert!(html.contains(&format!(r#"<label for="{name}">"#)), "{name}");
            assert!(
                html.contains(&format!(r#"id="{name}" name="{name}""#)),
                "{name}"
            );
        }
        assert!(
            html.contains(r#"value="&quot;&gt;&lt;img src=x&gt;""#),
            "{html}"
        );
        assert!(html.contains(r#"type="date" value="2009-04-29""#), "{html}");
    }
}
