//! A headless Chromium driven over WebDriver, for tests of the web pages in a real
//! browser and for their screenshots.
//!
//! [`Browser::start`] starts Debian's `chromedriver` (package `chromium-driver`) on a free
//! port of 127.0.0.1 and opens a session of a headless `chromium` with a new empty
//! profile and without the background traffic (updates, sync, QUIC) a closed network
//! refuses. The WebDriver protocol is JSON over HTTP; the few commands a test needs are
//! methods here. Every wait is bounded: a missing driver or a browser that does not
//! start is an error within seconds, never a hang. Dropping the browser ends the session
//! and the driver.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// Where Debian's `chromium-driver` installs the driver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian's `chromium` installs the browser.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// How long the driver may take to answer its first status request.
const DRIVER_START: Duration = Duration::from_secs(20);
/// How long one WebDriver command (a page load included) may take.
const COMMAND: Duration = Duration::from_secs(30);
/// The key WebDriver names a found element by.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// What went wrong driving the browser.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowserError {
    /// The driver is not installed.
    #[error(
        "{path} does not exist: install Chromium's WebDriver (apt-get install chromium chromium-driver)"
    )]
    NoDriver {
        /// Where it was looked for.
        path: String,
    },
    /// A process or a temporary directory could not be made.
    #[error("cannot start {what}: {source}")]
    Start {
        /// What was being started.
        what: &'static str,
        /// Why not.
        source: std::io::Error,
    },
    /// The driver did not answer in time.
    #[error("chromedriver did not answer on port {port} within {seconds} s")]
    DriverTimeout {
        /// Its port.
        port: u16,
        /// How long it was given.
        seconds: u64,
    },
    /// A request to the driver failed.
    #[error("webdriver {command}: {reason}")]
    Command {
        /// The command (method and path).
        command: String,
        /// The driver's error, or the transport's.
        reason: String,
    },
}

/// A found element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element(String);

