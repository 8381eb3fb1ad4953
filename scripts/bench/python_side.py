"""The Python side of `cargo xtask bench`: one measured task per process, run by bench.py in
the bench's virtualenv. Each task prepares its input, then times only the work (wall time with
time.perf_counter, CPU time of every thread of the process with time.process_time) and prints
one line `BENCH {json}` with wall_s, cpu_s, items and what else the table needs.

    python_side.py sdk-loop FILE                 the SDK loop a user writes
    python_side.py nucleus-rs-check FILE JOBS    nucleus_rs.check(FILE, jobs=JOBS)
    python_side.py project LIB MODEL N           LIB: cv2, numpy, nucleus_rs
    python_side.py duckdb-query FILE THREADS     DuckDB's count of the query bar's example
    python_side.py duckdb-profile FILE THREADS   DuckDB's per-key summary of the metadata
    python_side.py duckdb-copy FILE THREADS OUT  DuckDB writing the matching items as JSON Lines
"""

import json
import math
import sys
import time


def timed(work, **extra):
    cpu_started, started = time.process_time(), time.perf_counter()
    result = work()
    wall_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
    report = {"wall_s": wall_s, "cpu_s": cpu_s, **extra}
    if isinstance(result, dict):
        report.update(result)
    print("BENCH " + json.dumps(report), flush=True)


def sdk_loop(path):
    """What an SDK user's loader does with a JSON Lines file: json.loads each line, build the
    SDK's DatasetItem with its constructor, and turn it into the upload payload. (The
    constructor, not DatasetItem.from_json: from_json reads only the upload names image_url /
    pointcloud_url and silently drops image_location.) A line the SDK rejects (invalid JSON, an
    assertion in the constructor or in to_payload) is counted and the loop goes on."""
    from nucleus import DatasetItem

    def work():
        n_items = n_rejected = 0
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                n_items += 1
                try:
                    fields = json.loads(line)
                    item = DatasetItem(
                        image_location=fields.get("image_location"),
                        reference_id=fields.get("ref_id", fields.get("reference_id")),
                        metadata=fields.get("metadata"),
                        pointcloud_location=fields.get("pointcloud_location"),
                        width=fields.get("width"),
                        height=fields.get("height"),
                    )
                    item.to_payload()
                except Exception:  # noqa: BLE001 - any rejection counts the same
                    n_rejected += 1
        return {"items": n_items, "rejected": n_rejected}

    timed(work)


def nucleus_rs_check(path, jobs):
    import nucleus_rs

    def work():
        result = nucleus_rs.check(path, jobs=int(jobs))
        return {"items": result.summary["items"], "errors": result.summary["errors"]}

    timed(work)


# The cameras of the projection figures; xtask/src/bench.rs has the same three.
BASE = {"position": {"x": 0.0, "y": 0.0, "z": 1.5}, "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5},
        "fx": 1000.0, "fy": 1000.0, "cx": 960.0, "cy": 540.0}
CAMERAS = {
    "pinhole": BASE,
    "brown_conrady": {**BASE, "camera_model": "brown_conrady", "k1": -0.1, "k2": 0.01, "k3": -0.001,
                      "p1": 0.001, "p2": -0.0005},
    "fisheye": {**BASE, "camera_model": "fisheye", "k1": 0.052, "k2": -0.011, "k3": 0.0021, "k4": -0.00041},
}


