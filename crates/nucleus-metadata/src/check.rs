//! The `check` driver that `nucleus check` and Python's `check` both run, and the one summary
//! they print.
//!
//! [`Check`] reads inputs (files or other readers with [`Check::read`], lines held in memory
//! with [`Check::read_lines`]) through [`nucleus_lines`]: each line is checked on the worker
//! threads — the fast path ([`ItemRules::check_line_fast`]) first and the full reading when it is
//! unsure, or the scene rules ([`ItemRules::check_scene_line`]) with [`Check::scenes`] — and
//! then, on the calling thread in line order, the dataset rules ([`DatasetState`]) run over its
//! items (a scene's items keep their pointers below `/frames/INDEX[/SENSOR]`). Every finding is
//! handed to the caller as a [`CheckEvent::Finding`], placed on its line, and counted in the
//! [`CheckSummary`] that [`Check::finish_with`] returns. Type conflicts and mixed kinds need the
//! whole dataset (the kind held by more items decides): [`Check::finish_with`] hands them over
//! after every other finding, in line order. Findings of higher crates (the schema
//! cross-check, local point-cloud files) join through [`Check::with_hook`].
//!
//! ```
//! use std::ops::ControlFlow;
//! use nucleus_lines::StreamConfig;
//! use nucleus_metadata::ItemRules;
//! use nucleus_metadata::check::{Check, CheckEvent};
//!
//! let lines = [
//!     r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"w": "rain"}}"#,
//!     "",
//!     r#"{"image_location": "s3://b/2.jpg", "reference_id": "1", "metadata": {"w": 3}}"#,
//! ];
//! let mut check = Check::new(ItemRules::new());
//! let mut found = Vec::new();
//! check.read_lines("<lines>", lines, &StreamConfig::default(), |event| {
//!     if let CheckEvent::Finding(diagnostic) = event {
//!         found.push((diagnostic.line, diagnostic.code.as_str()));
//!     }
//!     ControlFlow::Continue(())
//! });
//! assert_eq!(found, [(Some(3), "duplicate-reference-id")]);
//! // A tie between the string and the number: the kind seen first (strings) decides.
//! let summary = check.finish_with(|_input, diagnostic| {
//!     found.push((diagnostic.line, diagnostic.code.as_str()));
//!     ControlFlow::Continue(())
//! });
//! assert_eq!(found[1], (Some(3), "type-conflict"));
//! assert_eq!((summary.items, summary.valid, summary.invalid, summary.errors), (2, 1, 1, 2));
//! assert_eq!(summary.type_conflicts[0].key, "w");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::{self, Read};
use std::ops::ControlFlow;
use std::time::Instant;

use nucleus_lines::{Event, StreamConfig, for_each_line, for_each_text_line};
use nucleus_model::read::ItemReading;
use nucleus_model::scene::SceneReading;
use nucleus_model::{DatasetItem, DatasetItemType, Diagnostic, KindSchema, Severity};
use serde::Serialize;

use crate::{CleanItem, DatasetState, ItemRules, KeyConflict, LineCheck, Position};

/// Findings a higher crate adds to each line, run on the worker threads: given the line's text
/// and the items read from it (none on the fast path; see [`Check::full_reading`]).
pub type LineHook<'h> = dyn Fn(&str, &[LineItem<'_>]) -> HookFindings + Send + Sync + 'h;

/// What a [`LineHook`] adds to a line: findings found at once, or findings still being found.
///
/// A pending line is waited for on the calling thread when its turn comes, in line order, while
/// the workers go on with the next lines: so work that mostly waits (files fetched over the
/// network) runs for many lines at once, and findings keep their order. The lines in flight are
/// bounded by the driver's batches, as every line's result is.
pub enum HookFindings {
    /// Found on the worker thread.
    Ready(Vec<Diagnostic>),
    /// Still being found: the function waits for them (on the calling thread).
    Pending(Box<dyn FnOnce() -> Vec<Diagnostic> + Send>),
}

impl HookFindings {
    /// The findings, waiting for them when they are pending.
    #[must_use]
    pub fn wait(self) -> Vec<Diagnostic> {
        match self {
            HookFindings::Ready(findings) => findings,
            HookFindings::Pending(pending) => pending(),
        }
    }

    /// `first`, then these findings (still pending when these are).
    #[must_use]
    pub fn after(self, first: Vec<Diagnostic>) -> HookFindings {
        HookFindings::Ready(first).then(self)
    }

