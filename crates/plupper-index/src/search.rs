//! Answering from the index: exact filters with `contains`, and ranked word search.

use std::collections::BinaryHeap;
use std::ops::Bound;
use std::sync::Arc;

use tantivy::collector::{Collector, Count, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::fastfield::FastFieldReaders;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, ConstScoreQuery, EmptyQuery, Occur,
    PhraseQuery, Query, RangeQuery, RegexPhraseQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{BitSet, DocId, Score, Searcher, SegmentReader};

use plupper_model::fold::without_accents;
use plupper_model::plural::counted;
use plupper_store::query::{OrderKey, Selection};
use plupper_store::{ArchiveId, Store};

use crate::IndexError;
use crate::build::{Freshness, index_path, open_current};
use crate::ids::{DocIds, SegmentIds};
use crate::kept::{self, Signature};
use crate::readers::{Readers, Split};
use crate::schema::{Fields, schema};
use crate::tokens::{UNACCENTED, covering_trigrams, marked, words};

/// A reader of a current index.
pub struct IndexSearcher {
    readers: Readers,
    fields: Fields,
    last_id: i64,
    /// The segments whose ids are read by addition.
    ids: SegmentIds,
    /// When an exact query runs on two threads.
    split: Split,
}

/// One positive or negative part of a ranked query. Words match without regard to case
/// or accents; a message holding the words as written (accents included) ranks higher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// The words of this text, in this order, next to each other (one word: the word).
    Phrase(String),
    /// Every word starting with this one word (`pass*`).
    Prefix(String),
}

impl Clause {
    /// Whether the clause can match anything: it holds a word.
    pub fn has_words(&self) -> bool {
        match self {
            Clause::Phrase(text) | Clause::Prefix(text) => !words(text).is_empty(),
        }
    }
}

/// A ranked query: every group must match (a group matches when any of its clauses does),
/// and no excluded clause may.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RankedQuery {
    /// Groups of alternatives (`a OR b`), all required.
    pub required: Vec<Vec<Clause>>,
    /// Clauses that exclude a message.
    pub excluded: Vec<Clause>,
}

impl RankedQuery {
    /// The words the query looks for, for marking them in snippets: each folded and
    /// without accents, a prefix with a `*` after it (a word never holds a `*`).
    pub fn positive_words(&self) -> Vec<String> {
        let mut marked = Vec::new();
        for clause in self.required.iter().flatten() {
            let (Clause::Phrase(text) | Clause::Prefix(text)) = clause;
            marked.extend(words(text).iter().map(|(w, _)| without_accents(w)));
            // Of `e-mail*`, only the last word is a prefix.
            if let (Clause::Prefix(_), Some(last)) = (clause, marked.last_mut()) {
                last.push('*');
            }
        }
        marked
    }
}

impl IndexSearcher {
    /// Opens the index of `store` if it is current (holds exactly the store's messages
    /// now), otherwise says why not. The caller should hold a store snapshot, so that the
    /// store does not move on between this check and reading the messages.
    ///
    /// A current index is kept open for the next call in this process: a server's
    /// queries share one reader, reopened when the index or the archive changes. A
    /// process that keeps none ([`crate::keep_readers`]) leaves its last reader open
    /// until it ends, unused.
    pub fn open_current(store: &Store) -> Result<Result<IndexSearcher, Freshness>, IndexError> {
        let dir = index_path(store);
        let signature = kept::keeping().then(|| Signature::read(&dir)).flatten();
        // The archive a kept reader is found by, read only when one can be kept (a
        // one-query process reads them once, below).
        let uuid = match &signature {
            Some(signature) => {
                let uuid = store.info()?.uuid;
                let archived = store.max_id()?.0;
                if let Some((readers, ids)) = kept::find(&dir, signature, &uuid, archived) {
                    return Ok(Ok(IndexSearcher::new(readers, archived, ids)));
                }
                Some(uuid)
            }
            None => None,
        };
        let (opened, last_id, ids) = match open_current(store)? {
            Ok(opened) => opened,
            Err(freshness) => return Ok(Err(freshness)),
        };
        let readers = match open_readers(opened) {
            Ok(readers) => readers,
            Err(error) => return Ok(Err(Freshness::Unreadable(error.to_string()))),
        };
        // Kept only when the directory did not change while it was opened.
        if let (Some(signature), Some(uuid)) = (signature, uuid) {
            if Signature::read(&dir).is_some_and(|now| now == signature) {
                kept::keep(
                    &dir,
                    signature,
                    uuid,
                    last_id,
                    (readers.clone(), ids.clone()),
                );
            }
        } else if !kept::keeping() {
            kept::leave(&readers);
        }
        Ok(Ok(IndexSearcher::new(readers, last_id, ids)))
    }

