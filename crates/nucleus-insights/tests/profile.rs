//! `ProfileState::to_bytes` / `from_bytes`: a shard's profile read back from bytes (as when it is
//! pickled back from a Spark, Dask or Ray worker) merges and finishes exactly as the original.

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nucleus_insights::profile::Profile;
use nucleus_insights::{Error, ProfileState};
use nucleus_model::read_line;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// One JSON Lines line: mostly items drawn from few keys and ids, sometimes junk.
fn line() -> impl Strategy<Value = String> {
    let value = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::from),
        "[a-c]{1,2}".prop_map(Value::String),
        Just(json!([1])),
    ];
    let item = (
        0u8..12,
        prop::collection::vec((prop_oneof![Just("a"), Just("b"), Just("c"), Just("lat")], value), 0..4),
    )
        .prop_map(|(id, pairs)| {
            let metadata: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            json!({"image_location": format!("s3://b/{id}.jpg"), "reference_id": format!("id-{id}"), "metadata": metadata})
                .to_string()
        });
    prop_oneof![
        8 => item,
        1 => Just("{not json".to_owned()),
        1 => Just(String::new()),
        1 => Just("[1]".to_owned()),
    ]
}

/// The state of lines `range` of `lines`, each valid item observed at its dataset line (as
/// `nucleus_rs.ProfileState.update` does); invalid and blank lines are skipped.
fn shard(lines: &[String], range: std::ops::Range<usize>) -> ProfileState {
    let mut state = ProfileState::new();
    for (idx, text) in lines.iter().enumerate().take(range.end).skip(range.start) {
        if let Some(item) = read_line(text).item {
            state.observe_at(idx as u64 + 1, &item);
        }
    }
    state
}

/// `lines` cut at `cuts` (positions, any order, wrapped into range), one state per shard.
fn shards(lines: &[String], cuts: &[usize]) -> Vec<ProfileState> {
    let mut bounds: Vec<usize> = cuts.iter().map(|cut| cut % (lines.len() + 1)).collect();
    bounds.push(0);
    bounds.push(lines.len());
    bounds.sort_unstable();
    bounds
        .windows(2)
        .map(|pair| shard(lines, pair[0]..pair[1]))
        .collect()
}

/// Merges the states left to right.
fn fold(states: impl IntoIterator<Item = ProfileState>) -> ProfileState {
    let mut merged = ProfileState::new();
    for state in states {
        merged.merge(state);
    }
    merged
}

fn round_trip(state: &ProfileState) -> ProfileState {
    ProfileState::from_bytes(&state.to_bytes()).unwrap()
}

/// The comparison of the profile tests: means may differ in the last bits between splits (a
/// floating-point sum), everything else must be identical.
fn assert_same(mut sequential: Profile, mut merged: Profile) {
    assert_eq!(sequential.keys.len(), merged.keys.len());
    for (a, b) in sequential.keys.iter_mut().zip(merged.keys.iter_mut()) {
        if let (Some(x), Some(y)) = (&mut a.numbers, &mut b.numbers) {
            match (x.mean, y.mean) {
                (Some(p), Some(q)) => {
                    assert!((p - q).abs() <= 1e-9 * p.abs().max(1.0), "{p} vs {q}")
                }
                (p, q) => assert_eq!(p, q),
            }
            x.mean = None;
            y.mean = None;
        }
    }
    assert_eq!(sequential, merged);
}

/// A deterministic generator (SplitMix64), so a large dataset costs one proptest value.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` items whose keys reach every summary: free text past the exact cap (HyperLogLog and
/// Misra–Gries), numbers of every magnitude (log histogram, a sum that may overflow), integers,
/// categorical strings, mixed kinds, lat/lon points, point clouds. `seed % 3` picks how many
/// distinct free-text values there are: 3, 300 (sketched, no counter dropped) or up to 10^6.
fn wide_lines(seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng(seed);
    let text_pool = [3, 300, 1_000_000][usize::try_from(seed % 3).unwrap()];
    (0..n)
        .map(|idx| {
            let mut metadata = serde_json::Map::new();
            let text = match rng.below(4) {
                0 => "common".to_owned(),
                _ => format!("t{}", rng.below(text_pool)),
            };
            metadata.insert("text".into(), json!(text));
            let sign = if rng.below(2) == 0 { 1.0 } else { -1.0 };
            let number = match rng.below(6) {
                0 => json!(rng.below(1000)),
                1 => json!(0.0),
                2 => json!(f64::MAX / 2.0),
                _ => json!(sign * (rng.unit() * 1400.0 - 700.0).exp()),
            };
            metadata.insert("x".into(), number);
            metadata.insert("n".into(), json!(rng.below(40)));
            if rng.below(5) == 0 {
                metadata.insert("mixed".into(), json!(rng.below(3) == 0));
            } else {
                metadata.insert("mixed".into(), json!(format!("m{}", rng.below(5))));
            }
            if rng.below(3) > 0 {
                metadata.insert("lat".into(), json!(rng.unit() * 180.0 - 90.0));
                metadata.insert("lon".into(), json!(rng.unit() * 360.0 - 180.0));
            }
            let location = if rng.below(10) == 0 {
                "pointcloud_location"
            } else {
                "image_location"
            };
            let ext = if location == "image_location" {
                "jpg"
            } else {
                "json"
            };
            json!({
                location: format!("s3://b/{idx}.{ext}"),
                "reference_id": idx.to_string(),
                "metadata": metadata,
            })
            .to_string()
        })
        .collect()
}

