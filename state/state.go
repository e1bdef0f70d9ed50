package state

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/trie/trienode"
	"github.com/ethereum/go-ethereum/triedb/database"
	"github.com/google/btree"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/types"
)

// EmptyRoot is the root of the empty state.
var EmptyRoot = types.Hash(ethtypes.EmptyRootHash)

// ErrMissingState is returned when the trie nodes of a root are not in the
// database (a root that was never committed, or a corrupt database).
var ErrMissingState = errors.New("state: root not in database")

// leafPrefix precedes every value in a trie leaf, so that an empty value is
// distinct from absence (the trie drops empty leaves).
const leafPrefix = 0x00

// DB is what the state reads and stages writes through.
type DB interface {
	storage.Reader
	storage.Iteratee
}

// nodeDB resolves trie nodes by hash: nodes staged by a commit that is not
// yet written, then a cache, then the database.
type nodeDB struct {
	db      storage.Reader
	pending map[common.Hash][]byte
	cache   *nodeCache
}

// nodeCache is a least-recently-used cache of trie nodes bounded by the
// memory it holds (node bytes plus a per-entry overhead), not by a count:
// nodes range from a few bytes to over 500. It is used by the State's own
// goroutine only.
type nodeCache struct {
	lru        *simplelru.LRU[common.Hash, []byte]
	bytes, max int
}

// nodeCacheEntryOverhead approximates the memory of one cache entry beside
// the node: the list element, the map entry and the slice header.
const nodeCacheEntryOverhead = 192

func newNodeCache(maxBytes int) *nodeCache {
	c := &nodeCache{max: maxBytes}
	c.lru, _ = simplelru.NewLRU(math.MaxInt, func(_ common.Hash, b []byte) {
		c.bytes -= len(b) + nodeCacheEntryOverhead
	})
	return c
}

func (c *nodeCache) get(h common.Hash) ([]byte, bool) { return c.lru.Get(h) }

// add caches a node (content-addressed: a hash always has the same bytes)
// and evicts the least recently used ones beyond the budget.
func (c *nodeCache) add(h common.Hash, b []byte) {
	if c.lru.Contains(h) {
		c.lru.Get(h)
		return
	}
	c.lru.Add(h, b)
	c.bytes += len(b) + nodeCacheEntryOverhead
	for c.bytes > c.max && c.lru.Len() > 0 {
		c.lru.RemoveOldest()
	}
}

func (n *nodeDB) NodeReader(common.Hash) (database.NodeReader, error) { return n, nil }

func (n *nodeDB) Node(_ common.Hash, _ []byte, hash common.Hash) ([]byte, error) {
	if b, ok := n.pending[hash]; ok {
		return b, nil
	}
	if n.cache != nil {
		if b, ok := n.cache.get(hash); ok {
			return b, nil
		}
	}
	b, err := n.db.Get(storage.Key(storage.PrefixTrieNode, hash[:]))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil // the trie reports a missing node error
	}
	if err != nil {
		return nil, err
	}
	if n.cache != nil {
		n.cache.add(hash, b)
	}
	return b, nil
}

// change is one overlay entry: a value, or a deletion.
type change struct {
	val []byte
	del bool
}

type journalEntry struct {
	key     string
	prev    change
	existed bool // key was in the dirty overlay before the write
}

// State is the mutable state of one node. It is not safe for concurrent
// use: the block engine's single application goroutine owns it.
type State struct {
	db    DB
	nodes *nodeDB
	trie  *trie.Trie
	// base is the root last written to the database; root is the root of
	// the last Commit (equal to base once MarkWritten is called).
	base, root types.Hash
	// pending holds the flat changes of a Commit whose batch is not yet
	// written; dirty holds the changes of the block being applied.
	pending map[string]change
	dirty   map[string]change
	// pendingKeys and dirtyKeys are the keys of pending and dirty in
	// order, so that Iterate and Commit visit the overlay in key order
	// without scanning or sorting all of it (a block's epochs write tens of
	// thousands of keys and iterate thousands of small prefixes).
	pendingKeys, dirtyKeys *btree.BTreeG[string]
	journal                []journalEntry
}

func newKeyIndex() *btree.BTreeG[string] {
	return btree.NewG(32, func(a, b string) bool { return a < b })
}

// nodeCacheBytes bounds the trie node cache: the recently written and read
// nodes (the upper levels, the paths of recently changed keys); the
// database's block cache serves the rest. At 32 subnets x 256 UIDs
// (bench/subnet_rss.sh) blocks running every epoch take the same time with
// 16 MiB as with 48 MiB, while the former bound of 2^18 entries let the
// cache grow past 80 MB, mostly superseded nodes.
const nodeCacheBytes = 16 << 20

