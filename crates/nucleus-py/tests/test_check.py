"""check(): the findings and summary of `nucleus check --format json`."""

import nucleus_rs
import pytest

from conftest import EXAMPLES, cli_check, item_line, random_dataset

SUMMARY_FIELDS = ["items", "valid", "invalid", "errors", "warnings", "codes", "stopped_early"]


@pytest.mark.parametrize("flags", [{}, {"remote_only": True, "require_dimensions": True}])
@pytest.mark.parametrize("name", ["mistakes.jsonl", "items.jsonl"])
def test_check_of_a_file_equals_the_cli(nucleus_cli, name, flags):
    path = EXAMPLES / name
    args = [f"--{flag.replace('_', '-')}" for flag in flags]
    expected_diagnostics, expected_summary = cli_check(nucleus_cli, path, *args)
    result = nucleus_rs.check(str(path), **flags)
    assert result.diagnostics == expected_diagnostics
    assert {k: result.summary[k] for k in SUMMARY_FIELDS} == {k: expected_summary[k] for k in SUMMARY_FIELDS}
    assert result.summary["files"] == [str(path)]
    assert result.ok == (expected_summary["errors"] == 0)


def test_lines_give_the_findings_of_the_file():
    path = EXAMPLES / "mistakes.jsonl"
    from_file = nucleus_rs.check(path)
    from_lines = nucleus_rs.check(path.read_text(encoding="utf-8").splitlines())
    strip = lambda diagnostics: [{k: v for k, v in d.items() if k != "file"} for d in diagnostics]
    assert strip(from_lines.diagnostics) == strip(from_file.diagnostics)
    assert from_lines.summary["codes"] == from_file.summary["codes"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_lines_and_a_file_of_the_same_text_give_the_same_result(tmp_path, jobs):
    """One rule for both: a byte order mark, blank lines holding \\r, CRLF endings and a line
    longer than max_line_bytes."""
    text = (
        "\ufeff" + item_line("a", {"k": "x"}) + "\r\n"
        + " \r\n"
        + "\t\r\n"
        + "\r\n"
        + "x" * 300 + "\r\n"
        + item_line("a", {"k": 2}) + "\n"
        + "{broken\n"
    )
    path = tmp_path / "tricky.jsonl"
    path.write_bytes(text.encode("utf-8"))
    from_file = nucleus_rs.check(path, jobs=jobs, max_line_bytes=200)
    from_lines = nucleus_rs.check(text.splitlines(keepends=True), jobs=jobs, max_line_bytes=200)
    strip = lambda diagnostics: [{k: v for k, v in d.items() if k != "file"} for d in diagnostics]
    assert strip(from_lines.diagnostics) == strip(from_file.diagnostics)
    # The type conflict (a tie: the string, seen first, decides) needs the whole file: it comes last.
    assert [(d["line"], d["code"]) for d in from_file.diagnostics] == [
        (5, "line-too-long"),
        (6, "duplicate-reference-id"),
        (7, "invalid-json"),
        (6, "type-conflict"),
    ]
    untimed = lambda summary: {k: v for k, v in summary.items() if k not in ("files", "elapsed_seconds", "items_per_second")}
    assert untimed(from_lines.summary) == untimed(from_file.summary)
    assert from_file.summary["items"] == 4
    assert from_file.summary["files"] == [str(path)] and from_lines.summary["files"] == []
    # Without the newlines, and through a shard, the same.
    assert strip(nucleus_rs.check(text.splitlines(), max_line_bytes=200).diagnostics) == strip(from_file.diagnostics)
    state = nucleus_rs.CheckState(jobs=jobs, max_line_bytes=200)
    state.update(text.splitlines(keepends=True))
    assert state.n_lines == 7
    assert strip(state.finish().diagnostics) == strip(from_file.diagnostics)


def test_the_thread_count_does_not_change_the_result():
    lines = random_dataset(seed=7, n_lines=3000)
    one = nucleus_rs.check(lines, jobs=1)
    two = nucleus_rs.check(lines, jobs=2)
    assert one.diagnostics == two.diagnostics
    assert one.summary["codes"] == two.summary["codes"]


def test_a_finding_has_the_cli_fields():
    result = nucleus_rs.check([item_line("a", {"k": "x"}), item_line("a", {"k": 2})])
    assert not result.ok
    assert [(d["code"], d["line"], d.get("related_line"), d["path"]) for d in result.diagnostics] == [
        ("duplicate-reference-id", 2, 1, "/reference_id"),
        ("type-conflict", 2, 1, "/metadata/k"),
    ]
    assert result.diagnostics[0]["severity"] == "error"
    assert result.summary["items"] == 2 and result.summary["invalid"] == 1


def test_a_missing_file_raises_os_error(tmp_path):
    with pytest.raises(OSError, match="cannot open"):
        nucleus_rs.check(tmp_path / "missing.jsonl")
