//! Running the `nucleus` binary from tests: shared by `tests/cli/` and `tests/hostile/`
//! (each includes this file with `#[path]`).
//!
//! Every run goes through [`Cmd`]: `cmd(["check", "-"]).stdin(input).exits(1)` runs the binary
//! in the workspace root and asserts its exit code, printing the command and both outputs when
//! the code is not the expected one.

// Not every test binary uses every helper.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

/// The SPEC's worked-example camera: at (0, 0, 1.5), looking along world +X, 1920×1080.
pub const SPEC_CAMERA: &str = r#"{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":1000,"fy":1000,"cx":960,"cy":540}"#;

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A run of `nucleus` to set up: arguments, standard input, then [`Cmd::run`] or
/// [`Cmd::exits`].
#[derive(Clone, Debug)]
#[must_use]
pub struct Cmd {
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    removed: Vec<OsString>,
    stdin: Vec<u8>,
    close_stdout: bool,
}

/// `nucleus ARGS`, with empty standard input until [`Cmd::stdin`] says otherwise.
pub fn cmd<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Cmd {
    Cmd {
        args: Vec::new(),
        envs: Vec::new(),
        removed: Vec::new(),
        stdin: Vec::new(),
        close_stdout: false,
    }
    .args(args)
}

impl Cmd {
    /// One more argument (a path need not be valid UTF-8).
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    /// More arguments.
    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Cmd {
        self.args
            .extend(args.into_iter().map(|arg| arg.as_ref().to_owned()));
        self
    }

    /// The environment variable `key` set to `value` for the run.
    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cmd {
        self.envs
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// The environment variable `key` unset for the run (before those [`Cmd::env`] sets).
    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Cmd {
        self.removed.push(key.as_ref().to_owned());
        self
    }

    /// `bytes` as standard input.
    pub fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Cmd {
        self.stdin = bytes.as_ref().to_vec();
        self
    }

    /// Closes standard output as soon as the binary starts, as a reader that has gone away does.
    pub fn close_stdout(mut self) -> Cmd {
        self.close_stdout = true;
        self
    }

    /// Runs the binary in the workspace root and returns what it produced, whatever its exit code.
    pub fn run(self) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nucleus"));
        for key in &self.removed {
            command.env_remove(key);
        }
        let mut child = command
            .args(&self.args)
            .envs(self.envs.iter().map(|(key, value)| (key, value)))
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if self.close_stdout {
            drop(child.stdout.take());
        }
        // A command that fails before reading its input closes the pipe: that is not a test error.
        if let Err(error) = child.stdin.take().unwrap().write_all(&self.stdin) {
            assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe);
        }
        let output = child.wait_with_output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// Runs the binary and asserts that it exits with `code`.
    #[track_caller]
    pub fn exits(self, code: i32) -> Run {
        let command = self
            .args
            .iter()
            .map(|arg| arg.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" ");
        let run = self.run();
        assert_eq!(
            run.code, code,
            "exit code of `nucleus {command}`\n--- stdout\n{}\n--- stderr\n{}",
            run.stdout, run.stderr
        );
        run
    }
}

/// Runs `nucleus ARGS` in the workspace root with `stdin` as standard input.
pub fn nucleus(args: &[&str], stdin: &[u8]) -> Run {
    cmd(args).stdin(stdin).run()
}

/// Asserts that `text` contains `needle`, showing `text` when it does not.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
}

/// Asserts that `text` starts with `prefix`, showing `text` when it does not.
#[track_caller]
pub fn assert_starts_with(text: &str, prefix: &str) {
    assert!(
        text.starts_with(prefix),
        "expected {prefix:?} at the start of:\n{text}"
    );
}

/// The workspace root, where the tests run the binary.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Each line of `text` as JSON.
pub fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A fresh directory for one test (`name` keeps tests running in parallel apart).
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nucleus-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
