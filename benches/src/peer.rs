//! The SQLite peer: what a user builds instead of plupper-archive with SQLite alone.
//!
//! One table with the six API fields (plus the written date, the wall clock and the
//! offset read from `created`, to filter and order as the contract says), B-tree indexes
//! on operator, written date, visitor id and customer id, and an FTS5 `trigram` index
//! for `contains`. Loading is SQL: each chunk of the API file goes through
//! `json_each` and `->>` in one `INSERT … SELECT`, in one transaction; the indexes are
//! built after the rows, as a bulk load does.
//!
//! # Honest semantics
//!
//! `contains` is a substring test under Unicode *simple* case folding. FTS5's own
//! `trigram` folding (and `LIKE`, and `lower()`) differ from it outside ASCII, so the
//! FTS5 table indexes the content folded by [`plupper_model::fold`] (in Rust) with
//! `case_sensitive 1`, and is queried with the folded needle as a phrase: a phrase of
//! trigrams at consecutive positions is an exact substring test of the folded text,
//! which is the contract's `contains`. Messages written out are verified in Rust with
//! [`Contains`] all the same. FTS5 trigrams need three characters: shorter needles scan
//! the table (as FTS5 itself does for `LIKE` with fewer than three characters).
//! Dates are the calendar dates written in `created`; operator and customer id are
//! compared exactly. The answer order is the instant (the zone abbreviation mapped by
//! the contract's table), then the position in the file.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, FixedOffset};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use plupper_model::date::ZONE_TABLE;
use plupper_model::{Contains, Message, fold::fold};
use plupper_search::Filter;

use crate::BenchError;
use crate::elements::element_ranges;
use crate::ndjson::Line;

/// The most bytes of the file bound to one `INSERT … SELECT FROM json_each(?)`.
const CHUNK_BYTES: usize = 32 << 20;

const SCHEMA: &str = "
CREATE TABLE message (
    id           INTEGER PRIMARY KEY,
    content      TEXT NOT NULL,
    customer_id  TEXT,
    created      TEXT NOT NULL,
    visitor_id   INTEGER,
    type         TEXT NOT NULL,
    operator     TEXT,
    written_date INTEGER NOT NULL,   -- YYYYMMDD as written in `created`
    wall_clock   INTEGER NOT NULL,   -- as written, read as UTC
    utc_offset   INTEGER,            -- NULL: unknown zone
    sort_key     INTEGER NOT NULL    -- the instant, or the wall clock when the zone is unknown
);
CREATE TEMP TABLE zone (name TEXT PRIMARY KEY, seconds INTEGER NOT NULL);
";

/// One chunk of elements in, in file order. `created` is `EEE MMM dd HH:mm:ss zzz yyyy`.
const INSERT: &str = "
INSERT INTO message (content, customer_id, created, visitor_id, type, operator,
                     written_date, wall_clock, utc_offset, sort_key)
SELECT content, customer_id, created, visitor_id, type, operator,
       y * 10000 + m * 100 + d, wall, off, wall - coalesce(off, 0)
FROM (
    SELECT *, unixepoch(printf('%04d-%02d-%02d %s', y, m, d, substr(created, 12, 8))) AS wall,
           (SELECT seconds FROM temp.zone WHERE name = substr(created, 21, length(created) - 25)) AS off
    FROM (
        SELECT *, CAST(substr(created, -4) AS INTEGER) AS y,
               (instr('JanFebMarAprMayJunJulAugSepOctNovDec', substr(created, 5, 3)) + 2) / 3 AS m,
               CAST(substr(created, 9, 2) AS INTEGER) AS d
        FROM (
            SELECT key AS k, value ->> '$.content' AS content,
                   CAST(value ->> '$.customerId' AS TEXT) AS customer_id,
                   value ->> '$.created' AS created, value ->> '$.visitorId' AS visitor_id,
                   value ->> '$.type' AS type, value ->> '$.operator' AS operator
            FROM json_each(?1)
        )
    )
)
ORDER BY k";

const INDEXES: &str = "
CREATE INDEX message_by_operator ON message (operator);
CREATE INDEX message_by_date ON message (written_date);
CREATE INDEX message_by_visitor ON message (visitor_id);
CREATE INDEX message_by_customer ON message (customer_id);
CREATE VIRTUAL TABLE fts USING fts5 (folded, content = '', tokenize = 'trigram case_sensitive 1');
";

/// How long each step of a load took, in seconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadReport {
    /// Rows loaded.
    pub rows: u64,
    /// Reading the file and inserting the rows.
    pub rows_seconds: f64,
    /// The B-tree indexes.
    pub btree_seconds: f64,
    /// The FTS5 trigram index.
    pub fts_seconds: f64,
}

