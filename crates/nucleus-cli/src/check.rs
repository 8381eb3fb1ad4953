//! `nucleus check`: validate a whole dataset.

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use nucleus::media::{ProbeConfig, Prober, Resolver};
use nucleus::metadata::ItemRules;
use nucleus::metadata::check::{Check, CheckEvent, CheckSummary};
use nucleus::model::{Diagnostic, KindSchema};

use crate::exit_status;
use crate::flags::{FormatArg, QuietArg};
use crate::input::{self, InputArgs};
use crate::report::{Format, Reporter};

/// Check every item of a dataset: item rules and dataset rules (kinds per key, unique ids).
///
/// Item rules: locations (exactly one, a string, local or remote), reference_id, metadata,
/// width/height, embedding_info, camera_params, lat/lon, context_attachments. Dataset rules,
/// across all the files given: a metadata key holding strings on some items and numbers on
/// others (Nucleus rejects the upload), other kind mixes (warning), duplicate reference ids.
///
/// With --probe-media, the files items point to are opened too: local paths, and remote ones
/// in a local mirror (--media-dir). An image's format and size are read from its header (the
/// first bytes only): a missing file, an unreadable or truncated header, a format Nucleus does
/// not display, a name that says another format, width/height that disagree with the header
/// and a side over --max-side are findings; --decode also decodes each JPEG and PNG to find
/// truncated data. Point clouds are read through (invalid-pointcloud); context attachments are
/// probed as images. Files are probed on all threads, findings stay in line order.
///
/// Findings go to standard output, one per line, then a summary. Exit status: 0 no error
/// (warnings allowed), 1 any error, 2 could not run.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus check items.jsonl
  nucleus check --remote-only --require-dimensions part-*.jsonl
  nucleus check --annotations boxes.jsonl --items items.jsonl scenes.jsonl
  nucleus check --probe-media --media-dir /data/mirror --max-side 8192 items.jsonl
  nucleus profile base.jsonl --emit-schema base-kinds.json && nucleus check --schema base-kinds.json new.jsonl
  zcat items.jsonl.gz | nucleus check --format json -")]
