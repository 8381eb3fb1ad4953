"""A real engine: Dask's multiprocessing scheduler checks and profiles the partitions of a file in
worker processes. The states are pickled back to this process (and, in a tree reduction, between
workers), merged in partition order, and give the result of one pass over the whole file.

`nucleus_rs.dask.check` and `profile` run that recipe (with Arrow blocks for files) and give
exactly the CLI's result.

Dask is a test requirement (scripts/python/requirements-engines.txt): without it the module is
skipped, except in CI (CI=true), where it fails."""

import functools
import os

import nucleus_rs
import pytest

from conftest import (
    EXAMPLES,
    TOTALS,
    assert_same_as_cli,
    assert_same_as_one_pass,
    assert_same_profile_as_cli,
    require_engine,
)

dask = require_engine("dask")
require_engine("dask.bag")
import dask.bag  # noqa: E402
from dask.bytes import read_bytes  # noqa: E402

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


def test_dask_check_decides_a_conflict_across_partitions(computed):
    # mistakes.jsonl's frame_id is a number at line 1 and a string at line 22, which lies in a
    # later partition: the merge decides from the merged counts, as one pass does.
    result = merge_all(computed["mistakes.jsonl", "check"]).finish()
    [conflict] = [d for d in result.diagnostics if d["code"] == "type-conflict"]
    assert (conflict["line"], conflict["related_line"]) == (22, 1)
    assert_same_as_one_pass(result, nucleus_rs.check(EXAMPLES / "mistakes.jsonl"))


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


# nucleus_rs.dask: the recipe above, in one call.


def test_dask_helpers_on_a_large_file_equal_the_cli(large):
    blocksize = large.path.stat().st_size // 8
    _, blocks = read_bytes(str(large.path), delimiter=b"\n", blocksize=blocksize, sample=False)
    assert len(blocks[0]) >= 8
    result = nucleus_rs.dask.check(large.path, blocksize=blocksize, split_every=3, scheduler="processes")
    assert_same_as_cli(result, large.check)
    profile = nucleus_rs.dask.profile(large.path, blocksize=blocksize, split_every=3, scheduler="processes")
    assert_same_profile_as_cli(profile, large.profile, large.true_counts)


def test_dask_helpers_across_partition_boundaries_equal_the_cli(boundary):
    path, parts, check, profile = boundary
    bag = dask.bag.from_sequence([line for part in parts for line in part], npartitions=len(parts))
    # The partitions are the parts: boundaries inside runs of one id and between kinds.
    assert bag.map_partitions(lambda lines: [list(lines)]).compute(scheduler="sync") == parts
    for given in [bag, path]:
        options = {"blocksize": 300} if given is path else {}
        assert_same_as_cli(nucleus_rs.dask.check(given, scheduler="processes", **options), check)
        assert_same_profile_as_cli(nucleus_rs.dask.profile(given, scheduler="processes", **options), profile)


def test_dask_helpers_take_the_flags_of_check(boundary):
    path, _, _, _ = boundary
    result = nucleus_rs.dask.check(EXAMPLES / "mistakes.jsonl", remote_only=True, blocksize=1000, scheduler="sync")
    expected = nucleus_rs.check(EXAMPLES / "mistakes.jsonl", remote_only=True)
    assert (result.diagnostics, result.summary["codes"]) == (
        [dict(d, file="<lines>") for d in expected.diagnostics],
        expected.summary["codes"],
    )
