//! A mergeable `check`: shards of a dataset checked apart (on other cores, processes or
//! machines), then merged in dataset order into the findings of one sequential run.
//!
//! [`ShardCheck`] checks the lines of one shard in order, like `nucleus check` does, but keeps
//! the dataset-level findings as facts (which line, which key or reference id, which kind)
//! rather than text, together with what a later merge needs: per reference id its first line,
//! per metadata key and kind the first line and the number of values. [`ShardCheck::merge`]
//! appends a **later** shard; [`ShardCheck::finish`] renders the findings with the final line
//! numbers. Merging is an ordered fold: the shards must be given in dataset order, but they may
//! be grouped either way (`(a + b) + c` or `a + (b + c)`, as a tree reduction does) with the
//! same totals. Lines are numbered across shards: the lines of a
//! merged shard count on from the lines of the shards before it (blank lines included).
//!
//! # What equals a sequential run
//!
//! For shards merged in dataset order, [`ShardCheck::finish`] gives exactly the findings of one
//! sequential run (`nucleus check` on the concatenated lines: same lines, codes, paths, related
//! lines and messages), with one exception: a metadata key whose first string-or-number value
//! is a string in an earlier shard and a number in a later one (or the reverse). A sequential
//! run reports every value of the later shard's kind as a `type-conflict`; the merge reports
//! one `type-conflict` at the first of them whose message gives their number, and
//! [`CheckSummary::errors`] and [`CheckSummary::codes`] count every one of them. What differs
//! from a sequential run in that case only:
//! - the other lines of that shard holding the key's later kind are not listed;
//! - [`CheckSummary::invalid`] counts only the line that is listed (a lower bound);
//! - within one line, findings are ordered item rules first, then reference id, then metadata
//!   findings in key order of first use by the merge (a sequential run uses the item's key
//!   order).
//!
//! Totals ([`CheckSummary::items`], `errors`, `warnings`, `codes`), the set of conflicting keys
//! and the set of duplicate reference ids are always those of a sequential run.
//!
//! ```
//! use nucleus_metadata::ItemRules;
//! use nucleus_metadata::shard::ShardCheck;
//!
//! let lines = [
//!     r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"w": "rain"}}"#,
//!     r#"{"image_location": "s3://b/2.jpg", "reference_id": "2", "metadata": {"w": "sun"}}"#,
//!     r#"{"image_location": "s3://b/3.jpg", "reference_id": "1", "metadata": {"w": 3}}"#,
//! ];
//! let mut first = ShardCheck::new(ItemRules::new());
//! first.update(lines[..2].iter().copied());
//! let mut second = ShardCheck::new(ItemRules::new());
//! second.update(lines[2..].iter().copied());
//! first.merge(second);
//! let report = first.finish();
//! assert_eq!(report.summary.errors, 2);
//! let codes: Vec<_> = report.diagnostics.iter().map(|d| (d.line, d.code.as_str())).collect();
//! assert_eq!(codes, [(Some(3), "duplicate-reference-id"), (Some(3), "type-conflict")]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::io::{self, Read};
use std::ops::ControlFlow;

use nucleus_model::diagnostic::pointer;
use nucleus_model::read::ItemReading;
use nucleus_model::{Code, Diagnostic, KeyKinds, Kind, KindFinding, LaterFinding};
use serde::{Deserialize, Serialize};

use crate::check::{CheckReport, CheckSummary};
use crate::dataset::{
    Observed, duplicate_message, mixed_kinds_message, short, type_conflict_message,
};
use crate::fast::LineCheck;
use crate::ids::IdIndex;
use crate::keys::KeyTable;
use crate::{Error, ItemRules, Position};
use nucleus_lines::{
    DEFAULT_MAX_LINE_BYTES, Event, LineText, StreamConfig, for_each_line, for_each_text_line,
    record_text,
};

/// The version of [`ShardCheck::to_bytes`]'s format. Version 2 keeps item findings in the
/// form [`Diagnostic`] serializes to (version 1 had a format of its own).
const FORMAT_VERSION: u32 = 2;

