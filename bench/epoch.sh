#!/usr/bin/env bash
# Runs the epoch benchmarks of bench/epoch_test.go on one core and prints,
# per size and implementation, time and allocation per epoch and the peak
# resident memory of a process that runs only that benchmark (from
# /usr/bin/time -v), then the ratio of each fixed-point epoch to the
# float64 reference. The chain's target: fixed point at most 2x the float
# reference at 256x4096, and under 100 ms on one core.
#
# Usage: [SIZES="dense-64x256 ..."] bench/epoch.sh [benchtime-small [benchtime-large]]
# The defaults, 20x for 64x256 and 5x for the 4096-UID sizes, keep the whole
# run near a minute on a shared 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

small=${1:-20x}
large=${2:-5x}
sizes=${SIZES:-"dense-64x256 dense-256x4096 sparse-256x4096-10pct"}
impls="fixed-sparse fixed-dense float"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/bench.test" ./bench/

: > "$tmp/rows"
for size in $sizes; do
	bt=$small
	case $size in *4096*) bt=$large ;; esac
	for impl in $impls; do
		/usr/bin/time -v -o "$tmp/time" "$tmp/bench.test" -test.run '^$' \
			-test.bench "^BenchmarkEpoch\$/^${size}\$/^${impl}\$" \
			-test.benchtime "$bt" -test.cpu 1 -test.benchmem > "$tmp/out"
		line=$(grep "^BenchmarkEpoch/${size}/${impl}" "$tmp/out" || true)
		[ -n "$line" ] || continue # implementation not built
		rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$tmp/time")
		awk -v size="$size" -v impl="$impl" -v rss="$rss" '{
			for (i = 1; i <= NF; i++) {
				if ($i == "ns/op") ns = $(i-1)
				if ($i == "B/op") by = $(i-1)
				if ($i == "allocs/op") al = $(i-1)
			}
			print size, impl, ns, by, al, rss
		}' <<<"$line" >> "$tmp/rows"
	done
done

awk '
BEGIN { printf "%-22s %-13s %10s %10s %10s %11s\n", "size", "impl", "ms/op", "MB/op", "allocs/op", "peak RSS MB" }
{
	printf "%-22s %-13s %10.2f %10.1f %10d %11.1f\n", $1, $2, $3/1e6, $4/1048576, $5, $6/1024
	ns[$1 " " $2] = $3
	if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 }
	if ($2 != "float" && !($2 in fixed)) { fixed[$2] = 1; impls[++m] = $2 }
}
END {
	print ""
	print "fixed / float (time per epoch):"
	for (i = 1; i <= k; i++) for (q = 1; q <= m; q++) {
		s = order[i]; im = impls[q]
		if ((s " " im) in ns && (s " float") in ns)
			printf "  %-22s %-13s %6.2fx\n", s, im, ns[s " " im] / ns[s " float"]
	}
}' "$tmp/rows"
