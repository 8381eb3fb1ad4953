//! `nucleus dimensions`: fill in `width` and `height` of image items from their files' headers.

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use nucleus::media::{ProbeConfig, ProbedImage, Prober, Resolver, check_dimensions};
use nucleus::metadata::ItemRules;
use nucleus::model::diagnostic::pointer;
use nucleus::model::{DatasetItem, DatasetItemType, Diagnostic, json};
use serde::Serialize;
use serde_json::Value;

use crate::exit_status;
use crate::input::{self, InputArgs};
use crate::output::AtomicFile;
use crate::report::{Format, Reporter};

/// Fill in width and height of image items from their image files' headers.
///
/// Privacy mode needs the pixel size of every image. This reads it from the first bytes of each
/// image file (local paths, and remote locations in a local mirror with --media-dir) and writes
/// the items to OUT with `width` and `height` added where they were missing. Nothing else in a
/// line changes: the two keys are appended to the item's object, every other byte is kept (a
/// line where either is `null` is rewritten with the values in place). Items that already have
/// both are checked against the header and never changed (dimension-mismatch when they differ).
/// Point clouds, remote images without --media-dir and lines that are not valid items are
/// copied as they are. Lines that are not UTF-8 or too long cannot be copied and are dropped
/// (and reported); blank lines are dropped and lines end in `\n`.
///
/// OUT is written whole or not at all. Findings go to standard output, then a summary of how
/// many items were filled, checked and could not be read. Exit status: 0 no error, 1 an image
/// could not be read, disagrees with its item or a line is invalid (OUT is still written),
/// 2 could not run.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus dimensions items.jsonl -o items-with-sizes.jsonl
  nucleus dimensions --media-dir /data/mirror s3-items.jsonl -o sized.jsonl
  nucleus dimensions items.jsonl -o sized.jsonl && nucleus check --require-dimensions sized.jsonl")]
pub struct DimensionsArgs {
    #[command(flatten)]
    input: InputArgs,

    /// The file to write: the input lines, with width and height filled in.
    #[arg(short, long, value_name = "OUT")]
    output: PathBuf,

    /// A local copy of the remote files: s3://bucket/a/b.jpg, gs://bucket/a/b.jpg and
    /// https://host/a/b.jpg are read from DIR/a/b.jpg (never from outside DIR).
    #[arg(long, value_name = "DIR")]
    media_dir: Option<PathBuf>,

    /// Output format of findings and summary.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Print nothing; only the exit status tells the result.
    #[arg(short, long)]
    quiet: bool,
}

/// What happened to one line.
enum Outcome {
    /// `width` and/or `height` were added.
    Filled,
    /// The item had both; they were compared with the header.
    Checked,
    /// An image whose file could not be found or read.
    Unreadable,
    /// A point cloud, or a remote image without a mirror.
    Skipped,
    /// Not a valid item.
    Invalid,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    items: u64,
    filled: u64,
    checked: u64,
    disagree: u64,
    unreadable: u64,
    skipped: u64,
    invalid: u64,
    output: String,
}

