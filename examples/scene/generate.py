"""Generate the example lidar scene: scene.jsonl, cuboids.jsonl and the media it points to.

A street seen from a car: a ground plane with lane markings, a few boxes (cars, a truck, a
pedestrian), a 32-beam lidar and three cameras, one per camera model (front: pinhole,
left: brown_conrady, rear: fisheye). The camera images are ray-cast from the same boxes with
OpenCV's own (un)distortion, so `nucleus render` overlays should sit exactly on the boxes.

The scene and cuboid payloads are written by the Nucleus Python SDK itself (LidarScene,
CuboidAnnotation .to_payload), so they are the SDK's exact shapes. Locations are remote
(s3://nucleus-rs-examples/...), as the SDK requires for scenes; the files are mirrored under
media/ for `nucleus render --media-dir examples/scene/media`.

Rerun from the repository root (deterministic; needs scale-nucleus, numpy, opencv):
    /work/venv/bin/python examples/scene/generate.py
"""

import json
import math
import os
import warnings

import cv2
import numpy as np

warnings.filterwarnings("ignore")
from nucleus import CuboidAnnotation, DatasetItem, Frame, LidarScene, Point3D  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MEDIA = os.path.join(HERE, "media")
BUCKET = "s3://nucleus-rs-examples"
WIDTH, HEIGHT = 640, 400
N_FRAMES = 2

# Camera → world heading looking along world +X (SPEC 4 worked example), then yawed.
FRONT = np.array([-0.5, 0.5, -0.5, 0.5])  # x, y, z, w


def quat_mul(a, b):
    ax, ay, az, aw = a
    bx, by, bz, bw = b
    return np.array(
        [
            aw * bx + ax * bw + ay * bz - az * by,
            aw * by - ax * bz + ay * bw + az * bx,
            aw * bz + ax * by - ay * bx + az * bw,
            aw * bw - ax * bx - ay * by - az * bz,
        ]
    )


def yawed(angle):
    return quat_mul(np.array([0.0, 0.0, math.sin(angle / 2), math.cos(angle / 2)]), FRONT)


def rotation(q):
    x, y, z, w = q / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


CAMERAS = {
    "front": {
        "position": [1.5, 0.0, 1.5],
        "heading": FRONT,
        "fx": 400.0,
        "fy": 400.0,
        "cx": 320.0,
        "cy": 200.0,
    },
    "left": {
        "position": [0.5, 0.9, 1.5],
        "heading": yawed(math.pi / 2),
        "fx": 330.0,
        "fy": 330.0,
        "cx": 318.5,
        "cy": 201.25,
        "camera_model": "brown_conrady",
        "k1": -0.28,
        "k2": 0.075,
        "p1": 0.0012,
        "p2": -0.0007,
    },
    "rear": {
        "position": [-1.0, 0.0, 1.5],
        "heading": yawed(math.pi),
        "fx": 190.0,
        "fy": 190.0,
        "cx": 320.0,
        "cy": 200.0,
        "camera_model": "fisheye",
        "k1": 0.04,
        "k2": -0.012,
        "k3": 0.002,
        "k4": -0.0004,
    },
}

# label, centre, dimensions (length, width, height), yaw, speed along the length axis (m/frame)
BOXES = [
    ("car", (13.0, -1.8, 0.8), (4.5, 1.9, 1.6), 0.12, 0.8),
    ("truck", (24.0, 3.6, 1.6), (8.5, 2.5, 3.2), -0.05, 0.5),
    ("pedestrian", (8.0, 4.2, 0.9), (0.6, 0.6, 1.8), 1.57, 0.15),
    ("car", (1.0, 8.5, 0.75), (4.4, 1.8, 1.5), 1.45, 0.3),
    ("car", (-11.0, 1.4, 0.8), (4.6, 1.9, 1.6), 3.1, 0.6),
    # Beside the car, straddling the front camera's plane: its edges are clipped, not dropped.
    ("car", (0.5, -3.6, 0.8), (4.8, 1.9, 1.6), 0.0, 0.0),
]


def boxes_at(frame):
    out = []
    for label, (x, y, z), dims, yaw, speed in BOXES:
        shift = speed * frame
        out.append((label, (x + shift * math.cos(yaw), y + shift * math.sin(yaw), z), dims, yaw))
    return out


