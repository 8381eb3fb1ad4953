use nucleus_model::read_line;
use proptest::prelude::*;
use serde_json::json;

use super::*;

fn item(reference_id: usize, metadata: Value) -> DatasetItem {
    DatasetItem::from_value(json!({
        "image_location": format!("s3://bucket/{reference_id}.jpg"),
        "reference_id": reference_id.to_string(),
        "metadata": metadata,
    }))
    .unwrap()
}

/// Profiles the metadata objects, one item each, in order.
fn check(metadata: &[Value]) -> Profile {
    let mut state = ProfileState::new();
    for (idx, value) in metadata.iter().enumerate() {
        state.observe(&item(idx, value.clone()));
    }
    state.finish()
}

fn examples() -> Vec<DatasetItem> {
    let text = nucleus_testdata::EXAMPLE_ITEMS.as_str();
    text.lines()
        .map(|line| DatasetItem::from_json(line).unwrap())
        .collect()
}

#[test]
fn examples_profile() {
    let items = examples();
    let mut state = ProfileState::new();
    for item in &items {
        state.observe(item);
    }
    let profile = state.finish();
    assert_eq!(profile.n_items, 300);
    assert_eq!(profile.n_images + profile.n_pointclouds, 300);
    assert!(profile.n_pointclouds > 0);
    // Keys in order of first appearance: the first item's keys come first, in its order.
    let first_keys: Vec<&str> = items[0]
        .metadata()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    let profile_keys: Vec<&str> = profile.keys.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(&profile_keys[..first_keys.len()], first_keys.as_slice());
    let weather = profile.key("weather").unwrap();
    let strings = weather.strings.as_ref().unwrap();
    assert!(strings.categorical && strings.distinct_exact);
    assert_eq!(strings.top.len() as u64, strings.distinct);
    assert_eq!(
        strings.top.iter().map(|v| v.count).sum::<u64>(),
        strings.n_values
    );
    let capture = profile.key("capture_id").unwrap().strings.clone().unwrap();
    assert!(!capture.categorical);
    // 300 unique ids: past the exact cap, so a HyperLogLog estimate.
    assert!(!capture.distinct_exact);
    assert!(capture.distinct.abs_diff(300) <= 7, "{}", capture.distinct); // 3σ: 2.4 %
    let frame = profile.key("n_objects").unwrap().numbers.clone().unwrap();
    assert!(frame.integer_only);
    assert_eq!(frame.histogram.method, "integers");
    assert_eq!(
        frame.histogram.bins.iter().map(|b| b.count).sum::<u64>(),
        frame.n_values
    );
    let map = &profile.map;
    assert!(map.n_mappable > 0 && map.points_complete);
    assert_eq!(
        map.points.iter().map(|p| p.count).sum::<u64>(),
        map.n_mappable
    );
    // Every text and JSON rendering works on real data.
    assert!(profile.render_text().contains("weather"));
    let json: Value = serde_json::from_str(&profile.to_json()).unwrap();
    assert_eq!(json["n_items"], 300);
}

#[test]
fn kinds_nulls_and_the_schema_rule() {
    let profile = check(&[
        json!({"flag": true, "x": null}),
        json!({"flag": 3, "x": null, "y": [1]}),
        json!({"flag": "three", "y": {"a": 1}}),
    ]);
    let flag = profile.key("flag").unwrap();
    // Strings and numbers win over a boolean; between them a tie goes to the first seen, as in
    // check (nucleus_model::settled_kind).
    assert_eq!(flag.kind, Kind::Number);
    assert_eq!(flag.n_items, 3);
    let kinds: Vec<(Kind, u64, u64)> = flag
        .kinds
        .iter()
        .map(|c| (c.kind, c.count, c.first_line))
        .collect();
    assert_eq!(
        kinds,
        [
            (Kind::String, 1, 3),
            (Kind::Number, 1, 2),
            (Kind::Boolean, 1, 1)
        ]
    );
    let x = profile.key("x").unwrap();
    assert_eq!((x.n_items, x.n_null), (0, 2));
    assert_eq!(profile.key("y").unwrap().kind, Kind::List);
    let schema = profile.kind_schema();
    assert_eq!(
        schema.keys.get("x"),
        None,
        "a key only ever null has no kind"
    );
    assert_eq!(schema.keys.get("y"), Some(&Kind::List));
}

