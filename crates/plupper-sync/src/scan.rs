//! Splitting a byte stream into elements without parsing them: an API list response
//! (a JSON array) or NDJSON (one object per line).
//!
//! The scanners find each element's exact bytes (its verbatim original) and its byte
//! offset, reading through a fixed buffer, so a file of any size is read in bounded
//! memory. They check only the array's own syntax (brackets, commas, string quotes);
//! each element is parsed later, in parallel, and a bad element is quarantined on its
//! own. serde_json's streaming reader is not used for the array because one bad element
//! (invalid UTF-8, a raw control character) would end the stream, and its errors give
//! lines and columns rather than the byte offsets the quarantine records.

use std::io::{self, Read};

/// The largest element (or NDJSON line) kept whole; a larger one is damage. Generous:
/// the contract asks for 1 MiB contents.
pub const MAX_ELEMENT: usize = 64 << 20;

/// The most of a damaged file's rest that is kept in quarantine.
pub const MAX_REST: usize = 64 << 20;

/// One element's bytes and where it stood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawElement {
    /// The element number (0-based) in the source.
    pub index: u64,
    /// The byte offset of its first byte in the source.
    pub offset: u64,
    /// The bytes, without the whitespace around them.
    pub bytes: Vec<u8>,
}

/// Where an API list response breaks its syntax (or ends early).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The byte offset where the damage starts.
    pub offset: u64,
    /// What is wrong.
    pub reason: String,
    /// The source's bytes from `offset` on (at most [`MAX_REST`]).
    pub rest: Vec<u8>,
    /// Whether `rest` is all of it.
    pub rest_complete: bool,
}

/// What a scanner yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanItem {
    /// An element to parse.
    Element(RawElement),
    /// The list's syntax is broken here; nothing follows.
    Damage(Damage),
}

/// The shape of a source, told from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A JSON array: an API list response.
    List,
    /// One JSON object per line.
    Ndjson,
}

/// Tells the format from the first bytes of a source, or says why it is not one the
/// importer knows. `head` is what was read of it, `whole` whether that is all of it.
///
/// A source is a list when its first non-blank character is `[`; NDJSON when it is `{`
/// and one of the first lines is a whole JSON value (a pretty-printed single object is
/// not NDJSON), or when a line that starts with `{` in its first column runs past the
/// head: a message may be longer than any head (the contract accepts 1 MiB of content),
/// and the lines of a pretty-printed object are indented. Anything else (empty, binary,
/// another JSON value) is foreign.
pub fn detect(head: &[u8], whole: bool) -> Result<Format, String> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if head.contains(&0) {
        return Err("a binary file (it contains NUL bytes)".into());
    }
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(if head.is_empty() {
            "an empty file".into()
        } else {
            "a file of only white space".into()
        });
    };
    match head[start] {
        b'[' => Ok(Format::List),
        b'{' => {
            // Unless the head is the whole source, its last line may be cut short.
            let text = &head[start..];
            let cut = match text.iter().rposition(|&b| b == b'\n') {
                _ if whole => text.len(),
                Some(newline) => newline + 1,
                None => 0,
            };
            let (lines, cut_line) = text.split_at(cut);
            let value = |line: &[u8]| serde_json::from_slice::<serde::de::IgnoredAny>(line).is_ok();
            if lines.split(|&b| b == b'\n').take(8).any(value) || cut_line.first() == Some(&b'{') {
                Ok(Format::Ndjson)
            } else {
                Err(
                    "a JSON object that is not an API list response (a JSON array) or NDJSON"
                        .into(),
                )
            }
        }
        b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
            Err("a JSON value that is not an API list response (a JSON array) or NDJSON".into())
        }
        byte if byte.is_ascii_graphic() => Err("not JSON".into()),
        byte => Err(format!("not JSON (it starts with byte 0x{byte:02x})")),
    }
}

/// A reader with a position, a look-ahead byte, and a buffer of its own.
struct Input<R> {
    reader: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    offset: u64,
}

impl<R: Read> Input<R> {
    fn new(reader: R) -> Self {
        Input {
            reader,
            buf: vec![0; 256 << 10].into_boxed_slice(),
            pos: 0,
            end: 0,
            offset: 0,
        }
    }

    /// The bytes available now (empty at the end of the input).
    fn fill(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = loop {
                match self.reader.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, n: usize) {
        self.pos += n;
        self.offset += n as u64;
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.fill()?.first().copied())
    }

