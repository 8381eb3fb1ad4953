//! `check_annotations`: annotation and prediction files checked against the items, through
//! `nucleus_annotation::check::AnnotationCheck` (the driver of `nucleus check --annotations`).

use std::fs::File;
use std::io::{Cursor, Read};
use std::ops::ControlFlow;
use std::path::PathBuf;

use nucleus_annotation::Role;
use nucleus_annotation::check::{AnnotationCheck, ItemIndex};
use nucleus_model::{Diagnostic, FileDiagnostic};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::check::{CheckResult, LINES, lines, stream_config};

/// A reader of one input, as the driver takes it.
type Reader = Box<dyn Read + Send>;

/// The inputs of one argument: files, or lines given in memory.
enum Sources {
    Paths(Vec<PathBuf>),
    Lines(Vec<String>),
}

impl Sources {
    /// A `str` or `os.PathLike` is one file; a non-empty list or tuple of `os.PathLike` (such as
    /// `pathlib.Path`) is several; any other iterable gives lines (`str`, one line each).
    fn extract(object: &Bound<'_, PyAny>) -> PyResult<Sources> {
        if object.cast::<PyString>().is_ok() || object.hasattr("__fspath__")? {
            return Ok(Sources::Paths(vec![object.extract::<PathBuf>()?]));
        }
        let elements: Option<Vec<Bound<'_, PyAny>>> = if let Ok(list) = object.cast::<PyList>() {
            Some(list.iter().collect())
        } else if let Ok(tuple) = object.cast::<PyTuple>() {
            Some(tuple.iter().collect())
        } else {
            None
        };
        if let Some(elements) = elements
            && !elements.is_empty()
            && elements
                .iter()
                .all(|element| element.hasattr("__fspath__").unwrap_or(false))
        {
            let paths = elements
                .iter()
                .map(|element| element.extract::<PathBuf>())
                .collect::<PyResult<Vec<_>>>()?;
            return Ok(Sources::Paths(paths));
        }
        Ok(Sources::Lines(lines(object)?))
    }

    /// Each input's name (the path as given, or `<lines>`) and reader. Lines are read as a
    /// file of those lines: each one's own final newline, if any, is its ending.
    fn open(self) -> PyResult<Vec<(String, Reader)>> {
        match self {
            Sources::Paths(paths) => paths
                .into_iter()
                .map(|path| {
                    let file = File::open(&path).map_err(|error| {
                        PyOSError::new_err(format!("cannot open {}: {error}", path.display()))
                    })?;
                    Ok((path.display().to_string(), Box::new(file) as Reader))
                })
                .collect(),
            Sources::Lines(lines) => {
                let mut text = String::new();
                for line in &lines {
                    text.push_str(line.strip_suffix('\n').unwrap_or(line));
                    text.push('\n');
                }
                Ok(vec![(
                    LINES.to_owned(),
                    Box::new(Cursor::new(text.into_bytes())) as Reader,
                )])
            }
        }
    }
}

fn open(object: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, Reader)>> {
    match object {
        Some(object) => Sources::extract(object)?.open(),
        None => Ok(Vec::new()),
    }
}

/// Checks annotation and prediction files (or lines) like `nucleus check --annotations
/// ANNOTATIONS --predictions PREDICTIONS --items ITEMS`.
#[pyfunction]
#[pyo3(signature = (annotations = None, *, predictions = None, items = None, jobs = None, max_line_bytes = None, max_errors = None))]
#[allow(clippy::too_many_arguments)]
pub fn check_annotations(
    py: Python<'_>,
    annotations: Option<&Bound<'_, PyAny>>,
    predictions: Option<&Bound<'_, PyAny>>,
    items: Option<&Bound<'_, PyAny>>,
    jobs: Option<usize>,
    max_line_bytes: Option<usize>,
    max_errors: Option<u64>,
) -> PyResult<CheckResult> {
    if annotations.is_none() && predictions.is_none() {
        return Err(PyValueError::new_err(
            "give annotations or predictions (or both)",
        ));
    }
    let stream = stream_config(jobs, max_line_bytes);
    let items = match items {
        Some(items) => Some(open(Some(items))?),
        None => None,
    };
    let inputs = [
        (Role::Annotation, open(annotations)?),
        (Role::Prediction, open(predictions)?),
    ];
    let (findings, summary) = py
        .detach(|| {
            let index = items
                .map(|items| {
                    ItemIndex::read(items.into_iter().map(|(_, reader)| reader), &stream)
                        .map_err(|error| format!("cannot read the items: {error}"))
                })
                .transpose()?;
            let mut check = AnnotationCheck::new(index, stream).max_errors(max_errors);
            let mut findings: Vec<(String, Diagnostic)> = Vec::new();
            for (role, inputs) in inputs {
                check
                    .read(role, inputs, |file, diagnostic| {
                        findings.push((file.to_owned(), diagnostic.clone()));
                        ControlFlow::Continue(())
                    })
                    .map_err(|error| format!("cannot read the annotation files: {error}"))?;
            }
            Ok::<_, String>((findings, check.finish()))
        })
        .map_err(PyOSError::new_err)?;
    let found = findings
        .iter()
        .map(|(file, diagnostic)| FileDiagnostic::new(file, diagnostic));
    CheckResult::of(py, found, &summary, summary.errors)
}
