#!/usr/bin/env python3
"""Every published figure with its baselines, in one run: `cargo xtask bench` (which builds the
release binaries first and then runs this script with the same arguments).

Each case is a command run as its own process, --runs times (after --warmup untimed runs), the
cases of a group interleaved round by round so that a baseline and what it is compared with see
the same machine. For each run the script records the wall time, the CPU time (user + system,
from wait4's rusage of that child) and the peak RSS of the child; a child that times its own work
(a kernel, a Python task) prints `BENCH {json}` and its own wall and CPU time are used instead
(they leave out the process start, the interpreter and the setup: in the baseline's favour where
the baseline is Python). Tables give the median and the min–max over the runs.

Results go to bench/results.json; the tables of BENCHMARKS.md and the figures of README.md are
rewritten from it (between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`). A run of some groups
replaces only those groups' cases in the results file and keeps the others; each group records
its own date, command, settings, inputs, machine and load, and each section of the docs says
when and how it was measured.

    cargo xtask bench                          # everything, 5 runs, 1,000,000 lines
    cargo xtask bench --groups check,project --runs 7
    cargo xtask bench --lines 1000 --points 10000 --cloud-points 1000 --runs 1 --out target/smoke.json
    cargo xtask bench --render                 # only rewrite the docs from bench/results.json
    cargo xtask bench --check                  # fail when the docs differ from bench/results.json

Groups: check (nucleus check vs a serde_json::Value parse, Rust only), commands (payload,
profile, query vs the same parse and DuckDB), python (nucleus_rs.check vs the SDK loop),
project (Rust batch vs a fair straightforward Rust loop; nucleus_rs vs cv2 and NumPy),
pointcloud (the reader `render` uses vs serde_json::Value), probe (check --probe-media on
--images local files through --media-dir and --remote-images over loopback HTTP vs the same check
without probing), engines (CheckState from Arrow batches vs `check -j1`; nucleus_rs.spark, .ray
and .dask end to end), annotations (check --annotations against the items vs check of the items).
The Python groups (python, project, engines, and DuckDB in commands) need a virtualenv: the
script creates target/bench-venv with pip (scale-nucleus, numpy, opencv-python-headless, duckdb,
maturin; for engines also scripts/python/requirements-engines.txt) and builds nucleus_rs into it
with maturin (release).
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import shlex
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results.json"
DOCS = {"BENCHMARKS.md": ROOT / "BENCHMARKS.md", "README.md": ROOT / "README.md"}
GROUPS = ["check", "commands", "python", "project", "pointcloud", "probe", "engines", "annotations"]
PYTHON_GROUPS = {"commands", "python", "project", "engines"}
PY_PACKAGES = ["maturin>=1.9.4,<2", "numpy", "opencv-python-headless", "scale-nucleus", "duckdb"]
ENGINE_REQUIREMENTS = ROOT / "scripts" / "python" / "requirements-engines.txt"
ENGINE_PACKAGES = ["pyarrow", "pyspark", "ray", "dask"]
# The flags of `nucleus check` that probe remote locations where they live (over HTTP here).
PROBE_REMOTE = ["--probe-remote"]
# Local probing: remote locations read from a mirror directory, no network.
PROBE_LOCAL = ["--probe-media", "--media-dir"]
# Workers of the engines' local runs (Spark local[2], ray.init(num_cpus=2), Dask's 2 processes).
ENGINE_WORKERS = 2
QUERY = 'metadata.weather = "rain"'
DEFAULTS = {"runs": 5, "warmup": 1, "lines": 1_000_000, "points": 1_000_000, "cloud_points": 1_000_000,
            "images": 100_000, "remote_images": 10_000}


def release(name):
    return str(pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / name)


# ---------------------------------------------------------------------------------------------
# Running and measuring


def proc_cpu_s(pid):
    """User + system CPU seconds of a running process (a server the cases talk to)."""
    try:
        stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(argv, capture, server=None):
    # Popen.communicate waits for the child itself; read the pipes by hand and reap with wait4.
    stdout = subprocess.PIPE if capture else subprocess.DEVNULL
    server_started = proc_cpu_s(server) if server else None
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    out = child.stdout.read() if capture else b""
    err = child.stderr.read()
    _, status, rusage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    server_ended = proc_cpu_s(server) if server else None
    report = None
    for line in out.decode(errors="replace").splitlines():
        if line.startswith("BENCH "):
            report = json.loads(line[len("BENCH "):])
    return {
        "process_wall_s": wall,
        "process_cpu_s": rusage.ru_utime + rusage.ru_stime,
        "maxrss_kb": rusage.ru_maxrss,
        "exit": child.returncode,
        "report": report,
        "stderr_tail": err.decode(errors="replace")[-400:],
        "server_cpu_s": None if server_started is None or server_ended is None else server_ended - server_started,
    }


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def run_group(cases, runs, warmup):
    """Interleaves the cases of one group: warm-up rounds, then `runs` measured rounds."""
    for _ in range(warmup):
        for case in cases:
            outcome = run_once(case["argv"], case["inner"], case.get("server"))
            check_outcome(case, outcome)
    for round_idx in range(runs):
        for case in cases:
            outcome = run_once(case["argv"], case["inner"], case.get("server"))
            check_outcome(case, outcome)
            case.setdefault("runs", []).append(outcome)
            print(f"  [{round_idx + 1}/{runs}] {case['id']}: {seconds_of(case, outcome):.3f} s", file=sys.stderr)


def check_outcome(case, outcome):
    if case["inner"] and (outcome["report"] is None or "error" in outcome["report"]):
        raise SystemExit(f"{case['id']}: no BENCH report (exit {outcome['exit']}): {outcome['stderr_tail']}")
    if outcome["exit"] not in case.get("exits", (0,)):
        raise SystemExit(f"{case['id']}: exit {outcome['exit']}: {outcome['stderr_tail']}")


def seconds_of(case, outcome):
    return outcome["report"]["wall_s"] if case["inner"] else outcome["process_wall_s"]


def summarise(case):
    runs = case["runs"]
    inner = case["inner"]
    items = [r["report"].get("items") for r in runs if r["report"]] or [case.get("items")]
    summarised = {
        "id": case["id"],
        "group": case["group"],
        "label": case["label"],
        "command": " ".join(shlex.quote(str(a)) for a in case["argv"]),
        "timing": "self-timed (work only)" if inner else "whole process",
        "input": case.get("input"),
        "items": items[-1] if items[-1] is not None else case.get("items"),
        "bytes": (runs[-1]["report"] or {}).get("bytes") if inner else None,
        "wall_s": summary([r["report"]["wall_s"] if inner else r["process_wall_s"] for r in runs]),
        "cpu_s": summary([r["report"]["cpu_s"] if inner else r["process_cpu_s"] for r in runs]),
        "process_wall_s": summary([r["process_wall_s"] for r in runs]),
        "peak_rss_mb": summary([r["maxrss_kb"] / 1024 for r in runs]),
        "extra": {k: v for k, v in (runs[-1]["report"] or {}).items() if k not in ("wall_s", "cpu_s")},
        "runs": [{"wall_s": seconds_of(case, r), "cpu_s": r["report"]["cpu_s"] if inner else r["process_cpu_s"],
                  "peak_rss_mb": r["maxrss_kb"] / 1024} for r in runs],
    }
    if case.get("server"):
        summarised["server_cpu_s"] = summary([r["server_cpu_s"] for r in runs])
    return summarised


# ---------------------------------------------------------------------------------------------
# Inputs and the environment


def machine():
    model = "?"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    rustc = subprocess.run(stdin=subprocess.DEVNULL, args=["rustc", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cpu_model": model,
        "nproc": os.cpu_count(),
        "memory_gib": memory_gib,
        "kernel": platform.release(),
        "rustc": rustc,
        "python": platform.python_version(),
        "load_average_before": os.getloadavg(),
    }


def count_lines(path):
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def make_input(inputs, name, flags, lines):
    path = ROOT / "target" / "bench-inputs" / f"{name}-{lines}.jsonl"
    argv = [release("xtask"), "gen-large", "--lines", str(lines), *flags, "--out", str(path)]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(stdin=subprocess.DEVNULL, args=argv, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    inputs[name] = {
        "path": str(path),
        "command": "cargo xtask gen-large " + " ".join(["--lines", str(lines), *flags]),
        "bytes": path.stat().st_size,
        "lines": count_lines(path),
    }
    return str(path)


def make_pointcloud(inputs, points):
    path = ROOT / "target" / "bench-inputs" / f"cloud-{points}.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(stdin=subprocess.DEVNULL, args=[release("xtask"), "kernel", "write-pointcloud", str(points), str(path)], check=True, cwd=ROOT)
    inputs["cloud"] = {
        "path": str(path),
        "command": f"cargo xtask kernel write-pointcloud {points} FILE",
        "bytes": path.stat().st_size,
        "lines": 1,
        "points": points,
    }
    return str(path)


def ensure_venv(build, engines):
    """target/bench-venv with the baselines' packages (and the engines') and nucleus_rs;
    returns its python and the versions of the packages measured."""
    venv = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "bench-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run(stdin=subprocess.DEVNULL, args=[sys.executable, "-m", "venv", str(venv)], check=True)
    requirements = ["-r", str(ENGINE_REQUIREMENTS)] if engines else []
    subprocess.run(stdin=subprocess.DEVNULL, args=[str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PY_PACKAGES,
                                                   *requirements], check=True)
    env = dict(os.environ, VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}:{os.environ['PATH']}")
    flags = ["--release"] if build == "release" else []
    subprocess.run(stdin=subprocess.DEVNULL, args=[str(venv / "bin" / "maturin"), "develop", "--quiet", *flags,
                    "--manifest-path", str(ROOT / "crates" / "nucleus-py" / "Cargo.toml")], check=True, env=env)
    names = ["scale-nucleus", "numpy", "opencv-python-headless", "duckdb", "nucleus_rs"] + (ENGINE_PACKAGES if engines else [])
    versions = subprocess.run(stdin=subprocess.DEVNULL, args=[str(python), "-c", (
        f"import importlib.metadata as m, json; print(json.dumps({{p: m.version(p) for p in {names!r}}}))")],
        capture_output=True, text=True, check=True).stdout
    return str(python), json.loads(versions)


# ---------------------------------------------------------------------------------------------
# The cases


def plan(args, group_inputs, python, servers):
    """The cases of each group asked for; each group's inputs go to group_inputs[group], and a
    server the cases need is started and appended to `servers` (stopped by the caller)."""
    nucleus, xtask = release("nucleus"), release("xtask")
    side = str(ROOT / "scripts" / "bench" / "python_side.py")
    groups = {}
    lines = args.lines
    # `check` exits 1 when it finds errors: every input but the clean one has some.
    findings = (0, 1)
    if "check" in args.groups:
        inputs = group_inputs.setdefault("check", {})
        cases = []
        for name, flags in [("realistic", []), ("worst", ["--mode", "worst"]),
                            ("escapes", ["--ascii-escapes"]), ("escapes-utf8", ["--ascii-escapes", "--raw-utf8"])]:
            path = make_input(inputs, name, flags, lines)
            cases += [
                {"id": f"check/{name}/baseline", "label": "baseline: `serde_json::from_str::<Value>` per line, one thread",
                 "argv": [xtask, "parse-baseline", path], "inner": False},
                {"id": f"check/{name}/j1", "label": "`nucleus check -j1`", "argv": [nucleus, "check", "-j1", path],
                 "inner": False, "exits": findings},
                {"id": f"check/{name}/j2", "label": "`nucleus check -j2`", "argv": [nucleus, "check", "-j2", path],
                 "inner": False, "exits": findings},
            ]
        for case in cases:
            case["group"], case["input"] = "check", case["id"].split("/")[1]
        groups["check"] = cases
    if "commands" in args.groups:
        inputs = group_inputs.setdefault("commands", {})
        path = make_input(inputs, "realistic", [], lines)
        cases = [
            {"id": "commands/baseline", "label": "baseline: `serde_json::from_str::<Value>` per line, one thread",
             "argv": [xtask, "parse-baseline", path], "inner": False},
            {"id": "commands/payload", "label": "`nucleus payload -j1` (output discarded)",
             "argv": [nucleus, "payload", "-j1", path], "inner": False, "exits": findings},
            {"id": "commands/profile", "label": "`nucleus profile -j1 --format none`",
             "argv": [nucleus, "profile", "-j1", "--format", "none", path], "inner": False, "exits": findings},
            {"id": "commands/profile-j2", "label": "`nucleus profile -j2 --format none`",
             "argv": [nucleus, "profile", "-j2", "--format", "none", path], "inner": False, "exits": findings},
            {"id": "commands/query", "label": f"`nucleus query -j1 --count FILE '{QUERY}'`",
             "argv": [nucleus, "query", "-j1", "--count", path, QUERY], "inner": False, "exits": findings},
            {"id": "commands/query-j2", "label": f"`nucleus query -j2 --count FILE '{QUERY}'`",
             "argv": [nucleus, "query", "-j2", "--count", path, QUERY], "inner": False, "exits": findings},
            # Written to a file, as DuckDB's COPY below writes one.
            {"id": "commands/query-write", "label": f"`nucleus query -j1 FILE '{QUERY}' > OUT`",
             "argv": ["sh", "-c", f'"$0" query -j1 "$1" \'{QUERY}\' > "$2"', nucleus, path, str(ROOT / "target" / "bench-inputs" / "query-out.jsonl")],
             "inner": False, "exits": findings},
        ]
        if python:
            for threads in (1, 2):
                plural = "thread" if threads == 1 else "threads"
                cases += [
                    {"id": f"commands/duckdb-profile-t{threads}",
                     "label": f"DuckDB ({threads} {plural}): per-key count, kind, distinct, min/max/mean",
                     "argv": [python, side, "duckdb-profile", path, str(threads)], "inner": True},
                    {"id": f"commands/duckdb-query-t{threads}",
                     "label": f"DuckDB ({threads} {plural}): `count(*) … WHERE weather = 'rain'`",
                     "argv": [python, side, "duckdb-query", path, str(threads)], "inner": True},
                ]
            cases.append(
                {"id": "commands/duckdb-copy-t1",
                 "label": "DuckDB (1 thread): `COPY (SELECT * … WHERE weather = 'rain') TO OUT (FORMAT JSON)`",
                 "argv": [python, side, "duckdb-copy", path, "1", str(ROOT / "target" / "bench-inputs" / "duckdb-out.jsonl")], "inner": True})
        for case in cases:
            case["group"], case["input"] = "commands", "realistic"
        groups["commands"] = cases
    if "python" in args.groups and python:
        inputs = group_inputs.setdefault("python", {})
        cases = []
        for name, flags in [("realistic", []), ("worst", ["--mode", "worst"]), ("escapes", ["--ascii-escapes"])]:
            path = make_input(inputs, name, flags, lines)
            cases += [
                {"id": f"python/{name}/sdk", "label": "SDK loop: `json.loads` + `DatasetItem(...)` + `to_payload()`",
                 "argv": [python, side, "sdk-loop", path], "inner": True},
                {"id": f"python/{name}/j1", "label": "`nucleus_rs.check(path, jobs=1)`",
                 "argv": [python, side, "nucleus-rs-check", path, "1"], "inner": True},
                {"id": f"python/{name}/j2", "label": "`nucleus_rs.check(path, jobs=2)`",
                 "argv": [python, side, "nucleus-rs-check", path, "2"], "inner": True},
            ]
        for case in cases:
            case["group"], case["input"] = "python", case["id"].split("/")[1]
        groups["python"] = cases
    if "project" in args.groups:
        inputs = group_inputs.setdefault("project", {})
        cases = []
        for model in ["pinhole", "brown_conrady", "fisheye"]:
            cases += [
                {"id": f"project/{model}/rust-naive", "label": "Rust: straightforward loop (`benches/common/naive.rs`)",
                 "argv": [xtask, "kernel", "project", model, "naive", str(args.points)], "inner": True},
                {"id": f"project/{model}/rust-batch", "label": "Rust: `CameraParams::project_into`",
                 "argv": [xtask, "kernel", "project", model, "batch", str(args.points)], "inner": True},
            ]
            if python:
                cases += [
                    {"id": f"project/{model}/cv2", "label": "Python: `cv2.fisheye.projectPoints`" if model == "fisheye"
                     else "Python: `cv2.projectPoints`", "argv": [python, side, "project", "cv2", model, str(args.points)],
                     "inner": True},
                    {"id": f"project/{model}/numpy", "label": "Python: vectorised NumPy",
                     "argv": [python, side, "project", "numpy", model, str(args.points)], "inner": True},
                    {"id": f"project/{model}/nucleus_rs", "label": "Python: `nucleus_rs.CameraParams.project`",
                     "argv": [python, side, "project", "nucleus_rs", model, str(args.points)], "inner": True},
                ]
        for case in cases:
            case["group"], case["input"] = "project", case["id"].split("/")[1]
        groups["project"] = cases
    if "pointcloud" in args.groups:
        inputs = group_inputs.setdefault("pointcloud", {})
        path = make_pointcloud(inputs, args.cloud_points)
        groups["pointcloud"] = [
            {"id": "pointcloud/value", "label": "baseline: `fs::read` + `serde_json::from_slice::<Value>`",
             "argv": [xtask, "kernel", "pointcloud", "value", path], "inner": True},
            {"id": "pointcloud/stream", "label": "`pointcloud::for_each_point` on the open file (what `render` does)",
             "argv": [xtask, "kernel", "pointcloud", "stream", path], "inner": True},
        ]
        for case in groups["pointcloud"]:
            case["group"], case["input"] = "pointcloud", "cloud"
    if "probe" in args.groups:
        inputs = group_inputs.setdefault("probe", {})
        media_dir, local = make_media(inputs, args.images)
        server = start_media_server(media_dir)
        servers.append(server)
        remote = make_remote_items(inputs, local, args.remote_images, server.url)
        # The media server's CPU time is recorded beside the remote probing case's own.
        cases = [
            {"id": "probe/local/check", "label": "baseline: `nucleus check` without probing (the same items)",
             "argv": [nucleus, "check", local], "inner": False, "exits": findings},
            {"id": "probe/local/probe", "label": f"`nucleus check {' '.join(PROBE_LOCAL)} DIR` (local files)",
             "argv": [nucleus, "check", *PROBE_LOCAL, media_dir, local], "inner": False, "exits": findings},
            {"id": "probe/remote/check", "label": "baseline: `nucleus check` without probing (the same items)",
             "argv": [nucleus, "check", remote], "inner": False, "exits": findings},
            {"id": "probe/remote/probe", "label": f"`nucleus check {' '.join(PROBE_REMOTE)}` (HTTP on 127.0.0.1)",
             "argv": [nucleus, "check", *PROBE_REMOTE, remote], "inner": False, "exits": findings,
             "server": server.pid},
        ]
        for case in cases:
            case["group"], case["input"] = "probe", "media-" + case["id"].split("/")[1]
        groups["probe"] = cases
    if "engines" in args.groups and python:
        inputs = group_inputs.setdefault("engines", {})
        path = make_input(inputs, "realistic", [], lines)
        cases = [
            {"id": "engines/cli-j1", "label": "baseline: `nucleus check -j1` (the CLI, one worker thread)",
             "argv": [nucleus, "check", "-j1", path], "inner": False, "exits": findings},
            {"id": "engines/arrow-check", "label": "`CheckState(jobs=1).update_arrow` over 16 MB Arrow batches",
             "argv": [python, side, "state", path, "arrow-check"], "inner": True},
            {"id": "engines/str-check", "label": "`CheckState(jobs=1).update` over the same batches as Python `str`s",
             "argv": [python, side, "state", path, "str-check"], "inner": True},
            {"id": "engines/arrow-profile", "label": "`ProfileState().update_arrow` over the same Arrow batches",
             "argv": [python, side, "state", path, "arrow-profile"], "inner": True},
        ]
        for engine, label in [("spark", f"`nucleus_rs.spark.check(path)`, Spark `local[{ENGINE_WORKERS}]`"),
                              ("ray", f"`nucleus_rs.ray.check(path)`, `ray.init(num_cpus={ENGINE_WORKERS})`"),
                              ("dask", f"`nucleus_rs.dask.check(path, scheduler=\"processes\")`, {ENGINE_WORKERS} processes")]:
            cases.append({"id": f"engines/{engine}", "label": label,
                          "argv": [python, side, "engine", path, engine, str(ENGINE_WORKERS)], "inner": True})
        for case in cases:
            case["group"], case["input"] = "engines", "realistic"
        groups["engines"] = cases
    if "annotations" in args.groups:
        inputs = group_inputs.setdefault("annotations", {})
        items = make_input(inputs, "realistic", [], lines)
        annotations = make_input(inputs, "annotations", ["--annotations"], lines)
        cases = [
            {"id": "annotations/check-j1", "label": "baseline: `nucleus check -j1 ITEMS` (items/s)",
             "argv": [nucleus, "check", "-j1", items], "inner": False, "exits": findings, "input": "realistic"},
            {"id": "annotations/check", "label": "`nucleus check ITEMS` (items/s, all CPUs)",
             "argv": [nucleus, "check", items], "inner": False, "exits": findings, "input": "realistic"},
            {"id": "annotations/annotations", "label": "`nucleus check --annotations ANNOTATIONS --items ITEMS` (annotations/s)",
             "argv": [nucleus, "check", "--annotations", annotations, "--items", items], "inner": False,
             "exits": findings, "input": "annotations"},
        ]
        for case in cases:
            case["group"] = "annotations"
        groups["annotations"] = cases
    return groups


class MediaServer:
    """`python_side.py serve-media DIR` in the background (this Python, the standard library's
    ThreadingHTTPServer): the loopback HTTP server of `probe`."""

    def __init__(self, media_dir):
        argv = [sys.executable, str(ROOT / "scripts" / "bench" / "python_side.py"), "serve-media", media_dir]
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, cwd=ROOT)
        line = self.process.stdout.readline().decode().strip()
        if not line.startswith("LISTENING "):
            self.stop()
            raise SystemExit(f"serve-media did not start: {line!r}")
        self.url, self.pid = line.split(" ", 1)[1], self.process.pid

    def stop(self):
        self.process.terminate()
        self.process.wait()


def start_media_server(media_dir):
    return MediaServer(media_dir)


def make_media(inputs, images):
    """`images` small PNG and JPEG files (1 in 1,000 broken) and the items pointing at them."""
    base = ROOT / "target" / "bench-inputs"
    media_dir, items = base / f"media-{images}", base / f"media-{images}.jsonl"
    argv = [release("xtask"), "gen-media", "--images", str(images), "--out-dir", str(media_dir), "--items", str(items)]
    if not items.exists():
        items.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(stdin=subprocess.DEVNULL, args=argv, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    inputs["media-local"] = {
        "path": str(items),
        "command": f"cargo xtask gen-media --images {images} --out-dir target/bench-inputs/media-{images} --items FILE",
        "bytes": items.stat().st_size,
        "lines": count_lines(items),
    }
    return str(media_dir), str(items)


def make_remote_items(inputs, local_items, n_items, url):
    """The first `n_items` items of `local_items` with their locations on the loopback server
    (written again each run: the server's port changes)."""
    path = ROOT / "target" / "bench-inputs" / f"media-remote-{n_items}.jsonl"
    with open(local_items, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as out:
        for _, line in zip(range(n_items), src):
            out.write(line.replace('"s3://bench-media/', f'"{url}/', 1))
    inputs["media-remote"] = {
        "path": str(path),
        "command": inputs["media-local"]["command"],
        "note": (f"its first {n_items:,} items, their locations `http://127.0.0.1:PORT/…` served by "
                 "`scripts/bench/python_side.py serve-media DIR`"),
        "bytes": path.stat().st_size,
        "lines": count_lines(path),
    }
    return str(path)


# ---------------------------------------------------------------------------------------------
# Rendering the docs


def fmt_s(s):
    return "–" if s is None else f"{s['median']:.3g} ({s['min']:.3g}–{s['max']:.3g})"


def fmt_rate(count, s, unit=""):
    if s is None or not count:
        return "–"
    return f"{human(count / s['median'])}{unit} ({human(count / s['max'])}–{human(count / s['min'])})"


def human(value):
    for limit, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def ratio(base, case, key="wall_s"):
    """Throughput of `case` relative to `base` (medians): above 1 means faster. Per item when the
    two count different items (annotations against items), else per run."""
    if not base or not case or not base.get(key) or not case.get(key) or not case[key]["median"]:
        return None
    scale = 1.0
    if base.get("items") and case.get("items") and base["items"] != case["items"]:
        scale = case["items"] / base["items"]
    return scale * base[key]["median"] / case[key]["median"]


def fmt_ratio(value):
    return "–" if value is None else f"{value:.2f}×"


def fmt_rss(rss):
    return "–" if rss is None else f"{rss['median']:.0f} ({rss['min']:.0f}–{rss['max']:.0f})"


def table(results, ids, base_id, unit="items/s"):
    cases = results["cases"]
    base = cases.get(base_id)
    rows = ["| what | wall s | CPU s | " + unit + " (wall) | vs baseline, wall | vs baseline, CPU | peak RSS MB |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for case_id in ids:
        case = cases.get(case_id)
        if case is None:
            continue
        count = case.get("bytes") / 1e6 if unit == "MB/s" else case.get("items")
        rows.append(
            f"| {case['label']} | {fmt_s(case['wall_s'])} | {fmt_s(case['cpu_s'])} | {fmt_rate(count, case['wall_s'])} "
            f"| {'1.00×' if case_id == base_id else fmt_ratio(ratio(base, case))} "
            f"| {'1.00×' if case_id == base_id else fmt_ratio(ratio(base, case, 'cpu_s'))} "
            f"| {fmt_rss(case.get('peak_rss_mb'))} |")
    return "\n".join(rows)


def input_line(results, group, name):
    spec = results["groups"].get(group, {}).get("inputs", {}).get(name)
    if spec is None:
        return ""
    note = f", {spec['note']}" if spec.get("note") else ""
    return f"Input: `{spec['command']}`{note} ({spec['lines']:,} lines, {spec['bytes'] / 1e6:.0f} MB)."


def commands_line(results, ids):
    cases = results["cases"]
    return "\n".join(f"- {cases[i]['label']}: `{short(cases[i]['command'])}` ({cases[i]['timing']})"
                     for i in ids if i in cases)


def short(command):
    return command.replace(str(ROOT) + "/", "")


SMOKE = ("**Smoke run at reduced size or with fewer than 5 runs: these numbers only show that the "
         "machinery works; they are not figures. Run `cargo xtask bench` on a quiet machine.**")


def run_line(results, group):
    """When and how `group` was measured (the first line of its section)."""
    run = results["groups"][group]
    s, m = run["settings"], run["machine"]
    return ((SMOKE + "\n\n" if s.get("smoke") else "")
            + f"Measured {run['generated']} by `{run['command']}`: {s['runs']} runs of each case after "
            f"{s['warmup']} warm-up run(s), interleaved; load average {fmt_load(m.get('load_average_before'))} "
            f"before and {fmt_load(m.get('load_average_after'))} after ({machine_name(m)}).")


def machine_name(m):
    return f"{m['cpu_model']}, {m['nproc']} CPUs"


def not_measured(group):
    return f"Not measured yet: `cargo xtask bench --groups {group}` writes this section."


def render_blocks(results):
    blocks = {"machine": machine_block(results)}
    cases, groups = results["cases"], results["groups"]
    parts = []
    for name, title in [("realistic", "Realistic input (about 1% of the lines have a finding)"),
                        ("worst", "Worst case: every line has a finding"),
                        ("escapes", "German and Japanese keys and reference ids, `\\u` escapes (issue 15)"),
                        ("escapes-utf8", "The same data as raw UTF-8 (no escapes)")]:
        ids = [f"check/{name}/{c}" for c in ("baseline", "j1", "j2")]
        if ids[0] in cases:
            parts.append(f"#### {title}\n\n{input_line(results, 'check', name)}\n\n{table(results, ids, ids[0])}")
    if parts and "check" in groups:
        ids = [i for i in cases if i.startswith("check/realistic/")]
        blocks["check"] = (run_line(results, "check") + "\n\n" + "\n\n".join(parts)
                           + "\n\nCommands (`FILE` is the input):\n\n" + commands_line(results, ids))
    ids = [i for i in cases if i.startswith("commands/")]
    if ids and "commands" in groups:
        blocks["commands"] = (f"{run_line(results, 'commands')}\n\n{input_line(results, 'commands', 'realistic')}\n\n"
                              f"{table(results, ids, 'commands/baseline')}\n\nCommands:\n\n{commands_line(results, ids)}")
    parts = []
    for name in ["realistic", "worst", "escapes"]:
        ids = [f"python/{name}/{c}" for c in ("sdk", "j1", "j2")]
        if ids[0] in cases:
            parts.append(f"#### {name}\n\n{input_line(results, 'python', name)}\n\n{table(results, ids, ids[0])}")
    if parts and "python" in groups:
        ids = [i for i in cases if i.startswith("python/realistic/")]
        blocks["python"] = (run_line(results, "python") + "\n\n" + "\n\n".join(parts) + "\n\nCommands:\n\n"
                            + commands_line(results, ids))
    parts = []
    for model in ["pinhole", "brown_conrady", "fisheye"]:
        ids = [i for i in cases if i.startswith(f"project/{model}/")]
        if ids:
            base = f"project/{model}/cv2" if f"project/{model}/cv2" in cases else f"project/{model}/rust-naive"
            diffs = [f"{cases[i]['label']} {cases[i]['extra']['max_abs_diff_vs_cv2_px']:.1e} px" for i in ids
                     if "max_abs_diff_vs_cv2_px" in cases[i].get("extra", {}) and not i.endswith("/cv2")]
            parts.append(f"#### {model}\n\n{table(results, ids, base, 'points/s')}"
                         + (f"\n\nLargest difference from OpenCV's pixels: {'; '.join(diffs)}." if diffs else ""))
    if parts and "project" in groups:
        points = cases[next(i for i in cases if i.startswith("project/"))]["items"]
        blocks["project"] = (f"{run_line(results, 'project')}\n\n"
                             f"{points:,} points in front of the camera, one thread; after one untimed call, calls are "
                             "repeated until 0.25 s are timed and one call is reported. Baseline: OpenCV where the "
                             "Python side ran, else the Rust loop.\n\n"
                             + "\n\n".join(parts) + "\n\nCommands:\n\n"
                             + commands_line(results, [i for i in cases if i.startswith("project/pinhole/")]))
    ids = [i for i in cases if i.startswith("pointcloud/")]
    if ids and "pointcloud" in groups:
        spec = groups["pointcloud"]["inputs"]["cloud"]
        blocks["pointcloud"] = (f"{run_line(results, 'pointcloud')}\n\n"
                                f"Input: `{spec['command']}`: {spec['points']:,} points, {spec['bytes'] / 1e6:.1f} MB "
                                "of Scale's point-cloud JSON as `json.dumps` writes it.\n\n"
                                f"{table(results, ids, 'pointcloud/value', 'MB/s')}\n\nCommands:\n\n"
                                f"{commands_line(results, ids)}")
    blocks["probe"] = probe_block(results)
    blocks["engines"] = engines_block(results)
    blocks["annotations"] = annotations_block(results)
    blocks["readme"] = readme_block(results)
    blocks.update(readme_engine_blocks(results))
    return blocks


def machine_block(results):
    """Every run the results come from: its command, date, groups, machine and tools."""
    by_run = {}
    for group, run in results["groups"].items():
        by_run.setdefault((run["generated"][:10], run["command"]), []).append((group, run))
    lines = []
    for (day, command), members in by_run.items():
        run = members[-1][1]
        s, m = run["settings"], run["machine"]
        packages = {}
        for _, member in members:
            packages.update(member.get("python_packages", {}))
        lines.append(
            f"- {', '.join(g for g, _ in members)}: {day} with `{command}`"
            + (" (**smoke run, not figures**)" if any(r["settings"].get("smoke") for _, r in members) else "")
            + f": {s['runs']} measured runs of every case after {s['warmup']} warm-up run(s), cases of a group "
            f"interleaved. Machine: {m['cpu_model']}, {m['nproc']} CPUs (`nproc`), {m['memory_gib']} GiB, Linux "
            f"{m['kernel']}, {m['rustc']}, Python {m['python']}."
            + (f" Python packages: {', '.join(f'{k} {v}' for k, v in packages.items())}." if packages else ""))
    missing = [g for g in GROUPS if g not in results["groups"]]
    if missing:
        lines.append(f"- not measured yet: {', '.join(missing)}.")
    return ("The figures come from these runs (each section names its own, with the load average "
            "before and after it):\n\n" + "\n".join(lines))


def probe_block(results):
    cases = results["cases"]
    if "probe" not in results["groups"] or "probe/local/probe" not in cases:
        return not_measured("probe")
    parts = [run_line(results, "probe")]
    for name, title in [("local", "Local files (a mirror directory, `--media-dir`)"),
                        ("remote", "Over HTTP on 127.0.0.1")]:
        ids = [f"probe/{name}/check", f"probe/{name}/probe"]
        if ids[1] not in cases:
            continue
        part = f"#### {title}\n\n{input_line(results, 'probe', 'media-' + name)}\n\n{table(results, ids, ids[0])}"
        server = cases[ids[1]].get("server_cpu_s")
        if server:
            part += (f"\n\nThe loopback server (`python_side.py serve-media`: Python's `ThreadingHTTPServer`, files "
                     f"read from the page cache) used {fmt_s(server)} s of CPU per run besides, not counted above.")
        parts.append(part)
    ids = [i for i in cases if i.startswith("probe/")]
    return "\n\n".join(parts) + "\n\nCommands:\n\n" + commands_line(results, ids)


def engines_block(results):
    cases = results["cases"]
    if "engines" not in results["groups"] or "engines/cli-j1" not in cases:
        return not_measured("engines")
    single = [i for i in ("engines/cli-j1", "engines/arrow-check", "engines/str-check", "engines/arrow-profile")
              if i in cases]
    parts = [run_line(results, "engines"), input_line(results, "engines", "realistic"),
             "#### One worker: a partition's check from Arrow batches, against the CLI",
             table(results, single, "engines/cli-j1", "records/s")]
    states = [f"{cases[i]['label']} {cases[i]['extra']['state_bytes'] / 1e6:.1f} MB" for i in single
              if cases[i].get("extra", {}).get("state_bytes") is not None]
    if states:
        parts.append(f"Pickled state a worker sends back: {'; '.join(states)}.")
    arrow = ratio(cases.get("engines/cli-j1"), cases.get("engines/arrow-check"))
    if arrow is not None:
        parts.append(f"`update_arrow` reaches {arrow:.0%} of the CLI's single-thread records/s (target: at least 80%).")
    rows = ["| engine | workers | wall s | records/s per worker (wall) | vs CLI `-j1` | CPU s (all processes) "
            "| peak RSS per worker MB | peak RSS of all processes MB |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    base = cases["engines/cli-j1"]
    for engine in ("spark", "ray", "dask"):
        case = cases.get(f"engines/{engine}")
        if case is None:
            continue
        extra = case.get("extra", {})
        workers = extra.get("workers") or ENGINE_WORKERS
        per_worker = ratio(base, case)
        worker_rss = extra.get("worker_peak_rss_mb")
        rows.append(f"| {case['label']} | {workers} | {fmt_s(case['wall_s'])} "
                    f"| {fmt_rate(case['items'] / workers, case['wall_s'])} "
                    f"| {fmt_ratio(None if per_worker is None else per_worker / workers)} | {fmt_s(case['cpu_s'])} "
                    f"| {'–' if worker_rss is None else f'{worker_rss:.0f}'} "
                    f"| {extra.get('tree_peak_rss_mb', 0):.0f} |")
    if len(rows) > 2:
        parts += ["#### End to end on local engines", "\n".join(rows),
                  "Per worker: records/s divided by the workers; vs CLI: that against `nucleus check -j1`'s "
                  "records/s. Memory per worker: the largest peak RSS of a worker process (sampled every 0.1 s, "
                  "last run); all processes: the driver, the engine's JVM or daemons and the workers together."]
    parts += ["Commands:", commands_line(results, [i for i in cases if i.startswith("engines/")])]
    return "\n\n".join(p for p in parts if p)


def annotations_block(results):
    cases = results["cases"]
    if "annotations" not in results["groups"] or "annotations/annotations" not in cases:
        return not_measured("annotations")
    ids = [i for i in cases if i.startswith("annotations/")]
    parts = [run_line(results, "annotations"),
             input_line(results, "annotations", "realistic").replace("Input:", "Items:"),
             input_line(results, "annotations", "annotations").replace("Input:", "Annotations:"),
             table(results, ids, "annotations/check-j1", "lines/s")]
    ann, base = cases["annotations/annotations"], cases.get("annotations/check-j1")
    value = ratio(base, ann)
    if value is not None:
        parts.append(f"Annotations are checked at {value:.0%} of `check -j1`'s items/s (target: at least 50%), "
                     f"reading and indexing the items included, with a peak RSS of "
                     f"{ann['peak_rss_mb']['median']:.0f} MB (target: under 300 MB).")
    parts += ["Commands:", commands_line(results, ids)]
    return "\n\n".join(p for p in parts if p)


def fmt_load(load):
    return "?" if not load else "/".join(f"{x:.1f}" for x in load)


def readme_block(results):
    cases = results["cases"]
    smoke = any(run["settings"].get("smoke") for run in results["groups"].values())
    out = [SMOKE] if smoke else []
    check_run = results["groups"].get("check", {})
    spec = check_run.get("inputs", {}).get("realistic")
    j1, base = cases.get("check/realistic/j1"), cases.get("check/realistic/baseline")
    if j1 and base and spec:
        m = check_run["machine"]
        sentence = (f"`nucleus check` on {spec['lines']:,} realistic lines ({spec['bytes'] / 1e6:.0f} MB, about 1% with a "
                    f"finding; {m['nproc']} CPUs, {m['cpu_model']}): {fmt_rate(j1['items'], j1['wall_s'], ' items/s')} "
                    f"with `-j1`, {fmt_ratio(ratio(base, j1))} the throughput of a plain `serde_json::Value` parse of "
                    f"the same lines in wall time and {fmt_ratio(ratio(base, j1, 'cpu_s'))} in CPU time")
        j2 = cases.get("check/realistic/j2")
        if j2:
            sentence += f"; `-j2` {fmt_rate(j2['items'], j2['wall_s'], ' items/s')}"
        sentence += f"; peak RSS {j1['peak_rss_mb']['median']:.0f} MB."
        out.append(sentence)
        worst, worst_base = cases.get("check/worst/j1"), cases.get("check/worst/baseline")
        if worst and worst_base:
            out.append(f"When every line has a finding, `-j1` runs at {fmt_ratio(ratio(worst_base, worst))} that parse.")
    sdk, ours = cases.get("python/realistic/sdk"), cases.get("python/realistic/j1")
    if sdk and ours:
        out.append(f"From Python, `nucleus_rs.check(path, jobs=1)` is {fmt_ratio(ratio(sdk, ours))} the throughput of "
                   f"the SDK loop (`json.loads` + `DatasetItem(...)` + `to_payload()`, which checks far less) in wall time "
                   f"and {fmt_ratio(ratio(sdk, ours, 'cpu_s'))} in CPU time.")
    rust = [cases.get(f"project/{m_}/rust-batch") for m_ in ("pinhole", "brown_conrady", "fisheye")]
    rust = [c for c in rust if c]
    if rust:
        rates = [c["items"] / c["wall_s"]["median"] for c in rust]
        out.append(f"Camera projection: {human(min(rates))}–{human(max(rates))} points/s per thread (fisheye to pinhole, "
                   "medians)")
        vs = [(ratio(cases.get(f"project/{m_}/cv2"), cases.get(f"project/{m_}/nucleus_rs")),
               ratio(cases.get(f"project/{m_}/numpy"), cases.get(f"project/{m_}/nucleus_rs")))
              for m_ in ("pinhole", "brown_conrady", "fisheye")]
        vs = [v for v in vs if v[0] and v[1]]
        if vs:
            out[-1] += (f"; from Python {min(v[0] for v in vs):.0f}–{max(v[0] for v in vs):.0f}× `cv2.projectPoints` "
                        "(whose binding always computes the 2N×15 Jacobian too) and "
                        f"{min(v[1] for v in vs):.1f}–{max(v[1] for v in vs):.1f}× a vectorised NumPy projection")
        out[-1] += "."
    stream, value = cases.get("pointcloud/stream"), cases.get("pointcloud/value")
    if stream and value:
        out.append(f"Point-cloud files are read at {fmt_rate(stream['bytes'] / 1e6, stream['wall_s'], ' MB/s')} on the "
                   f"path `render` uses, {fmt_ratio(ratio(value, stream))} `serde_json::Value`.")
    local, remote = cases.get("probe/local/probe"), cases.get("probe/remote/probe")
    if local:
        out.append(f"`check --probe-media` reads image headers at {fmt_rate(local['items'], local['wall_s'], ' items/s')} "
                   "from local files"
                   + (f" and {fmt_rate(remote['items'], remote['wall_s'], ' items/s')} over loopback HTTP" if remote else "")
                   + ".")
    ann, ann_base = cases.get("annotations/annotations"), cases.get("annotations/check-j1")
    if ann and ann_base:
        out.append(f"`check --annotations --items` checks {ann['items']:,} box annotations against as many items at "
                   f"{fmt_rate(ann['items'], ann['wall_s'], ' annotations/s')}, {fmt_ratio(ratio(ann_base, ann))} "
                   f"`check -j1`'s items/s, in {ann['peak_rss_mb']['median']:.0f} MB.")
    days = sorted({run["generated"][:10] for run in results["groups"].values()})
    out.append(f"Medians of `cargo xtask bench` runs ({', '.join(days)}; min–max in brackets); baselines, inputs, "
               "commands and when each was measured: `BENCHMARKS.md`.")
    return "\n".join(out)


def readme_engine_blocks(results):
    """README's engine sections: `readme-engines` (a partition's check from Arrow) and one
    line per engine (`readme-spark`, `readme-ray`, `readme-dask`)."""
    cases = results["cases"]
    base = cases.get("engines/cli-j1")
    blocks = {}
    if "engines" not in results["groups"] or base is None:
        text = ("Not measured yet: `cargo xtask bench --groups engines` measures it (`BENCHMARKS.md`, "
                "\"Engines\").")
        return {"readme-engines": text, "readme-spark": text, "readme-ray": text, "readme-dask": text}
    day = results["groups"]["engines"]["generated"][:10]
    if results["groups"]["engines"]["settings"].get("smoke"):
        day += ", **a smoke run: not figures**"
    arrow = cases.get("engines/arrow-check")
    strs = cases.get("engines/str-check")
    text = (f"Measured {day} with the CLI's `nucleus check -j1` in the same run "
            f"({fmt_rate(base['items'], base['wall_s'], ' records/s')})")
    if arrow:
        text += (f": a worker's `CheckState.update_arrow` over 16 MB Arrow batches checks "
                 f"{fmt_rate(arrow['items'], arrow['wall_s'], ' records/s')} on one thread, "
                 f"{fmt_ratio(ratio(base, arrow))} the CLI's, in {arrow['peak_rss_mb']['median']:.0f} MB per worker")
        if strs:
            text += f" (`update` with Python strings: {fmt_ratio(ratio(base, strs))})"
    blocks["readme-engines"] = text + "; `BENCHMARKS.md` has the table, input and commands."
    for engine in ("spark", "ray", "dask"):
        case = cases.get(f"engines/{engine}")
        if case is None:
            blocks[f"readme-{engine}"] = f"Not measured yet: `cargo xtask bench --groups engines` measures it."
            continue
        extra = case.get("extra", {})
        workers = extra.get("workers") or ENGINE_WORKERS
        worker_rss = extra.get("worker_peak_rss_mb")
        blocks[f"readme-{engine}"] = (
            f"Throughput ({day}, {workers} local workers, end to end after a warm-up): "
            f"{fmt_rate(case['items'] / workers, case['wall_s'], ' records/s')} per worker, "
            f"{fmt_ratio(None if ratio(base, case) is None else ratio(base, case) / workers)} the CLI's `-j1` in the same run"
            + (f"; peak memory per worker {worker_rss:.0f} MB" if worker_rss is not None else "") + ".")
    return blocks


def replace_block(text, name, body, path):
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    if start not in text:
        return text
    head, rest = text.split(start, 1)
    if end not in rest:
        raise SystemExit(f"{path}: `{start}` without `{end}`")
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def rendered_docs(results):
    blocks = render_blocks(results)
    docs = {}
    for name, path in DOCS.items():
        text = path.read_text()
        for block, body in blocks.items():
            text = replace_block(text, block, body, name)
        docs[path] = text
    return docs


# ---------------------------------------------------------------------------------------------


def load_results(path):
    """The results file in its current layout (format 2: per-group runs), or None when absent."""
    if not path.exists():
        return None
    return upgrade(json.loads(path.read_text()))


def upgrade(results):
    """Format 1 (one run for every group: top-level generated, command, machine, settings,
    inputs) to format 2 (each group its own run); the cases stay as they are."""
    if results.get("format") == 2:
        return results
    settings = {k: v for k, v in results["settings"].items() if k != "groups"}
    groups = {}
    for group in results["settings"]["groups"]:
        used = {case["input"] for case in results["cases"].values() if case["group"] == group}
        run = {
            "generated": results["generated"],
            "command": results["command"].strip(),
            "machine": results["machine"],
            "settings": settings,
            "inputs": {name: spec for name, spec in results["inputs"].items() if name in used},
        }
        if group in PYTHON_GROUPS and results.get("python_packages"):
            run["python_packages"] = results["python_packages"]
        groups[group] = run
    return {"format": 2, "groups": groups, "cases": results["cases"]}


def group_is_smoke(group, args):
    sizes = {"project": args.points < DEFAULTS["points"], "pointcloud": args.cloud_points < DEFAULTS["cloud_points"]}
    small = sizes.get(group, args.lines < DEFAULTS["lines"])
    if group == "probe":
        small = args.images < DEFAULTS["images"] or args.remote_images < DEFAULTS["remote_images"]
    return args.runs < 5 or small or (group in PYTHON_GROUPS and args.python_build != "release")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="\n".join(__doc__.splitlines()[1:]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", default=",".join(GROUPS), help=f"comma-separated subset of {GROUPS}")
    parser.add_argument("--runs", type=int, default=DEFAULTS["runs"], help="measured runs per case (default 5)")
    parser.add_argument("--warmup", type=int, default=DEFAULTS["warmup"], help="untimed runs first (default 1)")
    parser.add_argument("--lines", type=int, default=DEFAULTS["lines"], help="lines of each JSONL input")
    parser.add_argument("--points", type=int, default=DEFAULTS["points"], help="points projected")
    parser.add_argument("--cloud-points", type=int, default=DEFAULTS["cloud_points"], help="points in the cloud file")
    parser.add_argument("--images", type=int, help="local images probed (default --lines / 10: 100,000)")
    parser.add_argument("--remote-images", type=int, help="images probed over loopback HTTP (default --lines / 100: 10,000)")
    parser.add_argument("--no-python", action="store_true", help="skip every Python case (no virtualenv)")
    parser.add_argument("--python-build", choices=["release", "debug"], default="release",
                        help="how maturin builds nucleus_rs (debug only for a smoke test)")
    parser.add_argument("--out", default=str(RESULTS),
                        help="results file (default bench/results.json; only that one rewrites the docs); the "
                             "groups run replace theirs in it, the others are kept")
    parser.add_argument("--render", action="store_true", help="only rewrite the docs from the results file")
    parser.add_argument("--check", action="store_true", help="fail when the docs differ from the results file")
    args = parser.parse_args()
    out = pathlib.Path(args.out)

    if args.render or args.check:
        results = load_results(out)
        if results is None:
            raise SystemExit(f"{args.out} does not exist")
        stale = [path for path, text in rendered_docs(results).items() if path.read_text() != text]
        if args.check:
            if stale:
                raise SystemExit(f"stale: {', '.join(p.name for p in stale)}; run `cargo xtask bench --render`")
            return
        for path, text in rendered_docs(results).items():
            path.write_text(text)
        return

    args.groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    unknown = set(args.groups) - set(GROUPS)
    if unknown:
        raise SystemExit(f"unknown groups {sorted(unknown)}; expected some of {GROUPS}")
    args.images = args.images if args.images is not None else max(args.lines // 10, 1)
    args.remote_images = min(args.remote_images if args.remote_images is not None else max(args.lines // 100, 1),
                             args.images)
    wants_python = not args.no_python and bool(PYTHON_GROUPS & set(args.groups))
    command = short("cargo xtask bench " + " ".join(shlex.quote(a) for a in sys.argv[1:])).strip()
    run_machine = machine()
    python, packages = None, None
    if wants_python:
        python, packages = ensure_venv(args.python_build, "engines" in args.groups)
    group_inputs, servers = {}, []
    runs = {}
    cases_run = {}
    try:
        groups = plan(args, group_inputs, python, servers)
        for name, cases in groups.items():
            inputs = group_inputs.get(name, {})
            for case in cases:
                # A whole-process case has no report: its items are the input's lines.
                spec = inputs.get(case["input"])
                if spec and not case["inner"]:
                    case["items"] = spec["lines"]
            print(f"== {name}: {len(cases)} cases × {args.runs} runs", file=sys.stderr)
            group_machine = dict(run_machine, load_average_before=os.getloadavg())
            started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            run_group(cases, args.runs, args.warmup)
            group_machine["load_average_after"] = os.getloadavg()
            for case in cases:
                cases_run[case["id"]] = summarise(case)
                # Paths inside the checkout are stored relative to it, so `--check` gives the same
                # answer from any clone (CI's is not where the benchmark ran).
                cases_run[case["id"]]["command"] = short(cases_run[case["id"]]["command"])
            runs[name] = {
                "generated": started,
                "command": command,
                "machine": group_machine,
                "settings": {"runs": args.runs, "warmup": args.warmup, "lines": args.lines, "points": args.points,
                             "cloud_points": args.cloud_points, "images": args.images,
                             "remote_images": args.remote_images, "python_build": args.python_build,
                             "smoke": group_is_smoke(name, args)},
                "inputs": {input_name: dict(spec, path=short(spec["path"])) for input_name, spec in inputs.items()},
            }
            if name in PYTHON_GROUPS and packages:
                runs[name]["python_packages"] = packages
    finally:
        for server in servers:
            server.stop()

    # Merge: the groups run replace theirs; the others (and groups skipped for lack of Python)
    # keep their last results.
    results = load_results(out) or {"format": 2, "groups": {}, "cases": {}}
    results["cases"] = {case_id: case for case_id, case in results["cases"].items()
                        if case["group"] not in runs and case["group"] in GROUPS}
    results["cases"].update(cases_run)
    results["groups"] = {name: run for name, run in results["groups"].items() if name in GROUPS and name not in runs}
    results["groups"].update(runs)
    results["groups"] = {name: results["groups"][name] for name in GROUPS if name in results["groups"]}
    results["cases"] = dict(sorted(results["cases"].items(), key=lambda item: GROUPS.index(item[1]["group"])))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    if out.resolve() != RESULTS.resolve():
        # A results file elsewhere (a smoke test, an experiment) leaves the published docs alone.
        print(f"wrote {short(str(out))} (docs unchanged: they follow {short(str(RESULTS))})", file=sys.stderr)
        return
    for path, text in rendered_docs(results).items():
        path.write_text(text)
    print(f"wrote {short(str(out))}, BENCHMARKS.md and README.md", file=sys.stderr)


if __name__ == "__main__":
    main()
