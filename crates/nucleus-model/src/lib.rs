//! The Scale AI Nucleus dataset item: locations, reference ids, metadata and wire forms.
