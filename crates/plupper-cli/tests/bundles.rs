//! Evidence bundles against someone who rewrites them (issue #20): a bundle whose files
//! were changed and whose manifest was made to agree must still fail, and be named; a
//! signed bundle re-signed with another key, a bundle from another archive, too. Also
//! `keygen`, `export --sign`, the exports the archive records, and `index.html` in a
//! real browser (headless Chromium, from `file://`).
//!
//! Through the one CLI harness (`cli/harness.rs`: the real binary; every `run` passes the
//! sandbox's archive as `--archive`).

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

#[path = "cli/harness.rs"]
mod harness;

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use sha2::Digest;

use harness::{Run, Sandbox};

/// A visitor whose message tries to run script in the page.
const HOSTILE: &str = r#"{"content":"Plupper: visitor has entered communication","created":"Fri May 01 10:00:00 CEST 2009","visitorId":99,"type":"VO","operator":"anna"}
{"content":"<script>document.body.setAttribute('data-pwned','script')</script><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\"> refund please","created":"Fri May 01 10:00:10 CEST 2009","visitorId":99,"type":"VO","operator":"anna"}
{"content":"Your refund is on its way","created":"Fri May 01 10:01:00 CEST 2009","visitorId":99,"type":"VT","operator":"anna"}
"#;

/// The API reference's two chats (messages 1-5, conversations 1 and 4) and the hostile
/// one (messages 6-8, conversation 6).
fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    let hostile = sandbox.write("hostile.ndjson", HOSTILE);
    sandbox
        .import(&[harness::repo_root().join("data/seed.json"), hostile])
        .ok();
    sandbox
}

