//! Append with update (SPEC.md section 2): what a dataset becomes when a file of new items is
//! appended to it, checked before anything is written.
//!
//! Items are matched by `reference_id`. With [`AppendMode::Update`] a matched item is replaced by
//! the new one: its metadata wholesale (keys absent from the new item are deleted, the most common
//! surprise, so the report counts them per key) and every other field too — location, `width`,
//! `height`, `embedding_info` — because the new item is what the user wants on the server. Two
//! fields the server sets carry over when the new item lacks them: `dataset_item_id` (it is the
//! same server item) and `phash` when the image location is unchanged (the same image). With
//! [`AppendMode::Ignore`] matched items stay as they are. Unmatched new items are appended.
//!
//! The resulting dataset is, in order: the base items with replacements in place, then the new
//! items in update order. Type consistency and unique reference ids are checked on exactly that
//! sequence with [`crate::DatasetState`]; a type conflict or a duplicate reference id is an error
//! and then nothing is written. Each finding names its file and line: a replaced item is placed at
//! its line in the update file.
//!
//! # Memory
//!
//! [`Append`] holds the update items, an index from their reference ids, the dataset state (one
//! entry per reference id of the result and per key) and, per string key, two distinct counters
//! (before and after; exact up to 256 values, then a 16 KiB sketch:
//! [`nucleus_model::distinct`]). The base
//! is streamed twice: once to check ([`Append::observe_base`]), once to write
//! ([`Append::output_item`]); it must not change in between, and [`append_streams`] refuses
//! ([`AppendError::BaseChanged`]) when the second reading differs from the first. [`append`] does both on items in
//! memory; [`append_streams`] on JSON Lines readers.
//!
//! ```
//! use nucleus_metadata::append::{AppendMode, append};
//! use nucleus_model::DatasetItem;
//!
//! let base = vec![
//!     DatasetItem::from_json(r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"weather": "fog", "speed": 3}}"#)?,
//! ];
//! let update = vec![
//!     DatasetItem::from_json(r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"weather": "rain"}}"#)?,
//!     DatasetItem::from_json(r#"{"image_location": "s3://b/2.jpg", "reference_id": "2"}"#)?,
//! ];
//! let outcome = append(base, update, AppendMode::Update)?;
//! assert_eq!(outcome.items.len(), 2);
//! let counts = outcome.report.counts;
//! assert_eq!((counts.n_new, counts.n_updated, counts.n_kept_image_location), (1, 1, 1));
//! // `speed` is deleted from item 1: the report says so.
//! assert_eq!(outcome.report.entries[0].code.as_str(), "metadata-key-dropped");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Report
//!
//! [`AppendReport`] holds the counts and one [`ReportEntry`] per finding and key, each with a
//! stable kebab-case [`ReportCode`]: `metadata-key-dropped` (warning: updated items that would
//! lose a key), `type-conflict` (error: a key would hold strings and numbers),
//! `duplicate-reference-id` (error), `mixed-kinds` (warning: other kinds mixed on a key) and
//! `categorical-threshold-crossed` (warning: a string key would cross 250 distinct values, either
//! way). [`AppendReport::to_json`] writes:
//!
//! ```json
//! {
//!   "mode": "update",
//!   "counts": {"n_base": 300, "n_update": 20, "n_new": 5, "n_updated": 15, "n_ignored": 0,
//!              "n_kept_image_location": 15, "n_output": 305},
//!   "entries": [
//!     {"code": "metadata-key-dropped", "severity": "warning", "key": "speed", "count": 15,
//!      "at": {"input": "update", "line": 3}, "related": {"input": "base", "line": 42},
//!      "message": "..."}
//!   ]
//! }
//! ```
//!
//! `at` is the first occurrence, `related` the other line it refers to (the base item losing the
//! key, the first line of the other kind, the first use of the reference id); either may be
//! absent.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::hash::BuildHasher;
use std::io::{self, Read, Write};
use std::ops::ControlFlow;

