//! A deterministic generator of realistic Plupper chat history, and writers for the
//! API list response and NDJSON formats.
//!
//! The same [`CorpusConfig`] always gives the same messages, byte for byte: all
//! randomness comes from ChaCha8 streams seeded with [`CorpusConfig::seed`], drawn through
//! this module's own sampling code.
//!
//! # The model
//!
//! - **Sessions.** A conversation starts with the visitor-side system line
//!   [`ENTRY_LINE`], then visitor (`VO`) and operator (`VT`) lines mostly alternate, with
//!   gaps of seconds to a few minutes; operators sometimes answer late, and some sessions
//!   are never answered or end right after the entry line. Many sessions run at once, so
//!   their lines interleave; the generator yields every line in chronological order.
//! - **When.** Session starts follow the traffic of a support desk in Bratislava: most on
//!   working days 8–18, less at night, at weekends and on public holidays, growing over
//!   the years. `created` is Java's `Date.toString()` in Europe/Bratislava
//!   ([`java_date`]).
//! - **Who.** Visitor ids grow from five digits in 2008 to seven by 2012, a few come from a
//!   second id space above 3 000 000 000, rarely none; a quarter of sessions come from a
//!   returning visitor. Customers (`IBM`, `Acme`, `Tatra banka`, `42`, …) are shared by
//!   many visitors; most visitors have none. Operators include `peter` and `Peter`, two
//!   different people; unanswered sessions often have none.
//! - **What.** English, Slovak, German and Greek phrasebooks with Zipf-distributed
//!   phrases, product names, e-mail addresses, URLs, order numbers, prices and
//!   percentages, emoji, free text over a long-tail vocabulary, rare words, pasted error
//!   reports with quotes, backslashes and newlines.
//! - **Repeats.** About one message in 5000 ([`DUPLICATE_RATE`]) is written twice in a
//!   row with identical fields (a visitor sending `ok` twice in the same second).
//!
//! # How it stays in constant memory
//!
//! The message count is met exactly without holding the corpus: a first pass over a
//! replayable "plan" stream draws session lengths until they cover
//! [`CorpusConfig::messages`] and sums the exponential spacings between session starts;
//! the second pass replays the same stream, so the bursts of session starts are sorted
//! order statistics of the traffic density, placed by one forward walk over the hours of
//! the range. Only the sessions running at a given moment are held, in a priority queue.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use plupper_model::wire::WireMessage;

mod bratislava;
mod dice;
mod people;
mod traffic;
mod vocabulary;

pub use bratislava::{BratislavaZone, java_date, local_time, zone_at};

use dice::Dice;
use people::{Visitor, VisitorBook};
use traffic::{Traffic, TrafficCursor};
use vocabulary::{Phase, Turn};

/// The system line that opens every session, on the visitor side (`VO`).
pub const ENTRY_LINE: &str = "Plupper: visitor has entered communication";

/// The intended share of messages that repeat the message before them exactly.
pub const DUPLICATE_RATE: f64 = 1.0 / 5000.0;

/// Chance that a line other than an entry line is repeated: entry lines are about one in
/// seven messages and are never repeated, so this is a little above [`DUPLICATE_RATE`].
const REPEAT_CHANCE: f64 = DUPLICATE_RATE / 0.865;

/// The earliest and latest years the generator accepts (four-digit years, as Java's
/// `yyyy` prints them).
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// The ChaCha8 stream that decides the sessions' kinds, lengths and start spacing.
const PLAN_STREAM: u64 = 1;
/// The ChaCha8 stream for everything else: people, gaps, text, repeats.
const CONTENT_STREAM: u64 = 2;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CorpusConfig {
    /// Exactly how many messages to generate.
    pub messages: u64,
    /// The seed: the same seed and options give byte-identical output.
    pub seed: u64,
    /// The first year of the time range (local time in Bratislava).
    pub start_year: i32,
    /// The last year of the time range, inclusive.
    pub end_year: i32,
}

impl Default for CorpusConfig {
    /// 1000 messages, seed 1, 2008 to 2012.
    fn default() -> Self {
        Self {
            messages: 1000,
            seed: 1,
            start_year: 2008,
            end_year: 2012,
        }
    }
}

/// A [`CorpusConfig`] that cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A year outside [`YEARS`].
    #[error("year {year} is outside the supported range 1000 to 9999")]
    YearOutOfRange {
        /// The year given.
        year: i32,
    },
    /// The start year is after the end year.
    #[error("start year {start} is after end year {end}")]
    YearsReversed {
        /// The start year given.
        start: i32,
        /// The end year given.
        end: i32,
    },
}