/// Exports with `args` into `name`; the bundle and the manifest SHA-256 printed.
fn export(sandbox: &Sandbox, name: &str, args: &[&str]) -> (PathBuf, String) {
    let out = sandbox.root().join(name);
    let mut all = vec!["export", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let stdout = sandbox.run(&all).ok().stdout_text();
    let sha = stdout
        .lines()
        .find_map(|l| l.strip_prefix("manifest.json SHA-256: "))
        .unwrap()[..64]
        .to_owned();
    (out, sha)
}

fn verify(sandbox: &Sandbox, dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["verify-bundle", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    sandbox.run(&all)
}

/// Every file of a bundle, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(dir, &mut paths);
    let mut out: Vec<String> = paths
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// A copy of the bundle to forge.
fn copy(sandbox: &Sandbox, dir: &Path, name: &str) -> PathBuf {
    let copy = sandbox.root().join(name);
    for file in files(dir) {
        let to = copy.join(&file);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(dir.join(&file), to).unwrap();
    }
    copy
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a forger who knows the format does after changing files: every file's entry in
/// the manifest recomputed, and manifest.sha256 with it.
fn reseal(copy: &Path) {
    let path = copy.join("manifest.json");
    let mut manifest: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    for record in manifest["files"].as_array_mut().unwrap() {
        let bytes = fs::read(copy.join(record["path"].as_str().unwrap())).unwrap();
        record["bytes"] = Value::from(bytes.len());
        record["sha256"] = Value::from(hex(&sha2::Sha256::digest(&bytes)));
    }
    let text = serde_json::to_string_pretty(&manifest).unwrap() + "\n";
    fs::write(&path, &text).unwrap();
    fs::write(
        copy.join("manifest.sha256"),
        format!(
            "{}  manifest.json\n",
            hex(&sha2::Sha256::digest(text.as_bytes()))
        ),
    )
    .unwrap();
}

/// Asserts that no check named more than `named` (one line each, nothing else).
#[track_caller]
fn assert_only(run: &Run, lines: usize) {
    assert_eq!(
        run.stdout_text().lines().count(),
        lines,
        "{}",
        run.stdout_text()
    );
}

/// Changes `line` (1-based) of a file.
fn change_line(path: &Path, line: usize, to: &str) {
    let text = fs::read_to_string(path).unwrap();
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines[line - 1] = to;
    fs::write(path, lines.join("\n")).unwrap();
}

/// Asserts a failed check (exit 1) whose report holds every one of `named`.
#[track_caller]
fn assert_named(run: Run, named: &[&str]) {
    let stdout = run.stdout_text();
    assert_eq!(run.code, 1, "not detected:\n{stdout}");
    for name in named {
        assert!(stdout.contains(name), "{name:?} not named in:\n{stdout}");
    }
    assert!(
        run.stderr.starts_with("error: the bundle in "),
        "{}",
        run.stderr
    );
}

#[test]
fn the_forgery_of_the_issue_is_named_with_its_file_and_line_by_every_check() {
    let sandbox = sandbox();
    let (dir, sha) = export(&sandbox, "bundle", &[]);
    let forged = copy(&sandbox, &dir, "forged");
    change_line(
        &forged.join("transcripts/conversation-1.txt"),
        11,
        "2009-04-29 17:16:13 CEST  #2      visitor: Pay me first.",
    );
    reseal(&forged);
    let line = "transcripts/conversation-1.txt: line 11 is not what the bundle's messages make: it reads `2009-04-29 17:16:13 CEST  #2      visitor: Pay me first.`, rebuilt `2009-04-29 17:16:13 CEST  #2      visitor: Hi`";
    // Without the archive and without anything kept apart: the rebuilt transcript.
    let alone = sandbox
        .bare_command()
        .args(["verify-bundle", forged.to_str().unwrap()])
        .output()
        .unwrap();
    let alone: Run = alone.into();
    assert_only(&alone, 1);
    assert_named(alone, &[line]);
    // With what was kept apart, each check says so as well.
    assert_named(
        verify(&sandbox, &forged, &["--expect", &sha]),
        &[
            line,
            &format!("not the SHA-256 given ({sha}): this is not the bundle that was exported"),
            "never exported this bundle: none of its recorded exports has manifest SHA-256",
        ],
    );
}

#[test]
fn a_clean_bundle_passes_every_check_and_says_what_it_was_checked_against() {
    let sandbox = sandbox();
    let key = sandbox.root().join("evidence-key");
    let keygen = sandbox.run(&["keygen", key.to_str().unwrap()]).success();
    assert!(
        keygen
            .stdout_text()
            .starts_with(&format!("secret key written to {}", key.display())),
        "{}",
        keygen.stdout_text()
    );
    let (dir, sha) = export(&sandbox, "bundle", &["--sign", key.to_str().unwrap()]);
    assert!(dir.join("manifest.sig").is_file());
    let public = format!("{}.pub", key.display());
    let run = verify(
        &sandbox,
        &dir,
        &["--expect", &sha.to_uppercase(), "--key", &public],
    )
    .success();
    let stdout = run.stdout_text();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].contains("is intact: 12 files, 8 messages (0 more as context), 3 conversations"),
        "{stdout}"
    );
    assert_eq!(lines[1], "  matches the SHA-256 given (--expect)");
    assert!(
        lines[2].starts_with("  signed by the key given (--key): "),
        "{stdout}"
    );
    assert!(
        lines[3].starts_with(&format!(
            "  is export 3 of archive {}, recorded at ",
            sandbox.archive().display()
        )),
        "{stdout}"
    );
    assert_eq!(lines.len(), 4, "{stdout}");
    // `verify` and `stats` list the export; `verify` still passes.
    let verified = sandbox.run(&["verify"]).success().stdout_text();
    assert!(
        verified.contains("1 evidence bundle export recorded in the archive's chain\n  export 3: "),
        "{verified}"
    );
    assert!(
        verified.contains(&format!("manifest.json SHA-256 {sha}")),
        "{verified}"
    );
    let stats = sandbox
        .run(&["stats", "--format", "table"])
        .success()
        .stdout_text();
    assert!(
        stats.contains(&format!(
            "filter `none`, 8 messages of 3 conversations (+0 context), manifest.json SHA-256 {sha}"
        )),
        "{stats}"
    );
}

#[test]
fn a_changed_message_with_its_manifest_recomputed_is_named() {
    let sandbox = sandbox();
    let (dir, _) = export(&sandbox, "bundle", &[]);
    let forged = copy(&sandbox, &dir, "forged");
    // The message itself changed where it is kept, the originals and messages.json.
    for file in ["originals.ndjson", "messages.json"] {
        let path = forged.join(file);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(
            &path,
            text.replace(r#"\"content\":\"Hi\""#, r#"\"content\":\"Pay me first.\""#),
        )
        .unwrap();
    }
    reseal(&forged);
    assert_named(
        verify(&sandbox, &forged, &[]),
        &[
            "transcripts/conversation-1.txt: line 11 is not what the bundle's messages make: it reads `2009-04-29 17:16:13 CEST  #2      visitor: Hi`, rebuilt `2009-04-29 17:16:13 CEST  #2      visitor: Pay me first.`",
            "messages.ndjson: line 2 is not what the bundle's messages make",
            "index.html: line ",
            "never exported this bundle",
        ],
    );
}

#[test]
fn a_deleted_conversation_is_named() {
    let sandbox = sandbox();
    let (dir, sha) = export(&sandbox, "bundle", &[]);
    let forged = copy(&sandbox, &dir, "forged");
    fs::remove_file(forged.join("transcripts/conversation-4.txt")).unwrap();
    for file in ["originals.ndjson", "conversations.ndjson"] {
        let path = forged.join(file);
        let kept: String = fs::read_to_string(&path)
            .unwrap()
            .lines()
            .filter(|l| !l.contains("\"conversation\":4,") && !l.starts_with("{\"id\":4,"))
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(&path, kept).unwrap();
    }
    reseal(&forged);
    assert_named(
        verify(&sandbox, &forged, &["--expect", &sha]),
        &[
            "messages.json and the selected messages of originals.ndjson are not the same messages (8 messages against 6)",
            "the bundle holds 2 conversations; the manifest counts 3",
            "index.html: line ",
            "not the SHA-256 given",
        ],
    );
}

#[test]
fn a_message_moved_between_transcripts_is_named_in_both() {
    let sandbox = sandbox();
    let (dir, _) = export(&sandbox, "bundle", &[]);
    let forged = copy(&sandbox, &dir, "forged");
    let from = forged.join("transcripts/conversation-1.txt");
    let to = forged.join("transcripts/conversation-4.txt");
    let text = fs::read_to_string(&from).unwrap();
    let moved = text.lines().nth(11).unwrap().to_owned(); // #3, john's reply
    fs::write(&from, text.replace(&format!("{moved}\n"), "")).unwrap();
    fs::write(&to, fs::read_to_string(&to).unwrap() + &moved + "\n").unwrap();
    reseal(&forged);
    assert_named(
        verify(&sandbox, &forged, &[]),
        &[
            "transcripts/conversation-1.txt: line 12 is not what the bundle's messages make: it reads ``, rebuilt `2009-04-29 17:17:44 CEST  #3      john: Hi, how can i help you ?`",
            "transcripts/conversation-4.txt: line 12 is not what the bundle's messages make: it reads `2009-04-29 17:17:44 CEST  #3",
        ],
    );
}

#[test]
fn a_bundle_from_another_archive_is_named() {
    let sandbox = sandbox();
    let other = sandbox.root().join("other-archive");
    sandbox
        .run_on(
            &other,
            &[
                "import",
                harness::repo_root()
                    .join("data/seed.json")
                    .to_str()
                    .unwrap(),
            ],
        )
        .ok();
    let out = sandbox.root().join("theirs");
    sandbox
        .run_on(&other, &["export", "--out", out.to_str().unwrap()])
        .ok();
    assert_eq!(
        sandbox
            .run_on(&other, &["verify-bundle", out.to_str().unwrap()])
            .code,
        0
    );
    assert_named(
        verify(&sandbox, &out, &[]),
        &[
            "manifest.json: says it was exported from archive ",
            ", but the archive given is ",
            "never exported this bundle",
        ],
    );
}

/// Signs manifest.json with the secret key file at `key` into manifest.sig, as a forger
/// holding another key would.
fn resign(copy: &Path, key: &Path) {
    let text = fs::read_to_string(key).unwrap();
    let seed = STANDARD
        .decode(text.trim_end().rsplit(' ').next().unwrap())
        .unwrap();
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed.try_into().unwrap());
    let manifest = fs::read(copy.join("manifest.json")).unwrap();
    use ed25519_dalek::Signer;
    let signature = signing.sign(&manifest).to_bytes();
    fs::write(
        copy.join("manifest.sig"),
        format!(
            "ed25519 {} {}\n",
            STANDARD.encode(signing.verifying_key().as_bytes()),
            STANDARD.encode(signature)
        ),
    )
    .unwrap();
}

#[test]
fn a_manifest_re_signed_with_another_key_fails_every_check_that_applies() {
    let sandbox = sandbox();
    let mine = sandbox.root().join("mine");
    let theirs = sandbox.root().join("theirs");
    sandbox.run(&["keygen", mine.to_str().unwrap()]).success();
    sandbox.run(&["keygen", theirs.to_str().unwrap()]).success();
    let (dir, sha) = export(&sandbox, "bundle", &["--sign", mine.to_str().unwrap()]);
    let forged = copy(&sandbox, &dir, "forged");
    change_line(
        &forged.join("transcripts/conversation-4.txt"),
        11,
        "2009-04-30 15:57:41 CEST  #5      john: Pay me first.",
    );
    reseal(&forged);
    // Signed again with the right key (the forger has none), the signature breaks.
    let public = format!("{}.pub", mine.display());
    assert_named(
        verify(&sandbox, &forged, &["--key", &public]),
        &[
            "manifest.sig: the signature is not that of manifest.json (the manifest was changed after signing)",
        ],
    );
    resign(&forged, &theirs);
    assert_named(
        verify(&sandbox, &forged, &["--key", &public, "--expect", &sha]),
        &[
            "manifest.sig: signed with key ",
            "not with the key given (",
            "someone else signed this manifest",
            "not the SHA-256 given",
            "never exported this bundle",
            "transcripts/conversation-4.txt: line 11 is not what the bundle's messages make",
        ],
    );
}

#[test]
fn keys_are_owner_only_never_overwritten_and_never_mixed_up() {
    let sandbox = sandbox();
    let key = sandbox.root().join("key");
    sandbox.run(&["keygen", key.to_str().unwrap()]).success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let again = sandbox.run(&["keygen", key.to_str().unwrap()]).code(2);
    assert_eq!(
        again.stderr,
        format!(
            "error: {}.pub: exists already; give a new name\n",
            key.display()
        )
    );
    let (dir, _) = export(&sandbox, "bundle", &["--sign", key.to_str().unwrap()]);
    // The secret key given where the public one goes is named as such.
    let mixed = verify(&sandbox, &dir, &["--key", key.to_str().unwrap()]).code(2);
    assert_eq!(
        mixed.stderr,
        format!(
            "error: --key {}: this is the secret key; give the public one (the file ending in .pub)\n",
            key.display()
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
        let out = sandbox.root().join("unsigned");
        let refused = sandbox
            .run(&[
                "export",
                "--sign",
                key.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ])
            .code(2);
        assert!(
            refused
                .stderr
                .contains("the secret key is readable by others (mode 644)"),
            "{}",
            refused.stderr
        );
        assert!(!out.exists());
    }
    // A bundle that is not signed, checked with a key: named.
    let (plain, _) = export(&sandbox, "plain", &[]);
    assert_named(
        verify(
            &sandbox,
            &plain,
            &["--key", &format!("{}.pub", key.display())],
        ),
        &["manifest.sig is missing: the bundle is not signed"],
    );
    let bad = verify(&sandbox, &plain, &["--expect", "abc"]).code(2);
    assert_eq!(
        bad.stderr,
        "error: --expect `abc`: not a SHA-256 (64 hexadecimal digits)\n"
    );
}

#[test]
fn a_failed_export_leaves_no_directory_behind() {
    let sandbox = Sandbox::new();
    let out = sandbox.root().join("bundle");
    let run: Run = sandbox
        .bare_command()
        .args([
            "--archive",
            "no-such-archive",
            "export",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap()
        .into();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("error: no archive in no-such-archive"),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
}

/// The DOM of `page` after its script ran, as headless Chromium (Debian's `chromium`)
/// renders it from `file://`, bounded to a minute.
fn rendered(sandbox: &Sandbox, page: &Path, fragment: &str) -> String {
    let profile = sandbox.root().join("chromium-profile");
    let output = std::process::Command::new("timeout")
        .env("HOME", sandbox.home())
        .args([
            "60",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .expect("chromium (Debian's `chromium` package) runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_page_opens_in_a_browser_its_search_finds_a_message_and_no_message_runs_script() {
    let sandbox = sandbox();
    let (dir, _) = export(&sandbox, "bundle", &[]);
    let page = dir.join("index.html");
    let html = fs::read_to_string(&page).unwrap();
    // Self-contained: nothing from another host, every archived text escaped.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;script&#39;)&lt;/script&gt;&lt;img src=x onerror="));
    assert!(html.contains("from archive <code>"));

    let all = rendered(&sandbox, &page, "");
    assert!(all.contains("<body>"), "a message's script ran:\n{all}");
    assert!(!all.contains("hidden=\"\""), "{all}");
    assert!(all.contains("refund please"), "{all}");

    let found = rendered(&sandbox, &page, "#q=REFUND+please");
    assert!(found.contains("<body>"), "a message's script ran:\n{found}");
    assert!(
        found.contains("id=\"count\">1 matching messages<"),
        "{found}"
    );
    assert!(found.contains("<li id=\"m7\"><span"), "{found}");
    for other in [1, 2, 3, 4, 5, 6, 8] {
        assert!(
            found.contains(&format!("<li id=\"m{other}\" hidden=\"\">")),
            "m{other}: {found}"
        );
    }
    assert!(found.contains("<section id=\"c1\" hidden=\"\">"), "{found}");
    assert!(found.contains("<section id=\"c6\">"), "{found}");
}

/// The peak resident memory (KiB) of `verify-bundle DIR`, as GNU time measures it.
fn verify_peak_kib(sandbox: &Sandbox, dir: &Path) -> u64 {
    let output = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(harness::BIN)
        .args(["verify-bundle", dir.to_str().unwrap()])
        .env("HOME", sandbox.home())
        .output()
        .expect("GNU time (/usr/bin/time) runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.trim().lines().last().unwrap().parse().unwrap()
}

/// `verify-bundle` streams: a bundle twenty times as big (messages, conversations,
/// transcripts) takes about the same memory (measured on 1M messages once: README).
#[test]
fn verify_bundle_memory_does_not_grow_with_the_bundle() {
    let sandbox = Sandbox::new();
    let mut peaks = Vec::new();
    for messages in [2_000u64, 40_000] {
        let corpus = sandbox.root().join(format!("corpus-{messages}.json"));
        harness::write_corpus(&corpus, messages, 7, harness::CorpusFormat::Api);
        let archive = sandbox.root().join(format!("archive-{messages}"));
        sandbox
            .run_on(&archive, &["import", corpus.to_str().unwrap()])
            .ok();
        let out = sandbox.root().join(format!("bundle-{messages}"));
        sandbox
            .run_on(&archive, &["export", "--out", out.to_str().unwrap()])
            .ok();
        peaks.push(verify_peak_kib(&sandbox, &out));
    }
    let (small, big) = (peaks[0], peaks[1]);
    // The big bundle's messages.json alone is some 7 MB; holding it, or a record per
    // message or transcript, would show.
    assert!(
        big < small + 3 * 1024,
        "{small} KiB for 2,000 messages, {big} KiB for 40,000"
    );
}
