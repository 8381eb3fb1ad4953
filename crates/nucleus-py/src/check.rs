//! `check`, `profile`, `query` and the mergeable `CheckState` / `ProfileState`.

use std::convert::Infallible;
use std::fs::File;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Duration;

use nucleus::media::{ProbeConfig, Prober, RemoteConfig, Resolver};
use nucleus_insights::ProfileState;
use nucleus_lines::{DEFAULT_MAX_LINE_BYTES, LineText, StreamConfig, record_text};
use nucleus_metadata::ItemRules;
use nucleus_metadata::check::{Check, CheckEvent, CheckSummary};
use nucleus_metadata::shard::ShardCheck;
use nucleus_model::{Diagnostic, FileDiagnostic};
use nucleus_query::{Query, QueryEvent, QueryRun, RunError, SortKey};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyType};

use crate::convert::to_python;

/// The name of lines given in memory, in findings.
pub(crate) const LINES: &str = "<lines>";

/// Where lines come from: a file, or Python strings (one line each).
pub enum Source {
    Path(PathBuf),
    Lines(Vec<String>),
}

impl Source {
    /// A `str` or `os.PathLike` is a path; any other iterable gives lines.
    pub fn extract(object: &Bound<'_, PyAny>) -> PyResult<Source> {
        if object.cast::<PyString>().is_ok() || object.hasattr("__fspath__")? {
            return Ok(Source::Path(object.extract::<PathBuf>()?));
        }
        Ok(Source::Lines(lines(object)?))
    }

    fn name(&self) -> String {
        match self {
            Source::Path(path) => path.display().to_string(),
            Source::Lines(_) => LINES.to_owned(),
        }
    }
}

/// The strings of an iterable of `str`.
pub(crate) fn lines(object: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let mut lines = Vec::new();
    for line in object.try_iter()? {
        lines.push(line?.extract::<String>()?);
    }
    Ok(lines)
}

fn rules(remote_only: bool, require_dimensions: bool) -> ItemRules {
    ItemRules::new()
        .remote_only(remote_only)
        .require_dimensions(require_dimensions)
}

fn jobs(jobs: Option<usize>) -> usize {
    jobs.unwrap_or(0)
}

/// The stream configuration of `jobs` (None: one per core) and `max_line_bytes` (None: the
/// default of `nucleus check`).
pub(crate) fn stream_config(jobs: Option<usize>, max_line_bytes: Option<usize>) -> StreamConfig {
    let config = StreamConfig::default().jobs(self::jobs(jobs));
    match max_line_bytes {
        Some(max_line_bytes) => config.max_line_bytes(max_line_bytes),
        None => config,
    }
}

/// The findings and summary of `check`.
#[pyclass(module = "nucleus_rs", frozen)]
pub struct CheckResult {
    /// One dict per finding, the fields of `nucleus check --format json`.
    #[pyo3(get)]
    diagnostics: Py<PyList>,
    /// The summary of `nucleus check --format json` (items, valid, invalid, errors, warnings,
    /// codes, files, elapsed_seconds, items_per_second, stopped_early).
    #[pyo3(get)]
    summary: Py<PyDict>,
    n_errors: u64,
}

#[pymethods]
impl CheckResult {
    /// True when there is no error (warnings allowed), like exit status 0.
    #[getter]
    fn ok(&self) -> bool {
        self.n_errors == 0
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "CheckResult(ok={}, summary={})",
            if self.ok() { "True" } else { "False" },
            self.summary.bind(py).repr()?
        ))
    }
}

/// The result of a check: `diagnostics` found in `file`, and the summary, as the same
/// [`FileDiagnostic`] and [`CheckSummary`] values the CLI prints.
fn check_result(
    py: Python<'_>,
    diagnostics: &[Diagnostic],
    file: &str,
    summary: &CheckSummary,
) -> PyResult<CheckResult> {
    let findings = diagnostics
        .iter()
        .map(|diagnostic| FileDiagnostic::new(file, diagnostic));
    CheckResult::of(py, findings, summary, summary.errors)
}

