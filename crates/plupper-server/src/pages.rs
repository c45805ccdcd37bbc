//! The auditors' web pages ([`plupper_web`], contract §7) as routes of the server, to give
//! to [`Server::bind_with`](crate::Server::bind_with) or [`app`](crate::app): each page is
//! rendered on a blocking thread from one of the state's read-only connections, behind
//! the same layers as the API (authentication included), with the pages' own security
//! headers ([`plupper_web::SECURITY_HEADERS`]: their policy allows this server's
//! stylesheet, which the API's does not need).

use axum::Router;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{ApiError, AppState};

/// The paths of the pages (each also answers `HEAD`).
pub const PATHS: [&str; 6] = [
    "/",
    "/search",
    "/stats",
    "/conversations/{id}",
    "/messages/{id}",
    "/assets/style.css",
];

/// The pages' routes.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for path in PATHS {
        router = router.route(path, get(page));
    }
    for (name, value) in plupper_web::SECURITY_HEADERS {
        router = router.layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
    }
    router
}

/// Any page: the path and query string go to [`plupper_web::render`] as they came.
async fn page(State(state): State<AppState>, uri: Uri) -> Result<Response, ApiError> {
    let path = uri.path().to_owned();
    let query = uri.query().map(str::to_owned);
    let today = state.today();
    let page = state
        .blocking(move |archive| plupper_web::render(archive, &path, query.as_deref(), today))
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not found"))?;
    let status = StatusCode::from_u16(page.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, [(CONTENT_TYPE, page.content_type)], page.body).into_response();
    if let Some(location) = page.location {
        let location = HeaderValue::from_str(&location).map_err(|_| {
            ApiError::internal(format!("a redirect to `{location}` is no header value"))
        })?;
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}
