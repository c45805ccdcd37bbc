//! The index's tokenizers. Each folds characters by Unicode simple case folding
//! ([`fold_char`]), which maps one character to one character, so a position counted in
//! characters of the folded text is a position in the original.
//!
//! - [`GramTokenizer`]: every folded trigram, at its character position. A `contains`
//!   needle of three or more characters is the phrase of its trigrams at consecutive
//!   positions, so the index answers `contains` exactly, by construction.
//! - [`WordTokenizer`]: words (runs of alphanumeric characters), folded, for ranked search;
//!   a word with accents also without them ([`without_accents`]) at the same position,
//!   behind [`UNACCENTED`], for accent-insensitive search (`dakujem` finds `Ďakujem`).

use plupper_model::fold::without_accents;
use plupper_model::fold_char;
use tantivy::tokenizer::{MAX_TOKEN_LEN, Token, TokenStream, Tokenizer};

/// The folded characters of a text with their byte offsets, reused between documents.
#[derive(Debug, Clone, Default)]
struct Folded {
    chars: Vec<(usize, char)>,
    end: usize,
}

impl Folded {
    fn load(&mut self, text: &str) {
        self.chars.clear();
        self.chars.extend(
            text.char_indices()
                .map(|(offset, c)| (offset, fold_char(c))),
        );
        self.end = text.len();
    }

    fn offset(&self, index: usize) -> usize {
        self.chars
            .get(index)
            .map_or(self.end, |&(offset, _)| offset)
    }
}

/// Folded trigrams at character positions.
#[derive(Debug, Clone, Default)]
pub struct GramTokenizer {
    folded: Folded,
}

/// Streams n-grams of the folded text: for each position, the n-gram lengths in `sizes`.
pub struct GramStream<'a> {
    folded: &'a Folded,
    sizes: &'static [usize],
    position: usize,
    size_index: usize,
    token: Token,
}

impl TokenStream for GramStream<'_> {
    fn advance(&mut self) -> bool {
        let chars = &self.folded.chars;
        loop {
            if self.size_index == self.sizes.len() {
                self.size_index = 0;
                self.position += 1;
            }
            if self.position >= chars.len() {
                return false;
            }
            let size = self.sizes[self.size_index];
            self.size_index += 1;
            let end = self.position + size;
            if end > chars.len() {
                continue;
            }
            self.token.text.clear();
            self.token
                .text
                .extend(chars[self.position..end].iter().map(|&(_, c)| c));
            self.token.position = self.position;
            self.token.offset_from = self.folded.offset(self.position);
            self.token.offset_to = self.folded.offset(end);
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream<'a> {
        self.folded.load(text);
        GramStream {
            folded: &self.folded,
            sizes: &[3],
            position: 0,
            size_index: 0,
            token: Token::default(),
        }
    }
}

/// Folded words: maximal runs of alphanumeric characters. A word with accents is also
/// given without them, behind [`UNACCENTED`], at the same position: one field serves
/// both the written forms and accent-insensitive search (see `IndexSearcher::ranked`).
#[derive(Debug, Clone, Default)]
pub struct WordTokenizer;

/// Marks the form without accents of a word that has them (`ďakujem` is indexed as
/// `ďakujem` and `\u{1}dakujem` at one position). A word without accents is its own
/// unaccented form, so accent-insensitive search looks for `w` or `\u{1}w`, and a search
/// for the written `w` alone finds only the messages that write it so.
pub const UNACCENTED: char = '\u{1}';

/// Streams the words of a text.
pub struct WordStream<'a> {
    text: &'a str,
    cursor: usize,
    position: usize,
    token: Token,
    /// The unaccented form of the word just given, to be given next at its position.
    unaccented: Option<String>,
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some(unaccented) = self.unaccented.take() {
            self.token.text.clear();
            self.token.text.push(UNACCENTED);
            self.token.text.push_str(&unaccented);
            if self.token.text.len() <= MAX_TOKEN_LEN {
                return true;
            }
        }
        loop {
            let Some((start, end)) = next_word(self.text, self.cursor) else {
                return false;
            };
            self.cursor = end;
            self.token.text.clear();
            self.token
                .text
                .extend(self.text[start..end].chars().map(fold_char));
            if !self.token.text.is_ascii() {
                let unaccented = without_accents(&self.token.text);
                if unaccented != self.token.text {
                    self.unaccented = Some(unaccented);
                }
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.position;
            self.position += 1;
            // tantivy drops a longer token itself, with a warning on stderr for each;
            // skipping it here (keeping its position) indexes the same. Its unaccented
            // form, shorter, may still be given.
            if self.token.text.len() <= MAX_TOKEN_LEN {
                return true;
            }
            if self.unaccented.is_some() {
                return self.advance();
            }
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        WordStream {
            text,
            cursor: 0,
            position: 0,
            token: Token::default(),
            unaccented: None,
        }
    }
}

