//! `nucleus query`: selection, sorting and counting over the examples, and what it refuses.

use serde_json::Value;

use crate::support::{Cmd, assert_contains, cmd, json_lines, root};

/// `nucleus query examples/items.jsonl EXPRESSION`.
fn query(expression: &str) -> Cmd {
    cmd(["query", "examples/items.jsonl", expression])
}

#[test]
fn query_selects_sorts_and_counts() {
    let all = query("metadata.sensor = \"lidar_top\"").exits(0);
    let items = json_lines(&all.stdout);
    assert_eq!(items.len(), 30);
    assert!(items.iter().all(|i| i["metadata"]["sensor"] == "lidar_top"));
    let count = query("metadata.sensor = \"lidar_top\"")
        .arg("--count")
        .run();
    assert_eq!(count.stdout, "30\n");
    // Modulo with the mathematical remainder, combined with NOT and parentheses.
    let modulo = query(
        "metadata.frame_number % 2 = 1 AND NOT (metadata.camera = \"front\" OR metadata.camera = \"rear\")",
    )
    .arg("--count")
    .run();
    let expected = items_matching(|i| {
        i["metadata"]["frame_number"]
            .as_i64()
            .is_some_and(|n| n.rem_euclid(2) == 1)
            && i["metadata"]["camera"] != "front"
            && i["metadata"]["camera"] != "rear"
    });
    assert_eq!(modulo.stdout, format!("{expected}\n"));
    let sorted = query("metadata.n_points > 0")
        .args(["--sort", "-metadata.n_points", "--limit", "5"])
        .run();
    let values: Vec<i64> = json_lines(&sorted.stdout)
        .iter()
        .map(|i| i["metadata"]["n_points"].as_i64().unwrap())
        .collect();
    assert_eq!(values.len(), 5);
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
}

fn items_matching(predicate: impl Fn(&Value) -> bool) -> usize {
    std::fs::read_to_string(root().join("examples/items.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|i| predicate(i))
        .count()
}

#[test]
fn query_reports_typos_non_searchable_keys_and_bad_expressions() {
    let run = query("metadata.wether = \"rain\" OR metadata.tags = \"x\"").exits(1);
    assert_eq!(run.stdout, "");
    assert_contains(&run.stderr, "did you mean metadata.weather?");
    assert_contains(&run.stderr, "error: metadata.tags is not searchable");
    let bad = query("metadata.weather = ").exits(2);
    assert_contains(
        &bad.stderr,
        "                   ^ expected a string or number after '=', found end of input",
    );
}

/// `--help` keeps the grammar's examples on their own lines (clap would otherwise rewrap them
/// into one paragraph), and so does `project --help` for its two input shapes.
#[test]
fn help_keeps_the_examples_lines() {
    let help = cmd(["query", "--help"]).exits(0);
    assert_contains(
        &help.stdout,
        "literals:\n  metadata.weather = \"rain\"            = != < <= > >=\n  metadata.frame_number % 5 = 0",
    );
    let help = cmd(["project", "--help"]).exits(0);
    assert_contains(
        &help.stdout,
        "Each input line is either\n  {\"camera_params\": {...}, \"points\": [[x, y, z], ...]}\nor\n",
    );
}
