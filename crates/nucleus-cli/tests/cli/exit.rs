//! How a run ends whatever the subcommand: exit 2 when it could not run, quietly on a closed pipe.

use crate::support::{assert_starts_with, cmd};

#[test]
fn could_not_run_is_exit_2() {
    let run = cmd(["check", "does/not/exist.jsonl"]).exits(2);
    assert_starts_with(
        &run.stderr,
        "nucleus: error: cannot open does/not/exist.jsonl",
    );
    cmd(["check", "--no-such-flag"]).exits(2);
}

#[test]
fn closed_pipe_exits_quietly() {
    // Standard output is closed before the first write, as when the reader has gone away; the
    // writer must not complain.
    let run = cmd([
        "normalize",
        "examples/items.jsonl",
        "examples/items.jsonl",
        "examples/items.jsonl",
    ])
    .close_stdout()
    .exits(0);
    assert_eq!(run.stderr, "");
}
