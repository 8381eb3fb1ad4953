//! `nucleus append`: what `dataset.append(items, update=...)` will do, and the merged dataset.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use nucleus::metadata::ItemRules;
use nucleus::metadata::append::{AppendError, AppendMode, AppendReport, append_streams};

use crate::flags::{FormatArg, LineArgs};
use crate::output::AtomicFile;
use crate::pause;
use crate::report::Format;
use crate::{EXIT_FINDINGS, exit_status};

/// Append UPDATE to BASE as `dataset.append(items, update=...)` does, and write the result.
///
/// Items are matched by reference_id. With --update a matched item is replaced by the new one:
/// its metadata is replaced wholesale, so keys the new item lacks are deleted (the report counts
/// them per key). Without --update matched items are left as they are. New items are appended.
/// The result is checked like `nucleus check` (kinds per key, duplicate ids); on a conflict
/// nothing is written.
///
/// The merged dataset goes to -o FILE (written under a temporary name and renamed, so it
/// appears whole or not at all) or to standard output; the report goes to standard error, or
/// to standard output with --dry-run, which writes no dataset. Exit status: 0 done, 1 refused
/// (conflict or invalid item), 2 could not run.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  nucleus append base.jsonl new.jsonl --update --dry-run
  nucleus append base.jsonl new.jsonl --update -o merged.jsonl")]
#[command(mut_arg("format", |arg| arg.help("Format of the report")))]
#[command(mut_arg("max_line_bytes", |arg| arg.help(
    "Longest line accepted, in bytes; a longer line makes the append refuse, like any unreadable line"
)))]
pub struct AppendArgs {
    /// The dataset as it is (JSON Lines).
    #[arg(value_name = "BASE")]
    base: PathBuf,

    /// The items to append (JSON Lines).
    #[arg(value_name = "UPDATE")]
    update_file: PathBuf,

    /// Replace matched items (update=True); without it they are ignored (update=False).
    #[arg(long)]
    update: bool,

    /// Write the merged dataset here instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Report what the append would change; write no dataset.
    #[arg(long)]
    dry_run: bool,

    #[command(flatten)]
    report: FormatArg,

    #[command(flatten)]
    lines: LineArgs,
}

pub fn run(args: &AppendArgs) -> anyhow::Result<u8> {
    let mode = if args.update {
        AppendMode::Update
    } else {
        AppendMode::Ignore
    };
    let config = args.lines.stream_config();
    let rules = ItemRules::new();
    let base_name = args.base.display().to_string();
    let update_name = args.update_file.display().to_string();
    let update =
        File::open(&args.update_file).with_context(|| format!("cannot open {update_name}"))?;
    // The base is read twice (to check, then to write) through one handle, so a file put in
    // its place in between is not read; a change to the file itself is refused.
    let base = File::open(&args.base).with_context(|| format!("cannot open {base_name}"))?;
    let identity = Identity::of(&base).with_context(|| format!("cannot read {base_name}"))?;
    let mut n_base_reads = 0u32;
    let open_base = || -> io::Result<&File> {
        n_base_reads += 1;
        if n_base_reads > 1 {
            pause::stop_point(
                pause::BETWEEN_BASE_READS,
                &format!("{base_name} was checked"),
            );
            if Identity::of(&base)? != identity {
                return Err(io::Error::other(format!(
                    "{base_name} changed after it was checked (its size or modification time \
                     differs); nothing written"
                )));
            }
            (&base).seek(SeekFrom::Start(0))?;
        }
        Ok(&base)
    };
    let names = (base_name.as_str(), update_name.as_str());

    let result = if args.dry_run {
        append_streams::<_, _, io::Sink>(open_base, update, mode, &config, &rules, names, None)
    } else if let Some(path) = &args.output {
        let mut file = AtomicFile::create(path)?;
        let result = append_streams(
            open_base,
            update,
            mode,
            &config,
            &rules,
            names,
            Some(&mut file),
        );
        if result.is_ok() {
            file.commit()?;
        }
        result
    } else {
        let mut stdout = BufWriter::with_capacity(1 << 16, io::stdout().lock());
        let result = append_streams(
            open_base,
            update,
            mode,
            &config,
            &rules,
            names,
            Some(&mut stdout),
        );
        stdout.flush()?;
        result
    };

    match result {
        Ok(report) => {
            print_report(&report, args.report.format, args.dry_run)?;
            Ok(exit_status(report.has_errors()))
        }
        Err(AppendError::Conflicts(report)) => {
            print_report(&report, args.report.format, args.dry_run)?;
            Ok(EXIT_FINDINGS)
        }
        Err(error @ AppendError::BaseChanged { .. }) => {
            let written = match &args.output {
                Some(_) => "nothing written",
                None => "the result on standard output does not match the check: discard it",
            };
            Err(anyhow::anyhow!("{error}; {written}"))
        }
        Err(error @ AppendError::InvalidItem { .. }) => {
            writeln!(
                io::stderr(),
                "nucleus: {error}; nothing written (run `nucleus check` on it)"
            )?;
            Ok(EXIT_FINDINGS)
        }
        Err(error) => Err(error.into()),
    }
}

/// What tells a file apart from a changed version of it, from its metadata.
#[derive(Debug, PartialEq, Eq)]
struct Identity {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Identity {
    fn of(file: &File) -> io::Result<Identity> {
        let metadata = file.metadata()?;
        Ok(Identity {
            len: metadata.len(),
            modified: metadata.modified().ok(),
        })
    }
}

fn print_report(report: &AppendReport, format: Format, to_stdout: bool) -> io::Result<()> {
    let text = match format {
        Format::Text => report.render_text(),
        Format::Json => format!("{}\n", report.to_json()),
    };
    if to_stdout {
        io::stdout().lock().write_all(text.as_bytes())
    } else {
        io::stderr().lock().write_all(text.as_bytes())
    }
}