    /// These findings, then `next`'s (pending when either is: both are waited for in turn).
    #[must_use]
    pub fn then(self, next: HookFindings) -> HookFindings {
        match (self, next) {
            (HookFindings::Ready(mut first), HookFindings::Ready(next)) => {
                first.extend(next);
                HookFindings::Ready(first)
            }
            (HookFindings::Ready(first), next) if first.is_empty() => next,
            (first, next) => HookFindings::Pending(Box::new(move || {
                let mut findings = first.wait();
                findings.extend(next.wait());
                findings
            })),
        }
    }
}

impl From<Vec<Diagnostic>> for HookFindings {
    fn from(findings: Vec<Diagnostic>) -> HookFindings {
        HookFindings::Ready(findings)
    }
}

impl fmt::Debug for HookFindings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HookFindings::Ready(findings) => f.debug_tuple("Ready").field(findings).finish(),
            HookFindings::Pending(_) => f.write_str("Pending(..)"),
        }
    }
}

/// An item of a line, as a [`LineHook`] sees it: where it is in the line and which key its
/// location was read from, so that the hook's findings can point at it.
#[derive(Debug, Clone, Copy)]
pub struct LineItem<'a> {
    /// The JSON pointer of the item in the line: `""` for an item line, `/frames/0/cam` for a
    /// scene's item.
    pub pointer: &'a str,
    /// The top-level key of the item the location was read from (`image_location`,
    /// `image_url`, `pointcloud_location`...).
    pub location_key: &'static str,
    /// The item.
    pub item: &'a DatasetItem,
}

/// The check of a dataset, input after input; see the module docs.
pub struct Check<'h> {
    lines: LineChecker<'h>,
    tally: Tally,
    started: Instant,
}

/// What [`Check`] hands to its caller, in line order.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum CheckEvent<'a> {
    /// A finding, placed on its line.
    Finding(&'a Diagnostic),
    /// Bytes of the current input consumed so far, for a progress bar.
    Progress(u64),
}

/// The findings and totals of a check of lines in memory or of merged shards
/// ([`crate::shard::ShardCheck::finish`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CheckReport {
    /// Every finding, ordered by line.
    pub diagnostics: Vec<Diagnostic>,
    /// The totals.
    pub summary: CheckSummary,
}

/// The totals of a check: the `summary` object of `nucleus check --format json` and the
/// `summary` dict of Python's `CheckResult`, field for field.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CheckSummary {
    /// Non-blank lines checked (a line is one item, or one scene with `--scenes`).
    pub items: u64,
    /// Lines without an error finding.
    pub valid: u64,
    /// Lines with at least one error finding. When a key has more than
    /// [`nucleus_model::LISTED_PER_KEY`] items of a kind in conflict, those not listed are
    /// counted in `errors`, but only the line of the finding that counts them is invalid here.
    pub invalid: u64,
    /// Error findings (a finding that counts the type conflicts not listed counts for every
    /// one of them).
    pub errors: u64,
    /// Warning findings.
    pub warnings: u64,
    /// Findings per code, by name.
    pub codes: BTreeMap<&'static str, u64>,
    /// The keys that hold both strings and numbers, with how many items hold each kind, in
    /// the order keys were first seen.
    pub type_conflicts: Vec<KeyConflict>,
    /// The files read, in order (lines given in memory are not a file).
    pub files: Vec<String>,
    /// Wall time from the start of the check to [`Check::finish`].
    pub elapsed_seconds: f64,
    /// `items / elapsed_seconds` (0 when no time passed).
    pub items_per_second: f64,
    /// Whether the check stopped at [`Check::max_errors`] before the end of its inputs.
    pub stopped_early: bool,
    /// Remote locations that media probing left unread (no mirror maps them and reading them
    /// where they live was not asked for), set by the caller that probed media (`nucleus
    /// check --probe-media`); absent when media were not probed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote_not_probed: Option<u64>,
}

impl CheckSummary {
    /// Counts `n` findings like `diagnostic` (a merged shard's finding may stand for several).
    pub fn count(&mut self, diagnostic: &Diagnostic, n: u64) {
        match diagnostic.severity {
            Severity::Error => self.errors += n,
            Severity::Warning => self.warnings += n,
        }
        *self.codes.entry(diagnostic.code.as_str()).or_default() += n;
    }

