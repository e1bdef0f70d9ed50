package localnet

import "errors"

// Errors a caller may tell apart (each is wrapped with the details and what
// to do).
var (
	// ErrConfig: a Config field (a flag) is out of range.
	ErrConfig = errors.New("invalid localnet option")
	// ErrPortBusy: a port the network needs is taken by another process.
	ErrPortBusy = errors.New("port in use")
	// ErrHome: the home folder cannot be used (not writable, not empty and
	// not a localnet, half-created).
	ErrHome = errors.New("unusable localnet home")
	// ErrLocked: another localnet is running on the same home.
	ErrLocked = errors.New("localnet home in use")
	// ErrStart: a process failed to start or the network did not come up.
	ErrStart = errors.New("localnet did not start")
	// ErrSetup: a setup transaction (subnet, registration, stake, axon)
	// failed.
	ErrSetup = errors.New("localnet setup failed")
)