    /// Opens the index of the archive in `dir` if it holds the messages that `mark` says
    /// the archive holds ([`plupper_store::mark::read_mark`]), without opening the store:
    /// for a count the index answers alone ([`IndexSearcher::count`]). `None` when it does
    /// not or cannot be read: [`IndexSearcher::open_current`] then says why.
    ///
    /// ```
    /// use plupper_index::{IndexSearcher, NoProgress, update};
    /// use plupper_store::{Store, mark::read_mark, query::Selection};
    /// use plupper_sync::{file::import_file, load::NoProgress as NoLoadProgress};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut store = Store::open(dir.path())?;
    /// import_file(&mut store, "../../data/seed.json".as_ref(), &NoLoadProgress);
    /// update(&store, false, &NoProgress)?;
    /// drop(store); // the writer closes: the file alone is the archive again
    ///
    /// let mark = read_mark(dir.path()).expect("an idle archive");
    /// let searcher = IndexSearcher::open_marked(dir.path(), mark).expect("current");
    /// assert_eq!(searcher.count(&Selection::default(), "HELP")?, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_marked(dir: &std::path::Path, mark: u32) -> Option<IndexSearcher> {
        let (opened, last_id, ids) = crate::build::open_marked(dir, mark)?;
        let readers = open_readers(opened).ok()?;
        if !kept::keeping() {
            kept::leave(&readers);
        }
        Some(IndexSearcher::new(readers, last_id, ids))
    }

    fn new(readers: Readers, last_id: i64, ids: SegmentIds) -> IndexSearcher {
        // `-v`: what the answer reads (each segment costs a query a few file opens, and
        // one whose ids are not consecutive its `id` column when it has a hit).
        let segments = readers.segment_readers();
        tracing::info!(
            "search index: {} in {} ({} with consecutive ids), up to message {last_id}",
            counted(readers.num_docs(), "message"),
            counted(segments.len() as u64, "segment"),
            segments.iter().filter(|s| ids.first(s).is_some()).count(),
        );
        let (_, fields) = schema();
        IndexSearcher {
            readers,
            fields,
            last_id,
            ids,
            split: Split::WhenCostly,
        }
    }

    /// The last archive id the index holds.
    pub fn last_id(&self) -> ArchiveId {
        ArchiveId(self.last_id)
    }

    /// How many messages the index holds (for `verify`: a current index holds exactly the
    /// store's messages, so this is the store's message count).
    pub fn document_count(&self) -> u64 {
        self.readers.num_docs()
    }

    /// How many segments the index has: each costs a query that opens it a few file
    /// opens and maps.
    pub fn segment_count(&self) -> usize {
        self.readers.segment_readers().len()
    }

    /// How many messages match the selection and contain `contains` (from the index
    /// alone), for a needle the index answers ([`answers_contains`]).
    pub fn count(&self, selection: &Selection, contains: &str) -> Result<u64, IndexError> {
        let query = self.exact_query(selection, contains)?;
        // One term, or none, is counted by its document frequency; a phrase or parts
        // that intersect are counted hit by hit, on both cores when that is costly.
        let by_frequency = query.is::<TermQuery>() || query.is::<AllQuery>();
        let count = if by_frequency {
            self.readers.search(&query, &Count)?
        } else {
            self.readers.search_split(&query, &Count, self.split)?
        };
        Ok(count as u64)
    }

    /// The order keys of the matching messages, in answer order; the first `limit` only
    /// when given. For a needle the index answers ([`answers_contains`]). `store` is the
    /// archive the index is current for (read inside the same snapshot): the keys of a
    /// segment's few hits are read from it ([`FEW`]).
    pub fn keys(
        &self,
        store: &Store,
        selection: &Selection,
        contains: &str,
        limit: Option<usize>,
    ) -> Result<Vec<OrderKey>, IndexError> {
        let query = self.exact_query(selection, contains)?;
        self.collect_keys(store, &*query, limit, None)
    }

    /// The order keys of the messages that match the selection and whose archive ids are
    /// among `ids` (in any order), in answer order; the first `limit` only when given. For
    /// a needle the index does not hold: the store finds the ids of its matches
    /// ([`Store::content_matches`]), the index selects and orders them. `None` when the
    /// ids are too far apart to be looked up in a bitmap (more than 16 ids a document
    /// between the smallest and the largest, which only ids far beyond the index's
    /// documents have).
    pub fn keys_among(
        &self,
        store: &Store,
        selection: &Selection,
        ids: &[ArchiveId],
        limit: Option<usize>,
    ) -> Result<Option<Vec<OrderKey>>, IndexError> {
        let Some(among) = self.among(ids) else {
            return Ok(None);
        };
        let query = self.exact_query(selection, "")?;
        self.collect_keys(store, &*query, limit, Some(Arc::new(among)))
            .map(Some)
    }

    /// How many messages match the selection and have their archive ids among `ids` (in
    /// any order): the count of [`keys_among`](IndexSearcher::keys_among), `None` when
    /// it gives none.
    pub fn count_among(
        &self,
        selection: &Selection,
        ids: &[ArchiveId],
    ) -> Result<Option<u64>, IndexError> {
        let Some(among) = self.among(ids) else {
            return Ok(None);
        };
        let query = self.exact_query(selection, "")?;
        let counter = CountAmong {
            among: Arc::new(among),
            ids: &self.ids,
        };
        Ok(Some(
            self.readers.search_split(&query, &counter, self.split)?,
        ))
    }

    /// `ids` as a bitmap from the smallest; `None` when they are more than 16 ids a
    /// document apart ([`keys_among`](IndexSearcher::keys_among)).
    fn among(&self, ids: &[ArchiveId]) -> Option<Among> {
        let (Some(first), Some(last)) = (ids.iter().min(), ids.iter().max()) else {
            return Some(Among {
                first: 0,
                bits: BitSet::with_max_value(0),
            });
        };
        let span = i128::from(last.0) - i128::from(first.0) + 1;
        let most = 16 * i128::from(self.document_count()) + 65_536;
        let span = u32::try_from(span)
            .ok()
            .filter(|&span| i128::from(span) <= most)?;
        let mut bits = BitSet::with_max_value(span);
        for id in ids {
            // Below `span`: every id is between `first` and `last`.
            bits.insert((id.0 - first.0) as u32);
        }
        Some(Among {
            first: first.0,
            bits,
        })
    }

    /// The keys of the documents `query` matches (among `among`'s ids, when given), in
    /// answer order; the first `limit` only when given.
    fn collect_keys(
        &self,
        store: &Store,
        query: &dyn Query,
        limit: Option<usize>,
        among: Option<Arc<Among>>,
    ) -> Result<Vec<OrderKey>, IndexError> {
        let SegmentKeys {
            mut keys,
            mut unkeyed,
        } = self.readers.search_split(
            query,
            &KeyCollector {
                limit,
                ids: &self.ids,
                among,
            },
            self.split,
        )?;
        if !unkeyed.is_empty() {
            unkeyed.sort_unstable();
            keys.extend(store.order_keys(&unkeyed)?);
        }
        // Each segment's keys come in document (archive id) order, which is mostly answer
        // order: the stable sort finds those runs and merges them, where an unstable one
        // sorts from scratch. The keys are distinct, so the order is the same.
        keys.sort();
        if let Some(limit) = limit {
            keys.truncate(limit);
        }
        Ok(keys)
    }

    /// Ranked search: matching ids with their BM25 scores, best first, ties in archive
    /// order; the first `limit` only when given.
    pub fn ranked(
        &self,
        ranked: &RankedQuery,
        selection: &Selection,
        limit: Option<usize>,
    ) -> Result<Vec<(Score, ArchiveId)>, IndexError> {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for group in &ranked.required {
            let alternatives: Vec<Box<dyn Query>> =
                group.iter().filter_map(|c| self.clause_query(c)).collect();
            match alternatives.len() {
                0 => {}
                1 => parts.extend(alternatives.into_iter().map(|q| (Occur::Must, q))),
                _ => parts.push((Occur::Must, Box::new(BooleanQuery::union(alternatives)))),
            }
        }
        if parts.is_empty() {
            if ranked.excluded.is_empty() {
                return Ok(Vec::new());
            }
            parts.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0)),
            ));
        }
        for filter in self.filters(selection) {
            parts.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
        }
        let query = BooleanQuery::new(parts);
        let searcher = self.readers.searcher()?;
        let statistics = Unaccented {
            searcher,
            words: self.fields.words,
        };
        let mut hits =
            searcher.search_with_statistics_provider(&query, &ScoredIds(&self.ids), &statistics)?;
        // Exclusions are applied here rather than as `MustNot` clauses: tantivy 0.27's
        // exclusion seeks a phrase scorer backwards once it is exhausted (a debug
        // assertion fails on `-"a a"`), so excluded messages are collected on their own.
        let mut excluded = std::collections::HashSet::new();
        for query in ranked.excluded.iter().filter_map(|c| self.clause_query(c)) {
            excluded.extend(
                searcher
                    .search(query.as_ref(), &ScoredIds(&self.ids))?
                    .into_iter()
                    .map(|(_, id)| id),
            );
        }
        hits.retain(|(_, id)| !excluded.contains(id));
        hits.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        if let Some(limit) = limit {
            hits.truncate(limit);
        }
        Ok(hits)
    }

    /// A clause as a query: its words as written (folded), or without accents
    /// ([`Self::unaccented_query`]), both on `words`. A message holding the written form
    /// matches both and so ranks first; a query written without accents finds the
    /// messages that write it so first too, then the accented forms.
    fn clause_query(&self, clause: &Clause) -> Option<Box<dyn Query>> {
        let (Clause::Phrase(text) | Clause::Prefix(text)) = clause;
        let folded: Vec<String> = words(text).into_iter().map(|(w, _)| w).collect();
        let plain: Vec<String> = folded.iter().map(|w| without_accents(w)).collect();
        if let Clause::Prefix(_) = clause {
            return self.prefix_query(&plain);
        }
        let exact = self.words_query(self.fields.words, &folded)?;
        let plain = self.unaccented_query(&plain)?;
        Some(Box::new(BooleanQuery::union(vec![exact, plain])))
    }

    /// The words (without accents) in this order, next to each other, each written so or
    /// as the unaccented form of an accented word ([`marked`]). A word has the marked
    /// alternative only where the index holds it; a phrase is the union of the phrases of
    /// the alternatives, so that each keeps its words' own statistics (more than 16
    /// combinations: one regex phrase, which scores every word as rare).
    fn unaccented_query(&self, plain: &[String]) -> Option<Box<dyn Query>> {
        let field = self.fields.words;
        let alternatives: Vec<Vec<Term>> = plain
            .iter()
            .map(|word| {
                let mut terms = vec![Term::from_field_text(field, word)];
                let marked = Term::from_field_text(field, &marked(word));
                let found = self.readers.searcher().and_then(|s| s.doc_freq(&marked));
                if found.map_or(true, |n| n > 0) {
                    terms.push(marked);
                }
                terms
            })
            .collect();
        let term = |term: &Term| -> Box<dyn Query> {
            Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs))
        };
        match alternatives.as_slice() {
            [] => None,
            [single] if single.len() == 1 => Some(term(&single[0])),
            [single] => Some(Box::new(BooleanQuery::union(
                single.iter().map(term).collect(),
            ))),
            _ => {
                let combinations: usize = alternatives.iter().map(Vec::len).product();
                if combinations > 16 {
                    let patterns = plain.iter().map(|w| format!("\\x01?{w}")).collect();
                    return Some(Box::new(RegexPhraseQuery::new(field, patterns)));
                }
                let mut phrases: Vec<Vec<Term>> = vec![Vec::new()];
                for terms in &alternatives {
                    phrases = phrases
                        .iter()
                        .flat_map(|phrase| {
                            terms.iter().map(move |term| {
                                let mut longer = phrase.clone();
                                longer.push(term.clone());
                                longer
                            })
                        })
                        .collect();
                }
                let mut queries: Vec<Box<dyn Query>> = phrases
                    .into_iter()
                    .map(|terms| Box::new(PhraseQuery::new(terms)) as Box<dyn Query>)
                    .collect();
                Some(if queries.len() == 1 {
                    queries.pop()?
                } else {
                    Box::new(BooleanQuery::union(queries))
                })
            }
        }
    }

    /// `word*`: the words starting with the word, accents ignored (a prefix of several
    /// words, such as `e-mail*`, is the phrase of its words, the last one a prefix). Each
    /// word is matched written without accents or as an accented word's marked
    /// unaccented form ([`marked`]). Words are letters and digits only: nothing in them
    /// is a regex operator.
    fn prefix_query(&self, plain: &[String]) -> Option<Box<dyn Query>> {
        let field = self.fields.words;
        let last = plain.len().checked_sub(1)?;
        let patterns: Vec<String> = plain
            .iter()
            .enumerate()
            .map(|(i, word)| {
                let any = if i == last { ".*" } else { "" };
                format!("\\x01?{word}{any}")
            })
            .collect();
        match patterns.as_slice() {
            [pattern] => RegexQuery::from_pattern(pattern, field)
                .ok()
                .map(|q| Box::new(q) as Box<dyn Query>),
            _ => {
                let mut phrase = RegexPhraseQuery::new(field, patterns);
                // Every word the prefix starts (tantivy's phrase prefix took the first 50).
                phrase.set_max_expansions(u32::MAX);
                Some(Box::new(phrase))
            }
        }
    }

    /// The words in this order, next to each other, on `field` (one word: the term).
    fn words_query(&self, field: Field, words: &[String]) -> Option<Box<dyn Query>> {
        let terms: Vec<Term> = words
            .iter()
            .map(|w| Term::from_field_text(field, w))
            .collect();
        match terms.len() {
            0 => None,
            1 => Some(Box::new(TermQuery::new(
                terms.into_iter().next()?,
                IndexRecordOption::WithFreqs,
            ))),
            _ => Some(Box::new(PhraseQuery::new(terms))),
        }
    }

    /// The exact filter as a tantivy query.
    fn exact_query(
        &self,
        selection: &Selection,
        contains: &str,
    ) -> Result<Box<dyn Query>, IndexError> {
        let mut parts: Vec<Box<dyn Query>> = self.filters(selection);
        if let Some(query) = self.contains_query(contains)? {
            parts.push(query);
        }
        Ok(match parts.len() {
            0 => Box::new(AllQuery),
            1 => parts.pop().unwrap_or_else(|| Box::new(AllQuery)),
            _ => Box::new(BooleanQuery::intersection(parts)),
        })
    }

    /// The selection's exact parts, one query each.
    fn filters(&self, selection: &Selection) -> Vec<Box<dyn Query>> {
        let fields = &self.fields;
        let mut parts: Vec<Box<dyn Query>> = Vec::new();
        let term = |term: Term| -> Box<dyn Query> {
            Box::new(TermQuery::new(term, IndexRecordOption::Basic))
        };
        if let Some(operator) = &selection.operator {
            parts.push(term(Term::from_field_text(fields.operator, operator)));
        }
        if let Some(customer) = &selection.customer_id {
            parts.push(term(Term::from_field_text(fields.customer_id, customer)));
        }
        if let Some(visitor) = selection.visitor_id {
            parts.push(term(Term::from_field_i64(fields.visitor_id, visitor)));
        }
        if selection.from.is_some() || selection.to.is_some() {
            let bound = |date: Option<chrono::NaiveDate>| match date {
                Some(date) => {
                    Bound::Included(Term::from_field_i64(fields.written_date, yyyymmdd(date)))
                }
                None => Bound::Unbounded,
            };
            if matches!((selection.from, selection.to), (Some(from), Some(to)) if from > to) {
                parts.push(Box::new(EmptyQuery));
            } else {
                parts.push(Box::new(RangeQuery::new(
                    bound(selection.from),
                    bound(selection.to),
                )));
            }
        }
        parts
    }

    /// `contains` as a query on the trigram field; `None` for an empty needle (no
    /// condition).
    fn contains_query(&self, contains: &str) -> Result<Option<Box<dyn Query>>, IndexError> {
        if contains.is_empty() {
            return Ok(None);
        }
        if !answers_contains(contains) {
            return Err(IndexError::ShortNeedle {
                needle: contains.to_owned(),
            });
        }
        let mut grams: Vec<(usize, Term)> = covering_trigrams(contains)
            .into_iter()
            .map(|(position, gram)| (position, Term::from_field_text(self.fields.grams, &gram)))
            .collect();
        if grams.len() == 1 {
            let (_, term) = grams.remove(0);
            return Ok(Some(Box::new(TermQuery::new(
                term,
                IndexRecordOption::Basic,
            ))));
        }
        Ok(Some(Box::new(PhraseQuery::new_with_offset(grams))))
    }
}

