"""CameraParams: projection of NumPy arrays, checked against the OpenCV reference table."""

import json
import math

import numpy as np
import nucleus_rs
import pytest

from conftest import ROOT

REFERENCE = json.loads((ROOT / "crates/nucleus-camera/tests/data/opencv_reference.json").read_text())
SPEC = {"position": {"x": 0, "y": 0, "z": 1.5}, "heading": {"x": -0.5, "y": 0.5, "z": -0.5, "w": 0.5}, "fx": 1000, "fy": 1000, "cx": 960, "cy": 540}


def test_the_readme_example():
    camera = nucleus_rs.CameraParams.from_json(SPEC)
    uv = camera.project(np.array([[10, 0, 1.5], [-10, 0, 1.5], [10, 1, 1]], dtype=np.float64))
    assert uv.shape == (3, 2) and uv.dtype == np.float64
    np.testing.assert_allclose(uv[[0, 2]], [[960, 540], [860, 590]], atol=1e-9)
    assert np.isnan(uv[1]).all()


def test_the_constructor_takes_sequences_and_keywords():
    camera = nucleus_rs.CameraParams((0, 0, 1.5), (-0.5, 0.5, -0.5, 0.5), 1000, 1000, 960, 540)
    assert camera == nucleus_rs.CameraParams.from_json(SPEC)
    fisheye = nucleus_rs.CameraParams((0, 0, 0), {"x": 0, "y": 0, "z": 0, "w": 1}, 500, 500, 320, 240, camera_model="fisheye", k1=0.1)
    assert fisheye.to_json()["camera_model"] == "fisheye"
    with pytest.raises(ValueError, match="/fx"):
        nucleus_rs.CameraParams((0, 0, 0), (0, 0, 0, 1), -1, 1, 0, 0)


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda case: case["name"])
def test_projection_matches_opencv(case):
    camera = nucleus_rs.CameraParams.from_json(case["camera_params"])
    points = np.array([p["world"] for p in case["points"]], dtype=np.float64)
    uv = camera.project(points)
    for row, point in zip(uv, case["points"]):
        if point["pixel"] is None:
            assert np.isnan(row).all()
        else:
            # README promises 1e-6 px; 1e-9 of the coordinate allows for rounding far off-image.
            assert np.allclose(row, point["pixel"], rtol=1e-9, atol=1e-6), (row, point)


def test_other_layouts_are_converted_and_the_input_is_left_alone():
    camera = nucleus_rs.CameraParams.from_json(SPEC)
    points = np.array([[10, 0, 1.5], [10, 1, 1]], dtype=np.float64)
    expected = camera.project(points)
    before = points.copy()
    np.testing.assert_array_equal(camera.project(points.astype(np.float32)), expected)
    np.testing.assert_array_equal(camera.project(np.asfortranarray(points)), expected)
    np.testing.assert_array_equal(camera.project([[10, 0, 1.5], [10, 1, 1]]), expected)
    np.testing.assert_array_equal(points, before)
    assert camera.project(np.empty((0, 3))).shape == (0, 2)


def test_a_wrong_shape_is_refused():
    camera = nucleus_rs.CameraParams.from_json(SPEC)
    with pytest.raises(ValueError, match=r"shape \(N, 3\)"):
        camera.project(np.zeros((4, 2)))


def test_project_cuboid_gives_eight_corners_with_nan_behind():
    camera = nucleus_rs.CameraParams.from_json(SPEC)
    corners = camera.project_cuboid((10, 0, 1.5), (2, 1, 1), 0.0)
    assert corners.shape == (8, 2) and np.isfinite(corners).all()
    behind = camera.project_cuboid({"x": 0, "y": 0, "z": 1.5}, {"x": 4, "y": 1, "z": 1}, 0.0)
    assert np.isnan(behind).any() and np.isfinite(behind).any()
    with pytest.raises(ValueError, match="dimension"):
        camera.project_cuboid((10, 0, 1.5), (-2, 1, 1), math.pi)
