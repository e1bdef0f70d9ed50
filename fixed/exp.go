package fixed

// eI9F23Bits is substrate_fixed's transcendental::E: the constant e
// truncated to 23 fractional bits (I9F23), i.e. consts::E (U2F126) shifted
// right by 103 bits.
const eI9F23Bits = 0xADF85458 >> 7

// eI32F32 is that constant widened losslessly to I32F32.
var eI32F32 = I32F32{eI9F23Bits << (fracBits32 - 23)}

// Exp is substrate_fixed::transcendental::exp::<I32F32, I32F32>: for x == 0
// it returns 1, for x == 1 the 23-bit constant e, otherwise the Taylor series
// 1 + |x| + sum_{i=2}^{31} |x|^i / i! accumulated with checked I32F32
// arithmetic (term = term*|x| / i), and its reciprocal for negative x.
// ok=false where the Rust function returns Err (an intermediate overflow).
func Exp(x I32F32) (I32F32, bool) {
	if x.bits == 0 {
		return I32F32One, true
	}
	if x == I32F32One {
		return eI32F32, true
	}
	neg := x.bits < 0
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
	for i := 2; i < fracBits32 && term.bits != 0; i++ {
		// Once a term is zero every later one is too and adding them
		// changes nothing, so the loop may stop there.
		if term, ok = term.CheckedMul(x); !ok {
			return I32F32{}, false
		}
		// term.checked_div(from_num(i)): (t * 2^32) / (i * 2^32) is t / i
		// truncated, which never overflows; term is never negative here.
		term = I32F32{int64(divSmall(uint64(term.bits), i))}
		if result, ok = result.CheckedAdd(term); !ok {
			return I32F32{}, false
		}
	}
	if neg {
		if result, ok = I32F32One.CheckedDiv(result); !ok {
			return I32F32{}, false
		}
	}
	return result, true
}

// divSmall is v / d for 2 <= d <= 31 with constant divisors, which the
// compiler turns into multiplications (exact, like the division itself).
func divSmall(v uint64, d int) uint64 {
	switch d {
	case 2:
		return v / 2
	case 3:
		return v / 3
	case 4:
		return v / 4
	case 5:
		return v / 5
	case 6:
		return v / 6
	case 7:
		return v / 7
	case 8:
		return v / 8
	case 9:
		return v / 9
	case 10:
		return v / 10
	case 11:
		return v / 11
	case 12:
		return v / 12
	case 13:
		return v / 13
	case 14:
		return v / 14
	case 15:
		return v / 15
	case 16:
		return v / 16
	case 17:
		return v / 17
	case 18:
		return v / 18
	case 19:
		return v / 19
	case 20:
		return v / 20
	case 21:
		return v / 21
	case 22:
		return v / 22
	case 23:
		return v / 23
	case 24:
		return v / 24
	case 25:
		return v / 25
	case 26:
		return v / 26
	case 27:
		return v / 27
	case 28:
		return v / 28
	case 29:
		return v / 29
	case 30:
		return v / 30
	case 31:
		return v / 31
	}
	return v / uint64(d)
}
