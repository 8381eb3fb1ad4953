use nucleus_schema::{Error, FileStatus, ensure_file_contents, ensure_schemas};

use crate::root;

/// The committed `schemas/*.schema.json` are what the code generates. With `UPDATE_EXPECT=1`
/// the test rewrites them instead of failing.
#[test]
fn committed_schemas_are_fresh() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1");
    let command = "cargo xtask schemas` or `UPDATE_EXPECT=1 cargo test -p nucleus-schema";
    match ensure_schemas(&root().join("schemas"), update, command) {
        Ok(statuses) => {
            for (path, status) in statuses {
                if status == FileStatus::Written {
                    eprintln!("rewrote {}", path.display());
                }
            }
        }
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn a_stale_file_is_named_with_the_command_that_fixes_it() {
    let dir = std::env::temp_dir().join(format!("nucleus-schema-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("x.schema.json");
    std::fs::write(&path, "{\n  \"a\": 1\n}\n").unwrap();

    let error = ensure_file_contents(&path, "{\n  \"a\": 2\n}\n", false, "cargo xtask schemas")
        .unwrap_err();
    assert!(matches!(error, Error::Stale { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "{} is stale: line 2 differs: expected `\"a\": 2`, found `\"a\": 1`; run `cargo xtask schemas` to regenerate it",
            path.display()
        )
    );

    let status = ensure_file_contents(&path, "{\n  \"a\": 2\n}\n", true, "x").unwrap();
    assert_eq!(status, FileStatus::Written);
    let status = ensure_file_contents(&path, "{\n  \"a\": 2\n}\n", false, "x").unwrap();
    assert_eq!(status, FileStatus::Fresh);

    let missing = dir.join("missing.schema.json");
    let error = ensure_file_contents(&missing, "{}\n", false, "cargo xtask schemas").unwrap_err();
    assert!(error.to_string().contains("the file is missing"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}
