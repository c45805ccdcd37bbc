//! Screenshots of the auditors' web pages, for the README: `screenshots BASE_URL OUT_DIR`
//! against a running `serve --no-auth` (on the bundled sample: `import data/sample`
//! first), writing one PNG per page into OUT_DIR with a headless Chromium
//! ([`Browser`]).

use std::path::Path;

use plupper_testkit::browser::Browser;

/// File name, path and query, window width and height.
const PAGES: [(&str, &str, u32, u32); 5] = [
    ("search.png", "/search?q=money+back", 1280, 1100),
    (
        "api-answer.png",
        "/search?operator=anna&from=2012-06-01&to=2012-06-30",
        1280,
        1000,
    ),
    ("conversation.png", "/conversations/88", 1280, 1300),
    ("stats.png", "/stats", 1280, 2350),
    ("conversation-phone.png", "/conversations/88#m100", 390, 844),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, out] = args.as_slice() else {
        return Err("usage: screenshots BASE_URL OUT_DIR".into());
    };
    std::fs::create_dir_all(out)?;
    let browser = Browser::start(1280, 1000)?;
    for (name, path, width, height) in PAGES {
        browser.resize(width, height)?;
        browser.goto(&format!("{}{path}", base.trim_end_matches('/')))?;
        let file = Path::new(out).join(name);
        std::fs::write(&file, browser.screenshot()?)?;
        println!("{} ← {path} ({width}×{height})", file.display());
    }
    Ok(())
}
