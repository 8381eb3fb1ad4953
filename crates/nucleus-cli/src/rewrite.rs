//! `nucleus payload` and `nucleus normalize`: rewrite items in another wire form.

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;

use clap::Args;
use nucleus::metadata::ItemRules;
use nucleus::model::{DatasetItem, DatasetItemType, Diagnostic, PayloadForm};

use crate::exit_status;
use crate::flags::{FormatArg, QuietArg};
use crate::input::{self, InputArgs};
use crate::report::Reporter;

/// Which wire form to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireForm {
    /// The SDK's upload payload (`nucleus payload`).
    Payload,
    /// The canonical item JSON (`nucleus normalize`).
    Normalize,
}

/// Read items in any accepted form and write one line per accepted item, in input order.
///
/// `payload` writes the Python SDK's upload payload (`to_payload`): images in the plain form
/// (`image_url`), point clouds in the scene form (`url`, `type`, normalised `camera_params`).
/// `normalize` writes the canonical item JSON (`image_location`/`pointcloud_location`, ...).
///
/// A rejected line writes nothing to standard output and its findings to standard error. Item
/// rules only: run `nucleus check` for dataset rules (kinds per key, duplicate reference ids).
/// Exit status: 0 all lines accepted, 1 any line rejected, 2 could not run.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus payload items.jsonl > payload.jsonl
  nucleus payload --scene camera-images.jsonl
  nucleus payload --annotations boxes.jsonl > annotation-payload.jsonl
  nucleus normalize sdk-export.jsonl > items.jsonl")]
pub struct RewriteArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    findings: FormatArg,

    /// Write images in the scene form too (items inside a scene frame); `payload` only.
    #[arg(long)]
    scene: bool,

    /// Only remote locations are allowed.
    #[arg(long)]
    remote_only: bool,

    /// Every image needs width and height (privacy mode).
    #[arg(long)]
    require_dimensions: bool,

    #[command(flatten)]
    quiet: QuietArg,

    #[command(flatten)]
    annotation_files: crate::annotations::AnnotationFiles,
}

pub fn run(args: &RewriteArgs, form: WireForm) -> anyhow::Result<u8> {
    if args.annotation_files.any() {
        let written = match form {
            WireForm::Payload => crate::annotations::Written::Payload,
            WireForm::Normalize => crate::annotations::Written::Normalize,
        };
        return crate::annotations::run_convert(
            &args.annotation_files,
            &args.input,
            args.findings.format,
            args.quiet.quiet,
            written,
        );
    }
    let rules = ItemRules::new()
        .remote_only(args.remote_only)
        .require_dimensions(args.require_dimensions);
    let config = args.input.stream_config();
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut reporter = Reporter::new(
        BufWriter::new(io::stderr().lock()),
        args.findings.format,
        args.quiet.quiet,
    );
    let mut n_rejected = 0u64;
    let convert = |item: DatasetItem| -> Result<Vec<u8>, Diagnostic> {
        let value = match form {
            WireForm::Normalize => item.into_json(),
            WireForm::Payload => {
                let form = match (item.item_type(), args.scene) {
                    (DatasetItemType::Image, false) => PayloadForm::Plain,
                    _ => PayloadForm::Scene,
                };
                // Items that passed the rules have a valid camera, so this cannot fail; keep the
                // error path anyway rather than assume it.
                item.into_payload(form).map_err(|error| {
                    Diagnostic::error(
                        nucleus::model::Code::InvalidCameraParams,
                        "/metadata/camera_params",
                        error.to_string(),
                    )
                })?
            }
        };
        // serde_json's writer is much faster than Display's formatting machinery.
        serde_json::to_vec(&value).map_err(|error| {
            Diagnostic::error(nucleus::model::Code::InvalidJson, "", error.to_string())
        })
    };

    for path in args.input.inputs() {
        let input = input::open(&path)?;
        let name = input.name.clone();
        input::stream(
            input,
            &config,
            !args.quiet.quiet,
            |_, text| {
                let reading = rules.check_line(text);
                let mut diagnostics = reading.diagnostics;
                let written = reading.item.and_then(|item| match convert(item) {
                    Ok(text) => Some(text),
                    Err(diagnostic) => {
                        diagnostics.push(diagnostic);
                        None
                    }
                });
                (diagnostics, written)
            },
            |line, result| {
                if reporter.rewritten_line(&mut out, &name, line, result)? {
                    n_rejected += 1;
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
    }
    out.flush()?;
    reporter.out().flush()?;
    Ok(exit_status(n_rejected > 0))
}
