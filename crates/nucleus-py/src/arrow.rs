//! Arrow columns in: the rows of a PyArrow string (or binary) array read from its buffers,
//! without a Python object per row.
//!
//! An array's three buffers (validity bitmap, offsets, data) are read through PyArrow's own
//! Python API (`Array.buffers()`, `Buffer.slice`, `Buffer.to_pybytes`): the part of each buffer
//! the array covers is copied once into a `bytes` object (a `memcpy`, a few percent of a check),
//! and the rows are slices of it. No `unsafe`, and no Arrow crate: reading the Arrow C data
//! interface needs either raw pointers or `pyo3-arrow`, which builds arrow 59 (with chrono-tz
//! and arrow-cast) into the wheel, more than the rest of the module together; and the buffer
//! protocol is not in the stable ABI of Python 3.9 that the abi3 wheel targets.
//!
//! Accepted: `pyarrow.Array` of type `string`, `large_string`, `binary` or `large_binary`
//! (the view and dictionary forms are converted first), `pyarrow.ChunkedArray`, a `RecordBatch`
//! or `Table` of one column, and any object with `__arrow_c_array__` (read through
//! `pyarrow.array`). Each row is one line (`nucleus_lines::record_text`); a null row is a
//! blank line: it counts in line numbers, it is not an item.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// One Arrow array's rows: the data it covers, offsets into it, and its validity bits.
struct Chunk<'py> {
    /// The data buffer from the first row's start to the last row's end.
    data: Bound<'py, PyBytes>,
    /// `len + 1` offsets into `data`.
    offsets: Vec<usize>,
    /// The validity bitmap's bytes covering the rows, and the bit of row 0; `None`: no nulls.
    validity: Option<(Bound<'py, PyBytes>, usize)>,
}

/// The rows of an Arrow column, in order, read from its buffers.
pub struct ArrowRows<'py> {
    chunks: Vec<Chunk<'py>>,
}

impl<'py> ArrowRows<'py> {
    /// Reads the buffers of `object` (see the module docs for what it may be).
    pub fn extract(object: &Bound<'py, PyAny>) -> PyResult<ArrowRows<'py>> {
        let mut chunks = Vec::new();
        collect(object, &mut chunks, 0)?;
        Ok(ArrowRows { chunks })
    }

    /// The rows as records: `None` for a null row, else the row's bytes. The slices borrow
    /// from `self`, so the GIL may be released while they are read.
    pub fn records(&self) -> Vec<Option<&[u8]>> {
        let mut records = Vec::with_capacity(self.len());
        for chunk in &self.chunks {
            let data = chunk.data.as_bytes();
            let validity = chunk
                .validity
                .as_ref()
                .map(|(bits, first)| (bits.as_bytes(), *first));
            for (row, pair) in chunk.offsets.windows(2).enumerate() {
                let valid = validity.is_none_or(|(bits, first)| bit(bits, first + row));
                let text = match pair {
                    [start, end] if valid => data.get(*start..*end),
                    _ => None,
                };
                records.push(text);
            }
        }
        records
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.chunks
            .iter()
            .map(|chunk| chunk.offsets.len().saturating_sub(1))
            .sum()
    }
}

/// Whether bit `index` of an Arrow bitmap (least significant bit first) is set.
fn bit(bits: &[u8], index: usize) -> bool {
    bits.get(index / 8)
        .is_some_and(|byte| (byte >> (index % 8)) & 1 == 1)
}

/// How deep conversions may go (a table's chunked column's view array is three).
const MAX_DEPTH: usize = 4;

fn collect<'py>(
    object: &Bound<'py, PyAny>,
    chunks: &mut Vec<Chunk<'py>>,
    depth: usize,
) -> PyResult<()> {
    let py = object.py();
    if depth > MAX_DEPTH {
        return Err(PyTypeError::new_err(
            "expected a pyarrow string array, chunked array or one-column record batch",
        ));
    }
    if object.hasattr("num_columns")? {
        // RecordBatch or Table.
        let n_columns: usize = object.getattr("num_columns")?.extract()?;
        if n_columns != 1 {
            let names = object.getattr("schema")?.getattr("names")?;
            return Err(PyValueError::new_err(format!(
                "a record batch or table of {n_columns} columns {names}: pass the column of JSON \
                 lines, such as batch.column(\"value\")"
            )));
        }
        return collect(&object.call_method1("column", (0,))?, chunks, depth + 1);
    }
    if object.hasattr("chunks")? && object.hasattr("num_chunks")? {
        for chunk in object.getattr("chunks")?.try_iter()? {
            collect(&chunk?, chunks, depth + 1)?;
        }
        return Ok(());
    }
    if !object.hasattr("buffers")? {
        if object.hasattr("__arrow_c_array__")? {
            let array = py.import("pyarrow")?.call_method1("array", (object,))?;
            return collect(&array, chunks, depth + 1);
        }
        return Err(PyTypeError::new_err(format!(
            "expected a pyarrow string array, chunked array or one-column record batch, got {}",
            object.get_type().name()?
        )));
    }
    let type_name = object.getattr("type")?.str()?.to_string();
    let width = match type_name.as_str() {
        "string" | "binary" => 4,
        "large_string" | "large_binary" => 8,
        "string_view" | "binary_view" => {
            let target = if type_name == "string_view" {
                "large_string"
            } else {
                "large_binary"
            };
            let target = py.import("pyarrow")?.call_method0(target)?;
            return collect(&object.call_method1("cast", (target,))?, chunks, depth + 1);
        }
        name if name.starts_with("dictionary<") => {
            return collect(
                &object.call_method0("dictionary_decode")?,
                chunks,
                depth + 1,
            );
        }
        other => {
            return Err(PyTypeError::new_err(format!(
                "expected an Arrow column of strings (string, large_string, binary or \
                 large_binary), got {other}"
            )));
        }
    };
    if let Some(chunk) = read_array(object, width)? {
        chunks.push(chunk);
    }
    Ok(())
}

