//! `show --conversation ID`

use std::io::{IsTerminal, Write};
use std::path::Path;

use plupper_archive::{ArchiveId, ConversationId};
use plupper_audit::transcript::write_transcript;

use crate::Failure;
use crate::cli::{MessageFormat, MessageOutput};
use crate::output::{MessageWriter, default_message_format};

/// A conversation id as the user wrote it: a positive integer.
pub fn parse_conversation_id(text: &str) -> Result<ConversationId, Failure> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    let positive = digits && text.bytes().any(|b| b != b'0');
    match text.parse::<i64>() {
        Ok(id) if positive => Ok(ConversationId(id)),
        // A positive integer beyond any archive id ever assigned.
        Err(_) if positive => Err(Failure::Failed(format!("no conversation with id {text}"))),
        _ => Err(Failure::Invalid(format!(
            "invalid conversation id `{text}`: expected a positive integer"
        ))),
    }
}

pub fn run(archive: &Path, id: &str, output: MessageOutput) -> Result<(), Failure> {
    let id = parse_conversation_id(id)?;
    let archive = crate::commands::open(archive)?;
    let Some(conversation) = archive.conversation(id)? else {
        // A message id given for a conversation id: say where that message is.
        let hint = match archive.conversation_of(ArchiveId(id.0))? {
            Some(holder) => format!(" (message {id} belongs to conversation {holder})"),
            None => String::new(),
        };
        return Err(Failure::Failed(format!(
            "no conversation with id {id}{hint}"
        )));
    };
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match default_message_format(output.format) {
        MessageFormat::Table => {
            write_transcript(&conversation, &mut out)?;
            out.flush()?;
        }
        format => {
            let mut writer = MessageWriter::begin(format, out, terminal)?;
            for stored in &conversation.messages {
                writer.write(stored)?;
            }
            writer.finish()?;
        }
    }
    Ok(())
}
