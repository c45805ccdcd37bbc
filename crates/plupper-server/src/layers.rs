//! What applies to every route, as layers (outermost first): the size limits of the
//! request head, tracing (method and path, never a header), security headers, JSON bodies
//! for every error, CORS for the allowed origins, authentication, and a time-out for the
//! start of an answer.
//!
//! Answers are not compressed: a long answer streams in chunks, and ureq (the HTTP
//! client of this project's own `sync`, which can pull from this server) fails on a
//! gzip body sent in chunks (`Decompress("gzip", UnexpectedEof)`); on loopback or a LAN
//! the CPU it would cost on a small machine buys little.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api_error::error_body;
use crate::auth::{Authenticator, require_user};
use crate::{ApiError, AppState, ServerError};

/// The longest request line (method, target, version), in bytes: 414 past it.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;

/// The most bytes all header lines together may take: 431 past it.
pub const MAX_HEADERS: usize = 16 * 1024;

/// How long the start of an answer (its status) may take.
const ANSWER_START_TIMEOUT: Duration = Duration::from_secs(60);

/// How an [`app`] treats its requests beyond its routes.
#[derive(Debug, Clone, Default)]
pub struct AppOptions {
    /// Who may sign in; `None` serves without authentication.
    pub auth: Option<Arc<Authenticator>>,
    /// The origins allowed to call from a web page, with credentials.
    pub cors_origins: Vec<HeaderValue>,
}

/// A `--cors-origin` value as an origin header value: `scheme://host[:port]`, as a
/// browser sends it (no path, no trailing `/`).
pub fn cors_origin(given: &str) -> Result<HeaderValue, ServerError> {
    let invalid = || ServerError::CorsOrigin {
        given: given.to_owned(),
    };
    let rest = given
        .strip_prefix("http://")
        .or_else(|| given.strip_prefix("https://"))
        .ok_or_else(invalid)?;
    let host_ok = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if !host_ok {
        return Err(invalid());
    }
    HeaderValue::from_str(given).map_err(|_| invalid())
}

/// The whole application: the API's routes, `extra` routes (the web pages), and every
/// layer of this module over all of them.
pub fn app(state: AppState, extra: Router<AppState>, options: &AppOptions) -> Router {
    let mut app = crate::api::routes()
        .merge(extra)
        .fallback(not_found)
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            ANSWER_START_TIMEOUT,
        ));
    if let Some(auth) = &options.auth {
        app = app.layer(middleware::from_fn_with_state(
            Arc::clone(auth),
            require_user,
        ));
    }
    if !options.cors_origins.is_empty() {
        app = app.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(options.cors_origins.clone()))
                .allow_credentials(true)
                .allow_methods([Method::GET, Method::HEAD])
                .allow_headers([AUTHORIZATION])
                .max_age(Duration::from_secs(600)),
        );
    }
    app = app.layer(middleware::map_response(json_errors));
    for (name, value) in SECURITY_HEADERS {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    app.layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(head_limits))
}

/// Sent with every answer unless a route sets its own.
const SECURITY_HEADERS: [(HeaderName, &str); 5] = [
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (CACHE_CONTROL, "no-store"),
    (REFERRER_POLICY, "no-referrer"),
    (X_FRAME_OPTIONS, "DENY"),
    (
        CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
];

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not found")
}

/// 414 for a request line over [`MAX_REQUEST_LINE`], 431 for headers over
/// [`MAX_HEADERS`]. (Beyond what the connection reads at all, hyper answers 431 itself.)
async fn head_limits(request: Request, next: Next) -> Response {
    let line = request.method().as_str().len() + 1 + request.uri().to_string().len() + 11;
    if line > MAX_REQUEST_LINE {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!("the request line is over {MAX_REQUEST_LINE} bytes"),
        )
        .into_response();
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers > MAX_HEADERS {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the request's headers are over {MAX_HEADERS} bytes"),
        )
        .into_response();
    }
    next.run(request).await
}

/// Gives every error answer without a body of its own (a 405 of the router, a time-out)
/// the JSON body `{"error": "..."}`.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.headers().contains_key(CONTENT_TYPE)
    {
        return response;
    }
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed".to_owned(),
        StatusCode::SERVICE_UNAVAILABLE => "the answer took too long to start".to_owned(),
        status => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    Response::from_parts(parts, Body::from(error_body(&message)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_scheme_host_and_port() {
        for good in [
            "https://example.com",
            "http://localhost:8000",
            "http://[::1]:3000",
        ] {
            assert_eq!(cors_origin(good).unwrap(), good);
        }
        for bad in [
            "example.com",
            "https://",
            "https://a.com/",
            "https://a.com/x",
            "*",
            "ftp://a",
        ] {
            let error = cors_origin(bad).unwrap_err();
            assert!(error.is_invalid_input());
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("invalid --cors-origin `{bad}`"))
            );
        }
    }
}
