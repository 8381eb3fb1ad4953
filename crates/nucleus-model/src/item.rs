//! The dataset item and its parts.

use std::fmt;
use std::num::NonZeroU64;
use std::str::FromStr;

use serde_json::{Map, Number, Value};

use crate::{Error, Location};

/// Whether an item is an image or a point cloud; derived from which location it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DatasetItemType {
    /// An image (`"image"`).
    Image,
    /// A point cloud (`"pointcloud"`).
    Pointcloud,
}

impl DatasetItemType {
    /// Both types, in declaration order.
    pub const ALL: [DatasetItemType; 2] = [DatasetItemType::Image, DatasetItemType::Pointcloud];

    /// The Python enum member's name: `IMAGE` or `POINTCLOUD`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            DatasetItemType::Image => "IMAGE",
            DatasetItemType::Pointcloud => "POINTCLOUD",
        }
    }

    /// The wire value: `image` or `pointcloud`.
    #[must_use]
    pub const fn value(self) -> &'static str {
        match self {
            DatasetItemType::Image => "image",
            DatasetItemType::Pointcloud => "pointcloud",
        }
    }

    /// The scene upload payload's location key. It says its type by its extension
    /// ([`DatasetItemType::of_url`]) and is read only when none of the
    /// [`DatasetItemType::location_keys`] is set.
    pub const URL_KEY: &'static str = "url";

    /// The keys of this type's location, canonical name and SDK aliases, in the SDK's order of
    /// precedence: the first non-empty one is the location.
    #[must_use]
    pub const fn location_keys(self) -> &'static [&'static str] {
        match self {
            DatasetItemType::Image => &[
                "image_location",
                "processed_url",
                "image_url",
                "original_image_url",
            ],
            DatasetItemType::Pointcloud => &["pointcloud_location", "pointcloud_url"],
        }
    }

    /// The type whose location `key` holds (`image_url` is an image's); `None` for
    /// [`DatasetItemType::URL_KEY`], which says its type by its extension, and for any other key.
    #[must_use]
    pub fn of_location_key(key: &str) -> Option<DatasetItemType> {
        DatasetItemType::ALL
            .into_iter()
            .find(|item_type| item_type.location_keys().contains(&key))
    }

    /// The extensions a [`DatasetItemType::URL_KEY`] of this type ends with: `jpg` and `png`
    /// for an image, `json` for a point cloud.
    #[must_use]
    pub const fn url_extensions(self) -> &'static [&'static str] {
        match self {
            DatasetItemType::Image => &["jpg", "png"],
            DatasetItemType::Pointcloud => &["json"],
        }
    }

    /// The type of a [`DatasetItemType::URL_KEY`] by the SDK's rule: the text after its last
    /// `.` (the whole text when it has none) is exactly one of the type's
    /// [`DatasetItemType::url_extensions`]. `None` when it is none of them.
    #[must_use]
    pub fn of_url(url: &str) -> Option<DatasetItemType> {
        let extension = url.rsplit('.').next().unwrap_or_default();
        DatasetItemType::ALL
            .into_iter()
            .find(|item_type| item_type.url_extensions().contains(&extension))
    }
}

impl fmt::Display for DatasetItemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value())
    }
}

impl FromStr for DatasetItemType {
    type Err = Error;

    /// Parses the wire value (`image`, `pointcloud`), exactly as the SDK's enum does.
    fn from_str(value: &str) -> Result<DatasetItemType, Error> {
        match value {
            "image" => Ok(DatasetItemType::Image),
            "pointcloud" => Ok(DatasetItemType::Pointcloud),
            _ => Err(Error::UnknownItemType(value.to_owned())),
        }
    }
}

impl serde::Serialize for DatasetItemType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.value())
    }
}

impl<'de> serde::Deserialize<'de> for DatasetItemType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A user-chosen identifier, unique within a dataset. Never empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReferenceId(String);

impl ReferenceId {
    /// Wraps a non-empty string.
    ///
    /// # Errors
    ///
    /// Returns [`Error::EmptyReferenceId`] when `id` is empty.
    pub fn new(id: impl Into<String>) -> Result<ReferenceId, Error> {
        let id = id.into();
        if id.is_empty() {
            Err(Error::EmptyReferenceId)
        } else {
            Ok(ReferenceId(id))
        }
    }

