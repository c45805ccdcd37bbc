//! `export --out DIR`: an evidence bundle (see `plupper_audit::bundle`).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use plupper_audit::bundle::{
    self, ArchiveRecord, CONVERSATIONS_NDJSON, ChainHead, Draft, FilterRecord, MESSAGES_CSV,
    MESSAGES_JSON, MESSAGES_NDJSON, applied_query, transcript_path,
};
use plupper_audit::conversations::{Selected, conversations_of_messages, in_order};
use plupper_audit::transcript::write_transcript;
use plupper_search::executor;
use plupper_store::Store;
use plupper_store::chain::hex;

use crate::Failure;
use crate::cli::{ExportArgs, FilterArgs, MessageFormat};
use crate::commands::conversations::write_ndjson;
use crate::commands::filter::filter;
use crate::output::MessageWriter;
use crate::plural::counted;

/// The filter flags as given, in a fixed order.
fn given(args: &FilterArgs) -> Vec<(String, String)> {
    [
        ("--from", &args.from),
        ("--to", &args.to),
        ("--operator", &args.operator),
        ("--visitor-id", &args.visitor_id),
        ("--customer-id", &args.customer_id),
        ("--contains", &args.contains),
        ("--params", &args.params),
    ]
    .into_iter()
    .filter_map(|(flag, value)| Some((flag.to_owned(), value.clone()?)))
    .collect()
}

/// The bundle directory: made here; one that exists must be empty.
fn prepare(dir: &Path) -> Result<(), Failure> {
    if let Ok(mut entries) = fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(Failure::Invalid(format!(
                "--out {}: the directory is not empty; give a new one",
                dir.display()
            )));
        }
    } else if dir.exists() {
        return Err(Failure::Invalid(format!(
            "--out {}: not a directory",
            dir.display()
        )));
    }
    fs::create_dir_all(dir.join(bundle::TRANSCRIPTS)).map_err(|e| write_failure(dir, e))
}

fn write_failure(path: &Path, error: std::io::Error) -> Failure {
    Failure::Failed(format!("cannot write {}: {error}", path.display()))
}

fn create(path: PathBuf) -> Result<BufWriter<File>, Failure> {
    File::create(&path)
        .map(BufWriter::new)
        .map_err(|e| write_failure(&path, e))
}

pub fn run(archive: &Path, args: ExportArgs) -> Result<(), Failure> {
    let filter = filter(&args.filter)?;
    let dir = args.out;
    prepare(&dir)?;
    let store = Store::open(archive)?;
    let snapshot = store.snapshot()?;
    let store = snapshot.store();

    // The messages, once through, into the three message files.
    let mut api =
        MessageWriter::begin(MessageFormat::Api, create(dir.join(MESSAGES_JSON))?, false)?;
    let mut ndjson = MessageWriter::begin(
        MessageFormat::Ndjson,
        create(dir.join(MESSAGES_NDJSON))?,
        false,
    )?;
    let mut csv = MessageWriter::begin(MessageFormat::Csv, create(dir.join(MESSAGES_CSV))?, false)?;
    let mut message_ids = Vec::new();
    let (_, messages) = executor::messages(store, &filter, None)?;
    for stored in messages {
        let stored = stored?;
        api.write(&stored)?;
        ndjson.write(&stored)?;
        csv.write(&stored)?;
        message_ids.push(stored.id);
    }
    api.finish()?;
    ndjson.finish()?;
    csv.finish()?;

    // Their conversations, whole, in the order they started.
    let selected = Selected::Only(conversations_of_messages(store, &message_ids)?);
    let mut summaries = create(dir.join(CONVERSATIONS_NDJSON))?;
    let mut conversation_ids = Vec::new();
    for conversation in in_order(store, &selected) {
        let conversation = conversation?;
        write_ndjson(&conversation.summary, &mut summaries)?;
        let mut transcript = create(dir.join(transcript_path(conversation.row.id.0)))?;
        write_transcript(&conversation, &mut transcript)?;
        transcript.flush()?;
        conversation_ids.push(conversation.row.id.0);
    }
    summaries.flush()?;

    let head = store.chain_head()?;
    let draft = Draft {
        tool: format!("plupper-archive {}", env!("CARGO_PKG_VERSION")),
        exported_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        archive: ArchiveRecord {
            uuid: store.info()?.uuid,
            messages: store.message_count()?,
            chain_head: head.map(|link| ChainHead {
                link: link.id,
                last_id: link.last_id.0,
                sha256: hex(&link.hash),
            }),
        },
        filter: FilterRecord {
            given: given(&args.filter),
            applied: applied_query(&filter),
        },
        message_ids: message_ids.iter().map(|id| id.0).collect(),
        conversation_ids,
    };
    let sealed = bundle::seal(&dir, draft)?;
    let counts = &sealed.manifest.counts;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "exported {} of {} to {} ({})",
        counted(counts.messages, "message"),
        counted(counts.conversations, "conversation"),
        dir.display(),
        counted(counts.files + 2, "file")
    )?;
    writeln!(
        out,
        "manifest.json SHA-256: {} (keep it: it proves this bundle later)",
        sealed.manifest_sha256
    )?;
    out.flush()?;
    Ok(())
}