    /// Sets the elapsed time and the rate it gives.
    pub fn set_elapsed(&mut self, seconds: f64) {
        self.elapsed_seconds = seconds;
        self.items_per_second = if seconds > 0.0 {
            self.items as f64 / seconds
        } else {
            0.0
        };
    }
}

/// The part of a check that runs on the worker threads.
struct LineChecker<'h> {
    rules: ItemRules,
    scenes: bool,
    full_reading: bool,
    /// In the order added.
    hooks: Vec<Box<LineHook<'h>>>,
}

/// The part of a check that runs on the calling thread, in line order.
struct Tally {
    state: DatasetState,
    summary: CheckSummary,
    max_errors: Option<u64>,
    /// Lines with an error that have values kept for the kind findings (so the kind findings
    /// at the end do not count them as invalid twice): bounded by the values kept.
    error_lines: HashSet<Position>,
}

/// What one line gave on a worker thread.
enum Checked {
    /// An item without any finding, from the fast path: only what the dataset rules need.
    Clean(CleanItem),
    // Boxed: results wait in batches and are moved several times, and most lines are clean.
    Item(Box<ItemReading>),
    Scene(Box<SceneReading>),
}

impl<'h> Check<'h> {
    /// A check of items with `rules`, on an empty dataset; the clock starts now.
    #[must_use]
    pub fn new(rules: ItemRules) -> Check<'h> {
        Check {
            lines: LineChecker {
                rules,
                scenes: false,
                full_reading: false,
                hooks: Vec::new(),
            },
            tally: Tally {
                state: DatasetState::new(),
                summary: CheckSummary::default(),
                max_errors: None,
                error_lines: HashSet::new(),
            },
            started: Instant::now(),
        }
    }

    /// Each line is a scene (the SDK's lidar or video scene payload), not an item: its frames,
    /// sensors and every item inside are checked, and the dataset rules run over all items.
    #[must_use]
    pub fn scenes(mut self, scenes: bool) -> Check<'h> {
        self.lines.scenes = scenes;
        self
    }

    /// The dataset's keys already have the kinds of `schema` (the dataset being appended to).
    #[must_use]
    pub fn schema(mut self, schema: &KindSchema) -> Check<'h> {
        self.tally.state = DatasetState::with_schema(schema);
        self
    }

    /// Stops after the line that brings the number of errors to `max_errors`.
    #[must_use]
    pub fn max_errors(mut self, max_errors: Option<u64>) -> Check<'h> {
        self.tally.max_errors = max_errors;
        self
    }

    /// Reads every item line fully, without the fast path, so that the hook sees every item.
    #[must_use]
    pub fn full_reading(mut self, full_reading: bool) -> Check<'h> {
        self.lines.full_reading = full_reading;
        self
    }

    /// Adds `hook`'s findings to each line read (not to lines that are not text or too long),
    /// after the line's own findings and those of the hooks added before it; pending ones are
    /// waited for in line order (see [`HookFindings`]).
    #[must_use]
    pub fn with_hook(
        mut self,
        hook: impl Fn(&str, &[LineItem<'_>]) -> HookFindings + Send + Sync + 'h,
    ) -> Check<'h> {
        self.lines.hooks.push(Box::new(hook));
        self
    }

    /// Checks the lines of `reader`, an input named `name` (a file name, or `-` for standard
    /// input), as the next input of the dataset, on `config.jobs` threads. `sink` gets every
    /// finding and the progress in line order, and may stop the check (then
    /// [`CheckSummary::stopped_early`] stays false: the caller knows why it stopped). Nothing is
    /// read once the check stopped at its maximum number of errors.
    ///
    /// # Errors
    ///
    /// The reader's I/O errors (the lines read before the error are counted).
    pub fn read<R, S>(
        &mut self,
        name: &str,
        reader: R,
        config: &StreamConfig,
        mut sink: S,
    ) -> io::Result<()>
    where
        R: Read + Send,
        S: FnMut(CheckEvent<'_>) -> ControlFlow<()>,
    {
        if self.stopped_early() {
            return Ok(());
        }
        self.tally.summary.files.push(name.to_owned());
        let input = self.tally.state.add_input(name);
        let Check { lines, tally, .. } = self;
        for_each_line(
            reader,
            config,
            |_, text| lines.check(text),
            |event| tally.on_event(input, event, &mut sink),
        )?;
        Ok(())
    }

    /// [`Check::read`] for the lines of an input held in memory, one string per line, read by
    /// the rules of [`nucleus_lines::text_lines`]. `name` is the input's name in findings that
    /// refer to another input; it is not listed in [`CheckSummary::files`].
    pub fn read_lines<'a, S>(
        &mut self,
        name: &str,
        lines: impl IntoIterator<Item = &'a str>,
        config: &StreamConfig,
        mut sink: S,
    ) where
        S: FnMut(CheckEvent<'_>) -> ControlFlow<()>,
    {
        if self.stopped_early() {
            return;
        }
        let input = self.tally.state.add_input(name);
        let Check {
            lines: checker,
            tally,
            ..
        } = self;
        for_each_text_line(
            lines,
            config,
            |_, text| checker.check(text),
            |event| tally.on_event(input, event, &mut sink),
        );
    }

    /// Whether the check stopped at its maximum number of errors.
    #[must_use]
    pub fn stopped_early(&self) -> bool {
        self.tally.summary.stopped_early
    }

    /// The totals so far (without the time).
    #[must_use]
    pub fn summary(&self) -> &CheckSummary {
        &self.tally.summary
    }

    /// Ends the check: hands the findings that need the whole dataset (type conflicts and
    /// mixed kinds, in line order) to `sink` with the name of their input, counts them, and
    /// returns the totals with the time elapsed since [`Check::new`]. Nothing more is handed
    /// over once the check stopped at its maximum number of errors or `sink` breaks.
    pub fn finish_with(
        self,
        mut sink: impl FnMut(&str, &Diagnostic) -> ControlFlow<()>,
    ) -> CheckSummary {
        let Tally {
            state,
            mut summary,
            max_errors,
            mut error_lines,
        } = self.tally;
        summary.type_conflicts = state.type_conflicts();
        if !summary.stopped_early {
            for finding in state.kind_findings() {
                let diagnostic = &finding.diagnostic;
                summary.count(diagnostic, finding.weight);
                if diagnostic.is_error() && error_lines.insert(finding.position) {
                    summary.invalid += 1;
                    summary.valid = summary.valid.saturating_sub(1);
                }
                let input = state
                    .inputs()
                    .get(finding.position.input)
                    .map_or("", String::as_str);
                if sink(input, diagnostic).is_break() {
                    break;
                }
                if max_errors.is_some_and(|max| summary.errors >= max) {
                    summary.stopped_early = true;
                    break;
                }
            }
        }
        summary.set_elapsed(self.started.elapsed().as_secs_f64());
        summary
    }

    /// [`Check::finish_with`] without looking at the findings it adds (they are counted).
    #[must_use]
    pub fn finish(self) -> CheckSummary {
        self.finish_with(|_, _| ControlFlow::Continue(()))
    }
}

impl LineChecker<'_> {
    /// The item rules (or scene rules) and the hooks on one line.
    fn check(&self, text: &str) -> (Checked, HookFindings) {
        let checked = if self.scenes {
            Checked::Scene(Box::new(self.rules.check_scene_line(text)))
        } else if self.full_reading {
            Checked::Item(Box::new(self.rules.check_line(text)))
        } else {
            match self.rules.check_line_fast(text) {
                LineCheck::Clean(item) => Checked::Clean(item),
                LineCheck::Read(reading) => Checked::Item(reading),
            }
        };
        let extra = if self.hooks.is_empty() {
            HookFindings::Ready(Vec::new())
        } else {
            checked.with_items(|items| {
                self.hooks
                    .iter()
                    .fold(HookFindings::Ready(Vec::new()), |found, hook| {
                        found.then(hook(text, items))
                    })
            })
        };
        (checked, extra)
    }
}

