//! Dataset-level rules: kind consistency per metadata key and unique reference ids.
//!
//! [`DatasetState`] sees items one at a time, in dataset order, and remembers only what the rules
//! need: per metadata key a [`KeyKinds`] (per kind its count and first values; the rule itself
//! lives there), per reference id the first line. A duplicate reference id is found at once;
//! type conflicts and mixed kinds need the whole dataset (the kind held by more items decides),
//! so [`DatasetState::kind_findings`] gives them at the end. Its memory grows with the number of
//! distinct reference ids and keys (at most [`nucleus_model::LISTED_PER_KEY`] + 1 short values
//! per key and kind), never with item size or the number of items of a key.
//! Parallel checkers parse and check items in any order, then feed them to one state in line
//! order (see [`nucleus_lines`]): the result is the same as a sequential run.

use std::fmt;

use nucleus_model::diagnostic::pointer;
use nucleus_model::{
    Code, DatasetItem, Diagnostic, KeyKinds, Kind, KindFinding, KindRule, KindSchema,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::CleanItem;
use crate::ids::IdIndex;
use crate::keys::KeyTable;

/// Where an item is: which input (index into [`DatasetState::inputs`]) and which 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Position {
    /// Index of the input (file) in the order inputs were added.
    pub input: usize,
    /// 1-based line within that input.
    pub line: u64,
}

/// Where a metadata value is: its item's position and its rank among the metadata values seen
/// at that position (the items of a scene share one), so that every value has its own place.
type At = (Position, u32);

/// A metadata value kept for a kind finding: the pointer of its item in the line (`""` for an
/// item line, `/frames/0/cam` for a scene's item) and the value, shortened.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct Held {
    #[serde(default, skip_serializing_if = "is_empty")]
    pub(crate) pointer: Box<str>,
    pub(crate) value: Box<str>,
}

fn is_empty(text: &str) -> bool {
    text.is_empty()
}

/// A finding of the dataset rules that needs the whole dataset (a type conflict or a mix of
/// kinds), from [`DatasetState::kind_findings`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DatasetFinding {
    /// Where the item is.
    pub position: Position,
    /// The finding, placed on `position.line`.
    pub diagnostic: Diagnostic,
    /// How many values it stands for: 1, or for the count of those not listed, their number.
    pub weight: u64,
    /// Where the key's deciding kind is first seen, if an item holds it.
    pub related: Option<Position>,
}

/// A key that holds both strings and numbers, for the summary of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct KeyConflict {
    /// The metadata key.
    pub key: String,
    /// The kind that decides.
    pub kind: Kind,
    /// How many items hold it.
    pub count: u64,
    /// The line of the first of them (`None` when only `--schema` declares it).
    pub first_line: Option<u64>,
    /// Whether the kind was declared by `--schema` rather than decided by the counts.
    pub declared: bool,
    /// The other kind, whose items are the `type-conflict` findings.
    pub other_kind: Kind,
    /// How many items hold it.
    pub other_count: u64,
}

/// What a dataset has shown so far; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct DatasetState {
    inputs: Vec<String>,
    keys: KeyTable<KeyKinds<At, Held>>,
    reference_ids: IdIndex,
    n_items: u64,
    /// The position of the last item observed, and how many metadata values were seen there.
    current: Position,
    rank: u32,
    /// Whether a value was kept for the kind findings since [`DatasetState::take_kept`].
    kept: bool,
}

impl DatasetState {
    /// An empty dataset.
    #[must_use]
    pub fn new() -> DatasetState {
        DatasetState::default()
    }

    /// A dataset whose keys already have the kinds of `schema` (the dataset being appended to):
    /// those kinds decide.
    #[must_use]
    pub fn with_schema(schema: &KindSchema) -> DatasetState {
        let mut state = DatasetState::new();
        for (key, &kind) in &schema.keys {
            if let Some(entry) = state.keys.entry(key) {
                *entry = KeyKinds::known(kind);
            }
        }
        state
    }

    /// Registers an input (a file name, or `-` for stdin) and returns its index for [`Position`].
    pub fn add_input(&mut self, name: impl Into<String>) -> usize {
        self.inputs.push(name.into());
        self.inputs.len() - 1
    }