    fn skip_whitespace(&mut self) -> io::Result<()> {
        loop {
            let available = self.fill()?;
            if available.is_empty() {
                return Ok(());
            }
            let n = available
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(available.len());
            let done = n < available.len();
            self.consume(n);
            if done {
                return Ok(());
            }
        }
    }

    /// Moves bytes up to and including the first of `stop` (found by `find`) into `out`.
    /// Returns false at the end of the input.
    fn take_through(
        &mut self,
        out: &mut Vec<u8>,
        find: impl Fn(&[u8]) -> Option<usize>,
    ) -> io::Result<bool> {
        loop {
            let available = self.fill()?;
            if available.is_empty() {
                return Ok(false);
            }
            match find(available) {
                Some(i) => {
                    out.extend_from_slice(&available[..=i]);
                    self.consume(i + 1);
                    return Ok(true);
                }
                None => {
                    let n = available.len();
                    out.extend_from_slice(available);
                    self.consume(n);
                }
            }
        }
    }

    /// Reads what is left, up to `limit` bytes, and whether that was all of it.
    fn rest(&mut self, mut out: Vec<u8>, limit: usize) -> io::Result<(Vec<u8>, bool)> {
        loop {
            let available = self.fill()?;
            if available.is_empty() {
                return Ok((out, true));
            }
            let room = limit.saturating_sub(out.len());
            if room == 0 {
                return Ok((out, false));
            }
            let n = available.len().min(room);
            out.extend_from_slice(&available[..n]);
            self.consume(n);
        }
    }
}

/// Yields the elements of an API list response, then at most one [`Damage`].
pub struct ListScanner<R> {
    input: Input<R>,
    index: u64,
    state: ListState,
    /// The length of the last element read (the next one's buffer is sized by it).
    last_len: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ListState {
    Start,
    First,
    Next,
    Done,
}

impl<R: Read> ListScanner<R> {
    /// Scans `reader`, which must hold a JSON array (see [`detect`]).
    pub fn new(reader: R) -> Self {
        ListScanner {
            input: Input::new(reader),
            index: 0,
            state: ListState::Start,
            last_len: 0,
        }
    }

    /// The bytes read so far.
    pub fn offset(&self) -> u64 {
        self.input.offset
    }

    fn damage(&mut self, offset: u64, reason: String, consumed: Vec<u8>) -> io::Result<ScanItem> {
        self.state = ListState::Done;
        let (rest, rest_complete) = self.input.rest(consumed, MAX_REST)?;
        Ok(ScanItem::Damage(Damage {
            offset,
            reason,
            rest,
            rest_complete,
        }))
    }

    fn next_item(&mut self) -> io::Result<Option<ScanItem>> {
        let input = &mut self.input;
        if self.state == ListState::Start {
            if input.fill()?.starts_with(b"\xEF\xBB\xBF") {
                input.consume(3);
            }
            input.skip_whitespace()?;
            if input.peek()? != Some(b'[') {
                let offset = input.offset;
                return self
                    .damage(
                        offset,
                        "expected `[` at the start of the list".into(),
                        Vec::new(),
                    )
                    .map(Some);
            }
            input.consume(1);
            self.state = ListState::First;
        }
        self.input.skip_whitespace()?;
        let offset = self.input.offset;
        match (self.state, self.input.peek()?) {
            (ListState::Done, _) => return Ok(None),
            (ListState::First, Some(b']')) => return self.end_of_list(),
            (_, None) => {
                return self
                    .damage(
                        offset,
                        "the list is cut off: it ends before its closing `]`".into(),
                        Vec::new(),
                    )
                    .map(Some);
            }
            (ListState::Next, Some(b',')) => {
                self.input.consume(1);
                self.input.skip_whitespace()?;
            }
            (ListState::Next, Some(b']')) => return self.end_of_list(),
            (ListState::Next, Some(byte)) => {
                return self
                    .damage(
                        offset,
                        format!(
                            "expected `,` or `]` between elements, found {}",
                            describe(byte)
                        ),
                        Vec::new(),
                    )
                    .map(Some);
            }
            (ListState::First | ListState::Start, Some(_)) => {}
        }
        let offset = self.input.offset;
        if self.input.peek()?.is_none() {
            return self
                .damage(
                    offset,
                    "the list is cut off: it ends before its closing `]`".into(),
                    Vec::new(),
                )
                .map(Some);
        }
        // Sized by the last element: growing from empty cost several reallocations an
        // element (they showed, with their frees, in a profile of the import).
        let mut bytes = Vec::with_capacity(self.last_len.clamp(64, 1 << 16) + 64);
        let end = self.read_element(&mut bytes)?;
        self.last_len = bytes.len();
        match end {
            ElementEnd::Complete => {
                self.state = ListState::Next;
                let index = self.index;
                self.index += 1;
                Ok(Some(ScanItem::Element(RawElement {
                    index,
                    offset,
                    bytes,
                })))
            }
            ElementEnd::Eof => self
                .damage(
                    offset,
                    "the list is cut off inside an element".into(),
                    bytes,
                )
                .map(Some),
            ElementEnd::TooLarge => self
                .damage(
                    offset,
                    format!("an element larger than {} MiB", MAX_ELEMENT >> 20),
                    bytes,
                )
                .map(Some),
            ElementEnd::Unexpected(byte) => self
                .damage(
                    offset,
                    format!("expected an element, found {}", describe(byte)),
                    bytes,
                )
                .map(Some),
        }
    }