impl CheckResult {
    /// A result of `findings` and `summary` (their serde values, the objects the CLI prints
    /// with `--format json`), of a check that found `n_errors` errors.
    pub(crate) fn of<'a>(
        py: Python<'_>,
        findings: impl IntoIterator<Item = FileDiagnostic<'a>>,
        summary: &impl serde::Serialize,
        n_errors: u64,
    ) -> PyResult<CheckResult> {
        let list = PyList::empty(py);
        for found in findings {
            list.append(to_python(py, &json_value(&found)?)?)?;
        }
        let summary_dict = to_python(py, &json_value(summary)?)?
            .cast_into::<PyDict>()
            .map_err(|error| PyValueError::new_err(error.to_string()))?;
        Ok(CheckResult {
            diagnostics: list.unbind(),
            summary: summary_dict.unbind(),
            n_errors,
        })
    }
}

/// `value` as JSON, for [`to_python`].
fn json_value(value: &impl serde::Serialize) -> PyResult<serde_json::Value> {
    serde_json::to_value(value).map_err(|error| PyValueError::new_err(error.to_string()))
}

/// How `check` probes media: `nucleus check --probe-media` and its options.
pub struct MediaOptions {
    pub probe_media: bool,
    pub probe_remote: bool,
    pub media_dir: Option<PathBuf>,
    pub max_side: Option<u64>,
    pub decode: bool,
    pub concurrency: usize,
    pub timeout: f64,
    pub retries: usize,
}

impl MediaOptions {
    /// The prober they ask for, as `nucleus check` builds it: remote locations are read in
    /// `media_dir`, else where they live with `probe_remote` (which implies `probe_media`),
    /// else not at all (counted in the summary's `remote_not_probed`).
    fn prober(&self) -> PyResult<Option<Prober>> {
        if !self.probe_media && !self.probe_remote {
            return Ok(None);
        }
        let resolver = match &self.media_dir {
            Some(dir) => Resolver::with_mirror(dir).map_err(|error| {
                PyOSError::new_err(format!("cannot use media_dir {}: {error}", dir.display()))
            })?,
            None => Resolver::new(),
        };
        let config = ProbeConfig::new()
            .max_side(self.max_side)
            .decode(self.decode);
        let prober = Prober::new(resolver, config);
        if !self.probe_remote || self.media_dir.is_some() {
            return Ok(Some(prober));
        }
        let timeout = Duration::try_from_secs_f64(self.timeout)
            .ok()
            .filter(|timeout| !timeout.is_zero())
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "timeout {} is not a positive number of seconds",
                    self.timeout
                ))
            })?;
        let remote = RemoteConfig::new()
            .concurrency(self.concurrency)
            .timeout(timeout)
            .retries(self.retries);
        prober
            .with_remote(remote)
            .map(Some)
            .map_err(|error| PyOSError::new_err(format!("cannot set up remote reading: {error}")))
    }
}

/// Checks a JSON Lines file (a path) or lines (an iterable of str) like `nucleus check`, and
/// with `probe_media` (`probe_remote`) like `nucleus check --probe-media` (`--probe-remote`).
#[pyfunction]
#[pyo3(signature = (
    path_or_lines, *, remote_only = false, require_dimensions = false, jobs = None,
    max_line_bytes = None, probe_media = false, probe_remote = false, media_dir = None,
    max_side = None, decode = false, concurrency = 32, timeout = 30.0, retries = 3
))]
#[allow(clippy::too_many_arguments)]
pub fn check(
    py: Python<'_>,
    path_or_lines: &Bound<'_, PyAny>,
    remote_only: bool,
    require_dimensions: bool,
    jobs: Option<usize>,
    max_line_bytes: Option<usize>,
    probe_media: bool,
    probe_remote: bool,
    media_dir: Option<PathBuf>,
    max_side: Option<u64>,
    decode: bool,
    concurrency: usize,
    timeout: f64,
    retries: usize,
) -> PyResult<CheckResult> {
    let source = Source::extract(path_or_lines)?;
    let config = stream_config(jobs, max_line_bytes);
    let media = MediaOptions {
        probe_media,
        probe_remote,
        media_dir,
        max_side,
        decode,
        concurrency,
        timeout,
        retries,
    };
    let prober = media.prober()?;
    let mut check = Check::new(rules(remote_only, require_dimensions));
    if let Some(prober) = &prober {
        check = nucleus::media::with_probing(check, prober);
    }
    let name = source.name();
    let mut diagnostics = Vec::new();
    let sink = |event: CheckEvent<'_>| {
        if let CheckEvent::Finding(diagnostic) = event {
            diagnostics.push(diagnostic.clone());
        }
        ControlFlow::Continue(())
    };
    match &source {
        Source::Path(path) => {
            let file = File::open(path).map_err(|error| {
                PyOSError::new_err(format!("cannot open {}: {error}", path.display()))
            })?;
            py.detach(|| check.read(&name, file, &config, sink))
                .map_err(|error| {
                    PyOSError::new_err(format!("cannot read {}: {error}", path.display()))
                })?;
        }
        Source::Lines(lines) => py.detach(|| {
            check.read_lines(&name, lines.iter().map(String::as_str), &config, sink);
        }),
    }
    // Type conflicts and mixed kinds need the whole dataset: they come last, in line order.
    let mut summary = check.finish_with(|_, diagnostic| {
        diagnostics.push(diagnostic.clone());
        ControlFlow::Continue(())
    });
    summary.remote_not_probed = prober.as_ref().map(Prober::remote_not_probed);
    check_result(py, &diagnostics, &name, &summary)
}

