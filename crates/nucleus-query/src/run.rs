//! Running a query over JSON Lines: the loop behind `nucleus query` and the Python `query`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::ControlFlow;

use nucleus_lines::{Event, PerWorker, StreamConfig, StreamStats, for_each_line};
use nucleus_model::number::Num;
use nucleus_model::scan::{Key, unescape};
use nucleus_model::{Diagnostic, Kind, Metadata, read_line};

use crate::{Finding, KeyKind, Query, Severity, SortKey};

/// A query with the query bar's options (sort, limit, count only), ready to run over JSON
/// Lines with [`QueryRun::run`].
///
/// Lines are read and matched on all cores (on the scanner, [`Query::matches_line`], for the
/// lines it is sure of; the full reader for the others); matches reach the sink in file order,
/// or in the sort's order once the whole input has been read. Every readable item, matching or not,
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
    sort_memory: usize,
}

/// The default of [`QueryRun::sort_memory`]: 256 MiB of matching lines held for a sort.
pub const DEFAULT_SORT_MEMORY: usize = 256 << 20;

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
    /// Matches to sort beyond [`QueryRun::sort_memory`] could not be written to, or read back
    /// from, a temporary file.
    #[error("cannot hold the matches to sort in a temporary file")]
    Spill(#[source] io::Error),
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
            sort_memory: DEFAULT_SORT_MEMORY,
        }
    }

    /// The same run holding at most about `bytes` of matching lines in memory while it waits
    /// to sort them ([`DEFAULT_SORT_MEMORY`] by default): beyond that, lines go to an anonymous
    /// temporary file (in the system's temporary directory, `TMPDIR`) and are read back in the
    /// sort's order, so memory holds only each match's sort value, line number and offset.
    /// The output is the same for any budget.
    #[must_use]
    pub fn sort_memory(mut self, bytes: usize) -> QueryRun {
        self.sort_memory = bytes;
        self
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
        // Which kinds each key held does not depend on line order: every worker gathers its
        // own, joined at the end, so that the sink (one thread) only handles matches.
        let kinds = PerWorker::new(config, WorkerKinds::default);
        let mut n_matches = 0usize;
        // With a sort, matches wait here until the whole input is read.
        let mut sorted = SortedMatches::new(self.sort_memory);
        let mut sink_error: Option<E> = None;
        let mut spill_error: Option<io::Error> = None;
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
            |line, text| self.read(line, text, &kinds),
            |event| {
                let (line, result) = match event {
                    Event::Progress(bytes) => return send(QueryEvent::Progress(bytes)),
                    Event::Line { line, result } => (line, result),
                };
                let matched = match result {
                    Ok(LineRead::Item(matched)) => matched,
                    Ok(LineRead::NotItem(None)) => return ControlFlow::Continue(()),
                    Ok(LineRead::NotItem(Some(diagnostic))) | Err(diagnostic) => {
                        return send(QueryEvent::Unreadable(diagnostic.at_line(line)));
                    }
                };
                let Some(matched) = matched else {
                    return ControlFlow::Continue(());
                };
                n_matches += 1;
                if self.sort.is_some() {
                    if !self.count_only
                        && let Err(error) = sorted.push(matched)
                    {
                        spill_error = Some(error);
                        return ControlFlow::Break(());
                    }
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
        if let Some(error) = spill_error {
            return Err(RunError::Spill(error));
        }
        if let Some(sort) = &self.sort {
            let SortedMatches {
                mut entries,
                mut spill,
                ..
            } = sorted;
            sort.sort_by_value(&mut entries, |entry| entry.sort_value);
            if !self.count_only {
                let limit = self.limit.unwrap_or(usize::MAX);
                for entry in entries.into_iter().take(limit) {
                    let text = match entry.text {
                        Held::Memory(text) => text,
                        Held::Spilled { offset, len } => {
                            read_back(spill.as_mut(), offset, len).map_err(RunError::Spill)?
                        }
                    };
                    let event = QueryEvent::Match {
                        line: entry.line,
                        text,
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
            let mut seen = SeenKinds::default();
            for worker in kinds.into_inner() {
                seen.merge(worker.seen);
            }
            self.query.check(seen.key_kinds())
        };
        Ok(QueryOutcome {
            n_selected: self.limit.map_or(n_matches, |limit| n_matches.min(limit)),
            findings,
            stats,
        })
    }

    /// Reads one line and matches it (on a worker thread), noting the kinds of its metadata in
    /// `kinds` when it is an item. The scanner reads most lines; the full reader those it is
    /// unsure of, and those that are no item (for the error).
    fn read(&self, line: u64, text: &str, kinds: &PerWorker<WorkerKinds>) -> LineRead {
        let sort_key = self.sort.as_ref().map(SortKey::key);
        let scanned = kinds.with(|kinds| {
            kinds.begin_line();
            let scanned = self
                .query
                .scan_line(text, sort_key, |key, kind| kinds.push(text, key, kind));
            if scanned.is_ok() {
                kinds.end_line(text);
            }
            scanned
        });
        if let Ok((matched, sort_value)) = scanned {
            return LineRead::Item(matched.then(|| self.matched(line, text, sort_value)));
        }
        let reading = read_line(text);
        let Some(item) = reading.item else {
            return LineRead::NotItem(reading.diagnostics.into_iter().find(Diagnostic::is_error));
        };
        kinds.with(|kinds| kinds.seen.observe(item.metadata()));
        let metadata = item.metadata().as_map();
        let matched = self.query.matches(metadata).then(|| {
            let sort_value = self.sort.as_ref().and_then(|sort| sort.value(metadata));
            self.matched(line, text, sort_value)
        });
        LineRead::Item(matched)
    }

    /// A match, with what the sink needs of it (no copy of the line when only counting).
    fn matched(&self, line: u64, text: &str, sort_value: Option<Num>) -> Match {
        Match {
            line,
            text: if self.count_only {
                String::new()
            } else {
                text.to_owned()
            },
            sort_value,
        }
    }
}

/// What a worker made of one line.
enum LineRead {
    /// A readable item, with the match when it matches.
    Item(Option<Match>),
    /// Not a readable item, with the first error (if any).
    NotItem(Option<Diagnostic>),
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

/// Matches waiting for the sort: each with its sort value and line, and its text held in memory
/// until `budget` bytes of texts are held, then in an anonymous temporary file (`spill`).
struct SortedMatches {
    entries: Vec<Entry>,
    spill: Option<BufWriter<File>>,
    /// Bytes written to `spill`.
    spilled: u64,
    /// Bytes of texts held in memory.
    held: usize,
    budget: usize,
}

struct Entry {
    line: u64,
    sort_value: Option<Num>,
    text: Held,
}

/// Where a match's text waits.
enum Held {
    Memory(String),
    Spilled { offset: u64, len: usize },
}

impl SortedMatches {
    fn new(budget: usize) -> SortedMatches {
        SortedMatches {
            entries: Vec::new(),
            spill: None,
            spilled: 0,
            held: 0,
            budget,
        }
    }

    fn push(&mut self, matched: Match) -> io::Result<()> {
        let len = matched.text.len();
        let text = if self.held.saturating_add(len) <= self.budget {
            self.held += len;
            Held::Memory(matched.text)
        } else {
            let spill = match &mut self.spill {
                Some(spill) => spill,
                None => self.spill.insert(BufWriter::new(tempfile::tempfile()?)),
            };
            spill.write_all(matched.text.as_bytes())?;
            let offset = self.spilled;
            self.spilled += len as u64;
            Held::Spilled { offset, len }
        };
        self.entries.push(Entry {
            line: matched.line,
            sort_value: matched.sort_value,
            text,
        });
        Ok(())
    }
}

/// The text of a spilled match: `len` bytes at `offset` of `spill`.
fn read_back(spill: Option<&mut BufWriter<File>>, offset: u64, len: usize) -> io::Result<String> {
    let spill = spill.ok_or_else(|| io::Error::other("no temporary file"))?;
    // Writes are done; after the first read this flushes nothing.
    spill.flush()?;
    let spill = spill.get_mut();
    spill.seek(SeekFrom::Start(offset))?;
    let mut bytes = vec![0; len];
    spill.read_exact(&mut bytes)?;
    String::from_utf8(bytes).map_err(io::Error::other)
}

/// A worker's [`SeenKinds`], fed from scanned lines: a line's keys and kinds wait in `pending`
/// until the line turns out to be an item, and are looked up only when they differ from the
/// previous scanned item's (consecutive items mostly have the same keys of the same kinds).
#[derive(Debug, Default)]
struct WorkerKinds {
    seen: SeenKinds,
    /// This line's keys as written (byte ranges of its text, and whether written with escapes)
    /// and kinds, in order.
    pending: Vec<(usize, usize, bool, Kind)>,
    /// The keys and kinds of the last scanned item, as the text `key NUL kind NUL ...`, keys as
    /// written: JSON text holds no raw NUL.
    last: String,
    /// The same for this line, being built.
    current: String,
}

impl WorkerKinds {
    fn begin_line(&mut self) {
        self.pending.clear();
        self.current.clear();
    }

    /// Notes `key`, read from `text`, with the kind of its value.
    fn push(&mut self, text: &str, key: Key<'_>, kind: Kind) {
        let raw = key.raw();
        let start = (raw.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        self.pending
            .push((start, start + raw.len(), key.plain().is_none(), kind));
        self.current.push_str(raw);
        self.current.push('\0');
        self.current.push_str(kind.as_str());
        self.current.push('\0');
    }

    /// The line is an item: its keys count.
    fn end_line(&mut self, text: &str) {
        if self.current == self.last {
            return;
        }
        for &(start, end, escaped, kind) in &self.pending {
            if let Some(raw) = text.get(start..end) {
                if escaped {
                    self.seen.observe_kind(&unescape(raw), kind);
                } else {
                    self.seen.observe_kind(raw, kind);
                }
            }
        }
        std::mem::swap(&mut self.current, &mut self.last);
    }
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
            if let Some(kind) = Kind::of(value) {
                self.observe_kind(key, kind);
            }
        }
    }

    fn observe_kind(&mut self, key: &str, kind: Kind) {
        // Look up before inserting: most keys are already known, and `entry` would allocate
        // the key each time.
        let seen = match self.keys.get_mut(key) {
            Some(seen) => seen,
            None => self.keys.entry(key.to_owned()).or_default(),
        };
        match kind {
            Kind::String => seen.string = true,
            Kind::Number => seen.number = true,
            _ => {}
        }
    }

    fn merge(&mut self, other: SeenKinds) {
        for (key, other) in other.keys {
            let seen = self.keys.entry(key).or_default();
            seen.string |= other.string;
            seen.number |= other.number;
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
