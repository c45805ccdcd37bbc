//! The auditors' web pages of a plupper-archive (contract §7): search with every filter of
//! the API, transcripts with permalinks, statistics with charts. Rendered on the server as
//! HTML from templates checked at compile time ([maud]), which escape every text they
//! insert; one small stylesheet, embedded; no script and no asset from another host, so
//! the pages work offline and without JavaScript.
//!
//! The crate knows no HTTP server: [`render`] takes a path, a query string and `today`,
//! and gives a [`Page`] (status, content type, redirect, body), or `None` for a path that
//! is no page. A server mounts it on its routes, adds [`SECURITY_HEADERS`] and runs it off
//! its async threads (it reads the archive).
//!
//! | path | page |
//! |---|---|
//! | `/`, `/search?q=&from=&to=&operator=&visitorId=&customerId=&contains=&page=` | the search form and the answer: ranked hits of `q` with marked snippets, or with no `q` the API's exact answer in its order; paged, with the total |
//! | `/conversations/{id}` | a transcript, each message anchored `#m{id}`, with the visitor's previous and next conversation |
//! | `/messages/{id}` | a redirect to the message in its conversation |
//! | `/stats?from=&to=&...` | the figures of `stats` with SVG charts and a table beside each |
//! | `/assets/style.css` | the stylesheet |
//!
//! Dates in the query string are the API's (`04/29/09`) or ISO (`2009-04-29`, what a
//! date input sends). Archived text is shown as the command line shows it: control and
//! bidi characters as `\u{..}` ([`plupper_model::printable`]).
//!
//! # Example
//!
//! ```
//! use plupper_archive::{Archive, NaiveDate, NoProgress};
//!
//! let dir = tempfile::tempdir()?;
//! let mut archive = Archive::create(dir.path())?;
//! archive.import(&["../../data/seed.json"], &NoProgress)?;
//! let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
//!
//! let page = plupper_web::render(&archive, "/search", Some("q=settings"), today).unwrap();
//! assert_eq!((page.status, page.content_type), (200, "text/html; charset=utf-8"));
//! assert!(page.body.contains("1 hit"));
//! assert!(page.body.contains(r#"href="/conversations/4#m5""#));
//!
//! let redirect = plupper_web::render(&archive, "/messages/5", None, today).unwrap();
//! assert_eq!(redirect.status, 303);
//! assert_eq!(redirect.location.as_deref(), Some("/conversations/4#m5"));
//!
//! assert!(plupper_web::render(&archive, "/resources/message", None, today).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(unreachable_pub)]

mod chart;
mod error;
mod form;
mod layout;
mod search_page;
mod stats_page;
mod text;
mod transcript_page;

use plupper_archive::api::parse_message_id;
use plupper_archive::{Archive, NaiveDate};

pub use error::Error;

/// The content type of every HTML page.
pub const HTML: &str = "text/html; charset=utf-8";

/// The stylesheet, served at `/assets/style.css`.
pub const STYLE_CSS: &str = include_str!("style.css");

/// Headers to send with every page: a strict content security policy (no script at all,
/// styles and images from this server only, forms posting only here, no framing), no
/// content-type sniffing, and no referrer sent to any other site.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
];

/// A rendered page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The HTTP status: 200, 303 (see `location`), 400 (invalid input), 404 (no such
    /// message or conversation) or 500 (the archive could not answer).
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
    /// Where a redirect leads (a path with its fragment), for status 303.
    pub location: Option<String>,
    /// The body (an HTML page, also for errors; the stylesheet).
    pub body: String,
}

impl Page {
    fn html(status: u16, body: String) -> Page {
        Page {
            status,
            content_type: HTML,
            location: None,
            body,
        }
    }
}

/// Which page a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    Search,
    Conversation(&'a str),
    Message(&'a str),
    Stats,
    Style,
}

impl Route<'_> {
    fn of(path: &str) -> Option<Route<'_>> {
        match path {
            "/" | "/search" => Some(Route::Search),
            "/stats" => Some(Route::Stats),
            "/assets/style.css" => Some(Route::Style),
            _ => {
                if let Some(id) = path.strip_prefix("/conversations/") {
                    Some(Route::Conversation(id))
                } else {
                    path.strip_prefix("/messages/").map(Route::Message)
                }
            }
        }
    }
}

/// Renders the page at `path` (without its query string) for the query string `query`
/// (without its `?`); `None` when `path` names no page. `today` anchors the two-digit
/// years of dates. Invalid input and errors of the archive are pages too (status 400,
/// 404 or 500, the message shown on the page); nothing panics on any input.
pub fn render(
    archive: &Archive,
    path: &str,
    query: Option<&str>,
    today: NaiveDate,
) -> Option<Page> {
    let route = Route::of(path)?;
    let query = query.unwrap_or("");
    let page = match route {
        Route::Search => search_page::render(archive, query, today),
        Route::Stats => stats_page::render(archive, query, today),
        Route::Conversation(id) => transcript_page::render(archive, id),
        Route::Message(id) => redirect_to_message(archive, id),
        Route::Style => Ok(Page {
            status: 200,
            content_type: "text/css; charset=utf-8",
            location: None,
            body: STYLE_CSS.to_owned(),
        }),
    };
    Some(page.unwrap_or_else(|error| layout::error_page(&error)))
}

/// `/messages/{id}`: to the message's place in its conversation.
fn redirect_to_message(archive: &Archive, id: &str) -> Result<Page, Error> {
    let id = parse_message_id(id)?;
    let conversation = archive
        .conversation_of(id)?
        .ok_or_else(|| plupper_archive::Error::NoMessage { id: id.to_string() })?;
    Ok(Page {
        status: 303,
        content_type: HTML,
        location: Some(layout::message_href(Some(conversation), id)),
        body: String::new(),
    })
}
