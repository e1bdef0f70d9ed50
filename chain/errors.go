package chain

import (
	"errors"
	"fmt"
)

// TxError is the named reason a transaction failed. Its Code is the stable
// identifier clients match on (it appears in receipts, RPC errors and CLI
// output); Msg is the human explanation. RetryAt, when non-zero, is the first
// block at which the same call can succeed (rate limits).
type TxError struct {
	Code    string
	Msg     string
	RetryAt uint64
}

func (e *TxError) Error() string {
	if e.RetryAt != 0 {
		return fmt.Sprintf("%s: %s (retry at block %d)", e.Code, e.Msg, e.RetryAt)
	}
	return e.Code + ": " + e.Msg
}

// Is makes errors.Is match on the code, so a wrapped, detailed error matches
// its sentinel.
func (e *TxError) Is(target error) bool {
	t, ok := target.(*TxError)
	return ok && t.Code == e.Code
}

// With returns a copy of the sentinel with a detailed message.
func (e *TxError) With(format string, args ...any) *TxError {
	return &TxError{Code: e.Code, Msg: fmt.Sprintf(format, args...)}
}

// RetryAfter returns a copy of the sentinel that names the block at which a
// retry will work.
func (e *TxError) RetryAfter(block uint64, format string, args ...any) *TxError {
	return &TxError{Code: e.Code, Msg: fmt.Sprintf(format, args...), RetryAt: block}
}

func newTxError(code, msg string) *TxError { return &TxError{Code: code, Msg: msg} }

// NewTxError declares a named transaction error; modules use it for their
// own sentinels.
func NewTxError(code, msg string) *TxError { return newTxError(code, msg) }

// Transaction errors of the account module and of transaction admission.
// Admission errors (the first group) mean the transaction could not be
// charged: it leaves no trace in state. Execution errors (the second group)
// are charged the fee and bump the nonce, and revert the call's writes.
var (
	ErrMalformedTx       = newTxError("malformed_tx", "transaction does not decode")
	ErrBadSignature      = newTxError("bad_signature", "signature does not verify")
	ErrWrongChainID      = newTxError("wrong_chain_id", "transaction is for another chain")
	ErrBadNonce          = newTxError("bad_nonce", "nonce is not the account's next nonce")
	ErrFeeTooLow         = newTxError("fee_too_low", "fee is below the chain's minimum")
	ErrCannotPayFee      = newTxError("cannot_pay_fee", "balance does not cover the fee")
	ErrUnknownCall       = newTxError("unknown_call", "no module handles this call")
	ErrMalformedCall     = newTxError("malformed_call", "the call payload does not decode as its kind")
	ErrInsufficientFunds = newTxError("insufficient_balance", "balance does not cover the amount")
	ErrZeroAmount        = newTxError("zero_amount", "amount must be positive")
	ErrSelfTransfer      = newTxError("self_transfer", "sender and recipient are the same account")
	ErrSupplyCap         = newTxError("supply_cap", "minting would exceed the supply cap")
	ErrOverflow          = newTxError("overflow", "amount overflows")
)

// ErrInvariant reports a broken state invariant: a bug, never user error.
var ErrInvariant = errors.New("chain: invariant violated")

// admissionErrors are the errors of a transaction that could not be
// charged.
var admissionErrors = []*TxError{ErrMalformedTx, ErrBadSignature, ErrWrongChainID, ErrBadNonce, ErrFeeTooLow, ErrCannotPayFee}

// IsAdmissionError reports whether err means the transaction could not be
// charged and therefore left no trace.
func IsAdmissionError(err error) bool {
	for _, e := range admissionErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// IsAdmissionCode reports whether a receipt code is an admission error's.
func IsAdmissionCode(code string) bool {
	for _, e := range admissionErrors {
		if e.Code == code {
			return true
		}
	}
	return false
}
