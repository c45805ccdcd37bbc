//! `Store::verify` on intact archives, and on archives changed behind plupper-archive's
//! back, directly in SQLite, as someone with access to the file could.

#![allow(clippy::unwrap_used)] // tests: a failure is a panic

use std::path::Path;

use plupper_model::element::parse_element;
use plupper_store::{Arrival, DATABASE_FILE, Problem, Store};
use rusqlite::Connection;

/// Three kinds of original: canonical (stored as fields), a string kept verbatim, an
/// object kept verbatim.
fn texts() -> Vec<String> {
    let mut texts = Vec::new();
    for i in 0..6 {
        let canonical = format!(
            r#""{{\"content\":\"line {i}\",\"customerId\":null,\"created\":\"Wed Apr 29 17:16:1{i} CEST 2009\",\"visitorId\":32751,\"type\":\"VO\",\"operator\":\"john\"}}""#
        );
        texts.push(canonical);
    }
    texts.push(r#""{\"content\":\"caf\\u00e9\",\"customerId\":null,\"created\":\"Wed Apr 29 17:17:00 CEST 2009\",\"visitorId\":32751,\"type\":\"VT\",\"operator\":\"john\"}""#.into());
    texts.push(r#"{ "type": "VO", "content": "object form", "created": "Wed Apr 29 17:18:00 CEST 2009", "visitorId": 32751 }"#.into());
    texts
}

/// An archive with the texts added in two sources (two chunks each): four links.
fn archive(dir: &Path) {
    let mut store = Store::open(dir).unwrap();
    let texts = texts();
    for (n, half) in texts.chunks(4).enumerate() {
        let arrivals: Vec<Arrival> = half
            .iter()
            .enumerate()
            .map(|(i, t)| Arrival::new(parse_element(t.as_bytes()).unwrap(), i as u64))
            .collect();
        let mut unit = store.begin(&format!("source {n}")).unwrap();
        for chunk in arrivals.chunks(2) {
            unit.apply(chunk, &[]).unwrap();
        }
        unit.finish().unwrap();
    }
}

/// Applies `texts` as one source in one call; how many were added and how many were
/// already archived.
fn import_once(store: &mut Store, source: &str, texts: &[String]) -> (u64, u64) {
    let arrivals: Vec<Arrival> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Arrival::new(parse_element(t.as_bytes()).unwrap(), i as u64))
        .collect();
    let mut unit = store.begin(source).unwrap();
    let applied = unit.apply(&arrivals, &[]).unwrap();
    unit.finish().unwrap();
    (applied.added, applied.already_archived)
}

/// Changes the database as an attacker would: a plain connection, no plupper-archive.
fn tamper(dir: &Path, sql: &str) {
    let conn = Connection::open(dir.join(DATABASE_FILE)).unwrap();
    conn.execute_batch(sql).unwrap();
}

fn problems(dir: &Path) -> Vec<Problem> {
    Store::open(dir).unwrap().verify().unwrap().problems
}

fn named(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

#[test]
fn a_fresh_archive_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let verification = store.verify().unwrap();
    assert_eq!(verification.problems, []);
    assert_eq!(verification.messages, 0);
    assert_eq!(verification.head, None);
}

#[test]
fn an_archive_as_written_verifies_with_a_link_per_chunk() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    let store = Store::open(dir.path()).unwrap();
    let verification = store.verify().unwrap();
    assert_eq!(verification.problems, []);
    assert_eq!(verification.messages, 8);
    assert_eq!(verification.links, 4);
    assert_eq!(verification.conversations, 1);
    let links = store.chain_links().unwrap();
    assert_eq!(links[0].previous_hash, plupper_store::chain::GENESIS);
    for pair in links.windows(2) {
        assert_eq!(pair[1].previous_hash, pair[0].hash);
        assert_eq!(pair[1].first_id.0, pair[0].last_id.0 + 1);
    }
}

#[test]
fn reimporting_adds_no_link() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    archive(dir.path());
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.chain_links().unwrap().len(), 4);
    assert_eq!(store.verify().unwrap().problems, []);
}