use nucleus_model::{Code, DatasetItem, Diagnostic, Severity};
use serde::Serialize;
use serde_json::Value;

use nucleus_model::display::escape_controls;
use nucleus_model::distinct::{Distinct, DistinctCounter};

use crate::{DatasetState, ItemRules, Position};
use nucleus_lines::{Event, StreamConfig, for_each_line};

/// What to do with a new item whose reference id is already in the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AppendMode {
    /// Replace the old item (its metadata wholesale) by the new one.
    Update,
    /// Keep the old item; drop the new one.
    Ignore,
}

/// Which file a line is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Input {
    /// The dataset appended to.
    Base,
    /// The new items.
    Update,
}

impl Input {
    /// `base` or `update`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Input::Base => "base",
            Input::Update => "update",
        }
    }

    const fn index(self) -> usize {
        match self {
            Input::Base => 0,
            Input::Update => 1,
        }
    }
}

/// A line of one of the two inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Place {
    /// The file.
    pub input: Input,
    /// The 1-based line.
    pub line: u64,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}", self.input.as_str(), self.line)
    }
}

/// How many items go where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AppendCounts {
    /// Items in the base.
    pub n_base: u64,
    /// Items in the update.
    pub n_update: u64,
    /// Update items whose reference id is not in the base: appended.
    pub n_new: u64,
    /// Base items replaced (mode `update`).
    pub n_updated: u64,
    /// Update items dropped because their reference id is in the base (mode `ignore`).
    pub n_ignored: u64,
    /// Updated items whose `image_location` is unchanged: Nucleus skips their re-upload.
    pub n_kept_image_location: u64,
    /// Items in the result.
    pub n_output: u64,
}

/// The stable identifier of a report entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ReportCode {
    /// Updated items would lose a metadata key (update replaces metadata wholesale).
    MetadataKeyDropped,
    /// A key would hold strings on some items and numbers on others; Nucleus rejects that.
    TypeConflict,
    /// A reference id would be used twice.
    DuplicateReferenceId,
    /// A key would mix other kinds (say, number and boolean).
    MixedKinds,
    /// A string key would cross the categorical threshold of 250 distinct values.
    CategoricalThresholdCrossed,
}

impl ReportCode {
    /// Every code.
    pub const ALL: [ReportCode; 5] = [
        ReportCode::MetadataKeyDropped,
        ReportCode::TypeConflict,
        ReportCode::DuplicateReferenceId,
        ReportCode::MixedKinds,
        ReportCode::CategoricalThresholdCrossed,
    ];

    /// The kebab-case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportCode::MetadataKeyDropped => "metadata-key-dropped",
            // The dataset rules' findings, under the names `check` gives them.
            ReportCode::TypeConflict => Code::TypeConflict.as_str(),
            ReportCode::DuplicateReferenceId => Code::DuplicateReferenceId.as_str(),
            ReportCode::MixedKinds => Code::MixedKinds.as_str(),
            ReportCode::CategoricalThresholdCrossed => "categorical-threshold-crossed",
        }
    }

    /// Errors block the append; warnings do not.
    #[must_use]
    pub const fn severity(self) -> Severity {
        match self {
            ReportCode::TypeConflict | ReportCode::DuplicateReferenceId => Severity::Error,
            _ => Severity::Warning,
        }
    }
}

impl fmt::Display for ReportCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReportCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One finding of the report, aggregated per code and key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ReportEntry {
    /// What.
    pub code: ReportCode,
    /// Whether it blocks the append.
    pub severity: Severity,
    /// The metadata key concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// How many items it concerns.
    pub count: u64,
    /// The first item concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Place>,
    /// The other line the first occurrence refers to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Place>,
    /// What happens, for a person (about the first occurrence).
    pub message: String,
}

/// The dry-run report of an append.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AppendReport {
    /// The mode.
    pub mode: AppendMode,
    /// The counts.
    pub counts: AppendCounts,
    /// Findings: errors first, then by code and key.
    pub entries: Vec<ReportEntry>,
}

