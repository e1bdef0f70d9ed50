package fixed

import "math/bits"

// u128 is a 128-bit word pair. Depending on the caller it holds an unsigned
// magnitude or a two's complement signed value (sign in the top bit of hi).
type u128 struct{ hi, lo uint64 }

func (a u128) isZero() bool { return a.hi == 0 && a.lo == 0 }

// negative reports the sign bit of a two's complement value.
func (a u128) negative() bool { return int64(a.hi) < 0 }

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}
}

func (a u128) sub(b u128) u128 {
	lo, c := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, c)
	return u128{hi, lo}
}

// neg is the two's complement negation (wrapping).
func (a u128) neg() u128 { return u128{}.sub(a) }

// abs is the magnitude of a two's complement value as an unsigned number
// (2^127 for the minimum value).
func (a u128) abs() u128 {
	if a.negative() {
		return a.neg()
	}
	return a
}

// ucmp compares two unsigned values.
func (a u128) ucmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// scmp compares two signed values.
func (a u128) scmp(b u128) int {
	if int64(a.hi) != int64(b.hi) {
		if int64(a.hi) < int64(b.hi) {
			return -1
		}
		return 1
	}
	switch {
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// mul256 is the full unsigned product a*b as four words, most significant
// first.
func mul256(a, b u128) (w3, w2, w1, w0 uint64) {
	h00, l00 := bits.Mul64(a.lo, b.lo)
	h01, l01 := bits.Mul64(a.lo, b.hi)
	h10, l10 := bits.Mul64(a.hi, b.lo)
	h11, l11 := bits.Mul64(a.hi, b.hi)
	w0 = l00
	var c1, c2 uint64
	w1, c1 = bits.Add64(h00, l01, 0)
	w1, c2 = bits.Add64(w1, l10, 0)
	carry := c1 + c2
	var d1, d2, d3 uint64
	w2, d1 = bits.Add64(h01, h10, 0)
	w2, d2 = bits.Add64(w2, l11, 0)
	w2, d3 = bits.Add64(w2, carry, 0)
	w3 = h11 + d1 + d2 + d3
	return
}

// mulShift computes floor(a*b / 2^shift) for signed a and b (shift is 32 or
// 64) and reports whether the result fits a signed 128-bit value.
func mulShift(a, b u128, shift uint) (u128, bool) {
	neg := a.negative() != b.negative()
	w3, w2, w1, w0 := mul256(a.abs(), b.abs())
	var q3, q2, q1, q0 uint64 // m >> shift
	var rem bool
	switch shift {
	case 64:
		q3, q2, q1, q0 = 0, w3, w2, w1
		rem = w0 != 0
	case 32:
		q3 = w3 >> 32
		q2 = w3<<32 | w2>>32
		q1 = w2<<32 | w1>>32
		q0 = w1<<32 | w0>>32
		rem = w0<<32 != 0
	default:
		panic("fixed: unsupported shift") // unreachable: internal callers only
	}
	q := u128{q1, q0}
	if neg && rem {
		// floor of a negative quotient: one more in magnitude.
		var c uint64
		q.lo, c = bits.Add64(q.lo, 1, 0)
		q.hi, c = bits.Add64(q.hi, 0, c)
		q2 += c
		if q2 == 0 && c != 0 {
			q3++
		}
	}
	if q3 != 0 || q2 != 0 {
		return u128{}, false
	}
	return signFromMagnitude(q, neg)
}

// signFromMagnitude applies a sign to a magnitude and reports whether the
// result fits a signed 128-bit value.
func signFromMagnitude(q u128, neg bool) (u128, bool) {
	if neg {
		if q.hi > 1<<63 || (q.hi == 1<<63 && q.lo != 0) {
			return u128{}, false
		}
		return q.neg(), true
	}
	if q.hi >= 1<<63 {
		return u128{}, false
	}
	return q, true
}

// div3by2 divides the 192-bit value (u2, u1, u0) by d, where d.hi != 0 and
// (u2, u1) < d, so the quotient fits 64 bits. It returns quotient and
// remainder (Knuth's algorithm D for one digit, with the estimate corrected
// at most twice).
func div3by2(u2, u1, u0 uint64, d u128) (uint64, u128) {
	s := uint(bits.LeadingZeros64(d.hi))
	d1, d0 := d.hi, d.lo
	v2, v1, v0 := u2, u1, u0
	if s != 0 {
		d1 = d.hi<<s | d.lo>>(64-s)
		d0 = d.lo << s
		v2 = u2<<s | u1>>(64-s)
		v1 = u1<<s | u0>>(64-s)
		v0 = u0 << s
	}
	var qhat uint64
	if v2 >= d1 {
		qhat = ^uint64(0)
	} else {
		qhat, _ = bits.Div64(v2, v1, d1)
	}
	// p = qhat * (d1, d0), three words.
	ph0, pl0 := bits.Mul64(qhat, d0)
	ph1, pl1 := bits.Mul64(qhat, d1)
	p0 := pl0
	p1, c := bits.Add64(ph0, pl1, 0)
	p2 := ph1 + c
	for gt3(p2, p1, p0, v2, v1, v0) {
		qhat--
		var b uint64
		p0, b = bits.Sub64(p0, d0, 0)
		p1, b = bits.Sub64(p1, d1, b)
		p2 -= b
	}
	r0, b := bits.Sub64(v0, p0, 0)
	r1, _ := bits.Sub64(v1, p1, b)
	// The remainder is below the normalised divisor, so it fits two words.
	if s != 0 {
		r0 = r0>>s | r1<<(64-s)
		r1 >>= s
	}
	return qhat, u128{r1, r0}
}

func gt3(a2, a1, a0, b2, b1, b0 uint64) bool {
	if a2 != b2 {
		return a2 > b2
	}
	if a1 != b1 {
		return a1 > b1
	}
	return a0 > b0
}

// divShift computes (a * 2^shift) / b for signed a and b with truncation
// toward zero (shift is 32 or 64) and reports whether b is non-zero and the
// quotient fits a signed 128-bit value.
func divShift(a, b u128, shift uint) (u128, bool) {
	if b.isZero() {
		return u128{}, false
	}
	neg := a.negative() != b.negative()
	m := a.abs()
	d := b.abs()
	// n = m << shift as three words (n2, n1, n0).
	var n2, n1, n0 uint64
	switch shift {
	case 64:
		n2, n1, n0 = m.hi, m.lo, 0
	case 32:
		n2, n1, n0 = m.hi>>32, m.hi<<32|m.lo>>32, m.lo<<32
	default:
		panic("fixed: unsupported shift") // unreachable: internal callers only
	}
	var q u128
	if d.hi == 0 {
		if n2 >= d.lo {
			return u128{}, false // quotient needs more than 128 bits
		}
		var r uint64
		q.hi, r = bits.Div64(n2, n1, d.lo)
		q.lo, _ = bits.Div64(r, n0, d.lo)
	} else {
		var r u128
		q.hi, r = div3by2(0, n2, n1, d)
		q.lo, _ = div3by2(r.hi, r.lo, n0, d)
	}
	return signFromMagnitude(q, neg)
}
