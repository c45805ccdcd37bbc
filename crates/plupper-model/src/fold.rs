//! Unicode simple case folding, and the `contains` matcher of the API's filter.
//!
//! The contract defines `contains` as a case-insensitive substring test by Unicode
//! **simple** case folding (CaseFolding.txt, statuses C and S): `MONEY`≈`money`, `Ä`≈`ä`,
//! `Σ`≈`σ`≈`ς`, `ẞ`≈`ß`, `K` (Kelvin sign)≈`k`, `µ`≈`μ`, `ſ`≈`s`; but `ß` does not match
//! `ss` and `ﬁ` does not match `fi` (those are *full* foldings). The table comes from ICU4X
//! (`icu_casemap`), not from a hand-written list, and not from `to_lowercase` (which maps
//! `İ` to two characters and leaves `ς` alone).
//!
//! Simple folding maps one character to one character, so folding a text and searching
//! the folded needle in it is exact, and positions in the folded text are positions in
//! the original (in characters).

use icu_casemap::CaseMapper;
use memchr::memmem::Finder;

/// The simple case folding of one character.
///
/// ```
/// use plupper_model::fold_char;
/// assert_eq!(fold_char('Σ'), 'σ');
/// assert_eq!(fold_char('ς'), 'σ');
/// assert_eq!(fold_char('ß'), 'ß');
/// assert_eq!(fold_char('\u{212A}'), 'k');
/// ```
#[inline]
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        CaseMapper::new().simple_fold(c)
    }
}

/// Appends the simple case folding of `text` to `out`.
pub fn fold_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_lowercase();
    } else {
        out.extend(text.chars().map(fold_char));
    }
}

/// The simple case folding of `text`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// The `contains` filter: does a content hold the needle, ignoring case by simple folding?
///
/// Every character of the needle is literal; there are no wildcards. An empty needle
/// matches everything (though the API treats an empty parameter as absent).
///
/// ```
/// use plupper_model::Contains;
///
/// let money = Contains::new("MONEY");
/// assert!(money.matches("Send me the money!"));
/// assert!(!Contains::new("ss").matches("Straße"));
/// assert!(Contains::new("ΣΊΣΥΦΟΣ").matches("σίσυφος"));
/// ```
#[derive(Debug, Clone)]
pub struct Contains {
    folded: String,
    finder: Finder<'static>,
}

impl Contains {
    /// Prepares a matcher for `needle`.
    pub fn new(needle: &str) -> Contains {
        let folded = fold(needle);
        let finder = Finder::new(folded.as_bytes()).into_owned();
        Contains { folded, finder }
    }

    /// The needle, folded.
    pub fn folded_needle(&self) -> &str {
        &self.folded
    }

    /// Whether `haystack` contains the needle.
    pub fn matches(&self, haystack: &str) -> bool {
        let mut scratch = String::new();
        self.matches_with(haystack, &mut scratch)
    }

    /// Whether `haystack` contains the needle, using `scratch` as the folding buffer so
    /// that a scan over many texts does not allocate for each.
    pub fn matches_with(&self, haystack: &str, scratch: &mut String) -> bool {
        if haystack.len() < self.folded.len() / 3 {
            // A folded character is at most three times shorter in UTF-8 than its original
            // (U+212A KELVIN SIGN, 3 bytes, folds to `k`, 1 byte).
            return false;
        }
        scratch.clear();
        fold_into(haystack, scratch);
        self.finder.find(scratch.as_bytes()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The contract's examples, one per line: (needle, haystack, matches).
    const TABLE: &[(&str, &str, bool)] = &[
        ("MONEY", "send money", true),
        ("money", "SEND MONEY", true),
        ("Ä", "ä", true),
        ("ä", "Ä", true),
        ("Σ", "σ", true),
        ("Σ", "ς", true),
        ("σ", "ς", true),
        ("ς", "Σ", true),
        ("ß", "ss", false),
        ("ss", "ß", false),
        ("ẞ", "ß", true),
        ("ß", "ẞ", true),
        ("\u{212A}", "k", true),
        ("k", "\u{212A}", true),
        ("K", "\u{212A}", true),
        ("µ", "μ", true),
        ("μ", "µ", true),
        ("ſ", "s", true),
        ("S", "ſ", true),
        ("ﬁ", "fi", false),
        ("fi", "ﬁ", false),
        ("ﬁ", "ﬁ", true),
        ("İ", "i", false),
        ("I", "ı", false),
        ("%", "100%", true),
        ("_", "a_b", true),
        ("%", "100", false),
        ("_", "ab", false),
        ("*", "a*", true),
        ("*", "ab", false),
        ("\"", "say \"hi\"", true),
        ("\\", "C:\\", true),
        ("a b", "A B", true),
        ("a b", "ab", false),
        ("a  b", "a b", false),
        ("ďakujem", "Ďakujem veľmi pekne", true),
        ("ĎAKUJEM", "ďakujem", true),
        ("dakujem", "ďakujem", false),
        ("é", "e", false),
        ("😀", "x😀y", true),
        ("", "anything", true),
        ("longer than it", "short", false),
    ];

    #[test]
    fn contract_folding_table() {
        for &(needle, haystack, expected) in TABLE {
            assert_eq!(
                Contains::new(needle).matches(haystack),
                expected,
                "{needle:?} in {haystack:?}"
            );
        }
    }

    #[test]
    fn folding_maps_each_character_to_one_character() {
        let text = "ÄÖÜẞΣΣ\u{212A}µſİﬁABC";
        assert_eq!(fold(text).chars().count(), text.chars().count());
        assert_eq!(fold("ÄÖÜẞΣ\u{212A}µſ"), "äöüßσkμs");
    }

    #[test]
    fn short_haystack_bound_is_safe_for_the_kelvin_sign() {
        // 3 Kelvin signs (9 bytes) fold to "kkk" (3 bytes); the needle "kkk" must still match
        // a 3-byte haystack, and a 9-byte needle of Kelvin signs must match "kkk".
        assert!(Contains::new("\u{212A}\u{212A}\u{212A}").matches("kkk"));
        assert!(Contains::new("kkk").matches("\u{212A}\u{212A}\u{212A}"));
    }
}
