//! The kind of a metadata value, as Nucleus sees it; what a key has held across a dataset and
//! the rule Nucleus applies to it ([`KeyKinds`]); and the per-key kinds file ([`KindSchema`])
//! that `profile --emit-schema` writes and `check --schema` reads.

use std::fmt;
use std::str::FromStr;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;

/// What a metadata value is, for type consistency and for the query bar.
///
/// Strings and numbers are searchable; the others are only shown in the item's detail view.
/// `null` has no kind: it means "no value" and conflicts with nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A JSON string: categorical when the dataset has fewer than 250 distinct values.
    String,
    /// A JSON number, integer or float: histograms, sorting, modulo.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A JSON array.
    List,
    /// A JSON object.
    Object,
}

impl Kind {
    /// All kinds, in declaration order.
    pub const ALL: [Kind; 5] = [
        Kind::String,
        Kind::Number,
        Kind::Boolean,
        Kind::List,
        Kind::Object,
    ];

    /// The kind of `value`; `None` for `null`.
    #[must_use]
    pub fn of(value: &Value) -> Option<Kind> {
        match value {
            Value::Null => None,
            Value::Bool(_) => Some(Kind::Boolean),
            Value::Number(_) => Some(Kind::Number),
            Value::String(_) => Some(Kind::String),
            Value::Array(_) => Some(Kind::List),
            Value::Object(_) => Some(Kind::Object),
        }
    }

    /// The lowercase name used in messages and files.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Boolean => "boolean",
            Kind::List => "list",
            Kind::Object => "object",
        }
    }

    /// Whether the query bar can search this kind (strings and numbers).
    #[must_use]
    pub const fn is_searchable(self) -> bool {
        matches!(self, Kind::String | Kind::Number)
    }

    /// Whether mixing `self` and `other` on one key makes Nucleus reject the upload: a string
    /// against a number. Other mixes are allowed but suspicious.
    #[must_use]
    pub const fn conflicts_with(self, other: Kind) -> bool {
        matches!(
            (self, other),
            (Kind::String, Kind::Number) | (Kind::Number, Kind::String)
        )
    }

    /// A distinct bit per kind (`1 << index`), for small sets of kinds held in a `u8`.
    #[must_use]
    pub const fn bit(self) -> u8 {
        1 << self as u8
    }

    /// The position in [`Kind::ALL`].
    const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Kind {
    type Err = Error;

    fn from_str(name: &str) -> Result<Kind, Error> {
        Kind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
            .ok_or_else(|| Error::UnknownKind(name.to_owned()))
    }
}

/// What one metadata key has held across a dataset, and the rule Nucleus applies to it.
///
/// Per kind it keeps where the kind was first seen (a position `P`: a line, or an input and a
/// line) and how many values had it. The rule, in one place for `check`, its mergeable shards
/// and the profile:
/// - the first string or number decides whether the key holds strings or numbers; a later value
///   of the other of the two is a **type conflict** (Nucleus rejects the upload);
/// - any other kind new to the key and different from the first kind seen is a **mix**
///   (allowed, but only strings and numbers are searchable): one finding per new kind.
///
/// [`KeyKinds::observe`] takes values in dataset order (positions never decrease; values at one
/// position, such as the items of one scene, count in the order given).
/// [`KeyKinds::later_findings`] and [`KeyKinds::merge`] join the facts of a later part of the
/// dataset; `merge` alone is order-free (the earlier position wins), as a profile needs.
///
/// ```
/// use nucleus_model::{Kind, KindFinding, KeyKinds};
///
/// let mut kinds = KeyKinds::default();
/// assert_eq!(kinds.observe(Kind::Boolean, 1), None);
/// assert_eq!(
///     kinds.observe(Kind::Number, 2),
///     Some(KindFinding::MixedKinds { first_kind: Kind::Boolean, first: 1 })
/// );
/// assert_eq!(
///     kinds.observe(Kind::String, 3),
///     Some(KindFinding::TypeConflict { decided: Kind::Number, first: 2 })
/// );
/// assert_eq!(kinds.kind(), Some(Kind::Number));
/// assert_eq!((kinds.count_of(Kind::String), kinds.first_of(Kind::String)), (1, Some(3)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyKinds<P> {
    /// Per kind in [`Kind::ALL`] order, where it was first seen.
    first: [Option<P>; 5],
    /// Per kind in [`Kind::ALL`] order, how many values had it.
    count: [u64; 5],
    /// The first kind seen (kept, not derived from positions: values may share one).
    first_kind: Option<Kind>,
    /// The first string or number seen, which decides.
    decided: Option<Kind>,
}

