//! Tests of the local query bar (`nucleus_query`), in one test binary.

// `cfg(test)` marks the helpers as test code, so clippy's allow-*-in-tests settings cover them.
#[cfg(test)]
mod check;
#[cfg(test)]
mod errors;
#[cfg(test)]
mod eval;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod props;
#[cfg(test)]
mod run;
#[cfg(test)]
mod sort;

#[cfg(test)]
use serde_json::{Map, Value};

/// The metadata map of a JSON object literal.
#[cfg(test)]
pub fn map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("test metadata must be an object, got {other}"),
    }
}