/// Creates the peer database at `db` (replacing it) from an API list response or NDJSON file.
pub fn load(db: &Path, file: &Path) -> Result<LoadReport, BenchError> {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let path = format!("{}{suffix}", db.display());
        match std::fs::remove_file(&path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(BenchError::io(path)(error));
            }
            _ => {}
        }
    }
    let mut report = LoadReport::default();
    let started = Instant::now();
    let bytes = std::fs::read(file).map_err(BenchError::io(file))?;
    let mut conn = Connection::open(db)?;
    conn.execute_batch(SCHEMA)?;
    let tx = conn.transaction()?;
    {
        let mut zone = tx.prepare("INSERT INTO temp.zone (name, seconds) VALUES (?1, ?2)")?;
        for (name, seconds) in ZONE_TABLE {
            zone.execute(rusqlite::params![name, seconds])?;
        }
        let mut insert = tx.prepare(INSERT)?;
        let ranges = element_ranges(&bytes)?;
        let mut chunk = String::with_capacity(CHUNK_BYTES + 1024);
        let mut flush = |chunk: &mut String| -> Result<(), BenchError> {
            if chunk.len() > 1 {
                chunk.push(']');
                report.rows += insert.execute([chunk.as_str()])? as u64;
            }
            chunk.clear();
            chunk.push('[');
            Ok(())
        };
        flush(&mut chunk)?;
        for range in ranges {
            let element =
                std::str::from_utf8(&bytes[range.clone()]).map_err(|_| BenchError::Syntax {
                    offset: range.start,
                    reason: "an element that is not UTF-8",
                })?;
            if chunk.len() > 1 {
                chunk.push(',');
            }
            chunk.push_str(element);
            if chunk.len() >= CHUNK_BYTES {
                flush(&mut chunk)?;
            }
        }
        flush(&mut chunk)?;
    }
    drop(bytes);
    report.rows_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    tx.execute_batch(INDEXES)?;
    report.btree_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    {
        let mut rows = tx.prepare("SELECT id, content FROM message ORDER BY id")?;
        let mut insert = tx.prepare("INSERT INTO fts (rowid, folded) VALUES (?1, ?2)")?;
        let mut rows = rows.query([])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let content = row.get_ref(1)?.as_str()?;
            insert.execute(rusqlite::params![id, fold(content)])?;
        }
    }
    tx.commit()?;
    report.fts_seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Opens a peer database made by [`load`].
pub fn open(db: &Path) -> Result<Connection, BenchError> {
    Ok(Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )?)
}

