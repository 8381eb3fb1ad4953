//! `nucleus convert geojson`: items' positions out to a GeoJSON FeatureCollection, or in from
//! one.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use clap::Args;
use nucleus::interop::geojson::{PositionUpdate, read_positions, to_feature};
use nucleus::lines::StreamConfig;
use nucleus::model::{Code, Diagnostic, Severity, read_line};
use serde_json::Value;

use super::{read_text, write_output};
use crate::flags::{FormatArg, QuietArg};
use crate::input;
use crate::report::Reporter;
use crate::{EXIT_FINDINGS, exit_status};

/// Export items' metadata.lat/lon as a GeoJSON FeatureCollection, or (--import) write items
/// with positions taken from a GeoJSON file.
///
/// Export: one Point feature per item with valid, paired coordinates, at [lon, lat] (GeoJSON's
/// order), with id and properties.reference_id the item's reference id and the item's string
/// and number metadata as properties. Items with out-of-range or half-present coordinates are
/// reported (invalid-coordinate, unpaired-coordinate) and left out.
///
/// Import: every item line is written back; an item whose reference id has a Point feature
/// (matched by the feature's id, else properties.reference_id) gets metadata.lat and
/// metadata.lon from it, the rest of the line unchanged in meaning. Exit 1 when any finding is
/// an error.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus convert geojson items.jsonl items.geojson
  nucleus convert geojson --import positions.geojson items.jsonl updated.jsonl")]
pub struct GeojsonArgs {
    /// Items (JSON Lines); `-` reads standard input.
    #[arg(value_name = "ITEMS")]
    items: PathBuf,

    /// Where to write (GeoJSON, or JSON Lines with --import); `-` or nothing: standard output.
    #[arg(value_name = "OUT", default_value = "-")]
    output: PathBuf,

    /// Read positions from this GeoJSON FeatureCollection and write the updated items.
    #[arg(long, value_name = "POSITIONS")]
    import: Option<PathBuf>,

    #[command(flatten)]
    findings: FormatArg,

    #[command(flatten)]
    quiet: QuietArg,
}

pub fn run(args: &GeojsonArgs) -> anyhow::Result<u8> {
    match &args.import {
        Some(positions) => import(args, positions),
        None => export(args),
    }
}