#[test]
fn an_edited_content_of_a_canonical_message_breaks_its_chain_link() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    // Its original is written from its fields, so the fields and the original agree; the
    // chain, which hashes the original, does not.
    tamper(
        dir.path(),
        "UPDATE message SET content = 'line X' WHERE id = 2",
    );
    let problems = problems(dir.path());
    assert_eq!(
        problems,
        [Problem::LinkHash {
            link: 1,
            first: 1,
            last: 2
        }],
        "{}",
        named(&problems)
    );
    assert!(
        named(&problems).contains(
            "chain link 1 (messages 1 to 2): the hash of the messages is not the recorded hash"
        ),
        "{}",
        named(&problems)
    );
}

#[test]
fn an_edited_original_text_is_named() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    tamper(
        dir.path(),
        r#"UPDATE message SET original = replace(original, 'object form', 'other form') WHERE id = 8"#,
    );
    let text = named(&problems(dir.path()));
    assert!(
        text.contains(r#"message 8: `content` is "object form" in the table but "other form" in its original text"#),
        "{text}"
    );
    assert!(text.contains("chain link 4 (messages 7 to 8)"), "{text}");
}

#[test]
fn a_deleted_row_is_named() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    tamper(dir.path(), "DELETE FROM message WHERE id = 5");
    let problems = problems(dir.path());
    let text = named(&problems);
    assert!(
        text.contains("message 5 is missing (chain link 3 records it)"),
        "{text}"
    );
    assert!(
        problems.contains(&Problem::LinkHash {
            link: 3,
            first: 5,
            last: 6
        }),
        "{text}"
    );
    assert!(
        text.contains("conversation 1: records 8 messages, its messages are 7"),
        "{text}"
    );
}

#[test]
fn deleting_the_newest_messages_with_their_link_is_named() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    tamper(
        dir.path(),
        "DELETE FROM message WHERE id > 6; DELETE FROM chain_link WHERE id = 4;
         UPDATE conversation SET messages = 6",
    );
    let problems = problems(dir.path());
    assert!(
        problems.contains(&Problem::ChainCut {
            chained: 6,
            assigned: 8
        }),
        "{}",
        named(&problems)
    );
}

#[test]
fn a_changed_batch_hash_is_named() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    tamper(
        dir.path(),
        "UPDATE chain_link SET hash = zeroblob(32) WHERE id = 2",
    );
    let problems = problems(dir.path());
    assert_eq!(
        problems,
        [
            Problem::LinkBroken {
                link: 3,
                previous: Some(2)
            },
            Problem::LinkHash {
                link: 2,
                first: 3,
                last: 4
            },
        ],
        "{}",
        named(&problems)
    );
    assert_eq!(
        named(&problems),
        "chain link 3: its previous hash is not the hash of link 2 (a link was changed, removed or inserted)\n\
         chain link 2 (messages 3 to 4): the hash of the messages is not the recorded hash (a message or the link was changed)\n"
    );
}

#[test]
fn a_row_inserted_behind_plupper_archives_back_is_named() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    tamper(
        dir.path(),
        "INSERT INTO message (content, customer_id, created, visitor_id, type, operator,
             written_date, wall_clock, utc_offset, original_kind, original, batch_id, position)
         SELECT content, customer_id, created, visitor_id, type, operator,
             written_date, wall_clock, utc_offset, original_kind, original, batch_id, position
         FROM message WHERE id = 1",
    );
    let text = named(&problems(dir.path()));
    assert!(
        text.contains("message 9: no chain link records it"),
        "{text}"
    );
    // The copy sorts right after message 1, so it falls inside conversation 1's run.
    assert!(
        text.contains("conversation 1: records 8 messages, its messages are 9"),
        "{text}"
    );
}

#[test]
fn an_archive_from_before_the_chain_is_linked_by_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    // Take the archive back to schema 2, as an older plupper-archive left it.
    tamper(
        dir.path(),
        "DROP TABLE chain_link; DROP TABLE conversation;
         DROP INDEX message_by_anonymous; DROP TABLE content_block; PRAGMA user_version = 2;",
    );
    let store = Store::open(dir.path()).unwrap();
    let verification = store.verify().unwrap();
    assert_eq!(
        verification.problems,
        [],
        "{}",
        named(&verification.problems)
    );
    let links = store.chain_links().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(
        (
            links[0].first_id.0,
            links[0].last_id.0,
            links[0].added,
            links[0].batch
        ),
        (1, 8, 8, None)
    );
    assert_eq!(verification.conversations, 1);
}

