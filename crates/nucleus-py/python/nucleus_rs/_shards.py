"""The recipe every engine helper runs, engine-free.

1. Map each partition, in its row order, to a state: ``CheckState`` (or ``ProfileState``) fed
   with the partition's rows (Arrow batches through ``update_arrow``, else strings).
2. Merge the states in dataset order (each merge puts the earlier state on the left; a tree of
   such merges gives the same result).
3. ``finish()`` the merged state.

Line numbers are positions in the concatenation of the partitions, in dataset order, counted
from 1 (blank and null rows included): exactly ``nucleus check`` on the file of those rows,
whatever the partitions. Type conflicts and mixed kinds need the whole dataset (the kind held
by more items decides), so the states carry per key and kind a count and the first values,
and ``finish()`` decides: no second pass, and the findings come after the others, as in
``nucleus check``.
"""

import importlib
import pickle
from functools import reduce

from nucleus_rs._native import CheckState, ProfileState

CHECK, PROFILE = "check", "profile"


def require(module, extra):
    """Imports an engine, or says which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"nucleus_rs.{extra} needs {module.split('.')[0]}, which is not installed: "
            f"pip install 'nucleus-rs[{extra}]'"
        ) from error


class Task:
    """What a partition becomes: a check or a profile. Picklable, so engines ship it to their
    workers."""

    def __init__(self, kind, remote_only=False, require_dimensions=False):
        self.kind = kind
        self.remote_only = remote_only
        self.require_dimensions = require_dimensions

    def new_state(self):
        if self.kind == CHECK:
            return CheckState(remote_only=self.remote_only, require_dimensions=self.require_dimensions)
        return ProfileState()

    def of_arrow(self, arrays):
        """The state of a partition given as Arrow string arrays, in order."""
        state = self.new_state()
        for array in arrays:
            state.update_arrow(array)
        return state

    def of_lines(self, lines):
        """The state of a partition given as strings, in order."""
        state = self.new_state()
        state.update(lines)
        return state

    def of_bytes(self, block):
        """The state of a block of a JSON Lines file (bytes cut at line ends)."""
        return self.of_arrow([lines_array(block)])


def merge(earlier, later):
    """Appends ``later`` (the state of the partition right after) to ``earlier``."""
    earlier.merge(later)
    return earlier


def merge_all(states):
    """Merges states given in dataset order (a left fold: each id is inserted once)."""
    states = list(states)
    if not states:
        raise ValueError("no partitions")
    return reduce(merge, states)


def dumps(state):
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data):
    return pickle.loads(data)


def finish_check(merged):
    """The CheckResult of ``merged`` (every partition, in order)."""
    return merged.finish()


def lines_array(block):
    """The lines of ``block`` (bytes of whole JSON lines) as an Arrow ``large_binary`` array,
    cut at ``\\n`` only, each row keeping its newline (which the check ignores): the lines the
    ``nucleus`` CLI reads, without a Python object per line and without decoding (bytes that
    are not UTF-8 are an ``invalid-utf8`` finding, as in the CLI)."""
    import numpy as np
    import pyarrow as pa

    data = bytes(block)
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10).astype(np.int64) + 1
    offsets = np.concatenate((np.zeros(1, dtype=np.int64), ends))
    if offsets[-1] != len(data):
        offsets = np.append(offsets, np.int64(len(data)))
    n_rows = len(offsets) - 1
    return pa.Array.from_buffers(
        pa.large_binary(), n_rows, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)]
    )
