//! Hostile input, end to end: one test per hazard of issue 8, each run through every subcommand
//! that reads JSON Lines. Each asserts the exact code and line of the finding and that the valid
//! lines around it were still read (items written, matched, profiled or counted).

// Test helpers outside #[test] functions may fail loudly: that is how a test reports.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod files;
mod not_json;
mod output;
mod pointers;

use serde_json::Value;
use support::{SPEC_CAMERA, json_lines, nucleus};

/// One line of a test input.
#[derive(Clone)]
pub enum Line {
    /// A valid line with this id: an item for most subcommands, a camera and a point for
    /// `project`.
    Valid(u32),
    /// A valid line followed by `\r` (so CRLF when the ending is `\n`).
    ValidCr(u32),
    /// Raw bytes, without the line ending.
    Raw(Vec<u8>),
}

/// `Line::Raw` from text.
pub fn raw(text: impl AsRef<[u8]>) -> Line {
    Line::Raw(text.as_ref().to_vec())
}

/// The valid item with id `id`; every valid item matches `metadata.k = 1`.
pub fn item(id: u32) -> String {
    format!(
        r#"{{"image_location":"s3://b/{id}.jpg","reference_id":"{id}","metadata":{{"k":1,"id":{id}}}}}"#
    )
}

fn project_line(id: u32) -> String {
    format!(r#"{{"camera_params":{SPEC_CAMERA},"points":[[{id},0,1.5]]}}"#)
}

/// The input as bytes: `lines` joined by `ending`, a final ending when `final_newline`.
pub fn render(lines: &[Line], ending: &str, final_newline: bool, for_project: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (idx, line) in lines.iter().enumerate() {
        if idx > 0 {
            out.extend(ending.as_bytes());
        }
        match line {
            Line::Valid(id) | Line::ValidCr(id) if for_project => {
                out.extend(project_line(*id).as_bytes());
            }
            Line::Valid(id) | Line::ValidCr(id) => out.extend(item(*id).as_bytes()),
            Line::Raw(bytes) => out.extend(bytes),
        }
        if let Line::ValidCr(_) = line {
            out.push(b'\r');
        }
    }
    if final_newline && !lines.is_empty() {
        out.extend(ending.as_bytes());
    }
    out
}

/// `(line, code)` of JSON diagnostics, in order (summary lines skipped).
fn findings(diagnostics: &[Value]) -> Vec<(u64, String)> {
    diagnostics
        .iter()
        .filter(|d| d.get("summary").is_none())
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A hostile input and what every subcommand must make of it.
pub struct Case<'a> {
    /// The lines of the input, valid and hostile.
    pub lines: Vec<Line>,
    /// Line ending between lines.
    pub ending: &'a str,
    /// Whether the last line has a line ending.
    pub final_newline: bool,
    /// Whether the input starts with a UTF-8 byte order mark.
    pub bom: bool,
    /// Every finding, `(line, code)`, in order. The same for every subcommand.
    pub findings: Vec<(u64, &'a str)>,
    /// Extra arguments for every subcommand (`--max-line-bytes`).
    pub args: Vec<&'a str>,
}

impl<'a> Case<'a> {
    /// A case with `\n` endings, a final newline, no mark and no extra arguments.
    pub fn new(lines: Vec<Line>, findings: Vec<(u64, &'a str)>) -> Case<'a> {
        Case {
            lines,
            ending: "\n",
            final_newline: true,
            bom: false,
            findings,
            args: Vec::new(),
        }
    }

    fn valid_ids(&self) -> Vec<u32> {
        self.lines
            .iter()
            .filter_map(|line| match line {
                Line::Valid(id) | Line::ValidCr(id) => Some(*id),
                Line::Raw(_) => None,
            })
            .collect()
    }

    fn expected(&self) -> Vec<(u64, String)> {
        self.findings
            .iter()
            .map(|(line, code)| (*line, (*code).to_owned()))
            .collect()
    }

    fn run(&self, subcommand: &[&str], input: &[u8]) -> support::Run {
        let mut args: Vec<&str> = subcommand.to_vec();
        args.extend(&self.args);
        nucleus(&args, input)
    }

    /// Runs the case through check, payload, normalize, query, profile, project and dimensions and
    /// returns the JSON findings of `check` for further assertions.
    pub fn assert_everywhere(&self) -> Vec<Value> {
        let render = |for_project| {
            let mut bytes = if self.bom {
                b"\xEF\xBB\xBF".to_vec()
            } else {
                Vec::new()
            };
            bytes.extend(render(
                &self.lines,
                self.ending,
                self.final_newline,
                for_project,
            ));
            bytes
        };
        let items = render(false);
        let ids = self.valid_ids();
        let n_items = self.lines.len() as u64
            - self
                .lines
                .iter()
                .filter(|l| matches!(l, Line::Raw(b) if b.iter().all(|b| b" \t\r".contains(b))))
                .count() as u64;
        let exit = u8::from(!self.findings.is_empty());
        let id_strings: Vec<String> = ids.iter().map(u32::to_string).collect();

        // check: every finding, and the summary counts the valid lines around them.
        let check = self.run(&["check", "--format", "json", "-"], &items);
        assert_eq!(check.code, i32::from(exit), "check: {}", check.stderr);
        let diagnostics = json_lines(&check.stdout);
        assert_eq!(findings(&diagnostics), self.expected(), "check");
        let summary = &diagnostics.last().unwrap()["summary"];
        assert_eq!(summary["items"], n_items, "check summary {summary}");
        assert_eq!(
            summary["valid"],
            ids.len() as u64,
            "check summary {summary}"
        );

        // payload and normalize: the valid items are written, the findings reported.
        for subcommand in ["payload", "normalize"] {
            let run = self.run(&[subcommand, "--format", "json", "-"], &items);
            assert_eq!(run.code, i32::from(exit), "{subcommand}: {}", run.stderr);
            let written: Vec<String> = json_lines(&run.stdout)
                .iter()
                .map(|v| v["reference_id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(written, id_strings, "{subcommand} wrote");
            assert_eq!(
                findings(&json_lines(&run.stderr)),
                self.expected(),
                "{subcommand}"
            );
        }

        // query: the valid items all match; unreadable lines are reported. (Findings about the
        // query itself, such as "no key metadata.k" on an empty input, are printed as text.)
        let query = self.run(
            &["query", "--format", "json", "-", "metadata.k = 1"],
            &items,
        );
        assert_eq!(query.code, i32::from(exit), "query: {}", query.stderr);
        let matched: Vec<String> = json_lines(&query.stdout)
            .iter()
            .map(|v| v["reference_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(matched, id_strings, "query matched");
        let query_diagnostics: Vec<Value> = query
            .stderr
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(findings(&query_diagnostics), self.expected(), "query");

        // profile: the valid items are profiled; each skipped line is named.
        let profile = self.run(&["profile", "--format", "json", "-"], &items);
        assert_eq!(profile.code, i32::from(exit), "profile: {}", profile.stderr);
        let report: Value = serde_json::from_str(&profile.stdout).unwrap();
        assert_eq!(report["n_items"], ids.len() as u64, "profile");
        let reported: Vec<String> = profile
            .stderr
            .lines()
            .filter(|l| l.starts_with("-:"))
            .map(|l| l.split(": ").take(2).collect::<Vec<_>>().join(": "))
            .collect();
        let expected: Vec<String> = self
            .findings
            .iter()
            .map(|(line, code)| format!("-:{line}: error[{code}]"))
            .collect();
        assert_eq!(reported, expected, "profile");

        // project: the same hazards on lines of cameras and points.
        let points = render(true);
        let project = self.run(&["project", "--format", "json", "-"], &points);
        assert_eq!(project.code, i32::from(exit), "project: {}", project.stderr);
        assert_eq!(
            json_lines(&project.stdout).len(),
            ids.len(),
            "project wrote"
        );
        assert_eq!(
            findings(&json_lines(&project.stderr)),
            self.expected(),
            "project"
        );

        // dimensions: every valid item is written unchanged (remote images without a mirror
        // are not probed), in order; the findings are check's.
        let out = unique_temp_file("dimensions");
        let out_arg = out.to_str().unwrap();
        let dimensions = self.run(
            &["dimensions", "--format", "json", "-o", out_arg, "-"],
            &items,
        );
        assert_eq!(
            dimensions.code,
            i32::from(exit),
            "dimensions: {}",
            dimensions.stderr
        );
        assert_eq!(
            findings(&json_lines(&dimensions.stdout)),
            self.expected(),
            "dimensions"
        );
        let written = std::fs::read_to_string(&out).unwrap();
        let valid: Vec<String> = ids.iter().map(|id| item(*id)).collect();
        let copied: Vec<String> = written
            .lines()
            .filter(|line| valid.iter().any(|item| item == line))
            .map(str::to_owned)
            .collect();
        assert_eq!(copied, valid, "dimensions wrote");
        std::fs::remove_file(&out).unwrap();
        diagnostics
    }
}

/// A path in the temporary directory that no other test of this process uses.
fn unique_temp_file(name: &str) -> std::path::PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let idx = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "nucleus-hostile-{name}-{}-{idx}.jsonl",
        std::process::id()
    ))
}

/// The finding on `line` among the JSON findings of `check`.
pub fn finding_on(diagnostics: &[Value], line: u64) -> &Value {
    diagnostics
        .iter()
        .find(|d| d["line"] == line)
        .unwrap_or_else(|| panic!("no finding on line {line}: {diagnostics:?}"))
}
