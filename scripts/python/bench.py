"""Benchmarks of nucleus_rs against the Python tools it replaces (issue 10).

- check: nucleus_rs.check(path, jobs=1) vs the SDK loop json.loads + nucleus.DatasetItem.from_json
  over the same file (which checks much less: no dataset rules, no strict JSON).
- project: CameraParams.project on N points vs cv2.projectPoints on the same points, for a
  pinhole and a Brown-Conrady camera (one thread each: OpenCV's projectPoints is serial).

Needs a venv with the SDK (scale-nucleus), numpy, opencv-python-headless and a release build of
nucleus_rs:

    /work/venv/bin/pip install maturin
    (cd crates/nucleus-py && VIRTUAL_ENV=/work/venv /work/venv/bin/maturin develop --release)
    cargo xtask gen-large --lines 1000000 > large-1m.jsonl   # if you have no input yet
    /work/venv/bin/python scripts/python/bench.py large-1m.jsonl
"""

import argparse
import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
import time

import numpy as np


def best_of(repeat, function):
    """(best seconds, last result) over `repeat` runs."""
    best, result = math.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def best_cpu_of(repeat, function):
    """Best process CPU seconds (every thread of this process) over `repeat` runs."""
    best = math.inf
    for _ in range(repeat):
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best


def sdk_loop(path, limit):
    from nucleus import DatasetItem

    n_items = 0
    n_rejected = 0
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if n_items == limit:
                break
            if line.strip():
                n_items += 1
                # What an SDK user's loader does: bad lines raise (json.loads, the SDK's asserts).
                try:
                    payload = json.loads(line)
                    # The SDK's from_json reads the upload names (image_url, pointcloud_url),
                    # not the constructor's (image_location, ...) that the file uses.
                    for ours, sdk in (("image_location", "image_url"), ("pointcloud_location", "pointcloud_url")):
                        if ours in payload:
                            payload[sdk] = payload.pop(ours)
                    DatasetItem.from_json(payload)
                except Exception:  # noqa: BLE001 - any rejection counts the same
                    n_rejected += 1
    return n_items, n_rejected


def bench_check(path, repeat, sdk_limit, cli):
    import nucleus_rs

    seconds, result = best_of(repeat, lambda: nucleus_rs.check(path, jobs=1))
    n_items = result.summary["items"]
    cpu_seconds = best_cpu_of(repeat, lambda: nucleus_rs.check(path, jobs=1))
    two_seconds, _ = best_of(repeat, lambda: nucleus_rs.check(path, jobs=2))
    sdk_seconds, (sdk_items, sdk_rejected) = best_of(1, lambda: sdk_loop(path, sdk_limit))
    cli_seconds = math.nan
    if cli:
        cli_seconds, _ = best_of(repeat, lambda: subprocess.run([cli, "check", "--jobs", "1", "--quiet", path], check=False))
    return {
        "cli_check_jobs1_s": cli_seconds,
        "cli_check_jobs1_items_per_s": n_items / cli_seconds,
        "sdk_rejected": sdk_rejected,
        "items": n_items,
        "errors": result.summary["errors"],
        "nucleus_rs_check_jobs1_s": seconds,
        "nucleus_rs_check_jobs1_items_per_s": n_items / seconds,
        # jobs=1 is one worker thread; the reader and the ordered fold run beside it, and their
        # CPU is counted here too.
        "nucleus_rs_check_jobs1_cpu_s": cpu_seconds,
        "speedup_jobs1_cpu": (n_items / cpu_seconds) / (sdk_items / sdk_seconds),
        "nucleus_rs_check_jobs2_s": two_seconds,
        "nucleus_rs_check_jobs2_items_per_s": n_items / two_seconds,
        "sdk_items": sdk_items,
        "sdk_loop_s": sdk_seconds,
        "sdk_loop_items_per_s": sdk_items / sdk_seconds,
        "speedup_jobs1": (n_items / seconds) / (sdk_items / sdk_seconds),
        "speedup_jobs2": (n_items / two_seconds) / (sdk_items / sdk_seconds),
    }


def rodrigues_pose(camera_params):
    """OpenCV's rvec, tvec (world -> camera) from the SDK's position and heading (camera -> world)."""
    import cv2

    q = camera_params["heading"]
    x, y, z, w = q["x"], q["y"], q["z"], q["w"]
    n = math.sqrt(x * x + y * y + z * z + w * w)
    x, y, z, w = x / n, y / n, z / n, w / n
    camera_to_world = np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])
    rotation = camera_to_world.T
    position = np.array([camera_params["position"][k] for k in "xyz"])
    rvec, _ = cv2.Rodrigues(rotation)
    return rvec, -rotation @ position


def bench_project(n_points, repeat):
    import cv2
    import nucleus_rs

    base = {"position": {"x": 0.0, "y": 0.0, "z": 1.5}, "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5},
            "fx": 1000.0, "fy": 1000.0, "cx": 960.0, "cy": 540.0}
    cameras = {
        "pinhole": base,
        "brown_conrady": {**base, "camera_model": "brown_conrady", "k1": -0.1, "k2": 0.01, "k3": -0.001, "p1": 0.001, "p2": -0.0005},
    }
    rng = np.random.default_rng(42)
    # In front of the camera (it looks along world +x): x in [5, 50], |y| and |z - 1.5| small.
    points = np.column_stack([
        rng.uniform(5, 50, n_points), rng.uniform(-10, 10, n_points), rng.uniform(-2, 5, n_points),
    ])
    results = {}
    for name, params in cameras.items():
        camera = nucleus_rs.CameraParams.from_json(params)
        rvec, tvec = rodrigues_pose(params)
        k = np.array(camera.intrinsic_matrix())
        dist = np.array([params.get(c, 0.0) for c in ("k1", "k2", "p1", "p2", "k3")])
        ours_s, uv = best_of(repeat, lambda: camera.project(points))
        cv_s, (cv_uv, _) = best_of(repeat, lambda: cv2.projectPoints(points, rvec, tvec, k, dist))
        cv_uv = cv_uv.reshape(-1, 2)
        results[name] = {
            "points": n_points,
            "nucleus_rs_project_s": ours_s,
            "nucleus_rs_mpoints_per_s": n_points / ours_s / 1e6,
            "cv2_projectPoints_s": cv_s,
            "cv2_mpoints_per_s": n_points / cv_s / 1e6,
            "speedup": cv_s / ours_s,
            "max_abs_diff_px": float(np.max(np.abs(uv - cv_uv))),
        }
    return results


def machine():
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines() if line.startswith("Model name")), "?")
    except OSError:
        model = "?"
    import cv2
    import nucleus_rs
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "scale_nucleus": importlib.metadata.version("scale-nucleus"),
        "nucleus_rs": nucleus_rs.__version__,
        "load_average": os.getloadavg(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", help="the JSON Lines input of the check benchmark")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli", help="a release `nucleus` binary, timed as a third baseline")
    parser.add_argument("--skip-project", action="store_true")
    parser.add_argument("--sdk-limit", type=int, default=-1, help="stop the SDK loop after N items")
    args = parser.parse_args()
    report = {"machine": machine()}
    if not args.skip_project:
        report["project"] = bench_project(args.points, max(args.repeat, 5))
        print(json.dumps(report["project"], indent=2), file=sys.stderr)
    report["check"] = bench_check(args.jsonl, args.repeat, args.sdk_limit, args.cli)
    report["machine"]["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