    /// The id as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id, consuming it.
    #[must_use]
    pub fn into_string(self) -> String {
        self.0
    }
}

impl FromStr for ReferenceId {
    type Err = Error;

    fn from_str(id: &str) -> Result<ReferenceId, Error> {
        ReferenceId::new(id)
    }
}

impl fmt::Display for ReferenceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ReferenceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for ReferenceId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Free-form metadata: string keys, any JSON values, in the order given, numbers exactly as read.
///
/// The reserved keys are [`Metadata::CAMERA_PARAMS`], [`Metadata::LAT`], [`Metadata::LON`] and
/// [`Metadata::CONTEXT_ATTACHMENTS`]; their rules live in `nucleus-metadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata(Map<String, Value>);

impl Metadata {
    /// The camera of a 3D scene's image item.
    pub const CAMERA_PARAMS: &'static str = "camera_params";
    /// Latitude in degrees, for the map chart.
    pub const LAT: &'static str = "lat";
    /// Longitude in degrees, for the map chart.
    pub const LON: &'static str = "lon";
    /// Files shown beside the item in the detail view.
    pub const CONTEXT_ATTACHMENTS: &'static str = "context_attachments";

    /// Empty metadata.
    #[must_use]
    pub fn new() -> Metadata {
        Metadata(Map::new())
    }

    /// Wraps a JSON object.
    #[must_use]
    pub fn from_map(map: Map<String, Value>) -> Metadata {
        Metadata(map)
    }

    /// The underlying JSON object.
    #[must_use]
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }

    /// The underlying JSON object, mutably.
    pub fn as_map_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.0
    }

    /// The underlying JSON object, consuming the metadata.
    #[must_use]
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }

    /// The value of `key`, if present.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no keys.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keys and values in order.
    pub fn iter(&self) -> serde_json::map::Iter<'_> {
        self.0.iter()
    }
}

impl From<Map<String, Value>> for Metadata {
    fn from(map: Map<String, Value>) -> Metadata {
        Metadata(map)
    }
}

impl<'a> IntoIterator for &'a Metadata {
    type Item = (&'a String, &'a Value);
    type IntoIter = serde_json::map::Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// An embedding to add to an image: the index it belongs to and the vector.
///
/// Vector entries are JSON numbers, kept exactly (an integer stays an integer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddingInfo {
    index_id: String,
    embedding_vector: Vec<Number>,
}

impl EmbeddingInfo {
    /// An embedding for the index `index_id`.
    ///
    /// # Errors
    ///
    /// Returns [`Error::InvalidEmbedding`] when `index_id` or `embedding_vector` is empty.
    pub fn new(
        index_id: impl Into<String>,
        embedding_vector: Vec<Number>,
    ) -> Result<EmbeddingInfo, Error> {
        let index_id = index_id.into();
        if index_id.is_empty() {
            return Err(Error::InvalidEmbedding("index_id is empty"));
        }
        if embedding_vector.is_empty() {
            return Err(Error::InvalidEmbedding("embedding_vector is empty"));
        }
        Ok(EmbeddingInfo {
            index_id,
            embedding_vector,
        })
    }

    /// The embedding index id.
    #[must_use]
    pub fn index_id(&self) -> &str {
        &self.index_id
    }

    /// The vector, as exact JSON numbers.
    #[must_use]
    pub fn embedding_vector(&self) -> &[Number] {
        &self.embedding_vector
    }

    /// The payload form: `{"index_id": …, "embedding_vector": […]}`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut map = Map::with_capacity(2);
        map.insert("index_id".to_owned(), Value::String(self.index_id.clone()));
        map.insert(
            "embedding_vector".to_owned(),
            Value::Array(
                self.embedding_vector
                    .iter()
                    .cloned()
                    .map(Value::Number)
                    .collect(),
            ),
        );
        Value::Object(map)
    }
}

/// The item's file: an image (possibly with an embedding) or a point cloud.
///
/// Being an enum, an item has exactly one location, and an embedding only when it is an image.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Media {
    Image {
        location: Location,
        embedding_info: Option<EmbeddingInfo>,
    },
    Pointcloud {
        location: Location,
    },
}

