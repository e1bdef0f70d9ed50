#!/usr/bin/env bash
# Cross-architecture determinism check of the fixed-point epoch (ring 1).
#
# consensus.TestDeterminismDigest hashes the outputs of 1,000 seeded random
# epochs and compares the SHA-256 with consensus/testdata/determinism.digest.
# This script runs it (and the fixed and consensus tests) on every target the
# design promises identical bits on:
#   - GOARCH=386           (32-bit: no 64-bit multiply/divide instructions)
#   - GOARCH=amd64 GOAMD64=v1 and v3
#   - GOARCH=arm64         (under qemu-user; installed with apt-get when
#                           missing and run as root, skipped loudly otherwise)
# Usage: scripts/crossarch.sh   (from anywhere; exits non-zero on a mismatch)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

run='^(TestDeterminismDigest|TestConformance|TestSparseDenseAgree)$'
# The state transition: a seeded multi-block simulation of the subnet
# module must give the same state and the same trie root (app hash).
strun='^(TestStateDigest|TestStateRootDigest)$'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say() { printf '\n== crossarch: %s\n' "$*"; }

say "GOARCH=386: fixed and consensus tests"
GOARCH=386 go test -count=1 -short ./fixed/ ./consensus/
GOARCH=386 go test -count=1 -run '^TestDeterminismDigest$' -v ./consensus/ | grep 'determinism digest'
GOARCH=386 go test -count=1 -run "$strun" -v ./subnet/ | grep -E 'state root digest|^(ok|FAIL|---)'

host=$(go env GOHOSTARCH)
if [ "$host" = amd64 ]; then
  say "GOAMD64=v1 determinism digest"
  GOARCH=amd64 GOAMD64=v1 go test -count=1 -run "$run" -short -v ./consensus/ | grep 'determinism digest'
  flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
  v3=yes
  for f in avx2 bmi1 bmi2 fma movbe; do
    case " $flags " in *" $f "*) ;; *) v3=no ;; esac
  done
  if [ "$v3" = yes ]; then
    say "GOAMD64=v3 determinism digest"
    GOARCH=amd64 GOAMD64=v3 go test -count=1 -run "$run" -short -v ./consensus/ | grep 'determinism digest'
    GOARCH=amd64 GOAMD64=v3 go test -count=1 -short ./fixed/
    GOARCH=amd64 GOAMD64=v3 go test -count=1 -run "$strun" -v ./subnet/ | grep -E 'state root digest|^(ok|FAIL|---)'
  else
    say "GOAMD64=v3: this CPU lacks x86-64-v3; building only (the binary cannot run here)"
    GOARCH=amd64 GOAMD64=v3 go test -c -o "$tmp/consensus.v3.test" ./consensus/
  fi
else
  say "host is $host, not amd64: GOAMD64 variants skipped"
fi

say "GOARCH=arm64 under qemu-user"
qemu=""
find_qemu() {
  for q in qemu-aarch64-static qemu-aarch64; do
    if command -v "$q" >/dev/null 2>&1; then qemu=$(command -v "$q"); return 0; fi
  done
  return 1
}
if [ "$host" = arm64 ]; then
  qemu="native"
elif ! find_qemu; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing qemu-user-static with apt-get"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static >/dev/null; }; then
      echo "apt-get install qemu-user-static failed"
    fi
    find_qemu || true
  fi
fi
if [ -z "$qemu" ]; then
  cat <<'EOF'

 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
 !! crossarch: arm64 SKIPPED: no qemu-aarch64(-static) and it could not  !!
 !! be installed (needs root and apt-get). The arm64 determinism digest  !!
 !! was NOT checked.                                                     !!
 !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
EOF
else
  GOARCH=arm64 go test -c -o "$tmp/consensus.arm64.test" ./consensus/
  GOARCH=arm64 go test -c -o "$tmp/fixed.arm64.test" ./fixed/
  GOARCH=arm64 go test -c -o "$tmp/subnet.arm64.test" ./subnet/
  runbin() {
    if [ "$qemu" = native ]; then "$@"; else "$qemu" "$@"; fi
  }
  # Test binaries read testdata relative to the package directory.
  (cd fixed && runbin "$tmp/fixed.arm64.test" -test.short -test.count=1)
  (cd consensus && runbin "$tmp/consensus.arm64.test" -test.run "$run" -test.short -test.count=1 -test.v) | grep -E 'determinism digest|^(ok|PASS|FAIL|---)' 
  (cd subnet && runbin "$tmp/subnet.arm64.test" -test.run "$strun" -test.count=1 -test.v) | grep -E 'state root digest|^(ok|PASS|FAIL|---)'
fi

say "all architectures agree with consensus/testdata/determinism.digest ($(cat consensus/testdata/determinism.digest)) and subnet/testdata/sim120.root ($(cat subnet/testdata/sim120.root))"
