//! Validating JSON values against catalog schemas with the `jsonschema` crate.

use std::fmt;

use serde_json::Value;

use crate::{Error, SchemaEntry, entry};

/// One way a value fails a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemaError {
    /// RFC 6901 JSON pointer to the offending value (`""` for the whole value).
    pub instance_path: String,
    /// JSON pointer to the failing keyword in the schema (through `$ref`s).
    pub schema_path: String,
    /// What is wrong, as the validator says it.
    pub message: String,
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.instance_path.is_empty() {
            "(root)"
        } else {
            &self.instance_path
        };
        write!(f, "{path}: {}", self.message)
    }
}

impl SchemaEntry {
    fn validator(&self) -> Result<&jsonschema::Validator, Error> {
        self.validator
            .get_or_init(|| {
                jsonschema::draft202012::options()
                    .build(&self.value)
                    .map_err(|error| error.to_string())
            })
            .as_ref()
            .map_err(|message| Error::Compile {
                name: self.name,
                message: message.clone(),
            })
    }

    /// Compiles the schema now rather than on first use (compiling takes about a millisecond).
    ///
    /// # Errors
    ///
    /// [`Error::Compile`] when the schema does not compile (a bug; tested).
    pub fn compile(&self) -> Result<(), Error> {
        self.validator().map(|_| ())
    }

    /// Whether `value` is valid against this schema.
    ///
    /// # Errors
    ///
    /// [`Error::Compile`] when the schema does not compile (a bug; tested).
    pub fn is_valid(&self, value: &Value) -> Result<bool, Error> {
        Ok(self.validator()?.is_valid(value))
    }

    /// Every way `value` fails this schema (empty when it is valid).
    ///
    /// # Errors
    ///
    /// [`Error::Compile`] when the schema does not compile (a bug; tested).
    pub fn validate(&self, value: &Value) -> Result<Vec<SchemaError>, Error> {
        let validator = self.validator()?;
        Ok(validator
            .iter_errors(value)
            .map(|error| SchemaError {
                instance_path: error.instance_path().to_string(),
                schema_path: error.evaluation_path().to_string(),
                message: error.to_string(),
            })
            .collect())
    }
}

/// Every way `value` fails the `item` schema (empty when it is a valid item).
///
/// # Errors
///
/// [`Error::Compile`] when the schema does not compile (a bug; tested).
pub fn validate_item(value: &Value) -> Result<Vec<SchemaError>, Error> {
    entry("item")?.validate(value)
}