/// One image or point cloud with its reference id and metadata.
///
/// Built with [`DatasetItem::image`] or [`DatasetItem::pointcloud`] (so an item always has exactly
/// one location), or read from JSON with [`DatasetItem::from_json`] and [`crate::read_item`].
///
/// Equality ignores `phash` and `dataset_item_id`, which the server sets, as the SDK does.
///
/// ```
/// use nucleus_model::{DatasetItem, DatasetItemType, Location, Metadata, ReferenceId};
///
/// let item = DatasetItem::image("s3://bucket/0001.jpg".parse()?, ReferenceId::new("0001")?)
///     .with_dimensions(1920, 1080)?;
/// assert_eq!(item.item_type(), DatasetItemType::Image);
/// assert_eq!(
///     item.to_json().to_string(),
///     r#"{"image_location":"s3://bucket/0001.jpg","reference_id":"0001","metadata":{},"width":1920,"height":1080}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct DatasetItem {
    media: Media,
    reference_id: ReferenceId,
    pub(crate) metadata: Metadata,
    width: Option<NonZeroU64>,
    height: Option<NonZeroU64>,
    pub(crate) phash: Option<String>,
    pub(crate) dataset_item_id: Option<String>,
}

impl PartialEq for DatasetItem {
    fn eq(&self, other: &DatasetItem) -> bool {
        self.media == other.media
            && self.reference_id == other.reference_id
            && self.metadata == other.metadata
            && self.width == other.width
            && self.height == other.height
    }
}

impl Eq for DatasetItem {}

impl DatasetItem {
    /// An image item with empty metadata.
    #[must_use]
    pub fn image(location: Location, reference_id: ReferenceId) -> DatasetItem {
        DatasetItem::with_media(
            Media::Image {
                location,
                embedding_info: None,
            },
            reference_id,
        )
    }

    /// A point-cloud item with empty metadata.
    #[must_use]
    pub fn pointcloud(location: Location, reference_id: ReferenceId) -> DatasetItem {
        DatasetItem::with_media(Media::Pointcloud { location }, reference_id)
    }

    fn with_media(media: Media, reference_id: ReferenceId) -> DatasetItem {
        DatasetItem {
            media,
            reference_id,
            metadata: Metadata::new(),
            width: None,
            height: None,
            phash: None,
            dataset_item_id: None,
        }
    }

    /// The same item with `metadata`.
    #[must_use]
    pub fn with_metadata(mut self, metadata: Metadata) -> DatasetItem {
        self.metadata = metadata;
        self
    }

    /// The same item with a pixel size.
    ///
    /// # Errors
    ///
    /// Returns [`Error::ZeroDimension`] when `width` or `height` is 0.
    pub fn with_dimensions(mut self, width: u64, height: u64) -> Result<DatasetItem, Error> {
        self.width = Some(NonZeroU64::new(width).ok_or(Error::ZeroDimension("width"))?);
        self.height = Some(NonZeroU64::new(height).ok_or(Error::ZeroDimension("height"))?);
        Ok(self)
    }

    /// The same item with an embedding.
    ///
    /// # Errors
    ///
    /// Returns [`Error::EmbeddingOnPointcloud`] for a point cloud.
    pub fn with_embedding_info(mut self, embedding: EmbeddingInfo) -> Result<DatasetItem, Error> {
        match &mut self.media {
            Media::Image { embedding_info, .. } => {
                *embedding_info = Some(embedding);
                Ok(self)
            }
            Media::Pointcloud { .. } => Err(Error::EmbeddingOnPointcloud),
        }
    }

    /// The same item with the server's perceptual hash.
    #[must_use]
    pub fn with_phash(mut self, phash: impl Into<String>) -> DatasetItem {
        self.phash = Some(phash.into());
        self
    }

    /// The same item with the server's item id (`di_…`).
    #[must_use]
    pub fn with_dataset_item_id(mut self, id: impl Into<String>) -> DatasetItem {
        self.dataset_item_id = Some(id.into());
        self
    }

    pub(crate) fn set_width(&mut self, width: Option<NonZeroU64>) {
        self.width = width;
    }

