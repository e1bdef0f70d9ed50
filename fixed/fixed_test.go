package fixed

import (
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// fromF64 mimics substrate_fixed's from_num for an f64 into I32F32: round
// to nearest, ties to even (the product by 2^32 is exact in float64).
func fromF64(v float64) I32F32 {
	return I32F32FromBits(int64(math.RoundToEven(v * (1 << 32))))
}

// fromF32 mimics from_num for an f32 (the test helper fixed(val: f32) and
// vec_to_fixed in subtensor's math tests).
func fromF32(v float32) I32F32 { return fromF64(float64(v)) }

func fromF64To64(v float64) I64F64 {
	// exact: v*2^64 as a big integer, rounded to nearest even.
	f := new(big.Float).SetPrec(200).SetFloat64(v)
	f.Mul(f, new(big.Float).SetMantExp(big.NewFloat(1), 64))
	i, acc := f.Int(nil)
	if acc != big.Exact {
		frac := new(big.Float).Sub(f, new(big.Float).SetInt(i))
		half := big.NewFloat(0.5)
		if c := frac.Cmp(half); c > 0 || (c == 0 && i.Bit(0) == 1) {
			i.Add(i, big.NewInt(1))
		}
	}
	return fromBigI64F64(i)
}

func bigOf32(x I32F32) *big.Int { return big.NewInt(x.Bits()) }

func bigOf128(hi int64, lo uint64) *big.Int {
	b := new(big.Int).Lsh(big.NewInt(hi), 64)
	return b.Or(b, new(big.Int).SetUint64(lo))
}

func fromBigI64F64(b *big.Int) I64F64 {
	lo := new(big.Int).And(b, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
	hi := new(big.Int).Rsh(b, 64).Int64()
	return I64F64FromBits(hi, lo)
}

// TestReferenceMathFixedOverflow: subtensor tests/math.rs
// test_math_fixed_overflow (alpha from the bonds moving average).
func TestReferenceMathFixedOverflow(t *testing.T) {
	bma := I64F64FromU64(900_000).SafeDiv(I64F64FromU64(1_000_000))
	alpha := I32F32One.SaturatingSub(I32F32FromI64F64(bma))
	if alpha != fromF64(0.1) {
		t.Fatalf("alpha = %v, want from_num(0.1) = %v", alpha, fromF64(0.1))
	}
	max32 := I32F32Max.ToI64F64()
	one := max32.SafeDiv(max32)
	if a := I32F32One.SaturatingSub(I32F32FromI64F64(one)); !a.IsZero() {
		t.Fatalf("alpha = %v, want 0", a)
	}
	// I96F32::from_num(max_32) * I96F32::from_num(u64::MAX) does not overflow.
	if _, ok := I32F32Max.ToI96F32().CheckedMul(I96F32FromU64(math.MaxUint64)); !ok {
		t.Fatal("max_32 * u64::MAX overflowed in I96F32")
	}
}

// TestReferenceMathU64Normalization: tests/math.rs test_math_u64_normalization.
func TestReferenceMathU64Normalization(t *testing.T) {
	maxSum := I64F64FromU64(21_000_000_000_000_000)
	for _, tc := range []struct {
		num    uint64
		want64 float64
		want32 float64
	}{
		{1, 0.0000000000000000476, 0},
		{4_889_444, 0.00000000023283066664, 0.0000000002},
		{10_500_000_000_000_000, 0.5, 0.5},
		{21_000_000_000_000_000, 1, 1},
	} {
		frac := I64F64FromU64(tc.num).SafeDiv(maxSum)
		if frac != fromF64To64(tc.want64) {
			t.Errorf("%d/max = %v, want %v", tc.num, frac, fromF64To64(tc.want64))
		}
		if got := I32F32FromI64F64(frac); got != fromF64(tc.want32) {
			t.Errorf("I32F32(%d/max) = %v, want %v", tc.num, got, fromF64(tc.want32))
		}
	}
}

// TestReferenceConversions: tests/math.rs test_math_to_num, test_math_fixed_to_u16,
// test_math_fixed_to_u64_saturates, test_math_fixed64_to_u64(_saturates),
// test_math_fixed64_to_fixed32(_saturates), test_vec_fixed64_to_fixed32(_saturates),
// test_fixed_proportion_to_u16(_saturates).
func TestReferenceConversions(t *testing.T) {
	if got := I32F32FromU16(math.MaxUint16).ToU16Sat(); got != math.MaxUint16 {
		t.Errorf("to_num u16 = %d", got)
	}
	if got := I32F32FromU16(math.MaxUint16 / 2).ToU16Sat(); got != math.MaxUint16/2 {
		t.Errorf("to_num u16 = %d", got)
	}
	if got := I32F32Max.ToU64Sat(); got != math.MaxInt32 {
		t.Errorf("max to u64 = %d", got)
	}
	if got := I96F32FromU64(math.MaxUint64).ToU64Sat(); got != math.MaxUint64 {
		t.Errorf("I96F32 u64::MAX round trip = %d", got)
	}
	if got := I32F32FromInt(-1).ToU64Sat(); got != 0 {
		t.Errorf("fixed_to_u64(-1) = %d", got)
	}
	if got := I64F64FromInt(-1).ToU64Sat(); got != 0 {
		t.Errorf("fixed64_to_u64(-1) = %d", got)
	}
	for _, v := range []int64{0, math.MaxInt64 / 2, math.MaxInt64} {
		if got := I64F64FromInt(v).ToU64Sat(); got != uint64(v) {
			t.Errorf("fixed64_to_u64(%d) = %d", v, got)
		}
	}
	for _, v := range []int64{0, math.MaxUint32 / 2, math.MinInt32, math.MaxInt32} {
		if got := I32F32FromI64F64(I64F64FromInt(v)); got != I32F32FromInt(v) {
			t.Errorf("fixed64_to_fixed32(%d) = %v", v, got)
		}
	}
	for _, v := range []int64{math.MaxUint32, math.MaxInt64} {
		if got := I32F32FromI64F64(I64F64FromInt(v)); got != I32F32Max {
			t.Errorf("fixed64_to_fixed32(%d) = %v, want max", v, got)
		}
	}
	// fixed_proportion_to_u16(65535) saturates at 65535.
	if got := I32F32FromU16(math.MaxUint16).SaturatingMul(I32F32FromU16(math.MaxUint16)).ToU16Sat(); got != math.MaxUint16 {
		t.Errorf("fixed_proportion_to_u16(65535) = %d", got)
	}
	if got := I32F32FromU64(math.MaxUint64); got != I32F32Max {
		t.Errorf("saturating_from_num(u64::MAX) = %v", got)
	}
	if got := I64F64FromU64(math.MaxUint64); got != I64F64Max {
		t.Errorf("I64F64 saturating_from_num(u64::MAX) = %v", got)
	}
}

// sigmoidSafe is subtensor's math::sigmoid_safe, built from this package.
func sigmoidSafe(input, rho, kappa I32F32) I32F32 {
	one := I32F32One
	offset := input.SaturatingSub(kappa)
	negRho := rho.SaturatingMul(one.SaturatingNeg())
	expInput := negRho.SaturatingMul(offset)
	// exp_safe: clamp to [-20, 20], 0 or max on error.
	lo, hi := I32F32FromInt(-20), I32F32FromInt(20)
	if expInput.Less(lo) {
		expInput = lo
	} else if hi.Less(expInput) {
		expInput = hi
	}
	e, ok := Exp(expInput)
	if !ok {
		if expInput.Cmp(I32F32Zero) <= 0 {
			e = I32F32Zero
		} else {
			e = I32F32Max
		}
	}
	return one.SafeDiv(e.SaturatingAdd(one))
}

// TestReferenceSigmoidSafe: tests/math.rs test_math_sigmoid_safe, which pins
// transcendental::exp to the bit through 1/(1+exp(-rho*(x-kappa))).
func TestReferenceSigmoidSafe(t *testing.T) {
	trust := []I32F32{I32F32Min, I32F32Zero, fromF64(0.4), fromF64(0.5), fromF64(0.6), I32F32One, I32F32Max}
	check := func(name string, rho, kappa I32F32, in []I32F32, want []I32F32) {
		t.Helper()
		for i := range in {
			if got := sigmoidSafe(in[i], rho, kappa); got != want[i] {
				t.Errorf("%s[%d]: sigmoid(%v) = %v, want %v", name, i, in[i], got, want[i])
			}
		}
	}
	f32s := func(v ...float32) []I32F32 {
		out := make([]I32F32, len(v))
		for i := range v {
			out[i] = fromF32(v[i])
		}
		return out
	}
	f64s := func(v ...float64) []I32F32 {
		out := make([]I32F32, len(v))
		for i := range v {
			out[i] = fromF64(v[i])
		}
		return out
	}
	check("max", I32F32Max, I32F32Max, trust, f32s(0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.5))
	check("min", I32F32Min, I32F32Min, trust, f32s(0.5, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019, 0.0000000019))
	check("rho30", I32F32FromInt(30), fromF64(0.5), trust, f64s(0.0000000019, 0.0000003057, 0.0474258729, 0.5, 0.952574127, 0.9999996943, 0.9999999981))
	trust2 := f32s(0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1)
	check("rho40", I32F32FromInt(40), fromF64(0.5), trust2, f64s(0.0000000019, 0.0000001125, 0.0000061442, 0.0003353502, 0.017986214, 0.5, 0.9820138067, 0.9996646498, 0.9999938558, 0.9999998875, 0.9999999981))
}

func TestExpSpecialCases(t *testing.T) {
	if e, ok := Exp(I32F32Zero); !ok || e != I32F32One {
		t.Errorf("exp(0) = %v %v", e, ok)
	}
	// exp(1) is the 23-bit constant e = 2.71828174591064453125.
	if e, ok := Exp(I32F32One); !ok || e.String() != "2.71828174591064453125" {
		t.Errorf("exp(1) = %v %v", e, ok)
	}
	if _, ok := Exp(I32F32FromInt(25)); ok {
		t.Error("exp(25) should overflow I32F32")
	}
	if _, ok := Exp(I32F32Min); ok {
		t.Error("exp(min) should fail (checked_neg)")
	}
	// Agreement with the float exponential, loosely (the series truncates
	// after 31 terms, so large inputs come out low: exp(20) is 4.81e8).
	for _, v := range []float64{-5, -2.5, -0.5, 0.25, 0.5, 2, 5, 10} {
		e, ok := Exp(fromF64(v))
		if !ok {
			t.Fatalf("exp(%v) failed", v)
		}
		got := float64(e.Bits()) / (1 << 32)
		if d := math.Abs(got-math.Exp(v)) / math.Exp(v); d > 1e-6 {
			t.Errorf("exp(%v) = %v, float %v", v, got, math.Exp(v))
		}
	}
}

func TestRound(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{2.5, 3}, {2.4999, 2}, {2.6, 3}, {-2.5, -3}, {-2.4, -2}, {-2.6, -3}, {0, 0}, {0.5, 1}, {-0.5, -1},
	} {
		if got := fromF64(tc.in).Round(); got != fromF64(tc.want) {
			t.Errorf("round(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	for _, tc := range []struct {
		x    I32F32
		want string
	}{
		{I32F32Zero, "0"}, {I32F32One, "1"}, {I32F32Half, "0.5"}, {I32F32FromInt(-3), "-3"},
		{I32F32FromBits(1), "0.00000000023283064365386962890625"},
		{I32F32Min, "-2147483648"},
	} {
		if got := tc.x.String(); got != tc.want {
			t.Errorf("String(%d) = %q, want %q", tc.x.Bits(), got, tc.want)
		}
	}
}

// floorDiv / truncDiv on big integers: the oracle for the wide arithmetic.
func floorShift(p *big.Int, shift uint) *big.Int {
	return new(big.Int).Rsh(p, shift) // Rsh on big.Int is arithmetic (floor)
}

func truncQuo(a *big.Int, shift uint, b *big.Int) *big.Int {
	n := new(big.Int).Lsh(a, shift)
	return n.Quo(n, b) // Quo truncates toward zero
}

func fits(v *big.Int, nbits uint) bool {
	lim := new(big.Int).Lsh(big.NewInt(1), nbits-1)
	return v.Cmp(lim) < 0 && v.Cmp(new(big.Int).Neg(lim)) >= 0
}

// randBits returns random values biased to edges and magnitudes.
func rand64(r *rand.Rand) int64 {
	switch r.IntN(6) {
	case 0:
		return []int64{0, 1, -1, math.MaxInt64, math.MinInt64, 1 << 32, -(1 << 32)}[r.IntN(7)]
	case 1:
		return int64(r.Uint64()) >> r.UintN(64)
	case 2:
		return int64(r.Uint64() >> r.UintN(64))
	default:
		return int64(r.Uint64())
	}
}

func TestI32F32MulDivAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		a, b := I32F32FromBits(rand64(r)), I32F32FromBits(rand64(r))
		p := new(big.Int).Mul(bigOf32(a), bigOf32(b))
		want := floorShift(p, 32)
		got, ok := a.CheckedMul(b)
		if ok != fits(want, 64) || (ok && got.Bits() != want.Int64()) {
			t.Fatalf("%d*%d: got %d,%v want %v", a.Bits(), b.Bits(), got.Bits(), ok, want)
		}
		sat := a.SaturatingMul(b)
		switch {
		case ok:
			if sat != got {
				t.Fatalf("%d*%d: saturating %d, checked %d", a.Bits(), b.Bits(), sat.Bits(), got.Bits())
			}
		case (a.Bits() < 0) != (b.Bits() < 0):
			if sat != I32F32Min {
				t.Fatalf("%d*%d: saturating %d, want min", a.Bits(), b.Bits(), sat.Bits())
			}
		default:
			if sat != I32F32Max {
				t.Fatalf("%d*%d: saturating %d, want max", a.Bits(), b.Bits(), sat.Bits())
			}
		}
		if b.IsZero() {
			if _, ok := a.CheckedDiv(b); ok {
				t.Fatal("division by zero succeeded")
			}
			continue
		}
		q := truncQuo(bigOf32(a), 32, bigOf32(b))
		gq, ok := a.CheckedDiv(b)
		if ok != fits(q, 64) || (ok && gq.Bits() != q.Int64()) {
			t.Fatalf("%d/%d: got %d,%v want %v", a.Bits(), b.Bits(), gq.Bits(), ok, q)
		}
		s := new(big.Int).Add(bigOf32(a), bigOf32(b))
		gs := a.SaturatingAdd(b)
		switch {
		case fits(s, 64):
			if gs.Bits() != s.Int64() {
				t.Fatalf("%d+%d = %d", a.Bits(), b.Bits(), gs.Bits())
			}
		case s.Sign() > 0:
			if gs != I32F32Max {
				t.Fatal("add did not saturate up")
			}
		default:
			if gs != I32F32Min {
				t.Fatal("add did not saturate down")
			}
		}
		d := new(big.Int).Sub(bigOf32(a), bigOf32(b))
		gd := a.SaturatingSub(b)
		switch {
		case fits(d, 64):
			if gd.Bits() != d.Int64() {
				t.Fatalf("%d-%d = %d", a.Bits(), b.Bits(), gd.Bits())
			}
		case d.Sign() > 0:
			if gd != I32F32Max {
				t.Fatal("sub did not saturate up")
			}
		default:
			if gd != I32F32Min {
				t.Fatal("sub did not saturate down")
			}
		}
	}
}

func rand128(r *rand.Rand) (int64, uint64) {
	switch r.IntN(5) {
	case 0:
		return []int64{0, 1, -1, math.MaxInt64, math.MinInt64}[r.IntN(5)], []uint64{0, 1, math.MaxUint64}[r.IntN(3)]
	case 1:
		return 0, r.Uint64() >> r.UintN(64)
	case 2:
		return int64(r.Uint64()) >> r.UintN(64), r.Uint64()
	default:
		return int64(r.Uint64()), r.Uint64()
	}
}

func TestWideMulDivAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		ah, al := rand128(r)
		bh, bl := rand128(r)
		a, b := I64F64FromBits(ah, al), I64F64FromBits(bh, bl)
		ba, bb := bigOf128(ah, al), bigOf128(bh, bl)
		p := new(big.Int).Mul(ba, bb)
		want := floorShift(p, 64)
		got, ok := a.CheckedMul(b)
		if ok != fits(want, 128) || (ok && bigOf128(got.Bits()).Cmp(want) != 0) {
			t.Fatalf("I64F64 %v*%v: got %v,%v want %v", ba, bb, bigOf128(got.Bits()), ok, want)
		}
		x, y := I96F32FromBits(ah, al), I96F32FromBits(bh, bl)
		want = floorShift(p, 32)
		got96, ok := x.CheckedMul(y)
		if ok != fits(want, 128) || (ok && bigOf128(got96.Bits()).Cmp(want) != 0) {
			t.Fatalf("I96F32 %v*%v: got %v,%v want %v", ba, bb, bigOf128(got96.Bits()), ok, want)
		}
		if bb.Sign() == 0 {
			if _, ok := a.CheckedDiv(b); ok {
				t.Fatal("division by zero succeeded")
			}
			continue
		}
		q := truncQuo(ba, 64, bb)
		gq, ok := a.CheckedDiv(b)
		if ok != fits(q, 128) || (ok && bigOf128(gq.Bits()).Cmp(q) != 0) {
			t.Fatalf("I64F64 %v/%v: got %v,%v want %v", ba, bb, bigOf128(gq.Bits()), ok, q)
		}
	}
	// The epoch's common case: integer over integer.
	for range 100000 {
		num := r.Uint64() >> r.UintN(64) >> 1
		den := r.Uint64()>>r.UintN(64)>>1 | 1
		a, b := I64F64FromU64(num), I64F64FromU64(den)
		q := truncQuo(new(big.Int).Lsh(new(big.Int).SetUint64(num), 64), 64, new(big.Int).Lsh(new(big.Int).SetUint64(den), 64))
		gq, ok := a.CheckedDiv(b)
		if ok != fits(q, 128) || (ok && bigOf128(gq.Bits()).Cmp(q) != 0) {
			t.Fatalf("%d/%d: got %v,%v want %v", num, den, bigOf128(gq.Bits()), ok, q)
		}
	}
}

