//! `nucleus query`: the Nucleus query bar, locally.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use nucleus::query::{Query, QueryEvent, QueryRun, RunError, SortKey};

use crate::flags::{FormatArg, LineArgs};
use crate::input::{self, Progress};
use crate::report::Reporter;
use crate::{EXIT_TROUBLE, exit_status};

/// Select items with the Nucleus query bar's expressions; print them as JSON Lines.
///
/// EXPR compares metadata keys with string or number literals:
///   metadata.weather = "rain"            = != < <= > >=
///   metadata.frame_number % 5 = 0        modulo (the remainder is never negative)
///   NOT metadata.is_night = 1 AND (metadata.speed > 10 OR metadata.camera = "front")
/// NOT binds tightest, then AND, then OR; keywords are case-insensitive. A key with spaces is
/// written metadata."my key". An item without the key, or with a value of the other kind,
/// does not match a comparison. Only string and number keys are searchable.
///
/// Matching lines are printed as they are, in file order or sorted with --sort. Findings about
/// the query (unknown key, key that is not searchable, comparison that is always false) and
/// unreadable lines go to standard error. Exit status: 0 ran (with or without matches), 1 the
/// query uses a non-searchable key or a line could not be read, 2 bad expression or file.
#[derive(Debug, Args)]
// Verbatim: the examples above keep their lines and alignment in `--help`.
#[command(
    verbatim_doc_comment,
    after_help = "Examples:
  nucleus query items.jsonl 'metadata.weather = \"rain\" AND metadata.speed_mps > 10'
  nucleus query items.jsonl 'metadata.frame_number % 5 = 0' --count
  nucleus query items.jsonl 'metadata.camera = \"front\"' --sort -metadata.exposure_ms --limit 10"
)]
pub struct QueryArgs {
    /// JSON Lines file to search (`-` for standard input).
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// The query expression.
    #[arg(value_name = "EXPR")]
    expression: String,

    /// Sort by a numeric key: `metadata.KEY` ascending, `-metadata.KEY` descending (stable;
    /// items without a number for the key come last).
    #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
    sort: Option<String>,

    /// Print at most N items.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,

    /// Print only the number of matching items.
    #[arg(long)]
    count: bool,

    #[command(flatten)]
    findings: FormatArg,

    #[command(flatten)]
    lines: LineArgs,
}

pub fn run(args: &QueryArgs) -> anyhow::Result<u8> {
    let query = match Query::parse(&args.expression) {
        Ok(query) => query,
        Err(error) => {
            eprintln!(
                "nucleus: error: invalid query\n{}",
                error.render(&args.expression)
            );
            return Ok(EXIT_TROUBLE);
        }
    };
    let sort = match args.sort.as_deref().map(SortKey::parse).transpose() {
        Ok(sort) => sort,
        Err(error) => {
            let source = args.sort.as_deref().unwrap_or_default();
            eprintln!("nucleus: error: invalid --sort\n{}", error.render(source));
            return Ok(EXIT_TROUBLE);
        }
    };
    let run = QueryRun::new(query)
        .sorted_by(sort)
        .limit(args.limit)
        .count_only(args.count);
    let config = args.lines.stream_config();
    let input = input::open(&args.file)?;
    let name = input.name.clone();
    let progress = Progress::new(&input, true);
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut reporter = Reporter::new(
        BufWriter::new(io::stderr().lock()),
        args.findings.format,
        false,
    );
    let outcome = run.run(input.reader, &config, |event| match event {
        QueryEvent::Match { text, .. } => {
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")
        }
        QueryEvent::Unreadable(diagnostic) => reporter.report(&name, &diagnostic),
        QueryEvent::Progress(bytes) => {
            progress.set(bytes);
            Ok(())
        }
        _ => Ok(()),
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(RunError::Read(error)) => {
            return Err(error).with_context(|| format!("cannot read {name}"));
        }
        Err(RunError::Sink(error)) => return Err(error).context("cannot write output"),
        Err(error) => return Err(error.into()),
    };
    progress.finish();
    if args.count {
        writeln!(out, "{}", outcome.n_selected)?;
    }
    out.flush()?;

    let has_error = reporter.n_errors > 0 || outcome.has_errors();
    let stderr = reporter.out();
    for finding in &outcome.findings {
        writeln!(stderr, "{}", finding.render(&args.expression))?;
    }
    stderr.flush()?;
    Ok(exit_status(has_error))
}
