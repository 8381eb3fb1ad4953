"""Check, profile, query and project Scale AI Nucleus dataset items at Rust speed."""

import os
from typing import Any, Iterable, Iterator, Literal, Mapping, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

PathOrLines = Union[str, "os.PathLike[str]", Iterable[str]]
# A pyarrow Array (string, large_string, binary, large_binary; view and dictionary forms are
# converted), ChunkedArray, one-column RecordBatch or Table, or an object with
# __arrow_c_array__. Read from its buffers: no Python object per row. Each row is one line (a
# final newline ignored; a byte order mark on the state's line 1 skipped; bytes that are not
# UTF-8 are an invalid-utf8 finding); a null row is a blank line (counted, not an item).
ArrowLines = Any

class CheckResult:
    """The findings and summary of a check."""

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        """One dict per finding: severity, code, file, line, path, message, related_line (the
        fields of ``nucleus check --format json``; line and related_line only when known)."""
    @property
    def summary(self) -> dict[str, Any]:
        """items, valid, invalid, errors, warnings, codes (per code), files, elapsed_seconds,
        items_per_second, stopped_early, and with media probing remote_not_probed (the summary
        of ``nucleus check --format json``)."""
    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""

def check(
    path_or_lines: PathOrLines,
    *,
    remote_only: bool = False,
    require_dimensions: bool = False,
    jobs: Optional[int] = None,
    max_line_bytes: Optional[int] = None,
    probe_media: bool = False,
    probe_remote: bool = False,
    media_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
    max_side: Optional[int] = None,
    decode: bool = False,
    concurrency: int = 32,
    timeout: float = 30.0,
    retries: int = 3,
) -> CheckResult:
    """Checks a JSON Lines file (a path) or lines (an iterable of str, one item each) like
    ``nucleus check``: item rules and dataset rules. ``jobs`` threads (default: one per core);
    the result does not depend on it. Lines are read by the rules of a file whichever way they
    come: a final newline ends a line, a byte order mark before the first line is skipped, blank
    lines (spaces, tabs, ``\\r``) count but are not items, and a line longer than
    ``max_line_bytes`` (default 64 MiB, as ``--max-line-bytes``) is a ``line-too-long`` finding.
    With ``probe_media``, as ``nucleus check --probe-media``: the files items point to are
    opened and checked against the items (image headers, point clouds, attachments): local
    paths, and remote ones in the copy ``media_dir`` when given; nothing is fetched over the
    network, and the summary's ``remote_not_probed`` counts the remote locations left unread.
    With ``probe_remote`` (which implies ``probe_media``), as ``--probe-remote``: remote
    locations without ``media_dir`` are read where they live (their first bytes,
    ``concurrency`` requests at once, each within ``timeout`` seconds and tried ``retries``
    more times, with the credentials of the environment and of ``~/.aws/credentials`` and
    ``~/.aws/config``). ``max_side`` and ``decode`` as ``--max-side`` and ``--decode``. The GIL
    is released while checking."""

# One file (a str or os.PathLike), several (a list or tuple of os.PathLike, such as
# pathlib.Path), or lines (any other iterable of str, one line each).
Sources = Union[str, "os.PathLike[str]", Sequence["os.PathLike[str]"], Iterable[str]]

def check_annotations(
    annotations: Optional[Sources] = None,
    *,
    predictions: Optional[Sources] = None,
    items: Optional[Sources] = None,
    jobs: Optional[int] = None,
    max_line_bytes: Optional[int] = None,
    max_errors: Optional[int] = None,
) -> CheckResult:
    """Checks annotation files (ground truth) and prediction files (model output) like
    ``nucleus check --annotations ANNOTATIONS --predictions PREDICTIONS --items ITEMS``: each
    line read as the SDK's annotation (or prediction) class with its rules, then, with
    ``items`` (item and scene files: a line with ``frames`` is a scene), against the items (the
    reference resolves, 2D geometry lies inside the image, a camera of the frame sees a cuboid)
    and against the annotations before it (unique ``annotation_id`` per item, one label per
    track, labels that differ only by case or spacing). Lines given in memory are read as a
    file of those lines, named ``<lines>``. The result's findings are those of ``nucleus check
    --annotations --format json``, and its summary is that command's: annotations, valid,
    invalid, errors, warnings, codes, files, items, scenes, unreadable_item_lines,
    stopped_early. Stops after ``max_errors`` errors. The GIL is released while checking."""

def profile(path_or_lines: PathOrLines, *, jobs: Optional[int] = None) -> dict[str, Any]:
    """The Insights profile (``nucleus profile --format json``) plus n_lines (non-blank lines read) and n_invalid (lines that are not valid items)."""

class QueryIter(Iterator[dict[str, Any]]):
    def __iter__(self) -> "QueryIter": ...
    def __next__(self) -> dict[str, Any]: ...
    def __len__(self) -> int: ...

def query(
    path: Union[str, "os.PathLike[str]"],
    expr: str,
    sort: Optional[str] = None,
    *,
    jobs: Optional[int] = None,
) -> QueryIter:
    """The items (dicts) of a JSON Lines file matching a query-bar expression such as
    ``'metadata.weather = "rain" AND metadata.speed > 10'``, in file order or sorted by
    ``sort`` (``"metadata.KEY"`` or ``"-metadata.KEY"``). Raises ValueError for a malformed
    expression, with a caret under the column."""