/// `plain` behind [`UNACCENTED`]: how the word field holds the unaccented form of a word
/// that has accents. Accent-insensitive search for `plain` (a word without accents)
/// looks for both `plain` and `marked(plain)`.
pub fn marked(plain: &str) -> String {
    let mut out = String::with_capacity(plain.len() + 1);
    out.push(UNACCENTED);
    out.push_str(plain);
    out
}

/// The byte range of the next word at or after `from`.
fn next_word(text: &str, from: usize) -> Option<(usize, usize)> {
    let rest = &text[from..];
    let start = from + rest.find(char::is_alphanumeric)?;
    let end = text[start..]
        .find(|c: char| !c.is_alphanumeric())
        .map_or(text.len(), |n| start + n);
    Some((start, end))
}

/// The folded words of `text` with their byte ranges, as the word field indexes them.
pub fn words(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut cursor = 0;
    while let Some((start, end)) = next_word(text, cursor) {
        out.push((
            text[start..end].chars().map(fold_char).collect(),
            start..end,
        ));
        cursor = end;
    }
    out
}

/// The trigrams that cover a needle of three or more characters, with their positions
/// relative to its start: every third one, and the last. Together they pin down every
/// character of the needle, so a document holding them at these relative positions
/// holds the needle; fewer terms make the phrase cheaper than all overlapping trigrams.
pub fn covering_trigrams(needle: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = needle.chars().map(fold_char).collect();
    if chars.len() < 3 {
        return Vec::new();
    }
    let last = chars.len() - 3;
    let mut starts: Vec<usize> = (0..=last).step_by(3).collect();
    if starts.last() != Some(&last) {
        starts.push(last);
    }
    starts
        .into_iter()
        .map(|start| (start, chars[start..start + 3].iter().collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(mut tokenizer: impl Tokenizer, text: &str) -> Vec<(String, usize)> {
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    fn owned(pairs: &[(&str, usize)]) -> Vec<(String, usize)> {
        pairs.iter().map(|&(t, p)| (t.to_owned(), p)).collect()
    }

    #[test]
    fn trigrams_fold_and_count_characters() {
        assert_eq!(
            tokens(GramTokenizer::default(), "ΣίΣ\u{212A}a"),
            owned(&[("σίσ", 0), ("ίσk", 1), ("σka", 2)])
        );
        assert_eq!(tokens(GramTokenizer::default(), "ab"), vec![]);
    }

    #[test]
    fn words_fold_and_split_on_everything_else() {
        assert_eq!(
            tokens(WordTokenizer, "Dakujem, ẞ-Straße 100%!"),
            owned(&[("dakujem", 0), ("ß", 1), ("straße", 2), ("100", 3)])
        );
        assert_eq!(words("a-B")[1], ("b".to_owned(), 2..3));
    }

    #[test]
    fn accented_words_are_also_given_without_accents_at_their_position() {
        assert_eq!(
            tokens(WordTokenizer, "Ďakujem, ẞ-Straße Ελλάδα dobre"),
            owned(&[
                ("ďakujem", 0),
                ("\u{1}dakujem", 0),
                ("ß", 1),
                ("straße", 2),
                ("ελλάδα", 3),
                ("\u{1}ελλαδα", 3),
                ("dobre", 4)
            ])
        );
        assert_eq!(marked("dakujem"), "\u{1}dakujem");
        // A word too long for tantivy whose unaccented form fits: that form is given.
        let long = "é".repeat(MAX_TOKEN_LEN / 2 + 1);
        let unaccented = format!("\u{1}{}", "e".repeat(MAX_TOKEN_LEN / 2 + 1));
        assert_eq!(
            tokens(WordTokenizer, &format!("a {long} b")),
            owned(&[("a", 0), (&unaccented, 1), ("b", 2)])
        );
    }

    #[test]
    fn a_word_too_long_for_tantivy_is_skipped_keeping_the_positions_after_it() {
        // Regression: tantivy dropped such a word itself and printed a WARN line on the
        // import's stderr for each.
        let long = "x".repeat(MAX_TOKEN_LEN + 1);
        assert_eq!(
            tokens(WordTokenizer, &format!("a {long} b")),
            owned(&[("a", 0), ("b", 2)])
        );
        let longest = "y".repeat(MAX_TOKEN_LEN);
        assert_eq!(tokens(WordTokenizer, &longest), owned(&[(&longest, 0)]));
    }

    #[test]
    fn covering_trigrams_pin_every_character() {
        assert_eq!(
            covering_trigrams("money"),
            vec![(0, "mon".to_owned()), (2, "ney".to_owned())]
        );
        assert_eq!(covering_trigrams("MON"), vec![(0, "mon".to_owned())]);
        assert_eq!(
            covering_trigrams("abcdef"),
            vec![(0, "abc".to_owned()), (3, "def".to_owned())]
        );
        assert_eq!(covering_trigrams("abcdefg").len(), 3);
        for len in 3..40 {
            let needle: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let cover = covering_trigrams(&needle);
            let mut covered = vec![false; len];
            for (start, _) in &cover {
                covered[*start..start + 3]
                    .iter_mut()
                    .for_each(|c| *c = true);
            }
            assert!(covered.iter().all(|&c| c), "{len}");
        }
    }
}