    /// After the closing `]`: only white space may follow.
    fn end_of_list(&mut self) -> io::Result<Option<ScanItem>> {
        self.input.consume(1);
        self.input.skip_whitespace()?;
        self.state = ListState::Done;
        match self.input.peek()? {
            None => Ok(None),
            Some(_) => {
                let offset = self.input.offset;
                self.damage(
                    offset,
                    "unexpected data after the end of the list".into(),
                    Vec::new(),
                )
                .map(Some)
            }
        }
    }

    /// Reads one element's bytes: a string, an object or array (brackets balanced, strings
    /// skipped), or a bare scalar up to the next `,`, `]` or white space.
    fn read_element(&mut self, out: &mut Vec<u8>) -> io::Result<ElementEnd> {
        let input = &mut self.input;
        match input.peek()? {
            None => Ok(ElementEnd::Eof),
            Some(b'"') => {
                input.consume(1);
                out.push(b'"');
                read_string_rest(input, out)
            }
            Some(b'{' | b'[') => read_nested(input, out),
            Some(b',' | b']') => Ok(ElementEnd::Unexpected(input.peek()?.unwrap_or(b' '))),
            Some(_) => {
                let stop = |bytes: &[u8]| {
                    bytes
                        .iter()
                        .position(|b| matches!(b, b',' | b']') || b.is_ascii_whitespace())
                };
                loop {
                    let available = input.fill()?;
                    if available.is_empty() {
                        return Ok(ElementEnd::Complete);
                    }
                    let n = stop(available).unwrap_or(available.len());
                    out.extend_from_slice(&available[..n]);
                    let done = n < available.len();
                    input.consume(n);
                    if done {
                        return Ok(ElementEnd::Complete);
                    }
                    if out.len() > MAX_ELEMENT {
                        return Ok(ElementEnd::TooLarge);
                    }
                }
            }
        }
    }
}

fn describe(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("`{}`", byte as char)
    } else {
        format!("byte 0x{byte:02x}")
    }
}

enum ElementEnd {
    Complete,
    Eof,
    TooLarge,
    Unexpected(u8),
}

/// Reads the rest of a string whose opening quote is already in `out`.
fn read_string_rest<R: Read>(input: &mut Input<R>, out: &mut Vec<u8>) -> io::Result<ElementEnd> {
    loop {
        if !input.take_through(out, |bytes| memchr::memchr2(b'"', b'\\', bytes))? {
            return Ok(ElementEnd::Eof);
        }
        if out.len() > MAX_ELEMENT {
            return Ok(ElementEnd::TooLarge);
        }
        if out.last() == Some(&b'"') {
            return Ok(ElementEnd::Complete);
        }
        // A backslash: the next byte is escaped, whatever it is.
        if !input.take_through(out, |bytes| (!bytes.is_empty()).then_some(0))? {
            return Ok(ElementEnd::Eof);
        }
    }
}

/// Reads an object or array, counting brackets outside strings.
fn read_nested<R: Read>(input: &mut Input<R>, out: &mut Vec<u8>) -> io::Result<ElementEnd> {
    let mut depth = 0usize;
    loop {
        if !input.take_through(out, |bytes| {
            bytes
                .iter()
                .position(|b| matches!(b, b'"' | b'{' | b'[' | b'}' | b']'))
        })? {
            return Ok(ElementEnd::Eof);
        }
        match out.last() {
            Some(b'"') => match read_string_rest(input, out)? {
                ElementEnd::Complete => {}
                other => return Ok(other),
            },
            Some(b'{' | b'[') => depth += 1,
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Ok(ElementEnd::Complete);
                }
            }
        }
        if out.len() > MAX_ELEMENT {
            return Ok(ElementEnd::TooLarge);
        }
    }
}

