//! Every method of the `plupper-archive` facade on the sample data, through its public
//! surface alone.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use plupper_archive::{
    Archive, ArchiveId, BundleProof, Engine, Error, ExportInfo, Filter, Freshness, GroupBy,
    IndexState, NaiveDate, NoProgress, Password, Route, ShardLimits, StoredMessage, SyncConfig,
    translate, verify_bundle,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample() -> PathBuf {
    repo().join("data/sample")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date")
}

/// A fresh archive holding the sample data.
fn sample_archive() -> (tempfile::TempDir, Archive) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut archive = Archive::create(dir.path()).expect("an archive");
    let report = archive.import(&[sample()], &NoProgress).expect("an import");
    assert_eq!(report.errors().count(), 0);
    assert_eq!(report.files.len(), 6);
    assert_eq!(report.added(), 3200);
    assert_eq!(report.index.as_ref().expect("indexed").last_id, 3200);
    (dir, archive)
}

fn all(archive: &Archive, filter: &Filter) -> Vec<StoredMessage> {
    archive
        .query(filter)
        .expect("an answer")
        .collect::<Result<_, _>>()
        .expect("every message")
}

/// The contract's filter, written plainly over every message (ASCII needles only, so
/// lowercasing is the simple case folding here).
fn plainly(every: &[StoredMessage], operator: &str, needle: &str) -> Vec<ArchiveId> {
    every
        .iter()
        .filter(|m| m.message.operator.as_deref() == Some(operator))
        .filter(|m| m.message.content.to_lowercase().contains(needle))
        .map(|m| m.id)
        .collect()
}

#[test]
fn open_needs_an_existing_archive_and_create_makes_one() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let missing = dir.path().join("typo");
    for error in [
        Archive::open(&missing).unwrap_err(),
        Archive::open_read_only(&missing).unwrap_err(),
    ] {
        assert!(matches!(error, Error::NoArchive { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            format!("no archive in {}", missing.display())
        );
    }
    assert!(!missing.exists(), "opening must not create anything");

    let created = Archive::create(&missing).expect("created");
    assert_eq!(created.message_count().expect("a count"), 0);
    let uuid = created.uuid().expect("a uuid");
    drop(created);
    let opened = Archive::open(&missing).expect("now it exists");
    assert_eq!(opened.uuid().expect("a uuid"), uuid);
    assert_eq!(opened.dir(), missing);
}

#[test]
fn query_and_count_give_the_contracts_answer_from_the_index_and_from_the_store() {
    let (_dir, archive) = sample_archive();
    let every = all(&archive, &Filter::default());
    assert_eq!(every.len(), 3200);
    assert_eq!(archive.count(&Filter::default()).expect("a count"), 3200);

    let filter = Filter::from_query_string("operator=peter&contains=Money", today())
        .expect("a valid query string");
    assert_eq!(
        filter,
        Filter::default().operator("peter").contains("Money")
    );
    let answer = archive.query(&filter).expect("an answer");
    assert_eq!(*answer.route(), Route::Index);
    let ids: Vec<ArchiveId> = answer
        .map(|m| m.map(|m| m.id))
        .collect::<Result<_, _>>()
        .expect("every message");
    let expected = plainly(&every, "peter", "money");
    assert!(!expected.is_empty(), "the sample has peter talking money");
    // Same set, and in the API's order, as the full answer gives it.
    assert_eq!(ids, expected);
    let (count, route) = archive.count_routed(&filter).expect("a count");
    assert_eq!((count, route), (expected.len() as u64, Route::Index));

    // A rebuilt index answers the same.
    let report = archive.update_index(true, &NoProgress).expect("rebuilt");
    assert!(report.rebuilt);
    assert_eq!(archive.count(&filter).expect("a count"), count);
    let first_two: Vec<ArchiveId> = archive
        .query_first(&filter, Some(2))
        .expect("an answer")
        .map(|m| m.map(|m| m.id))
        .collect::<Result<_, _>>()
        .expect("every message");
    assert_eq!(first_two, expected[..2]);

    let bad = Filter::from_query_string("visitorId=5.0", today()).unwrap_err();
    let error = Error::from(bad);
    assert!(error.is_invalid_input());
    assert_eq!(
        error.to_string(),
        "invalid `visitorId`: `5.0` is not an integer"
    );
}

#[test]
fn without_an_index_the_store_answers_the_same() {
    let (dir, archive) = sample_archive();
    let filter = Filter::default().contains("octavia");
    let indexed: Vec<ArchiveId> = all(&archive, &filter).iter().map(|m| m.id).collect();
    drop(archive);
    std::fs::remove_dir_all(dir.path().join("index")).expect("the index directory");

    let archive = Archive::open_read_only(dir.path()).expect("opened");
    assert!(archive.is_read_only());
    assert_eq!(
        archive.index_freshness().expect("a freshness"),
        Freshness::Missing
    );
    let answer = archive.query(&filter).expect("an answer");
    assert_eq!(*answer.route(), Route::Fallback(Freshness::Missing));
    let ids: Vec<ArchiveId> = answer
        .map(|m| m.map(|m| m.id))
        .collect::<Result<_, _>>()
        .expect("every message");
    assert!(!ids.is_empty());
    assert_eq!(ids, indexed);

    // A ranked search needs the index, and a read-only archive cannot make it.
    let error = archive
        .search("octavia", &Filter::default(), None)
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::IndexNotCurrent {
                read_only: true,
                ..
            }
        ),
        "{error:?}"
    );
    // A writable one brings it up to date itself.
    let writable = Archive::open(dir.path()).expect("opened");
    let hits = writable
        .search("octavia", &Filter::default(), None)
        .expect("hits");
    assert_eq!(
        writable.index_freshness().expect("a freshness"),
        Freshness::Current
    );
    assert_eq!(hits.len(), ids.len());
}

