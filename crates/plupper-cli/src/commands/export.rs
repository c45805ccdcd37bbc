//! `export --out DIR`: an evidence bundle (see `plupper_audit::bundle`), or with
//! `--format quickwit|opensearch` shards for a distributed engine (see
//! `plupper_engines::export`).

use std::io::Write;
use std::path::Path;

use plupper_archive::{Engine, ExportInfo, ShardLimits};

use crate::Failure;
use crate::cli::{ExportArgs, ExportFormat, FilterArgs};
use crate::commands::filter::filter;
use plupper_model::plural::counted;
use plupper_model::printable::printable;

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

/// What the export records of itself: the program, the time, the filter as given.
fn info(args: &FilterArgs) -> ExportInfo {
    ExportInfo {
        tool: format!("plupper-archive {}", env!("CARGO_PKG_VERSION")),
        exported_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        given: given(args),
    }
}

pub fn run(archive: &Path, args: ExportArgs) -> Result<(), Failure> {
    let engine = match args.format {
        ExportFormat::Bundle => None,
        ExportFormat::Quickwit => Some(Engine::Quickwit),
        ExportFormat::Opensearch => Some(Engine::OpenSearch),
    };
    match engine {
        Some(engine) => run_engine(archive, args, engine),
        None => run_bundle(archive, args),
    }
}

fn run_bundle(archive: &Path, args: ExportArgs) -> Result<(), Failure> {
    if args.since_id.is_some() {
        return Err(Failure::Invalid(
            "--since-id applies to --format quickwit and opensearch, not to an evidence bundle"
                .to_owned(),
        ));
    }
    let filter = filter(&args.filter)?;
    let dir = args.out;
    let key = match args.sign.as_deref().map(plupper_archive::read_secret_key) {
        Some(Err(error)) if error.is_invalid_input() => {
            return Err(Failure::Invalid(format!("--sign {error}")));
        }
        key => key.transpose()?,
    };
    let mut archive = crate::commands::open(archive)?;
    let sealed = match archive.export(&filter, &dir, info(&args.filter), key.as_ref()) {
        Err(error) if error.is_invalid_input() => {
            return Err(Failure::Invalid(format!("--out {error}")));
        }
        sealed => sealed?,
    };
    let counts = &sealed.manifest.counts;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "exported {} of {} ({} more of them as context) to {} ({}); recorded in the archive",
        counted(counts.messages, "message"),
        counted(counts.conversations, "conversation"),
        counts.context,
        dir.display(),
        counted(
            counts.files + counts.conversations + 2 + u64::from(key.is_some()),
            "file"
        )
    )?;
    writeln!(
        out,
        "manifest.json SHA-256: {} (keep it apart from the bundle: it proves this bundle later)",
        sealed.manifest_sha256
    )?;
    if let Some(key) = &key {
        writeln!(
            out,
            "signed with key {} (manifest.sig)",
            key.public().to_base64()
        )?;
    }
    out.flush()?;
    Ok(())
}

/// `--format quickwit|opensearch`: shards, index definition, manifest; the archive is
/// only read.
fn run_engine(archive: &Path, args: ExportArgs, engine: Engine) -> Result<(), Failure> {
    if args.sign.is_some() {
        return Err(Failure::Invalid(format!(
            "--sign applies to an evidence bundle (--format bundle), not to --format {engine}"
        )));
    }
    let since_id = args.since_id.as_deref().map(since_id).transpose()?;
    let filter = filter(&args.filter)?;
    let archive = crate::commands::open_to_read(archive)?;
    let dir = args.out;
    let limits = ShardLimits::for_engine(engine);
    let manifest =
        match archive.export_engine(&filter, since_id, engine, &dir, info(&args.filter), limits) {
            Err(error) if error.is_invalid_input() => {
                return Err(Failure::Invalid(format!("--out {error}")));
            }
            manifest => manifest?,
        };
    let mut out = std::io::stdout().lock();
    let since = since_id.map_or(String::new(), |id| format!(" with an id above {id}"));
    writeln!(
        out,
        "exported {}{since} for {engine} to {}: {}, {} and manifest.json",
        counted(manifest.counts.documents, "message"),
        dir.display(),
        counted(manifest.counts.shards, "shard"),
        manifest.index_definition.path,
    )?;
    writeln!(
        out,
        "the archive's last id is {0}: `export --format {engine} --since-id {0}` adds what comes after",
        manifest.last_id
    )?;
    out.flush()?;
    Ok(())
}

/// `--since-id N`: an archive id, or 0 for everything.
fn since_id(written: &str) -> Result<i64, Failure> {
    match written.parse::<i64>() {
        Ok(id) if id >= 0 && !written.starts_with('+') => Ok(id),
        _ => Err(Failure::Invalid(format!(
            "invalid --since-id `{}`: expected an archive id (an integer, 0 or more)",
            printable(written)
        ))),
    }
}

/// The recorded exports, for people: a count, then one line each (nothing when there
/// is none).
pub fn write_exports(
    exports: &[plupper_archive::ExportRecord],
    out: &mut impl Write,
) -> std::io::Result<()> {
    if exports.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{} recorded in the archive's chain",
        counted(exports.len() as u64, "evidence bundle export")
    )?;
    for record in exports {
        let entry = &record.entry;
        let filter = if entry.filter.is_empty() {
            "none"
        } else {
            &entry.filter
        };
        writeln!(
            out,
            "  export {}: {}, filter `{}`, {} of {} (+{} context), manifest.json SHA-256 {}",
            record.link,
            printable(&entry.exported_at),
            printable(filter),
            counted(entry.messages, "message"),
            counted(entry.conversations, "conversation"),
            entry.context,
            entry.manifest_sha256
        )?;
    }
    Ok(())
}