impl<R: Read> Iterator for ListScanner<R> {
    type Item = io::Result<ScanItem>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_item() {
            Ok(item) => item.map(Ok),
            Err(e) => {
                self.state = ListState::Done;
                Some(Err(e))
            }
        }
    }
}

/// Yields one element per non-blank line of an NDJSON source. Each line stands alone:
/// a bad line is an element that will be quarantined, never damage to the file.
pub struct NdjsonScanner<R> {
    input: Input<R>,
    index: u64,
}

impl<R: Read> NdjsonScanner<R> {
    /// Scans `reader`.
    pub fn new(reader: R) -> Self {
        NdjsonScanner {
            input: Input::new(reader),
            index: 0,
        }
    }

    /// The bytes read so far.
    pub fn offset(&self) -> u64 {
        self.input.offset
    }

    /// Reads through the next newline, keeping at most [`MAX_ELEMENT`] bytes of the line.
    /// Returns whether a newline was found and whether the line was cut.
    fn take_line(&mut self, line: &mut Vec<u8>) -> io::Result<(bool, bool)> {
        let mut cut = false;
        loop {
            let available = self.input.fill()?;
            if available.is_empty() {
                return Ok((false, cut));
            }
            let newline = memchr::memchr(b'\n', available);
            let n = newline.map_or(available.len(), |i| i + 1);
            let room = MAX_ELEMENT.saturating_sub(line.len());
            line.extend_from_slice(&available[..n.min(room)]);
            cut |= n > room;
            self.input.consume(n);
            if newline.is_some() {
                return Ok((true, cut));
            }
        }
    }

    fn next_line(&mut self) -> io::Result<Option<RawElement>> {
        loop {
            let offset = self.input.offset;
            let mut line = Vec::new();
            let (found_newline, cut) = self.take_line(&mut line)?;
            if !found_newline && line.is_empty() {
                return Ok(None);
            }
            if cut {
                // Kept as an element so that it is quarantined (it cannot parse), not lost.
                let index = self.index;
                self.index += 1;
                return Ok(Some(RawElement {
                    index,
                    offset,
                    bytes: line,
                }));
            }
            let bom = if offset == 0 && line.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            let body = &line[bom..];
            let Some(start) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
                continue;
            };
            let end = body
                .iter()
                .rposition(|b| !b.is_ascii_whitespace())
                .map_or(start, |i| i + 1);
            let bytes = body[start..end].to_vec();
            let index = self.index;
            self.index += 1;
            return Ok(Some(RawElement {
                index,
                offset: offset + (bom + start) as u64,
                bytes,
            }));
        }
    }
}

impl<R: Read> Iterator for NdjsonScanner<R> {
    type Item = io::Result<ScanItem>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line()
            .transpose()
            .map(|line| line.map(ScanItem::Element))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_list(text: &[u8]) -> Vec<ScanItem> {
        ListScanner::new(text).collect::<io::Result<_>>().unwrap()
    }

    fn element(index: u64, offset: u64, bytes: &[u8]) -> ScanItem {
        ScanItem::Element(RawElement {
            index,
            offset,
            bytes: bytes.to_vec(),
        })
    }

    fn damage(offset: u64, reason: &str, rest: &[u8]) -> ScanItem {
        ScanItem::Damage(Damage {
            offset,
            reason: reason.into(),
            rest: rest.to_vec(),
            rest_complete: true,
        })
    }

