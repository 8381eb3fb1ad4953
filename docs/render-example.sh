#!/usr/bin/env bash
# Regenerates docs/render-example.png (the README's picture): frame 0 of the example scene as
# seen by its three cameras (pinhole, brown_conrady, fisheye), side by side; and
# docs/render-annotations.png, the front camera with the 2D annotations of examples/annotations/.
# Run from the repository root; needs the Python of the project's tools (numpy, opencv) only
# to put the three renders side by side. NUCLEUS=path/to/nucleus skips the cargo build.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
for camera in front left rear; do
    ${NUCLEUS:-cargo run --quiet --release -p nucleus-cli --} render --scene examples/scene/scene.jsonl \
        --cuboids examples/scene/cuboids.jsonl --media-dir examples/scene/media \
        --frame 0 --camera "$camera" -o "$tmp/$camera.png"
done
"${PYTHON:-/work/venv/bin/python}" - "$tmp" <<'PY'
import sys, cv2
tmp = sys.argv[1]
images = [cv2.imread(f"{tmp}/{name}.png") for name in ("front", "left", "rear")]
gap = 255 * (images[0][:, :8] * 0 + 1)
row = cv2.hconcat([images[0], gap, images[1], gap, images[2]])
cv2.imwrite("docs/render-example.png", row, [cv2.IMWRITE_PNG_COMPRESSION, 9])
PY
rm -r "$tmp"
# The front camera with the example's 2D annotations (boxes) over the cuboids.
${NUCLEUS:-cargo run --quiet --release -p nucleus-cli --} render --scene examples/scene/scene.jsonl \
    --cuboids examples/scene/cuboids.jsonl --annotations examples/annotations/scene.jsonl \
    --media-dir examples/scene/media --frame 0 --camera front -o docs/render-annotations.png
ls -l docs/render-example.png docs/render-annotations.png