#[test]
fn numbers_are_exact_at_the_extremes() {
    let profile = check(&[
        json!({"n": 9_007_199_254_740_993_u64}),
        json!({"n": 9_007_199_254_740_992_u64}),
        json!({"n": -5}),
        json!({"n": 18_446_744_073_709_551_615_u64}),
    ]);
    let numbers = profile.key("n").unwrap().numbers.clone().unwrap();
    assert_eq!(numbers.min.to_string(), "-5");
    assert_eq!(numbers.max.to_string(), "18446744073709551615");
    assert!(numbers.integer_only);
    let floats = check(&[
        json!({"v": 1.0}),
        json!({"v": 2}),
        json!({"v": 1e308}),
        json!({"v": 1e308}),
    ]);
    let v = floats.key("v").unwrap().numbers.clone().unwrap();
    assert!(!v.integer_only, "1.0 is written as a float");
    assert_eq!(v.mean, None, "the sum overflows");
    assert_eq!(v.histogram.bins.iter().map(|b| b.count).sum::<u64>(), 4);
    assert!(
        v.histogram
            .bins
            .iter()
            .all(|b| b.start.is_finite() && b.end.is_finite())
    );
}

#[test]
fn histogram_methods() {
    let sequence = |values: Vec<Value>| {
        let metadata: Vec<Value> = values.into_iter().map(|v| json!({"v": v})).collect();
        check(&metadata)
            .key("v")
            .unwrap()
            .numbers
            .clone()
            .unwrap()
            .histogram
    };
    let single = sequence(vec![json!(7), json!(7)]);
    assert_eq!(
        (single.method, single.bins.len(), single.bins[0].count),
        ("single", 1, 2)
    );
    let integers = sequence((0..10).map(|v| json!(v % 4)).collect());
    assert_eq!(integers.method, "integers");
    let counts: Vec<u64> = integers.bins.iter().map(|b| b.count).collect();
    assert_eq!(counts, [3, 3, 2, 2]);
    assert_eq!((integers.bins[0].start, integers.bins[3].end), (0.0, 4.0));
    let uniform = sequence((0..1000).map(|v| json!(f64::from(v) / 10.0)).collect());
    // Sturges (11 bins) beats Freedman–Diaconis (10 bins) at n = 1000; the width 9.08 is
    // rounded up to 10, so 10 bins of 100 values.
    assert_eq!(uniform.method, "sturges");
    assert!(!uniform.exact, "1000 distinct values go to the sketch");
    assert_eq!(uniform.bins.len(), 10, "{uniform:?}");
    assert_eq!((uniform.bins[0].start, uniform.bins[9].end), (0.0, 100.0));
    // The documented bound: a value within 2 % of an edge may land in the neighbouring bin.
    let true_count = |lo: f64, hi: f64| {
        (0..1000)
            .filter(|&v| (lo..hi).contains(&(f64::from(v) / 10.0)))
            .count() as u64
    };
    for bin in &uniform.bins {
        let (lo, hi) = (bin.start, bin.end + 1e-9);
        assert!(true_count(lo * 1.02, hi * 0.98) <= bin.count + 1, "{bin:?}");
        assert!(bin.count <= true_count(lo * 0.98, hi * 1.02) + 1, "{bin:?}");
    }
    assert_eq!(uniform.bins.iter().map(|b| b.count).sum::<u64>(), 1000);
    let large = sequence(
        (0..20_000)
            .map(|v| json!(f64::from(v % 10_000) / 100.0))
            .collect(),
    );
    // FD: 99.99 · 20000^(1/3) / (2 · 50) ≈ 27 bins beats Sturges' 16; width 3.7 → 5.
    assert_eq!(large.method, "freedman-diaconis");
    assert_eq!(large.bins.len(), 20);
    let skewed = sequence(
        (0..20)
            .map(|v| json!(if v == 0 { 1000.5 } else { 1.5 }))
            .collect(),
    );
    assert_eq!(skewed.method, "sturges");
    assert_eq!(skewed.bins.len(), 6);
    assert_eq!((skewed.bins[0].count, skewed.bins[5].count), (19, 1));
}