fn malformed(what: &str) -> PyErr {
    PyValueError::new_err(format!("malformed Arrow array: {what}"))
}

/// `buffer[start..start + length]` as `bytes` (one copy).
fn buffer_bytes<'py>(
    buffer: &Bound<'py, PyAny>,
    start: usize,
    length: usize,
) -> PyResult<Bound<'py, PyBytes>> {
    let size: usize = buffer.getattr("size")?.extract()?;
    if start.checked_add(length).is_none_or(|end| end > size) {
        return Err(malformed(&format!(
            "bytes {start}..{} of a buffer of {size}",
            start.saturating_add(length)
        )));
    }
    Ok(buffer
        .call_method1("slice", (start, length))?
        .call_method0("to_pybytes")?
        .cast_into::<PyBytes>()?)
}

/// The rows of one string or binary array whose offsets are `width` bytes wide.
fn read_array<'py>(array: &Bound<'py, PyAny>, width: usize) -> PyResult<Option<Chunk<'py>>> {
    let py = array.py();
    let len = array.len()?;
    if len == 0 {
        return Ok(None);
    }
    let offset: usize = array.getattr("offset")?.extract()?;
    let null_count: usize = array.getattr("null_count")?.extract()?;
    let buffers: Vec<Option<Bound<'py, PyAny>>> = array.call_method0("buffers")?.extract()?;
    let [validity, offsets, data] = buffers.as_slice() else {
        return Err(malformed(&format!("{} buffers, expected 3", buffers.len())));
    };
    let offsets = offsets
        .as_ref()
        .ok_or_else(|| malformed("no offsets buffer"))?;
    let raw = buffer_bytes(offsets, offset * width, (len + 1) * width)?;
    let absolute: Vec<i64> = raw
        .as_bytes()
        .chunks_exact(width)
        .map(|bytes| match bytes {
            [a, b, c, d] => i64::from(i32::from_ne_bytes([*a, *b, *c, *d])),
            [a, b, c, d, e, f, g, h] => i64::from_ne_bytes([*a, *b, *c, *d, *e, *f, *g, *h]),
            _ => -1,
        })
        .collect();
    let (Some(&first), Some(&last)) = (absolute.first(), absolute.last()) else {
        return Err(malformed("no offsets"));
    };
    if first < 0 || absolute.windows(2).any(|pair| pair.first() > pair.get(1)) {
        return Err(malformed("offsets that are negative or decrease"));
    }
    let start = usize::try_from(first).map_err(|_| malformed("offset out of range"))?;
    let end = usize::try_from(last).map_err(|_| malformed("offset out of range"))?;
    let data = match data {
        Some(data) => buffer_bytes(data, start, end - start)?,
        None if end == start => PyBytes::new(py, b""),
        None => return Err(malformed("no data buffer")),
    };
    let offsets = absolute
        .iter()
        .map(|&at| usize::try_from(at).map(|at| at - start))
        .collect::<Result<Vec<usize>, _>>()
        .map_err(|_| malformed("offset out of range"))?;
    let validity = match validity {
        Some(bitmap) if null_count > 0 => {
            let first_byte = offset / 8;
            let n_bytes = (offset + len).div_ceil(8) - first_byte;
            Some((buffer_bytes(bitmap, first_byte, n_bytes)?, offset % 8))
        }
        _ => None,
    };
    Ok(Some(Chunk {
        data,
        offsets,
        validity,
    }))
}

/// A guard for `update_arrow(array, first_line=N)`: rows are numbered in the order they are
/// given, so `N` must be the state's next line.
pub fn expect_next_line(n_lines: u64, first_line: Option<u64>) -> PyResult<()> {
    match first_line {
        Some(line) if line != n_lines + 1 => Err(PyValueError::new_err(format!(
            "first_line is {line}, but this state has read {n_lines} lines, so its next line is \
             {}: give a partition's batches in order, each once",
            n_lines + 1
        ))),
        _ => Ok(()),
    }
}
