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

/// How many findings of one rule a key lists, in line order; the rest are counted in one
/// finding (SPEC section 2, type consistency).
pub const LISTED_PER_KEY: usize = 1_000;

/// What one metadata key has held across a dataset, and the rule Nucleus applies to it.
///
/// Per kind it keeps how many values had it and the first [`LISTED_PER_KEY`] + 1 of them (a
/// position `P`, unique per value and increasing in dataset order, and a `V` for the message),
/// so memory is bounded whatever the dataset's size. The rule, in one place for `check`, its
/// mergeable shards and the profile, is decided once every value is seen
/// ([`KeyKinds::findings`]):
/// - between strings and numbers, the kind held by more values decides (a tie: the kind seen
///   first); each value of the other is a **type conflict** (Nucleus rejects the upload);
/// - among all kinds, the kind held by more values is the key's main kind (a tie: the kind seen
///   first); each value of another kind that is not a type conflict is a **mix** (allowed, but
///   only strings and numbers are searchable).
///
/// A kind declared beforehand ([`KeyKinds::known`], the dataset appended to) decides instead.
/// Per rule the first [`LISTED_PER_KEY`] values are listed and the rest counted.
/// [`KeyKinds::merge`] joins the facts of another part of the dataset, in any order.
///
/// ```
/// use nucleus_model::{Kind, KindRule, KeyKinds};
///
/// let mut kinds = KeyKinds::default();
/// kinds.observe(Kind::String, 1, || "\"0\"");
/// for line in 2..=5 {
///     kinds.observe(Kind::Number, line, || "1");
/// }
/// assert_eq!(kinds.kind(), Some(Kind::Number));
/// let findings = kinds.findings();
/// assert_eq!(findings.len(), 1);
/// let finding = &findings[0];
/// assert_eq!((finding.rule, finding.at, finding.kind, finding.count), (KindRule::TypeConflict, 1, Kind::String, 1));
/// assert_eq!((finding.decided, finding.decided_count, finding.decided_first), (Kind::Number, 4, Some(2)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyKinds<P, V> {
    /// Per kind in [`Kind::ALL`] order, how many values had it.
    count: [u64; 5],
    /// Per kind in [`Kind::ALL`] order, its first values (at most [`LISTED_PER_KEY`] + 1).
    held: [Vec<(P, V)>; 5],
    /// The kind of the dataset appended to, which decides.
    declared: Option<Kind>,
}

/// Which rule a [`KindFinding`] breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KindRule {
    /// A string on a key of numbers, or the reverse: an error.
    TypeConflict,
    /// Another kind mixed with the key's main kind: a warning.
    MixedKinds,
}

/// A value that breaks [`KeyKinds`]'s rule, or the count of those not listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindFinding<'a, P, V> {
    /// The rule broken.
    pub rule: KindRule,
    /// Where the value is (for the count of those not listed: the first of them).
    pub at: P,
    /// The value (for the count of those not listed: the first of them).
    pub value: &'a V,
    /// Whether the value is listed; otherwise this finding counts the values not listed.
    pub listed: bool,
    /// How many values this finding stands for: 1, or the number not listed.
    pub weight: u64,
    /// The value's kind.
    pub kind: Kind,
    /// How many values of the key have that kind.
    pub count: u64,
    /// The kind that decides.
    pub decided: Kind,
    /// How many values of the key have it.
    pub decided_count: u64,
    /// Where its first value is (`None` when no value has it: declared only).
    pub decided_first: Option<P>,
    /// Whether the kind was declared ([`KeyKinds::known`]) rather than decided by counts.
    pub declared: bool,
}

impl<P, V> Default for KeyKinds<P, V> {
    fn default() -> KeyKinds<P, V> {
        KeyKinds {
            count: [0; 5],
            held: Default::default(),
            declared: None,
        }
    }
}

impl<P: Copy + Ord, V> KeyKinds<P, V> {
    /// A key declared to be of `kind` before any value is seen (the kinds of the dataset being
    /// appended to): that kind decides. No value is counted.
    #[must_use]
    pub fn known(kind: Kind) -> KeyKinds<P, V> {
        KeyKinds {
            declared: Some(kind),
            ..KeyKinds::default()
        }
    }

    /// Counts a value of `kind` at `at` (positions increase along the dataset); `value` is
    /// called only for the first [`LISTED_PER_KEY`] + 1 values of each kind, which are kept.
    pub fn observe(&mut self, kind: Kind, at: P, value: impl FnOnce() -> V) {
        let idx = kind.index();
        if let Some(count) = self.count.get_mut(idx) {
            *count += 1;
        }
        if let Some(held) = self.held.get_mut(idx)
            && held.len() <= LISTED_PER_KEY
        {
            held.push((at, value()));
        }
    }

