//! The HTTP source: `GET {url}/resources/message?from=…&to=…` with HTTP Basic auth, on a
//! blocking client (ureq, rustls), its body streamed to the scanner.
//!
//! - **Time-outs** are always set: connecting (and resolving the host name) and each read
//!   (waiting for the headers, or for the next bytes of the body). A server that stops
//!   sending fails the attempt instead of hanging the sync.
//! - **Body limits** are raised deliberately: the body is never held in memory (the
//!   scanner reads it through a fixed buffer), so ureq's limit is lifted; how much one
//!   window may bring is the sync's window budget instead, which splits the window.
//! - **Dates** are sent as `MM/DD/YYYY` (a four-digit year is read literally by the API;
//!   a two-digit one would depend on the server's today).
//! - **The password** lives in a [`Password`], which prints as `***`; it is sent only in
//!   the `Authorization` header, and never appears in a URL, an error or a log line. A
//!   base URL with credentials in it is refused.

use std::time::Duration;

use base64::Engine;
use chrono::NaiveDate;

use plupper_store::SyncScope;

use crate::SyncError;
use crate::scan::Format;
use crate::source::{Opened, Source};
use crate::window::Window;

/// The API's path for the list of messages, below the base URL.
pub(crate) const MESSAGES_PATH: &str = "/resources/message";

/// The default base URL.
pub const DEFAULT_URL: &str = "https://api.plupper.com";

/// A secret: `Debug` and `Display` print `***`; only [`expose`](Password::expose) gives
/// the text.
///
/// ```
/// use plupper_sync::http::Password;
///
/// let password = Password::new("mysecret".to_owned());
/// assert_eq!(format!("{password} {password:?}"), "*** ***");
/// assert_eq!(password.expose(), "mysecret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Keeps `text` as a secret.
    pub fn new(text: String) -> Password {
        Password(text)
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::fmt::Display for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// How to reach the API.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The base URL, e.g. `https://api.plupper.com` (http or https, no credentials).
    pub url: String,
    /// The user name for HTTP Basic auth.
    pub user: String,
    /// The password for HTTP Basic auth.
    pub password: Password,
    /// The longest wait for a connection (including name resolution and TLS).
    pub connect_timeout: Duration,
    /// The longest wait for the response headers or for the next bytes of the body.
    pub read_timeout: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl HttpConfig {
    /// A configuration with the default time-outs: 15 s to connect, 60 s per read.
    pub fn new(url: &str, user: &str, password: Password) -> HttpConfig {
        HttpConfig {
            url: url.to_owned(),
            user: user.to_owned(),
            password,
            connect_timeout: Duration::from_secs(15),
            read_timeout: Duration::from_secs(60),
            user_agent: concat!("plupper-archive/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// The Plupper API as a [`Source`] of date windows.
pub struct HttpSource {
    agent: ureq::Agent,
    base: String,
    user: String,
    authorization: Password,
}

impl std::fmt::Debug for HttpSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSource")
            .field("base", &self.base)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl HttpSource {
    /// Checks the URL and sets up the client (nothing is sent yet).
    ///
    /// ```
    /// use plupper_sync::http::{HttpConfig, HttpSource, Password};
    ///
    /// let config = HttpConfig::new("https://api.example.com/", "john", Password::new("s".into()));
    /// let source = HttpSource::new(config)?;
    /// assert_eq!(source.scope().url, "https://api.example.com");
    ///
    /// let with_credentials = HttpConfig::new("https://john:s@api.example.com", "john", Password::new("s".into()));
    /// let error = HttpSource::new(with_credentials).unwrap_err().to_string();
    /// assert!(!error.contains(":s@"), "{error}");
    /// # Ok::<(), plupper_sync::SyncError>(())
    /// ```
    pub fn new(config: HttpConfig) -> Result<HttpSource, SyncError> {
        let base = normalize_url(&config.url)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // Statuses are classified here (401, 429 with Retry-After, 5xx).
            .http_status_as_error(false)
            .timeout_resolve(Some(config.connect_timeout))
            .timeout_connect(Some(config.connect_timeout))
            .timeout_per_read(Some(config.read_timeout))
            .timeout_per_write(Some(config.read_timeout))
            .user_agent(config.user_agent.as_str())
            .build()
            .into();
        let credentials = format!("{}:{}", config.user, config.password.expose());
        let authorization = Password::new(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        ));
        Ok(HttpSource {
            agent,
            base,
            user: config.user,
            authorization,
        })
    }

    /// Which upstream this is, for the sync state.
    pub fn scope(&self) -> SyncScope {
        SyncScope {
            url: self.base.clone(),
            user: self.user.clone(),
        }
    }

    /// The request URL for a window (no credentials in it).
    pub(crate) fn window_url(&self, window: &Window) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(from) = window.from {
            query.append_pair("from", &api_date(from));
        }
        if let Some(to) = window.to {
            query.append_pair("to", &api_date(to));
        }
        let query = query.finish();
        if query.is_empty() {
            format!("{}{MESSAGES_PATH}", self.base)
        } else {
            format!("{}{MESSAGES_PATH}?{query}", self.base)
        }
    }
}

impl Source for HttpSource {
    type Unit = Window;
    type Error = SyncError;

    fn describe(&self, window: &Window) -> String {
        format!("GET {}", self.window_url(window))
    }

    fn open(&self, window: &Window) -> Result<Opened, SyncError> {
        let url = self.window_url(window);
        tracing::debug!(%url, "requesting a window");
        let response = self
            .agent
            .get(&url)
            .header("Authorization", self.authorization.expose())
            .header("Accept", "application/json")
            .call()
            .map_err(|source| SyncError::Connect {
                url: url.clone(),
                source,
            })?;
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            401 | 403 => {
                return Err(SyncError::Auth {
                    user: self.user.clone(),
                    url: self.base.clone(),
                });
            }
            _ => {
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|value| value.to_str().ok())
                    .and_then(parse_retry_after);
                return Err(SyncError::Status {
                    url,
                    status,
                    retry_after,
                });
            }
        }
        let len = response
            .headers()
            .get("content-length")
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim().parse().ok());
        // No limit: the scanner streams the body in bounded memory (see the module docs).
        let reader = response
            .into_body()
            .into_with_config()
            .limit(u64::MAX)
            .reader();
        Ok(Opened {
            reader: Box::new(reader),
            format: Format::List,
            len,
        })
    }
}

