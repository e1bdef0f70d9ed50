package emission

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// This file emulates, bit by bit, subtensor's get_block_emission_for_issuance
// in I96F32 (an i128 with 32 fractional bits) with substrate-fixed v0.6.0's
// truncating multiplication and division and its transcendental::log2, and
// checks BlockReward and Halvings against it. Every value here is positive,
// so truncation toward zero is floor.

const frac = 32

var (
	fxOne = new(big.Int).Lsh(big.NewInt(1), frac)
	fxTwo = new(big.Int).Lsh(big.NewInt(2), frac)
	// I96F32::MAX, the saturation bound of saturating_mul.
	fxMax = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))
)

func fxFromU64(n uint64) *big.Int { return new(big.Int).Lsh(new(big.Int).SetUint64(n), frac) }

// fxDiv is checked_div: (a << 32) / b, truncated.
func fxDiv(a, b *big.Int) *big.Int {
	n := new(big.Int).Lsh(a, frac)
	return n.Quo(n, b)
}

// fxMul is saturating_mul: (a * b) >> 32, truncated, saturated at MAX.
func fxMul(a, b *big.Int) *big.Int {
	p := new(big.Int).Mul(a, b)
	p.Rsh(p, frac)
	if p.Cmp(fxMax) > 0 {
		return new(big.Int).Set(fxMax)
	}
	return p
}

// fxRs is transcendental::rs, the rounding right shift (x >> 1) + (x & lsb).
func fxRs(x *big.Int) *big.Int {
	r := new(big.Int).Rsh(x, 1)
	return r.Add(r, new(big.Int).And(x, big.NewInt(1)))
}

// fxLog2Inner is transcendental::log2_inner for an operand >= 1; it returns
// the result's bits.
func fxLog2Inner(operand *big.Int) *big.Int {
	x := new(big.Int).Set(operand)
	result := new(big.Int) // raw bits, the integer part counted in lsb units
	for x.Cmp(fxTwo) >= 0 {
		result.Add(result, big.NewInt(1))
		x = fxRs(x)
	}
	if x.Cmp(fxOne) == 0 {
		return result.Lsh(result, frac) // D::from_num(result)
	}
	for range frac {
		x = fxMul(x, x)
		result.Lsh(result, 1)
		if x.Cmp(fxTwo) >= 0 {
			result.Or(result, big.NewInt(1))
			x = fxRs(x)
		}
	}
	return result
}

// refBlockEmission emulates get_block_emission_for_issuance. It returns the
// reward and the floored residual (the halving count), -1 when the
// issuance is at or above the total supply.
func refBlockEmission(issuance uint64) (uint64, int64) {
	total := fxFromU64(issuance)
	if total.Cmp(fxFromU64(MaxSupply)) >= 0 {
		return 0, -1
	}
	half := fxFromU64(10_500_000_000_000_000)
	denom := fxMul(fxTwo, half)
	q := fxDiv(total, denom)
	oneMinus := new(big.Int).Sub(fxOne, q)
	y := fxDiv(fxOne, oneMinus)
	residual := fxLog2Inner(y) // y >= 1, so log2 calls log2_inner directly
	floored := new(big.Int).Rsh(residual, frac)
	n := floored.Int64()
	multiplier := new(big.Int).Set(fxOne)
	for range n {
		multiplier = fxMul(multiplier, fxTwo)
	}
	pct := fxDiv(fxOne, multiplier)
	em := fxMul(pct, fxFromU64(DefaultBlockEmission))
	return new(big.Int).Rsh(em, frac).Uint64(), n
}

func checkAgainstReference(t *testing.T, issuance uint64) {
	t.Helper()
	want, k := refBlockEmission(issuance)
	if got := BlockReward(issuance); got != want {
		t.Fatalf("BlockReward(%d) = %d, fixed-point reference %d (k=%d)", issuance, got, want, k)
	}
	if k >= 0 && int64(Halvings(issuance)) != k {
		t.Fatalf("Halvings(%d) = %d, fixed-point reference %d", issuance, Halvings(issuance), k)
	}
}

