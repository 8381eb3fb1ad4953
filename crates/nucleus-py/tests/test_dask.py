"""A real engine: Dask's multiprocessing scheduler checks and profiles the partitions of a file in
worker processes. The states are pickled back to this process (and, in a tree reduction, between
workers), merged in partition order, and give the result of one pass over the whole file.

Dask is a test requirement (scripts/python/test.sh installs it): a missing Dask fails here at
import, it is not skipped."""

import functools
import os

import dask
import dask.bag
import nucleus_rs
import pytest

from conftest import EXAMPLES, TOTALS, assert_same_as_one_pass

N_PARTITIONS = 4


def check_partition(lines):
    state = nucleus_rs.CheckState()
    state.update(lines)
    return state


def profile_partition(lines):
    state = nucleus_rs.ProfileState()
    state.update(lines)
    return state


def merge(earlier, later):
    earlier.merge(later)
    return earlier


def merge_all(states):
    """Bag.reduction's aggregate: the states of consecutive partitions, in partition order."""
    return functools.reduce(merge, states)


def worker_pid(lines):
    return [os.getpid()]


def partitions(name):
    """The file's lines in N_PARTITIONS byte blocks cut at line ends, in file order."""
    path = EXAMPLES / name
    return dask.bag.read_text(str(path), blocksize=path.stat().st_size // N_PARTITIONS)


@pytest.fixture(scope="module")
def computed():
    """Everything in one `dask.compute`, so the worker processes start once."""
    tasks = {}
    for name in ["mistakes.jsonl", "items.jsonl"]:
        bag = partitions(name)
        assert bag.npartitions == N_PARTITIONS
        tasks[name, "lines"] = bag.map_partitions(lambda lines: [list(lines)])
        tasks[name, "check"] = bag.map_partitions(lambda lines: [check_partition(lines)])
        tasks[name, "profile"] = bag.map_partitions(lambda lines: [profile_partition(lines)])
        tasks[name, "check-tree"] = bag.reduction(check_partition, merge_all, split_every=2)
        tasks[name, "profile-tree"] = bag.reduction(profile_partition, merge_all, split_every=2)
        tasks[name, "pids"] = bag.map_partitions(worker_pid)
    keys = list(tasks)
    values = dask.compute(*(tasks[key] for key in keys), scheduler="processes", num_workers=2)
    return dict(zip(keys, values))


@pytest.mark.parametrize("name", ["mistakes.jsonl", "items.jsonl"])
def test_states_come_back_from_other_processes(computed, name):
    pids = computed[name, "pids"]
    assert len(pids) == N_PARTITIONS
    assert os.getpid() not in pids
    states = computed[name, "check"]
    assert len(states) == N_PARTITIONS
    assert all(isinstance(state, nucleus_rs.CheckState) for state in states)
    assert all(state.n_lines > 0 for state in states)


@pytest.mark.parametrize("name", ["mistakes.jsonl", "items.jsonl"])
def test_dask_check_equals_one_pass(computed, name):
    sequential = nucleus_rs.check(EXAMPLES / name)
    result = merge_all(computed[name, "check"]).finish()
    assert_same_as_one_pass(result, sequential)
    # Pickling loses nothing: the same partitions merged in this process give the same result.
    local = merge_all([check_partition(lines) for lines in computed[name, "lines"]]).finish()
    assert (result.diagnostics, result.summary) == (local.diagnostics, local.summary)
    # A tree reduction in the workers gives the same result.
    tree = computed[name, "check-tree"].finish()
    assert (tree.diagnostics, {k: tree.summary[k] for k in TOTALS}) == (
        result.diagnostics,
        {k: result.summary[k] for k in TOTALS},
    )


def test_dask_check_summarises_a_conflict_across_partitions(computed):
    # mistakes.jsonl's frame_id is a number at line 1 and a string at line 22, which lies in a
    # later partition: the merge reports it in the summarised form.
    result = merge_all(computed["mistakes.jsonl", "check"]).finish()
    [conflict] = [d for d in result.diagnostics if d["code"] == "type-conflict"]
    assert (conflict["line"], conflict["related_line"]) == (22, 1)
    assert "1 value from this line on, in a later shard" in conflict["message"]


def test_dask_check_of_a_clean_file_is_exactly_one_pass(computed):
    sequential = nucleus_rs.check(EXAMPLES / "items.jsonl")
    result = merge_all(computed["items.jsonl", "check"]).finish()
    assert result.diagnostics == sequential.diagnostics == []
    assert {k: result.summary[k] for k in ["items", "valid", "invalid", *TOTALS]} == {
        k: sequential.summary[k] for k in ["items", "valid", "invalid", *TOTALS]
    }


@pytest.mark.parametrize("name", ["mistakes.jsonl", "items.jsonl"])
def test_dask_profile_equals_one_pass(computed, name):
    sequential = nucleus_rs.profile(EXAMPLES / name)
    assert merge_all(computed[name, "profile"]).finish() == sequential
    assert computed[name, "profile-tree"].finish() == sequential