/// Which side of the conversation wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The visitor, or the system's entry line: API type `VO`.
    Visitor,
    /// The operator: API type `VT`.
    Operator,
}

impl Side {
    /// The API's `type` value.
    pub fn api_type(self) -> &'static str {
        match self {
            Side::Visitor => "VO",
            Side::Operator => "VT",
        }
    }
}

/// One generated message: the six API fields plus what the generator knows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedMessage {
    /// The session (conversation) the message belongs to, numbered from 0 in order of
    /// start. Not part of the API message.
    pub session: u64,
    /// The instant the message was written. Not part of the API message; `created` is
    /// its text.
    pub at: DateTime<Utc>,
    /// `content`.
    pub content: String,
    /// `customerId`.
    pub customer_id: Option<&'static str>,
    /// `created`: `at` as Java's `Date.toString()` prints it in Europe/Bratislava.
    pub created: String,
    /// `visitorId`.
    pub visitor_id: Option<i64>,
    /// `type`, as a side.
    pub side: Side,
    /// `operator`.
    pub operator: Option<&'static str>,
}

impl GeneratedMessage {
    /// The six API fields, in the API's key order (the model's one wire shape).
    fn wire(&self) -> WireMessage<'_> {
        WireMessage {
            content: &self.content,
            customer_id: self.customer_id,
            created: &self.created,
            visitor_id: self.visitor_id,
            message_type: self.side.api_type(),
            operator: self.operator,
        }
    }

    /// The API object as compact JSON, keys in the API's order:
    /// `{"content":…,"customerId":…,"created":…,"visitorId":…,"type":…,"operator":…}`.
    pub fn object_text(&self) -> String {
        let mut text = Vec::with_capacity(160 + self.content.len());
        self.write_object(&mut text);
        String::from_utf8(text).unwrap_or_default()
    }

    fn write_object(&self, out: &mut Vec<u8>) {
        // Serialising plain strings, integers and nulls into memory cannot fail.
        let _ = serde_json::to_writer(out, &self.wire());
    }

    /// The year of `created` (the local calendar year in Bratislava).
    pub fn written_year(&self) -> i32 {
        local_time(self.at).year()
    }

    /// The calendar date of `created`.
    pub fn written_date(&self) -> NaiveDate {
        local_time(self.at).date()
    }
}

/// What kind of session the plan drew.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SessionKind {
    /// The visitor entered and left: only the entry line.
    Bounce,
    /// The visitor wrote, nobody answered.
    Unanswered,
    /// A conversation between visitor and operator.
    Conversation,
}

/// One session as the plan stream decides it.
#[derive(Debug, Clone, Copy)]
struct PlannedSession {
    kind: SessionKind,
    /// Lines including the entry line.
    length: u64,
    /// Exponential spacing before the session's start, in units of the plan; zero for a
    /// session that joins the previous one's burst.
    spacing: f64,
    /// Seconds after the burst's start (zero for the session that starts a burst).
    offset: i64,
}

/// Share of sessions that start within a quarter of an hour of the one before (a
/// newsletter went out, colleagues share a link): what makes sessions overlap even in a
/// small corpus.
const BURST: f64 = 0.3;

/// The replayable stream of planned sessions.
#[derive(Debug, Clone)]
struct Plan {
    dice: Dice,
    drawn: u64,
}

impl Plan {
    fn new(seed: u64) -> Self {
        Self {
            dice: Dice::new(seed, PLAN_STREAM),
            drawn: 0,
        }
    }

    fn next_session(&mut self) -> PlannedSession {
        let first = self.drawn == 0;
        self.drawn += 1;
        let dice = &mut self.dice;
        let roll = dice.unit();
        let (kind, length) = if roll < 0.05 {
            (SessionKind::Bounce, 1)
        } else if roll < 0.13 {
            (SessionKind::Unanswered, 1 + dice.between(1, 3))
        } else {
            let mut lines = 2;
            while lines < 30 && dice.chance(0.84) {
                lines += 1;
            }
            (SessionKind::Conversation, 1 + lines)
        };
        let (spacing, offset) = if !first && dice.chance(BURST) {
            (0.0, dice.between(0, 900) as i64)
        } else {
            (dice.exponential(), 0)
        };
        PlannedSession {
            kind,
            length,
            spacing,
            offset,
        }
    }
}