impl AppendReport {
    /// Whether the append is blocked (a type conflict or a duplicate reference id).
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.entries.iter().any(|e| e.severity == Severity::Error)
    }

    /// The report as pretty JSON with a final newline (shape in the module docs).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The report for a terminal: counts, then one line per entry.
    #[must_use]
    pub fn render_text(&self) -> String {
        let c = &self.counts;
        let mut out = String::new();
        let mode = match self.mode {
            AppendMode::Update => "update",
            AppendMode::Ignore => "ignore",
        };
        let _ = writeln!(
            out,
            "append ({mode}): {} base items + {} update items -> {} items",
            c.n_base, c.n_update, c.n_output
        );
        let _ = writeln!(
            out,
            "  new: {}, updated: {} ({} keep their image_location and skip the re-upload), ignored: {}",
            c.n_new, c.n_updated, c.n_kept_image_location, c.n_ignored
        );
        for entry in &self.entries {
            let _ = write!(out, "{}[{}]", entry.severity, entry.code);
            if let Some(at) = entry.at {
                let _ = write!(out, " {at}");
            }
            let _ = writeln!(out, ": {}", escape_controls(&entry.message));
        }
        if self.has_errors() {
            out.push_str("nothing written: the append would make the dataset inconsistent\n");
        }
        out
    }
}

/// The result of [`append`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AppendOutcome {
    /// The items of the resulting dataset, in order.
    pub items: Vec<DatasetItem>,
    /// What happened.
    pub report: AppendReport,
}

/// Why an append was not done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppendError {
    /// The result would be inconsistent; nothing was written. The report has the errors.
    #[error("append refused: {}", first_error(.0))]
    Conflicts(Box<AppendReport>),
    /// A line of an input is not a valid item.
    #[error("{input} line {line}: {diagnostic}", input = .input.as_str())]
    InvalidItem {
        /// The file.
        input: Input,
        /// The line.
        line: u64,
        /// The first error of the line.
        diagnostic: Box<Diagnostic>,
    },
    /// The base read to write the result differs from the base that was checked: it changed
    /// between the two readings. Nothing that was written may be used.
    #[error(
        "append: {base} changed between the check and the write: its lines are not those that \
         were checked"
    )]
    BaseChanged {
        /// The base's name, as given to [`append_streams`].
        base: String,
    },
    /// Reading or writing failed.
    #[error("append: {0}")]
    Io(#[from] io::Error),
}

fn first_error(report: &AppendReport) -> String {
    let errors: Vec<&ReportEntry> = report
        .entries
        .iter()
        .filter(|e| e.severity == Severity::Error)
        .collect();
    match errors.as_slice() {
        [] => "no error".to_owned(),
        [only] => only.message.clone(),
        [first, rest @ ..] => format!("{} (and {} more)", first.message, rest.len()),
    }
}

/// Stands for the final count in a message written at the first occurrence.
const COUNT: &str = "\u{0}count\u{0}";

/// Index of the base's distinct counter in [`Append`]'s `distinct`.
const BEFORE: usize = 0;
/// Index of the result's distinct counter.
const AFTER: usize = 1;

/// An append in progress: holds the update, sees the base once to check and once to write.
#[derive(Debug)]
pub struct Append {
    mode: AppendMode,
    updates: Vec<(u64, DatasetItem)>,
    /// Reference id → index in `updates` of its first use.
    index: HashMap<Box<str>, usize>,
    /// Per update: whether a base item has its reference id.
    matched: Vec<bool>,
    state: DatasetState,
    inputs: [usize; 2],
    /// Per string key, its distinct values in the base and in the result.
    distinct: HashMap<Box<str>, [Option<DistinctCounter>; 2]>,
    counts: AppendCounts,
    entries: HashMap<(ReportCode, String), ReportEntry>,
    checked: bool,
}

