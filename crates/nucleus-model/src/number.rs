//! Exact arithmetic on JSON numbers: comparison across integers and floats, and the Euclidean
//! remainder, without rounding an integer through `f64`.
//!
//! The one home of exact number comparison: the query bar filters and sorts with [`Num`], and
//! the profile's minimum and maximum use [`compare`].

use std::cmp::Ordering;

use serde_json::Number;

/// 2^127 as an `f64` (exactly representable): every float below it in magnitude has an integer
/// part that fits an `i128`.
const TWO_POW_127: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;

/// A JSON number reduced to one of two exact representations.
///
/// Integers from `i64` and `u64` share one `i128` so they compare by plain integer order; floats
/// stay floats and are compared to integers exactly by [`cmp_int_float`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// An integer (from an `i64` or a `u64`).
    Int(i128),
    /// A finite float.
    Float(f64),
}

impl Num {
    /// Reads a `serde_json::Number` without allocating; `None` only for a non-finite float,
    /// which serde_json never produces but a hand-built number could in principle.
    #[inline]
    pub fn from_number(number: &Number) -> Option<Num> {
        if let Some(int) = number.as_i64() {
            Some(Num::Int(i128::from(int)))
        } else if let Some(uint) = number.as_u64() {
            Some(Num::Int(i128::from(uint)))
        } else {
            number
                .as_f64()
                .filter(|float| float.is_finite())
                .map(Num::Float)
        }
    }

    /// Exact numeric order; `None` only when a float is NaN.
    #[inline]
    pub fn cmp_exact(self, other: Num) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(left), Num::Int(right)) => Some(left.cmp(&right)),
            (Num::Float(left), Num::Float(right)) => left.partial_cmp(&right),
            (Num::Int(left), Num::Float(right)) => cmp_int_float(left, right),
            (Num::Float(left), Num::Int(right)) => {
                cmp_int_float(right, left).map(Ordering::reverse)
            }
        }
    }

    /// The Euclidean remainder `self mod modulus`, in `0..|modulus|`; `None` when `self` is not
    /// an integer (a float with a fractional part) or `modulus` is zero.
    ///
    /// Floats with an integral value count as that integer, however large: `1e30 % 7` is
    /// computed exactly from the float's mantissa and exponent.
    pub fn rem_euclid(self, modulus: i128) -> Option<i128> {
        match self {
            Num::Int(int) => int.checked_rem_euclid(modulus),
            Num::Float(float) => float_rem_euclid(float, modulus),
        }
    }
}

/// Compares two JSON numbers exactly (integers beyond 2^53 included): a total order in which
/// `19` and `19.0` are equal. A non-finite float, which serde_json never produces, sorts below
/// every number.
#[must_use]
pub fn compare(left: &Number, right: &Number) -> Ordering {
    match (Num::from_number(left), Num::from_number(right)) {
        (Some(left), Some(right)) => left.cmp_exact(right).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => Ordering::Equal,
    }
}

/// Compares an integer with a float exactly.
///
/// The float's integer part is compared first (exact in `i128` once the magnitude is below
/// 2^127), then its fractional part breaks a tie. Converting the integer to `f64` instead would
/// make 9007199254740993 equal to 9007199254740992.0.
#[inline]
fn cmp_int_float(int: i128, float: f64) -> Option<Ordering> {
    if float.is_nan() {
        return None;
    }
    if float >= TWO_POW_127 {
        return Some(Ordering::Less);
    }
    if float < -TWO_POW_127 {
        return Some(Ordering::Greater);
    }
    let truncated = float.trunc();
    // `truncated` is integral and in [-2^127, 2^127), so the cast is exact.
    let truncated_int = truncated as i128;
    match int.cmp(&truncated_int) {
        // Same integer part: the integer is below the float exactly when the float has a
        // positive fraction, above it when a negative one.
        Ordering::Equal => truncated.partial_cmp(&float),
        unequal => Some(unequal),
    }
}

/// Euclidean remainder of an integral float by a non-zero modulus of magnitude at most 2^127.
fn float_rem_euclid(float: f64, modulus: i128) -> Option<i128> {
    if !float.is_finite() || float.fract() != 0.0 || modulus == 0 {
        return None;
    }
    if float.abs() < TWO_POW_127 {
        // Integral and in range: the cast is exact.
        return (float as i128).checked_rem_euclid(modulus);
    }
    // |float| >= 2^127 = mantissa * 2^exponent with a 53-bit mantissa and exponent >= 75, so
    // the remainder is (mantissa mod m) * (2^exponent mod m) mod m. Queries only hold moduli of
    // magnitude <= 2^64 (i64 and u64 literals), so products of residues fit a u128.
    let magnitude = modulus.unsigned_abs();
    if magnitude > u128::from(u64::MAX) + 1 {
        return None;
    }
    let bits = float.to_bits();
    let biased_exponent = (bits >> 52) & 0x7ff;
    let mantissa = (bits & ((1_u64 << 52) - 1)) | (1_u64 << 52);
    // Normal float (|float| >= 2^127 rules out subnormals): value = mantissa * 2^(e - 1075).
    let exponent = biased_exponent.checked_sub(1075)?;
    let power = pow2_mod(exponent, magnitude);
    let remainder = (u128::from(mantissa) % magnitude) * power % magnitude;
    let remainder = if float < 0.0 && remainder != 0 {
        magnitude - remainder
    } else {
        remainder
    };
    i128::try_from(remainder).ok()
}

