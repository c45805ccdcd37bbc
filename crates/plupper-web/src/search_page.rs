//! `/` and `/search`: the form, and the answer a page at a time: ranked hits of the words
//! with marked snippets, or with no words the API's exact answer in its order.

use maud::{Markup, html};
use plupper_archive::{Archive, Filter, Hit, NaiveDate, StoredMessage};
use plupper_audit::transcript::written_time;

use crate::form::{Form, PAGE_SIZE};
use crate::layout::{self, Section, counted, message_href};
use crate::text::{excerpt, marked, shown};
use crate::{Error, Page};

/// One result of either kind, as the list shows it.
struct Row<'a> {
    stored: &'a StoredMessage,
    href: String,
    text: Markup,
}

/// A page of the answer.
struct Answer {
    total: u64,
    /// Ranked hits (`hit`/`hits`), or the API's answer (`message`/`messages`).
    ranked: bool,
    hits: Vec<Hit>,
    messages: Vec<StoredMessage>,
}

pub(crate) fn render(archive: &Archive, query: &str, today: NaiveDate) -> Result<Page, Error> {
    let form = Form::parse(query);
    let answer = form
        .words()
        .and_then(|words| Ok((words, form.filter(today)?, form.page()?)))
        .and_then(|(words, filter, page)| Ok((answer(archive, words, &filter, page)?, page)));
    // Invalid input is shown beside the form, to be corrected there; other errors are
    // pages of their own.
    let answer = match answer {
        Err(error) if error.status() != 400 => return Err(error),
        other => other,
    };
    let status = answer.as_ref().map_or_else(Error::status, |_| 200);
    let words = form.first("q").trim().to_owned();
    let title = if words.is_empty() {
        "Search".to_owned()
    } else {
        format!("{words} – Search")
    };
    let content = html! {
        h1 { "Search the archive" }
        (search_form(&form, today))
        @match &answer {
            Err(error) => (layout::error_note(error)),
            Ok((answer, page)) => (results(&form, answer, *page)),
        }
    };
    Ok(Page::html(
        status,
        layout::document(&title, Section::Search, content),
    ))
}

/// One page of the answer: `PAGE_SIZE` hits from the page's first, and the total.
fn answer(archive: &Archive, words: &str, filter: &Filter, page: u64) -> Result<Answer, Error> {
    let offset = (page - 1) * PAGE_SIZE;
    if words.is_empty() {
        let total = archive.count(filter)?;
        let messages = archive
            .query_first(filter, Some(offset + PAGE_SIZE))?
            .skip(offset as usize)
            .collect::<Result<_, _>>()?;
        return Ok(Answer {
            total,
            ranked: false,
            hits: Vec::new(),
            messages,
        });
    }
    let ranked = archive.search_page(words, filter, offset as usize, Some(PAGE_SIZE as usize))?;
    Ok(Answer {
        total: ranked.total as u64,
        ranked: true,
        hits: ranked.hits,
        messages: Vec::new(),
    })
}

fn search_form(form: &Form, today: NaiveDate) -> Markup {
    html! {
        form.search method="get" action="/search" role="search" {
            div.field.words {
                label for="q" { "Words" }
                input #q type="search" name="q" value=(form.first("q"))
                    aria-describedby="q-hint" autofocus;
                small #q-hint {
                    "All words must match, best first. "
                    code { "\"a phrase\"" } ", " code { "-word" } " to exclude, "
                    code { "a OR b" } ", " code { "pass*" } ". "
                    "Leave empty for the API's exact answer, in its order."
                }
            }
            (layout::filter_fields(form, today))
            div.actions {
                button type="submit" { "Search" }
                a href="/search" { "Clear" }
            }
        }
    }
}

fn results(form: &Form, answer: &Answer, page: u64) -> Markup {
    let rows: Vec<Row<'_>> = if answer.ranked {
        answer
            .hits
            .iter()
            .map(|hit| Row {
                stored: &hit.message,
                href: message_href(hit.conversation, hit.message.id),
                text: marked(&hit.snippet, &hit.highlights),
            })
            .collect()
    } else {
        answer
            .messages
            .iter()
            .map(|stored| Row {
                stored,
                href: format!("/messages/{}", stored.id.0),
                text: excerpt(&stored.message.content),
            })
            .collect()
    };
    let (one, many) = if answer.ranked {
        ("hit", "hits")
    } else {
        ("message", "messages")
    };
    let first = (page - 1) * PAGE_SIZE + 1;
    let last = first + rows.len() as u64 - 1;
    html! {
        section.results aria-labelledby="results-heading" {
            h2 #results-heading { (counted(answer.total, one, many)) }
            @if rows.is_empty() {
                p.total { @if answer.total == 0 { "Nothing matches." } @else { "No more on this page." } }
            } @else {
                p.total { "Showing " (first) "–" (last) " of " (counted(answer.total, one, many))
                    @if answer.ranked { ", best first." } @else { ", in the API's order." } }
                ol.hits start=(first) {
                    @for row in &rows { (hit(row)) }
                }
            }
            (pager(form, answer.total, page))
        }
    }
}

fn hit(row: &Row<'_>) -> Markup {
    let message = &row.stored.message;
    html! {
        li.hit {
            div.meta {
                a.open href=(row.href) { "#" (row.stored.id.0) }
                " "
                time { (written_time(row.stored)) }
                span.type { (shown(&message.message_type)) }
                @if let Some(operator) = &message.operator { span.operator { "operator " b { (shown(operator)) } } }
                @if let Some(visitor) = message.visitor_id { span.visitor { "visitor " (visitor) } }
                @if let Some(customer) = &message.customer_id { span.customer { "customer " (shown(customer)) } }
            }
            p.text { (row.text) }
        }
    }
}

fn pager(form: &Form, total: u64, page: u64) -> Markup {
    let pages = total.div_ceil(PAGE_SIZE).clamp(1, crate::form::MAX_PAGE);
    html! {
        @if pages > 1 || page > 1 {
            nav.pager aria-label="Pages" {
                @if page > 1 { a rel="prev" href=(form.link("/search", page - 1)) { "← Previous" } }
                span { "Page " (page) " of " (pages) }
                @if page < pages { a rel="next" href=(form.link("/search", page + 1)) { "Next →" } }
            }
        }
    }
}
