//! A tiny deterministic PRNG for generated data.
//!
//! SplitMix64 (Steele, Lea, Flood 2014) is enough for realistic-looking example data and keeps
//! the xtask free of a `rand` dependency whose output could change between versions; the
//! generated files must stay byte-identical for a given seed.

/// SplitMix64 state.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// An independent generator for stream `index` of this seed, so that item `n` does not
    /// depend on how many numbers items `0..n` used.
    pub fn fork(seed: u64, index: u64) -> Self {
        let mut mixer = Self::new(seed ^ index.wrapping_mul(GOLDEN_GAMMA).rotate_left(17));
        Self::new(mixer.next_u64() ^ index)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float uniform in `[0, 1)`: the top 53 bits, exact in an f64.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A float uniform in `[low, high)`.
    pub fn range_f64(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.unit()
    }

    /// An integer uniform in `[low, high)` (modulo bias is irrelevant for example data).
    pub fn range_u64(&mut self, low: u64, high: u64) -> u64 {
        let span = high.saturating_sub(low).max(1);
        low + self.next_u64() % span
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of `choices`, or `None` when it is empty.
    pub fn pick<'a, T>(&mut self, choices: &'a [T]) -> Option<&'a T> {
        let len = u64::try_from(choices.len()).ok()?;
        let idx = usize::try_from(self.range_u64(0, len)).ok()?;
        choices.get(idx)
    }

    /// One string of a slice, or `""` when the slice is empty.
    pub fn pick_str(&mut self, choices: &[&'static str]) -> &'static str {
        self.pick(choices).copied().unwrap_or("")
    }

    /// `n` lowercase hexadecimal digits.
    pub fn hex(&mut self, n: usize) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        (0..n)
            .map(|_| char::from(DIGITS[(self.next_u64() & 0xF) as usize]))
            .collect()
    }
}

/// `value` rounded to `digits` decimals, so that it prints short (`12.34`).
pub fn round_to(value: f64, digits: i32) -> f64 {
    let scale = 10f64.powi(digits);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs of the reference C implementation seeded with 1234567.
        let mut rng = Rng::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn forks_differ_and_repeat() {
        let a = Rng::fork(7, 1).next_u64();
        let b = Rng::fork(7, 2).next_u64();
        assert_ne!(a, b);
        assert_eq!(a, Rng::fork(7, 1).next_u64());
    }

    #[test]
    fn unit_stays_below_one() {
        let mut rng = Rng::new(0);
        assert!((0..10_000).all(|_| (0.0..1.0).contains(&rng.unit())));
    }
}
