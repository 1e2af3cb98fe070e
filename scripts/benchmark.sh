#!/usr/bin/env bash
# `make benchmark`: every benchmark of docs/benchmarks.md, side by side in one run, on SQLite and (when it answers)
# PostgreSQL. Each prints its figures as ratios measured in the same run. BENCH="import board_gantt" runs a few.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
PG=${BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/stayops_bench}
BENCH=${BENCH:-"health import import_process import_pages booking_pages board_gantt wbs turnovers field_history audit"}

declare -A ARGS=(
  [health]="--seconds 8 --rounds 3"
  [import]=""
  [import_process]="--repeat 3"
  [import_pages]="--repeat 9"
  [booking_pages]="--sizes 100 10000 --repeat 5"
  [board_gantt]="--tasks 10000 100000 --repeat 11 --pages-only --busy-core"
  [wbs]="--scale 30 --repeat 5"
  [turnovers]="--repeat 3 --busy-core"
  [field_history]="--tasks 20000 --repeat 11"
  [audit]="--repeat 5"
)
# Benchmarks that measure a database run again on PostgreSQL, in their own throwaway database.
declare -A POSTGRES_FLAG=([import]=1 [import_process]=1 [import_pages]=1 [board_gantt]=1 [wbs]=1 [turnovers]=1 [field_history]=1 [audit]=1)

pg_up=0
"$BIN/python" -c "import psycopg; psycopg.connect('postgres://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" \
  2>/dev/null && pg_up=1
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# A benchmark that misses its target exits non-zero: the others still run, and this script fails at the end.
missed=()
for name in $BENCH; do
  echo "=== $name (SQLite)"
  # shellcheck disable=SC2086
  "$BIN/python" "benchmarks/bench_${name}.py" ${ARGS[$name]} || missed+=("$name (SQLite)")
  if [ "$pg_up" = 1 ] && [ -n "${POSTGRES_FLAG[$name]:-}" ]; then
    echo "=== $name (PostgreSQL)"
    # shellcheck disable=SC2086
    "$BIN/python" "benchmarks/bench_${name}.py" ${ARGS[$name]} --postgres "${PG}_${name}" || missed+=("$name (PostgreSQL)")
  fi
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${#missed[@]}" -gt 0 ]; then
  printf 'missed or failed: %s\n' "${missed[@]}"
  exit 1
fi
