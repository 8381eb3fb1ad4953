"""A real engine: PySpark in local[2] mode. `nucleus_rs.spark.check` and `profile` read Arrow
batches in the executors (mapInArrow) and give exactly the CLI's result on the same file.

PySpark is a test requirement (scripts/python/requirements-engines.txt; it needs Java 17):
without it the module is skipped, except in CI (CI=true), where it fails."""

import os
import sys

import nucleus_rs
import pytest

from conftest import assert_same_as_cli, assert_same_profile_as_cli, cli_check, cli_profile, require_engine

require_engine("pyspark")
pa = require_engine("pyarrow")
pq = require_engine("pyarrow.parquet")
from pyspark.sql import Row, SparkSession  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    # The Python workers run this interpreter (the test environment, where nucleus_rs is).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("nucleus_rs tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        # Small batches: a partition's rows arrive in several Arrow batches.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "5000")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_helpers_on_a_large_file_equal_the_cli(spark, large):
    # At least 8 partitions: pieces of about an eighth of the file.
    max_bytes = large.path.stat().st_size // 8
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(max_bytes))
    spark.conf.set("spark.sql.files.openCostInBytes", "0")
    try:
        assert spark.read.text(str(large.path)).rdd.getNumPartitions() >= 8
        assert_same_as_cli(nucleus_rs.spark.check(str(large.path), spark=spark), large.check)
        profile = nucleus_rs.spark.profile(large.path, spark=spark)
        assert_same_profile_as_cli(profile, large.profile, large.true_counts)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
        spark.conf.unset("spark.sql.files.openCostInBytes")


def test_spark_helpers_across_partition_boundaries_equal_the_cli(spark, boundary):
    _, parts, check, profile = boundary
    lines = [line for part in parts for line in part]
    # A DataFrame that is not a scan of files: partition order, here the parts.
    df = spark.sparkContext.parallelize(lines, len(parts)).map(lambda line: Row(json=line)).toDF()
    assert [[row.json for row in part] for part in df.rdd.glom().collect()] == parts
    assert_same_as_cli(nucleus_rs.spark.check(df, column="json"), check)
    assert_same_profile_as_cli(nucleus_rs.spark.profile(df, column="json"), profile)


def test_spark_over_parquet_files_equals_the_cli(spark, tmp_path, nucleus_cli, boundary):
    # Items in a Parquet column of JSON strings, in several files and row groups: pieces are
    # put in file order (path, then offset), whatever partitions Spark packs them into.
    _, parts, _, _ = boundary
    lines = [line for part in parts for line in part] * 40
    directory = tmp_path / "items.parquet"
    directory.mkdir()
    step = len(lines) // 4
    for index, start in enumerate(range(0, len(lines), step)):
        table = pa.table({"id": list(range(start, start + step)), "item": lines[start : start + step]})
        pq.write_table(table, directory / f"part-{index:05d}.parquet", row_group_size=97)
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")
    try:
        df = spark.read.parquet(str(directory))
        assert df.rdd.getNumPartitions() >= 4
        assert_same_as_cli(nucleus_rs.spark.check(df, column="item"), cli_check(nucleus_cli, jsonl))
        assert_same_profile_as_cli(nucleus_rs.spark.profile(df, column="item"), cli_profile(nucleus_cli, jsonl))
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")


def test_a_missing_column_is_named(spark):
    df = spark.createDataFrame([("x",)], ["value"])
    with pytest.raises(Exception, match="nope"):
        nucleus_rs.spark.check(df, column="nope")
