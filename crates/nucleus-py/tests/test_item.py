"""DatasetItem: the SDK's method names, validated."""

import json
from types import SimpleNamespace

import nucleus_rs
import pytest


def test_from_json_reads_aliases_and_to_payload_writes_the_sdk_payload():
    item = nucleus_rs.DatasetItem.from_json({"image_url": "s3://b/1.jpg", "reference_id": "1", "metadata": {"w": 2}})
    assert (item.type, item.reference_id, item.image_location, item.pointcloud_location) == ("image", "1", "s3://b/1.jpg", None)
    assert item.metadata == {"w": 2}
    assert item.to_payload() == {"metadata": {"w": 2}, "reference_id": "1", "image_url": "s3://b/1.jpg"}
    assert item.to_payload(is_scene=True)["url"] == "s3://b/1.jpg"


def test_to_json_reads_back_to_an_equal_item():
    item = nucleus_rs.DatasetItem.from_json('{"pointcloud_location": "s3://b/1.json", "reference_id": "p", "metadata": {"a": [1, {"b": null}]}}')
    text = item.to_json()
    assert json.loads(text) == {"pointcloud_location": "s3://b/1.json", "reference_id": "p", "metadata": {"a": [1, {"b": None}]}}
    assert nucleus_rs.DatasetItem.from_json(text) == item
    assert nucleus_rs.DatasetItem.from_json(item.to_dict()) == item


def test_an_invalid_item_raises_every_error():
    with pytest.raises(ValueError) as raised:
        nucleus_rs.DatasetItem.from_json({"image_locaton": "s3://b/1.jpg", "reference_id": ""})
    message = str(raised.value)
    assert "reference_id" in message and "image_location" in message


@pytest.mark.parametrize("bad", [float("nan"), 2**70])
def test_values_json_cannot_hold_are_refused(bad):
    with pytest.raises(ValueError, match="/metadata/x"):
        nucleus_rs.DatasetItem.from_json({"image_location": "s3://b/1.jpg", "reference_id": "1", "metadata": {"x": bad}})


def test_from_sdk_reads_the_attributes_of_an_sdk_item():
    camera = SimpleNamespace(to_payload=lambda: {"position": {"x": 0, "y": 0, "z": 0}, "heading": {"x": 0, "y": 0, "z": 0, "w": 1}, "fx": 1, "fy": 1, "cx": 0, "cy": 0})
    sdk_item = SimpleNamespace(
        image_location="s3://b/1.jpg", pointcloud_location=None, reference_id="1",
        metadata={"camera_params": camera, "n": 3}, width=640, height=480, embedding_info=None,
    )
    item = nucleus_rs.DatasetItem.from_sdk(sdk_item)
    assert (item.reference_id, item.width, item.height) == ("1", 640, 480)
    assert item.metadata["camera_params"]["fx"] == 1
