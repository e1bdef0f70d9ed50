package emission

import (
	"encoding/binary"
	"slices"
	"testing"
)

// FuzzBlockReward compares BlockReward with the bit-level emulation of the
// reference's fixed-point computation (reference_test.go).
func FuzzBlockReward(f *testing.F) {
	for k := 1; k <= MaxHalvings; k++ {
		f.Add(HalvingIssuance(k) - 1)
		f.Add(HalvingIssuance(k))
	}
	f.Add(uint64(0))
	f.Add(MaxSupply)
	f.Fuzz(func(t *testing.T, issuance uint64) {
		checkAgainstReference(t, issuance)
	})
}

// FuzzSplitByWeights compares SplitByWeights with the math/big
// largest-remainder split (split_test.go). The weights are the 8-byte
// little-endian words of raw.
func FuzzSplitByWeights(f *testing.F) {
	f.Add(uint64(10), []byte{1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Add(uint64(1<<64-1), []byte{255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255})
	f.Fuzz(func(t *testing.T, total uint64, raw []byte) {
		var w []uint64
		for len(raw) >= 8 && len(w) < 64 {
			w = append(w, binary.LittleEndian.Uint64(raw))
			raw = raw[8:]
		}
		if got, want := SplitByWeights(total, w), naiveSplit(total, w); !slices.Equal(got, want) {
			t.Fatalf("SplitByWeights(%d, %v) = %v, naive %v", total, w, got, want)
		}
	})
}
