//! Small mergeable summaries with documented error bounds, used by the profile.
//!
//! Every summary here is built one value at a time and merged with `merge`. Except for
//! [`HeavyHitters`], the merged state is a function of the multiset of values only, so any split
//! of a dataset into shards, merged in any order, gives exactly the state of one sequential pass.
//!
//! | summary | memory (per key) | error |
//! |---|---|---|
//! | [`Hll`] (distinct count) | 16 KiB | standard error 1.04/√16384 ≈ 0.81 % |
//! | [`HeavyHitters`] (top values) | ≤ 512 counters | each count underestimated by at most [`HeavyHitters::error_bound`] ≤ n/257 |
//! | [`LogHistogram`] (number histogram) | ≤ 2 × 2048 buckets | a bucket spans ±1 % around its middle value |
//! | [`BottomK`] (map points) | ≤ 2048 points | none: a uniform sample of the distinct points |

use std::collections::BTreeMap;

use foldhash::HashMap;
use serde::{Deserialize, Serialize};

use super::saved::pairs;

/// MurmurHash64A (Austin Appleby, public domain): a fast 64-bit hash with good avalanche. Fixed,
/// unseeded, so sketches built in different processes agree.
#[must_use]
pub(crate) fn hash64(bytes: &[u8]) -> u64 {
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
pub(crate) struct Hll {
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
    pub(crate) fn insert_hash(&mut self, hash: u64) {
        let index = usize::try_from(hash >> (64 - HLL_BITS)).unwrap_or(0);
        // The remaining 52 bits, left-aligned; the rank is the position of the first 1 bit.
        let rest = (hash << HLL_BITS) | (1 << (HLL_BITS - 1));
        let rank = u8::try_from(rest.leading_zeros() + 1).unwrap_or(u8::MAX);
        if let Some(register) = self.registers.get_mut(index) {
            *register = (*register).max(rank);
        }
    }

    pub(crate) fn merge(&mut self, other: &Hll) {
        for (mine, theirs) in self.registers.iter_mut().zip(&other.registers) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// Whether a state read back from bytes is one [`Hll`] can build: merging zips registers,
    /// so a wrong count would silently skew every estimate.
    pub(crate) fn check(&self) -> Result<(), String> {
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
    pub(crate) fn estimate(&self) -> f64 {
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

/// Misra–Gries frequent items, in the mergeable form of Agarwal et al. (2012): up to
/// `2 × HEAVY_CAPACITY` counters; when there are more, the (`HEAVY_CAPACITY`+1)-th largest count
/// is subtracted from every counter and the counters that reach 0 are dropped.
///
/// Every reported count is a lower bound, at most [`HeavyHitters::error_bound`] below the true
/// count, and that bound is at most n/(`HEAVY_CAPACITY`+1) for n values observed; every value
/// occurring more than that many times is kept. Unlike the other summaries, the exact counters
/// kept depend on the order of values and of merges (the bound does not).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct HeavyHitters {
    #[serde(with = "pairs")]
    counters: HashMap<Box<str>, u64>,
    /// Sum of the amounts subtracted so far: no count is underestimated by more.
    decremented: u64,
}

/// Counters kept after a reduction.
pub(crate) const HEAVY_CAPACITY: usize = 256;

impl HeavyHitters {
    pub(crate) fn insert(&mut self, value: &str, count: u64) {
        match self.counters.get_mut(value) {
            Some(counter) => *counter += count,
            None => {
                self.counters.insert(value.into(), count);
                if self.counters.len() > 2 * HEAVY_CAPACITY {
                    self.reduce();
                }
            }
        }
    }

    pub(crate) fn merge(&mut self, other: HeavyHitters) {
        self.decremented += other.decremented;
        for (value, count) in other.counters {
            *self.counters.entry(value).or_insert(0) += count;
        }
        if self.counters.len() > HEAVY_CAPACITY {
            self.reduce();
        }
    }

    fn reduce(&mut self) {
        let mut counts: Vec<u64> = self.counters.values().copied().collect();
        if counts.len() <= HEAVY_CAPACITY {
            return;
        }
        counts.sort_unstable_by(|a, b| b.cmp(a));
        let cut = counts.get(HEAVY_CAPACITY).copied().unwrap_or(0);
        self.decremented += cut;
        self.counters.retain(|_, count| {
            *count = count.saturating_sub(cut);
            *count > 0
        });
    }

    /// Whether a state read back from bytes keeps the memory bound.
    pub(crate) fn check(&self) -> Result<(), String> {
        bounded(
            "top-value counters",
            self.counters.len(),
            2 * HEAVY_CAPACITY,
        )
    }

    /// Counters held.
    #[cfg(test)]
    pub(crate) fn counters_len(&self) -> usize {
        self.counters.len()
    }

    /// The largest amount by which a reported count can be below the true count.
    pub(crate) fn error_bound(&self) -> u64 {
        self.decremented
    }

    /// `(value, lower bound of count)`, largest first, ties by value.
    pub(crate) fn top(&self, n: usize) -> Vec<(String, u64)> {
        top_of(self.counters.iter().map(|(v, &c)| (v.as_ref(), c)), n)
    }
}

/// The `n` largest `(value, count)` pairs, largest count first, ties broken by value.
pub(crate) fn top_of<'a>(
    pairs: impl Iterator<Item = (&'a str, u64)>,
    n: usize,
) -> Vec<(String, u64)> {
    let mut all: Vec<(&str, u64)> = pairs.collect();
    all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    all.into_iter()
        .take(n)
        .map(|(value, count)| (value.to_owned(), count))
        .collect()
}

/// A log-bucketed histogram in the style of DDSketch (Masson et al. 2019): a positive value x
/// falls in bucket i = ⌈ln x / ln γ⌉ with γ = (1 + α)/(1 − α) and α = 1 %, negative values
/// likewise by magnitude, zero in its own count. Every bucket's representative value 2γⁱ/(γ+1)
/// is within 1 % of every value in the bucket. Each sign keeps at most `LOG_MAX_BUCKETS`
/// buckets; beyond that the buckets of smallest magnitude collapse into one (the order-free
/// DDSketch collapse: the kept buckets are always the largest-magnitude ones seen), so only
/// values more than e^40 ≈ 2·10^17 times smaller than the largest magnitude lose accuracy.
/// Counts add on merge: exact and order-free.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LogHistogram {
    positive: Buckets,
    negative: Buckets,
    zeros: u64,
}

/// Relative accuracy of [`LogHistogram`].
pub(crate) const LOG_ALPHA: f64 = 0.01;
const LOG_MAX_BUCKETS: usize = 2048;

fn log_gamma() -> f64 {
    ((1.0 + LOG_ALPHA) / (1.0 - LOG_ALPHA)).ln()
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Buckets {
    #[serde(with = "pairs")]
    counts: BTreeMap<i32, u64>,
    /// Once collapsed: the lowest kept index, holding every lower one too.
    floor: Option<i32>,
}

impl Buckets {
    fn insert(&mut self, index: i32, count: u64) {
        let index = self.floor.map_or(index, |floor| index.max(floor));
        *self.counts.entry(index).or_insert(0) += count;
        if self.counts.len() > LOG_MAX_BUCKETS
            && let Some((_, lowest)) = self.counts.pop_first()
            && let Some(mut next) = self.counts.first_entry()
        {
            *next.get_mut() += lowest;
            self.floor = Some(*next.key());
        }
    }
}

impl LogHistogram {
    pub(crate) fn insert(&mut self, value: f64, count: u64) {
        if value == 0.0 || !value.is_finite() {
            self.zeros += count;
            return;
        }
        let index = (value.abs().ln() / log_gamma()).ceil();
        // |ln x| ≤ 745 for every finite f64, so the index is far inside i32.
        let index = if index.is_finite() {
            index.clamp(-1e6, 1e6) as i32
        } else {
            0
        };
        if value > 0.0 {
            self.positive.insert(index, count);
        } else {
            self.negative.insert(index, count);
        }
    }

    /// Whether a state read back from bytes keeps the memory bound.
    pub(crate) fn check(&self) -> Result<(), String> {
        bounded(
            "positive histogram buckets",
            self.positive.counts.len(),
            LOG_MAX_BUCKETS,
        )?;
        bounded(
            "negative histogram buckets",
            self.negative.counts.len(),
            LOG_MAX_BUCKETS,
        )
    }

    pub(crate) fn merge(&mut self, other: LogHistogram) {
        self.zeros += other.zeros;
        for (index, count) in other.positive.counts {
            self.positive.insert(index, count);
        }
        for (index, count) in other.negative.counts {
            self.negative.insert(index, count);
        }
    }

    /// `(representative value, count)` in increasing value order.
    pub(crate) fn buckets(&self) -> Vec<(f64, u64)> {
        let gamma = log_gamma().exp();
        let value = |index: i32| 2.0 * (f64::from(index) * log_gamma()).exp() / (gamma + 1.0);
        let mut out: Vec<(f64, u64)> = self
            .negative
            .counts
            .iter()
            .rev()
            .map(|(&index, &count)| (-value(index), count))
            .collect();
        if self.zeros > 0 {
            out.push((0.0, self.zeros));
        }
        out.extend(
            self.positive
                .counts
                .iter()
                .map(|(&index, &count)| (value(index), count)),
        );
        out
    }
}

impl LogHistogram {
    /// `(low, high, count)` per bucket, in increasing value order: every value counted lies in
    /// `[low, high]` (`low == high == 0` for zeros). The collapsed lowest bucket of a sign, if
    /// any, also holds the smaller magnitudes.
    pub(crate) fn intervals(&self) -> Vec<(f64, f64, u64)> {
        let bound = |index: i32| (f64::from(index) * log_gamma()).exp();
        let mut out: Vec<(f64, f64, u64)> = self
            .negative
            .counts
            .iter()
            .rev()
            .map(|(&index, &count)| (-bound(index), -bound(index - 1), count))
            .collect();
        if self.zeros > 0 {
            out.push((0.0, 0.0, self.zeros));
        }
        out.extend(
            self.positive
                .counts
                .iter()
                .map(|(&index, &count)| (bound(index - 1), bound(index), count)),
        );
        out
    }
}

/// A bottom-k sample of distinct map points: the `BOTTOM_K` distinct points with the smallest
/// hashes, each with its exact count. Which points are kept depends only on the set of points,
/// so the sample is order-free and merges exactly; it is a uniform sample of the distinct points.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BottomK {
    /// (hash, latitude bits, longitude bits) → items at that point.
    #[serde(with = "pairs")]
    points: BTreeMap<(u64, u64, u64), u64>,
}

/// Points kept for the map.
pub(crate) const BOTTOM_K: usize = 2048;

impl BottomK {
    pub(crate) fn insert(&mut self, lat: f64, lon: f64, count: u64) {
        // -0.0 and 0.0 are the same place.
        let lat_bits = (lat + 0.0).to_bits();
        let lon_bits = (lon + 0.0).to_bits();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&lat_bits.to_le_bytes());
        bytes[8..].copy_from_slice(&lon_bits.to_le_bytes());
        let key = (hash64(&bytes), lat_bits, lon_bits);
        if self.points.len() >= BOTTOM_K
            && self
                .points
                .last_key_value()
                .is_some_and(|(last, _)| key > *last)
        {
            return;
        }
        *self.points.entry(key).or_insert(0) += count;
        if self.points.len() > BOTTOM_K {
            self.points.pop_last();
        }
    }

    pub(crate) fn merge(&mut self, other: BottomK) {
        for ((_, lat, lon), count) in other.points {
            self.insert(f64::from_bits(lat), f64::from_bits(lon), count);
        }
    }

    /// Whether a state read back from bytes keeps the memory bound.
    pub(crate) fn check(&self) -> Result<(), String> {
        bounded("map points", self.points.len(), BOTTOM_K)
    }

    /// Distinct points kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.points.len()
    }

    /// `(lat, lon, count)`, sorted by latitude then longitude.
    pub(crate) fn points(&self) -> Vec<(f64, f64, u64)> {
        let mut out: Vec<(f64, f64, u64)> = self
            .points
            .iter()
            .map(|(&(_, lat, lon), &count)| (f64::from_bits(lat), f64::from_bits(lon), count))
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        out
    }
}

/// `Ok` when `len` of `what` is at most `limit`, the bound every summary keeps.
pub(crate) fn bounded(what: &str, len: usize, limit: usize) -> Result<(), String> {
    if len > limit {
        return Err(format!("{len} {what}, expected at most {limit}"));
    }
    Ok(())
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
    fn heavy_hitters_keep_frequent_values_within_the_bound() {
        // Zipf-like: value i occurs about 20000/i times, plus a long tail of singletons.
        let mut truth: HashMap<String, u64> = HashMap::default();
        let mut stream = Vec::new();
        for rank in 1..=50u64 {
            for _ in 0..(20_000 / rank) {
                stream.push(format!("v{rank}"));
            }
        }
        for idx in 0..30_000 {
            stream.push(format!("tail{idx}"));
        }
        // A deterministic shuffle so that heavy and tail values interleave.
        let n = stream.len();
        for idx in 0..n {
            let other = usize::try_from(hash64(&idx.to_le_bytes()) % n as u64).unwrap();
            stream.swap(idx, other);
        }
        let mut sketch = HeavyHitters::default();
        let mut shards = [
            HeavyHitters::default(),
            HeavyHitters::default(),
            HeavyHitters::default(),
        ];
        for (idx, value) in stream.iter().enumerate() {
            *truth.entry(value.clone()).or_insert(0) += 1;
            sketch.insert(value, 1);
            shards[idx % 3].insert(value, 1);
        }
        let [mut merged, b, c] = shards;
        merged.merge(b);
        merged.merge(c);
        for summary in [&sketch, &merged] {
            let bound = summary.error_bound();
            assert!(
                bound <= n as u64 / (HEAVY_CAPACITY as u64 + 1),
                "bound {bound}"
            );
            for (value, &true_count) in &truth {
                let estimate = summary.counters.get(value.as_str()).copied().unwrap_or(0);
                assert!(estimate <= true_count, "{value}: {estimate} > {true_count}");
                assert!(
                    estimate + bound >= true_count,
                    "{value}: {estimate} + {bound} < {true_count}"
                );
            }
            let top: Vec<String> = summary.top(10).into_iter().map(|(v, _)| v).collect();
            let expected: Vec<String> = (1..=10).map(|rank| format!("v{rank}")).collect();
            assert_eq!(top, expected);
        }
    }

    #[test]
    fn log_histogram_values_are_within_one_percent() {
        let values = [1e-300, -3.5, 0.0, 1.0, 2.0, 1234.5678, 9e15, -1e-5, 42.0];
        for &value in &values {
            let mut histogram = LogHistogram::default();
            histogram.insert(value, 1);
            let [(low, high, _)] = histogram.intervals()[..] else {
                panic!("one bucket expected")
            };
            assert!(low <= value * 1.000_000_001 && value <= high * 1.000_000_001 || value < 0.0);
            assert!(value <= 0.0 || (high - low) <= 2.0 * LOG_ALPHA * value.abs() * 1.01);
            let buckets = histogram.buckets();
            assert_eq!(buckets.len(), 1);
            let (representative, count) = buckets[0];
            assert_eq!(count, 1);
            assert!(
                (representative - value).abs() <= LOG_ALPHA * value.abs() * 1.000_001,
                "{value} -> {representative}"
            );
        }
    }

    #[test]
    fn log_histogram_merge_is_order_free_even_when_collapsing() {
        // Values spanning far more magnitudes than the bucket limit covers.
        let values: Vec<f64> = (0..20_000)
            .map(|idx| (f64::from(idx) * 0.01 - 90.0).exp())
            .collect();
        let mut whole = LogHistogram::default();
        for &value in &values {
            whole.insert(value, 1);
        }
        assert!(whole.positive.floor.is_some());
        assert!(whole.positive.counts.len() <= LOG_MAX_BUCKETS);
        let mut shards = [LogHistogram::default(), LogHistogram::default()];
        for (idx, &value) in values.iter().rev().enumerate() {
            shards[usize::from(idx % 7 == 0)].insert(value, 1);
        }
        let [mut left, right] = shards;
        left.merge(right);
        assert_eq!(left, whole);
        assert_eq!(whole.buckets().iter().map(|b| b.1).sum::<u64>(), 20_000);
    }

    #[test]
    fn bottom_k_is_bounded_and_order_free() {
        let mut whole = BottomK::default();
        let mut shards = [BottomK::default(), BottomK::default()];
        for idx in 0..10_000u32 {
            let (lat, lon) = (f64::from(idx % 1000) * 0.01, f64::from(idx) * 0.001);
            whole.insert(lat, lon, 1);
            shards[usize::try_from(idx % 2).unwrap()].insert(lat, lon, 1);
        }
        let [mut left, right] = shards;
        left.merge(right);
        assert_eq!(left, whole);
        assert_eq!(whole.len(), BOTTOM_K);
    }
}
