// Package tao formats and parses TAO amounts for people and scripts: one
// formatter and one parser for every command and view, so an amount reads
// and writes the same everywhere. Amounts are uint64 rao
// (1 TAO = emission.RaoPerTAO = 10^9 rao); nothing here uses floats.
//
// Format writes TAO with exactly 9 decimals ("1.500000000"), the form of
// the "tao" half of the CLI's JSON amounts and of its tables.
//
// Parse reads what people type:
//
//	1.5  .5  21000000  0.000000001   TAO, at most 9 decimals
//	2tao  2 TAO                      the same with an explicit unit
//	1500rao  1500 RAO                a whole number of rao
//	10_500_000  0.000_000_001        '_' between digits, as in Go literals
//
// and refuses anything else: signs, exponents, empty digit runs ("5.",
// "."), more than 9 decimals (ErrPrecision) and amounts above 2^64-1 rao
// (ErrRange). Other malformed input is ErrSyntax.
package tao
