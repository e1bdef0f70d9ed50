package reference

import (
	"math"
	"testing"

	"github.com/yumachain/yuma/consensus"
)

// row builds a sparse row from alternating uid, value pairs.
func row(pairs ...uint16) []consensus.Entry {
	out := make([]consensus.Entry, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, consensus.Entry{UID: pairs[i], Value: pairs[i+1]})
	}
	return out
}

// denseU16 expands sparse rows to an n x n matrix.
func denseU16(rows [][]consensus.Entry, n int) [][]uint16 {
	out := make([][]uint16, n)
	for i := range out {
		out[i] = make([]uint16, n)
		if i < len(rows) {
			for _, e := range rows[i] {
				out[i][e.UID] = e.Value
			}
		}
	}
	return out
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.10g, want %.10g (tolerance %g)", what, got, want, tol)
	}
}

func nearVec(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s has %d elements, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > tol || math.IsNaN(got[i]) {
			t.Errorf("%s[%d] = %.10g, want %.10g (tolerance %g)", what, i, got[i], want[i], tol)
		}
	}
}

func mustEpoch(t *testing.T, in *consensus.Input) *Result {
	t.Helper()
	r, err := Epoch(in)
	if err != nil {
		t.Fatalf("Epoch: %v", err)
	}
	return r
}

func emptyRows(n int) [][]consensus.Entry { return make([][]consensus.Entry, n) }

func filled[T any](n int, v T) []T {
	out := make([]T, n)
	for i := range out {
		out[i] = v
	}
	return out
}
