package axon

import "errors"

// Errors returned by the parsers and verifiers of this package. Messages
// wrap them with detail; test with errors.Is.
var (
	// ErrMissingAuth: a required authentication header is absent or empty.
	ErrMissingAuth = errors.New("missing authentication header")
	// ErrBadHeader: an authentication header is present but malformed.
	ErrBadHeader = errors.New("malformed authentication header")
	// ErrBadSignature: the signature is malformed (length, encoding,
	// high-S) or does not recover to the expected hotkey.
	ErrBadSignature = errors.New("invalid signature")
	// ErrBadPath: the request path is not /synapse/<name> with a valid name.
	ErrBadPath = errors.New("invalid synapse path")
)