    /// Whether a value of `kind` seen now would be kept (one of the first of its kind).
    #[must_use]
    pub fn keeps(&self, kind: Kind) -> bool {
        self.held
            .get(kind.index())
            .is_some_and(|held| held.len() <= LISTED_PER_KEY)
    }

    /// Where `kind` was first seen.
    #[must_use]
    pub fn first_of(&self, kind: Kind) -> Option<P> {
        self.held
            .get(kind.index())
            .and_then(|held| held.first())
            .map(|(at, _)| *at)
    }

    /// How many values of `kind` were seen.
    #[must_use]
    pub fn count_of(&self, kind: Kind) -> u64 {
        self.count.get(kind.index()).copied().unwrap_or_default()
    }

    /// The declared kind, if any.
    #[must_use]
    pub fn declared(&self) -> Option<Kind> {
        self.declared
    }

    /// Every kind seen, in [`Kind::ALL`] order: the kind, its number of values and where it was
    /// first seen.
    pub fn kinds(&self) -> impl Iterator<Item = (Kind, u64, P)> + '_ {
        Kind::ALL
            .into_iter()
            .filter_map(|kind| Some((kind, self.count_of(kind), self.first_of(kind)?)))
    }

    /// The string-or-number kind that decides type conflicts: the declared kind when it is one,
    /// else the one held by more values (a tie: the first seen).
    #[must_use]
    pub fn searchable(&self) -> Option<Kind> {
        match self.declared {
            Some(kind) if kind.is_searchable() => Some(kind),
            _ => majority(self.kinds().filter(|(kind, _, _)| kind.is_searchable())),
        }
    }

    /// The key's main kind, which mixes are measured against: the declared kind, else the kind
    /// held by more values (a tie: the first seen).
    #[must_use]
    pub fn main(&self) -> Option<Kind> {
        self.declared.or_else(|| majority(self.kinds()))
    }

    /// The kind the key settles on ([`settled_kind`]), the declared kind first.
    #[must_use]
    pub fn kind(&self) -> Option<Kind> {
        match self.declared {
            Some(kind) => Some(kind),
            None => settled_kind(self.kinds()),
        }
    }

    /// The kind whose values are type conflicts: the other of string and number than
    /// [`KeyKinds::searchable`], when the key holds it.
    fn conflicting(&self) -> Option<Kind> {
        let other = match self.searchable()? {
            Kind::String => Kind::Number,
            _ => Kind::String,
        };
        (self.count_of(other) > 0).then_some(other)
    }

    /// The values that break the rule (see the type's docs), in position order: per rule the
    /// first [`LISTED_PER_KEY`], then one finding counting the rest at the first of them.
    #[must_use]
    pub fn findings(&self) -> Vec<KindFinding<'_, P, V>> {
        let mut found = Vec::new();
        let conflicting = self.conflicting();
        if let (Some(kind), Some(decided)) = (conflicting, self.searchable()) {
            self.list(KindRule::TypeConflict, &[kind], decided, &mut found);
        }
        if let Some(main) = self.main() {
            let mixed: Vec<Kind> = Kind::ALL
                .into_iter()
                .filter(|&kind| {
                    kind != main
                        && Some(kind) != conflicting
                        && !kind.conflicts_with(main)
                        && self.count_of(kind) > 0
                })
                .collect();
            self.list(KindRule::MixedKinds, &mixed, main, &mut found);
        }
        found.sort_by_key(|finding| finding.at);
        found
    }

    /// The findings of `rule` for the values of `kinds` against `decided`.
    fn list<'a>(
        &'a self,
        rule: KindRule,
        kinds: &[Kind],
        decided: Kind,
        found: &mut Vec<KindFinding<'a, P, V>>,
    ) {
        let mut values: Vec<(Kind, &'a (P, V))> = kinds
            .iter()
            .flat_map(|&kind| {
                self.held
                    .get(kind.index())
                    .into_iter()
                    .flatten()
                    .map(move |held| (kind, held))
            })
            .collect();
        values.sort_by_key(|(_, (at, _))| *at);
        let total: u64 = kinds.iter().map(|&kind| self.count_of(kind)).sum();
        let finding = |kind: Kind, at: P, value: &'a V, listed: bool, weight: u64| KindFinding {
            rule,
            at,
            value,
            listed,
            weight,
            kind,
            count: self.count_of(kind),
            decided,
            decided_count: self.count_of(decided),
            decided_first: self.first_of(decided),
            declared: self.declared.is_some(),
        };
        for (kind, (at, value)) in values.iter().take(LISTED_PER_KEY) {
            found.push(finding(*kind, *at, value, true, 1));
        }
        let listed = values.len().min(LISTED_PER_KEY) as u64;
        if let Some((kind, (at, value))) = values.get(LISTED_PER_KEY) {
            found.push(finding(
                *kind,
                *at,
                value,
                false,
                total.saturating_sub(listed),
            ));
        }
    }

    /// Adds the facts of another part of the dataset (in any order): counts add up, the first
    /// values of each kind are those of both parts, the declared kind is kept.
    pub fn merge(&mut self, other: KeyKinds<P, V>) {
        for (mine, theirs) in self.count.iter_mut().zip(other.count) {
            *mine += theirs;
        }
        for (mine, theirs) in self.held.iter_mut().zip(other.held) {
            mine.extend(theirs);
            mine.sort_by_key(|(at, _)| *at);
            mine.truncate(LISTED_PER_KEY + 1);
        }
        self.declared = self.declared.or(other.declared);
    }

    /// The same facts with every position mapped (lines renumbered after earlier parts).
    #[must_use]
    pub fn map_positions<Q>(self, mut f: impl FnMut(P) -> Q) -> KeyKinds<Q, V> {
        KeyKinds {
            count: self.count,
            held: self
                .held
                .map(|held| held.into_iter().map(|(at, value)| (f(at), value)).collect()),
            declared: self.declared,
        }
    }
}