impl Append {
    /// Starts an append of `update` (items with their lines in the update file).
    #[must_use]
    pub fn new(update: Vec<(u64, DatasetItem)>, mode: AppendMode) -> Append {
        Append::with_input_names(update, mode, "base", "update")
    }

    /// The same, naming the two files in messages.
    #[must_use]
    pub fn with_input_names(
        update: Vec<(u64, DatasetItem)>,
        mode: AppendMode,
        base_name: &str,
        update_name: &str,
    ) -> Append {
        let mut index = HashMap::with_capacity(update.len());
        for (idx, (_, item)) in update.iter().enumerate() {
            index
                .entry(item.reference_id().as_str().into())
                .or_insert(idx);
        }
        let mut state = DatasetState::new();
        let inputs = [state.add_input(base_name), state.add_input(update_name)];
        Append {
            mode,
            counts: AppendCounts {
                n_update: update.len() as u64,
                ..AppendCounts::default()
            },
            matched: vec![false; update.len()],
            updates: update,
            index,
            state,
            inputs,
            distinct: HashMap::new(),
            entries: HashMap::new(),
            checked: false,
        }
    }

    /// The update item replacing or matching `reference_id`, if any.
    fn update_for(&self, reference_id: &str) -> Option<usize> {
        self.index.get(reference_id).copied()
    }

    /// First pass: observes the next base item (in base order) at `line`.
    pub fn observe_base(&mut self, line: u64, item: &DatasetItem) {
        self.counts.n_base += 1;
        let base_place = Place {
            input: Input::Base,
            line,
        };
        self.count_strings(BEFORE, item);
        let matched = self.update_for(item.reference_id().as_str());
        let Some(idx) = matched else {
            self.observe_result(base_place, item);
            return;
        };
        if let Some(flag) = self.matched.get_mut(idx) {
            *flag = true;
        }
        match self.mode {
            AppendMode::Ignore => self.observe_result(base_place, item),
            AppendMode::Update => {
                let Some((update_line, new)) = self.updates.get(idx).cloned() else {
                    return;
                };
                let update_place = Place {
                    input: Input::Update,
                    line: update_line,
                };
                self.counts.n_updated += 1;
                if new.image_location().is_some() && new.image_location() == item.image_location() {
                    self.counts.n_kept_image_location += 1;
                }
                for (key, value) in item.metadata() {
                    if value.is_null() {
                        continue;
                    }
                    if new.metadata().get(key).is_none_or(Value::is_null) {
                        self.note(
                            ReportCode::MetadataKeyDropped,
                            Some(key),
                            Some(update_place),
                            Some(base_place),
                            1,
                            || {
                                format!(
                                    "metadata key {} would be deleted from {} updated items, first reference id {} (update replaces metadata wholesale; repeat the key in the update to keep it)",
                                    quoted(key),
                                    COUNT,
                                    quoted(item.reference_id().as_str())
                                )
                            },
                        );
                    }
                }
                let replaced = merged(item, new);
                self.observe_result(update_place, &replaced);
            }
        }
    }

    /// Feeds one item of the result, in result order, to the dataset rules.
    fn observe_result(&mut self, place: Place, item: &DatasetItem) {
        self.counts.n_output += 1;
        self.count_strings(AFTER, item);
        let input = self.inputs.get(place.input.index()).copied().unwrap_or(0);
        let position = Position {
            input,
            line: place.line,
        };
        let first_use = self
            .state
            .reference_id_position(item.reference_id().as_str());
        let mut findings = Vec::new();
        self.state.observe(position, item, &mut findings);
        for finding in findings {
            if finding.code == Code::DuplicateReferenceId {
                let related = first_use.map(|position| self.place(position));
                let message = finding.message;
                self.note(
                    ReportCode::DuplicateReferenceId,
                    None,
                    Some(place),
                    related,
                    1,
                    || message,
                );
            }
        }
    }

    /// Where `position` is, as a file and a line.
    fn place(&self, position: Position) -> Place {
        Place {
            input: if position.input == self.inputs[1] {
                Input::Update
            } else {
                Input::Base
            },
            line: position.line,
        }
    }

