"""Check and profile a dataset with Dask: ``check(bag_or_path)``, ``profile(bag_or_path)``.

A path (a file, a glob or a list; files in sorted order, each after the previous) is read
with ``dask.bytes.read_bytes`` in blocks cut at ``\\n``, each block handed to Rust as one Arrow
array of its lines (no Python string per line, bytes checked as the CLI reads them). A
``dask.bag.Bag`` of strings (``dask.bag.read_text``, one line per element) is checked in
partition order. Each partition becomes a state in a worker; states are merged in partition
order as a tree (``split_every`` at a time) in the workers, and only the final state comes
back. The result is that of ``nucleus_rs.check`` (or ``profile``) on the concatenated lines.

Needs ``pip install 'nucleus-rs[dask]'``.
"""

from nucleus_rs._shards import CHECK, PROFILE, Task, finish_check, merge_all, require

__all__ = ["check", "profile"]

DEFAULT_BLOCKSIZE = "64MiB"


def check(
    bag_or_path,
    *,
    remote_only=False,
    require_dimensions=False,
    blocksize=DEFAULT_BLOCKSIZE,
    split_every=8,
    scheduler=None,
):
    """``nucleus_rs.check`` of a Dask bag of lines or of JSON Lines files, on Dask.

    ``blocksize`` (paths only) is the size of a partition; ``split_every`` how many states a
    merge task takes; ``scheduler`` goes to ``dask.compute`` (default: Dask's current one).
    """
    task = Task(CHECK, remote_only, require_dimensions)
    source = _Source(bag_or_path, blocksize)
    merged = source.reduce(task, split_every, scheduler)
    return finish_check(merged)


def profile(bag_or_path, *, blocksize=DEFAULT_BLOCKSIZE, split_every=8, scheduler=None):
    """``nucleus_rs.profile`` of a Dask bag of lines or of JSON Lines files, on Dask."""
    return _Source(bag_or_path, blocksize).reduce(Task(PROFILE), split_every, scheduler).finish()


class _Source:
    """The partitions of a bag, or the blocks of files, in dataset order."""

    def __init__(self, bag_or_path, blocksize):
        self.dask = require("dask", "dask")
        require("dask.bag", "dask")
        import dask.bag

        if isinstance(bag_or_path, dask.bag.Bag):
            self.bag, self.blocks = bag_or_path, None
        else:
            require("pyarrow", "dask")
            from dask.bytes import read_bytes

            _, blocks = read_bytes(_paths(bag_or_path), delimiter=b"\n", blocksize=blocksize, sample=False)
            self.bag, self.blocks = None, [block for file_blocks in blocks for block in file_blocks]

    def reduce(self, task, split_every, scheduler):
        """The merged state of every partition, merged in the workers."""
        if self.bag is not None:
            reduction = self.bag.reduction(task.of_lines, merge_all, split_every=split_every)
            (state,) = self.dask.compute(reduction, scheduler=scheduler)
            return state
        delayed = self.dask.delayed
        level = [delayed(task.of_bytes, pure=True)(block) for block in self.blocks]
        if not level:
            return task.new_state()
        while len(level) > 1:
            level = [
                delayed(merge_all, pure=True)(level[start : start + split_every])
                for start in range(0, len(level), split_every)
            ]
        (state,) = self.dask.compute(level[0], scheduler=scheduler)
        return state


def _paths(path):
    import os

    if isinstance(path, (list, tuple)):
        return [os.fspath(p) for p in path]
    return os.fspath(path)
