//! Prints, for each line of a JSON Lines file, the Rust validator's verdict and the item
//! schema's verdict (through the `jsonschema` crate), tab-separated:
//! `LINE<TAB>RUST<TAB>SCHEMA` with `accept`, `reject` or `not-json`.
//!
//! ```sh
//! cargo run -q -p nucleus-schema --example verdicts -- examples/mistakes.jsonl
//! cargo run -q -p nucleus-schema --example verdicts -- \
//!     crates/nucleus-testdata/data/sdk_corpus.jsonl --field input
//! ```
//!
//! `scripts/schema-interop/` prints the same columns from Python's `jsonschema` and from ajv, so
//! the outputs can be compared line by line.

use std::process::ExitCode;

use nucleus_metadata::ItemRules;
use nucleus_model::json;
use nucleus_schema::validate_item;
use serde_json::Value;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, field) = match args.as_slice() {
        [path] => (path, None),
        [path, flag, field] if flag == "--field" => (path, Some(field.as_str())),
        _ => {
            eprintln!("usage: verdicts FILE.jsonl [--field NAME]");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{path}: {error}");
            return ExitCode::from(2);
        }
    };
    for (idx, line) in text.lines().enumerate() {
        let item_text = match field {
            None => line.to_owned(),
            Some(field) => serde_json::from_str::<Value>(line)
                .ok()
                .and_then(|case| case.get(field).and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_default(),
        };
        let rust = if ItemRules::new().check_line(&item_text).has_errors() {
            "reject"
        } else {
            "accept"
        };
        let schema = match json::parse(&item_text) {
            Err(_) => "not-json",
            Ok(value) => match validate_item(&value) {
                Ok(errors) if errors.is_empty() => "accept",
                Ok(_) => "reject",
                Err(error) => {
                    eprintln!("{error}");
                    return ExitCode::from(2);
                }
            },
        };
        let rust = if schema == "not-json" {
            "not-json"
        } else {
            rust
        };
        println!("{}\t{rust}\t{schema}", idx + 1);
    }
    ExitCode::SUCCESS
}