#[test]
fn an_archive_with_a_conversation_membership_table_loses_it_and_keeps_its_conversations() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    // Schema 5 listed each message's conversation in a table of its own.
    tamper(
        dir.path(),
        "CREATE TABLE conversation_message (message_id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL);
         INSERT INTO conversation_message SELECT id, 1 FROM message;
         PRAGMA user_version = 5;",
    );
    let store = Store::open(dir.path()).unwrap();
    let verification = store.verify().unwrap();
    assert_eq!(
        verification.problems,
        [],
        "{}",
        named(&verification.problems)
    );
    assert_eq!(verification.conversations, 1);
    assert_eq!(
        store.conversation_of(plupper_store::ArchiveId(8)).unwrap(),
        Some(plupper_store::ConversationId(1))
    );
    let tables: i64 = Connection::open(dir.path().join(DATABASE_FILE))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'conversation_message%'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(tables, 0);
}

#[test]
fn an_atomic_unit_records_its_links_with_its_messages_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let arrivals: Vec<Arrival> = texts()
        .iter()
        .enumerate()
        .map(|(i, t)| Arrival::new(parse_element(t.as_bytes()).unwrap(), i as u64))
        .collect();
    {
        let mut unit = store.begin_atomic("a window that fails").unwrap();
        unit.apply(&arrivals[..4], &[]).unwrap();
        // dropped: rolled back, link and conversations with the messages
    }
    assert_eq!(store.chain_links().unwrap(), []);
    assert_eq!(store.conversation_count().unwrap(), 0);
    let mut unit = store.begin_atomic("a window that succeeds").unwrap();
    unit.apply(&arrivals[..4], &[]).unwrap();
    unit.apply(&arrivals[4..], &[]).unwrap();
    unit.finish().unwrap();
    assert_eq!(store.chain_links().unwrap().len(), 2);
    assert_eq!(store.verify().unwrap().problems, []);
}

#[test]
fn two_writers_make_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap();
    let handles: Vec<_> = (0..2)
        .map(|writer| {
            let path = dir.path().to_owned();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                for round in 0..10 {
                    let text = format!(
                        r#"{{"content":"writer {writer} round {round}","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO","visitorId":{writer}}}"#
                    );
                    let arrival = Arrival::new(parse_element(text.as_bytes()).unwrap(), 0);
                    let mut unit = store.begin("concurrent").unwrap();
                    unit.apply(&[arrival], &[]).unwrap();
                    unit.finish().unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let verification = store.verify().unwrap();
    assert_eq!(verification.problems, []);
    assert_eq!((verification.messages, verification.links), (20, 20));
    assert_eq!(verification.conversations, 2);
}

fn entry(messages: u64) -> plupper_store::exports::ExportEntry {
    plupper_store::exports::ExportEntry {
        exported_at: "2026-11-25T12:00:00Z".into(),
        filter: "operator=john".into(),
        messages,
        context: 2,
        conversations: 1,
        manifest_sha256: "ab".repeat(32),
    }
}

/// An export is a link of the chain: messages added after it chain over it, and its
/// record cannot be changed or removed unnoticed.
#[test]
fn an_export_is_recorded_in_the_chain_and_a_changed_record_is_named() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    let mut store = Store::open(dir.path()).unwrap();
    let record = store.record_export(&entry(6)).unwrap();
    assert_eq!(record.link, 5);
    let links = store.chain_links().unwrap();
    let link = links.last().unwrap();
    assert_eq!((link.first_id.0, link.last_id.0, link.added), (9, 8, 0));
    assert_eq!(link.previous_hash, links[3].hash);
    let verification = store.verify().unwrap();
    assert_eq!(verification.problems, []);
    assert_eq!(verification.exports, std::slice::from_ref(&record));
    assert_eq!(
        store.exports_with_manifest(&"AB".repeat(32)).unwrap(),
        [record]
    );
    assert_eq!(store.exports_with_manifest(&"cd".repeat(32)).unwrap(), []);
    // Messages added after the export chain over its link.
    let more = r#""{\"content\":\"later\",\"customerId\":null,\"created\":\"Wed Apr 29 18:00:00 CEST 2009\",\"visitorId\":7,\"type\":\"VO\",\"operator\":\"john\"}""#;
    let mut unit = store.begin("later").unwrap();
    unit.apply(
        &[Arrival::new(parse_element(more.as_bytes()).unwrap(), 0)],
        &[],
    )
    .unwrap();
    unit.finish().unwrap();
    let links = store.chain_links().unwrap();
    assert_eq!(links[5].previous_hash, links[4].hash);
    assert_eq!(links[5].first_id.0, 9);
    assert_eq!(store.verify().unwrap().problems, []);
    drop(store);

    tamper(dir.path(), "UPDATE export SET messages = 5");
    assert_eq!(
        named(&problems(dir.path())),
        "export 5: its record is not what its chain link's hash covers (the record or the link was changed)\n"
    );
    tamper(dir.path(), "DELETE FROM export");
    assert_eq!(
        named(&problems(dir.path())),
        "export 5: its chain link records no message, but the export's record is missing\n"
    );
    tamper(dir.path(), "DELETE FROM chain_link WHERE id = 5");
    assert_eq!(
        named(&problems(dir.path())),
        "chain link 6: its previous hash is not the hash of link 4 (a link was changed, removed or inserted)\n"
    );
}

#[test]
fn an_export_from_an_empty_archive_starts_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.record_export(&entry(0)).unwrap();
    let links = store.chain_links().unwrap();
    assert_eq!(links[0].previous_hash, plupper_store::chain::GENESIS);
    assert_eq!(store.verify().unwrap().problems, []);
}

