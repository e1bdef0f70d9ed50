package miner

import "errors"

// Errors of this package. Test with errors.Is.
var (
	// ErrConfig: the configuration is invalid (see Config.Validate).
	ErrConfig = errors.New("invalid miner config")
	// ErrReplay: the nonce is not greater than the last one accepted from
	// the caller.
	ErrReplay = errors.New("nonce replayed")
	// ErrOverloaded: every worker is busy and the queue is full of callers
	// with at least as much stake.
	ErrOverloaded = errors.New("miner overloaded")
	// ErrBadRequest: a handler could not decode or accept the request body.
	// Handlers wrap it to answer 400 instead of 500.
	ErrBadRequest = errors.New("bad request")
	// ErrClosed: the server or the nonce store is closed.
	ErrClosed = errors.New("closed")
	// ErrNonceStore: the nonce file is corrupt or could not be written;
	// once a write fails the store refuses every request until restart.
	ErrNonceStore = errors.New("nonce store")
	// ErrUpstream: the inference upstream failed or answered nonsense.
	ErrUpstream = errors.New("inference upstream")
)
