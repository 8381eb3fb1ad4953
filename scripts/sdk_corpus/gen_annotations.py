#!/usr/bin/env python3
"""Generate a differential corpus of annotations and predictions judged by the real Python SDK.

Rerun (from the repository root, with scale-nucleus 0.22.3 installed in the venv):

    /path/to/venv/bin/python scripts/sdk_corpus/gen_annotations.py \
        > crates/nucleus-testdata/data/annotation_sdk_corpus.jsonl

Do not run Python with -O: the SDK validates with `assert`, which -O removes.

Each output line is one case:

    {"case": "<mutation name>", "tag": "accept" | "sdk-reject" | "stricter",
     "role": "annotation" | "prediction",
     "input": "<the annotation as JSON text, exactly one JSON Lines line>",
     "payload": <from_json(input).to_payload()>,        # when the SDK accepted
     "error": "<ExceptionType: message>"}               # when the SDK raised

`from_json` is `nucleus.annotation.Annotation.from_json` for the role "annotation" and
`nucleus.prediction.from_json` for "prediction". The tag comes from the mutation that built the
case: "accept" = the SDK accepts and nucleus-annotation accepts (warnings allowed);
"stricter" = the SDK accepts, nucleus-annotation rejects on purpose; "sdk-reject" = the SDK
raises (or its payload cannot be written as JSON). The generator stops when the SDK's verdict
disagrees with the tag, so a finished run also checks our reading of the SDK.

The output is deterministic for a given seed and SDK version (see gen_corpus.py, whose JSON
writer this script shares).
"""

import copy
import json
import os
import random
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gen_corpus import Raw, Style, emit  # noqa: E402  (the item corpus's JSON writer)
from nucleus import prediction as sdk_prediction  # noqa: E402
from nucleus.annotation import Annotation  # noqa: E402

SEED = 0xA77_2024
N_TARGET = 3000

LABELS = [
    "car", "pedestrian", "cyclist", "truck", "bus", "traffic light", "traffic_sign",
    "motorcycle", "dog", "stroller",
]
UNICODE_LABELS = ["voiture", "自転車", "piéton", "Ampel 🚦", "знак", "car\tparked"]
COCO_NAMES = [
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
]
COCO_SKELETON = [
    [15, 13], [13, 11], [16, 14], [14, 12], [11, 12], [5, 11], [6, 12], [5, 6], [5, 7],
    [6, 8], [7, 9], [8, 10], [1, 2], [0, 1], [0, 2], [1, 3], [2, 4], [3, 5], [4, 6],
]
NUMBER_TOKENS = [
    "0", "1", "-0", "1.0", "100.0", "1e2", "1E2", "1e16", "1.5e16", "0.1", "-0.0", "1e-5",
    "2.5E-3", "0.30000000000000004", "123456789.123456789", "9007199254740993",
    "18446744073709551615", "5e-324", "1234.5678", "3.0e1",
]
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]