    /// The names of the inputs, in the order they were added.
    #[must_use]
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// Number of items observed.
    #[must_use]
    pub fn n_items(&self) -> u64 {
        self.n_items
    }

    /// Number of distinct reference ids observed.
    #[must_use]
    pub fn n_reference_ids(&self) -> usize {
        self.reference_ids.len()
    }

    /// The kind each key has settled on ([`nucleus_model::settled_kind`]; a `--schema` kind
    /// first).
    #[must_use]
    pub fn kinds(&self) -> KindSchema {
        let keys = self
            .keys
            .iter()
            .filter_map(|(key, kinds)| Some((key.to_owned(), kinds.kind()?)))
            .collect();
        KindSchema {
            comment: None,
            keys,
        }
    }

    /// Whether `reference_id` has been seen, and where.
    #[must_use]
    pub fn reference_id_position(&self, reference_id: &str) -> Option<Position> {
        self.reference_ids.get(reference_id)
    }

    /// Observes the next item of the dataset (items must come in dataset order) and appends the
    /// findings about it that need no later item (duplicate reference ids), each placed on
    /// `position.line`. Its metadata counts for [`DatasetState::kind_findings`].
    pub fn observe(&mut self, position: Position, item: &DatasetItem, out: &mut Vec<Diagnostic>) {
        self.observe_facts(position, "", item, out);
    }

    /// [`DatasetState::observe`] for an item inside the line at `pointer` (a scene's item,
    /// `/frames/0/cam`): its kind findings point below it. The findings appended to `out` are
    /// not (the caller places them).
    pub fn observe_at(
        &mut self,
        position: Position,
        pointer: &str,
        item: &DatasetItem,
        out: &mut Vec<Diagnostic>,
    ) {
        self.observe_facts(position, pointer, item, out);
    }

    /// [`DatasetState::observe`] for an item from the fast path
    /// ([`crate::ItemRules::check_line_fast`]): the same findings.
    pub fn observe_clean(
        &mut self,
        position: Position,
        item: &CleanItem,
        out: &mut Vec<Diagnostic>,
    ) {
        self.observe_facts(position, "", item, out);
    }

    /// Whether a metadata value was kept for [`DatasetState::kind_findings`] since the last
    /// call: only the items of such calls can have kind findings, so a caller that must know
    /// later whether an item's line had other errors needs to remember only those.
    pub fn take_kept(&mut self) -> bool {
        std::mem::take(&mut self.kept)
    }

    fn observe_facts(
        &mut self,
        position: Position,
        item_pointer: &str,
        item: &impl Observed,
        out: &mut Vec<Diagnostic>,
    ) {
        self.n_items += 1;
        let reference_id = item.reference_id();
        if let Some(first) = self.reference_ids.insert_first(reference_id, position) {
            out.push(
                Diagnostic::error(
                    Code::DuplicateReferenceId,
                    "/reference_id",
                    duplicate_message(reference_id, &self.describe(first, position)),
                )
                .at_line(position.line)
                .with_related_line(first.line),
            );
        }
        if position != self.current {
            self.current = position;
            self.rank = 0;
        }
        for (nth, (key, kind, value)) in item.kinds().enumerate() {
            let slot = self.keys.slot(nth, key);
            let rank = self.rank;
            self.rank = self.rank.saturating_add(1);
            if let Some(kinds) = self.keys.get_mut(slot) {
                if kinds.keeps(kind) {
                    self.kept = true;
                }
                kinds.observe(kind, (position, rank), || held(item_pointer, value));
            }
        }
    }

    /// The type conflicts and mixed kinds of the dataset seen so far, in dataset order (see
    /// [`KeyKinds`] for the rule and how many are listed).
    #[must_use]
    pub fn kind_findings(&self) -> Vec<DatasetFinding> {
        let mut found: Vec<(At, DatasetFinding)> = Vec::new();
        for (key, kinds) in self.keys.iter() {
            for finding in kinds.findings() {
                let (position, _) = finding.at;
                let first = finding.decided_first.map(|(first, _)| first);
                let origin = first.map(|first| self.describe(first, position));
                let mut diagnostic =
                    kind_diagnostic(key, &finding, origin.as_deref(), position.line);
                if let Some(first) = first {
                    diagnostic = diagnostic.with_related_line(first.line);
                }
                found.push((
                    finding.at,
                    DatasetFinding {
                        position,
                        diagnostic,
                        weight: finding.weight,
                        related: first,
                    },
                ));
            }
        }
        found.sort_by_key(|(at, _)| *at);
        found.into_iter().map(|(_, finding)| finding).collect()
    }

