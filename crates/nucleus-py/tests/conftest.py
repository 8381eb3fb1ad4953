"""Shared paths and helpers for the nucleus_rs tests (run by scripts/python/test.sh)."""

import json
import os
import random
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def nucleus_cli():
    """The `nucleus` binary test.sh built, to compare against the CLI's JSON output."""
    path = os.environ.get("NUCLEUS_CLI")
    if not path or not Path(path).exists():
        pytest.fail("NUCLEUS_CLI must name the nucleus binary (scripts/python/test.sh sets it)")
    return path


def cli_check(cli, path, *args):
    """(diagnostics, summary) of `nucleus check --format json`."""
    out = subprocess.run(
        [cli, "check", "--format", "json", *args, str(path)],
        capture_output=True, text=True, check=False,
    ).stdout
    records = [json.loads(line) for line in out.splitlines()]
    return records[:-1], records[-1]["summary"]


def item_line(reference_id, metadata):
    return json.dumps({
        "image_location": f"s3://bucket/{reference_id}.jpg",
        "reference_id": reference_id,
        "metadata": metadata,
    })


def random_dataset(seed, n_lines):
    """Lines drawn from few keys, kinds and ids, so conflicts and duplicates happen, with some
    blank and broken lines."""
    rng = random.Random(seed)
    values = [None, True, 1, -2.5, "a", "b", [1], {"x": 1}]
    lines = []
    for _ in range(n_lines):
        roll = rng.random()
        if roll < 0.04:
            lines.append("")
        elif roll < 0.08:
            lines.append("{not json")
        else:
            metadata = {key: rng.choice(values) for key in rng.sample(["k1", "k2", "k3", "k4"], rng.randint(0, 3))}
            lines.append(item_line(f"id-{rng.randrange(n_lines)}", metadata))
    return lines