def hex_id(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def shuffled(rng, d):
    items = list(d.items())
    rng.shuffle(items)
    return dict(items)


def coordinate(rng, lo, hi):
    """A pixel coordinate spelled as the files of real teams spell them."""
    style = rng.random()
    if style < 0.35:
        return rng.randrange(int(lo), int(hi))
    if style < 0.7:
        return round(rng.uniform(lo, hi), rng.choice([1, 2, 3]))
    if style < 0.95:
        return rng.uniform(lo, hi)
    return Raw(rng.choice(["1E2", "1e2", "100.0", "3.0e1", "-0", "0", "2.5E1"]))


def size(rng, lo, hi):
    style = rng.random()
    if style < 0.4:
        return rng.randrange(int(lo), int(hi))
    if style < 0.95:
        return round(rng.uniform(lo, hi), rng.choice([1, 2, 3, 6]))
    return Raw(rng.choice(["1E2", "1e1", "5.0", "1.5e1"]))


def label(rng):
    return rng.choice(UNICODE_LABELS) if rng.random() < 0.08 else rng.choice(LABELS)


def probability_pdf(rng, main):
    others = rng.sample([l for l in LABELS if l != main], rng.randrange(1, 4))
    weights = [rng.random() + 0.05 for _ in range(len(others) + 1)]
    total = sum(weights)
    digits = rng.choice([None, 3, 4, 6])
    pdf = {}
    for name, weight in zip([main, *others], weights):
        p = weight / total
        pdf[name] = p if digits is None else round(p, digits)
    return pdf


def confidence(rng):
    style = rng.random()
    if style < 0.5:
        return round(rng.random(), rng.choice([2, 3, 4]))
    if style < 0.9:
        return rng.random()
    return rng.choice([0, 1, 0.0, 1.0, Raw("1e-3")])


class Case:
    """One annotation or prediction under construction."""

    def __init__(self, rng, idx, role, kind):
        self.rng = rng
        self.idx = idx
        self.role = role  # "annotation" | "prediction"
        self.kind = kind  # "box", "line", ..., "segmentation"
        self.fields = {}
        self.variant = None

    @property
    def ref(self):
        if self.kind == "cuboid":
            return f"scene-{self.idx % 7}/lidar/{self.idx:05d}"
        return f"img-{self.idx:05d}"

    def geometry(self):
        return self.fields.setdefault("geometry", {})


def build(rng, idx, role=None, kind=None):
    """A valid annotation or prediction of `kind` with a random choice of optional fields."""
    role = role or ("prediction" if rng.random() < 0.4 else "annotation")
    if kind == "multicategory":
        role = "annotation"  # the SDK has no multicategory prediction
    if kind is None:
        kinds = ["box"] * 6 + ["line", "polygon", "polygon", "keypoints", "cuboid", "cuboid",
                               "category", "segmentation"]
        if role == "annotation":
            kinds.append("multicategory")
        kind = rng.choice(kinds)
    c = Case(rng, idx, role, kind)
    f = c.fields
    main = label(rng)
    type_name = {"segmentation": rng.choice(["mask", "mask", "segmentation", None])}.get(kind, kind)
    if kind not in ("multicategory", "segmentation"):
        f["label"] = main
    if type_name is not None:
        f["type"] = type_name
    if kind == "box":
        f["geometry"] = {
            "x": coordinate(rng, 0, 1700),
            "y": coordinate(rng, 0, 900),
            "width": size(rng, 1, 200),
            "height": size(rng, 1, 150),
        }
    elif kind in ("line", "polygon"):
        n = rng.randrange(2 if kind == "line" else 3, 10)
        f["geometry"] = {
            "vertices": [{"x": coordinate(rng, 0, 1920), "y": coordinate(rng, 0, 1080)} for _ in range(n)]
        }
    elif kind == "keypoints":
        n = rng.choice([17, 17, 5, 3])
        names = COCO_NAMES[:n] if n == 17 else rng.sample(COCO_NAMES, n)
        keypoints = []
        for _ in range(n):
            r = rng.random()
            if r < 0.8:
                keypoints.append({"x": coordinate(rng, 0, 1920), "y": coordinate(rng, 0, 1080), "visible": True})
            elif r < 0.9:
                keypoints.append({"x": None, "y": None, "visible": False})
            elif r < 0.95:
                keypoints.append({"visible": False})
            else:
                keypoints.append({"x": coordinate(rng, 0, 1920), "y": coordinate(rng, 0, 1080), "visible": False})
        skeleton = COCO_SKELETON if n == 17 else [[i, i + 1] for i in range(n - 1)]
        g = {"keypoints": keypoints, "names": names}
        r = rng.random()
        if r < 0.75:
            g["skeleton"] = skeleton
        elif r < 0.85 or role == "prediction":
            g["skeleton"] = None
        f["geometry"] = g
    elif kind == "cuboid":
        f["geometry"] = {
            "position": {"x": round(rng.uniform(-60, 60), 3), "y": round(rng.uniform(-30, 30), 3), "z": round(rng.uniform(-1, 2), 3)},
            "dimensions": {"x": round(rng.uniform(0.5, 12), 2), "y": round(rng.uniform(0.5, 3), 2), "z": round(rng.uniform(0.8, 4), 2)},
            "yaw": rng.choice([round(rng.uniform(-3.14, 3.14), 4), rng.uniform(-3.14, 3.14), 0, 0.0]),
        }
        if rng.random() < 0.1:
            f["geometry"] = shuffled(rng, f["geometry"])
    elif kind == "category":
        if rng.random() < 0.5:
            f["taxonomy_name"] = rng.choice(["weather", "scene_type", "quality"])
        if rng.random() < 0.5:
            f["geometry"] = {}
    elif kind == "multicategory":
        f["labels"] = rng.sample(LABELS, rng.randrange(1, 4))
        if rng.random() < 0.5:
            f["taxonomy_name"] = "attributes"
        if rng.random() < 0.5:
            f["geometry"] = {}
    elif kind == "segmentation":
        f["mask_url"] = rng.choice([
            f"s3://acme-masks/{c.ref}.png",
            f"https://cdn.example.com/masks/{c.ref}.png",
            f"masks/{c.ref}.png",
        ])
        n = rng.randrange(1, 6)
        indexes = rng.sample(range(0, 40), n)
        segments = []
        for i in indexes:
            s = {"label": label(rng), "index": i}
            if rng.random() < 0.2:
                s["metadata"] = {"area": rng.randrange(1, 10000)}
            elif rng.random() < 0.05:
                s["metadata"] = None
            segments.append(s)
        f["annotations"] = segments
    f["reference_id"] = c.ref
    if kind in ("box", "line", "polygon", "keypoints", "cuboid", "segmentation") and rng.random() < 0.6:
        f["annotation_id"] = f"{c.ref}/{kind}-{rng.randrange(1000)}"
    if kind != "segmentation":
        if rng.random() < 0.5:
            f["metadata"] = rng.choice([
                {"occluded": rng.random() < 0.5},
                {"truncation": round(rng.random(), 2), "source": "vendor-a"},
                {"n": Raw(rng.choice(NUMBER_TOKENS))},
                {},
                None,
            ])
        if rng.random() < 0.3:
            f["track_reference_id"] = f"track-{rng.randrange(300)}"
        if role == "annotation" and rng.random() < 0.1:
            f["task_id"] = f"task_{hex_id(rng, 12)}"
    if kind in ("box", "polygon") and rng.random() < 0.1:
        f["embedding_vector"] = [round(rng.uniform(-1, 1), 4) for _ in range(rng.randrange(2, 8))]
    if rng.random() < 0.08:
        f["dataset_item_id"] = f"di_{hex_id(rng, 20)}"
    if role == "prediction":
        if kind != "segmentation":
            if rng.random() < 0.85:
                f["confidence"] = confidence(rng)
            if kind != "keypoints" and rng.random() < 0.3:
                f["class_pdf"] = probability_pdf(rng, main)
        if rng.random() < 0.05:
            f["dataset_id"] = f"ds_{hex_id(rng, 20)}"
    if rng.random() < 0.25:
        c.fields = shuffled(rng, c.fields)
    return c


# ---------------------------------------------------------------------------
# Mutations. Each takes (rng, idx) and returns (Case, tag).


def m_valid(rng, idx):
    return build(rng, idx), "accept"


def m_valid_each(kind):
    def mutation(rng, idx):
        return build(rng, idx, kind=kind), "accept"

    mutation.__name__ = f"m_valid_{kind}"
    return mutation


def m_prediction_by_item_id(rng, idx):
    c = build(rng, idx, role="prediction")
    del c.fields["reference_id"]
    c.fields["dataset_item_id"] = f"di_{hex_id(rng, 20)}"
    return c, "accept"


def m_number_spellings(rng, idx):
    c = build(rng, idx, kind=rng.choice(["box", "box", "polygon", "cuboid"]))
    g = c.geometry()
    token = Raw(rng.choice(NUMBER_TOKENS))
    if c.kind == "box":
        g[rng.choice(["x", "y"])] = token
        c.fields.pop("annotation_id", None)  # exercise the generated id
    elif c.kind == "polygon":
        g["vertices"][0]["x"] = token
    else:
        g["position"][rng.choice(["x", "y", "z"])] = token
    return c, "accept"


def m_generated_box_id(rng, idx):
    c = build(rng, idx, kind="box")
    c.fields.pop("annotation_id", None)
    if rng.random() < 0.3:
        c.fields["annotation_id"] = None
    return c, "accept"


def m_ignored_fields(rng, idx):
    """Keys the SDK drops silently: accepted here with a warning."""
    c = build(rng, idx)
    kind, role = c.kind, c.role
    options = ["unknown", "geometry-extra", "item_id"]
    if kind == "segmentation":
        options += ["segmentation-metadata", "segment-extra"]
    if kind in ("category", "multicategory"):
        options += ["category-annotation-id", "category-geometry"]
    if role == "annotation":
        options += ["annotation-confidence"]
    if role == "prediction":
        options += ["prediction-task-id"]
    if kind in ("line", "polygon"):
        options += ["vertex-extra"]
    variant = rng.choice(options)
    c.variant = variant
    f = c.fields
    if variant == "unknown":
        f[rng.choice(["lable", "refernce_id", "annotation", "score", "bbox", "attributes"])] = rng.choice([1, "x", None, {"a": 1}])
    elif variant == "geometry-extra":
        if kind in ("category", "multicategory", "segmentation"):
            f["unknown_key"] = 1
        else:
            c.geometry()["rotation"] = 0.5
    elif variant == "item_id":
        f["item_id"] = f"di_{hex_id(rng, 20)}"
    elif variant == "segmentation-metadata":
        f["metadata"] = {"source": "model-7"}
    elif variant == "segment-extra":
        f["annotations"][0]["color"] = "#ff0000"
    elif variant == "category-annotation-id":
        f["annotation_id"] = f"{c.ref}/cat"
    elif variant == "category-geometry":
        f["geometry"] = rng.choice([{"x": 1}, [], None])
    elif variant == "annotation-confidence":
        f["confidence"] = 0.9
    elif variant == "prediction-task-id":
        f["task_id"] = rng.choice([f"task_{hex_id(rng, 12)}", None])
    elif variant == "vertex-extra":
        c.geometry()["vertices"][0]["z"] = 1.0
    return c, "accept"


def m_unicode(rng, idx):
    c = build(rng, idx, kind=rng.choice(["box", "category", "cuboid"]))
    c.fields["label"] = rng.choice(UNICODE_LABELS)
    c.fields["metadata"] = {"note": rng.choice(["café", "東京", "line\nbreak", "😀"])}
    return c, "accept"


# sdk-reject


def m_not_object(rng, idx):
    c = Case(rng, idx, rng.choice(["annotation", "prediction"]), "box")
    c.fields = rng.choice([[1, 2], "box", 5, None, True])
    return c, "sdk-reject"


def m_type_unhashable(rng, idx):
    c = build(rng, idx, kind="box")
    c.fields["type"] = rng.choice([["box"], {"t": "box"}])
    return c, "sdk-reject"


def m_reference_id_missing(rng, idx):
    c = build(rng, idx, role="annotation")
    del c.fields["reference_id"]
    return c, "sdk-reject"


def m_prediction_no_target(rng, idx):
    c = build(rng, idx, role="prediction")
    c.fields.pop("dataset_item_id", None)
    if rng.random() < 0.5:
        del c.fields["reference_id"]
    else:
        c.fields["reference_id"] = None
    return c, "sdk-reject"


def m_geometry_not_object(rng, idx):
    c = build(rng, idx, kind=rng.choice(["box", "line", "polygon", "keypoints", "cuboid"]))
    c.fields["geometry"] = rng.choice([None, [], [1, 2], "x", 5, True])
    return c, "sdk-reject"


def m_vertex_malformed(rng, idx):
    c = build(rng, idx, kind=rng.choice(["line", "polygon"]))
    g = c.geometry()
    variant = rng.randrange(4)
    c.variant = ["missing-coordinate", "list", "not-iterable", "dict-of-keys"][variant]
    if variant == 0:
        del g["vertices"][rng.randrange(len(g["vertices"]))][rng.choice(["x", "y"])]
    elif variant == 1:
        g["vertices"][0] = [1, 2]
    elif variant == 2:
        g["vertices"] = rng.choice([None, 5, True])
    else:
        g["vertices"] = {"x": 1, "y": 2}
    return c, "sdk-reject"


def m_keypoints_sdk_reject(rng, idx):
    c = build(rng, idx, kind="keypoints")
    g = c.geometry()
    variant = rng.randrange(9)
    c.variant = ["names-missing", "count-mismatch", "duplicate-name", "edge-not-pair", "index-too-large", "visible-missing", "visible-without-coordinates", "keypoint-not-object", "names-not-sized"][variant]
    if variant == 0:
        del g["names"]
    elif variant == 1:
        g["names"] = g["names"][:-1]
    elif variant == 2:
        g["names"][-1] = g["names"][0]
    elif variant == 3:
        g["skeleton"] = [[0, 1, 2]] if len(g["names"]) > 2 else [[0]]
    elif variant == 4:
        g["skeleton"] = [[0, len(g["names"]) + rng.randrange(0, 3)]]
    elif variant == 5:
        del g["keypoints"][0]["visible"]
    elif variant == 6:
        g["keypoints"][0] = {"x": rng.choice([None, 10]), "y": None, "visible": True}
    elif variant == 7:
        g["keypoints"][0] = rng.choice([[1, 2, True], "nose"])
    else:
        g["names"] = rng.choice([None, 17])
    return c, "sdk-reject"


def m_keypoints_prediction_no_skeleton(rng, idx):
    c = build(rng, idx, role="prediction", kind="keypoints")
    c.geometry().pop("skeleton", None)
    return c, "sdk-reject"


def m_cuboid_sdk_reject(rng, idx):
    c = build(rng, idx, kind="cuboid")
    g = c.geometry()
    variant = rng.randrange(4)
    c.variant = ["position-missing", "dimensions-missing", "coordinate-missing", "position-not-object"][variant]
    if variant == 0:
        del g["position"]
    elif variant == 1:
        del g["dimensions"]
    elif variant == 2:
        del g[rng.choice(["position", "dimensions"])][rng.choice(["x", "y", "z"])]
    else:
        g["position"] = rng.choice([None, [1, 2, 3], "0,0,0"])
    return c, "sdk-reject"


def m_category_label_missing(rng, idx):
    c = build(rng, idx, role="annotation", kind="category")
    del c.fields["label"]
    return c, "sdk-reject"


def m_multicategory_reject(rng, idx):
    if rng.random() < 0.5:
        c = build(rng, idx, role="annotation", kind="multicategory")
        del c.fields["labels"]
        c.variant = "labels-missing"
    else:
        c = build(rng, idx, role="annotation", kind="multicategory")
        c.role = "prediction"
        c.variant = "prediction"
    return c, "sdk-reject"


def m_segmentation_reject(rng, idx):
    c = build(rng, idx, kind="segmentation")
    f = c.fields
    variant = rng.randrange(4)
    c.variant = ["mask-url-missing", "mask-url-falsy", "segment-not-object", "segments-not-list"][variant]
    if variant == 0:
        del f["mask_url"]
    elif variant == 1:
        f["mask_url"] = rng.choice(["", None, 0, [], False])
    elif variant == 2:
        f["annotations"][0] = rng.choice(["road", 1, ["road", 1]])
    else:
        f["annotations"] = rng.choice([None, 5, {"label": "road"}])
    return c, "sdk-reject"


def m_unknown_type_without_mask(rng, idx):
    c = build(rng, idx, kind="box")
    c.fields["type"] = rng.choice(["bbox", "Box", "rectangle", "polyline", 5, True, None, "scene_category"])
    if rng.random() < 0.3:
        del c.fields["type"]
    return c, "sdk-reject"


def m_non_finite(rng, idx):
    c = build(rng, idx, kind=rng.choice(["box", "polygon", "cuboid", "category"]))
    token = Raw(rng.choice(NON_FINITE))
    where = rng.randrange(3)
    if c.kind == "category" or where == 0:
        c.fields["metadata"] = {"score": token}
        c.variant = "metadata"
    elif where == 1 and c.role == "prediction":
        c.fields["confidence"] = token
        c.variant = "confidence"
    elif c.kind == "box":
        c.geometry()["width"] = token
        c.variant = "geometry"
    elif c.kind == "polygon":
        c.geometry()["vertices"][0]["y"] = token
        c.variant = "geometry"
    else:
        c.geometry()["yaw"] = token
        c.variant = "geometry"
    return c, "sdk-reject"


# stricter


def m_label_bad(rng, idx):
    c = build(rng, idx, kind=rng.choice(["box", "line", "polygon", "keypoints", "cuboid", "category"]))
    variant = rng.randrange(4)
    c.variant = ["missing", "empty", "number", "null"][variant]
    if variant == 0:
        if c.kind == "category" and c.role == "annotation":
            c.role = "prediction"  # the annotation reader rejects a missing category label
        del c.fields["label"]
    else:
        c.fields["label"] = ["", 7, None][variant - 1]
    return c, "stricter"


def m_box_geometry_stricter(rng, idx):
    c = build(rng, idx, kind="box")
    g = c.geometry()
    variant = rng.randrange(5)
    c.variant = ["missing-field", "string", "zero-size", "negative-size", "no-geometry"][variant]
    if variant == 0:
        del g[rng.choice(["x", "y", "width", "height"])]
    elif variant == 1:
        g[rng.choice(["x", "y", "width", "height"])] = rng.choice(["10", None, True, [1]])
    elif variant == 2:
        g[rng.choice(["width", "height"])] = rng.choice([0, 0.0, Raw("-0.0")])
    elif variant == 3:
        g[rng.choice(["width", "height"])] = -rng.randrange(1, 50)
    else:
        del c.fields["geometry"]
    return c, "stricter"


def m_vertices_stricter(rng, idx):
    c = build(rng, idx, kind=rng.choice(["line", "polygon"]))
    g = c.geometry()
    variant = rng.randrange(5)
    c.variant = ["too-few", "empty", "string-coordinate", "missing", "falsy-container"][variant]
    if variant == 0:
        g["vertices"] = g["vertices"][: (1 if c.kind == "line" else 2)]
    elif variant == 1:
        g["vertices"] = []
    elif variant == 2:
        g["vertices"][0]["x"] = rng.choice(["12", None, True])
    elif variant == 3:
        del g["vertices"]
    else:
        g["vertices"] = rng.choice([{}, ""])
    return c, "stricter"


def m_keypoints_stricter(rng, idx):
    c = build(rng, idx, kind="keypoints")
    g = c.geometry()
    variant = rng.randrange(6)
    c.variant = ["visible-not-bool", "negative-index", "name-not-string", "empty", "skeleton-string", "coordinate-string"][variant]
    if variant == 0:
        g["keypoints"][0]["visible"] = rng.choice([1, 2, "false", 0])
        g["keypoints"][0]["x"], g["keypoints"][0]["y"] = 10, 20
    elif variant == 1:
        g["skeleton"] = [[0, -1]]
    elif variant == 2:
        g["names"][0] = rng.choice([5, ""])
    elif variant == 3:
        g["keypoints"], g["names"] = [], []
        g["skeleton"] = None
    elif variant == 4:
        g["skeleton"] = ""
    else:
        g["keypoints"][0] = {"x": "10", "y": 5, "visible": True}
    return c, "stricter"


def m_cuboid_stricter(rng, idx):
    c = build(rng, idx, kind="cuboid")
    g = c.geometry()
    variant = rng.randrange(4)
    c.variant = ["yaw-missing", "zero-dimension", "negative-dimension", "string-coordinate"][variant]
    if variant == 0:
        del g["yaw"]
    elif variant == 1:
        g["dimensions"][rng.choice(["x", "y", "z"])] = 0
    elif variant == 2:
        g["dimensions"][rng.choice(["x", "y", "z"])] = -1.5
    else:
        g["position"][rng.choice(["x", "y", "z"])] = rng.choice(["1.5", None, True])
    return c, "stricter"


def m_fields_stricter(rng, idx):
    c = build(rng, idx, kind=rng.choice(["box", "polygon", "cuboid", "keypoints", "line", "category"]))
    f = c.fields
    options = ["reference-id-empty", "reference-id-number", "metadata-not-object", "track-not-string", "dataset-item-id-number"]
    if c.role == "annotation":
        options += ["reference-id-null", "task-id-number"]
    if c.kind not in ("category",):
        options += ["annotation-id-empty", "annotation-id-number"]
    if c.kind in ("box", "polygon"):
        options += ["embedding-bad"]
    if c.kind == "category":
        options += ["taxonomy-not-string"]
    variant = rng.choice(options)
    c.variant = variant
    if variant == "reference-id-empty":
        f["reference_id"] = ""
    elif variant == "reference-id-number":
        f["reference_id"] = rng.choice([42, 1.5, True, ["img-1"]])
    elif variant == "reference-id-null":
        f["reference_id"] = None
    elif variant == "metadata-not-object":
        f["metadata"] = rng.choice(["x", [1], 5, False, 0, "", []])
    elif variant == "track-not-string":
        f["track_reference_id"] = rng.choice([5, "", ["t"]])
    elif variant == "dataset-item-id-number":
        if c.role == "annotation":
            c.role = "prediction"
            f.pop("task_id", None)
        f["dataset_item_id"] = rng.choice([5, ""])
    elif variant == "task-id-number":
        f["task_id"] = rng.choice([5, [1]])
    elif variant == "annotation-id-empty":
        f["annotation_id"] = ""
    elif variant == "annotation-id-number":
        f["annotation_id"] = rng.choice([5, 1.5, True])
    elif variant == "embedding-bad":
        f["embedding_vector"] = rng.choice(["0.1,0.2", [], ["a"], 5])
    elif variant == "taxonomy-not-string":
        f["taxonomy_name"] = rng.choice([5, ""])
    return c, "stricter"


def m_prediction_stricter(rng, idx):
    c = build(rng, idx, role="prediction", kind=rng.choice(["box", "polygon", "cuboid", "category", "line"]))
    f = c.fields
    variant = rng.randrange(6)
    c.variant = ["confidence-range", "confidence-type", "pdf-sum", "pdf-not-object", "pdf-value", "pdf-empty"][variant]
    if variant == 0:
        f["confidence"] = rng.choice([1.5, -0.1, 100, 2])
    elif variant == 1:
        f["confidence"] = rng.choice(["0.9", True, [0.9]])
    elif variant == 2:
        f["class_pdf"] = {f["label"]: 0.5, "other": rng.choice([0.2, 0.7])}
    elif variant == 3:
        f["class_pdf"] = rng.choice([[0.5, 0.5], "car", 1])
    elif variant == 4:
        f["class_pdf"] = {f["label"]: rng.choice(["0.5", 1.5, -0.5]), "other": 0.5}
    else:
        f["class_pdf"] = {}
    return c, "stricter"


def m_multicategory_stricter(rng, idx):
    c = build(rng, idx, role="annotation", kind="multicategory")
    variant = rng.randrange(4)
    c.variant = ["empty", "not-list", "duplicate", "not-string"][variant]
    if variant == 0:
        c.fields["labels"] = []
    elif variant == 1:
        c.fields["labels"] = rng.choice(["car", 5, {"car": 1}])
    elif variant == 2:
        c.fields["labels"] = ["car", "bus", "car"]
    else:
        c.fields["labels"] = ["car", rng.choice([5, "", None])]
    return c, "stricter"


def m_segmentation_stricter(rng, idx):
    c = build(rng, idx, kind="segmentation")
    f = c.fields
    variant = rng.randrange(7)
    c.variant = ["no-segments", "duplicate-index", "index-missing", "index-bad", "label-missing", "segment-metadata-bad", "unknown-type-with-mask"][variant]
    if variant == 0:
        if rng.random() < 0.5:
            del f["annotations"]
        else:
            f["annotations"] = rng.choice([[], {}, ""])
    elif variant == 1:
        f["annotations"].append({"label": "extra", "index": f["annotations"][0]["index"]})
    elif variant == 2:
        del f["annotations"][0]["index"]
    elif variant == 3:
        f["annotations"][0]["index"] = rng.choice(["1", -1, 1.5, True])
    elif variant == 4:
        f["annotations"][0].pop("label")
    elif variant == 5:
        f["annotations"][0]["metadata"] = rng.choice(["x", [1], 5])
    else:
        f["type"] = rng.choice(["bbox", "semantic", "Mask", 7])
    return c, "stricter"


def m_non_finite_ignored(rng, idx):
    # The SDK drops unknown keys, so NaN there passes; strict JSON rejects the line.
    c = build(rng, idx)
    c.fields["debug"] = {"score": Raw(rng.choice(NON_FINITE))}
    return c, "stricter"


PLAN = [
    (m_valid, 700),
    (m_valid_each("box"), 120),
    (m_valid_each("line"), 60),
    (m_valid_each("polygon"), 80),
    (m_valid_each("keypoints"), 90),
    (m_valid_each("cuboid"), 100),
    (m_valid_each("category"), 70),
    (m_valid_each("multicategory"), 40),
    (m_valid_each("segmentation"), 80),
    (m_prediction_by_item_id, 30),
    (m_number_spellings, 120),
    (m_generated_box_id, 80),
    (m_ignored_fields, 120),
    (m_unicode, 30),
    # sdk-reject
    (m_not_object, 15),
    (m_type_unhashable, 10),
    (m_reference_id_missing, 40),
    (m_prediction_no_target, 30),
    (m_geometry_not_object, 50),
    (m_vertex_malformed, 50),
    (m_keypoints_sdk_reject, 110),
    (m_keypoints_prediction_no_skeleton, 15),
    (m_cuboid_sdk_reject, 50),
    (m_category_label_missing, 15),
    (m_multicategory_reject, 25),
    (m_segmentation_reject, 50),
    (m_unknown_type_without_mask, 40),
    (m_non_finite, 60),
    # stricter
    (m_label_bad, 70),
    (m_box_geometry_stricter, 90),
    (m_vertices_stricter, 60),
    (m_keypoints_stricter, 70),
    (m_cuboid_stricter, 50),
    (m_fields_stricter, 150),
    (m_prediction_stricter, 90),
    (m_multicategory_stricter, 35),
    (m_segmentation_stricter, 80),
    (m_non_finite_ignored, 15),
]


def sdk_verdict(text, role):
    """Run the SDK on `text`; return ("ok", payload) or ("raise", error text)."""
    parsed = json.loads(text)  # accepts NaN/Infinity tokens; 1e400 becomes inf
    reader = Annotation.from_json if role == "annotation" else sdk_prediction.from_json
    try:
        annotation = reader(copy.deepcopy(parsed))
        payload = annotation.to_payload()
        # The SDK cannot write NaN/Infinity: that is a rejection too.
        written = json.dumps(payload, allow_nan=False)
    except Exception as error:  # noqa: BLE001 - every SDK failure is a verdict
        return "raise", f"{type(error).__name__}: {error}"
    return "ok", json.loads(written)


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    rng = random.Random(SEED)
    if sum(n for _, n in PLAN) < N_TARGET * 0.95:
        sys.exit("PLAN is too small")
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    tags = Counter()
    idx = 0
    for mutation, count in PLAN:
        for _ in range(count):
            idx += 1
            case, tag = mutation(rng, idx)
            text = emit(case.fields, Style(rng))
            outcome, result = sdk_verdict(text, case.role)
            expected = "raise" if tag == "sdk-reject" else "ok"
            if outcome != expected:
                sys.exit(f"SDK disagrees with tag {tag!r} for {mutation.__name__} ({case.variant}): {result!r}\n{text}")
            name = mutation.__name__[2:].replace("_", "-")
            if case.variant:
                name += "/" + case.variant
            line = {"case": name, "tag": tag, "role": case.role, "input": text}
            line["payload" if outcome == "ok" else "error"] = result
            print(json.dumps(line, ensure_ascii=False, allow_nan=False))
            tags[tag] += 1
    print(f"{idx} cases: {dict(sorted(tags.items()))}", file=sys.stderr)


if __name__ == "__main__":
    main()
