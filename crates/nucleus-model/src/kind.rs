//! The kind of a metadata value, as Nucleus sees it, and the per-key kinds file
//! ([`KindSchema`]) that `profile --emit-schema` writes and `check --schema` reads.

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

    #[test]
    fn names_parse_back() {
        for kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>().unwrap(), kind);
        }
        assert!("integer".parse::<Kind>().is_err());
    }
}
