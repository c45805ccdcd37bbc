//! HTTP Basic authentication on every path (contract §6): a small middleware of our own.
//!
//! - The users file is read again whenever it changes (size, time, inode), so a user
//!   added or removed while the server runs counts from the next request.
//! - A password is checked against its Argon2id hash once; after that a keyed SHA-256 of
//!   it (the key random per process) is kept for that user and compared in constant time
//!   (`subtle`), so that a client sending its credentials with every request does not pay
//!   an Argon2 hash each time. A changed users file forgets every kept digest. An
//!   unknown user is checked against a hash too, so the time does not tell which part
//!   was wrong.
//! - Ten wrong credentials from one client address within a minute ([`Failures`]): that
//!   address is answered 429 with `Retry-After` until the minute is over. A request
//!   without credentials does not count.
//! - The `Authorization` header is taken off the request once checked: nothing after
//!   this layer (handlers, logs) can see it.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ApiError;
use crate::users::{UsersFile, hash_password, verify_password};

/// The `WWW-Authenticate` challenge of every 401.
pub const CHALLENGE: &str = r#"Basic realm="plupper-archive", charset="UTF-8""#;

/// Wrong credentials from one address within [`FAILURE_WINDOW`] that close it.
pub const MAX_FAILURES: u32 = 10;

/// How long failures count, and how long a closed address stays closed from its first.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// The addresses [`Failures`] keeps at most; past that the oldest windows go first.
const MAX_TRACKED: usize = 65_536;

/// The signed-in user, put in the request's extensions for the handlers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User(pub String);

/// Checks credentials against the users file.
pub struct Authenticator {
    file: UsersFile,
    key: [u8; 32],
    /// A hash that no password matches, checked for unknown users.
    decoy: String,
    state: Mutex<Loaded>,
    failures: Failures,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

/// What the users file held when it was last read.
#[derive(Default)]
struct Loaded {
    stamp: Option<Stamp>,
    hashes: HashMap<String, String>,
    /// Per user, the keyed digest of the password last verified.
    verified: HashMap<String, [u8; 32]>,
}

/// What tells that the users file changed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    inode: u64,
}

fn stamp(path: &std::path::Path) -> Option<Stamp> {
    let metadata = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
    Some(Stamp {
        len: metadata.len(),
        modified: metadata.modified().ok(),
        #[cfg(unix)]
        inode,
    })
}

/// The outcome of the quick check.
enum Quick {
    /// The digest matches the one kept for the user.
    Valid,
    /// The hash to check the password against, and whether the user exists.
    Hash(String, bool),
}

impl Authenticator {
    /// An authenticator over `file`, which must hold at least one readable user.
    pub fn new(file: UsersFile) -> Result<Authenticator, crate::ServerError> {
        let users = file.read()?;
        if users.is_empty() {
            return Err(crate::ServerError::NoUsers {
                path: file.path().to_owned(),
            });
        }
        let mut key = [0; 32];
        OsRng.fill_bytes(&mut key);
        let mut decoy_password = [0; 32];
        OsRng.fill_bytes(&mut decoy_password);
        let decoy = hash_password(&plupper_archive::Password::new(
            base64::engine::general_purpose::STANDARD.encode(decoy_password),
        ))?;
        let authenticator = Authenticator {
            file,
            key,
            decoy,
            state: Mutex::new(Loaded::default()),
            failures: Failures::default(),
        };
        authenticator.refresh(&mut authenticator.lock());
        Ok(authenticator)
    }

    fn lock(&self) -> MutexGuard<'_, Loaded> {
        // A panic while holding the lock leaves plain data behind: go on with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads the users file again when it changed. A file that cannot be read (or was
    /// made readable by others) lets nobody in until it is fixed.
    fn refresh(&self, loaded: &mut Loaded) {
        let now = stamp(self.file.path());
        if loaded.stamp.is_some() && loaded.stamp == now {
            return;
        }
        loaded.verified.clear();
        loaded.hashes = match self.file.read() {
            Ok(users) => users.into_iter().collect(),
            Err(error) => {
                tracing::error!("{error}; no user can sign in until it is fixed");
                HashMap::new()
            }
        };
        loaded.stamp = now;
    }