/// What [`ShardCheck::to_bytes`] writes (JSON).
#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    remote_only: bool,
    require_dimensions: bool,
    n_lines: u64,
    n_items: u64,
    item_findings: Vec<Diagnostic>,
    dataset_findings: Vec<Fact>,
    keys: Vec<(Box<str>, KeyKinds<u64>)>,
    reference_ids: Vec<(Box<str>, u64)>,
}

/// The check of one shard of a dataset, mergeable with the shards after it; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct ShardCheck {
    rules: ItemRules,
    /// Lines consumed, blank ones included: the next line is `n_lines + 1`.
    n_lines: u64,
    /// Non-blank lines.
    n_items: u64,
    /// Findings of the item rules, placed on their lines; they never change on a merge.
    item_findings: Vec<Diagnostic>,
    /// Dataset findings as facts, rendered by [`ShardCheck::finish`].
    dataset_findings: Vec<Fact>,
    keys: KeyTable<KeyKinds<u64>>,
    /// Per reference id its first line (the input is always 0).
    reference_ids: IdIndex,
}

/// A dataset finding before rendering: related lines and messages depend on the first lines
/// of the whole dataset, known only after the last merge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Fact {
    Duplicate {
        line: u64,
        reference_id: Box<str>,
    },
    TypeConflict {
        line: u64,
        key: Box<str>,
        kind: Kind,
        /// The value, shortened for the message.
        value: String,
    },
    /// `count` values of `kind` in a later shard, the first at `line`, against the kind an
    /// earlier shard decided.
    TypeConflicts {
        line: u64,
        key: Box<str>,
        kind: Kind,
        count: u64,
    },
    MixedKinds {
        line: u64,
        key: Box<str>,
        kind: Kind,
    },
}

impl ShardCheck {
    /// An empty shard checked with `rules`.
    #[must_use]
    pub fn new(rules: ItemRules) -> ShardCheck {
        ShardCheck {
            rules,
            ..ShardCheck::default()
        }
    }

    /// Lines consumed so far, blank ones included.
    #[must_use]
    pub fn n_lines(&self) -> u64 {
        self.n_lines
    }

