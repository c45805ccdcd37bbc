//! Making a bundle's files again from its messages and comparing them with the files it
//! holds, streaming: one element, line or conversation at a time.
//!
//! - `messages.json` is read element by element, each paired with the id of the same line
//!   of `messages.ndjson`; the three message files are written again from them
//!   ([`MessageFiles`]) into [`Comparer`]s. The elements must be in answer order.
//! - `originals.ndjson` is read a conversation at a time; it is written again, and so are
//!   `conversations.ndjson`, the transcripts and `index.html` ([`ConversationFiles`]).
//!   Each `selected` mark must be what the manifest's filter says of the message, and
//!   each conversation what the grouping rule makes of its messages.
//! - The selected messages of `originals.ndjson` and those of `messages.json` must be the
//!   same (id and original element): each side is summed, message by message, under a
//!   key drawn at random for this check (SipHash, 128 bits), so that equal sums mean the
//!   same messages, in whatever order, without holding them; nobody who changes a
//!   bundle can know the key to make unequal sides sum alike.

use std::collections::HashSet;
use std::fs::File;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::value::RawValue;

use plupper_model::element::{Element, parse_element};
use plupper_model::plural::counted;
use plupper_search::Filter;
use plupper_store::conversation::{ENTRY_LINE, GAP_SECONDS, Point, group};
use plupper_store::{ArchiveId, ConversationId, ConversationKey, ConversationRow, StoredMessage};

use super::derive::{Comparison, ConversationFiles, MessageFiles, Target};
use super::originals::{Line, stored_message, write_line};
use super::{MESSAGES_JSON, MESSAGES_NDJSON, Manifest, ORIGINALS, TRANSCRIPTS};
use crate::AuditError;
use crate::conversations::Conversation;
use crate::summary::ConversationSummary;

/// How many differences of one kind are named before the rest are counted.
const NAMED: usize = 20;

/// Rebuilds every file made from the messages and compares; see the module docs.
pub(super) fn check_contents(
    dir: &Path,
    manifest: &Manifest,
    differences: &mut Vec<String>,
) -> Result<(), AuditError> {
    let mut target = Comparison {
        dir,
        differences: Vec::new(),
        rebuilt: Vec::new(),
        transcripts: 0,
    };
    let mut found = Found::default();
    let mut same = SameMessages::new();
    let selected = check_messages(dir, &mut target, &mut same, &mut found)?;
    let shown = check_conversations(dir, manifest, &mut target, &mut same, &mut found)?;
    let counts = &manifest.counts;
    for (what, counted_here, recorded) in [
        ("selected messages", selected, counts.messages),
        ("context messages", shown.context, counts.context),
        ("conversations", shown.conversations, counts.conversations),
    ] {
        if counted_here != recorded {
            found.say(
                "count",
                format!("the bundle holds {counted_here} {what}; the manifest counts {recorded}"),
            );
        }
    }
    if shown.selected != selected || !same.agree() {
        found.say(
            "same",
            format!(
                "{MESSAGES_JSON} and the selected messages of {ORIGINALS} are not the same messages ({} against {}): a message was changed, added or removed in one of them",
                counted(selected, "message"),
                shown.selected
            ),
        );
    }
    check_listed(manifest, &mut target.rebuilt, &mut found);
    check_transcripts(dir, target.transcripts, &mut found)?;
    differences.append(&mut target.differences);
    differences.append(&mut found.finish());
    Ok(())
}

/// Differences found while reading, capped per kind.
#[derive(Default)]
struct Found {
    lines: Vec<String>,
    kinds: std::collections::BTreeMap<&'static str, usize>,
}

impl Found {
    fn say(&mut self, kind: &'static str, line: String) {
        let seen = self.kinds.entry(kind).or_default();
        *seen += 1;
        if *seen <= NAMED {
            self.lines.push(line);
        }
    }

    fn finish(mut self) -> Vec<String> {
        for (kind, seen) in &self.kinds {
            if *seen > NAMED {
                self.lines.push(format!(
                    "… and {} more differences like those above ({kind})",
                    seen - NAMED
                ));
            }
        }
        self.lines
    }
}

/// The two sides of the selected messages, summed under random keys.
struct SameMessages {
    keys: [RandomState; 2],
    messages: [u64; 2],
    originals: [u64; 2],
}

impl SameMessages {
    fn new() -> SameMessages {
        SameMessages {
            keys: [RandomState::new(), RandomState::new()],
            messages: [0; 2],
            originals: [0; 2],
        }
    }