/// Of kinds seen (kind, number of values, first position), the one held by more values; a tie
/// goes to the one seen first, then to the first in [`Kind::ALL`] order.
fn majority<P: Ord>(kinds: impl IntoIterator<Item = (Kind, u64, P)>) -> Option<Kind> {
    kinds
        .into_iter()
        .min_by(|a, b| b.1.cmp(&a.1).then_with(|| a.2.cmp(&b.2)))
        .map(|(kind, _, _)| kind)
}

/// The kind a key settles on, from its kinds seen (kind, number of values, first position):
/// between strings and numbers the one held by more values (a tie: the first seen); without
/// either, the kind held by more values. `check`'s rule ([`KeyKinds`]) and the profile's kind
/// both come from here.
pub fn settled_kind<P: Ord + Copy>(
    kinds: impl IntoIterator<Item = (Kind, u64, P)>,
) -> Option<Kind> {
    let kinds: Vec<(Kind, u64, P)> = kinds.into_iter().filter(|k| k.1 > 0).collect();
    majority(
        kinds
            .iter()
            .copied()
            .filter(|(kind, _, _)| kind.is_searchable()),
    )
    .or_else(|| majority(kinds))
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

    /// (rule, position, kind, weight) of every finding.
    fn found(kinds: &KeyKinds<u64, u64>) -> Vec<(KindRule, u64, Kind, u64)> {
        kinds
            .findings()
            .iter()
            .map(|f| (f.rule, f.at, f.kind, f.weight))
            .collect()
    }

    fn observed(values: &[Kind]) -> KeyKinds<u64, u64> {
        let mut kinds = KeyKinds::default();
        for (line, kind) in (1..).zip(values) {
            kinds.observe(*kind, line, || line);
        }
        kinds
    }

    #[test]
    fn the_kind_held_by_more_values_decides_and_the_others_are_findings() {
        use Kind::{Boolean, List, Number, String};
        let kinds = observed(&[String, Boolean, Number, Number, List, Number, Boolean]);
        // Numbers decide against the string; numbers are also the main kind (3 values).
        assert_eq!(kinds.searchable(), Some(Number));
        assert_eq!(kinds.main(), Some(Number));
        assert_eq!(kinds.kind(), Some(Number));
        assert_eq!(
            found(&kinds),
            [
                (KindRule::TypeConflict, 1, String, 1),
                (KindRule::MixedKinds, 2, Boolean, 1),
                (KindRule::MixedKinds, 5, List, 1),
                (KindRule::MixedKinds, 7, Boolean, 1),
            ]
        );
        let conflict = kinds.findings()[0];
        assert_eq!(
            (
                conflict.decided,
                conflict.decided_count,
                conflict.decided_first
            ),
            (Number, 3, Some(3))
        );
        assert_eq!(
            (conflict.count, conflict.value, conflict.listed),
            (1, &1, true)
        );
        // A tie goes to the kind seen first.
        let tie = observed(&[Number, String, String, Number]);
        assert_eq!(tie.searchable(), Some(Number));
        assert_eq!(
            found(&tie),
            [
                (KindRule::TypeConflict, 2, String, 1),
                (KindRule::TypeConflict, 3, String, 1)
            ]
        );
        // Booleans are the main kind: the number is a mix, the string a conflict with it.
        let booleans = observed(&[Boolean, Boolean, Number, Boolean, Number, String]);
        assert_eq!(
            (booleans.main(), booleans.kind()),
            (Some(Boolean), Some(Number))
        );
        assert_eq!(
            found(&booleans),
            [
                (KindRule::MixedKinds, 3, Number, 1),
                (KindRule::MixedKinds, 5, Number, 1),
                (KindRule::TypeConflict, 6, String, 1),
            ]
        );
    }

    #[test]
    fn a_declared_kind_decides_whatever_the_counts() {
        let mut kinds = KeyKinds::<u64, u64>::known(Kind::String);
        for line in 1..=3 {
            kinds.observe(Kind::Number, line, || line);
        }
        kinds.observe(Kind::String, 4, || 4);
        let findings = kinds.findings();
        assert_eq!(findings.len(), 3);
        assert!(findings.iter().all(|f| f.declared
            && f.decided == Kind::String
            && f.decided_first == Some(4)
            && f.rule == KindRule::TypeConflict));
        let list = KeyKinds::<u64, u64>::known(Kind::List);
        assert_eq!(list.kind(), Some(Kind::List));
        assert!(list.findings().is_empty());
    }

    #[test]
    fn past_the_listed_values_the_rest_is_one_finding() {
        let mut kinds = KeyKinds::<u64, u64>::default();
        let n_minority = LISTED_PER_KEY as u64 + 250;
        for line in 1..=n_minority {
            kinds.observe(Kind::String, line, || line);
        }
        for line in n_minority + 1..=3 * n_minority {
            kinds.observe(Kind::Number, line, || line);
        }
        let findings = kinds.findings();
        assert_eq!(findings.len(), LISTED_PER_KEY + 1);
        let rest = findings[LISTED_PER_KEY];
        assert_eq!(rest.at, LISTED_PER_KEY as u64 + 1);
        assert_eq!((rest.listed, rest.weight), (false, 250));
        let weights: u64 = findings.iter().map(|f| f.weight).sum();
        assert_eq!(weights, n_minority);
        // Memory: at most LISTED_PER_KEY + 1 values per kind.
        assert!(
            kinds
                .held
                .iter()
                .all(|held| held.len() <= LISTED_PER_KEY + 1)
        );
    }

    proptest::proptest! {
        /// Observing every value in one run equals observing parts and merging them, whatever
        /// the cuts and the order of merging.
        #[test]
        fn merged_parts_equal_one_run(
            values in proptest::collection::vec(proptest::sample::select(Kind::ALL.to_vec()), 0..60),
            cuts in proptest::collection::vec(0usize..60, 0..4),
        ) {
            let whole = observed(&values);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut.min(values.len())).collect();
            cuts.push(0);
            cuts.push(values.len());
            cuts.sort_unstable();
            let mut merged = KeyKinds::default();
            for window in cuts.windows(2).rev() {
                let mut part = KeyKinds::default();
                for (line, kind) in (1..).zip(&values).take(window[1]).skip(window[0]) {
                    part.observe(*kind, line, || line);
                }
                merged.merge(part);
            }
            proptest::prop_assert_eq!(&merged, &whole);
            proptest::prop_assert_eq!(found(&merged), found(&whole));
            let shifted = whole.clone().map_positions(|line| line + 10);
            proptest::prop_assert_eq!(shifted.first_of(Kind::Number), whole.first_of(Kind::Number).map(|line| line + 10));
        }
    }

    #[test]
    fn settled_kind_prefers_strings_and_numbers() {
        let kinds = [
            (Kind::Boolean, 5, 1),
            (Kind::Number, 1, 2),
            (Kind::String, 1, 3),
        ];
        assert_eq!(settled_kind(kinds), Some(Kind::Number));
        assert_eq!(
            settled_kind([(Kind::List, 1, 1), (Kind::Object, 2, 2)]),
            Some(Kind::Object)
        );
        assert_eq!(settled_kind::<u64>([]), None);
    }

    #[test]
    fn names_parse_back() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>().unwrap(), kind);
        }
        assert!("integer".parse::<Kind>().is_err());
    }
}