    fn digest(&self, user: &str, password: &[u8]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        hasher.update((user.len() as u64).to_le_bytes());
        hasher.update(user.as_bytes());
        hasher.update(password);
        hasher.finalize().into()
    }

    fn quick(&self, user: &str, password: &[u8]) -> Quick {
        let digest = self.digest(user, password);
        let mut loaded = self.lock();
        self.refresh(&mut loaded);
        if let Some(kept) = loaded.verified.get(user)
            && bool::from(kept.ct_eq(&digest))
        {
            return Quick::Valid;
        }
        match loaded.hashes.get(user) {
            Some(hash) => Quick::Hash(hash.clone(), true),
            None => Quick::Hash(self.decoy.clone(), false),
        }
    }

    /// Whether `user` may sign in with `password`. Hashes off the async threads when it
    /// must.
    pub async fn check(self: &Arc<Self>, user: &str, password: &[u8]) -> bool {
        let (hash, exists) = match self.quick(user, password) {
            Quick::Valid => return true,
            Quick::Hash(hash, exists) => (hash, exists),
        };
        let secret = password.to_vec();
        let matches = tokio::task::spawn_blocking(move || verify_password(&secret, &hash))
            .await
            .unwrap_or(false);
        if !(matches && exists) {
            return false;
        }
        let digest = self.digest(user, password);
        let mut loaded = self.lock();
        // The file may have changed while hashing: keep the digest only for a user it
        // still holds (with the hash just checked).
        self.refresh(&mut loaded);
        if !loaded.hashes.contains_key(user) {
            return false;
        }
        loaded.verified.insert(user.to_owned(), digest);
        true
    }
}

/// Wrong credentials per client address, in windows of [`FAILURE_WINDOW`] from the first.
#[derive(Debug, Default)]
pub struct Failures {
    windows: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Failures {
    fn lock(&self) -> MutexGuard<'_, HashMap<IpAddr, (Instant, u32)>> {
        self.windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// How long `address` stays closed, when it is.
    pub fn closed_for(&self, address: IpAddr, now: Instant) -> Option<Duration> {
        let windows = self.lock();
        let &(start, count) = windows.get(&address)?;
        let end = start + FAILURE_WINDOW;
        (count >= MAX_FAILURES && now < end).then(|| end - now)
    }

    /// Counts one wrong credential from `address`.
    pub fn record(&self, address: IpAddr, now: Instant) {
        let mut windows = self.lock();
        if windows.len() >= MAX_TRACKED {
            windows.retain(|_, (start, _)| now.duration_since(*start) < FAILURE_WINDOW);
            if windows.len() >= MAX_TRACKED {
                // Still full of live windows: the oldest half goes.
                let mut starts: Vec<Instant> = windows.values().map(|(start, _)| *start).collect();
                starts.sort_unstable();
                let cut = starts[starts.len() / 2];
                windows.retain(|_, (start, _)| *start > cut);
            }
        }
        let window = windows.entry(address).or_insert((now, 0));
        if now.duration_since(window.0) >= FAILURE_WINDOW {
            *window = (now, 0);
        }
        window.1 = window.1.saturating_add(1);
    }
}

/// What the `Authorization` header holds.
#[derive(Debug, PartialEq, Eq)]
enum Credentials {
    /// No header: a browser's first request.
    Missing,
    /// A header that is not `Basic base64(user:password)` in UTF-8 user names.
    Malformed,
    /// A user and a password.
    Given(String, Vec<u8>),
}

fn credentials(headers: &HeaderMap) -> Credentials {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return if headers.contains_key(AUTHORIZATION) {
            Credentials::Malformed
        } else {
            Credentials::Missing
        };
    };
    let bytes = value.as_bytes();
    let Some(encoded) = bytes
        .get(..6)
        .filter(|scheme| scheme.eq_ignore_ascii_case(b"basic "))
        .map(|_| bytes[6..].trim_ascii())
    else {
        return Credentials::Malformed;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return Credentials::Malformed;
    };
    let Some(colon) = decoded.iter().position(|&b| b == b':') else {
        return Credentials::Malformed;
    };
    match std::str::from_utf8(&decoded[..colon]) {
        Ok(user) => Credentials::Given(user.to_owned(), decoded[colon + 1..].to_vec()),
        Err(_) => Credentials::Malformed,
    }
}

