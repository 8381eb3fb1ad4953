//! `cargo xtask schemas [--check]`: write (or check) `schemas/*.schema.json` from nucleus-schema.

use anyhow::{Result, bail};
use nucleus_schema::FileStatus;

use crate::project_root;

/// The command that regenerates the files, named in every "stale" message.
const COMMAND: &str = "cargo xtask schemas";

pub(crate) fn run(args: &[String]) -> Result<()> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => bail!("schemas takes only `--check`, got {args:?}"),
    };
    let dir = project_root().join("schemas");
    let statuses = nucleus_schema::ensure_schemas(&dir, !check, COMMAND)?;
    for (path, status) in statuses {
        if status == FileStatus::Written {
            let shown = path.strip_prefix(project_root()).unwrap_or(&path);
            eprintln!("wrote {}", shown.display());
        }
    }
    if check {
        eprintln!("schemas are fresh");
    }
    Ok(())
}