#[test]
fn search_ranks_snippets_and_names_the_conversation() {
    let (_dir, archive) = sample_archive();
    let hits = archive
        .search("welcome", &Filter::default().operator("peter"), Some(3))
        .expect("hits");
    assert!(!hits.is_empty() && hits.len() <= 3);
    for pair in hits.windows(2) {
        assert!(pair[0].score >= pair[1].score);
    }
    for hit in &hits {
        assert_eq!(hit.message.message.operator.as_deref(), Some("peter"));
        let (start, end) = hit.highlights[0];
        let marked: String = hit.snippet.chars().skip(start).take(end - start).collect();
        assert_eq!(marked.to_lowercase(), "welcome");
        assert_eq!(
            archive
                .conversation_of(hit.message.id)
                .expect("a conversation id"),
            hit.conversation
        );
        let conversation = archive
            .conversation(hit.conversation.expect("in a conversation"))
            .expect("a conversation")
            .expect("it exists");
        assert!(conversation.messages.iter().any(|m| m.id == hit.message.id));
    }
}

#[test]
fn search_pages_follow_the_ranking_and_conversations_link_their_neighbours() {
    let (_dir, archive) = sample_archive();
    let all = archive
        .search_counted("money OR refund", &Filter::default(), None)
        .expect("hits");
    assert!(all.total > 4, "{}", all.total);
    let page = archive
        .search_page("money OR refund", &Filter::default(), 2, Some(2))
        .expect("a page");
    assert_eq!(page.total, all.total);
    let ids = |hits: &[plupper_archive::Hit]| hits.iter().map(|h| h.message.id).collect::<Vec<_>>();
    assert_eq!(ids(&page.hits), ids(&all.hits[2..4]));

    let hit = &all.hits[0];
    let id = hit.conversation.expect("in a conversation");
    let visitor = archive
        .conversation(id)
        .expect("a conversation")
        .expect("it exists")
        .summary
        .visitor_id;
    let (previous, next) = archive.conversations_beside(id).expect("neighbours");
    for neighbour in [previous, next].into_iter().flatten() {
        let other = archive
            .conversation(neighbour)
            .expect("a conversation")
            .expect("it exists");
        assert_eq!(other.summary.visitor_id, visitor);
        assert_ne!(neighbour, id);
    }
    if let Some(previous) = previous {
        assert_eq!(
            archive
                .conversations_beside(previous)
                .expect("neighbours")
                .1,
            Some(id)
        );
    }
}