/// A value that breaks [`KeyKinds`]'s rule, as [`KeyKinds::observe`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindFinding<P> {
    /// A string on a key decided as numbers, or the reverse: `decided` at `first`.
    TypeConflict {
        /// The kind the key's first string or number gave it.
        decided: Kind,
        /// Where that first string or number is.
        first: P,
    },
    /// A kind new to the key that is neither its first kind nor in conflict with it.
    MixedKinds {
        /// The key's first kind.
        first_kind: Kind,
        /// Where it was first seen.
        first: P,
    },
}

/// What a later part of a dataset adds to a key's findings once joined to the earlier parts,
/// as [`KeyKinds::later_findings`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaterFinding<P> {
    /// The later part decided `kind`, the other of string and number: its `count` values of
    /// that kind are type conflicts, the first at `at`.
    TypeConflicts {
        /// The later part's deciding kind.
        kind: Kind,
        /// Its first value in the later part.
        at: P,
        /// Its number of values in the later part.
        count: u64,
    },
    /// The later part brings `kind`, new to the key and a mix with its first kind.
    MixedKinds {
        /// The new kind.
        kind: Kind,
        /// Its first value in the later part.
        at: P,
    },
}

impl<P> Default for KeyKinds<P> {
    fn default() -> KeyKinds<P> {
        KeyKinds {
            first: [None, None, None, None, None],
            count: [0; 5],
            first_kind: None,
            decided: None,
        }
    }
}

impl<P: Copy + Ord> KeyKinds<P> {
    /// A key known to be of `kind` from `at` on, before any value is seen (the kinds of the
    /// dataset being appended to). No value is counted.
    #[must_use]
    pub fn known(kind: Kind, at: P) -> KeyKinds<P> {
        let mut kinds = KeyKinds::default();
        if let Some(first) = kinds.first.get_mut(kind.index()) {
            *first = Some(at);
        }
        kinds.first_kind = Some(kind);
        kinds.decided = kind.is_searchable().then_some(kind);
        kinds
    }

    /// Counts a value of `kind` at `at` (the next value of the dataset) and says whether it
    /// breaks the rule (see the type's docs).
    pub fn observe(&mut self, kind: Kind, at: P) -> Option<KindFinding<P>> {
        let idx = kind.index();
        if let Some(count) = self.count.get_mut(idx) {
            *count += 1;
        }
        let first_of_kind = match self.first.get_mut(idx) {
            Some(first @ None) => {
                *first = Some(at);
                true
            }
            _ => false,
        };
        let first_kind = *self.first_kind.get_or_insert(kind);
        if kind.is_searchable() {
            let decided = *self.decided.get_or_insert(kind);
            if decided != kind {
                return Some(KindFinding::TypeConflict {
                    decided,
                    first: self.first_of(decided)?,
                });
            }
        }
        if first_of_kind && first_kind != kind && !first_kind.conflicts_with(kind) {
            return Some(KindFinding::MixedKinds {
                first_kind,
                first: self.first_of(first_kind)?,
            });
        }
        None
    }

    /// Where `kind` was first seen.
    #[must_use]
    pub fn first_of(&self, kind: Kind) -> Option<P> {
        self.first.get(kind.index()).copied().flatten()
    }

    /// How many values of `kind` were seen.
    #[must_use]
    pub fn count_of(&self, kind: Kind) -> u64 {
        self.count.get(kind.index()).copied().unwrap_or_default()
    }

    /// The first kind seen, of any kind, and where.
    #[must_use]
    pub fn first_kind(&self) -> Option<(Kind, P)> {
        let kind = self.first_kind?;
        Some((kind, self.first_of(kind)?))
    }

    /// The first string or number seen, which decides the key's kind, and where.
    #[must_use]
    pub fn decided(&self) -> Option<(Kind, P)> {
        let kind = self.decided?;
        Some((kind, self.first_of(kind)?))
    }

    /// The kind the key has settled on: the deciding string or number, else the first kind.
    #[must_use]
    pub fn kind(&self) -> Option<Kind> {
        self.decided.or(self.first_kind)
    }

