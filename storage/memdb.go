package storage

import (
	"bytes"
	"sync"

	"github.com/google/btree"
)

// MemDB is an in-memory DB: a copy-on-write B-tree, so snapshots are cheap
// and consistent. It is safe for concurrent use. Batches apply atomically
// under the write lock; Write is "durable" in the sense that nothing can
// crash it half-way.
type MemDB struct {
	mu     sync.RWMutex
	tree   *btree.BTreeG[kv]
	closed bool
}

type kv struct {
	k, v []byte
}

func lessKV(a, b kv) bool { return bytes.Compare(a.k, b.k) < 0 }

// NewMemDB returns an empty in-memory store.
func NewMemDB() *MemDB { return &MemDB{tree: btree.NewG(32, lessKV)} }

var _ DB = (*MemDB)(nil)

func (m *MemDB) Get(key []byte) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, ErrClosed
	}
	return treeGet(m.tree, key)
}

func treeGet(t *btree.BTreeG[kv], key []byte) ([]byte, error) {
	it, ok := t.Get(kv{k: key})
	if !ok {
		return nil, ErrNotFound
	}
	return bytes.Clone(it.v), nil
}

func (m *MemDB) Has(key []byte) (bool, error) {
	_, err := m.Get(key)
	if err == ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

func (m *MemDB) Set(key, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.tree.ReplaceOrInsert(kv{bytes.Clone(key), cloneNonNil(value)})
	return nil
}

// cloneNonNil copies b, mapping nil to an empty slice so an empty value is
// distinct from absence.
func cloneNonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return bytes.Clone(b)
}

func (m *MemDB) Delete(key []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.tree.Delete(kv{k: key})
	return nil
}

func (m *MemDB) NewIterator(prefix, start []byte) Iterator {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return &sliceIter{err: ErrClosed}
	}
	return newTreeIter(m.tree.Clone(), prefix, start)
}

func newTreeIter(t *btree.BTreeG[kv], prefix, start []byte) Iterator {
	from := Key(prefix, start)
	var items []kv
	t.AscendGreaterOrEqual(kv{k: from}, func(it kv) bool {
		if !bytes.HasPrefix(it.k, prefix) {
			return false
		}
		items = append(items, it)
		return true
	})
	return &sliceIter{items: items, pos: -1}
}

type sliceIter struct {
	items []kv
	pos   int
	err   error
}

func (s *sliceIter) Next() bool {
	if s.err != nil || s.pos+1 >= len(s.items) {
		s.pos = len(s.items)
		return false
	}
	s.pos++
	return true
}

func (s *sliceIter) Key() []byte {
	if s.pos < 0 || s.pos >= len(s.items) {
		return nil
	}
	return s.items[s.pos].k
}

func (s *sliceIter) Value() []byte {
	if s.pos < 0 || s.pos >= len(s.items) {
		return nil
	}
	return s.items[s.pos].v
}

func (s *sliceIter) Error() error { return s.err }
func (s *sliceIter) Close() error { s.items = nil; return nil }

func (m *MemDB) NewBatch() Batch { return &memBatch{db: m} }

func (m *MemDB) NewSnapshot() (Snapshot, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, ErrClosed
	}
	return &memSnapshot{tree: m.tree.Clone()}, nil
}

func (m *MemDB) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

type memOp struct {
	k, v []byte
	del  bool
}

type memBatch struct {
	db     *MemDB
	ops    []memOp
	closed bool
}

func (b *memBatch) Set(key, value []byte) error {
	if b.closed {
		return ErrClosed
	}
	b.ops = append(b.ops, memOp{k: bytes.Clone(key), v: cloneNonNil(value)})
	return nil
}

func (b *memBatch) Delete(key []byte) error {
	if b.closed {
		return ErrClosed
	}
	b.ops = append(b.ops, memOp{k: bytes.Clone(key), del: true})
	return nil
}

func (b *memBatch) Len() int { return len(b.ops) }

func (b *memBatch) Write() error {
	if b.closed {
		return ErrClosed
	}
	b.db.mu.Lock()
	defer b.db.mu.Unlock()
	if b.db.closed {
		return ErrClosed
	}
	for _, op := range b.ops {
		if op.del {
			b.db.tree.Delete(kv{k: op.k})
		} else {
			b.db.tree.ReplaceOrInsert(kv{op.k, op.v})
		}
	}
	return nil
}

func (b *memBatch) Reset() { b.ops = b.ops[:0] }

func (b *memBatch) Close() error { b.closed = true; b.ops = nil; return nil }

type memSnapshot struct {
	tree   *btree.BTreeG[kv]
	closed bool
}

func (s *memSnapshot) Get(key []byte) ([]byte, error) {
	if s.closed {
		return nil, ErrClosed
	}
	return treeGet(s.tree, key)
}

func (s *memSnapshot) Has(key []byte) (bool, error) {
	_, err := s.Get(key)
	if err == ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

func (s *memSnapshot) NewIterator(prefix, start []byte) Iterator {
	if s.closed {
		return &sliceIter{err: ErrClosed}
	}
	return newTreeIter(s.tree, prefix, start)
}

func (s *memSnapshot) Close() error { s.closed = true; return nil }
