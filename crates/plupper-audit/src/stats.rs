//! Statistics over the messages and conversations a filter selects, overall or by
//! operator, day, month or customer.
//!
//! - **messages**: the messages that match the filter, in the group of their own
//!   `operator`, written day or month, or `customerId`;
//! - **conversations**: those with at least one matching message, counted whole: by day
//!   and month in the group of their first message's written date, by customer in the
//!   group of their [customer](crate::summary), by operator in the group of *each*
//!   operator named in them (so a conversation two operators took part in counts for
//!   both, and the groups add up to more than the total);
//! - **visitors**: the distinct visitor ids of those conversations;
//! - **first-response time**: median and 90th percentile over the answered conversations
//!   of the group; by operator, a conversation's time counts for the operator who sent
//!   the first reply only;
//! - **unanswered**: conversations of the group in which the visitor wrote and nobody
//!   replied (by operator: in the group of each operator named in them).
//!
//! Percentiles are by the nearest-rank method: the p-th percentile of n sorted values is
//! the value at rank ⌈p·n/100⌉, so it is always a time that occurred; the median of an
//! even number of values is the lower of the two middle ones.

use std::collections::{BTreeMap, HashSet};

use plupper_store::StoredMessage;

use crate::summary::ConversationSummary;

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupBy {
    /// By `operator`.
    Operator,
    /// By written day, `YYYY-MM-DD`.
    Day,
    /// By written month, `YYYY-MM`.
    Month,
    /// By `customerId`.
    Customer,
}

impl GroupBy {
    /// The column's name.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Operator => "operator",
            GroupBy::Day => "day",
            GroupBy::Month => "month",
            GroupBy::Customer => "customerId",
        }
    }
}

/// One row of statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsRow {
    /// The group (`None`: messages with a null operator or customer); `None` also for the
    /// total row, told apart by `total`.
    pub group: Option<String>,
    /// Whether this is the row of everything selected.
    pub total: bool,
    /// Matching messages.
    pub messages: u64,
    /// Conversations.
    pub conversations: u64,
    /// Distinct visitors of those conversations.
    pub visitors: u64,
    /// Conversations with a first-response time.
    pub answered: u64,
    /// Median first-response time, seconds.
    pub median_first_response: Option<i64>,
    /// 90th percentile first-response time, seconds.
    pub p90_first_response: Option<i64>,
    /// Unanswered conversations.
    pub unanswered: u64,
}

