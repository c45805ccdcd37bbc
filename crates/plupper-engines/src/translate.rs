//! The API's filter as an engine's query, and where the engine answers only a superset.
//!
//! | parameter | Quickwit (query language) | OpenSearch (query DSL, in `bool.filter`) |
//! |---|---|---|
//! | `from`, `to` | `date:[FROM TO TO]` (midnights UTC of the written days) | `range` on `date`, `gte`/`lte` |
//! | `operator`, `customerId` | `operator:"peter"` on a raw term | `term` on a `keyword` |
//! | `visitorId` | `visitorId:32751` | `term` on a `long` |
//! | `contains` | every trigram of the folded value, `content_folded:"mon"` AND ... | `wildcard` `*money*` on the folded `wildcard` field |
//!
//! Both sort by `order`, then `id`: the API's order. What is not exact:
//!
//! - Quickwit's trigram terms carry no positions: a `contains` of more than three
//!   characters finds every message holding all its trigrams anywhere, a superset, which
//!   must be re-checked on the returned documents (`content_folded` contains the folded
//!   value). Under three characters there is no trigram: the engine cannot narrow on it
//!   at all, every message of the other filters comes back to be checked.
//! - A raw `operator` or `customerId` over 255 bytes is not indexed by Quickwit, and a
//!   `keyword` over 8,191 characters is not indexed by the OpenSearch mapping: such a value
//!   matches nothing in the engine; answer it from the archive.

use std::fmt;

use plupper_model::fold::fold;
use plupper_search::{Filter, Param};

use crate::Engine;
use crate::config::{INDEX, OPENSEARCH_KEYWORD_LIMIT, QUICKWIT_RAW_TERM_LIMIT};

/// Where an engine's answer is not the API's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caveat {
    /// The parameter it is about.
    pub param: Param,
    /// What the engine returns instead, and what to do.
    pub why: String,
}

/// A filter as an engine's query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// The engine.
    pub engine: Engine,
    /// Quickwit: a query in its query language (`*` for every document); OpenSearch: the
    /// JSON body of `_search`, pretty-printed.
    pub query: String,
    /// Where the engine's answer is not exactly the API's; empty when it is.
    pub caveats: Vec<Caveat>,
}

impl Translation {
    /// Whether the engine's answer is exactly the API's.
    pub fn is_exact(&self) -> bool {
        self.caveats.is_empty()
    }
}

impl fmt::Display for Translation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.engine {
            Engine::Quickwit => {
                writeln!(f, "quickwit query (index {INDEX}):")?;
                writeln!(f, "  {}", self.query)?;
                writeln!(
                    f,
                    "order: sort by `order`, then `id`, both ascending (the API's order)"
                )?;
            }
            Engine::OpenSearch => {
                writeln!(f, "opensearch query (POST /{INDEX}/_search):")?;
                writeln!(f, "{}", self.query)?;
            }
        }
        writeln!(
            f,
            "pages: the API returns every match at once; page through all the engine's hits"
        )?;
        if self.is_exact() {
            writeln!(f, "exact: yes, the engine's answer is the API's")
        } else {
            writeln!(f, "exact: no, the engine's answer is not the API's:")?;
            for caveat in &self.caveats {
                writeln!(f, "  {}: {}", caveat.param.name(), caveat.why)?;
            }
            Ok(())
        }
    }
}

/// The query of `engine` for `filter`.
///
/// ```
/// use plupper_engines::{Engine, translate::translate};
/// use plupper_search::Filter;
///
/// let filter = Filter::default().operator("peter").contains("money");
/// let quickwit = translate(Engine::Quickwit, &filter);
/// assert_eq!(
///     quickwit.query,
///     r#"operator:"peter" AND content_folded:"mon" AND content_folded:"one" AND content_folded:"ney""#
/// );
/// assert!(!quickwit.is_exact()); // the trigrams may be anywhere: re-check
/// let opensearch = translate(Engine::OpenSearch, &filter);
/// assert!(opensearch.query.contains(r#""value": "*money*""#));
/// assert!(opensearch.is_exact());
/// ```
pub fn translate(engine: Engine, filter: &Filter) -> Translation {
    match engine {
        Engine::Quickwit => quickwit(filter),
        Engine::OpenSearch => opensearch(filter),
    }
}