/// The fewest characters of a `contains` needle the index answers (its trigrams); an
/// empty needle is no condition, which it answers too.
pub const MIN_CONTAINS_CHARS: usize = 3;

/// Whether the index answers a `contains` of `needle`: an empty one, or one of at least
/// [`MIN_CONTAINS_CHARS`] characters. The store answers the others.
///
/// ```
/// assert!(plupper_index::answers_contains("money"));
/// assert!(!plupper_index::answers_contains("ok"));
/// ```
pub fn answers_contains(needle: &str) -> bool {
    needle.is_empty() || needle.chars().nth(MIN_CONTAINS_CHARS - 1).is_some()
}

/// The segment readers of an opened index: tantivy's reader in a process that keeps its
/// readers, each segment opened on its own in one that asks one query
/// ([`crate::readers`]).
fn open_readers(opened: crate::build::Opened) -> tantivy::Result<Readers> {
    if kept::keeping() {
        Readers::open_searcher(&opened)
    } else {
        Readers::open_segments(opened)
    }
}

/// A reader of the index as it is now. No reload policy: a process reads one state, and
/// tantivy's file watcher (which warns when an update replaces the directory) is not
/// started. No cache of document-store blocks: the index stores no field (every answer
/// is read from the archive), and the cache tantivy makes for each segment otherwise
/// cost a rare word's count at 1M about 0.2 ms a process (2.33 against 2.09 ms, 300
/// interleaved processes).
pub(crate) fn reader(index: &tantivy::Index) -> tantivy::Result<tantivy::IndexReader> {
    index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .doc_store_cache_num_blocks(0)
        .try_into()
}

