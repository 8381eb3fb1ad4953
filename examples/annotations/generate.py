"""Generate the example annotation and prediction files (the valid ones; mistakes.jsonl comes
from `cargo xtask gen-examples`).

- items.jsonl: ground truth for the first 100 items of examples/items.jsonl: boxes, polygons,
  lines, keypoints, categories, multicategories and segmentations on the photos and camera
  images, cuboids on the lidar items.
- predictions.jsonl: model output for the same photos: boxes with confidence and class_pdf,
  categories, segmentations, cuboids.
- scene.jsonl: 2D annotations for the example scene (examples/scene/scene.jsonl; its cuboids
  are examples/scene/cuboids.jsonl): the box around each cuboid in the front (pinhole) camera's
  image and a scene category of the whole scene.

Every line is read by the Nucleus Python SDK (Annotation.from_json / prediction.from_json) and
written as its to_payload() gives it, so the files are in the SDK's exact shapes.

Rerun from the repository root (deterministic; needs scale-nucleus):
    /path/to/venv/bin/python examples/annotations/generate.py
"""

import json
import math
import os
import random

from nucleus import prediction as sdk_prediction
from nucleus.annotation import Annotation

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
N_ITEMS = 100

PHOTO_LABELS = ["dog", "person", "bicycle", "car", "boat", "bench"]
STREET_LABELS = ["car", "truck", "pedestrian", "cyclist", "traffic light"]
COCO_NAMES = ["nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder", "left_hip", "right_hip"]
COCO_SKELETON = [[0, 1], [0, 2], [1, 3], [2, 4], [3, 4], [3, 5], [4, 6], [5, 6]]


def sdk_line(fields, role="annotation"):
    """The SDK's payload of `fields`, as one compact JSON line."""
    reader = Annotation.from_json if role == "annotation" else sdk_prediction.from_json
    payload = reader(json.loads(json.dumps(fields))).to_payload()
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def box_in(rng, width, height):
    w = round(rng.uniform(0.05, 0.3) * width, 1)
    h = round(rng.uniform(0.05, 0.3) * height, 1)
    x = round(rng.uniform(0, width - w), 1)
    y = round(rng.uniform(0, height - h), 1)
    return {"x": x, "y": y, "width": w, "height": h}


def predicted_box(box, width, height):
    """A prediction near the true box: 2% larger, still inside the image."""
    return {
        "x": box["x"],
        "y": box["y"],
        "width": round(min(box["width"] * 1.02, width - box["x"]), 1),
        "height": round(min(box["height"] * 1.02, height - box["y"]), 1),
    }


def polygon_in(rng, width, height, n):
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    r = 0.2 * min(width, height)
    return [
        {"x": round(cx + r * math.cos(2 * math.pi * k / n), 1), "y": round(cy + r * math.sin(2 * math.pi * k / n), 1)}
        for k in range(n)
    ]


def items():
    with open(os.path.join(ROOT, "examples", "items.jsonl")) as f:
        return [json.loads(line) for line in f][:N_ITEMS]


def annotations_for_items(rng):
    lines, predictions = [], []
    for item in items():
        ref = item["reference_id"]
        width, height = item.get("width") or 1920, item.get("height") or 1080
        if "pointcloud_location" in item:
            for k in range(2):
                label = rng.choice(["car", "truck", "pedestrian"])
                geometry = {
                    "position": {"x": round(rng.uniform(5, 40), 2), "y": round(rng.uniform(-8, 8), 2), "z": 0.9},
                    "dimensions": {"x": 4.6, "y": 1.9, "z": 1.6} if label == "car" else {"x": 9.0, "y": 2.6, "z": 3.4} if label == "truck" else {"x": 0.6, "y": 0.6, "z": 1.8},
                    "yaw": round(rng.uniform(-0.3, 0.3), 3),
                }
                track = f"{ref.split('/')[0]}/{label}-{k}"
                lines.append(sdk_line({"label": label, "type": "cuboid", "geometry": geometry, "reference_id": ref, "annotation_id": f"{ref}/{label}-{k}", "track_reference_id": track}))
                if k == 0:
                    predictions.append(sdk_line({"label": label, "type": "cuboid", "geometry": geometry, "reference_id": ref, "confidence": round(rng.uniform(0.5, 0.99), 3)}, "prediction"))
            continue
        if ref.startswith("scene-"):
            # A camera image of the driving scene.
            for k in range(rng.randrange(1, 3)):
                label = rng.choice(STREET_LABELS)
                lines.append(sdk_line({"label": label, "type": "box", "geometry": box_in(rng, width, height), "reference_id": ref, "metadata": {"occluded": rng.random() < 0.3}}))
            if ref.endswith("/front"):
                lane = [{"x": round(0.2 * width + 60 * k, 1), "y": round(height - 150 * k, 1)} for k in range(4)]
                lines.append(sdk_line({"label": "lane marking", "type": "line", "geometry": {"vertices": lane}, "reference_id": ref, "annotation_id": f"{ref}/lane-0"}))
                lines.append(sdk_line({"label": "road", "type": "polygon", "geometry": {"vertices": polygon_in(rng, width, height, 6)}, "reference_id": ref, "annotation_id": f"{ref}/road-0"}))
            continue
        # A photo.
        label = rng.choice(PHOTO_LABELS)
        box = box_in(rng, width, height)
        lines.append(sdk_line({"label": label, "type": "box", "geometry": box, "reference_id": ref, "annotation_id": f"{ref}/{label}-0"}))
        pdf = {label: 0.82, "person": 0.1, "bench": 0.08} if label not in ("person", "bench") else {label: 0.9, "dog": 0.1}
        predictions.append(sdk_line({"label": label, "type": "box", "geometry": predicted_box(box, width, height), "reference_id": ref, "annotation_id": f"{ref}/{label}-0", "confidence": round(rng.uniform(0.4, 0.99), 3), "class_pdf": pdf}, "prediction"))
        lines.append(sdk_line({"label": rng.choice(["indoor", "outdoor"]), "type": "category", "reference_id": ref, "taxonomy_name": "setting"}))
        predictions.append(sdk_line({"label": "outdoor", "type": "category", "reference_id": ref, "taxonomy_name": "setting", "confidence": 0.7}, "prediction"))
        kind = rng.randrange(4)
        if kind == 0:
            keypoints = []
            for _ in COCO_NAMES:
                if rng.random() < 0.85:
                    keypoints.append({"x": round(rng.uniform(0.3, 0.6) * width, 1), "y": round(rng.uniform(0.2, 0.8) * height, 1), "visible": True})
                else:
                    keypoints.append({"x": None, "y": None, "visible": False})
            lines.append(sdk_line({"label": "person", "type": "keypoints", "geometry": {"keypoints": keypoints, "names": COCO_NAMES, "skeleton": COCO_SKELETON}, "reference_id": ref}))
        elif kind == 1:
            segments = [{"label": "background", "index": 0}, {"label": label, "index": 1}]
            mask = f"s3://acme-masks/{ref}.png"
            lines.append(sdk_line({"type": "mask", "mask_url": mask, "annotations": segments, "reference_id": ref, "annotation_id": f"{ref}/mask"}))
            predictions.append(sdk_line({"type": "mask", "mask_url": mask.replace("acme-masks", "acme-predicted-masks"), "annotations": segments, "reference_id": ref}, "prediction"))
        elif kind == 2:
            lines.append(sdk_line({"labels": rng.sample(["blurry", "night", "crowded", "outdoor"], 2), "type": "multicategory", "reference_id": ref, "taxonomy_name": "attributes"}))
        else:
            lines.append(sdk_line({"label": "fence", "type": "polygon", "geometry": {"vertices": polygon_in(rng, width, height, 5)}, "reference_id": ref, "annotation_id": f"{ref}/fence-0"}))
    return lines, predictions


