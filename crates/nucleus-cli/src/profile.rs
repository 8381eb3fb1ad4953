//! `nucleus profile`: what Nucleus's Insights page will show, before the upload.

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use nucleus::insights::{ProfileEvent, ProfileState, profile_into, render_html};
use nucleus::metadata::ItemRules;

use crate::exit_status;
use crate::flags::QuietArg;
use crate::input::{self, InputArgs};
use crate::output::AtomicFile;
use crate::report::{Format as DiagnosticFormat, Reporter};

/// Profile the metadata of a dataset: the Insights page, offline.
///
/// Per metadata key: its kind, how many items have it; for strings the distinct count, whether
/// Nucleus will treat it as categorical (fewer than 250 distinct values) and the top values;
/// for numbers min, max, mean, integer-only and a histogram; the lat/lon points for the map.
/// One streaming pass in bounded memory: counts are exact up to 256 distinct values per key,
/// then estimated (distinct counts within about 1%; see the nucleus_insights::profile docs).
///
/// With --annotations (or --predictions): annotations per type, per label and per item, and
/// the boxes' sizes, as text or JSON.
///
/// Invalid lines are skipped and reported on standard error (exit status 1).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus profile items.jsonl
  nucleus profile items.jsonl --format json > profile.json
  nucleus profile items.jsonl --html report.html --emit-schema kinds.json
  nucleus profile --annotations boxes.jsonl --format json
  nucleus check --schema kinds.json new-items.jsonl")]
#[command(mut_arg("quiet", |arg| arg.help("Do not report invalid lines on standard error")))]
pub struct ProfileArgs {
    #[command(flatten)]
    input: InputArgs,

    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = ProfileFormat::Text)]
    format: ProfileFormat,

    /// Also write the report as one self-contained HTML file (charts, map; no network needed).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,

    /// Also write the per-key kinds, for `nucleus check --schema` on a later append.
    #[arg(long, value_name = "FILE")]
    emit_schema: Option<PathBuf>,

    #[command(flatten)]
    quiet: QuietArg,

    #[command(flatten)]
    annotation_files: crate::annotations::AnnotationFiles,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProfileFormat {
    /// A table per key, for a terminal.
    Text,
    /// The profile as one JSON document (shape in the nucleus_insights::profile docs).
    Json,
    /// The HTML report, on standard output.
    Html,
    /// Nothing (use with --html or --emit-schema).
    None,
}

pub fn run(args: &ProfileArgs) -> anyhow::Result<u8> {
    if args.annotation_files.any() {
        let format = match args.format {
            ProfileFormat::Text => crate::annotations::ProfileFormat::Text,
            ProfileFormat::Json => crate::annotations::ProfileFormat::Json,
            ProfileFormat::Html | ProfileFormat::None => {
                anyhow::bail!("--annotations profiles print --format text or json")
            }
        };
        if args.html.is_some() || args.emit_schema.is_some() {
            anyhow::bail!("--html and --emit-schema profile items, not --annotations");
        }
        return crate::annotations::run_profile(
            &args.annotation_files,
            &args.input,
            format,
            args.quiet.quiet,
        );
    }
    let rules = ItemRules::new();
    let config = args.input.stream_config();
    let mut reporter = Reporter::new(
        BufWriter::new(io::stderr().lock()),
        DiagnosticFormat::Text,
        args.quiet.quiet,
    );
    let mut state = ProfileState::new();
    // Lines count on across files, so "first seen" compares positions in the whole dataset.
    let mut line_offset = 0u64;
    let mut n_invalid = 0u64;
    for path in args.input.inputs() {
        let input = input::open(&path)?;
        let name = input.name.clone();
        let progress = input::Progress::new(&input, !args.quiet.quiet);
        let mut write_error: Option<io::Error> = None;
        let stats = profile_into(
            &mut state,
            line_offset,
            input.reader,
            &config,
            |text| rules.check_line(text),
            |event| {
                match event {
                    ProfileEvent::Progress(bytes) => progress.set(bytes),
                    ProfileEvent::Invalid { line, error } => {
                        n_invalid += 1;
                        if let Some(error) = error
                            && let Err(error) = reporter.report(&name, &error.at_line(line))
                        {
                            write_error = Some(error);
                            return ControlFlow::Break(());
                        }
                    }
                    _ => {}
                }
                ControlFlow::Continue(())
            },
        )
        .with_context(|| format!("cannot read {name}"))?;
        progress.finish();
        if let Some(error) = write_error {
            return Err(error).context("cannot write output");
        }
        line_offset += stats.lines;
    }
    let profile = state.finish();

    if let Some(path) = &args.emit_schema {
        let mut file = AtomicFile::create(path)?;
        let mut schema = profile.kind_schema();
        schema.comment = Some("metadata kinds written by `nucleus profile --emit-schema`; read by `nucleus check --schema`".to_owned());
        file.write_all(schema.to_json_pretty().as_bytes())?;
        file.commit()?;
    }
    if let Some(path) = &args.html {
        let mut file = AtomicFile::create(path)?;
        file.write_all(render_html(&profile).as_bytes())?;
        file.commit()?;
    }
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        ProfileFormat::Text => out.write_all(profile.render_text().as_bytes())?,
        ProfileFormat::Json => writeln!(out, "{}", profile.to_json())?,
        ProfileFormat::Html => out.write_all(render_html(&profile).as_bytes())?,
        ProfileFormat::None => {}
    }
    out.flush()?;
    if n_invalid > 0 && !args.quiet.quiet {
        writeln!(
            reporter.out(),
            "skipped {n_invalid} invalid {}; run `nucleus check` for every finding",
            if n_invalid == 1 { "line" } else { "lines" }
        )?;
    }
    reporter.out().flush()?;
    Ok(exit_status(n_invalid > 0))
}