#[command(mut_arg("format", |arg| arg.help("Output format of findings and summary")))]
#[command(mut_arg("quiet", |arg| arg.help("Print nothing; only the exit status tells the result")))]
pub struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    findings: FormatArg,

    /// Only remote locations are allowed (asynchronous uploads and scenes need them).
    #[arg(long)]
    remote_only: bool,

    /// Every image needs width and height (privacy mode).
    #[arg(long)]
    require_dimensions: bool,

    /// The per-key kinds of the dataset you append to ({"keys": {"KEY": "string"|"number"|...}},
    /// as written by `nucleus profile --emit-schema`): new items must agree with them.
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,

    /// Stop after N errors.
    #[arg(long, value_name = "N")]
    max_errors: Option<u64>,

    #[command(flatten)]
    quiet: QuietArg,

    /// Also validate each line against the published item JSON Schema and report any line on
    /// which the schema and these rules disagree (schema-disagreement: a bug, please report it).
    #[arg(long, conflicts_with = "scenes")]
    via_schema: bool,

    /// Each line is a scene (the SDK's LidarScene or VideoScene payload), not an item: frames,
    /// sensors and every item inside are checked, and the dataset rules run over all items.
    #[arg(long)]
    scenes: bool,

    /// Open the files items point to and check them against the items: images by their header
    /// (format, width and height), point clouds read through, context attachments as images.
    /// Local paths are opened as they are; remote locations only through --media-dir.
    /// (--open-local is the former name.)
    #[arg(long, alias = "open-local")]
    probe_media: bool,

    /// With --probe-media: a local copy of the remote files. s3://bucket/a/b.jpg,
    /// gs://bucket/a/b.jpg and https://host/a/b.jpg are read from DIR/a/b.jpg. A location whose
    /// key climbs out of DIR (`..`, `%2e%2e`, a symbolic link pointing out) is a finding
    /// (location-outside-mirror), and nothing outside DIR is opened.
    #[arg(long, value_name = "DIR", requires = "probe_media")]
    media_dir: Option<PathBuf>,

    /// With --probe-media: an image whose width or height is over PX pixels is an error
    /// (image-too-large).
    #[arg(long, value_name = "PX", requires = "probe_media")]
    max_side: Option<u64>,

    /// With --probe-media: also decode every JPEG and PNG in full, to find files whose header
    /// is fine but whose data is truncated or damaged (corrupt-image). Reads whole files:
    /// much slower than headers alone.
    #[arg(long, requires = "probe_media")]
    decode: bool,

    #[command(flatten)]
    annotation_files: crate::annotations::AnnotationFiles,

    #[command(flatten)]
    items: crate::annotations::ItemFiles,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    if args.annotation_files.any() {
        if args.scenes {
            anyhow::bail!("--scenes reads items; give scene files to --items instead");
        }
        return crate::annotations::run_check(
            &args.annotation_files,
            &args.items,
            &args.input,
            args.findings.format,
            args.quiet.quiet,
            args.max_errors,
            args.probe_media.then_some(args.media_dir.as_deref()),
        );
    }
    if !args.items.items.is_empty() {
        anyhow::bail!("--items goes with --annotations or --predictions");
    }
    let rules = ItemRules::new()
        .remote_only(args.remote_only)
        .require_dimensions(args.require_dimensions);
    let prober = if args.probe_media {
        let resolver = match &args.media_dir {
            Some(dir) => Resolver::with_mirror(dir)
                .with_context(|| format!("cannot use --media-dir {}", dir.display()))?,
            None => Resolver::new(),
        };
        let config = ProbeConfig::new()
            .max_side(args.max_side)
            .decode(args.decode);
        Some(Prober::new(resolver, config))
    } else {
        None
    };
    let mut check = Check::new(rules)
        .scenes(args.scenes)
        .max_errors(args.max_errors)
        // --probe-media needs each item's location, which the fast path does not keep.
        .full_reading(args.probe_media);
    if let Some(path) = &args.schema {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read --schema {}", path.display()))?;
        let schema = KindSchema::from_json(&text)
            .with_context(|| format!("in --schema {}", path.display()))?;
        check = check.schema(&schema);
    }
    if args.via_schema || prober.is_some() {
        let prober = &prober;
        check = check.with_hook(move |text, items| {
            let mut extra = Vec::new();
            if args.via_schema {
                extra.extend(schema_disagreement(text));
            }
            if let Some(prober) = prober {
                // Findings under each item's pointer (see `nucleus_media::Prober::probe_item`).
                for line_item in items {
                    prober.probe_item(
                        line_item.item,
                        line_item.pointer,
                        line_item.location_key,
                        &mut extra,
                    );
                }
            }
            extra
        });
    }
    let config = args.input.stream_config();
    let stdout = io::stdout().lock();
    let mut reporter = Reporter::new(
        BufWriter::new(stdout),
        args.findings.format,
        args.quiet.quiet,
    );

    for path in args.input.inputs() {
        let input = input::open(&path)?;
        let progress = input::Progress::new(&input, !args.quiet.quiet);
        let name = input.name;
        let mut write_error: Option<io::Error> = None;
        check
            .read(&name, input.reader, &config, |event| match event {
                CheckEvent::Progress(bytes) => {
                    progress.set(bytes);
                    ControlFlow::Continue(())
                }
                CheckEvent::Finding(diagnostic) => match reporter.report(&name, diagnostic) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(error) => {
                        write_error = Some(error);
                        ControlFlow::Break(())
                    }
                },
                _ => ControlFlow::Continue(()),
            })
            .with_context(|| format!("cannot read {name}"))?;
        progress.finish();
        if let Some(error) = write_error {
            return Err(error).context("cannot write output");
        }
        if check.stopped_early() {
            break;
        }
    }

    let summary = check.finish();
    let mut out = reporter.into_inner();
    if !args.quiet.quiet {
        match args.findings.format {
            Format::Json => {
                serde_json::to_writer(&mut out, &serde_json::json!({ "summary": &summary }))?;
                writeln!(out)?;
            }
            Format::Text => {
                let noun = if args.scenes { "scenes" } else { "items" };
                write_text_summary(&mut out, &summary, noun, args.max_errors)?;
            }
        }
    }
    out.flush()?;
    Ok(exit_status(summary.errors > 0))
}

fn write_text_summary(
    out: &mut impl Write,
    summary: &CheckSummary,
    noun: &str,
    max_errors: Option<u64>,
) -> io::Result<()> {
    let n_files = summary.files.len();
    writeln!(
        out,
        "checked {} {noun} in {} {}: {} valid, {} invalid; {} {}, {} {} ({:.2} s, {:.0} {noun}/s)",
        summary.items,
        n_files,
        if n_files == 1 { "file" } else { "files" },
        summary.valid,
        summary.invalid,
        summary.errors,
        if summary.errors == 1 {
            "error"
        } else {
            "errors"
        },
        summary.warnings,
        if summary.warnings == 1 {
            "warning"
        } else {
            "warnings"
        },
        summary.elapsed_seconds,
        summary.items_per_second,
    )?;
    for (code, count) in &summary.codes {
        writeln!(out, "  {code}: {count}")?;
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

/// The `schema-disagreement` finding for a line, when the item schema and the item rules
/// disagree about it (the item rules run twice: the price of the cross-check).
fn schema_disagreement(text: &str) -> Option<Diagnostic> {
    match nucleus::schema::compare_item(text) {
        Ok(Ok(_)) => None,
        Ok(Err(disagreement)) => Some(disagreement.diagnostic()),
        Err(error) => Some(Diagnostic::error(
            nucleus::model::Code::SchemaDisagreement,
            "",
            format!("the schema validator failed: {error}"),
        )),
    }
}
