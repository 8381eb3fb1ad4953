#!/usr/bin/env bash
# Compares what the `nucleus` CLI prints at a git revision with what the current work tree
# prints: every subcommand on examples/*.jsonl, examples/scene/, a few hostile inputs and a
# generated large file, stdout, stderr, exit status and written files, byte for byte.
#
#   scripts/compare-outputs.sh [--release] [--lines N] [--keep] REV
#
# REV is built in a temporary `git worktree` (removed on exit) into this tree's target directory
# ($CARGO_TARGET_DIR or target/), so dependencies are built once for both. The work tree is built
# as it is, uncommitted changes included. Every case runs in the same scratch directory with the
# same relative paths, so file names in messages agree. Only timings are masked: the `(N s, N
# items/s)` of `check`'s summary, `elapsed_seconds`/`items_per_second` in its JSON summary, and
# the process id in temporary file names.
#
#   --release   build with the release profile (the large file runs about 5x faster)
#   --lines N   lines of the `cargo xtask gen-large` file (default 100000; 0 skips it)
#   --keep      keep the scratch directory (outputs of both sides) and print its path
#
# Prints one line per differing case with the first differing lines, then "N identical, M
# differ". Exit status: 0 all identical, 1 any difference, 2 could not run.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
  exit 2
}

profile=dev
lines=100000
keep=false
rev=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --release) profile=release ;;
    --lines) lines="${2:?--lines needs a number}"; shift ;;
    --keep) keep=true ;;
    -h | --help) usage ;;
    -*) echo "compare-outputs: unknown option $1" >&2; usage ;;
    *) [[ -z "$rev" ]] || usage; rev="$1" ;;
  esac
  shift
done
[[ -n "$rev" ]] || usage

root="$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
commit="$(git -C "$root" rev-parse --verify --quiet "$rev^{commit}")" \
  || { echo "compare-outputs: $rev is not a commit" >&2; exit 2; }
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
profile_dir=$([[ $profile == dev ]] && echo debug || echo release)
export CARGO_PROFILE_DEV_DEBUG="${CARGO_PROFILE_DEV_DEBUG:-0}"

