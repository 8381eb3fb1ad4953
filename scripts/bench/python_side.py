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
    python_side.py state FILE MODE               MODE: arrow-check, str-check, arrow-profile
    python_side.py engine FILE ENGINE WORKERS    nucleus_rs.ENGINE.check end to end (spark, ray, dask)
    python_side.py serve-media DIR               the probe group's loopback HTTP server (stdlib only)
"""

import json
import math
import os
import pathlib
import sys
import tempfile
import threading
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


# ---------------------------------------------------------------------------------------------
# Engines (issue 18)

# What an engine's worker is handed at a time: blocks of about 16 MB of whole lines.
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


def state(path, mode):
    """What one engine worker runs, in this process on one thread: CheckState(jobs=1) (or
    ProfileState) fed the file a 16 MB batch at a time, as an Arrow array of the lines
    (`arrow-check`, `arrow-profile`: `update_arrow`, no Python object per line) or as a list of
    Python strings (`str-check`: `update`, the recipe before Arrow). Only `update*` and `finish`
    are timed (reading the file and building each batch are the engine's work); the process's
    peak RSS is the memory of such a worker (interpreter, pyarrow, one batch, the state)."""
    import pickle

    import nucleus_rs
    from nucleus_rs._shards import lines_array

    state_ = nucleus_rs.ProfileState() if mode == "arrow-profile" else nucleus_rs.CheckState(jobs=1)
    wall_s = cpu_s = 0.0
    for block in batches(path):
        given = block.decode("utf-8", errors="replace").splitlines() if mode == "str-check" else lines_array(block)
        cpu_started, started = time.process_time(), time.perf_counter()
        if mode == "str-check":
            state_.update(given)
        else:
            state_.update_arrow(given)
        wall_s, cpu_s = wall_s + time.perf_counter() - started, cpu_s + time.process_time() - cpu_started
    state_bytes = len(pickle.dumps(state_))
    cpu_started, started = time.process_time(), time.perf_counter()
    result = state_.finish()
    wall_s, cpu_s = wall_s + time.perf_counter() - started, cpu_s + time.process_time() - cpu_started
    items = result.get("n_lines", result.get("n_items")) if mode == "arrow-profile" else result.summary["items"]
    print("BENCH " + json.dumps({"wall_s": wall_s, "cpu_s": cpu_s, "items": items, "state_bytes": state_bytes}),
          flush=True)


def proc_tree(root):
    """{pid: (cmdline, cpu seconds, rss bytes)} of `root` and every process below it, from /proc."""
    tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
    parents, facts = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = pathlib.Path(entry.path, "stat").read_text()
            cmdline = pathlib.Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        facts[pid] = (cmdline, (int(fields[11]) + int(fields[12])) / tick, int(fields[21]) * page)
    tree, grew = {root}, True
    while grew:
        below = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew, tree = bool(below), tree | below
    return {pid: facts[pid] for pid in tree if pid in facts}


class TreeSampler:
    """Samples this process's tree every 0.1 s while the work runs: the CPU time of every
    process in it (the driver, the engine's JVM or daemons, the workers; a process that ends
    between two samples loses at most 0.1 s), and the peak RSS of each worker process."""

    def __init__(self, is_worker):
        self.is_worker, self.stop = is_worker, threading.Event()
        self.start_cpu = {pid: cpu for pid, (_, cpu, _) in proc_tree(os.getpid()).items()}
        self.last_cpu, self.worker_peak, self.tree_peak = dict(self.start_cpu), {}, 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def sample(self):
        tree = proc_tree(os.getpid())
        self.tree_peak = max(self.tree_peak, sum(rss for _, _, rss in tree.values()))
        for pid, (cmdline, cpu, rss) in tree.items():
            self.last_cpu[pid] = cpu
            if self.is_worker(cmdline):
                self.worker_peak[pid] = max(self.worker_peak.get(pid, 0), rss)

    def run(self):
        while not self.stop.wait(0.1):
            self.sample()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.sample()

    def cpu_s(self):
        return sum(cpu - self.start_cpu.get(pid, 0.0) for pid, cpu in self.last_cpu.items())


# Which processes of the tree are an engine's workers (by command line).
WORKER_PROCESSES = {
    "spark": lambda cmdline: "pyspark.daemon" in cmdline or "pyspark/daemon" in cmdline,
    "ray": lambda cmdline: cmdline.startswith("ray::"),
    "dask": lambda cmdline: "multiprocessing" in cmdline and "java" not in cmdline,
}


def engine(path, name, workers):
    """nucleus_rs.NAME.check(path) end to end on a local engine with WORKERS workers, as the
    README's recipe runs it. The engine is started and warmed up (worker processes, imports) on
    the file's first 1,000 lines untimed; then the whole file is checked, timed: reading the
    file, the workers' checks, moving the states and merging them. CPU time is the whole
    process tree's (sampled); memory per worker is the peak RSS of the largest worker process."""
    import logging

    import nucleus_rs

    workers = int(workers)
    with open(path, "rb") as f:
        head = b"".join(line for _, line in zip(range(1000), f))
    warm = pathlib.Path(tempfile.mkdtemp()) / "warm.jsonl"
    warm.write_bytes(head)
    if name == "dask":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import dask

        size = pathlib.Path(path).stat().st_size
        blocksize = max(size // (4 * workers), 1 << 20)  # four blocks per worker
        # One pool for the warm-up and the timed call (Dask's process scheduler would start a
        # pool per call), as a long-lived Dask process keeps its workers.
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

        def run(given, **kwargs):
            return nucleus_rs.dask.check(str(given), scheduler="processes", **kwargs)

        try:
            with dask.config.set(num_workers=workers, pool=pool):
                run(warm)
                with TreeSampler(WORKER_PROCESSES[name]) as sampler:
                    started = time.perf_counter()
                    result = run(path, blocksize=blocksize)
                    wall_s = time.perf_counter() - started
        finally:
            pool.shutdown()
    elif name == "ray":
        import ray

        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
        ray.data.DataContext.get_current().enable_progress_bars = False
        try:
            nucleus_rs.ray.check(str(warm))
            with TreeSampler(WORKER_PROCESSES[name]) as sampler:
                started = time.perf_counter()
                result = nucleus_rs.ray.check(str(path))
                wall_s = time.perf_counter() - started
        finally:
            ray.shutdown()
    elif name == "spark":
        from pyspark.sql import SparkSession

        os.environ["PYSPARK_PYTHON"] = sys.executable
        spark = (SparkSession.builder.master(f"local[{workers}]").config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        try:
            nucleus_rs.spark.check(str(warm), spark=spark)
            with TreeSampler(WORKER_PROCESSES[name]) as sampler:
                started = time.perf_counter()
                result = nucleus_rs.spark.check(str(path), spark=spark)
                wall_s = time.perf_counter() - started
        finally:
            spark.stop()
    else:
        raise SystemExit(f"unknown engine {name}: expected spark, ray or dask")
    peaks = sorted(sampler.worker_peak.values())
    print("BENCH " + json.dumps({
        "wall_s": wall_s, "cpu_s": sampler.cpu_s(), "items": result.summary["items"], "workers": workers,
        "worker_processes": len(peaks), "worker_peak_rss_mb": peaks[-1] / 2**20 if peaks else None,
        "tree_peak_rss_mb": sampler.tree_peak / 2**20,
    }), flush=True)


# ---------------------------------------------------------------------------------------------
# The loopback HTTP server of the probe group (issue 16)


def serve_media(directory):
    """Serves the files under DIRECTORY on a free port of 127.0.0.1 until killed: GET and HEAD,
    HTTP/1.1 keep-alive, a thread per connection, `Range: bytes=A-B` answered 206 (as object
    stores answer the prober's ranged reads), 404 for a missing file or a path out of DIRECTORY.
    Prints `LISTENING http://127.0.0.1:PORT` first."""
    import http.server

    root = pathlib.Path(directory).resolve()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - the name http.server calls
            self.answer(send_body=True)

        def do_HEAD(self):  # noqa: N802
            self.answer(send_body=False)

        def answer(self, send_body):
            path = (root / self.path.split("?", 1)[0].lstrip("/")).resolve()
            try:
                if root not in path.parents:
                    raise OSError("outside the directory")
                data = path.read_bytes()
            except OSError:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status, headers, body = 200, {}, data
            spec = self.headers.get("Range", "")
            if spec.startswith("bytes=") and "-" in spec:
                start, end = spec[len("bytes="):].split("-", 1)
                try:
                    start, end = int(start), min(int(end) if end else len(data) - 1, len(data) - 1)
                except ValueError:
                    start, end = None, None
                if start is not None and start >= len(data):
                    status, headers, body = 416, {"Content-Range": f"bytes */{len(data)}"}, b""
                elif start is not None:
                    status, body = 206, data[start:end + 1]
                    headers = {"Content-Range": f"bytes {start}-{end}/{len(data)}"}
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"LISTENING http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


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
    elif task == "state":
        state(*args)
    elif task == "engine":
        engine(*args)
    elif task == "serve-media":
        serve_media(*args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
