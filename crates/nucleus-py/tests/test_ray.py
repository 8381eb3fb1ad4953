"""A real engine: Ray started locally (2 CPUs). `nucleus_rs.ray.check` and `profile` read Arrow
blocks in Ray tasks (map_batches) and give exactly the CLI's result on the same file.

Ray is a test requirement (scripts/python/requirements-engines.txt): without it the module is
skipped, except in CI (CI=true), where it fails."""

import nucleus_rs
import pytest

from conftest import assert_same_as_cli, assert_same_profile_as_cli, require_engine

ray = require_engine("ray")
require_engine("ray.data")
pa = require_engine("pyarrow")
import ray.data  # noqa: E402


@pytest.fixture(scope="module")
def ray_local():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_helpers_on_a_large_file_equal_the_cli(ray_local, large):
    block_bytes = large.path.stat().st_size // 8 + 1
    dataset = nucleus_rs.ray.read_json_lines(large.path, block_bytes=block_bytes)
    assert dataset.materialize().num_blocks() >= 8
    assert_same_as_cli(nucleus_rs.ray.check(dataset), large.check)
    profile = nucleus_rs.ray.profile(str(large.path))
    assert_same_profile_as_cli(profile, large.profile, large.true_counts)


def test_ray_helpers_across_block_boundaries_equal_the_cli(ray_local, boundary):
    _, parts, check, profile = boundary
    # One block per part, in order.
    dataset = ray.data.from_arrow([pa.table({"json": part}) for part in parts])
    assert dataset.num_blocks() == len(parts)
    assert_same_as_cli(nucleus_rs.ray.check(dataset, column="json"), check)
    assert_same_profile_as_cli(nucleus_rs.ray.profile(dataset, column="json"), profile)
    # The dataset's own setting is left as it was.
    assert dataset.context.execution_options.preserve_order is False
