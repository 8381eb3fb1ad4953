//! Keeping generated files fresh: one helper for `cargo xtask schemas` and the golden test.

use std::fs;
use std::path::{Path, PathBuf};

use crate::{Error, catalog};

/// What [`ensure_file_contents`] found or did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileStatus {
    /// The file already had the expected contents.
    Fresh,
    /// The file was missing or stale and has been (re)written.
    Written,
}

/// Makes sure `path` holds exactly `contents`.
///
/// With `update`, a missing or stale file is written. Without it, a difference is an error that
/// names the file, the first differing line, and `command`, the command that regenerates it.
///
/// # Errors
///
/// [`Error::Stale`] when the file differs and `update` is false, [`Error::Io`] when reading
/// (other than "not found") or writing fails.
pub fn ensure_file_contents(
    path: &Path,
    contents: &str,
    update: bool,
    command: &str,
) -> Result<FileStatus, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let current = match fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(io(error)),
    };
    if current.as_deref() == Some(contents) {
        return Ok(FileStatus::Fresh);
    }
    if update {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(io)?;
        }
        fs::write(path, contents).map_err(io)?;
        return Ok(FileStatus::Written);
    }
    Err(Error::Stale {
        path: path.to_path_buf(),
        summary: match current {
            None => "the file is missing".to_owned(),
            Some(current) => first_difference(&current, contents),
        },
        command: command.to_owned(),
    })
}

/// `line N differs: expected `…`, found `…`` (or which text is longer).
fn first_difference(current: &str, expected: &str) -> String {
    let shorten = |line: &str| {
        let mut out: String = line.trim().chars().take(80).collect();
        if line.trim().chars().count() > 80 {
            out.push('…');
        }
        out
    };
    let mut current_lines = current.lines();
    let mut expected_lines = expected.lines();
    let mut line = 1;
    loop {
        match (expected_lines.next(), current_lines.next()) {
            (Some(want), Some(have)) if want == have => line += 1,
            (Some(want), Some(have)) => {
                return format!(
                    "line {line} differs: expected `{}`, found `{}`",
                    shorten(want),
                    shorten(have)
                );
            }
            (Some(want), None) => {
                return format!("ends at line {line}; expected `{}`", shorten(want));
            }
            (None, Some(have)) => {
                return format!("has extra lines from line {line}: `{}`", shorten(have));
            }
            (None, None) => return "differs in line endings or the final newline".to_owned(),
        }
    }
}

/// Runs [`ensure_file_contents`] for every catalog schema as `dir/<name>.schema.json`.
///
/// Stops at nothing: every stale file is collected, then the first error is returned with a
/// summary naming all of them.
///
/// # Errors
///
/// [`Error::Stale`] naming every stale file (without `update`), [`Error::Io`] on I/O failure.
pub fn ensure_schemas(
    dir: &Path,
    update: bool,
    command: &str,
) -> Result<Vec<(PathBuf, FileStatus)>, Error> {
    let mut statuses = Vec::new();
    let mut stale = Vec::new();
    for entry in catalog() {
        let path = dir.join(entry.file_name());
        match ensure_file_contents(&path, entry.json(), update, command) {
            Ok(status) => statuses.push((path, status)),
            Err(Error::Stale { path, summary, .. }) => stale.push((path, summary)),
            Err(other) => return Err(other),
        }
    }
    match stale.as_slice() {
        [] => Ok(statuses),
        [(path, summary)] => Err(Error::Stale {
            path: path.clone(),
            summary: summary.clone(),
            command: command.to_owned(),
        }),
        [(path, summary), rest @ ..] => Err(Error::Stale {
            path: path.clone(),
            summary: format!(
                "{summary} (also stale: {})",
                rest.iter()
                    .map(|(path, _)| path.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            command: command.to_owned(),
        }),
    }
}
