#!/usr/bin/env bash
# Peak memory of `nucleus check` on a 1 GB file of small valid lines (issue 8: "a 1 GB file of
# small lines is checked within the memory bound"). Not run in CI: it writes 1 GB and takes
# about a minute. Usage:
#
#   scripts/hostile/memory.sh [SIZE_MB] [JOBS] [DISTINCT_IDS]
#
# Defaults: 1024 MB, one thread per core, every reference id distinct. Lines are ~125-byte
# items written by a small awk generator. Memory grows with the number of distinct reference
# ids and metadata keys, never with file size or line length: with DISTINCT_IDS=100000 the ids
# repeat (each repeat is a duplicate-reference-id error, counted, not printed) and the peak
# shows the part that does not depend on ids. The file goes to $TMPDIR and is deleted
# afterwards. Needs GNU time.
#
# Peak memory on 1M lines with 1M distinct ids is a figure of `cargo xtask bench` (BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

size_mb="${1:-1024}"
jobs="${2:-0}"
distinct_ids="${3:-0}"
target_dir="${CARGO_TARGET_DIR:-target}"
file="$(mktemp "${TMPDIR:-/tmp}/nucleus-memory-XXXXXX.jsonl")"
trap 'rm -f "$file"' EXIT

cargo build --quiet --release -p nucleus-cli

echo "== writing ${size_mb} MB of small lines to $file"
awk -v limit="$((size_mb * 1024 * 1024))" -v distinct="$distinct_ids" 'BEGIN {
    weathers[0] = "sun"; weathers[1] = "rain"; weathers[2] = "fog";
    for (n = 0; written < limit; n++) {
        id = distinct > 0 ? n % distinct : n;
        line = sprintf("{\"image_location\":\"s3://bucket/%d.jpg\",\"reference_id\":\"%d\",\"metadata\":{\"frame\":%d,\"weather\":\"%s\",\"speed\":%.2f}}", n, id, n % 1000, weathers[n % 3], (n % 977) / 7);
        print line;
        written += length(line) + 1;
    }
    printf "%d lines\n", n > "/dev/stderr";
}' > "$file"
ls -l "$file"

if [ "$jobs" = 0 ]; then jobs_flag=(); else jobs_flag=(-j "$jobs"); fi
echo "== nucleus check ${jobs_flag[*]:-}"
/usr/bin/time -v "$target_dir/release/nucleus" check --quiet "${jobs_flag[@]}" "$file" 2> "$file.time" || true
grep -E "Maximum resident set size|Elapsed \(wall clock\)|Exit status" "$file.time"
peak_kb="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$file.time")"
rm -f "$file.time"
echo "peak RSS: $((peak_kb / 1024)) MB"