// Open returns the state at root, which must be the last root written to
// db (or EmptyRoot for a new database).
func Open(db DB, root types.Hash) (*State, error) {
	nodes := &nodeDB{db: db, pending: map[common.Hash][]byte{}, cache: newNodeCache(nodeCacheBytes)}
	t, err := openTrie(root, nodes)
	if err != nil {
		return nil, err
	}
	return &State{db: db, nodes: nodes, trie: t, base: root, root: root,
		pending: map[string]change{}, dirty: map[string]change{},
		pendingKeys: newKeyIndex(), dirtyKeys: newKeyIndex()}, nil
}

func openTrie(root types.Hash, nodes database.NodeDatabase) (*trie.Trie, error) {
	t, err := trie.New(trie.StateTrieID(common.Hash(root)), nodes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMissingState, root.Hex(), err)
	}
	return t, nil
}

// Root returns the root of the last commit.
func (s *State) Root() types.Hash { return s.root }

// Get returns the current value of key.
func (s *State) Get(key []byte) ([]byte, bool, error) {
	if c, ok := s.dirty[string(key)]; ok {
		return bytes.Clone(c.val), !c.del, nil
	}
	if c, ok := s.pending[string(key)]; ok {
		return bytes.Clone(c.val), !c.del, nil
	}
	v, err := s.db.Get(storage.Key(storage.PrefixState, key))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("state: read %q: %w", key, err)
	}
	return v, true, nil
}

func (s *State) write(key []byte, c change) {
	k := string(key)
	prev, existed := s.dirty[k]
	s.journal = append(s.journal, journalEntry{key: k, prev: prev, existed: existed})
	s.dirty[k] = c
	if !existed {
		s.dirtyKeys.ReplaceOrInsert(k)
	}
}

// Set writes value under key. The state keeps its own copy.
func (s *State) Set(key, value []byte) error {
	if len(key) == 0 {
		return errors.New("state: empty key")
	}
	v := make([]byte, len(value))
	copy(v, value)
	s.write(key, change{val: v})
	return nil
}

// Delete removes key.
func (s *State) Delete(key []byte) error {
	if len(key) == 0 {
		return errors.New("state: empty key")
	}
	s.write(key, change{del: true})
	return nil
}

// Snapshot marks the journal.
func (s *State) Snapshot() int { return len(s.journal) }

// RevertToSnapshot undoes every write after the mark id.
func (s *State) RevertToSnapshot(id int) {
	for i := len(s.journal) - 1; i >= id; i-- {
		e := s.journal[i]
		if e.existed {
			s.dirty[e.key] = e.prev
		} else {
			delete(s.dirty, e.key)
			s.dirtyKeys.Delete(e.key)
		}
	}
	s.journal = s.journal[:id]
}

// overlayEntry is one key of the overlay with its change.
type overlayEntry struct {
	key string
	c   change
}

// overlayUnder returns the overlay under prefix in ascending key order:
// the pending changes, with the dirty ones on top.
func (s *State) overlayUnder(prefix string) []overlayEntry {
	under := func(idx *btree.BTreeG[string]) []string {
		var ks []string
		idx.AscendGreaterOrEqual(prefix, func(k string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			ks = append(ks, k)
			return true
		})
		return ks
	}
	pk, dk := under(s.pendingKeys), under(s.dirtyKeys)
	over := make([]overlayEntry, 0, len(pk)+len(dk))
	for len(pk) > 0 || len(dk) > 0 {
		if len(dk) == 0 || (len(pk) > 0 && pk[0] < dk[0]) {
			over = append(over, overlayEntry{pk[0], s.pending[pk[0]]})
			pk = pk[1:]
			continue
		}
		if len(pk) > 0 && pk[0] == dk[0] {
			pk = pk[1:]
		}
		over = append(over, overlayEntry{dk[0], s.dirty[dk[0]]})
		dk = dk[1:]
	}
	return over
}

