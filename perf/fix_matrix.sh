#!/usr/bin/env bash
# The FIX table of perf/RESULTS.md: erx-fix-load for 1, 4 and 16 sessions,
# windows 1, 16 and 256, both order flows, each RUNS times (default 3); prints
# the median of each column (bare and erxd measured in the same run).
# usage: perf/fix_matrix.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build/release}
runs=${2:-3}
load="$build/perf/erx-fix-load"
[ -x "$load" ] || { echo "no $load: build the release preset first" >&2; exit 1; }

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

printf '| flow | sessions | window | bare orders/s | bare p50 us | erxd orders/s | erxd p50 us | erxd/bare throughput | p50 ratio |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
for flow in passive cross; do
  for s in 1 4 16; do
    for w in 1 16 256; do
      orders=3000
      [ "$w" = 1 ] && orders=1000
      out=$(mktemp)
      for r in $(seq "$runs"); do
        "$load" --sessions "$s" --orders "$orders" --window "$w" --flow "$flow" --seed $((41 + r)) |
          awk '($1=="bare"||$1=="erxd") && $6=="|" {print $1, $5, $7}' >> "$out"
      done
      bt=$(awk '$1=="bare"{print $2}' "$out" | median); bp=$(awk '$1=="bare"{print $3}' "$out" | median)
      et=$(awk '$1=="erxd"{print $2}' "$out" | median); ep=$(awk '$1=="erxd"{print $3}' "$out" | median)
      awk -v f="$flow" -v s="$s" -v w="$w" -v bt="$bt" -v bp="$bp" -v et="$et" -v ep="$ep" 'BEGIN {
        printf "| %s | %d | %d | %d | %.0f | %d | %.0f | %.0f%% | %.2fx |\n", f, s, w, bt, bp, et, ep, 100*et/bt, ep/bp }'
      rm -f "$out"
    done
  done
done
