//! The `nucleus` command: check, convert, profile, query and project Nucleus datasets.

mod annotations;
mod append;
mod check;
mod convert;
mod dimensions;
mod flags;
mod input;
mod output;
mod pause;
mod profile;
mod project;
mod query;
mod render;
mod report;
mod rewrite;
mod schema;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: items are allocated on worker threads and freed on the output thread, which glibc
/// malloc handles poorly (a third of the time of `check` went to arena consolidation).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit status: everything checked, no error (warnings allowed).
const EXIT_CLEAN: u8 = 0;
/// Exit status: at least one error was found in the data.
const EXIT_FINDINGS: u8 = 1;
/// Exit status: the command could not run (bad usage, unreadable file).
const EXIT_TROUBLE: u8 = 2;

/// The exit status of a command that ran: [`EXIT_FINDINGS`] when it found an error in the
/// data, else [`EXIT_CLEAN`].
fn exit_status(found_errors: bool) -> u8 {
    if found_errors {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Validate, convert and inspect Scale AI Nucleus datasets offline, before you upload.
///
/// Input is JSON Lines: one dataset item per line, in the item JSON of the Nucleus Python SDK
/// (`image_location`/`pointcloud_location`, `reference_id`, `metadata`, ... or the SDK's
/// aliases `image_url`, `url`, `ref_id`, ...). Use `-` (or no file) to read standard input.
///
/// Exit status: 0 when no error was found (warnings allowed), 1 when any line has an error,
/// 2 when the command could not run (bad usage, unreadable file).
#[derive(Debug, Parser)]
#[command(name = "nucleus", version, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Check(check::CheckArgs),
    #[command(about = "Write each accepted item as the Python SDK's upload payload (to_payload)")]
    Payload(rewrite::RewriteArgs),
    #[command(about = "Write each accepted item as canonical item JSON (image_location, ...)")]
    Normalize(rewrite::RewriteArgs),
    Project(project::ProjectArgs),
    Query(query::QueryArgs),
    Profile(profile::ProfileArgs),
    Append(append::AppendArgs),
    Schema(schema::SchemaArgs),
    Render(render::RenderArgs),
    Dimensions(dimensions::DimensionsArgs),
    Convert(convert::ConvertArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Payload(args) => rewrite::run(&args, rewrite::WireForm::Payload),
        Command::Normalize(args) => rewrite::run(&args, rewrite::WireForm::Normalize),
        Command::Project(args) => project::run(&args),
        Command::Query(args) => query::run(&args),
        Command::Profile(args) => profile::run(&args),
        Command::Append(args) => append::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Dimensions(args) => dimensions::run(&args),
        Command::Convert(args) => convert::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) if is_broken_pipe(&error) => ExitCode::from(EXIT_CLEAN),
        Err(error) => {
            let _ = writeln!(io::stderr(), "nucleus: error: {error:#}");
            ExitCode::from(EXIT_TROUBLE)
        }
    }
}

/// A closed pipe (`nucleus payload big.jsonl | head`) is not an error worth reporting.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