    fn hash(&self, i: usize, id: i64, element: &str) -> u64 {
        let mut hasher = self.keys[i].build_hasher();
        hasher.write_i64(id);
        hasher.write(element.as_bytes());
        hasher.finish()
    }

    fn add(&mut self, original: bool, id: i64, element: &str) {
        for i in 0..2 {
            let hash = self.hash(i, id, element);
            let sums = if original {
                &mut self.originals
            } else {
                &mut self.messages
            };
            sums[i] = sums[i].wrapping_add(hash);
        }
    }

    fn agree(&self) -> bool {
        self.messages == self.originals
    }
}

/// Calls back with each element of a JSON array read from a reader, one at a time.
struct EachElement<F>(F);

impl<'de, F: FnMut(Box<RawValue>) -> Result<(), AuditError>> DeserializeSeed<'de>
    for EachElement<F>
{
    type Value = Result<(), AuditError>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Box<RawValue>) -> Result<(), AuditError>> Visitor<'de> for EachElement<F> {
    type Value = Result<(), AuditError>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of message elements")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Self::Value, A::Error> {
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            if let Err(error) = (self.0)(raw) {
                return Ok(Err(error));
            }
        }
        Ok(Ok(()))
    }
}

/// The ids of `messages.ndjson`, a line at a time.
struct Ids {
    lines: Option<std::io::Lines<BufReader<File>>>,
}

impl Ids {
    fn next(&mut self) -> Option<i64> {
        #[derive(serde::Deserialize)]
        struct Id {
            id: i64,
        }
        let line = self.lines.as_mut()?.next()?.ok()?;
        serde_json::from_str::<Id>(&line).ok().map(|id| id.id)
    }
}

/// The answer-order key of an element: instant (or wall clock as UTC), then id.
fn order(element: &Element, id: i64) -> (i64, i64) {
    (element.date.sort_key(), id)
}

/// `messages.json` (with the ids of `messages.ndjson`): the three message files again.
fn check_messages(
    dir: &Path,
    target: &mut Comparison<'_>,
    same: &mut SameMessages,
    found: &mut Found,
) -> Result<u64, AuditError> {
    let mut files = MessageFiles::open(target)?;
    let mut ids = Ids {
        lines: File::open(dir.join(MESSAGES_NDJSON))
            .ok()
            .map(|f| BufReader::new(f).lines()),
    };
    let mut count = 0u64;
    let mut last = None;
    let mut each = |raw: Box<RawValue>| -> Result<(), AuditError> {
        count += 1;
        let place = format!("{MESSAGES_JSON} element {count}");
        let Some(id) = ids.next() else {
            found.say(
                "id",
                format!("{place}: {MESSAGES_NDJSON} has no message id on line {count}"),
            );
            return Ok(());
        };
        let element = match parse_element(raw.get().as_bytes()) {
            Ok(element) => element,
            Err(error) => {
                found.say(
                    "parse",
                    format!("{place} (message {id}): no longer parses as a message: {error}"),
                );
                return Ok(());
            }
        };
        let key = order(&element, id);
        if last.is_some_and(|last| last >= key) {
            found.say(
                "order",
                format!("{place} (message {id}): out of answer order (the messages were moved)"),
            );
        }
        last = Some(key);
        same.add(false, id, raw.get());
        files.write(&stored_message(id, element))
    };
    match File::open(dir.join(MESSAGES_JSON)) {
        Ok(file) => {
            let mut reader = serde_json::Deserializer::from_reader(BufReader::new(file));
            match EachElement(&mut each).deserialize(&mut reader) {
                Ok(result) => result?,
                Err(error) => found.say(
                    "parse",
                    format!("{MESSAGES_JSON}: not an API response any more: {error}"),
                ),
            }
        }
        Err(error) => found.say("parse", format!("{MESSAGES_JSON}: cannot be read: {error}")),
    }
    files.close(target)?;
    Ok(count)
}

/// What `originals.ndjson` holds.
#[derive(Default)]
struct Shown {
    selected: u64,
    context: u64,
    conversations: u64,
}

/// One conversation of `originals.ndjson`, as read so far.
struct Group {
    id: i64,
    messages: Vec<StoredMessage>,
    entries: Vec<bool>,
    selected: HashSet<i64>,
    first_line: u64,
}

