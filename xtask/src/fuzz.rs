//! `cargo xtask fuzz [--cases N] [--minutes M]`: every fuzzer of the workspace, long, with a
//! fresh seed each run.
//!
//! The proptest fuzzers are the `fuzz` modules of the crates' test targets, found through
//! `cargo metadata` (a target whose root file declares `mod fuzz`), so a crate that is added,
//! split or renamed needs no change here. Each run is one test target in release mode with
//! `PROPTEST_CASES=N` and a fresh `PROPTEST_RNG_SEED`, printed before the run starts together
//! with the command that replays it. Rounds over all targets repeat until `--minutes` are used
//! (one round without it). A failure stops the task after its round; proptest has written the
//! shrunk case to the target's `proptest-regressions/` file, which is kept as a regression test.
//!
//! The libFuzzer targets of `fuzz/` run too when a nightly toolchain and cargo-fuzz are
//! installed, each with a fresh `-seed`, sharing half of `--minutes` (`-runs=N` without it).

use std::collections::hash_map::RandomState;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::project_root;

/// Cases per property and run when `--cases` is not given: 40 times CI's 256.
const DEFAULT_CASES: u64 = 10_000;

/// The test-name filter that selects a target's fuzzers: the tests of its `fuzz` module.
const FILTER: &str = "fuzz::";

/// One test target with a `fuzz` module.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fuzzer {
    package: String,
    /// `--test NAME`, or `--lib` when `None`.
    test: Option<String>,
}

impl Fuzzer {
    /// The cargo arguments that select the target, after `cargo test --release`.
    fn target_args(&self) -> Vec<String> {
        let mut args = vec!["-p".to_owned(), self.package.clone()];
        match &self.test {
            Some(name) => args.extend(["--test".to_owned(), name.clone()]),
            None => args.push("--lib".to_owned()),
        }
        args
    }

    fn replay(&self, seed: u64, cases: u64) -> String {
        format!(
            "PROPTEST_RNG_SEED={seed} PROPTEST_CASES={cases} cargo test --release {} -- {FILTER}",
            self.target_args().join(" ")
        )
    }
}

impl std::fmt::Display for Fuzzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.test {
            Some(name) => write!(f, "{} --test {name}", self.package),
            None => write!(f, "{} --lib", self.package),
        }
    }
}

/// One finished run, for the summary.
struct RunRecord {
    fuzzer: String,
    seed: u64,
    n_properties: u64,
    seconds: f64,
    passed: bool,
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut cases = DEFAULT_CASES;
    let mut minutes: Option<f64> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cases" => {
                let value = args.next().context("`--cases` needs a number")?;
                cases = value
                    .replace('_', "")
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .with_context(|| format!("`--cases {value}`: expected a positive number"))?;
            }
            "--minutes" => {
                let value = args.next().context("`--minutes` needs a number")?;
                minutes = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|m: &f64| m.is_finite() && *m > 0.0)
                        .with_context(|| {
                            format!("`--minutes {value}`: expected a positive number")
                        })?,
                );
            }
            other => {
                bail!("fuzz: unknown argument `{other}` (usage: fuzz [--cases N] [--minutes M])")
            }
        }
    }

    let root = project_root();
    let fuzzers = discover(&root)?;
    if fuzzers.is_empty() {
        bail!("no test target of the workspace declares `mod fuzz`");
    }
    let libfuzzer = LibFuzzer::detect(&root);
    // With libFuzzer available, it gets half of the time; otherwise proptest gets all of it.
    let proptest_minutes = match (&libfuzzer, minutes) {
        (Ok(_), Some(m)) => Some(m / 2.0),
        (_, m) => m,
    };

    eprintln!(
        "fuzz: {} proptest targets: {}",
        fuzzers.len(),
        fuzzers
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    eprintln!("fuzz: building the targets in release mode");
    for fuzzer in &fuzzers {
        let status = cargo()
            .args(["test", "--release", "--no-run", "--quiet"])
            .args(fuzzer.target_args())
            .current_dir(&root)
            .status()
            .context("running cargo")?;
        if !status.success() {
            bail!("building {fuzzer} failed");
        }
    }

    let records = run_proptest(&root, &fuzzers, cases, proptest_minutes)?;
    let failed: Vec<&RunRecord> = records.iter().filter(|r| !r.passed).collect();
    summarize(&records, cases);
    if !failed.is_empty() {
        bail!(
            "{} fuzz runs failed; each shrunk case is in the target's proptest-regressions/ \
             (commit it) and the replay command is printed above",
            failed.len()
        );
    }

    match libfuzzer {
        Ok(libfuzzer) => libfuzzer.run(cases, minutes.map(|m| m / 2.0))?,
        Err(why) => eprintln!("fuzz: skipping the cargo-fuzz targets of fuzz/: {why}"),
    }
    Ok(())
}