#[test]
fn free_text_switches_to_sketches_with_bounded_memory() {
    let n = 50_000;
    let mut state = ProfileState::new();
    let mut shards = vec![ProfileState::new(); 3];
    for idx in 0..n {
        // "common" on every 4th item, else a unique value.
        let value = if idx % 4 == 0 {
            "common".to_owned()
        } else {
            format!("unique-{idx}")
        };
        let it = item(idx, json!({"text": value, "x": idx}));
        state.observe_at(idx as u64 + 1, &it);
        shards[idx % 3].observe_at(idx as u64 + 1, &it);
    }
    let key = state.keys.get("text").unwrap();
    match &key.strings {
        Some(StringState::Sketch { heavy, .. }) => {
            assert!(heavy.counters_len() <= 2 * sketch::HEAVY_CAPACITY)
        }
        other => panic!("expected a sketch, found {other:?}"),
    }
    match &state
        .keys
        .get("x")
        .unwrap()
        .numbers
        .as_ref()
        .unwrap()
        .values
    {
        NumberValues::Sketch(_) => {}
        NumberValues::Exact(values) => panic!("{} exact values kept", values.len()),
    }
    let mut merged = shards.pop().unwrap();
    merged.merge(shards.pop().unwrap());
    merged.merge(shards.pop().unwrap());
    let expected_distinct = (n - n / 4) as f64 + 1.0;
    for profile in [state.finish(), merged.finish()] {
        let strings = profile.key("text").unwrap().strings.clone().unwrap();
        assert!(!strings.categorical && !strings.distinct_exact && !strings.top_exact);
        let error = (strings.distinct as f64 - expected_distinct).abs() / expected_distinct;
        assert!(
            error < 0.025,
            "distinct {} vs {expected_distinct}",
            strings.distinct
        );
        let top = &strings.top[0];
        assert_eq!(top.value, "common");
        let truth = (n as u64).div_ceil(4);
        assert!(top.count <= truth && top.count + strings.count_error_bound >= truth);
        assert!(strings.count_error_bound <= n as u64 / 257);
        assert_eq!(strings.n_values, n as u64);
    }
    // The distinct estimate merges exactly.
    assert_eq!(
        state
            .finish()
            .key("text")
            .unwrap()
            .strings
            .as_ref()
            .unwrap()
            .distinct,
        merged
            .finish()
            .key("text")
            .unwrap()
            .strings
            .as_ref()
            .unwrap()
            .distinct
    );
}

#[test]
fn categorical_threshold_is_exact() {
    for (n_distinct, categorical) in [(249, true), (250, false), (256, false), (257, false)] {
        let metadata: Vec<Value> = (0..n_distinct * 2)
            .map(|v| json!({"s": format!("v{}", v % n_distinct)}))
            .collect();
        let strings = check(&metadata).key("s").unwrap().strings.clone().unwrap();
        assert_eq!(strings.categorical, categorical, "{n_distinct}");
        assert_eq!(strings.distinct_exact, n_distinct <= EXACT_DISTINCT_CAP);
        if strings.distinct_exact {
            assert_eq!(strings.distinct, n_distinct as u64);
        }
        let listed = if categorical {
            n_distinct
        } else {
            TOP_FREE_TEXT
        };
        assert_eq!(strings.top.len(), listed);
    }
}

#[test]
fn text_escapes_control_characters() {
    let profile = check(&[json!({"bad\u{1b}[31mkey": "red\u{1b}[0m\nvalue"})]);
    let text = profile.render_text();
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("bad\\u{1b}[31mkey"), "{text}");
    assert!(text.contains("red\\u{1b}[0m\\nvalue"), "{text}");
}

