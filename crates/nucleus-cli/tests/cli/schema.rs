//! `nucleus schema`: the JSON Schemas built into the binary are the committed `schemas/` files.

use crate::support::{cmd, root};

#[test]
fn schema_lists_and_prints_the_committed_files() {
    let list = cmd(["schema", "--list"]).exits(0);
    let names: Vec<&str> = list
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names.len(), 17);
    for name in names {
        let printed = cmd(["schema", name]).run();
        let committed =
            std::fs::read_to_string(root().join(format!("schemas/{name}.schema.json"))).unwrap();
        assert!(
            printed.stdout == committed,
            "schema {name} differs from schemas/"
        );
    }
    cmd(["schema", "nope"]).exits(2);
}
