//! `export --out DIR`: an evidence bundle (see `plupper_audit::bundle`).

use std::io::Write;
use std::path::Path;

use plupper_archive::ExportInfo;

use crate::Failure;
use crate::cli::{ExportArgs, FilterArgs};
use crate::commands::filter::filter;
use plupper_model::plural::counted;

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
    let archive = crate::commands::open(archive)?;
    let info = ExportInfo {
        tool: format!("plupper-archive {}", env!("CARGO_PKG_VERSION")),
        exported_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        given: given(&args.filter),
    };
    let sealed = match archive.export(&filter, &dir, info) {
        Err(error) if error.is_invalid_input() => {
            return Err(Failure::Invalid(format!("--out {error}")));
        }
        sealed => sealed?,
    };
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
