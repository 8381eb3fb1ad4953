"""check_annotations(): the findings and summary of `nucleus check --annotations --format json`."""

import json
import subprocess
from pathlib import Path

import nucleus_rs
import pytest

from conftest import EXAMPLES

ANNOTATIONS = EXAMPLES / "annotations"
ITEMS = [EXAMPLES / "items.jsonl", EXAMPLES / "scene" / "scene.jsonl"]


def cli_check_annotations(cli, *args):
    """(diagnostics, summary) of `nucleus check --format json ARGS`."""
    out = subprocess.run(
        [cli, "check", "--format", "json", *map(str, args)],
        capture_output=True, text=True, check=False,
    ).stdout
    records = [json.loads(line) for line in out.splitlines()]
    return records[:-1], records[-1]["summary"]


CASES = {
    "annotation mistakes with items": (
        dict(annotations=ANNOTATIONS / "mistakes.jsonl", items=ITEMS),
        ["--annotations", ANNOTATIONS / "mistakes.jsonl", "--items", *ITEMS],
    ),
    "annotation mistakes alone": (
        dict(annotations=str(ANNOTATIONS / "mistakes.jsonl")),
        ["--annotations", ANNOTATIONS / "mistakes.jsonl"],
    ),
    "predictions with items": (
        dict(predictions=[ANNOTATIONS / "prediction-mistakes.jsonl", ANNOTATIONS / "predictions.jsonl"], items=ITEMS),
        ["--predictions", ANNOTATIONS / "prediction-mistakes.jsonl", ANNOTATIONS / "predictions.jsonl", "--items", *ITEMS],
    ),
    "both, the example items": (
        dict(annotations=ANNOTATIONS / "items.jsonl", predictions=ANNOTATIONS / "predictions.jsonl",
             items=[EXAMPLES / "items.jsonl"]),
        ["--annotations", ANNOTATIONS / "items.jsonl", "--predictions", ANNOTATIONS / "predictions.jsonl",
         "--items", EXAMPLES / "items.jsonl"],
    ),
    "stopped by max_errors": (
        dict(annotations=ANNOTATIONS / "mistakes.jsonl", items=ITEMS, max_errors=3),
        ["--annotations", ANNOTATIONS / "mistakes.jsonl", "--items", *ITEMS, "--max-errors", "3"],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_check_annotations_equals_the_cli(nucleus_cli, case):
    kwargs, args = CASES[case]
    expected_diagnostics, expected_summary = cli_check_annotations(nucleus_cli, *args)
    result = nucleus_rs.check_annotations(**kwargs)
    assert result.diagnostics == expected_diagnostics
    assert result.summary == expected_summary
    assert result.ok == (expected_summary["errors"] == 0)


def test_the_mistakes_file_shows_its_codes():
    """The mistakes file is checked, not just echoed: the codes its documentation promises."""
    result = nucleus_rs.check_annotations(ANNOTATIONS / "mistakes.jsonl", items=ITEMS)
    codes = {(d["line"], d["code"]) for d in result.diagnostics}
    assert {(9, "unknown-reference-id"), (11, "outside-image"), (13, "duplicate-annotation-id")} <= codes
    assert all(d["file"] == str(ANNOTATIONS / "mistakes.jsonl") for d in result.diagnostics)
    assert not result.ok
    assert result.summary["items"] > 0 and result.summary["scenes"] == 1


def test_lines_give_the_findings_of_the_file():
    path = ANNOTATIONS / "mistakes.jsonl"
    from_file = nucleus_rs.check_annotations(path, items=ITEMS)
    text = path.read_text(encoding="utf-8")
    items = [line for item_path in ITEMS for line in item_path.read_text(encoding="utf-8").splitlines()]
    for lines in (text.splitlines(), text.splitlines(keepends=True)):
        from_lines = nucleus_rs.check_annotations(lines, items=items)
        strip = lambda diagnostics: [{k: v for k, v in d.items() if k != "file"} for d in diagnostics]
        assert strip(from_lines.diagnostics) == strip(from_file.diagnostics)
        assert {d["file"] for d in from_lines.diagnostics} == {"<lines>"}
        assert from_lines.summary["codes"] == from_file.summary["codes"]


def test_a_clean_box_is_ok_and_a_prediction_needs_its_fields():
    box = {"type": "box", "label": "car", "reference_id": "a",
           "geometry": {"x": 1, "y": 2, "width": 3, "height": 4}}
    item = {"image_location": "s3://bucket/a.jpg", "reference_id": "a", "width": 4, "height": 100}
    result = nucleus_rs.check_annotations([json.dumps(box)], items=[json.dumps(item)])
    assert result.ok and result.diagnostics == []
    assert result.summary["annotations"] == 1 and result.summary["valid"] == 1
    # The box reaches x = 4: inside a 4-pixel-wide image; 1 pixel more is outside.
    box["geometry"]["x"] = 2
    outside = nucleus_rs.check_annotations([json.dumps(box)], items=[json.dumps(item)])
    assert [d["code"] for d in outside.diagnostics] == ["outside-image"]
    # The same line as a prediction, with a confidence beyond [0, 1].
    prediction = dict(box, confidence=1.5)
    predicted = nucleus_rs.check_annotations(predictions=[json.dumps(prediction)])
    assert [d["code"] for d in predicted.diagnostics] == ["invalid-confidence"]


def test_nothing_to_check_and_missing_files_raise(tmp_path):
    with pytest.raises(ValueError, match="give annotations or predictions"):
        nucleus_rs.check_annotations(items=ITEMS)
    with pytest.raises(OSError, match="cannot open"):
        nucleus_rs.check_annotations(tmp_path / "missing.jsonl")
    with pytest.raises(OSError, match="cannot open"):
        nucleus_rs.check_annotations(ANNOTATIONS / "mistakes.jsonl", items=[Path(tmp_path / "missing.jsonl")])