pub fn run(args: &DimensionsArgs) -> anyhow::Result<u8> {
    let resolver = match &args.media_dir {
        Some(dir) => Resolver::with_mirror(dir)
            .with_context(|| format!("cannot use --media-dir {}", dir.display()))?,
        None => Resolver::new(),
    };
    let prober = Prober::new(resolver, ProbeConfig::new());
    let rules = ItemRules::new();
    let config = args.input.stream_config();
    let mut out = AtomicFile::create(&args.output)?;
    let stdout = io::stdout().lock();
    let mut reporter = Reporter::new(BufWriter::new(stdout), args.format, args.quiet);
    let mut summary = Summary {
        output: args.output.display().to_string(),
        ..Summary::default()
    };

    for path in args.input.inputs() {
        let input = input::open(&path)?;
        let name = input.name.clone();
        input::stream(
            input,
            &config,
            !args.quiet,
            |_, text| {
                let mut findings = Vec::new();
                let outcome = fill_line(&rules, &prober, text, &mut findings);
                (outcome, findings)
            },
            |line, result| {
                // A line that is not UTF-8 or too long has no text to copy.
                let (outcome, findings, text) = match result {
                    Ok(((outcome, text), findings)) => (Some(outcome), findings, Some(text)),
                    Err(finding) => (None, vec![finding], None),
                };
                summary.items += 1;
                match outcome {
                    Some(Outcome::Filled) => summary.filled += 1,
                    Some(Outcome::Checked) => {
                        summary.checked += 1;
                        summary.disagree += u64::from(!findings.is_empty());
                    }
                    Some(Outcome::Unreadable) => summary.unreadable += 1,
                    Some(Outcome::Skipped) => summary.skipped += 1,
                    Some(Outcome::Invalid) | None => summary.invalid += 1,
                }
                if let Some(text) = text {
                    out.write_all(text.as_bytes())?;
                    out.write_all(b"\n")?;
                }
                for finding in findings {
                    reporter.report(&name, &finding.at_line(line))?;
                }
                Ok(ControlFlow::Continue(()))
            },
        )?;
    }
    out.commit()?;

    let errors = reporter.n_errors;
    let mut stdout = reporter.into_inner();
    if !args.quiet {
        match args.format {
            Format::Json => {
                serde_json::to_writer(&mut stdout, &serde_json::json!({ "summary": &summary }))?;
                writeln!(stdout)?;
            }
            Format::Text => writeln!(
                stdout,
                "wrote {}: {} items; filled {}, checked {} ({} disagree), could not read {}, skipped {} (point clouds, remote without --media-dir), invalid {}",
                summary.output,
                summary.items,
                summary.filled,
                summary.checked,
                summary.disagree,
                summary.unreadable,
                summary.skipped,
                summary.invalid
            )?,
        }
    }
    stdout.flush()?;
    Ok(exit_status(errors > 0))
}

/// The outcome for one line and the line to write.
fn fill_line(
    rules: &ItemRules,
    prober: &Prober,
    text: &str,
    findings: &mut Vec<Diagnostic>,
) -> (Outcome, String) {
    let unchanged = || text.to_owned();
    let reading = rules.check_line(text);
    let Some(item) = reading.item else {
        findings.extend(reading.diagnostics.into_iter().filter(Diagnostic::is_error));
        return (Outcome::Invalid, unchanged());
    };
    if item.item_type() != DatasetItemType::Image {
        return (Outcome::Skipped, unchanged());
    }
    let key = reading.location_key.unwrap_or("image_location");
    let probed = match prober.image_header(item.location(), &pointer("", &[key]), key) {
        Ok(Some(probed)) => probed,
        Ok(None) => return (Outcome::Skipped, unchanged()),
        Err(finding) => {
            findings.push(finding);
            return (Outcome::Unreadable, unchanged());
        }
    };
    check_dimensions(&item, "", &probed, findings);
    if item.width().is_some() && item.height().is_some() {
        return (Outcome::Checked, unchanged());
    }
    match with_dimensions(text, &item, &probed) {
        Some(filled) => (Outcome::Filled, filled),
        // Cannot happen for a line the reader accepted; copy it rather than lose it.
        None => (Outcome::Invalid, unchanged()),
    }
}

/// `text` with the missing `width`/`height` of `item` set from the header. When neither key
/// is in the object, they are appended before its closing brace and every other byte is kept;
/// when one is there as `null`, the line is rewritten with the value in its place.
fn with_dimensions(text: &str, item: &DatasetItem, probed: &ProbedImage) -> Option<String> {
    let missing: Vec<(&str, u64)> = [
        ("width", item.width(), probed.header.width),
        ("height", item.height(), probed.header.height),
    ]
    .into_iter()
    .filter(|(_, given, _)| given.is_none())
    .map(|(key, _, actual)| (key, actual))
    .collect();
    let mut value = json::parse(text).ok()?;
    let object = value.as_object_mut()?;
    if missing.iter().all(|(key, _)| !object.contains_key(*key)) {
        // The object's closing brace is the line's last '}' (after it, at most whitespace).
        let close = text.rfind('}')?;
        let (body, end) = text.split_at(close);
        let mut filled = String::with_capacity(text.len() + 32);
        filled.push_str(body);
        for (key, pixels) in &missing {
            filled.push_str(&format!(",\"{key}\":{pixels}"));
        }
        filled.push_str(end);
        return Some(filled);
    }
    for (key, pixels) in missing {
        object.insert(key.to_owned(), Value::from(pixels));
    }
    serde_json::to_string(&value).ok()
}
