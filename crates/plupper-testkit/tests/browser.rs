//! The WebDriver client against a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`, which `.ci/run` installs): a page given as a `data:` URL, so no
//! server is involved.

#![allow(clippy::unwrap_used)] // a test states its expectations with unwrap()

use plupper_testkit::browser::Browser;

const PAGE: &str = "data:text/html;charset=utf-8,\
<title>t</title><p id=one>first <b>bold</b></p><p class=x>2</p><p class=x>3</p>\
<button id=go onclick=\"document.getElementById('there').textContent='clicked'\">go</button><input id=field name=q><div id=there>here</div>";

#[test]
fn the_browser_loads_finds_types_clicks_runs_scripts_and_takes_screenshots() {
    let browser = Browser::start(800, 600).unwrap();
    browser.goto(PAGE).unwrap();
    let one = browser.find("#one").unwrap();
    assert_eq!(browser.text(&one).unwrap(), "first bold");
    assert_eq!(browser.find_all("p.x").unwrap().len(), 2);
    assert!(browser.find_all("p.none").unwrap().is_empty());
    assert!(browser.find("p.none").is_err());
    let field = browser.find("#field").unwrap();
    browser.type_text(&field, "money back").unwrap();
    assert_eq!(
        browser
            .execute("return document.getElementById('field').value")
            .unwrap(),
        "money back"
    );
    assert_eq!(
        browser.attribute(&field, "name").unwrap().as_deref(),
        Some("q")
    );
    browser.click(&browser.find("#go").unwrap()).unwrap();
    assert!(browser.url().unwrap().starts_with("data:text/html"));
    assert_eq!(
        browser.text(&browser.find("#there").unwrap()).unwrap(),
        "clicked"
    );
    let png = browser.screenshot().unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
}
