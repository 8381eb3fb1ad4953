#!/usr/bin/env python3
"""Generate opencv_reference.json: pixels computed by OpenCV for nucleus-camera's tests.

Rerun (from the repository root) with the project's virtualenv, which has opencv-python-headless
and numpy:

    /work/venv/bin/python crates/nucleus-camera/tests/data/gen_opencv_reference.py

The output is deterministic (fixed seed). Each case holds a camera in the SDK's camera_params JSON
shape, world points, and OpenCV's pixel for each point, or null when the point is not in front of
the camera (camera-frame z <= 0), where OpenCV would return a mirrored pixel and nucleus-camera
returns "not projectable".

Conventions: heading is a Hamilton quaternion (x, y, z, w) rotating camera into world
coordinates, so OpenCV's world->camera rotation is R_wc = R(heading)^T and tvec = -R_wc @ position.
brown_conrady uses cv2.projectPoints with (k1, k2, p1, p2, k3), or with the 8-vector
(k1, k2, p1, p2, k3, k4, 0, 0) when k4 != 0 (OpenCV's CALIB_RATIONAL_MODEL: the radial factor is
(1 + k1 r^2 + k2 r^4 + k3 r^6) / (1 + k4 r^2 + k5 r^4 + k6 r^6)); fisheye uses
cv2.fisheye.projectPoints with (k1, k2, k3, k4).
"""

import json
import math
import pathlib

import cv2
import numpy as np

RNG = np.random.default_rng(20240607)
OUT = pathlib.Path(__file__).with_name("opencv_reference.json")


def rotation(q):
    """Row-major rotation matrix of the normalised Hamilton quaternion (x, y, z, w)."""
    x, y, z, w = np.asarray(q, dtype=np.float64) / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


def random_heading():
    """A random orientation with a random, non-unit norm."""
    q = RNG.normal(size=4)
    q /= np.linalg.norm(q)
    return q * RNG.uniform(0.2, 5.0)


def camera(model=None, heading=None, position=None, **coefficients):
    heading = random_heading() if heading is None else np.asarray(heading, dtype=np.float64)
    position = RNG.uniform(-50, 50, size=3) if position is None else np.asarray(position, dtype=np.float64)
    params = {
        "position": dict(zip("xyz", map(float, position))),
        "heading": dict(zip("xyzw", map(float, heading))),
        "fx": float(RNG.uniform(400, 2000)),
        "fy": float(RNG.uniform(400, 2000)),
        "cx": float(RNG.uniform(300, 1000)),
        "cy": float(RNG.uniform(200, 600)),
    }
    for key, value in coefficients.items():
        params[key] = float(value)
    if model is not None:
        params["camera_model"] = model
    return params


def camera_frame_points_planar(n, max_radius, z_range=(0.5, 80.0)):
    """Points whose normalised radius r = sqrt(a^2 + b^2) is spread over [0, max_radius]."""
    r = max_radius * np.sqrt(RNG.uniform(0, 1, size=n))
    phi = RNG.uniform(0, 2 * np.pi, size=n)
    z = RNG.uniform(*z_range, size=n)
    return np.stack([r * np.cos(phi) * z, r * np.sin(phi) * z, z], axis=1)


def camera_frame_points_angles(thetas_deg):
    """Points at the given angles from the optical axis, random azimuth and distance."""
    theta = np.radians(np.asarray(thetas_deg, dtype=np.float64))
    phi = RNG.uniform(0, 2 * np.pi, size=theta.shape)
    dist = RNG.uniform(0.5, 60.0, size=theta.shape)
    return np.stack(
        [dist * np.sin(theta) * np.cos(phi), dist * np.sin(theta) * np.sin(phi), dist * np.cos(theta)],
        axis=1,
    )


def behind_points(n):
    points = camera_frame_points_planar(n, 1.0)
    points[:, 2] *= -1
    return points


