package fixed

import "math/bits"

// eI9F23Bits is substrate_fixed's transcendental::E: the constant e
// truncated to 23 fractional bits (I9F23), i.e. consts::E (U2F126) shifted
// right by 103 bits.
const eI9F23Bits = 0xADF85458 >> 7

// eI32F32 is that constant widened losslessly to I32F32.
var eI32F32 = I32F32{eI9F23Bits << (fracBits32 - 23)}

// expFastLimit bounds the inputs of the fast path of Exp: for |x| <= 16
// every term of the series is below 2^52 (as raw bits), every product
// term*|x| below 2^56 and the sum below 2^56, so no checked operation of the
// series can fail and the products and quotients fit plain 64-bit words.
const expFastLimit = 16 << fracBits32

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
	if a := uabs64(x.bits); a <= expFastLimit {
		r := I32F32{int64(expSeries(a))}
		if x.bits < 0 {
			return I32F32One.SafeDivNonNeg(r), true // r > 1: never fails
		}
		return r, true
	}
	return expChecked(x)
}

// expRecip[i-2] is ceil(2^64 / i) for the divisors 2..31 of the series. For
// v < 2^58, floor(v / i) is the high word of v * expRecip[i-2]: with
// m = ceil(2^64/i) = (2^64 + e)/i, 0 <= e < i, the product overshoots
// v/i by v*e/(i*2^64), which stays below the distance (at least 1/i) from
// v/i to the next integer as long as (v+i)*e < 2^64.
var expRecip = [30]uint64{
	^uint64(0)/2 + 1, ^uint64(0)/3 + 1, ^uint64(0)/4 + 1, ^uint64(0)/5 + 1,
	^uint64(0)/6 + 1, ^uint64(0)/7 + 1, ^uint64(0)/8 + 1, ^uint64(0)/9 + 1,
	^uint64(0)/10 + 1, ^uint64(0)/11 + 1, ^uint64(0)/12 + 1, ^uint64(0)/13 + 1,
	^uint64(0)/14 + 1, ^uint64(0)/15 + 1, ^uint64(0)/16 + 1, ^uint64(0)/17 + 1,
	^uint64(0)/18 + 1, ^uint64(0)/19 + 1, ^uint64(0)/20 + 1, ^uint64(0)/21 + 1,
	^uint64(0)/22 + 1, ^uint64(0)/23 + 1, ^uint64(0)/24 + 1, ^uint64(0)/25 + 1,
	^uint64(0)/26 + 1, ^uint64(0)/27 + 1, ^uint64(0)/28 + 1, ^uint64(0)/29 + 1,
	^uint64(0)/30 + 1, ^uint64(0)/31 + 1,
}

// expSeries is the series of Exp for raw bits 0 < a <= expFastLimit, where
// no step can overflow (see expFastLimit): term = floor(term*a / 2^32),
// then floor(term / i) (the I32F32 checked_mul and checked_div by i), added
// to 1 + a. Once a term is zero every later one is too, so the loop stops.
//
// The product is taken as the high word of (term << 5) * (a << 27), which
// is floor(term*a / 2^32) (term < 2^52 and a <= 2^36 keep both factors
// within 64 bits), so that it feeds the division without a shift.
func expSeries(a uint64) uint64 {
	r := a + 1<<fracBits32
	t, as := a<<5, a<<27
	for _, m := range &expRecip {
		p, _ := bits.Mul64(t, as)
		q, _ := bits.Mul64(p, m)
		if q == 0 {
			break
		}
		r += q
		t = q << 5
	}
	return r
}

// expChecked is Exp with every step checked, for |x| > expFastLimit.
func expChecked(x I32F32) (I32F32, bool) {
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

// expSeries4 is expSeries of four inputs, each a <= expFastLimit, with the
// four independent chains interleaved so that their multiplications
// overlap; it runs until every term is zero (a zero term adds nothing and
// stays zero), so each result is expSeries's. For a == 0 the result is 1,
// which is Exp(0).
func expSeries4(a0, a1, a2, a3 uint64) (r0, r1, r2, r3 uint64) {
	r0, r1, r2, r3 = a0+1<<fracBits32, a1+1<<fracBits32, a2+1<<fracBits32, a3+1<<fracBits32
	s0, s1, s2, s3 := a0<<27, a1<<27, a2<<27, a3<<27
	t0, t1, t2, t3 := a0<<5, a1<<5, a2<<5, a3<<5
	for _, m := range &expRecip {
		p0, _ := bits.Mul64(t0, s0)
		p1, _ := bits.Mul64(t1, s1)
		p2, _ := bits.Mul64(t2, s2)
		p3, _ := bits.Mul64(t3, s3)
		q0, _ := bits.Mul64(p0, m)
		q1, _ := bits.Mul64(p1, m)
		q2, _ := bits.Mul64(p2, m)
		q3, _ := bits.Mul64(p3, m)
		if q0|q1|q2|q3 == 0 {
			break
		}
		r0 += q0
		r1 += q1
		r2 += q2
		r3 += q3
		t0, t1, t2, t3 = q0<<5, q1<<5, q2<<5, q3<<5
	}
	return
}

// ExpSlice sets dst[i], ok[i] = Exp(x[i]) for every i (dst and ok at least
// as long as x). It gives exactly Exp's results but evaluates the series of
// four inputs at a time, interleaved, which is several times faster than
// calling Exp in a loop.
func ExpSlice(dst []I32F32, ok []bool, x []I32F32) {
	dst, ok = dst[:len(x)], ok[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		a0, a1, a2, a3 := uabs64(v[0].bits), uabs64(v[1].bits), uabs64(v[2].bits), uabs64(v[3].bits)
		if max(a0, a1, a2, a3) > expFastLimit {
			for k := i; k < i+4; k++ {
				dst[k], ok[k] = Exp(x[k])
			}
			continue
		}
		r0, r1, r2, r3 := expSeries4(a0, a1, a2, a3)
		dst[i], ok[i] = expFinish(v[0], r0)
		dst[i+1], ok[i+1] = expFinish(v[1], r1)
		dst[i+2], ok[i+2] = expFinish(v[2], r2)
		dst[i+3], ok[i+3] = expFinish(v[3], r3)
	}
	for ; i < len(x); i++ {
		dst[i], ok[i] = Exp(x[i])
	}
}

// expFinish turns the series sum r of |x| into Exp(x) for |x| <=
// expFastLimit: the constant e for x == 1, the reciprocal for negative x
// (r is 1 for x == 0).
func expFinish(x I32F32, r uint64) (I32F32, bool) {
	switch {
	case x == I32F32One:
		return eI32F32, true
	case x.bits < 0:
		// r > 1, so 1/r never fails.
		return I32F32One.SafeDivNonNeg(I32F32{int64(r)}), true
	}
	return I32F32{int64(r)}, true
}