/// The first pass: how many sessions cover the message count, and the sum of their
/// spacings plus one more (so the last start falls strictly inside the range).
fn survey(seed: u64, messages: u64) -> (u64, f64) {
    let mut plan = Plan::new(seed);
    let mut unplanned = messages;
    let mut sessions = 0;
    let mut spacing = 0.0;
    while unplanned > 0 {
        let session = plan.next_session();
        unplanned = unplanned.saturating_sub(session.length);
        sessions += 1;
        spacing += session.spacing;
    }
    spacing += plan.next_session().spacing;
    (sessions, spacing)
}

/// A running session.
#[derive(Debug)]
struct Session {
    id: u64,
    kind: SessionKind,
    /// Lines still to write, including the next one.
    left: u64,
    /// Lines written so far.
    written: u64,
    next_side: Side,
    visitor: Visitor,
    operator: Option<&'static str>,
    visitor_spoke: bool,
    operator_spoke: bool,
}

/// A session's next line, waiting in the queue.
#[derive(Debug)]
struct Pending {
    /// Unix seconds.
    at: i64,
    /// Ties at the same second go in queueing order.
    seq: u64,
    session: Box<Session>,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Pending {}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

/// The generator: an iterator over exactly [`CorpusConfig::messages`] messages in
/// chronological order (ties keep a fixed order), in constant memory.
///
/// ```
/// use plupper_testkit::corpus::{CorpusConfig, Generator, ENTRY_LINE};
///
/// let config = CorpusConfig { messages: 50, seed: 3, ..CorpusConfig::default() };
/// let messages: Vec<_> = Generator::new(config)?.collect();
/// assert_eq!(messages.len(), 50);
/// assert_eq!(messages[0].content, ENTRY_LINE);
/// assert!(messages.windows(2).all(|pair| pair[0].at <= pair[1].at));
/// # Ok::<(), plupper_testkit::corpus::ConfigError>(())
/// ```
#[derive(Debug)]
pub struct Generator {
    config: CorpusConfig,
    plan: Plan,
    sessions_left: u64,
    unplanned: u64,
    spacing_total: f64,
    spacing_so_far: f64,
    traffic: Traffic,
    cursor: TrafficCursor,
    /// The next session not yet queued, with its burst's start: no later session starts
    /// before that.
    upcoming: Option<(i64, Pending)>,
    queue: BinaryHeap<Reverse<Pending>>,
    dice: Dice,
    visitors: VisitorBook,
    next_seq: u64,
    next_session: u64,
    emitted: u64,
    repeat: Option<GeneratedMessage>,
}

impl Generator {
    /// A generator for `config`.
    pub fn new(config: CorpusConfig) -> Result<Self, ConfigError> {
        for year in [config.start_year, config.end_year] {
            if !YEARS.contains(&year) {
                return Err(ConfigError::YearOutOfRange { year });
            }
        }
        if config.start_year > config.end_year {
            return Err(ConfigError::YearsReversed {
                start: config.start_year,
                end: config.end_year,
            });
        }
        let traffic = Traffic::new(range_start(config.start_year), range_end(config.end_year));
        let (sessions, spacing_total) = survey(config.seed, config.messages);
        Ok(Self {
            config,
            plan: Plan::new(config.seed),
            sessions_left: sessions,
            unplanned: config.messages,
            spacing_total,
            spacing_so_far: 0.0,
            cursor: traffic.cursor(),
            traffic,
            upcoming: None,
            queue: BinaryHeap::new(),
            dice: Dice::new(config.seed, CONTENT_STREAM),
            visitors: VisitorBook::new(),
            next_seq: 0,
            next_session: 0,
            emitted: 0,
            repeat: None,
        })
    }

