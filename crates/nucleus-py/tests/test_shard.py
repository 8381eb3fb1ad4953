"""CheckState and ProfileState: shards merged in order, pickled or not, give the sequential
result."""

import functools
import pickle

import nucleus_rs
import pytest

from conftest import assert_same_as_one_pass, item_line, random_dataset


def sharded(lines, cuts):
    bounds = [0, *sorted(cuts), len(lines)]
    states = []
    for start, end in zip(bounds, bounds[1:]):
        state = nucleus_rs.CheckState()
        state.update(lines[start:end])
        states.append(state)
    return states


def fold(states):
    def merge(left, right):
        left.merge(right)
        return left
    return functools.reduce(merge, states).finish()


@pytest.mark.parametrize("seed", range(12))
def test_sharded_equals_sequential(seed):
    lines = random_dataset(seed, n_lines=400)
    sequential = nucleus_rs.check(lines)
    cuts = [(seed * 97 + 13 * k) % len(lines) for k in range(seed % 5)]
    result = fold(sharded(lines, cuts))
    assert_same_as_one_pass(result, sequential)


def test_a_kind_held_by_more_items_decides_across_shards():
    lines = [item_line("1", {"k": "x"}), item_line("2", {"k": 1}), item_line("3", {"k": 2})]
    first, second = sharded(lines, [1])
    first.merge(second)
    result = first.finish()
    assert result.summary["errors"] == nucleus_rs.check(lines).summary["errors"] == 1
    [finding] = result.diagnostics
    assert (finding["line"], finding["related_line"]) == (1, 2)
    assert "2 items hold a number (the first at line 2) and 1 holds a string" in finding["message"]
    [conflict] = result.summary["type_conflicts"]
    assert (conflict["key"], conflict["count"], conflict["other_count"]) == ("k", 2, 1)


def test_merge_may_group_shards_as_a_tree():
    lines = random_dataset(3, n_lines=300)
    a, b, c, d = sharded(lines, [50, 120, 200])
    a.merge(b)
    c.merge(d)
    a.merge(c)
    assert_same_as_one_pass(a.finish(), nucleus_rs.check(lines))


def test_merge_empties_the_later_state_and_counts_lines_on():
    first, second = sharded([item_line("a", {}), "", item_line("b", {})], [2])
    first.merge(second)
    assert (first.n_lines, second.n_lines) == (3, 0)


@pytest.mark.parametrize("cut", [0, 1, 150, 299, 300])
def test_profile_state_sharded_equals_one_pass(cut):
    lines = random_dataset(5, n_lines=300)
    first, second = nucleus_rs.ProfileState(), nucleus_rs.ProfileState()
    first.update(lines[:cut])
    second.update(lines[cut:])
    first.merge(second)
    assert first.finish() == nucleus_rs.profile(lines)


def test_a_pickled_state_merges_like_the_original():
    lines = random_dataset(9, n_lines=200)
    states = sharded(lines, [60, 140])
    copies = [pickle.loads(pickle.dumps(state)) for state in states]
    original, copy = fold(states), fold(copies)
    assert copy.diagnostics == original.diagnostics
    assert copy.summary == original.summary


def test_unpickling_garbage_raises_value_error():
    state = nucleus_rs.CheckState()
    with pytest.raises(ValueError, match="invalid shard state"):
        state.__setstate__(b"{}")


def pickled(state):
    """The state as another process gets it: pickled and read back."""
    return pickle.loads(pickle.dumps(state))


@pytest.mark.parametrize("seed", range(6))
def test_pickled_check_states_merge_into_the_sequential_check(seed):
    lines = random_dataset(100 + seed, n_lines=300)
    cuts = [(seed * 61 + 37 * k) % len(lines) for k in range(1 + seed % 4)]
    states = sharded(lines, cuts)
    result = fold([pickled(state) for state in states])
    assert_same_as_one_pass(result, nucleus_rs.check(lines))


def test_pickled_profile_state_round_trips():
    lines = random_dataset(11, n_lines=200) + ["", "{broken"]
    state = nucleus_rs.ProfileState()
    state.update(lines)
    copy = pickled(state)
    assert copy.finish() == state.finish()
    n_nonblank = sum(1 for line in lines if line.strip(" \t\r"))
    assert (copy.finish()["n_lines"], copy.finish()["n_invalid"]) == (n_nonblank, state.finish()["n_invalid"])
    assert copy.__getstate__() == state.__getstate__()


@pytest.mark.parametrize("cuts", [[], [1], [150], [40, 90, 250], [0, 300]])
def test_pickled_profile_states_merge_into_the_sequential_profile(cuts):
    lines = random_dataset(21, n_lines=300)
    bounds = [0, *sorted(cuts), len(lines)]
    states = []
    for start, end in zip(bounds, bounds[1:]):
        state = nucleus_rs.ProfileState()
        state.update(lines[start:end])
        states.append(pickled(state))
    merged = functools.reduce(lambda left, right: (left.merge(right), left)[1], states)
    assert merged.finish() == nucleus_rs.profile(lines)


def test_a_pickled_profile_state_keeps_its_sketches():
    # Past 256 distinct values a key's strings and numbers go to sketches (HyperLogLog,
    # Misra-Gries, log histogram); they must survive pickling bit for bit.
    lines = [item_line(str(i), {"text": f"t{i % 700}", "x": 1.0001 ** i, "lat": i % 90, "lon": 1}) for i in range(1500)]
    first, second = nucleus_rs.ProfileState(), nucleus_rs.ProfileState()
    first.update(lines[:600])
    second.update(lines[600:])
    copy_first, copy_second = pickled(first), pickled(second)
    first.merge(second)
    copy_first.merge(copy_second)
    profile = copy_first.finish()
    assert profile == first.finish()
    text = next(k for k in profile["keys"] if k["key"] == "text")
    assert not text["strings"]["distinct_exact"]


def test_unpickling_a_garbage_profile_state_raises_value_error():
    state = nucleus_rs.ProfileState()
    with pytest.raises(ValueError, match="invalid profile state"):
        state.__setstate__((1, 1, 0, b"{}"))
    with pytest.raises(ValueError, match="format version 9, expected 1"):
        state.__setstate__((1, 1, 0, b'{"version": 9}'))


def test_a_profile_counts_the_same_lines_from_a_file_and_from_lines(tmp_path):
    # n_lines counts non-blank lines, whether the profile read a file or was given lines.
    # The rules of a file for both: a byte order mark, \\r in blank lines and in endings.
    lines = random_dataset(13, n_lines=120) + ["", "  \t", " \r", "{broken"]
    lines[0] = "\ufeff" + item_line("first", {"k1": 1})
    lines[1] = item_line("second", {"k1": 2}) + "\r"
    path = tmp_path / "items.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    from_file = nucleus_rs.profile(str(path), jobs=1)
    assert from_file["n_lines"] == sum(1 for line in lines if line.strip(" \t\r"))
    assert from_file["n_invalid"] == sum(1 for line in lines if line.startswith("{not json") or line == "{broken")
    assert nucleus_rs.profile(lines) == from_file
    state = nucleus_rs.ProfileState()
    state.update(lines)
    assert state.finish() == from_file
