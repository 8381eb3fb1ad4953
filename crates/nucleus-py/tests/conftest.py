"""Shared paths and helpers for the nucleus_rs tests (run by scripts/python/test.sh)."""

import collections
import copy
import importlib
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
# Every count of a check's summary (not files, elapsed_seconds, items_per_second).
COUNTS = ["items", "valid", "invalid", "errors", "warnings", "codes"]
# Lines of the generated dataset the engine tests check and profile.
LARGE_LINES = 200_000


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


def cli_profile(cli, path):
    """(profile, number of invalid lines) of `nucleus profile --format json`."""
    run = subprocess.run([cli, "profile", "--format", "json", str(path)], capture_output=True, check=False)
    invalid = re.search(rb"skipped (\d+) invalid lines?", run.stderr)
    return json.loads(run.stdout), int(invalid[1]) if invalid else 0


def without_file(diagnostics):
    """Findings without their `file` field: merged states name no file."""
    return [{k: v for k, v in d.items() if k != "file"} for d in diagnostics]


def assert_same_as_cli(result, cli_result):
    """A CheckResult equals `nucleus check --format json` on the same file: every finding in
    the same order, every count."""
    diagnostics, summary = cli_result
    assert without_file(result.diagnostics) == without_file(diagnostics)
    assert {k: result.summary[k] for k in COUNTS} == {k: summary[k] for k in COUNTS}


def assert_same_profile_as_cli(profile, cli_result, true_counts=None):
    """A profile dict equals `nucleus profile --format json` on the same file (plus the
    lines read and the invalid ones), exactly, with the one documented exception: the top
    values of a free-text key (more than 256 distinct values, `top_exact` false) and their
    error bound come from a Misra-Gries summary, which depends on the order values were merged
    in. For those the bound must be at most n/257 and the counts listed within it of
    `true_counts[key]` (a Counter of the key's string values over the valid items)."""
    expected, n_invalid = copy.deepcopy(cli_result)
    assert profile["n_invalid"] == n_invalid
    got = copy.deepcopy({k: v for k, v in profile.items() if k not in ("n_lines", "n_invalid")})
    sketched = [key["key"] for key in expected["keys"] if key["strings"] and not key["strings"]["top_exact"]]
    for profile_ in (got, expected):
        for key in profile_["keys"]:
            if key["key"] in sketched:
                strings = key["strings"]
                assert not strings["top_exact"]
                counts = (true_counts or {}).get(key["key"], collections.Counter())
                bound = strings.pop("count_error_bound")
                assert bound <= strings["n_values"] / 257
                for top in strings.pop("top"):
                    assert counts[top["value"]] - bound <= top["count"] <= counts[top["value"]]
    assert got == expected


def string_counts(lines, cli_result, keys):
    """Per key of `keys`, a Counter of its string values over the items the profile reads
    (non-blank lines without an error finding in `cli_result`)."""
    diagnostics, _ = cli_result
    invalid = {d["line"] for d in diagnostics if d["severity"] == "error" and d["code"] not in ("duplicate-reference-id", "type-conflict")}
    counts = {key: collections.Counter() for key in keys}
    for number, line in enumerate(lines, start=1):
        if number in invalid or not line.strip(b" \t\r"):
            continue
        metadata = json.loads(line.decode("utf-8-sig")).get("metadata") or {}
        for key in keys:
            if isinstance(metadata.get(key), str):
                counts[key][metadata[key]] += 1
    return counts