proptest! {
    #[test]
    fn read_back_shards_merge_into_the_original_and_the_sequential_profile(
        lines in prop::collection::vec(line(), 0..60),
        cuts in prop::collection::vec(0usize..61, 0..4),
    ) {
        let states = shards(&lines, &cuts);
        let copies: Vec<ProfileState> = states.iter().map(round_trip).collect();
        let original = fold(states).finish();
        let read_back = fold(copies).finish();
        prop_assert_eq!(&read_back, &original);
        assert_same(shard(&lines, 0..lines.len()).finish(), read_back);
    }

    #[test]
    fn read_back_sketches_merge_exactly_as_the_originals(
        seed in any::<u64>(),
        // Mostly small (cheap); one case in four large enough for the sketches.
        n in prop_oneof![3 => 0usize..100, 1 => 300usize..1200],
        cuts in prop::collection::vec(0usize..1201, 0..4),
    ) {
        let lines = wide_lines(seed, n);
        let states = shards(&lines, &cuts);
        let copies: Vec<ProfileState> = states.iter().map(round_trip).collect();
        for (state, copy) in states.iter().zip(&copies) {
            prop_assert_eq!(copy.finish(), state.finish());
            prop_assert_eq!(copy.to_bytes(), state.to_bytes());
        }
        let original = fold(states);
        let read_back = fold(copies);
        prop_assert_eq!(read_back.finish(), original.finish());
        // A merged state read back is the same state too.
        prop_assert_eq!(round_trip(&original).finish(), original.finish());
    }
}

#[test]
fn every_summary_reads_back_bit_for_bit() {
    // Enough distinct points, values and magnitudes to fill the bottom-k sample, collapse the
    // log histogram and reduce the top-value counters; and a sum that overflows to infinity.
    let lines = wide_lines(8, 6000);
    let state = shard(&lines, 0..lines.len());
    let profile = state.finish();
    let x = profile.key("x").unwrap().numbers.clone().unwrap();
    assert!(!x.histogram.exact);
    assert_eq!(x.mean, None, "the sum overflows");
    let text = profile.key("text").unwrap().strings.clone().unwrap();
    assert!(!text.distinct_exact && text.count_error_bound > 0);
    assert!(!profile.map.points_complete);
    assert!(profile.n_pointclouds > 0);

    let bytes = state.to_bytes();
    let copy = ProfileState::from_bytes(&bytes).unwrap();
    assert_eq!(copy.finish(), profile);
    assert_eq!(copy.to_bytes(), bytes);
    let (mut left, right) = (shard(&lines, 0..2500), shard(&lines, 2500..lines.len()));
    let mut left_copy = round_trip(&left);
    left_copy.merge(round_trip(&right));
    left.merge(right);
    assert_eq!(left_copy.finish(), left.finish());
}

#[test]
fn an_empty_state_reads_back_empty() {
    let copy = round_trip(&ProfileState::new());
    assert_eq!(copy.finish(), ProfileState::new().finish());
    assert_eq!(copy.n_items(), 0);
}

fn invalid(bytes: &[u8]) -> String {
    match ProfileState::from_bytes(bytes) {
        Err(Error::InvalidProfileState(message)) => message,
        other => panic!("expected InvalidProfileState, found {other:?}"),
    }
}

/// The bytes of a sketched state, as JSON to tamper with.
fn sketched() -> Value {
    let state = shard(&wide_lines(5, 3000), 0..3000);
    serde_json::from_slice(&state.to_bytes()).unwrap()
}

#[test]
fn garbage_and_other_versions_are_rejected_with_the_reason() {
    assert!(invalid(b"").contains("EOF"), "{}", invalid(b""));
    assert!(invalid(b"\x80\x04pickle").starts_with("expected value"));
    assert!(invalid(b"{}").contains("missing field `version`"));
    assert!(invalid(br#"{"version": 1}"#).contains("missing field"));
    assert_eq!(
        invalid(br#"{"version": 2, "anything": []}"#),
        "format version 2, expected 1"
    );
    let truncated = &ProfileState::new().to_bytes()[..10];
    assert!(!invalid(truncated).is_empty());
    assert_eq!(
        ProfileState::from_bytes(b"[]").unwrap_err().to_string(),
        "invalid profile state: invalid length 0, expected a JSON object with a format version at line 1 column 2"
    );
}

#[test]
fn a_state_beyond_the_memory_bounds_is_rejected() {
    let mut state = sketched();
    let key = state["keys"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|pair| pair[0] == "text")
        .unwrap();
    let registers = key[1]["strings"]["sketch"]["hll"]["registers"]
        .as_array_mut()
        .unwrap();
    registers.pop();
    let bytes = serde_json::to_vec(&state).unwrap();
    assert_eq!(
        invalid(&bytes),
        r#"key "text": HyperLogLog has 16383 registers, expected 16384"#
    );

    let mut state = sketched();
    let points = state["map"]["sample"]["points"].as_array_mut().unwrap();
    let extra = json!([[u64::MAX, 0, 0], 1]);
    points.push(extra);
    let bytes = serde_json::to_vec(&state).unwrap();
    assert_eq!(
        invalid(&bytes),
        "map: 2049 map points, expected at most 2048"
    );
}
