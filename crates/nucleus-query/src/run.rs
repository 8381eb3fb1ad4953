//! Running a query over JSON Lines: the loop behind `nucleus query` and the Python `query`.

use std::collections::HashMap;
use std::io::{self, Read};
use std::ops::ControlFlow;

use nucleus_lines::{Event, StreamConfig, StreamStats, for_each_line};
use nucleus_model::number::Num;
use nucleus_model::{Diagnostic, ItemReading, Kind, Metadata, read_line};

use crate::{Finding, KeyKind, Query, Severity, SortKey};

/// A query with the query bar's options (sort, limit, count only), ready to run over JSON
/// Lines with [`QueryRun::run`].
///
/// Lines are read and matched on all cores; matches reach the sink in file order, or in the
/// sort's order once the whole input has been read. Every readable item, matching or not,
/// tells the run which kinds each metadata key holds, so that when the whole input was read
/// the query is checked against them ([`Query::check`]).
///
/// ```
/// use nucleus_lines::StreamConfig;
/// use nucleus_query::{Query, QueryEvent, QueryRun, SortKey};
///
/// let lines = concat!(
///     r#"{"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"speed": 3}}"#, "\n",
///     r#"{"image_location": "s3://b/2.jpg", "reference_id": "2", "metadata": {"speed": 12}}"#, "\n",
///     r#"{"image_location": "s3://b/3.jpg", "reference_id": "3", "metadata": {"speed": 7}}"#, "\n",
/// );
/// let run = QueryRun::new(Query::parse("metadata.speed > 5")?)
///     .sorted_by(Some(SortKey::parse("-metadata.speed")?));
/// let mut matched_lines = Vec::new();
/// let outcome = run.run(lines.as_bytes(), &StreamConfig::default(), |event| {
///     if let QueryEvent::Match { line, .. } = event {
///         matched_lines.push(line);
///     }
///     Ok::<(), std::convert::Infallible>(())
/// })?;
/// assert_eq!(matched_lines, [2, 3]);
/// assert_eq!(outcome.n_selected, 2);
/// assert!(outcome.findings.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct QueryRun {
    query: Query,
    sort: Option<SortKey>,
    limit: Option<usize>,
    count_only: bool,
}

/// What the sink of [`QueryRun::run`] receives, in order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum QueryEvent {
    /// A matching item: its line, as read (without the line ending). In file order, or in the
    /// sort's order after the whole input was read; never sent when counting only.
    Match {
        /// 1-based line number.
        line: u64,
        /// The line's text.
        text: String,
    },
    /// A line that is not a readable item, with the first error about it (at its line).
    Unreadable(Diagnostic),
    /// Bytes of input consumed so far, for a progress bar.
    Progress(u64),
}

/// The totals of a [`QueryRun::run`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QueryOutcome {
    /// Matching items selected: every match, or at most the limit.
    pub n_selected: usize,
    /// The query's findings against the keys of the input (see [`Query::check`]); empty when
    /// the run stopped at its limit before the end, since the checks need every key.
    pub findings: Vec<Finding>,
    /// Bytes and lines read, and whether the run stopped before the end.
    pub stats: StreamStats,
}

