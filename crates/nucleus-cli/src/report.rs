//! Printing diagnostics as text or JSON, and counting them for the summary.

use std::collections::BTreeMap;
use std::io::Write;

use clap::ValueEnum;
use nucleus::model::{Code, Diagnostic, Severity};
use serde::Serialize;

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `items.jsonl:17: error[code]: /path: message`
    Text,
    /// One JSON object per finding (and a summary object for `check`).
    Json,
}

/// A diagnostic as printed with `--format json`.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: Code,
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    path: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    related_line: Option<u64>,
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
        match self.format {
            Format::Text => match diagnostic.line {
                Some(line) => writeln!(self.out, "{file}:{line}: {diagnostic}"),
                None => writeln!(self.out, "{file}: {diagnostic}"),
            },
            Format::Json => {
                let json = JsonDiagnostic {
                    severity: diagnostic.severity,
                    code: diagnostic.code,
                    file,
                    line: diagnostic.line,
                    path: &diagnostic.path,
                    message: &diagnostic.message,
                    related_line: diagnostic.related_line,
                };
                serde_json::to_writer(&mut self.out, &json)?;
                writeln!(self.out)
            }
        }
    }

    pub fn out(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}