func TestI96F32ToU64(t *testing.T) {
	for _, tc := range []struct {
		hi   int64
		lo   uint64
		want uint64
	}{
		{0, 0, 0}, {0, 1<<32 - 1, 0}, {0, 1 << 32, 1}, {-1, math.MaxUint64, 0},
		{1 << 31, 0, 1 << 63}, {1<<32 - 1, math.MaxUint64, math.MaxUint64}, {1 << 32, 0, math.MaxUint64},
	} {
		if got := I96F32FromBits(tc.hi, tc.lo).ToU64Sat(); got != tc.want {
			t.Errorf("(%d,%d).ToU64Sat() = %d, want %d", tc.hi, tc.lo, got, tc.want)
		}
	}
}

// expLiteral is transcendental::exp transcribed without the divSmall
// shortcut, as the oracle for Exp.
func expLiteral(x I32F32) (I32F32, bool) {
	if x.IsZero() {
		return I32F32One, true
	}
	if x == I32F32One {
		return eI32F32, true
	}
	neg := x.Bits() < 0
	if neg {
		var ok bool
		if x, ok = x.CheckedNeg(); !ok {
			return I32F32{}, false
		}
	}
	result, ok := x.CheckedAdd(I32F32One)
	if !ok {
		return I32F32{}, false
	}
	term := x
	for i := int64(2); i < 32; i++ {
		if term, ok = term.CheckedMul(x); !ok {
			return I32F32{}, false
		}
		if term, ok = term.CheckedDiv(I32F32FromInt(i)); !ok {
			return I32F32{}, false
		}
		if result, ok = result.CheckedAdd(term); !ok {
			return I32F32{}, false
		}
	}
	if neg {
		return I32F32One.CheckedDiv(result)
	}
	return result, true
}

