//! Printing messages and quarantine entries in the contract's formats.
//!
//! The machine formats (`api`, `ndjson`, `csv`) give archived text as it is. The outputs
//! for people (`table`) print every archived text through
//! [`plupper_model::printable`], so that a control character or bidi override typed by a
//! visitor shows as `\u{1b}` instead of acting on the terminal.

use std::io::{self, IsTerminal, Write};

use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use plupper_archive::MessageView;
use plupper_archive::api::{self, ApiList};
use plupper_model::printable::{printable, printable_lines, push_printable};
use plupper_model::wire::{CSV_HEADER, MessageRecord};
use plupper_store::{ArchiveId, ConversationId, QuarantineEntry, StoredMessage};

use crate::cli::{ListFormat, MessageFormat};

/// The format to use when none is given: `table` for a person at a terminal, `ndjson`
/// for a program.
pub fn default_message_format(given: Option<MessageFormat>) -> MessageFormat {
    given.unwrap_or(if io::stdout().is_terminal() {
        MessageFormat::Table
    } else {
        MessageFormat::Ndjson
    })
}

/// Same, for lists that have no `api` form.
pub fn default_list_format(given: Option<ListFormat>) -> ListFormat {
    given.unwrap_or(if io::stdout().is_terminal() {
        ListFormat::Table
    } else {
        ListFormat::Ndjson
    })
}

/// The columns a table line may take on stdout: `None` (whole lines, never cut) when
/// stdout is not a terminal, as a pipe or a file has no width; on a terminal `COLUMNS`
/// when it holds a number, else the terminal's width, else 80; at least 40.
pub fn table_width(terminal: bool) -> Option<usize> {
    if !terminal {
        return None;
    }
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    let width = columns
        .or_else(|| terminal_size::terminal_size().map(|(width, _)| usize::from(width.0)))
        .unwrap_or(80);
    Some(width.max(40))
}

/// The NDJSON and CSV record of a message.
fn record(stored: &StoredMessage) -> MessageRecord<'_> {
    let timestamp = stored.timestamp_rfc3339();
    MessageRecord::new(stored.id.0, &stored.message, timestamp)
}

/// Writes a stream of messages in one format: `begin`, `write` for each, `finish`.
pub struct MessageWriter<W: Write> {
    /// The NDJSON line being written (kept between messages for its capacity).
    line: Vec<u8>,
    /// A `created` written out again (same).
    scratch: String,
    format: MessageFormat,
    sink: Sink<W>,
    written: u64,
    width: Option<usize>,
    terminal: bool,
    /// The `contains` text, kept in sight when a table cuts a content.
    needle: Option<String>,
}

/// CSV goes through the csv crate's writer and the API's list through the library's
/// (the server's answers come from the same), each owning the output.
enum Sink<W: Write> {
    Plain(W),
    Csv(Box<csv::Writer<W>>),
    Api(ApiList<W>),
}

impl<W: Write> MessageWriter<W> {
    /// Starts the output (the `[` of an API list, the CSV header, the table header).
    pub fn begin(format: MessageFormat, mut out: W, terminal: bool) -> io::Result<Self> {
        let width = table_width(terminal);
        let sink = match format {
            MessageFormat::Csv => {
                let mut writer = csv::Writer::from_writer(out);
                writer.write_record(CSV_HEADER)?;
                Sink::Csv(Box::new(writer))
            }
            MessageFormat::Api => Sink::Api(ApiList::begin(out)?),
            MessageFormat::Table => {
                writeln!(
                    out,
                    "{}",
                    table_row(
                        width, "ID", "TIME", "OPERATOR", "VISITOR", "TYPE", "CONTENT", None
                    )
                )?;
                Sink::Plain(out)
            }
            MessageFormat::Ndjson => Sink::Plain(out),
        };
        Ok(MessageWriter {
            format,
            sink,
            written: 0,
            line: Vec::new(),
            scratch: String::new(),
            width,
            terminal,
            needle: None,
        })
    }

    /// Keeps `needle` (a `contains` text) in sight when the table cuts a content: the cut
    /// is made around its first match.
    pub fn keeping_in_sight(mut self, needle: Option<&str>) -> Self {
        self.needle = needle
            .filter(|n| !n.is_empty())
            .map(|n| printable(n).into_owned());
        self
    }