#[test]
fn an_archive_with_stored_fingerprints_loses_them_and_keeps_its_messages_and_rule() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    // Schema 9 kept each message's fingerprint in a column with its own index.
    tamper(
        dir.path(),
        "ALTER TABLE message ADD COLUMN fingerprint BLOB;
         UPDATE message SET fingerprint = randomblob(16);
         CREATE INDEX message_by_fingerprint ON message (fingerprint);
         PRAGMA user_version = 9;",
    );
    let mut store = Store::open(dir.path()).unwrap();
    let conn = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
    let left: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM pragma_table_info('message') WHERE name = 'fingerprint')
                  + (SELECT count(*) FROM sqlite_schema WHERE name = 'message_by_fingerprint')",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
    let verification = store.verify().unwrap();
    assert_eq!(
        verification.problems,
        [],
        "{}",
        named(&verification.problems)
    );
    // The texts again, as one source: every message is already archived once.
    assert_eq!(import_once(&mut store, "again", &texts()), (0, 8));
    assert_eq!(store.message_count().unwrap(), 8);
}

#[test]
fn an_archive_of_schema_11_gets_its_kind_check_by_comparisons_and_keeps_its_messages() {
    let dir = tempfile::tempdir().unwrap();
    archive(dir.path());
    // Schema 11 tested the kind against a list (migration 12 says why that changed).
    tamper(
        dir.path(),
        "PRAGMA writable_schema = ON;
         UPDATE sqlite_schema
            SET sql = replace(sql, 'original_kind = 0 OR original_kind = 1 OR original_kind = 2', 'original_kind IN (0, 1, 2)')
          WHERE name = 'message';
         PRAGMA writable_schema = RESET;
         PRAGMA user_version = 11;",
    );
    let definition = |dir: &Path| -> String {
        Connection::open(dir.join(DATABASE_FILE))
            .unwrap()
            .query_row(
                "SELECT sql FROM sqlite_schema WHERE name = 'message'",
                [],
                |row| row.get(0),
            )
            .unwrap()
    };
    assert!(definition(dir.path()).contains("CHECK (original_kind IN (0, 1, 2))"));
    let mut store = Store::open(dir.path()).unwrap();
    assert!(
        definition(dir.path())
            .contains("CHECK (original_kind = 0 OR original_kind = 1 OR original_kind = 2)")
    );
    let verification = store.verify().unwrap();
    assert_eq!(
        verification.problems,
        [],
        "{}",
        named(&verification.problems)
    );
    assert_eq!(store.message_count().unwrap(), 8);
    // The same connection adds messages under the new definition: one new, the rest
    // already archived.
    let mut texts = texts();
    texts.push(r#"{ "type": "OV", "content": "after the migration", "created": "Wed Apr 29 17:19:00 CEST 2009", "visitorId": 32751 }"#.into());
    assert_eq!(import_once(&mut store, "after", &texts), (1, 8));
    assert_eq!(store.verify().unwrap().problems, []);
}
