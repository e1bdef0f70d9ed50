package fixed

import (
	"math"
	"math/bits"
)

// I32F32 is a signed fixed-point number with 32 integer and 32 fractional
// bits (substrate_fixed::types::I32F32). The zero value is 0.
type I32F32 struct{ bits int64 }

const (
	fracBits32 = 32
	fracMask32 = 1<<fracBits32 - 1
)

// I32F32 constants.
var (
	I32F32Zero = I32F32{}
	I32F32One  = I32F32{1 << fracBits32}
	I32F32Max  = I32F32{math.MaxInt64}
	I32F32Min  = I32F32{math.MinInt64}
	// I32F32Half is 0.5.
	I32F32Half = I32F32{1 << (fracBits32 - 1)}
)

// I32F32FromBits returns the number whose raw bits are b (value b / 2^32).
func I32F32FromBits(b int64) I32F32 { return I32F32{b} }

// Bits returns the raw two's complement bits (value * 2^32).
func (x I32F32) Bits() int64 { return x.bits }

// I32F32FromU16 converts exactly.
func I32F32FromU16(v uint16) I32F32 { return I32F32{int64(v) << fracBits32} }

// I32F32FromU64 is saturating_from_num for u64: values above the maximum
// integer part give I32F32Max.
func I32F32FromU64(v uint64) I32F32 {
	if v > math.MaxInt32 {
		return I32F32Max
	}
	return I32F32{int64(v) << fracBits32}
}

// I32F32FromInt is saturating_from_num for a signed integer.
func I32F32FromInt(v int64) I32F32 {
	if v > math.MaxInt32 {
		return I32F32Max
	}
	if v < math.MinInt32 {
		return I32F32Min
	}
	return I32F32{v << fracBits32}
}

// I32F32FromI64F64 is I32F32::saturating_from_num(I64F64): the low 32
// fractional bits are dropped (floor) and out-of-range values saturate.
func I32F32FromI64F64(x I64F64) I32F32 {
	// value bits = x >> 32 (arithmetic); fits when hi is within int32 range.
	if x.hi > math.MaxInt32 {
		return I32F32Max
	}
	if x.hi < math.MinInt32 {
		return I32F32Min
	}
	return I32F32{x.hi<<32 | int64(x.lo>>32)}
}

// IsZero reports x == 0.
func (x I32F32) IsZero() bool { return x.bits == 0 }

// Cmp returns -1, 0 or +1 as x is less than, equal to or greater than y.
func (x I32F32) Cmp(y I32F32) int {
	switch {
	case x.bits < y.bits:
		return -1
	case x.bits > y.bits:
		return 1
	}
	return 0
}

// Less reports x < y.
func (x I32F32) Less(y I32F32) bool { return x.bits < y.bits }

// Min returns the smaller of x and y (Ord::min).
func (x I32F32) Min(y I32F32) I32F32 {
	if y.bits < x.bits {
		return y
	}
	return x
}

// Max returns the larger of x and y (Ord::max).
func (x I32F32) Max(y I32F32) I32F32 {
	if y.bits > x.bits {
		return y
	}
	return x
}

// WrappingAdd is x + y wrapping on overflow (Rust's + in a release build,
// as used by iter().sum()).
func (x I32F32) WrappingAdd(y I32F32) I32F32 { return I32F32{x.bits + y.bits} }

// SaturatingAdd is x + y clamped to [Min, Max].
func (x I32F32) SaturatingAdd(y I32F32) I32F32 {
	s := x.bits + y.bits
	if (s > x.bits) != (y.bits > 0) {
		if y.bits > 0 {
			return I32F32Max
		}
		return I32F32Min
	}
	return I32F32{s}
}

// SaturatingSub is x - y clamped to [Min, Max].
func (x I32F32) SaturatingSub(y I32F32) I32F32 {
	d := x.bits - y.bits
	if (d < x.bits) != (y.bits > 0) {
		if y.bits > 0 {
			return I32F32Min
		}
		return I32F32Max
	}
	return I32F32{d}
}