/// The 401 of every missing or wrong credential: the same answer whatever was wrong.
fn unauthorized() -> Response {
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, "authentication required").into_response();
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(CHALLENGE));
    response
}

fn too_many(wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!("too many wrong credentials from this address: try again in {seconds} s"),
    )
    .into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

/// The client's address: the connection's peer (an in-process test has none: all its
/// requests count as one address).
fn client(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip())
}

/// The middleware: lets a request through with a valid user (as [`User`] in its
/// extensions, its `Authorization` header removed), answers 401 or 429 otherwise.
pub async fn require_user(
    State(auth): State<Arc<Authenticator>>,
    mut request: Request,
    next: Next,
) -> Response {
    let address = client(&request);
    if let Some(wait) = auth.failures.closed_for(address, Instant::now()) {
        return too_many(wait);
    }
    let (user, password) = match credentials(request.headers()) {
        Credentials::Missing => return unauthorized(),
        Credentials::Malformed => {
            auth.failures.record(address, Instant::now());
            return unauthorized();
        }
        Credentials::Given(user, password) => (user, password),
    };
    request.headers_mut().remove(AUTHORIZATION);
    if !auth.check(&user, &password).await {
        tracing::info!(%address, "wrong credentials");
        auth.failures.record(address, Instant::now());
        return unauthorized();
    }
    request.extensions_mut().insert(User(user));
    next.run(request).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn header(value: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
        headers
    }

    fn basic(text: &str) -> Vec<u8> {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(text)
        )
        .into_bytes()
    }

    #[test]
    fn the_header_is_read_strictly() {
        assert_eq!(credentials(&HeaderMap::new()), Credentials::Missing);
        assert_eq!(
            credentials(&header(&basic("john:pa:ss"))),
            Credentials::Given("john".into(), b"pa:ss".to_vec())
        );
        assert_eq!(
            credentials(&header(b"basic  am9objpwdw== ")),
            Credentials::Given("john".into(), b"pw".to_vec())
        );
        for bad in [
            &b"Bearer abc"[..],
            b"Basic",
            b"Basic !!!",
            b"Basic am9obg==", // "john": no colon
            b"Basicam9objpwdw==",
        ] {
            assert_eq!(credentials(&header(bad)), Credentials::Malformed, "{bad:?}");
        }
        let mut twice = header(&basic("a:b"));
        twice.append(
            AUTHORIZATION,
            HeaderValue::from_bytes(&basic("a:b")).unwrap(),
        );
        assert_eq!(credentials(&twice), Credentials::Malformed);
    }

    #[test]
    fn ten_failures_in_a_minute_close_an_address_until_the_minute_is_over() {
        let failures = Failures::default();
        let one: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let start = Instant::now();
        for i in 0..9 {
            failures.record(one, start + Duration::from_secs(i));
        }
        assert_eq!(
            failures.closed_for(one, start + Duration::from_secs(9)),
            None
        );
        failures.record(one, start + Duration::from_secs(9));
        assert_eq!(
            failures.closed_for(one, start + Duration::from_secs(20)),
            Some(Duration::from_secs(40))
        );
        assert_eq!(failures.closed_for(other, start), None);
        assert_eq!(failures.closed_for(one, start + FAILURE_WINDOW), None);
        // Failures spread over more than a minute never close it.
        for i in 0..20 {
            failures.record(other, start + Duration::from_secs(7 * i));
        }
        assert_eq!(
            failures.closed_for(other, start + Duration::from_secs(140)),
            None
        );
    }

    #[test]
    fn the_table_of_failures_stays_bounded() {
        let failures = Failures::default();
        let start = Instant::now();
        for i in 0..(MAX_TRACKED as u32 + 10) {
            failures.record(IpAddr::from(i.to_be_bytes()), start);
        }
        assert!(failures.lock().len() <= MAX_TRACKED);
    }
}
