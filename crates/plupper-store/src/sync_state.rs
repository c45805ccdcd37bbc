//! The sync state: which date windows of which upstream have been pulled and applied.
//!
//! A window's row is written in the window's own transaction
//! ([`Reconciler::finish_window`]), so the archive never says a window is done whose
//! messages it lacks, nor holds a window's messages without saying so. Deciding what to
//! pull next from these rows is `plupper_sync::window::plan`'s job, not the store's.

use chrono::{Datelike, NaiveDate};
use rusqlite::{TransactionBehavior, params};

use crate::reconcile::FINISH_BATCH;
use crate::{Applied, BatchId, Reconciler, Store, StoreError};

/// Which upstream a sync state belongs to: an API base URL (never with credentials in
/// it) and the user whose messages it returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SyncScope {
    /// The API's base URL, e.g. `https://api.plupper.com`.
    pub url: String,
    /// The user name sent with HTTP Basic auth.
    pub user: String,
}

/// A window pulled completely, as it is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowRecord {
    /// The first day asked for; `None`: no `from` (everything before `to`).
    pub from: Option<NaiveDate>,
    /// The last day asked for; `None`: no `to` (everything from `from` on).
    pub to: Option<NaiveDate>,
    /// The local date the sync ran on.
    pub pulled_on: NaiveDate,
    /// Elements in the response.
    pub elements: u64,
    /// What the store did with them.
    pub applied: Applied,
}

/// A recorded window, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedWindow {
    /// The window and its counts.
    pub record: WindowRecord,
    /// When its transaction committed (UTC, from SQLite's clock).
    pub finished_at: String,
    /// The batch its messages were recorded under.
    pub batch: BatchId,
}

impl Reconciler<'_> {
    /// Records that the whole window has been read and applied, and commits: the window's
    /// messages and its sync-state row become visible together. In an atomic unit (see
    /// [`Store::begin_atomic`]) this is the unit's one commit.
    pub fn finish_window(
        mut self,
        scope: &SyncScope,
        record: &WindowRecord,
    ) -> Result<(), StoreError> {
        self.check_not_failed()?;
        let batch = self.batch();
        if self.in_transaction {
            insert_window(&self.store.conn, scope, record, batch)?;
            self.store.conn.execute(FINISH_BATCH, [batch.0])?;
            return self.commit();
        }
        let tx = self
            .store
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_window(&tx, scope, record, batch)?;
        tx.execute(FINISH_BATCH, [batch.0])?;
        tx.commit()?;
        Ok(())
    }
}

fn insert_window(
    conn: &rusqlite::Connection,
    scope: &SyncScope,
    record: &WindowRecord,
    batch: BatchId,
) -> Result<(), StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO sync_window (url, user, date_from, date_to, pulled_on, finished_at,
             elements, added, already_archived, quarantined, batch_id)
         VALUES (?1, ?2, ?3, ?4, ?5, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?6, ?7, ?8, ?9, ?10)",
    )?;
    let applied = &record.applied;
    insert.execute(params![
        scope.url,
        scope.user,
        record.from.map(date_number),
        record.to.map(date_number),
        date_number(record.pulled_on),
        record.elements as i64,
        applied.added as i64,
        applied.already_archived as i64,
        (applied.quarantined + applied.already_quarantined) as i64,
        batch.0,
    ])?;
    Ok(())
}

impl Store {
    /// The windows recorded for `scope`, in the order they finished.
    pub fn synced_windows(&self, scope: &SyncScope) -> Result<Vec<SyncedWindow>, StoreError> {
        let mut select = self.conn.prepare_cached(
            "SELECT date_from, date_to, pulled_on, elements, added, already_archived, quarantined,
                    finished_at, batch_id
             FROM sync_window WHERE url = ?1 AND user = ?2 ORDER BY id",
        )?;
        let rows = select.query_map([&scope.url, &scope.user], |row| {
            let date = |i: usize| -> rusqlite::Result<Option<NaiveDate>> {
                row.get::<_, Option<i64>>(i)?
                    .map(|n| {
                        date_from_number(n).ok_or(rusqlite::Error::IntegralValueOutOfRange(i, n))
                    })
                    .transpose()
            };
            let pulled_on = date(2)?.ok_or(rusqlite::Error::InvalidColumnType(
                2,
                "pulled_on".into(),
                rusqlite::types::Type::Null,
            ))?;
            let count = |i: usize| row.get::<_, i64>(i).map(|n| n as u64);
            Ok(SyncedWindow {
                record: WindowRecord {
                    from: date(0)?,
                    to: date(1)?,
                    pulled_on,
                    elements: count(3)?,
                    applied: Applied {
                        added: count(4)?,
                        already_archived: count(5)?,
                        quarantined: count(6)?,
                        already_quarantined: 0,
                    },
                },
                finished_at: row.get(7)?,
                batch: BatchId(row.get(8)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// A date as the schema stores it: YYYYMMDD.
fn date_number(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

fn date_from_number(n: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::try_from(n / 10_000).ok()?,
        u32::try_from(n / 100 % 100).ok()?,
        u32::try_from(n % 100).ok()?,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn date_numbers_round_trip() {
        for (y, m, d) in [(2009, 4, 29), (1, 1, 1), (9999, 12, 31), (2000, 2, 29)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(date_from_number(date_number(date)), Some(date));
        }
        assert_eq!(date_from_number(20090230), None);
    }
}
