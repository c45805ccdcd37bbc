//! The auditors' web pages as routes of the server (in-process): behind the same
//! authentication, with their own security headers, `HEAD`, redirects, and the API's
//! routes and errors unchanged beside them. What the pages show is plupper-web's tests;
//! the pages in a real browser, through `serve`, are the CLI's.

#![allow(clippy::unwrap_used)] // a test states its expectations with unwrap()

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{archive, authenticated_app_with, get, send};

fn app(dir: &std::path::Path) -> axum::Router {
    authenticated_app_with(dir, &[], plupper_server::pages::routes())
}

#[tokio::test]
async fn pages_need_the_same_credentials_as_the_api() {
    let dir = archive(0);
    let app = app(dir.path());
    for path in plupper_server::pages::PATHS {
        let path = path.replace("{id}", "1");
        let answer = send(&app, Request::get(&path).body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            answer.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Basic realm=")
        );
    }
}

#[tokio::test]
async fn a_page_is_html_with_a_strict_policy_that_allows_its_own_stylesheet() {
    let dir = archive(0);
    let app = app(dir.path());
    let answer = send(&app, get("/search?q=help").body(Body::empty()).unwrap()).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["content-type"], "text/html; charset=utf-8");
    let policy = answer.headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.starts_with("default-src 'none'; style-src 'self';"),
        "{policy}"
    );
    assert!(
        !policy.contains("script-src"),
        "no script is allowed: {policy}"
    );
    assert_eq!(answer.headers["x-content-type-options"], "nosniff");
    assert_eq!(answer.headers["referrer-policy"], "no-referrer");
    assert!(answer.text().contains("1 hit"), "{}", answer.text());
    let css = send(&app, get("/assets/style.css").body(Body::empty()).unwrap()).await;
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(css.text(), plupper_web::STYLE_CSS);
    // The API keeps its own policy.
    let api = send(
        &app,
        get("/resources/message/1").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        api.headers["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
}

#[tokio::test]
async fn head_redirects_and_errors() {
    let dir = archive(0);
    let app = app(dir.path());
    let head = send(
        &app,
        get("/stats").method("HEAD").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    let redirect = send(&app, get("/messages/5").body(Body::empty()).unwrap()).await;
    assert_eq!(redirect.status, StatusCode::SEE_OTHER);
    assert_eq!(redirect.headers["location"], "/conversations/4#m5");
    let missing = send(&app, get("/conversations/2").body(Body::empty()).unwrap()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.headers["content-type"], "text/html; charset=utf-8");
    assert!(missing.text().contains("no conversation with id 2"));
    let invalid = send(
        &app,
        get("/search?visitorId=x").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert!(
        invalid
            .text()
            .contains("invalid `visitorId`: `x` is not an integer")
    );
    let post = send(
        &app,
        get("/search").method("POST").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    let elsewhere = send(&app, get("/search/more").body(Body::empty()).unwrap()).await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
    assert_eq!(elsewhere.error(), "not found");
}
