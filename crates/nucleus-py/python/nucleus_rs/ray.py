"""Check and profile a dataset with Ray Data: ``check(dataset)``, ``profile(dataset)``.

The rows reach Rust as Arrow batches (``map_batches(batch_format="pyarrow")``): no Python
object per row. Each block becomes a state in a Ray task; the states come back to the driver
in dataset order (the helpers run with ``preserve_order``) and are merged there, a left fold:
Ray Data has no order-keeping reduction, and merging costs little next to checking.

A path (a file, a directory, a glob, or a list) is read by this module's own datasource: lines
cut at ``\\n`` only and kept as bytes (Ray's ``read_text`` cuts at every Unicode line break,
drops blank lines and decodes, so its line numbers can differ from the file's), files in
sorted order, streamed in blocks of ``block_bytes``. A dataset is checked in its order; for
line numbers equal to a file's, read it with ``drop_empty_lines=False``.

The merged result is exactly that of one pass (see ``nucleus_rs._shards``). Needs ``pip install
'nucleus-rs[ray]'``.
"""

import glob
import os

from nucleus_rs._shards import CHECK, PROFILE, Task, dumps, finish_check, lines_array, loads, merge_all, require

__all__ = ["check", "profile", "read_json_lines"]

DEFAULT_BLOCK_BYTES = 64 << 20


def check(dataset, column="text", *, remote_only=False, require_dimensions=False):
    """``nucleus_rs.check`` of the JSON lines in ``column`` of a Ray dataset, or of JSON Lines
    files (read with ``read_json_lines``), on Ray."""
    dataset, column = _dataset(dataset, column)
    task = Task(CHECK, remote_only, require_dimensions)
    merged = merge_all(_states(dataset, column, task))
    return finish_check(merged)


def profile(dataset, column="text"):
    """``nucleus_rs.profile`` of the JSON lines in ``column`` of a Ray dataset, or of JSON
    Lines files, on Ray."""
    dataset, column = _dataset(dataset, column)
    return merge_all(_states(dataset, column, Task(PROFILE))).finish()


def read_json_lines(paths, *, block_bytes=DEFAULT_BLOCK_BYTES, **read_args):
    """A dataset of the lines of JSON Lines files (column ``text``, ``large_binary``): lines
    cut at ``\\n`` only, with their newline, blank ones kept, in file order, files in sorted
    order. ``read_args`` go to ``ray.data.read_datasource``."""
    ray = require("ray", "ray")
    require("ray.data", "ray")
    return ray.data.read_datasource(_datasource_class()(_expand(paths), block_bytes=block_bytes), **read_args)


def _dataset(dataset, column):
    require("ray", "ray")
    require("pyarrow", "ray")
    if isinstance(dataset, (str, os.PathLike, list, tuple)):
        return read_json_lines(dataset), "text"
    return dataset, column


def _states(dataset, column, task):
    """The states of the dataset's blocks, in dataset order."""
    context = dataset.context
    preserve_order = context.execution_options.preserve_order
    context.execution_options.preserve_order = True
    try:
        rows = (
            dataset.select_columns([column])
            .map_batches(_RunBlock(task, column), batch_format="pyarrow", batch_size=None, zero_copy_batch=True)
            .take_all()
        )
    finally:
        context.execution_options.preserve_order = preserve_order
    if not rows:
        return [task.new_state()]
    return [loads(row["state"]) for row in rows]


class _RunBlock:
    """map_batches' function: a block's lines to one pickled state."""

    def __init__(self, task, column):
        self.task = task
        self.column = column

    def __call__(self, table):
        import pyarrow as pa

        state = self.task.of_arrow([table.column(self.column)])
        return pa.table({"state": pa.array([dumps(state)], type=pa.large_binary())})


def _expand(paths):
    """Local globs and directories expanded and sorted; other paths (URIs) as given."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    expanded = []
    for path in map(os.fspath, paths):
        if "://" in path:
            expanded.append(path)
        elif os.path.isdir(path):
            expanded.extend(sorted(os.path.join(path, name) for name in os.listdir(path)))
        elif glob.has_magic(path):
            expanded.extend(sorted(glob.glob(path)))
        else:
            expanded.append(path)
    return expanded


_DATASOURCE = None


def _datasource_class():
    """The JSON Lines datasource (defined on first use: it subclasses a Ray class)."""
    global _DATASOURCE
    if _DATASOURCE is None:
        from ray.data.datasource import FileBasedDatasource

        class JsonLinesDatasource(FileBasedDatasource):
            """Lines of JSON Lines files as ``large_binary`` rows, cut at ``\\n`` only."""

            _FILE_EXTENSIONS = None

            def __init__(self, paths, *, block_bytes=DEFAULT_BLOCK_BYTES, **kwargs):
                super().__init__(paths, **kwargs)
                self.block_bytes = block_bytes

            def _read_stream(self, f, path):
                import pyarrow as pa

                carry = b""
                while True:
                    chunk = f.read(self.block_bytes)
                    if not chunk:
                        break
                    data = carry + chunk
                    cut = data.rfind(b"\n") + 1
                    carry = data[cut:]
                    if cut:
                        yield pa.table({"text": lines_array(data[:cut])})
                if carry:
                    yield pa.table({"text": lines_array(carry)})

        _DATASOURCE = JsonLinesDatasource
    return _DATASOURCE
