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
//! For shards merged in dataset order, [`ShardCheck::finish`] gives exactly the findings and
//! the summary of one sequential run (`nucleus check` on the concatenated lines: same lines,
//! codes, paths, related lines, messages and totals), whatever the cuts. Type conflicts and
//! mixed kinds are decided from the merged counts (the kind held by more items decides), so no
//! shard needs to know the others; like `nucleus check`, they come after the other findings,
//! in line order.
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
//! // Two strings against one number: the number is the conflict, after the streamed findings.
//! assert_eq!(codes, [(Some(3), "duplicate-reference-id"), (Some(3), "type-conflict")]);
//! assert_eq!(report.summary.type_conflicts[0].other_count, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashSet;
use std::io::{self, Read};
use std::ops::ControlFlow;

use nucleus_model::read::ItemReading;
use nucleus_model::{Code, Diagnostic, KeyKinds};
use serde::{Deserialize, Serialize};

use crate::check::{CheckReport, CheckSummary};
use crate::dataset::{Held, Observed, duplicate_message, key_conflicts, kind_diagnostic, short};
use crate::fast::LineCheck;
use crate::ids::IdIndex;
use crate::keys::KeyTable;
use crate::{Error, ItemRules, Position};
use nucleus_lines::{
    DEFAULT_MAX_LINE_BYTES, Event, LineText, StreamConfig, for_each_line, for_each_text_line,
    record_text,
};

/// The version of [`ShardCheck::to_bytes`]'s format. Version 3 keeps per key and kind the
/// counts and first values, and no kind findings (they are decided at the end); version 2 kept
/// kind findings as they were found.
const FORMAT_VERSION: u32 = 3;

/// Where a metadata value is: its line and its rank among the line's metadata values.
type At = (u64, u32);

/// What [`ShardCheck::to_bytes`] writes (JSON).
#[derive(Serialize, Deserialize)]
struct Saved {
    version: u32,
    remote_only: bool,
    require_dimensions: bool,
    n_lines: u64,
    n_items: u64,
    item_findings: Vec<Diagnostic>,
    duplicates: Vec<(u64, Box<str>)>,
    keys: Vec<(Box<str>, KeyKinds<At, Held>)>,
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
    /// Repeated reference ids, at their lines (rendered by [`ShardCheck::finish`]: the first
    /// line is known only after the last merge).
    duplicates: Vec<(u64, Box<str>)>,
    keys: KeyTable<KeyKinds<At, Held>>,
    /// Per reference id its first line (the input is always 0).
    reference_ids: IdIndex,
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
            self.duplicates.push((line, reference_id.into()));
        }
        for (nth, (key, kind, value)) in item.kinds().enumerate() {
            let slot = self.keys.slot(nth, key);
            if let Some(kinds) = self.keys.get_mut(slot) {
                let rank = u32::try_from(nth).unwrap_or(u32::MAX);
                kinds.observe(kind, (line, rank), || Held {
                    pointer: "".into(),
                    value: short(value).to_string().into(),
                });
            }
        }
    }

    /// Appends `later`, the check of the shard that comes right after this one in the dataset:
    /// its lines are renumbered after this shard's, and the dataset rules are applied across
    /// the two.
    pub fn merge(&mut self, later: ShardCheck) {
        let offset = self.n_lines;
        let ShardCheck {
            rules: _,
            n_lines,
            n_items,
            item_findings,
            duplicates,
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
        self.duplicates.extend(
            duplicates
                .into_iter()
                .map(|(line, reference_id)| (line + offset, reference_id)),
        );
        for (reference_id, first) in reference_ids.iter() {
            let line = first.line + offset;
            if self
                .reference_ids
                .insert_first(reference_id, at_line(line))
                .is_some()
            {
                self.duplicates.push((line, reference_id.into()));
            }
        }
        for (key, theirs) in keys.into_entries() {
            let theirs = theirs.map_positions(|(line, rank)| (line + offset, rank));
            if let Some(mine) = self.keys.entry(&key) {
                mine.merge(theirs);
            }
        }
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
            duplicates: self.duplicates.clone(),
            keys: self
                .keys
                .iter()
                .map(|(key, kinds)| (key.into(), kinds.clone()))
                .collect(),
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
            duplicates: saved.duplicates,
            keys: saved.keys.into_iter().collect(),
            reference_ids,
        })
    }

    /// The findings with their final lines and messages, and the totals: item rules and
    /// duplicate reference ids by line, then type conflicts and mixed kinds in line order, as
    /// `nucleus check` gives them.
    #[must_use]
    pub fn finish(&self) -> CheckReport {
        let mut streamed: Vec<(u64, u8, Diagnostic)> = self
            .item_findings
            .iter()
            .map(|d| (d.line.unwrap_or_default(), 0, d.clone()))
            .collect();
        for (line, reference_id) in &self.duplicates {
            if let Some(first) = self.reference_ids.get(reference_id) {
                let diagnostic = Diagnostic::error(
                    Code::DuplicateReferenceId,
                    "/reference_id",
                    duplicate_message(reference_id, &format!("at line {}", first.line)),
                )
                .at_line(*line)
                .with_related_line(first.line);
                streamed.push((*line, 1, diagnostic));
            }
        }
        streamed.sort_by_key(|(line, group, _)| (*line, *group));

        let mut kind_findings: Vec<(At, Diagnostic, u64)> = Vec::new();
        for (key, kinds) in self.keys.iter() {
            for finding in kinds.findings() {
                let (line, _) = finding.at;
                let first = finding.decided_first.map(|(first, _)| first);
                let origin = first.map(|first| format!("at line {first}"));
                let mut diagnostic = kind_diagnostic(key, &finding, origin.as_deref(), line);
                if let Some(first) = first {
                    diagnostic = diagnostic.with_related_line(first);
                }
                kind_findings.push((finding.at, diagnostic, finding.weight));
            }
        }
        kind_findings.sort_by_key(|(at, _, _)| *at);

        let mut summary = CheckSummary {
            items: self.n_items,
            type_conflicts: key_conflicts(self.keys.iter(), |(line, _)| line),
            ..CheckSummary::default()
        };
        let mut invalid_lines = HashSet::new();
        let all = streamed
            .into_iter()
            .map(|(line, _, diagnostic)| (line, diagnostic, 1))
            .chain(
                kind_findings
                    .into_iter()
                    .map(|((line, _), diagnostic, weight)| (line, diagnostic, weight)),
            );
        let mut diagnostics = Vec::new();
        for (line, diagnostic, weight) in all {
            if diagnostic.is_error() {
                invalid_lines.insert(line);
            }
            summary.count(&diagnostic, weight);
            diagnostics.push(diagnostic);
        }
        summary.invalid = u64::try_from(invalid_lines.len()).unwrap_or(u64::MAX);
        summary.valid = summary.items.saturating_sub(summary.invalid);
        CheckReport {
            diagnostics,
            summary,
        }
    }
}

