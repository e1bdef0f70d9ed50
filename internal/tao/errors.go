package tao

import "errors"

var (
	// ErrSyntax: the text is not an amount.
	ErrSyntax = errors.New("not an amount")
	// ErrPrecision: the amount has more than 9 decimals (below 1 rao).
	ErrPrecision = errors.New("more than 9 decimals")
	// ErrRange: the amount is above 2^64-1 rao.
	ErrRange = errors.New("amount out of range")
)

// parseError is a parse failure: a message that names the input, and
// one of the sentinels above.
type parseError struct {
	msg  string
	kind error
}

func (e *parseError) Error() string { return e.msg }
func (e *parseError) Unwrap() error { return e.kind }
