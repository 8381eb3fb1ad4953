"""Check and profile a dataset with Spark: ``check(df_or_path)``, ``profile(df_or_path)``.

The rows reach Rust as Arrow batches (``DataFrame.mapInArrow``): no Python object per row.
Each task turns its rows into states, one per run of rows of one file piece (a DataFrame read
from files: Parquet, text, ...) or one per partition (any other DataFrame); the states come
back to the driver pickled, where they are merged in dataset order:

- a path (a file, a directory, a glob, or a list) is read with ``spark.read.text(...,
  lineSep="\\n")`` (lines cut at ``\\n`` only, as the ``nucleus`` CLI cuts them) and its lines
  are in file order, files in path order: the concatenation ``cat $(ls | sort)``;
- a DataFrame read from files (whose hidden ``_metadata`` column resolves) is put in the same
  order (file path, then offset in the file), whatever partitions Spark packed the file pieces
  into; any other DataFrame is in partition order, rows in partition order.

Spark's ``treeReduce`` does not keep partition order, so the states are merged on the driver
(a left fold: each reference id is inserted once).

Needs ``pip install 'nucleus-rs[spark]'``; on a cluster, the wheel on every executor.
"""

import os

from nucleus_rs._shards import CHECK, PROFILE, Task, dumps, finish_check, loads, merge_all, require

__all__ = ["check", "profile"]


def check(df_or_path, column="value", *, spark=None, remote_only=False, require_dimensions=False):
    """``nucleus_rs.check`` of the JSON lines in ``column`` of a DataFrame, or of JSON Lines
    files (``column`` is then ``value``, the text reader's), on Spark."""
    frame = _Frame(df_or_path, column, spark)
    task = Task(CHECK, remote_only, require_dimensions)
    merged = merge_all(frame.states(task))
    return finish_check(merged)


def profile(df_or_path, column="value", *, spark=None):
    """``nucleus_rs.profile`` of the JSON lines in ``column`` of a DataFrame, or of JSON Lines
    files, on Spark."""
    return merge_all(_Frame(df_or_path, column, spark).states(Task(PROFILE))).finish()


class _Frame:
    """The rows to check, with what orders them."""

    def __init__(self, df_or_path, column, spark):
        require("pyspark", "spark")
        require("pyarrow", "spark")
        from pyspark.errors import AnalysisException
        from pyspark.sql import DataFrame, SparkSession
        from pyspark.sql import functions as F

        if isinstance(df_or_path, DataFrame):
            df = df_or_path
        else:
            spark = spark or SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
            paths = df_or_path if isinstance(df_or_path, (list, tuple)) else [df_or_path]
            df = spark.read.text([os.fspath(path) for path in paths], lineSep="\n")
            column = "value"
        line = F.col(column).alias("line")
        try:
            self.df = df.select(
                line,
                F.col("_metadata.file_path").alias("path"),
                F.col("_metadata.file_block_start").alias("start"),
            )
            self.by_file = True
        except AnalysisException:  # not a plain scan of files
            self.df = df.select(line)
            self.by_file = False

    def states(self, task):
        """The states of every piece, in dataset order."""
        run = _RunPieces(task, self.by_file)
        schema = "path string, start long, partition int, seq int, state binary"
        rows = self.df.mapInArrow(run, schema).collect()
        if self.by_file:
            rows.sort(key=lambda row: (row["path"], row["start"]))
        else:
            rows.sort(key=lambda row: (row["partition"], row["seq"]))
        if not rows:
            return [task.new_state()]
        return [loads(row["state"]) for row in rows]


class _RunPieces:
    """mapInArrow's function: a partition's batches to one state per file piece (or one for
    the partition), each a row (path, start, partition, seq, pickled state)."""

    def __init__(self, task, by_file):
        self.task = task
        self.by_file = by_file

    def __call__(self, batches):
        import pyarrow as pa
        from pyspark import TaskContext

        partition = TaskContext.get().partitionId()
        pieces = []  # [(path, start, state)] in order of first row
        for batch in batches:
            for key, lines in self._runs(batch):
                if not pieces or pieces[-1][0] != key:
                    pieces.append((key, self.task.new_state()))
                pieces[-1][1].update_arrow(lines)
        if not pieces:
            return
        yield pa.RecordBatch.from_pydict(
            {
                "path": [key[0] for key, _ in pieces],
                "start": [key[1] for key, _ in pieces],
                "partition": [partition] * len(pieces),
                "seq": list(range(len(pieces))),
                "state": [dumps(state) for _, state in pieces],
            },
            schema=pa.schema(
                [
                    ("path", pa.string()),
                    ("start", pa.int64()),
                    ("partition", pa.int32()),
                    ("seq", pa.int32()),
                    ("state", pa.binary()),
                ]
            ),
        )

    def _runs(self, batch):
        """(piece, lines) for each run of rows of one file piece in the batch, in order."""
        lines = batch.column(0)
        if not self.by_file:
            yield (None, None), lines
            return
        import pyarrow.compute as pc

        paths, starts = batch.column(1), batch.column(2)
        n_rows = len(lines)
        if n_rows == 0:
            return
        # Rows where the piece changes: few per batch, found without a Python object per row.
        changed = pc.or_(
            pc.not_equal(paths.slice(1), paths.slice(0, n_rows - 1)),
            pc.not_equal(starts.slice(1), starts.slice(0, n_rows - 1)),
        )
        cuts = [0, *(int(i) + 1 for i in pc.indices_nonzero(changed).to_pylist()), n_rows]
        for begin, end in zip(cuts, cuts[1:]):
            key = (paths[begin].as_py(), starts[begin].as_py())
            yield key, lines.slice(begin, end - begin)
