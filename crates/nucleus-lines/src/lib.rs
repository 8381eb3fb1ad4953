//! Streaming JSON Lines in bounded memory, on all cores, with results in line order.
//!
//! [`for_each_line`] reads its input in chunks split at newlines (on a reader thread that runs
//! up to a batch ahead), hands the lines of a batch of chunks to a thread pool (the `map`
//! function: parse and check), and gives the results to `sink` on the calling thread strictly
//! in line order, so output is identical whatever the number of threads. Memory is bounded by the batch size and the longest line accepted
//! ([`StreamConfig::max_line_bytes`]), never by the input size.
//!
//! [`for_each_text_line`] does the same for lines already in memory (one string per line, as
//! Python hands them over), and [`text_lines`] walks them on the calling thread.
//!
//! Line handling, the same for files and for lines in memory: a UTF-8 byte order mark at the
//! start of the input is skipped; `\n` and `\r\n` endings are accepted (mixed too); blank lines
//! (only spaces, tabs and `\r`) are skipped but counted; a last line without a newline is read.
//! A line that is not UTF-8 or is longer than [`StreamConfig::max_line_bytes`] (not counting its
//! ending) becomes a [`Diagnostic`] and the rest of the input is still read. [`line_text`] is
//! that rule for one line, and [`record_text`] the same rule for lines given one by one as bytes
//! (Python strings, Arrow rows), so that they read exactly as the file of those lines would.
//!
//! ```
//! use std::ops::ControlFlow;
//! use nucleus_lines::{Event, StreamConfig, for_each_line, for_each_text_line};
//!
//! let text = "\u{feff}{\"a\": 1}\r\n \r\n{\"b\": 2}\n";
//! let config = StreamConfig::default().jobs(1);
//! let mut from_file = Vec::new();
//! for_each_line(text.as_bytes(), &config, |line, text| (line, text.len()), |event| {
//!     if let Event::Line { result: Ok(found), .. } = event {
//!         from_file.push(found);
//!     }
//!     ControlFlow::Continue(())
//! })?;
//! let mut from_lines = Vec::new();
//! for_each_text_line(text.split_inclusive('\n'), &config, |line, text| (line, text.len()), |event| {
//!     if let Event::Line { result: Ok(found), .. } = event {
//!         from_lines.push(found);
//!     }
//!     ControlFlow::Continue(())
//! });
//! assert_eq!(from_file, [(1, 8), (3, 8)]);
//! assert_eq!(from_lines, from_file);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::{self, Read};
use std::ops::ControlFlow;
use std::sync::{Mutex, PoisonError, mpsc};

use nucleus_model::{Code, Diagnostic};
use rayon::prelude::*;

/// How to read a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamConfig {
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Bytes read per chunk (a chunk is extended to the end of its last line).
    pub chunk_bytes: usize,
    /// Longest line accepted, in bytes; a longer line is reported and skipped without being
    /// held in memory.
    pub max_line_bytes: usize,
}

impl Default for StreamConfig {
    fn default() -> StreamConfig {
        StreamConfig {
            jobs: 0,
            chunk_bytes: 1 << 20,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }
}

/// The default longest line: 64 MiB, far beyond any sane dataset item.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 << 20;

/// The UTF-8 byte order mark, skipped at the start of an input.
const BOM: &str = "\u{feff}";

impl StreamConfig {
    /// The same configuration with `jobs` worker threads (0 = one per core).
    #[must_use]
    pub fn jobs(mut self, jobs: usize) -> StreamConfig {
        self.jobs = jobs;
        self
    }

    /// The same configuration with another chunk size (at least 1 byte).
    #[must_use]
    pub fn chunk_bytes(mut self, chunk_bytes: usize) -> StreamConfig {
        self.chunk_bytes = chunk_bytes.max(1);
        self
    }

    /// The same configuration with another longest line.
    #[must_use]
    pub fn max_line_bytes(mut self, max_line_bytes: usize) -> StreamConfig {
        self.max_line_bytes = max_line_bytes.max(1);
        self
    }

    /// The threads of work: `jobs`, or every core when it is 0.
    #[must_use]
    pub fn n_threads(&self) -> usize {
        if self.jobs == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            self.jobs
        }
    }
}

/// What the sink receives, in order.
#[derive(Debug)]
pub enum Event<T> {
    /// A non-blank line: the `map` result, or why the line could not be read as text.
    Line {
        /// 1-based line number.
        line: u64,
        /// The result of `map`, or the problem with the line itself.
        result: Result<T, Diagnostic>,
    },
    /// Bytes of input consumed so far (after each batch), for a progress bar.
    Progress(u64),
}

/// Totals of a stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamStats {
    /// Bytes read.
    pub bytes: u64,
    /// Lines seen, blank ones included.
    pub lines: u64,
    /// Whether the sink stopped the stream before its end.
    pub stopped: bool,
}