#[test]
fn reader_skips_invalid_lines() {
    let input = "{\"image_location\": \"a.jpg\", \"reference_id\": \"1\", \"metadata\": {\"a\": 1}}\nnot json\n\n{\"reference_id\": \"2\"}\n";
    let run = profile_reader(
        input.as_bytes(),
        &StreamConfig::default().jobs(1),
        read_line,
    )
    .unwrap();
    assert_eq!((run.n_lines, run.n_invalid, run.profile.n_items), (3, 2, 1));
    let lines: Vec<Option<u64>> = run.errors.iter().map(|d| d.line).collect();
    assert_eq!(lines, [Some(2), Some(4)]);
}

/// Means may differ in the last bits between splits; everything else must be identical.
fn assert_same(mut sequential: Profile, mut merged: Profile) {
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

fn metadata_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-20i64..20).prop_map(|v| json!(v)),
        (-100.0f64..100.0).prop_map(|v| json!((v * 4.0).round() / 4.0)),
        "[a-e]{1,2}".prop_map(Value::String),
        Just(json!([1, 2])),
        Just(json!({"k": "v"})),
    ]
}

fn metadata_object() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec!["a", "b", "c", "d"]);
    (
        prop::collection::vec((keys, metadata_value()), 0..5),
        prop::option::of((-90i32..=90, -180i32..=180)),
    )
        .prop_map(|(pairs, coordinates)| {
            let mut map = serde_json::Map::new();
            if let Some((lat, lon)) = coordinates {
                map.insert("lat".into(), json!(f64::from(lat) / 2.0));
                map.insert("lon".into(), json!(lon));
            }
            for (key, value) in pairs {
                map.insert(key.to_owned(), value);
            }
            Value::Object(map)
        })
}

proptest! {
    #[test]
    fn merging_shards_equals_one_pass(
        metadata in prop::collection::vec(metadata_object(), 0..60),
        cuts in prop::collection::vec(0usize..60, 0..5),
        order in any::<u64>(),
    ) {
        let items: Vec<DatasetItem> = metadata.iter().cloned().enumerate().map(|(idx, m)| item(idx, m)).collect();
        let mut sequential = ProfileState::new();
        for it in &items {
            sequential.observe(it);
        }
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(items.len())).collect();
        cuts.push(0);
        cuts.push(items.len());
        cuts.sort_unstable();
        let mut shards: Vec<ProfileState> = cuts.windows(2).map(|w| {
            let mut shard = ProfileState::new();
            for (idx, it) in items.iter().enumerate().take(w[1]).skip(w[0]) {
                shard.observe_at(idx as u64 + 1, it);
            }
            shard
        }).collect();
        // Merge in a pseudo-random order, as a tree when `order` is odd.
        let mut rotation = usize::try_from(order % 7).unwrap();
        while shards.len() > 1 {
            rotation = (rotation + 3) % shards.len();
            let taken = shards.remove(rotation);
            let target = rotation % shards.len();
            shards[target].merge(taken);
        }
        let merged = shards.pop().unwrap();
        assert_same(sequential.finish(), merged.finish());
    }

    #[test]
    fn shards_counted_from_their_own_start_and_shifted_equal_one_pass(
        metadata in prop::collection::vec(metadata_object(), 0..40),
        cut in 0usize..40,
    ) {
        let items: Vec<DatasetItem> = metadata.iter().cloned().enumerate().map(|(idx, m)| item(idx, m)).collect();
        let cut = cut.min(items.len());
        let mut sequential = ProfileState::new();
        for it in &items {
            sequential.observe(it);
        }
        let mut first = ProfileState::new();
        for it in &items[..cut] {
            first.observe(it);
        }
        let mut second = ProfileState::new();
        for it in &items[cut..] {
            second.observe(it);
        }
        second.shift_lines(cut as u64);
        first.merge(second);
        assert_same(sequential.finish(), first.finish());
    }
}