// SaturatingNeg is -x clamped (-Min gives Max).
func (x I32F32) SaturatingNeg() I32F32 {
	if x.bits == math.MinInt64 {
		return I32F32Max
	}
	return I32F32{-x.bits}
}

// CheckedNeg is -x, or ok=false for Min.
func (x I32F32) CheckedNeg() (I32F32, bool) {
	if x.bits == math.MinInt64 {
		return I32F32{}, false
	}
	return I32F32{-x.bits}, true
}

// CheckedAdd is x + y, or ok=false on overflow.
func (x I32F32) CheckedAdd(y I32F32) (I32F32, bool) {
	s := x.bits + y.bits
	if (s > x.bits) != (y.bits > 0) {
		return I32F32{}, false
	}
	return I32F32{s}, true
}

// CheckedMul is floor(x*y), or ok=false when the product does not fit.
func (x I32F32) CheckedMul(y I32F32) (I32F32, bool) {
	hi, lo := bits.Mul64(uint64(x.bits), uint64(y.bits))
	// Signed correction of the unsigned product of the two's complement
	// representations gives the signed 128-bit product.
	if x.bits < 0 {
		hi -= uint64(y.bits)
	}
	if y.bits < 0 {
		hi -= uint64(x.bits)
	}
	r := int64(hi<<32 | lo>>32)
	if int64(hi)>>31 != r>>63 {
		return I32F32{}, false
	}
	return I32F32{r}, true
}

// SaturatingMul is floor(x*y) clamped to [Min, Max].
func (x I32F32) SaturatingMul(y I32F32) I32F32 {
	hi, lo := bits.Mul64(uint64(x.bits), uint64(y.bits))
	// Signed correction (branch-free) gives the signed 128-bit product.
	hi -= uint64(y.bits)&uint64(x.bits>>63) + uint64(x.bits)&uint64(y.bits>>63)
	r := int64(hi<<32 | lo>>32)
	if int64(hi)>>31 != r>>63 {
		// Saturate by the sign of the exact product: Max ^ -1 = Min.
		return I32F32{math.MaxInt64 ^ (x.bits^y.bits)>>63}
	}
	return I32F32{r}
}

// SaturatingMulNonNeg is x.SaturatingMul(y) for non-negative x and y, in
// fewer operations (no sign corrections: the product is below 2^126, and
// its floor fits unless the high word reaches 2^31, which saturates to
// Max). Precondition: x >= 0 and y >= 0; for a negative operand the result
// is not SaturatingMul's.
func (x I32F32) SaturatingMulNonNeg(y I32F32) I32F32 {
	hi, lo := bits.Mul64(uint64(x.bits), uint64(y.bits))
	if hi >= 1<<31 {
		return I32F32Max
	}
	return I32F32{int64(hi<<32 | lo>>32)}
}

// CheckedDiv is x/y truncated toward zero, or ok=false when y is zero or
// the quotient does not fit.
func (x I32F32) CheckedDiv(y I32F32) (I32F32, bool) {
	if y.bits == 0 {
		return I32F32{}, false
	}
	neg := (x.bits < 0) != (y.bits < 0)
	m := uabs64(x.bits)
	d := uabs64(y.bits)
	hi, lo := m>>32, m<<32
	if hi >= d {
		return I32F32{}, false
	}
	q, _ := bits.Div64(hi, lo, d)
	if neg {
		if q > 1<<63 {
			return I32F32{}, false
		}
		return I32F32{int64(-q)}, true
	}
	if q > math.MaxInt64 {
		return I32F32{}, false
	}
	return I32F32{int64(q)}, true
}

// SaturatingDiv is x/y clamped to [Min, Max] on overflow. Division by zero
// panics in Rust; here it saturates by the sign of x (zero for x == 0).
func (x I32F32) SaturatingDiv(y I32F32) I32F32 {
	r, ok := x.CheckedDiv(y)
	if ok {
		return r
	}
	if y.bits == 0 {
		switch {
		case x.bits > 0:
			return I32F32Max
		case x.bits < 0:
			return I32F32Min
		}
		return I32F32{}
	}
	if (x.bits < 0) != (y.bits < 0) {
		return I32F32Min
	}
	return I32F32Max
}