    /// The configuration this generator was made with.
    pub fn config(&self) -> &CorpusConfig {
        &self.config
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Plans the next session and places its start, or `None` when all are planned.
    /// Also returns the start of the session's burst, which never decreases.
    fn plan_session(&mut self) -> Option<(i64, Pending)> {
        if self.sessions_left == 0 || self.unplanned == 0 {
            return None;
        }
        let planned = self.plan.next_session();
        self.sessions_left -= 1;
        let length = planned.length.min(self.unplanned);
        self.unplanned -= length;
        self.spacing_so_far += planned.spacing;
        let position = self.spacing_so_far / self.spacing_total * self.traffic.total();
        let burst = self.cursor.locate(&self.traffic, position);
        let at = burst + planned.offset;

        let start = DateTime::from_timestamp(at, 0).unwrap_or_default();
        let visitor = self.visitors.visitor(&mut self.dice, start);
        let nobody = match planned.kind {
            SessionKind::Conversation => 0.0,
            SessionKind::Unanswered => 0.5,
            SessionKind::Bounce => 0.3,
        };
        let operator = people::operator(&mut self.dice, nobody);
        let id = self.next_session;
        self.next_session += 1;
        let session = Session {
            id,
            kind: planned.kind,
            left: length,
            written: 0,
            next_side: Side::Visitor,
            visitor,
            operator,
            visitor_spoke: false,
            operator_spoke: false,
        };
        let pending = Pending {
            at,
            seq: self.seq(),
            session: Box::new(session),
        };
        Some((burst, pending))
    }

    /// Queues sessions until every session that could start at or before the earliest
    /// queued line is queued, so the queue's head is the next line in time.
    fn admit_sessions(&mut self) {
        loop {
            if self.upcoming.is_none() {
                self.upcoming = self.plan_session();
            }
            let Some((burst, _)) = &self.upcoming else {
                return;
            };
            if let Some(Reverse(next)) = self.queue.peek()
                && next.at < *burst
            {
                return;
            }
            if let Some((_, pending)) = self.upcoming.take() {
                self.queue.push(Reverse(pending));
            }
        }
    }

    /// Writes a session's next line and queues the one after; true in the second field
    /// when the line is the session's entry line.
    fn step(&mut self, pending: Pending) -> (GeneratedMessage, bool) {
        let Pending {
            at, mut session, ..
        } = pending;
        let instant = DateTime::from_timestamp(at, 0).unwrap_or_default();
        let entry = session.written == 0;
        let (side, content) = if entry {
            (Side::Visitor, ENTRY_LINE.to_owned())
        } else {
            let side = session.next_side;
            let turn = Turn {
                language: session.visitor.language,
                side,
                phase: phase(&session, side),
                operator: session.operator,
                year: local_time(instant).year(),
            };
            (side, vocabulary::compose(&mut self.dice, &turn))
        };
        if !entry {
            match side {
                Side::Visitor => session.visitor_spoke = true,
                Side::Operator => session.operator_spoke = true,
            }
        }
        session.written += 1;
        session.left -= 1;
        let message = GeneratedMessage {
            session: session.id,
            at: instant,
            content,
            customer_id: session.visitor.customer,
            created: java_date(instant),
            visitor_id: session.visitor.id,
            side,
            operator: session.operator,
        };
        if session.left > 0 {
            let (next_side, gap) = self.next_turn(&session, side, entry);
            session.next_side = next_side;
            let seq = self.seq();
            self.queue.push(Reverse(Pending {
                at: at + gap,
                seq,
                session,
            }));
        }
        (message, entry)
    }

    /// Who writes next in `session` and after how many seconds. Gaps are at most 900 s
    /// and sessions at most 31 lines, so a session lasts at most 7.5 hours.
    fn next_turn(&mut self, session: &Session, last: Side, after_entry: bool) -> (Side, i64) {
        let dice = &mut self.dice;
        let (side, gap) = if after_entry {
            (Side::Visitor, dice.between(3, 45))
        } else if session.kind != SessionKind::Conversation {
            (Side::Visitor, dice.between(20, 240))
        } else if last == Side::Visitor {
            if dice.chance(0.18) {
                (Side::Visitor, dice.between(4, 50))
            } else {
                let roll = dice.unit();
                let gap = if roll < 0.70 {
                    dice.between(8, 90)
                } else if roll < 0.92 {
                    dice.between(90, 240)
                } else {
                    // The operator is busy with another chat.
                    dice.between(240, 900)
                };
                (Side::Operator, gap)
            }
        } else if dice.chance(0.22) {
            (Side::Operator, dice.between(5, 45))
        } else if dice.chance(0.85) {
            (Side::Visitor, dice.between(5, 120))
        } else {
            (Side::Visitor, dice.between(120, 600))
        };
        (side, gap as i64)
    }
}

/// Where in its session a line falls.
fn phase(session: &Session, side: Side) -> Phase {
    let spoke = match side {
        Side::Visitor => session.visitor_spoke,
        Side::Operator => session.operator_spoke,
    };
    let both_spoke = session.visitor_spoke && session.operator_spoke;
    if !spoke {
        Phase::Opening
    } else if both_spoke && session.left <= 2 {
        Phase::Closing
    } else {
        Phase::Middle
    }
}

/// Midnight of January 1 of `year` in Bratislava (CET), as an instant.
fn range_start(year: i32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|local| local.and_utc() - chrono::TimeDelta::hours(1))
        .unwrap_or_default()
}

/// 16:00 of December 31 of `year` in Bratislava (CET), as an instant: the last burst
/// starts before it, its sessions start at most 15 minutes later and last at most 7.5
/// hours, so every line stays within the year.
fn range_end(year: i32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, 12, 31)
        .and_then(|date| date.and_hms_opt(16, 0, 0))
        .map(|local| local.and_utc() - chrono::TimeDelta::hours(1))
        .unwrap_or_default()
}

