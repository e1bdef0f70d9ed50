package types

import "errors"

// Errors returned when decoding or verifying values. They are sentinels so
// callers can test with errors.Is; messages wrap them with detail.
var (
	// ErrBadAddress: the text is not a valid address.
	ErrBadAddress = errors.New("invalid address")
	// ErrTxTooLarge: the encoded transaction exceeds MaxTxSize.
	ErrTxTooLarge = errors.New("transaction too large")
	// ErrTxDecode: the bytes are not a canonical transaction encoding.
	ErrTxDecode = errors.New("malformed transaction")
	// ErrBadSignature: the signature is malformed, not low-S, or does not
	// recover to a public key.
	ErrBadSignature = errors.New("invalid signature")
	// ErrUnknownCall: the transaction names a call kind this chain does not
	// know.
	ErrUnknownCall = errors.New("unknown call")
	// ErrCallDecode: the call payload does not decode as its kind.
	ErrCallDecode = errors.New("malformed call payload")
)
