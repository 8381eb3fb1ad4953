"""check(..., probe_media=True): the files items point to, opened locally and in a mirror; with
probe_remote=True also read over HTTP from a server on 127.0.0.1 started here (with byte
ranges), as the CLI does."""

import http.server
import json
import os
import struct
import threading
import zlib

import nucleus_rs
import pytest

from conftest import cli_check


def png(width, height, noise=False):
    """A valid RGB PNG of width x height pixels, black or random (which do not compress),
    written by hand (no imaging library)."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    row = (lambda: os.urandom(3 * width)) if noise else (lambda: b"\0\0\0" * width)
    raw = b"".join(b"\0" + row() for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def item(location, ref, **fields):
    return json.dumps({"image_location": str(location), "reference_id": ref, **fields})


def codes(result):
    return [(d["line"], d["code"], d["path"]) for d in result.diagnostics]


def test_local_files_give_the_findings_of_the_cli(tmp_path, nucleus_cli):
    (tmp_path / "good.png").write_bytes(png(40, 30))
    (tmp_path / "png.jpg").write_bytes(png(8, 8))
    (tmp_path / "short.png").write_bytes(png(40, 30)[:16])
    items = tmp_path / "items.jsonl"
    items.write_text("\n".join([
        item(tmp_path / "good.png", "good", width=40, height=30),
        item(tmp_path / "good.png", "wrong", width=30, height=40),
        item(tmp_path / "png.jpg", "named-jpg"),
        item(tmp_path / "short.png", "short"),
        item(tmp_path / "missing.png", "missing"),
    ]) + "\n")
    result = nucleus_rs.check(items, probe_media=True, max_side=35)
    assert codes(result) == [
        (1, "image-too-large", "/image_location"),
        (2, "image-too-large", "/image_location"),
        (2, "dimension-mismatch", "/width"),
        (2, "dimension-mismatch", "/height"),
        (3, "mislabelled-image", "/image_location"),
        (4, "unreadable-media", "/image_location"),
        (5, "missing-media", "/image_location"),
    ]
    expected, summary = cli_check(nucleus_cli, items, "--probe-media", "--max-side", "35")
    assert result.diagnostics == expected
    assert result.summary["codes"] == summary["codes"]
    # Without probe_media nothing is opened.
    assert nucleus_rs.check(items).diagnostics == []


def test_media_dir_is_a_mirror_of_remote_locations(tmp_path):
    (tmp_path / "cam").mkdir()
    (tmp_path / "cam" / "a.png").write_bytes(png(4, 2))
    lines = [
        item("s3://bucket/cam/a.png", "a", width=4, height=3),
        item("s3://bucket/cam/../../secret.png", "escape"),
    ]
    result = nucleus_rs.check(lines, probe_media=True, media_dir=tmp_path)
    assert codes(result) == [
        (1, "dimension-mismatch", "/height"),
        (2, "location-outside-mirror", "/image_location"),
    ]


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves FILES by path with byte ranges (http.server's own handler has none); 404 else."""

    files = {}
    ranges = []

    def do_GET(self):
        data = self.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        wanted = self.headers.get("Range")
        type(self).ranges.append((self.path, wanted))
        if wanted and wanted.startswith("bytes="):
            start, end = wanted[len("bytes="):].split("-")
            start, end = int(start), min(int(end or len(data) - 1), len(data) - 1)
            part = data[start:end + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            part = data
            self.send_response(200)
        self.send_header("Content-Length", str(len(part)))
        self.end_headers()
        self.wfile.write(part)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_remote_images_are_read_where_they_live(http_server):
    big = png(600, 600, noise=True)
    RangeHandler.files = {"/big.png": big, "/small.png": png(8, 6)}
    RangeHandler.ranges = []
    lines = [
        item(f"{http_server}/big.png", "big", width=600, height=600),
        item(f"{http_server}/small.png", "small", width=8, height=8),
        item(f"{http_server}/gone.png", "gone"),
    ]
    result = nucleus_rs.check(lines, probe_remote=True, concurrency=2, timeout=10, retries=0)
    assert result.summary["remote_not_probed"] == 0
    assert codes(result) == [
        (2, "dimension-mismatch", "/height"),
        (3, "missing-media", "/image_location"),
    ]
    assert "no such object (HTTP 404)" in result.diagnostics[1]["message"]
    # Headers only: one range request per image, never the whole file.
    assert sorted(RangeHandler.ranges) == [
        ("/big.png", "bytes=0-65535"),
        ("/small.png", "bytes=0-65535"),
    ]
    assert len(big) > 65536


def test_probe_media_alone_counts_remote_locations_without_reading_them(http_server):
    RangeHandler.files = {"/small.png": png(8, 6)}
    RangeHandler.ranges = []
    lines = [
        item(f"{http_server}/small.png", "small", width=8, height=8),
        json.dumps({"image_location": "s3://bucket/a.png", "reference_id": "a",
                    "metadata": {"context_attachments": [{"attachment": "gs://b/c.png"}]}}),
    ]
    result = nucleus_rs.check(lines, probe_media=True)
    assert codes(result) == []
    assert result.summary["remote_not_probed"] == 3
    assert RangeHandler.ranges == []
    # Without probing there is nothing to count.
    assert "remote_not_probed" not in nucleus_rs.check(lines).summary


def test_a_timeout_that_is_not_positive_is_refused():
    with pytest.raises(ValueError, match="timeout"):
        nucleus_rs.check([item("https://example.invalid/a.png", "a")], probe_remote=True, timeout=0)
