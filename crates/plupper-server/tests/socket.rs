//! The server through a real socket on 127.0.0.1:0: streamed answers, and clients that
//! try to hold it (slow heads, idle connections, garbage, oversized heads, clients that
//! leave in the middle of an answer). Every case ends in a clear answer or a closed
//! connection, and the server keeps answering the others meanwhile.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{HttpAnswer, Running, archive, expected_list};

#[test]
fn a_long_answer_streams_in_chunks_and_equals_the_library() {
    let dir = archive(20_000);
    let server = Running::start(dir.path());
    let answer = server.get("/resources/message");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("transfer-encoding"), Some("chunked"));
    assert_eq!(
        answer.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(answer.body, expected_list(dir.path(), "").unwrap());
    // A short one goes out whole, with its length.
    let short = server.get("/resources/message?visitorId=32751");
    assert_eq!(
        short.header("content-length").map(str::to_owned),
        Some(short.body.len().to_string())
    );
    assert_eq!(
        short.body,
        expected_list(dir.path(), "visitorId=32751").unwrap()
    );

    // Clients that leave in the middle of the long answer: the others are answered.
    for _ in 0..20 {
        let mut stream = server.connect();
        write!(
            stream,
            "GET /resources/message HTTP/1.1\r\nhost: t\r\nauthorization: {}\r\n\r\n",
            common::basic(common::USER, common::PASSWORD)
        )
        .unwrap();
        let mut some = [0; 4096];
        stream.read_exact(&mut some).unwrap();
    }
    let again = server.get("/resources/message?visitorId=32751");
    assert_eq!(again.status, 200);
}

#[test]
fn garbage_and_oversized_heads_get_a_4xx_or_a_closed_connection() {
    let dir = archive(0);
    let server = Running::start(dir.path());
    let auth = common::basic(common::USER, common::PASSWORD);
    let cases: Vec<(Vec<u8>, &[u16])> = vec![
        (b"\x00\x01\x02garbage\r\n\r\n".to_vec(), &[400]),
        (b"GET /resources/message HTTP/9.9\r\n\r\n".to_vec(), &[400, 505]),
        (
            [
                &b"GET /resources/message?contains="[..],
                &[0xff, 0xfe, 0x80],
                format!(" HTTP/1.1\r\nhost: t\r\nauthorization: {auth}\r\nconnection: close\r\n\r\n").as_bytes(),
            ]
            .concat(),
            &[200, 400],
        ),
        (
            format!("GET /resources/message?contains=%ZZ%&visitorId=%FF HTTP/1.1\r\nhost: t\r\nauthorization: {auth}\r\nconnection: close\r\n\r\n").into_bytes(),
            &[400],
        ),
        (
            format!("GET /resources/message?contains={} HTTP/1.1\r\nhost: t\r\n\r\n", "a".repeat(100_000)).into_bytes(),
            &[414, 431],
        ),
        (
            format!("GET /resources/message HTTP/1.1\r\nhost: t\r\nx-big: {}\r\n\r\n", "b".repeat(100_000)).into_bytes(),
            &[431],
        ),
        (
            format!("GET /resources/message HTTP/1.1\r\nhost: t\r\n{}\r\n", "x-h: v\r\n".repeat(500)).into_bytes(),
            &[431],
        ),
    ];
    for (request, statuses) in cases {
        let raw = server.raw(&request);
        let shown = String::from_utf8_lossy(&request[..request.len().min(60)]).into_owned();
        if raw.is_empty() {
            continue; // closed without an answer
        }
        let answer = HttpAnswer::parse(&raw);
        assert!(
            statuses.contains(&answer.status),
            "{shown:?}: {}",
            answer.status
        );
        let healthy = server.get("/resources/message/1");
        assert_eq!(healthy.status, 200, "after {shown:?}");
    }
}

#[test]
fn slow_heads_and_idle_connections_are_closed_and_never_hold_the_server() {
    let dir = archive(0);
    let server = Running::start(dir.path());
    // 1,000 connections that send nothing.
    let idle: Vec<_> = (0..1000).map(|_| server.connect()).collect();
    // One that trickles its head, a header line a second (slowloris).
    let mut slow = server.connect();
    slow.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    slow.write_all(b"GET /resources/message HTTP/1.1\r\n")
        .unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the slow head is still read after {:?}",
            started.elapsed()
        );
        // The others are answered meanwhile, and quickly.
        let asked = Instant::now();
        assert_eq!(server.get("/resources/message/1").status, 200);
        assert!(
            asked.elapsed() < Duration::from_secs(2),
            "{:?}",
            asked.elapsed()
        );
        let _ = slow.write_all(b"x-slow: 1\r\n");
        let mut buffer = [0; 1024];
        match slow.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => rest.extend_from_slice(&buffer[..n]),
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break, // reset
        }
    }
    assert!(
        started.elapsed() >= Duration::from_secs(9),
        "closed after {:?}",
        started.elapsed()
    );
    if !rest.is_empty() {
        assert_eq!(HttpAnswer::parse(&rest).status, 408);
    }
    // The idle ones are closed by then too.
    let mut first = idle.into_iter().next().unwrap();
    first
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buffer = [0; 16];
    assert!(matches!(first.read(&mut buffer), Ok(0) | Err(_)));
}
