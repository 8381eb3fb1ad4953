//! Fuzzing the query bar on stable Rust: the README's and the CLI help's queries, mutated byte by
//! byte (tokens swapped, bytes deleted, inserted, replaced, the text cut), must parse or give an
//! error that points inside the text; accepted queries evaluate on the example items and are
//! checked against their keys without panicking. `props.rs` covers arbitrary strings.
//! CI runs 256 cases; `PROPTEST_CASES=100000 cargo test -p nucleus-query --test query fuzz`
//! for a long run.

use nucleus_testdata::mutate;

use std::sync::LazyLock;

use nucleus_query::{KeyKind, Query};
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::props::check_total;

const SEEDS: &[&str] = &[
    r#"metadata.weather = "rain""#,
    r#"metadata.weather = "rain" AND metadata.speed_mps > 10"#,
    "metadata.frame_number % 5 = 0",
    r#"NOT metadata.is_night = 1 AND (metadata.speed > 10 OR metadata.camera = "front")"#,
    r#"metadata."my key" != "a\"b\u00e9" or metadata.x <= -1.5e3"#,
    "metadata.frame_number % 2 = 1 AND NOT (metadata.camera = \"front\" OR metadata.camera = \"rear\")",
    "metadata.n_points >= 18446744073709551615 AND metadata.n < -9223372036854775808",
];

static METADATA: LazyLock<Vec<Map<String, Value>>> = LazyLock::new(|| {
    mutate::example_items()
        .iter()
        .step_by(10)
        .map(|line| {
            let item: Value = serde_json::from_str(line).unwrap();
            item["metadata"].as_object().cloned().unwrap_or_default()
        })
        .collect()
});

const QUERY_PIECES: &[&str] = &[
    "AND ",
    " OR ",
    "NOT ",
    "(",
    ")",
    "%",
    "metadata.",
    "\"",
    "=",
    "!=",
    "<=",
    ">",
    "-",
    "0",
    "99999999999999999999",
    "1e400",
    "-0",
    "\\u",
    "\\ud800",
    "é",
    "\0",
];

proptest! {
    #[test]
    fn fuzz_mutated_queries(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutate::byte_mutation(), 1..4),
        piece in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
    ) {
        let seed = *seed.get(SEEDS);
        // Queries are text: bytes that are not UTF-8 cannot reach the parser.
        let mutated = String::from_utf8_lossy(&mutate::mutate_text(seed, &mutations)).into_owned();
        let boundaries: Vec<usize> = mutated.char_indices().map(|(idx, _)| idx).chain([mutated.len()]).collect();
        let cut = *at.get(&boundaries);
        let text = format!("{}{}{}", &mutated[..cut], piece.get(QUERY_PIECES), &mutated[cut..]);
        for input in [mutated.as_str(), text.as_str()] {
            check_total(input)?;
            if let Ok(query) = Query::parse(input) {
                for metadata in METADATA.iter() {
                    let _ = query.matches(metadata);
                }
                let keys: Vec<(String, KeyKind)> = query
                    .keys()
                    .enumerate()
                    .map(|(idx, key)| {
                        let kind = [KeyKind::String, KeyKind::Number, KeyKind::Mixed, KeyKind::Other][idx % 4];
                        // Half the keys exist in the dataset, half are near misses.
                        let name = if idx % 2 == 0 { key.to_owned() } else { format!("{key}x") };
                        (name, kind)
                    })
                    .collect();
                for finding in query.check(keys) {
                    prop_assert!(!finding.render(input).is_empty());
                }
            }
        }
    }
}