    /// Writes one message.
    pub fn write(&mut self, stored: &StoredMessage) -> io::Result<()> {
        match (&mut self.sink, self.format) {
            (Sink::Csv(csv), _) => {
                csv.write_record(record(stored).csv_row().iter().map(|f| f.as_bytes()))?
            }
            (Sink::Api(list), _) => list.push(stored)?,
            (Sink::Plain(out), MessageFormat::Table) => {
                let message = &stored.message;
                let line = table_row(
                    self.width,
                    &stored.id.to_string(),
                    &table_time(stored),
                    &printable(message.operator.as_deref().unwrap_or("-")),
                    &message.visitor_id.map_or("-".into(), |v| v.to_string()),
                    &printable(&message.message_type),
                    &printable(&message.content),
                    self.needle.as_deref(),
                );
                writeln!(out, "{line}")?;
            }
            (Sink::Plain(_), _) => return self.write_view(&stored.view()),
        }
        self.written += 1;
        Ok(())
    }

    /// Writes one message of an `ndjson` output from its borrowed fields (the other
    /// formats take a whole message: [`MessageWriter::write`]).
    pub fn write_view(&mut self, view: &MessageView<'_>) -> io::Result<()> {
        let (Sink::Plain(out), MessageFormat::Ndjson) = (&mut self.sink, self.format) else {
            return Err(io::Error::other(
                "only the ndjson output writes a message's fields alone",
            ));
        };
        // Written into a buffer, then to the output at once: one call through the
        // output's buffer per line instead of one per piece.
        self.line.clear();
        view.write_ndjson(&mut self.line, &mut self.scratch);
        out.write_all(&self.line)?;
        self.written += 1;
        Ok(())
    }

    /// Writes `count` whole lines of an `ndjson` output, written already
    /// ([`MessageView::write_ndjson`]).
    pub fn write_ndjson_lines(&mut self, lines: &[u8], count: u64) -> io::Result<()> {
        let (Sink::Plain(out), MessageFormat::Ndjson) = (&mut self.sink, self.format) else {
            return Err(io::Error::other(
                "only the ndjson output takes written lines",
            ));
        };
        out.write_all(lines)?;
        self.written += count;
        Ok(())
    }

    /// Ends the output (the `]` of an API list; in a table with no row, the words every
    /// table for people uses: `no messages match`) and flushes it. Returns how many
    /// messages were written.
    pub fn finish(self) -> io::Result<u64> {
        match self.sink {
            Sink::Csv(mut csv) => csv.flush()?,
            Sink::Api(list) => {
                let mut out = list.finish()?;
                if self.terminal {
                    out.write_all(b"\n")?;
                }
                out.flush()?;
            }
            Sink::Plain(mut out) => {
                if self.format == MessageFormat::Table && self.written == 0 {
                    writeln!(out, "no messages match")?;
                }
                out.flush()?;
            }
        }
        Ok(self.written)
    }
}

/// The wall clock and the zone as written, printable.
fn table_time(stored: &StoredMessage) -> String {
    let zone = stored.message.created.split(' ').nth(4).unwrap_or("");
    format!(
        "{} {}",
        stored.wall_clock.format("%Y-%m-%d %H:%M:%S"),
        printable(zone)
    )
}

/// One table line: fixed columns, then the content cut to the width (when there is one),
/// around the first match of `needle` when it would be cut off. The texts are printable
/// already.
#[allow(clippy::too_many_arguments)] // one per column
fn table_row(
    width: Option<usize>,
    id: &str,
    time: &str,
    operator: &str,
    visitor: &str,
    kind: &str,
    content: &str,
    needle: Option<&str>,
) -> String {
    let fixed = format!(
        "{id:>7}  {time:<24} {} {:>10} {} ",
        fit(operator, 10),
        cut(visitor, 10),
        fit(kind, 4)
    );
    let Some(width) = width else {
        return format!("{fixed}{content}");
    };
    let room = width
        .saturating_sub(UnicodeWidthStr::width(fixed.as_str()))
        .max(10);
    format!("{fixed}{}", cut_around(content, room, needle))
}

