//! `nucleus check`: validate a whole dataset.

use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use nucleus::media::{ProbeConfig, Prober, RemoteConfig, Resolver};
use nucleus::metadata::ItemRules;
use nucleus::metadata::check::{Check, CheckEvent, CheckSummary};
use nucleus::model::KindSchema;

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
/// Per key the kind held by more items decides (a tie: the kind seen first; with --schema, the
/// schema's kind) and each item of another kind is a finding, so one odd item among a million
/// is one finding. These need the whole dataset: they come after the other findings, in line
/// order, 1,000 per key and then a count of the rest; the summary names each key in conflict.
///
/// With --probe-media, the files items point to are opened too: local paths, and remote ones in
/// a local mirror (--media-dir); with --probe-remote, remote ones also where they live (s3://,
/// gs://, http(s)://: the first bytes only, by range requests, with the user's usual
/// credentials). Without either, a remote location is not read: the summary counts them. An
/// image's format and size are read from its header: a missing file, an unreadable or truncated header, a
/// format Nucleus does not display, a name that says another format, width/height that
/// disagree with the header and a side over --max-side are findings; --decode also decodes
/// each JPEG and PNG to find truncated data. Point clouds are read through (invalid-pointcloud;
/// a remote one is only looked up); context attachments are probed as images. Files are
/// probed on all threads and remote ones --concurrency at a time; findings stay in line order.
///
/// Findings go to standard output, one per line, then a summary. Exit status: 0 no error
/// (warnings allowed), 1 any error, 2 could not run.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus check items.jsonl
  nucleus check --remote-only --require-dimensions part-*.jsonl
  nucleus check --annotations boxes.jsonl --items items.jsonl scenes.jsonl
  nucleus check --probe-media --media-dir /data/mirror --max-side 8192 items.jsonl
  AWS_PROFILE=work nucleus check --probe-remote --concurrency 64 items.jsonl
  AWS_ENDPOINT_URL=http://127.0.0.1:9000 nucleus check --probe-remote items.jsonl
  nucleus profile base.jsonl --emit-schema base-kinds.json && nucleus check --schema base-kinds.json new.jsonl
  zcat items.jsonl.gz | nucleus check --format json -")]
#[command(group(clap::ArgGroup::new("probing").multiple(true).args(["probe_media", "probe_remote"])))]
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
    /// as written by `nucleus profile --emit-schema`): new items must agree with them (these
    /// kinds decide, whatever the counts).
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
    /// Local paths are opened as they are, remote locations in --media-dir when it is given;
    /// nothing is fetched over the network (see --probe-remote): the summary counts the remote
    /// locations not probed. (--open-local is an older name of it.)
    #[arg(long, alias = "open-local")]
    probe_media: bool,

    /// --probe-media, and remote locations without --media-dir read where they live: only
    /// their first bytes, by range requests. Credentials come from the environment and the
    /// usual files: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION
    /// and AWS_ENDPOINT_URL (an S3-compatible server; http:// is allowed) for s3://, and what
    /// they leave unset from the profile AWS_PROFILE names (else default) in ~/.aws/credentials
    /// and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE: keys, region,
    /// endpoint_url); GOOGLE_APPLICATION_CREDENTIALS or gcloud's default credentials for
    /// gs://; http(s):// (Azure blobs too, with their SAS query) is read as the URL says. A
    /// missing object is missing-media; access denied (403/401), a timeout or another failure
    /// is unreadable-media, and its message says which.
    #[arg(long)]
    probe_remote: bool,

    /// With --probe-media: a local copy of the remote files, read instead of the remote ones.
    /// s3://bucket/a/b.jpg, gs://bucket/a/b.jpg and https://host/a/b.jpg are read from
    /// DIR/a/b.jpg. A location whose key climbs out of DIR (`..`, `%2e%2e`, a symbolic link
    /// pointing out) is a finding (location-outside-mirror), and nothing outside DIR is opened.
    #[arg(long, value_name = "DIR", requires = "probing")]
    media_dir: Option<PathBuf>,

    /// With --probe-media: an image whose width or height is over PX pixels is an error
    /// (image-too-large).
    #[arg(long, value_name = "PX", requires = "probing")]
    max_side: Option<u64>,

    /// With --probe-media: also decode every JPEG and PNG in full, to find files whose header
    /// is fine but whose data is truncated or damaged (corrupt-image). Reads whole files
    /// (remote ones too): much slower than headers alone.
    #[arg(long, requires = "probing")]
    decode: bool,

    /// With --probe-remote: remote requests under way at once.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 32,
        requires = "probe_remote"
    )]
    concurrency: usize,

    /// With --probe-remote: the longest a remote request may take, in seconds.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30.0,
        requires = "probe_remote"
    )]
    timeout: f64,

    /// With --probe-remote: how many times a remote request that timed out or failed for a
    /// passing reason (a lost connection, a 5xx or 429 answer) is tried again, with backoff.
    #[arg(long, value_name = "N", default_value_t = 3, requires = "probe_remote")]
    retries: usize,

    #[command(flatten)]
    annotation_files: crate::annotations::AnnotationFiles,

    #[command(flatten)]
    items: crate::annotations::ItemFiles,
}