/// 2^exponent mod `modulus` by square and multiply; `modulus` is at most 2^64, so every
/// intermediate product of two residues stays below 2^128.
fn pow2_mod(mut exponent: u64, modulus: u128) -> u128 {
    let mut result = 1 % modulus;
    let mut base = 2 % modulus;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = result * base % modulus;
        }
        base = base * base % modulus;
        exponent >>= 1;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(left: Num, right: Num) -> Option<Ordering> {
        left.cmp_exact(right)
    }

    #[test]
    fn integers_compare_exactly_with_floats_beyond_2_pow_53() {
        let two_pow_53 = 9_007_199_254_740_992_i128;
        assert_eq!(
            cmp(
                Num::Int(two_pow_53 + 1),
                Num::Float(9_007_199_254_740_992.0)
            ),
            Some(Ordering::Greater)
        );
        assert_eq!(
            cmp(
                Num::Float(9_007_199_254_740_992.0),
                Num::Int(two_pow_53 + 1)
            ),
            Some(Ordering::Less)
        );
        assert_eq!(
            cmp(Num::Int(two_pow_53), Num::Float(9_007_199_254_740_992.0)),
            Some(Ordering::Equal)
        );
        let u64_max = i128::from(u64::MAX);
        // u64::MAX rounds to 2^64 as a float; exact comparison keeps them apart.
        assert_eq!(
            cmp(Num::Int(u64_max), Num::Float(18_446_744_073_709_551_616.0)),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn fractions_break_ties() {
        assert_eq!(cmp(Num::Int(2), Num::Float(2.5)), Some(Ordering::Less));
        assert_eq!(cmp(Num::Int(3), Num::Float(2.5)), Some(Ordering::Greater));
        assert_eq!(cmp(Num::Int(-2), Num::Float(-2.5)), Some(Ordering::Greater));
        assert_eq!(cmp(Num::Int(-3), Num::Float(-2.5)), Some(Ordering::Less));
        assert_eq!(cmp(Num::Int(0), Num::Float(-0.0)), Some(Ordering::Equal));
        assert_eq!(cmp(Num::Int(0), Num::Float(1e-300)), Some(Ordering::Less));
        assert_eq!(
            cmp(Num::Int(0), Num::Float(-1e-300)),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn huge_floats_are_beyond_every_integer() {
        let i64_min = i128::from(i64::MIN);
        assert_eq!(
            cmp(Num::Int(i64_min), Num::Float(-1e300)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            cmp(Num::Int(i128::MAX), Num::Float(1e300)),
            Some(Ordering::Less)
        );
        assert_eq!(
            cmp(Num::Int(i128::MIN), Num::Float(-TWO_POW_127)),
            Some(Ordering::Equal)
        );
        assert_eq!(cmp(Num::Int(0), Num::Float(f64::NAN)), None);
    }

    #[test]
    fn remainders_are_euclidean() {
        assert_eq!(Num::Int(-3).rem_euclid(5), Some(2));
        assert_eq!(Num::Int(3).rem_euclid(-5), Some(3));
        assert_eq!(Num::Int(-3).rem_euclid(-5), Some(2));
        assert_eq!(Num::Int(7).rem_euclid(0), None);
        assert_eq!(Num::Float(-3.0).rem_euclid(5), Some(2));
        assert_eq!(Num::Float(2.5).rem_euclid(5), None);
    }

    #[test]
    fn huge_integral_floats_have_exact_remainders() {
        // 2^200 mod 7 = 2^(200 mod 3) mod 7 = 2^2 = 4.
        let two_pow_200 = 2.0_f64.powi(200);
        assert_eq!(Num::Float(two_pow_200).rem_euclid(7), Some(4));
        assert_eq!(Num::Float(-two_pow_200).rem_euclid(7), Some(3));
        // 2^200 + 2^148 (two mantissa bits): 4 + 2^(148 mod 3) = 4 + 2 = 6 (mod 7).
        let sum = two_pow_200 + 2.0_f64.powi(148);
        assert_eq!(Num::Float(sum).rem_euclid(7), Some(6));
        assert_eq!(Num::Float(sum).rem_euclid(-7), Some(6));
        // Below 2^127 the integer path: 1e30 is the integer 1000000000000000019884624838656.
        let one_e30 = 1_000_000_000_000_000_019_884_624_838_656_i128;
        assert_eq!(
            Num::Float(1e30).rem_euclid(1_000_003),
            Some(one_e30 % 1_000_003)
        );
        // 3 * 2^1000 mod 2^64 = 0.
        assert_eq!(
            Num::Float(3.0 * 2.0_f64.powi(1000)).rem_euclid(1_i128 << 64),
            Some(0)
        );
        assert_eq!(Num::Float(2.0_f64.powi(1000)).rem_euclid(1), Some(0));
    }

    #[test]
    fn compare_is_total_and_exact() {
        let n = |text: &str| serde_json::from_str::<Number>(text).unwrap();
        assert_eq!(
            compare(&n("9007199254740993"), &n("9007199254740992.0")),
            Ordering::Greater
        );
        assert_eq!(compare(&n("2"), &n("2.0")), Ordering::Equal);
        assert_eq!(compare(&n("-1"), &n("-0.5")), Ordering::Less);
        assert_eq!(compare(&n("1.5"), &n("1")), Ordering::Greater);
        assert_eq!(
            compare(&n("18446744073709551615"), &n("1e300")),
            Ordering::Less
        );
        assert_eq!(
            compare(&n("-9223372036854775808"), &n("-1e300")),
            Ordering::Greater
        );
    }
}