/// `text` cut to `width` columns as [`cut`] does, unless that cuts off the first match
/// of `needle` (case-insensitive, as `contains`): then the cut starts shortly before the
/// match, marked by a leading `…`, so the match shows.
pub fn cut_around(text: &str, width: usize, needle: Option<&str>) -> String {
    let plain = cut(text, width);
    let Some(needle) = needle else {
        return plain;
    };
    // Simple folding maps one character to one: a character index in the folded text is
    // one in the text.
    let folded = plupper_model::fold::fold(text);
    let Some(at) = folded.find(&plupper_model::fold::fold(needle)) else {
        return plain;
    };
    let start = folded[..at].chars().count();
    let end = start + needle.chars().count();
    let chars: Vec<char> = text.chars().collect();
    let columns = |range: std::ops::Range<usize>| -> usize {
        chars[range].iter().map(|c| c.width().unwrap_or(0)).sum()
    };
    // Shown whole by the plain cut (its `…` takes one column).
    if columns(0..end.min(chars.len())) < width {
        return plain;
    }
    // A third of what the match leaves free goes before it.
    let free = width.saturating_sub(2 + columns(start..end.min(chars.len())));
    let mut from = start;
    let mut before = 0;
    while from > 0 {
        let w = chars[from - 1].width().unwrap_or(0);
        if before + w > free / 3 {
            break;
        }
        before += w;
        from -= 1;
    }
    let rest: String = chars[from..].iter().collect();
    format!("…{}", cut(&rest, width.saturating_sub(1)))
}

/// `text` cut to `width` terminal columns and padded with spaces to fill them: a table
/// column that stays aligned whatever characters it holds (CJK and emoji take two
/// columns each, combining marks none).
pub fn fit(text: &str, width: usize) -> String {
    let mut out = cut(text, width);
    let used = UnicodeWidthStr::width(out.as_str());
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// Cuts `text` to `width` terminal columns, marking a cut with `…`.
pub fn cut(text: &str, width: usize) -> String {
    if UnicodeWidthStr::width(text) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Prints one message on its own (`show`); the table says its `conversation` too.
pub fn write_single(
    format: MessageFormat,
    stored: &StoredMessage,
    conversation: Option<ConversationId>,
    out: &mut impl Write,
    terminal: bool,
) -> io::Result<()> {
    match format {
        MessageFormat::Api => {
            out.write_all(api::single(stored).as_bytes())?;
            if terminal {
                out.write_all(b"\n")?;
            }
        }
        MessageFormat::Ndjson => {
            let mut line = Vec::new();
            stored.view().write_ndjson(&mut line, &mut String::new());
            out.write_all(&line)?;
        }
        MessageFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut *out);
            csv.write_record(CSV_HEADER)?;
            csv.write_record(record(stored).csv_row().iter().map(|f| f.as_bytes()))?;
            csv.flush()?;
        }
        MessageFormat::Table => write_single_table(stored, conversation, out)?,
    }
    out.flush()
}

