//! `--annotations` and `--predictions` of `nucleus check`, `payload` and `normalize`: the same
//! commands over annotation files, through `nucleus::annotation`'s library driver.

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use nucleus::annotation::check::{
    AnnotationCheck, AnnotationSummary, ItemIndex, MaskHeader, MaskReader,
};
use nucleus::annotation::profile::ProfileState;
use nucleus::annotation::{Role, read_annotation_line};
use nucleus::media::{ImageFormat, ProbeConfig, Prober, Resolver};
use nucleus::model::{Diagnostic, Location};

use crate::exit_status;
use crate::input::{self, InputArgs};
use crate::report::{Format, Reporter};

/// Annotation and prediction files, instead of items.
#[derive(Debug, Clone, Args)]
pub struct AnnotationFiles {
    /// Annotation files (ground truth, one SDK annotation payload per line) to read instead of
    /// items: box, line, polygon, keypoints, cuboid, category, multicategory, segmentation.
    /// With `check --probe-media`, each segmentation's mask_url is opened too (local paths,
    /// remote ones under --media-dir, the header only; --probe-remote fetches no mask): a PNG
    /// of its item's image size.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with = "files")]
    pub annotations: Vec<PathBuf>,

    /// Prediction files (model output: annotations with confidence and class_pdf) to read
    /// instead of items.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with = "files")]
    pub predictions: Vec<PathBuf>,
}

impl AnnotationFiles {
    /// Whether annotation or prediction files were given.
    pub fn any(&self) -> bool {
        !self.annotations.is_empty() || !self.predictions.is_empty()
    }

    fn by_role(&self) -> [(Role, &[PathBuf]); 2] {
        [
            (Role::Annotation, &self.annotations),
            (Role::Prediction, &self.predictions),
        ]
    }
}

/// The files the annotations of `nucleus check` belong to.
#[derive(Debug, Clone, Args)]
pub struct ItemFiles {
    /// With --annotations or --predictions: the items (and scenes: a line with `frames` is a
    /// scene) the annotations belong to, read first. Annotations are then checked against them:
    /// the reference id names an item, 2D geometry lies inside its image, a camera of its scene
    /// frame sees a cuboid. The items themselves are not checked (run `nucleus check` on them).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub items: Vec<PathBuf>,
}

