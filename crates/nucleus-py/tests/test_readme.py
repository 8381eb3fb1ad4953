"""The README's Python examples run as written and print what the README shows.

Every ```python block followed by a ```text block is run as a script from the repository root
(with `import nucleus_rs` first: some blocks continue the one before) and its output compared
line by line; a `…` line stands for any number of lines. A block that uses an engine needs it
(skipped without it, failed in CI)."""

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, require_engine

BLOCK = re.compile(r"```python\n((?:(?!```).)*?)```\n\n```text\n((?:(?!```).)*?)```", re.S)
ENGINES = {"pyspark": "pyspark", "ray": "ray", "dask": "dask"}


def examples():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [
        pytest.param(code, expected, id=f"line-{text[: match.start()].count(chr(10)) + 1}")
        for match in BLOCK.finditer(text)
        for code, expected in [match.groups()]
    ]


def matches(lines, expected):
    """Whether `lines` match `expected`, where a line `…` matches any number of lines."""
    if not expected:
        return not lines
    if expected[0] == "…":
        return any(matches(lines[skip:], expected[1:]) for skip in range(len(lines) + 1))
    return bool(lines) and lines[0] == expected[0] and matches(lines[1:], expected[1:])


def test_the_readme_has_examples_to_run():
    assert len(examples()) >= 6


@pytest.mark.parametrize("code, expected", examples())
def test_a_readme_example_prints_what_the_readme_shows(code, expected, tmp_path):
    for module, engine in ENGINES.items():
        if re.search(rf"^\s*(import|from) {module}\b", code, re.M):
            require_engine(engine)
    script = tmp_path / "example.py"
    script.write_text("import nucleus_rs\n" + code, encoding="utf-8")
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    run = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-4000:]
    assert matches(run.stdout.splitlines(), expected.splitlines()), run.stdout
