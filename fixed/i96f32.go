package fixed

import "math"

// I96F32 is a signed fixed-point number with 96 integer and 32 fractional
// bits (substrate_fixed::types::I96F32), used for rao emission products.
// The zero value is 0.
type I96F32 struct{ v u128 }

// I96F32 constants.
var (
	I96F32Zero = I96F32{}
	I96F32Max  = I96F32{u128{hi: math.MaxInt64, lo: math.MaxUint64}}
	I96F32Min  = I96F32{u128{hi: 1 << 63}}
)

// I96F32FromBits builds a number from its 128 raw bits (value / 2^32).
func I96F32FromBits(hi int64, lo uint64) I96F32 { return I96F32{u128{uint64(hi), lo}} }

// Bits returns the raw 128 bits, high word first.
func (x I96F32) Bits() (hi int64, lo uint64) { return int64(x.v.hi), x.v.lo }

// I96F32FromU64 converts exactly.
func I96F32FromU64(v uint64) I96F32 { return I96F32{u128{hi: v >> 32, lo: v << 32}} }

// Cmp returns -1, 0 or +1 as x is less than, equal to or greater than y.
func (x I96F32) Cmp(y I96F32) int { return x.v.scmp(y.v) }

// CheckedMul is floor(x*y), or ok=false when the product does not fit.
func (x I96F32) CheckedMul(y I96F32) (I96F32, bool) {
	r, ok := mulShift(x.v, y.v, 32)
	return I96F32{r}, ok
}

// SaturatingMul is floor(x*y) clamped to [Min, Max].
func (x I96F32) SaturatingMul(y I96F32) I96F32 {
	r, ok := x.CheckedMul(y)
	if !ok {
		if x.v.negative() != y.v.negative() {
			return I96F32Min
		}
		return I96F32Max
	}
	return r
}

// ToU64Sat is saturating_to_num::<u64>(): floor, then clamp to
// [0, 2^64-1].
func (x I96F32) ToU64Sat() uint64 {
	if x.v.negative() {
		return 0
	}
	// integer part = v >> 32 (96 bits)
	if x.v.hi>>32 != 0 {
		return math.MaxUint64
	}
	return x.v.hi<<32 | x.v.lo>>32
}

// String formats x in decimal, exactly.
func (x I96F32) String() string {
	m := x.v.abs()
	if m.hi>>32 != 0 {
		// Integer part beyond 64 bits: print the raw bits (debug only).
		return "I96F32(0x" + hex64(m.hi) + hex64(m.lo) + ">>32)"
	}
	return formatFixed(x.v.negative(), m.hi<<32|m.lo>>32, m.lo&fracMask32, 32)
}

func hex64(v uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[v&15]
		v >>= 4
	}
	return string(b[:])
}
