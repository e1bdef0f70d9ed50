package wallet

import "errors"

// Errors returned by this package. Each is wrapped with a message that names
// the wallet or file and says what to do next; test for them with errors.Is.
var (
	// ErrWalletNotFound: no folder for the named wallet under the root.
	ErrWalletNotFound = errors.New("wallet not found")
	// ErrKeyNotFound: the wallet exists but has no such key (or only its
	// public-key file).
	ErrKeyNotFound = errors.New("key not found")
	// ErrWrongPassword: the keyfile does not decrypt with the password.
	ErrWrongPassword = errors.New("wrong password")
	// ErrCorruptKeyfile: the keyfile is not valid JSON, is truncated, or its
	// fields do not form a key.
	ErrCorruptKeyfile = errors.New("corrupt keyfile")
	// ErrLoosePermissions: a keyfile is readable or writable by group or
	// others.
	ErrLoosePermissions = errors.New("keyfile permissions too open")
	// ErrKeyExists: creating a key would replace an existing one.
	ErrKeyExists = errors.New("key already exists")
	// ErrKeyMismatch: a keyfile decrypts to another address than the one in
	// its public-key file.
	ErrKeyMismatch = errors.New("keyfile does not match its public-key file")
	// ErrBadMnemonic: the words are not a valid BIP-39 English mnemonic.
	ErrBadMnemonic = errors.New("invalid mnemonic")
	// ErrBadName: a wallet or hotkey name has characters other than
	// letters, digits, '-' and '_' (or is empty or too long).
	ErrBadName = errors.New("invalid name")
	// ErrNoPassword: a password is needed but no source gives one.
	ErrNoPassword = errors.New("no password")
	// ErrEmptyPassword: a new encrypted key was asked for with an empty
	// password.
	ErrEmptyPassword = errors.New("empty password")
)

// walletError is a sentinel with a full, human message. Error returns only
// the message (which already says what the sentinel means), Unwrap the
// sentinel.
type walletError struct {
	kind error
	msg  string
}

func (e *walletError) Error() string { return e.msg }
func (e *walletError) Unwrap() error { return e.kind }

func newError(kind error, msg string) error { return &walletError{kind: kind, msg: msg} }
