#!/usr/bin/env bash
# Builds the Python module nucleus_rs (crates/nucleus-py) into a virtualenv and runs its pytest
# suite. Needs only Rust and python3 (3.9+, with venv and pip); the venv lives under the cargo
# target directory and is reused on the next run. Called by .ci/run.
#
#   bash scripts/python/test.sh            # build (debug) + pytest
#   bash scripts/python/test.sh -k camera  # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/../.."

target_dir="${CARGO_TARGET_DIR:-target}"
venv="$target_dir/python-venv"
python="${PYTHON:-python3}"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
fi
# Test requirements only: the SDK, OpenCV and DuckDB are for the bench (scripts/bench/), not the tests.
# Dask (pure Python: 10 small wheels with its dependencies; 3-4 s and 25 MB more in a new venv)
# runs tests/test_dask.py: states pickled between real worker processes.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin>=1.9.4,<2" "numpy>=1.21" "pytest>=7" "dask>=2022.1"

echo "== maturin develop (crates/nucleus-py)"
# Debug build: the tests check behaviour, not speed, and a release build takes minutes on 2 cores.
VIRTUAL_ENV="$(cd "$venv" && pwd)" PATH="$venv/bin:$PATH" \
    "$venv/bin/maturin" develop --quiet --manifest-path crates/nucleus-py/Cargo.toml

echo "== cargo build -p nucleus-cli (the tests compare with its JSON output)"
cargo build --quiet -p nucleus-cli
export NUCLEUS_CLI="$(cd "$target_dir" && pwd)/debug/nucleus"

echo "== pytest crates/nucleus-py/tests"
"$venv/bin/python" -m pytest -q crates/nucleus-py/tests "$@"
