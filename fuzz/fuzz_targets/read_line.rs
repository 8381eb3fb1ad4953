//! The item parser on any bytes: no panic; a rejection has an error; accepted items round-trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nucleus_model::{DatasetItem, read_line};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let reading = read_line(text);
    match reading.item {
        Some(item) => {
            let again = DatasetItem::from_json(&item.to_json().to_string());
            assert_eq!(again.ok().as_ref(), Some(&item), "{text}");
        }
        None => assert!(reading.has_errors(), "{text}"),
    }
});