/// Reads JSON Lines from `reader`, maps each non-blank line with `map` on a thread pool and
/// passes results to `sink` in line order. `sink` may return `ControlFlow::Break` to stop early.
///
/// # Errors
///
/// Returns the reader's I/O errors, and an error when the thread pool cannot be built.
pub fn for_each_line<R, T, M, S>(
    reader: R,
    config: &StreamConfig,
    map: M,
    mut sink: S,
) -> io::Result<StreamStats>
where
    R: Read + Send,
    T: Send,
    M: Fn(u64, &str) -> T + Sync,
    S: FnMut(Event<T>) -> ControlFlow<()>,
{
    let max_line_bytes = config.max_line_bytes;
    drive(
        reader,
        config,
        |chunk, buffers| process(chunk, max_line_bytes, &map, buffers),
        |step| match step {
            Step::Item((line, result)) => sink(Event::Line { line, result }),
            Step::Progress(bytes) => sink(Event::Progress(bytes)),
        },
    )
}

/// What the sink of [`fold_chunks`] receives, in order.
#[derive(Debug)]
pub enum ChunkEvent<A> {
    /// The lines of one chunk, folded into one accumulator.
    Chunk(A),
    /// Bytes of input consumed so far (after each batch), for a progress bar.
    Progress(u64),
}

/// [`for_each_line`] for work that sums lines up rather than mapping each (a profile): the
/// input is read in the same chunks, and on a worker `fold` takes every line of one chunk, in
/// order, into an accumulator made by `init` (each non-blank line with its number: its text,
/// or why it could not be read as text). `sink` receives the accumulators one per chunk, in
/// input order, so merging them in that order gives the same result for any number of jobs:
/// chunks depend on [`StreamConfig::chunk_bytes`] only (a line too long to read makes a chunk
/// of its own).
///
/// ```
/// use std::ops::ControlFlow;
/// use nucleus_lines::{ChunkEvent, StreamConfig, fold_chunks};
///
/// let config = StreamConfig::default().jobs(2).chunk_bytes(4);
/// let mut lengths = Vec::new();
/// fold_chunks("a\nbb\n\nccc\n".as_bytes(), &config, Vec::new, |lines, line, text| {
///     lines.push((line, text.map_or(0, str::len)));
/// }, |event| {
///     if let ChunkEvent::Chunk(lines) = event {
///         lengths.extend(lines);
///     }
///     ControlFlow::Continue(())
/// })?;
/// assert_eq!(lengths, [(1, 1), (2, 2), (4, 3)]);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
///
/// Returns the reader's I/O errors, and an error when the thread pool cannot be built.
pub fn fold_chunks<R, A, I, F, S>(
    reader: R,
    config: &StreamConfig,
    init: I,
    fold: F,
    mut sink: S,
) -> io::Result<StreamStats>
where
    R: Read + Send,
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, u64, Result<&str, Diagnostic>) + Sync,
    S: FnMut(ChunkEvent<A>) -> ControlFlow<()>,
{
    let max_line_bytes = config.max_line_bytes;
    drive(
        reader,
        config,
        |chunk, buffers| {
            let mut acc = init();
            match chunk {
                Chunk::TooLong { line, n_bytes } => {
                    fold(&mut acc, line, Err(too_long(n_bytes, max_line_bytes)));
                }
                Chunk::Lines { first_line, bytes } => {
                    for (number, raw) in (first_line..).zip(SplitLines(Some(&bytes))) {
                        match line_text(raw, max_line_bytes) {
                            LineText::Blank => {}
                            LineText::Text(text) => fold(&mut acc, number, Ok(text)),
                            LineText::Unreadable(diagnostic) => {
                                fold(&mut acc, number, Err(diagnostic));
                            }
                        }
                    }
                    recycle(buffers, bytes);
                }
            }
            vec![acc]
        },
        |step| match step {
            Step::Item(acc) => sink(ChunkEvent::Chunk(acc)),
            Step::Progress(bytes) => sink(ChunkEvent::Progress(bytes)),
        },
    )
}

/// What [`drive`] hands its sink: one result of a chunk's work, or the bytes read so far.
enum Step<X> {
    Item(X),
    Progress(u64),
}

