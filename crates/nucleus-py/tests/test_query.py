"""query(): the query bar over a JSON Lines file."""

import json

import nucleus_rs
import pytest

from conftest import EXAMPLES

ITEMS = EXAMPLES / "items.jsonl"


def items():
    return [json.loads(line) for line in ITEMS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_matches_equal_a_python_filter_in_file_order():
    found = list(nucleus_rs.query(ITEMS, 'metadata.camera = "front" AND metadata.weather = "rain"'))
    expected = [i for i in items() if i["metadata"].get("camera") == "front" and i["metadata"].get("weather") == "rain"]
    assert found == expected and found


def test_sort_descending_is_stable_and_puts_missing_keys_last():
    found = list(nucleus_rs.query(ITEMS, "metadata.frame_number % 5 = 0", sort="-metadata.speed_mps"))
    speeds = [i["metadata"].get("speed_mps") for i in found]
    present = [s for s in speeds if isinstance(s, (int, float))]
    assert present == sorted(present, reverse=True)
    assert speeds[: len(present)] == present


def test_the_iterator_knows_its_length():
    result = nucleus_rs.query(ITEMS, "metadata.frame_number >= 0")
    assert len(result) == len(list(result)) > 0


def test_a_malformed_expression_shows_the_column():
    with pytest.raises(ValueError) as raised:
        nucleus_rs.query(ITEMS, "metadata.x =")
    assert "^" in str(raised.value) and "expected a string or number" in str(raised.value)