/// The check of one shard of a dataset, mergeable with the shards after it.
///
/// `update(lines)` checks the next lines of this shard in order; `merge(later)` appends the
/// state of the shard that comes right after this one (shards must be merged in dataset order:
/// line numbers count on across shards); `finish()` gives the `CheckResult`: exactly that of
/// `check` on the lines in that order, whatever the shards.
#[pyclass(module = "nucleus_rs")]
pub struct CheckState {
    shard: ShardCheck,
    /// How `update` reads lines (not pickled: a setting of this process, like `jobs`).
    config: StreamConfig,
}

#[pymethods]
impl CheckState {
    #[new]
    #[pyo3(signature = (*, remote_only = false, require_dimensions = false, jobs = None, max_line_bytes = None))]
    fn new(
        remote_only: bool,
        require_dimensions: bool,
        jobs: Option<usize>,
        max_line_bytes: Option<usize>,
    ) -> CheckState {
        CheckState {
            shard: ShardCheck::new(rules(remote_only, require_dimensions)),
            config: stream_config(Some(jobs.unwrap_or(1)), max_line_bytes),
        }
    }

    /// Checks the next lines (an iterable of str, one line each) of this shard, by the rules of
    /// a file: a final newline is the line's ending, a byte order mark before the first line is
    /// skipped, blank lines count but are not items, an over-long line is a finding.
    fn update(&mut self, py: Python<'_>, lines: &Bound<'_, PyAny>) -> PyResult<()> {
        let lines = self::lines(lines)?;
        let config = &self.config;
        let shard = &mut self.shard;
        py.detach(|| shard.update_lines(lines.iter().map(String::as_str), config));
        Ok(())
    }

    /// Checks the next rows of this shard from an Arrow column of JSON lines (see
    /// `crate::arrow`); `first_line`, when given, must be the state's next line.
    #[pyo3(signature = (array, *, first_line = None))]
    fn update_arrow(
        &mut self,
        py: Python<'_>,
        array: &Bound<'_, PyAny>,
        first_line: Option<u64>,
    ) -> PyResult<()> {
        crate::arrow::expect_next_line(self.shard.n_lines(), first_line)?;
        let rows = crate::arrow::ArrowRows::extract(array)?;
        let records = rows.records();
        let (shard, jobs) = (&mut self.shard, self.config.n_threads());
        py.detach(|| {
            if jobs == 1 {
                shard.update_records(records.iter().copied());
            } else {
                shard.update_records_parallel(&records, jobs);
            }
        });
        Ok(())
    }

    /// Appends the state of the next shard (which is left empty).
    fn merge(&mut self, mut later: PyRefMut<'_, CheckState>) {
        let later = std::mem::take(&mut later.shard);
        self.shard.merge(later);
    }

    /// Lines seen so far, blank ones included.
    #[getter]
    fn n_lines(&self) -> u64 {
        self.shard.n_lines()
    }

    /// The findings and summary of every line merged so far.
    fn finish(&self, py: Python<'_>) -> PyResult<CheckResult> {
        let report = py.detach(|| self.shard.finish());
        check_result(py, &report.diagnostics, LINES, &report.summary)
    }

    /// Pickling (Spark, Dask and Ray send states between processes): the state as bytes.
    fn __getstate__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.shard.to_bytes())
    }

    fn __setstate__(&mut self, state: &[u8]) -> PyResult<()> {
        self.shard = ShardCheck::from_bytes(state)
            .map_err(|error| PyValueError::new_err(error.to_string()))?;
        Ok(())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (), Bound<'py, PyBytes>) {
        (slf.get_type(), (), slf.borrow().__getstate__(slf.py()))
    }
}

