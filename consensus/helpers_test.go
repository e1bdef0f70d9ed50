package consensus

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/yumachain/yuma/fixed"
)

// BenchmarkWeightedMedian: one column of 256 validators with random stake
// and weights, kappa 0.5.
func BenchmarkWeightedMedian(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	const k, cols = 256, 64
	stake := make([]fx, k)
	for i := range stake {
		stake[i] = fixed.I32F32FromBits(int64(r.Uint64() >> 34))
	}
	normalize(stake)
	sum := sumWrap(stake)
	minority := sum.SaturatingSub(u16ProportionToFixed(32767))
	scores := make([][]fx, cols)
	for c := range scores {
		scores[c] = make([]fx, k)
		for i := range scores[c] {
			scores[c][i] = fixed.I32F32FromBits(int64(r.Uint64() >> 52))
		}
	}
	wm := newMedianScratch(k)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		wm.weightedMedian(stake, scores[i%cols], minority, zero, sum)
	}
}

func TestU16ProportionToFixed(t *testing.T) {
	for x := 0; x <= 65535; x++ {
		if got, want := u16ProportionToFixed(uint16(x)), fixed.I32F32FromU16(uint16(x)).SafeDiv(u16MaxFx); got != want {
			t.Fatalf("%d: %v, SafeDiv gives %v", x, got, want)
		}
	}
}

func TestFixedProportionToU16(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	check := func(b int64) {
		x := fixed.I32F32FromBits(b)
		if got, want := fixedProportionToU16(x), x.SaturatingMul(u16MaxFx).ToU16Sat(); got != want {
			t.Fatalf("%v: %d, want %d", x, got, want)
		}
	}
	for _, b := range []int64{0, 1, -1, 1 << 32, 1<<32 - 1, 1<<32 + 1, 1 << 47, 1 << 48, 1 << 62, math.MaxInt64, math.MinInt64} {
		for d := int64(-3); d <= 3; d++ {
			check(b + d)
		}
	}
	for range 1_000_000 {
		check(int64(r.Uint64()) >> r.UintN(64))
		check(r.Int64N(1<<33) - 1<<31)
	}
}
