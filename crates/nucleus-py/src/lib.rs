//! Python bindings of nucleus-rs: the module `nucleus_rs`, built with maturin.
//!
//! `check`, `profile` and `query` read JSON Lines on all cores with the GIL released;
//! `DatasetItem` mirrors the SDK's `from_json` / `to_payload` / `to_json`; `CameraParams.project`
//! projects NumPy arrays in place of `cv2.projectPoints`; `CheckState` and `ProfileState` are
//! mergeable per-shard states for Spark, Dask and Ray. The Python API is documented in
//! `nucleus_rs.pyi` and the README; the logic lives in the other crates, this one only converts.

mod annotation;
mod arrow;
mod camera;
mod check;
mod convert;
mod item;

use pyo3::prelude::*;

/// Rust's allocations in this module (items built on worker threads, freed on the calling
/// thread) go to mimalloc, as in the CLI: with glibc malloc `check` ran 2.5 times slower on one
/// thread. Python objects still use Python's allocator; nothing is freed across the two.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Check, profile, query and project Scale AI Nucleus dataset items at Rust speed.
///
/// The native part of the package `nucleus_rs` (`python/nucleus_rs/__init__.py` re-exports
/// it; the engine helpers `nucleus_rs.spark`, `.ray` and `.dask` are Python). Classes say
/// `module = "nucleus_rs"`, so they pickle under the package's names.
#[pymodule]
#[pyo3(name = "_native")]
fn nucleus_rs(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_function(wrap_pyfunction!(check::check, module)?)?;
    module.add_function(wrap_pyfunction!(annotation::check_annotations, module)?)?;
    module.add_function(wrap_pyfunction!(check::profile, module)?)?;
    module.add_function(wrap_pyfunction!(check::query, module)?)?;
    module.add_class::<check::CheckResult>()?;
    module.add_class::<check::CheckState>()?;
    module.add_class::<check::PyProfileState>()?;
    module.add_class::<check::QueryIter>()?;
    module.add_class::<item::PyDatasetItem>()?;
    module.add_class::<camera::PyCameraParams>()?;
    Ok(())
}