fn export(args: &GeojsonArgs) -> anyhow::Result<u8> {
    let mut reporter = Reporter::new(
        BufWriter::new(io::stderr().lock()),
        args.findings.format,
        args.quiet.quiet,
    );
    let input = input::open(&args.items)?;
    let name = input.name.clone();
    let (mut n_items, mut n_features) = (0u64, 0u64);
    write_output(&args.output, |out| {
        out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
        input::stream(
            input,
            &StreamConfig::default(),
            !args.quiet.quiet,
            |_, text| {
                let reading = read_line(text);
                let mut diagnostics = reading.diagnostics;
                let feature = reading
                    .item
                    .and_then(|item| to_feature(&item, &mut diagnostics))
                    .and_then(|feature| serde_json::to_vec(&feature).ok());
                (diagnostics, feature)
            },
            |line, result| {
                n_items += 1;
                let (diagnostics, feature) =
                    result.unwrap_or_else(|diagnostic| (vec![diagnostic], None));
                if let Some(feature) = feature {
                    out.write_all(if n_features == 0 { b"\n" } else { b",\n" })?;
                    out.write_all(&feature)?;
                    n_features += 1;
                }
                for diagnostic in diagnostics {
                    reporter.report(&name, &diagnostic.at_line(line))?;
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
        out.write_all(b"\n]}\n")?;
        Ok(())
    })?;
    if !args.quiet.quiet {
        writeln!(
            reporter.out(),
            "exported {n_features} of {n_items} items ({} without valid coordinates)",
            n_items - n_features
        )?;
    }
    reporter.out().flush()?;
    Ok(exit_status(reporter.n_errors > 0))
}

fn import(args: &GeojsonArgs, positions_path: &Path) -> anyhow::Result<u8> {
    let mut reporter = Reporter::new(
        BufWriter::new(io::stderr().lock()),
        args.findings.format,
        args.quiet.quiet,
    );
    let positions_name = positions_path.display().to_string();
    let geojson: Value = match serde_json::from_str(&read_text(positions_path)?) {
        Ok(value) => value,
        Err(error) => {
            let diagnostic = Diagnostic::error(Code::InvalidJson, "", error.to_string());
            reporter.report(&positions_name, &diagnostic)?;
            reporter.out().flush()?;
            return Ok(EXIT_FINDINGS);
        }
    };
    let (updates, diagnostics) = read_positions(&geojson);
    for diagnostic in &diagnostics {
        reporter.report(&positions_name, diagnostic)?;
    }
    let by_id: HashMap<&str, &PositionUpdate> = updates
        .iter()
        .map(|update| (update.reference_id.as_str(), update))
        .collect();
    let input = input::open(&args.items)?;
    let name = input.name.clone();
    let mut matched: HashSet<String> = HashSet::new();
    let mut n_items = 0u64;
    write_output(&args.output, |out| {
        input::stream(
            input,
            &StreamConfig::default(),
            !args.quiet.quiet,
            |_, text| {
                let reading = read_line(text);
                let mut diagnostics = reading.diagnostics;
                let update = reading
                    .item
                    .as_ref()
                    .and_then(|item| by_id.get(item.reference_id().as_str()).copied());
                let Some(update) = update else {
                    return (diagnostics, text.as_bytes().to_vec(), None);
                };
                match updated_line(text, update) {
                    Ok(bytes) => (diagnostics, bytes, Some(update.reference_id.clone())),
                    Err(diagnostic) => {
                        diagnostics.push(diagnostic);
                        (diagnostics, text.as_bytes().to_vec(), None)
                    }
                }
            },
            |line, result| {
                n_items += 1;
                let (diagnostics, bytes, id) = match result {
                    Ok(triple) => triple,
                    // A line the reader rejects outright (invalid UTF-8, too long) cannot be
                    // copied as text; report it and write nothing.
                    Err(diagnostic) => (vec![diagnostic], Vec::new(), None),
                };
                if !bytes.is_empty() {
                    out.write_all(&bytes)?;
                    out.write_all(b"\n")?;
                }
                if let Some(id) = id {
                    matched.insert(id);
                }
                for diagnostic in diagnostics {
                    reporter.report(&name, &diagnostic.at_line(line))?;
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
        Ok(())
    })?;
    let unmatched: Vec<&str> = updates
        .iter()
        .map(|update| update.reference_id.as_str())
        .filter(|id| !matched.contains(*id))
        .collect();
    if !args.quiet.quiet {
        writeln!(
            reporter.out(),
            "updated {} of {n_items} items from {} positions",
            matched.len(),
            updates.len()
        )?;
        if !unmatched.is_empty() {
            let shown: Vec<&str> = unmatched.iter().take(5).copied().collect();
            let more = if unmatched.len() > shown.len() {
                ", …"
            } else {
                ""
            };
            writeln!(
                reporter.out(),
                "{positions_name}: {} positions matched no item: {}{more}",
                unmatched.len(),
                shown.join(", ")
            )?;
        }
    }
    reporter.out().flush()?;
    let has_error =
        reporter.n_errors > 0 || diagnostics.iter().any(|d| d.severity == Severity::Error);
    Ok(exit_status(has_error))
}

/// The line with `metadata.lat`/`lon` set, everything else as read.
fn updated_line(text: &str, update: &PositionUpdate) -> Result<Vec<u8>, Diagnostic> {
    let mut value: Value = serde_json::from_str(text)
        .map_err(|error| Diagnostic::error(Code::InvalidJson, "", error.to_string()))?;
    let Some(item) = value.as_object_mut() else {
        return Err(Diagnostic::error(
            Code::NotAnObject,
            "",
            "expected an item object",
        ));
    };
    let metadata = item
        .entry("metadata")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    if metadata.is_null() {
        *metadata = Value::Object(serde_json::Map::new());
    }
    let Some(map) = metadata.as_object_mut() else {
        return Err(Diagnostic::error(
            Code::MetadataNotAnObject,
            "/metadata",
            "cannot set lat/lon: metadata is not an object",
        ));
    };
    update.apply(map);
    serde_json::to_vec(&value)
        .map_err(|error| Diagnostic::error(Code::InvalidJson, "", error.to_string()))
}
