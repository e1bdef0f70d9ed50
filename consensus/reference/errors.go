package reference

import "errors"

// ErrInvalidInput is returned (wrapped, with the offending field) when an
// Input does not have the shape the consensus.Input contract requires.
var ErrInvalidInput = errors.New("reference: invalid epoch input")