impl Checked {
    /// Calls `f` with the items read from the line (none from the fast path).
    fn with_items<T>(&self, f: impl FnOnce(&[LineItem<'_>]) -> T) -> T {
        let default_key = |item: &DatasetItem| match item.item_type() {
            DatasetItemType::Image => "image_location",
            DatasetItemType::Pointcloud => "pointcloud_location",
        };
        match self {
            Checked::Clean(_) => f(&[]),
            Checked::Item(reading) => match &reading.item {
                Some(item) => f(&[LineItem {
                    pointer: "",
                    location_key: reading.location_key.unwrap_or_else(|| default_key(item)),
                    item,
                }]),
                None => f(&[]),
            },
            Checked::Scene(reading) => {
                let pointed: Vec<(String, &DatasetItem)> = reading
                    .scene
                    .iter()
                    .flat_map(|scene| scene.items_with_pointers())
                    .collect();
                let items: Vec<LineItem<'_>> = pointed
                    .iter()
                    .map(|(pointer, item)| LineItem {
                        pointer,
                        location_key: default_key(item),
                        item,
                    })
                    .collect();
                f(&items)
            }
        }
    }
}

impl Tally {
    /// One event of the stream of input `input`: a line's findings through the dataset rules,
    /// counted and handed to `sink`, or the progress.
    fn on_event(
        &mut self,
        input: usize,
        event: Event<(Checked, HookFindings)>,
        sink: &mut impl FnMut(CheckEvent<'_>) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let (line, result) = match event {
            Event::Progress(bytes) => return sink(CheckEvent::Progress(bytes)),
            Event::Line { line, result } => (line, result),
        };
        let diagnostics = match result {
            Ok((checked, extra)) => {
                let mut diagnostics = self.dataset_rules(Position { input, line }, checked);
                diagnostics.extend(extra.wait());
                diagnostics.into_iter().map(|d| d.at_line(line)).collect()
            }
            Err(diagnostic) => vec![diagnostic.at_line(line)],
        };
        let summary = &mut self.summary;
        summary.items += 1;
        let kept = self.state.take_kept();
        if diagnostics.iter().any(Diagnostic::is_error) {
            if kept {
                self.error_lines.insert(Position { input, line });
            }
            summary.invalid += 1;
        } else {
            summary.valid += 1;
        }
        for diagnostic in &diagnostics {
            summary.count(diagnostic, 1);
            sink(CheckEvent::Finding(diagnostic))?;
        }
        match self.max_errors {
            Some(max) if summary.errors >= max => {
                summary.stopped_early = true;
                ControlFlow::Break(())
            }
            _ => ControlFlow::Continue(()),
        }
    }

    /// The line's own findings, then the dataset rules' on its items.
    fn dataset_rules(&mut self, position: Position, checked: Checked) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        match checked {
            Checked::Clean(item) => self.state.observe_clean(position, &item, &mut diagnostics),
            Checked::Item(reading) => {
                diagnostics.extend(reading.diagnostics);
                if let Some(item) = reading.item {
                    self.state.observe(position, &item, &mut diagnostics);
                }
            }
            Checked::Scene(reading) => {
                diagnostics.extend(reading.diagnostics);
                if let Some(scene) = reading.scene {
                    // An item's findings point into the scene's line.
                    for (pointer, item) in scene.items_with_pointers() {
                        let mut found = Vec::new();
                        self.state.observe_at(position, &pointer, item, &mut found);
                        diagnostics.extend(found.into_iter().map(|mut d| {
                            d.path.insert_str(0, &pointer);
                            d
                        }));
                    }
                }
            }
        }
        diagnostics
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, metadata: &str) -> String {
        format!(
            r#"{{"image_location": "s3://b/{id}.jpg", "reference_id": "{id}", "metadata": {metadata}}}"#
        )
    }

    /// (line, code, path) of every finding, and the summary.
    fn run(
        mut check: Check<'_>,
        inputs: &[(&str, &[String])],
    ) -> (Vec<(u64, &'static str, String)>, CheckSummary) {
        let mut found = Vec::new();
        for (name, lines) in inputs {
            check
                .read(
                    name,
                    lines.join("\n").as_bytes(),
                    &StreamConfig::default(),
                    |event| {
                        if let CheckEvent::Finding(d) = event {
                            found.push((
                                d.line.unwrap_or_default(),
                                d.code.as_str(),
                                d.path.clone(),
                            ));
                        }
                        ControlFlow::Continue(())
                    },
                )
                .unwrap();
        }
        let summary = check.finish_with(|_, d| {
            found.push((d.line.unwrap_or_default(), d.code.as_str(), d.path.clone()));
            ControlFlow::Continue(())
        });
        (found, summary)
    }

    #[test]
    fn dataset_rules_run_across_inputs_and_max_errors_stops() {
        let first = [item("a", r#"{"k": 1}"#), item("b", "{}")];
        let second = [
            item("a", "{}"),
            item("c", r#"{"k": "x"}"#),
            item("d", r#"{"k": "y"}"#),
        ];
        // Two strings against one number: the number (line 1 of "one") is the conflict, after
        // the streamed findings.
        let (found, summary) = run(
            Check::new(ItemRules::new()),
            &[("one", &first), ("two", &second)],
        );
        assert_eq!(
            found,
            [
                (1, "duplicate-reference-id", "/reference_id".to_owned()),
                (1, "type-conflict", "/metadata/k".to_owned()),
            ]
        );
        assert_eq!(summary.files, ["one", "two"]);
        assert_eq!((summary.items, summary.valid, summary.invalid), (5, 3, 2));
        assert!(!summary.stopped_early);
        assert_eq!(summary.type_conflicts.len(), 1);
        let conflict = &summary.type_conflicts[0];
        assert_eq!(
            (conflict.kind, conflict.count, conflict.first_line),
            (nucleus_model::Kind::String, 2, Some(2))
        );
        assert_eq!(
            (conflict.other_kind, conflict.other_count),
            (nucleus_model::Kind::Number, 1)
        );

        let (found, summary) = run(
            Check::new(ItemRules::new()).max_errors(Some(1)),
            &[("one", &first), ("two", &second)],
        );
        assert_eq!(found.len(), 1);
        assert!(summary.stopped_early);
        assert_eq!((summary.items, summary.errors), (3, 1));
    }

    #[test]
    fn scene_items_findings_point_into_the_scene_and_hooks_see_items() {
        let scene = |id: &str| {
            format!(
                r#"{{"reference_id": "{id}", "frame_rate": 1, "frames": [{{"reference_id": "f", "image_location": "s3://b/f.jpg", "metadata": {{"k": 1}}}}, {{"reference_id": "g", "image_location": "s3://b/g.jpg", "metadata": {{"k": "x"}}}}]}}"#
            )
        };
        let seen = std::sync::Mutex::new(Vec::new());
        let check = Check::new(ItemRules::new())
            .scenes(true)
            .with_hook(|_, items| {
                seen.lock().unwrap().push(items.len());
                Vec::new().into()
            });
        let (found, _) = run(check, &[("scenes", &[scene("s1"), scene("s2")])]);
        // Two numbers, two strings: a tie that the numbers, seen first, win.
        assert_eq!(
            found,
            [
                (
                    2,
                    "duplicate-reference-id",
                    "/frames/0/reference_id".to_owned()
                ),
                (
                    2,
                    "duplicate-reference-id",
                    "/frames/1/reference_id".to_owned()
                ),
                (1, "type-conflict", "/frames/1/metadata/k".to_owned()),
                (2, "type-conflict", "/frames/1/metadata/k".to_owned()),
            ]
        );
        assert_eq!(*seen.lock().unwrap(), [2, 2]);
    }

    #[test]
    fn pending_hook_findings_are_waited_for_on_the_calling_thread_in_line_order() {
        use nucleus_model::Code;
        let caller = std::thread::current().id();
        let waited_on = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = std::sync::Arc::clone(&waited_on);
        let lines: Vec<String> = (0..40).map(|idx| item(&idx.to_string(), "{}")).collect();
        let check = Check::new(ItemRules::new())
            .full_reading(true)
            .with_hook(move |_, items| {
                let id = items[0].item.reference_id().as_str().to_owned();
                let ready = vec![Diagnostic::warning(Code::UnknownField, "/ready", "now")];
                let waited_on = std::sync::Arc::clone(&seen);
                let pending = HookFindings::Pending(Box::new(move || {
                    waited_on.lock().unwrap().push(std::thread::current().id());
                    vec![Diagnostic::error(
                        Code::MissingMedia,
                        format!("/{id}"),
                        "later",
                    )]
                }));
                // Every other line's findings are pending.
                if items[0].item.reference_id().as_str().len() == 1 {
                    pending.after(ready)
                } else {
                    HookFindings::Ready(ready)
                }
            });
        let (found, summary) = run(check, &[("lines", &lines)]);
        let mut expected = Vec::new();
        for (line, idx) in (1..).zip(0..40) {
            expected.push((line, "unknown-field", "/ready".to_owned()));
            if idx < 10 {
                expected.push((line, "missing-media", format!("/{idx}")));
            }
        }
        assert_eq!(found, expected);
        assert_eq!(*waited_on.lock().unwrap(), vec![caller; 10]);
        assert_eq!((summary.valid, summary.invalid), (30, 10));
    }

    #[test]
    fn hooks_chain_in_the_order_added_and_pending_ones_wait_in_line_order() {
        use nucleus_model::Code;
        use std::sync::{Arc, Mutex};
        let caller = std::thread::current().id();
        let waited_on = Arc::new(Mutex::new(Vec::new()));
        // A hook whose findings at `path` are pending on the lines that `pending` picks.
        let hook = |path: &'static str, pending: fn(usize) -> bool| {
            let waited_on = Arc::clone(&waited_on);
            move |_: &str, items: &[LineItem<'_>]| {
                let id: usize = items[0].item.reference_id().as_str().parse().unwrap();
                let finding = move || {
                    vec![Diagnostic::warning(
                        Code::UnknownField,
                        format!("/{path}/{id}"),
                        "",
                    )]
                };
                if pending(id) {
                    let waited_on = Arc::clone(&waited_on);
                    HookFindings::Pending(Box::new(move || {
                        waited_on.lock().unwrap().push(std::thread::current().id());
                        finding()
                    }))
                } else {
                    HookFindings::Ready(finding())
                }
            }
        };
        let lines: Vec<String> = (0..30).map(|idx| item(&idx.to_string(), "{}")).collect();
        let check = Check::new(ItemRules::new())
            .full_reading(true)
            .with_hook(hook("first", |id| id % 2 == 0))
            .with_hook(hook("second", |_| false))
            .with_hook(hook("third", |id| id % 3 == 0));
        let (found, summary) = run(check, &[("lines", &lines)]);
        let expected: Vec<_> = (1..)
            .zip(0..30)
            .flat_map(|(line, id)| {
                ["first", "second", "third"]
                    .map(|path| (line, "unknown-field", format!("/{path}/{id}")))
            })
            .collect();
        assert_eq!(found, expected);
        // 15 even lines, 10 multiples of three.
        assert_eq!(*waited_on.lock().unwrap(), vec![caller; 25]);
        assert_eq!((summary.valid, summary.warnings), (30, 90));
    }

    #[test]
    fn lines_in_memory_give_the_findings_of_the_same_file() {
        let text = format!(
            "\u{feff}{}\r\n \r\n{}\n{}\n",
            item("a", r#"{"k": 1}"#),
            item("a", r#"{"k": "x"}"#),
            "x".repeat(300)
        );
        let config = StreamConfig::default().max_line_bytes(200);
        let collect = |mut check: Check<'_>, from_file: bool| {
            let mut found = Vec::new();
            let sink = |event: CheckEvent<'_>| {
                if let CheckEvent::Finding(d) = event {
                    found.push(d.clone());
                }
                ControlFlow::Continue(())
            };
            if from_file {
                check.read("in", text.as_bytes(), &config, sink).unwrap();
            } else {
                check.read_lines("in", text.split_inclusive('\n'), &config, sink);
            }
            let summary = check.finish_with(|_, d| {
                found.push(d.clone());
                ControlFlow::Continue(())
            });
            (found, summary)
        };
        let (file_findings, mut file_summary) = collect(Check::new(ItemRules::new()), true);
        let (lines_findings, mut lines_summary) = collect(Check::new(ItemRules::new()), false);
        assert_eq!(lines_findings, file_findings);
        let codes: Vec<_> = file_findings
            .iter()
            .map(|d| (d.line, d.code.as_str()))
            .collect();
        // A tie: the number, seen first, decides; the string's line is the conflict.
        assert_eq!(
            codes,
            [
                (Some(3), "duplicate-reference-id"),
                (Some(4), "line-too-long"),
                (Some(3), "type-conflict"),
            ]
        );
        assert_eq!(file_summary.files, ["in"]);
        assert!(lines_summary.files.is_empty());
        file_summary.files.clear();
        file_summary.set_elapsed(0.0);
        lines_summary.set_elapsed(0.0);
        assert_eq!(lines_summary, file_summary);
    }

    #[test]
    fn the_summary_serializes_with_the_cli_field_names() {
        let mut summary = CheckSummary {
            items: 2,
            files: vec!["a.jsonl".to_owned()],
            ..CheckSummary::default()
        };
        summary.count(
            &Diagnostic::error(nucleus_model::Code::InvalidJson, "", "bad"),
            1,
        );
        summary.set_elapsed(0.5);
        assert_eq!(
            serde_json::to_string(&summary).unwrap(),
            r#"{"items":2,"valid":0,"invalid":0,"errors":1,"warnings":0,"codes":{"invalid-json":1},"type_conflicts":[],"files":["a.jsonl"],"elapsed_seconds":0.5,"items_per_second":4.0,"stopped_early":false}"#
        );
    }
}
