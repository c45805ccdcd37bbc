//! The auditors' web pages (contract §7) in a real browser: `serve --listen 127.0.0.1:0`
//! on an archive of hostile messages (plupper-web's fixture: twelve conversations, 36
//! messages holding "money", a script in a message, an operator and a customer named like
//! HTML attacks), driven through a headless Chromium (plupper_testkit::browser; Debian's
//! `chromium` and `chromium-driver`, which `.ci/run` installs). A missing driver fails
//! the test with the command that installs it; every wait is bounded.

use plupper_testkit::browser::Browser;

use crate::harness::Sandbox;
use crate::serve::Serving;

const HOSTILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../plupper-web/tests/fixtures/hostile.ndjson"
);

/// `serve --listen 127.0.0.1:0 --no-auth` on the sandbox's archive, once it listens.
fn serve(sandbox: &Sandbox) -> Serving {
    Serving::start(sandbox, &["--no-auth"], &[])
}

fn hostile_archive() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.import(&[HOSTILE]).success();
    sandbox
}

/// No script of a hostile message ran (each would set `window.__xss`).
fn assert_no_script_ran(browser: &Browser) {
    let xss = browser.execute("return typeof window.__xss").unwrap();
    assert_eq!(xss, "undefined", "a script from the archive ran");
}

fn text_of(browser: &Browser, selector: &str) -> String {
    browser.text(&browser.find(selector).unwrap()).unwrap()
}

#[test]
fn search_then_follow_a_hit_into_its_transcript_then_page_forward() {
    let sandbox = hostile_archive();
    let served = serve(&sandbox);
    let browser = Browser::start(1200, 900).unwrap();
    browser.goto(&served.base).unwrap();
    assert_eq!(text_of(&browser, "h1"), "Search the archive");

    // Fill the form as a person would: the words and a filter, then submit.
    browser
        .type_text(&browser.find("#q").unwrap(), "money")
        .unwrap();
    browser
        .type_text(&browser.find("#operator").unwrap(), "john")
        .unwrap();
    browser
        .click_to_navigate(&browser.find("button[type=submit]").unwrap())
        .unwrap();
    assert!(
        browser.url().unwrap().contains("/search?q=money&"),
        "{}",
        browser.url().unwrap()
    );
    assert_eq!(text_of(&browser, "#results-heading"), "12 hits");
    assert_no_script_ran(&browser);

    // The hit holding the script shows it as text; follow it.
    let hits = browser.find_all("li.hit").unwrap();
    assert_eq!(hits.len(), 12);
    let scripted = browser
        .find_all("li.hit p.text")
        .unwrap()
        .into_iter()
        .position(|p| {
            browser
                .text(&p)
                .unwrap()
                .contains("<script>window.__xss=1</script>")
        })
        .expect("the hit holding a script, shown as text");
    let link = &browser.find_all("li.hit a.open").unwrap()[scripted];
    let clicked = browser.text(link).unwrap();
    assert_eq!(clicked, "#3");
    browser.click_to_navigate(link).unwrap();
    assert!(browser.url().unwrap().ends_with("/conversations/1#m3"));
    assert_eq!(text_of(&browser, "h1"), "Conversation 1");
    let target = browser
        .execute("return document.querySelector(':target').id")
        .unwrap();
    assert_eq!(target, "m3", "the anchored message is the one clicked");
    assert!(text_of(&browser, "li.message:target p.text").starts_with("<script>"));
    assert_no_script_ran(&browser);

    // The visitor's next conversation, then back to a search with two pages.
    browser
        .click_to_navigate(&browser.find("nav.beside a[rel=next]").unwrap())
        .unwrap();
    assert!(browser.url().unwrap().ends_with("/conversations/45"));
    browser
        .goto(&format!("{}/search?q=money", served.base))
        .unwrap();
    assert_eq!(text_of(&browser, "#results-heading"), "36 hits");
    assert_eq!(browser.find_all("li.hit").unwrap().len(), 20);
    let first_page: Vec<String> = browser
        .find_all("li.hit a.open")
        .unwrap()
        .iter()
        .map(|a| browser.text(a).unwrap())
        .collect();
    browser
        .click_to_navigate(&browser.find("a[rel=next]").unwrap())
        .unwrap();
    assert!(browser.url().unwrap().ends_with("/search?q=money&page=2"));
    let second_page: Vec<String> = browser
        .find_all("li.hit a.open")
        .unwrap()
        .iter()
        .map(|a| browser.text(a).unwrap())
        .collect();
    assert_eq!(second_page.len(), 16);
    assert!(second_page.iter().all(|id| !first_page.contains(id)));
    assert_eq!(text_of(&browser, "nav.pager span"), "Page 2 of 2");
    assert_no_script_ran(&browser);
}

#[test]
fn hostile_names_show_as_text_and_the_stats_charts_hold_their_bars() {
    let sandbox = hostile_archive();
    let served = serve(&sandbox);
    let browser = Browser::start(1200, 900).unwrap();

    browser
        .goto(&format!("{}/search?q=order+5", served.base))
        .unwrap();
    let meta = text_of(&browser, "li.hit .meta");
    assert!(
        meta.contains("operator \"><img src=x onerror=window.__xss=2>"),
        "{meta}"
    );
    assert!(
        meta.contains("customer </title><script>window.__xss=3</script>"),
        "{meta}"
    );
    assert!(browser.find_all("li.hit img").unwrap().is_empty());
    assert_no_script_ran(&browser);

    browser
        .goto(&format!("{}/conversations/13", served.base))
        .unwrap();
    let controls = text_of(&browser, "#m14 p.text");
    assert_eq!(
        controls,
        r"money \u{202e}gnp.exe \u{1b}[31mred\u{7} and a\u{200b}b"
    );

    browser.goto(&format!("{}/stats", served.base)).unwrap();
    let bars = |section: &str| {
        browser
            .find_all(&format!("#{section} svg rect.bar"))
            .unwrap()
            .len()
    };
    assert_eq!(
        bars("messages-per-month"),
        4,
        "April, May, an empty June, July"
    );
    assert_eq!(bars("conversations-per-operator"), 3);
    assert_eq!(bars("first-response-times"), 6);
    let rows = browser
        .find_all("#conversations-per-operator tbody tr")
        .unwrap();
    assert_eq!(rows.len(), 3, "a table beside the chart");
    let drawn = browser
        .execute("return document.querySelector('#messages-per-month svg').getBoundingClientRect().width")
        .unwrap();
    assert!(
        drawn.as_f64().unwrap() > 300.0,
        "the chart is drawn: {drawn}"
    );
    assert_no_script_ran(&browser);

    // The same filters as the search, typed into the form.
    browser
        .type_text(&browser.find("#operator").unwrap(), "mary")
        .unwrap();
    browser
        .click_to_navigate(&browser.find("button[type=submit]").unwrap())
        .unwrap();
    assert!(browser.url().unwrap().contains("/stats?"));
    assert_eq!(bars("conversations-per-operator"), 1);
}