    /// Checks the next lines of the shard, in order, on the calling thread: one input held in
    /// memory, one string per line, read by the rules of [`nucleus_lines::text_lines`] (a final
    /// `\n` or `\r\n` is the line's ending, a byte order mark at the start of the first line is
    /// skipped, blank lines count but are not items, a line longer than
    /// [`nucleus_lines::DEFAULT_MAX_LINE_BYTES`] is a `line-too-long` finding).
    pub fn update<'a>(&mut self, lines: impl IntoIterator<Item = &'a str>) {
        self.update_lines(lines, &StreamConfig::default().jobs(1));
    }

    /// [`ShardCheck::update`] on `config.jobs` threads and with `config.max_line_bytes`
    /// (results are folded in line order, so they do not depend on the thread count).
    pub fn update_lines<'a>(
        &mut self,
        lines: impl IntoIterator<Item = &'a str>,
        config: &StreamConfig,
    ) {
        let rules = self.rules.clone();
        let offset = self.n_lines;
        let stats = for_each_text_line(
            lines,
            config,
            |_, text| rules.check_line_fast(text),
            |event| {
                self.observe_event(offset, event);
                ControlFlow::Continue(())
            },
        );
        self.n_lines = offset + stats.lines;
    }

    /// Checks the next records of the shard (lines as bytes, such as the rows of an Arrow
    /// string column), in order, on the calling thread: each is one line, read by
    /// [`nucleus_lines::record_text`]'s rules, so bytes that are not UTF-8 are an
    /// `invalid-utf8` finding as in a file. `None` (a null row) is a blank line: it counts,
    /// but it is not an item.
    pub fn update_records<'a>(&mut self, records: impl IntoIterator<Item = Option<&'a [u8]>>) {
        for record in records {
            self.n_lines += 1;
            let check = check_record(&self.rules, self.n_lines, record);
            self.observe_record(self.n_lines, check);
        }
    }

    /// [`ShardCheck::update_records`] on `jobs` threads (results are folded in line order, so
    /// they do not depend on the thread count).
    pub fn update_records_parallel(&mut self, records: &[Option<&[u8]>], jobs: usize) {
        use rayon::prelude::*;
        let first = self.n_lines + 1;
        let rules = &self.rules;
        let run = |records: &[Option<&[u8]>]| -> Vec<RecordCheck> {
            records
                .par_iter()
                .enumerate()
                .map(|(index, record)| check_record(rules, first + index as u64, *record))
                .collect()
        };
        let checks = match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
            Ok(pool) => pool.install(|| run(records)),
            Err(_) => (first..)
                .zip(records)
                .map(|(line, record)| check_record(rules, line, *record))
                .collect(),
        };
        for check in checks {
            self.n_lines += 1;
            self.observe_record(self.n_lines, check);
        }
    }

    /// Records a record's check at `line`.
    fn observe_record(&mut self, line: u64, check: RecordCheck) {
        match check {
            RecordCheck::Blank => {}
            RecordCheck::Checked(check) => self.observe_check(line, check),
            RecordCheck::Unreadable(diagnostic) => {
                self.n_items += 1;
                self.item_findings.push(diagnostic.at_line(line));
            }
        }
    }

    /// Checks JSON Lines from `reader` as the next lines of the shard, on `config.jobs` threads
    /// (the same driver and line rules as `nucleus check`).
    ///
    /// # Errors
    ///
    /// The reader's I/O errors; the lines read before the error are kept.
    pub fn update_reader<R: Read + Send>(
        &mut self,
        reader: R,
        config: &StreamConfig,
    ) -> io::Result<()> {
        let rules = self.rules.clone();
        let offset = self.n_lines;
        let stats = for_each_line(
            reader,
            config,
            |_, text| rules.check_line_fast(text),
            |event| {
                self.observe_event(offset, event);
                ControlFlow::Continue(())
            },
        )?;
        self.n_lines = offset + stats.lines;
        Ok(())
    }

    /// Records a line of the stream, whose lines count on from `offset`.
    fn observe_event(&mut self, offset: u64, event: Event<LineCheck>) {
        if let Event::Line { line, result } = event {
            match result {
                Ok(check) => self.observe_check(offset + line, check),
                Err(diagnostic) => {
                    self.n_items += 1;
                    self.item_findings.push(diagnostic.at_line(offset + line));
                }
            }
        }
    }

    /// Records the item rules' reading of the item at `line` and applies the dataset rules.
    fn observe_reading(&mut self, line: u64, reading: ItemReading) {
        self.n_items += 1;
        self.item_findings
            .extend(reading.diagnostics.into_iter().map(|d| d.at_line(line)));
        if let Some(item) = reading.item {
            self.observe(line, &item);
        }
    }

    /// Records a line's check: the full reading's findings and item, or a clean item.
    fn observe_check(&mut self, line: u64, check: LineCheck) {
        match check {
            LineCheck::Clean(item) => {
                self.n_items += 1;
                self.observe(line, &item);
            }
            LineCheck::Read(reading) => self.observe_reading(line, *reading),
        }
    }

    /// The dataset rules of [`crate::DatasetState::observe`], recorded as facts.
    fn observe(&mut self, line: u64, item: &impl Observed) {
        let reference_id = item.reference_id();
        if self
            .reference_ids
            .insert_first(reference_id, at_line(line))
            .is_some()
        {
            self.dataset_findings.push(Fact::Duplicate {
                line,
                reference_id: reference_id.into(),
            });
        }
        for (nth, (key, kind, value)) in item.kinds().enumerate() {
            let slot = self.keys.slot(nth, key);
            let Some(kinds) = self.keys.get_mut(slot) else {
                continue;
            };
            match kinds.observe(kind, line) {
                None => {}
                Some(KindFinding::TypeConflict { .. }) => {
                    self.dataset_findings.push(Fact::TypeConflict {
                        line,
                        key: key.into(),
                        kind,
                        value: short(value).to_string(),
                    });
                }
                Some(KindFinding::MixedKinds { .. }) => {
                    self.dataset_findings.push(Fact::MixedKinds {
                        line,
                        key: key.into(),
                        kind,
                    });
                }
            }
        }
    }

    /// Appends `later`, the check of the shard that comes right after this one in the dataset:
    /// its lines are renumbered after this shard's, and the dataset rules are applied across
    /// the two (see the module docs for the one case summarised).
    pub fn merge(&mut self, later: ShardCheck) {
        let offset = self.n_lines;
        let ShardCheck {
            rules: _,
            n_lines,
            n_items,
            item_findings,
            dataset_findings,
            keys,
            reference_ids,
        } = later;
        self.n_lines += n_lines;
        self.n_items += n_items;
        self.item_findings
            .extend(item_findings.into_iter().map(|mut diagnostic| {
                diagnostic.line = diagnostic.line.map(|line| line + offset);
                diagnostic.related_line = diagnostic.related_line.map(|line| line + offset);
                diagnostic
            }));

        let mut added = Vec::new();
        for (reference_id, first) in reference_ids.iter() {
            let line = first.line + offset;
            if self
                .reference_ids
                .insert_first(reference_id, at_line(line))
                .is_some()
            {
                added.push(Fact::Duplicate {
                    line,
                    reference_id: reference_id.into(),
                });
            }
        }

        // Keys whose later findings must be redone against this shard's kinds.
        let mut redo_conflicts: HashSet<Box<str>> = HashSet::new();
        let mut redo_mixes: HashSet<Box<str>> = HashSet::new();
        // In order of first use, so findings added on one line come in a fixed order.
        let mut keys: Vec<(Box<str>, KeyKinds<u64>)> = keys.into_entries().collect();
        keys.sort_by(|(a, a_kinds), (b, b_kinds)| {
            (a_kinds.first_kind().map(|(_, line)| line), a)
                .cmp(&(b_kinds.first_kind().map(|(_, line)| line), b))
        });
        for (key, theirs) in keys {
            let theirs = theirs.map_positions(|line| line + offset);
            let Some(mine) = self.keys.get_by_key_mut(&key) else {
                if let Some(slot) = self.keys.entry(&key) {
                    *slot = theirs;
                }
                continue;
            };
            for finding in mine.later_findings(&theirs) {
                added.push(match finding {
                    LaterFinding::TypeConflicts { kind, at, count } => {
                        redo_conflicts.insert(key.clone());
                        Fact::TypeConflicts {
                            line: at,
                            key: key.clone(),
                            kind,
                            count,
                        }
                    }
                    LaterFinding::MixedKinds { kind, at } => Fact::MixedKinds {
                        line: at,
                        key: key.clone(),
                        kind,
                    },
                });
            }
            redo_mixes.insert(key.clone());
            mine.merge(&theirs);
        }

        self.dataset_findings
            .extend(dataset_findings.into_iter().filter_map(|fact| {
                let keep = match &fact {
                    Fact::Duplicate { .. } => true,
                    Fact::TypeConflict { key, .. } | Fact::TypeConflicts { key, .. } => {
                        !redo_conflicts.contains(key)
                    }
                    Fact::MixedKinds { key, .. } => !redo_mixes.contains(key),
                };
                keep.then(|| fact.shifted(offset))
            }));
        self.dataset_findings.extend(added);
    }

    /// The state as bytes, to send a shard's check from a worker process to the one that merges
    /// (pickling in Spark, Dask and Ray). [`ShardCheck::from_bytes`] reads them back.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let saved = Saved {
            version: FORMAT_VERSION,
            remote_only: self.rules.remote_only,
            require_dimensions: self.rules.require_dimensions,
            n_lines: self.n_lines,
            n_items: self.n_items,
            item_findings: self.item_findings.clone(),
            dataset_findings: self.dataset_findings.clone(),
            keys: self.keys.iter().map(|(k, f)| (k.into(), *f)).collect(),
            reference_ids: self
                .reference_ids
                .iter()
                .map(|(id, first)| (id.into(), first.line))
                .collect(),
        };
        // Sorted, so that equal states give equal bytes.
        let mut saved = saved;
        saved.keys.sort_by(|a, b| a.0.cmp(&b.0));
        saved.reference_ids.sort_by(|a, b| a.0.cmp(&b.0));
        serde_json::to_vec(&saved).unwrap_or_default()
    }

    /// Reads a state written by [`ShardCheck::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidShardState`] when the bytes are not such a state (or of another version).
    pub fn from_bytes(bytes: &[u8]) -> Result<ShardCheck, Error> {
        let invalid = |message: String| Error::InvalidShardState(message);
        let saved: Saved = serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
        if saved.version != FORMAT_VERSION {
            return Err(invalid(format!(
                "format version {}, expected {FORMAT_VERSION}",
                saved.version
            )));
        }
        let mut reference_ids = IdIndex::default();
        for (reference_id, line) in saved.reference_ids {
            reference_ids.insert_first(&reference_id, at_line(line));
        }
        Ok(ShardCheck {
            rules: ItemRules::new()
                .remote_only(saved.remote_only)
                .require_dimensions(saved.require_dimensions),
            n_lines: saved.n_lines,
            n_items: saved.n_items,
            item_findings: saved.item_findings,
            dataset_findings: saved.dataset_findings,
            keys: saved.keys.into_iter().collect(),
            reference_ids,
        })
    }

    /// The findings with their final lines and messages, and the totals.
    #[must_use]
    pub fn finish(&self) -> CheckReport {
        let mut rendered: Vec<(u64, u8, Diagnostic, u64)> = self
            .item_findings
            .iter()
            .map(|d| (d.line.unwrap_or_default(), 0, d.clone(), 1))
            .collect();
        for fact in &self.dataset_findings {
            if let Some((group, diagnostic, weight)) = self.render(fact) {
                rendered.push((fact.line(), group, diagnostic, weight));
            }
        }
        rendered.sort_by_key(|(line, group, _, _)| (*line, *group));

        let mut summary = CheckSummary {
            items: self.n_items,
            ..CheckSummary::default()
        };
        let mut invalid_lines = HashSet::new();
        for (line, _, diagnostic, weight) in &rendered {
            if diagnostic.is_error() {
                invalid_lines.insert(*line);
            }
            summary.count(diagnostic, *weight);
        }
        summary.invalid = u64::try_from(invalid_lines.len()).unwrap_or(u64::MAX);
        summary.valid = summary.items.saturating_sub(summary.invalid);
        CheckReport {
            diagnostics: rendered.into_iter().map(|(_, _, d, _)| d).collect(),
            summary,
        }
    }

    /// A fact as a diagnostic: (order within its line, the diagnostic, how many it stands for).
    fn render(&self, fact: &Fact) -> Option<(u8, Diagnostic, u64)> {
        Some(match fact {
            Fact::Duplicate { line, reference_id } => {
                let first = self.reference_ids.get(reference_id)?.line;
                let diagnostic = Diagnostic::error(
                    Code::DuplicateReferenceId,
                    "/reference_id",
                    duplicate_message(reference_id, &format!("at line {first}")),
                )
                .at_line(*line)
                .with_related_line(first);
                (1, diagnostic, 1)
            }
            Fact::TypeConflict {
                line,
                key,
                kind,
                value,
            } => {
                let (decided, first) = self.keys.get(key)?.decided()?;
                let diagnostic = Diagnostic::error(
                    Code::TypeConflict,
                    pointer("/metadata", &[key]),
                    type_conflict_message(key, *kind, value, decided, &origin(first)),
                )
                .at_line(*line)
                .with_related_line(first);
                (2, diagnostic, 1)
            }
            Fact::TypeConflicts {
                line,
                key,
                kind,
                count,
            } => {
                let (decided, first) = self.keys.get(key)?.decided()?;
                let value = if *count == 1 {
                    "(1 value from this line on, in a later shard)".to_owned()
                } else {
                    format!(
                        "({count} values from this line on, in a later shard; the other lines are not listed)"
                    )
                };
                let diagnostic = Diagnostic::error(
                    Code::TypeConflict,
                    pointer("/metadata", &[key]),
                    type_conflict_message(key, *kind, value, decided, &origin(first)),
                )
                .at_line(*line)
                .with_related_line(first);
                (2, diagnostic, *count)
            }
            Fact::MixedKinds { line, key, kind } => {
                let (first_kind, first) = self.keys.get(key)?.first_kind()?;
                let diagnostic = Diagnostic::warning(
                    Code::MixedKinds,
                    pointer("/metadata", &[key]),
                    mixed_kinds_message(key, *kind, first_kind, &origin(first)),
                )
                .at_line(*line)
                .with_related_line(first);
                (2, diagnostic, 1)
            }
        })
    }
}