/// The pipeline behind [`for_each_line`] and [`fold_chunks`]: reads chunks, runs `work` on
/// each (on the pool), and gives the results of every chunk to `sink` in input order.
fn drive<R, X, W, S>(
    reader: R,
    config: &StreamConfig,
    work: W,
    mut sink: S,
) -> io::Result<StreamStats>
where
    R: Read + Send,
    X: Send,
    W: Fn(Chunk, &BufferPool) -> Vec<X> + Sync,
    S: FnMut(Step<X>) -> ControlFlow<()>,
{
    let n_threads = config.n_threads();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n_threads)
        .thread_name(|idx| format!("nucleus-worker-{idx}"))
        .build()
        .map_err(io::Error::other)?;
    // Twice as many chunks as threads, so that uneven chunks still keep every thread busy, and
    // at most one batch waiting in each channel: memory in flight is about three batches of
    // parsed items (roughly 6x the chunk bytes) plus one batch of raw chunks read ahead,
    // 2 x threads x chunk_bytes each.
    let chunks_per_batch = if n_threads == 1 { 1 } else { n_threads * 2 };
    let work = &work;
    let buffers = &BufferPool::default();
    let mut stats = StreamStats::default();
    std::thread::scope(|scope| {
        // Three stages, each on its own thread: reading chunks (mostly a copy from the page
        // cache), parsing and checking them (the workers), and the sink (the calling thread).
        // Reading runs ahead by up to a batch, so workers never wait for it.
        let (chunk_sender, chunks) = mpsc::sync_channel::<(Chunk, u64)>(chunks_per_batch);
        let reader_thread = scope.spawn(move || -> io::Result<(u64, u64)> {
            let mut chunker = Chunker::new(reader, config, buffers);
            while let Some(chunk) = chunker.next_chunk()? {
                if chunk_sender.send((chunk, chunker.bytes)).is_err() {
                    // The workers stopped; nobody wants more.
                    break;
                }
            }
            Ok((chunker.bytes, chunker.next_line - 1))
        });
        // A batch's results go over as they came, one vector per chunk: flattening them into
        // one vector would be a copy of every result on this thread, while the workers wait
        // for the next batch.
        let (sender, receiver) = mpsc::sync_channel::<(Vec<Vec<X>>, u64)>(1);
        let producer = scope.spawn(move || {
            loop {
                let mut batch = Vec::with_capacity(chunks_per_batch);
                let mut bytes = 0;
                while batch.len() < chunks_per_batch {
                    match chunks.recv() {
                        Ok((chunk, read)) => {
                            batch.push(chunk);
                            bytes = read;
                        }
                        Err(_) => break,
                    }
                }
                if batch.is_empty() {
                    return;
                }
                let results: Vec<Vec<X>> = if n_threads == 1 {
                    batch
                        .into_iter()
                        .map(|chunk| work(chunk, buffers))
                        .collect()
                } else {
                    pool.install(|| {
                        batch
                            .into_par_iter()
                            .map(|chunk| work(chunk, buffers))
                            .collect()
                    })
                };
                if sender.send((results, bytes)).is_err() {
                    // The sink stopped; nobody wants more.
                    return;
                }
            }
        });
        for (results, bytes) in receiver.iter() {
            for result in results.into_iter().flatten() {
                if sink(Step::Item(result)).is_break() {
                    stats.stopped = true;
                    break;
                }
            }
            if stats.stopped || sink(Step::Progress(bytes)).is_break() {
                stats.stopped = true;
                break;
            }
        }
        drop(receiver);
        producer
            .join()
            .map_err(|_| io::Error::other("a worker thread panicked"))?;
        let (bytes, lines) = reader_thread
            .join()
            .map_err(|_| io::Error::other("the reader thread panicked"))??;
        stats.bytes = bytes;
        stats.lines = lines;
        Ok(stats)
    })
}

/// State kept by each worker thread of [`for_each_line`] or [`for_each_text_line`], for what
/// `map` gathers apart from its per-line result and that does not depend on line order (a union
/// of the keys seen, a count): each worker updates its own copy without waiting for the others,
/// and the copies are combined at the end ([`PerWorker::into_inner`]).
///
/// ```
/// use std::ops::ControlFlow;
/// use nucleus_lines::{PerWorker, StreamConfig, for_each_line};
///
/// let config = StreamConfig::default().jobs(2);
/// let bytes = PerWorker::new(&config, || 0usize);
/// for_each_line("a\nbb\nccc\n".as_bytes(), &config, |_, text| {
///     bytes.with(|total| *total += text.len());
/// }, |_| ControlFlow::Continue(()))?;
/// assert_eq!(bytes.into_inner().into_iter().sum::<usize>(), 6);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct PerWorker<S> {
    /// The state of worker 0 (and of any thread that is no worker).
    first: Mutex<S>,
    /// The states of workers 1 and up.
    rest: Vec<Mutex<S>>,
}

impl<S> PerWorker<S> {
    /// One state per thread of `config` (see [`StreamConfig::n_threads`]), each from `init`.
    pub fn new(config: &StreamConfig, init: impl Fn() -> S) -> PerWorker<S> {
        PerWorker {
            first: Mutex::new(init()),
            rest: (1..config.n_threads())
                .map(|_| Mutex::new(init()))
                .collect(),
        }
    }