def cast(origins, directions, boxes, max_range=80.0):
    """Nearest hit of each ray with the ground (z = 0) or a box: (t, kind, shade)."""
    n = directions.shape[0]
    best = np.full(n, np.inf)
    kind = np.zeros(n, dtype=np.int32)  # 0 sky, 1 ground, 2+ box index
    normal_shade = np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_ground = -origins[:, 2] / directions[:, 2]
    hit = (t_ground > 0) & (t_ground < max_range)
    best[hit] = t_ground[hit]
    kind[hit] = 1
    for idx, (_, centre, dims, yaw) in enumerate(boxes):
        c, s = math.cos(yaw), math.sin(yaw)
        rot = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]])  # world → box
        o = (origins - np.array(centre)) @ rot.T
        d = directions @ rot.T
        half = np.array(dims) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            t1 = (-half - o) / d
            t2 = (half - o) / d
        t_near = np.nanmax(np.minimum(t1, t2), axis=1)
        t_far = np.nanmin(np.maximum(t1, t2), axis=1)
        inside = (t_near <= t_far) & (t_far > 0) & (t_near > 0) & (t_near < best)
        best[inside] = t_near[inside]
        kind[inside] = 2 + idx
        face = np.argmax(np.where(np.minimum(t1, t2) == t_near[:, None], 1, 0), axis=1)
        normal_shade[inside] = np.array([0.95, 0.75, 1.1])[face[inside]]
    return best, kind, normal_shade


def camera_rays(cam):
    """World-frame unit rays of every pixel, and a mask of pixels the lens really sees."""
    u, v = np.meshgrid(np.arange(WIDTH) + 0.5, np.arange(HEIGHT) + 0.5)
    pixels = np.stack([u.ravel(), v.ravel()], axis=1).reshape(-1, 1, 2).astype(np.float64)
    K = np.array([[cam["fx"], 0, cam["cx"]], [0, cam["fy"], cam["cy"]], [0, 0, 1]])
    valid = np.ones(pixels.shape[0], dtype=bool)
    model = cam.get("camera_model")
    if model == "fisheye":
        D = np.array([cam["k1"], cam["k2"], cam["k3"], cam["k4"]])
        theta_d = np.hypot((pixels[:, 0, 0] - cam["cx"]) / cam["fx"], (pixels[:, 0, 1] - cam["cy"]) / cam["fy"])
        valid = theta_d < 1.45
        norm = cv2.fisheye.undistortPoints(pixels, K, D).reshape(-1, 2)
    elif model == "brown_conrady":
        D = np.array([cam["k1"], cam["k2"], cam["p1"], cam["p2"], 0.0])
        norm = cv2.undistortPoints(pixels, K, D).reshape(-1, 2)
    else:
        norm = cv2.undistortPoints(pixels, K, None).reshape(-1, 2)
    rays_cam = np.concatenate([norm, np.ones((norm.shape[0], 1))], axis=1)
    rays_cam /= np.linalg.norm(rays_cam, axis=1, keepdims=True)
    rays_world = rays_cam @ rotation(cam["heading"]).T
    return rays_world, valid


def render_image(cam, boxes):
    rays, valid = camera_rays(cam)
    origins = np.tile(np.array(cam["position"]), (rays.shape[0], 1))
    t, kind, shade = cast(origins, rays, boxes)
    hits = origins + rays * np.where(np.isfinite(t), t, 0)[:, None]
    img = np.zeros((rays.shape[0], 3))
    sky = kind == 0
    elevation = np.clip(rays[:, 2], 0, 1)
    img[sky] = (np.array([200, 220, 240])[None, :] * (1 - elevation[sky, None]) + np.array([90, 140, 210])[None, :] * elevation[sky, None])
    ground = kind == 1
    gx, gy = hits[:, 0], hits[:, 1]
    asphalt = 95 + 12 * ((np.floor(gx / 2) + np.floor(gy / 2)) % 2)
    lane = (np.abs(np.abs(gy) - 1.75) < 0.08) & ((gx % 6) < 3)
    edge = np.abs(np.abs(gy) - 5.5) < 0.12
    g = np.where(lane | edge, 235, asphalt)
    far = np.clip(t / 80, 0, 1)
    img[ground] = (g[ground, None] * (1 - far[ground, None]) + 170 * far[ground, None]) * np.ones((1, 3))
    palette = {"car": (70, 110, 190), "truck": (200, 150, 60), "pedestrian": (190, 80, 80)}
    for idx, (label, *_rest) in enumerate(boxes):
        mask = kind == 2 + idx
        img[mask] = np.array(palette[label])[None, :] * np.clip(shade[mask, None], 0, 1.2)
    img[~valid] = 0
    img = np.clip(img, 0, 255).astype(np.uint8).reshape(HEIGHT, WIDTH, 3)
    return img