func TestExpMatchesLiteral(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		x := I32F32FromBits(int64(r.Uint64()) >> (27 + r.UintN(37)))
		got, ok := Exp(x)
		want, wok := expLiteral(x)
		if got != want || ok != wok {
			t.Fatalf("exp(%v) = %v,%v; literal %v,%v", x, got, ok, want, wok)
		}
	}
}

func TestExpRecip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for d := uint64(2); d < 32; d++ {
		m := expRecip[d-2]
		check := func(v uint64) {
			if q, _ := bits.Mul64(v, m); q != v/d {
				t.Fatalf("%d / %d: reciprocal gives %d", v, d, q)
			}
		}
		for v := uint64(0); v < 1<<16; v++ {
			check(v)
			check(1<<58 - 1 - v)
		}
		for range 100000 {
			check(r.Uint64() >> (6 + r.UintN(58)))
		}
	}
}

func TestExpFastPath(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	check := func(x I32F32) {
		t.Helper()
		got, ok := Exp(x)
		want, wok := expLiteral(x)
		if got != want || ok != wok {
			t.Fatalf("exp(%v) = %v,%v; literal %v,%v", x, got, ok, want, wok)
		}
	}
	for d := int64(-3); d <= 3; d++ {
		check(I32F32FromBits(expFastLimit + d))
		check(I32F32FromBits(-expFastLimit + d))
		check(I32F32FromBits(d))
		check(I32F32FromBits(1<<32 + d))
		check(I32F32FromBits(-1<<32 + d))
	}
	for range 300000 {
		check(I32F32FromBits(r.Int64N(2*expFastLimit+1) - expFastLimit))
		check(I32F32FromBits(r.Int64N(12<<32) - 6<<32))
	}
}

