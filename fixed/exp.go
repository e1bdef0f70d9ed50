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
	for i := int64(2); i < fracBits32; i++ {
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
		if result, ok = I32F32One.CheckedDiv(result); !ok {
			return I32F32{}, false
		}
	}
	return result, true
}
