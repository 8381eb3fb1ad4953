//! The files Scale AI Nucleus dataset items point to, found on this machine and checked against
//! the items: a remote location's key in a local mirror (never outside it), an image's format
//! and pixel size from its header, a full decode on request, point clouds read through.
//!
//! This is the workspace's crate that opens media files (`nucleus-model` does no I/O); the CLI's
//! `check --probe-media`, `render` and `dimensions` use it. [`Resolver`] maps locations to
//! files ([`Resolver::locate`]); [`Prober::probe_item`] turns what it finds into findings with
//! JSON pointers into the item (codes `location-outside-mirror`, `missing-media`,
//! `unreadable-media`, `unsupported-image-format`, `mislabelled-image`, `dimension-mismatch`,
//! `image-too-large`, `corrupt-image`, and `invalid-pointcloud` for a point cloud's content);
//! [`with_probing`] adds them to each line of a `nucleus_metadata::check::Check`.
//!
//! ```
//! use nucleus_media::{ProbeConfig, Prober, Resolver};
//! use nucleus_model::{Code, DatasetItem};
//!
//! let item = DatasetItem::from_json(r#"{"image_location": "no/such/file.jpg", "reference_id": "a"}"#)?;
//! let prober = Prober::new(Resolver::new(), ProbeConfig::new().max_side(Some(8192)));
//! let mut findings = Vec::new();
//! prober.probe_item(&item, "", "image_location", &mut findings);
//! assert_eq!(findings[0].code, Code::MissingMedia);
//! assert_eq!(findings[0].path, "/image_location");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod aws;
mod check;
mod mirror;
mod probe;
mod remote;

pub use aws::AwsProfile;
pub use check::with_probing;
pub use mirror::{MediaError, MediaFile, Resolver};
pub use probe::{
    HeaderError, ImageFormat, ImageHeader, Probe, ProbeConfig, ProbedImage, Prober,
    check_dimensions, decode_fully, read_header,
};
pub use remote::{Prefix, RemoteConfig, RemoteError, RemoteReader};