/// `originals.ndjson`: itself, the conversations' summaries, transcripts and page again.
fn check_conversations(
    dir: &Path,
    manifest: &Manifest,
    target: &mut Comparison<'_>,
    same: &mut SameMessages,
    found: &mut Found,
) -> Result<Shown, AuditError> {
    // Dates in the applied filter have four-digit years, read literally: the day given
    // here, which only two-digit years depend on, changes nothing.
    let today = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let filter = match Filter::from_query_string(&manifest.filter.applied, today) {
        Ok(filter) => Some(filter),
        Err(error) => {
            found.say(
                "filter",
                format!(
                    "manifest.json: its filter `{}` is not a filter any more: {error}",
                    manifest.filter.applied
                ),
            );
            None
        }
    };
    let mut matcher = filter.as_ref().map(Filter::matcher);
    let mut conversations = ConversationFiles::open(target, &manifest.page_info())?;
    let mut rebuilt = target.open(ORIGINALS)?;
    let mut shown = Shown::default();
    let mut current: Option<Group> = None;
    let mut last_start = None;
    let mut reader = match File::open(dir.join(ORIGINALS)) {
        Ok(file) => Some(BufReader::new(file)),
        Err(error) => {
            found.say("parse", format!("{ORIGINALS}: cannot be read: {error}"));
            None
        }
    };
    let mut text = String::new();
    let mut number = 0u64;
    while let Some(reader) = reader.as_mut() {
        text.clear();
        match reader.read_line(&mut text) {
            Ok(0) => break,
            Ok(_) => number += 1,
            Err(error) => {
                found.say(
                    "parse",
                    format!("{ORIGINALS} line {}: cannot be read: {error}", number + 1),
                );
                break;
            }
        }
        let line: Line<'_> = match serde_json::from_str(text.trim_end_matches('\n')) {
            Ok(line) => line,
            Err(error) => {
                found.say(
                    "parse",
                    format!("{ORIGINALS} line {number}: not a message line any more: {error}"),
                );
                continue;
            }
        };
        let place = format!("{ORIGINALS} line {number} (message {})", line.id);
        let element = match parse_element(line.element.get().as_bytes()) {
            Ok(element) => element,
            Err(error) => {
                found.say(
                    "parse",
                    format!("{place}: no longer parses as a message: {error}"),
                );
                continue;
            }
        };
        if let Some(matcher) = matcher.as_mut()
            && matcher.matches(&element) != line.selected
        {
            let (marked, says) = if line.selected {
                ("selected", "does not select it")
            } else {
                ("context", "selects it")
            };
            found.say(
                "selected",
                format!(
                    "{place}: marked {marked}, but the manifest's filter `{}` {says}",
                    manifest.filter.applied
                ),
            );
        }
        if line.selected {
            shown.selected += 1;
            same.add(true, line.id, line.element.get());
        } else {
            shown.context += 1;
        }
        let stored = stored_message(line.id, element);
        write_line(&mut rebuilt, line.conversation, &stored, line.selected)
            .map_err(super::io_error(&dir.join(ORIGINALS)))?;
        if current.as_ref().is_some_and(|g| g.id != line.conversation)
            && let Some(done) = current.take()
        {
            finish(
                done,
                target,
                &mut conversations,
                &mut last_start,
                &mut shown,
                found,
            )?;
        }
        let group = current.get_or_insert_with(|| Group {
            id: line.conversation,
            messages: Vec::new(),
            entries: Vec::new(),
            selected: HashSet::new(),
            first_line: number,
        });
        if line.selected {
            group.selected.insert(line.id);
        }
        group
            .entries
            .push(stored.message.message_type == "VO" && stored.message.content == ENTRY_LINE);
        group.messages.push(stored);
    }
    if let Some(done) = current.take() {
        finish(
            done,
            target,
            &mut conversations,
            &mut last_start,
            &mut shown,
            found,
        )?;
    }
    target.close(ORIGINALS, rebuilt)?;
    conversations.close(target)?;
    Ok(shown)
}

