//! Repository chores, run as `cargo xtask <task>`.
//!
//! Tasks:
//! - `fuzz [--cases N] [--minutes M]`: run every proptest fuzzer of the workspace in release
//!   mode with `N` cases per property and a fresh, printed seed per run, in rounds until `M`
//!   minutes are used; and the cargo-fuzz targets of `fuzz/` when nightly and cargo-fuzz exist.
//! - `gen-examples [--check]`: write `examples/items.jsonl` (realistic valid items),
//!   `examples/mistakes.jsonl` and `examples/mistakes.md`, and the annotation mistakes
//!   (`examples/annotations/mistakes.jsonl`, `prediction-mistakes.jsonl`, `mistakes.md`, and
//!   the mask files of `examples/annotations/masks/` that two of its lines point to);
//!   `--check` only compares and fails when a file is stale.
//! - `gen-large --lines N [--mode realistic|worst|examples] [--ascii-escapes] [--raw-utf8]
//!   [--annotations] [--seed S] [--out PATH]`: benchmark input (default output `target/large-N….jsonl`):
//!   a test fleet's camera frames as Python's `json.dumps` writes them with about 1% mistakes
//!   (`realistic`, the default; see `fleet.rs`), the same with a mistake on every line (`worst`),
//!   or the generator of `examples/items.jsonl` scaled up (`examples`: compact, all valid).
//!   `--annotations` writes instead one box annotation per item of the same file (its
//!   reference id, inside the image, about 1% with a mistake; default output
//!   `target/large-N…-annotations.jsonl`): the input of `check --annotations --items`.
//! - `gen-media --images N --out-dir DIR --items FILE`: N small PNG and JPEG files (one in
//!   1,000 broken) under DIR and the items pointing at them (`media.rs`), the input of
//!   `check --probe-media --media-dir DIR`.
//! - `parse-baseline FILE`: parse every line with `serde_json::from_str::<Value>` and print the
//!   time, the baseline the `nucleus` commands are compared with in BENCHMARKS.md.
//! - `bench [ARGS]`: build the release binaries and run `scripts/bench/bench.py`, which
//!   measures every published figure against its baselines and rewrites the tables of
//!   BENCHMARKS.md and README.md (`bench.rs`).
//! - `kernel NAME ARGS`: the Rust kernels that the bench times (`bench.rs`).
//! - `schemas [--check]`: write `schemas/*.schema.json` from the nucleus-schema catalog;
//!   `--check` only compares and fails, naming the stale file.

mod annotation_mistakes;
mod bench;
mod fleet;
mod fuzz;
mod items;
mod media;
mod mistakes;
mod pyjson;
mod rng;
mod schemas;

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};

