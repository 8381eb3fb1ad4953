//! The query parser on any text: no panic; errors point inside the text; accepted queries
//! parse back from their canonical form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nucleus_query::Query;

fuzz_target!(|text: &str| {
    match Query::parse(text) {
        Ok(query) => {
            let canonical = query.to_string();
            assert_eq!(Query::parse(&canonical).ok(), Some(query), "{canonical}");
        }
        Err(error) => {
            assert!(text.is_char_boundary(error.offset()));
            let _ = error.render(text);
        }
    }
});
