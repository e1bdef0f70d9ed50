package tao

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/yumachain/yuma/emission"
)

// decimals is the number of decimal places of one rao in TAO.
const decimals = 9

// Format writes rao as TAO with exactly 9 decimals: 1500000000 is
// "1.500000000", 1 is "0.000000001".
func Format(rao uint64) string {
	return strconv.FormatUint(rao/emission.RaoPerTAO, 10) + "." + fmt.Sprintf("%09d", rao%emission.RaoPerTAO)
}

// Parse reads an amount in TAO ("1.5", "2tao") or rao ("1500rao") and
// returns it in rao, exactly. See the package doc for the accepted forms.
func Parse(s string) (uint64, error) {
	in := strings.TrimSpace(s)
	num := strings.ToLower(in)
	if r, ok := strings.CutSuffix(num, "rao"); ok {
		r = strings.TrimSpace(r)
		if strings.Contains(r, ".") {
			return 0, &parseError{fmt.Sprintf("%q: rao are whole numbers (write TAO without the suffix, or e.g. 1.5tao)", s), ErrSyntax}
		}
		digits, ok := stripUnderscores(r)
		if !ok {
			return 0, &parseError{fmt.Sprintf("%q is not a whole number of rao", s), ErrSyntax}
		}
		v, err := strconv.ParseUint(digits, 10, 64)
		if err != nil {
			return 0, &parseError{fmt.Sprintf("%q is more than 2^64-1 rao", s), ErrRange}
		}
		return v, nil
	}
	if r, ok := strings.CutSuffix(num, "tao"); ok {
		num = strings.TrimSpace(r)
	}
	if num == "" {
		return 0, &parseError{fmt.Sprintf("%q: empty amount (give TAO, e.g. 1.5, or rao, e.g. 1500rao)", s), ErrSyntax}
	}
	wholeText, fracText, hasPoint := strings.Cut(num, ".")
	whole, okWhole := stripUnderscores(wholeText)
	frac, okFrac := stripUnderscores(fracText)
	if !okWhole && wholeText != "" || !okFrac && fracText != "" || hasPoint && fracText == "" || whole == "" && frac == "" {
		return 0, &parseError{fmt.Sprintf("%q is not an amount of TAO like 1.5, 10_500_000 or 1500rao", s), ErrSyntax}
	}
	if len(frac) > decimals {
		return 0, &parseError{fmt.Sprintf("%q has more than 9 decimals (1 rao = 0.000000001 TAO)", s), ErrPrecision}
	}
	var w uint64
	if whole != "" {
		var err error
		if w, err = strconv.ParseUint(whole, 10, 64); err != nil {
			return 0, &parseError{fmt.Sprintf("%q TAO is too large (at most 2^64-1 rao)", s), ErrRange}
		}
	}
	var f uint64
	if frac != "" {
		f, _ = strconv.ParseUint(frac+strings.Repeat("0", decimals-len(frac)), 10, 64) // at most 9 digits
	}
	if w > (math.MaxUint64-f)/emission.RaoPerTAO {
		return 0, &parseError{fmt.Sprintf("%q TAO is too large (at most 2^64-1 rao)", s), ErrRange}
	}
	return w*emission.RaoPerTAO + f, nil
}

// stripUnderscores returns the decimal digits of s without the '_'
// separators, and false unless s is one or more digits with single
// underscores only between digits.
func stripUnderscores(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == '_' && i > 0 && i < len(s)-1 && isDigit(s[i-1]) && isDigit(s[i+1]):
		default:
			return "", false
		}
	}
	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