/// Every test target (and library) of the workspace whose root file declares `mod fuzz`.
fn discover(root: &Path) -> Result<Vec<Fuzzer>> {
    let output = cargo()
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed");
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).context("reading cargo metadata's output")?;
    let mut fuzzers = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        let Some(package_name) = package["name"].as_str() else {
            continue;
        };
        for target in package["targets"].as_array().into_iter().flatten() {
            let kinds: Vec<&str> = target["kind"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let (Some(name), Some(src_path)) =
                (target["name"].as_str(), target["src_path"].as_str())
            else {
                continue;
            };
            let test = if kinds.contains(&"test") {
                Some(name.to_owned())
            } else if kinds.contains(&"lib") {
                None
            } else {
                continue;
            };
            let source =
                std::fs::read_to_string(src_path).with_context(|| format!("reading {src_path}"))?;
            if declares_fuzz_module(&source) {
                fuzzers.push(Fuzzer {
                    package: package_name.to_owned(),
                    test,
                });
            }
        }
    }
    fuzzers.sort_by(|a, b| (&a.package, &a.test).cmp(&(&b.package, &b.test)));
    Ok(fuzzers)
}

/// Whether a crate root declares a module `fuzz` (`mod fuzz;`, `mod fuzz {`, possibly `pub` or
/// after an attribute on the same line).
fn declares_fuzz_module(source: &str) -> bool {
    source.lines().any(|line| {
        let line = line.trim();
        let line = match line.rfind(']') {
            Some(idx) if line.starts_with("#[") => line.get(idx + 1..).unwrap_or("").trim(),
            _ => line,
        };
        let line = line
            .strip_prefix("pub(crate) ")
            .or_else(|| line.strip_prefix("pub "))
            .unwrap_or(line);
        line.strip_prefix("mod fuzz")
            .is_some_and(|rest| rest.trim_start().starts_with([';', '{']))
    })
}

fn run_proptest(
    root: &Path,
    fuzzers: &[Fuzzer],
    cases: u64,
    minutes: Option<f64>,
) -> Result<Vec<RunRecord>> {
    let started = Instant::now();
    let deadline = minutes.map(|m| started + Duration::from_secs_f64(m * 60.0));
    let mut records = Vec::new();
    let mut round = 0u64;
    loop {
        round += 1;
        let mut failed_this_round = false;
        for fuzzer in fuzzers {
            // The first round runs every target; later ones only while time remains.
            if round > 1 && deadline.is_none_or(|deadline| Instant::now() >= deadline) {
                return Ok(records);
            }
            let seed = fresh_seed();
            eprintln!(
                "fuzz: round {round}, {fuzzer}: seed {seed}, {cases} cases per property \
                 (replay: {})",
                fuzzer.replay(seed, cases)
            );
            let run_started = Instant::now();
            let output = cargo()
                .args(["test", "--release", "--quiet"])
                .args(fuzzer.target_args())
                .args(["--", FILTER])
                .env("PROPTEST_CASES", cases.to_string())
                .env("PROPTEST_RNG_SEED", seed.to_string())
                // proptest's backtraces run to thousands of lines of strategy types; the
                // message and the minimal input are what a failure needs.
                .env("RUST_BACKTRACE", "0")
                .current_dir(root)
                .stdin(Stdio::null())
                .output()
                .context("running cargo test")?;
            let seconds = run_started.elapsed().as_secs_f64();
            let passed = output.status.success();
            let n_properties = count_passed(&String::from_utf8_lossy(&output.stdout));
            eprintln!(
                "fuzz: round {round}, {fuzzer}: {} in {seconds:.1} s ({n_properties} properties \
                 passed, {} cases)",
                if passed { "ok" } else { "FAILED" },
                n_properties * cases
            );
            if !passed {
                failed_this_round = true;
                eprintln!("{}", String::from_utf8_lossy(&output.stdout));
                eprintln!("{}", String::from_utf8_lossy(&output.stderr));
                eprintln!("fuzz: replay with: {}", fuzzer.replay(seed, cases));
            }
            records.push(RunRecord {
                fuzzer: fuzzer.to_string(),
                seed,
                n_properties,
                seconds,
                passed,
            });
        }
        if failed_this_round || deadline.is_none() {
            return Ok(records);
        }
    }
}

/// The number of passed tests in libtest's `test result:` lines.
fn count_passed(stdout: &str) -> u64 {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test result: "))
        .filter_map(|rest| {
            let (_, after) = rest.split_once(". ")?;
            let (count, _) = after.split_once(" passed")?;
            count.trim().parse::<u64>().ok()
        })
        .sum()
}