def opencv_project(params, world):
    heading = [params["heading"][k] for k in "xyzw"]
    position = np.array([params["position"][k] for k in "xyz"])
    r_wc = rotation(heading).T
    rvec, _ = cv2.Rodrigues(r_wc)
    tvec = -r_wc @ position
    k = np.array([[params["fx"], 0, params["cx"]], [0, params["fy"], params["cy"]], [0, 0, 1]], dtype=np.float64)
    c = {key: params.get(key, 0.0) for key in ("k1", "k2", "k3", "k4", "p1", "p2")}
    object_points = world.reshape(-1, 1, 3).astype(np.float64)
    if params.get("camera_model") == "fisheye":
        d = np.array([c["k1"], c["k2"], c["k3"], c["k4"]], dtype=np.float64)
        pixels, _ = cv2.fisheye.projectPoints(object_points, rvec, tvec.reshape(3, 1), k, d)
    else:
        if c["k4"] != 0.0:
            d = np.array([c["k1"], c["k2"], c["p1"], c["p2"], c["k3"], c["k4"], 0.0, 0.0])
        else:
            d = np.array([c["k1"], c["k2"], c["p1"], c["p2"], c["k3"]])
        pixels, _ = cv2.projectPoints(object_points, rvec, tvec, k, d)
    return pixels.reshape(-1, 2)


def spec_brown_conrady(params, camera_points):
    """SPEC section 4's formula, to check that it is what OpenCV computes."""
    c = {key: params.get(key, 0.0) for key in ("k1", "k2", "k3", "k4", "p1", "p2")}
    a = camera_points[:, 0] / camera_points[:, 2]
    b = camera_points[:, 1] / camera_points[:, 2]
    r2 = a * a + b * b
    radial = (1 + c["k1"] * r2 + c["k2"] * r2**2 + c["k3"] * r2**3) / (1 + c["k4"] * r2)
    x = a * radial + 2 * c["p1"] * a * b + c["p2"] * (r2 + 2 * a * a)
    y = b * radial + c["p1"] * (r2 + 2 * b * b) + 2 * c["p2"] * a * b
    return np.stack([params["fx"] * x + params["cx"], params["fy"] * y + params["cy"]], axis=1)


CASES = []
SPEC_CHECK = {"max_abs_diff_px": 0.0}


def add(name, params, camera_points):
    heading = [params["heading"][k] for k in "xyzw"]
    position = np.array([params["position"][k] for k in "xyz"])
    world = camera_points @ rotation(heading).T + position
    pixels = opencv_project(params, world)
    if params.get("camera_model") != "fisheye" and any(params.get(k, 0.0) for k in ("k1", "k2", "k3", "k4", "p1", "p2")):
        front = camera_points[:, 2] > 0
        spec = spec_brown_conrady(params, camera_points[front])
        scale = np.maximum(1.0, np.abs(pixels[front]))
        diff = float(np.max(np.abs(spec - pixels[front]) / scale)) if front.any() else 0.0
        SPEC_CHECK["max_abs_diff_px"] = max(SPEC_CHECK["max_abs_diff_px"], diff)
    rows = []
    for p_cam, p_world, pixel in zip(camera_points, world, pixels):
        expected = [float(pixel[0]), float(pixel[1])] if p_cam[2] > 0 else None
        rows.append({"world": [float(v) for v in p_world], "camera_z": float(p_cam[2]), "pixel": expected})
    CASES.append({"name": name, "camera_params": params, "points": rows})


