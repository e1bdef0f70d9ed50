package emission

import "math/bits"

// u128 is an unsigned 128-bit integer, enough for amount*weight products
// and for sums of up to 2^64 uint64 weights.
type u128 struct{ hi, lo uint64 }

func mul64(a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	return u128{hi, lo}
}

func (x u128) isZero() bool { return x.hi == 0 && x.lo == 0 }

// add64 returns x + y; callers keep the sum below 2^128.
func (x u128) add64(y uint64) u128 {
	lo, c := bits.Add64(x.lo, y, 0)
	return u128{x.hi + c, lo}
}

// sub returns x - y for x >= y.
func (x u128) sub(y u128) u128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	return u128{x.hi - y.hi - b, lo}
}

func (x u128) cmp(y u128) int {
	switch {
	case x.hi < y.hi:
		return -1
	case x.hi > y.hi:
		return 1
	case x.lo < y.lo:
		return -1
	case x.lo > y.lo:
		return 1
	}
	return 0
}

// mulU128 returns q*d; callers guarantee it fits in 128 bits.
func mulU128(q uint64, d u128) u128 {
	hi, lo := bits.Mul64(q, d.lo)
	return u128{hi + q*d.hi, lo}
}

// divmod returns floor(n/d) and n mod d. It requires d != 0 and
// floor(n/d) < 2^64 (true for amount*w/W with w <= W); it panics otherwise,
// which would be a broken invariant of the caller.
//
// For a divisor wider than 64 bits it uses the normalised one-step
// estimate of Hacker's Delight (2nd ed., section 9-5): divide the top 128
// bits of n/2 by the top 64 bits of the normalised d, undo the shifts, and
// correct the estimate by at most one.
func divmod(n, d u128) (uint64, u128) {
	if d.hi == 0 {
		if n.hi >= d.lo {
			panic("emission: divmod quotient overflows 64 bits")
		}
		q, r := bits.Div64(n.hi, n.lo, d.lo)
		return q, u128{0, r}
	}
	s := uint(bits.LeadingZeros64(d.hi))
	v1 := d.hi << s
	if s != 0 {
		v1 |= d.lo >> (64 - s)
	}
	u1 := u128{n.hi >> 1, n.lo>>1 | n.hi<<63}
	q1, _ := bits.Div64(u1.hi, u1.lo, v1) // u1.hi < 2^63 <= v1
	q := q1 >> (63 - s)                   // (q1 << s) >> 63 without losing q1's top bits
	if q != 0 {
		q--
	}
	r := n.sub(mulU128(q, d))
	if r.cmp(d) >= 0 {
		q++
		r = r.sub(d)
	}
	return q, r
}
