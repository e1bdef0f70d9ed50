#!/usr/bin/env bash
# Finalized signed transfers per second on a local 4-node network, the raw
# secp256k1 recovery rate of this machine, and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/tps "$@"
