//! The pages on an archive of hostile messages (tests/fixtures/hostile.ndjson: twelve
//! conversations of four messages, 36 of them holding "money"; a script in a message, an
//! operator named like an HTML attack, a customer id closing the title, control and bidi
//! characters), rendered through the crate's one entry point.

#![allow(clippy::unwrap_used)] // a test states its expectations with unwrap()

use std::collections::HashSet;

use plupper_archive::{Archive, NaiveDate, NoProgress};
use plupper_web::{Page, render};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile.ndjson");
const HOSTILE_OPERATOR: &str = "&quot;&gt;&lt;img src=x onerror=window.__xss=2&gt;";

fn archive() -> (tempfile::TempDir, Archive) {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = Archive::create(dir.path()).unwrap();
    let report = archive.import(&[FIXTURE], &NoProgress).unwrap();
    assert_eq!(report.quarantined(), 0);
    assert_eq!(archive.message_count().unwrap(), 48);
    (dir, archive)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn get(archive: &Archive, path: &str, query: &str) -> Page {
    let page = render(archive, path, Some(query), today()).unwrap();
    assert_safe(&page.body);
    page
}

/// No text of the archive reached the page as markup.
fn assert_safe(body: &str) {
    for raw in [
        "<script",
        "<img",
        "onerror=window.__xss=2>",
        "</title><script",
    ] {
        assert!(
            !body.contains(raw),
            "`{raw}` reached the page as markup:\n{body}"
        );
    }
}

/// The ids of the messages a search page lists, in its order.
fn listed_ids(body: &str) -> Vec<i64> {
    body.split(r#"<a class="open" href=""#)
        .skip(1)
        .map(|rest| {
            let label = rest.split("\">#").nth(1).unwrap();
            label.split('<').next().unwrap().parse().unwrap()
        })
        .collect()
}

/// The part of the page from the element with this id to the end of its section.
fn section<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body.find(&format!(r#"id="{id}""#)).unwrap();
    let end = body[start..].find("</section>").unwrap();
    &body[start..start + end]
}

#[test]
fn a_search_is_paged_with_its_total_and_every_hit_once() {
    let (_dir, archive) = archive();
    let first = get(&archive, "/search", "q=money");
    assert_eq!(first.status, 200);
    assert!(
        first
            .body
            .contains("<h2 id=\"results-heading\">36 hits</h2>")
    );
    assert!(first.body.contains("Showing 1–20 of 36 hits, best first."));
    assert!(
        first
            .body
            .contains(r#"<a rel="next" href="/search?q=money&amp;page=2">"#)
    );
    assert!(!first.body.contains(r#"rel="prev""#));
    let second = get(&archive, "/search", "q=money&page=2");
    assert!(second.body.contains("Showing 21–36 of 36 hits"));
    assert!(
        second
            .body
            .contains(r#"<a rel="prev" href="/search?q=money">"#)
    );
    assert!(!second.body.contains(r#"rel="next""#));
    let mut ids = listed_ids(&first.body);
    assert_eq!(ids.len(), 20);
    ids.extend(listed_ids(&second.body));
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 36);
    let third = get(&archive, "/search", "q=money&page=3");
    assert_eq!(third.status, 200);
    assert!(third.body.contains("No more on this page."));
}

#[test]
fn hits_link_to_their_place_in_their_conversation_and_mark_the_words() {
    let (_dir, archive) = archive();
    let page = get(&archive, "/", "q=%22money+is+safe%22");
    assert_eq!(listed_ids(&page.body), [3]);
    assert!(
        page.body
            .contains(r##"<a class="open" href="/conversations/1#m3">#3</a>"##)
    );
    assert!(page.body.contains(
        "&lt;script&gt;window.__xss=1&lt;/script&gt; your <mark>money</mark> <mark>is</mark> <mark>safe</mark>"
    ));
    assert!(
        page.body
            .contains(r#"<span class="customer">customer IBM</span>"#)
    );
    assert!(page.body.contains("<time>2009-04-01 10:00:15 CEST</time>"));
    let redirect = get(&archive, "/messages/3", "");
    assert_eq!(redirect.status, 303);
    assert_eq!(redirect.location.as_deref(), Some("/conversations/1#m3"));
}

#[test]
fn hostile_names_and_control_characters_show_as_text() {
    let (_dir, archive) = archive();
    let by_operator = get(
        &archive,
        "/search",
        "q=order&operator=%22%3E%3Cimg+src%3Dx+onerror%3Dwindow.__xss%3D2%3E",
    );
    assert_eq!(
        listed_ids(&by_operator.body).len(),
        8,
        "{}",
        by_operator.body
    );
    assert!(
        by_operator
            .body
            .contains(&format!("operator <b>{HOSTILE_OPERATOR}</b>"))
    );
    assert!(
        by_operator
            .body
            .contains(&format!(r#"value="{HOSTILE_OPERATOR}""#))
    );
    let customer = get(&archive, "/search", "q=order+5");
    assert!(
        customer
            .body
            .contains("customer &lt;/title&gt;&lt;script&gt;window.__xss=3&lt;/script&gt;")
    );
    let controls = get(&archive, "/conversations/13", "");
    assert!(
        controls
            .body
            .contains(r"money \u{202e}gnp.exe \u{1b}[31mred\u{7} and a\u{200b}b"),
        "{}",
        controls.body
    );
    assert!(!controls.body.contains('\u{202e}') && !controls.body.contains('\u{1b}'));
}

#[test]
fn without_words_the_page_lists_the_apis_answer_in_its_order() {
    let (_dir, archive) = archive();
    let page = get(
        &archive,
        "/search",
        "operator=mary&from=2009-05-01&to=07/31/09",
    );
    assert_eq!(page.status, 200);
    // Mary's conversations of May (messages 17–20, 29–32) and July (41–44).
    let expected: Vec<i64> = [17..=20, 29..=32, 41..=44].into_iter().flatten().collect();
    assert_eq!(listed_ids(&page.body), expected);
    assert!(
        page.body
            .contains("Showing 1–12 of 12 messages, in the API's order.")
    );
    assert!(
        page.body
            .contains(r#"<a class="open" href="/messages/17">"#)
    );
    // The date inputs show the dates as ISO, whichever form was given.
    assert!(page.body.contains(r#"type="date" value="2009-07-31""#));
    let everything = get(&archive, "/", "");
    assert!(everything.body.contains("48 messages"));
    assert_eq!(listed_ids(&everything.body), (1..=20).collect::<Vec<_>>());
}

#[test]
fn invalid_input_is_shown_beside_the_form_with_status_400() {
    let (_dir, archive) = archive();
    for (query, message) in [
        (
            "q=money&visitorId=abc",
            "invalid `visitorId`: `abc` is not an integer",
        ),
        ("from=2009-02-30", "2009-02-30"),
        (
            "q=money&page=0",
            "invalid `page`: `0` is not a positive integer",
        ),
        ("q=a&q=b", "parameter `q` is given more than once"),
    ] {
        let page = get(&archive, "/search", query);
        assert_eq!(page.status, 400, "{query}");
        assert!(page.body.contains("role=\"alert\">Error: "), "{query}");
        assert!(page.body.contains(message), "{query}: {}", page.body);
        assert!(
            page.body.contains(r#"<form class="search""#),
            "{query}: the form stays"
        );
    }
    let stats = get(&archive, "/stats", "visitorId=1.5");
    assert_eq!(stats.status, 400);
}

#[test]
fn a_transcript_anchors_every_message_and_links_the_visitors_other_conversations() {
    let (_dir, archive) = archive();
    let first = get(&archive, "/conversations/1", "");
    assert_eq!(first.status, 200);
    for id in 1..=4 {
        assert!(
            first
                .body
                .contains(&format!(r#"<li id="m{id}" class="message"#)),
            "m{id}"
        );
    }
    assert!(!first.body.contains(r#"id="m5""#));
    assert!(
        first
            .body
            .contains(r#"<a rel="next" href="/conversations/45">"#)
    );
    assert!(!first.body.contains(r#"rel="prev""#));
    assert!(first.body.contains("(visitor has entered communication)"));
    assert!(
        first
            .body
            .contains("Thanks, the money arrived<br>second line 0")
    );
    assert!(
        first
            .body
            .contains(r#"<li class="gap" aria-hidden="true">15m 0s later</li>"#)
    );
    assert!(
        first
            .body
            .contains(r##"10s (<a href="#m2">#2</a> to <a href="#m3">#3</a>)"##)
    );
    let last = get(&archive, "/conversations/45", "");
    assert!(
        last.body
            .contains(r#"<a rel="prev" href="/conversations/1">"#)
    );
    assert!(!last.body.contains(r#"rel="next""#));
    let lonely = get(&archive, "/conversations/5", "");
    assert!(!lonely.body.contains("nav class=\"beside\""));
}

#[test]
fn unknown_and_malformed_ids_are_404_and_400() {
    let (_dir, archive) = archive();
    for (path, status, message) in [
        ("/conversations/2", 404, "no conversation with id 2"),
        (
            "/conversations/0",
            400,
            "invalid conversation id `0`: expected a positive integer",
        ),
        (
            "/conversations/%3Cb%3E",
            400,
            "invalid conversation id `%3Cb%3E`",
        ),
        ("/messages/49", 404, "no message with id 49"),
        ("/messages/abc", 400, "invalid message id `abc`"),
    ] {
        let page = get(&archive, path, "");
        assert_eq!(page.status, status, "{path}");
        assert!(page.body.contains(message), "{path}: {}", page.body);
    }
}

#[test]
fn the_statistics_draw_one_bar_per_month_operator_and_response_time_group() {
    let (_dir, archive) = archive();
    let page = get(&archive, "/stats", "");
    assert_eq!(page.status, 200);
    let bars = |id: &str| {
        section(&page.body, id)
            .matches(r#"<rect class="bar"#)
            .count()
    };
    // April, May, an empty June, July.
    assert_eq!(bars("messages-per-month"), 4);
    assert!(
        section(&page.body, "messages-per-month").contains("<title>2009-06: 0 messages</title>")
    );
    // john, mary and the hostile name.
    assert_eq!(bars("conversations-per-operator"), 3);
    assert!(
        section(&page.body, "conversations-per-operator").contains(&format!(
            "<title>{HOSTILE_OPERATOR}: 4 conversations</title>"
        ))
    );
    // Each operator's four answers fall in two time groups.
    assert_eq!(bars("first-response-times"), 6);
    assert!(
        section(&page.body, "first-response-times").contains("<title>john, &lt; 30 s: 2</title>")
    );
    assert!(page.body.contains("<dt>Conversations</dt><dd>12</dd>"));
    // The same filters as the search.
    let mary = get(&archive, "/stats", "operator=mary");
    let bars = |id: &str| {
        section(&mary.body, id)
            .matches(r#"<rect class="bar"#)
            .count()
    };
    assert_eq!(bars("conversations-per-operator"), 1);
    assert!(mary.body.contains("<dt>Messages</dt><dd>16</dd>"));
}

#[test]
fn the_stylesheet_is_served_and_other_paths_are_not_pages() {
    let (_dir, archive) = archive();
    let css = render(&archive, "/assets/style.css", None, today()).unwrap();
    assert_eq!(css.content_type, "text/css; charset=utf-8");
    assert!(css.body.contains(".message:target"));
    for path in [
        "/resources/message",
        "/assets/other.css",
        "/conversations",
        "/search/",
    ] {
        assert!(render(&archive, path, None, today()).is_none(), "{path}");
    }
    let page = get(&archive, "/", "");
    assert!(
        page.body
            .contains(r#"<link rel="stylesheet" href="/assets/style.css">"#)
    );
    assert!(
        !page.body.contains("http://") && !page.body.contains("https://"),
        "no other host"
    );
}

#[test]
fn odd_paths_and_query_strings_give_a_page_or_none_never_a_panic() {
    let (_dir, archive) = archive();
    let long = "a".repeat(10_000);
    let queries = [
        "%FF%FE",
        "q=%",
        "q=\"unbalanced",
        "q=-money",
        "q=OR",
        "q=*",
        "q=money&page=18446744073709551616",
        "page=&q=",
        "from=&to=&operator=&visitorId=&customerId=&contains=",
        "from=2009-04-30&to=2009-04-01",
        "contains=%00",
        "visitorId=9223372036854775808",
        "=&&&=x",
        long.as_str(),
    ];
    let paths = [
        "/",
        "/search",
        "/stats",
        "/conversations/",
        "/conversations/1/2",
        "/messages/",
        "/messages/%2e%2e",
        "/messages/18446744073709551616",
    ];
    for path in paths {
        for query in queries {
            let page = render(&archive, path, Some(query), today()).unwrap();
            assert!(
                matches!(page.status, 200 | 303 | 400 | 404),
                "{path}?{query}: {}",
                page.status
            );
            assert_safe(&page.body);
        }
    }
    let reversed = get(&archive, "/search", "q=money&from=2009-04-30&to=2009-04-01");
    assert!(reversed.body.contains("Nothing matches."));
}