    /// The keys that hold both strings and numbers, in the order of their first string or
    /// number.
    #[must_use]
    pub fn type_conflicts(&self) -> Vec<KeyConflict> {
        key_conflicts(self.keys.iter(), |(first, _)| first.line)
    }

    /// "at line 7", or "at line 7 of other.jsonl" when the line is in another input.
    fn describe(&self, position: Position, here: Position) -> String {
        if position.input == here.input {
            format!("at line {}", position.line)
        } else {
            format!(
                "at line {} of {}",
                position.line,
                self.inputs
                    .get(position.input)
                    .map_or("another input", String::as_str)
            )
        }
    }
}

/// A value kept for a kind finding.
fn held(pointer: &str, value: ValueRef<'_>) -> Held {
    Held {
        pointer: pointer.into(),
        value: short(value).to_string().into(),
    }
}

/// The keys of `keys` that hold both strings and numbers, in the order of their first string
/// or number.
pub(crate) fn key_conflicts<'a, P: Copy + Ord + 'a>(
    keys: impl Iterator<Item = (&'a str, &'a KeyKinds<P, Held>)>,
    line_of: impl Fn(P) -> u64,
) -> Vec<KeyConflict> {
    let mut conflicts: Vec<(P, KeyConflict)> = keys
        .filter_map(|(key, kinds)| {
            let kind = kinds.searchable()?;
            let other_kind = match kind {
                Kind::String => Kind::Number,
                _ => Kind::String,
            };
            let other_first = kinds.first_of(other_kind)?;
            let first = kinds.first_of(kind);
            let conflict = KeyConflict {
                key: key.to_owned(),
                kind,
                count: kinds.count_of(kind),
                first_line: first.map(&line_of),
                declared: kinds.declared() == Some(kind),
                other_kind,
                other_count: kinds.count_of(other_kind),
            };
            Some((
                first.map_or(other_first, |first| first.min(other_first)),
                conflict,
            ))
        })
        .collect();
    conflicts.sort_by_key(|(first, _)| *first);
    conflicts
        .into_iter()
        .map(|(_, conflict)| conflict)
        .collect()
}

/// A kind finding of `key` as a diagnostic on `line`, without its related line; `origin` says
/// where the deciding kind is first seen ("at line 7").
pub(crate) fn kind_diagnostic<P>(
    key: &str,
    finding: &KindFinding<'_, P, Held>,
    origin: Option<&str>,
    line: u64,
) -> Diagnostic {
    let path = format!("{}{}", finding.value.pointer, pointer("/metadata", &[key]));
    let message = kind_message(key, finding, origin);
    match finding.rule {
        KindRule::TypeConflict => Diagnostic::error(Code::TypeConflict, path, message),
        KindRule::MixedKinds => Diagnostic::warning(Code::MixedKinds, path, message),
    }
    .at_line(line)
}

/// The message of a `type-conflict` or `mixed-kinds` finding.
fn kind_message<P>(key: &str, finding: &KindFinding<'_, P, Held>, origin: Option<&str>) -> String {
    let kind = finding.kind;
    let here = match (finding.listed, finding.rule) {
        (true, KindRule::TypeConflict) => {
            format!("holds {} {} here", article(kind), finding.value.value)
        }
        (true, KindRule::MixedKinds) => format!("holds {} here", article(kind)),
        (false, KindRule::TypeConflict) => format!(
            "holds {} on {} more {} from this line on (not listed)",
            plural(kind),
            thousands(finding.weight),
            if finding.weight == 1 { "item" } else { "items" }
        ),
        (false, KindRule::MixedKinds) => format!(
            "holds a kind other than {} on {} more {} from this line on (not listed)",
            plural(finding.decided),
            thousands(finding.weight),
            if finding.weight == 1 { "item" } else { "items" }
        ),
    };
    let why = if finding.declared {
        " (the kind of the existing dataset, --schema)"
    } else {
        ""
    };
    let first = origin.map_or_else(String::new, |origin| format!(" (the first {origin})"));
    let tie = if !finding.declared && finding.decided_count == finding.count {
        ", a tie that the kind seen first wins"
    } else {
        ""
    };
    let consequence = match finding.rule {
        KindRule::TypeConflict => {
            "Nucleus rejects an upload that mixes strings and numbers on one key"
        }
        KindRule::MixedKinds => {
            "only strings and numbers are searchable, so check that this mix is intended"
        }
    };
    format!(
        "metadata key {} {here}, but {} decide{why}: {} {} and {} {}{tie}; {consequence}",
        quoted(key),
        plural(finding.decided),
        items_hold(finding.decided_count),
        format_args!("{}{first}", article(finding.decided)),
        thousands(finding.count),
        format_args!(
            "{} {}",
            if finding.count == 1 { "holds" } else { "hold" },
            article(kind)
        ),
    )
}

