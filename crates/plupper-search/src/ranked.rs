//! Ranked full-text search: the `search QUERY` language, BM25 ranking from the index, and
//! snippets with the matched words marked.
//!
//! # The query language
//!
//! ```text
//! query   = item*                      items are separated by white space
//! item    = ["-"] (phrase | word | prefix) | "OR"
//! phrase  = '"' any characters '"'     an unbalanced quote closes at the end
//! word    = characters up to white space or a quote
//! prefix  = word "*"                   every word starting so
//! ```
//!
//! Every positive item must match (ranked by BM25); `-item` excludes; `OR` between two
//! positive items makes them alternatives (`a OR b c` needs `a` or `b`, and `c`). Matching
//! is by words (runs of letters and digits), case-insensitive by simple case folding and
//! accent-insensitive (`dakujem` finds `Ďakujem`; a message holding the words as written,
//! accents included, ranks above one that holds them with other accents); a word holding
//! punctuation (`e-mail`) is the phrase of its words.
//! Nothing is a syntax error: an `OR` that does not stand between two positive items, and
//! a lone `-`, are plain words (and a word without letters or digits matches nothing and
//! is dropped). A query with no positive item and no exclusion finds nothing; one with
//! exclusions only finds every message but those.

use plupper_index::{Clause, Freshness, IndexSearcher, RankedQuery, tokens::words};
use plupper_model::fold::without_accents;
use plupper_store::{ArchiveId, ConversationId, Store, StoreError, StoredMessage};

use crate::Filter;
use crate::executor::SearchError;

/// Parses a `search` query. Never fails.
pub fn parse(query: &str) -> RankedQuery {
    let items = lex(query);
    let mut ranked = RankedQuery::default();
    let mut previous_positive = false;
    let mut pending_or = false;
    for (index, item) in items.iter().enumerate() {
        match item {
            Item::Or => {
                let next_positive = matches!(
                    items.get(index + 1),
                    Some(Item::Term { negated: false, .. })
                );
                if previous_positive && next_positive && !pending_or {
                    pending_or = true;
                    continue;
                }
                // A stray operator is a word.
                ranked.required.push(vec![Clause::Phrase("OR".into())]);
                previous_positive = true;
            }
            Item::Term {
                negated: true,
                text,
                prefix,
            } => {
                ranked.excluded.push(clause(text, *prefix));
                previous_positive = false;
                pending_or = false;
            }
            Item::Term {
                negated: false,
                text,
                prefix,
            } => {
                let clause = clause(text, *prefix);
                match ranked.required.last_mut() {
                    Some(group) if pending_or => group.push(clause),
                    _ => ranked.required.push(vec![clause]),
                }
                previous_positive = true;
                pending_or = false;
            }
        }
    }
    // Groups whose clauses hold no word would match nothing; the contract drops them.
    ranked.required.retain_mut(|group| {
        group.retain(Clause::has_words);
        !group.is_empty()
    });
    ranked.excluded.retain(Clause::has_words);
    ranked
}

/// A term's clause: `word*` is a prefix.
fn clause(text: &str, prefix: bool) -> Clause {
    if prefix {
        Clause::Prefix(text.to_owned())
    } else {
        Clause::Phrase(text.to_owned())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Or,
    Term {
        negated: bool,
        text: String,
        /// Written `word*` (outside quotes): every word starting so.
        prefix: bool,
    },
}

fn lex(query: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut negated = false;
        if c == '-' {
            chars.next();
            match chars.peek() {
                Some(&next) if !next.is_whitespace() => negated = true,
                _ => {
                    items.push(Item::Term {
                        negated: false,
                        text: "-".into(),
                        prefix: false,
                    });
                    continue;
                }
            }
        }
        let mut text = String::new();
        let mut prefix = false;
        if chars.peek() == Some(&'"') {
            chars.next();
            for c in chars.by_ref() {
                if c == '"' {
                    break;
                }
                text.push(c);
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                text.push(c);
                chars.next();
            }
            if text == "OR" && !negated {
                items.push(Item::Or);
                continue;
            }
            // `pass*`; a lone `*` holds no word and is dropped with the others.
            if let Some(stem) = text.strip_suffix('*') {
                prefix = !stem.ends_with('*') && stem.ends_with(char::is_alphanumeric);
                if prefix {
                    text.truncate(stem.len());
                }
            }
        }
        items.push(Item::Term {
            negated,
            text,
            prefix,
        });
    }
    items
}

/// One ranked result.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The message.
    pub message: StoredMessage,
    /// Its BM25 score.
    pub score: f32,
    /// A part of the content around the matches, its characters as they are (each
    /// output decides how to show control characters).
    pub snippet: String,
    /// The matched words in the snippet, as `[start, end)` character offsets.
    pub highlights: Vec<(usize, usize)>,
    /// The conversation the message belongs to.
    pub conversation: Option<ConversationId>,
}