impl CheckArgs {
    /// Whether media are probed (--probe-remote implies --probe-media).
    fn probing(&self) -> bool {
        self.probe_media || self.probe_remote
    }
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
            args.probing().then_some(args.media_dir.as_deref()),
        );
    }
    if !args.items.items.is_empty() {
        anyhow::bail!("--items goes with --annotations or --predictions");
    }
    let rules = ItemRules::new()
        .remote_only(args.remote_only)
        .require_dimensions(args.require_dimensions);
    let prober = if args.probing() {
        let resolver = match &args.media_dir {
            Some(dir) => Resolver::with_mirror(dir)
                .with_context(|| format!("cannot use --media-dir {}", dir.display()))?,
            None => Resolver::new(),
        };
        let config = ProbeConfig::new()
            .max_side(args.max_side)
            .decode(args.decode);
        let prober = Prober::new(resolver, config);
        if args.probe_remote && args.media_dir.is_none() {
            let timeout = Duration::try_from_secs_f64(args.timeout)
                .ok()
                .filter(|timeout| !timeout.is_zero())
                .with_context(|| {
                    format!(
                        "--timeout {} is not a positive number of seconds",
                        args.timeout
                    )
                })?;
            let remote = RemoteConfig::new()
                .concurrency(args.concurrency)
                .timeout(timeout)
                .retries(args.retries);
            Some(
                prober
                    .with_remote(remote)
                    .context("cannot set up remote reading")?,
            )
        } else {
            Some(prober)
        }
    } else {
        None
    };
    let mut check = Check::new(rules)
        .scenes(args.scenes)
        .max_errors(args.max_errors);
    if let Some(path) = &args.schema {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read --schema {}", path.display()))?;
        let schema = KindSchema::from_json(&text)
            .with_context(|| format!("in --schema {}", path.display()))?;
        check = check.schema(&schema);
    }
    if args.via_schema {
        check = nucleus::schema::with_cross_check(check);
    }
    if let Some(prober) = &prober {
        check = nucleus::media::with_probing(check, prober);
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

    // Type conflicts and mixed kinds need the whole dataset: they come last, in line order.
    let mut write_error: Option<io::Error> = None;
    let mut summary =
        check.finish_with(|name, diagnostic| match reporter.report(name, diagnostic) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                write_error = Some(error);
                ControlFlow::Break(())
            }
        });
    if let Some(error) = write_error {
        return Err(error).context("cannot write output");
    }
    summary.remote_not_probed = prober.as_ref().map(Prober::remote_not_probed);
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
    // "1 scene", "2 scenes"; the rate keeps the plural.
    let counted = if summary.items == 1 {
        noun.strip_suffix('s').unwrap_or(noun)
    } else {
        noun
    };
    writeln!(
        out,
        "checked {} {counted} in {} {}: {} valid, {} invalid; {} {}, {} {} ({:.2} s, {:.0} {noun}/s)",
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
    for conflict in &summary.type_conflicts {
        let first = conflict
            .first_line
            .map_or_else(String::new, |line| format!(", the first at line {line}"));
        let why = if conflict.declared {
            "declared by --schema"
        } else if conflict.count == conflict.other_count {
            "a tie, seen first"
        } else {
            "held by more items"
        };
        writeln!(
            out,
            "type conflict on metadata key {}: {} {}{first} ({why}) against {} {}",
            serde_json::Value::from(conflict.key.as_str()),
            conflict.count,
            plural(conflict.kind, conflict.count),
            conflict.other_count,
            plural(conflict.other_kind, conflict.other_count),
        )?;
    }
    if let Some(n) = summary.remote_not_probed.filter(|n| *n > 0) {
        writeln!(
            out,
            "{n} remote {} not probed: --probe-remote reads them where they live, --media-dir DIR in a local copy",
            if n == 1 { "location" } else { "locations" }
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

/// "1 string", "strings".
fn plural(kind: nucleus::model::Kind, count: u64) -> String {
    if count == 1 {
        kind.as_str().to_owned()
    } else {
        format!("{}s", kind.as_str())
    }
}