/// A conversation read whole: checked against the grouping rule, then its files made.
fn finish(
    group: Group,
    target: &mut Comparison<'_>,
    files: &mut ConversationFiles<super::compare::Comparer>,
    last_start: &mut Option<(i64, i64)>,
    shown: &mut Shown,
    found: &mut Found,
) -> Result<(), AuditError> {
    shown.conversations += 1;
    let place = format!(
        "{ORIGINALS} line {}: conversation {}",
        group.first_line, group.id
    );
    let points: Vec<Point> = group
        .messages
        .iter()
        .zip(&group.entries)
        .map(|(stored, &entry)| Point {
            id: stored.id.0,
            sort_key: sort_key(stored),
            entry,
        })
        .collect();
    let in_order = points
        .windows(2)
        .all(|w| (w[0].sort_key, w[0].id) < (w[1].sort_key, w[1].id));
    let first = &group.messages[0];
    let key = ConversationKey::of(
        first.message.visitor_id,
        first.message.customer_id.as_deref(),
    );
    let one_key = group.messages.iter().all(|m| {
        ConversationKey::of(m.message.visitor_id, m.message.customer_id.as_deref()) == key
    });
    let groups = group_ids(&points);
    if !in_order {
        found.say(
            "conversation",
            format!("{place}: its messages are not in answer order"),
        );
    } else if !one_key {
        found.say(
            "conversation",
            format!("{place}: holds messages of another visitor or customer"),
        );
    } else if groups != [group.id] {
        found.say(
            "conversation",
            format!(
                "{place}: its messages make conversations {groups:?} by the grouping rule (an entry line or more than 30 minutes of silence starts one; its id is its smallest message id)"
            ),
        );
    }
    if group.selected.is_empty() {
        found.say(
            "conversation",
            format!("{place}: none of its messages is selected, so it has no place in the bundle"),
        );
    }
    let start = (points[0].sort_key, points[0].id);
    if last_start.is_some_and(|last| last >= start) {
        found.say(
            "conversation",
            format!("{place}: out of order (conversations follow the order they started in)"),
        );
    }
    *last_start = Some(start);
    let Some(summary) = ConversationSummary::of(ConversationId(group.id), &group.messages) else {
        return Ok(());
    };
    let conversation = Conversation {
        row: ConversationRow {
            id: ConversationId(group.id),
            key,
            first_message: ArchiveId(points[0].id),
            first_key: points[0].sort_key,
            last_key: points[points.len() - 1].sort_key,
            messages: group.messages.len() as u64,
        },
        messages: group.messages,
        summary,
    };
    let selected = &group.selected;
    files.write(target, &conversation, &|id| selected.contains(&id))
}

fn sort_key(stored: &StoredMessage) -> i64 {
    stored.timestamp().map_or_else(
        || stored.wall_clock.and_utc().timestamp(),
        |t| t.timestamp(),
    )
}

/// The ids of the conversations the rule makes of these points.
fn group_ids(points: &[Point]) -> Vec<i64> {
    group(points, GAP_SECONDS).iter().map(|g| g.id.0).collect()
}

/// No transcript but those made again: the directory holds as many files as were made
/// (each made one was compared, so a missing one is named already); when it holds more,
/// those that no conversation of `originals.ndjson` makes are named.
fn check_transcripts(dir: &Path, made: u64, found: &mut Found) -> Result<(), AuditError> {
    let path = dir.join(TRANSCRIPTS);
    let entries = || std::fs::read_dir(&path).map_err(super::io_error(&path));
    // Without the directory, every transcript was named missing already.
    if !path.is_dir() {
        return Ok(());
    }
    let held = entries()?.count() as u64;
    if held <= made {
        return Ok(());
    }
    let conversations = conversation_ids(dir);
    for entry in entries()? {
        let name = entry.map_err(super::io_error(&path))?.file_name();
        let name = name.to_string_lossy();
        let known = name
            .strip_prefix("conversation-")
            .and_then(|n| n.strip_suffix(".txt"))
            .and_then(|id| id.parse::<i64>().ok())
            .is_some_and(|id| conversations.contains(&id));
        if !known {
            found.say(
                "listed",
                format!("{TRANSCRIPTS}/{name}: no conversation of {ORIGINALS} makes it (added after export)"),
            );
        }
    }
    Ok(())
}

/// The conversations of `originals.ndjson` (read again: only when a transcript is extra).
fn conversation_ids(dir: &Path) -> HashSet<i64> {
    #[derive(serde::Deserialize)]
    struct Conversation {
        conversation: i64,
    }
    let Ok(file) = File::open(dir.join(ORIGINALS)) else {
        return HashSet::new();
    };
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<Conversation>(&line).ok())
        .map(|c| c.conversation)
        .collect()
}

/// Every file the manifest lists was made again (but `originals.ndjson`, which the others
/// are made from): a transcript listed for a conversation the bundle does not hold is
/// named.
fn check_listed(manifest: &Manifest, rebuilt: &mut [String], found: &mut Found) {
    rebuilt.sort_unstable();
    for file in &manifest.files {
        let path = file.path.as_str();
        if path != ORIGINALS && rebuilt.binary_search_by(|p| p.as_str().cmp(path)).is_err() {
            let why = if path.starts_with(TRANSCRIPTS) {
                "transcripts are checked against the messages, never listed"
            } else {
                "not a file of a bundle"
            };
            found.say(
                "listed",
                format!("{path}: listed in the manifest, but {why}"),
            );
        }
    }
}