func BenchmarkExp(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]I32F32, 4096)
	for i := range xs {
		xs[i] = I32F32FromBits(r.Int64N(10<<32) - 5<<32)
	}
	b.ResetTimer()
	var sink I32F32
	for i := 0; b.Loop(); i++ {
		e, _ := Exp(xs[i%len(xs)])
		sink = sink.WrappingAdd(e)
	}
	_ = sink
}

func BenchmarkExpPos(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]I32F32, 4096)
	for i := range xs {
		xs[i] = I32F32FromBits(r.Int64N(5 << 32))
	}
	b.ResetTimer()
	var sink I32F32
	for i := 0; b.Loop(); i++ {
		e, _ := Exp(xs[i%len(xs)])
		sink = sink.WrappingAdd(e)
	}
	_ = sink
}

func TestExpSlice(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 3, 4, 5, 8, 13, 1000} {
		x := make([]I32F32, n)
		for i := range x {
			switch r.IntN(8) {
			case 0:
				x[i] = I32F32FromBits(int64(r.Uint64()) >> (27 + r.UintN(37)))
			case 1:
				x[i] = []I32F32{I32F32Zero, I32F32One, I32F32One.SaturatingNeg(), I32F32Min, I32F32Max, I32F32FromBits(expFastLimit), I32F32FromBits(expFastLimit + 1)}[r.IntN(7)]
			default:
				x[i] = I32F32FromBits(r.Int64N(2*expFastLimit+1) - expFastLimit)
			}
		}
		dst := make([]I32F32, n)
		ok := make([]bool, n)
		ExpSlice(dst, ok, x)
		for i := range x {
			want, wok := expLiteral(x[i])
			if dst[i] != want || ok[i] != wok {
				t.Fatalf("n=%d: exp(%v) = %v,%v; literal %v,%v", n, x[i], dst[i], ok[i], want, wok)
			}
		}
	}
}

