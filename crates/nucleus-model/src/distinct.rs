//! Distinct string values per metadata key, and Nucleus's categorical rule.
//!
//! Nucleus treats a string key with fewer than [`CATEGORICAL_LIMIT`] (250) distinct values as
//! *categorical*: its values are offered as categories. The profile and `append` both count
//! distinct values the same way, written here once: exactly while a key has at most
//! [`EXACT_DISTINCT_CAP`] (256) of them, so categorical is always decided exactly, then with a
//! HyperLogLog ([`Hll`], 16 KiB, standard error 0.81 %) whose estimate is never below 257
//! ([`Distinct::of_sketch`]).
//!
//! ```
//! use nucleus_model::distinct::DistinctCounter;
//!
//! let mut weather = DistinctCounter::default();
//! for value in ["fog", "rain", "fog"] {
//!     weather.insert(value);
//! }
//! let distinct = weather.count();
//! assert_eq!((distinct.count, distinct.exact, distinct.categorical()), (2, true, true));
//!
//! let mut ids = DistinctCounter::default();
//! for idx in 0..1000 {
//!     ids.insert(&format!("id-{idx}"));
//! }
//! let distinct = ids.count();
//! assert!(!distinct.exact && !distinct.categorical());
//! assert!(distinct.count.abs_diff(1000) < 25);
//! ```

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// A string key with fewer distinct values than this is categorical (Nucleus's rule).
pub const CATEGORICAL_LIMIT: u64 = 250;
/// Distinct values per key counted exactly before switching to a sketch.
pub const EXACT_DISTINCT_CAP: usize = 256;

/// How many distinct values a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Distinct {
    /// Distinct values: exact when `exact`, else a HyperLogLog estimate above
    /// [`EXACT_DISTINCT_CAP`].
    pub count: u64,
    /// Whether `count` is exact (at most [`EXACT_DISTINCT_CAP`] values).
    pub exact: bool,
}

impl Distinct {
    /// An exact count.
    #[must_use]
    pub const fn exact(count: u64) -> Distinct {
        Distinct { count, exact: true }
    }

    /// The count of a key that went past [`EXACT_DISTINCT_CAP`]: the sketch's estimate,
    /// rounded, and never below the cap plus one (the key is known to have more).
    #[must_use]
    pub fn of_sketch(hll: &Hll) -> Distinct {
        let floor = EXACT_DISTINCT_CAP as u64 + 1;
        let estimate = hll.estimate().round();
        let count = if estimate.is_finite() && estimate > floor as f64 {
            estimate as u64
        } else {
            floor
        };
        Distinct {
            count,
            exact: false,
        }
    }

    /// Whether Nucleus treats the key as categorical: fewer than [`CATEGORICAL_LIMIT`] distinct
    /// values (decided exactly: an estimate is always above the limit).
    #[must_use]
    pub const fn categorical(self) -> bool {
        self.exact && self.count < CATEGORICAL_LIMIT
    }
}

/// Counts distinct strings in bounded memory: a set of the values while there are at most
/// [`EXACT_DISTINCT_CAP`], then a HyperLogLog (see the module docs).
#[derive(Debug, Clone)]
pub enum DistinctCounter {
    /// Every value seen.
    Exact(HashSet<Box<str>>),
    /// The sketch of every value seen.
    Sketch(Box<Hll>),
}

impl Default for DistinctCounter {
    fn default() -> DistinctCounter {
        DistinctCounter::Exact(HashSet::new())
    }
}

impl DistinctCounter {
    /// Counts `value`.
    pub fn insert(&mut self, value: &str) {
        match self {
            DistinctCounter::Exact(values) => {
                if values.contains(value) {
                    return;
                }
                values.insert(value.into());
                if values.len() > EXACT_DISTINCT_CAP {
                    let mut hll = Box::<Hll>::default();
                    for value in values.iter() {
                        hll.insert(value);
                    }
                    *self = DistinctCounter::Sketch(hll);
                }
            }
            DistinctCounter::Sketch(hll) => hll.insert(value),
        }
    }

    /// The distinct values counted so far.
    #[must_use]
    pub fn count(&self) -> Distinct {
        match self {
            DistinctCounter::Exact(values) => Distinct::exact(values.len() as u64),
            DistinctCounter::Sketch(hll) => Distinct::of_sketch(hll),
        }
    }
}

/// MurmurHash64A (Austin Appleby, public domain): a fast 64-bit hash with good avalanche. Fixed,
/// unseeded, so sketches built in different processes agree.
#[must_use]
#[inline]
pub fn hash64(bytes: &[u8]) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ (bytes.len() as u64).wrapping_mul(M);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mut k = u64::from_le_bytes(word);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut word = [0u8; 8];
        for (slot, byte) in word.iter_mut().zip(tail) {
            *slot = *byte;
        }
        h ^= u64::from_le_bytes(word);
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// HyperLogLog (Flajolet et al. 2007) with 2^14 registers and linear counting for small
/// cardinalities: the estimate of the number of distinct values has a standard error of
/// 1.04/√16384 ≈ 0.81 % (so 99.7 % of estimates are within ±2.4 %). Merging takes the register-wise
/// maximum, which is exact and order-free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hll {
    registers: Vec<u8>,
}

const HLL_BITS: u32 = 14;
const HLL_REGISTERS: usize = 1 << HLL_BITS;
/// The largest rank [`Hll::insert_hash`] stores: 64 − `HLL_BITS` hash bits, plus one.
const HLL_MAX_RANK: u8 = 64 - HLL_BITS as u8 + 1;

