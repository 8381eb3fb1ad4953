//! Evaluation: each operator, kinds, missing keys, precedence, modulo, exact numbers.

use nucleus_query::Query;
use serde_json::{Value, json};

use crate::map;

/// Parses `query` and asserts whether it matches the metadata object `metadata`.
#[track_caller]
fn check(query: &str, metadata: Value, expected: bool) {
    let parsed = Query::parse(query).unwrap_or_else(|error| panic!("{}", error.render(query)));
    let actual = parsed.matches(&map(metadata.clone()));
    assert_eq!(
        actual, expected,
        "query {query:?} on {metadata}: expected {expected}, got {actual}"
    );
}

#[test]
fn number_operators() {
    let item = json!({ "n": 5 });
    for (query, expected) in [
        ("metadata.n = 5", true),
        ("metadata.n = 6", false),
        ("metadata.n != 5", false),
        ("metadata.n != 6", true),
        ("metadata.n < 5", false),
        ("metadata.n < 6", true),
        ("metadata.n <= 5", true),
        ("metadata.n <= 4", false),
        ("metadata.n > 5", false),
        ("metadata.n > 4", true),
        ("metadata.n >= 5", true),
        ("metadata.n >= 6", false),
        ("metadata.n = 5.0", true),
        ("metadata.n < 5.5", true),
        ("metadata.n > 4.999", true),
        ("metadata.n = 5e0", true),
        ("metadata.n > -1e300", true),
    ] {
        check(query, item.clone(), expected);
    }
}