// SafeDiv is subtensor's safe_div: x/y, or 0 when y is zero or the quotient
// overflows.
func (x I32F32) SafeDiv(y I32F32) I32F32 {
	r, _ := x.CheckedDiv(y)
	return r
}

// SafeDivNonNeg is x.SafeDiv(y) for non-negative x and y, in few enough
// operations that the compiler inlines it into loops that divide millions
// of times (the epoch's normalisations, whose operands are never negative).
// Precondition: x >= 0 and y >= 0; for a negative operand the result is
// not SafeDiv's (it divides the raw bits as unsigned numbers).
func (x I32F32) SafeDivNonNeg(y I32F32) (r I32F32) {
	a, d := uint64(x.bits), uint64(y.bits)
	if a>>fracBits32 < d { // also y == 0: CheckedDiv's bound
		q, _ := bits.Div64(a>>fracBits32, a<<fracBits32, d)
		r.bits = int64(q) &^ (int64(q) >> 63) // 0 when q > Max
	}
	return
}

// Round rounds to the nearest integer, ties away from zero, wrapping on
// overflow (the fixed crate's round() in a release build).
func (x I32F32) Round() I32F32 {
	integer := x.bits &^ fracMask32
	if x.bits&(1<<(fracBits32-1)) == 0 {
		return I32F32{integer}
	}
	tie := x.bits&fracMask32 == 1<<(fracBits32-1)
	if tie && x.bits < 0 {
		return I32F32{integer}
	}
	return I32F32{integer + 1<<fracBits32}
}

// ToU16Sat is saturating_to_num::<u16>(): floor, then clamp to [0, 65535].
func (x I32F32) ToU16Sat() uint16 {
	i := x.bits >> fracBits32
	switch {
	case i < 0:
		return 0
	case i > math.MaxUint16:
		return math.MaxUint16
	}
	return uint16(i)
}

// ToU64Sat is saturating_to_num::<u64>(): floor, negative values give 0.
func (x I32F32) ToU64Sat() uint64 {
	i := x.bits >> fracBits32
	if i < 0 {
		return 0
	}
	return uint64(i)
}

// ToI64F64 converts exactly.
func (x I32F32) ToI64F64() I64F64 {
	return I64F64{hi: x.bits >> 32, lo: uint64(x.bits) << 32}
}

// ToI96F32 converts exactly.
func (x I32F32) ToI96F32() I96F32 {
	return I96F32{u128{hi: uint64(x.bits >> 63), lo: uint64(x.bits)}}
}

// String formats x in decimal, exactly (up to 32 fractional digits,
// trailing zeros trimmed).
func (x I32F32) String() string {
	return formatFixed(x.bits < 0, uabs64(x.bits)>>fracBits32, uabs64(x.bits)&fracMask32, fracBits32)
}

func uabs64(v int64) uint64 {
	if v < 0 {
		return -uint64(v)
	}
	return uint64(v)
}

// formatFixed prints sign, integer part and a fraction of frac/2^nbits
// (nbits <= 64, frac < 2^nbits) exactly.
func formatFixed(neg bool, intPart, frac uint64, nbits uint) string {
	buf := make([]byte, 0, 48)
	if neg {
		buf = append(buf, '-')
	}
	buf = appendUint(buf, intPart)
	if frac == 0 {
		return string(buf)
	}
	buf = append(buf, '.')
	// Multiply the fraction by 10 repeatedly; keep it as a 128-bit number
	// (hi holds the digit once it overflows nbits).
	for frac != 0 {
		hi, lo := bits.Mul64(frac, 10)
		var digit uint64
		if nbits == 64 {
			digit, frac = hi, lo
		} else {
			digit = hi<<(64-nbits) | lo>>nbits
			frac = lo & (1<<nbits - 1)
		}
		buf = append(buf, byte('0'+digit))
	}
	return string(buf)
}

func appendUint(buf []byte, v uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(buf, tmp[i:]...)
}