/// A pickled `ProfileState`: lines consumed, non-blank lines, invalid lines, the state's bytes.
type ProfilePickle<'py> = (u64, u64, u64, Bound<'py, PyBytes>);

/// The profile of one shard of a dataset (Insights), mergeable with the shards after it.
///
/// `update(lines)` profiles the next lines of this shard; `merge(later)` appends the state of
/// the shard right after this one (its lines count on from this one's); `finish()` gives the
/// profile dict. States pickle, so they travel back from Spark, Dask and Ray workers.
#[pyclass(module = "nucleus_rs", name = "ProfileState")]
pub struct PyProfileState {
    state: ProfileState,
    rules: ItemRules,
    /// Lines consumed, blank ones included: the next line's number is `n_lines + 1`.
    n_lines: u64,
    /// Non-blank lines: what the profile reports as `n_lines`, as `profile(path)` does.
    n_nonblank: u64,
    n_invalid: u64,
}

#[pymethods]
impl PyProfileState {
    #[new]
    fn new() -> PyProfileState {
        PyProfileState {
            state: ProfileState::new(),
            rules: ItemRules::new(),
            n_lines: 0,
            n_nonblank: 0,
            n_invalid: 0,
        }
    }

    /// Profiles the next lines (an iterable of str) of this shard; invalid lines are counted.
    fn update(&mut self, py: Python<'_>, lines: &Bound<'_, PyAny>) -> PyResult<()> {
        let lines = self::lines(lines)?;
        py.detach(|| self.observe_records(lines.iter().map(|text| Some(text.as_bytes()))));
        Ok(())
    }

    /// Profiles the next rows of this shard from an Arrow column of JSON lines (see
    /// `crate::arrow`); `first_line`, when given, must be the state's next line.
    #[pyo3(signature = (array, *, first_line = None))]
    fn update_arrow(
        &mut self,
        py: Python<'_>,
        array: &Bound<'_, PyAny>,
        first_line: Option<u64>,
    ) -> PyResult<()> {
        crate::arrow::expect_next_line(self.n_lines, first_line)?;
        let rows = crate::arrow::ArrowRows::extract(array)?;
        let records = rows.records();
        py.detach(|| self.observe_records(records.iter().copied()));
        Ok(())
    }

    /// Appends the state of the next shard (which is left empty).
    fn merge(&mut self, mut later: PyRefMut<'_, PyProfileState>) {
        let mut state = std::mem::take(&mut later.state);
        // The profile orders keys by first line: the later shard's lines count on from ours.
        state.shift_lines(self.n_lines);
        self.state.merge(state);
        self.n_lines += std::mem::take(&mut later.n_lines);
        self.n_nonblank += std::mem::take(&mut later.n_nonblank);
        self.n_invalid += std::mem::take(&mut later.n_invalid);
    }

    /// The profile as a dict (the shape of `nucleus profile --format json`).
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let profile = self.state.finish();
        profile_dict(py, &profile, self.n_nonblank, self.n_invalid)
    }

    /// Pickling (Spark, Dask and Ray send states between processes): the line counts and the
    /// state as bytes.
    fn __getstate__<'py>(&self, py: Python<'py>) -> ProfilePickle<'py> {
        let bytes = py.detach(|| self.state.to_bytes());
        (
            self.n_lines,
            self.n_nonblank,
            self.n_invalid,
            PyBytes::new(py, &bytes),
        )
    }

    fn __setstate__(&mut self, state: ProfilePickle<'_>) -> PyResult<()> {
        let (n_lines, n_nonblank, n_invalid, bytes) = state;
        self.state = ProfileState::from_bytes(bytes.as_bytes())
            .map_err(|error| PyValueError::new_err(error.to_string()))?;
        self.n_lines = n_lines;
        self.n_nonblank = n_nonblank;
        self.n_invalid = n_invalid;
        Ok(())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyType>, (), ProfilePickle<'py>) {
        (slf.get_type(), (), slf.borrow().__getstate__(slf.py()))
    }
}

impl PyProfileState {
    /// Profiles the next records (a line each, `None` a null row: blank), read by the line rules
    /// of a file (`nucleus_lines::record_text`).
    fn observe_records<'a>(&mut self, records: impl IntoIterator<Item = Option<&'a [u8]>>) {
        for record in records {
            self.n_lines += 1;
            let Some(raw) = record else {
                continue;
            };
            match record_text(self.n_lines, raw, DEFAULT_MAX_LINE_BYTES) {
                LineText::Blank => {}
                LineText::Text(text) => {
                    self.n_nonblank += 1;
                    match self.rules.check_line(text).item {
                        Some(item) => self.state.observe_at(self.n_lines, &item),
                        None => self.n_invalid += 1,
                    }
                }
                LineText::Unreadable(_) => {
                    self.n_nonblank += 1;
                    self.n_invalid += 1;
                }
            }
        }
    }
}

