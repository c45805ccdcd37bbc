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
//!
//! [`Contains`] decides most texts without folding them. ASCII characters fold to ASCII
//! characters, and only two characters outside ASCII fold into it (`K` U+212A and `ſ`
//! U+017F, checked against the whole table by a test). So in a text that holds neither,
//! the folded text's ASCII characters are the text's own, lowercased, at the same places:
//! an ASCII needle is found by an ASCII-case-insensitive search of the raw bytes, and a
//! needle that folds to anything else cannot be in an ASCII text. Every other case folds
//! the text and searches it.

use std::str::Utf8Error;

use icu_casemap::CaseMapper;
use memchr::arch::all::packedpair::Pair;
use memchr::memmem::Finder;
use memchr::{memchr_iter, memchr2_iter};

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

/// `text` without its accents, for accent-insensitive word search (`dakujem` finds
/// `Ďakujem`): each character canonically decomposed (NFD), its combining marks dropped.
/// Letters that do not decompose (`ł`, `ø`, `ß`) stay as they are. Case is kept: fold
/// first for a case-insensitive form.
///
/// ```
/// use plupper_model::fold::without_accents;
/// assert_eq!(without_accents("ďakujem"), "dakujem");
/// assert_eq!(without_accents("Ελλάδα"), "Ελλαδα");
/// assert_eq!(without_accents("łódź"), "łodz");
/// ```
pub fn without_accents(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    if text.is_ascii() {
        return text.to_owned();
    }
    text.nfd().filter(|&c| !is_combining_mark(c)).collect()
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

/// The characters outside ASCII whose simple folding is in ASCII: `K` (Kelvin sign) → `k`
/// and `ſ` (long s) → `s`. A test checks every character against this list.
const FOLDING_INTO_ASCII: [&[u8]; 2] = ["\u{212A}".as_bytes(), "\u{017F}".as_bytes()];

/// Whether `text` holds a character outside ASCII that folds into ASCII.
fn has_char_folding_into_ascii(text: &[u8]) -> bool {
    // The lead bytes of U+212A (E2 84 AA) and U+017F (C5 BF).
    memchr2_iter(0xE2, 0xC5, text).any(|at| {
        FOLDING_INTO_ASCII
            .iter()
            .any(|encoded| text[at..].starts_with(encoded))
    })
}

/// A folded (so lowercase) ASCII needle, found in raw bytes by an ASCII-case-insensitive
/// search without copying them: `memchr` finds its rarest byte in either case, and the
/// window around each hit is compared.
#[derive(Debug, Clone)]
struct AsciiNeedle {
    bytes: Box<[u8]>,
    /// The index of the byte expected to be rarest in text (`memchr`'s heuristic).
    rare: usize,
    /// For a batch, lowercased as a whole.
    finder: Finder<'static>,
}

impl AsciiNeedle {
    fn new(bytes: &[u8]) -> AsciiNeedle {
        debug_assert!(bytes.is_ascii() && !bytes.iter().any(u8::is_ascii_uppercase));
        let rare = Pair::new(bytes).map_or(0, |pair| usize::from(pair.index1()));
        AsciiNeedle {
            bytes: bytes.into(),
            rare,
            finder: Finder::new(bytes).into_owned(),
        }
    }

    /// Whether `haystack` holds the needle, ignoring ASCII case. Bytes outside ASCII
    /// never equal a needle byte, so `haystack` may be any UTF-8 text.
    fn is_in(&self, haystack: &[u8]) -> bool {
        let needle = &*self.bytes;
        let Some(&rare) = needle.get(self.rare) else {
            return true; // the empty needle
        };
        let Some(last_start) = haystack.len().checked_sub(needle.len()) else {
            return false;
        };
        // Where the rare byte may be: a hit at `i` of this slice starts a window at `i`.
        let anchors = &haystack[self.rare..=last_start + self.rare];
        let window_matches =
            |start: usize| haystack[start..start + needle.len()].eq_ignore_ascii_case(needle);
        let upper = rare.to_ascii_uppercase();
        if upper == rare {
            memchr_iter(rare, anchors).any(window_matches)
        } else {
            memchr2_iter(rare, upper, anchors).any(window_matches)
        }
    }
}

/// What the needle's ASCII characters let [`Contains`] decide without folding a text.
#[derive(Debug, Clone)]
enum AsciiPart {
    /// The folded needle is ASCII.
    Whole(AsciiNeedle),
    /// The folded needle's longest run of ASCII characters, which every match holds.
    Run(AsciiNeedle),
    /// The folded needle has no ASCII character.
    Nothing,
}

impl AsciiPart {
    fn of(folded: &str) -> AsciiPart {
        if folded.is_ascii() {
            return AsciiPart::Whole(AsciiNeedle::new(folded.as_bytes()));
        }
        folded
            .split(|c: char| !c.is_ascii())
            .max_by_key(|run| run.len())
            .filter(|run| !run.is_empty())
            .map_or(AsciiPart::Nothing, |run| {
                AsciiPart::Run(AsciiNeedle::new(run.as_bytes()))
            })
    }
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
    ascii: AsciiPart,
}

impl Contains {
    /// Prepares a matcher for `needle`.
    pub fn new(needle: &str) -> Contains {
        let folded = fold(needle);
        let finder = Finder::new(folded.as_bytes()).into_owned();
        let ascii = AsciiPart::of(&folded);
        Contains {
            folded,
            finder,
            ascii,
        }
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
        if haystack.is_ascii() {
            self.matches_ascii(haystack.as_bytes())
        } else {
            self.matches_non_ascii(haystack, scratch)
        }
    }

    /// [`matches_with`](Contains::matches_with) for a text given as bytes, such as a
    /// database column: an error when they are not UTF-8. An ASCII text is decided
    /// without the separate UTF-8 check (ASCII is UTF-8).
    ///
    /// ```
    /// use plupper_model::Contains;
    ///
    /// let mut scratch = String::new();
    /// let danke = Contains::new("DANKE");
    /// assert_eq!(danke.matches_utf8(b"Vielen Dank", &mut scratch), Ok(false));
    /// assert_eq!(danke.matches_utf8("Dankeschön".as_bytes(), &mut scratch), Ok(true));
    /// assert!(danke.matches_utf8(b"Danke \xff", &mut scratch).is_err());
    /// ```
    pub fn matches_utf8(&self, haystack: &[u8], scratch: &mut String) -> Result<bool, Utf8Error> {
        if haystack.is_ascii() {
            Ok(self.matches_ascii(haystack))
        } else {
            Ok(self.matches_non_ascii(std::str::from_utf8(haystack)?, scratch))
        }
    }

    /// An ASCII text folds to ASCII, so only an ASCII folded needle can be in it.
    fn matches_ascii(&self, haystack: &[u8]) -> bool {
        match &self.ascii {
            AsciiPart::Whole(needle) => needle.is_in(haystack),
            AsciiPart::Run(_) | AsciiPart::Nothing => false,
        }
    }

    fn matches_non_ascii(&self, haystack: &str, scratch: &mut String) -> bool {
        let bytes = haystack.as_bytes();
        if !has_char_folding_into_ascii(bytes) {
            // The folded text's ASCII characters are the text's, at the same places.
            match &self.ascii {
                AsciiPart::Whole(needle) => return needle.is_in(bytes),
                AsciiPart::Run(run) if !run.is_in(bytes) => return false,
                AsciiPart::Run(_) | AsciiPart::Nothing => {}
            }
        }
        self.fold_then_find(haystack, scratch)
    }

    /// A counter of the texts that contain the needle, given one by one (a scan's
    /// contents). It tests them a batch at a time: one search over a few thousand texts
    /// costs less than a search in each.
    ///
    /// ```
    /// use plupper_model::Contains;
    ///
    /// let danke = Contains::new("DANKE");
    /// let mut counter = danke.counter();
    /// for text in ["Danke!", "Vielen Dank", "dankeschön", "DANKE \u{212A}"] {
    ///     counter.add(text.as_bytes())?;
    /// }
    /// assert_eq!(counter.total()?, 3);
    /// # Ok::<(), std::str::Utf8Error>(())
    /// ```
    pub fn counter(&self) -> ContainsCount {
        ContainsCount {
            contains: self.clone(),
            batch: TextBatch::default(),
            batch_bytes: BATCH_BYTES,
            scratch: String::new(),
            count: 0,
        }
    }

    /// A finder of the texts that contain the needle among texts given one by one, each
    /// with a key (such as its archive id): [`counter`](Contains::counter)'s batched
    /// search, which gives back the keys of the texts it finds instead of their number.
    ///
    /// ```
    /// use plupper_model::Contains;
    ///
    /// let danke = Contains::new("DANKE");
    /// let mut matches = danke.matcher();
    /// for (id, text) in [(1, "Danke!"), (2, "Vielen Dank"), (5, "dankeschön")] {
    ///     matches.add(id, text.as_bytes())?;
    /// }
    /// assert_eq!(matches.finish()?, [1, 5]);
    /// # Ok::<(), std::str::Utf8Error>(())
    /// ```
    pub fn matcher<K: Copy>(&self) -> ContainsMatches<K> {
        ContainsMatches {
            contains: self.clone(),
            batch: TextBatch::default(),
            keys: Vec::new(),
            batch_bytes: BATCH_BYTES,
            scratch: String::new(),
            hits: Vec::new(),
        }
    }

    /// How many texts of `batch` contain the needle; an error when one is not UTF-8.
    fn count_batch(&self, batch: &mut TextBatch, scratch: &mut String) -> Result<u64, Utf8Error> {
        let mut count = 0;
        self.each_match(batch, scratch, |_| count += 1)?;
        Ok(count)
    }

    /// Calls `found` with the row of each text of `batch` that contains the needle, once
    /// each (not always in order); an error when a text is not UTF-8. Lowercases the
    /// batch's ASCII letters (which folding does anyway).
    fn each_match(
        &self,
        batch: &mut TextBatch,
        scratch: &mut String,
        mut found: impl FnMut(usize),
    ) -> Result<(), Utf8Error> {
        batch.bytes.make_ascii_lowercase();
        // Each text ends with a NUL, which ends any UTF-8 sequence: the batch is UTF-8
        // exactly when every text is, and a text's bounds are character boundaries.
        let all = utf8(&batch.bytes)?;
        if self.folded.contains('\0') {
            // A match could cross from one text into the next.
            (0..batch.ends.len())
                .filter(|&row| self.matches_with(batch.text(all, row), scratch))
                .for_each(&mut found);
            return Ok(());
        }
        let mut folds_in_text = |row: usize| self.fold_then_find(batch.text(all, row), scratch);
        match &self.ascii {
            AsciiPart::Whole(needle) if needle.bytes.is_empty() => {
                (0..batch.ends.len()).for_each(&mut found);
            }
            AsciiPart::Whole(needle) => {
                // A raw match is a match; only texts with `K` or `ſ` may hold more.
                batch.rows_holding(&needle.finder).for_each(&mut found);
                batch
                    .rows_folding_into_ascii()
                    .into_iter()
                    .filter(|&row| !needle.is_in(batch.text(all, row).as_bytes()))
                    .filter(|&row| folds_in_text(row))
                    .for_each(found);
            }
            AsciiPart::Run(run) => {
                let mut candidates: Vec<usize> = batch.rows_holding(&run.finder).collect();
                candidates.extend(batch.rows_folding_into_ascii());
                candidates.sort_unstable();
                candidates.dedup();
                candidates
                    .into_iter()
                    .filter(|&row| !batch.text(all, row).is_ascii())
                    .filter(|&row| folds_in_text(row))
                    .for_each(found);
            }
            AsciiPart::Nothing => (0..batch.ends.len())
                .filter(|&row| !batch.text(all, row).is_ascii())
                .filter(|&row| folds_in_text(row))
                .for_each(found),
        }
        Ok(())
    }

    /// The definition: fold the text, search the folded needle.
    fn fold_then_find(&self, haystack: &str, scratch: &mut String) -> bool {
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

/// `bytes` as text: checked with SIMD, and again by the standard library only to say
/// where a text that is not UTF-8 goes wrong.
fn utf8(bytes: &[u8]) -> Result<&str, Utf8Error> {
    simdutf8::basic::from_utf8(bytes).or_else(|_| std::str::from_utf8(bytes))
}

/// How many bytes of texts a [`ContainsCount`] gathers before it searches them: small
/// enough to stay in a core's cache.
const BATCH_BYTES: usize = 64 << 10;

/// Texts one after another, each followed by a NUL byte.
#[derive(Debug, Default, Clone)]
struct TextBatch {
    bytes: Vec<u8>,
    /// Where each text's NUL is.
    ends: Vec<usize>,
}

impl TextBatch {
    fn push(&mut self, text: &[u8]) {
        self.bytes.extend_from_slice(text);
        self.ends.push(self.bytes.len());
        self.bytes.push(0);
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Text `row`, from `all`, the batch's bytes as a `str`.
    fn text<'a>(&self, all: &'a str, row: usize) -> &'a str {
        let start = row.checked_sub(1).map_or(0, |before| self.ends[before] + 1);
        &all[start..self.ends[row]]
    }

    /// The texts (in order, each once) that hold a match of `finder`, whose needle has
    /// no NUL, so that no match crosses from one text into the next.
    fn rows_holding<'a>(&'a self, finder: &'a Finder<'_>) -> impl Iterator<Item = usize> + 'a {
        let mut row = 0;
        let mut from = 0;
        std::iter::from_fn(move || {
            let at = from + finder.find(&self.bytes[from..])?;
            row += self.ends[row..].partition_point(|&end| end < at);
            from = self.ends[row] + 1;
            Some(row)
        })
    }

    /// The texts that hold a character outside ASCII that folds into it, in order.
    fn rows_folding_into_ascii(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = FOLDING_INTO_ASCII
            .iter()
            .flat_map(|encoded| {
                memchr::memmem::find_iter(&self.bytes, encoded)
                    .map(|at| self.ends.partition_point(|&end| end < at))
            })
            .collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}

/// Counts the texts that contain a needle, given one by one; see [`Contains::counter`].
#[derive(Debug)]
pub struct ContainsCount {
    contains: Contains,
    batch: TextBatch,
    batch_bytes: usize,
    scratch: String,
    count: u64,
}

impl ContainsCount {
    /// Takes one text, as UTF-8 bytes. An error for texts that are not UTF-8 may come
    /// here or from [`total`](ContainsCount::total), for the batch that held them.
    pub fn add(&mut self, text: &[u8]) -> Result<(), Utf8Error> {
        self.batch.push(text);
        if self.batch.bytes.len() >= self.batch_bytes {
            self.search()?;
        }
        Ok(())
    }

    /// How many of the texts given so far contain the needle.
    pub fn total(&mut self) -> Result<u64, Utf8Error> {
        self.search()?;
        Ok(self.count)
    }

    fn search(&mut self) -> Result<(), Utf8Error> {
        let found = self
            .contains
            .count_batch(&mut self.batch, &mut self.scratch);
        self.batch.clear();
        self.count += found?;
        Ok(())
    }
}

/// Finds the texts that contain a needle, given one by one with a key each; see
/// [`Contains::matcher`]. Memory holds one batch of texts and the keys found.
#[derive(Debug)]
pub struct ContainsMatches<K> {
    contains: Contains,
    batch: TextBatch,
    /// The key of each text of the batch.
    keys: Vec<K>,
    batch_bytes: usize,
    scratch: String,
    hits: Vec<K>,
}

impl<K: Copy> ContainsMatches<K> {
    /// Takes one text, as UTF-8 bytes, with its key. An error for texts that are not
    /// UTF-8 may come here or from a later call, for the batch that held them.
    pub fn add(&mut self, key: K, text: &[u8]) -> Result<(), Utf8Error> {
        self.batch.push(text);
        self.keys.push(key);
        if self.batch.bytes.len() >= self.batch_bytes {
            self.search()?;
        }
        Ok(())
    }

    /// How many texts found so far hold the needle (those of the batch being gathered
    /// not included).
    pub fn found(&self) -> usize {
        self.hits.len()
    }

    /// The keys of the texts given that contain the needle, in the order given.
    pub fn finish(mut self) -> Result<Vec<K>, Utf8Error> {
        self.search()?;
        Ok(self.hits)
    }

    fn search(&mut self) -> Result<(), Utf8Error> {
        let mut rows = Vec::new();
        let searched = self
            .contains
            .each_match(&mut self.batch, &mut self.scratch, |row| rows.push(row));
        self.batch.clear();
        if searched.is_ok() {
            rows.sort_unstable();
            self.hits.extend(rows.into_iter().map(|row| self.keys[row]));
        }
        self.keys.clear();
        searched
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn accents_come_off_and_nothing_else_changes() {
        for (text, plain) in [
            ("Ďakujem", "Dakujem"),
            ("ďakujem", "dakujem"),
            ("Ärger", "Arger"),
            ("Σίσυφος", "Σισυφος"),
            ("n\u{0303}", "n"),
            ("ñ", "n"),
            ("straße", "straße"),
            ("ﬁ", "ﬁ"),
            ("🇸🇰", "🇸🇰"),
            ("", ""),
        ] {
            assert_eq!(without_accents(text), plain, "{text}");
        }
    }

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

    /// (needle, haystack, matches) at the edges of the paths that do not fold the text.
    const FAST_PATH_EDGES: &[(&str, &str, bool)] = &[
        // ASCII needle, ASCII text: found anywhere, in any case; a rare byte near an edge.
        ("money", "MONEY", true),
        ("money", "send MoNeY", true),
        ("money", "MONEY sent", true),
        ("money", "mone", false),
        ("money", "m o n e y", false),
        ("money", "monex money", true),
        ("o", "HELLO", true),
        ("q", "HELLO", false),
        ("100%", "it is 100% done", true),
        ("100%", "it is 100 % done", false),
        ("%", "%", true),
        ("zz", "z", false),
        ("@", "`", false), // 0x40 and 0x60 are not one letter in two cases
        ("[", "{", false),
        ("", "", true),
        // A needle that folds to something outside ASCII is never in an ASCII text.
        ("ä", "a", false),
        ("Ďakujem", "Dakujem", false),
        ("σ", "s", false),
        ("ß", "ss", false),
        // ... but the Kelvin sign and the long s fold into ASCII: those needles are ASCII.
        ("\u{212A}", "OK", true),
        ("\u{017F}", "yes", true),
        ("o\u{212A}", "OK", true),
        // ASCII needle, text outside ASCII without K or ſ: the raw bytes are searched.
        ("ok", "Grüße, OK?", true),
        ("gruss", "Grüß", false),
        ("e", "é", false),
        ("dank", "Vielen DANK ☺", true),
        ("€", "100 €", true),
        // ... with K or ſ, the text is folded.
        ("ok", "o\u{212A}", true),
        ("ok", "O\u{212A} ☺", true),
        ("kk", "\u{212A}\u{212A}ä", true),
        ("masse", "Ma\u{017F}\u{017F}e", true),
        ("MASSE", "Ma\u{017F}\u{017F}é", false),
        ("s", "\u{017F}ä", true),
        ("st", "\u{017F}\u{FB06}", false), // ﬆ folds fully, not simply, to st
        // Needles with an ASCII run: the run must be in the text, then the text is folded.
        ("Ďakujem", "ďAKUJEM pekne", true),
        ("Ďakujem", "ďakuje", false),
        ("Ďakujem", "ďa kujem", false),
        ("Ďakujem", "akujem Ď", false),
        ("kä", "\u{212A}Ä", true),
        ("sä", "\u{017F}ä", true),
        ("äs", "Ä\u{017F}", true),
        ("äs", "Ä\u{212A}", false),
        // No ASCII character in the needle: the text is folded.
        ("σ", "ΣΊΣΥΦΟΣ", true),
        ("ς", "abc σ", true),
        ("😀", "a😀", true),
    ];

    #[test]
    fn fast_path_edges() {
        for &(needle, haystack, expected) in FAST_PATH_EDGES {
            let contains = Contains::new(needle);
            let mut scratch = String::new();
            assert_eq!(
                contains.matches(haystack),
                expected,
                "{needle:?} in {haystack:?}"
            );
            assert_eq!(
                contains.matches_utf8(haystack.as_bytes(), &mut scratch),
                Ok(expected),
                "{needle:?} in {haystack:?} as bytes"
            );
            assert_eq!(
                fold(haystack).contains(&fold(needle)),
                expected,
                "the edge table disagrees with the definition: {needle:?} in {haystack:?}"
            );
        }
    }

    #[test]
    fn only_the_kelvin_sign_and_the_long_s_fold_into_ascii() {
        // The paths that search raw bytes are exact only if this holds for the whole table.
        let into_ascii: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|c| !c.is_ascii() && fold_char(*c).is_ascii())
            .collect();
        assert_eq!(into_ascii, ['\u{017F}', '\u{212A}']);
        for c in into_ascii {
            assert!(
                FOLDING_INTO_ASCII.contains(&c.to_string().as_bytes()),
                "{c:?}"
            );
        }
    }

    #[test]
    fn bytes_that_are_not_utf8_are_an_error_unless_ascii() {
        let contains = Contains::new("a");
        let mut scratch = String::new();
        assert_eq!(contains.matches_utf8(b"ABC", &mut scratch), Ok(true));
        assert!(contains.matches_utf8(b"ABC\xC3", &mut scratch).is_err());
        assert!(contains.matches_utf8(b"\xE2\x84", &mut scratch).is_err());
    }

    /// Letters at the edges of the fast paths: ASCII letters in both cases, the two
    /// characters that fold into ASCII, characters that share their UTF-8 lead bytes
    /// (U+20AC €, U+263A ☺: E2; U+0141 Ł, U+0161 š: C5), letters that fold outside ASCII,
    /// full-folding-only ones, and NUL (which a batch puts between texts).
    const ALPHABET: &[char] = &[
        'a', 'A', 'k', 'K', 's', 'S', 't', '%', ' ', '\u{212A}', '\u{017F}', '\u{20AC}',
        '\u{263A}', 'Ł', 'ł', 'š', 'Š', 'ß', 'ẞ', 'σ', 'ς', 'Σ', 'ä', 'Ä', 'İ', 'ı', 'ﬆ', '😀',
        '\0',
    ];

    fn text(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(ALPHABET), 0..max)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn matches_is_fold_then_find(needle in text(4), haystack in text(12)) {
            let expected = fold(&haystack).contains(&fold(&needle));
            let contains = Contains::new(&needle);
            let mut scratch = String::new();
            prop_assert_eq!(contains.matches_with(&haystack, &mut scratch), expected);
            prop_assert_eq!(contains.matches_utf8(haystack.as_bytes(), &mut scratch), Ok(expected));
        }

        #[test]
        fn the_counter_counts_what_matches_accepts(
            needle in text(4),
            texts in proptest::collection::vec(text(10), 0..40),
            batch_bytes in 1usize..64,
        ) {
            let contains = Contains::new(&needle);
            let expected = texts.iter().filter(|text| contains.matches(text)).count() as u64;
            let texts: Vec<&[u8]> = texts.iter().map(|text| text.as_bytes()).collect();
            prop_assert_eq!(counted(&needle, &texts, batch_bytes), Ok(expected));
            prop_assert_eq!(counted(&needle, &texts, BATCH_BYTES), Ok(expected));
        }

        #[test]
        fn the_matcher_finds_what_matches_accepts(
            needle in text(4),
            texts in proptest::collection::vec(text(10), 0..40),
            batch_bytes in 1usize..64,
        ) {
            let contains = Contains::new(&needle);
            let expected: Vec<usize> = (0..texts.len())
                .filter(|&i| contains.matches(&texts[i]))
                .map(|i| i * 3)
                .collect();
            let texts: Vec<&[u8]> = texts.iter().map(|text| text.as_bytes()).collect();
            prop_assert_eq!(found(&needle, &texts, batch_bytes), Ok(expected.clone()));
            prop_assert_eq!(found(&needle, &texts, BATCH_BYTES), Ok(expected));
        }

        #[test]
        fn matches_is_fold_then_find_in_ascii(needle in "[a-zA-Z0-9%@`]{0,4}", haystack in "[a-zA-Z0-9%@` ]{0,24}") {
            let expected = fold(&haystack).contains(&fold(&needle));
            prop_assert_eq!(Contains::new(&needle).matches(&haystack), expected);
        }
    }

    /// How many of `texts` the counter counts, searching every `batch_bytes`.
    fn counted(needle: &str, texts: &[&[u8]], batch_bytes: usize) -> Result<u64, Utf8Error> {
        let contains = Contains::new(needle);
        let mut counter = contains.counter();
        counter.batch_bytes = batch_bytes;
        for text in texts {
            counter.add(text)?;
        }
        counter.total()
    }

    /// The keys of the `texts` the matcher finds, searching every `batch_bytes`; text i
    /// has key 3i.
    fn found(needle: &str, texts: &[&[u8]], batch_bytes: usize) -> Result<Vec<usize>, Utf8Error> {
        let mut matches = Contains::new(needle).matcher();
        matches.batch_bytes = batch_bytes;
        for (i, text) in texts.iter().enumerate() {
            matches.add(i * 3, text)?;
        }
        matches.finish()
    }

    #[test]
    fn the_matcher_gives_the_keys_of_texts_in_the_order_given() {
        // The Kelvin sign folds into ASCII (`k`): such a text is found apart from the raw
        // matches, and still comes back in its place.
        let texts: &[&[u8]] = &[b"ok", "o\u{212A}".as_bytes(), b"no", b"OK ok", b"o k"];
        for batch_bytes in [1, 8, BATCH_BYTES] {
            assert_eq!(found("ok", texts, batch_bytes), Ok(vec![0, 3, 9]));
            assert_eq!(found("", texts, batch_bytes), Ok(vec![0, 3, 6, 9, 12]));
            assert_eq!(found("x", texts, batch_bytes), Ok(vec![]));
        }
        let mut matches = Contains::new("ok").matcher();
        matches.batch_bytes = 4;
        matches.add(7, b"ok ok").unwrap();
        assert_eq!(matches.found(), 1);
        matches.add(8, b"nope").unwrap();
        assert!(matches.add(9, b"\xC3").is_err() || matches.finish().is_err());
    }

    #[test]
    fn the_counter_counts_texts_not_matches() {
        let texts: &[&[u8]] = &[b"ent ent ENT", b"", b"nothing", b"entente", b"E N T"];
        for batch_bytes in [1, 8, BATCH_BYTES] {
            assert_eq!(counted("ent", texts, batch_bytes), Ok(2));
            assert_eq!(counted("", texts, batch_bytes), Ok(5));
        }
    }

    #[test]
    fn no_match_crosses_from_one_text_into_the_next() {
        let texts: &[&[u8]] = &[b"da", b"nke", "ďa".as_bytes(), b"kujem", b"a\0", b"b"];
        for batch_bytes in [1, BATCH_BYTES] {
            assert_eq!(counted("danke", texts, batch_bytes), Ok(0));
            assert_eq!(counted("Ďakujem", texts, batch_bytes), Ok(0));
            assert_eq!(counted("a\0b", texts, batch_bytes), Ok(0));
            assert_eq!(counted("\0", texts, batch_bytes), Ok(1));
        }
    }

    #[test]
    fn the_counter_reports_a_text_that_is_not_utf8() {
        let texts: &[&[u8]] = &[b"ok", b"\xC3", b"\xA4"]; // ä cut in two texts
        for batch_bytes in [1, BATCH_BYTES] {
            assert!(counted("ok", texts, batch_bytes).is_err());
            assert!(counted("ä", texts, batch_bytes).is_err());
        }
    }

    #[test]
    fn short_haystack_bound_is_safe_for_the_kelvin_sign() {
        // 3 Kelvin signs (9 bytes) fold to "kkk" (3 bytes); the needle "kkk" must still match
        // a 3-byte haystack, and a 9-byte needle of Kelvin signs must match "kkk".
        assert!(Contains::new("\u{212A}\u{212A}\u{212A}").matches("kkk"));
        assert!(Contains::new("kkk").matches("\u{212A}\u{212A}\u{212A}"));
    }
}