/// A headless Chromium session; dropping it ends the session and the driver.
pub struct Browser {
    driver: Child,
    agent: ureq::Agent,
    session: String,
    _profile: tempfile::TempDir,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl Browser {
    /// Starts the driver and a headless browser whose window is `width`×`height` pixels.
    pub fn start(width: u32, height: u32) -> Result<Browser, BrowserError> {
        if !Path::new(CHROMEDRIVER).exists() {
            return Err(BrowserError::NoDriver {
                path: CHROMEDRIVER.into(),
            });
        }
        let port = free_port()?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| BrowserError::Start {
                what: "chromedriver",
                source,
            })?;
        let profile = tempfile::Builder::new()
            .prefix("plupper-chromium.")
            .tempdir()
            .map_err(|source| BrowserError::Start {
                what: "a browser profile",
                source,
            })?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(COMMAND))
            .build()
            .into();
        let mut browser = Browser {
            driver,
            agent,
            session: format!("http://127.0.0.1:{port}"),
            _profile: profile,
        };
        browser.wait_for_driver(port)?;
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--hide-scrollbars".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", browser._profile.path().display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "timeouts": {"pageLoad": 20_000, "script": 10_000, "implicit": 0},
        }}});
        let created = browser.call("POST", "/session", Some(capabilities))?;
        let id = created["sessionId"]
            .as_str()
            .ok_or_else(|| BrowserError::Command {
                command: "POST /session".into(),
                reason: format!("no session id in {created}"),
            })?;
        browser.session = format!("{}/session/{id}", browser.session);
        Ok(browser)
    }

    fn wait_for_driver(&mut self, port: u16) -> Result<(), BrowserError> {
        let started = Instant::now();
        while started.elapsed() < DRIVER_START {
            if let Ok(status) = self.call("GET", "/status", None)
                && status["ready"] == json!(true)
            {
                return Ok(());
            }
            if let Ok(Some(_)) = self.driver.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(BrowserError::DriverTimeout {
            port,
            seconds: DRIVER_START.as_secs(),
        })
    }

    /// Sends a command to the session (`path` after the session's URL; before a session
    /// exists, after the driver's) and gives its `value`.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, BrowserError> {
        let url = format!("{}{path}", self.session);
        let failed = |reason: String| BrowserError::Command {
            command: format!("{method} {path}"),
            reason,
        };
        let response = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or_else(|| json!({})).to_string()),
        };
        let mut response = response.map_err(|error| failed(error.to_string()))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .map_err(|error| failed(error.to_string()))?;
        let answer: Value =
            serde_json::from_str(&text).map_err(|error| failed(format!("{error}: {text}")))?;
        let value = answer.get("value").cloned().unwrap_or(Value::Null);
        if status >= 400 {
            // The driver's message without the stack trace it appends.
            let message = value["message"].as_str().and_then(|m| m.lines().next());
            let reason = message.map_or_else(|| value.to_string(), str::to_owned);
            return Err(failed(format!("status {status}: {reason}")));
        }
        Ok(value)
    }

    /// Loads `url` and waits until the page has loaded.
    pub fn goto(&self, url: &str) -> Result<(), BrowserError> {
        self.call("POST", "/url", Some(json!({ "url": url })))
            .map(drop)
    }

    /// The URL of the page shown.
    pub fn url(&self) -> Result<String, BrowserError> {
        Ok(self
            .call("GET", "/url", None)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Every element matching the CSS `selector`, in document order.
    pub fn find_all(&self, selector: &str) -> Result<Vec<Element>, BrowserError> {
        let found = self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": selector})),
        )?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|element| element[ELEMENT_KEY].as_str())
            .map(|id| Element(id.to_owned()))
            .collect())
    }

    /// The first element matching the CSS `selector`; an error when there is none.
    pub fn find(&self, selector: &str) -> Result<Element, BrowserError> {
        let found = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": selector})),
        )?;
        found[ELEMENT_KEY]
            .as_str()
            .map(|id| Element(id.to_owned()))
            .ok_or_else(|| BrowserError::Command {
                command: format!("find {selector}"),
                reason: format!("no element in {found}"),
            })
    }

    /// Clicks `element` (following a link or submitting a form waits for the new page).
    pub fn click(&self, element: &Element) -> Result<(), BrowserError> {
        self.call("POST", &format!("/element/{}/click", element.0), None)
            .map(drop)
    }

    /// Clicks `element`, a link or a form's button, and waits (up to 10 s) until the
    /// browser shows another URL and that page has loaded. Chromedriver's click returns
    /// once the click is dispatched; on a loaded machine the navigation it starts may not
    /// have begun by then.
    pub fn click_to_navigate(&self, element: &Element) -> Result<(), BrowserError> {
        let before = self.url()?;
        self.click(element)?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let loaded = self.execute("return document.readyState")? == "complete";
            if loaded && self.url()? != before {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                return Err(BrowserError::Command {
                    command: "click_to_navigate".into(),
                    reason: format!("still at {before} 10 s after the click"),
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Types `text` into `element`.
    pub fn type_text(&self, element: &Element, text: &str) -> Result<(), BrowserError> {
        self.call(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        )
        .map(drop)
    }

    /// The text of `element` as it is rendered.
    pub fn text(&self, element: &Element) -> Result<String, BrowserError> {
        let text = self.call("GET", &format!("/element/{}/text", element.0), None)?;
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// An attribute of `element` (`None` when it has none).
    pub fn attribute(&self, element: &Element, name: &str) -> Result<Option<String>, BrowserError> {
        let value = self.call(
            "GET",
            &format!("/element/{}/attribute/{name}", element.0),
            None,
        )?;
        Ok(value.as_str().map(str::to_owned))
    }

    /// Runs `script` (a function body; `return` gives its value) in the page.
    pub fn execute(&self, script: &str) -> Result<Value, BrowserError> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Resizes the window to `width`×`height` pixels.
    pub fn resize(&self, width: u32, height: u32) -> Result<(), BrowserError> {
        self.call(
            "POST",
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .map(drop)
    }

    /// A PNG of the window as it is shown.
    pub fn screenshot(&self) -> Result<Vec<u8>, BrowserError> {
        let encoded = self.call("GET", "/screenshot", None)?;
        base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .map_err(|error| BrowserError::Command {
                command: "GET /screenshot".into(),
                reason: error.to_string(),
            })
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if self.session.contains("/session/") {
            let _ = self.call("DELETE", "", None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A port of 127.0.0.1 that was free a moment ago.
fn free_port() -> Result<u16, BrowserError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|source| BrowserError::Start {
            what: "a listener for a free port",
            source,
        })
}
