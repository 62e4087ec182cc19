#!/usr/bin/env bash
# shard-calibrate.sh [-j JOBS] [-d DIR] [-r xargs|parallel] [-i 'INIT FLAGS'] [-e 'ESTEP FLAGS'] SHARD...
#
# Calibrates response data split into shard files with passport calibrate
# shard: init, then rounds of one E-step per shard — JOBS at a time, by
# xargs -P or GNU parallel — and an M-step that sums their counts, until the
# state's stage is "done". Prints the parameters as CSV (what passport
# calibrations import reads) on stdout; the state, the last round's counts
# and each shard as read (estep --cache, so that only the first round
# parses the CSV files) stay in DIR.
#
#   -j JOBS     E-steps at a time (default: the number of cores)
#   -d DIR      working directory (default: a new temporary one)
#   -r RUNNER   xargs (default) or parallel (GNU parallel)
#   -i FLAGS    flags of calibrate shard init, e.g. '--model 3pl --tol 1e-5'
#   -e FLAGS    flags of calibrate shard estep, e.g. '--wide' or
#               '--long --items items.csv' (default --wide)
#
# FLAGS are split on blanks. PASSPORT names the passport binary (default:
# passport on PATH). The M-step sums the shards in the order of their names
# (each file's base name, which must be unique), so the result does not
# depend on which E-step finishes first. See scripts/SHARDING.md for the
# same loop on Spark or Ray.
set -euo pipefail

usage() {
  sed -n '2p' "$0" | sed 's/^# /usage: /' >&2
  exit 2
}

jobs=$(nproc 2>/dev/null || echo 2)
dir=""
runner=xargs
init_flags=""
estep_flags="--wide"
while getopts "j:d:r:i:e:h" opt; do
  case $opt in
    j) jobs=$OPTARG ;;
    d) dir=$OPTARG ;;
    r) runner=$OPTARG ;;
    i) init_flags=$OPTARG ;;
    e) estep_flags=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
case $runner in
  xargs) ;;
  parallel) command -v parallel >/dev/null || { echo "shard-calibrate: -r parallel, but GNU parallel is not on PATH" >&2; exit 2; } ;;
  *) echo "shard-calibrate: -r $runner: expected xargs or parallel" >&2; exit 2 ;;
esac
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "shard-calibrate: -j $jobs: expected a positive whole number" >&2; exit 2; }
passport=${PASSPORT:-passport}
read -ra init <<<"$init_flags"
read -ra estep <<<"$estep_flags"
shards=("$@")
for s in "${shards[@]}"; do
  [ -f "$s" ] || { echo "shard-calibrate: $s: no such file" >&2; exit 2; }
done
dup=$(for s in "${shards[@]}"; do basename "$s"; done | sort | uniq -d | head -n 1)
[ -z "$dup" ] || { echo "shard-calibrate: two shards are named $dup: a shard is known by its file's base name" >&2; exit 2; }
if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/shard-calibrate.XXXXXX")
fi
mkdir -p "$dir"
state=$dir/state.json
counts=$dir/counts
cache=$dir/cache
mkdir -p "$cache"
# Each E-step gets its share of the cores.
cores=$(nproc 2>/dev/null || echo 1)
threads=$((cores / jobs > 0 ? cores / jobs : 1))

"$passport" calibrate shard init "${init[@]}" -o "$state"
round=0
until grep -q '^  "stage": "done"' "$state"; do
  round=$((round + 1))
  rm -rf "$counts"
  mkdir -p "$counts"
  # Six arguments per shard, after the flags common to all:
  # -o COUNTS --data SHARD --cache FILE.
  for k in "${!shards[@]}"; do
    printf '%s\0' -o "$counts/$k.json" --data "${shards[$k]}" --cache "$cache/$k.gob"
  done | if [ "$runner" = parallel ]; then
    parallel -0 -q -N 6 -j "$jobs" --halt now,fail=1 \
      "$passport" --quiet calibrate shard estep --params "$state" --threads "$threads" "${estep[@]}" {1} {2} {3} {4} {5} {6}
  else
    xargs -0 -n 6 -P "$jobs" \
      "$passport" --quiet calibrate shard estep --params "$state" --threads "$threads" "${estep[@]}"
  fi
  "$passport" --format csv calibrate shard mstep "$counts"/*.json -o "$state" >"$dir/params.csv"
done
echo "shard-calibrate: done after $round rounds; state in $state" >&2
cat "$dir/params.csv"
