//! Archived text in a page: shown as the command line shows it (control and bidi
//! characters as `\u{..}`), escaped for HTML by the templates.

use maud::{Markup, html};
use plupper_model::printable::{printable, printable_lines};

/// Characters of a message shown in a list of the API's answer (no snippet there).
const EXCERPT_CHARS: usize = 240;

/// `text` on one line, as the command line shows it.
pub(crate) fn shown(text: &str) -> Markup {
    html! { (printable(text)) }
}

/// A snippet with its `[start, end)` character ranges marked.
pub(crate) fn marked(snippet: &str, highlights: &[(usize, usize)]) -> Markup {
    let bytes: Vec<usize> = snippet
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(snippet.len()))
        .collect();
    let at = |char_index: usize| bytes[char_index.min(bytes.len() - 1)];
    let mut ranges: Vec<(usize, usize)> = highlights
        .iter()
        .map(|&(start, end)| (at(start), at(end)))
        .filter(|(start, end)| start < end)
        .collect();
    ranges.sort_unstable();
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    let mut done = 0;
    for (start, end) in ranges {
        let start = start.max(done);
        if start >= end {
            continue;
        }
        pieces.push((&snippet[done..start], false));
        pieces.push((&snippet[start..end], true));
        done = end;
    }
    pieces.push((&snippet[done..], false));
    html! {
        @for (piece, mark) in pieces {
            @if mark { mark { (printable(piece)) } } @else { (printable(piece)) }
        }
    }
}

/// The start of a message's content, on one line (`…` when cut).
pub(crate) fn excerpt(content: &str) -> Markup {
    match content.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => html! { (printable(&content[..cut])) "…" },
        None => shown(content),
    }
}

/// A message's content line by line (line breaks kept as breaks).
pub(crate) fn lines(content: &str) -> Markup {
    html! {
        @for (i, line) in printable_lines(content).enumerate() {
            @if i > 0 { br; }
            (line)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn marks_fall_on_characters_not_bytes() {
        let markup = marked("Ďakujem, ďakujem veľmi", &[(0, 7), (9, 16)]);
        assert_eq!(
            markup.into_string(),
            "<mark>Ďakujem</mark>, <mark>ďakujem</mark> veľmi"
        );
    }

    #[test]
    fn overlapping_and_out_of_range_marks_do_not_break_the_text() {
        let markup = marked("abcdef", &[(4, 99), (1, 3), (2, 5), (9, 12)]);
        assert_eq!(
            markup.into_string(),
            "a<mark>bc</mark><mark>de</mark><mark>f</mark>"
        );
    }

    #[test]
    fn markup_and_control_characters_are_shown_as_text() {
        let hostile = "<script>alert(1)</script>\u{1b}[2J\u{202e}txt";
        assert_eq!(
            shown(hostile).into_string(),
            r"&lt;script&gt;alert(1)&lt;/script&gt;\u{1b}[2J\u{202e}txt"
        );
        assert_eq!(
            marked("<b>money</b>", &[(3, 8)]).into_string(),
            "&lt;b&gt;<mark>money</mark>&lt;/b&gt;"
        );
        assert_eq!(lines("a\r\n<i>\u{7}").into_string(), r"a<br>&lt;i&gt;\u{7}");
    }

    #[test]
    fn a_long_message_is_cut_in_a_list() {
        let long = "é".repeat(300);
        let shown = excerpt(&long).into_string();
        assert_eq!(shown.chars().count(), EXCERPT_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(excerpt("short").into_string(), "short");
    }
}