/// Searches: the messages matching `query` and `filter`, best first (ties in archive
/// order), at most `limit`. Needs a current index: `Err(Ok(freshness))` says why there
/// is none, and the caller brings the index up to date and asks again.
pub fn search(
    store: &Store,
    query: &RankedQuery,
    filter: &Filter,
    limit: Option<usize>,
) -> Result<Result<Vec<Hit>, Freshness>, SearchError> {
    Ok(search_counted(store, query, filter, limit)?.map(|ranked| ranked.hits))
}

/// The hits of a search, and how many there are in all.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// The best hits, at most the limit asked for.
    pub hits: Vec<Hit>,
    /// Every hit's count, whatever the limit (for `search --count` and "20 of 23").
    pub total: usize,
}

/// As [`search`], with the number of every hit beside the first `limit`.
pub fn search_counted(
    store: &Store,
    query: &RankedQuery,
    filter: &Filter,
    limit: Option<usize>,
) -> Result<Result<Ranked, Freshness>, SearchError> {
    search_page(store, query, filter, 0, limit)
}

/// As [`search_counted`], the hits from rank `offset` on (a page of results): only
/// the page's messages are read from the store and given snippets.
pub fn search_page(
    store: &Store,
    query: &RankedQuery,
    filter: &Filter,
    offset: usize,
    limit: Option<usize>,
) -> Result<Result<Ranked, Freshness>, SearchError> {
    let _snapshot = store.snapshot()?;
    let searcher = match IndexSearcher::open_current(store)? {
        Ok(searcher) => searcher,
        Err(why) => return Ok(Err(why)),
    };
    let mut scored = searcher.ranked(query, &filter.selection(), None)?;
    // `contains` is exact: keep the hits it allows, as the index answers it, or (a needle
    // of one or two characters, which the index does not hold) as the contents say.
    let contains_route = match filter.contains.as_deref() {
        None => "",
        Some(contains) if plupper_index::answers_contains(contains) => {
            "; --contains from the index's trigrams"
        }
        Some(_) => "; --contains read in the ranked messages' contents (under 3 characters)",
    };
    tracing::info!("route: the search index ranks the words{contains_route}");
    match filter.contains.as_deref() {
        Some(contains) if plupper_index::answers_contains(contains) => {
            let allowed: std::collections::HashSet<i64> = searcher
                .keys(store, &filter.selection(), contains, None)?
                .into_iter()
                .map(|key| key.id)
                .collect();
            scored.retain(|(_, id)| allowed.contains(&id.0));
        }
        Some(contains) => scored = containing(store, scored, contains)?,
        None => {}
    }
    let total = scored.len();
    if let Some(limit) = limit {
        scored.truncate(offset.saturating_add(limit));
    }
    scored.drain(..offset.min(scored.len()));
    let ids: Vec<ArchiveId> = scored.iter().map(|(_, id)| *id).collect();
    let messages = store.messages_by_ids(&ids)?;
    let marked = query.positive_words();
    let hits = messages
        .into_iter()
        .zip(scored)
        .map(|(message, (score, _))| {
            let (snippet, highlights) = snippet(&message.message.content, &marked);
            let conversation = store.conversation_of(message.id)?;
            Ok(Hit {
                message,
                score,
                snippet,
                highlights,
                conversation,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Ok(Ranked { hits, total }))
}

/// The scored hits whose content contains `needle`, in their order: their contents read
/// from the store, a batch at a time.
fn containing<S: Copy>(
    store: &Store,
    scored: Vec<(S, ArchiveId)>,
    needle: &str,
) -> Result<Vec<(S, ArchiveId)>, StoreError> {
    const BATCH: usize = 1024;
    let contains = plupper_model::Contains::new(needle);
    let mut scratch = String::new();
    let mut kept = Vec::new();
    for batch in scored.chunks(BATCH) {
        let ids: Vec<ArchiveId> = batch.iter().map(|(_, id)| *id).collect();
        let matching: std::collections::HashSet<ArchiveId> = store
            .messages_by_ids(&ids)?
            .into_iter()
            .filter(|stored| contains.matches_with(&stored.message.content, &mut scratch))
            .map(|stored| stored.id)
            .collect();
        kept.extend(batch.iter().filter(|(_, id)| matching.contains(id)));
    }
    Ok(kept)
}

/// Characters of context in a snippet.
const SNIPPET_CHARS: usize = 160;
const BEFORE_FIRST_MATCH: usize = 40;

/// A part of `content` around its first matched word, its characters as they are, with
/// every matched word in it marked by character offsets. Cut ends are shown by `…`.
/// `marked` holds words as [`RankedQuery::positive_words`] gives them: folded, without
/// accents, a prefix followed by `*`.
pub fn snippet(content: &str, marked: &[String]) -> (String, Vec<(usize, usize)>) {
    let is_marked = |word: &str| {
        let plain = without_accents(word);
        marked.iter().any(|mark| match mark.strip_suffix('*') {
            Some(prefix) => plain.starts_with(prefix),
            None => plain == *mark,
        })
    };
    let matches: Vec<std::ops::Range<usize>> = words(content)
        .into_iter()
        .filter(|(word, _)| is_marked(word))
        .map(|(_, range)| range)
        .collect();
    let char_at = |byte: usize| content[..byte].chars().count();
    let total = content.chars().count();
    let first = matches.first().map_or(0, |range| char_at(range.start));
    let start = first.saturating_sub(BEFORE_FIRST_MATCH);
    let end = (start + SNIPPET_CHARS).min(total);
    let start = end.saturating_sub(SNIPPET_CHARS).min(start);
    let prefix = if start > 0 { "…" } else { "" };
    let mut text = String::from(prefix);
    text.extend(content.chars().skip(start).take(end - start));
    if end < total {
        text.push('…');
    }
    let shift = prefix.chars().count();
    let highlights = matches
        .iter()
        .map(|range| (char_at(range.start), char_at(range.end)))
        .filter(|&(s, e)| s >= start && e <= end)
        .map(|(s, e)| (s - start + shift, e - start + shift))
        .collect();
    (text, highlights)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phrase(text: &str) -> Clause {
        Clause::Phrase(text.into())
    }

    #[test]
    fn the_query_language() {
        let q = parse(r#"money "account settings" -refund a OR b c"#);
        assert_eq!(
            q.required,
            vec![
                vec![phrase("money")],
                vec![phrase("account settings")],
                vec![phrase("a"), phrase("b")],
                vec![phrase("c")]
            ]
        );
        assert_eq!(q.excluded, vec![phrase("refund")]);
    }

    #[test]
    fn nothing_is_a_syntax_error() {
        assert_eq!(
            parse(r#""unbalanced phrase"#).required,
            vec![vec![phrase("unbalanced phrase")]]
        );
        assert_eq!(
            parse("OR a").required,
            vec![vec![phrase("OR")], vec![phrase("a")]]
        );
        assert_eq!(
            parse("a OR").required,
            vec![vec![phrase("a")], vec![phrase("OR")]]
        );
        assert_eq!(
            parse("a OR OR b").required,
            // The first OR stands next to an operator: a word; the second joins it with b.
            vec![vec![phrase("a")], vec![phrase("OR"), phrase("b")]]
        );
        assert_eq!(
            parse("a - b").required,
            vec![vec![phrase("a")], vec![phrase("b")]]
        );
        assert_eq!(parse("-").required, Vec::<Vec<Clause>>::new());
        assert_eq!(parse("%%% \"\" --").required, Vec::<Vec<Clause>>::new());
        assert_eq!(parse("a OR -b").excluded, vec![phrase("b")]);
    }

    #[test]
    fn a_word_with_a_star_is_a_prefix() {
        let q = parse(r#"pass* -spam* "credit*" e-mail* * ** a**"#);
        assert_eq!(
            q.required,
            vec![
                vec![Clause::Prefix("pass".into())],
                vec![phrase("credit*")],
                vec![Clause::Prefix("e-mail".into())],
                vec![phrase("a**")],
            ]
        );
        assert_eq!(q.excluded, vec![Clause::Prefix("spam".into())]);
        assert_eq!(q.positive_words(), ["pass*", "credit", "e", "mail*", "a"]);
    }

    #[test]
    fn snippets_mark_prefixes_and_words_whatever_their_accents() {
        let (_, marks) = snippet(
            "Ďakujem, passwords DAKUJEM pas",
            &["dakujem".to_owned(), "pass*".to_owned()],
        );
        assert_eq!(marks, vec![(0, 7), (9, 18), (19, 26)]);
    }

    #[test]
    fn snippets_mark_the_words() {
        let (text, marks) = snippet("Hello, MONEY and more money.", &["money".to_owned()]);
        assert_eq!(text, "Hello, MONEY and more money.");
        assert_eq!(marks, vec![(7, 12), (22, 27)]);
        let long = format!("{} needle {}", "x ".repeat(100), "y ".repeat(100));
        let (text, marks) = snippet(&long, &["needle".to_owned()]);
        assert!(text.starts_with('…') && text.ends_with('…'));
        let chars: Vec<char> = text.chars().collect();
        let (s, e) = marks[0];
        assert_eq!(chars[s..e].iter().collect::<String>(), "needle");
        // Characters as they are: each output decides how to show them.
        let (text, marks) = snippet("a\u{1b}[2J\nmoney", &["money".to_owned()]);
        assert_eq!(text, "a\u{1b}[2J\nmoney");
        assert_eq!(marks, vec![(6, 11)]);
    }
}