fn quickwit(filter: &Filter) -> Translation {
    let mut clauses = Vec::new();
    let mut caveats = Vec::new();
    let midnight = |day: chrono::NaiveDate| day.format("%Y-%m-%dT00:00:00Z").to_string();
    if filter.from.is_some() || filter.to.is_some() {
        let from = filter.from.map_or_else(|| "*".to_owned(), midnight);
        let to = filter.to.map_or_else(|| "*".to_owned(), midnight);
        clauses.push(format!("date:[{from} TO {to}]"));
    }
    for (param, value) in [
        (Param::Operator, &filter.operator),
        (Param::CustomerId, &filter.customer_id),
    ] {
        let Some(value) = value else { continue };
        clauses.push(format!("{}:{}", param.name(), quoted(value)));
        if value.len() > QUICKWIT_RAW_TERM_LIMIT {
            caveats.push(Caveat {
                param,
                why: format!(
                    "the value is over {QUICKWIT_RAW_TERM_LIMIT} bytes, which Quickwit's raw tokenizer does not index: nothing matches in the engine; answer this filter from the archive"
                ),
            });
        }
    }
    if let Some(visitor) = filter.visitor_id {
        clauses.push(format!("visitorId:{visitor}"));
    }
    if let Some(contains) = &filter.contains {
        let folded = fold(contains);
        let grams = trigrams(&folded);
        clauses.extend(
            grams
                .iter()
                .map(|gram| format!("content_folded:{}", quoted(gram))),
        );
        let needle = shown(&folded);
        match grams.len() {
            0 => caveats.push(Caveat {
                param: Param::Contains,
                why: format!(
                    "{needle} is shorter than a trigram, so the engine cannot narrow on it: keep the returned messages whose content_folded contains {needle}"
                ),
            }),
            1 if folded.chars().count() == 3 => {}
            _ => caveats.push(Caveat {
                param: Param::Contains,
                why: format!(
                    "trigram terms carry no positions, so the engine returns every message holding {} anywhere: keep those whose content_folded contains {needle}",
                    grams.iter().map(|g| shown(g)).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }
    let query = if clauses.is_empty() {
        "*".to_owned()
    } else {
        clauses.join(" AND ")
    };
    Translation {
        engine: Engine::Quickwit,
        query,
        caveats,
    }
}

fn opensearch(filter: &Filter) -> Translation {
    use serde_json::{Value, json};
    let mut clauses: Vec<Value> = Vec::new();
    let mut caveats = Vec::new();
    if filter.from.is_some() || filter.to.is_some() {
        let mut range = serde_json::Map::new();
        let day = |d: chrono::NaiveDate| Value::from(d.format("%Y-%m-%d").to_string());
        if let Some(from) = filter.from {
            range.insert("gte".into(), day(from));
        }
        if let Some(to) = filter.to {
            range.insert("lte".into(), day(to));
        }
        clauses.push(json!({"range": {"date": range}}));
    }
    for (param, value) in [
        (Param::Operator, &filter.operator),
        (Param::CustomerId, &filter.customer_id),
    ] {
        let Some(value) = value else { continue };
        clauses.push(json!({"term": {param.name(): value}}));
        if value.chars().count() > OPENSEARCH_KEYWORD_LIMIT {
            caveats.push(Caveat {
                param,
                why: format!(
                    "the value is over {OPENSEARCH_KEYWORD_LIMIT} characters, which the mapping does not index (ignore_above): nothing matches in the engine; answer this filter from the archive"
                ),
            });
        }
    }
    if let Some(visitor) = filter.visitor_id {
        clauses.push(json!({"term": {"visitorId": visitor}}));
    }
    if let Some(contains) = &filter.contains {
        let pattern = format!("*{}*", wildcard_escaped(&fold(contains)));
        clauses.push(json!({"wildcard": {"content_folded": {"value": pattern}}}));
    }
    let query = if clauses.is_empty() {
        json!({"match_all": {}})
    } else {
        json!({"bool": {"filter": clauses}})
    };
    let body = json!({
        "query": query,
        "sort": [{"order": "asc"}, {"id": "asc"}]
    });
    Translation {
        engine: Engine::OpenSearch,
        query: serde_json::to_string_pretty(&body).unwrap_or_default(),
        caveats,
    }
}

/// The distinct character trigrams of `text`, in order of first appearance.
fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut grams: Vec<String> = Vec::new();
    for window in chars.windows(3) {
        let gram: String = window.iter().collect();
        if !grams.contains(&gram) {
            grams.push(gram);
        }
    }
    grams
}

/// A value in double quotes for Quickwit's query language: `"` and `\` escaped.
fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A literal text in a `wildcard` pattern: `*`, `?` and `\` escaped.
fn wildcard_escaped(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '*' | '?' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value as a caveat shows it: in backticks, as JSON escapes it (control characters
/// visible).
fn shown(value: &str) -> String {
    format!("`{}`", json_inner(value))
}

fn json_inner(value: &str) -> String {
    let json = serde_json::Value::from(value).to_string();
    json[1..json.len() - 1].to_owned()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn trigrams_are_of_characters_and_distinct() {
        assert_eq!(trigrams("ab"), Vec::<String>::new());
        assert_eq!(trigrams("σασ"), vec!["σασ"]);
        assert_eq!(trigrams("aaaa"), vec!["aaa"]);
        assert_eq!(trigrams("abcab"), vec!["abc", "bca", "cab"]);
    }

    #[test]
    fn quickwit_quotes_and_escapes_every_value() {
        let filter = Filter::default().operator(r#"a "b" \c"#);
        assert_eq!(
            translate(Engine::Quickwit, &filter).query,
            r#"operator:"a \"b\" \\c""#
        );
        assert_eq!(translate(Engine::Quickwit, &Filter::default()).query, "*");
    }

    #[test]
    fn a_contains_of_three_characters_is_one_exact_trigram() {
        let t = translate(Engine::Quickwit, &Filter::default().contains("MON"));
        assert_eq!(t.query, r#"content_folded:"mon""#);
        assert!(t.is_exact());
        let t = translate(Engine::Quickwit, &Filter::default().contains("Ab"));
        assert_eq!(t.query, "*");
        assert_eq!(t.caveats[0].param, Param::Contains);
        assert!(t.caveats[0].why.contains("`ab` is shorter than a trigram"));
    }

    #[test]
    fn opensearch_escapes_wildcards_and_folds() {
        let t = translate(
            Engine::OpenSearch,
            &Filter::default().contains("100% *OFF?"),
        );
        assert!(
            t.query.contains(r#""value": "*100% \\*off\\?*""#),
            "{}",
            t.query
        );
        assert!(t.is_exact());
    }

    #[test]
    fn long_terms_are_named_as_unindexed() {
        let long = "x".repeat(QUICKWIT_RAW_TERM_LIMIT + 1);
        let t = translate(Engine::Quickwit, &Filter::default().customer_id(&long));
        assert_eq!(t.caveats.len(), 1);
        assert_eq!(t.caveats[0].param, Param::CustomerId);
        assert!(translate(Engine::OpenSearch, &Filter::default().customer_id(&long)).is_exact());
    }
}