#[test]
fn conversations_stats_verify_and_export() {
    let (dir, mut archive) = sample_archive();
    let filter = Filter::default().customer_id("IBM");
    let conversations: Vec<_> = archive
        .conversations(&filter)
        .expect("conversations")
        .collect::<Result<_, _>>()
        .expect("each");
    assert!(!conversations.is_empty());
    for conversation in &conversations {
        assert!(
            conversation
                .messages
                .iter()
                .any(|m| m.message.customer_id.as_deref() == Some("IBM"))
        );
        assert_eq!(
            conversation.summary.messages,
            conversation.messages.len() as u64
        );
    }

    let rows = archive
        .stats(&filter, Some(GroupBy::Customer))
        .expect("statistics");
    let total = rows.last().expect("a total row");
    assert!(total.total);
    assert_eq!(total.messages, archive.count(&filter).expect("a count"));
    assert_eq!(total.conversations, conversations.len() as u64);
    let ungrouped = archive.stats(&filter, None).expect("statistics");
    assert_eq!(ungrouped.len(), 1);
    assert_eq!(ungrouped[0].unanswered, total.unanswered);
    let mut summaries = 0;
    let grouped = archive
        .stats_grouped(&filter, &[Some(GroupBy::Customer), None], |_| {
            summaries += 1
        })
        .expect("statistics");
    assert_eq!(grouped, [rows.clone(), ungrouped.clone()]);
    assert_eq!(summaries, conversations.len());

    let check = archive.verify().expect("a check");
    assert_eq!(check.problems(), Vec::<String>::new());
    assert_eq!(check.store.messages, 3200);
    assert_eq!(check.index, IndexState::Consistent { documents: 3200 });

    let bundle = dir.path().join("bundle");
    let info = ExportInfo {
        tool: "facade-user".into(),
        exported_at: "2026-11-25T12:00:00Z".into(),
        given: vec![("customerId".into(), "IBM".into())],
    };
    let sealed = archive
        .export(&filter, &bundle, info.clone(), None)
        .expect("a bundle");
    assert_eq!(sealed.manifest.counts.messages, total.messages);
    assert_eq!(
        sealed.manifest.counts.conversations,
        conversations.len() as u64
    );
    let checked = verify_bundle(&bundle, &BundleProof::default()).expect("a check");
    assert_eq!(checked.differences, Vec::<String>::new());
    assert_eq!(
        checked.manifest_sha256,
        Some(sealed.manifest_sha256.clone())
    );
    // Against the archive, which recorded the export.
    let proof = BundleProof {
        manifest_sha256: Some(sealed.manifest_sha256.clone()),
        key: None,
    };
    let checked = archive.verify_bundle(&bundle, &proof).expect("a check");
    assert_eq!(checked.differences, Vec::<String>::new());
    let recorded = archive.exports().expect("the exports");
    assert_eq!(checked.export.as_ref(), recorded.last());
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].entry.manifest_sha256, sealed.manifest_sha256);

    // A bundle is never written over.
    let error = archive.export(&filter, &bundle, info, None).unwrap_err();
    assert!(error.is_invalid_input(), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!(
            "{}: the directory is not empty; give a new one",
            bundle.display()
        )
    );
}

