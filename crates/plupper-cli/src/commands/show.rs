//! `show ID`

use std::io::IsTerminal;
use std::path::Path;

use plupper_archive::ArchiveId;

use crate::Failure;
use crate::cli::ShowArgs;
use crate::output::{default_message_format, write_single};

/// An archive id as the user wrote it (the library reads it, as the server does).
pub fn parse_id(written: &str) -> Result<ArchiveId, Failure> {
    Ok(plupper_archive::api::parse_message_id(written)?)
}

pub fn run(archive: &Path, args: ShowArgs) -> Result<(), Failure> {
    if let Some(conversation) = &args.conversation {
        return crate::commands::show_conversation::run(archive, conversation, args.output);
    }
    let id = args
        .id
        .as_deref()
        .ok_or_else(|| Failure::Invalid("give a message id, or --conversation ID".into()))?;
    let id = parse_id(id)?;
    let archive = crate::commands::open_to_read(archive)?;
    let stored = archive
        .message(id)?
        .ok_or_else(|| Failure::Failed(format!("no message with id {id}")))?;
    let format = default_message_format(args.output.format);
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let conversation = archive.conversation_of(id)?;
    write_single(format, &stored, conversation, &mut stdout.lock(), terminal)?;
    Ok(())
}