/// `nucleus check --annotations ... [--items ...]`.
pub fn run_check(
    files: &AnnotationFiles,
    items: &ItemFiles,
    input: &InputArgs,
    format: Format,
    quiet: bool,
    max_errors: Option<u64>,
    probe_media: Option<Option<&Path>>,
) -> anyhow::Result<u8> {
    let stream = input.stream_config();
    let index = if items.items.is_empty() {
        None
    } else {
        let mut readers = Vec::new();
        for path in &items.items {
            readers.push(input::open(path)?.reader);
        }
        let names = items
            .items
            .iter()
            .map(|path| path.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        Some(ItemIndex::read(readers, &stream).with_context(|| format!("cannot read {names}"))?)
    };
    let with_items = index.is_some();
    let mut check = AnnotationCheck::new(index, stream).max_errors(max_errors);
    if let Some(media_dir) = probe_media {
        let resolver = match media_dir {
            Some(dir) => Resolver::with_mirror(dir)
                .with_context(|| format!("cannot use --media-dir {}", dir.display()))?,
            None => Resolver::new(),
        };
        check = check.masks(Box::new(MediaMasks(Prober::new(
            resolver,
            ProbeConfig::new(),
        ))));
    }
    let stdout = io::stdout().lock();
    let mut reporter = Reporter::new(BufWriter::new(stdout), format, quiet);
    let mut write_error: Option<io::Error> = None;
    for (role, paths) in files.by_role() {
        let mut inputs = Vec::new();
        for path in paths {
            let opened = input::open(path)?;
            inputs.push((opened.name, opened.reader));
        }
        check
            .read(role, inputs, |file, diagnostic| {
                if let Err(error) = reporter.report(file, diagnostic) {
                    write_error = Some(error);
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(())
            })
            .context("cannot read the annotation files")?;
        if let Some(error) = write_error.take() {
            return Err(error).context("cannot write output");
        }
    }
    let summary = check.finish();
    let mut out = reporter.into_inner();
    if !quiet {
        match format {
            Format::Json => {
                serde_json::to_writer(&mut out, &serde_json::json!({ "summary": &summary }))?;
                writeln!(out)?;
            }
            Format::Text => write_text_summary(&mut out, &summary, with_items, max_errors)?,
        }
    }
    out.flush()?;
    Ok(exit_status(summary.errors > 0))
}

/// Segmentation masks read through `nucleus_media` (`--probe-media`): local paths, remote
/// ones under `--media-dir`, the header only.
struct MediaMasks(Prober);

impl MaskReader for MediaMasks {
    fn read_mask(&self, mask_url: &str, pointer: &str) -> Result<Option<MaskHeader>, Diagnostic> {
        // A mask_url that is no location is the reader's finding (invalid-segmentation).
        let Ok(location) = Location::new(mask_url) else {
            return Ok(None);
        };
        let probed = self.0.image_header(&location, pointer, "mask_url")?;
        Ok(probed.map(|probed| {
            let header = probed.header;
            MaskHeader::new(
                header.format.name(),
                header.format == ImageFormat::Png,
                header.width,
                header.height,
            )
        }))
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn write_text_summary(
    out: &mut impl Write,
    summary: &AnnotationSummary,
    with_items: bool,
    max_errors: Option<u64>,
) -> io::Result<()> {
    let against = if with_items {
        format!(
            " against {} and {}",
            plural(summary.items as u64, "item", "items"),
            plural(summary.scenes as u64, "scene", "scenes")
        )
    } else {
        " (no --items: references, image bounds and cameras not checked)".to_owned()
    };
    writeln!(
        out,
        "checked {} in {}{against}: {} valid, {} invalid; {}, {}",
        plural(summary.annotations, "annotation", "annotations"),
        plural(summary.files.len() as u64, "file", "files"),
        summary.valid,
        summary.invalid,
        plural(summary.errors, "error", "errors"),
        plural(summary.warnings, "warning", "warnings"),
    )?;
    for (code, count) in &summary.codes {
        writeln!(out, "  {code}: {count}")?;
    }
    if summary.unreadable_item_lines > 0 {
        writeln!(
            out,
            "{} of the items could not be read in full; run `nucleus check` on them",
            plural(summary.unreadable_item_lines, "line", "lines")
        )?;
    }
    if summary.stopped_early {
        writeln!(
            out,
            "stopped after {} errors (--max-errors); the rest of the input was not checked",
            max_errors.unwrap_or_default()
        )?;
    }
    Ok(())
}

/// Which form `payload` and `normalize` write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The SDK's `to_payload()`.
    Payload,
    /// The readable JSON (`dataset_item_id` under the name the reader reads).
    Normalize,
}

/// `nucleus payload --annotations ...` (and `normalize`): each accepted line in the SDK's
/// payload form, findings on standard error. Rules of each line only.
pub fn run_convert(
    files: &AnnotationFiles,
    input: &InputArgs,
    format: Format,
    quiet: bool,
    written: Written,
) -> anyhow::Result<u8> {
    if !input.files.is_empty() {
        bail!("give the files after --annotations or --predictions");
    }
    let config = input.stream_config();
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut reporter = Reporter::new(BufWriter::new(io::stderr().lock()), format, quiet);
    let mut n_rejected = 0_u64;
    for (role, paths) in files.by_role() {
        for path in paths {
            let opened = input::open(path)?;
            let name = opened.name.clone();
            input::stream(
                opened,
                &config,
                !quiet,
                |_, text| {
                    let reading = read_annotation_line(text, role);
                    let line = reading.annotation.map(|annotation| {
                        let value = match written {
                            Written::Payload => annotation.to_payload(),
                            Written::Normalize => annotation.to_json(),
                        };
                        value.to_string()
                    });
                    (reading.diagnostics, line)
                },
                |line, result| {
                    if reporter.rewritten_line(&mut out, &name, line, result)? {
                        n_rejected += 1;
                    }
                    Ok(ControlFlow::Continue(()))
                },
            )?;
        }
    }
    out.flush()?;
    reporter.out().flush()?;
    Ok(exit_status(n_rejected > 0))
}

/// What `nucleus profile --annotations` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileFormat {
    /// `AnnotationProfile::render_text`.
    Text,
    /// The profile's JSON.
    Json,
}

/// `nucleus profile --annotations ...`: the profile of every accepted line; the first error of
/// each rejected line on standard error (exit status 1).
pub fn run_profile(
    files: &AnnotationFiles,
    input: &InputArgs,
    format: ProfileFormat,
    quiet: bool,
) -> anyhow::Result<u8> {
    if !input.files.is_empty() {
        bail!("give the files after --annotations or --predictions");
    }
    let config = input.stream_config();
    let mut reporter = Reporter::new(BufWriter::new(io::stderr().lock()), Format::Text, quiet);
    let mut state = ProfileState::new();
    let mut n_invalid = 0_u64;
    for (role, paths) in files.by_role() {
        for path in paths {
            let opened = input::open(path)?;
            let name = opened.name.clone();
            input::stream(
                opened,
                &config,
                !quiet,
                |_, text| read_annotation_line(text, role),
                |line, result| {
                    let diagnostics = match result {
                        Ok(reading) => match reading.annotation {
                            Some(annotation) => {
                                state.observe(&annotation);
                                return Ok(ControlFlow::Continue(()));
                            }
                            None => reading.diagnostics,
                        },
                        Err(diagnostic) => vec![diagnostic],
                    };
                    n_invalid += 1;
                    if let Some(first) = diagnostics.into_iter().find(Diagnostic::is_error) {
                        reporter.report(&name, &first.at_line(line))?;
                    }
                    Ok(ControlFlow::Continue(()))
                },
            )?;
        }
    }
    let profile = state.finish();
    let mut out = BufWriter::new(io::stdout().lock());
    match format {
        ProfileFormat::Text => out.write_all(profile.render_text().as_bytes())?,
        ProfileFormat::Json => {
            serde_json::to_writer(&mut out, &profile)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    if n_invalid > 0 && !quiet {
        writeln!(
            reporter.out(),
            "skipped {n_invalid} invalid {}; run `nucleus check --annotations` for every finding",
            if n_invalid == 1 { "line" } else { "lines" }
        )?;
    }
    reporter.out().flush()?;
    Ok(exit_status(n_invalid > 0))
}