#[test]
fn sync_pulls_from_the_api_and_import_skips_what_it_holds() {
    let day = NaiveDate::from_ymd_opt(2012, 3, 5).expect("a date");
    let elements = vec![
        plupper_testkit::message_on(day, "10:00:00", "hello from the api"),
        plupper_testkit::message_on(day, "10:00:30", "a second line"),
    ];
    let upstream = plupper_testkit::Upstream::start(
        elements,
        "john",
        "secret",
        plupper_testkit::Faults::none(),
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut archive = Archive::create(dir.path()).expect("an archive");
    let config = SyncConfig::new(
        &upstream.url(),
        "john",
        Password::new("secret".into()),
        today(),
    );
    let report = archive.sync(&config, &NoProgress).expect("a sync");
    assert!(report.pull.error.is_none(), "{:?}", report.pull.error);
    assert_eq!(report.pull.applied.added, 2);
    assert_eq!(report.index.expect("indexed").last_id, 2);
    let hits = archive
        .search("hello", &Filter::default(), None)
        .expect("hits");
    assert_eq!(hits.len(), 1);

    // Again: nothing new.
    let again = archive.sync(&config, &NoProgress).expect("a sync");
    assert_eq!(again.pull.applied.added, 0);

    // Wrong credentials stop the sync; the archive is unchanged.
    let wrong = SyncConfig::new(
        &upstream.url(),
        "john",
        Password::new("wrong".into()),
        today(),
    );
    let report = archive.sync(&wrong, &NoProgress).expect("a report");
    assert!(report.pull.error.is_some());
    assert_eq!(archive.message_count().expect("a count"), 2);

    // Import: a missing path is reported, the other files are imported.
    let report = archive
        .import(
            &[repo().join("data/seed.json"), dir.path().join("nope.json")],
            &NoProgress,
        )
        .expect("an import");
    assert_eq!(report.added(), 5);
    let errors: Vec<String> = report.errors().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("nope.json"), "{errors:?}");
    // An element that cannot be archived is kept in quarantine, verbatim, with the reason.
    assert!(archive.quarantine().expect("the quarantine").is_empty());
    let bad = dir.path().join("bad.ndjson");
    let text = r#"{"content":"Hi","created":"Thu Apr 31 10:00:00 CEST 2009","type":"VO"}"#;
    std::fs::write(&bad, format!("{text}\n")).expect("a file");
    let report = archive.import(&[bad], &NoProgress).expect("an import");
    assert_eq!((report.added(), report.quarantined()), (0, 1));
    let quarantined = archive.quarantine().expect("the quarantine");
    assert_eq!(quarantined.len(), 1);
    assert_eq!(archive.quarantine_count().expect("a count"), 1);
    assert_eq!(quarantined[0].text, text.as_bytes());
    assert!(
        quarantined[0].reason.contains("Apr 31"),
        "{}",
        quarantined[0].reason
    );

    let seen: HashSet<i64> = all(&archive, &Filter::default())
        .iter()
        .map(|m| m.id.0)
        .collect();
    assert_eq!(seen.len(), 7);
    assert_eq!(
        archive
            .message(ArchiveId(3))
            .expect("a read")
            .expect("message 3")
            .message
            .content,
        "Plupper: visitor has entered communication"
    );
}

#[test]
fn answers_in_the_api_format_are_the_originals_and_ids_read_as_show_reads_them() {
    use plupper_archive::api::{ApiList, parse_message_id, single};
    let (_dir, archive) = sample_archive();
    let filter =
        Filter::from_query_string("operator=peter&contains=thanks", today()).expect("a filter");
    let mut list = ApiList::begin(Vec::new()).expect("a list");
    let answer = all(&archive, &filter);
    for stored in &answer {
        list.push(stored).expect("written");
    }
    assert_eq!(list.written(), answer.len() as u64);
    let body = list.finish().expect("finished");
    // A valid API response: an array of strings, each the message's object text.
    let elements: Vec<String> = serde_json::from_slice(&body).expect("an array of strings");
    assert_eq!(elements.len(), answer.len());
    for (element, stored) in elements.iter().zip(&answer) {
        assert_eq!(element, &single(stored));
    }
    let id = parse_message_id(&format!("#{}", answer[0].id)).expect("an id");
    assert_eq!(id, answer[0].id);
    assert!(matches!(
        parse_message_id("0"),
        Err(Error::InvalidId { .. })
    ));
}