    /// The type conflicts and mixed kinds of the result, once every item is seen: per key, the
    /// kind held by more items decides.
    fn kind_entries(&mut self) {
        for finding in self.state.kind_findings() {
            let code = match finding.diagnostic.code {
                Code::TypeConflict => ReportCode::TypeConflict,
                Code::MixedKinds => ReportCode::MixedKinds,
                _ => continue,
            };
            let key = finding
                .diagnostic
                .path
                .strip_prefix("/metadata/")
                .map(|token| token.replace("~1", "/").replace("~0", "~"));
            let at = self.place(finding.position);
            let related = finding.related.map(|position| self.place(position));
            let message = finding.diagnostic.message;
            self.note(
                code,
                key.as_deref(),
                Some(at),
                related,
                finding.weight,
                || message,
            );
        }
    }

    fn note(
        &mut self,
        code: ReportCode,
        key: Option<&str>,
        at: Option<Place>,
        related: Option<Place>,
        weight: u64,
        message: impl FnOnce() -> String,
    ) {
        let slot = (code, key.unwrap_or_default().to_owned());
        match self.entries.get_mut(&slot) {
            Some(entry) => entry.count += weight,
            None => {
                self.entries.insert(
                    slot,
                    ReportEntry {
                        code,
                        severity: code.severity(),
                        key: key.map(str::to_owned),
                        count: weight,
                        at,
                        related,
                        message: message(),
                    },
                );
            }
        }
    }

    /// Ends the first pass: appends the new items to the checked sequence and returns the
    /// report. Call once, after every base item.
    pub fn finish_check(&mut self) -> AppendReport {
        if !self.checked {
            self.checked = true;
            let new_items: Vec<(u64, DatasetItem)> = self
                .updates
                .iter()
                .zip(&self.matched)
                .filter(|(_, matched)| !**matched)
                .map(|(update, _)| update.clone())
                .collect();
            if self.mode == AppendMode::Ignore {
                self.counts.n_ignored = self.matched.iter().filter(|m| **m).count() as u64;
            }
            for (line, item) in &new_items {
                let place = Place {
                    input: Input::Update,
                    line: *line,
                };
                self.counts.n_new += 1;
                self.observe_result(place, item);
            }
            self.kind_entries();
            self.threshold_entries();
        }
        let mut entries: Vec<ReportEntry> = self.entries.values().cloned().collect();
        for entry in &mut entries {
            if entry.code == ReportCode::MetadataKeyDropped {
                entry.message = entry.message.replacen(COUNT, &entry.count.to_string(), 1);
            }
        }
        entries.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.code.cmp(&b.code))
                .then_with(|| a.key.cmp(&b.key))
        });
        AppendReport {
            mode: self.mode,
            counts: self.counts,
            entries,
        }
    }

    /// Counts the string values of `item` in the base (`BEFORE`) or the result (`AFTER`).
    fn count_strings(&mut self, side: usize, item: &DatasetItem) {
        for (key, value) in item.metadata() {
            let Value::String(text) = value else {
                continue;
            };
            let counters = match self.distinct.get_mut(key.as_str()) {
                Some(counters) => counters,
                None => self.distinct.entry(key.as_str().into()).or_default(),
            };
            if let Some(counter) = counters.get_mut(side) {
                counter.get_or_insert_default().insert(text);
            }
        }
    }

    fn threshold_entries(&mut self) {
        let mut crossed = Vec::new();
        for (key, [before, after]) in &self.distinct {
            let (Some(before), Some(after)) = (before, after) else {
                continue;
            };
            let (was, now) = (before.count(), after.count());
            if was.categorical() != now.categorical() {
                crossed.push((key.to_string(), was, now));
            }
        }
        for (key, was, now) in crossed {
            let about = |d: Distinct| format!("{}{}", if d.exact { "" } else { "about " }, d.count);
            let message = if now.categorical() {
                format!(
                    "string key {} would become categorical: {} distinct values before, {} after (fewer than 250)",
                    quoted(&key),
                    about(was),
                    about(now)
                )
            } else {
                format!(
                    "string key {} would become free text: {} distinct values before, {} after (250 or more); Nucleus stops offering its values as categories",
                    quoted(&key),
                    about(was),
                    about(now)
                )
            };
            self.note(
                ReportCode::CategoricalThresholdCrossed,
                Some(&key),
                None,
                None,
                1,
                || message,
            );
        }
    }

    /// Second pass: the output item for the next base item (the replacement in mode update).
    #[must_use]
    pub fn output_item(&self, item: DatasetItem) -> DatasetItem {
        if self.mode == AppendMode::Ignore {
            return item;
        }
        match self
            .update_for(item.reference_id().as_str())
            .and_then(|idx| self.updates.get(idx))
        {
            Some((_, new)) => merged(&item, new.clone()),
            None => item,
        }
    }

    /// Second pass: the new items, to write after the base (valid after [`Append::finish_check`]).
    pub fn new_items(&self) -> impl Iterator<Item = &DatasetItem> {
        self.updates
            .iter()
            .zip(&self.matched)
            .filter(|(_, matched)| !**matched)
            .map(|((_, item), _)| item)
    }
}