    /// Runs `update` on the calling worker's state. From any other thread it still works (on
    /// some worker's state, waiting for it if need be).
    pub fn with<T>(&self, update: impl FnOnce(&mut S) -> T) -> T {
        let idx = rayon::current_thread_index().unwrap_or(0);
        let slot = idx
            .checked_sub(1)
            .and_then(|idx| self.rest.get(idx))
            .unwrap_or(&self.first);
        // A worker that panicked poisoned its state: the run fails on that panic anyway.
        update(&mut slot.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The states, one per worker, in worker order (which is no line order).
    pub fn into_inner(self) -> Vec<S> {
        std::iter::once(self.first)
            .chain(self.rest)
            .map(|slot| slot.into_inner().unwrap_or_else(PoisonError::into_inner))
            .collect()
    }
}

type LineResult<T> = (u64, Result<T, Diagnostic>);

/// Chunk buffers handed back by workers for reuse, so that reading does not keep mapping fresh
/// pages (page faults were a quarter of `check`'s time before).
type BufferPool = Mutex<Vec<Vec<u8>>>;

fn recycle(pool: &BufferPool, mut bytes: Vec<u8>) {
    bytes.clear();
    if let Ok(mut buffers) = pool.lock()
        && buffers.len() < 64
    {
        buffers.push(bytes);
    }
}

/// A run of whole lines, or a line reported without its text (too long).
enum Chunk {
    Lines { first_line: u64, bytes: Vec<u8> },
    TooLong { line: u64, n_bytes: u64 },
}

fn too_long(n_bytes: u64, max_line_bytes: usize) -> Diagnostic {
    Diagnostic::error(
        Code::LineTooLong,
        "",
        format!(
            "line is {n_bytes} bytes long, more than the limit of {max_line_bytes}; raise --max-line-bytes to read it"
        ),
    )
}

fn process<T>(
    chunk: Chunk,
    max_line_bytes: usize,
    map: &(impl Fn(u64, &str) -> T + Sync),
    pool: &BufferPool,
) -> Vec<LineResult<T>> {
    let (first_line, bytes) = match chunk {
        Chunk::TooLong { line, n_bytes } => {
            return vec![(line, Err(too_long(n_bytes, max_line_bytes)))];
        }
        Chunk::Lines { first_line, bytes } => (first_line, bytes),
    };
    let mut results = Vec::new();
    for (number, raw) in (first_line..).zip(SplitLines(Some(&bytes))) {
        match line_text(raw, max_line_bytes) {
            LineText::Blank => {}
            LineText::Text(text) => results.push((number, Ok(map(number, text)))),
            LineText::Unreadable(diagnostic) => results.push((number, Err(diagnostic))),
        }
    }
    recycle(pool, bytes);
    results
}

/// The lines of one input held in memory, numbered from 1 and read by the rules of
/// [`for_each_line`]; made by [`text_lines`]. Each string is one line: a final `\n` (or
/// `\r\n`) is its ending, not part of it (a `\n` inside stays part of the line); a byte order
/// mark at the start of the first line is skipped. Blank lines are counted and skipped; a line
/// longer than the limit gives a `line-too-long` [`Diagnostic`] instead of its text.
#[derive(Debug, Clone)]
pub struct TextLines<I> {
    lines: I,
    max_line_bytes: usize,
    n_lines: u64,
    n_bytes: u64,
}

/// The non-blank lines of `lines`, one input held in memory (see [`TextLines`]), each with its
/// 1-based line number; over-long lines come as a `line-too-long` [`Diagnostic`].
///
/// ```
/// use nucleus_lines::text_lines;
///
/// let lines = ["\u{feff}first\r\n", " \r", "", "last", "too long"];
/// let read: Vec<(u64, Result<&str, String>)> = text_lines(lines, 6)
///     .map(|(line, result)| (line, result.map_err(|d| d.code.to_string())))
///     .collect();
/// assert_eq!(
///     read,
///     [(1, Ok("first")), (4, Ok("last")), (5, Err("line-too-long".to_owned()))]
/// );
/// ```
pub fn text_lines<'a, I>(lines: I, max_line_bytes: usize) -> TextLines<I::IntoIter>
where
    I: IntoIterator<Item = &'a str>,
{
    TextLines {
        lines: lines.into_iter(),
        max_line_bytes,
        n_lines: 0,
        n_bytes: 0,
    }
}

impl<I> TextLines<I> {
    /// Lines consumed so far, blank ones included.
    #[must_use]
    pub fn n_lines(&self) -> u64 {
        self.n_lines
    }

    /// Bytes of the lines consumed so far, endings included.
    #[must_use]
    pub fn n_bytes(&self) -> u64 {
        self.n_bytes
    }
}

impl<'a, I: Iterator<Item = &'a str>> Iterator for TextLines<I> {
    type Item = (u64, Result<&'a str, Diagnostic>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let text = self.lines.next()?;
            self.n_bytes += text.len() as u64;
            let text = text.strip_suffix('\n').unwrap_or(text);
            let text = if self.n_lines == 0 {
                text.strip_prefix(BOM).unwrap_or(text)
            } else {
                text
            };
            self.n_lines += 1;
            match line_text(text.as_bytes(), self.max_line_bytes) {
                LineText::Blank => {}
                LineText::Text(text) => return Some((self.n_lines, Ok(text))),
                LineText::Unreadable(diagnostic) => return Some((self.n_lines, Err(diagnostic))),
            }
        }
    }
}

/// [`for_each_line`] for lines already in memory (see [`TextLines`] for how each string is
/// read): maps each non-blank line with `map` on `config.jobs` threads and passes results to
/// `sink` in line order, with an [`Event::Progress`] (bytes of lines consumed) after each batch.
/// `sink` may return `ControlFlow::Break` to stop early. When the thread pool cannot be built,
/// the lines are mapped on the calling thread (same results).
pub fn for_each_text_line<'a, I, T, M, S>(
    lines: I,
    config: &StreamConfig,
    map: M,
    mut sink: S,
) -> StreamStats
where
    I: IntoIterator<Item = &'a str>,
    T: Send,
    M: Fn(u64, &str) -> T + Sync,
    S: FnMut(Event<T>) -> ControlFlow<()>,
{
    /// Lines per thread and batch: enough to amortise handing a batch to the pool.
    const LINES_PER_THREAD: usize = 512;
    let n_threads = config.n_threads();
    let pool = if n_threads > 1 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n_threads)
            .thread_name(|idx| format!("nucleus-worker-{idx}"))
            .build()
            .ok()
    } else {
        None
    };
    let batch_len = LINES_PER_THREAD * n_threads;
    let mut lines = text_lines(lines, config.max_line_bytes);
    let mut stats = StreamStats::default();
    let map = &map;
    loop {
        let batch: Vec<(u64, Result<&str, Diagnostic>)> = lines.by_ref().take(batch_len).collect();
        if batch.is_empty() {
            break;
        }
        let apply = |(line, result): (u64, Result<&str, Diagnostic>)| {
            (line, result.map(|text| map(line, text)))
        };
        let results: Vec<LineResult<T>> = match &pool {
            Some(pool) => pool.install(|| batch.into_par_iter().map(apply).collect()),
            None => batch.into_iter().map(apply).collect(),
        };
        for (line, result) in results {
            if sink(Event::Line { line, result }).is_break() {
                stats.stopped = true;
                break;
            }
        }
        if stats.stopped || sink(Event::Progress(lines.n_bytes())).is_break() {
            stats.stopped = true;
            break;
        }
    }
    stats.lines = lines.n_lines();
    stats.bytes = lines.n_bytes();
    stats
}