    /// Every kind seen, in [`Kind::ALL`] order: the kind, its number of values and where it was
    /// first seen.
    pub fn kinds(&self) -> impl Iterator<Item = (Kind, u64, P)> + '_ {
        Kind::ALL
            .into_iter()
            .filter_map(|kind| Some((kind, self.count_of(kind), self.first_of(kind)?)))
    }

    /// The findings that `later`, the facts of the part of the dataset right after this one's,
    /// adds once joined to it: a deciding kind that disagrees with this part's (all its values,
    /// summarised), and kinds new to the key that mix with its first kind. Findings `later`
    /// made on its own about those are superseded; call before [`KeyKinds::merge`].
    #[must_use]
    pub fn later_findings(&self, later: &KeyKinds<P>) -> Vec<LaterFinding<P>> {
        let mut found = Vec::new();
        if let (Some((decided, _)), Some((their_decided, their_first))) =
            (self.decided(), later.decided())
            && decided != their_decided
        {
            found.push(LaterFinding::TypeConflicts {
                kind: their_decided,
                at: their_first,
                count: later.count_of(their_decided),
            });
        }
        // A kind is a mix where the whole dataset first shows it, if it is new here and not a
        // type conflict.
        let decided = self.decided.or(later.decided);
        if let Some(first) = self.first_kind {
            for kind in Kind::ALL {
                let Some(at) = later.first_of(kind) else {
                    continue;
                };
                let reaches_check = !kind.is_searchable() || decided == Some(kind);
                if self.first_of(kind).is_none()
                    && reaches_check
                    && first != kind
                    && !first.conflicts_with(kind)
                {
                    found.push(LaterFinding::MixedKinds { kind, at });
                }
            }
        }
        found
    }

    /// Adds the facts of another part of the dataset: counts add up, and for each kind, the
    /// first kind and the deciding kind, the earlier position wins (this one's on a tie).
    pub fn merge(&mut self, other: &KeyKinds<P>) {
        self.first_kind = self.earlier(self.first_kind, other, other.first_kind);
        self.decided = self.earlier(self.decided, other, other.decided);
        for (mine, theirs) in self.first.iter_mut().zip(other.first) {
            *mine = match (*mine, theirs) {
                (Some(mine), Some(theirs)) => Some(mine.min(theirs)),
                (mine, theirs) => mine.or(theirs),
            };
        }
        for (mine, theirs) in self.count.iter_mut().zip(other.count) {
            *mine += theirs;
        }
    }

    /// Of `mine` (a kind of this key) and `theirs` (of `other`), the one seen first.
    fn earlier(
        &self,
        mine: Option<Kind>,
        other: &KeyKinds<P>,
        theirs: Option<Kind>,
    ) -> Option<Kind> {
        match (mine, theirs) {
            (Some(mine), Some(theirs)) => match (self.first_of(mine), other.first_of(theirs)) {
                (Some(at), Some(their_at)) if their_at < at => Some(theirs),
                _ => Some(mine),
            },
            (mine, theirs) => mine.or(theirs),
        }
    }

    /// The same facts with every position mapped (lines renumbered after earlier parts).
    #[must_use]
    pub fn map_positions<Q>(self, mut f: impl FnMut(P) -> Q) -> KeyKinds<Q> {
        let [a, b, c, d, e] = self.first;
        KeyKinds {
            first: [
                a.map(&mut f),
                b.map(&mut f),
                c.map(&mut f),
                d.map(&mut f),
                e.map(&mut f),
            ],
            count: self.count,
            first_kind: self.first_kind,
            decided: self.decided,
        }
    }
}

/// The per-key kinds of a dataset, as written by `nucleus profile --emit-schema` and read by
/// `nucleus check --schema`, so that an append can be checked against the dataset it joins.
///
/// ```json
/// {"keys": {"weather": "string", "speed_mps": "number", "tags": "list"}}
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindSchema {
    /// Optional note on where the file came from.
    #[serde(rename = "$comment", default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The kind of each metadata key.
    pub keys: BTreeMap<String, Kind>,
}

impl KindSchema {
    /// Reads a schema from JSON text.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidKindSchema`] when the text is not `{"keys": {KEY: KIND, …}}` with kinds
    /// among `string`, `number`, `boolean`, `list`, `object`.
    pub fn from_json(text: &str) -> Result<KindSchema, Error> {
        serde_json::from_str(text).map_err(|error| Error::InvalidKindSchema(error.to_string()))
    }

