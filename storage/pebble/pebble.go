// Package pebble is the storage.DB backend on github.com/cockroachdb/pebble
// (the major version CometBFT's own database layer uses, so the binary
// carries one pebble). Batches are written with fsync: after Write returns,
// the batch survives a crash, and a crash during Write leaves all or none
// of it.
package pebble

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/cockroachdb/pebble"
	"github.com/cockroachdb/pebble/vfs"
	"github.com/yumachain/yuma/storage"
)

// Options configures Open.
type Options struct {
	// CacheBytes is the block cache size.
	CacheBytes int64
	// FS replaces the real file system (tests use vfs.NewStrictMem to
	// simulate crashes).
	FS vfs.FS
	// ReadOnly opens without writing.
	ReadOnly bool
}

// DefaultOptions suits one node.
func DefaultOptions() Options { return Options{CacheBytes: 32 << 20} }

// DB is a pebble-backed storage.DB.
type DB struct {
	db     *pebble.DB
	cache  *pebble.Cache
	closed atomic.Bool
}

var _ storage.DB = (*DB)(nil)

// Open opens (creating if needed) the database in dir.
func Open(dir string, o Options) (*DB, error) {
	cache := pebble.NewCache(o.CacheBytes)
	po := &pebble.Options{Cache: cache, FS: o.FS, ReadOnly: o.ReadOnly, Logger: quietLogger{}}
	db, err := pebble.Open(dir, po)
	if err != nil {
		cache.Unref()
		return nil, fmt.Errorf("open pebble at %s: %w", dir, err)
	}
	return &DB{db: db, cache: cache}, nil
}

func (d *DB) Get(key []byte) ([]byte, error) {
	if d.closed.Load() {
		return nil, storage.ErrClosed
	}
	return get(d.db, key)
}

func get(r pebble.Reader, key []byte) ([]byte, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, storage.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(v))
	copy(out, v)
	closer.Close()
	return out, nil
}

func (d *DB) Has(key []byte) (bool, error) {
	_, err := d.Get(key)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (d *DB) Set(key, value []byte) error {
	if d.closed.Load() {
		return storage.ErrClosed
	}
	return d.db.Set(key, value, pebble.Sync)
}

func (d *DB) Delete(key []byte) error {
	if d.closed.Load() {
		return storage.ErrClosed
	}
	return d.db.Delete(key, pebble.Sync)
}

func (d *DB) NewIterator(prefix, start []byte) storage.Iterator {
	if d.closed.Load() {
		return &iter{err: storage.ErrClosed}
	}
	return newIter(d.db, prefix, start)
}

func newIter(r pebble.Reader, prefix, start []byte) storage.Iterator {
	opts := &pebble.IterOptions{LowerBound: storage.Key(prefix, start), UpperBound: upperBound(prefix)}
	it, err := r.NewIter(opts)
	if err != nil {
		return &iter{err: err}
	}
	return &iter{it: it}
}

// upperBound is the smallest key greater than every key with prefix, or
// nil when there is none (an empty or all-0xff prefix).
func upperBound(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xff {
			ub := make([]byte, i+1)
			copy(ub, prefix)
			ub[i]++
			return ub
		}
	}
	return nil
}

type iter struct {
	it      *pebble.Iterator
	started bool
	err     error
}

func (i *iter) Next() bool {
	if i.it == nil {
		return false
	}
	if !i.started {
		i.started = true
		return i.it.First()
	}
	return i.it.Next()
}

func (i *iter) Key() []byte {
	if i.it == nil || !i.it.Valid() {
		return nil
	}
	return i.it.Key()
}

func (i *iter) Value() []byte {
	if i.it == nil || !i.it.Valid() {
		return nil
	}
	return i.it.Value()
}

func (i *iter) Error() error {
	if i.err != nil {
		return i.err
	}
	if i.it != nil {
		return i.it.Error()
	}
	return nil
}

func (i *iter) Close() error {
	if i.it == nil {
		return nil
	}
	err := i.it.Close()
	i.it = nil
	return err
}

func (d *DB) NewBatch() storage.Batch { return &batch{d: d, b: d.db.NewBatch()} }

type batch struct {
	d *DB
	b *pebble.Batch
}

func (b *batch) Set(key, value []byte) error {
	if b.b == nil {
		return storage.ErrClosed
	}
	return b.b.Set(key, value, nil)
}

func (b *batch) Delete(key []byte) error {
	if b.b == nil {
		return storage.ErrClosed
	}
	return b.b.Delete(key, nil)
}

func (b *batch) Len() int {
	if b.b == nil {
		return 0
	}
	return int(b.b.Count())
}

func (b *batch) Write() error {
	if b.b == nil || b.d.closed.Load() {
		return storage.ErrClosed
	}
	return b.b.Commit(pebble.Sync)
}

func (b *batch) Reset() {
	if b.b != nil {
		b.b.Reset()
	}
}

func (b *batch) Close() error {
	if b.b == nil {
		return nil
	}
	err := b.b.Close()
	b.b = nil
	return err
}

func (d *DB) NewSnapshot() (storage.Snapshot, error) {
	if d.closed.Load() {
		return nil, storage.ErrClosed
	}
	return &snapshot{s: d.db.NewSnapshot()}, nil
}

type snapshot struct {
	s *pebble.Snapshot
}

func (s *snapshot) Get(key []byte) ([]byte, error) {
	if s.s == nil {
		return nil, storage.ErrClosed
	}
	return get(s.s, key)
}

func (s *snapshot) Has(key []byte) (bool, error) {
	_, err := s.Get(key)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (s *snapshot) NewIterator(prefix, start []byte) storage.Iterator {
	if s.s == nil {
		return &iter{err: storage.ErrClosed}
	}
	return newIter(s.s, prefix, start)
}

func (s *snapshot) Close() error {
	if s.s == nil {
		return nil
	}
	err := s.s.Close()
	s.s = nil
	return err
}

// Close flushes and closes the database. It is safe to call twice.
func (d *DB) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	err := d.db.Close()
	d.cache.Unref()
	return err
}

// quietLogger drops pebble's informational logs; errors surface as
// returned errors.
type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf("pebble: "+format, args...))
}
