//! Archived text made safe to print for a person.
//!
//! Every text field of a message (and of a quarantined element) was typed by a visitor or
//! an operator, and a terminal obeys what it is sent: an escape sequence can clear the
//! screen or recolour it, a carriage return can overwrite a line, a bidi override can make
//! a line read differently from what it holds. The outputs for people (tables,
//! transcripts) therefore print archived text through [`printable`]: each character that
//! could act on the terminal is shown as a visible escape, `\u{HEX}` (its code point, as
//! Rust writes it), so an auditor sees that something was there and what. The machine
//! formats (`api`, `ndjson`, `csv`) keep the text as it is.
//!
//! Escaped: the C0 controls (U+0000–U+001F, line breaks and tabs included), DEL and the
//! C1 controls (U+007F–U+009F); the bidi embeddings, overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069) and the invisible bidi marks (U+061C, U+200E, U+200F),
//! which reorder what a line shows; the line and paragraph separators (U+2028, U+2029),
//! which some terminals and viewers break lines at; and the invisible characters with no
//! other use in a chat line, which could make two different names look the same: the zero
//! width space (U+200B), word joiner (U+2060) and byte order mark (U+FEFF). The zero
//! width joiner and non-joiner (U+200C, U+200D) stay: emoji sequences and several scripts
//! need them. A backslash stays a backslash: Windows paths
//! (`C:\new\temp`) read as written, which is also why there are no short forms such as
//! `\n` that they would imitate. Text that itself spells `\u{1b}` reads the same as an
//! escape; the exact text is in the machine formats.
//!
//! ```
//! use plupper_model::printable::{printable, printable_lines};
//!
//! assert_eq!(printable("o\u{1b}[2Jx"), r"o\u{1b}[2Jx");
//! assert_eq!(printable("plain text"), "plain text");
//! let lines: Vec<_> = printable_lines("Hi\r\nbell \u{7}").collect();
//! assert_eq!(lines, ["Hi", r"bell \u{7}"]);
//! ```

use std::borrow::Cow;

/// Whether `c` is printed as an escape: a C0 or C1 control, DEL, a bidi embedding,
/// override, isolate or mark, a line or paragraph separator, or an invisible space or
/// joiner with no use in a chat line (see the [module](self)).
pub fn is_escaped(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{200B}'
                | '\u{2060}'
                | '\u{FEFF}'
        )
}

/// Appends `c` to `out` as it is printed: itself, or `\u{HEX}` when [`is_escaped`].
pub fn push_printable(out: &mut String, c: char) {
    if is_escaped(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

/// `text` as one printable line: every [`is_escaped`] character, line breaks included,
/// as `\u{HEX}`. Borrowed when there is nothing to escape.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_printable(&mut out, c);
    }
    Cow::Owned(out)
}

/// `text` as printable lines, for outputs that show multi-line text on several lines: it
/// is split at each line feed (a carriage return just before one belongs to the line
/// break), and each line is [`printable`]. Any other carriage return is escaped.
pub fn printable_lines(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    text.split('\n').map(|line| {
        // `\r` is one byte: the rest is still on a character boundary.
        let line = line.strip_suffix('\r').unwrap_or(line);
        printable(line)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_control_and_bidi_character_is_escaped() {
        let escaped: Vec<u32> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| is_escaped(c))
            .map(u32::from)
            .collect();
        let expected: Vec<u32> = (0x00..=0x1F)
            .chain(0x7F..=0x9F)
            .chain([0x061C, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029])
            .chain(0x202A..=0x202E)
            .chain([0x2060])
            .chain(0x2066..=0x2069)
            .chain([0xFEFF])
            .collect();
        assert_eq!(escaped, expected);
        for code in expected {
            let c = char::from_u32(code).unwrap();
            let shown = printable(&c.to_string()).into_owned();
            assert_eq!(shown, format!("\\u{{{code:x}}}"));
        }
    }

    #[test]
    fn a_terminal_attack_is_shown_not_obeyed() {
        let text = "line1\nline2\r\u{1b}[31mRED\u{1b}[0m \u{7}bell \u{9b}2J \u{202e}txt.exe";
        let shown = printable(text);
        assert_eq!(
            shown,
            r"line1\u{a}line2\u{d}\u{1b}[31mRED\u{1b}[0m \u{7}bell \u{9b}2J \u{202e}txt.exe"
        );
        assert!(!shown.chars().any(is_escaped));
    }

    #[test]
    fn names_that_look_alike_are_told_apart() {
        assert_eq!(printable("pe\u{200b}ter"), r"pe\u{200b}ter");
        assert_eq!(printable("\u{feff}peter\u{2060}"), r"\u{feff}peter\u{2060}");
        assert_eq!(printable("abc\u{200f}def"), r"abc\u{200f}def");
        assert_eq!(printable("one\u{2028}two"), r"one\u{2028}two");
    }

    #[test]
    fn other_text_is_borrowed_as_it_is() {
        for text in [
            "",
            "Ďakujem 🇸🇰",
            r"C:\new\temp",
            "Σίσυφος ΑΕ",
            "\u{200d}\u{fffd}",
            "\u{200c}\u{ad}👨\u{200d}👩\u{200d}👧",
        ] {
            assert!(matches!(printable(text), Cow::Borrowed(t) if t == text));
        }
    }

    #[test]
    fn lines_break_at_line_feeds_and_escape_a_lone_carriage_return() {
        let lines: Vec<Cow<'_, str>> = printable_lines("a\r\nb\rc\n\nd\u{1b}\n").collect();
        assert_eq!(lines, ["a", r"b\u{d}c", "", r"d\u{1b}", ""]);
        assert_eq!(printable_lines("").collect::<Vec<_>>(), [""]);
    }
}
