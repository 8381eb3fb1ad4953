//! `nucleus_rs.CameraParams`: projection of NumPy point arrays, without copies, GIL released.

use nucleus_camera::{Cuboid, Point3D, Vector3};
use numpy::{PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use serde_json::{Map, Value};

use crate::convert::{to_python, to_value};

/// A camera's pose, intrinsics and lens model, as stored under `metadata.camera_params`.
#[pyclass(module = "nucleus_rs", name = "CameraParams", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyCameraParams {
    camera: nucleus_camera::CameraParams,
}

#[pymethods]
impl PyCameraParams {
    /// `position` is (x, y, z) or {"x", "y", "z"}, `heading` (x, y, z, w) or {"x", "y", "z",
    /// "w"} (camera → world, Hamilton), or SDK `Point3D`/`Quaternion` objects.
    #[new]
    #[pyo3(signature = (position, heading, fx, fy, cx, cy, *, camera_model = None, k1 = 0.0, k2 = 0.0, k3 = 0.0, k4 = 0.0, p1 = 0.0, p2 = 0.0))]
    #[expect(
        clippy::too_many_arguments,
        reason = "the SDK's CameraParams fields, by keyword"
    )]
    fn new(
        position: &Bound<'_, PyAny>,
        heading: &Bound<'_, PyAny>,
        fx: f64,
        fy: f64,
        cx: f64,
        cy: f64,
        camera_model: Option<&str>,
        k1: f64,
        k2: f64,
        k3: f64,
        k4: f64,
        p1: f64,
        p2: f64,
    ) -> PyResult<PyCameraParams> {
        let mut map = Map::new();
        map.insert(
            "position".to_owned(),
            components(position, &["x", "y", "z"], "/position")?,
        );
        map.insert(
            "heading".to_owned(),
            components(heading, &["x", "y", "z", "w"], "/heading")?,
        );
        for (name, value) in [
            ("fx", fx),
            ("fy", fy),
            ("cx", cx),
            ("cy", cy),
            ("k1", k1),
            ("k2", k2),
            ("k3", k3),
            ("k4", k4),
            ("p1", p1),
            ("p2", p2),
        ] {
            map.insert(name.to_owned(), number(value, name)?);
        }
        if let Some(model) = camera_model {
            map.insert("camera_model".to_owned(), Value::String(model.to_owned()));
        }
        camera_from_value(&Value::Object(map))
    }

    /// Reads the SDK's `camera_params` dict (or an SDK `CameraParams` object).
    #[staticmethod]
    fn from_json(camera_params: &Bound<'_, PyAny>) -> PyResult<PyCameraParams> {
        camera_from_value(&to_value(camera_params, "")?)
    }

    /// The SDK's `camera_params` dict.
    fn to_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.camera.to_json())
    }

    /// Projects world points, an array of shape (N, 3), to pixels, an array of shape (N, 2)
    /// (column u, row v); rows of points that cannot be projected (behind the camera) are NaN.
    /// A C-contiguous float64 array is read in place; anything else is converted first.
    fn project<'py>(
        &self,
        py: Python<'py>,
        points: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let converted;
        let points = match points.extract::<PyReadonlyArray2<'py, f64>>() {
            Ok(array) if array.is_c_contiguous() => array,
            _ => {
                let numpy = py.import("numpy")?;
                converted = numpy.call_method1("ascontiguousarray", (points, "float64"))?;
                converted
                    .extract::<PyReadonlyArray2<'py, f64>>()
                    .map_err(|_| {
                        PyTypeError::new_err("points must be a 2-dimensional array of shape (N, 3)")
                    })?
            }
        };
        let shape = points.shape();
        let (n_points, n_columns) = (
            shape.first().copied().unwrap_or(0),
            shape.get(1).copied().unwrap_or(0),
        );
        if n_columns != 3 {
            return Err(PyValueError::new_err(format!(
                "points must have shape (N, 3), found ({n_points}, {n_columns})"
            )));
        }
        let pixels = PyArray2::<f64>::zeros(py, [n_points, 2], false);
        {
            let mut pixels_view = pixels.readwrite();
            let xyz = points
                .as_slice()
                .map_err(|error| PyValueError::new_err(error.to_string()))?;
            let uv = pixels_view
                .as_slice_mut()
                .map_err(|error| PyValueError::new_err(error.to_string()))?;
            let camera = &self.camera;
            py.detach(|| camera.project_flat_into(xyz, uv))
                .map_err(|error| PyValueError::new_err(error.to_string()))?;
        }
        Ok(pixels)
    }

    /// The eight corners of a cuboid (`position` its centre, `dimensions` length, width,
    /// height, `yaw` in radians about +Z) projected to pixels: an array of shape (8, 2) in the
    /// SDK's corner order, NaN rows for corners behind the camera.
    fn project_cuboid<'py>(
        &self,
        py: Python<'py>,
        position: &Bound<'py, PyAny>,
        dimensions: &Bound<'py, PyAny>,
        yaw: f64,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let position = vector(position, "/position")?;
        let dimensions = vector(dimensions, "/dimensions")?;
        let cuboid = Cuboid::new(position, dimensions, yaw)
            .map_err(|error| PyValueError::new_err(format!("invalid cuboid: {error}")))?;
        let rows: Vec<Vec<f64>> = self
            .camera
            .project_cuboid(&cuboid)
            .iter()
            .map(|pixel| match pixel {
                Some(pixel) => vec![pixel.x, pixel.y],
                None => vec![f64::NAN, f64::NAN],
            })
            .collect();
        PyArray2::from_vec2(py, &rows).map_err(|error| PyValueError::new_err(error.to_string()))
    }

    /// The 3×3 intrinsic matrix K as nested lists.
    fn intrinsic_matrix(&self) -> [[f64; 3]; 3] {
        self.camera.intrinsic_matrix()
    }

    fn __repr__(&self) -> String {
        format!("CameraParams.from_json({})", self.camera.to_json())
    }
}

