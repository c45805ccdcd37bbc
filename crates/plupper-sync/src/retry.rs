//! When to try a request again: jittered exponential backoff, honouring `Retry-After`.
//!
//! Only failures that may pass are retried (connection errors, time-outs, a response cut
//! off or damaged, HTTP 5xx and 429), a bounded number of times; see
//! [`SyncError::is_retryable`](crate::SyncError::is_retryable).

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// How often and how long to wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries after the first one (0: never retry).
    pub retries: u32,
    /// The wait before the first retry, doubled for each further one (before jitter).
    pub base: Duration,
    /// The longest computed wait.
    pub max: Duration,
    /// The longest wait a server's `Retry-After` can ask for; a longer one is cut to this.
    pub max_retry_after: Duration,
    /// Tries after the first one when no connection could be made and the upstream has
    /// not answered anything yet in this run (a wrong URL, a server that is down): at
    /// most `retries`. Once the upstream has answered, a failed connection gets `retries`.
    pub unreachable_retries: u32,
}

impl Default for RetryPolicy {
    /// 5 retries after 0.5 s, 1 s, 2 s, 4 s, 8 s (each jittered down to half), `Retry-After`
    /// honoured up to 5 minutes; 1 retry when the upstream cannot be reached at all.
    fn default() -> Self {
        RetryPolicy {
            retries: 5,
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
            unreachable_retries: 1,
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based): `base · 2^retry`, at most `max`,
    /// scaled by a jitter of `0.5 + unit / 2` (`unit` in `[0, 1)`, drawn at random by the
    /// caller) so that many clients do not come back at once; never less than what the
    /// server asked for with `Retry-After` (itself at most `max_retry_after`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use plupper_sync::retry::RetryPolicy;
    ///
    /// let policy = RetryPolicy::default();
    /// assert_eq!(policy.delay(0, None, 0.0), Duration::from_millis(250));
    /// assert_eq!(policy.delay(2, None, 0.5), Duration::from_millis(1500));
    /// assert_eq!(policy.delay(0, Some(Duration::from_secs(3)), 0.5), Duration::from_secs(3));
    /// ```
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
        let exponential = self
            .base
            .saturating_mul(2u32.saturating_pow(retry.min(31)))
            .min(self.max);
        let jittered = exponential.mul_f64(0.5 + unit.clamp(0.0, 1.0) / 2.0);
        match retry_after {
            Some(asked) => jittered.max(asked.min(self.max_retry_after)),
            None => jittered,
        }
    }
}

/// A number in `[0, 1)` from the process's random hasher keys (seeded by the operating
/// system), enough for jitter without a random-number dependency.
pub(crate) fn jitter_unit() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u8(0);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn waits_grow_and_stay_bounded(retry in 0u32..100, unit in 0.0f64..1.0, asked in proptest::option::of(0u64..10_000)) {
            let policy = RetryPolicy::default();
            let asked = asked.map(Duration::from_secs);
            let delay = policy.delay(retry, asked, unit);
            prop_assert!(delay <= policy.max.max(policy.max_retry_after));
            prop_assert!(delay >= policy.base / 2);
            if let Some(asked) = asked {
                prop_assert!(delay >= asked.min(policy.max_retry_after));
            }
            prop_assert!(policy.delay(retry + 1, None, unit) >= policy.delay(retry, None, unit));
        }
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..100 {
            let unit = jitter_unit();
            assert!((0.0..1.0).contains(&unit));
        }
    }
}
