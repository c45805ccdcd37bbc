//! The second peer: the `sqlite3` shell itself, as a user with no program of their own
//! would build a searchable copy of the history in one process. `.import` the NDJSON
//! lines into a one-column table, pull the six fields out with `->>`, then an FTS5
//! `trigram` table over the content and its `rebuild`. No B-tree index, no pragma: the
//! shell's defaults.
//!
//! It answers counts only, and only for the classes it can express without reading the
//! written date out of `created`: a needle of three characters or more is an FTS5 phrase
//! of trigrams, a shorter one a `LIKE`, exact fields an `=` over the table. Its folding is
//! not the contract's (FTS5's trigram folding and `LIKE`, which folds ASCII only), so its
//! counts are reported beside the others', and a difference is noted, not failed.

use std::path::Path;

use crate::compare::QueryClass;

/// The script the shell runs (`.read`) to build its database from `ndjson`.
pub fn load_script(ndjson: &Path) -> String {
    format!(
        "CREATE TABLE raw (line TEXT);
.mode ascii
.separator \"\\037\" \"\\n\"
.import \"{}\" raw
CREATE TABLE message (id INTEGER PRIMARY KEY, content TEXT, customerId TEXT, created TEXT,
    visitorId INTEGER, type TEXT, operator TEXT);
INSERT INTO message SELECT rowid, line ->> 'content', line ->> 'customerId',
    line ->> 'created', line ->> 'visitorId', line ->> 'type', line ->> 'operator' FROM raw;
DROP TABLE raw;
CREATE VIRTUAL TABLE fts USING fts5 (content, content = 'message', content_rowid = 'id',
    tokenize = 'trigram');
INSERT INTO fts (fts) VALUES ('rebuild');
",
        ndjson
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
    )
}

/// An SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The SQL condition on `message` for `contains`.
fn contains_condition(needle: &str) -> String {
    if needle.chars().count() >= 3 {
        let phrase = format!("\"{}\"", needle.replace('"', "\"\""));
        format!(
            "id IN (SELECT rowid FROM fts WHERE fts MATCH {})",
            literal(&phrase)
        )
    } else {
        let escaped = needle
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        format!(
            "content LIKE {} ESCAPE '\\'",
            literal(&format!("%{escaped}%"))
        )
    }
}

/// The count query for `class`, or `None` when the shell's database cannot answer it
/// (a date range needs the written date, which this pipeline does not read).
pub fn count_sql(class: &QueryClass) -> Option<String> {
    let mut conditions = Vec::new();
    for (name, value) in &class.params {
        conditions.push(match name.as_str() {
            "contains" => contains_condition(value),
            "operator" => format!("operator = {}", literal(value)),
            "customerId" => format!("customerId = {}", literal(value)),
            "visitorId" => format!("visitorId = {}", value.parse::<i64>().ok()?),
            _ => return None,
        });
    }
    if conditions.is_empty() {
        return None;
    }
    Some(format!(
        "SELECT count(*) FROM message WHERE {}",
        conditions.join(" AND ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(params: &[(&str, &str)]) -> QueryClass {
        QueryClass {
            name: "test".into(),
            params: params
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        }
    }

    #[test]
    fn a_long_needle_is_a_trigram_phrase_and_quotes_are_doubled() {
        assert_eq!(
            count_sql(&class(&[("contains", "it's \"x\"")])).as_deref(),
            Some(
                "SELECT count(*) FROM message WHERE id IN (SELECT rowid FROM fts WHERE fts MATCH '\"it''s \"\"x\"\"\"')"
            )
        );
    }

    #[test]
    fn a_short_needle_is_a_like_with_its_wildcards_escaped() {
        assert_eq!(
            count_sql(&class(&[("contains", "%_")])).as_deref(),
            Some("SELECT count(*) FROM message WHERE content LIKE '%\\%\\_%' ESCAPE '\\'")
        );
    }

    #[test]
    fn exact_fields_are_equalities_and_dates_cannot_be_expressed() {
        assert_eq!(
            count_sql(&class(&[("operator", "peter"), ("visitorId", "42")])).as_deref(),
            Some("SELECT count(*) FROM message WHERE operator = 'peter' AND visitorId = 42")
        );
        assert_eq!(count_sql(&class(&[("from", "03/01/10")])), None);
        assert_eq!(count_sql(&class(&[("visitorId", "4x")])), None);
    }

    #[test]
    fn the_script_quotes_the_path() {
        let script = load_script(Path::new(r#"/tmp/a "b"\c.ndjson"#));
        assert!(
            script.contains(r#".import "/tmp/a \"b\"\\c.ndjson" raw"#),
            "{script}"
        );
    }
}
