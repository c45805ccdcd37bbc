//! What the archive holds of one sync window: how many copies of each message written on
//! its days, by fingerprint. `sync --dry-run` compares an upstream's answer for the window
//! with this (the §1b counts, N listed against M archived) without writing anything.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use plupper_model::Fingerprint;

use crate::{Store, StoreError};

/// A written date's margin around its instant, as in the query module: a message written
/// on day D has its sort key within D − 1 day … D + 2 days (UTC seconds).
const DAY: i64 = 86_400;

impl Store {
    /// How many times the archive holds each message whose written date (the calendar
    /// date in its `created`) is in `from..=to`, by fingerprint; `None` leaves that end
    /// open. Reads only.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use plupper_model::element::parse_element;
    /// use plupper_store::{Arrival, Store};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let mut store = Store::open(dir.path())?;
    /// let element = parse_element(br#"{"content":"ok","created":"Wed Apr 29 17:16:13 CEST 2009","type":"VO"}"#)?;
    /// let fingerprint = element.message.fingerprint();
    /// let mut unit = store.begin("example")?;
    /// unit.apply(&[Arrival::new(element.clone(), 0), Arrival::new(element, 1)], &[])?;
    /// unit.finish()?;
    ///
    /// let april = |d| NaiveDate::from_ymd_opt(2009, 4, d);
    /// let counts = store.fingerprint_counts(april(1), april(30))?;
    /// assert_eq!(counts.get(&fingerprint), Some(&2));
    /// assert!(store.fingerprint_counts(april(30), None)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fingerprint_counts(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<HashMap<Fingerprint, u64>, StoreError> {
        // The sort-key bounds are implied by the written dates; they let SQLite walk the
        // time index over the window's rows only.
        let mut select = self.conn.prepare_cached(&format!(
            "SELECT {} FROM message
             WHERE written_date >= ?1 AND written_date <= ?2 AND sort_key >= ?3 AND sort_key < ?4",
            crate::read::COLUMNS
        ))?;
        let mut rows = select.query([
            from.map_or(i64::MIN, yyyymmdd),
            to.map_or(i64::MAX, yyyymmdd),
            from.map_or(i64::MIN, |from| day_start(from) - DAY),
            to.map_or(i64::MAX, |to| day_start(to) + 2 * DAY),
        ])?;
        // The fingerprint is not stored (migration 10): each message's is computed from
        // its six fields, as the writer computes it.
        let mut counts = HashMap::new();
        while let Some(row) = rows.next()? {
            let stored = crate::read::from_row(row)?;
            *counts.entry(stored.message.fingerprint()).or_insert(0) += 1;
        }
        Ok(counts)
    }
}

fn yyyymmdd(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 10_000 + i64::from(date.month()) * 100 + i64::from(date.day())
}

fn day_start(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .map_or(0, |t| t.and_utc().timestamp())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use plupper_model::element::parse_element;

    use super::*;
    use crate::Arrival;

    fn element(created: &str, content: &str) -> plupper_model::element::Element {
        let text = format!(r#"{{"content":"{content}","created":"{created}","type":"VO"}}"#);
        parse_element(text.as_bytes()).unwrap()
    }

    /// A window holds the messages written on its days, whatever their zone: a message
    /// written late on the 30th in a zone far east or west of UTC is still the 30th's.
    #[test]
    fn a_window_counts_by_written_date_and_copies() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        let elements = [
            element("Thu Apr 30 23:59:59 AEDT 2009", "late east"),
            element("Thu Apr 30 23:59:59 PST 2009", "late west"),
            element("Wed Apr 01 00:00:00 PST 2009", "early west"),
            element("Tue Mar 31 23:59:59 AEDT 2009", "before"),
            element("Fri May 01 00:00:00 AEDT 2009", "after"),
            element("Fri May 01 00:00:00 XYZ 2009", "after, unknown zone"),
        ];
        let mut arrivals: Vec<Arrival> = elements
            .iter()
            .enumerate()
            .map(|(i, e)| Arrival::new(e.clone(), i as u64))
            .collect();
        arrivals.push(Arrival::new(elements[0].clone(), 6));
        let mut unit = store.begin("test").unwrap();
        unit.apply(&arrivals, &[]).unwrap();
        unit.finish().unwrap();

        let day = |m, d| NaiveDate::from_ymd_opt(2009, m, d);
        let fp = |i: usize| elements[i].message.fingerprint();
        let april = store.fingerprint_counts(day(4, 1), day(4, 30)).unwrap();
        assert_eq!(april.len(), 3, "{april:?}");
        assert_eq!(april[&fp(0)], 2);
        assert_eq!(april[&fp(1)], 1);
        assert_eq!(april[&fp(2)], 1);
        let before = store.fingerprint_counts(None, day(3, 31)).unwrap();
        assert_eq!(before.keys().collect::<Vec<_>>(), [&fp(3)]);
        let after = store.fingerprint_counts(day(5, 1), None).unwrap();
        assert_eq!(after.len(), 2);
        assert_eq!(store.fingerprint_counts(None, None).unwrap().len(), 6);
        assert!(
            store
                .fingerprint_counts(day(6, 1), day(5, 1))
                .unwrap()
                .is_empty()
        );
    }
}
