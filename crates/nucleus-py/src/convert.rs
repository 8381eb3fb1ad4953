//! Python objects to and from `serde_json::Value`, without a JSON text in between.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// How deep lists and dicts may nest, as the JSON reader allows.
const MAX_DEPTH: usize = 128;

/// Converts a Python value made of `dict` (string keys), `list`, `tuple`, `str`, `int`, `float`,
/// `bool` and `None` into JSON. An object with a `to_payload()` method (the SDK's
/// `CameraParams`, `Point3D`) is converted through it. `pointer` names the value in errors.
pub fn to_value(object: &Bound<'_, PyAny>, pointer: &str) -> PyResult<Value> {
    to_value_at(object, pointer, 0)
}

fn to_value_at(object: &Bound<'_, PyAny>, pointer: &str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "{}: nested deeper than {MAX_DEPTH} levels",
            shown(pointer)
        )));
    }
    if object.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(flag) = object.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if let Ok(int) = object.cast::<PyInt>() {
        if let Ok(small) = int.extract::<i64>() {
            return Ok(Value::from(small));
        }
        if let Ok(large) = int.extract::<u64>() {
            return Ok(Value::from(large));
        }
        return Err(PyValueError::new_err(format!(
            "{}: integer {int} does not fit 64 bits; write it as a float or a string",
            shown(pointer)
        )));
    }
    if let Ok(float) = object.cast::<PyFloat>() {
        let value = float.value();
        return Number::from_f64(value).map(Value::Number).ok_or_else(|| {
            PyValueError::new_err(format!(
                "{}: {value} is not a finite number (JSON has no NaN or Infinity)",
                shown(pointer)
            ))
        });
    }
    if let Ok(text) = object.cast::<PyString>() {
        return Ok(Value::String(text.to_cow()?.into_owned()));
    }
    if let Ok(dict) = object.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(PyTypeError::new_err(format!(
                    "{}: dict keys must be str, found {}",
                    shown(pointer),
                    key.get_type().name()?
                )));
            };
            let key = key.to_cow()?;
            let child = child_pointer(pointer, &key);
            map.insert(key.into_owned(), to_value_at(&value, &child, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if object.cast::<PyList>().is_ok() || object.cast::<PyTuple>().is_ok() {
        let mut values = Vec::new();
        for (idx, value) in object.try_iter()?.enumerate() {
            let child = format!("{pointer}/{idx}");
            values.push(to_value_at(&value?, &child, depth + 1)?);
        }
        return Ok(Value::Array(values));
    }
    if let Some(to_payload) = object.getattr_opt("to_payload")? {
        return to_value_at(&to_payload.call0()?, pointer, depth + 1);
    }
    // NumPy scalars and other numbers that are not int or float subclasses.
    if object.hasattr("__index__")? {
        return to_value_at(&object.call_method0("__index__")?, pointer, depth + 1);
    }
    if object.hasattr("__float__")? {
        return to_value_at(&object.call_method0("__float__")?, pointer, depth + 1);
    }
    Err(PyTypeError::new_err(format!(
        "{}: cannot convert {} to JSON; expected dict, list, str, int, float, bool or None",
        shown(pointer),
        object.get_type().name()?
    )))
}

/// Converts JSON into Python `dict` (in key order), `list`, `str`, `int`, `float`, `bool`, `None`.
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(flag) => PyBool::new(py, *flag).to_owned().into_any(),
        Value::Number(number) => {
            if let Some(int) = number.as_i64() {
                int.into_pyobject(py)?.into_any()
            } else if let Some(int) = number.as_u64() {
                int.into_pyobject(py)?.into_any()
            } else {
                number
                    .as_f64()
                    .unwrap_or(f64::NAN)
                    .into_pyobject(py)?
                    .into_any()
            }
        }
        Value::String(text) => PyString::new(py, text).into_any(),
        Value::Array(values) => {
            let list = PyList::empty(py);
            for value in values {
                list.append(to_python(py, value)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, value) in map {
                dict.set_item(key, to_python(py, value)?)?;
            }
            dict.into_any()
        }
    })
}

fn child_pointer(pointer: &str, key: &str) -> String {
    let mut child = pointer.to_owned();
    nucleus_model::diagnostic::push_pointer_token(&mut child, key);
    child
}

fn shown(pointer: &str) -> &str {
    if pointer.is_empty() {
        "(root)"
    } else {
        pointer
    }
}