def main():
    # Worked example of SPEC section 4 plus its neighbours.
    example = {
        "position": {"x": 0.0, "y": 0.0, "z": 1.5},
        "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5},
        "fx": 1000.0, "fy": 1000.0, "cx": 960.0, "cy": 540.0,
    }
    add("spec worked example", example, np.array([[0.0, 0.0, 10.0], [1.0, 0.75, 12.0], [-1.0, 2.25, 10.0], [0.0, 0.0, -10.0]]))

    for i in range(4):
        add(f"pinhole {i}", camera(), np.concatenate([camera_frame_points_planar(40, 0.8), camera_frame_points_planar(20, 6.0), behind_points(5)]))
    add("brown_conrady declared, no coefficients", camera("brown_conrady"), camera_frame_points_planar(30, 2.0))

    subsets = [
        ("k1", {"k1": -0.28}),
        ("k1 positive", {"k1": 0.15}),
        ("k1 k2", {"k1": -0.3, "k2": 0.09}),
        ("k1 k2 k3", {"k1": -0.25, "k2": 0.08, "k3": -0.01}),
        ("p1 only", {"p1": 0.002}),
        ("p2 only", {"p2": -0.0015}),
        ("p1 p2", {"p1": 0.0012, "p2": 0.0007}),
        ("all five", {"k1": -0.31, "k2": 0.11, "k3": -0.018, "p1": 0.0009, "p2": -0.0004}),
        ("large distortion", {"k1": 0.9, "k2": 0.7, "k3": 0.4, "p1": 0.05, "p2": -0.04}),
        ("large barrel", {"k1": -0.9, "k2": 0.4, "k3": -0.08, "p1": -0.03, "p2": 0.02}),
    ]
    for name, coefficients in subsets:
        for model in (None, "brown_conrady"):
            label = f"brown_conrady {name}" + (" (model implied)" if model is None else "")
            points = np.concatenate(
                [camera_frame_points_planar(40, 0.9), camera_frame_points_planar(20, 4.0), behind_points(3)]
            )
            add(label, camera(model, **coefficients), points)

    rational = [
        ("k4", {"k1": -0.2, "k4": 0.15}),
        ("k4 negative", {"k1": 0.1, "k2": -0.02, "k4": -0.05}),
        ("k4 full", {"k1": 2.1, "k2": 0.6, "k3": 0.01, "k4": 2.4, "p1": 0.0011, "p2": -0.0007}),
        ("k4 only", {"k4": 0.3}),
    ]
    for name, coefficients in rational:
        points = np.concatenate([camera_frame_points_planar(40, 0.9), camera_frame_points_planar(20, 3.0), behind_points(3)])
        add(f"brown_conrady {name}", camera("brown_conrady", **coefficients), points)

    fisheyes = [
        ("no coefficients", {}),
        ("typical", {"k1": 0.052, "k2": -0.011, "k3": 0.0021, "k4": -0.00041}),
        ("strong", {"k1": -0.12, "k2": 0.03, "k3": -0.004, "k4": 0.0003}),
        ("tangential ignored", {"k1": 0.03, "p1": 0.01, "p2": -0.02}),
    ]
    grazing = [0.0, 1e-9, 1e-7, 10.0, 45.0, 60.0, 75.0, 80.0, 82.5, 85.0, 87.0, 88.0, 89.0, 89.5, 89.9]
    for name, coefficients in fisheyes:
        points = np.concatenate(
            [camera_frame_points_angles(grazing), camera_frame_points_angles(RNG.uniform(0, 89.9, size=40)), behind_points(3)]
        )
        add(f"fisheye {name}", camera("fisheye", **coefficients), points)

    document = {
        "comment": "generated by gen_opencv_reference.py; do not edit",
        "opencv_version": cv2.__version__,
        "numpy_version": np.__version__,
        "spec_rational_formula_max_relative_diff_vs_opencv": SPEC_CHECK["max_abs_diff_px"],
        "cases": CASES,
    }
    OUT.write_text(json.dumps(document, indent=1) + "\n")
    n_points = sum(len(case["points"]) for case in CASES)
    print(f"wrote {OUT} with {len(CASES)} cases, {n_points} points; SPEC vs OpenCV max rel diff {SPEC_CHECK['max_abs_diff_px']:.3g}")


if __name__ == "__main__":
    main()
