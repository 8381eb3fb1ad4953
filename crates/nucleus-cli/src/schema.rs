//! `nucleus schema`: the published JSON Schemas.

use std::io::{self, Write};

use clap::Args;
use nucleus::schema::{catalog, entry};

use crate::EXIT_CLEAN;

/// Print a published JSON Schema (draft 2020-12), or list them.
///
/// The same files are committed under schemas/ in the repository; use them from TypeScript
/// (ajv's Ajv2020), Python (jsonschema's Draft202012Validator) or any draft 2020-12 validator.
/// For every single item, "the item schema accepts it" and "nucleus check finds no item-level
/// error" agree (dataset rules such as duplicate ids are outside JSON Schema).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus schema --list
  nucleus schema item > item.schema.json")]
pub struct SchemaArgs {
    /// The schema to print (see --list); without a name, the list is printed.
    #[arg(value_name = "NAME")]
    name: Option<String>,

    /// List the schemas: name, title, $id.
    #[arg(long, conflicts_with = "name")]
    list: bool,
}

pub fn run(args: &SchemaArgs) -> anyhow::Result<u8> {
    let mut out = io::stdout().lock();
    match (&args.name, args.list) {
        (Some(name), _) => out.write_all(entry(name)?.json().as_bytes())?,
        (None, _) => {
            let name_width = catalog().iter().map(|s| s.name().len()).max().unwrap_or(0);
            let title_width = catalog().iter().map(|s| s.title().len()).max().unwrap_or(0);
            for schema in catalog() {
                writeln!(
                    out,
                    "{:<name_width$} {:<title_width$} {}",
                    schema.name(),
                    schema.title(),
                    schema.id()
                )?;
            }
        }
    }
    out.flush()?;
    Ok(EXIT_CLEAN)
}
