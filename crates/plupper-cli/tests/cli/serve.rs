//! `serve` and `user`, through the real binary: `serve --listen 127.0.0.1:0`, the
//! `listening on` line read from stderr, requests over loopback, then a signal. The
//! server's answers are held to what `query --params Q --format api` and `show ID
//! --format api` print on the same archive (a differential test over many generated
//! query strings).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine;

use crate::harness::{CorpusFormat, Sandbox, repo_root, write_corpus};

const USER: &str = "auditor";
const PASSWORD: &str = "tr0ub4dor&3 (not this one)";

/// Runs `user add NAME --password-stdin` with `password` on stdin.
fn add_user(sandbox: &Sandbox, name: &str, password: &str) -> crate::harness::Run {
    let mut child = sandbox
        .std_command()
        .arg("--archive")
        .arg(sandbox.archive())
        .args(["user", "add", name, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A name refused before stdin is read closes the pipe first: that write may fail.
    match writeln!(child.stdin.take().unwrap(), "{password}") {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    crate::harness::Run::from(child.wait_with_output().unwrap())
}

/// A running `serve`; killed when dropped (the web pages' browser tests use it too).
pub(crate) struct Serving {
    child: Child,
    pub(crate) base: String,
    /// Every stderr line after `listening on`.
    log: mpsc::Receiver<String>,
}

impl Serving {
    pub(crate) fn start(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Serving {
        let mut command = sandbox.std_command();
        command
            .arg("--archive")
            .arg(sandbox.archive())
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (lines, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let base = loop {
            let line = log
                .recv_timeout(Duration::from_secs(30))
                .expect("a `listening on` line within 30 s");
            if let Some(address) = line.strip_prefix("listening on ") {
                break address.to_owned();
            }
        };
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Serving { child, base, log }
    }

    /// Sends SIGTERM or SIGINT; the exit status and the rest of stderr.
    fn stop(mut self, signal: &str) -> (Option<i32>, String) {
        let status = std::process::Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = self.child.wait().unwrap().code();
        let rest: Vec<String> = self.log.try_iter().collect();
        (code, rest.join("\n"))
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server answered.
struct Reply {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
    www_authenticate: Option<String>,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

fn fetch(agent: &ureq::Agent, url: &str, authorization: Option<&str>) -> Reply {
    let mut request = agent.get(url);
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let mut response = request.call().unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let content_type = header("content-type");
    let www_authenticate = header("www-authenticate");
    Reply {
        status: response.status().as_u16(),
        content_type,
        www_authenticate,
        body: response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .unwrap(),
    }
}

/// An archive of the API reference's example and 2,000 generated messages, with one user.
fn served_sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    let corpus = sandbox.file("corpus.json");
    write_corpus(&corpus, 2_000, 11, CorpusFormat::Api);
    sandbox.import_ok(&[repo_root().join("data/seed.json"), corpus]);
    add_user(&sandbox, USER, PASSWORD).success();
    sandbox
}

/// A small deterministic generator (xorshift), for the query strings.
struct Dice(u64);

impl Dice {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        from[(self.0 % from.len() as u64) as usize]
    }
}

/// Query strings over the archive's values, valid and not: dates in every form the API
/// takes and some it does not, names in other cases, words, encodings, unknown and
/// repeated parameters.
fn query_strings(sandbox: &Sandbox, n: usize) -> Vec<String> {
    let messages = sandbox.query::<&str>(&[]);
    let mut operators: Vec<String> = messages
        .iter()
        .filter_map(|m| m["operator"].as_str().map(str::to_owned))
        .collect();
    operators.sort();
    operators.dedup();
    let operators: Vec<&str> = operators.iter().map(String::as_str).take(6).collect();
    let visitors: Vec<String> = messages
        .iter()
        .filter_map(|m| m["visitorId"].as_i64())
        .take(5)
        .map(|v| v.to_string())
        .collect();
    let visitors: Vec<&str> = visitors.iter().map(String::as_str).collect();
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let mut queries = Vec::new();
    for _ in 0..n {
        let mut pairs = Vec::new();
        for _ in 0..(1 + dice.0 % 3) {
            let pair = match dice.pick(&[
                "from",
                "to",
                "operator",
                "visitorId",
                "customerId",
                "contains",
                "odd",
            ]) {
                "from" => format!(
                    "from={}",
                    dice.pick(&[
                        "04/29/09",
                        "1/1/10",
                        "01/01/2011",
                        "13/01/09",
                        "2010-01-01",
                        "",
                        "6/15/12"
                    ])
                ),
                "to" => format!(
                    "to={}",
                    dice.pick(&["04/30/09", "12/31/10", "02/30/09", "1/1/12", "abc"])
                ),
                "operator" => {
                    let name = dice.pick(&operators);
                    match dice.pick(&["as is", "upper", "encoded"]) {
                        "upper" => format!("operator={}", name.to_uppercase()),
                        "encoded" => format!("operator={}", name.replace('e', "%65")),
                        _ => format!("operator={name}"),
                    }
                }
                "visitorId" => format!(
                    "visitorId={}",
                    dice.pick(&[
                        visitors[0],
                        visitors[1 % visitors.len()],
                        "+5",
                        "5.0",
                        "0x5",
                        "32751",
                        "-1"
                    ])
                ),
                "customerId" => {
                    format!("customerId={}", dice.pick(&["IBM", "ibm", "42", "", "%20"]))
                }
                "contains" => format!(
                    "contains={}",
                    dice.pick(&[
                        "the",
                        "HELP",
                        "a",
                        "hi",
                        "money+back",
                        "%C3%A4",
                        "%ZZ",
                        "account%20settings",
                        "%",
                        "_",
                        "ß",
                        "refund"
                    ])
                ),
                _ => dice
                    .pick(&[
                        "_=1699999999",
                        "visitorid=5",
                        "opertor=x",
                        "operator=a&operator=b",
                        "contains",
                    ])
                    .to_owned(),
            };
            pairs.push(pair);
        }
        queries.push(pairs.join("&"));
    }
    queries
}

#[test]
fn the_server_answers_byte_for_byte_as_query_and_show_print() {
    let sandbox = served_sandbox();
    let before = archive_files(&sandbox);
    let serving = Serving::start(&sandbox, &[], &[]);
    let agent = agent();
    let auth = basic(USER, PASSWORD);
    let queries = query_strings(&sandbox, 120);
    let mut ok = 0;
    for query in &queries {
        let reply = fetch(
            &agent,
            &format!("{}/resources/message?{query}", serving.base),
            Some(&auth),
        );
        let cli = sandbox.run(&["query", "--params", query, "--format", "api"]);
        match cli.code {
            0 => {
                assert_eq!(
                    reply.status,
                    200,
                    "{query}: {}",
                    String::from_utf8_lossy(&reply.body)
                );
                assert_eq!(
                    reply.content_type.as_deref(),
                    Some("application/json;charset=UTF-8")
                );
                assert_eq!(reply.body, cli.stdout, "{query}");
                ok += 1;
            }
            2 => {
                assert_eq!(reply.status, 400, "{query}");
                let error: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
                let line = format!("error: {}", error["error"].as_str().unwrap());
                assert!(
                    cli.stderr.lines().any(|l| l == line),
                    "{query}: {line:?} vs {:?}",
                    cli.stderr
                );
            }
            code => panic!("{query}: query exited {code}: {}", cli.stderr),
        }
    }
    assert!(ok > queries.len() / 3, "too few valid queries: {ok}");
    for id in ["1", "3", "2005", "0", "abc", "2006", "99999999999999999999"] {
        let reply = fetch(
            &agent,
            &format!("{}/resources/message/{id}", serving.base),
            Some(&auth),
        );
        let cli = sandbox.run(&["show", id, "--format", "api"]);
        let expected_status = match cli.code {
            0 => 200,
            2 => 400,
            _ => 404,
        };
        assert_eq!(reply.status, expected_status, "{id}");
        if cli.code == 0 {
            assert_eq!(reply.body, cli.stdout, "{id}");
        } else {
            let error: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
            assert_eq!(
                cli.stderr,
                format!("error: {}\n", error["error"].as_str().unwrap()),
                "{id}"
            );
        }
    }
    let (code, _) = serving.stop("-TERM");
    assert_eq!(code, Some(0));
    // Nothing was written to the archive: the database and the index are as they were.
    assert_eq!(archive_files(&sandbox), before);
}

/// The bytes of the archive's database file and of every file of its index.
fn archive_files(sandbox: &Sandbox) -> Vec<(String, Vec<u8>)> {
    let archive = sandbox.archive();
    let mut files = vec![(
        "archive.sqlite3".to_owned(),
        std::fs::read(archive.join("archive.sqlite3")).unwrap(),
    )];
    let mut index: Vec<_> = std::fs::read_dir(archive.join("index"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    index.sort();
    for path in index {
        files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
    }
    files
}

#[test]
fn credentials_are_checked_and_never_logged_even_at_trace_level() {
    let sandbox = served_sandbox();
    let serving = Serving::start(&sandbox, &[], &[("RUST_LOG", "trace")]);
    let agent = agent();
    let url = format!("{}/resources/message?operator=john", serving.base);
    let wrong = basic(USER, "wrong-password-123");
    for authorization in [None, Some(wrong.as_str()), Some("Basic garbage")] {
        let reply = fetch(&agent, &url, authorization);
        assert_eq!(reply.status, 401);
        assert_eq!(
            reply.www_authenticate.as_deref(),
            Some(r#"Basic realm="plupper-archive", charset="UTF-8""#)
        );
    }
    let right = basic(USER, PASSWORD);
    assert_eq!(fetch(&agent, &url, Some(&right)).status, 200);
    // Removed while serving: refused from the next request on.
    sandbox.run(&["user", "remove", USER]).success();
    assert_eq!(fetch(&agent, &url, Some(&right)).status, 401);
    let (code, log) = serving.stop("-INT");
    assert_eq!(code, Some(0));
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "no log at trace level:\n{log}"
    );
    for secret in [
        PASSWORD,
        "wrong-password-123",
        &right[6..],
        &wrong[6..],
        "garbage",
    ] {
        assert!(!log.contains(secret), "{secret:?} in the log:\n{log}");
    }
    assert!(!log.to_lowercase().contains("authorization:"), "{log}");
}

#[test]
fn serve_refuses_to_start_without_users_or_without_auth_off_loopback() {
    let sandbox = Sandbox::new();
    sandbox.import_ok(&[repo_root().join("data/seed.json")]);
    let run = sandbox.run(&["serve", "--listen", "127.0.0.1:0"]).code(1);
    let users = sandbox.archive().join("users");
    assert_eq!(
        run.stderr,
        format!(
            "error: no user can sign in: add one with `plupper-archive user add NAME` (users file {}), or serve without authentication with --no-auth on a loopback address\n",
            users.display()
        )
    );
    let run = sandbox
        .run(&["serve", "--no-auth", "--listen", "0.0.0.0:0"])
        .code(2);
    assert!(
        run.stderr
            .starts_with("error: --no-auth is refused on 0.0.0.0:0"),
        "{}",
        run.stderr
    );
    let run = sandbox
        .run(&["serve", "--no-auth", "--listen", "localhost"])
        .code(2);
    assert!(
        run.stderr
            .starts_with("error: invalid listen address `localhost`"),
        "{}",
        run.stderr
    );
    let run = sandbox
        .run(&["serve", "--no-auth", "--cors-origin", "example.com"])
        .code(2);
    assert!(
        run.stderr
            .starts_with("error: invalid --cors-origin `example.com`"),
        "{}",
        run.stderr
    );
    let run = Sandbox::new().run(&["serve", "--no-auth"]).code(1);
    assert!(
        run.stderr.starts_with("error: no archive in "),
        "{}",
        run.stderr
    );

    // --no-auth on loopback answers without credentials.
    let serving = Serving::start(&sandbox, &["--no-auth"], &[]);
    let reply = fetch(
        &agent(),
        &format!("{}/resources/message/1", serving.base),
        None,
    );
    assert_eq!(reply.status, 200);
    let (code, _) = serving.stop("-TERM");
    assert_eq!(code, Some(0));
}

#[test]
fn users_are_added_listed_and_removed_and_passwords_never_come_from_argv() {
    let sandbox = Sandbox::new();
    let run = sandbox.run(&["user", "list"]).code(1);
    assert!(
        run.stderr.starts_with("error: no archive in "),
        "{}",
        run.stderr
    );
    sandbox.import_ok(&[repo_root().join("data/seed.json")]);
    sandbox.run(&["user", "list"]).success();
    let run = add_user(&sandbox, "john", "pw-one").success();
    assert_eq!(run.stdout_text(), "added user `john`\n");
    add_user(&sandbox, "paul", "pw-two").success();
    let run = add_user(&sandbox, "john", "pw-three").success();
    assert_eq!(run.stdout_text(), "changed the password of user `john`\n");
    assert_eq!(
        sandbox.run(&["user", "list"]).success().stdout_text(),
        "john\npaul\n"
    );
    let file = std::fs::read_to_string(sandbox.archive().join("users")).unwrap();
    assert!(
        file.contains("john:$argon2id$") && !file.contains("pw-"),
        "{file}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(sandbox.archive().join("users"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let run = sandbox
        .run(&["user", "add", "ringo", "--password", "secret"])
        .code(2);
    assert!(
        run.stderr.starts_with("error: --password is not accepted"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("secret"));
    let run = sandbox.run(&["user", "add", "ringo"]).code(2);
    assert_eq!(
        run.stderr,
        "error: no password: pipe it with --password-stdin, or run on a terminal to be asked\n"
    );
    let run = add_user(&sandbox, "bad:name", "x").code(2);
    assert!(
        run.stderr
            .starts_with("error: invalid user name `bad:name`"),
        "{}",
        run.stderr
    );
    let run = add_user(&sandbox, "george", "").code(2);
    assert_eq!(
        run.stderr,
        "error: --password-stdin: standard input holds no password\n"
    );
    assert_eq!(
        sandbox
            .run(&["user", "remove", "john"])
            .success()
            .stdout_text(),
        "removed user `john`\n"
    );
    let run = sandbox.run(&["user", "remove", "john"]).code(1);
    assert!(
        run.stderr.starts_with("error: no user `john` in "),
        "{}",
        run.stderr
    );
    assert_eq!(
        sandbox.run(&["user", "list"]).success().stdout_text(),
        "paul\n"
    );
}

#[test]
fn another_archive_syncs_from_the_server_as_from_the_api() {
    let sandbox = served_sandbox();
    let serving = Serving::start(&sandbox, &[], &[]);
    let copy = sandbox.root().join("copy");
    let run = sandbox
        .command_on(&copy)
        .args(["sync", "--no-index", "--url", &serving.base, "--user", USER])
        .env("PLUPPER_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let run = crate::harness::Run::from(run).ok();
    assert!(
        run.stdout_text().contains("added:"),
        "{}",
        run.stdout_text()
    );
    let original = sandbox.run(&["query", "--format", "api"]).success().stdout;
    let synced = sandbox
        .run_on(&copy, &["query", "--format", "api"])
        .success()
        .stdout;
    assert_eq!(synced, original);
}