func BenchmarkExpSlice(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]I32F32, 4096)
	for i := range xs {
		xs[i] = I32F32FromBits(r.Int64N(10<<32) - 5<<32)
	}
	dst := make([]I32F32, len(xs))
	ok := make([]bool, len(xs))
	b.ResetTimer()
	for b.Loop() {
		ExpSlice(dst, ok, xs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/exp")
}

// TestSaturatingMulNonNeg: SaturatingMulNonNeg is SaturatingMul for
// non-negative operands, on edge operands and random ones.
func TestSaturatingMulNonNeg(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	check := func(x, y int64) {
		if x < 0 || y < 0 {
			return
		}
		a, b := I32F32FromBits(x), I32F32FromBits(y)
		if got, want := a.SaturatingMulNonNeg(b), a.SaturatingMul(b); got != want {
			t.Fatalf("%d * %d: SaturatingMulNonNeg %d, SaturatingMul %d", x, y, got.Bits(), want.Bits())
		}
	}
	edge := []int64{0, 1, 2, 1 << 31, 1 << 32, 1 << 33, 1 << 47, 1 << 48, 1 << 62, math.MaxInt64, 65535 << 32}
	for _, x := range edge {
		for _, y := range edge {
			for dx := int64(-2); dx <= 2; dx++ {
				for dy := int64(-2); dy <= 2; dy++ {
					check(x+dx, y+dy)
				}
			}
		}
	}
	for range 1_000_000 {
		x, y := rand64(r)&math.MaxInt64, rand64(r)&math.MaxInt64
		check(x, y)
		// Products near the bound: y close to Max / x.
		if x > 0 {
			q, _ := I32F32Max.CheckedDiv(I32F32FromBits(x))
			check(x, q.Bits()+r.Int64N(5)-2)
		}
	}
}

// TestSafeDivNonNeg: SafeDivNonNeg is SafeDiv for non-negative operands,
// on edge operands (every pair, nudged) and random ones.
func TestSafeDivNonNeg(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	check := func(x, y int64) {
		if x < 0 || y < 0 {
			return
		}
		a, b := I32F32FromBits(x), I32F32FromBits(y)
		if got, want := a.SafeDivNonNeg(b), a.SafeDiv(b); got != want {
			t.Fatalf("%d / %d: SafeDivNonNeg %d, SafeDiv %d", x, y, got.Bits(), want.Bits())
		}
	}
	edge := []int64{0, 1, 2, 1 << 31, 1 << 32, 1 << 33, 1 << 62, math.MaxInt64, 65535 << 32}
	for _, x := range edge {
		for _, y := range edge {
			for dx := int64(-2); dx <= 2; dx++ {
				for dy := int64(-2); dy <= 2; dy++ {
					check(x+dx, y+dy)
				}
			}
		}
	}
	for range 1_000_000 {
		x, y := rand64(r)&math.MaxInt64, rand64(r)&math.MaxInt64
		check(x, y)
		// Quotients near the bounds: x = q*y for a random q, nudged.
		p, _ := I32F32FromBits(rand64(r) & math.MaxInt64).CheckedMul(I32F32FromBits(y))
		check(p.Bits()+r.Int64N(5)-2, y)
	}
}
