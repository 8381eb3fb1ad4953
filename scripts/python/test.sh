#!/usr/bin/env bash
# Builds the Python module nucleus_rs (crates/nucleus-py) the way users get it, as the abi3
# wheel of `maturin build --release` (the README's commands), installs that wheel into a fresh
# virtualenv with the test requirements and the engines (scripts/python/requirements-engines.txt:
# PySpark, which needs Java 17, Ray, Dask, PyArrow) and runs the pytest suite against it.
# Needs Rust, python3 (3.9+, with venv and pip) and PyPI access. Called by .ci/run.
#
#   bash scripts/python/test.sh            # wheel + fresh venv + pytest
#   bash scripts/python/test.sh -k arrow   # extra arguments go to pytest
#
# With CI=true (set by .ci/run) a missing engine fails the engine tests instead of skipping them.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"

target_dir="$(cd "${CARGO_TARGET_DIR:-target}" 2>/dev/null && pwd || echo "$root/target")"
python="${PYTHON:-python3}"
tools="$target_dir/python-tools"   # maturin, kept between runs
venv="$target_dir/python-test-venv" # the test environment, new every run
pip_quiet=(--quiet --disable-pip-version-check)

seconds() { date +%s; }

if [[ ! -x "$tools/bin/maturin" ]]; then
    echo "== creating $tools (maturin)"
    "$python" -m venv "$tools"
    "$tools/bin/python" -m pip install "${pip_quiet[@]}" "maturin>=1.9.4,<2"
fi

echo "== maturin build --release (crates/nucleus-py: the abi3 wheel)"
started=$(seconds)
# As the README says: `cd crates/nucleus-py && maturin build --release`; the wheel lands in the
# workspace's target/wheels/. Older wheels are removed so the glob below names this one.
rm -f "$target_dir"/wheels/nucleus_rs-*.whl
(cd crates/nucleus-py && PATH="$tools/bin:$PATH" maturin build --release --quiet)
wheels=("$target_dir"/wheels/nucleus_rs-*.whl)
echo "   ${wheels[*]##*/} in $(($(seconds) - started)) s"

echo "== fresh virtualenv $venv: the wheel, pytest and the engines"
started=$(seconds)
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install "${pip_quiet[@]}" "${wheels[@]}" "pytest>=7" \
    -r scripts/python/requirements-engines.txt
echo "   installed in $(($(seconds) - started)) s"
# The tests must import the installed wheel, not the sources.
location="$("$venv/bin/python" -c 'import nucleus_rs; print(nucleus_rs.__file__)')"
case "$location" in
    "$venv"/*) ;;
    *) echo "error: nucleus_rs imported from $location, not from the wheel in $venv" >&2; exit 1 ;;
esac

echo "== cargo build -p nucleus-cli (the tests compare with its JSON output)"
cargo build --quiet -p nucleus-cli
export NUCLEUS_CLI="$target_dir/debug/nucleus"

echo "== pytest crates/nucleus-py/tests"
# -p no:cacheprovider: no .pytest_cache in the source tree; --durations: where the time goes.
"$venv/bin/python" -m pytest -q -p no:cacheprovider --durations=8 crates/nucleus-py/tests "$@"