/// One line as the stream reads it: [`line_text`] and [`record_text`].
#[derive(Debug, Clone, PartialEq)]
pub enum LineText<'a> {
    /// Nothing but spaces, tabs and carriage returns: the line counts, but holds no item.
    Blank,
    /// The line's text, without its ending.
    Text(&'a str),
    /// The line cannot be read as text (too long, or not UTF-8): an error finding, without a
    /// line number yet. The line counts as an item.
    Unreadable(Diagnostic),
}

/// Reads one line of a stream by [`for_each_line`]'s rules: `raw` is the line without its
/// `\n`; a final `\r` (of a `\r\n` ending) is not part of it. A line longer than
/// `max_line_bytes` is reported before anything else (the stream measures it before it can see
/// it whole); then a blank line is skipped, and a line that is not UTF-8 is reported with the
/// byte column where it stops being UTF-8.
#[must_use]
pub fn line_text(raw: &[u8], max_line_bytes: usize) -> LineText<'_> {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    if raw.len() > max_line_bytes {
        return LineText::Unreadable(too_long(raw.len() as u64, max_line_bytes));
    }
    if raw.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
        return LineText::Blank;
    }
    match std::str::from_utf8(raw) {
        Ok(text) => LineText::Text(text),
        Err(error) => LineText::Unreadable(Diagnostic::error(
            Code::InvalidUtf8,
            "",
            format!(
                "line is not valid UTF-8 at byte column {}; re-encode the file as UTF-8",
                error.valid_up_to() + 1
            ),
        )),
    }
}

/// Reads one record given on its own (a Python `str`, a row of an Arrow string column) as line
/// `line` of a file holding the records one per line: a final `\n` or `\r\n` is not part of
/// it, a UTF-8 byte order mark at the start of line 1 is skipped (as at the start of a file),
/// then [`line_text`] applies. A record holding a `\n` elsewhere is still one line. So the
/// records of a file's lines, numbered from 1, read exactly as [`for_each_line`] reads the file.
#[must_use]
pub fn record_text(line: u64, raw: &[u8], max_line_bytes: usize) -> LineText<'_> {
    let raw = if line == 1 {
        raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
    } else {
        raw
    };
    line_text(raw.strip_suffix(b"\n").unwrap_or(raw), max_line_bytes)
}

/// `bytes.split(|&b| b == b'\n')`, with memchr: lines are hundreds of bytes long.
struct SplitLines<'a>(Option<&'a [u8]>);

impl<'a> Iterator for SplitLines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.0?;
        match memchr::memchr(b'\n', rest) {
            Some(end) => {
                self.0 = rest.get(end + 1..);
                rest.get(..end)
            }
            None => {
                self.0 = None;
                Some(rest)
            }
        }
    }
}

/// Cuts a reader into chunks of whole lines.
struct Chunker<'c, R> {
    reader: R,
    config: &'c StreamConfig,
    pool: &'c BufferPool,
    /// Bytes read but not yet part of a chunk: the start of an unfinished line.
    carry: Vec<u8>,
    next_line: u64,
    bytes: u64,
    at_start: bool,
    eof: bool,
}

impl<'c, R: Read> Chunker<'c, R> {
    fn new(reader: R, config: &'c StreamConfig, pool: &'c BufferPool) -> Self {
        Chunker {
            reader,
            config,
            pool,
            carry: Vec::new(),
            next_line: 1,
            bytes: 0,
            at_start: true,
            eof: false,
        }
    }