// Iterate visits the current keys with prefix in ascending order.
func (s *State) Iterate(prefix []byte, fn func(key, value []byte) bool) error {
	over := s.overlayUnder(string(prefix))

	it := s.db.NewIterator(storage.Key(storage.PrefixState, prefix), nil)
	defer it.Close()
	n := len(storage.PrefixState)
	i := 0
	// emitOverlay yields overlay keys below limit (all of them when limit
	// is nil); it returns false when fn asked to stop.
	emitOverlay := func(limit []byte) bool {
		for i < len(over) && (limit == nil || over[i].key < string(limit)) {
			e := over[i]
			i++
			if !e.c.del && !fn([]byte(e.key), e.c.val) {
				return false
			}
		}
		return true
	}
	for it.Next() {
		k := it.Key()[n:]
		if !emitOverlay(k) {
			return nil
		}
		if i < len(over) && over[i].key == string(k) {
			c := over[i].c
			i++
			if !c.del && !fn(bytes.Clone(k), c.val) {
				return nil
			}
			continue
		}
		if !fn(bytes.Clone(k), bytes.Clone(it.Value())) {
			return nil
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("state: iterate %q: %w", prefix, err)
	}
	emitOverlay(nil)
	return nil
}

// Writer is where Commit stages its writes.
type Writer interface {
	Set(key, value []byte) error
	Delete(key []byte) error
}

// Commit applies the block's writes to the trie in key order and stages
// the flat values and the new trie nodes into w. It returns the new root.
// Until MarkWritten is called, reads are served from the staged changes;
// Discard drops them and returns to the last written root.
func (s *State) Commit(w Writer) (types.Hash, error) {
	keys := make([]string, 0, len(s.dirty))
	s.dirtyKeys.Ascend(func(k string) bool {
		keys = append(keys, k)
		return true
	})
	for _, k := range keys {
		c := s.dirty[k]
		var err error
		if c.del {
			err = s.trie.Delete([]byte(k))
		} else {
			leaf := make([]byte, 1+len(c.val))
			leaf[0] = leafPrefix
			copy(leaf[1:], c.val)
			err = s.trie.Update([]byte(k), leaf)
		}
		if err != nil {
			return types.Hash{}, fmt.Errorf("state: trie update %q: %w", k, err)
		}
	}
	root, set := s.trie.Commit(false)
	if set != nil {
		var werr error
		set.ForEachWithOrder(func(_ string, n *trienode.Node) {
			if werr != nil || n.IsDeleted() {
				return // nodes are content-addressed and kept for history
			}
			s.nodes.pending[n.Hash] = n.Blob
			werr = w.Set(storage.Key(storage.PrefixTrieNode, n.Hash[:]), n.Blob)
		})
		if werr != nil {
			return types.Hash{}, werr
		}
	}
	for _, k := range keys {
		c := s.dirty[k]
		fk := storage.Key(storage.PrefixState, []byte(k))
		var err error
		if c.del {
			err = w.Delete(fk)
		} else {
			err = w.Set(fk, c.val)
		}
		if err != nil {
			return types.Hash{}, err
		}
	}
	t, err := openTrie(types.Hash(root), s.nodes)
	if err != nil {
		return types.Hash{}, err
	}
	// The block's changes become the pending ones (only now, so that a
	// failed Commit leaves no partial pending changes behind).
	if len(s.pending) == 0 {
		s.pending, s.dirty = s.dirty, s.pending
		s.pendingKeys, s.dirtyKeys = s.dirtyKeys, s.pendingKeys
	} else {
		for _, k := range keys {
			s.pending[k] = s.dirty[k]
			s.pendingKeys.ReplaceOrInsert(k)
		}
		s.dirty = map[string]change{}
		s.dirtyKeys.Clear(true)
	}
	s.trie, s.root = t, types.Hash(root)
	s.journal = s.journal[:0]
	return s.root, nil
}

// MarkWritten tells the state that the batch of the last Commit is durable
// in the database.
func (s *State) MarkWritten() {
	for h, b := range s.nodes.pending {
		s.nodes.cache.add(h, b)
	}
	s.nodes.pending = map[common.Hash][]byte{}
	s.pending = map[string]change{}
	s.pendingKeys.Clear(true)
	s.base = s.root
}

// Discard drops uncommitted writes and any commit not yet written, and
// returns to the last written root.
func (s *State) Discard() {
	s.dirty = map[string]change{}
	s.dirtyKeys.Clear(true)
	s.journal = s.journal[:0]
	if s.root != s.base {
		s.pending = map[string]change{}
		s.pendingKeys.Clear(true)
		s.nodes.pending = map[common.Hash][]byte{}
		t, err := openTrie(s.base, s.nodes)
		if err == nil {
			s.trie, s.root = t, s.base
		}
		return
	}
	// The trie may hold uncommitted updates from a failed Commit.
	if t, err := openTrie(s.base, s.nodes); err == nil {
		s.trie = t
	}
}