#[test]
fn export_engine_reads_a_read_only_archive_and_translate_says_what_is_exact() {
    let (dir, archive) = sample_archive();
    drop(archive);
    let archive = Archive::open_read_only(dir.path()).expect("read-only");
    let filter =
        Filter::from_query_string("operator=peter&contains=money", today()).expect("a filter");
    let out = tempfile::tempdir().expect("a temp dir");
    let info = ExportInfo {
        tool: "facade-user".into(),
        exported_at: "2026-11-25T12:00:00Z".into(),
        given: vec![("--params".into(), "operator=peter&contains=money".into())],
    };
    let limits = ShardLimits {
        documents: 3,
        bytes: None,
    };
    let manifest = archive
        .export_engine(
            &filter,
            None,
            Engine::Quickwit,
            &out.path().join("qw"),
            info,
            limits,
        )
        .expect("an export");
    let count = archive.count(&filter).expect("a count");
    assert!(count > 3, "{count}");
    assert_eq!(manifest.counts.documents, count);
    assert_eq!(manifest.counts.shards, count.div_ceil(3));
    assert_eq!(manifest.last_id, 3200);
    for shard in &manifest.shards {
        let bytes =
            std::fs::metadata(out.path().join("qw").join(&shard.file.path)).expect("a shard");
        assert_eq!(bytes.len(), shard.file.bytes);
    }

    let quickwit = translate(Engine::Quickwit, &filter);
    assert!(!quickwit.is_exact());
    assert!(
        quickwit
            .query
            .starts_with(r#"operator:"peter" AND content_folded:"mon""#)
    );
    assert!(translate(Engine::OpenSearch, &filter).is_exact());

    // A process about to exit leaves a read-only archive's connection to the exit; the
    // archive is as it was, and a writer still opens it.
    archive.close_at_exit();
    let mut writer = Archive::open(dir.path()).expect("a writer");
    assert_eq!(writer.count(&filter).expect("a count"), count);
    let report = writer.import(&[sample()], &NoProgress).expect("an import");
    assert_eq!(report.errors().count(), 0);
    writer.close_at_exit();
    let reader = Archive::open_to_read(dir.path()).expect("a reader");
    assert_eq!(reader.count(&filter).expect("a count"), count);

    // With no writer open (a reader changes nothing), the index counts without the archive's database: the same
    // count, or none when the count is the store's (a visitor's messages).
    assert_eq!(Archive::count_from_index(dir.path(), &filter), Some(count));
    let visitor = Filter::default().visitor_id(1);
    assert_eq!(Archive::count_from_index(dir.path(), &visitor), None);
    // A writer that closes while another connection is open leaves the archive in WAL
    // mode, which the file alone does not say.
    drop(reader);
    let mut writer = Archive::open(dir.path()).expect("a writer");
    assert_eq!(Archive::count_from_index(dir.path(), &filter), None);
    writer.import(&[sample()], &NoProgress).expect("an import");
    drop(writer);
    assert_eq!(Archive::count_from_index(dir.path(), &filter), Some(count));
}

#[test]
fn an_answer_written_as_ndjson_is_the_one_visited() {
    let (_dir, archive) = sample_archive();
    // The index's route (an operator), and the store's (a one-character needle; every
    // message).
    for filter in [
        Filter::default().operator("peter"),
        Filter::default().contains("e"),
        Filter::default(),
    ] {
        let (mut visited, mut scratch) = (Vec::new(), String::new());
        archive
            .query(&filter)
            .expect("an answer")
            .visit(|view| {
                view.write_ndjson(&mut visited, &mut scratch);
                Ok::<(), Error>(())
            })
            .expect("every message");
        let (mut written, mut count) = (Vec::new(), 0);
        archive
            .query(&filter)
            .expect("an answer")
            .write_ndjson(|lines, n| {
                written.extend_from_slice(lines);
                count += n;
                Ok::<(), Error>(())
            })
            .expect("every message");
        assert!(count > 100, "{filter:?}: {count}");
        assert_eq!(count, archive.count(&filter).expect("a count"));
        assert_eq!(
            String::from_utf8(written).expect("UTF-8"),
            String::from_utf8(visited).expect("UTF-8")
        );
    }
}
