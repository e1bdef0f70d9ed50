package fixed

import (
	"math"
	"math/bits"
)

// I64F64 is a signed fixed-point number with 64 integer and 64 fractional
// bits (substrate_fixed::types::I64F64): hi holds the integer part (two's
// complement), lo the fraction. The zero value is 0.
type I64F64 struct {
	hi int64
	lo uint64
}

// I64F64 constants.
var (
	I64F64Zero = I64F64{}
	I64F64One  = I64F64{hi: 1}
	I64F64Max  = I64F64{hi: math.MaxInt64, lo: math.MaxUint64}
	I64F64Min  = I64F64{hi: math.MinInt64}
)

// I64F64FromBits builds a number from its 128 raw bits (value / 2^64).
func I64F64FromBits(hi int64, lo uint64) I64F64 { return I64F64{hi, lo} }

// Bits returns the raw 128 bits, high word first.
func (x I64F64) Bits() (hi int64, lo uint64) { return x.hi, x.lo }

// I64F64FromU64 is saturating_from_num for u64: values above 2^63-1 give
// I64F64Max.
func I64F64FromU64(v uint64) I64F64 {
	if v > math.MaxInt64 {
		return I64F64Max
	}
	return I64F64{hi: int64(v)}
}

// I64F64FromInt converts exactly.
func I64F64FromInt(v int64) I64F64 { return I64F64{hi: v} }

func (x I64F64) w() u128        { return u128{uint64(x.hi), x.lo} }
func i64f64FromW(w u128) I64F64 { return I64F64{int64(w.hi), w.lo} }

// IsZero reports x == 0.
func (x I64F64) IsZero() bool { return x.hi == 0 && x.lo == 0 }

// Cmp returns -1, 0 or +1 as x is less than, equal to or greater than y.
func (x I64F64) Cmp(y I64F64) int { return x.w().scmp(y.w()) }

// WrappingAdd is x + y wrapping on overflow (release-build +, iter().sum()).
func (x I64F64) WrappingAdd(y I64F64) I64F64 { return i64f64FromW(x.w().add(y.w())) }

// SaturatingAdd is x + y clamped to [Min, Max].
func (x I64F64) SaturatingAdd(y I64F64) I64F64 {
	if y.IsZero() {
		return x
	}
	s := x.WrappingAdd(y)
	yPos := y.hi >= 0
	if (s.Cmp(x) > 0) != yPos {
		if yPos {
			return I64F64Max
		}
		return I64F64Min
	}
	return s
}

// SaturatingSub is x - y clamped to [Min, Max].
func (x I64F64) SaturatingSub(y I64F64) I64F64 {
	if y.IsZero() {
		return x
	}
	d := i64f64FromW(x.w().sub(y.w()))
	yPos := y.hi >= 0
	if (d.Cmp(x) < 0) != yPos {
		if yPos {
			return I64F64Min
		}
		return I64F64Max
	}
	return d
}

// CheckedMul is floor(x*y), or ok=false when the product does not fit.
func (x I64F64) CheckedMul(y I64F64) (I64F64, bool) {
	r, ok := mulShift(x.w(), y.w(), 64)
	return i64f64FromW(r), ok
}

// SaturatingMul is floor(x*y) clamped to [Min, Max].
func (x I64F64) SaturatingMul(y I64F64) I64F64 {
	r, ok := x.CheckedMul(y)
	if !ok {
		if (x.hi < 0) != (y.hi < 0) {
			return I64F64Min
		}
		return I64F64Max
	}
	return r
}

// CheckedDiv is x/y truncated toward zero, or ok=false when y is zero or the
// quotient does not fit.
func (x I64F64) CheckedDiv(y I64F64) (I64F64, bool) {
	if x.lo == 0 && y.lo == 0 && y.hi > 0 && x.hi >= 0 && x.hi < y.hi {
		// Fast path for the epoch's common case (integer stake over a
		// larger integer sum): the quotient is (x.hi * 2^64) / y.hi < 1.
		q, _ := bits.Div64(uint64(x.hi), 0, uint64(y.hi))
		return I64F64{lo: q}, true
	}
	r, ok := divShift(x.w(), y.w(), 64)
	return i64f64FromW(r), ok
}

// SafeDiv is subtensor's safe_div: x/y, or 0 when y is zero or the quotient
// overflows.
func (x I64F64) SafeDiv(y I64F64) I64F64 {
	r, _ := x.CheckedDiv(y)
	return r
}

// ToU64Sat is saturating_to_num::<u64>(): floor, negative values give 0.
func (x I64F64) ToU64Sat() uint64 {
	if x.hi < 0 {
		return 0
	}
	return uint64(x.hi)
}

// String formats x in decimal, exactly.
func (x I64F64) String() string {
	m := x.w().abs()
	return formatFixed(x.hi < 0, m.hi, m.lo, 64)
}