    #[test]
    fn splits_strings_objects_and_scalars() {
        let text = br#" [ "a\"b\\", {"x":"}]","y":[1,{}]} ,42,null,  "\u00e9" ] "#;
        assert_eq!(
            scan_list(text),
            vec![
                element(0, 3, br#""a\"b\\""#),
                element(1, 13, br#"{"x":"}]","y":[1,{}]}"#),
                element(2, 36, b"42"),
                element(3, 39, b"null"),
                element(4, 46, br#""\u00e9""#),
            ]
        );
    }

    #[test]
    fn empty_lists() {
        assert_eq!(scan_list(b"[]"), vec![]);
        assert_eq!(scan_list(b"\xEF\xBB\xBF [ \n ]\n"), vec![]);
    }

    #[test]
    fn invalid_utf8_inside_an_element_is_the_element_s_problem() {
        assert_eq!(
            scan_list(b"[\"\xff\", \"ok\"]"),
            vec![element(0, 1, b"\"\xff\""), element(1, 6, b"\"ok\"")]
        );
    }

    #[test]
    fn damage_keeps_the_rest() {
        assert_eq!(
            scan_list(br#"["a", "b"#),
            vec![
                element(0, 1, br#""a""#),
                damage(6, "the list is cut off inside an element", br#""b"#)
            ]
        );
        assert_eq!(
            scan_list(br#"["a", "#),
            vec![
                element(0, 1, br#""a""#),
                damage(
                    6,
                    "the list is cut off: it ends before its closing `]`",
                    b""
                )
            ]
        );
        assert_eq!(
            scan_list(br#"["a" "b"]"#),
            vec![
                element(0, 1, br#""a""#),
                damage(
                    5,
                    "expected `,` or `]` between elements, found `\"`",
                    br#""b"]"#
                )
            ]
        );
        assert_eq!(
            scan_list(br#"["a",]"#),
            vec![
                element(0, 1, br#""a""#),
                damage(5, "expected an element, found `]`", b"]")
            ]
        );
        assert_eq!(
            scan_list(br#"["a"] x"#),
            vec![
                element(0, 1, br#""a""#),
                damage(6, "unexpected data after the end of the list", b"x")
            ]
        );
        assert_eq!(
            scan_list(br#"[{"a":[1,2}"#),
            vec![damage(
                1,
                "the list is cut off inside an element",
                br#"{"a":[1,2}"#
            )]
        );
    }

    #[test]
    fn elements_across_buffer_boundaries() {
        let content = "é\\\"".repeat(200_000);
        let text = format!(r#"["{content}", {{"k":"{content}"}}]"#);
        let items = scan_list(text.as_bytes());
        assert_eq!(items.len(), 2);
        let ScanItem::Element(second) = &items[1] else {
            panic!()
        };
        assert_eq!(second.bytes, format!(r#"{{"k":"{content}"}}"#).as_bytes());
    }

    #[test]
    fn ndjson_lines() {
        let text = b"\xEF\xBB\xBF{\"a\":1}\r\n\n  {\"b\":2}  \nnot json\n{\"c\":3}";
        let items: Vec<ScanItem> = NdjsonScanner::new(&text[..])
            .collect::<io::Result<_>>()
            .unwrap();
        assert_eq!(
            items,
            vec![
                element(0, 3, br#"{"a":1}"#),
                element(1, 15, br#"{"b":2}"#),
                element(2, 25, b"not json"),
                element(3, 34, br#"{"c":3}"#),
            ]
        );
    }

    #[test]
    fn a_first_line_longer_than_the_head_is_ndjson() {
        // Regression: a file whose first message ran past the 64 KiB head was refused as
        // "not NDJSON", while the same messages in another order were imported.
        let long = format!("{{\"content\":\"{}", "x".repeat(100));
        assert_eq!(detect(long.as_bytes(), false), Ok(Format::Ndjson));
        let after_a_bad_line = format!("{{broken\n{long}");
        assert_eq!(
            detect(after_a_bad_line.as_bytes(), false),
            Ok(Format::Ndjson)
        );
        // All of the source, and it is not a value: a broken file, not a long line.
        assert!(detect(long.as_bytes(), true).is_err());
        // A pretty-printed object's long lines are indented.
        let pretty = format!("{{\n  \"content\": \"{}", "x".repeat(100));
        assert!(detect(pretty.as_bytes(), false).is_err());
    }

    #[test]
    fn detection() {
        assert_eq!(detect(b"  [\"x\"]", true), Ok(Format::List));
        assert_eq!(detect(b"\xEF\xBB\xBF[]", true), Ok(Format::List));
        assert_eq!(detect(b"{\"a\":1}\n{\"a\":2}\n", true), Ok(Format::Ndjson));
        assert_eq!(detect(b"{broken\n{\"a\":2}\n", true), Ok(Format::Ndjson));
        assert!(detect(b"", true).unwrap_err().contains("empty"));
        assert!(detect(b" \n", true).unwrap_err().contains("white space"));
        assert!(
            detect(b"\x7fELF\x00\x01", true)
                .unwrap_err()
                .contains("binary")
        );
        assert!(
            detect(b"{\n  \"a\": 1\n}\n", true)
                .unwrap_err()
                .contains("not an API list response")
        );
        assert!(
            detect(b"\"text\"", true)
                .unwrap_err()
                .contains("not an API list response")
        );
        assert!(detect(b"hello", true).unwrap_err().contains("not JSON"));
    }
}
