package node

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/cockroachdb/pebble"
	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
)

// The block engine's own stores (blocks, consensus state, evidence) live in
// pebble too, next to the app database, through this adapter of
// cometbft-db's DB interface. (cometbft-db has a pebble backend only behind
// a build tag; this keeps `go build` and `go test` tag-free.)

var (
	errCmtKeyEmpty = errors.New("key cannot be empty")
	errCmtValueNil = errors.New("value cannot be nil")
)

// pebbleDBProvider opens each engine database as a pebble store under the
// engine's data directory.
func pebbleDBProvider(ctx *cmtcfg.DBContext) (dbm.DB, error) {
	dir := filepath.Join(ctx.Config.DBDir(), ctx.ID+".db")
	db, err := pebble.Open(dir, &pebble.Options{Logger: quietPebbleLogger{}})
	if err != nil {
		return nil, fmt.Errorf("open engine database %s: %w", dir, err)
	}
	return &cmtPebble{db: db}, nil
}

type quietPebbleLogger struct{}

func (quietPebbleLogger) Infof(string, ...any)  {}
func (quietPebbleLogger) Errorf(string, ...any) {}
func (quietPebbleLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}

// cmtPebble is safe for concurrent use. After Close, reads answer as an
// empty store and writes fail: CometBFT's reactor goroutines can outlive
// the engine's shutdown by a moment and panic on any read error, which
// would turn a clean stop into a crash (nothing is lost either way: the
// engine has stopped writing).
type cmtPebble struct {
	mu     sync.RWMutex // held for reading by every operation, for writing by Close
	closed bool
	db     *pebble.DB
}

var errCmtClosed = errors.New("engine database closed")

var _ dbm.DB = (*cmtPebble)(nil)

func (d *cmtPebble) Get(key []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, errCmtKeyEmpty
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return nil, nil
	}
	v, closer, err := d.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	return bytes.Clone(v), nil
}

func (d *cmtPebble) Has(key []byte) (bool, error) {
	v, err := d.Get(key)
	return v != nil, err
}

func (d *cmtPebble) set(key, value []byte, o *pebble.WriteOptions) error {
	if len(key) == 0 {
		return errCmtKeyEmpty
	}
	if value == nil {
		return errCmtValueNil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return errCmtClosed
	}
	return d.db.Set(key, value, o)
}

func (d *cmtPebble) Set(key, value []byte) error     { return d.set(key, value, pebble.NoSync) }
func (d *cmtPebble) SetSync(key, value []byte) error { return d.set(key, value, pebble.Sync) }

func (d *cmtPebble) del(key []byte, o *pebble.WriteOptions) error {
	if len(key) == 0 {
		return errCmtKeyEmpty
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return errCmtClosed
	}
	return d.db.Delete(key, o)
}

func (d *cmtPebble) Delete(key []byte) error     { return d.del(key, pebble.NoSync) }
func (d *cmtPebble) DeleteSync(key []byte) error { return d.del(key, pebble.Sync) }

func (d *cmtPebble) Iterator(start, end []byte) (dbm.Iterator, error) {
	return d.iterator(start, end, false)
}

func (d *cmtPebble) ReverseIterator(start, end []byte) (dbm.Iterator, error) {
	return d.iterator(start, end, true)
}

func (d *cmtPebble) iterator(start, end []byte, reverse bool) (dbm.Iterator, error) {
	if (start != nil && len(start) == 0) || (end != nil && len(end) == 0) {
		return nil, errCmtKeyEmpty
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return emptyIter{start, end}, nil
	}
	it, err := d.db.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		return nil, err
	}
	if reverse {
		it.Last()
	} else {
		it.First()
	}
	return &cmtIter{it: it, start: start, end: end, reverse: reverse}, nil
}

func (d *cmtPebble) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	return d.db.Close()
}

// emptyIter is what iterators over a closed store see.
type emptyIter struct{ start, end []byte }

func (e emptyIter) Domain() ([]byte, []byte) { return e.start, e.end }
func (emptyIter) Valid() bool                { return false }
func (emptyIter) Next()                      { panic("cmtdb: Next on an invalid iterator") }
func (emptyIter) Key() []byte                { panic("cmtdb: Key on an invalid iterator") }
func (emptyIter) Value() []byte              { panic("cmtdb: Value on an invalid iterator") }
func (emptyIter) Error() error               { return nil }
func (emptyIter) Close() error               { return nil }

func (d *cmtPebble) NewBatch() dbm.Batch { return &cmtBatch{d: d, b: d.db.NewBatch()} }

func (d *cmtPebble) Print() error { return nil }

func (d *cmtPebble) Stats() map[string]string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return map[string]string{}
	}
	return map[string]string{"pebble": d.db.Metrics().String()}
}

func (d *cmtPebble) Compact(start, end []byte) error {
	if start == nil || end == nil {
		return nil // pebble compacts in the background; a full range needs bounds
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return errCmtClosed
	}
	return d.db.Compact(start, end, true)
}

type cmtIter struct {
	it         *pebble.Iterator
	start, end []byte
	reverse    bool
}

func (i *cmtIter) Domain() ([]byte, []byte) { return i.start, i.end }
func (i *cmtIter) Valid() bool              { return i.it.Valid() }

func (i *cmtIter) Next() {
	if !i.it.Valid() {
		panic("cmtdb: Next on an invalid iterator")
	}
	if i.reverse {
		i.it.Prev()
	} else {
		i.it.Next()
	}
}

func (i *cmtIter) Key() []byte {
	if !i.it.Valid() {
		panic("cmtdb: Key on an invalid iterator")
	}
	return bytes.Clone(i.it.Key())
}

func (i *cmtIter) Value() []byte {
	if !i.it.Valid() {
		panic("cmtdb: Value on an invalid iterator")
	}
	return bytes.Clone(i.it.Value())
}

func (i *cmtIter) Error() error { return i.it.Error() }
func (i *cmtIter) Close() error { return i.it.Close() }

type cmtBatch struct {
	d *cmtPebble
	b *pebble.Batch
}

var errBatchClosed = errors.New("batch has been written or closed")

func (b *cmtBatch) Set(key, value []byte) error {
	if len(key) == 0 {
		return errCmtKeyEmpty
	}
	if value == nil {
		return errCmtValueNil
	}
	if b.b == nil {
		return errBatchClosed
	}
	return b.b.Set(key, value, nil)
}

func (b *cmtBatch) Delete(key []byte) error {
	if len(key) == 0 {
		return errCmtKeyEmpty
	}
	if b.b == nil {
		return errBatchClosed
	}
	return b.b.Delete(key, nil)
}

func (b *cmtBatch) commit(o *pebble.WriteOptions) error {
	if b.b == nil {
		return errBatchClosed
	}
	b.d.mu.RLock()
	if b.d.closed {
		b.d.mu.RUnlock()
		return errCmtClosed
	}
	err := b.b.Commit(o)
	b.d.mu.RUnlock()
	if err != nil {
		return err
	}
	return b.Close()
}

func (b *cmtBatch) Write() error     { return b.commit(pebble.NoSync) }
func (b *cmtBatch) WriteSync() error { return b.commit(pebble.Sync) }

func (b *cmtBatch) Close() error {
	if b.b != nil {
		err := b.b.Close()
		b.b = nil
		return err
	}
	return nil
}
