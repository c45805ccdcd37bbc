//! The files of a bundle that are made from its messages, written by one code path for
//! both uses: [`export`](super::export) writes them into a new bundle, and
//! [`verify_bundle`](super::verify_bundle) writes them again into comparers against
//! the bundle's own files, so that a file changed to say something its messages do not
//! is found, whatever the manifest says.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use plupper_model::wire::{CSV_HEADER, MessageRecord, api_element};
use plupper_store::StoredMessage;

use super::compare::Comparer;
use super::html::{self, PageInfo};
use super::{
    CONVERSATIONS_NDJSON, INDEX_HTML, MESSAGES_CSV, MESSAGES_JSON, MESSAGES_NDJSON, TRANSCRIPTS,
    io_error, transcript_path,
};
use crate::AuditError;
use crate::conversations::Conversation;
use crate::summary::write_ndjson;
use crate::transcript::write_transcript;

/// Where derived files go.
pub(super) trait Target {
    /// A file being written.
    type Out: Write;
    /// Starts the file at `path` (relative, `/`-separated).
    fn open(&mut self, path: &str) -> Result<Self::Out, AuditError>;
    /// Ends it.
    fn close(&mut self, path: &str, out: Self::Out) -> Result<(), AuditError>;
}

/// Writes the files of a new bundle.
pub(super) struct Files<'d> {
    pub(super) dir: &'d Path,
}

impl Target for Files<'_> {
    type Out = BufWriter<File>;

    fn open(&mut self, path: &str) -> Result<Self::Out, AuditError> {
        let path = self.dir.join(path);
        File::create(&path)
            .map(BufWriter::new)
            .map_err(io_error(&path))
    }

    fn close(&mut self, path: &str, mut out: Self::Out) -> Result<(), AuditError> {
        out.flush().map_err(io_error(&self.dir.join(path)))
    }
}

/// Compares with the files of a bundle; collects the differences.
pub(super) struct Comparison<'d> {
    pub(super) dir: &'d Path,
    pub(super) differences: Vec<String>,
    /// The paths rebuilt but the transcripts, in the order rebuilt.
    pub(super) rebuilt: Vec<String>,
    /// How many transcripts were rebuilt.
    pub(super) transcripts: u64,
}

impl Target for Comparison<'_> {
    type Out = Comparer;

    fn open(&mut self, path: &str) -> Result<Self::Out, AuditError> {
        if path.starts_with(TRANSCRIPTS) {
            self.transcripts += 1;
        } else {
            self.rebuilt.push(path.to_owned());
        }
        Ok(Comparer::open(self.dir, path))
    }

    fn close(&mut self, _path: &str, out: Self::Out) -> Result<(), AuditError> {
        self.differences.extend(out.finish());
        Ok(())
    }
}

/// An error writing `path`.
fn failed(path: &str) -> impl FnOnce(std::io::Error) -> AuditError + '_ {
    move |source| AuditError::Io {
        path: path.into(),
        source,
    }
}

/// `messages.json`, `messages.ndjson` and `messages.csv`: the selected messages, in
/// answer order, written together.
pub(super) struct MessageFiles<W: Write> {
    api: W,
    ndjson: W,
    csv: csv::Writer<W>,
    written: u64,
}

impl<W: Write> MessageFiles<W> {
    pub(super) fn open<T: Target<Out = W>>(target: &mut T) -> Result<Self, AuditError> {
        let mut api = target.open(MESSAGES_JSON)?;
        api.write_all(b"[").map_err(failed(MESSAGES_JSON))?;
        let ndjson = target.open(MESSAGES_NDJSON)?;
        let mut csv = csv::Writer::from_writer(target.open(MESSAGES_CSV)?);
        csv.write_record(CSV_HEADER)
            .map_err(|e| failed(MESSAGES_CSV)(e.into()))?;
        Ok(MessageFiles {
            api,
            ndjson,
            csv,
            written: 0,
        })
    }

    pub(super) fn write(&mut self, stored: &StoredMessage) -> Result<(), AuditError> {
        let separator: &[u8] = if self.written > 0 { b", " } else { b"" };
        self.api
            .write_all(separator)
            .and_then(|()| {
                self.api
                    .write_all(api_element(&stored.original()).as_bytes())
            })
            .map_err(failed(MESSAGES_JSON))?;
        let timestamp = stored.timestamp().map(|t| t.to_rfc3339());
        let record = MessageRecord::new(stored.id.0, &stored.message, timestamp);
        serde_json::to_writer(&mut self.ndjson, &record)
            .map_err(std::io::Error::from)
            .and_then(|()| self.ndjson.write_all(b"\n"))
            .map_err(failed(MESSAGES_NDJSON))?;
        self.csv
            .write_record(record.csv_row().iter().map(|field| field.as_bytes()))
            .map_err(|e| failed(MESSAGES_CSV)(e.into()))?;
        self.written += 1;
        Ok(())
    }

    pub(super) fn close<T: Target<Out = W>>(self, target: &mut T) -> Result<u64, AuditError> {
        let mut api = self.api;
        api.write_all(b"]").map_err(failed(MESSAGES_JSON))?;
        target.close(MESSAGES_JSON, api)?;
        target.close(MESSAGES_NDJSON, self.ndjson)?;
        let csv = self
            .csv
            .into_inner()
            .map_err(|e| failed(MESSAGES_CSV)(e.into_error()))?;
        target.close(MESSAGES_CSV, csv)?;
        Ok(self.written)
    }
}

/// `conversations.ndjson`, the transcripts and `index.html`: the conversations in the
/// order they started, written together.
pub(super) struct ConversationFiles<W: Write> {
    summaries: W,
    page: W,
    written: u64,
}

impl<W: Write> ConversationFiles<W> {
    pub(super) fn open<T: Target<Out = W>>(
        target: &mut T,
        info: &PageInfo,
    ) -> Result<Self, AuditError> {
        let summaries = target.open(CONVERSATIONS_NDJSON)?;
        let mut page = target.open(INDEX_HTML)?;
        html::write_head(info, &mut page).map_err(failed(INDEX_HTML))?;
        Ok(ConversationFiles {
            summaries,
            page,
            written: 0,
        })
    }

    /// One conversation; `selected` tells its selected messages from the context.
    pub(super) fn write<T: Target<Out = W>>(
        &mut self,
        target: &mut T,
        conversation: &Conversation,
        selected: &dyn Fn(i64) -> bool,
    ) -> Result<(), AuditError> {
        write_ndjson(&conversation.summary, &mut self.summaries)
            .map_err(failed(CONVERSATIONS_NDJSON))?;
        let path = transcript_path(conversation.row.id.0);
        let mut transcript = target.open(&path)?;
        write_transcript(conversation, &mut transcript).map_err(failed(&path))?;
        target.close(&path, transcript)?;
        html::write_conversation(conversation, selected, &mut self.page)
            .map_err(failed(INDEX_HTML))?;
        self.written += 1;
        Ok(())
    }

    pub(super) fn close<T: Target<Out = W>>(self, target: &mut T) -> Result<u64, AuditError> {
        target.close(CONVERSATIONS_NDJSON, self.summaries)?;
        let mut page = self.page;
        html::write_foot(&mut page).map_err(failed(INDEX_HTML))?;
        target.close(INDEX_HTML, page)?;
        Ok(self.written)
    }
}
