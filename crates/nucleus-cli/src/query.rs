//! `nucleus query`: the Nucleus query bar, locally.

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use clap::Args;
use nucleus::lines::{DEFAULT_MAX_LINE_BYTES, StreamConfig};
use nucleus::metadata::query::{self, KeyKind, Query, SortKey};
use nucleus::model::Kind;
use nucleus::model::read_line;
use serde_json::{Map, Value};

use crate::input;
use crate::report::{Format, Reporter};
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
#[command(after_help = "Examples:
  nucleus query items.jsonl 'metadata.weather = \"rain\" AND metadata.speed_mps > 10'
  nucleus query items.jsonl 'metadata.frame_number % 5 = 0' --count
  nucleus query items.jsonl 'metadata.camera = \"front\"' --sort -metadata.exposure_ms --limit 10")]
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

    /// Format of findings on standard error.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Worker threads [default: one per core].
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,

    /// Longest line accepted, in bytes; a longer line is reported (line-too-long) and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LINE_BYTES)]
    max_line_bytes: usize,
}

/// The kinds a key has shown across the dataset.
#[derive(Default, Clone, Copy)]
struct SeenKinds {
    string: bool,
    number: bool,
    other: bool,
}

impl SeenKinds {
    fn key_kind(self) -> KeyKind {
        match (self.string, self.number) {
            (true, true) => KeyKind::Mixed,
            (true, false) => KeyKind::String,
            (false, true) => KeyKind::Number,
            (false, false) => KeyKind::Other,
        }
    }
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
    let config = StreamConfig::default()
        .jobs(args.jobs.unwrap_or(0))
        .max_line_bytes(args.max_line_bytes);
    let input = input::open(&args.file)?;
    let name = input.name.clone();
    let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut reporter = Reporter::new(BufWriter::new(io::stderr().lock()), args.format, false);
    let mut kinds: HashMap<String, SeenKinds> = HashMap::new();
    let mut n_matches = 0usize;
    // With --sort, matches wait here: the line and a map holding only the sort key's value.
    let mut sorted: Vec<(String, Map<String, Value>)> = Vec::new();
    let streaming_output = sort.is_none() && !args.count;

    let stats = input::stream(
        input,
        &config,
        true,
        |_, text| {
            let reading = read_line(text);
            let matched = reading
                .item
                .as_ref()
                .is_some_and(|item| query.matches(item.metadata().as_map()));
            let kept = matched.then(|| text.to_owned());
            (reading, kept)
        },
        |line, result| {
            let (reading, kept) = match result {
                Ok(pair) => pair,
                Err(diagnostic) => {
                    reporter.report(&name, &diagnostic.at_line(line))?;
                    return Ok(ControlFlow::Continue(()));
                }
            };
            let Some(item) = reading.item else {
                if let Some(diagnostic) = reading.diagnostics.into_iter().find(|d| d.is_error()) {
                    reporter.report(&name, &diagnostic.at_line(line))?;
                }
                return Ok(ControlFlow::Continue(()));
            };
            for (key, value) in item.metadata() {
                let Some(kind) = Kind::of(value) else {
                    continue;
                };
                let seen = match kinds.get_mut(key.as_str()) {
                    Some(seen) => seen,
                    None => kinds.entry(key.clone()).or_default(),
                };
                match kind {
                    Kind::String => seen.string = true,
                    Kind::Number => seen.number = true,
                    _ => seen.other = true,
                }
            }
            let Some(text) = kept else {
                return Ok(ControlFlow::Continue(()));
            };
            n_matches += 1;
            if let Some(sort) = &sort {
                let mut value = Map::new();
                if let Some(v) = item.metadata().get(sort.key()) {
                    value.insert(sort.key().to_owned(), v.clone());
                }
                sorted.push((text, value));
            } else if streaming_output {
                out.write_all(text.as_bytes())?;
                out.write_all(b"\n")?;
            }
            Ok(match args.limit {
                Some(limit) if sort.is_none() && n_matches >= limit => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            })
        },
    )?;

    if let Some(sort) = &sort {
        query::sort_by_key(&mut sorted, sort, |(_, value)| value);
        if !args.count {
            for (text, _) in sorted.iter().take(args.limit.unwrap_or(usize::MAX)) {
                out.write_all(text.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
    }
    if args.count {
        writeln!(
            out,
            "{}",
            args.limit.map_or(n_matches, |limit| n_matches.min(limit))
        )?;
    }
    out.flush()?;

    // The dataset-aware checks need every key: only meaningful when the whole input was read.
    let mut has_error = reporter.n_errors > 0;
    let findings = if stats.stopped {
        Vec::new()
    } else {
        query.check(
            kinds
                .iter()
                .map(|(key, seen)| (key.as_str(), seen.key_kind())),
        )
    };
    let stderr = reporter.out();
    for finding in findings {
        has_error |= finding.severity == query::Severity::Error;
        writeln!(stderr, "{}", finding.render(&args.expression))?;
    }
    stderr.flush()?;
    Ok(exit_status(has_error))
}