#[test]
fn string_operators_use_code_point_order() {
    let item = json!({ "s": "banana" });
    for (query, expected) in [
        (r#"metadata.s = "banana""#, true),
        (r#"metadata.s = "Banana""#, false),
        (r#"metadata.s != "banana""#, false),
        (r#"metadata.s != "apple""#, true),
        (r#"metadata.s < "bananas""#, true),
        (r#"metadata.s < "banana""#, false),
        (r#"metadata.s <= "banana""#, true),
        (r#"metadata.s > "Zebra""#, true),
        (r#"metadata.s > "banana""#, false),
        (r#"metadata.s >= "c""#, false),
    ] {
        check(query, item.clone(), expected);
    }
    // Code point order, not locale order: upper case sorts before lower case, and 'é'
    // (U+00E9) after 'z'; U+FFFF sorts before U+1F600 though UTF-16 would disagree.
    check(r#"metadata.s < "z""#, json!({ "s": "é" }), false);
    check(r#"metadata.s < "a""#, json!({ "s": "Z" }), true);
    check(r#"metadata.s < "😀""#, json!({ "s": "\u{ffff}" }), true);
}

#[test]
fn missing_keys_null_and_other_kinds_make_comparisons_false() {
    for item in [
        json!({}),
        json!({ "x": null }),
        json!({ "x": true }),
        json!({ "x": [1] }),
        json!({ "x": { "y": 1 } }),
    ] {
        for query in [
            "metadata.x = 1",
            "metadata.x != 1",
            "metadata.x < 1",
            "metadata.x >= 1",
            r#"metadata.x = "1""#,
            r#"metadata.x != "1""#,
            "metadata.x % 2 = 0",
            "metadata.x % 2 != 0",
        ] {
            check(query, item.clone(), false);
            check(&format!("NOT {query}"), item.clone(), true);
        }
    }
}

#[test]
fn strings_and_numbers_never_compare() {
    check(r#"metadata.x = "5""#, json!({ "x": 5 }), false);
    check(r#"metadata.x != "5""#, json!({ "x": 5 }), false);
    check("metadata.x = 5", json!({ "x": "5" }), false);
    check("metadata.x != 5", json!({ "x": "5" }), false);
    check("metadata.x % 2 = 1", json!({ "x": "5" }), false);
}

#[test]
fn precedence_not_then_and_then_or() {
    let a = "metadata.a = 1";
    let b = "metadata.b = 1";
    let c = "metadata.c = 1";
    for bits in 0..8_u8 {
        let item = json!({ "a": bits & 1, "b": (bits >> 1) & 1, "c": (bits >> 2) & 1 });
        let (va, vb, vc) = (bits & 1 == 1, bits & 2 == 2, bits & 4 == 4);
        check(
            &format!("{a} OR {b} AND {c}"),
            item.clone(),
            va || (vb && vc),
        );
        check(
            &format!("{a} AND {b} OR {c}"),
            item.clone(),
            (va && vb) || vc,
        );
        check(
            &format!("({a} OR {b}) AND {c}"),
            item.clone(),
            (va || vb) && vc,
        );
        check(&format!("NOT {a} AND {b}"), item.clone(), !va && vb);
        check(&format!("NOT ({a} AND {b})"), item.clone(), !(va && vb));
        check(
            &format!("NOT {a} OR NOT {b} AND {c}"),
            item.clone(),
            !va || (!vb && vc),
        );
        check(&format!("NOT NOT {a}"), item.clone(), va);
        check(&format!("((({a})))"), item.clone(), va);
    }
}

#[test]
fn keywords_and_the_metadata_prefix_are_case_insensitive() {
    let item = json!({ "a": 1, "b": 2 });
    check("metadata.a = 1 and metadata.b = 2", item.clone(), true);
    check("metadata.a = 1 AnD metadata.b = 2", item.clone(), true);
    check("metadata.a = 0 or metadata.b = 2", item.clone(), true);
    check("not metadata.a = 0", item.clone(), true);
    check("NoT metadata.a = 0", item.clone(), true);
    check("METADATA.a = 1", item.clone(), true);
    check("MetaData.a = 1", item.clone(), true);
    // Keys are case-sensitive.
    check("metadata.A = 1", item, false);
}

#[test]
fn whitespace_is_optional_around_operators_and_parentheses() {
    let item = json!({ "a": 1, "b": "x" });
    check(r#"metadata.a=1 AND metadata.b="x""#, item.clone(), true);
    check(r#"(metadata.a>=1)AND(metadata.b!="y")"#, item.clone(), true);
    check("NOT(metadata.a<1)", item.clone(), true);
    check("metadata.a%2=1", item.clone(), true);
    check("\t metadata.a \n =\r\n 1 ", item, true);
}

#[test]
fn keys_with_dots_dashes_unicode_and_quotes() {
    let item = json!({
        "a.b": 1,
        "camera-id": "front",
        "größe": 3,
        "weird key": 4,
        "": 5,
        "say \"hi\"": 6,
        "a=b": 7,
    });
    check("metadata.a.b = 1", item.clone(), true);
    check(r#"metadata.camera-id = "front""#, item.clone(), true);
    check("metadata.größe = 3", item.clone(), true);
    check(r#"metadata."weird key" = 4"#, item.clone(), true);
    check(r#"metadata."" = 5"#, item.clone(), true);
    check(r#"metadata."say \"hi\"" = 6"#, item.clone(), true);
    check(r#"metadata."a=b" = 7"#, item.clone(), true);
    check(r#"metadata."a.b" = 1"#, item, true);
}

#[test]
fn string_escapes() {
    let item = json!({ "s": "a\"b\\c/d\u{8}\u{c}\n\r\t é 😀" });
    check(
        r#"metadata.s = "a\"b\\c\/d\b\f\n\r\t \u00e9 \ud83d\ude00""#,
        item.clone(),
        true,
    );
    check(r#"metadata.s = "a\"b\\c/d\b\f\n\r\t é 😀""#, item, true);
    check(r#"metadata.s = "\u00C9""#, json!({ "s": "É" }), true);
}

#[test]
fn modulo_signs() {
    for (value, modulus, remainder) in [
        (7, 5, 2),
        (-3, 5, 2),
        (-5, 5, 0),
        (0, 5, 0),
        (3, -5, 3),
        (-3, -5, 2),
        (i64::MIN, 7, (i128::from(i64::MIN)).rem_euclid(7)),
        (i64::MAX, -2, 1),
    ] {
        let item = json!({ "x": value });
        check(
            &format!("metadata.x % {modulus} = {remainder}"),
            item.clone(),
            true,
        );
        check(
            &format!("metadata.x % {modulus} != {remainder}"),
            item.clone(),
            false,
        );
        check(
            &format!("metadata.x % {modulus} < {}", remainder + 1),
            item.clone(),
            true,
        );
        check(
            &format!("metadata.x % {modulus} > {remainder}"),
            item.clone(),
            false,
        );
        check(
            &format!("metadata.x % {modulus} >= {remainder}"),
            item.clone(),
            true,
        );
        check(
            &format!("metadata.x % {modulus} <= {}", remainder - 1),
            item,
            false,
        );
    }
    check(
        "metadata.x % 18446744073709551615 = 18446744073709551614",
        json!({ "x": u64::MAX - 1 }),
        true,
    );
    check(
        "metadata.x % 18446744073709551615 = 0",
        json!({ "x": u64::MAX }),
        true,
    );
    check(
        "metadata.x % -9223372036854775808 = 9223372036854775807",
        json!({ "x": -1 }),
        true,
    );
}

#[test]
fn modulo_on_floats_counts_integral_values_only() {
    check("metadata.x % 2 = 0", json!({ "x": 4.0 }), true);
    check("metadata.x % 5 = 2", json!({ "x": -3.0 }), true);
    check("metadata.x % 2 = 0", json!({ "x": 2.5 }), false);
    check("metadata.x % 2 != 0", json!({ "x": 2.5 }), false);
    check("NOT metadata.x % 2 = 0", json!({ "x": 2.5 }), true);
    // 1e300 is an integer: 2^k * odd with k >= 300 > 3, so divisible by 8.
    check("metadata.x % 8 = 0", json!({ "x": 1e300 }), true);
}

#[test]
fn big_integers_compare_exactly() {
    let two_pow_53 = 9_007_199_254_740_992_u64;
    let item = json!({ "big": two_pow_53 + 1 });
    check("metadata.big = 9007199254740993", item.clone(), true);
    check("metadata.big = 9007199254740992", item.clone(), false);
    check("metadata.big > 9007199254740992.0", item.clone(), true);
    check("metadata.big != 9007199254740992.0", item.clone(), true);
    check("metadata.big < 9007199254740994.0", item.clone(), true);
    let item = json!({ "f": 9_007_199_254_740_992.0 });
    check("metadata.f < 9007199254740993", item.clone(), true);
    check("metadata.f = 9007199254740992", item, true);
    let item = json!({ "u": u64::MAX, "i": i64::MIN });
    check("metadata.u = 18446744073709551615", item.clone(), true);
    check("metadata.u < 18446744073709551616.0", item.clone(), true);
    check("metadata.u > 18446744073709551614", item.clone(), true);
    check("metadata.i = -9223372036854775808", item.clone(), true);
    check("metadata.i < -9223372036854775807", item.clone(), true);
    check("metadata.i > -9223372036854775809.0", item.clone(), false);
    check("metadata.i = -9223372036854775808.0", item, true);
}

#[test]
fn float_literals_read_like_metadata_floats() {
    let metadata: Value =
        serde_json::from_str(r#"{"x": 0.1, "y": 1.7976931348623157e308}"#).unwrap();
    check("metadata.x = 0.1", metadata.clone(), true);
    check("metadata.x = 1e-1", metadata.clone(), true);
    check("metadata.y = 1.7976931348623157e308", metadata, true);
    check("metadata.z = -0.0", json!({ "z": 0 }), true);
}

#[test]
fn keys_lists_each_key_once_in_order() {
    let query = Query::parse(
        r#"metadata.b = 1 AND (metadata.a = "x" OR NOT metadata.b % 2 = 0) OR metadata."c d" > 1"#,
    )
    .unwrap();
    assert_eq!(query.keys().collect::<Vec<_>>(), ["b", "a", "c d"]);
}

#[test]
fn queries_with_many_keys_evaluate_the_same() {
    // Beyond eight distinct keys evaluation looks keys up as it goes instead of in advance.
    for n_keys in [1, 7, 8, 9, 20] {
        let all = (0..n_keys)
            .map(|idx| format!("metadata.k{idx} = {idx}"))
            .collect::<Vec<_>>();
        let query = Query::parse(&all.join(" AND ")).unwrap();
        assert_eq!(query.keys().len(), n_keys);
        let full: serde_json::Map<String, Value> = (0..n_keys)
            .map(|idx| (format!("k{idx}"), json!(idx)))
            .collect();
        assert!(query.matches(&full), "{n_keys} keys, all present");
        let mut last_missing = full.clone();
        last_missing.remove(&format!("k{}", n_keys - 1));
        assert!(!query.matches(&last_missing), "{n_keys} keys, last missing");
        let mut last_wrong = full.clone();
        last_wrong.insert(format!("k{}", n_keys - 1), json!("x"));
        assert!(
            !query.matches(&last_wrong),
            "{n_keys} keys, last of another kind"
        );
        let not_last = Query::parse(&format!("NOT metadata.k{} = -1", n_keys - 1)).unwrap();
        assert!(not_last.matches(&full));
        let any = Query::parse(&all.join(" OR ")).unwrap();
        let mut only_last: serde_json::Map<String, Value> = serde_json::Map::new();
        only_last.insert(format!("k{}", n_keys - 1), json!(n_keys - 1));
        assert!(
            any.matches(&only_last),
            "{n_keys} keys, only the last present"
        );
        assert!(!any.matches(&serde_json::Map::new()));
    }
}

#[test]
fn display_is_canonical() {
    for (input, canonical) in [
        ("metadata.a=1", "metadata.a = 1"),
        (
            "metadata.a = 1 and metadata.b = 2",
            "metadata.a = 1 AND metadata.b = 2",
        ),
        (
            "(metadata.a = 1 OR metadata.b = 2) AND metadata.c = 3",
            "(metadata.a = 1 OR metadata.b = 2) AND metadata.c = 3",
        ),
        (
            "metadata.a = 1 OR (metadata.b = 2 AND metadata.c = 3)",
            "metadata.a = 1 OR metadata.b = 2 AND metadata.c = 3",
        ),
        (
            "metadata.a = 1 AND (metadata.b = 2 AND metadata.c = 3)",
            "metadata.a = 1 AND metadata.b = 2 AND metadata.c = 3",
        ),
        ("not (not metadata.a = 1)", "NOT NOT metadata.a = 1"),
        (
            "NOT (metadata.a = 1 OR metadata.b = 2)",
            "NOT (metadata.a = 1 OR metadata.b = 2)",
        ),
        ("metadata.a % -3 >= -1", "metadata.a % -3 >= -1"),
        ("metadata.a = 1.0", "metadata.a = 1.0"),
        ("metadata.a = 1E3", "metadata.a = 1000.0"),
        ("metadata.a = 1e300", "metadata.a = 1e300"),
        ("metadata.a = -0", "metadata.a = 0"),
        (
            r#"metadata."a" = "\u00e9\n\u0001""#,
            r#"metadata.a = "é\n\u0001""#,
        ),
        (r#"metadata."x y" = "\/""#, r#"metadata."x y" = "/""#),
        (r#"metadata."" = 1"#, r#"metadata."" = 1"#),
    ] {
        let query = Query::parse(input).unwrap();
        assert_eq!(query.to_string(), canonical, "display of {input:?}");
        assert_eq!(
            Query::parse(canonical).unwrap(),
            query,
            "reparse of {canonical:?}"
        );
    }
}

#[test]
fn equality_ignores_layout_and_grouping_of_the_same_operator() {
    let a = Query::parse("(metadata.a = 1 AND metadata.b = 2) AND metadata.c = 3").unwrap();
    let b = Query::parse("  metadata.a=1 and (metadata.b=2 and metadata.c=3)").unwrap();
    assert_eq!(a, b);
    let c = Query::parse("metadata.a = 1 AND metadata.c = 3 AND metadata.b = 2").unwrap();
    assert_ne!(a, c, "operand order is kept");
}

#[test]
fn from_str_is_parse() {
    let query: Query = "metadata.a = 1".parse().unwrap();
    assert_eq!(query, Query::parse("metadata.a = 1").unwrap());
}