/// Why a [`QueryRun::run`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError<E> {
    /// Reading the input failed.
    #[error("cannot read the input")]
    Read(#[source] io::Error),
    /// The sink returned an error (e.g. writing output); the run stopped there.
    #[error("the query's sink failed")]
    Sink(#[source] E),
}

impl QueryRun {
    /// A run of `query` over all matches in file order.
    #[must_use]
    pub fn new(query: Query) -> QueryRun {
        QueryRun {
            query,
            sort: None,
            limit: None,
            count_only: false,
        }
    }

    /// The same run with matches sorted by a numeric key (stably; see [`SortKey`]), or in
    /// file order for `None`.
    #[must_use]
    pub fn sorted_by(mut self, sort: Option<SortKey>) -> QueryRun {
        self.sort = sort;
        self
    }

    /// The same run selecting at most `limit` matches (all for `None`). Without a sort, the
    /// run stops reading at the limit.
    #[must_use]
    pub fn limit(mut self, limit: Option<usize>) -> QueryRun {
        self.limit = limit;
        self
    }

    /// The same run counting matches ([`QueryOutcome::n_selected`]) without sending them.
    #[must_use]
    pub fn count_only(mut self, count_only: bool) -> QueryRun {
        self.count_only = count_only;
        self
    }

    /// The query run.
    #[must_use]
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Reads JSON Lines from `reader` and sends matches, unreadable lines and progress to
    /// `sink`, in order (see [`QueryEvent`]).
    ///
    /// # Errors
    ///
    /// [`RunError::Read`] when reading fails (or the thread pool cannot be built),
    /// [`RunError::Sink`] with the first error the sink returns.
    pub fn run<R, E, S>(
        &self,
        reader: R,
        config: &StreamConfig,
        mut sink: S,
    ) -> Result<QueryOutcome, RunError<E>>
    where
        R: Read + Send,
        S: FnMut(QueryEvent) -> Result<(), E>,
    {
        let mut kinds = SeenKinds::default();
        let mut n_matches = 0usize;
        // With a sort, matches wait here until the whole input is read.
        let mut sorted: Vec<Match> = Vec::new();
        let mut sink_error: Option<E> = None;
        let mut send = |event: QueryEvent| match sink(event) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                sink_error = Some(error);
                ControlFlow::Break(())
            }
        };
        let stats = for_each_line(
            reader,
            config,
            |line, text| self.read(line, text),
            |event| {
                let (line, result) = match event {
                    Event::Progress(bytes) => return send(QueryEvent::Progress(bytes)),
                    Event::Line { line, result } => (line, result),
                };
                let (reading, matched) = match result {
                    Ok(pair) => pair,
                    Err(diagnostic) => {
                        return send(QueryEvent::Unreadable(diagnostic.at_line(line)));
                    }
                };
                let Some(item) = reading.item else {
                    return match reading.diagnostics.into_iter().find(Diagnostic::is_error) {
                        Some(diagnostic) => send(QueryEvent::Unreadable(diagnostic.at_line(line))),
                        None => ControlFlow::Continue(()),
                    };
                };
                kinds.observe(item.metadata());
                let Some(matched) = matched else {
                    return ControlFlow::Continue(());
                };
                n_matches += 1;
                if self.sort.is_some() {
                    sorted.push(matched);
                    return ControlFlow::Continue(());
                }
                // FIXME: with a limit of 0 the first match is still sent (`nucleus query
                // --limit 0` prints one item); kept while the query driver moves, fix apart.
                if !self.count_only {
                    send(QueryEvent::Match {
                        line: matched.line,
                        text: matched.text,
                    })?;
                }
                match self.limit {
                    Some(limit) if n_matches >= limit => ControlFlow::Break(()),
                    _ => ControlFlow::Continue(()),
                }
            },
        )
        .map_err(RunError::Read)?;
        if let Some(sort) = &self.sort {
            sort.sort_by_value(&mut sorted, |matched| matched.sort_value);
            if !self.count_only {
                let limit = self.limit.unwrap_or(usize::MAX);
                for matched in sorted.into_iter().take(limit) {
                    let event = QueryEvent::Match {
                        line: matched.line,
                        text: matched.text,
                    };
                    if send(event).is_break() {
                        break;
                    }
                }
            }
        }
        if let Some(error) = sink_error {
            return Err(RunError::Sink(error));
        }
        let findings = if stats.stopped {
            Vec::new()
        } else {
            self.query.check(kinds.key_kinds())
        };
        Ok(QueryOutcome {
            n_selected: self.limit.map_or(n_matches, |limit| n_matches.min(limit)),
            findings,
            stats,
        })
    }

    /// Reads one line and matches it (on a worker thread): the reading, and the match with
    /// what the output needs of it when the item matches.
    fn read(&self, line: u64, text: &str) -> (ItemReading, Option<Match>) {
        let reading = read_line(text);
        let matched = reading.item.as_ref().and_then(|item| {
            let metadata = item.metadata().as_map();
            self.query.matches(metadata).then(|| Match {
                line,
                text: text.to_owned(),
                sort_value: self.sort.as_ref().and_then(|sort| sort.value(metadata)),
            })
        });
        (reading, matched)
    }
}

impl QueryOutcome {
    /// Whether a finding about the query is an error (a key that is not searchable).
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|finding| finding.severity == Severity::Error)
    }
}

/// A matching line, with its value for the sort key.
struct Match {
    line: u64,
    text: String,
    sort_value: Option<Num>,
}

/// For each metadata key of the input, whether it held strings and numbers: the
/// [`KeyKind`]s that [`Query::check`] needs. A key holding only `null` is not a key here.
#[derive(Debug, Default)]
struct SeenKinds {
    keys: HashMap<String, Seen>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    string: bool,
    number: bool,
}

impl SeenKinds {
    fn observe(&mut self, metadata: &Metadata) {
        for (key, value) in metadata {
            let Some(kind) = Kind::of(value) else {
                continue;
            };
            // Look up before inserting: most keys are already known, and `entry` would
            // allocate the key each time.
            let seen = match self.keys.get_mut(key.as_str()) {
                Some(seen) => seen,
                None => self.keys.entry(key.clone()).or_default(),
            };
            match kind {
                Kind::String => seen.string = true,
                Kind::Number => seen.number = true,
                _ => {}
            }
        }
    }

    fn key_kinds(&self) -> impl Iterator<Item = (&str, KeyKind)> {
        self.keys.iter().map(|(key, seen)| {
            let kind = match (seen.string, seen.number) {
                (true, true) => KeyKind::Mixed,
                (true, false) => KeyKind::String,
                (false, true) => KeyKind::Number,
                (false, false) => KeyKind::Other,
            };
            (key.as_str(), kind)
        })
    }
}
