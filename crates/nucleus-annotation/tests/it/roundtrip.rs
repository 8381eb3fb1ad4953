//! Read → write → read is the identity, and no number changes on the way.

use nucleus_annotation::{Annotation, read_annotation};
use nucleus_model::json;
use proptest::prelude::*;

use crate::strategy::any_annotation;

proptest! {
    #[test]
    fn the_readable_json_reads_back_to_the_same_annotation((role, annotation) in any_annotation()) {
        let text = annotation.to_json().to_string();
        let value = json::parse(&text).unwrap();
        let reading = read_annotation(&value, role);
        prop_assert!(!reading.has_errors(), "{text}\n{:#?}", reading.diagnostics);
        prop_assert!(reading.diagnostics.is_empty(), "{text}\n{:#?}", reading.diagnostics);
        prop_assert_eq!(reading.annotation, Some(annotation));
    }

    #[test]
    fn the_payload_keeps_every_number((role, annotation) in any_annotation()) {
        // The payload reads back exactly: integers stay integers, floats keep every bit.
        let payload = annotation.to_payload();
        let text = payload.to_string();
        prop_assert_eq!(json::parse(&text).unwrap(), payload.clone());
        // Reading it back gives the same annotation, except that a prediction's item_id is
        // the payload's name for dataset_item_id, which the SDK's reader does not read.
        let again = Annotation::from_value(&payload, role);
        if annotation.prediction.is_some() && annotation.dataset_item_id.is_some() {
            return Ok(());
        }
        let mut expected = annotation;
        if expected.prediction.is_none() {
            expected.dataset_item_id = None;
        }
        prop_assert_eq!(again.unwrap(), expected);
    }
}