work="$(mktemp -d "${TMPDIR:-/tmp}/nucleus-compare.XXXXXX")"
# A fixed path for REV's sources: its crates then land on the same artifacts in the shared
# target directory on every run instead of piling up under a new path each time.
src="$target/compare-outputs/src"
cleanup() {
  if [[ -e "$src/.git" ]]; then
    git -C "$root" worktree remove --force "$src" >/dev/null 2>&1 || true
  fi
  if $keep; then
    echo "outputs kept in $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

build() { # DIR OUT: build the CLI of the sources in DIR, copy the binary to OUT/nucleus
  (cd "$1" && CARGO_TARGET_DIR="$target" cargo build --quiet --locked --profile "$profile" \
    -p nucleus-cli --bin nucleus)
  mkdir -p "$2"
  cp "$target/$profile_dir/nucleus" "$2/nucleus"
}

echo "compare-outputs: building $rev (${commit:0:12}) ..." >&2
if [[ -e "$src/.git" ]]; then git -C "$root" worktree remove --force "$src" || true; fi
rm -rf "$src"
git -C "$root" worktree prune
mkdir -p "$(dirname "$src")"
git -C "$root" worktree add --quiet --detach "$src" "$commit"
build "$src" "$work/base"
git -C "$root" worktree remove --force "$src"
echo "compare-outputs: building the work tree ..." >&2
build "$root" "$work/new"

# The scratch directory every case runs in: the inputs under the same relative paths as in the
# repository, fixtures below, and out/ for written files (emptied before each run).
run="$work/run"
mkdir -p "$run/fixtures"
cp -r "$root/examples" "$run/examples"
if [[ "$lines" -gt 0 ]]; then
  echo "compare-outputs: generating $lines lines ..." >&2
  (cd "$root" && CARGO_TARGET_DIR="$target" cargo xtask gen-large --lines "$lines" \
    --out "$run/large.jsonl" >/dev/null)
fi

camera='{"position":{"x":0,"y":0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":1000,"fy":1000,"cx":960,"cy":540}'
fisheye='{"position":{"x":1,"y":2,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":800,"fy":810,"cx":640,"cy":360,"camera_model":"fisheye","k1":0.1,"k2":-0.02,"k3":0.003,"k4":-0.0004}'
# Lines the line driver treats specially: a BOM, CRLF, a blank line with \r, invalid UTF-8,
# a line longer than --max-line-bytes 300 in the cases below, no final newline.
{
  printf '\xef\xbb\xbf{"image_location":"s3://b/a.jpg","reference_id":"a","metadata":{"k":1}}\r\n'
  printf '\r\n\n   \n'
  printf '{"image_location":"s3://b/b.jpg","reference_id":"b","metadata":{"k":"x","lat":91}}\n'
  printf '{"image_location":"s3://b/\xff.jpg","reference_id":"c"}\n'
  printf '{"image_location":"s3://b/d.jpg","reference_id":"a","metadata":{"k":2,"pad":"%0400d"}}\n' 0
  printf '{"pointcloud_location":"examples/scene/media/lidar/000.json","reference_id":"pc"}\n'
  printf '{"image_location":"s3://b/e.jpg","reference_id":"e","metadata":{"k":1,"k":2}}\n'
  printf '{"image_location":"s3://b/f.jpg","reference_id":"f","metadata":{"n":123456789012345678901234567890}}\n'
  printf '[1,2]\n{"reference_id":"g"}\n{"image_location":"s3://b/h.jpg","reference_id":"h","metadata":{"k":3}}'
} >"$run/fixtures/edge.jsonl"
cat >"$run/fixtures/project.jsonl" <<EOF
{"camera_params":$camera,"points":[[10,0,1.5],[-10,0,1.5],[10,1,1],[3,-2,0.5]]}
{"camera_params":$camera,"cuboid":{"position":{"x":10,"y":0,"z":0},"dimensions":{"x":4,"y":2,"z":1.5},"yaw":0.3}}
{"camera_params":$fisheye,"points":[[10,2,1.5],[5,5,1],[1,2,1.5]]}
{"camera_params":{"fx":1},"points":[]}
{"camera_params":$camera,"points":[[1,2]]}
{"camera_params":$camera}
not json
EOF
cat >"$run/fixtures/kinds.json" <<'EOF'
{"keys": {"weather": "number", "camera": "string", "frame_number": "string", "speed_mps": "number"}}
EOF
printf '{"reference_id":"cam","image_location":"cam.png","width":640,"height":400,"metadata":{"camera_params":%s}}\n' \
  '{"position":{"x":1.5,"y":0.0,"z":1.5},"heading":{"x":-0.5,"y":0.5,"z":-0.5,"w":0.5},"fx":400.0,"fy":400.0,"cx":320.0,"cy":200.0}' \
  >"$run/fixtures/camera-item.json"
printf '%s\n' "$camera" >"$run/fixtures/camera-params.json"
printf '{"metadata":{"camera_params":%s},"width":1280,"height":720}\n' "$fisheye" \
  >"$run/fixtures/fisheye-item.json"
printf '{"type":"FeatureCollection","features":[' >"$run/fixtures/bad.geojson"
# For append onto examples/items.jsonl: a replaced item that loses keys, an item whose
# metadata becomes empty, new items; then the same with a string/number conflict.
cat >"$run/fixtures/update.jsonl" <<'EOF'
{"image_location":"s3://acme/front/000.jpg","reference_id":"scene-000000/frame-00/front","metadata":{"weather":"rain","camera":"front","speed_mps":3}}
{"image_location":"s3://acme/front/001.jpg","reference_id":"scene-000000/frame-00/front_left"}
{"image_location":"s3://acme/new/0.jpg","reference_id":"new-0","metadata":{"weather":"sun","new_key":1}}
{"image_location":"s3://acme/new/1.jpg","reference_id":"new-1","metadata":{"new_key":2.5}}
EOF
{
  cat "$run/fixtures/update.jsonl"
  echo '{"image_location":"s3://acme/new/2.jpg","reference_id":"new-2","metadata":{"weather":3}}'
} >"$run/fixtures/update-conflict.jsonl"

names=()
declare -A commands
n_cases=0
# case NAME [< FILE] ARGS...: run `nucleus ARGS...` on both sides (standard input FILE, else
# empty) and keep stdout, stderr, the exit status and out/.
case_() {
  local name="$1" stdin=/dev/null
  shift
  if [[ "${1:-}" == "<" ]]; then stdin="$2"; shift 2; fi
  [[ -z "${commands[$name]+x}" ]] || { echo "compare-outputs: case $name twice" >&2; exit 2; }
  names+=("$name")
  commands[$name]="nucleus $*"
  [[ $stdin == /dev/null ]] || commands[$name]+=" < $stdin"
  n_cases=$((n_cases + 1))
  if [[ -t 2 ]]; then printf '\rcompare-outputs: case %d %-50s' "$n_cases" "$name" >&2; fi
  local side
  for side in base new; do
    local dir="$work/result/$side/$name"
    mkdir -p "$dir"
    rm -rf "$run/out"
    mkdir "$run/out"
    local status=0
    (cd "$run" && exec "$work/$side/nucleus" "$@" <"$stdin" >"$dir/stdout" 2>"$dir/stderr") \
      || status=$?
    echo "$status" >"$dir/status"
    mv "$run/out" "$dir/files"
  done
}

# Help and usage errors.
case_ help --help
case_ help-short -h
case_ version --version
case_ no-command
case_ unknown-command frobnicate
for sub in check payload normalize project query profile append schema render convert \
  "convert camera" "convert geojson"; do
  # shellcheck disable=SC2086 # word splitting of "convert camera" is meant
  case_ "help-${sub// /-}" $sub --help
  # shellcheck disable=SC2086
  case_ "help-short-${sub// /-}" $sub -h
done
case_ help-subcommand help check

# The same families of cases on every item file.
item_files=(examples/items.jsonl examples/mistakes.jsonl examples/interop/items.jsonl
  fixtures/edge.jsonl)
[[ "$lines" -gt 0 ]] && item_files+=(large.jsonl)
for file in "${item_files[@]}"; do
  tag="${file#examples/}"
  tag="${tag#fixtures/}"
  tag="${tag%.jsonl}"
  tag="${tag//\//-}"
  case_ "check-$tag" check "$file"
  case_ "check-json-$tag" check --format json "$file"
  case_ "payload-$tag" payload "$file"
  case_ "normalize-$tag" normalize "$file"
  case_ "profile-$tag" profile "$file"
  case_ "profile-json-$tag" profile --format json "$file"
  case_ "profile-files-$tag" profile --format none --html out/report.html \
    --emit-schema out/kinds.json "$file"
  case_ "query-$tag" query "$file" 'metadata.weather = "rain" OR metadata.speed_mps > 20'
  case_ "query-count-$tag" query "$file" 'metadata.frame_number % 5 = 0' --count
  case_ "query-sort-$tag" query "$file" 'metadata.camera = "front"' --sort -metadata.exposure_ms \
    --limit 10
  case_ "append-dry-run-$tag" append examples/items.jsonl "$file" --update --dry-run
  case_ "geojson-$tag" convert geojson "$file"
done

# check
case_ check-two-files check examples/items.jsonl examples/mistakes.jsonl
case_ check-stdin "<" examples/mistakes.jsonl check
case_ check-dash "<" examples/items.jsonl check - --format json
case_ check-quiet check -q examples/mistakes.jsonl
case_ check-quiet-clean check --quiet examples/items.jsonl
case_ check-strict check --remote-only --require-dimensions examples/mistakes.jsonl
case_ check-max-errors check --max-errors 3 examples/mistakes.jsonl examples/items.jsonl
case_ check-max-errors-json check --max-errors 1 --format json examples/mistakes.jsonl
case_ check-schema check --schema fixtures/kinds.json examples/items.jsonl
case_ check-via-schema check --via-schema examples/mistakes.jsonl fixtures/edge.jsonl
case_ check-via-schema-items check --via-schema examples/items.jsonl
case_ check-jobs-1 check -j 1 --max-line-bytes 300 fixtures/edge.jsonl
case_ check-jobs-3 check --jobs 3 --max-line-bytes 300 --format json fixtures/edge.jsonl
case_ check-open-local check --open-local fixtures/edge.jsonl examples/mistakes.jsonl
case_ check-scenes check --scenes examples/scene/scene.jsonl
case_ check-scenes-json check --scenes --format json examples/scene/scene.jsonl
case_ check-scenes-open-local check --scenes --open-local --media-dir examples/scene/media \
  examples/scene/scene.jsonl
case_ check-scenes-items check --scenes examples/items.jsonl
case_ check-items-as-scenes check examples/scene/scene.jsonl
[[ "$lines" -gt 0 ]] && case_ check-large-jobs-1 check -j 1 --format json large.jsonl

# Annotations and predictions (check, payload, normalize)
a=examples/annotations
with_items=(--items examples/items.jsonl examples/scene/scene.jsonl)
case_ annotations-check check --annotations "$a/items.jsonl" "$a/scene.jsonl" \
  examples/scene/cuboids.jsonl "${with_items[@]}"
case_ annotations-check-json check --format json --annotations "$a/items.jsonl" \
  "$a/scene.jsonl" "${with_items[@]}"
case_ annotations-mistakes check --annotations "$a/mistakes.jsonl" "${with_items[@]}"
case_ annotations-mistakes-json check --annotations "$a/mistakes.jsonl" --format json \
  --items examples/items.jsonl
case_ annotations-max-errors check --annotations "$a/mistakes.jsonl" --max-errors 2 -j 1
case_ annotations-quiet check -q --annotations "$a/mistakes.jsonl" "${with_items[@]}"
case_ predictions-check check --predictions "$a/predictions.jsonl" --items examples/items.jsonl
case_ predictions-mistakes check --predictions "$a/prediction-mistakes.jsonl" \
  --items examples/items.jsonl --format json
case_ predictions-without-items check --predictions "$a/predictions.jsonl" \
  "$a/prediction-mistakes.jsonl"
case_ annotations-payload payload --annotations "$a/items.jsonl" examples/scene/cuboids.jsonl
case_ annotations-payload-mistakes payload --annotations "$a/mistakes.jsonl" --format json
case_ predictions-normalize normalize --predictions "$a/predictions.jsonl"
case_ predictions-normalize-mistakes normalize -q --predictions "$a/prediction-mistakes.jsonl"
case_ annotations-as-items check "$a/items.jsonl"
case_ items-without-annotations check --items examples/items.jsonl
case_ annotations-with-scenes check --scenes --annotations "$a/items.jsonl"
case_ annotations-and-files payload --annotations "$a/items.jsonl" examples/items.jsonl
case_ annotations-missing check --annotations no-such-file.jsonl
case_ annotations-items-missing check --annotations "$a/items.jsonl" --items no-such-file.jsonl

# payload and normalize
case_ payload-scene payload --scene examples/items.jsonl
case_ payload-strict payload --remote-only --require-dimensions --format json \
  examples/mistakes.jsonl
case_ payload-quiet payload -q examples/mistakes.jsonl
case_ payload-stdin "<" fixtures/edge.jsonl payload --max-line-bytes 300 -j 2
case_ normalize-json normalize --format json fixtures/edge.jsonl
case_ normalize-quiet normalize --quiet --scene examples/mistakes.jsonl

# project
case_ project project fixtures/project.jsonl
case_ project-json project --format json -j 1 fixtures/project.jsonl
case_ project-quiet "<" fixtures/project.jsonl project -q
case_ project-items project examples/items.jsonl

# query
query_file=examples/items.jsonl
case_ query-html-count query "$query_file" 'metadata.camera = "front" OR metadata.n_objects >= 3' \
  --count
case_ query-not query "$query_file" 'NOT metadata.is_night = 1 and (metadata.speed_mps > 10 or metadata.camera = "rear")'
case_ query-sort-asc query "$query_file" 'metadata.frame_number >= 0' --sort metadata.speed_mps
case_ query-limit query "$query_file" 'metadata.frame_number >= 0' --limit 3
case_ query-unknown-key query "$query_file" 'metadata.no_such_key = 1'
case_ query-not-searchable query "$query_file" 'metadata.tags = "urban"'
case_ query-always-false query "$query_file" 'metadata.weather > 3'
case_ query-quoted-key query "$query_file" 'metadata."camera" != "front"' --count
case_ query-bad-expression query "$query_file" 'metadata.weather = '
case_ query-bad-expression-json query "$query_file" 'metadata.weather == "rain" AND' --format json
case_ query-bad-sort query "$query_file" 'metadata.frame_number > 1' --sort weather
case_ query-stdin "<" fixtures/edge.jsonl query - 'metadata.k = 1' --max-line-bytes 300
case_ query-mistakes-json query examples/mistakes.jsonl 'metadata.weather = "rain"' --format json \
  -j 1

# profile
case_ profile-html profile --format html examples/items.jsonl
case_ profile-quiet profile -q examples/mistakes.jsonl
case_ profile-two-files profile examples/items.jsonl examples/interop/items.jsonl --format json
case_ profile-stdin "<" fixtures/edge.jsonl profile --max-line-bytes 300

# append
case_ append-ignore append examples/items.jsonl fixtures/update.jsonl --dry-run
case_ append-update append examples/items.jsonl fixtures/update.jsonl --update --dry-run
case_ append-json append examples/items.jsonl fixtures/update.jsonl --update --dry-run \
  --format json
case_ append-same append examples/items.jsonl examples/items.jsonl --dry-run --format json
case_ append-stdout append examples/items.jsonl fixtures/update.jsonl --update
case_ append-output append examples/items.jsonl fixtures/update.jsonl -o out/merged.jsonl -j 1
case_ append-conflict append examples/items.jsonl fixtures/update-conflict.jsonl --update \
  -o out/merged.jsonl
case_ append-conflict-json append examples/items.jsonl fixtures/update-conflict.jsonl \
  --dry-run --format json
case_ append-invalid append examples/items.jsonl fixtures/edge.jsonl -o out/merged.jsonl
case_ append-long-line append examples/items.jsonl fixtures/edge.jsonl --max-line-bytes 300 -j 1

# schema
case_ schema schema
case_ schema-list schema --list
for name in item payload camera-params metadata dataset-item-type pointcloud scene; do
  case_ "schema-$name" schema "$name"
done
case_ schema-unknown schema nothing

# render
scene=(--scene examples/scene/scene.jsonl --cuboids examples/scene/cuboids.jsonl)
media=(--media-dir examples/scene/media)
case_ render-front render "${scene[@]}" "${media[@]}" --frame 0 --camera front -o out/front.png
case_ render-left-jpeg render "${scene[@]}" "${media[@]}" --frame 1 --camera left -o out/left.jpg
case_ render-first-camera render "${scene[@]}" "${media[@]}" -o out/first.jpeg
case_ render-blank render "${scene[@]}" "${media[@]}" --camera rear --blank --point-radius 2 \
  --line-width 1 --depth-range 2,40 --width 320 --height 200 -o out/blank.png
case_ render-no-media render "${scene[@]}" --scene-id street-0 -o out/no-media.png
case_ render-item render --item fixtures/camera-item.json \
  --pointcloud examples/scene/media/lidar/000.json --cuboids examples/scene/cuboids.jsonl \
  -o out/item.png
case_ render-item-nothing render --item fixtures/camera-item.json -o out/item.png
case_ render-no-frame render "${scene[@]}" --frame 9 -o out/x.png
case_ render-no-camera render "${scene[@]}" --camera nosuch -o out/x.png
case_ render-lidar-camera render "${scene[@]}" --camera lidar -o out/x.png
case_ render-no-scene-id render "${scene[@]}" --scene-id nosuch -o out/x.png
case_ render-not-a-scene render --scene examples/items.jsonl -o out/x.png
case_ render-bad-depth render "${scene[@]}" --depth-range 5,1 -o out/x.png
case_ render-no-output render "${scene[@]}"
case_ render-no-input render -o out/x.png
case_ render-no-dir render "${scene[@]}" "${media[@]}" -o out/no/such/dir.png

# convert camera
i=examples/interop
case_ camera-ros-nucleus convert camera --from ros --to nucleus \
  --pose "$i/front_camera_link_pose.json" --pose-frame link "$i/ros_camera_info.json"
case_ camera-ros-no-pose convert camera --from ros --to nucleus "$i/ros_camera_info.json"
case_ camera-ros-rectified convert camera --from ros --to opencv \
  "$i/ros_camera_info_calibrator.json"
case_ camera-ros-drop convert camera --from ros --to foxglove --drop-rectification \
  "$i/ros_camera_info_calibrator.json" out/foxglove.json
case_ camera-foxglove-nucleus convert camera --from foxglove --to nucleus \
  --pose "$i/front_camera_link_pose.json" "$i/foxglove_calibration.json" out/params.json
case_ camera-opencv-nucleus convert camera --from opencv --to nucleus "$i/opencv_calibration.json"
case_ camera-opencv-ros convert camera --from opencv --to ros --pose-out out/pose.json \
  "$i/opencv_calibration.json" out/ros.json
case_ camera-opencv-ros-no-pose-out convert camera --from opencv --to ros \
  "$i/opencv_calibration.json"
case_ camera-nucleus-opencv convert camera --from nucleus --to opencv --width 1920 --height 1080 \
  fixtures/camera-params.json -
case_ camera-nucleus-item-ros "<" fixtures/fisheye-item.json convert camera --from nucleus \
  --to ros - out/ros.json --pose-out out/pose.json
case_ camera-nucleus-foxglove convert camera --from nucleus --to foxglove --format json \
  fixtures/camera-item.json --pose-out out/pose.json
case_ camera-wrong-format convert camera --from foxglove --to nucleus --format json \
  --pose "$i/front_camera_link_pose.json" "$i/ros_camera_info.json"
case_ camera-not-json convert camera --from nucleus --to opencv examples/items.jsonl
case_ camera-two-poses convert camera --from nucleus --to opencv \
  --pose "$i/front_camera_link_pose.json" fixtures/camera-params.json
case_ camera-bad-pose convert camera --from ros --to nucleus --pose fixtures/camera-params.json \
  "$i/ros_camera_info.json"
case_ camera-missing convert camera --from ros --to nucleus no-such-file.json
case_ camera-no-to convert camera --from ros "$i/ros_camera_info.json"
case_ camera-width-only convert camera --from nucleus --to ros --width 3 \
  fixtures/camera-params.json

# convert geojson
case_ geojson-out convert geojson examples/items.jsonl out/items.geojson
case_ geojson-json convert geojson --format json examples/mistakes.jsonl
case_ geojson-quiet "<" examples/mistakes.jsonl convert geojson -q -
case_ geojson-import convert geojson --import "$i/positions.geojson" "$i/items.jsonl"
case_ geojson-import-out convert geojson --import "$i/positions.geojson" examples/items.jsonl \
  out/updated.jsonl
case_ geojson-import-edge convert geojson --import "$i/positions.geojson" fixtures/edge.jsonl
case_ geojson-import-bad convert geojson --import fixtures/bad.geojson "$i/items.jsonl"
case_ geojson-import-missing convert geojson --import no-such.geojson "$i/items.jsonl"

# Files that are not there, flags that are not right.
for sub in check payload normalize project profile; do
  case_ "missing-file-$sub" "$sub" no-such-file.jsonl
  case_ "bad-flag-$sub" "$sub" --no-such-flag examples/items.jsonl
done
case_ missing-second-file check examples/items.jsonl no-such-file.jsonl
case_ missing-file-query query no-such-file.jsonl 'metadata.a = 1'
case_ missing-file-append-base append no-such-file.jsonl examples/items.jsonl --dry-run
case_ missing-file-append-update append examples/items.jsonl no-such-file.jsonl
case_ missing-file-geojson convert geojson no-such-file.jsonl
case_ missing-file-render render --scene no-such-file.jsonl -o out/x.png
case_ missing-file-item render --item no-such-file.json --cuboids x -o out/x.png
case_ missing-schema check --schema no-such-file.json examples/items.jsonl
case_ bad-schema check --schema examples/items.jsonl examples/items.jsonl
case_ directory check examples
case_ bad-format check --format xml examples/items.jsonl
case_ bad-jobs check -j many examples/items.jsonl
case_ bad-max-line-bytes payload --max-line-bytes -1 examples/items.jsonl
case_ bad-max-errors check --max-errors x examples/items.jsonl
case_ media-dir-without-open-local check --media-dir examples examples/items.jsonl
case_ via-schema-with-scenes check --via-schema --scenes examples/scene/scene.jsonl
case_ query-no-expr query examples/items.jsonl
case_ query-bad-limit query examples/items.jsonl 'metadata.a = 1' --limit -3
case_ append-one-file append examples/items.jsonl
case_ profile-bad-format profile --format yaml examples/items.jsonl
case_ profile-no-dir profile --html out/no/such/report.html examples/items.jsonl
case_ append-no-dir append examples/items.jsonl examples/items.jsonl -o out/no/such/m.jsonl
case_ camera-no-dir convert camera --from opencv --to nucleus "$i/opencv_calibration.json" \
  out/no/such.json
if [[ -t 2 ]]; then printf '\r%80s\r' '' >&2; fi

# Compare. Timings are the one thing allowed to differ.
mask() {
  sed -E \
    -e 's/\([0-9]+\.[0-9]+ s, [0-9]+ (items|scenes)\/s\)/(TIME)/' \
    -e 's/"elapsed_seconds":[-+.0-9eE]+,"items_per_second":[-+.0-9eE]+/"elapsed_seconds":TIME,"items_per_second":TIME/' \
    -e 's/nucleus-tmp-[0-9]+/nucleus-tmp-PID/g' \
    "$1"
}
first_lines() { # BASE NEW: the first differing lines of two text files
  { diff --unified=1 --label "$rev" --label "work tree" "$1" "$2" || true; } \
    | sed -n '3,14p' | sed 's/^/      /'
}
n_same=0
n_differ=0
for name in "${names[@]}"; do
  base="$work/result/base/$name"
  new="$work/result/new/$name"
  report=""
  for stream in stdout stderr status; do
    if ! cmp -s <(mask "$base/$stream") <(mask "$new/$stream"); then
      report+="    $stream differs:"$'\n'
      if grep -qI . "$base/$stream" "$new/$stream" 2>/dev/null || [[ $stream == status ]]; then
        report+="$(first_lines <(mask "$base/$stream") <(mask "$new/$stream"))"$'\n'
      fi
    fi
  done
  while IFS= read -r file; do
    if [[ ! -f "$base/files/$file" ]]; then
      report+="    out/$file: only written by the work tree"$'\n'
    elif [[ ! -f "$new/files/$file" ]]; then
      report+="    out/$file: only written by $rev"$'\n'
    elif ! cmp -s "$base/files/$file" "$new/files/$file"; then
      report+="    out/$file differs: $(cmp "$base/files/$file" "$new/files/$file" | sed 's/.*: //' || true)"$'\n'
      if grep -qI . "$base/files/$file"; then
        report+="$(first_lines "$base/files/$file" "$new/files/$file")"$'\n'
      fi
    fi
  done < <( (cd "$base/files" && find . -type f; cd "$new/files" && find . -type f) \
    | sed 's|^\./||' | sort -u)
  if [[ -z "$report" ]]; then
    n_same=$((n_same + 1))
  else
    n_differ=$((n_differ + 1))
    printf 'DIFFER %s: %s\n%s' "$name" "${commands[$name]}" "$report"
  fi
done
echo "compare-outputs: $rev (${commit:0:12}) against the work tree: $n_same identical, $n_differ differ (of $((n_same + n_differ)) cases)"
[[ $n_differ -eq 0 ]]