fn camera_from_value(value: &Value) -> PyResult<PyCameraParams> {
    nucleus_camera::CameraParams::from_json(value)
        .map(|camera| PyCameraParams { camera })
        .map_err(|error| PyValueError::new_err(format!("invalid camera_params: {error}")))
}

/// A point or quaternion given as a sequence, a dict or an object with x, y, z (, w) attributes.
fn components(object: &Bound<'_, PyAny>, names: &[&str], pointer: &str) -> PyResult<Value> {
    let value = to_value(object, pointer);
    let values: Vec<f64> = match value {
        Ok(Value::Object(map)) => return Ok(Value::Object(map)),
        Ok(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_f64().unwrap_or(f64::NAN))
            .collect(),
        _ => names
            .iter()
            .map(|name| object.getattr(*name)?.extract::<f64>())
            .collect::<PyResult<_>>()
            .map_err(|_| {
                PyTypeError::new_err(format!("{pointer}: expected {} numbers", names.len()))
            })?,
    };
    if values.len() != names.len() {
        return Err(PyValueError::new_err(format!(
            "{pointer}: expected {} numbers, found {}",
            names.len(),
            values.len()
        )));
    }
    let mut map = Map::new();
    for (name, value) in names.iter().zip(values) {
        map.insert(
            (*name).to_owned(),
            number(value, &format!("{pointer}/{name}"))?,
        );
    }
    Ok(Value::Object(map))
}

fn vector(object: &Bound<'_, PyAny>, pointer: &str) -> PyResult<Vector3> {
    let value = components(object, &["x", "y", "z"], pointer)?;
    let get = |name: &str| value.get(name).and_then(Value::as_f64);
    match (get("x"), get("y"), get("z")) {
        (Some(x), Some(y), Some(z)) => Ok(Point3D::new(x, y, z)),
        _ => Err(PyValueError::new_err(format!(
            "{pointer}: expected numbers x, y and z"
        ))),
    }
}

fn number(value: f64, name: &str) -> PyResult<Value> {
    serde_json::Number::from_f64(value)
        .map(Value::Number)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "invalid camera_params: /{}: {value} is not finite",
                name.trim_start_matches('/')
            ))
        })
}
