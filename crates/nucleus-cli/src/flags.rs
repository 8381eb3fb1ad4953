//! The flags several subcommands share, each defined once and flattened into the subcommands'
//! arguments with `#[command(flatten)]`. A subcommand whose flag means something more specific
//! says so with `#[command(mut_arg("ID", |arg| arg.help("...")))]`; the name, value and default
//! stay the same everywhere.

use clap::Args;
use nucleus::lines::{DEFAULT_MAX_LINE_BYTES, StreamConfig};

use crate::report::Format;

/// How JSON Lines are read: `--jobs` and `--max-line-bytes`.
#[derive(Debug, Clone, Args)]
pub struct LineArgs {
    /// Worker threads [default: one per core]. Output is the same for any value.
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Longest line accepted, in bytes; a longer line is reported (line-too-long) and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LINE_BYTES)]
    pub max_line_bytes: usize,
}

impl LineArgs {
    /// The line driver's configuration for these flags.
    pub fn stream_config(&self) -> StreamConfig {
        StreamConfig::default()
            .jobs(self.jobs.unwrap_or(0))
            .max_line_bytes(self.max_line_bytes)
    }
}

/// `--format text|json`: how findings are printed.
#[derive(Debug, Clone, Args)]
pub struct FormatArg {
    /// Format of the findings printed on standard error.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `-q`/`--quiet`.
#[derive(Debug, Clone, Args)]
pub struct QuietArg {
    /// Print no findings on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}
