//! `export --out DIR`: an evidence bundle (see `plupper_audit::bundle`).

use std::io::Write;
use std::path::Path;

use plupper_archive::ExportInfo;

use crate::Failure;
use crate::cli::{ExportArgs, FilterArgs};
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

pub fn run(archive: &Path, args: ExportArgs) -> Result<(), Failure> {
    let filter = filter(&args.filter)?;
    let dir = args.out;
    let key = match args.sign.as_deref().map(plupper_archive::read_secret_key) {
        Some(Err(error)) if error.is_invalid_input() => {
            return Err(Failure::Invalid(format!("--sign {error}")));
        }
        key => key.transpose()?,
    };
    let mut archive = crate::commands::open(archive)?;
    let info = ExportInfo {
        tool: format!("plupper-archive {}", env!("CARGO_PKG_VERSION")),
        exported_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        given: given(&args.filter),
    };
    let sealed = match archive.export(&filter, &dir, info, key.as_ref()) {
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