fn yyyymmdd(date: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

/// BM25 statistics in which a word written without accents and its marked form (the
/// unaccented form of the words that have accents, [`marked`]) count as one term, as
/// they would in a field of unaccented words: each has the documents of both. Otherwise
/// a rare spelling outranks the written form: asked `ďakujem`, one message writing
/// `dakujem` would score above three writing `ďakujem`, on the rarity of its spelling.
struct Unaccented<'a> {
    searcher: &'a Searcher,
    words: Field,
}

impl Bm25StatisticsProvider for Unaccented<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        self.searcher.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let value = term.value();
        let text = match value.as_str() {
            Some(text) if term.field() == self.words => text,
            _ => return self.searcher.doc_freq(term),
        };
        let plain = text.strip_prefix(UNACCENTED).unwrap_or(text);
        let field = self.words;
        let marked = self
            .searcher
            .doc_freq(&Term::from_field_text(field, &marked(plain)))?;
        if marked == 0 {
            return self.searcher.doc_freq(term);
        }
        Ok(self
            .searcher
            .doc_freq(&Term::from_field_text(field, plain))?
            + marked)
    }
}

/// Collects (sort key, id) of every hit, from the fast fields; with a limit, only the
/// smallest `limit` keys of each segment are kept (a bounded heap).
struct KeyCollector<'a> {
    limit: Option<usize>,
    /// The segments whose ids are read by addition.
    ids: &'a SegmentIds,
    /// Only the hits with these ids are collected, when given.
    among: Option<Arc<Among>>,
}

