//! `ConflictPlan` and `ConflictReplay`: the second pass that makes a merged `CheckState` exact
//! when partitions disagreed on whether a metadata key holds strings or numbers (see
//! `nucleus_metadata::shard::ConflictReplay`).

use nucleus_metadata::shard::{ConflictPlan, ConflictReplay, ShardCheck};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyType};

use crate::arrow::{ArrowRows, expect_next_line};

fn value_error(error: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(error.to_string())
}

/// The keys whose type conflicts a merge summarised, with the kind the whole dataset decided;
/// what a `ConflictReplay` needs. Small; pickles.
#[pyclass(module = "nucleus_rs", name = "ConflictPlan", frozen)]
pub struct PyConflictPlan {
    plan: ConflictPlan,
}

impl PyConflictPlan {
    pub fn new(plan: ConflictPlan) -> PyConflictPlan {
        PyConflictPlan { plan }
    }
}

#[pymethods]
impl PyConflictPlan {
    /// The keys to list again and the kind the dataset decided for each (`"string"` or
    /// `"number"`).
    #[getter]
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (key, kind) in self.plan.keys() {
            dict.set_item(key, kind.to_string())?;
        }
        Ok(dict)
    }

    /// False when there is nothing to replay.
    fn __bool__(&self) -> bool {
        !self.plan.is_empty()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("ConflictPlan(keys={})", self.keys(py)?.repr()?))
    }

    fn __getnewargs__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyBytes>,)> {
        Ok((PyBytes::new(py, &plan_bytes(&self.plan)?),))
    }

    /// Unpickling: a plan from `__getnewargs__`'s bytes.
    #[new]
    fn from_pickle(state: &[u8]) -> PyResult<PyConflictPlan> {
        let plan = serde_json::from_slice(state).map_err(value_error)?;
        Ok(PyConflictPlan { plan })
    }
}

fn plan_bytes(plan: &ConflictPlan) -> PyResult<Vec<u8>> {
    serde_json::to_vec(plan).map_err(value_error)
}

/// The type conflicts of a run of lines under a `ConflictPlan`: the second pass over a
/// partition, numbered from its own line 1 like a `CheckState`, merged in dataset order.
#[pyclass(module = "nucleus_rs", name = "ConflictReplay")]
pub struct PyConflictReplay {
    replay: ConflictReplay,
}

#[pymethods]
impl PyConflictReplay {
    #[new]
    fn new(plan: &PyConflictPlan) -> PyConflictReplay {
        PyConflictReplay {
            replay: ConflictReplay::new(plan.plan.clone()),
        }
    }

    /// Reads the next lines (an iterable of str), as `CheckState.update` does.
    fn update(&mut self, py: Python<'_>, lines: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut owned = Vec::new();
        for line in lines.try_iter()? {
            owned.push(line?.extract::<String>()?);
        }
        let replay = &mut self.replay;
        py.detach(|| replay.update(owned.iter().map(String::as_str)));
        Ok(())
    }

    /// Reads the next rows of an Arrow string column, as `CheckState.update_arrow` does.
    #[pyo3(signature = (array, *, first_line = None))]
    fn update_arrow(
        &mut self,
        py: Python<'_>,
        array: &Bound<'_, PyAny>,
        first_line: Option<u64>,
    ) -> PyResult<()> {
        expect_next_line(self.replay.n_lines(), first_line)?;
        let rows = ArrowRows::extract(array)?;
        let records = rows.records();
        let replay = &mut self.replay;
        py.detach(|| replay.update_records(records.iter().copied()));
        Ok(())
    }

    /// Appends the replay of the lines right after these (which is left empty).
    fn merge(&mut self, mut later: PyRefMut<'_, PyConflictReplay>) -> PyResult<()> {
        let empty = ConflictReplay::new(later.replay.plan().clone());
        let taken = std::mem::replace(&mut later.replay, empty);
        self.replay.merge(taken).map_err(value_error)
    }

    /// Lines read so far, blank ones included.
    #[getter]
    fn n_lines(&self) -> u64 {
        self.replay.n_lines()
    }

    fn __getstate__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.replay.to_bytes())
    }

    fn __setstate__(&mut self, state: &[u8]) -> PyResult<()> {
        self.replay = ConflictReplay::from_bytes(state).map_err(value_error)?;
        Ok(())
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, (PyConflictPlan,), Bound<'py, PyBytes>)> {
        let this = slf.borrow();
        let plan = PyConflictPlan::new(this.replay.plan().clone());
        Ok((slf.get_type(), (plan,), this.__getstate__(slf.py())))
    }
}

/// `CheckState.apply_replay`: the replay's findings in place of the summaries.
pub fn apply(shard: &mut ShardCheck, replay: &PyConflictReplay) -> PyResult<()> {
    shard
        .apply_replay(replay.replay.clone())
        .map_err(value_error)
}
