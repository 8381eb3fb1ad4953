//! Printing diagnostics as text or JSON, and counting them for the summary.

use std::collections::BTreeMap;
use std::io::Write;

use clap::ValueEnum;
use nucleus::model::{Diagnostic, FileDiagnostic, Severity};

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `items.jsonl:17: error[code]: /path: message`
    Text,
    /// One JSON object per finding (and a summary object for `check`).
    Json,
}

/// Prints findings and keeps the counts.
pub struct Reporter<W: Write> {
    out: W,
    format: Format,
    quiet: bool,
    pub n_errors: u64,
    pub n_warnings: u64,
    pub per_code: BTreeMap<&'static str, u64>,
}

impl<W: Write> Reporter<W> {
    pub fn new(out: W, format: Format, quiet: bool) -> Reporter<W> {
        Reporter {
            out,
            format,
            quiet,
            n_errors: 0,
            n_warnings: 0,
            per_code: BTreeMap::new(),
        }
    }

    pub fn report(&mut self, file: &str, diagnostic: &Diagnostic) -> std::io::Result<()> {
        match diagnostic.severity {
            Severity::Error => self.n_errors += 1,
            Severity::Warning => self.n_warnings += 1,
        }
        *self.per_code.entry(diagnostic.code.as_str()).or_default() += 1;
        if self.quiet {
            return Ok(());
        }
        let found = FileDiagnostic::new(file, diagnostic);
        match self.format {
            Format::Text => writeln!(self.out, "{found}"),
            Format::Json => {
                serde_json::to_writer(&mut self.out, &found)?;
                writeln!(self.out)
            }
        }
    }

    /// One line of a rewriting command (`payload`, `normalize`, and their `--annotations`
    /// forms): the rewritten text written to `out` with a newline, or else the line counted as
    /// rejected; then the line's findings reported. Returns whether the line was rejected.
    pub fn rewritten_line(
        &mut self,
        out: &mut impl Write,
        file: &str,
        line: u64,
        result: Result<(Vec<Diagnostic>, Option<impl AsRef<[u8]>>), Diagnostic>,
    ) -> std::io::Result<bool> {
        let (diagnostics, text) = match result {
            Ok(pair) => pair,
            Err(diagnostic) => (vec![diagnostic], None),
        };
        let rejected = match text {
            Some(text) => {
                out.write_all(text.as_ref())?;
                out.write_all(b"\n")?;
                false
            }
            None => true,
        };
        for diagnostic in diagnostics {
            self.report(file, &diagnostic.at_line(line))?;
        }
        Ok(rejected)
    }

    pub fn out(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}
