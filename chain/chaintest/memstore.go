// Package chaintest holds test helpers for code that runs on the state
// transition's Store: an in-memory store with sorted iteration and a write
// journal for snapshots. It is for unit tests of state modules; nodes use
// package state over a real storage backend.
package chaintest

import (
	"bytes"
	"sort"
	"strings"
)

// MemStore is an in-memory chain.Store. It is not safe for concurrent use.
type MemStore struct {
	kv      map[string][]byte
	journal []undo
}

type undo struct {
	key     string
	prev    []byte
	existed bool
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore { return &MemStore{kv: map[string][]byte{}} }

// Get returns a copy of the value under k.
func (m *MemStore) Get(k []byte) ([]byte, bool, error) {
	v, ok := m.kv[string(k)]
	return bytes.Clone(v), ok, nil
}

func (m *MemStore) record(k string) {
	prev, ok := m.kv[k]
	m.journal = append(m.journal, undo{k, prev, ok})
}

// Set stores a copy of v under k.
func (m *MemStore) Set(k, v []byte) error {
	m.record(string(k))
	m.kv[string(k)] = bytes.Clone(v)
	return nil
}

// Delete removes k.
func (m *MemStore) Delete(k []byte) error {
	m.record(string(k))
	delete(m.kv, string(k))
	return nil
}

// Iterate visits the keys with prefix in ascending byte order.
func (m *MemStore) Iterate(prefix []byte, fn func(k, v []byte) bool) error {
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

// Snapshot marks the journal.
func (m *MemStore) Snapshot() int { return len(m.journal) }

// RevertToSnapshot undoes every write made after the mark id.
func (m *MemStore) RevertToSnapshot(id int) {
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

// Dump renders the whole store, one key=value line per key in key order,
// for before/after comparisons ("state unchanged on error").
func (m *MemStore) Dump() string {
	var b strings.Builder
	m.Iterate(nil, func(k, v []byte) bool {
		b.WriteString(string(k))
		b.WriteByte('=')
		b.WriteString(string(v))
		b.WriteByte('\n')
		return true
	})
	return b.String()
}
