package chain

import (
	"bytes"
	"sort"
	"strings"
)

// memStore is a minimal Store for unit tests of the runtime: sorted
// iteration and a write journal for snapshots.
type memStore struct {
	kv      map[string][]byte
	journal []undo
}

type undo struct {
	key     string
	prev    []byte
	existed bool
}

func newMemStore() *memStore { return &memStore{kv: map[string][]byte{}} }

func (m *memStore) Get(k []byte) ([]byte, bool, error) {
	v, ok := m.kv[string(k)]
	return bytes.Clone(v), ok, nil
}

func (m *memStore) record(k string) {
	prev, ok := m.kv[k]
	m.journal = append(m.journal, undo{k, prev, ok})
}

func (m *memStore) Set(k, v []byte) error {
	m.record(string(k))
	m.kv[string(k)] = bytes.Clone(v)
	return nil
}

func (m *memStore) Delete(k []byte) error {
	m.record(string(k))
	delete(m.kv, string(k))
	return nil
}

func (m *memStore) Iterate(prefix []byte, fn func(k, v []byte) bool) error {
	var keys []string
	for k := range m.kv {
		if strings.HasPrefix(k, string(prefix)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !fn([]byte(k), m.kv[k]) {
			break
		}
	}
	return nil
}

func (m *memStore) Snapshot() int { return len(m.journal) }

func (m *memStore) RevertToSnapshot(id int) {
	for i := len(m.journal) - 1; i >= id; i-- {
		u := m.journal[i]
		if u.existed {
			m.kv[u.key] = u.prev
		} else {
			delete(m.kv, u.key)
		}
	}
	m.journal = m.journal[:id]
}

// dump renders the whole store for before/after comparisons.
func (m *memStore) dump() string {
	var b strings.Builder
	m.Iterate(nil, func(k, v []byte) bool {
		b.WriteString(string(k))
		b.WriteByte('=')
		b.Write(v)
		b.WriteByte('\n')
		return true
	})
	return b.String()
}
