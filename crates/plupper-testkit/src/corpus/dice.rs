//! The generator's only source of randomness.
//!
//! Every draw is computed here from the raw ChaCha8 output, not through `rand`'s
//! distributions, so the corpus for a seed depends only on the ChaCha8 stream (which
//! `rand_chacha` promises to keep stable) and not on how a `rand` release samples ranges.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded ChaCha8 stream with the few draws the generator needs.
#[derive(Debug, Clone)]
pub(super) struct Dice(ChaCha8Rng);

impl Dice {
    /// The stream `stream` of the generator seeded with `seed`: independent streams
    /// let the session plan be replayed without disturbing the content draws.
    pub(super) fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self(rng)
    }

    /// A uniform float in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        const SCALE: f64 = 1.0 / (1u64 << 53) as f64;
        (self.0.next_u64() >> 11) as f64 * SCALE
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniform integer in `0..n` (`n > 0`), without modulo bias (Lemire's method).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0, "below(0)");
        let threshold = n.wrapping_neg() % n;
        loop {
            let wide = u128::from(self.0.next_u64()) * u128::from(n);
            if (wide as u64) >= threshold {
                return (wide >> 64) as u64;
            }
        }
    }

    /// A uniform integer in `low..=high`.
    pub(super) fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    /// A uniformly chosen element of a non-empty slice.
    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// An element of a non-empty slice chosen in proportion to its weight.
    pub(super) fn weighted<T: Copy>(&mut self, items: &[(T, f64)]) -> T {
        let total: f64 = items.iter().map(|(_, weight)| weight).sum();
        let mut target = self.unit() * total;
        for (item, weight) in items {
            if target < *weight {
                return *item;
            }
            target -= weight;
        }
        items[items.len() - 1].0
    }

    /// An index in `0..len` (`len > 0`) drawn from a Zipf-like law with exponent `s`:
    /// index 0 is the most frequent. Uses the continuous inverse, which is close enough
    /// for a corpus and needs no table.
    pub(super) fn zipf(&mut self, len: usize, s: f64) -> usize {
        let m = len as f64 + 1.0;
        let u = self.unit();
        let rank = if (s - 1.0).abs() < 1e-9 {
            m.powf(u)
        } else {
            let e = 1.0 - s;
            (1.0 + u * (m.powf(e) - 1.0)).powf(1.0 / e)
        };
        (rank as usize).clamp(1, len) - 1
    }

    /// A standard exponential variate (mean 1).
    pub(super) fn exponential(&mut self) -> f64 {
        -(1.0 - self.unit()).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let mut a = Dice::new(5, 1);
        let mut b = Dice::new(5, 1);
        let mut c = Dice::new(5, 2);
        let xs: Vec<u64> = (0..8).map(|_| a.below(1000)).collect();
        let ys: Vec<u64> = (0..8).map(|_| b.below(1000)).collect();
        let zs: Vec<u64> = (0..8).map(|_| c.below(1000)).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn draws_stay_in_range() {
        let mut dice = Dice::new(1, 0);
        for _ in 0..10_000 {
            assert!((3..=7).contains(&dice.between(3, 7)));
            assert!(dice.zipf(10, 1.0) < 10);
            assert!(dice.zipf(10, 1.3) < 10);
            let u = dice.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(dice.exponential() >= 0.0);
        }
    }

    #[test]
    fn zipf_favours_low_ranks() {
        let mut dice = Dice::new(3, 0);
        let mut counts = [0u32; 20];
        for _ in 0..20_000 {
            counts[dice.zipf(20, 1.0)] += 1;
        }
        assert!(counts[0] > counts[5]);
        assert!(counts[5] > counts[19]);
        assert!(counts[19] > 0);
    }
}
