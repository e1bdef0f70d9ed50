package validator

import "errors"

// Errors of this package. Test with errors.Is.
var (
	// ErrConfig: the configuration is invalid (see Config.Validate).
	ErrConfig = errors.New("invalid validator config")
	// ErrTransport: the miner could not be reached or the exchange broke.
	ErrTransport = errors.New("miner unreachable")
	// ErrForgedResponse: the response is not signed, or not by the hotkey
	// that owns the queried UID, over this request, status and body.
	ErrForgedResponse = errors.New("response signature invalid")
	// ErrResponseTooLarge: the response body is over the limit.
	ErrResponseTooLarge = errors.New("response too large")
	// ErrNoScores: no miner has a positive score yet; nothing to set.
	ErrNoScores = errors.New("no positive scores")
	// ErrState: a state file under DataDir is corrupt or cannot be written.
	ErrState = errors.New("validator state")
)