/// "1 item holds", "200,000 items hold".
fn items_hold(count: u64) -> String {
    if count == 1 {
        "1 item holds".to_owned()
    } else {
        format!("{} items hold", thousands(count))
    }
}

/// `n` with a comma between groups of three digits.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (idx, digit) in digits.chars().enumerate() {
        if idx > 0 && (digits.len() - idx).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The message of a `duplicate-reference-id` finding; `first` says where the id was first used
/// ("at line 7").
pub(crate) fn duplicate_message(reference_id: &str, first: &str) -> String {
    format!(
        "reference id {} is already used {first}; reference ids must be unique in a dataset",
        quoted(reference_id)
    )
}

fn article(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "a string",
        Kind::Number => "a number",
        Kind::Boolean => "a boolean",
        Kind::List => "a list",
        Kind::Object => "an object",
    }
}

fn plural(kind: Kind) -> &'static str {
    match kind {
        Kind::String => "strings",
        Kind::Number => "numbers",
        Kind::Boolean => "booleans",
        Kind::List => "lists",
        Kind::Object => "objects",
    }
}

/// A metadata value as the dataset rules see it: parsed, or its JSON text as the fast path
/// found it (parsed only for a message, which is rare).
#[derive(Debug, Clone, Copy)]
pub(crate) enum ValueRef<'a> {
    Parsed(&'a Value),
    Text(&'a str),
}

/// What the dataset rules read of an item: its reference id and, per metadata key with a
/// non-null value, the value's kind.
pub(crate) trait Observed {
    fn reference_id(&self) -> &str;
    fn kinds(&self) -> impl Iterator<Item = (&str, Kind, ValueRef<'_>)>;
}

impl Observed for DatasetItem {
    fn reference_id(&self) -> &str {
        DatasetItem::reference_id(self).as_str()
    }

    fn kinds(&self) -> impl Iterator<Item = (&str, Kind, ValueRef<'_>)> {
        self.metadata().iter().filter_map(|(key, value)| {
            Some((key.as_str(), Kind::of(value)?, ValueRef::Parsed(value)))
        })
    }
}

impl Observed for CleanItem {
    fn reference_id(&self) -> &str {
        CleanItem::reference_id(self)
    }

    fn kinds(&self) -> impl Iterator<Item = (&str, Kind, ValueRef<'_>)> {
        self.metadata_kinds()
            .map(|(key, kind, text)| (key, kind, ValueRef::Text(text)))
    }
}

/// The value for a message, shortened when long.
pub(crate) fn short(value: ValueRef<'_>) -> ShortValue<'_> {
    ShortValue(value)
}

pub(crate) struct ShortValue<'a>(ValueRef<'a>);

impl fmt::Display for ShortValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The fast path's text is valid JSON: written back by serde_json, it reads as the
        // full reader's value would (`1.50` as `1.5`, escapes as serde_json writes them).
        let text = match self.0 {
            ValueRef::Parsed(value) => value.to_string(),
            ValueRef::Text(text) => nucleus_model::json::parse(text)
                .map_or_else(|_| text.to_owned(), |value| value.to_string()),
        };
        match text.char_indices().nth(40) {
            Some((cut, _)) => write!(f, "{}…", text.get(..cut).unwrap_or_default()),
            None => f.write_str(&text),
        }
    }
}

fn quoted(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}
