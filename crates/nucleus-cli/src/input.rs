//! Opening inputs and the options every streaming subcommand shares.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nucleus::lines::{Event, StreamConfig, StreamStats, for_each_line};
use nucleus::model::Diagnostic;

use crate::flags::LineArgs;

/// Files to read and how to read them.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// JSON Lines files to read; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub lines: LineArgs,
}

impl InputArgs {
    /// The inputs, standard input when none is named.
    pub fn inputs(&self) -> Vec<PathBuf> {
        if self.files.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            self.files.clone()
        }
    }

    pub fn stream_config(&self) -> StreamConfig {
        self.lines.stream_config()
    }
}

/// An opened input: its display name, a reader, and its size when known (for progress).
pub struct Input {
    pub name: String,
    pub reader: Box<dyn Read + Send>,
    pub size: Option<u64>,
}

pub fn open(path: &PathBuf) -> anyhow::Result<Input> {
    if path.as_os_str() == "-" {
        return Ok(Input {
            name: "-".to_owned(),
            reader: Box::new(io::stdin()),
            size: None,
        });
    }
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok(Input {
        name: path.display().to_string(),
        reader: Box::new(file),
        size,
    })
}

/// A progress bar on stderr, shown only when stderr is a terminal and the work is not tiny.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(input: &Input, enabled: bool) -> Progress {
        let show = enabled && io::stderr().is_terminal();
        let bar = match (show, input.size) {
            (false, _) => ProgressBar::hidden(),
            (true, Some(size)) => {
                let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar
            }
            (true, None) => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{prefix} {spinner} {bytes} {bytes_per_sec}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar
            }
        };
        bar.set_prefix(input.name.clone());
        // Do not flash a bar for inputs read in a blink.
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar }
    }

    pub fn set(&self, bytes: u64) {
        self.bar.set_position(bytes);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Streams one input through `map` (on worker threads) and `on_line` (in line order), with a
/// progress bar. `on_line` returns `Break` to stop early; its I/O errors (writing output) stop
/// the stream and are returned.
///
/// # Errors
///
/// Reading errors, with the input's name, and `on_line`'s write errors.
pub fn stream<T, M, S>(
    input: Input,
    config: &StreamConfig,
    show_progress: bool,
    map: M,
    mut on_line: S,
) -> anyhow::Result<StreamStats>
where
    T: Send,
    M: Fn(u64, &str) -> T + Sync,
    S: FnMut(u64, Result<T, Diagnostic>) -> io::Result<ControlFlow<()>>,
{
    let progress = Progress::new(&input, show_progress);
    let name = input.name;
    let mut write_error: Option<io::Error> = None;
    let stats = for_each_line(input.reader, config, map, |event| match event {
        Event::Progress(bytes) => {
            progress.set(bytes);
            ControlFlow::Continue(())
        }
        Event::Line { line, result } => match on_line(line, result) {
            Ok(flow) => flow,
            Err(error) => {
                write_error = Some(error);
                ControlFlow::Break(())
            }
        },
    })
    .with_context(|| format!("cannot read {name}"))?;
    progress.finish();
    match write_error {
        Some(error) => Err(error).context("cannot write output"),
        None => Ok(stats),
    }
}
