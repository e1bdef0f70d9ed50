// Package fixed implements the binary fixed-point numbers the Yuma epoch
// computes with, reproducing the behaviour of the Rust crate substrate_fixed
// (encointer/substrate-fixed v0.6.0, a fork of the fixed crate) that
// opentensor/subtensor uses, bit for bit.
//
// Ring 1 (pure math): standard library only, no floats, no clock, no
// goroutines; the arithmetic does not allocate (only String does). Every
// operation is a pure function of its
// operands and gives the same bits on every architecture (GOARCH=386, amd64
// v1/v3, arm64); widening uses math/bits, never math/big or float64.
//
// Types (the bits are a two's complement integer scaled by 2^-frac):
//
//	I32F32  64-bit, 32 fractional bits   (subtensor's workhorse)
//	I64F64  128-bit, 64 fractional bits  (stake normalisation)
//	I96F32  128-bit, 32 fractional bits  (rao emission products)
//
// Contract, per operation (names follow the Rust methods they mirror):
//
//   - Multiplication keeps the full double-width product and shifts it right
//     by the fractional bit count: the result is floor(a*b / 2^frac), which
//     is what substrate_fixed's widening multiply does (it rounds toward
//     minus infinity, also for negative products).
//   - Division computes (a * 2^frac) / b on the double width with truncation
//     toward zero, as Rust's integer division does.
//   - Checked* return ok=false on overflow (and on division by zero);
//     Saturating* clamp to the type's Min or Max on overflow, choosing the
//     sign of the exact result; SafeDiv (subtensor's safe_math) returns zero
//     on division by zero or overflow; Wrapping* wrap around, which is what
//     Rust's plain + does in a release build (used by iter().sum()).
//   - Conversions to a type with fewer fractional bits drop the low bits
//     (floor); conversions to integers (To*Sat) floor and then clamp to the
//     integer's range, so negative values become 0.
//   - Round rounds to the nearest integer with ties away from zero
//     (2.5 -> 3, -2.5 -> -3), wrapping on overflow as a release build does.
//   - Exp is substrate_fixed::transcendental::exp specialised to I32F32: a
//     Taylor series of 30 terms with checked I32F32 arithmetic, inverted for
//     negative inputs; it reports ok=false where the Rust function returns
//     Err.
//
// Where the Rust code would panic (saturating_div by zero, from_num of an
// out-of-range value), these functions saturate instead and say so in their
// documentation; the epoch never reaches those inputs on valid data.
package fixed