impl Default for Hll {
    fn default() -> Hll {
        Hll {
            registers: vec![0; HLL_REGISTERS],
        }
    }
}

impl Hll {
    /// Adds a string (its [`hash64`]).
    #[inline]
    pub fn insert(&mut self, value: &str) {
        self.insert_hash(hash64(value.as_bytes()));
    }

    /// Adds a value by its [`hash64`].
    #[inline]
    pub fn insert_hash(&mut self, hash: u64) {
        let index = usize::try_from(hash >> (64 - HLL_BITS)).unwrap_or(0);
        // The remaining 50 bits, left-aligned; the rank is the position of the first 1 bit.
        let rest = (hash << HLL_BITS) | (1 << (HLL_BITS - 1));
        let rank = u8::try_from(rest.leading_zeros() + 1).unwrap_or(u8::MAX);
        if let Some(register) = self.registers.get_mut(index) {
            *register = (*register).max(rank);
        }
    }

    /// Adds everything `other` counted.
    pub fn merge(&mut self, other: &Hll) {
        for (mine, theirs) in self.registers.iter_mut().zip(&other.registers) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// Whether a state read back from bytes is one [`Hll`] can build: merging zips registers,
    /// so a wrong count would silently skew every estimate.
    ///
    /// # Errors
    ///
    /// A message naming the register count or the rank that no [`Hll`] holds.
    pub fn check(&self) -> Result<(), String> {
        if self.registers.len() != HLL_REGISTERS {
            return Err(format!(
                "HyperLogLog has {} registers, expected {HLL_REGISTERS}",
                self.registers.len()
            ));
        }
        match self.registers.iter().find(|&&rank| rank > HLL_MAX_RANK) {
            Some(rank) => Err(format!(
                "HyperLogLog register holds {rank}, expected at most {HLL_MAX_RANK}"
            )),
            None => Ok(()),
        }
    }

    /// The estimated number of distinct values inserted.
    #[must_use]
    pub fn estimate(&self) -> f64 {
        let m = HLL_REGISTERS as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let mut sum = 0.0;
        let mut zeros = 0u32;
        for &register in &self.registers {
            sum += (-f64::from(register)).exp2();
            if register == 0 {
                zeros += 1;
            }
        }
        let raw = alpha * m * m / sum;
        if raw <= 2.5 * m && zeros > 0 {
            m * (m / f64::from(zeros)).ln()
        } else {
            raw
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hll_error_is_within_three_standard_errors() {
        for n in [300u64, 1_000, 10_000, 100_000, 1_000_000] {
            let mut hll = Hll::default();
            for idx in 0..n {
                hll.insert_hash(hash64(format!("value-{idx}").as_bytes()));
            }
            let relative = (hll.estimate() - n as f64).abs() / n as f64;
            assert!(
                relative < 3.0 * 1.04 / (HLL_REGISTERS as f64).sqrt(),
                "n = {n}: relative error {relative}"
            );
        }
    }

    #[test]
    fn hll_merge_equals_one_pass() {
        let mut whole = Hll::default();
        let mut left = Hll::default();
        let mut right = Hll::default();
        for idx in 0..5000u32 {
            let hash = hash64(&idx.to_le_bytes());
            whole.insert_hash(hash);
            if idx % 3 == 0 { &mut left } else { &mut right }.insert_hash(hash);
        }
        left.merge(&right);
        assert_eq!(left, whole);
    }

    #[test]
    fn hll_check_rejects_what_it_cannot_build() {
        assert_eq!(Hll::default().check(), Ok(()));
        let short = Hll {
            registers: vec![0; 3],
        };
        assert_eq!(
            short.check(),
            Err("HyperLogLog has 3 registers, expected 16384".to_owned())
        );
        let mut high = Hll::default();
        high.registers[7] = HLL_MAX_RANK + 1;
        assert_eq!(
            high.check(),
            Err("HyperLogLog register holds 52, expected at most 51".to_owned())
        );
    }

    /// Counts `n` distinct values, each inserted twice.
    fn counted(n: usize) -> Distinct {
        let mut counter = DistinctCounter::default();
        for round in 0..2 {
            for idx in 0..n {
                counter.insert(&format!("value {idx}"));
            }
            assert!(round == 0 || counter.count().exact == (n <= EXACT_DISTINCT_CAP));
        }
        counter.count()
    }

    #[test]
    fn exact_up_to_the_cap_then_estimated_above_it() {
        assert_eq!(counted(0), Distinct::exact(0));
        assert_eq!(counted(249), Distinct::exact(249));
        assert!(counted(249).categorical());
        assert!(!counted(250).categorical());
        assert_eq!(counted(EXACT_DISTINCT_CAP), Distinct::exact(256));
        let above = counted(EXACT_DISTINCT_CAP + 1);
        assert!(!above.exact && !above.categorical());
        assert!(above.count > EXACT_DISTINCT_CAP as u64);
        let many = counted(5000);
        assert!(many.count.abs_diff(5000) < 5000 * 3 / 100, "{many:?}");
    }

    #[test]
    fn a_sketch_never_counts_below_the_cap() {
        // An empty sketch estimates 0: still "more than the cap" once the counter switched.
        assert_eq!(
            Distinct::of_sketch(&Hll::default()),
            Distinct {
                count: 257,
                exact: false
            }
        );
    }
}