    pub(crate) fn set_height(&mut self, height: Option<NonZeroU64>) {
        self.height = height;
    }

    pub(crate) fn set_server_fields(
        &mut self,
        phash: Option<String>,
        dataset_item_id: Option<String>,
    ) {
        self.phash = phash;
        self.dataset_item_id = dataset_item_id;
    }

    /// Image or point cloud.
    #[must_use]
    pub fn item_type(&self) -> DatasetItemType {
        match self.media {
            Media::Image { .. } => DatasetItemType::Image,
            Media::Pointcloud { .. } => DatasetItemType::Pointcloud,
        }
    }

    /// The item's one location (image or point cloud).
    #[must_use]
    pub fn location(&self) -> &Location {
        match &self.media {
            Media::Image { location, .. } | Media::Pointcloud { location } => location,
        }
    }

    /// The image location, for an image item.
    #[must_use]
    pub fn image_location(&self) -> Option<&Location> {
        match &self.media {
            Media::Image { location, .. } => Some(location),
            Media::Pointcloud { .. } => None,
        }
    }

    /// The point-cloud location, for a point-cloud item.
    #[must_use]
    pub fn pointcloud_location(&self) -> Option<&Location> {
        match &self.media {
            Media::Pointcloud { location } => Some(location),
            Media::Image { .. } => None,
        }
    }

    /// The reference id.
    #[must_use]
    pub fn reference_id(&self) -> &ReferenceId {
        &self.reference_id
    }

    /// The metadata.
    #[must_use]
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The metadata, mutably (used by append with update, which replaces it).
    pub fn metadata_mut(&mut self) -> &mut Metadata {
        &mut self.metadata
    }

    /// Pixel width, when known.
    #[must_use]
    pub fn width(&self) -> Option<NonZeroU64> {
        self.width
    }

    /// Pixel height, when known.
    #[must_use]
    pub fn height(&self) -> Option<NonZeroU64> {
        self.height
    }

    /// The embedding, for an image that has one.
    #[must_use]
    pub fn embedding_info(&self) -> Option<&EmbeddingInfo> {
        match &self.media {
            Media::Image { embedding_info, .. } => embedding_info.as_ref(),
            Media::Pointcloud { .. } => None,
        }
    }

    /// The server's perceptual hash, when read from the server.
    #[must_use]
    pub fn phash(&self) -> Option<&str> {
        self.phash.as_deref()
    }

    /// The server's item id, when read from the server.
    #[must_use]
    pub fn dataset_item_id(&self) -> Option<&str> {
        self.dataset_item_id.as_deref()
    }

    /// The camera of `metadata.camera_params`, parsed; `Ok(None)` when absent or null.
    ///
    /// # Errors
    ///
    /// Returns the camera crate's error when `camera_params` is not a valid camera. Items read
    /// with [`crate::read_item`] have been checked already.
    pub fn camera_params(&self) -> Result<Option<nucleus_camera::CameraParams>, Error> {
        match self.metadata.get(Metadata::CAMERA_PARAMS) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => nucleus_camera::CameraParams::from_json(value)
                .map(Some)
                .map_err(Error::InvalidCameraParams),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_keys_and_url_extensions() {
        assert_eq!(
            DatasetItemType::of_location_key("processed_url"),
            Some(DatasetItemType::Image)
        );
        assert_eq!(
            DatasetItemType::of_location_key("pointcloud_url"),
            Some(DatasetItemType::Pointcloud)
        );
        for key in [DatasetItemType::URL_KEY, "reference_id", "image", ""] {
            assert_eq!(DatasetItemType::of_location_key(key), None, "{key}");
        }
        let cases = [
            ("s3://b/a.jpg", Some(DatasetItemType::Image)),
            ("a.b.png", Some(DatasetItemType::Image)),
            ("png", Some(DatasetItemType::Image)),
            ("s3://b/cloud.json", Some(DatasetItemType::Pointcloud)),
            ("a.JPG", None),
            ("a.jpeg", None),
            ("a.jpg?x=1", None),
            ("a.json ", None),
            ("", None),
        ];
        for (url, expected) in cases {
            assert_eq!(DatasetItemType::of_url(url), expected, "{url}");
        }
    }
}
