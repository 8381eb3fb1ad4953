//! The fast path of `check` on any line: no panic, and a line it calls clean is one the full
//! reader reads without a finding, with the same reference id and metadata keys and kinds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nucleus_metadata::ItemRules;
use nucleus_model::Kind;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for rules in [ItemRules::new(), ItemRules::new().remote_only(true).require_dimensions(true)] {
        let Ok(clean) = nucleus_metadata::fast::recognise(&rules, text) else {
            continue;
        };
        let reading = rules.check_line(text);
        assert!(reading.diagnostics.is_empty(), "{text}: {:?}", reading.diagnostics);
        let item = reading.item.expect("an item without findings");
        assert_eq!(item.reference_id().as_str(), clean.reference_id());
        let full: Vec<(&str, Kind)> = item
            .metadata()
            .iter()
            .filter_map(|(key, value)| Some((key.as_str(), Kind::of(value)?)))
            .collect();
        let fast: Vec<(&str, Kind)> = clean.metadata_kinds().map(|(key, kind, _)| (key, kind)).collect();
        assert_eq!(full, fast, "{text}");
    }
});
