#!/usr/bin/env python3
"""Throughput and memory of nucleus_rs on engines, with the CLI as the baseline in the same run.

Measures on one JSON Lines file, each in a fresh worker process (one thread):

- cli:          `nucleus check --jobs 1 FILE` (the baseline: the CLI's single-thread check);
- arrow-check:  CheckState(jobs=1).update_arrow over the file's lines as Arrow batches of
                16 MB (what a Spark or Ray worker runs; the clock runs only inside update_arrow
                and finish, as the engine hands batches over);
- str-check:    CheckState(jobs=1).update over the same lines as Python strings (the recipe
                before Arrow, for comparison);
- arrow-profile: ProfileState.update_arrow over the same batches;

and reports records/s (non-blank lines per second of wall time), the ratio to the CLI, the
worker's peak resident memory (interpreter, pyarrow, one batch and the state: the memory per
worker) and the pickled state's size (what the worker sends back). With --engines, it also runs
nucleus_rs.spark / .ray / .dask .check end to end on `--workers` local workers and reports
records/s per worker (including the engine's own overhead: startup excluded, reading
included).

    cargo build --release -p nucleus-cli
    cargo xtask gen-large --lines 1000000          # target/large-1000000.jsonl
    python scripts/python/bench_engines.py target/large-1000000.jsonl --repeat 3 [--engines]

Needs nucleus_rs (the release wheel) and pyarrow in the running Python; --engines needs
scripts/python/requirements-engines.txt. Run it on an otherwise idle machine: the figures in
the README come from one run of this script, baseline included.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BATCH_BYTES = 16 << 20


def batches(path):
    """The file's lines in blocks of about BATCH_BYTES cut at newlines (bytes)."""
    with open(path, "rb") as f:
        carry = b""
        while True:
            chunk = f.read(BATCH_BYTES)
            if not chunk:
                break
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            carry = data[cut:]
            if cut:
                yield data[:cut]
        if carry:
            yield carry


def worker(mode, path):
    """Runs one measurement in this process and prints a JSON line. As in an engine's worker,
    the input comes a batch at a time (16 MB); only the state's updates and finish are timed."""
    import pickle

    import nucleus_rs
    from nucleus_rs._shards import lines_array

    if mode == "arrow-profile":
        state = nucleus_rs.ProfileState()
    else:
        state = nucleus_rs.CheckState(jobs=1)
    seconds = 0.0
    for block in batches(path):
        if mode == "str-check":
            given = block.decode("utf-8", errors="replace").splitlines()
            started = time.perf_counter()
            state.update(given)
        else:
            given = lines_array(block)
            started = time.perf_counter()
            state.update_arrow(given)
        seconds += time.perf_counter() - started
    started = time.perf_counter()
    result = state.finish()
    seconds += time.perf_counter() - started
    items = result["n_lines"] if mode == "arrow-profile" else result.summary["items"]
    print(json.dumps({
        "mode": mode,
        "seconds": seconds,
        "items": items,
        "state_bytes": len(pickle.dumps(state)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def run_worker(mode, path):
    out = subprocess.run([sys.executable, __file__, "--worker", mode, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def run_cli(cli, path):
    started = time.perf_counter()
    run = subprocess.run(
        ["/usr/bin/time", "-f", "%M", cli, "check", "--jobs", "1", "--format", "json", str(path)],
        capture_output=True, text=True, check=False,
    )
    seconds = time.perf_counter() - started
    summary = json.loads(run.stdout.splitlines()[-1])["summary"]
    peak_kb = int(run.stderr.strip().splitlines()[-1])
    return {"mode": "cli", "seconds": seconds, "items": summary["items"], "state_bytes": None, "peak_rss_mb": peak_kb / 1024}


def run_engines(path, workers):
    """End-to-end helpers on local engines: each is warmed up on the file's first 1,000 lines
    (engine start, worker processes, imports), then timed on the whole file."""
    import logging
    import tempfile

    import nucleus_rs

    size = Path(path).stat().st_size
    with open(path, "rb") as f:
        head = b"".join(line for _, line in zip(range(1000), f))
    warm = Path(tempfile.mkdtemp()) / "warm.jsonl"
    warm.write_bytes(head)
    runs = {}

    import dask

    with dask.config.set(num_workers=workers):
        blocksize = max(size // (4 * workers), 1 << 20)  # four blocks per worker
        nucleus_rs.dask.check(warm, scheduler="processes")
        started = time.perf_counter()
        result = nucleus_rs.dask.check(path, blocksize=blocksize, scheduler="processes")
        runs["dask"] = (result, time.perf_counter() - started)
    import ray

    ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        nucleus_rs.ray.check(warm)
        started = time.perf_counter()
        result = nucleus_rs.ray.check(path)
        runs["ray"] = (result, time.perf_counter() - started)
    finally:
        ray.shutdown()
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = SparkSession.builder.master(f"local[{workers}]").config("spark.ui.enabled", "false").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        nucleus_rs.spark.check(str(warm), spark=spark)
        started = time.perf_counter()
        result = nucleus_rs.spark.check(str(path), spark=spark)
        runs["spark"] = (result, time.perf_counter() - started)
    finally:
        spark.stop()
    return [
        {"mode": f"{name} ({workers} workers)", "seconds": seconds, "items": result.summary["items"],
         "per_worker": result.summary["items"] / seconds / workers}
        for name, (result, seconds) in runs.items()
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", help="JSON Lines file (default: target/large-1000000.jsonl)")
    parser.add_argument("--cli", default=str(ROOT / "target" / "release" / "nucleus"), help="the nucleus binary (a release build)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is kept")
    parser.add_argument("--engines", action="store_true", help="also run the Spark, Ray and Dask helpers end to end")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--worker", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    path = Path(args.path or ROOT / "target" / "large-1000000.jsonl")
    if not path.exists():
        sys.exit(f"{path} does not exist: cargo xtask gen-large --lines 1000000")
    if not (Path(args.cli).exists() or shutil.which(args.cli)):
        sys.exit(f"{args.cli} does not exist: cargo build --release -p nucleus-cli")

    rows = []
    for mode in ["cli", "arrow-check", "str-check", "arrow-profile"]:
        runs = [run_cli(args.cli, path) if mode == "cli" else run_worker(mode, path) for _ in range(args.repeat)]
        best = min(runs, key=lambda run: run["seconds"])
        best["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
        rows.append(best)
    baseline = rows[0]["items"] / rows[0]["seconds"]
    print(f"# {path.name}: {path.stat().st_size / 1e6:.0f} MB, {rows[0]['items']} items; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"# best of {args.repeat}; one thread each; records/s = items / wall seconds")
    print("| measurement | seconds | records/s | vs CLI | peak RSS (MB) | state (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        rate = row["items"] / row["seconds"]
        state = "" if row["state_bytes"] is None else f"{row['state_bytes'] / 1e6:.1f}"
        print(f"| {row['mode']} | {row['seconds']:.2f} | {rate:,.0f} | {rate / baseline:.2f} | {row['peak_rss_mb']:.0f} | {state} |")
    if args.engines:
        engine_rows = run_engines(path, args.workers)
        print("| engine (end to end) | seconds | records/s per worker | vs CLI | | |")
        for row in engine_rows:
            print(f"| {row['mode']} | {row['seconds']:.2f} | {row['per_worker']:,.0f} | {row['per_worker'] / baseline:.2f} | | |")
        rows.extend(engine_rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
