//! The index schema: which message fields are indexed, and how.

use tantivy::schema::{
    FAST, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};

use crate::tokens::{GramTokenizer, WordTokenizer};

/// Bumped whenever the schema or a tokenizer changes: an index of another version is
/// rebuilt, never read.
/// 3: no unigram/bigram field (needles of one or two characters are the store's).
/// 4: the `plain` field (words without accents).
/// 5: no `plain` field: `words` holds an accented word's unaccented form too, marked, at
///    the word's position (1M messages: the index 1.7 s of CPU cheaper to build).
pub const SCHEMA_VERSION: u32 = 5;

pub(crate) const GRAMS: &str = "plupper_grams";
pub(crate) const WORDS: &str = "plupper_words";

/// The fields, by handle.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Archive id (fast: ordering, bounds).
    pub id: Field,
    /// Answer-order key: the instant, or the wall clock read as UTC (fast).
    pub sort_key: Field,
    /// Written date as YYYYMMDD (indexed and fast: ranges).
    pub written_date: Field,
    /// Operator, raw and case-sensitive.
    pub operator: Field,
    /// Customer id, raw and case-sensitive.
    pub customer_id: Field,
    /// Visitor id.
    pub visitor_id: Field,
    /// Folded trigrams at character positions (exact `contains`, three characters or more).
    pub grams: Field,
    /// Folded words with positions (ranked search, phrases), and the unaccented form of
    /// each word with accents at its position, marked ([`crate::tokens::UNACCENTED`]):
    /// accent-insensitive search, in which a match of the written form ranks first.
    pub words: Field,
}

/// The schema and its fields.
pub fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Field norms (one byte per document and field) serve BM25 only, so only `words`,
    // the ranked field, keeps them; the exact fields are matched, never scored.
    let text = |tokenizer: &str, record: IndexRecordOption, norms: bool| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record)
                .set_fieldnorms(norms),
        )
    };
    let exact = || text("raw", IndexRecordOption::Basic, false);
    let indexed = || NumericOptions::default().set_indexed();
    let fields = Fields {
        id: builder.add_u64_field("id", FAST),
        sort_key: builder.add_i64_field("sort_key", FAST),
        written_date: builder.add_i64_field("written_date", indexed() | FAST),
        operator: builder.add_text_field("operator", exact()),
        customer_id: builder.add_text_field("customer_id", exact()),
        visitor_id: builder.add_i64_field("visitor_id", indexed()),
        grams: builder.add_text_field(
            "grams",
            text(GRAMS, IndexRecordOption::WithFreqsAndPositions, false),
        ),
        words: builder.add_text_field(
            "words",
            text(WORDS, IndexRecordOption::WithFreqsAndPositions, true),
        ),
    };
    (builder.build(), fields)
}

/// Registers the tokenizers the schema names; needed on every opened index.
pub(crate) fn register_tokenizers(index: &tantivy::Index) {
    let tokenizers = index.tokenizers();
    tokenizers.register(GRAMS, GramTokenizer::default());
    tokenizers.register(WORDS, WordTokenizer);
}
