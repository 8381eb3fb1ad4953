//! Probing as a hook of nucleus-metadata's `check` driver (`nucleus check --probe-media`).

use nucleus_metadata::check::{Check, HookFindings, LineItem};

use crate::{Probe, Prober};

/// `check` with each line's items probed with `prober`, after the findings of the hooks added
/// before: remote reads run while the next lines are checked, and findings keep line order
/// (see [`HookFindings`]). Findings are under each item's pointer (see
/// [`Prober::probe_item`]); remote locations left unprobed are counted in
/// [`Prober::remote_not_probed`]. Probing needs every item, so the fast path is turned off.
#[must_use]
pub fn with_probing<'h>(check: Check<'h>, prober: &'h Prober) -> Check<'h> {
    check
        .full_reading(true)
        .with_hook(move |_, items: &[LineItem<'_>]| {
            prober
                .probe_items(
                    items.iter().map(|line_item| {
                        (line_item.item, line_item.pointer, line_item.location_key)
                    }),
                )
                .into()
        })
}

impl From<Probe> for HookFindings {
    /// Ready when nothing is being read remotely and no remote location is left unprobed, else
    /// pending: so the reads end, and remote locations left unprobed are counted
    /// ([`Prober::remote_not_probed`]), on the calling thread when the line's turn comes
    /// (never for a line after the check stopped).
    fn from(probe: Probe) -> HookFindings {
        if probe.is_ready() && probe.remote_not_probed() == 0 {
            HookFindings::Ready(probe.wait())
        } else {
            HookFindings::Pending(Box::new(move || probe.wait()))
        }
    }
}
