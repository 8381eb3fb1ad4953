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
rewritten from it (between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`).

    cargo xtask bench                          # everything, 5 runs, 1,000,000 lines
    cargo xtask bench --groups check,project --runs 7
    cargo xtask bench --lines 1000 --points 10000 --cloud-points 1000 --runs 1   # smoke test
    cargo xtask bench --render                 # only rewrite the docs from bench/results.json
    cargo xtask bench --check                  # fail when the docs differ from bench/results.json

Groups: check (nucleus check vs a serde_json::Value parse, Rust only), commands (payload,
profile, query vs the same parse and DuckDB), python (nucleus_rs.check vs the SDK loop),
project (Rust batch vs a fair straightforward Rust loop; nucleus_rs vs cv2 and NumPy),
pointcloud (the reader `render` uses vs serde_json::Value). The Python groups (python, project,
and DuckDB in commands) need a virtualenv: the script creates target/bench-venv with pip
(scale-nucleus, numpy, opencv-python-headless, duckdb, maturin) and builds nucleus_rs into it
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
GROUPS = ["check", "commands", "python", "project", "pointcloud"]
PY_PACKAGES = ["maturin>=1.9.4,<2", "numpy", "opencv-python-headless", "scale-nucleus", "duckdb"]
QUERY = 'metadata.weather = "rain"'
DEFAULTS = {"runs": 5, "warmup": 1, "lines": 1_000_000, "points": 1_000_000, "cloud_points": 1_000_000}


def release(name):
    return str(pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / name)


# ---------------------------------------------------------------------------------------------
# Running and measuring


def run_once(argv, capture):
    # Popen.communicate waits for the child itself; read the pipes by hand and reap with wait4.
    stdout = subprocess.PIPE if capture else subprocess.DEVNULL
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    out = child.stdout.read() if capture else b""
    err = child.stderr.read()
    _, status, rusage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
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
            outcome = run_once(case["argv"], case["inner"])
            check_outcome(case, outcome)
    for round_idx in range(runs):
        for case in cases:
            outcome = run_once(case["argv"], case["inner"])
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
    return {
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


def ensure_venv(build):
    """target/bench-venv with the baselines' packages and nucleus_rs; returns its python."""
    venv = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "bench-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run(stdin=subprocess.DEVNULL, args=[sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(stdin=subprocess.DEVNULL, args=[str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PY_PACKAGES],
                   check=True)
    env = dict(os.environ, VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}:{os.environ['PATH']}")
    flags = ["--release"] if build == "release" else []
    subprocess.run(stdin=subprocess.DEVNULL, args=[str(venv / "bin" / "maturin"), "develop", "--quiet", *flags,
                    "--manifest-path", str(ROOT / "crates" / "nucleus-py" / "Cargo.toml")], check=True, env=env)
    versions = subprocess.run(stdin=subprocess.DEVNULL, args=[str(python), "-c", (
        "import importlib.metadata as m, json; print(json.dumps({p: m.version(p) for p in "
        "['scale-nucleus', 'numpy', 'opencv-python-headless', 'duckdb', 'nucleus_rs']}))")],
        capture_output=True, text=True, check=True).stdout
    return str(python), json.loads(versions)


# ---------------------------------------------------------------------------------------------
# The cases


def plan(args, inputs, python):
    nucleus, xtask = release("nucleus"), release("xtask")
    side = str(ROOT / "scripts" / "bench" / "python_side.py")
    groups = {}
    lines = args.lines
    # `check` exits 1 when it finds errors: every input but the clean one has some.
    findings = (0, 1)
    if "check" in args.groups:
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
        path = make_pointcloud(inputs, args.cloud_points)
        groups["pointcloud"] = [
            {"id": "pointcloud/value", "label": "baseline: `fs::read` + `serde_json::from_slice::<Value>`",
             "argv": [xtask, "kernel", "pointcloud", "value", path], "inner": True},
            {"id": "pointcloud/stream", "label": "`pointcloud::for_each_point` on the open file (what `render` does)",
             "argv": [xtask, "kernel", "pointcloud", "stream", path], "inner": True},
        ]
        for case in groups["pointcloud"]:
            case["group"], case["input"] = "pointcloud", "cloud"
    return groups


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
    """Throughput of `case` relative to `base` (medians): above 1 means faster."""
    if not base or not case or not base.get(key) or not case.get(key) or not case[key]["median"]:
        return None
    return base[key]["median"] / case[key]["median"]


def fmt_ratio(value):
    return "–" if value is None else f"{value:.2f}×"


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
        rss = case.get("peak_rss_mb")
        rss_cell = "–" if rss is None else f"{rss['median']:.0f} ({rss['min']:.0f}–{rss['max']:.0f})"
        rows.append(
            f"| {case['label']} | {fmt_s(case['wall_s'])} | {fmt_s(case['cpu_s'])} | {fmt_rate(count, case['wall_s'])} "
            f"| {'1.00×' if case_id == base_id else fmt_ratio(ratio(base, case))} "
            f"| {'1.00×' if case_id == base_id else fmt_ratio(ratio(base, case, 'cpu_s'))} "
            f"| {rss_cell} |")
    return "\n".join(rows)


def input_line(results, name):
    spec = results["inputs"].get(name)
    if spec is None:
        return ""
    return (f"Input: `{spec['command']}` ({spec['lines']:,} lines, {spec['bytes'] / 1e6:.0f} MB).")


def commands_line(results, ids):
    cases = results["cases"]
    return "\n".join(f"- {cases[i]['label']}: `{short(cases[i]['command'])}` ({cases[i]['timing']})"
                     for i in ids if i in cases)


def short(command):
    return command.replace(str(ROOT) + "/", "")


def smoke_banner(results):
    s = results["settings"]
    if not s.get("smoke"):
        return ""
    return ("**Smoke run at reduced size or with fewer than 5 runs: these numbers only show that the "
            "machinery works; they are not figures. Run `cargo xtask bench` on a quiet machine.**\n\n")


def render_blocks(results):
    blocks = {}
    s, m = results["settings"], results["machine"]
    blocks["machine"] = smoke_banner(results) + (
        f"Last run: {results['generated']} with `{results['command']}`: {s['runs']} measured runs of every case "
        f"after {s['warmup']} warm-up run(s), cases of a group interleaved. Machine: {m['cpu_model']}, "
        f"{m['nproc']} CPUs (`nproc`), {m['memory_gib']} GiB, Linux {m['kernel']}, {m['rustc']}, Python "
        f"{m['python']}; load average {fmt_load(m.get('load_average_before'))} before and "
        f"{fmt_load(m.get('load_average_after'))} after the run."
        + (f" Python packages: {', '.join(f'{k} {v}' for k, v in results.get('python_packages', {}).items())}."
           if results.get("python_packages") else ""))
    cases = results["cases"]
    parts = []
    for name, title in [("realistic", "Realistic input (about 1% of the lines have a finding)"),
                        ("worst", "Worst case: every line has a finding"),
                        ("escapes", "German and Japanese keys and reference ids, `\\u` escapes (issue 15)"),
                        ("escapes-utf8", "The same data as raw UTF-8 (no escapes)")]:
        ids = [f"check/{name}/{c}" for c in ("baseline", "j1", "j2")]
        if ids[0] in cases:
            parts.append(f"#### {title}\n\n{input_line(results, name)}\n\n{table(results, ids, ids[0])}")
    if parts:
        ids = [i for i in cases if i.startswith("check/realistic/")]
        blocks["check"] = "\n\n".join(parts) + "\n\nCommands (`FILE` is the input):\n\n" + commands_line(results, ids)
    ids = [i for i in cases if i.startswith("commands/")]
    if ids:
        blocks["commands"] = (f"{input_line(results, 'realistic')}\n\n{table(results, ids, 'commands/baseline')}\n\n"
                              f"Commands:\n\n{commands_line(results, ids)}")
    parts = []
    for name in ["realistic", "worst", "escapes"]:
        ids = [f"python/{name}/{c}" for c in ("sdk", "j1", "j2")]
        if ids[0] in cases:
            parts.append(f"#### {name}\n\n{input_line(results, name)}\n\n{table(results, ids, ids[0])}")
    if parts:
        ids = [i for i in cases if i.startswith("python/realistic/")]
        blocks["python"] = "\n\n".join(parts) + "\n\nCommands:\n\n" + commands_line(results, ids)
    parts = []
    for model in ["pinhole", "brown_conrady", "fisheye"]:
        ids = [i for i in cases if i.startswith(f"project/{model}/")]
        if ids:
            base = f"project/{model}/cv2" if f"project/{model}/cv2" in cases else f"project/{model}/rust-naive"
            diffs = [f"{cases[i]['label']} {cases[i]['extra']['max_abs_diff_vs_cv2_px']:.1e} px" for i in ids
                     if "max_abs_diff_vs_cv2_px" in cases[i].get("extra", {}) and not i.endswith("/cv2")]
            parts.append(f"#### {model}\n\n{table(results, ids, base, 'points/s')}"
                         + (f"\n\nLargest difference from OpenCV's pixels: {'; '.join(diffs)}." if diffs else ""))
    if parts:
        points = cases[next(i for i in cases if i.startswith("project/"))]["items"]
        blocks["project"] = (f"{points:,} points in front of the camera, one thread; after one untimed call, calls are "
                             "repeated until 0.25 s are timed and one call is reported. Baseline: OpenCV where the "
                             "Python side ran, else the Rust loop.\n\n"
                             + "\n\n".join(parts) + "\n\nCommands:\n\n"
                             + commands_line(results, [i for i in cases if i.startswith("project/pinhole/")]))
    ids = [i for i in cases if i.startswith("pointcloud/")]
    if ids:
        spec = results["inputs"]["cloud"]
        blocks["pointcloud"] = (f"Input: `{spec['command']}`: {spec['points']:,} points, {spec['bytes'] / 1e6:.1f} MB "
                                "of Scale's point-cloud JSON as `json.dumps` writes it.\n\n"
                                f"{table(results, ids, 'pointcloud/value', 'MB/s')}\n\nCommands:\n\n"
                                f"{commands_line(results, ids)}")
    blocks["readme"] = readme_block(results)
    return blocks


def fmt_load(load):
    return "?" if not load else "/".join(f"{x:.1f}" for x in load)


def readme_block(results):
    cases, m = results["cases"], results["machine"]
    out = [smoke_banner(results).strip()] if smoke_banner(results) else []
    spec = results["inputs"].get("realistic")
    j1, base = cases.get("check/realistic/j1"), cases.get("check/realistic/baseline")
    if j1 and base and spec:
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
    out.append("Medians of the last `cargo xtask bench` run (min–max in brackets); baselines, inputs and commands: "
               "`BENCHMARKS.md`.")
    return "\n".join(out)


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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="\n".join(__doc__.splitlines()[1:]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", default=",".join(GROUPS), help=f"comma-separated subset of {GROUPS}")
    parser.add_argument("--runs", type=int, default=DEFAULTS["runs"], help="measured runs per case (default 5)")
    parser.add_argument("--warmup", type=int, default=DEFAULTS["warmup"], help="untimed runs first (default 1)")
    parser.add_argument("--lines", type=int, default=DEFAULTS["lines"], help="lines of each JSONL input")
    parser.add_argument("--points", type=int, default=DEFAULTS["points"], help="points projected")
    parser.add_argument("--cloud-points", type=int, default=DEFAULTS["cloud_points"], help="points in the cloud file")
    parser.add_argument("--no-python", action="store_true", help="skip every Python case (no virtualenv)")
    parser.add_argument("--python-build", choices=["release", "debug"], default="release",
                        help="how maturin builds nucleus_rs (debug only for a smoke test)")
    parser.add_argument("--out", default=str(RESULTS),
                        help="results file (default bench/results.json; only that one rewrites the docs)")
    parser.add_argument("--render", action="store_true", help="only rewrite the docs from the results file")
    parser.add_argument("--check", action="store_true", help="fail when the docs differ from the results file")
    args = parser.parse_args()
    out = pathlib.Path(args.out)

    if args.render or args.check:
        results = json.loads(out.read_text())
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
    wants_python = not args.no_python and bool({"commands", "python", "project"} & set(args.groups))
    results = {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "cargo xtask bench " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "machine": machine(),
        "settings": {"runs": args.runs, "warmup": args.warmup, "lines": args.lines, "points": args.points,
                     "cloud_points": args.cloud_points, "groups": args.groups, "python_build": args.python_build,
                     "smoke": args.runs < 5 or args.lines < DEFAULTS["lines"] or args.points < DEFAULTS["points"]
                     or args.cloud_points < DEFAULTS["cloud_points"] or args.python_build != "release"},
        "inputs": {},
        "cases": {},
    }
    python = None
    if wants_python:
        python, results["python_packages"] = ensure_venv(args.python_build)
    groups = plan(args, results["inputs"], python)
    for cases in groups.values():
        for case in cases:
            # A whole-process case has no report: its items are the input's lines.
            spec = results["inputs"].get(case["input"])
            if spec and not case["inner"]:
                case["items"] = spec["lines"]
    for name, cases in groups.items():
        print(f"== {name}: {len(cases)} cases × {args.runs} runs", file=sys.stderr)
        run_group(cases, args.runs, args.warmup)
        for case in cases:
            results["cases"][case["id"]] = summarise(case)
            # Paths inside the checkout are stored relative to it, so `--check` gives the same answer
            # from any clone (CI's is not where the benchmark ran).
            results["cases"][case["id"]]["command"] = short(results["cases"][case["id"]]["command"])
    results["machine"]["load_average_after"] = os.getloadavg()
    for spec in results["inputs"].values():
        spec["path"] = short(spec["path"])
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