class CheckState:
    """The check of one shard, mergeable with the shards after it (an ordered fold).

    ``update(lines)`` (or ``update_arrow(array)``) checks the next lines of the shard, numbered
    in the order given from the shard's line 1; ``merge(later)`` appends the state of the shard
    that comes right after (merge in dataset order: line numbers count on across shards);
    ``finish()`` gives the CheckResult of every line merged: exactly ``check`` of the lines in
    that order, whatever the shards (type conflicts are decided from the merged counts)."""

    def __init__(
        self,
        *,
        remote_only: bool = False,
        require_dimensions: bool = False,
        jobs: Optional[int] = None,
        max_line_bytes: Optional[int] = None,
    ) -> None: ...
    def update(self, lines: Iterable[str]) -> None:
        """Checks the next lines, read as ``check(lines)`` reads them."""
    def update_arrow(self, array: ArrowLines, *, first_line: Optional[int] = None) -> None:
        """Checks the next rows from an Arrow column of JSON lines (see ``ArrowLines``), on
        ``jobs`` threads with the GIL released. Rows are numbered in the order given;
        ``first_line``, when given, must be this state's next line (``n_lines + 1``): a guard
        against batches given out of order or twice."""
    def merge(self, later: "CheckState") -> None:
        """Appends ``later`` (left empty)."""
    @property
    def n_lines(self) -> int: ...
    def finish(self) -> CheckResult: ...
    def __getstate__(self) -> bytes:
        """Pickling support: Spark, Dask and Ray send states between processes."""
    def __setstate__(self, state: bytes) -> None: ...

class ProfileState:
    """The profile of one shard, mergeable with the shards after it.

    ``update(lines)`` (or ``update_arrow(array)``) profiles the next lines of the shard
    (invalid lines are counted); ``merge(later)`` appends the state of the shard that comes
    right after (the later shard's lines count on from this one's); ``finish()`` gives the
    profile of every line merged."""

    def __init__(self) -> None: ...
    def update(self, lines: Iterable[str]) -> None: ...
    def update_arrow(self, array: ArrowLines, *, first_line: Optional[int] = None) -> None:
        """Profiles the next rows from an Arrow column of JSON lines, as CheckState does."""
    def merge(self, later: "ProfileState") -> None:
        """Appends ``later`` (left empty)."""
    def finish(self) -> dict[str, Any]: ...
    def __getstate__(self) -> tuple[int, int, bytes]:
        """Pickling support: Spark, Dask and Ray send states between processes. The line count,
        the invalid-line count and the state as bytes (exact: a state read back merges and
        finishes as the original)."""
    def __setstate__(self, state: tuple[int, int, bytes]) -> None: ...

class DatasetItem:
    """A validated dataset item: exactly one location, a non-empty reference id, metadata."""

    @staticmethod
    def from_json(payload: Union[Mapping[str, Any], str]) -> "DatasetItem":
        """Reads a dict or JSON string with the SDK's aliases; raises ValueError with every error."""
    @staticmethod
    def from_sdk(item: Any) -> "DatasetItem":
        """Converts an SDK ``nucleus.DatasetItem`` (duck-typed: its attributes are read)."""
    def to_payload(self, is_scene: Optional[bool] = None) -> dict[str, Any]:
        """The upload payload; default: plain for images, scene form for point clouds."""
    def to_json(self) -> str:
        """The canonical item JSON, one JSON Lines line."""
    def to_dict(self) -> dict[str, Any]: ...
    @property
    def type(self) -> Literal["image", "pointcloud"]: ...
    @property
    def reference_id(self) -> str: ...
    @property
    def image_location(self) -> Optional[str]: ...
    @property
    def pointcloud_location(self) -> Optional[str]: ...
    @property
    def metadata(self) -> dict[str, Any]: ...
    @property
    def width(self) -> Optional[int]: ...
    @property
    def height(self) -> Optional[int]: ...

Vector = Union[Sequence[float], Mapping[str, float], Any]

class CameraParams:
    """A camera's pose (heading: camera to world), intrinsics and lens model."""

    def __init__(
        self,
        position: Vector,
        heading: Vector,
        fx: float,
        fy: float,
        cx: float,
        cy: float,
        *,
        camera_model: Optional[Literal["brown_conrady", "fisheye"]] = None,
        k1: float = 0.0,
        k2: float = 0.0,
        k3: float = 0.0,
        k4: float = 0.0,
        p1: float = 0.0,
        p2: float = 0.0,
    ) -> None: ...
    @staticmethod
    def from_json(camera_params: Union[Mapping[str, Any], Any]) -> "CameraParams": ...
    def to_json(self) -> dict[str, Any]: ...
    def project(self, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """World points of shape (N, 3) to pixels of shape (N, 2); NaN rows for points behind
        the camera. A C-contiguous float64 array is read without a copy; the GIL is released."""
    def project_cuboid(self, position: Vector, dimensions: Vector, yaw: float) -> npt.NDArray[np.float64]:
        """The eight corners of a cuboid as pixels, shape (8, 2), NaN rows behind the camera."""
    def intrinsic_matrix(self) -> list[list[float]]: ...