/// A set of archive ids: a bitmap from the smallest.
struct Among {
    first: i64,
    bits: BitSet,
}

impl Among {
    fn contains(&self, id: ArchiveId) -> bool {
        id.0.checked_sub(self.first)
            .and_then(|offset| u32::try_from(offset).ok())
            .is_some_and(|offset| offset < self.bits.max_value() && self.bits.contains(offset))
    }
}

/// Hits a segment keeps as documents while it has at most this many: their archive ids
/// are then read from its `id` column alone (or by addition, when its ids are
/// consecutive) and their order keys from the store ([`Store::order_keys`]), instead of
/// opening its `sort_key` column too. Opening a column reads the parameters of each of
/// its blocks of 512 documents (about 255,000 instructions in a segment of 491,520
/// documents); a key read from the store costs a few thousand, in a row that a listing
/// then reads again from SQLite's cache.
pub const FEW: usize = 16;

/// What [`KeyCollector`] gives: the order keys read from the index, and the archive ids
/// of the hits whose keys are to be read from the store ([`FEW`]).
#[derive(Debug, Default)]
struct SegmentKeys {
    keys: Vec<OrderKey>,
    unkeyed: Vec<ArchiveId>,
}

/// Counts the hits whose ids are among a set ([`IndexSearcher::count_among`]).
struct CountAmong<'a> {
    among: Arc<Among>,
    /// The segments whose ids are read by addition.
    ids: &'a SegmentIds,
}

