//! Writing items: the canonical item JSON and the SDK's upload payload.

use serde_json::{Map, Value};

use crate::item::{DatasetItemType, Metadata};
use crate::{DatasetItem, Error};

/// Which upload payload to write (the SDK's `to_payload(is_scene)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadForm {
    /// An image uploaded on its own: `image_url`. Point clouds have no plain form.
    Plain,
    /// An item inside a scene frame, and every point cloud: `url`, `type` and, when the metadata
    /// has a camera, a normalised top-level `camera_params`.
    Scene,
}

impl PayloadForm {
    /// The form `nucleus payload` uses: plain for images, scene for point clouds.
    #[must_use]
    pub fn default_for(item_type: DatasetItemType) -> PayloadForm {
        match item_type {
            DatasetItemType::Image => PayloadForm::Plain,
            DatasetItemType::Pointcloud => PayloadForm::Scene,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Order {
    Canonical,
    Sdk,
}

const COEFFICIENTS: [&str; 6] = ["k1", "k2", "k3", "k4", "p1", "p2"];

impl DatasetItem {
    /// The canonical item JSON (field names of SPEC.md section 1), consuming the item.
    #[must_use]
    pub fn into_json(self) -> Value {
        let mut object = Map::with_capacity(8);
        let (key, location) = match self.item_type() {
            DatasetItemType::Image => ("image_location", self.location().as_str()),
            DatasetItemType::Pointcloud => ("pointcloud_location", self.location().as_str()),
        };
        object.insert(key.to_owned(), Value::String(location.to_owned()));
        object.insert(
            "reference_id".to_owned(),
            Value::String(self.reference_id().as_str().to_owned()),
        );
        self.write_common_fields(&mut object, Order::Canonical);
        let DatasetItem {
            metadata,
            phash,
            dataset_item_id,
            ..
        } = self;
        // Metadata sits right after reference_id, as in SPEC.md's table; `shift_insert` keeps
        // the map's order without cloning it.
        object.shift_insert(2, "metadata".to_owned(), Value::Object(metadata.into_map()));
        if let Some(phash) = phash {
            object.insert("phash".to_owned(), Value::String(phash));
        }
        if let Some(id) = dataset_item_id {
            object.insert("dataset_item_id".to_owned(), Value::String(id));
        }
        Value::Object(object)
    }

    /// The canonical item JSON (field names of SPEC.md section 1). Reading it back with
    /// [`DatasetItem::from_value`] gives an equal item.
    #[must_use]
    pub fn to_json(&self) -> Value {
        self.clone().into_json()
    }

    /// The SDK's upload payload, consuming the item.
    ///
    /// Keys, in the SDK's order: `metadata` (`{}` when empty, otherwise exactly as given),
    /// `reference_id`, then `embedding_info`, `width`, `height` when set; then for the plain form
    /// `image_url`, for the scene form `url`, `type` and, when `metadata.camera_params` is
    /// present, `camera_params` normalised as the SDK does: `position`, `heading`, `fx`, `fy`,
    /// `cx`, `cy`, the non-zero coefficients (`k1`, `k2`, `k3`, `k4`, `p1`, `p2`), then
    /// `camera_model`; unknown keys dropped; numbers exactly as given.
    ///
    /// # Errors
    ///
    /// [`Error::PointcloudPlainPayload`] for a point cloud in the plain form, and
    /// [`Error::InvalidCameraParams`] in the scene form when `metadata.camera_params` is not a
    /// valid camera (the SDK raises in both cases).
    pub fn into_payload(self, form: PayloadForm) -> Result<Value, Error> {
        let item_type = self.item_type();
        if form == PayloadForm::Plain && item_type == DatasetItemType::Pointcloud {
            return Err(Error::PointcloudPlainPayload);
        }
        let camera_params = match form {
            PayloadForm::Scene => match self.metadata().get(Metadata::CAMERA_PARAMS) {
                None | Some(Value::Null) => None,
                Some(raw) => {
                    nucleus_camera::CameraParams::from_json(raw)
                        .map_err(Error::InvalidCameraParams)?;
                    Some(normalized_camera_params(raw))
                }
            },
            PayloadForm::Plain => None,
        };
        let mut object = Map::with_capacity(8);
        object.insert(
            "reference_id".to_owned(),
            Value::String(self.reference_id().as_str().to_owned()),
        );
        self.write_common_fields(&mut object, Order::Sdk);
        let location = Value::String(self.location().as_str().to_owned());
        match form {
            PayloadForm::Plain => {
                object.insert("image_url".to_owned(), location);
            }
            PayloadForm::Scene => {
                object.insert("url".to_owned(), location);
                object.insert(
                    "type".to_owned(),
                    Value::String(item_type.value().to_owned()),
                );
                if let Some(camera_params) = camera_params {
                    object.insert("camera_params".to_owned(), camera_params);
                }
            }
        }
        object.shift_insert(
            0,
            "metadata".to_owned(),
            Value::Object(self.metadata.into_map()),
        );
        Ok(Value::Object(object))
    }

    /// The SDK's upload payload; see [`DatasetItem::into_payload`].
    ///
    /// # Errors
    ///
    /// As [`DatasetItem::into_payload`].
    pub fn to_payload(&self, form: PayloadForm) -> Result<Value, Error> {
        self.clone().into_payload(form)
    }

    /// `embedding_info`, `width`, `height` when set: in the SDK's order for the payload, in
    /// SPEC.md's table order (size first) for the item JSON.
    fn write_common_fields(&self, object: &mut Map<String, Value>, order: Order) {
        let embedding = self
            .embedding_info()
            .map(|embedding| ("embedding_info".to_owned(), embedding.to_json()));
        if order == Order::Sdk {
            object.extend(embedding.clone());
        }
        if let Some(width) = self.width() {
            object.insert("width".to_owned(), Value::from(width.get()));
        }
        if let Some(height) = self.height() {
            object.insert("height".to_owned(), Value::from(height.get()));
        }
        if order == Order::Canonical {
            object.extend(embedding);
        }
    }
}

/// The SDK's `CameraParams.to_payload()` applied to already validated JSON, keeping each number
/// exactly as written (the SDK keeps Python ints as ints).
fn normalized_camera_params(raw: &Value) -> Value {
    let mut out = Map::with_capacity(13);
    let pick = |name: &str, keys: &[&str]| -> Value {
        let mut object = Map::with_capacity(keys.len());
        for key in keys {
            if let Some(value) = raw.get(name).and_then(|v| v.get(key)) {
                object.insert((*key).to_owned(), value.clone());
            }
        }
        Value::Object(object)
    };
    out.insert("position".to_owned(), pick("position", &["x", "y", "z"]));
    out.insert("heading".to_owned(), pick("heading", &["x", "y", "z", "w"]));
    for key in ["fx", "fy", "cx", "cy"] {
        if let Some(value) = raw.get(key) {
            out.insert(key.to_owned(), value.clone());
        }
    }
    for key in COEFFICIENTS {
        // The SDK writes a coefficient when it is truthy: neither null nor zero.
        if let Some(value) = raw.get(key)
            && value.as_f64().is_some_and(|v| v != 0.0)
        {
            out.insert(key.to_owned(), value.clone());
        }
    }
    if let Some(model) = raw.get("camera_model")
        && model.as_str().is_some_and(|m| !m.is_empty())
    {
        out.insert("camera_model".to_owned(), model.clone());
    }
    Value::Object(out)
}
