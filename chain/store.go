package chain

// Store is the working state the state transition reads and writes. It is
// satisfied by *state.State; tests may use any implementation that keeps the
// same semantics.
type Store interface {
	Reader
	Set(key, value []byte) error
	Delete(key []byte) error
	// Snapshot marks the journal; RevertToSnapshot undoes every write made
	// after the mark.
	Snapshot() int
	RevertToSnapshot(id int)
}

// Reader reads state. Iterate visits keys with prefix in ascending order;
// fn returns false to stop early.
type Reader interface {
	Get(key []byte) ([]byte, bool, error)
	Iterate(prefix []byte, fn func(key, value []byte) bool) error
}