/// The item that replaces `old`: `new`, keeping the server's fields it lacks.
fn merged(old: &DatasetItem, new: DatasetItem) -> DatasetItem {
    let mut out = new;
    if out.dataset_item_id().is_none()
        && let Some(id) = old.dataset_item_id()
    {
        out = out.with_dataset_item_id(id);
    }
    if out.phash().is_none()
        && out.image_location().is_some()
        && out.image_location() == old.image_location()
        && let Some(phash) = old.phash()
    {
        out = out.with_phash(phash);
    }
    out
}

/// Appends `update` to `base` in memory (lines count from 1 in each); see the module docs.
///
/// # Errors
///
/// [`AppendError::Conflicts`] with the report when the result would be inconsistent.
pub fn append(
    base: impl IntoIterator<Item = DatasetItem>,
    update: impl IntoIterator<Item = DatasetItem>,
    mode: AppendMode,
) -> Result<AppendOutcome, AppendError> {
    let update: Vec<(u64, DatasetItem)> = (1..).zip(update).collect();
    let base: Vec<DatasetItem> = base.into_iter().collect();
    let mut plan = Append::new(update, mode);
    for (line, item) in (1..).zip(&base) {
        plan.observe_base(line, item);
    }
    let report = plan.finish_check();
    if report.has_errors() {
        return Err(AppendError::Conflicts(Box::new(report)));
    }
    let mut items: Vec<DatasetItem> = base
        .into_iter()
        .map(|item| plan.output_item(item))
        .collect();
    items.extend(plan.new_items().cloned());
    Ok(AppendOutcome { items, report })
}

