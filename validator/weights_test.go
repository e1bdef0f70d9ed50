package validator

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestComputeWeightsBasic(t *testing.T) {
	uids, values, err := ComputeWeights(map[uint16]float64{1: 0.9, 2: 0.45, 3: 0, 7: 0.09}, 8, 0, 1, math.MaxUint16)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(uids, []uint16{1, 2, 7}) || !slices.Equal(values, []uint16{65535, 32768, 6553}) {
		t.Fatalf("uids %v values %v", uids, values)
	}
	if _, _, err := ComputeWeights(map[uint16]float64{1: 0, 2: -1}, 8, 0, 1, math.MaxUint16); !errors.Is(err, ErrNoScores) {
		t.Fatalf("no positive scores: %v", err)
	}
	// UIDs beyond the subnet size are ignored.
	if _, _, err := ComputeWeights(map[uint16]float64{9: 1}, 8, 0, 1, math.MaxUint16); !errors.Is(err, ErrNoScores) {
		t.Fatalf("out of range uid: %v", err)
	}
}

func TestComputeWeightsMinAllowed(t *testing.T) {
	uids, values, err := ComputeWeights(map[uint16]float64{5: 1}, 8, 0, 4, math.MaxUint16)
	if err != nil {
		t.Fatal(err)
	}
	// Padded with the lowest other UIDs, never self (0) while others exist.
	if !slices.Equal(uids, []uint16{1, 2, 3, 5}) {
		t.Fatalf("uids %v", uids)
	}
	for i, u := range uids {
		if u == 5 && values[i] != 65535 || u != 5 && values[i] != 1 {
			t.Fatalf("values %v", values)
		}
	}
}

func TestComputeWeightsMaxLimit(t *testing.T) {
	// Limit 0.25 of the sum: one dominant miner must be capped.
	limit := uint16(math.MaxUint16 / 4)
	uids, values, err := ComputeWeights(map[uint16]float64{1: 100, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1}, 8, 0, 1, limit)
	if err != nil {
		t.Fatal(err)
	}
	checkLimit(t, uids, values, limit)
}

func checkLimit(t *testing.T, uids, values []uint16, limit uint16) {
	t.Helper()
	var sum float64
	for _, v := range values {
		sum += float64(v)
	}
	for i, v := range values {
		if frac := float64(v) / sum * math.MaxUint16; frac > float64(limit) {
			t.Fatalf("uid %d has %.1f/65535 of the sum, limit %d (values %v)", uids[i], frac, limit, values)
		}
	}
}

// TestComputeWeightsProperties checks the invariants on random inputs.
func TestComputeWeightsProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for iter := range 2000 {
		n := uint16(1 + r.IntN(64))
		scores := map[uint16]float64{}
		for range r.IntN(int(n) + 1) {
			scores[uint16(r.IntN(int(n)))] = r.Float64()
		}
		self := uint16(r.IntN(int(n)))
		minAllowed := uint16(r.IntN(int(n) + 2))
		limit := uint16(math.MaxUint16)
		switch r.IntN(3) {
		case 0:
			limit = uint16(1 + r.IntN(math.MaxUint16))
		case 1:
			limit = 0 // unset: no limit
		}
		uids, values, err := ComputeWeights(scores, n, self, minAllowed, limit)
		positive := 0
		for _, s := range scores {
			if s > 0 {
				positive++
			}
		}
		if positive == 0 {
			if !errors.Is(err, ErrNoScores) {
				t.Fatalf("iter %d: no scores gave %v", iter, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("iter %d: %v", iter, err)
		}
		if len(uids) != len(values) || !slices.IsSorted(uids) || len(slices.Compact(slices.Clone(uids))) != len(uids) {
			t.Fatalf("iter %d: uids %v", iter, uids)
		}
		if len(uids) < min(int(minAllowed), int(n)) {
			t.Fatalf("iter %d: %d uids, min allowed %d of %d", iter, len(uids), minAllowed, n)
		}
		if slices.Max(values) != math.MaxUint16 || slices.Min(values) < 1 {
			t.Fatalf("iter %d: values %v not max-upscaled", iter, values)
		}
		for _, u := range uids {
			if u >= n {
				t.Fatalf("iter %d: uid %d >= n %d", iter, u, n)
			}
		}
		// The cap holds whenever the subnet is big enough for it to be possible.
		if limit != 0 && float64(n)*float64(max(limit, 2)-1) >= math.MaxUint16 {
			checkLimit(t, uids, values, limit)
		}
		// Order is kept: a higher score never gets a lower value.
		val := map[uint16]uint16{}
		for i, u := range uids {
			val[u] = values[i]
		}
		for a, sa := range scores {
			for b, sb := range scores {
				if sa > sb && sb > 0 && val[a] < val[b] {
					t.Fatalf("iter %d: score %v < %v but value %d < %d", iter, sa, sb, val[a], val[b])
				}
			}
		}
	}
}

func TestComputeWeightsUnsetLimit(t *testing.T) {
	uids, values, err := ComputeWeights(map[uint16]float64{1: 1, 2: 0.5}, 4, 0, 1, 0)
	if err != nil || !slices.Equal(uids, []uint16{1, 2}) || !slices.Equal(values, []uint16{65535, 32768}) {
		t.Fatalf("unset limit: %v %v %v", uids, values, err)
	}
}