fn profile_dict<'py>(
    py: Python<'py>,
    profile: &nucleus_insights::Profile,
    n_lines: u64,
    n_invalid: u64,
) -> PyResult<Bound<'py, PyAny>> {
    let value: serde_json::Value = serde_json::from_str(&profile.to_json())
        .map_err(|error| PyValueError::new_err(error.to_string()))?;
    let result = to_python(py, &value)?;
    if let Ok(dict) = result.cast::<PyDict>() {
        dict.set_item("n_lines", n_lines)?;
        dict.set_item("n_invalid", n_invalid)?;
    }
    Ok(result)
}

/// Profiles a JSON Lines file (a path) or lines: the Insights page as a dict.
#[pyfunction]
#[pyo3(signature = (path_or_lines, *, jobs = None))]
pub fn profile<'py>(
    py: Python<'py>,
    path_or_lines: &Bound<'py, PyAny>,
    jobs: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    match Source::extract(path_or_lines)? {
        Source::Path(path) => {
            let file = File::open(&path).map_err(|error| {
                PyOSError::new_err(format!("cannot open {}: {error}", path.display()))
            })?;
            let config = StreamConfig::default().jobs(self::jobs(jobs));
            let rules = ItemRules::new();
            let run = py
                .detach(|| {
                    nucleus_insights::profile_reader(file, &config, |text| rules.check_line(text))
                })
                .map_err(|error| {
                    PyOSError::new_err(format!("cannot read {}: {error}", path.display()))
                })?;
            profile_dict(py, &run.profile, run.n_lines, run.n_invalid)
        }
        Source::Lines(lines) => {
            let mut state = PyProfileState::new();
            state.update(py, &PyList::new(py, lines)?.into_any())?;
            state.finish(py)
        }
    }
}

/// Iterator over the items a query selected (dicts, in file order or sorted).
#[pyclass(module = "nucleus_rs")]
pub struct QueryIter {
    lines: std::vec::IntoIter<String>,
}

#[pymethods]
impl QueryIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(line) = self.lines.next() else {
            return Ok(None);
        };
        let value = nucleus_model::json::parse(&line)
            .map_err(|error| PyValueError::new_err(error.to_string()))?;
        to_python(py, &value).map(Some)
    }

    fn __len__(&self) -> usize {
        self.lines.len()
    }
}

/// Selects the items of a JSON Lines file matching a query-bar expression, optionally sorted
/// by `metadata.KEY` (or `-metadata.KEY`, descending). Invalid lines are skipped. Raises
/// ValueError, with a caret under the column, for a malformed expression.
#[pyfunction]
#[pyo3(signature = (path, expr, sort = None, *, jobs = None))]
pub fn query(
    py: Python<'_>,
    path: PathBuf,
    expr: &str,
    sort: Option<&str>,
    jobs: Option<usize>,
) -> PyResult<QueryIter> {
    let query = Query::parse(expr)
        .map_err(|error| PyValueError::new_err(format!("invalid query\n{}", error.render(expr))))?;
    let sort = sort
        .map(|source| {
            SortKey::parse(source).map_err(|error| {
                PyValueError::new_err(format!("invalid sort\n{}", error.render(source)))
            })
        })
        .transpose()?;
    let file = File::open(&path)
        .map_err(|error| PyOSError::new_err(format!("cannot open {}: {error}", path.display())))?;
    let config = StreamConfig::default().jobs(self::jobs(jobs));
    let run = QueryRun::new(query).sorted_by(sort);
    let matches = py.detach(|| {
        let mut matches: Vec<String> = Vec::new();
        run.run(file, &config, |event| {
            if let QueryEvent::Match { text, .. } = event {
                matches.push(text);
            }
            Ok::<(), Infallible>(())
        })
        .map(|_| matches)
    });
    let matches = matches.map_err(|error| match error {
        RunError::Read(error) => {
            PyOSError::new_err(format!("cannot read {}: {error}", path.display()))
        }
        other => PyOSError::new_err(other.to_string()),
    })?;
    Ok(QueryIter {
        lines: matches.into_iter(),
    })
}