/// A segment's part of [`CountAmong`]: its ids, or the error opening them.
struct CountAmongSegment {
    among: Arc<Among>,
    ids: tantivy::Result<DocIds>,
    count: u64,
}

impl Collector for CountAmong<'_> {
    type Fruit = u64;
    type Child = CountAmongSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<CountAmongSegment> {
        Ok(CountAmongSegment {
            among: Arc::clone(&self.among),
            ids: DocIds::open(self.ids.first(segment), segment.fast_fields()),
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, counts: Vec<tantivy::Result<u64>>) -> tantivy::Result<u64> {
        counts.into_iter().sum()
    }
}

impl SegmentCollector for CountAmongSegment {
    type Fruit = tantivy::Result<u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Ok(ids) = &self.ids {
            self.count += u64::from(self.among.contains(ids.id(doc)));
        }
    }

    fn harvest(self) -> tantivy::Result<u64> {
        self.ids.map(|_| self.count)
    }
}

/// A segment's part of [`KeyCollector`]. Its two columns are opened at its hit after the
/// first [`FEW`]: a segment with no more never opens its `sort_key` column, and one
/// without a hit (most of them, for a rare word at 5M messages: 11 segments) opens
/// neither.
struct KeySegmentCollector {
    fast_fields: FastFieldReaders,
    /// The id of the segment's first document when its ids are consecutive.
    first_id: Option<u64>,
    /// Not opened yet, opened, or the error opening them.
    columns: tantivy::Result<Option<KeyColumns>>,
    keys: Keys,
    /// The first hits, up to [`FEW`], while the columns are not opened (`few_len` of
    /// them; kept in place, so that a segment allocates nothing for them).
    few: [DocId; FEW],
    few_len: usize,
    /// The ids a hit must have, with the segment's ids, or the error opening them.
    among: Option<(Arc<Among>, tantivy::Result<DocIds>)>,
}