impl Iterator for Generator {
    type Item = GeneratedMessage;

    fn next(&mut self) -> Option<GeneratedMessage> {
        if self.emitted >= self.config.messages {
            return None;
        }
        let message = match self.repeat.take() {
            Some(message) => message,
            None => {
                self.admit_sessions();
                let Reverse(pending) = self.queue.pop()?;
                let (message, entry) = self.step(pending);
                if !entry && self.dice.chance(REPEAT_CHANCE) {
                    self.repeat = Some(message.clone());
                }
                message
            }
        };
        self.emitted += 1;
        Some(message)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.config.messages - self.emitted).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An API list response: `[`, then the elements joined by `, `, then `]` (no
    /// newline). Each element is a JSON string whose text is the message's compact
    /// object ([`GeneratedMessage::object_text`]).
    Api,
    /// One compact object per line, each line ending in `\n`.
    Ndjson,
}

impl Format {
    /// The file name extension for the format: `json` or `ndjson`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Api => "json",
            Format::Ndjson => "ndjson",
        }
    }
}

/// Streams messages into a writer in one [`Format`]. Buffered internally; call
/// [`MessageWriter::finish`] to close the response and flush.
#[derive(Debug)]
pub struct MessageWriter<W: Write> {
    out: BufWriter<W>,
    format: Format,
    written: u64,
    object: Vec<u8>,
}

impl<W: Write> MessageWriter<W> {
    /// Starts the output (for [`Format::Api`], writes the opening `[`).
    pub fn new(out: W, format: Format) -> io::Result<Self> {
        let mut out = BufWriter::with_capacity(64 * 1024, out);
        if format == Format::Api {
            out.write_all(b"[")?;
        }
        Ok(Self {
            out,
            format,
            written: 0,
            object: Vec::with_capacity(512),
        })
    }

    /// Writes one message.
    pub fn write(&mut self, message: &GeneratedMessage) -> io::Result<()> {
        self.object.clear();
        message.write_object(&mut self.object);
        match self.format {
            Format::Api => {
                if self.written > 0 {
                    self.out.write_all(b", ")?;
                }
                let text = std::str::from_utf8(&self.object)
                    .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
                serde_json::to_writer(&mut self.out, text)?;
            }
            Format::Ndjson => {
                self.out.write_all(&self.object)?;
                self.out.write_all(b"\n")?;
            }
        }
        self.written += 1;
        Ok(())
    }

    /// How many messages have been written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Ends the output (for [`Format::Api`], writes the closing `]`), flushes, and gives
    /// the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        if self.format == Format::Api {
            self.out.write_all(b"]")?;
        }
        self.out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }
}

/// Writes `messages` to `out` in `format`; returns how many were written.
pub fn write_messages<W, I>(out: W, format: Format, messages: I) -> io::Result<u64>
where
    W: Write,
    I: IntoIterator<Item = GeneratedMessage>,
{
    let mut writer = MessageWriter::new(out, format)?;
    for message in messages {
        writer.write(&message)?;
    }
    let written = writer.written();
    writer.finish()?;
    Ok(written)
}

/// Writes `messages` to `out` as an API list response ([`Format::Api`]); returns how many
/// were written.
pub fn write_api<W, I>(out: W, messages: I) -> io::Result<u64>
where
    W: Write,
    I: IntoIterator<Item = GeneratedMessage>,
{
    write_messages(out, Format::Api, messages)
}

/// Writes `messages` to `out` as NDJSON ([`Format::Ndjson`]); returns how many were
/// written.
pub fn write_ndjson<W, I>(out: W, messages: I) -> io::Result<u64>
where
    W: Write,
    I: IntoIterator<Item = GeneratedMessage>,
{
    write_messages(out, Format::Ndjson, messages)
}