fn yyyymmdd(date: chrono::NaiveDate) -> i64 {
    use chrono::Datelike;
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

/// The exact filters as SQL terms on `message`, with their values.
fn exact_terms(filter: &Filter) -> (Vec<String>, Vec<Value>) {
    let mut terms = Vec::new();
    let mut values = Vec::new();
    let mut term = |sql: &str, value: Value| {
        values.push(value);
        terms.push(sql.replace('?', &format!("?{}", values.len())));
    };
    if let Some(from) = filter.from {
        term("written_date >= ?", Value::Integer(yyyymmdd(from)));
    }
    if let Some(to) = filter.to {
        term("written_date <= ?", Value::Integer(yyyymmdd(to)));
    }
    if let Some(operator) = &filter.operator {
        term("operator = ?", Value::Text(operator.clone()));
    }
    if let Some(visitor) = filter.visitor_id {
        term("visitor_id = ?", Value::Integer(visitor));
    }
    if let Some(customer) = &filter.customer_id {
        term("customer_id = ?", Value::Text(customer.clone()));
    }
    (terms, values)
}

/// The FTS5 query for a needle: the folded needle as one phrase (quotes doubled).
fn phrase(contains: &Contains) -> String {
    format!("\"{}\"", contains.folded_needle().replace('"', "\"\""))
}

/// How `contains` is answered.
enum Plan {
    /// No `contains`.
    None,
    /// By the FTS5 trigram index (three characters or more).
    Trigram(Contains),
    /// By reading every selected content (one or two characters).
    Scan(Contains),
}

fn plan(filter: &Filter) -> Plan {
    match filter.contains.as_deref() {
        None => Plan::None,
        Some(needle) if needle.chars().count() >= 3 => Plan::Trigram(Contains::new(needle)),
        Some(needle) => Plan::Scan(Contains::new(needle)),
    }
}

/// The WHERE clause (without `WHERE`) and its values, with the trigram part when planned.
fn where_clause(filter: &Filter, plan: &Plan) -> (String, Vec<Value>) {
    let (mut terms, mut values) = exact_terms(filter);
    if let Plan::Trigram(contains) = plan {
        values.push(Value::Text(phrase(contains)));
        terms.push(format!(
            "id IN (SELECT rowid FROM fts WHERE fts MATCH ?{})",
            values.len()
        ));
    }
    if terms.is_empty() {
        terms.push("1".into());
    }
    (terms.join(" AND "), values)
}

/// How many messages match `filter`.
pub fn count(conn: &Connection, filter: &Filter) -> Result<u64, BenchError> {
    let plan = plan(filter);
    let (exact, exact_values) = exact_terms(filter);
    match &plan {
        // The phrase query is exact (see the module documentation): the index alone counts.
        Plan::Trigram(contains) if exact.is_empty() => Ok(conn.query_row(
            "SELECT count(*) FROM fts WHERE fts MATCH ?1",
            [phrase(contains)],
            |row| row.get(0),
        )?),
        Plan::None | Plan::Trigram(_) => {
            let (clause, values) = where_clause(filter, &plan);
            let sql = format!("SELECT count(*) FROM message WHERE {clause}");
            Ok(conn.query_row(&sql, params_from_iter(values), |row| row.get(0))?)
        }
        Plan::Scan(contains) => {
            let clause = if exact.is_empty() {
                "1".to_owned()
            } else {
                exact.join(" AND ")
            };
            let mut statement =
                conn.prepare(&format!("SELECT content FROM message WHERE {clause}"))?;
            let mut rows = statement.query(params_from_iter(exact_values))?;
            let mut scratch = String::new();
            let mut count = 0;
            while let Some(row) = rows.next()? {
                count += u64::from(contains.matches_with(row.get_ref(0)?.as_str()?, &mut scratch));
            }
            Ok(count)
        }
    }
}

/// Writes the messages matching `filter` as NDJSON, in the API's order; returns how many.
pub fn write_ndjson(
    conn: &Connection,
    filter: &Filter,
    out: &mut impl Write,
) -> Result<u64, BenchError> {
    let plan = plan(filter);
    let (clause, values) = where_clause(filter, &plan);
    let verify = match plan {
        Plan::None => None,
        Plan::Trigram(contains) | Plan::Scan(contains) => Some(contains),
    };
    let sql = format!(
        "SELECT id, content, customer_id, created, visitor_id, type, operator, wall_clock, utc_offset
         FROM message WHERE {clause} ORDER BY sort_key, id"
    );
    let mut statement = conn.prepare(&sql)?;
    let mut rows = statement.query(params_from_iter(values))?;
    let mut scratch = String::new();
    let mut written = 0;
    while let Some(row) = rows.next()? {
        let content = row.get_ref(1)?.as_str()?;
        if verify
            .as_ref()
            .is_some_and(|c| !c.matches_with(content, &mut scratch))
        {
            continue;
        }
        let message = Message {
            content: content.to_owned(),
            customer_id: row.get(2)?,
            created: row.get(3)?,
            visitor_id: row.get(4)?,
            message_type: row.get(5)?,
            operator: row.get(6)?,
        };
        let wall: i64 = row.get(7)?;
        let offset: Option<i32> = row.get(8)?;
        Line::new(row.get(0)?, &message, timestamp(wall, offset)).write(out)?;
        written += 1;
    }
    Ok(written)
}

/// RFC 3339 with the written offset, as the archive prints it.
fn timestamp(wall: i64, offset: Option<i32>) -> Option<String> {
    let offset = FixedOffset::east_opt(offset?)?;
    let naive = DateTime::from_timestamp(wall, 0)?.naive_utc();
    Some(naive.and_local_timezone(offset).single()?.to_rfc3339())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    const FILE: &str = r#"["{\"content\":\"Ďakujem pekne\",\"customerId\":\"IBM\",\"created\":\"Wed Apr 29 17:16:13 CEST 2009\",\"visitorId\":7,\"type\":\"VO\",\"operator\":\"john\"}",
        {"content":"say \"ďAKUJEM\" ς","created":"Wed Apr 29 17:16:12 CEST 2009","type":"VT","operator":"Peter","customerId":42},
        "{\"content\":\"100% ok\",\"customerId\":null,\"created\":\"Tue Apr 28 10:00:00 XYZ 2009\",\"visitorId\":8,\"type\":\"VO\",\"operator\":null}"]"#;

    fn answers(conn: &Connection, query: &str) -> (u64, Vec<i64>) {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let filter = Filter::from_query_string(query, today).unwrap();
        let mut out = Vec::new();
        write_ndjson(conn, &filter, &mut out).unwrap();
        let ids = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|line| {
                serde_json::from_str::<serde_json::Value>(line).unwrap()["id"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        (count(conn, &filter).unwrap(), ids)
    }

    #[test]
    fn loads_and_answers_with_the_contract_semantics() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file.json");
        std::fs::write(&file, FILE).unwrap();
        let db = dir.path().join("peer.sqlite3");
        assert_eq!(load(&db, &file).unwrap().rows, 3);
        let conn = open(&db).unwrap();
        assert_eq!(answers(&conn, "contains=%C4%8Eakujem"), (2, vec![2, 1]));
        assert_eq!(answers(&conn, "contains=%CE%A3"), (1, vec![2]));
        assert_eq!(answers(&conn, "contains=100%25"), (1, vec![3]));
        assert_eq!(answers(&conn, "contains=%22%C4%8Fak"), (1, vec![2]));
        assert_eq!(answers(&conn, "operator=Peter&contains=say"), (1, vec![2]));
        assert_eq!(answers(&conn, "customerId=42"), (1, vec![2]));
        assert_eq!(answers(&conn, "visitorId=8&to=04/28/09"), (1, vec![3]));
        assert_eq!(answers(&conn, ""), (3, vec![3, 2, 1]));
    }
}
