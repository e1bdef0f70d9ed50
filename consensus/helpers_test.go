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

// TestWeightedMedianZerosLeftOut: the search over a column's positive
// scores alone, started above the zeros' stake (what weightedMedianCols
// does), and over its candidates in any order, gives weighted_median's
// answer: weightedMedianLiteral on the whole column, in row order.
func TestWeightedMedianZerosLeftOut(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	for it := range 50000 {
		k := 1 + r.IntN(40)
		stake := make([]fx, k)
		score := make([]fx, k)
		levels := 1 + r.IntN(6)
		zeros := r.IntN(4) // 0: none, else roughly 1 in zeros+1 scores zero
		for i := range stake {
			stake[i] = fixed.I32F32FromBits(int64(r.IntN(1 << 30)))
			if r.IntN(8) == 0 {
				stake[i] = zero
			}
			switch {
			case zeros > 0 && r.IntN(zeros+1) == 0:
				score[i] = zero
			case r.IntN(3) == 0:
				score[i] = fixed.I32F32FromBits(int64(1+r.IntN(levels)) << 28)
			default:
				score[i] = fixed.I32F32FromBits(int64(1 + r.Uint64()>>31))
			}
		}
		normalize(stake)
		sum := sumWrap(stake)
		var majority fx
		switch r.IntN(5) {
		case 0:
			majority = zero // minority = the total
		case 1:
			majority = sum.SaturatingAdd(fixed.I32F32FromBits(1 + r.Int64N(1<<32))) // minority < 0
		case 2:
			// minority = the stake of the zero scores, G(0), nudged.
			for i := range score {
				if score[i].IsZero() {
					majority = majority.SaturatingAdd(stake[i])
				}
			}
			majority = sum.SaturatingSub(majority).SaturatingAdd(fixed.I32F32FromBits(r.Int64N(3) - 1))
		default:
			majority = fixed.I32F32FromBits(r.Int64N(sum.Bits() + 1))
		}
		minority := sum.SaturatingSub(majority)
		want := weightedMedianLiteral(stake, score, minority, zero, sum)

		wm := newMedianScratch(k)
		var cand []scored
		var listed int64
		for i := range score {
			if zero.Less(score[i]) {
				cand = append(cand, scored{score[i].Bits(), stake[i].Bits()})
				listed += stake[i].Bits()
			}
		}
		got := zero
		if len(cand) > 0 {
			lo := zero
			zeroStake := fixed.I32F32FromBits(sum.Bits() - listed)
			if len(cand) < k && minority.Less(zeroStake) {
				lo = fixed.I32F32FromBits(-1) // the answer is 0: no search
			} else if len(cand) < k {
				lo = zeroStake
			}
			if lo.Bits() >= 0 {
				got = wm.weightedMedianFrom(cand, minority, lo, sum)
			}
		}
		if got != want {
			t.Fatalf("iter %d: zeros left out %v, literal %v (stake %v score %v minority %v)", it, got, want, stake, score, minority)
		}
		// Any order of the whole column gives the same answer.
		perm := r.Perm(k)
		ps, pc := make([]fx, k), make([]fx, k)
		for i, j := range perm {
			ps[i], pc[i] = stake[j], score[j]
		}
		if got := wm.weightedMedian(ps, pc, minority, zero, sum); got != want {
			t.Fatalf("iter %d: shuffled %v, literal %v", it, got, want)
		}
	}
}

// TestWeightedMedianCols: the column medians of the fused path (zero scores
// left out) equal the step-by-step path's (every score listed), on random
// sparse matrices with absent entries, zero weights, zero stakes, ties and
// every kind of majority.
func TestWeightedMedianCols(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for it := range 3000 {
		n := 1 + r.IntN(30)
		stake := make([]fx, n)
		for i := range stake {
			if r.IntN(3) > 0 {
				stake[i] = fixed.I32F32FromBits(int64(r.IntN(1 << 30)))
			}
		}
		normalize(stake)
		rows := make([][]Entry, n)
		m := make(sMat, n)
		off := make([]int, n+1)
		var wv []fx
		levels := 1 + r.IntN(5)
		for i := range rows {
			for j := 0; j < n; j++ {
				if r.IntN(3) == 0 {
					continue
				}
				rows[i] = append(rows[i], Entry{UID: uint16(j)})
				var v fx
				switch r.IntN(6) {
				case 0:
					wv = append(wv, absent) // masked
					continue
				case 1:
					v = zero
				case 2:
					v = fixed.I32F32FromBits(int64(1+r.IntN(levels)) << 29)
				default:
					v = fixed.I32F32FromBits(int64(1 + r.Uint64()>>32))
				}
				wv = append(wv, v)
				m[i] = append(m[i], sEntry{uint32(j), v})
			}
			off[i+1] = len(wv)
		}
		majority := []fx{zero, one, fixed.I32F32FromBits(r.Int64N(1<<32 + 1)), u16ProportionToFixed(32767)}[r.IntN(4)]
		if r.IntN(2) == 0 {
			// minority = the stake of a column's zero scores (as the
			// median sees them: positive-stake rows, normalised), G(0).
			j := r.IntN(n)
			var use []fx
			var zs fx
			for i := range m {
				if !zero.Less(stake[i]) {
					continue
				}
				use = append(use, stake[i])
			}
			normalize(use)
			k := 0
			for i := range m {
				if !zero.Less(stake[i]) {
					continue
				}
				v := zero
				for _, e := range m[i] {
					if int(e.j) == j {
						v = e.v
					}
				}
				if v.IsZero() {
					zs = zs.SaturatingAdd(use[k])
				}
				k++
			}
			majority = sumWrap(use).SaturatingSub(zs)
		}
		got := weightedMedianCols(stake, rows, wv, off, majority)
		want := weightedMedianColSparse(stake, m, n, majority)
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("iter %d col %d: %v, step-by-step %v", it, j, got[j], want[j])
			}
		}
	}
}
