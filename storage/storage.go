package storage

import "errors"

// ErrNotFound is returned by Get when the key is absent.
var ErrNotFound = errors.New("storage: key not found")

// ErrClosed is returned by any operation on a closed store, batch or
// snapshot.
var ErrClosed = errors.New("storage: closed")

// Reader reads single keys.
type Reader interface {
	// Get returns a copy of the value stored under key, or ErrNotFound.
	Get(key []byte) ([]byte, error)
	// Has reports whether key is present.
	Has(key []byte) (bool, error)
}

// Writer writes single keys.
type Writer interface {
	// Set stores value under key. Empty values are allowed and distinct from
	// absence. The store keeps its own copies of key and value.
	Set(key, value []byte) error
	// Delete removes key; deleting an absent key is not an error.
	Delete(key []byte) error
}

// Iterator walks keys in ascending byte order. It starts before the first
// element: call Next first. Key and Value are valid until the next call to
// Next or Close; copy them to keep them.
type Iterator interface {
	Next() bool
	Key() []byte
	Value() []byte
	// Error returns the first error met while iterating, if any.
	Error() error
	Close() error
}

// Iteratee creates iterators.
type Iteratee interface {
	// NewIterator iterates over the keys with the given prefix, starting at
	// the first key >= prefix+start. A nil prefix means the whole store.
	NewIterator(prefix, start []byte) Iterator
}

// Batch collects writes and applies them atomically with Write. A batch is
// not safe for concurrent use. Reads through the store do not see a batch's
// writes until Write returns.
type Batch interface {
	Writer
	// Len returns the number of operations in the batch.
	Len() int
	// Write applies every operation atomically and durably (synced): after a
	// crash either all of them are visible or none is.
	Write() error
	// Reset empties the batch for reuse.
	Reset()
	// Close releases the batch; it may not be used afterwards.
	Close() error
}

// Snapshot is a consistent, read-only view of the store at the moment it was
// taken; later writes are not visible through it.
type Snapshot interface {
	Reader
	Iteratee
	Close() error
}

// DB is a key-value store. It is safe for concurrent use.
type DB interface {
	Reader
	Writer
	Iteratee
	NewBatch() Batch
	NewSnapshot() (Snapshot, error)
	Close() error
}