// exactThreshold is ceil(MaxSupply * (1 - 2^-k)), computed with big
// integers independently of HalvingIssuance.
func exactThreshold(k int) uint64 {
	den := new(big.Int).Lsh(big.NewInt(1), uint(k))
	num := new(big.Int).Mul(new(big.Int).SetUint64(MaxSupply), new(big.Int).Sub(den, big.NewInt(1)))
	num.Add(num, new(big.Int).Sub(den, big.NewInt(1))) // ceil
	return num.Quo(num, den).Uint64()
}

// TestBlockRewardMatchesFixedPointAtBoundaries compares BlockReward and
// Halvings with the emulated reference within +-2000 rao of every halving
// boundary, and checks the boundary is exactly 21M TAO * (1 - 2^-k)
// rounded up.
func TestBlockRewardMatchesFixedPointAtBoundaries(t *testing.T) {
	for k := 1; k <= MaxHalvings; k++ {
		e := exactThreshold(k)
		if HalvingIssuance(k) != e {
			t.Fatalf("HalvingIssuance(%d) = %d, want ceil(S*(1-2^-%d)) = %d", k, HalvingIssuance(k), k, e)
		}
		if _, kb := refBlockEmission(e - 1); kb != int64(k-1) {
			t.Fatalf("reference: halving count %d just below boundary %d (k=%d)", kb, e, k)
		}
		if _, ka := refBlockEmission(e); ka != int64(k) {
			t.Fatalf("reference: halving count %d at boundary %d (k=%d)", ka, e, k)
		}
		const span = 2000
		for x := e - span; x <= e+span && x < MaxSupply; x++ {
			checkAgainstReference(t, x)
		}
	}
	for _, x := range []uint64{0, 1, MaxSupply - 2, MaxSupply - 1, MaxSupply, MaxSupply + 1, 1<<64 - 1} {
		checkAgainstReference(t, x)
	}
}

// TestBlockRewardMatchesFixedPointRandom compares at random issuances, half
// uniform over [0, MaxSupply), half near a random boundary.
func TestBlockRewardMatchesFixedPointRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		checkAgainstReference(t, r.Uint64N(MaxSupply+1_000_000))
		k := 1 + r.IntN(MaxHalvings)
		e := exactThreshold(k)
		checkAgainstReference(t, e-min(e, 1<<20)+r.Uint64N(1<<21))
	}
}

// TestReferenceLog2RoundingWindow documents why the rounding shift inside
// substrate-fixed's log2 never moves a halving: it does over-count just
// below a power of two, but y = 1/(1-q) never lands there.
func TestReferenceLog2RoundingWindow(t *testing.T) {
	// The largest I96F32 below 4.0: floor(log2) is 1, the reference says 2.
	justBelow4 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(4), frac), big.NewInt(1))
	if got := new(big.Int).Rsh(fxLog2Inner(justBelow4), frac).Int64(); got != 2 {
		t.Fatalf("log2(4 - 2^-32) integer part = %d; the rounding window this test documents is gone", got)
	}
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	for k := 1; k <= MaxHalvings; k++ {
		pow := new(big.Int).Lsh(big.NewInt(1), uint(32+k))
		// Window where the rounding shift over-counts: (2^(32+k) - 2^(k-1), 2^(32+k)).
		lo := new(big.Int).Sub(pow, new(big.Int).Lsh(big.NewInt(1), uint(k-1)))
		m := new(big.Int).Lsh(big.NewInt(1), uint(32-k))
		if y := new(big.Int).Quo(two64, m); y.Cmp(pow) != 0 {
			t.Fatalf("k=%d: y at 1-q = 2^-%d is %v, want 2^%d", k, k, y, 32+k)
		}
		// The next reachable y below 2^(32+k) (one more unit in 1-q).
		y := new(big.Int).Quo(two64, m.Add(m, big.NewInt(1)))
		if y.Cmp(lo) > 0 {
			t.Fatalf("k=%d: reachable y=%v falls in the rounding window above %v", k, y, lo)
		}
		// And the window really over-counts there, so the check above matters.
		// (For k = 1 the window is empty: 2^33 - 2^0 < Y < 2^33.)
		if k >= 2 {
			inWindow := new(big.Int).Sub(pow, big.NewInt(1))
			if got := new(big.Int).Rsh(fxLog2Inner(inWindow), frac).Int64(); got != int64(k) {
				t.Fatalf("k=%d: log2 just below 2^%d gives %d", k, 32+k, got)
			}
		}
	}
}
