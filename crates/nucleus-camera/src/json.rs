//! Reading numbers and objects out of `serde_json::Value` with pointer-naming errors.

use serde_json::{Map, Value};

use crate::{Error, Vector3};

/// Borrows `value` as an object or says where it is not one.
pub(crate) fn object<'a>(value: &'a Value, pointer: &str) -> Result<&'a Map<String, Value>, Error> {
    value.as_object().ok_or_else(|| Error::NotAnObject {
        pointer: pointer.to_owned(),
        found: value.clone(),
    })
}

/// The value under a required key; `parent` is the pointer of the object holding it.
pub(crate) fn required<'a>(
    map: &'a Map<String, Value>,
    parent: &str,
    field: &'static str,
) -> Result<&'a Value, Error> {
    map.get(field).ok_or_else(|| Error::MissingField {
        pointer: child(parent, field),
        field,
    })
}

/// A required finite number.
pub(crate) fn required_number(
    map: &Map<String, Value>,
    parent: &str,
    field: &'static str,
) -> Result<f64, Error> {
    let value = required(map, parent, field)?;
    // Pointers are built only for errors: this runs for every camera of every item.
    match finite_f64(value) {
        Some(number) => Ok(number),
        None => number(value, &child(parent, field)),
    }
}

/// The value as a finite f64, if it is one.
fn finite_f64(value: &Value) -> Option<f64> {
    value.as_f64().filter(|number| number.is_finite())
}

/// An optional number: absent or `null` reads as 0, as in the SDK.
pub(crate) fn optional_number(
    map: &Map<String, Value>,
    parent: &str,
    field: &'static str,
) -> Result<f64, Error> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(0.0),
        Some(value) => match finite_f64(value) {
            Some(number) => Ok(number),
            None => number(value, &child(parent, field)),
        },
    }
}

/// A finite JSON number. `serde_json` never holds a non-finite number, but the check keeps the
/// invariant local rather than relying on that.
pub(crate) fn number(value: &Value, pointer: &str) -> Result<f64, Error> {
    let Some(number) = value.as_f64() else {
        return Err(Error::NotANumber {
            pointer: pointer.to_owned(),
            found: value.clone(),
        });
    };
    finite(number, pointer)
}

/// `number` itself when finite.
pub(crate) fn finite(number: f64, pointer: &str) -> Result<f64, Error> {
    if number.is_finite() {
        Ok(number)
    } else {
        Err(Error::NonFinite {
            pointer: pointer.to_owned(),
            found: number,
        })
    }
}

/// A required `{x, y, z}` object of finite numbers.
pub(crate) fn required_vector(
    map: &Map<String, Value>,
    parent: &str,
    field: &'static str,
) -> Result<Vector3, Error> {
    let value = required(map, parent, field)?;
    if let Some(inner) = value.as_object()
        && let (Some(x), Some(y), Some(z)) = (
            inner.get("x").and_then(finite_f64),
            inner.get("y").and_then(finite_f64),
            inner.get("z").and_then(finite_f64),
        )
    {
        return Ok(Vector3::new(x, y, z));
    }
    let pointer = child(parent, field);
    let inner = object(value, &pointer)?;
    Ok(Vector3::new(
        required_number(inner, &pointer, "x")?,
        required_number(inner, &pointer, "y")?,
        required_number(inner, &pointer, "z")?,
    ))
}

/// Checks that every component of `vector` is finite.
pub(crate) fn finite_vector(vector: Vector3, pointer: &str) -> Result<Vector3, Error> {
    if vector.x.is_finite() && vector.y.is_finite() && vector.z.is_finite() {
        return Ok(vector);
    }
    finite(vector.x, &child(pointer, "x"))?;
    finite(vector.y, &child(pointer, "y"))?;
    finite(vector.z, &child(pointer, "z"))?;
    Ok(vector)
}

/// `{x, y, z}` as a JSON object.
pub(crate) fn vector_to_json(vector: Vector3) -> Value {
    let mut map = Map::new();
    map.insert("x".to_owned(), Value::from(vector.x));
    map.insert("y".to_owned(), Value::from(vector.y));
    map.insert("z".to_owned(), Value::from(vector.z));
    Value::Object(map)
}

/// The pointer of `field` inside the object at `parent` (keys here never need escaping).
pub(crate) fn child(parent: &str, field: &str) -> String {
    format!("{parent}/{field}")
}