/// One message as `name value` lines; the content's further lines under its first; then
/// the conversation it belongs to. A null field is `-`, as in every table.
fn write_single_table(
    stored: &StoredMessage,
    conversation: Option<ConversationId>,
    out: &mut impl Write,
) -> io::Result<()> {
    let message = &stored.message;
    let text = |value: Option<&str>| printable(value.unwrap_or("-")).into_owned();
    let rows = [
        ("id", stored.id.to_string()),
        ("created", text(Some(&message.created))),
        (
            "timestamp",
            stored
                .timestamp()
                .map_or("unknown (zone not in the table)".into(), |t| t.to_rfc3339()),
        ),
        ("operator", text(message.operator.as_deref())),
        (
            "visitorId",
            message
                .visitor_id
                .map_or_else(|| "-".into(), |v| v.to_string()),
        ),
        ("customerId", text(message.customer_id.as_deref())),
        ("type", text(Some(&message.message_type))),
    ];
    for (name, value) in rows {
        writeln!(out, "{name:<11} {value}")?;
    }
    let mut lines = printable_lines(&message.content);
    writeln!(
        out,
        "{:<11} {}",
        "content",
        lines.next().unwrap_or_default()
    )?;
    for line in lines {
        writeln!(out, "{:<11} {line}", "")?;
    }
    if let Some(conversation) = conversation {
        writeln!(
            out,
            "{:<11} conversation {conversation} (show --conversation {conversation})",
            "belongs to"
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct NdjsonQuarantine<'a> {
    id: i64,
    reason: &'a str,
    source: &'a str,
    element: Option<u64>,
    #[serde(rename = "byteOffset")]
    byte_offset: Option<u64>,
    /// The text, when it is UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    /// The bytes in base64, when they are not UTF-8.
    #[serde(rename = "textBase64", skip_serializing_if = "Option::is_none")]
    text_base64: Option<String>,
}

/// Prints the quarantine.
pub fn write_quarantine(
    format: ListFormat,
    entries: &[QuarantineEntry],
    out: &mut impl Write,
) -> io::Result<()> {
    use base64::Engine;
    let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    match format {
        ListFormat::Ndjson => {
            for entry in entries {
                let text = std::str::from_utf8(&entry.text).ok();
                let record = NdjsonQuarantine {
                    id: entry.id,
                    reason: &entry.reason,
                    source: &entry.source,
                    element: entry.element,
                    byte_offset: entry.byte_offset,
                    text,
                    text_base64: text.is_none().then(|| encode(&entry.text)),
                };
                serde_json::to_writer(&mut *out, &record)?;
                out.write_all(b"\n")?;
            }
        }
        ListFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut *out);
            csv.write_record([
                "id",
                "reason",
                "source",
                "element",
                "byteOffset",
                "text",
                "textBase64",
            ])?;
            for entry in entries {
                let text = std::str::from_utf8(&entry.text).ok();
                csv.write_record([
                    entry.id.to_string(),
                    entry.reason.clone(),
                    entry.source.clone(),
                    entry.element.map(|n| n.to_string()).unwrap_or_default(),
                    entry.byte_offset.map(|n| n.to_string()).unwrap_or_default(),
                    text.unwrap_or_default().to_owned(),
                    if text.is_none() {
                        encode(&entry.text)
                    } else {
                        String::new()
                    },
                ])?;
            }
            csv.flush()?;
        }
        ListFormat::Table => {
            let width = table_width(io::stdout().is_terminal());
            if entries.is_empty() {
                writeln!(out, "the quarantine is empty")?;
            }
            for entry in entries {
                let place = match (entry.element, entry.byte_offset) {
                    (Some(element), Some(offset)) => format!("element {element}, byte {offset}"),
                    (None, Some(offset)) => format!("from byte {offset}"),
                    (Some(element), None) => format!("element {element}"),
                    (None, None) => String::new(),
                };
                writeln!(out, "#{} {} ({place})", entry.id, printable(&entry.source))?;
                writeln!(out, "  reason: {}", printable(&entry.reason))?;
                let text = String::from_utf8_lossy(&entry.text);
                let text = printable(&text);
                let text = match width {
                    Some(width) => cut(&text, width.saturating_sub(10)),
                    None => text.into_owned(),
                };
                writeln!(out, "  text:   {text}")?;
            }
        }
    }
    out.flush()
}

#[derive(Serialize)]
struct NdjsonHit<'a> {
    #[serde(flatten)]
    message: MessageRecord<'a>,
    conversation: Option<i64>,
    score: f32,
    snippet: &'a str,
    highlights: &'a [(usize, usize)],
}

/// One search result as an NDJSON line: the message, its `conversation` (id), `score`,
/// `snippet`, `highlights`. The snippet's control characters are spaces (one character
/// for one, so the highlights' offsets hold).
pub fn write_hit(hit: &plupper_archive::Hit, out: &mut impl Write) -> io::Result<()> {
    let snippet: String = hit
        .snippet
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let record = NdjsonHit {
        message: record(&hit.message),
        conversation: hit.conversation.map(|c| c.0),
        score: hit.score,
        snippet: &snippet,
        highlights: &hit.highlights,
    };
    serde_json::to_writer(&mut *out, &record)?;
    out.write_all(b"\n")
}

