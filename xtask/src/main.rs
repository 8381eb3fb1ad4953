//! Repository chores, run as `cargo xtask <task>`.

fn main() {}
