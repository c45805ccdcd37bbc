//! The API's routes in-process (`tower::ServiceExt::oneshot`): answers, errors, auth,
//! CORS and the limits of the request head, as contract §6 states them.

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{
    PASSWORD, USER, archive, authenticated_app, basic, expected_list, get, send, send_from,
};
use plupper_archive::{NoProgress, Password};
use plupper_server::users::UsersFile;

#[tokio::test(flavor = "multi_thread")]
async fn lists_are_the_librarys_api_answer_byte_for_byte() {
    let dir = archive(300);
    let app = authenticated_app(dir.path(), &[]);
    for query in [
        "",
        "operator=john",
        "contains=HI",
        "contains=the&from=01/01/09",
        "visitorId=32751",
        "from=04/30/09&to=04/29/09",
        "_=123&opertor=x",
        "contains=%E2%82%AC%ZZ+",
        "customerId=",
    ] {
        let answer = send(
            &app,
            get(&format!("/resources/message?{query}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.text());
        assert_eq!(
            answer.headers["content-type"],
            "application/json;charset=UTF-8"
        );
        assert_eq!(
            answer.body,
            expected_list(dir.path(), query).unwrap(),
            "{query}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_is_400_with_the_command_lines_message() {
    let dir = archive(0);
    let app = authenticated_app(dir.path(), &[]);
    for (query, message) in [
        (
            "from=13/01/09",
            "invalid `from`: `13/01/09` is not a day of the calendar",
        ),
        (
            "to=02/30/09",
            "invalid `to`: `02/30/09` is not a day of the calendar",
        ),
        ("visitorId=5.0", "invalid `visitorId`"),
        ("operator=a&operator=b", "`operator`"),
    ] {
        let answer = send(
            &app,
            get(&format!("/resources/message?{query}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        let error = answer.error();
        assert!(error.contains(message), "{query}: {error}");
        assert_eq!(error, expected_list(dir.path(), query).unwrap_err());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_message_by_id_as_show_reads_it() {
    let dir = archive(0);
    let app = authenticated_app(dir.path(), &[]);
    let answer = send(
        &app,
        get("/resources/message/2").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.headers["content-type"],
        "application/json;charset=UTF-8"
    );
    assert_eq!(
        answer.text(),
        r#"{"content":"Hi","customerId":null,"created":"Wed Apr 29 17:16:13 CEST 2009","visitorId":32751,"type":"VO","operator":"john"}"#
    );
    for (path, status, error) in [
        (
            "/resources/message/0",
            400,
            "invalid message id `0`: expected a positive integer",
        ),
        (
            "/resources/message/abc",
            400,
            "invalid message id `abc`: expected a positive integer",
        ),
        (
            "/resources/message/-1",
            400,
            "invalid message id `-1`: expected a positive integer",
        ),
        (
            "/resources/message/..%2F..%2Fetc",
            400,
            "invalid message id `../../etc`: expected a positive integer",
        ),
        ("/resources/message/%FF", 400, "invalid message id"),
        ("/resources/message/6", 404, "no message with id 6"),
        (
            "/resources/message/99999999999999999999",
            404,
            "no message with id 99999999999999999999",
        ),
        ("/resources/../resources/message/1", 404, "not found"),
        ("/resources/message/1/2", 404, "not found"),
    ] {
        let answer = send(&app, get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status.as_u16(), status, "{path}: {}", answer.text());
        assert!(
            answer.error().starts_with(error),
            "{path}: {}",
            answer.error()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn other_paths_are_404_other_methods_405_and_head_is_get_without_a_body() {
    let dir = archive(0);
    let app = authenticated_app(dir.path(), &[]);
    // The web pages' paths stay free for them.
    for path in [
        "/",
        "/search?q=x",
        "/conversations/1",
        "/messages/1",
        "/stats",
        "/assets/app.css",
        "/nope",
    ] {
        let answer = send(&app, get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.error(), "not found");
    }
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        let request = get("/resources/message")
            .method(method)
            .body(Body::empty())
            .unwrap();
        let answer = send(&app, request).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(answer.headers["allow"], "GET,HEAD");
        assert_eq!(answer.error(), "method not allowed");
    }
    let head = send(
        &app,
        get("/resources/message?operator=john")
            .method("HEAD")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(
        head.headers["content-type"],
        "application/json;charset=UTF-8"
    );
    assert!(head.body.is_empty());
    // A Range header is not honoured: the whole answer, 200.
    let ranged = send(
        &app,
        get("/resources/message")
            .header("range", "bytes=0-10")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(ranged.status, StatusCode::OK);
    assert_eq!(ranged.body, expected_list(dir.path(), "").unwrap());
}

fn challenge_of(answer: &common::Answer) {
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.text());
    assert_eq!(
        answer.headers["www-authenticate"],
        r#"Basic realm="plupper-archive", charset="UTF-8""#
    );
    assert_eq!(answer.error(), "authentication required");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_wrong_or_malformed_credentials_are_the_same_401() {
    let dir = archive(0);
    let app = authenticated_app(dir.path(), &[]);
    let request = |authorization: Option<&str>| {
        let mut request = Request::get("/resources/message/1");
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        request.body(Body::empty()).unwrap()
    };
    let wrong_password = basic(USER, "wrong");
    let wrong_user = basic("paul", PASSWORD);
    let case = basic(&USER.to_uppercase(), PASSWORD);
    for authorization in [
        None,
        Some(wrong_password.as_str()),
        Some(wrong_user.as_str()),
        Some(case.as_str()),
        Some("Basic"),
        Some("Basic %%%"),
        Some("Bearer abc"),
        Some("Basic am9obg=="),
    ] {
        let answer = send(&app, request(authorization)).await;
        challenge_of(&answer);
        assert!(!answer.text().contains(PASSWORD));
    }
    let answer = send(&app, request(Some(&basic(USER, PASSWORD)))).await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn users_added_or_removed_while_serving_count_from_the_next_request() {
    let dir = archive(0);
    let app = authenticated_app(dir.path(), &[]);
    let users = UsersFile::in_archive(dir.path());
    let as_paul = || {
        Request::get("/resources/message/1")
            .header("authorization", basic("paul", "pw"))
            .body(Body::empty())
            .unwrap()
    };
    challenge_of(&send(&app, as_paul()).await);
    users.add("paul", &Password::new("pw".into())).unwrap();
    assert_eq!(send(&app, as_paul()).await.status, StatusCode::OK);
    assert_eq!(
        send(
            &app,
            get("/resources/message/1").body(Body::empty()).unwrap()
        )
        .await
        .status,
        StatusCode::OK
    );
    users.remove(USER).unwrap();
    challenge_of(
        &send(
            &app,
            get("/resources/message/1").body(Body::empty()).unwrap(),
        )
        .await,
    );
    // A new password replaces the old one at once.
    users.add("paul", &Password::new("new".into())).unwrap();
    challenge_of(&send(&app, as_paul()).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_wrong_credentials_from_one_address_close_it_for_the_minute() {
    let dir = archive(0);
    let app = authenticated_app(dir.path(), &[]);
    let wrong = || {
        Request::get("/resources/message/1")
            .header("authorization", basic(USER, "guess"))
            .body(Body::empty())
            .unwrap()
    };
    let attacker = [10, 0, 0, 9];
    // Requests without credentials (a browser's first) do not count.
    for _ in 0..20 {
        let bare = Request::get("/resources/message/1")
            .body(Body::empty())
            .unwrap();
        challenge_of(&send_from(&app, bare, attacker).await);
    }
    for _ in 0..10 {
        challenge_of(&send_from(&app, wrong(), attacker).await);
    }
    for request in [
        wrong(),
        get("/resources/message/1").body(Body::empty()).unwrap(),
    ] {
        let answer = send_from(&app, request, attacker).await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = answer.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert!(answer.error().starts_with("too many wrong credentials"));
    }
    // Another address is not affected.
    let answer = send_from(
        &app,
        get("/resources/message/1").body(Body::empty()).unwrap(),
        [10, 0, 0, 10],
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn cors_allows_the_given_origins_with_credentials_and_no_other() {
    let dir = archive(0);
    let origin = "https://intranet.example.com";
    let app = authenticated_app(dir.path(), &[origin]);
    let preflight = |from: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/resources/message?operator=john")
            .header("origin", from)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .body(Body::empty())
            .unwrap()
    };
    let answer = send(&app, preflight(origin)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["access-control-allow-origin"], origin);
    assert_eq!(answer.headers["access-control-allow-credentials"], "true");
    assert!(
        answer.headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("authorization")
    );
    let other = send(&app, preflight("https://evil.example.com")).await;
    assert!(!other.headers.contains_key("access-control-allow-origin"));

    let call = |from: &str| {
        get("/resources/message?operator=john")
            .header("origin", from)
            .body(Body::empty())
            .unwrap()
    };
    let answer = send(&app, call(origin)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.headers["access-control-allow-origin"], origin);
    assert_eq!(answer.headers["access-control-allow-credentials"], "true");
    let answer = send(&app, call("https://evil.example.com")).await;
    assert!(!answer.headers.contains_key("access-control-allow-origin"));
    // Without --cors-origin, no origin is allowed.
    let closed = authenticated_app(dir.path(), &[]);
    let answer = send(&closed, call(origin)).await;
    assert!(!answer.headers.contains_key("access-control-allow-origin"));
}

#[tokio::test(flavor = "multi_thread")]
async fn long_request_lines_are_414_and_large_headers_431() {
    let dir = archive(0);
    let app = authenticated_app(dir.path(), &[]);
    let answer = send(
        &app,
        get(&format!("/resources/message?contains={}", "a".repeat(8000)))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    let answer = send(
        &app,
        get(&format!("/resources/message?contains={}", "a".repeat(8200)))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::URI_TOO_LONG);
    assert_eq!(answer.error(), "the request line is over 8192 bytes");
    let mut request = get("/resources/message/1");
    for i in 0..20 {
        request = request.header(format!("x-filler-{i}"), "b".repeat(1000));
    }
    let answer = send(&app, request.body(Body::empty()).unwrap()).await;
    assert_eq!(answer.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert_eq!(answer.error(), "the request's headers are over 16384 bytes");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_while_serving_is_seen_by_the_next_request() {
    let dir = archive(0);
    let app = authenticated_app(dir.path(), &[]);
    let count = |answer: &common::Answer| {
        serde_json::from_slice::<Vec<String>>(&answer.body)
            .unwrap()
            .len()
    };
    let before = send(
        &app,
        get("/resources/message?contains=later")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(count(&before), 0);
    let file = dir.path().join("later.json");
    std::fs::write(
        &file,
        r#"[{"content":"a later message","created":"Fri May 01 10:00:00 CEST 2009","type":"VO","visitorId":1}]"#,
    )
    .unwrap();
    // Another process's import, as `import` would do it (with the index brought up to date).
    plupper_archive::Archive::open(dir.path())
        .unwrap()
        .import(&[&file], &NoProgress)
        .unwrap();
    let after = send(
        &app,
        get("/resources/message?contains=later")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(count(&after), 1);
    let one = send(
        &app,
        get("/resources/message/6").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_are_not_compressed_even_when_the_client_asks() {
    let dir = archive(300);
    let app = authenticated_app(dir.path(), &[]);
    let request = get("/resources/message")
        .header("accept-encoding", "gzip, br")
        .body(Body::empty())
        .unwrap();
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(!answer.headers.contains_key("content-encoding"));
    assert_eq!(answer.body, expected_list(dir.path(), "").unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_goes_away_stops_the_work() {
    use plupper_server::Answer;
    let dir = archive(0);
    let state = common::state(dir.path());
    let (done, finished) = std::sync::mpsc::channel();
    let answer = state
        .stream(move |_archive, sink| {
            let mut sent = 0u64;
            let stopped = loop {
                match sink.send(vec![b'x'; 1024]) {
                    Err(error) => break Some(error),
                    Ok(()) if sent >= 10_000 => break None,
                    Ok(()) => sent += 1,
                }
            };
            let _ = done.send((sent, stopped.as_ref().is_some_and(|e| e.is_gone())));
            stopped.map_or(Ok(()), Err)
        })
        .await
        .unwrap();
    let Answer::Streamed { first, receiver } = answer else {
        panic!("an answer of many chunks is streamed");
    };
    assert_eq!(first.len(), 1024);
    drop(receiver); // the client goes away
    let (sent, gone) = finished
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    assert!(gone, "the work was not told the client went away");
    assert!(sent < 10, "the work went on for {sent} chunks");
}