/// One search result for people: a header line (id, time, who wrote to whom, the
/// customer, the conversation, the score), then the snippet (printable) with the matches
/// in bold (`bold`) or between `**`. With `context`, the snippet stands between the N
/// messages before and after the hit in its conversation, as transcript lines.
pub fn write_hit_table(
    hit: &plupper_archive::Hit,
    bold: bool,
    context: Option<usize>,
    archive: &plupper_archive::Archive,
    out: &mut impl Write,
) -> io::Result<()> {
    let stored = &hit.message;
    let message = &stored.message;
    let operator = printable(message.operator.as_deref().unwrap_or("-")).into_owned();
    let visitor = message
        .visitor_id
        .map_or("visitor -".into(), |v| format!("visitor {v}"));
    let who = match message.message_type.as_str() {
        "VO" => format!("{visitor} to {operator}"),
        "VT" => format!("{operator} to {visitor}"),
        other => format!("[{}] {visitor}, operator {operator}", printable(other)),
    };
    let customer = printable(message.customer_id.as_deref().unwrap_or("-")).into_owned();
    let conversation = hit.conversation.map_or("-".into(), |c| c.to_string());
    writeln!(
        out,
        "#{} {} {who}, customer {customer}, conversation {conversation} ({:.2})",
        stored.id,
        table_time(stored),
        hit.score
    )?;
    let (before, after) = match context {
        Some(n) => around(archive, stored.id, n).map_err(io::Error::other)?,
        None => (Vec::new(), Vec::new()),
    };
    write_context(&before, out)?;
    let (open, close) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    let mut line = String::from("  ");
    let mut marks = hit.highlights.iter().peekable();
    for (i, c) in hit.snippet.chars().enumerate() {
        if marks.peek().is_some_and(|&&(start, _)| start == i) {
            line.push_str(open);
        }
        push_printable(&mut line, c);
        if marks.peek().is_some_and(|&&(_, end)| end == i + 1) {
            line.push_str(close);
            marks.next();
        }
    }
    writeln!(out, "{line}")?;
    write_context(&after, out)
}

/// The `n` messages before and after message `id` in its conversation, in order.
pub fn around(
    archive: &plupper_archive::Archive,
    id: ArchiveId,
    n: usize,
) -> Result<(Vec<StoredMessage>, Vec<StoredMessage>), plupper_archive::Error> {
    let Some(conversation) = archive.conversation_of(id)? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let Some(conversation) = archive.conversation(conversation)? else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut messages = conversation.messages;
    let Some(at) = messages.iter().position(|m| m.id == id) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let after: Vec<StoredMessage> = messages.drain(at..).skip(1).take(n).collect();
    let before = messages.split_off(at.saturating_sub(n));
    Ok((before, after))
}

/// Context messages as transcript lines, indented under the hit.
fn write_context(messages: &[StoredMessage], out: &mut impl Write) -> io::Result<()> {
    for stored in messages {
        let mut line = Vec::new();
        plupper_audit::transcript::write_line(stored, &mut line)?;
        for text in String::from_utf8_lossy(&line).lines() {
            writeln!(out, "    {text}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    use super::{cut, cut_around, fit};

    #[test]
    fn a_cut_content_keeps_the_match_in_sight() {
        let text = "I forgot my password and cannot log in since yesterday";
        // Without a needle, or with one that fits, the cut is at the end.
        assert_eq!(cut_around(text, 20, None), "I forgot my passwor…");
        assert_eq!(cut_around(text, 20, Some("forgot")), "I forgot my passwor…");
        // The match would be cut off: the cut starts before it.
        let around = cut_around(text, 20, Some("PASSWORD"));
        assert!(
            around.starts_with('…') && around.contains("password"),
            "{around}"
        );
        assert_eq!(UnicodeWidthStr::width(around.as_str()), 20, "{around}");
        // Whole when there is room; no match, as `cut`.
        assert_eq!(cut_around(text, 100, Some("password")), text);
        assert_eq!(cut_around(text, 20, Some("absent")), cut(text, 20));
        // Wide characters and folding (`Ď` is found by `ď`).
        let slovak = "王小明王小明 povedal Ďakujem pekne";
        let around = cut_around(slovak, 16, Some("ďakujem"));
        assert!(around.contains("Ďakujem"), "{around}");
        assert!(UnicodeWidthStr::width(around.as_str()) <= 16, "{around}");
    }

    #[test]
    fn a_fitted_column_takes_its_width_in_terminal_columns() {
        for text in [
            "peter",
            "王小明",
            "😀 ok",
            "Ďakujem",
            "e\u{301}",
            "",
            "a-long-operator-name",
        ] {
            let fitted = fit(text, 10);
            assert_eq!(UnicodeWidthStr::width(fitted.as_str()), 10, "{text:?}");
        }
        assert_eq!(fit("王小明", 10), "王小明    ");
        assert_eq!(fit("a-long-operator-name", 10), "a-long-op…");
        // A wide character that does not fit whole leaves a space, not half of it.
        assert_eq!(fit("王小明王小明", 10), "王小明王… ");
        assert_eq!(cut("王小明王小明", 10), "王小明王…");
    }
}