/// The two fast fields an order key is read from.
struct KeyColumns {
    sort_key: Column<i64>,
    id: DocIds,
}

/// A segment's keys: all of them in document order, or the smallest `limit` in a heap.
enum Keys {
    All(Vec<OrderKey>),
    Smallest {
        limit: usize,
        heap: BinaryHeap<OrderKey>,
    },
}

impl Collector for KeyCollector<'_> {
    type Fruit = SegmentKeys;
    type Child = KeySegmentCollector;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<KeySegmentCollector> {
        Ok(KeySegmentCollector {
            fast_fields: segment.fast_fields().clone(),
            first_id: self.ids.first(segment),
            columns: Ok(None),
            keys: match self.limit {
                None => Keys::All(Vec::new()),
                Some(limit) => Keys::Smallest {
                    limit,
                    heap: BinaryHeap::new(),
                },
            },
            few: [0; FEW],
            few_len: 0,
            among: self.among.as_ref().map(|among| {
                let ids = DocIds::open(self.ids.first(segment), segment.fast_fields());
                (Arc::clone(among), ids)
            }),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<tantivy::Result<SegmentKeys>>,
    ) -> tantivy::Result<SegmentKeys> {
        let mut merged = SegmentKeys::default();
        for fruit in fruits {
            let fruit = fruit?;
            merged.keys.extend(fruit.keys);
            merged.unkeyed.extend(fruit.unkeyed);
        }
        Ok(merged)
    }
}

impl KeySegmentCollector {
    fn open_columns(&self) -> tantivy::Result<KeyColumns> {
        Ok(KeyColumns {
            sort_key: self.fast_fields.i64("sort_key")?,
            id: self.ids()?,
        })
    }

    /// The ids of the segment's documents: by addition, or from its `id` column.
    fn ids(&self) -> tantivy::Result<DocIds> {
        DocIds::open(self.first_id, &self.fast_fields)
    }

    /// Adds the key of `doc`, read from the opened columns.
    fn add(&mut self, doc: DocId) {
        // A column that cannot be opened is the segment's answer, given at the harvest.
        let Ok(Some(columns)) = &self.columns else {
            return;
        };
        let key = OrderKey {
            sort_key: columns.sort_key.first(doc).unwrap_or_default(),
            id: columns.id.id(doc).0,
        };
        match &mut self.keys {
            Keys::All(keys) => keys.push(key),
            Keys::Smallest { limit, heap } => {
                heap.push(key);
                if heap.len() > *limit {
                    heap.pop(); // the largest
                }
            }
        }
    }
}

impl SegmentCollector for KeySegmentCollector {
    type Fruit = tantivy::Result<SegmentKeys>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some((among, ids)) = &self.among {
            // An error opening the ids is the segment's answer, given at the harvest.
            if !ids.as_ref().is_ok_and(|ids| among.contains(ids.id(doc))) {
                return;
            }
        }
        if let Ok(None) = self.columns {
            if self.few_len < FEW {
                self.few[self.few_len] = doc;
                self.few_len += 1;
                return;
            }
            self.columns = self.open_columns().map(Some);
            for i in 0..std::mem::take(&mut self.few_len) {
                self.add(self.few[i]);
            }
        }
        self.add(doc);
    }

    fn harvest(self) -> tantivy::Result<SegmentKeys> {
        if let Some((_, Err(error))) = &self.among {
            return Err(error.clone());
        }
        if self.columns.as_ref().map_err(Clone::clone)?.is_none() && self.few_len > 0 {
            let ids = self.ids()?;
            return Ok(SegmentKeys {
                keys: Vec::new(),
                unkeyed: self.few[..self.few_len]
                    .iter()
                    .map(|&doc| ids.id(doc))
                    .collect(),
            });
        }
        Ok(SegmentKeys {
            keys: match self.keys {
                Keys::All(keys) => keys,
                Keys::Smallest { heap, .. } => heap.into_vec(),
            },
            unkeyed: Vec::new(),
        })
    }
}

/// Collects (score, id) of every hit; the segments whose ids are read by addition.
struct ScoredIds<'a>(&'a SegmentIds);

struct ScoredSegment {
    id: DocIds,
    hits: Vec<(Score, ArchiveId)>,
}

