//! What `nucleus check` adds to the item and dataset rules, for the CLI and Python alike: the
//! media of each line's items probed ([`nucleus_media::Prober`]) and the schema cross-check.

use nucleus_media::Prober;
use nucleus_metadata::check::{Check, HookFindings, LineItem};
use nucleus_model::{Code, Diagnostic};

/// `check` with the extra findings asked for: each line's items probed with `prober` (remote
/// reads run while the next lines are checked; findings keep line order), and with
/// `via_schema` a `schema-disagreement` where the item schema and the item rules disagree.
/// Probing needs every item, so the fast path is turned off with a prober.
#[must_use]
pub fn with_extras<'h>(
    check: Check<'h>,
    prober: Option<&'h Prober>,
    via_schema: bool,
) -> Check<'h> {
    if prober.is_none() && !via_schema {
        return check;
    }
    check
        .full_reading(prober.is_some())
        .with_hook(move |text, items: &[LineItem<'_>]| {
            let first = if via_schema {
                schema_disagreement(text).into_iter().collect()
            } else {
                Vec::new()
            };
            let Some(prober) = prober else {
                return HookFindings::Ready(first);
            };
            // Findings under each item's pointer (see `nucleus_media::Prober::probe_item`).
            let probe = prober.probe_items(
                items
                    .iter()
                    .map(|line_item| (line_item.item, line_item.pointer, line_item.location_key)),
            );
            let probed = if probe.is_ready() {
                HookFindings::Ready(probe.wait())
            } else {
                HookFindings::Pending(Box::new(move || probe.wait()))
            };
            probed.after(first)
        })
}

/// The `schema-disagreement` finding for a line, when the item schema and the item rules
/// disagree about it (the item rules run twice: the price of the cross-check).
fn schema_disagreement(text: &str) -> Option<Diagnostic> {
    match nucleus_schema::compare_item(text) {
        Ok(Ok(_)) => None,
        Ok(Err(disagreement)) => Some(disagreement.diagnostic()),
        Err(error) => Some(Diagnostic::error(
            Code::SchemaDisagreement,
            "",
            format!("the schema validator failed: {error}"),
        )),
    }
}
