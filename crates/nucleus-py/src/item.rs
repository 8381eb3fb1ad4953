//! `nucleus_rs.DatasetItem`: the SDK's method names over `nucleus_model::DatasetItem`.

use nucleus_model::{DatasetItemType, Diagnostic, PayloadForm, read_item};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde_json::{Map, Value};

use crate::convert::{to_python, to_value};

/// A validated Nucleus dataset item: exactly one location, a non-empty reference id, metadata.
#[pyclass(module = "nucleus_rs", name = "DatasetItem", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyDatasetItem {
    item: nucleus_model::DatasetItem,
}

#[pymethods]
impl PyDatasetItem {
    /// Reads an item from a dict (or a JSON string) with the SDK's aliases (`image_url`, `url`,
    /// …); raises ValueError listing every error.
    #[staticmethod]
    fn from_json(payload: &Bound<'_, PyAny>) -> PyResult<PyDatasetItem> {
        let value = if let Ok(text) = payload.cast::<PyString>() {
            nucleus_model::json::parse(&text.to_cow()?)
                .map_err(|error| PyValueError::new_err(format!("invalid JSON: {error}")))?
        } else {
            to_value(payload, "")?
        };
        from_value(value)
    }

    /// Converts an SDK `nucleus.DatasetItem` (or any object with its attributes).
    #[staticmethod]
    fn from_sdk(item: &Bound<'_, PyAny>) -> PyResult<PyDatasetItem> {
        let mut map = Map::new();
        for (attribute, key) in [
            ("image_location", "image_location"),
            ("pointcloud_location", "pointcloud_location"),
            ("reference_id", "reference_id"),
            ("metadata", "metadata"),
            ("width", "width"),
            ("height", "height"),
            ("embedding_info", "embedding_info"),
            ("phash", "phash"),
            ("dataset_item_id", "dataset_item_id"),
        ] {
            if let Some(value) = item.getattr_opt(attribute)?
                && !value.is_none()
            {
                map.insert(key.to_owned(), to_value(&value, &format!("/{key}"))?);
            }
        }
        from_value(Value::Object(map))
    }

    /// The upload payload, as the SDK's `to_payload(is_scene)` writes it.
    #[pyo3(signature = (is_scene = None))]
    fn to_payload<'py>(
        &self,
        py: Python<'py>,
        is_scene: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let form = match is_scene {
            Some(true) => PayloadForm::Scene,
            Some(false) => PayloadForm::Plain,
            None => PayloadForm::default_for(self.item.item_type()),
        };
        let payload = self
            .item
            .to_payload(form)
            .map_err(|error| PyValueError::new_err(error.to_string()))?;
        to_python(py, &payload)
    }

    /// The canonical item JSON as a string (one JSON Lines line; `from_json` reads it back).
    fn to_json(&self) -> String {
        self.item.to_json().to_string()
    }

    /// The canonical item as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.item.to_json())
    }

    /// `"image"` or `"pointcloud"`.
    #[getter]
    fn r#type(&self) -> &'static str {
        match self.item.item_type() {
            DatasetItemType::Image => "image",
            DatasetItemType::Pointcloud => "pointcloud",
        }
    }

    #[getter]
    fn reference_id(&self) -> &str {
        self.item.reference_id().as_str()
    }

    #[getter]
    fn image_location(&self) -> Option<&str> {
        self.item.image_location().map(|location| location.as_str())
    }

    #[getter]
    fn pointcloud_location(&self) -> Option<&str> {
        self.item
            .pointcloud_location()
            .map(|location| location.as_str())
    }

    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (key, value) in self.item.metadata() {
            dict.set_item(key, to_python(py, value)?)?;
        }
        Ok(dict)
    }

    #[getter]
    fn width(&self) -> Option<u64> {
        self.item.width().map(u64::from)
    }

    #[getter]
    fn height(&self) -> Option<u64> {
        self.item.height().map(u64::from)
    }

    fn __repr__(&self) -> String {
        format!("DatasetItem.from_json({})", self.to_json())
    }
}

fn from_value(value: Value) -> PyResult<PyDatasetItem> {
    let reading = read_item(value);
    match reading.item {
        Some(item) => Ok(PyDatasetItem { item }),
        None => {
            let errors: Vec<String> = reading
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(Diagnostic::to_string)
                .collect();
            Err(PyValueError::new_err(format!(
                "not a valid dataset item: {}",
                errors.join("; ")
            )))
        }
    }
}