impl Collector for ScoredIds<'_> {
    type Fruit = Vec<(Score, ArchiveId)>;
    type Child = ScoredSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<ScoredSegment> {
        Ok(ScoredSegment {
            id: self.0.of(segment)?,
            hits: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(Score, ArchiveId)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for ScoredSegment {
    type Fruit = Vec<(Score, ArchiveId)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.hits.push((score, self.id.id(doc)));
    }

    fn harvest(self) -> Self::Fruit {
        self.hits
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failure is a panic

    use super::*;
    use plupper_model::element::parse_element;
    use plupper_store::{Arrival, IndexRow};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    /// The sample data in four imports, each indexed (an index of several segments).
    fn seeded(dir: &std::path::Path) -> Store {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/seed.json");
        let elements: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut store = Store::open(dir).unwrap();
        for chunk in elements.chunks(elements.len() / 4 + 1) {
            let batch: Vec<Arrival> = chunk
                .iter()
                .enumerate()
                .filter_map(|(n, element)| {
                    let element = parse_element(element.to_string().as_bytes()).ok()?;
                    Some(Arrival::new(element, n as u64))
                })
                .collect();
            let mut unit = store.begin("file").unwrap();
            unit.apply(&batch, &[]).unwrap();
            unit.finish().unwrap();
            crate::update(&store, false, &crate::NoProgress).unwrap();
        }
        store
    }

    /// A needle (`chars` characters of a content from `start`, or none), a selection of
    /// the values the archive holds, a limit, and which ids to keep (one in `every`).
    type Case = (usize, usize, usize, [Option<usize>; 3], Option<usize>, i64);

    fn cases(rows: usize) -> impl Strategy<Value = Case> {
        (
            0..rows,
            0usize..40,
            prop_oneof![Just(0usize), 3usize..9],
            [
                proptest::option::of(0usize..8),
                proptest::option::of(0usize..8),
                proptest::option::of(0usize..rows),
            ],
            proptest::option::of(1usize..40),
            1i64..4,
        )
    }

    #[test]
    fn exact_answers_on_two_threads_are_those_of_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = seeded(dir.path());
        let one = IndexSearcher::open_current(&store).unwrap().unwrap();
        let mut two = IndexSearcher::open_current(&store).unwrap().unwrap();
        two.split = Split::Always;
        assert!(two.segment_count() > 2, "{} segments", two.segment_count());
        let rows: Vec<IndexRow> = store
            .index_rows(ArchiveId(0), store.max_id().unwrap(), 1 << 20)
            .unwrap();
        let distinct = |values: Vec<Option<String>>| {
            let mut values: Vec<String> = values.into_iter().flatten().collect();
            values.sort();
            values.dedup();
            values
        };
        let operators = distinct(rows.iter().map(|row| row.operator.clone()).collect());
        let customers = distinct(rows.iter().map(|row| row.customer_id.clone()).collect());
        let split_answers = std::cell::Cell::new(0);
        let mut runner = TestRunner::new(Config::with_cases(256));
        runner
            .run(
                &cases(rows.len()),
                |(row, start, chars, [operator, customer, month], limit, every)| {
                    let needle: String = match chars {
                        0 => String::new(),
                        _ => rows[row].content.chars().skip(start).take(chars).collect(),
                    };
                    if !answers_contains(&needle) {
                        return Ok(());
                    }
                    let date = |row: &IndexRow| {
                        let d = row.written_date;
                        chrono::NaiveDate::from_ymd_opt(
                            (d / 10_000) as i32,
                            (d / 100 % 100) as u32,
                            1,
                        )
                    };
                    let selection = Selection {
                        operator: operator.and_then(|n| operators.get(n).cloned()),
                        customer_id: customer.and_then(|n| customers.get(n).cloned()),
                        from: month.and_then(|n| date(&rows[n])),
                        to: month
                            .and_then(|n| date(&rows[n]))
                            .and_then(|d| d.checked_add_months(chrono::Months::new(1))),
                        visitor_id: None,
                    };
                    let count = one.count(&selection, &needle).unwrap();
                    prop_assert_eq!(two.count(&selection, &needle).unwrap(), count);
                    let keys = one.keys(&store, &selection, &needle, limit).unwrap();
                    prop_assert_eq!(two.keys(&store, &selection, &needle, limit).unwrap(), keys);
                    let among: Vec<ArchiveId> = rows
                        .iter()
                        .map(|row| row.id)
                        .filter(|id| id.0 % every == 0)
                        .collect();
                    prop_assert_eq!(
                        two.count_among(&selection, &among).unwrap(),
                        one.count_among(&selection, &among).unwrap()
                    );
                    prop_assert_eq!(
                        two.keys_among(&store, &selection, &among, limit).unwrap(),
                        one.keys_among(&store, &selection, &among, limit).unwrap()
                    );
                    split_answers.set(split_answers.get() + usize::from(count > 1));
                    Ok(())
                },
            )
            .unwrap();
        // Most cases had hits to share between the threads.
        let split_answers = split_answers.get();
        assert!(split_answers > 64, "{split_answers} cases with hits");
    }
}