def require_engine(name):
    """Imports an engine for a test module; a missing engine skips the module, except in CI
    (CI=true), where it fails: the engine tests must never be skipped silently there."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{name} is not installed, but CI is set: install scripts/python/requirements-engines.txt ({error})", pytrace=False)
        pytest.skip(f"{name} is not installed (scripts/python/requirements-engines.txt)", allow_module_level=True)


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
    """The documented equality of merged shards with one sequential check: the same findings in
    the same order (type conflicts and mixed kinds last, decided from the merged counts) and the
    same counts, whatever the partitions."""
    assert {k: result.summary[k] for k in COUNTS} == {k: sequential.summary[k] for k in COUNTS}
    assert result.summary["type_conflicts"] == sequential.summary["type_conflicts"]
    strip = lambda d: {k: v for k, v in d.items() if k != "file"}
    assert [strip(d) for d in result.diagnostics] == [strip(d) for d in sequential.diagnostics]


def large_dataset_lines(n_lines=LARGE_LINES, seed=18):
    """The lines (bytes, without newlines) of a generated dataset with mistakes: a byte order
    mark on line 1, CRLF endings, blank and whitespace lines, broken JSON, lines that are not
    objects or not UTF-8, items with findings, runs of duplicate reference ids, keys whose kind
    changes (strings then numbers far apart: a conflict that spans partitions), a key whose
    values are mostly distinct (free text, sketched past 256 values) and coordinates."""
    rng = random.Random(seed)
    weathers = ["clear", "rain", "fog", "snow", "overcast"]
    cameras = ["front", "back", "left", "right"]
    lines = []
    for index in range(n_lines):
        roll = rng.random()
        number = index + 1
        if roll < 0.01:
            lines.append(rng.choice([b"", b"   ", b"\t", b" \t \r"]))
            continue
        if roll < 0.015:
            lines.append(rng.choice([b"{not json", b"[1, 2]", b'{"reference_id": "x"', b"null"]))
            continue
        if roll < 0.017:
            lines.append(b'{"image_location": "s3://b/\xff.jpg", "reference_id": "bad-utf8-%d"}' % number)
            continue
        # Runs of one id: every 9,973 lines, 40 lines share an id.
        run = index % 9973
        reference_id = f"run-{index // 9973}" if run < 40 else f"img-{index:07d}"
        metadata = {
            "weather": rng.choice(weathers),
            "camera": rng.choice(cameras),
            "speed": round(rng.uniform(0, 40), 2),
            "frame": index % 500,
            "capture": f"cap-{rng.randrange(10**9):09d}",
        }
        if rng.random() < 0.3:
            metadata["lat"] = round(rng.uniform(35.5, 35.8), 5)
            metadata["lon"] = round(rng.uniform(139.5, 139.9), 5)
        # `frame` holds numbers; every 20,011 lines, a string (a type conflict with line 1).
        if index % 20011 == 20010:
            metadata["frame"] = f"f{index}"
        # `late` appears after a quarter of the file as strings, then from the middle as numbers.
        if index >= n_lines // 4 and rng.random() < 0.05:
            metadata["late"] = rng.randrange(100) if index >= n_lines // 2 else f"l{rng.randrange(100)}"
        # `tag`: null, then lists, then booleans (mixed kinds, warnings).
        if rng.random() < 0.02:
            metadata["tag"] = None if index < n_lines // 3 else ([index % 7] if index < 2 * n_lines // 3 else True)
        item = {"image_location": f"s3://bucket/{reference_id}.jpg", "reference_id": reference_id, "metadata": metadata}
        if rng.random() < 0.01:
            item["width"] = rng.choice([0, -5, "1920", 1920])
        if rng.random() < 0.005:
            item["image_location"] = f"/local/{index}.jpg"
        line = json.dumps(item).encode()
        if rng.random() < 0.05:
            line += b"\r"
        lines.append(line)
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    return lines


def write_lines(path, lines):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


Large = collections.namedtuple("Large", "path lines check profile true_counts")


@pytest.fixture(scope="session")
def large(tmp_path_factory, nucleus_cli):
    """The generated dataset: its path and lines, the CLI's check and profile of it, and the
    true counts of its free-text key."""
    lines = large_dataset_lines()
    path = write_lines(tmp_path_factory.mktemp("large") / "large.jsonl", lines)
    check = cli_check(nucleus_cli, path)
    return Large(path, lines, check, cli_profile(nucleus_cli, path), string_counts(lines, check, ["capture"]))


# Lines per part of the boundary dataset, and its parts.
PART_LINES, N_PARTS = 10, 4


def boundary_lines():
    """Four parts of ten lines (str) where the part boundaries fall inside a run of one
    reference id (lines 7-13 and 28-33) and where keys change kind between parts: part 1 holds
    `k` as a string and `m` as a number, part 3 `m` as a string and `k` as numbers, part 4 `k`
    as a string and a boolean. Ties all, so the kinds of part 1, seen first, decide: two type
    conflicts on line 22 (listed in the item's key order, m then k), one on line 25, and a
    mixed-kinds warning on line 35, all after the other findings."""
    metadata = {2: {"k": "s", "m": 1}, 22: {"m": "x", "k": 5}, 25: {"k": 6}, 33: {"k": "t"}, 35: {"k": True}}
    lines = []
    for number in range(1, PART_LINES * N_PARTS + 1):
        reference_id = "dup" if 7 <= number <= 13 else "dup2" if 28 <= number <= 33 else f"id-{number}"
        lines.append(item_line(reference_id, metadata.get(number, {})))
    lines[15] = ""
    lines[16] = "{broken"
    return lines


def boundary_parts():
    lines = boundary_lines()
    return [lines[start : start + PART_LINES] for start in range(0, len(lines), PART_LINES)]


@pytest.fixture(scope="session")
def boundary(tmp_path_factory, nucleus_cli):
    """The boundary dataset: its path, its parts (lists of str) and the CLI's check and
    profile of it."""
    lines = boundary_lines()
    path = tmp_path_factory.mktemp("boundary") / "boundary.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    check = cli_check(nucleus_cli, path)
    codes = [(d["line"], d["code"]) for d in check[0]]
    # What the dataset is made to hold (the CLI's own findings).
    assert (8, "duplicate-reference-id") in codes and (13, "duplicate-reference-id") in codes
    assert [c for c in codes if c[0] == 22] == [(22, "type-conflict"), (22, "type-conflict")]
    assert (35, "mixed-kinds") in codes
    return path, boundary_parts(), check, cli_profile(nucleus_cli, path)