def camera_to_world(params):
    import numpy as np

    q = params["heading"]
    x, y, z, w = q["x"], q["y"], q["z"], q["w"]
    n = math.sqrt(x * x + y * y + z * z + w * w)
    x, y, z, w = x / n, y / n, z / n, w / n
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def numpy_project(points, params, rotation, position):
    """The vectorised NumPy projection a Python user would write (no Jacobian), NaN behind."""
    import numpy as np

    camera = (points - position) @ rotation  # rows: Rᵀ·(p - c)
    z = camera[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = camera[:, 0] / z, camera[:, 1] / z
        model = params.get("camera_model")
        k = {name: params.get(name, 0.0) for name in ("k1", "k2", "k3", "k4", "p1", "p2")}
        if model == "brown_conrady":
            r2 = a * a + b * b
            radial = (1 + k["k1"] * r2 + k["k2"] * r2 ** 2 + k["k3"] * r2 ** 3) / (1 + k["k4"] * r2)
            xd = a * radial + 2 * k["p1"] * a * b + k["p2"] * (r2 + 2 * a * a)
            yd = b * radial + k["p1"] * (r2 + 2 * b * b) + 2 * k["p2"] * a * b
        elif model == "fisheye":
            r = np.hypot(a, b)
            theta = np.arctan(r)
            t2 = theta * theta
            theta_d = theta * (1 + k["k1"] * t2 + k["k2"] * t2 ** 2 + k["k3"] * t2 ** 3 + k["k4"] * t2 ** 4)
            scale = np.where(r > 1e-8, theta_d / np.where(r > 1e-8, r, 1.0), 1.0)
            xd, yd = a * scale, b * scale
        else:
            xd, yd = a, b
        out = np.column_stack([params["fx"] * xd + params["cx"], params["fy"] * yd + params["cy"]])
    out[z <= 0] = np.nan
    return out


def project(lib, model, n_points):
    """One thread projects N points in front of the camera (x in [5, 50] m, y in [-10, 10],
    z in [-2, 5], as xtask's kernel): one untimed call, then calls repeated until 0.25 s are
    timed; reports one call. Reports the largest difference from OpenCV's pixels (computed
    outside the timing)."""
    import cv2
    import numpy as np

    cv2.setNumThreads(1)
    n_points = int(n_points)
    params = CAMERAS[model]
    rng = np.random.default_rng(42)
    points = np.column_stack([
        rng.uniform(5, 50, n_points), rng.uniform(-10, 10, n_points), rng.uniform(-2, 5, n_points),
    ])
    rotation = camera_to_world(params)
    position = np.array([params["position"][axis] for axis in "xyz"])
    rvec, _ = cv2.Rodrigues(rotation.T)
    tvec = -rotation.T @ position
    k_matrix = np.array([[params["fx"], 0, params["cx"]], [0, params["fy"], params["cy"]], [0, 0, 1.0]])

    def opencv():
        if model == "fisheye":
            d = np.array([params[name] for name in ("k1", "k2", "k3", "k4")])
            uv, _ = cv2.fisheye.projectPoints(points.reshape(-1, 1, 3), rvec, tvec, k_matrix, d)
        else:
            d = np.array([params.get(name, 0.0) for name in ("k1", "k2", "p1", "p2", "k3")])
            uv, _ = cv2.projectPoints(points, rvec, tvec, k_matrix, d)
        return uv.reshape(-1, 2)

    if lib == "cv2":
        work = opencv
    elif lib == "numpy":
        def work():
            return numpy_project(points, params, rotation, position)
    elif lib == "nucleus_rs":
        import nucleus_rs

        camera = nucleus_rs.CameraParams.from_json(params)

        def work():
            return camera.project(points)
    else:
        raise SystemExit(f"unknown library {lib}")
    work()
    diff = float(np.nanmax(np.abs(opencv() - work())))
    # As xtask's kernel: repeat until 0.25 s are timed, report one call.
    cpu_started, started, reps = time.process_time(), time.perf_counter(), 0
    while reps == 0 or time.perf_counter() - started < 0.25:
        work()
        reps += 1
    wall_s, cpu_s = (time.perf_counter() - started) / reps, (time.process_time() - cpu_started) / reps
    print("BENCH " + json.dumps({"wall_s": wall_s, "cpu_s": cpu_s, "reps": reps, "items": n_points,
                                 "max_abs_diff_vs_cv2_px": diff}), flush=True)


def duckdb_connection(threads):
    import duckdb

    connection = duckdb.connect()
    connection.execute(f"SET threads = {int(threads)}")
    return connection


def sql_literal(path):
    return "'" + path.replace("'", "''") + "'"


# What the baselines run; bench.py prints them in BENCHMARKS.md.
DUCKDB_QUERY = (
    "SELECT count(*) FROM read_ndjson({file}, columns = {{'metadata': 'JSON'}}, ignore_errors = true) "
    "WHERE json_extract_string(metadata, '$.weather') = 'rain'"
)
DUCKDB_PROFILE = (
    "WITH items AS (SELECT metadata FROM read_ndjson({file}, columns = {{'metadata': 'JSON'}}, ignore_errors = true)), "
    "kv AS (SELECT k AS key, json_extract(metadata, '/' || replace(replace(k, '~', '~0'), '/', '~1')) AS v "
    "FROM items, unnest(json_keys(metadata)) AS t(k)) "
    "SELECT key, json_type(v) AS kind, count(*), approx_count_distinct(v::VARCHAR), "
    "min(TRY_CAST(v AS DOUBLE)), max(TRY_CAST(v AS DOUBLE)), avg(TRY_CAST(v AS DOUBLE)) "
    "FROM kv GROUP BY key, kind"
)
DUCKDB_COPY = (
    "COPY (SELECT * FROM read_ndjson({file}, ignore_errors = true) "
    "WHERE json_extract_string(metadata, '$.weather') = 'rain') TO {out} (FORMAT JSON)"
)


def duckdb_run(sql, path, threads, out=None):
    connection = duckdb_connection(threads)
    query = sql.format(file=sql_literal(path), out=sql_literal(out or ""))

    def work():
        rows = connection.execute(query).fetchall()
        return {"rows": len(rows), "first": str(rows[0][0]) if rows else None}

    timed(work)


def main():
    task, *args = sys.argv[1:]
    if task == "sdk-loop":
        sdk_loop(*args)
    elif task == "nucleus-rs-check":
        nucleus_rs_check(*args)
    elif task == "project":
        project(*args)
    elif task == "duckdb-query":
        duckdb_run(DUCKDB_QUERY, *args)
    elif task == "duckdb-profile":
        duckdb_run(DUCKDB_PROFILE, *args)
    elif task == "duckdb-copy":
        duckdb_run(DUCKDB_COPY, *args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