impl Fact {
    fn line(&self) -> u64 {
        match self {
            Fact::Duplicate { line, .. }
            | Fact::TypeConflict { line, .. }
            | Fact::TypeConflicts { line, .. }
            | Fact::MixedKinds { line, .. } => *line,
        }
    }

    fn shifted(mut self, offset: u64) -> Fact {
        match &mut self {
            Fact::Duplicate { line, .. }
            | Fact::TypeConflict { line, .. }
            | Fact::TypeConflicts { line, .. }
            | Fact::MixedKinds { line, .. } => *line += offset,
        }
        self
    }
}

/// A shard's lines all belong to one input.
fn at_line(line: u64) -> Position {
    Position { input: 0, line }
}

fn origin(line: u64) -> String {
    format!("at line {line} (the first value decides)")
}

/// A record as the item rules saw it.
enum RecordCheck {
    Blank,
    Checked(LineCheck),
    Unreadable(Diagnostic),
}

/// The item rules' part of a record's check (line `line` of the shard), which needs no state.
fn check_record(rules: &ItemRules, line: u64, record: Option<&[u8]>) -> RecordCheck {
    let Some(raw) = record else {
        return RecordCheck::Blank;
    };
    match record_text(line, raw, DEFAULT_MAX_LINE_BYTES) {
        LineText::Blank => RecordCheck::Blank,
        LineText::Text(text) => RecordCheck::Checked(rules.check_line_fast(text)),
        LineText::Unreadable(diagnostic) => RecordCheck::Unreadable(diagnostic),
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

    fn check(shards: &[&[String]]) -> CheckReport {
        let mut merged = ShardCheck::new(ItemRules::new());
        for shard in shards {
            let mut state = ShardCheck::new(ItemRules::new());
            state.update(shard.iter().map(String::as_str));
            merged.merge(state);
        }
        merged.finish()
    }

    #[test]
    fn a_duplicate_across_shards_names_the_first_line() {
        let lines = [
            item("a", "{}"),
            item("b", "{}"),
            item("a", "{}"),
            item("a", "{}"),
        ];
        let report = check(&[&lines[..2], &lines[2..]]);
        let found: Vec<_> = report
            .diagnostics
            .iter()
            .map(|d| (d.line, d.related_line, d.message.as_str()))
            .collect();
        let message = r#"reference id "a" is already used at line 1; reference ids must be unique in a dataset"#;
        assert_eq!(
            found,
            [(Some(3), Some(1), message), (Some(4), Some(1), message)]
        );
        assert_eq!(report, check(&[&lines]));
    }

    #[test]
    fn a_kind_decided_by_an_earlier_shard_is_summarised_once_with_a_count() {
        let lines = [
            item("1", r#"{"k": "x"}"#),
            item("2", r#"{"k": 1}"#),
            item("3", r#"{"k": 2}"#),
            item("4", r#"{"k": "y"}"#),
        ];
        let sequential = check(&[&lines]);
        let sharded = check(&[&lines[..1], &lines[1..]]);
        assert_eq!(sequential.summary.errors, 2);
        assert_eq!(sharded.summary.errors, 2);
        assert_eq!(sharded.summary.codes, sequential.summary.codes);
        assert_eq!(sharded.diagnostics.len(), 1);
        let merged = &sharded.diagnostics[0];
        assert_eq!((merged.line, merged.related_line), (Some(2), Some(1)));
        assert_eq!(
            merged.message,
            r#"metadata key "k" holds a number (2 values from this line on, in a later shard; the other lines are not listed) here, but strings at line 1 (the first value decides); Nucleus rejects an upload that mixes strings and numbers on one key"#
        );
        assert_eq!(
            (sharded.summary.invalid, sequential.summary.invalid),
            (1, 2)
        );
    }

    #[test]
    fn a_kind_new_to_the_dataset_warns_once_where_it_first_appears() {
        let lines = [
            item("1", r#"{"k": true}"#),
            item("2", r#"{"k": [1]}"#),
            item("3", r#"{"k": [2]}"#),
            item("4", r#"{"k": "s"}"#),
        ];
        for split in 0..=lines.len() {
            assert_eq!(
                check(&[&lines[..split], &lines[split..]]),
                check(&[&lines]),
                "split {split}"
            );
        }
    }

    #[test]
    fn a_state_read_back_from_bytes_merges_as_the_original() {
        let lines = [
            item("1", r#"{"k": "x", "b": true}"#),
            "{broken".to_owned(),
            item("1", r#"{"k": 1, "b": [1]}"#),
        ];
        let mut first = ShardCheck::new(ItemRules::new().remote_only(true));
        first.update(lines[..1].iter().map(String::as_str));
        let mut second = ShardCheck::new(ItemRules::new().remote_only(true));
        second.update(lines[1..].iter().map(String::as_str));
        let mut copy = ShardCheck::from_bytes(&first.to_bytes()).unwrap();
        assert_eq!(copy.rules, first.rules);
        copy.merge(ShardCheck::from_bytes(&second.to_bytes()).unwrap());
        first.merge(second);
        assert_eq!(copy.finish(), first.finish());
        assert!(matches!(
            ShardCheck::from_bytes(b"{}"),
            Err(Error::InvalidShardState(_))
        ));
    }

    #[test]
    fn blank_lines_count_in_line_numbers_but_not_as_items() {
        // The rules of a file: a mark before the first line, `\r` in a blank line.
        let lines = [
            format!("\u{feff}{}", item("a", "{}")),
            "  ".to_owned(),
            " \t\r\n".to_owned(),
            format!("{}\r\n", item("a", "{}")),
        ];
        let report = check(&[&lines[..3], &lines[3..]]);
        assert_eq!(report.summary.items, 2);
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(report.diagnostics[0].code, Code::DuplicateReferenceId);
        assert_eq!(report.diagnostics[0].line, Some(4));
    }

    #[test]
    fn saved_bytes_keep_the_version_2_format() {
        // Equal states give equal bytes, and the bytes of this version read back.
        let saved = r#"{"version":2,"remote_only":false,"require_dimensions":false,"n_lines":5,"n_items":5,"item_findings":[{"severity":"error","code":"not-an-object","line":4,"path":"","message":"expected a JSON object for a dataset item, found an array"}],"dataset_findings":[{"TypeConflict":{"line":2,"key":"k","kind":"number","value":"1"}},{"Duplicate":{"line":3,"reference_id":"b"}}],"keys":[["k",{"first":[1,2,null,null,null],"count":[1,1,0,0,0],"first_kind":"string","decided":"string"}]],"reference_ids":[["a",5],["b",1],["日本",2]]}"#;
        let lines = [
            item("b", r#"{"k": "x"}"#),
            item("日本", r#"{"k": 1}"#),
            item("b", "{}"),
            "[]".to_owned(),
            item("a", "{}"),
        ];
        let mut shard = ShardCheck::new(ItemRules::new());
        shard.update(lines.iter().map(String::as_str));
        assert_eq!(String::from_utf8(shard.to_bytes()).unwrap(), saved);
        let read = ShardCheck::from_bytes(saved.as_bytes()).unwrap();
        assert_eq!(read.to_bytes(), saved.as_bytes());
        assert_eq!(read.finish(), shard.finish());
        let version_1 = saved.replace(r#""version":2"#, r#""version":1"#);
        assert_eq!(
            ShardCheck::from_bytes(version_1.as_bytes())
                .unwrap_err()
                .to_string(),
            "invalid shard state: format version 1, expected 2"
        );
    }
}
