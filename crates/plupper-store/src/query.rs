//! The exact parts of the API's filter, answered with B-tree indexes, in answer order.
//!
//! `contains` is deliberately not here: SQL's `LIKE`, `lower()`, `COLLATE NOCASE` and
//! `instr` all differ from the contract (wildcards, ASCII-only folding). The caller gives
//! a predicate on the content instead, run in Rust on each row the indexes select, or
//! counts with a [`ContentCount`](crate::content_count::ContentCount).

use chrono::{Datelike, NaiveDate};
use rusqlite::types::{FromSqlError, Value};

use crate::read::{COLUMNS, from_row_at};
use crate::{Store, StoreError, StoredMessage};

/// The filters SQLite can answer exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// The written date is on or after this day.
    pub from: Option<NaiveDate>,
    /// The written date is on or before this day.
    pub to: Option<NaiveDate>,
    /// `operator` equals this, case-sensitive.
    pub operator: Option<String>,
    /// `visitorId` equals this.
    pub visitor_id: Option<i64>,
    /// `customerId` equals this, case-sensitive.
    pub customer_id: Option<String>,
}

/// A position in the answer order: (sort key, archive id). Pages continue after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrderKey {
    /// Seconds: the instant, or the wall clock read as UTC when the zone is unknown.
    pub sort_key: i64,
    /// The archive id, which breaks ties.
    pub id: i64,
}

/// One page of a scan.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The rows of the page that the predicate kept, in answer order.
    pub messages: Vec<StoredMessage>,
    /// Where the next page starts; `None` when the scan is complete.
    pub next: Option<OrderKey>,
}

/// A written date's margin around its instant: no offset is a day or more, so a message
/// written on day D has its instant within D − 1 day … D + 2 days (as UTC seconds).
const DAY: i64 = 86_400;

fn yyyymmdd(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

fn day_start(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
}

impl Selection {
    /// The WHERE clause and its parameters. A date range also bounds `sort_key` (a
    /// superset of the rows, implied by the exact date test), so that SQLite can walk the
    /// time index in answer order instead of sorting.
    pub(crate) fn where_clause(&self) -> (String, Vec<Value>) {
        let mut terms = vec!["1".to_owned()];
        let mut values = Vec::new();
        let mut term = |sql: &str, value: Value| {
            values.push(value);
            terms.push(sql.replace('?', &format!("?{}", values.len())));
        };
        if let Some(from) = self.from {
            term("written_date >= ?", Value::Integer(yyyymmdd(from)));
            term("sort_key >= ?", Value::Integer(day_start(from) - DAY));
        }
        if let Some(to) = self.to {
            term("written_date <= ?", Value::Integer(yyyymmdd(to)));
            term("sort_key < ?", Value::Integer(day_start(to) + 2 * DAY));
        }
        if let Some(operator) = &self.operator {
            term("operator = ?", Value::Text(operator.clone()));
        }
        if let Some(visitor) = self.visitor_id {
            term("visitor_id = ?", Value::Integer(visitor));
        }
        if let Some(customer) = &self.customer_id {
            term("customer_id = ?", Value::Text(customer.clone()));
        }
        (terms.join(" AND "), values)
    }
}

impl Store {
    /// Reads the next page of the selection in answer order, after `after`, looking at
    /// up to `rows` rows; `keep` decides on each row's content before the rest of the row
    /// is read.
    pub fn scan_page(
        &self,
        selection: &Selection,
        after: Option<OrderKey>,
        rows: usize,
        keep: &mut dyn FnMut(&str) -> bool,
    ) -> Result<Page, StoreError> {
        let (mut clause, mut values) = selection.where_clause();
        if let Some(after) = after {
            values.push(Value::Integer(after.sort_key));
            values.push(Value::Integer(after.id));
            clause.push_str(&format!(
                " AND (sort_key, id) > (?{}, ?{})",
                values.len() - 1,
                values.len()
            ));
        }
        // The limit written out, not bound: SQLite reads a bound LIMIT when it plans
        // (`sqlite3ExprIsInteger`), so binding one expires the statement, which its next
        // step prepares again: 126,000 instructions of a visitor's listing.
        let sql = format!(
            "SELECT sort_key, {COLUMNS} FROM message WHERE {clause} ORDER BY sort_key, id LIMIT {rows}"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let mut result = statement.query(rusqlite::params_from_iter(values))?;
        let mut page = Page::default();
        let mut seen = 0;
        let mut last = None;
        while let Some(row) = result.next()? {
            seen += 1;
            last = Some(OrderKey {
                sort_key: row.get(0)?,
                id: row.get(1)?,
            });
            let content = text(row, 2)?;
            if keep(content) {
                page.messages.push(from_row_at(row, 1)?);
            }
        }
        page.next = if seen == rows { last } else { None };
        Ok(page)
    }

    /// How many messages the selection holds (no content test).
    pub fn count_selection(&self, selection: &Selection) -> Result<u64, StoreError> {
        let (clause, values) = selection.where_clause();
        let mut statement = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM message WHERE {clause}"))?;
        Ok(statement.query_row(rusqlite::params_from_iter(values), |row| row.get(0))?)
    }

    /// How many messages the selection holds, counting no further than `cap`: the answer
    /// is exact when it is below `cap`. Costs at most `cap` index entries, so a caller can
    /// learn cheaply whether a selection is small.
    pub fn count_selection_up_to(
        &self,
        selection: &Selection,
        cap: u64,
    ) -> Result<u64, StoreError> {
        let (clause, values) = selection.where_clause();
        // Written out, as in `scan_page`.
        let cap = i64::try_from(cap).unwrap_or(i64::MAX);
        let mut statement = self.conn.prepare_cached(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM message WHERE {clause} LIMIT {cap})"
        ))?;
        Ok(statement.query_row(rusqlite::params_from_iter(values), |row| row.get(0))?)
    }

    /// SQLite's plan for a page of the selection (for tests that check an index is used).
    pub fn explain_selection(&self, selection: &Selection) -> Result<String, StoreError> {
        let (clause, values) = selection.where_clause();
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT {COLUMNS} FROM message WHERE {clause} ORDER BY sort_key, id"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let rows = statement.query_map(rusqlite::params_from_iter(values), |row| {
            row.get::<_, String>(3)
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?.join("\n"))
    }

    /// Starts reading one consistent snapshot of the archive, held until the guard is
    /// dropped: writers that commit meanwhile are not seen, so a query that reads in
    /// pages gives one coherent answer. Inside another transaction it does nothing.
    pub fn snapshot(&self) -> Result<Snapshot<'_>, StoreError> {
        let owned = self.conn.is_autocommit();
        if owned {
            self.conn.execute_batch("BEGIN DEFERRED")?;
        }
        Ok(Snapshot { store: self, owned })
    }
}

/// A read transaction; see [`Store::snapshot`].
#[derive(Debug)]
pub struct Snapshot<'a> {
    store: &'a Store,
    owned: bool,
}

impl Snapshot<'_> {
    /// The store, read at the snapshot.
    pub fn store(&self) -> &Store {
        self.store
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        if self.owned {
            // A read transaction has nothing to keep; ending it cannot lose anything.
            let _ = self.store.conn.execute_batch("COMMIT");
        }
    }
}

/// A text column, borrowed from the row (no copy for rows the predicate rejects).
fn text<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> Result<&'r str, StoreError> {
    row.get_ref(column)?
        .as_str()
        .map_err(|e| conversion_failure(column, e))
}

pub(crate) fn conversion_failure(column: usize, error: FromSqlError) -> StoreError {
    StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        error.into(),
    ))
}