    /// The schema as pretty JSON with a final newline.
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_values() {
        let kinds: Vec<Option<Kind>> =
            serde_json::from_str::<Vec<Value>>(r#"[null, true, 1, 1.5, "a", [], {}]"#)
                .unwrap()
                .iter()
                .map(Kind::of)
                .collect();
        assert_eq!(
            kinds,
            [
                None,
                Some(Kind::Boolean),
                Some(Kind::Number),
                Some(Kind::Number),
                Some(Kind::String),
                Some(Kind::List),
                Some(Kind::Object)
            ]
        );
    }

    #[test]
    fn only_string_and_number_conflict() {
        for a in Kind::ALL {
            for b in Kind::ALL {
                let expected = a != b && a.is_searchable() && b.is_searchable();
                assert_eq!(a.conflicts_with(b), expected, "{a} vs {b}");
            }
        }
    }

    /// The rule, value by value: (kind, finding as (code, kind, position) or none).
    #[test]
    fn key_kinds_decide_then_conflict_or_mix_once_per_kind() {
        let mut kinds = KeyKinds::default();
        let steps = [
            (Kind::List, None),
            (Kind::List, None),
            (Kind::Number, Some(("mix", Kind::List, 1))),
            (Kind::String, Some(("conflict", Kind::Number, 3))),
            (Kind::Boolean, Some(("mix", Kind::List, 1))),
            (Kind::Boolean, None),
            (Kind::String, Some(("conflict", Kind::Number, 3))),
            (Kind::Number, None),
        ];
        for (line, (kind, expected)) in (1..).zip(steps) {
            let found = kinds.observe(kind, line).map(|finding| match finding {
                KindFinding::TypeConflict { decided, first } => ("conflict", decided, first),
                KindFinding::MixedKinds { first_kind, first } => ("mix", first_kind, first),
            });
            assert_eq!(found, expected, "line {line}");
        }
        assert_eq!(kinds.kind(), Some(Kind::Number));
        assert_eq!(kinds.first_kind(), Some((Kind::List, 1)));
        assert_eq!(kinds.decided(), Some((Kind::Number, 3)));
        let seen: Vec<(Kind, u64, u64)> = kinds.kinds().collect();
        assert_eq!(
            seen,
            [
                (Kind::String, 2, 4),
                (Kind::Number, 2, 3),
                (Kind::Boolean, 2, 5),
                (Kind::List, 2, 1)
            ]
        );
    }

    #[test]
    fn a_known_kind_decides_before_any_value() {
        let mut kinds = KeyKinds::known(Kind::String, 0);
        assert_eq!(kinds.observe(Kind::String, 1), None);
        assert_eq!(
            kinds.observe(Kind::Number, 2),
            Some(KindFinding::TypeConflict {
                decided: Kind::String,
                first: 0
            })
        );
        assert_eq!(kinds.count_of(Kind::String), 1);
    }

    #[test]
    fn values_at_one_position_keep_their_order() {
        // The items of one scene share a line: the first kind is the first given.
        let mut kinds = KeyKinds::default();
        assert_eq!(kinds.observe(Kind::Boolean, 7), None);
        assert_eq!(
            kinds.observe(Kind::String, 7),
            Some(KindFinding::MixedKinds {
                first_kind: Kind::Boolean,
                first: 7
            })
        );
        assert_eq!(kinds.first_kind(), Some((Kind::Boolean, 7)));
    }

    /// Observing every value in one run equals observing two parts and merging them, whatever
    /// the cut; later_findings names what the join adds.
    #[test]
    fn merged_parts_equal_one_run() {
        let values = [
            Kind::Boolean,
            Kind::Number,
            Kind::List,
            Kind::String,
            Kind::Number,
            Kind::Object,
        ];
        let mut whole = KeyKinds::default();
        for (line, kind) in (1..).zip(values) {
            whole.observe(kind, line);
        }
        for cut in 0..=values.len() {
            let (mut early, mut late) = (KeyKinds::default(), KeyKinds::default());
            for (line, kind) in (1..).zip(values) {
                if line <= cut as u64 {
                    early.observe(kind, line);
                } else {
                    late.observe(kind, line);
                }
            }
            let mut other_order = late;
            other_order.merge(&early);
            early.merge(&late);
            assert_eq!(early, whole, "cut {cut}");
            assert_eq!(other_order, whole, "cut {cut}, merged the other way");
        }
        // Split after the boolean: the later part decides numbers and brings list and object.
        let (mut early, mut late) = (KeyKinds::default(), KeyKinds::default());
        early.observe(Kind::Boolean, 1);
        for (line, kind) in (2..).zip(&values[1..]) {
            late.observe(*kind, line);
        }
        assert_eq!(
            early.later_findings(&late),
            [
                LaterFinding::MixedKinds {
                    kind: Kind::Number,
                    at: 2
                },
                LaterFinding::MixedKinds {
                    kind: Kind::List,
                    at: 3
                },
                LaterFinding::MixedKinds {
                    kind: Kind::Object,
                    at: 6
                }
            ]
        );
        // A part that decided strings, then one that decides numbers: all the numbers of the
        // later part conflict.
        let (mut strings, mut numbers) = (KeyKinds::default(), KeyKinds::default());
        strings.observe(Kind::String, 1);
        numbers.observe(Kind::Number, 2);
        numbers.observe(Kind::Number, 3);
        numbers.observe(Kind::String, 4);
        assert_eq!(
            strings.later_findings(&numbers),
            [LaterFinding::TypeConflicts {
                kind: Kind::Number,
                at: 2,
                count: 2
            }]
        );
        let shifted = numbers.map_positions(|line| line + 10);
        assert_eq!(shifted.decided(), Some((Kind::Number, 12)));
    }

    #[test]
    fn names_parse_back() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>().unwrap(), kind);
        }
        assert!("integer".parse::<Kind>().is_err());
    }
}