/// The p-th percentile (0 < p ≤ 100) of `values` by the nearest-rank method; `None` for
/// no values. Sorts `values`.
///
/// ```
/// use plupper_audit::stats::percentile;
/// assert_eq!(percentile(&mut [40, 10, 30, 20], 50), Some(20));
/// assert_eq!(percentile(&mut [40, 10, 30, 20], 90), Some(40));
/// assert_eq!(percentile(&mut [], 50), None);
/// ```
pub fn percentile(values: &mut [i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len() as u64;
    let rank = (u64::from(p) * n).div_ceil(100).clamp(1, n);
    Some(values[rank as usize - 1])
}

#[derive(Debug, Default)]
struct Tally {
    messages: u64,
    conversations: u64,
    visitors: HashSet<i64>,
    times: Vec<i64>,
    unanswered: u64,
}

impl Tally {
    fn row(mut self, group: Option<String>, total: bool) -> StatsRow {
        StatsRow {
            group,
            total,
            messages: self.messages,
            conversations: self.conversations,
            visitors: self.visitors.len() as u64,
            answered: self.times.len() as u64,
            median_first_response: percentile(&mut self.times, 50),
            p90_first_response: percentile(&mut self.times, 90),
            unanswered: self.unanswered,
        }
    }

    fn add_conversation(&mut self, summary: &ConversationSummary, time: bool) {
        self.conversations += 1;
        self.visitors.extend(summary.visitor_id);
        if time {
            self.times.extend(summary.first_response);
        }
        self.unanswered += u64::from(summary.unanswered());
    }
}

/// Gathers statistics: give it every selected message and every selected conversation,
/// in any order, then take the rows.
#[derive(Debug)]
pub struct Stats {
    by: Option<GroupBy>,
    groups: BTreeMap<Option<String>, Tally>,
    total: Tally,
}

impl Stats {
    /// Statistics grouped by `by`, or only the total.
    pub fn new(by: Option<GroupBy>) -> Stats {
        Stats {
            by,
            groups: BTreeMap::new(),
            total: Tally::default(),
        }
    }

    /// Counts a matching message.
    pub fn add_message(&mut self, stored: &StoredMessage) {
        self.total.messages += 1;
        let Some(by) = self.by else { return };
        let message = &stored.message;
        let group = match by {
            GroupBy::Operator => message.operator.clone(),
            GroupBy::Day => Some(stored.written_date.format("%Y-%m-%d").to_string()),
            GroupBy::Month => Some(stored.written_date.format("%Y-%m").to_string()),
            GroupBy::Customer => message.customer_id.clone(),
        };
        self.groups.entry(group).or_default().messages += 1;
    }

    /// Counts a selected conversation.
    pub fn add_conversation(&mut self, summary: &ConversationSummary) {
        self.total.add_conversation(summary, true);
        let Some(by) = self.by else { return };
        match by {
            GroupBy::Operator if summary.operators.is_empty() => {
                self.groups
                    .entry(None)
                    .or_default()
                    .add_conversation(summary, true);
            }
            GroupBy::Operator => {
                for operator in &summary.operators {
                    let responded = summary.responder.as_ref() == Some(operator);
                    self.groups
                        .entry(Some(operator.clone()))
                        .or_default()
                        .add_conversation(summary, responded);
                }
                // A reply by an operator not named elsewhere is impossible: the reply
                // names its operator, so the responder is always among the operators.
            }
            GroupBy::Day | GroupBy::Month => {
                let format = if by == GroupBy::Day {
                    "%Y-%m-%d"
                } else {
                    "%Y-%m"
                };
                let group = summary.start.wall_clock.format(format).to_string();
                self.groups
                    .entry(Some(group))
                    .or_default()
                    .add_conversation(summary, true);
            }
            GroupBy::Customer => {
                self.groups
                    .entry(summary.customer_id.clone())
                    .or_default()
                    .add_conversation(summary, true);
            }
        }
    }

    /// The rows: one per group in the group's order (the null group first), then the
    /// total.
    pub fn rows(self) -> Vec<StatsRow> {
        let mut rows: Vec<StatsRow> = self
            .groups
            .into_iter()
            .map(|(group, tally)| tally.row(group, false))
            .collect();
        rows.push(self.total.row(None, true));
        rows
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook nearest-rank definition, written out.
    fn model(values: &[i64], p: u32) -> Option<i64> {
        let mut sorted = values.to_vec();
        sorted.sort();
        let n = sorted.len() as f64;
        if sorted.is_empty() {
            return None;
        }
        let rank = (f64::from(p) * n / 100.0).ceil().max(1.0) as usize;
        Some(sorted[rank - 1])
    }

    #[test]
    fn percentiles_of_few_values() {
        assert_eq!(percentile(&mut [7], 50), Some(7));
        assert_eq!(percentile(&mut [7], 90), Some(7));
        assert_eq!(percentile(&mut [1, 2, 3], 50), Some(2));
        assert_eq!(
            percentile(&mut [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90),
            Some(9)
        );
        assert_eq!(
            percentile(&mut [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90),
            Some(10)
        );
    }

    proptest! {
        #[test]
        fn percentiles_match_the_textbook(values in prop::collection::vec(-1000i64..1000, 0..50), p in 1u32..=100) {
            let mut mine = values.clone();
            prop_assert_eq!(percentile(&mut mine, p), model(&values, p));
        }
    }
}
