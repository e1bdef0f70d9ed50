#!/usr/bin/env bash
# The node at 32 subnets x 256 UIDs (64 validators each, with stake,
# nominators and full weight rows): builds that state with real signed
# transactions on a one-authority chain run by the `yuma node run` binary
# (CometBFT, libp2p, pebble, RPC), restarts the node on it, then makes every
# subnet run its epoch in the same block, ROUNDS times, and prints the time
# of such a block (the node's yuma_node_block_apply_seconds: FinalizeBlock
# to the end of Commit, fsync included) and the node's peak RSS (VmHWM of
# /proc/<pid>/status). The target is 300 MB.
#
# Usage: [ROUNDS=10] bench/subnet_rss.sh [extra flags of bench/subnetrss]
#   bench/subnet_rss.sh -mode app -cpuprofile cpu.out -memprofile mem.out
# runs the node's ABCI application in-process instead (for profiling).
# A run takes about a minute on a shared 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/subnetrss -rounds "${ROUNDS:-10}" "$@"
