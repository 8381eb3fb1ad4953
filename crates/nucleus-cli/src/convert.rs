//! `nucleus convert`: calibrations and positions to and from the formats teams already have.
//! `camera` converts one calibration (ROS, Foxglove, OpenCV, Nucleus), `geojson` exports and
//! imports item positions; this module holds what both do with files.

mod camera;
mod geojson;

use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::output::AtomicFile;

/// Convert camera calibrations and item positions to and from other formats.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    #[command(subcommand)]
    command: ConvertCommand,
}

#[derive(Debug, Subcommand)]
enum ConvertCommand {
    Camera(camera::CameraArgs),
    Geojson(geojson::GeojsonArgs),
}

pub fn run(args: &ConvertArgs) -> anyhow::Result<u8> {
    match &args.command {
        ConvertCommand::Camera(args) => camera::run(args),
        ConvertCommand::Geojson(args) => geojson::run(args),
    }
}

/// The whole text of a file, or of standard input for `-`.
fn read_text(path: &Path) -> anyhow::Result<String> {
    let mut text = String::new();
    if path.as_os_str() == "-" {
        io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
    } else {
        text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(text)
}

/// Writes to a file (whole or not at all) or, for `-`, to standard output.
fn write_output(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        let mut out = BufWriter::new(io::stdout().lock());
        write(&mut out)?;
        out.flush()?;
        Ok(())
    } else {
        let mut file = AtomicFile::create(path)?;
        write(&mut file)?;
        file.commit()
    }
}
