#!/usr/bin/env bash
# Load test of the miner: a real miner with the built-in backend and
# durable nonces on loopback TCP, driven by 8 concurrent validators with a
# bounded number of signed requests; prints requests/s and p50/p99
# latency, then the cost of the signature checks per request.
#
# Usage: bench/miner.sh [requests]   (default 2000; a few seconds on a
# shared 2-core machine)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
go test -run '^$' -bench '^BenchmarkMinerLoad$' -benchtime "${n}x" -count 1 ./bench/
go test -run '^$' -bench '^Benchmark(RequestSignVerify|RequestVerify|ResponseSignVerify)$' -benchtime 1s -count 1 -benchmem ./bench/
