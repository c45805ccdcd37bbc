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
//! C1 controls (U+007F–U+009F), and the bidi embeddings, overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069). A backslash stays a backslash: Windows paths
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

/// Whether `c` is printed as an escape: a C0 or C1 control, DEL, or a bidi embedding,
/// override or isolate.
pub fn is_escaped(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
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
            .chain(0x202A..=0x202E)
            .chain(0x2066..=0x2069)
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
    fn other_text_is_borrowed_as_it_is() {
        for text in [
            "",
            "Ďakujem 🇸🇰",
            r"C:\new\temp",
            "Σίσυφος ΑΕ",
            "\u{200d}\u{fffd}",
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