def lidar_points(boxes, frame):
    """A 32-beam spinning lidar at (0, 0, 1.8): one point per beam and azimuth step that hits."""
    origin = np.array([0.0, 0.0, 1.8])
    elevations = np.radians(np.linspace(-22.0, 4.0, 32))
    azimuths = np.radians(np.arange(0, 360, 1.5))
    el, az = np.meshgrid(elevations, azimuths)
    dirs = np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=-1).reshape(-1, 3)
    origins = np.tile(origin, (dirs.shape[0], 1))
    t, kind, _ = cast(origins, dirs, boxes, max_range=60.0)
    keep = np.isfinite(t) & (kind > 0)
    # Keep every other ground return so objects stand out and the file stays small.
    keep &= (kind > 1) | (np.arange(dirs.shape[0]) % 2 == 0)
    rng = np.random.default_rng(7 + frame)
    pts = origins[keep] + dirs[keep] * (t[keep] + rng.normal(0, 0.01, keep.sum()))[:, None]
    is_ground = kind[keep] == 1
    intensity = np.where(is_ground, rng.uniform(0.05, 0.3, keep.sum()), rng.uniform(0.4, 0.9, keep.sum()))
    lane = is_ground & (np.abs(np.abs(pts[:, 1]) - 1.75) < 0.1)
    intensity[lane] = 0.95
    t0 = 1_700_000_000_000_000_000 + frame * 100_000_000
    order = np.argsort(np.arctan2(pts[:, 1], pts[:, 0]), kind="stable")
    points = []
    for rank, idx in enumerate(order):
        x, y, z = pts[idx]
        points.append(
            {
                "x": round(float(x), 3),
                "y": round(float(y), 3),
                "z": round(float(z), 3),
                "i": round(float(intensity[idx]), 3),
                "d": 0,
                "t": t0 + rank * 25_000,
                "is_ground": bool(is_ground[idx]),
            }
        )
    return {"device_position": {"x": 0.0, "y": 0.0, "z": 1.8}, "points": points}


def camera_params(cam):
    params = {
        "position": dict(zip("xyz", cam["position"])),
        "heading": dict(zip("xyzw", [float(v) for v in cam["heading"]])),
    }
    for key in ["fx", "fy", "cx", "cy", "camera_model", "k1", "k2", "k3", "k4", "p1", "p2"]:
        if key in cam:
            params[key] = cam[key]
    return params


def main():
    frames = []
    cuboid_lines = []
    for frame in range(N_FRAMES):
        boxes = boxes_at(frame)
        name = f"{frame:03d}"
        lidar_path = os.path.join(MEDIA, "lidar", f"{name}.json")
        os.makedirs(os.path.dirname(lidar_path), exist_ok=True)
        with open(lidar_path, "w") as f:
            json.dump(lidar_points(boxes, frame), f, separators=(",", ":"))
        lidar_ref = f"street-0/lidar/{name}"
        items = {
            "lidar": DatasetItem(
                pointcloud_location=f"{BUCKET}/lidar/{name}.json",
                reference_id=lidar_ref,
                metadata={"frame": frame},
            )
        }
        for sensor, cam in CAMERAS.items():
            path = os.path.join(MEDIA, sensor, f"{name}.png")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            cv2.imwrite(path, cv2.cvtColor(render_image(cam, boxes), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
            items[sensor] = DatasetItem(
                image_location=f"{BUCKET}/{sensor}/{name}.png",
                reference_id=f"street-0/{sensor}/{name}",
                metadata={"camera_params": camera_params(cam), "frame": frame},
                width=WIDTH,
                height=HEIGHT,
            )
        frames.append(Frame(**items))
        for idx, (label, centre, dims, yaw) in enumerate(boxes):
            cuboid = CuboidAnnotation(
                label=label,
                position=Point3D(*[round(v, 3) for v in centre]),
                dimensions=Point3D(*dims),
                yaw=yaw,
                reference_id=lidar_ref,
                annotation_id=f"{lidar_ref}/{label}-{idx}",
                track_reference_id=f"{label}-{idx}",
            )
            cuboid_lines.append(json.dumps(cuboid.to_payload(), separators=(",", ":")))
    scene = LidarScene(reference_id="street-0", frames=frames, metadata={"city": "example", "lat": 52.52, "lon": 13.405})
    payload = scene.to_payload()
    # The SDK drops width/height from the scene payload only when they are unset; keep them.
    with open(os.path.join(HERE, "scene.jsonl"), "w") as f:
        f.write(json.dumps(payload, separators=(",", ":")) + "\n")
    with open(os.path.join(HERE, "cuboids.jsonl"), "w") as f:
        f.write("\n".join(cuboid_lines) + "\n")


if __name__ == "__main__":
    main()
