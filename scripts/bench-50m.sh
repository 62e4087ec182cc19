#!/bin/sh
# Whole-process figures of the speed issue: a 3PL calibration (c prior
# included) of 50,000,000 responses — 1,000,000 examinees × 50 items on
# overlapping forms of the demo bank — from a long CSV, from a Parquet file
# in the IRW layout and from the bank, and the import of the CSV into the
# bank, each under /usr/bin/time -v (wall time and peak memory).
#
#   scripts/bench-50m.sh [-n EXAMINEES] [-d DIR]
#
# Needs about 6 GB of disk in DIR (default ./bench-50m) and `passport` on
# the PATH. Figures go to DIR/figures.txt. Run it on an otherwise idle
# machine: the figures are wall-clock times.
set -eu

n=1000000
dir=bench-50m
while getopts n:d: opt; do
	case $opt in
	n) n=$OPTARG ;;
	d) dir=$OPTARG ;;
	*) echo "usage: $0 [-n EXAMINEES] [-d DIR]" >&2; exit 2 ;;
	esac
done
mkdir -p "$dir"
cd "$dir"
out=figures.txt
: >"$out"

measure() { # measure LABEL COMMAND...: wall time and peak memory of one run
	label=$1
	shift
	/usr/bin/time -v "$@" >/dev/null 2>time.txt || { cat time.txt >&2; exit 1; }
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' time.txt)
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.txt)
	cpu=$(sed -n 's/.*Percent of CPU this job got: //p' time.txt)
	printf '%-28s %10s wall  %6d MiB peak  %5s CPU\n' "$label" "$wall" $((rss / 1024)) "$cpu" | tee -a "$out"
}

rm -f bank.db
passport --db bank.db init --demo -q
# 7 forms of 50 items, 10 anchors common to all: 290 of the demo's 306 items.
[ -f log.csv ] || passport --db bank.db simulate --examinees "$n" --forms 7 --form-length 50 --anchors 10 -q -o log.csv
measure "import long CSV" passport --db bank.db responses import log.csv -q
[ -f log.parquet ] || passport --db bank.db responses export --format parquet -o log.parquet -q
measure "calibrate 3pl, CSV" passport --db bank.db calibrate --responses log.csv --model 3pl --dry-run -q
measure "calibrate 3pl, Parquet" passport --db bank.db calibrate --responses log.parquet --model 3pl --dry-run -q
measure "calibrate 3pl, bank" passport --db bank.db calibrate --model 3pl --dry-run -q
measure "calibrate 3pl, bank, 1 core" taskset -c 0 passport --db bank.db calibrate --model 3pl --dry-run -q