def rotation(q):
    x, y, z, w = q["x"], q["y"], q["z"], q["w"]
    n = math.sqrt(x * x + y * y + z * z + w * w)
    x, y, z, w = x / n, y / n, z / n, w / n
    return [
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ]


def pinhole_box(camera, cuboid, width, height):
    """The box around a cuboid's projected corners in a pinhole camera, clipped to the image."""
    r = rotation(camera["heading"])
    p = camera["position"]
    g = cuboid["geometry"]
    c, d, yaw = g["position"], g["dimensions"], g["yaw"]
    pixels = []
    for sx, sy, sz in [(a, b, e) for a in (-1, 1) for b in (-1, 1) for e in (-1, 1)]:
        lx, ly, lz = sx * d["x"] / 2, sy * d["y"] / 2, sz * d["z"] / 2
        world = [c["x"] + lx * math.cos(yaw) - ly * math.sin(yaw), c["y"] + lx * math.sin(yaw) + ly * math.cos(yaw), c["z"] + lz]
        rel = [world[i] - p[k] for i, k in enumerate("xyz")]
        cam = [sum(r[row][col] * rel[row] for row in range(3)) for col in range(3)]
        if cam[2] <= 0.1:
            return None
        pixels.append((camera["fx"] * cam[0] / cam[2] + camera["cx"], camera["fy"] * cam[1] / cam[2] + camera["cy"]))
    x0 = max(0.0, min(u for u, _ in pixels))
    y0 = max(0.0, min(v for _, v in pixels))
    x1 = min(float(width), max(u for u, _ in pixels))
    y1 = min(float(height), max(v for _, v in pixels))
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    return {"x": round(x0, 2), "y": round(y0, 2), "width": round(x1 - x0, 2), "height": round(y1 - y0, 2)}


def scene_annotations():
    with open(os.path.join(ROOT, "examples", "scene", "scene.jsonl")) as f:
        scene = json.loads(f.readline())
    with open(os.path.join(ROOT, "examples", "scene", "cuboids.jsonl")) as f:
        cuboids = [json.loads(line) for line in f]
    lines = [sdk_line({"label": "urban", "type": "category", "reference_id": scene["reference_id"], "taxonomy_name": "environment"})]
    for frame in scene["frames"]:
        lidar, front = frame["lidar"], frame["front"]
        camera = front["metadata"]["camera_params"]
        for cuboid in cuboids:
            if cuboid["reference_id"] != lidar["reference_id"]:
                continue
            box = pinhole_box(camera, cuboid, front["width"], front["height"])
            if box is None:
                continue
            name = cuboid["annotation_id"].rsplit("/", 1)[-1]
            lines.append(sdk_line({
                "label": cuboid["label"],
                "type": "box",
                "geometry": box,
                "reference_id": front["reference_id"],
                "annotation_id": f"{front['reference_id']}/{name}",
                "track_reference_id": cuboid["track_reference_id"],
            }))
    return lines


def write(name, lines):
    with open(os.path.join(HERE, name), "w", newline="\n") as f:
        f.writelines(line + "\n" for line in lines)
    print(f"wrote examples/annotations/{name} ({len(lines)} lines)")


def main():
    rng = random.Random(0xA11_07A7E)
    lines, predictions = annotations_for_items(rng)
    write("items.jsonl", lines)
    write("predictions.jsonl", predictions)
    write("scene.jsonl", scene_annotations())


if __name__ == "__main__":
    main()
