//! Dataset-level rules: kind consistency per metadata key and unique reference ids.
//!
//! [`DatasetState`] sees items one at a time, in dataset order, and remembers only what the rules
//! need: per metadata key a [`KeyKinds`] (where each kind was first seen; the string-or-number
//! rule itself lives there), per reference id the first line. Its
//! memory grows with the number of distinct reference ids and keys, never with item size.
//! Parallel checkers parse and check items in any order, then feed them to one state in line
//! order (see [`nucleus_lines`]): the result is the same as a sequential run.

use std::fmt;

use nucleus_model::diagnostic::pointer;
use nucleus_model::{Code, DatasetItem, Diagnostic, KeyKinds, Kind, KindFinding, KindSchema};
use serde_json::Value;

use crate::CleanItem;
use crate::ids::IdIndex;
use crate::keys::KeyTable;

/// Where an item is: which input (index into [`DatasetState::inputs`]) and which 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    /// Index of the input (file) in the order inputs were added.
    pub input: usize,
    /// 1-based line within that input.
    pub line: u64,
}

/// Where a key's kind was first established (the schema comes before every item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// From a `--schema` file describing the existing dataset.
    Schema,
    /// From an item.
    Item(Position),
}

/// What a dataset has shown so far; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct DatasetState {
    inputs: Vec<String>,
    keys: KeyTable<KeyKinds<Origin>>,
    reference_ids: IdIndex,
    n_items: u64,
}

impl DatasetState {
    /// An empty dataset.
    #[must_use]
    pub fn new() -> DatasetState {
        DatasetState::default()
    }

    /// A dataset whose keys already have the kinds of `schema` (the dataset being appended to).
    #[must_use]
    pub fn with_schema(schema: &KindSchema) -> DatasetState {
        let mut state = DatasetState::new();
        for (key, &kind) in &schema.keys {
            if let Some(entry) = state.keys.entry(key) {
                *entry = KeyKinds::known(kind, Origin::Schema);
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

    /// The kind each key has settled on: the first string or number seen, else the first kind.
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
    /// dataset-level findings about it, each placed on `position.line`.
    pub fn observe(&mut self, position: Position, item: &DatasetItem, out: &mut Vec<Diagnostic>) {
        self.observe_facts(position, item, out);
    }

    /// [`DatasetState::observe`] for an item from the fast path
    /// ([`crate::ItemRules::check_line_fast`]): the same findings.
    pub fn observe_clean(
        &mut self,
        position: Position,
        item: &CleanItem,
        out: &mut Vec<Diagnostic>,
    ) {
        self.observe_facts(position, item, out);
    }

    fn observe_facts(
        &mut self,
        position: Position,
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
                    duplicate_message(reference_id, &self.describe(Origin::Item(first), position)),
                )
                .at_line(position.line)
                .with_related_line(first.line),
            );
        }
        for (nth, (key, kind, value)) in item.kinds().enumerate() {
            let slot = self.keys.slot(nth, key);
            self.observe_key(position, slot, key, kind, value, out);
        }
    }

    fn observe_key(
        &mut self,
        position: Position,
        slot: usize,
        key: &str,
        kind: Kind,
        value: ValueRef<'_>,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(kinds) = self.keys.get_mut(slot) else {
            return;
        };
        let (diagnostic, first) = match kinds.observe(kind, Origin::Item(position)) {
            None => return,
            Some(KindFinding::TypeConflict { decided, first }) => (
                Diagnostic::error(
                    Code::TypeConflict,
                    pointer("/metadata", &[key]),
                    type_conflict_message(
                        key,
                        kind,
                        short(value),
                        decided,
                        &self.describe_origin(first, position),
                    ),
                ),
                first,
            ),
            Some(KindFinding::MixedKinds { first_kind, first }) => (
                Diagnostic::warning(
                    Code::MixedKinds,
                    pointer("/metadata", &[key]),
                    mixed_kinds_message(
                        key,
                        kind,
                        first_kind,
                        &self.describe_origin(first, position),
                    ),
                ),
                first,
            ),
        };
        let diagnostic = diagnostic.at_line(position.line);
        out.push(match first {
            Origin::Item(first) => diagnostic.with_related_line(first.line),
            Origin::Schema => diagnostic,
        });
    }

    fn describe_origin(&self, origin: Origin, here: Position) -> String {
        match origin {
            Origin::Schema => "in the existing dataset (--schema)".to_owned(),
            Origin::Item(_) => format!("{} (the first value decides)", self.describe(origin, here)),
        }
    }

    /// "at line 7", or "at line 7 of other.jsonl" when the line is in another input.
    fn describe(&self, origin: Origin, here: Position) -> String {
        match origin {
            Origin::Schema => "in the existing dataset".to_owned(),
            Origin::Item(position) if position.input == here.input => {
                format!("at line {}", position.line)
            }
            Origin::Item(position) => format!(
                "at line {} of {}",
                position.line,
                self.inputs
                    .get(position.input)
                    .map_or("another input", String::as_str)
            ),
        }
    }
}

/// The message of a `duplicate-reference-id` finding; `first` says where the id was first used
/// ("at line 7").
pub(crate) fn duplicate_message(reference_id: &str, first: &str) -> String {
    format!(
        "reference id {} is already used {first}; reference ids must be unique in a dataset",
        quoted(reference_id)
    )
}

/// The message of a `type-conflict` finding; `origin` says where the deciding kind was first
/// seen ("at line 7 (the first value decides)").
pub(crate) fn type_conflict_message(
    key: &str,
    kind: Kind,
    value: impl fmt::Display,
    decided: Kind,
    origin: &str,
) -> String {
    format!(
        "metadata key {} holds {} {} here, but {} {origin}; Nucleus rejects an upload that mixes strings and numbers on one key",
        quoted(key),
        article(kind),
        value,
        plural(decided),
    )
}

/// The message of a `mixed-kinds` finding; `origin` as for [`type_conflict_message`].
pub(crate) fn mixed_kinds_message(key: &str, kind: Kind, first: Kind, origin: &str) -> String {
    format!(
        "metadata key {} holds {} here, but {} {origin}; only strings and numbers are searchable, so check that this mix is intended",
        quoted(key),
        article(kind),
        plural(first),
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
