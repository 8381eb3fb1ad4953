# Sourced by .ci/run: starts moto (an S3-compatible server, from PyPI) on a free port of
# 127.0.0.1 for the remote probing tests, exports its endpoint as NUCLEUS_TEST_S3_ENDPOINT
# (the tests fail under CI=true without it), and stops it when the sourcing shell exits.
# moto is installed once into a virtualenv under the target directory.
#
#   source scripts/moto.sh     # then: cargo test -p nucleus-media -p nucleus-cli

moto_target="$(cd "${CARGO_TARGET_DIR:-target}" 2>/dev/null && pwd || { mkdir -p target && cd target && pwd; })"
moto_venv="$moto_target/moto-venv"
if [[ ! -x "$moto_venv/bin/moto_server" ]]; then
    echo "   installing moto[server] into $moto_venv"
    "${PYTHON:-python3}" -m venv "$moto_venv"
    "$moto_venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]>=5,<6"
fi
moto_port="$("$moto_venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$moto_venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" > "$moto_target/moto.log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null || true' EXIT
for _ in $(seq 150); do
    if (exec 3<> "/dev/tcp/127.0.0.1/$moto_port") 2>/dev/null; then
        break
    fi
    sleep 0.2
done
if ! (exec 3<> "/dev/tcp/127.0.0.1/$moto_port") 2>/dev/null; then
    echo "error: moto_server did not listen on 127.0.0.1:$moto_port; see $moto_target/moto.log" >&2
    exit 1
fi
export NUCLEUS_TEST_S3_ENDPOINT="http://127.0.0.1:$moto_port"
echo "   moto (pid $moto_pid) at $NUCLEUS_TEST_S3_ENDPOINT"
