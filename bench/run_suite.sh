#!/usr/bin/env bash
# The measured suite of docs/performance.md: makes the projects, runs each scenario REPEAT
# times and keeps every JSON result in bench/out/results/ (gitignored).
#
#   bench/run_suite.sh [REPEAT]            (default 3; about 30 minutes at REPEAT=3: each
#                                           scenario REPEAT times, the 1M-item one once)
#   PYTHON=/path/to/python bench/run_suite.sh
#   SKIP_1M=1 bench/run_suite.sh           (skip the 1,000,000-item run: 235 MB of data,
#                                           a ~380 MB database)
#   SNAPSHOT=1 bench/run_suite.sh          (measure the committed HEAD, not the work tree: it is
#                                           extracted to bench/out/app-<commit>/ first)
#   OUTDIR=bench/out/results-x bench/run_suite.sh   (where the JSON goes; default
#                                           bench/out/results)
#   APP_DIR=/some/tree bench/run_suite.sh  (measure the run.py + potato_like/ in that tree)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-/work/venv/bin/python}
REPEAT=${1:-3}
OUTDIR=${OUTDIR:-bench/out/results}
mkdir -p "$OUTDIR"

if [ "${SNAPSHOT:-0}" = 1 ]; then
  commit=$(git rev-parse HEAD)
  APP_DIR=bench/out/app-${commit:0:7}
  rm -rf "$APP_DIR"
  mkdir -p "$APP_DIR"
  git archive HEAD | tar -x -C "$APP_DIR"
  echo "$commit" >"$APP_DIR/COMMIT"
  echo "measuring the committed tree $commit in $APP_DIR" >&2
fi
SERVER=()
if [ -n "${APP_DIR:-}" ]; then
  SERVER=(--server-script "$APP_DIR/run.py")
fi

make_if_missing() {  # make_if_missing N: write bench/projects/N unless it is already there
  [ -f "bench/projects/$1/data.jsonl" ] || "$PY" bench/make_project.py "$1" >/dev/null
}

run() {  # run NAME ARGS...: one load.py run, JSON to $OUTDIR/NAME.json
  local name=$1
  shift
  echo "== $name: load.py $*" >&2
  "$PY" bench/load.py "${SERVER[@]}" "$@" >"$OUTDIR/$name.json"
}

label() {  # label N: 1000 -> 1k, 100000 -> 100k (result file names)
  case $1 in 1000) echo 1k ;; 100000) echo 100k ;; *) echo "$1" ;; esac
}

make_if_missing 1000
make_if_missing 100000
for i in $(seq 1 "$REPEAT"); do
  # 1k items, 8 annotators; --reset: every run starts from an empty database (import 1k).
  run "1k-8ann-r$i" --project bench/projects/1000 --annotators 8 \
    --requests-per-annotator 200 --max-seconds 60 --reset
  # 100k items: first start imports, second start (--restart) does not; load on the second.
  run "100k-8ann-r$i" --project bench/projects/100000 --annotators 8 \
    --requests-per-annotator 200 --max-seconds 60 --reset --restart
  # 200 concurrent annotators, 20 loop requests each.
  for n in 1000 100000; do
    run "$(label "$n")-200ann-r$i" --project "bench/projects/$n" --annotators 200 \
      --requests-per-annotator 20 --max-seconds 60 --reset
  done
  # One annotator: the latency of a request with nothing else running.
  run "1k-1ann-r$i" --project bench/projects/1000 --annotators 1 \
    --requests-per-annotator 600 --max-seconds 60 --reset
  # 8 annotators who pause ~0.5 s (0.25-0.75 s) after each request.
  for n in 1000 100000; do
    run "think500ms-${n}-8ann-r$i" --project "bench/projects/$n" --annotators 8 \
      --requests-per-annotator 90 --max-seconds 60 --think-ms 500 --reset
  done
  # 200 annotators who pause ~2 s (1-3 s) after each request, like people reading.
  for n in 1000 100000; do
    run "think2s-${n}-200ann-r$i" --project "bench/projects/$n" --annotators 200 \
      --requests-per-annotator 20 --max-seconds 60 --think-ms 2000 --reset
  done
  # The same 200, arriving evenly over 10 s instead of in one instant (a study launch).
  for n in 1000 100000; do
    run "think2s-arrive10-${n}-200ann-r$i" --project "bench/projects/$n" --annotators 200 \
      --requests-per-annotator 20 --max-seconds 60 --think-ms 2000 --arrive-over 10 --reset
  done
done

if [ "${SKIP_1M:-0}" != 1 ]; then
  make_if_missing 1000000
  run "1m-8ann-r1" --project bench/projects/1000000 --annotators 8 \
    --requests-per-annotator 200 --max-seconds 60 --reset --restart
fi

"$PY" bench/summarize.py "$OUTDIR"/*.json