/// Appends JSON Lines: reads `update` whole, reads the base (from `open_base`) once to check,
/// and, when `output` is given and the check passes, a second time to write the result as JSON
/// Lines (canonical item JSON). Without `output` it is a dry run: the report is returned, errors
/// included. Names are used in messages.
///
/// Both readings of the base take a fingerprint of its lines (each line's number and text);
/// when they differ, the base changed in between and the result is an error, returned after the
/// output was written but before it is flushed: write `output` to a temporary file and keep it
/// only on `Ok`. `open_base` may refuse the second opening itself (a file whose size or
/// modification time changed) with an I/O error, before anything is written.
///
/// # Errors
///
/// [`AppendError::InvalidItem`] for the first line of either input that is not a valid item
/// (nothing is written), [`AppendError::Conflicts`] when the result would be inconsistent and
/// `output` is given (nothing is written), [`AppendError::BaseChanged`] when the second reading
/// of the base differs from the first, [`AppendError::Io`] for I/O errors.
pub fn append_streams<B, U, W>(
    mut open_base: impl FnMut() -> io::Result<B>,
    update: U,
    mode: AppendMode,
    config: &StreamConfig,
    rules: &ItemRules,
    names: (&str, &str),
    output: Option<&mut W>,
) -> Result<AppendReport, AppendError>
where
    B: Read + Send,
    U: Read + Send,
    W: Write,
{
    let mut updates = Vec::new();
    let fingerprints = foldhash::quality::RandomState::default();
    read_items(
        update,
        Input::Update,
        config,
        rules,
        &fingerprints,
        |line, item| {
            updates.push((line, item));
            Ok(())
        },
    )?;
    let mut plan = Append::with_input_names(updates, mode, names.0, names.1);
    let checked = read_items(
        open_base()?,
        Input::Base,
        config,
        rules,
        &fingerprints,
        |line, item| {
            plan.observe_base(line, &item);
            Ok(())
        },
    )?;
    let report = plan.finish_check();
    let Some(output) = output else {
        return Ok(report);
    };
    if report.has_errors() {
        return Err(AppendError::Conflicts(Box::new(report)));
    }
    let mut write = |item: &DatasetItem| -> io::Result<()> {
        serde_json::to_writer(&mut *output, &item.to_json())?;
        output.write_all(b"\n")
    };
    let written = read_items(
        open_base()?,
        Input::Base,
        config,
        rules,
        &fingerprints,
        |_, item| write(&plan.output_item(item)),
    )?;
    if written != checked {
        return Err(AppendError::BaseChanged {
            base: names.0.to_owned(),
        });
    }
    for item in plan.new_items() {
        write(item)?;
    }
    output.flush()?;
    Ok(report)
}

/// What one reading of an input saw, to tell whether two readings read the same lines: the
/// number of bytes and lines and the sum of a hash of each line's number and text (a sum, as
/// lines are hashed on worker threads; with the number in each hash, order still counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fingerprint {
    bytes: u64,
    lines: u64,
    line_hashes: u64,
}

/// Reads every item of `reader` in line order; the first invalid line is an error. Returns the
/// fingerprint of what was read, with hashes from `fingerprints`.
fn read_items<R: Read + Send>(
    reader: R,
    input: Input,
    config: &StreamConfig,
    rules: &ItemRules,
    fingerprints: &foldhash::quality::RandomState,
    mut sink: impl FnMut(u64, DatasetItem) -> io::Result<()>,
) -> Result<Fingerprint, AppendError> {
    let mut failure: Option<AppendError> = None;
    let mut line_hashes = 0u64;
    let stats = for_each_line(
        reader,
        config,
        |line, text| (fingerprints.hash_one((line, text)), rules.check_line(text)),
        |event| {
            let Event::Line { line, result } = event else {
                return ControlFlow::Continue(());
            };
            let error = match result {
                Ok((hash, reading)) => {
                    line_hashes = line_hashes.wrapping_add(hash);
                    match reading.item {
                        Some(item) => match sink(line, item) {
                            Ok(()) => return ControlFlow::Continue(()),
                            Err(error) => AppendError::Io(error),
                        },
                        None => invalid(input, line, reading.diagnostics),
                    }
                }
                Err(diagnostic) => invalid(input, line, vec![diagnostic]),
            };
            failure = Some(error);
            ControlFlow::Break(())
        },
    )?;
    match failure {
        Some(error) => Err(error),
        None => Ok(Fingerprint {
            bytes: stats.bytes,
            lines: stats.lines,
            line_hashes,
        }),
    }
}

fn invalid(input: Input, line: u64, diagnostics: Vec<Diagnostic>) -> AppendError {
    let diagnostic = diagnostics
        .into_iter()
        .find(Diagnostic::is_error)
        .unwrap_or_else(|| Diagnostic::error(Code::InvalidJson, "", "invalid item"));
    AppendError::InvalidItem {
        input,
        line,
        diagnostic: Box::new(diagnostic),
    }
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}
