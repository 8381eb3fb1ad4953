"""update_arrow: Arrow string columns read from their buffers give what the same lines give
as strings, and as a file to the CLI."""

import pickle

import nucleus_rs
import pytest

from conftest import EXAMPLES, assert_same_as_cli, cli_check, item_line, random_dataset, require_engine, write_lines

pa = require_engine("pyarrow")

from nucleus_rs._shards import lines_array  # noqa: E402


def checked(*arrays, **options):
    state = nucleus_rs.CheckState(**options)
    for array in arrays:
        state.update_arrow(array)
    return state


def as_lines(state):
    result = state.finish()
    return result.diagnostics, {k: result.summary[k] for k in ["items", "valid", "invalid", "errors", "warnings", "codes"]}


def from_strings(lines, **options):
    state = nucleus_rs.CheckState(**options)
    state.update(lines)
    return as_lines(state)


LINES = random_dataset(4, n_lines=300) + (EXAMPLES / "mistakes.jsonl").read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("arrow_type", ["string", "large_string", "binary", "large_binary", "string_view"])
def test_every_string_type_reads_as_the_strings(arrow_type):
    array = pa.array(LINES, type=getattr(pa, arrow_type)())
    assert as_lines(checked(array)) == from_strings(LINES)


def test_slices_chunks_and_batches_read_as_the_strings():
    array = pa.array(["padding"] * 5 + LINES + ["tail"], type=pa.large_string())
    sliced = array.slice(5, len(LINES))
    chunked = pa.chunked_array([sliced.slice(0, 17), sliced.slice(17, 0), sliced.slice(17)])
    batch = pa.RecordBatch.from_arrays([sliced], names=["value"])
    table = pa.Table.from_batches([batch])
    expected = from_strings(LINES)
    for given in [sliced, chunked, batch, table, batch.column(0), pa.array(LINES).dictionary_encode()]:
        assert as_lines(checked(given)) == expected, type(given)
    # Batches of one partition, given in order, are one state.
    assert as_lines(checked(sliced.slice(0, 100), sliced.slice(100))) == expected


def test_a_null_row_is_a_blank_line():
    lines = [item_line("a", {}), None, item_line("a", {}), ""]
    array = pa.array(lines)
    for offset in [0, 3, 9]:  # the validity bitmap read from a bit other than 0
        padded = pa.array([None] * offset + lines).slice(offset)
        state = checked(padded)
        assert state.n_lines == 4
        [duplicate] = state.finish().diagnostics
        assert (duplicate["line"], duplicate["related_line"]) == (3, 1)
        assert as_lines(state) == from_strings([item_line("a", {}), "", item_line("a", {}), ""])
    assert checked(array).finish().summary["items"] == 2


def test_rows_read_as_the_lines_of_a_file(tmp_path, nucleus_cli):
    # CRLF, a BOM on line 1, blank lines of spaces, tabs and CR, bytes that are not UTF-8.
    lines = [
        b"\xef\xbb\xbf" + item_line("a", {"k": 1}).encode(),
        item_line("b", {"k": "x"}).encode() + b"\r",
        b" \t\r",
        b'{"image_location": "s3://b/\xff.jpg", "reference_id": "c"}',
        b"",
        item_line("a", {}).encode(),
    ]
    path = write_lines(tmp_path / "edge.jsonl", lines)
    expected = cli_check(nucleus_cli, path)
    assert_same_as_cli(checked(pa.array(lines, type=pa.binary())).finish(), expected)
    assert_same_as_cli(checked(lines_array(path.read_bytes())).finish(), expected)


def test_lines_array_cuts_at_newlines_only():
    data = b"a\r\nb\rc\n\nlast"
    assert lines_array(data).to_pylist() == [b"a\r\n", b"b\rc\n", b"\n", b"last"]
    assert lines_array(b"x\n").to_pylist() == [b"x\n"]
    assert len(lines_array(b"")) == 0


def test_profile_state_reads_arrow_as_strings():
    state = nucleus_rs.ProfileState()
    state.update_arrow(pa.array(LINES[:200]))
    state.update_arrow(pa.chunked_array([pa.array(LINES[200:], type=pa.large_string())]))
    assert state.finish() == nucleus_rs.profile(LINES)


def test_first_line_guards_the_order_of_batches():
    state = nucleus_rs.CheckState()
    state.update_arrow(pa.array(LINES[:10]), first_line=1)
    state.update_arrow(pa.array(LINES[10:20]), first_line=11)
    with pytest.raises(ValueError, match="first_line is 5, but this state has read 20 lines, so its next line is 21"):
        state.update_arrow(pa.array(LINES[20:]), first_line=5)
    profile = nucleus_rs.ProfileState()
    with pytest.raises(ValueError, match="next line is 1"):
        profile.update_arrow(pa.array(LINES), first_line=2)


def test_what_is_not_a_string_column_is_refused():
    with pytest.raises(TypeError, match="got int64"):
        nucleus_rs.CheckState().update_arrow(pa.array([1, 2]))
    with pytest.raises(TypeError, match="got list"):
        nucleus_rs.CheckState().update_arrow(["a"])
    batch = pa.RecordBatch.from_pydict({"a": ["x"], "b": ["y"]})
    with pytest.raises(ValueError, match=r"of 2 columns \['a', 'b'\]: pass the column"):
        nucleus_rs.CheckState().update_arrow(batch)


def test_merged_arrow_states_equal_merged_string_states():
    lines = [item_line("1", {"k": "x"}), item_line("2", {"k": 1}), item_line("3", {"k": 2})]
    first, second = checked(pa.array(lines[:1])), checked(pa.array(lines[1:]))
    first = pickle.loads(pickle.dumps(first))
    first.merge(pickle.loads(pickle.dumps(second)))
    by_str, later = nucleus_rs.CheckState(), nucleus_rs.CheckState()
    by_str.update(lines[:1])
    later.update(lines[1:])
    by_str.merge(later)
    assert first.n_lines == 3
    assert as_lines(first) == as_lines(by_str)
    diagnostics, summary = as_lines(first)
    assert summary["codes"].get("type-conflict") and diagnostics