// The CLI's allocator, so that the serde_json baseline and the kernels allocate as it does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Number of items in `examples/items.jsonl`: above 250 so that a key with a distinct value per
/// item (`capture_id`) is not categorical, as in a real dataset.
const N_EXAMPLE_ITEMS: u64 = 300;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  fuzz [--cases N] [--minutes M]    run every fuzzer in release mode, N cases per property
                                    (default 10000), fresh printed seeds, rounds until M minutes
  gen-examples [--check]            write examples/items.jsonl, mistakes.jsonl, mistakes.md and
                                    examples/annotations/*mistakes.jsonl, mistakes.md, masks/
  gen-large --lines N [--mode M] [--ascii-escapes] [--raw-utf8] [--annotations] [--seed S]
            [--out PATH]
                                    write N generated items (default target/large-N….jsonl);
                                    M: realistic (default: a fleet's camera frames as
                                    json.dumps writes them, ~1% mistakes), worst (a mistake on
                                    every line), examples (examples/items.jsonl scaled up);
                                    --ascii-escapes: German and Japanese keys and reference ids
                                    (\\u escapes), ref_id, null locations; --raw-utf8: write
                                    non-ASCII as UTF-8 (json.dumps(ensure_ascii=False));
                                    --annotations: one box annotation per item instead
  gen-media --images N --out-dir DIR --items FILE
                                    write N small PNG/JPEG files (1 in 1,000 broken) under
                                    DIR and the items pointing at them (s3://bench-media/…,
                                    read with --media-dir DIR)
  parse-baseline FILE               time serde_json::from_str::<Value> over FILE's lines (the
                                    baseline of `check` in BENCHMARKS.md)
  bench [ARGS]                      release build, then scripts/bench/bench.py ARGS: every
                                    figure of BENCHMARKS.md and README.md with its baselines
                                    (`cargo xtask bench --help` lists ARGS)
  kernel NAME ARGS                  the Rust kernels the bench times (see xtask/src/bench.rs)
  schemas [--check]                 write schemas/*.schema.json (--check: fail when stale)
  help                              show this text";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<()> {
    let mut args = args.into_iter();
    let task = args.next().unwrap_or_default();
    let rest: Vec<String> = args.collect();
    match task.as_str() {
        "fuzz" => fuzz::run(&rest),
        "gen-examples" => gen_examples(&rest),
        "gen-large" => gen_large(&rest),
        "gen-media" => media::gen_media(&rest),
        "parse-baseline" => match rest.as_slice() {
            [path] => bench::parse_value(Path::new(path)),
            _ => bail!("usage: cargo xtask parse-baseline FILE"),
        },
        "bench" => bench::run(&project_root(), &rest),
        "kernel" => bench::kernel(&rest),
        "schemas" => schemas::run(&rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        "" => bail!("no task given\n\n{USAGE}"),
        other => bail!("unknown task `{other}`\n\n{USAGE}"),
    }
}

/// The workspace root (xtask lives one level below it).
/// The checkout `cargo xtask` was run in. `cargo run` sets `CARGO_MANIFEST_DIR` for the
/// process, and that wins over the compile-time value: two checkouts sharing one target directory
/// share the xtask binary too (cargo may find it fresh), and a task must work on the checkout it
/// was called from, not the one that built it.
fn project_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir
        .parent()
        .map_or_else(|| manifest_dir.clone(), Path::to_path_buf)
}

fn gen_examples(args: &[String]) -> Result<()> {
    let check = match args {
        [] => false,
        [flag] if flag == "--check" => true,
        _ => bail!("gen-examples takes only `--check`, got {args:?}"),
    };
    let mut items = Vec::new();
    for index in 0..N_EXAMPLE_ITEMS {
        serde_json::to_writer(&mut items, &items::item(index))?;
        items.push(b'\n');
    }
    let root = project_root();
    let files = [
        ("examples/items.jsonl", items),
        ("examples/mistakes.jsonl", mistakes::jsonl().into_bytes()),
        ("examples/mistakes.md", mistakes::markdown().into_bytes()),
        (
            "examples/annotations/mistakes.jsonl",
            annotation_mistakes::annotations_jsonl().into_bytes(),
        ),
        (
            "examples/annotations/prediction-mistakes.jsonl",
            annotation_mistakes::predictions_jsonl().into_bytes(),
        ),
        (
            "examples/annotations/mistakes.md",
            annotation_mistakes::markdown().into_bytes(),
        ),
    ];
    let masks = annotation_mistakes::masks()?;
    let files: Vec<(&str, Vec<u8>)> = files.into_iter().chain(masks).collect();
    let mut stale = Vec::new();
    for (relative, contents) in &files {
        let path = root.join(relative);
        let current = fs::read(&path).ok();
        if current.as_deref() == Some(contents.as_slice()) {
            continue;
        }
        if check {
            stale.push(*relative);
        } else {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {relative} ({} bytes)", contents.len());
        }
    }
    if !stale.is_empty() {
        bail!(
            "stale generated files: {}; run `cargo xtask gen-examples`",
            stale.join(", ")
        );
    }
    Ok(())
}

fn gen_large(args: &[String]) -> Result<()> {
    let mut n_lines: Option<u64> = None;
    let mut out: Option<PathBuf> = None;
    let mut mode = "realistic".to_owned();
    let mut annotations = false;
    let mut options = fleet::Options {
        seed: fleet::DEFAULT_SEED,
        mode: fleet::Mode::Realistic,
        ascii_escapes: false,
        raw_utf8: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--lines" => {
                let value = args.next().context("`--lines` needs a number")?;
                let parsed = value
                    .replace('_', "")
                    .parse()
                    .with_context(|| format!("`--lines {value}`: expected a whole number"))?;
                n_lines = Some(parsed);
            }
            "--out" => out = Some(PathBuf::from(args.next().context("`--out` needs a path")?)),
            "--mode" => mode = args.next().context("`--mode` needs a value")?.clone(),
            "--seed" => {
                let value = args.next().context("`--seed` needs a number")?;
                options.seed = value
                    .parse()
                    .with_context(|| format!("`--seed {value}`: expected a whole number"))?;
            }
            "--ascii-escapes" => options.ascii_escapes = true,
            "--raw-utf8" => options.raw_utf8 = true,
            "--annotations" => annotations = true,
            other => bail!("gen-large: unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    let n_lines = n_lines.context("gen-large needs `--lines N`")?;
    match mode.as_str() {
        "realistic" => options.mode = fleet::Mode::Realistic,
        "worst" => options.mode = fleet::Mode::Worst,
        "examples" if !options.ascii_escapes && !options.raw_utf8 => {}
        "examples" if annotations => {
            bail!("`--annotations` go with the fleet's items: no `--mode examples`")
        }
        "examples" => {
            bail!("`--mode examples` writes compact ASCII JSON: no --ascii-escapes or --raw-utf8")
        }
        other => bail!("`--mode {other}`: expected realistic, worst or examples"),
    }
    let out = out.unwrap_or_else(|| {
        let mut name = format!("large-{n_lines}");
        if mode != "realistic" {
            name.push('-');
            name.push_str(&mode);
        }
        if options.ascii_escapes {
            name.push_str("-escapes");
        }
        if options.raw_utf8 {
            name.push_str("-utf8");
        }
        if annotations {
            name.push_str("-annotations");
        }
        project_root().join("target").join(format!("{name}.jsonl"))
    });
    if let Some(dir) = out.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }

    let started = Instant::now();
    let file = fs::File::create(&out).with_context(|| format!("creating {}", out.display()))?;
    let mut writer = CountingWriter {
        inner: BufWriter::with_capacity(1 << 20, file),
        n_bytes: 0,
    };
    for index in 0..n_lines {
        if annotations {
            writer.write_all(fleet::box_annotation(options, index).as_bytes())?;
        } else if mode == "examples" {
            serde_json::to_writer(&mut writer, &items::item(index))?;
        } else {
            writer.write_all(fleet::line(options, index).as_bytes())?;
        }
        writer.write_all(b"\n")?;
    }
    writer
        .flush()
        .with_context(|| format!("writing {}", out.display()))?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "wrote {} ({n_lines} lines, {} bytes, {:.1} MB) in {seconds:.1} s",
        out.display(),
        writer.n_bytes,
        writer.n_bytes as f64 / 1e6
    );
    Ok(())
}

/// A writer that counts the bytes it passes on, so the report needs no second `stat`.
struct CountingWriter<W> {
    inner: W,
    n_bytes: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n_written = self.inner.write(buf)?;
        self.n_bytes += n_written as u64;
        Ok(n_written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