/// A date as the API takes it: `MM/DD/YYYY`.
pub(crate) fn api_date(date: NaiveDate) -> String {
    date.format("%m/%d/%Y").to_string()
}

/// `Retry-After` in seconds. The HTTP-date form would need the clock, which this library
/// does not read; it is ignored (the computed backoff applies).
fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Checks a base URL (http or https, a host, no credentials, no query) and drops
/// trailing slashes.
pub fn normalize_url(url: &str) -> Result<String, SyncError> {
    let invalid = |reason: &str, shown: &str| SyncError::InvalidUrl {
        url: shown.to_owned(),
        reason: reason.to_owned(),
    };
    let trimmed = url.trim();
    let scheme_end = trimmed.find("://");
    let (scheme, rest) = match scheme_end {
        Some(i) => (&trimmed[..i], &trimmed[i + 3..]),
        None => return Err(invalid("it must start with https:// or http://", trimmed)),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some(at) = authority.rfind('@') {
        let shown = format!("{scheme}://…@{}", &rest[at + 1..]);
        return Err(invalid(
            "it must not hold a user or password; give the user with --user and the password with PLUPPER_PASSWORD, --password-stdin or the prompt",
            &shown,
        ));
    }
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return Err(invalid("it must start with https:// or http://", trimmed));
    }
    if authority.is_empty() {
        return Err(invalid("it has no host", trimmed));
    }
    if rest.contains(['?', '#']) {
        return Err(invalid(
            "it must be the API's base URL, without a query",
            trimmed,
        ));
    }
    Ok(trimmed.trim_end_matches('/').to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            normalize_url(" https://api.plupper.com/ ").unwrap(),
            "https://api.plupper.com"
        );
        assert_eq!(
            normalize_url("http://127.0.0.1:8080/api//").unwrap(),
            "http://127.0.0.1:8080/api"
        );
        for bad in ["api.plupper.com", "ftp://x", "https://", "https://x/?a=1"] {
            assert!(normalize_url(bad).is_err(), "{bad}");
        }
        let error = normalize_url("https://john:sentinel@api.plupper.com/x")
            .unwrap_err()
            .to_string();
        assert!(!error.contains("sentinel"), "{error}");
        assert!(error.contains("api.plupper.com"), "{error}");
    }

    #[test]
    fn window_urls() {
        let source = HttpSource::new(HttpConfig::new(
            "http://127.0.0.1:1",
            "u",
            Password::new("p".into()),
        ))
        .unwrap();
        let day = |m, d| NaiveDate::from_ymd_opt(2009, m, d).unwrap();
        assert_eq!(
            source.window_url(&Window::days(day(4, 1), day(4, 30))),
            "http://127.0.0.1:1/resources/message?from=04%2F01%2F2009&to=04%2F30%2F2009"
        );
        assert_eq!(
            source.window_url(&Window {
                from: None,
                to: None
            }),
            "http://127.0.0.1:1/resources/message"
        );
        assert!(!format!("{source:?}").contains("Basic"));
    }

    #[test]
    fn retry_after() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