    /// Reads until `buffer` has `want` more bytes or the input ends.
    fn fill(&mut self, buffer: &mut Vec<u8>, want: usize) -> io::Result<()> {
        if self.eof {
            return Ok(());
        }
        buffer.reserve(want);
        let start = buffer.len();
        // `read_to_end` through `take` reads into the spare capacity without zeroing it first
        // (zeroing every chunk was a memset of the whole input), retries `Interrupted`, and
        // keeps what it read before an error.
        let result = (&mut self.reader).take(want as u64).read_to_end(buffer);
        let n = buffer.len() - start;
        self.bytes += n as u64;
        result?;
        if n < want {
            self.eof = true;
        }
        Ok(())
    }

    fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        let mut buffer = self
            .pool
            .lock()
            .ok()
            .and_then(|mut buffers| buffers.pop())
            .unwrap_or_default();
        buffer.extend_from_slice(&self.carry);
        self.carry.clear();
        // Bytes before `searched` are known to hold no newline. The carry may (after a skipped
        // long line), so it is searched once.
        let mut searched = 0;
        loop {
            let want = self.config.chunk_bytes.max(1);
            self.fill(&mut buffer, want)?;
            if self.at_start && (buffer.len() >= 3 || self.eof) {
                self.at_start = false;
                if buffer.starts_with(BOM.as_bytes()) {
                    buffer.drain(..BOM.len());
                    searched = 0;
                }
            }
            let last_newline = buffer
                .get(searched..)
                .and_then(|tail| memchr::memrchr(b'\n', tail))
                .map(|idx| idx + searched);
            searched = buffer.len();
            if let Some(end) = last_newline {
                // The first line is complete: a mark further on is data, not a mark.
                self.at_start = false;
                self.carry
                    .extend_from_slice(buffer.get(end + 1..).unwrap_or_default());
                buffer.truncate(end + 1);
                return Ok(Some(self.lines_chunk(buffer)));
            }
            // The buffer is the start of one line. Its length is measured without a final `\r`
            // (part of a `\r\n` ending, or stripped at the end of the input), as in `process`.
            let ends_with_cr = buffer.last() == Some(&b'\r');
            let content_len = buffer.len() - usize::from(ends_with_cr);
            if self.eof {
                if buffer.is_empty() {
                    return Ok(None);
                }
                if content_len > self.config.max_line_bytes {
                    return Ok(Some(self.too_long(content_len as u64)));
                }
                return Ok(Some(self.lines_chunk(buffer)));
            }
            // While a byte order mark may still be arriving, the line has not started.
            if !self.at_start && content_len > self.config.max_line_bytes {
                // Skip the rest of the line without keeping it.
                let mut n_bytes = buffer.len() as u64;
                let mut ends_with_cr = ends_with_cr;
                loop {
                    buffer.clear();
                    self.fill(&mut buffer, want)?;
                    match memchr::memchr(b'\n', &buffer) {
                        Some(idx) => {
                            n_bytes += idx as u64;
                            if let Some(before) = idx.checked_sub(1).and_then(|i| buffer.get(i)) {
                                ends_with_cr = *before == b'\r';
                            }
                            self.carry
                                .extend_from_slice(buffer.get(idx + 1..).unwrap_or_default());
                            break;
                        }
                        None => {
                            n_bytes += buffer.len() as u64;
                            if let Some(last) = buffer.last() {
                                ends_with_cr = *last == b'\r';
                            }
                            if self.eof {
                                break;
                            }
                        }
                    }
                }
                return Ok(Some(self.too_long(n_bytes - u64::from(ends_with_cr))));
            }
        }
    }

    fn lines_chunk(&mut self, mut bytes: Vec<u8>) -> Chunk {
        let first_line = self.next_line;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
        }
        self.next_line += memchr::memchr_iter(b'\n', &bytes).count() as u64 + 1;
        Chunk::Lines { first_line, bytes }
    }

    fn too_long(&mut self, n_bytes: u64) -> Chunk {
        let line = self.next_line;
        self.next_line += 1;
        Chunk::TooLong { line, n_bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the stream and returns `(line, text or code)` for every event, in order.
    fn run(input: &[u8], config: &StreamConfig) -> (Vec<(u64, String)>, StreamStats) {
        let mut out = Vec::new();
        let stats = for_each_line(
            input,
            config,
            |_, text| text.to_owned(),
            |event| {
                if let Event::Line { line, result } = event {
                    out.push((line, result.unwrap_or_else(|d| format!("!{}", d.code))));
                }
                ControlFlow::Continue(())
            },
        )
        .unwrap();
        (out, stats)
    }

    fn lines(pairs: &[(u64, &str)]) -> Vec<(u64, String)> {
        pairs.iter().map(|(l, t)| (*l, (*t).to_owned())).collect()
    }

    #[test]
    fn endings_blank_lines_bom_and_last_line() {
        let input = b"\xEF\xBB\xBFa\r\n\n  \nb\nc\r\nd";
        for chunk_bytes in [1, 2, 3, 5, 1024] {
            for jobs in [1, 2, 3] {
                let config = StreamConfig::default().jobs(jobs).chunk_bytes(chunk_bytes);
                let (out, stats) = run(input, &config);
                assert_eq!(
                    out,
                    lines(&[(1, "a"), (4, "b"), (5, "c"), (6, "d")]),
                    "chunk {chunk_bytes} jobs {jobs}"
                );
                assert_eq!(stats.lines, 6);
                assert_eq!(stats.bytes, input.len() as u64);
            }
        }
    }

    #[test]
    fn empty_inputs() {
        for input in [&b""[..], b"\n\n", b"\xEF\xBB\xBF", b"\r\n"] {
            let (out, _) = run(input, &StreamConfig::default());
            assert!(out.is_empty(), "{input:?}");
        }
    }

    #[test]
    fn invalid_utf8_is_reported_and_reading_goes_on() {
        let (out, _) = run(b"ok\nab\xFFc\nok2\n", &StreamConfig::default());
        assert_eq!(out, lines(&[(1, "ok"), (2, "!invalid-utf8"), (3, "ok2")]));
    }

    #[test]
    fn long_lines_are_skipped_without_holding_them() {
        let mut input = b"first\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 10_000));
        input.extend(b"\nlast\n");
        input.extend(std::iter::repeat_n(b'y', 100));
        for chunk_bytes in [7, 64, 100_000] {
            let config = StreamConfig::default()
                .chunk_bytes(chunk_bytes)
                .max_line_bytes(50);
            let (out, _) = run(&input, &config);
            assert_eq!(
                out,
                lines(&[
                    (1, "first"),
                    (2, "!line-too-long"),
                    (3, "last"),
                    (4, "!line-too-long")
                ]),
                "chunk {chunk_bytes}"
            );
        }
    }

    /// Found by the fuzz harness (tests/it/fuzz.rs): a line's length, and so whether it is too
    /// long and the length reported, depended on where chunks were cut.
    #[test]
    fn line_length_does_not_depend_on_chunking() {
        // (input, max_line_bytes, lines), a too-long line as "!" and its length.
        type Case<'a> = (&'a [u8], usize, &'a [(u64, &'a str)]);
        let cases: &[Case] = &[
            // The \r of a CRLF ending is not part of the line.
            (b"abcde\r\nx\n", 5, &[(1, "abcde"), (2, "x")]),
            (b"abcdef\r\nx", 5, &[(1, "!6"), (2, "x")]),
            (b"abcdef\r", 5, &[(1, "!6")]),
            // A byte order mark arriving in pieces is not part of the first line.
            (b"\xEF\xBB\xBF{}\n", 1, &[(1, "!2")]),
            // A blank line longer than the limit is reported (the chunker cannot know).
            (b"      \nx\n", 3, &[(1, "!6"), (2, "x")]),
        ];
        for (input, max_line_bytes, expected) in cases {
            for chunk_bytes in [1, 2, 3, 7, 1024] {
                let config = StreamConfig::default()
                    .jobs(1)
                    .chunk_bytes(chunk_bytes)
                    .max_line_bytes(*max_line_bytes);
                let mut out = Vec::new();
                for_each_line(
                    *input,
                    &config,
                    |_, text| text.to_owned(),
                    |event| {
                        if let Event::Line { line, result } = event {
                            out.push((
                                line,
                                result.unwrap_or_else(|d| {
                                    let n_bytes = d.message.split(' ').nth(2).unwrap_or("?");
                                    format!("!{n_bytes}")
                                }),
                            ));
                        }
                        ControlFlow::Continue(())
                    },
                )
                .unwrap();
                assert_eq!(out, lines(expected), "{input:?} chunk {chunk_bytes}");
            }
        }
    }

    /// Found by `cargo fuzz run line_reader`: with a first line shorter than a byte order
    /// mark and small chunks, a mark at the start of line 2 was stripped as if it began the
    /// file.
    #[test]
    fn only_a_mark_at_the_start_of_the_input_is_skipped() {
        let input = b"\n\xEF\xBB\xBFa\n\xEF\xBB\xBF\xEF\n";
        for chunk_bytes in [1, 2, 3, 1024] {
            let config = StreamConfig::default().jobs(1).chunk_bytes(chunk_bytes);
            let (out, _) = run(input, &config);
            assert_eq!(
                out,
                lines(&[(2, "\u{feff}a"), (3, "!invalid-utf8")]),
                "chunk {chunk_bytes}"
            );
        }
    }

    /// Every event of `for_each_text_line` over `input` cut at its newlines.
    fn run_text(input: &str, config: &StreamConfig) -> (Vec<(u64, String)>, StreamStats) {
        let mut out = Vec::new();
        let stats = for_each_text_line(
            input.split_inclusive('\n'),
            config,
            |_, text| text.to_owned(),
            |event| {
                if let Event::Line { line, result } = event {
                    out.push((
                        line,
                        result.unwrap_or_else(|d| format!("!{}: {}", d.code, d.message)),
                    ));
                }
                ControlFlow::Continue(())
            },
        );
        (out, stats)
    }

    /// The one rule for blank lines, byte order marks and long lines: lines in memory read as
    /// the same text from a file, whatever the chunking and the thread count.
    #[test]
    fn lines_in_memory_read_as_the_same_file() {
        let pieces = [
            "\u{feff}",
            "{}",
            "\r\n",
            "\n",
            " \t\r\n",
            "\r\r\n",
            "  ",
            "0123456789",
            "é",
            "\u{feff}x",
        ];
        // Every sequence of up to three pieces, and a few longer ones.
        let mut inputs = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = inputs
                .iter()
                .flat_map(|input| pieces.iter().map(move |piece| format!("{input}{piece}")))
                .collect();
            inputs.extend(longer);
        }
        inputs.extend(
            [
                "\u{feff}{}\r\n \t\r\n0123456789\r\n{}",
                "\u{feff}\r\n\r\r\n  \n0123456789\né\r",
            ]
            .map(str::to_owned),
        );
        inputs.sort();
        inputs.dedup();
        for input in &inputs {
            for (chunk_bytes, jobs) in [(1, 1), (3, 2), (1024, 1)] {
                let config = StreamConfig::default()
                    .jobs(jobs)
                    .chunk_bytes(chunk_bytes)
                    .max_line_bytes(8);
                let mut from_file = Vec::new();
                let file_stats = for_each_line(
                    input.as_bytes(),
                    &config,
                    |_, text| text.to_owned(),
                    |event| {
                        if let Event::Line { line, result } = event {
                            from_file.push((
                                line,
                                result.unwrap_or_else(|d| format!("!{}: {}", d.code, d.message)),
                            ));
                        }
                        ControlFlow::Continue(())
                    },
                )
                .unwrap();
                let (from_lines, stats) = run_text(input, &config);
                assert_eq!(from_lines, from_file, "{input:?} {config:?}");
                // A file of only a mark has no line; the one string holding it is a blank line.
                let file_lines = file_stats.lines + u64::from(input == BOM);
                assert_eq!(stats.lines, file_lines, "{input:?} {config:?}");
                assert_eq!(stats.bytes, file_stats.bytes, "{input:?} {config:?}");
            }
        }
    }

    #[test]
    fn each_string_in_memory_is_one_line() {
        // A `\n` inside a string stays in the line; only a final one is its ending.
        let lines = ["a\nb", "c\n", "\n", "d\r\n"];
        let read: Vec<(u64, &str)> = text_lines(lines, 100)
            .map(|(line, result)| (line, result.unwrap()))
            .collect();
        assert_eq!(read, [(1, "a\nb"), (2, "c"), (4, "d")]);
        // A mark is skipped at the start of the first line only.
        let read: Vec<(u64, &str)> = text_lines(["", "\u{feff}x"], 100)
            .map(|(line, result)| (line, result.unwrap()))
            .collect();
        assert_eq!(read, [(2, "\u{feff}x")]);
    }

    #[test]
    fn lines_in_memory_can_stop_early() {
        let lines: Vec<String> = (0..5000).map(|n| n.to_string()).collect();
        let mut seen = Vec::new();
        let stats = for_each_text_line(
            lines.iter().map(String::as_str),
            &StreamConfig::default().jobs(2),
            |line, _| line,
            |event| {
                if let Event::Line {
                    result: Ok(line), ..
                } = event
                {
                    seen.push(line);
                }
                if seen.len() == 10 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        assert!(stats.stopped);
        assert_eq!(seen, (1..=10).collect::<Vec<u64>>());
    }

    /// The records of a file's lines (split at `\n`, numbered from 1) read as the file does.
    #[test]
    fn records_read_as_the_lines_of_their_file() {
        let inputs: &[&[u8]] = &[
            b"\xEF\xBB\xBFa\r\n\n  \nb\nc\r\nd",
            b"\n\xEF\xBB\xBFa\n\xEF\xBB\xBF\xEF\n",
            b"ok\nab\xFFc\nok2\n",
            b"abcdef\r\nx\r\r\n \t\r\n\r",
            b"\xEF\xBB\xBF\xEF\xBB\xBF{}\n      \nxyz\n",
            b"12345\n123456\r\n\xEF\xBB\xBF1234\n",
        ];
        for input in inputs {
            let config = StreamConfig::default().jobs(1).max_line_bytes(5);
            let (expected, _) = run(input, &config);
            let records = input
                .strip_suffix(b"\n")
                .unwrap_or(input)
                .split(|b| *b == b'\n');
            let mut out = Vec::new();
            for (line, raw) in (1..).zip(records) {
                let read = |record: &[u8]| match record_text(line, record, 5) {
                    LineText::Blank => None,
                    LineText::Text(text) => Some(text.to_owned()),
                    LineText::Unreadable(d) => Some(format!("!{}", d.code)),
                };
                // A record read with its newline, or its CRLF, reads the same.
                assert_eq!(
                    read(&[raw, b"\n"].concat()),
                    read(raw),
                    "{input:?} line {line}"
                );
                out.extend(read(raw).map(|text| (line, text)));
            }
            assert_eq!(out, expected, "{input:?}");
        }
    }

    #[test]
    fn sink_can_stop_early() {
        let input = "1\n2\n3\n4\n".repeat(1000);
        let mut seen = 0;
        let stats = for_each_line(
            input.as_bytes(),
            &StreamConfig::default().chunk_bytes(8),
            |_, text| text.len(),
            |event| {
                if let Event::Line { .. } = event {
                    seen += 1;
                }
                if seen == 10 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .unwrap();
        assert!(stats.stopped);
        assert_eq!(seen, 10);
    }
}