/// A shard's lines all belong to one input.
fn at_line(line: u64) -> Position {
    Position { input: 0, line }
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
    fn a_kind_decided_across_shards_is_exactly_the_sequential_one() {
        let lines = [
            item("1", r#"{"k": "x"}"#),
            item("2", r#"{"k": 1}"#),
            item("3", r#"{"k": 2}"#),
            item("4", r#"{"k": "y"}"#),
            item("5", r#"{"k": 3}"#),
        ];
        let sequential = check(&[&lines]);
        for split in 0..=lines.len() {
            assert_eq!(
                check(&[&lines[..split], &lines[split..]]),
                sequential,
                "split {split}"
            );
        }
        // Three numbers decide against two strings: the strings are the findings.
        let found: Vec<_> = sequential
            .diagnostics
            .iter()
            .map(|d| (d.line, d.related_line))
            .collect();
        assert_eq!(found, [(Some(1), Some(2)), (Some(4), Some(2))]);
        assert_eq!(
            sequential.diagnostics[0].message,
            r#"metadata key "k" holds a string "x" here, but numbers decide: 3 items hold a number (the first at line 2) and 2 hold a string; Nucleus rejects an upload that mixes strings and numbers on one key"#
        );
        assert_eq!(
            (sequential.summary.errors, sequential.summary.invalid),
            (2, 2)
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
    fn saved_bytes_keep_the_version_3_format() {
        // Equal states give equal bytes, and the bytes of this version read back.
        let saved = r#"{"version":3,"remote_only":false,"require_dimensions":false,"n_lines":5,"n_items":5,"item_findings":[{"severity":"error","code":"not-an-object","line":4,"path":"","message":"expected a JSON object for a dataset item, found an array"}],"duplicates":[[3,"b"]],"keys":[["k",{"count":[1,1,0,0,0],"held":[[[[1,0],{"value":"\"x\""}]],[[[2,0],{"value":"1"}]],[],[],[]],"declared":null}]],"reference_ids":[["a",5],["b",1],["日本",2]]}"#;
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
        let version_2 = saved.replace(r#""version":3"#, r#""version":2"#);
        assert_eq!(
            ShardCheck::from_bytes(version_2.as_bytes())
                .unwrap_err()
                .to_string(),
            "invalid shard state: format version 2, expected 3"
        );
    }
}
