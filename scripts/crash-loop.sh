#!/usr/bin/env bash
# Kills a node of a 4-node loopback network with SIGKILL at random moments
# while it applies blocks full of transfers, restarts it at once, and checks
# every time that it catches up and agrees on every app hash with the
# others. Default 20 kills; pass a number to change it.
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-20}"
echo "crash loop: $kills SIGKILLs of one node during block processing"
YUMA_E2E_KILLS="$kills" go test -count=1 -timeout 30m -run 'TestSIGKILLDuringBlocks' -v ./e2e/ |
  grep -E 'crash_test|^--- |^ok|^FAIL'