/// One file written by [`write_by_year`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearFile {
    /// The year of `created` of every message in the file.
    pub year: i32,
    /// `DIR/messages-YYYY.json` (or `.ndjson`).
    pub path: PathBuf,
    /// How many messages it holds.
    pub messages: u64,
}

/// Writing a file failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    /// The file or directory being written.
    pub path: PathBuf,
    /// What went wrong.
    #[source]
    pub source: io::Error,
}

/// Writes chronological `messages` into `dir` (created if missing), one file per year of
/// `created`: `messages-YYYY.json` for [`Format::Api`], `messages-YYYY.ndjson` for
/// [`Format::Ndjson`]. Only years with messages get a file (an empty NDJSON file would
/// not be a valid input); existing files of those years are replaced, others are left
/// alone. One file is open at a time.
pub fn write_by_year<I>(
    dir: &Path,
    format: Format,
    messages: I,
) -> Result<Vec<YearFile>, WriteError>
where
    I: IntoIterator<Item = GeneratedMessage>,
{
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WriteError { path, source }
    };
    fs::create_dir_all(dir).map_err(failed(dir))?;
    let mut files = Vec::new();
    let mut current: Option<(YearFile, MessageWriter<File>)> = None;
    for message in messages {
        let year = message.written_year();
        if current.as_ref().is_none_or(|(file, _)| file.year != year) {
            if let Some((file, writer)) = current.take() {
                writer.finish().map_err(failed(&file.path))?;
                files.push(file);
            }
            let path = dir.join(format!("messages-{year:04}.{}", format.extension()));
            let writer = File::create(&path)
                .and_then(|out| MessageWriter::new(out, format))
                .map_err(failed(&path))?;
            let file = YearFile {
                year,
                path,
                messages: 0,
            };
            current = Some((file, writer));
        }
        if let Some((file, writer)) = current.as_mut() {
            writer.write(&message).map_err(failed(&file.path))?;
            file.messages += 1;
        }
    }
    if let Some((file, writer)) = current {
        writer.finish().map_err(failed(&file.path))?;
        files.push(file);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, TimeDelta};
    use std::collections::{HashMap, HashSet};

    fn config(messages: u64, seed: u64) -> CorpusConfig {
        CorpusConfig {
            messages,
            seed,
            ..CorpusConfig::default()
        }
    }

    fn generate(config: CorpusConfig) -> Vec<GeneratedMessage> {
        Generator::new(config).expect("valid config").collect()
    }

    fn api_bytes(config: CorpusConfig) -> Vec<u8> {
        let mut out = Vec::new();
        write_api(&mut out, Generator::new(config).expect("valid config")).expect("in memory");
        out
    }

    /// The API object as the model reads it; the model's canonical form of it must be
    /// the text itself, which proves the key order and the compact form.
    fn assert_canonical_object(text: &str) -> plupper_model::Message {
        let element = plupper_model::element::parse_element(text.as_bytes()).expect("an element");
        assert_eq!(plupper_model::wire::object_json(&element.message), text);
        let keys: Vec<String> =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
                .expect("an object")
                .keys()
                .cloned()
                .collect();
        assert_eq!(keys.len(), 6, "exactly six keys in {text}");
        element.message
    }

    #[test]
    fn same_seed_gives_identical_bytes() {
        let first = api_bytes(config(3000, 42));
        let second = api_bytes(config(3000, 42));
        assert_eq!(first, second);
    }

    #[test]
    fn different_seed_gives_different_bytes() {
        assert_ne!(api_bytes(config(500, 1)), api_bytes(config(500, 2)));
    }

    #[test]
    fn generates_exactly_the_count_in_order_and_in_range() {
        for messages in [0, 1, 2, 7, 1234] {
            let generated = generate(config(messages, 11));
            assert_eq!(generated.len() as u64, messages);
            assert!(generated.windows(2).all(|pair| pair[0].at <= pair[1].at));
            for message in &generated {
                assert!(
                    (2008..=2012).contains(&message.written_year()),
                    "{}",
                    message.created
                );
            }
        }
    }

    #[test]
    fn a_single_year_stays_in_that_year() {
        let config = CorpusConfig {
            messages: 2000,
            seed: 5,
            start_year: 2012,
            end_year: 2012,
        };
        let generated = generate(config);
        assert_eq!(generated.len(), 2000);
        assert!(
            generated
                .iter()
                .all(|message| message.written_year() == 2012)
        );
    }

    #[test]
    fn invalid_years_are_rejected() {
        let reversed = CorpusConfig {
            start_year: 2012,
            end_year: 2008,
            ..CorpusConfig::default()
        };
        assert_eq!(
            Generator::new(reversed).err(),
            Some(ConfigError::YearsReversed {
                start: 2012,
                end: 2008
            })
        );
        let too_late = CorpusConfig {
            end_year: 10_000,
            ..CorpusConfig::default()
        };
        assert_eq!(
            Generator::new(too_late).err(),
            Some(ConfigError::YearOutOfRange { year: 10_000 })
        );
    }

    #[test]
    fn api_output_is_an_array_of_strings_holding_ordered_objects() {
        let bytes = api_bytes(config(2000, 3));
        assert_eq!(bytes.first(), Some(&b'['));
        assert_eq!(bytes.last(), Some(&b']'));
        let elements: Vec<String> = serde_json::from_slice(&bytes).expect("an array of strings");
        assert_eq!(elements.len(), 2000);
        let mut rebuilt = String::from("[");
        for (index, element) in elements.iter().enumerate() {
            assert!(element.starts_with("{\"content\":"), "{element}");
            let object = assert_canonical_object(element);
            assert!(object.message_type == "VO" || object.message_type == "VT");
            if index > 0 {
                rebuilt.push_str(", ");
            }
            rebuilt.push_str(&serde_json::to_string(element).expect("serialise"));
        }
        rebuilt.push(']');
        assert_eq!(
            rebuilt.as_bytes(),
            bytes.as_slice(),
            "elements joined by \", \""
        );
    }

    #[test]
    fn ndjson_output_is_one_ordered_object_per_line() {
        let mut out = Vec::new();
        let written = write_ndjson(&mut out, Generator::new(config(1500, 3)).expect("config"))
            .expect("in memory");
        assert_eq!(written, 1500);
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.ends_with('\n'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1500);
        let generated = generate(config(1500, 3));
        for (line, message) in lines.iter().zip(&generated) {
            assert_canonical_object(line);
            assert_eq!(*line, message.object_text());
        }
    }

    #[test]
    fn split_by_year_files_concatenate_to_the_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = write_by_year(
            dir.path(),
            Format::Api,
            Generator::new(config(3000, 7)).expect("config"),
        )
        .expect("written");
        let years: Vec<i32> = files.iter().map(|file| file.year).collect();
        assert_eq!(years, vec![2008, 2009, 2010, 2011, 2012]);
        let mut elements = Vec::new();
        for file in &files {
            assert_eq!(
                file.path,
                dir.path().join(format!("messages-{}.json", file.year))
            );
            let bytes = fs::read(&file.path).expect("readable");
            let mut these: Vec<String> = serde_json::from_slice(&bytes).expect("an API response");
            assert_eq!(these.len() as u64, file.messages);
            let marker = format!(" {}\"", file.year);
            assert!(these.iter().all(|element| element.contains(&marker)));
            elements.append(&mut these);
        }
        let whole: Vec<String> =
            serde_json::from_slice(&api_bytes(config(3000, 7))).expect("array");
        assert_eq!(elements, whole);

        let files = write_by_year(
            dir.path(),
            Format::Ndjson,
            Generator::new(config(100, 7)).expect("config"),
        )
        .expect("written");
        assert!(
            files
                .iter()
                .all(|file| file.path.extension().is_some_and(|ext| ext == "ndjson"))
        );
    }

    #[test]
    fn created_has_the_right_weekday_zone_and_instant() {
        for message in generate(config(5000, 8)) {
            let fields: Vec<&str> = message.created.split(' ').collect();
            assert_eq!(fields.len(), 6, "{}", message.created);
            let wall = format!("{} {} {} {}", fields[1], fields[2], fields[5], fields[3]);
            let local =
                NaiveDateTime::parse_from_str(&wall, "%b %d %Y %H:%M:%S").expect("a valid date");
            assert_eq!(
                local.format("%a").to_string(),
                fields[0],
                "{}",
                message.created
            );
            let offset = match fields[4] {
                "CET" => TimeDelta::hours(1),
                "CEST" => TimeDelta::hours(2),
                other => panic!("unexpected zone {other}"),
            };
            assert_eq!(
                (local - offset).and_utc(),
                message.at,
                "{}",
                message.created
            );
        }
    }

    #[test]
    fn every_session_starts_with_the_entry_line() {
        let mut seen = HashSet::new();
        let mut sessions = 0;
        for message in generate(config(20_000, 9)) {
            if seen.insert(message.session) {
                sessions += 1;
                assert_eq!(message.content, ENTRY_LINE);
                assert_eq!(message.side, Side::Visitor);
            } else {
                assert_ne!(message.content, ENTRY_LINE);
            }
        }
        assert!(sessions > 1000, "{sessions}");
    }

    #[test]
    fn sessions_interleave_and_alternate() {
        let generated = generate(config(20_000, 10));
        let mut open = HashMap::new();
        let mut interleaved = 0;
        let mut switches = 0;
        let mut last_side: HashMap<u64, Side> = HashMap::new();
        for (index, message) in generated.iter().enumerate() {
            if let Some(previous) = open.insert(message.session, index)
                && previous + 1 != index
            {
                interleaved += 1;
            }
            if let Some(side) = last_side.insert(message.session, message.side)
                && side != message.side
            {
                switches += 1;
            }
        }
        // Sparse on purpose (20 000 messages over five years): bursts still overlap.
        assert!(interleaved > generated.len() / 20, "{interleaved}");
        assert!(switches > generated.len() / 3, "{switches}");
    }

    #[test]
    fn duplicates_happen_at_about_the_intended_rate() {
        let generated = generate(config(100_000, 12));
        let repeats = generated
            .windows(2)
            .filter(|pair| pair[0] == pair[1])
            .count();
        // Expected 20; a fixed seed makes this exact, the bounds allow retuning.
        assert!((8..=40).contains(&repeats), "{repeats} repeats");
        for pair in generated.windows(2).filter(|pair| pair[0] == pair[1]) {
            assert_ne!(pair[0].content, ENTRY_LINE);
        }
    }

    #[test]
    fn traffic_follows_working_hours_and_weekdays() {
        let generated = generate(config(30_000, 13));
        let mut working = 0;
        let mut weekend = 0;
        for message in &generated {
            let local = local_time(message.at);
            let hour = chrono::Timelike::hour(&local);
            let weekday = local.weekday().num_days_from_monday();
            if weekday >= 5 {
                weekend += 1;
            } else if (8..18).contains(&hour) {
                working += 1;
            }
        }
        assert!(working * 10 > generated.len() * 6, "{working}");
        assert!(weekend * 100 < generated.len() * 15, "{weekend}");
        assert!(weekend * 100 > generated.len() * 3, "{weekend}");
    }

    #[test]
    fn fields_have_the_intended_variety() {
        let generated = generate(config(30_000, 14));
        let operators: HashSet<_> = generated.iter().filter_map(|m| m.operator).collect();
        for name in ["john", "peter", "Peter", "anna", "mária", "jozef"] {
            assert!(operators.contains(name), "operator {name}");
        }
        let customers: HashSet<_> = generated.iter().filter_map(|m| m.customer_id).collect();
        for name in ["IBM", "Acme", "Siemens", "Tatra banka", "42"] {
            assert!(customers.contains(name), "customer {name}");
        }
        let count = |predicate: &dyn Fn(&GeneratedMessage) -> bool| {
            generated.iter().filter(|m| predicate(m)).count()
        };
        assert!(count(&|m| m.customer_id.is_none()) > generated.len() / 3);
        assert!(count(&|m| m.operator.is_none()) > 0);
        assert!(count(&|m| m.visitor_id.is_none()) > 0);
        assert!(count(&|m| m.visitor_id.is_some_and(|id| id > 3_000_000_000)) > 0);
        assert!(count(&|m| !m.content.is_ascii()) > generated.len() / 10);
        for needle in [
            "ďakujem", "Ďakujem", "prosím", "účet", "Größe", "Straße", "GROSS", "ΟΔΟΣ", "σας",
            "100%", "50% off", "$", "@", "http", "\"", "\\", "/",
        ] {
            assert!(
                count(&|m| m.content.contains(needle)) > 0,
                "content with {needle}"
            );
        }
        let visitors: HashSet<_> = generated.iter().filter_map(|m| m.visitor_id).collect();
        let sessions: HashSet<_> = generated.iter().map(|m| m.session).collect();
        assert!(visitors.len() < sessions.len(), "some visitors return");
    }

    #[test]
    fn memory_stays_bounded() {
        let mut generator = Generator::new(config(200_000, 15)).expect("config");
        let mut largest = 0;
        while generator.next().is_some() {
            largest = largest.max(generator.queue.len());
        }
        assert!(largest < 200, "{largest} sessions queued at once");
    }
}