fn summarize(records: &[RunRecord], cases: u64) {
    let mut text = String::new();
    let n_cases: u64 = records.iter().map(|r| r.n_properties * cases).sum();
    let seconds: f64 = records.iter().map(|r| r.seconds).sum();
    let _ = writeln!(
        text,
        "fuzz: {} runs, {n_cases} cases in {seconds:.0} s; seeds:",
        records.len()
    );
    for record in records {
        let _ = writeln!(
            text,
            "  {:<32} seed {:<20} {:>3} properties x {cases} cases  {:>7.1} s  {}",
            record.fuzzer,
            record.seed,
            record.n_properties,
            record.seconds,
            if record.passed { "ok" } else { "FAILED" }
        );
    }
    eprint!("{text}");
}

/// A seed no earlier run used: std's per-process random hash keys, the time and the process.
fn fresh_seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// `cargo`, as the one running the xtask (`CARGO`), or from `PATH`. Standard input is closed:
/// a build may run `rustc -`, which would read whatever the xtask's standard input holds.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.stdin(Stdio::null());
    command
}

/// `cargo +nightly ARGS` through rustup's proxy on `PATH` (`CARGO` names one toolchain's cargo,
/// which takes no `+nightly`), standard input closed.
fn nightly_cargo(args: &[&str]) -> Command {
    let mut command = Command::new("cargo");
    command.arg("+nightly").args(args).stdin(Stdio::null());
    command
}

/// The cargo-fuzz targets of `fuzz/`, runnable with a nightly toolchain and cargo-fuzz.
struct LibFuzzer {
    dir: PathBuf,
    targets: Vec<String>,
}

impl LibFuzzer {
    /// The targets, or why they cannot run here.
    fn detect(root: &Path) -> Result<LibFuzzer, String> {
        let dir = root.join("fuzz");
        let nightly = nightly_cargo(&["--version"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !nightly {
            return Err("no nightly toolchain (`rustup toolchain install nightly`)".to_owned());
        }
        let list = nightly_cargo(&["fuzz", "list"])
            .current_dir(&dir)
            .stderr(Stdio::null())
            .output();
        match list {
            Ok(output) if output.status.success() => {
                let targets = String::from_utf8_lossy(&output.stdout)
                    .lines()
                    .map(str::trim)
                    .filter(|line| !line.is_empty())
                    .map(str::to_owned)
                    .collect();
                Ok(LibFuzzer { dir, targets })
            }
            _ => Err("cargo-fuzz is not installed (`cargo install cargo-fuzz`)".to_owned()),
        }
    }

    /// Runs every target, `minutes` shared among them, or `runs` inputs each without a limit.
    fn run(&self, runs: u64, minutes: Option<f64>) -> Result<()> {
        let n_targets = u32::try_from(self.targets.len().max(1)).unwrap_or(u32::MAX);
        for target in &self.targets {
            let seed = u32::try_from(fresh_seed() >> 33).unwrap_or(1).max(1);
            let limit = match minutes {
                Some(m) => format!(
                    "-max_total_time={}",
                    ((m * 60.0) / f64::from(n_targets)).ceil().max(1.0)
                ),
                None => format!("-runs={runs}"),
            };
            eprintln!(
                "fuzz: libFuzzer {target}: seed {seed} (replay: cd fuzz && cargo +nightly fuzz \
                 run -O {target} -- -seed={seed} {limit} -detect_leaks=0)"
            );
            let started = Instant::now();
            // Thread pools outlive a run of line_reader: leak detection would stop it.
            let status = nightly_cargo(&["fuzz", "run", "-O", target, "--"])
                .arg(format!("-seed={seed}"))
                .arg(&limit)
                .arg("-detect_leaks=0")
                .current_dir(&self.dir)
                .status()
                .context("running cargo fuzz")?;
            eprintln!(
                "fuzz: libFuzzer {target}: {} in {:.0} s",
                if status.success() { "ok" } else { "FAILED" },
                started.elapsed().as_secs_f64()
            );
            if !status.success() {
                bail!(
                    "libFuzzer target {target} failed; its input is under fuzz/artifacts/{target}/"
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fuzz_module_declarations() {
        assert!(declares_fuzz_module("mod a;\nmod fuzz;\n"));
        assert!(declares_fuzz_module("  pub mod fuzz {\n}"));
        assert!(declares_fuzz_module("#[cfg(test)] mod fuzz;"));
        assert!(!declares_fuzz_module("mod fuzzing;\n// mod fuzz;"));
        assert!(!declares_fuzz_module("mod fuzz_support;"));
    }

    #[test]
    fn counts_passed_tests() {
        let stdout = "running 2 tests\n..\ntest result: ok. 2 passed; 0 failed; 0 ignored\n";
        assert_eq!(count_passed(stdout), 2);
        assert_eq!(
            count_passed("test result: FAILED. 1 passed; 1 failed;\n"),
            1
        );
    }

    #[test]
    fn fresh_seeds_differ() {
        assert_ne!(fresh_seed(), fresh_seed());
    }
}
