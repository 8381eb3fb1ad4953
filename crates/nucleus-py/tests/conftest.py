"""Shared paths and helpers for the nucleus_rs tests (run by scripts/python/test.sh)."""

import json
import os
import random
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
# The summary fields that merged shards always share with one sequential check.
TOTALS = ["items", "errors", "warnings", "codes"]


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


def assert_same_as_one_pass(result, sequential):
    """The documented equality of merged shards with one sequential check: the same totals and
    the same findings in line order, except that a later shard's values conflicting with an
    earlier shard's kind are listed once, at the first of them, with their number in the
    message (and that findings within one line may come in another key order)."""
    assert {k: result.summary[k] for k in TOTALS} == {k: sequential.summary[k] for k in TOTALS}
    strip = lambda d: {k: v for k, v in d.items() if k != "file"}
    order = lambda d: (d["line"], d["code"], d["path"], d["message"])
    lines = [d["line"] for d in result.diagnostics]
    assert lines == sorted(lines)
    summaries = [strip(d) for d in result.diagnostics if "in a later shard" in d["message"]]
    listed = sorted((strip(d) for d in result.diagnostics if "in a later shard" not in d["message"]), key=order)
    expected = sorted((strip(d) for d in sequential.diagnostics), key=order)
    # Every finding listed is one of the sequential run's...
    assert [d for d in expected if d in listed] == listed
    # ...and the ones left over are exactly the type conflicts the summaries stand for.
    left_over = [d for d in expected if d not in listed]
    for summary in summaries:
        count = int(re.search(r"\((\d+) values? from this line on, in a later shard", summary["message"])[1])
        covered = [d for d in left_over if d["code"] == "type-conflict" and d["path"] == summary["path"]
                   and d["line"] >= summary["line"]][:count]
        assert len(covered) == count and covered[0]["line"] == summary["line"], (summary, left_over)
        assert covered[0]["related_line"] == summary["related_line"]
        left_over = [d for d in left_over if d not in covered]
    assert left_over == []
