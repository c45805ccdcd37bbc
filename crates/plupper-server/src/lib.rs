//! The Plupper API, offline: an archive answers the API's own URLs over HTTP, so a client
//! written for the API keeps working when its base URL points here (contract §6).
//!
//! - [`Server::bind`] checks a [`ServerConfig`], opens the archive read-only and the
//!   users file, and binds the address; [`Server::run_until_signal`] answers until
//!   SIGINT or SIGTERM.
//! - The routes: `GET /resources/message?QUERY` and `GET /resources/message/{id}`
//!   ([`api`]), byte for byte what `query --params 'QUERY' --format api` and `show {id}
//!   --format api` print: both write through [`plupper_archive::api`]. Any other path
//!   is 404, any other method 405; every error has a JSON body `{"error": "..."}`.
//! - Every route sits under the same [`layers`]: request head limits, tracing, security
//!   headers, CORS, HTTP Basic authentication ([`auth`]) against the users file
//!   ([`users`]), time-outs. More routes join through [`app`]'s `extra` router and get
//!   the same layers; a handler reaches the archive through [`AppState::blocking`], on a
//!   blocking thread. The auditors' web pages ([`pages::routes`], rendered by
//!   `plupper_web`) join so.
//! - The users file is the server's own, beside the archive's database and not in it:
//!   see [`users`] for why.
//!
//! # Example
//!
//! ```
//! use axum::body::Body;
//! use axum::http::{Request, StatusCode};
//! use plupper_archive::{Archive, NoProgress};
//! use plupper_server::{AppOptions, AppState, app};
//! use tower::ServiceExt;
//!
//! let dir = tempfile::tempdir()?;
//! Archive::create(dir.path())?.import(&["../../data/seed.json"], &NoProgress)?;
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
//! let state = AppState::open(dir.path(), std::sync::Arc::new(move || today))?;
//! // No users: without authentication, as `serve --no-auth` on a loopback address.
//! let app = app(state, axum::Router::new(), &AppOptions::default());
//!
//! let runtime = tokio::runtime::Runtime::new()?;
//! let response = runtime.block_on(app.oneshot(
//!     Request::get("/resources/message?operator=john&contains=HELP").body(Body::empty())?,
//! ))?;
//! assert_eq!(response.status(), StatusCode::OK);
//! assert_eq!(response.headers()["content-type"], "application/json;charset=UTF-8");
//! let body = runtime.block_on(axum::body::to_bytes(response.into_body(), 1 << 20))?;
//! assert!(body.starts_with(br#"["{\"content\":\"Hi, how can i help you ?\""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(unreachable_pub)]

pub mod api;
mod api_error;
pub mod auth;
mod error;
pub mod layers;
mod listen;
pub mod pages;
mod state;
pub mod users;

pub use api_error::ApiError;
pub use error::ServerError;
pub use layers::{AppOptions, app};
pub use listen::{HEADER_TIMEOUT, MAX_CONNECTIONS, MAX_HEAD_BUFFER, Server, ServerConfig};
pub use state::{Answer, AppState, Sink, Today};
