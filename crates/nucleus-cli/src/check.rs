//! `nucleus check`: validate a whole dataset.

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use nucleus::metadata::ItemRules;
use nucleus::metadata::check::{Check, CheckEvent, CheckSummary};
use nucleus::model::{DatasetItem, DatasetItemType, Diagnostic, KindSchema};

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
/// Findings go to standard output, one per line, then a summary. Exit status: 0 no error
/// (warnings allowed), 1 any error, 2 could not run.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus check items.jsonl
  nucleus check --remote-only --require-dimensions part-*.jsonl
  nucleus check --annotations boxes.jsonl --items items.jsonl scenes.jsonl
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

    /// Open the point-cloud files that items point to when they are local (or, with
    /// --media-dir, remote ones mirrored locally) and check them too (invalid-pointcloud).
    #[arg(long)]
    open_local: bool,

    /// With --open-local: a local mirror of remote files (s3://bucket/a/b.json is DIR/a/b.json).
    #[arg(long, value_name = "DIR", requires = "open_local")]
    media_dir: Option<PathBuf>,

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
        );
    }
    if !args.items.items.is_empty() {
        anyhow::bail!("--items goes with --annotations or --predictions");
    }
    let rules = ItemRules::new()
        .remote_only(args.remote_only)
        .require_dimensions(args.require_dimensions);
    let mut check = Check::new(rules)
        .scenes(args.scenes)
        .max_errors(args.max_errors)
        // --open-local needs each item's location, which the fast path does not keep.
        .full_reading(args.open_local);
    if let Some(path) = &args.schema {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read --schema {}", path.display()))?;
        let schema = KindSchema::from_json(&text)
            .with_context(|| format!("in --schema {}", path.display()))?;
        check = check.schema(&schema);
    }
    if args.via_schema || args.open_local {
        check = check.with_hook(|text, items| {
            let mut extra = Vec::new();
            if args.via_schema {
                extra.extend(schema_disagreement(text));
            }
            if args.open_local {
                extra.extend(open_local_pointclouds(items, args.media_dir.as_deref()));
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

/// `--open-local`: the findings of every point-cloud file the line's items point to that can be
/// read here, each naming its file (the pointer is inside the point-cloud file).
fn open_local_pointclouds(
    items: &[&DatasetItem],
    media_dir: Option<&std::path::Path>,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for item in items {
        if item.item_type() != DatasetItemType::Pointcloud {
            continue;
        }
        let Some(path) = crate::render::resolve(item.location(), media_dir) else {
            continue;
        };
        for mut diagnostic in crate::render::check_local_pointcloud(&path) {
            diagnostic.message = format!("in {}: {}", path.display(), diagnostic.message);
            found.push(diagnostic);
        }
    }
    found
}
