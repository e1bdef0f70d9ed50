package state

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/chain/chaintest"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/types"
)

var _ chain.Store = (*State)(nil)
var _ chain.Reader = (*Reader)(nil)

// commitWrite commits s into a fresh batch of db and writes it.
func commitWrite(t testing.TB, s *State, db storage.DB) {
	t.Helper()
	b := db.NewBatch()
	defer b.Close()
	if _, err := s.Commit(b); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	s.MarkWritten()
}

func dump(t testing.TB, r chain.Reader, prefix []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.Iterate(prefix, func(k, v []byte) bool {
		fmt.Fprintf(&b, "%x=%x\n", k, v)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestAgainstReference applies random writes, snapshots, reverts, commits
// and discards to a State and to the simple in-memory reference store and
// checks that reads, prefix iteration and historical readers agree.
func TestAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	db := storage.NewMemDB()
	s, err := Open(db, EmptyRoot)
	if err != nil {
		t.Fatal(err)
	}
	ref := chaintest.NewMemStore()
	committedRef := chaintest.NewMemStore()
	type rootDump struct {
		root types.Hash
		dump string
	}
	var history []rootDump
	key := func() []byte {
		return []byte(fmt.Sprintf("%c/%d", 'a'+rune(rng.IntN(3)), rng.IntN(40)))
	}
	for step := 0; step < 3000; step++ {
		switch op := rng.IntN(100); {
		case op < 50:
			k, v := key(), []byte(fmt.Sprint(rng.IntN(1000)))
			if rng.IntN(10) == 0 {
				v = []byte{} // empty values are values
			}
			s.Set(k, v)
			ref.Set(k, v)
		case op < 70:
			k := key()
			s.Delete(k)
			ref.Delete(k)
		case op < 78:
			snapS, snapR := s.Snapshot(), ref.Snapshot()
			for i := 0; i < 5; i++ {
				k := key()
				s.Set(k, []byte("tmp"))
				ref.Set(k, []byte("tmp"))
			}
			s.RevertToSnapshot(snapS)
			ref.RevertToSnapshot(snapR)
		case op < 88:
			// Between Commit and the batch's write, reads are served from
			// the staged (pending) changes.
			b := db.NewBatch()
			if _, err := s.Commit(b); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{"", "a/", "b/1"} {
				if got, want := dump(t, s, []byte(p)), dump(t, ref, []byte(p)); got != want {
					t.Fatalf("step %d, commit staged, prefix %q:\n got %s\nwant %s", step, p, got, want)
				}
			}
			if err := b.Write(); err != nil {
				t.Fatal(err)
			}
			b.Close()
			s.MarkWritten()
			committedRef = clone(ref)
			history = append(history, rootDump{s.Root(), dump(t, ref, nil)})
		case op < 92:
			// A commit whose batch is never written, then discarded.
			b := db.NewBatch()
			if _, err := s.Commit(b); err != nil {
				t.Fatal(err)
			}
			b.Close()
			s.Discard()
			ref = clone(committedRef)
		case op < 95:
			s.Discard()
			ref = clone(committedRef)
		default:
			for _, p := range []string{"", "a/", "b/1", "c"} {
				if got, want := dump(t, s, []byte(p)), dump(t, ref, []byte(p)); got != want {
					t.Fatalf("step %d prefix %q:\n got %s\nwant %s", step, p, got, want)
				}
			}
		}
		k := key()
		gv, gok, _ := s.Get(k)
		rv, rok, _ := ref.Get(k)
		if gok != rok || !bytes.Equal(gv, rv) {
			t.Fatalf("step %d get %s: %q,%v want %q,%v", step, k, gv, gok, rv, rok)
		}
	}
	if len(history) < 10 {
		t.Fatalf("only %d commits", len(history))
	}
	// Every committed root still reads back exactly as it was.
	for i, h := range history {
		r, err := NewReader(db, h.root)
		if err != nil {
			t.Fatal(err)
		}
		if got := dump(t, r, nil); got != h.dump {
			t.Fatalf("historical root %d differs:\n got %s\nwant %s", i, got, h.dump)
		}
	}
}

func clone(m *chaintest.MemStore) *chaintest.MemStore {
	out := chaintest.NewMemStore()
	m.Iterate(nil, func(k, v []byte) bool { out.Set(k, v); return true })
	return out
}

// TestRootIsOrderIndependent: the root depends on the resulting state, not
// on the order of writes within a block, and equal states on different
// histories have equal roots.
func TestRootIsOrderIndependent(t *testing.T) {
	roots := map[[32]byte]bool{}
	for seed := uint64(0); seed < 5; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		db := storage.NewMemDB()
		s, _ := Open(db, EmptyRoot)
		perm := rng.Perm(100)
		for _, i := range perm {
			s.Set([]byte(fmt.Sprintf("k/%03d", i)), []byte(fmt.Sprint(i)))
		}
		if seed%2 == 1 {
			// A detour through another block.
			s.Set([]byte("junk"), []byte("x"))
			commitWrite(t, s, db)
			s.Delete([]byte("junk"))
		}
		commitWrite(t, s, db)
		roots[s.Root()] = true
	}
	if len(roots) != 1 {
		t.Fatalf("%d different roots for the same state", len(roots))
	}
}

func TestRootChangesWithAnyValue(t *testing.T) {
	db := storage.NewMemDB()
	s, _ := Open(db, EmptyRoot)
	s.Set([]byte("a"), []byte("1"))
	commitWrite(t, s, db)
	r1 := s.Root()
	s.Set([]byte("a"), []byte("2"))
	commitWrite(t, s, db)
	if s.Root() == r1 {
		t.Fatal("root unchanged by a value change")
	}
	s.Set([]byte("a"), []byte("1"))
	commitWrite(t, s, db)
	if s.Root() != r1 {
		t.Fatal("same state, different root")
	}
	s.Set([]byte("e"), nil)
	commitWrite(t, s, db)
	if s.Root() == r1 {
		t.Fatal("an empty value does not change the root")
	}
}

func TestReopenAfterRestart(t *testing.T) {
	db := storage.NewMemDB()
	s, _ := Open(db, EmptyRoot)
	for i := 0; i < 50; i++ {
		s.Set([]byte(fmt.Sprintf("x/%d", i)), []byte{byte(i)})
	}
	commitWrite(t, s, db)
	root := s.Root()
	// A fresh process opens the same database at the stored root.
	s2, err := Open(db, root)
	if err != nil {
		t.Fatal(err)
	}
	s2.Set([]byte("x/1"), []byte("changed"))
	commitWrite(t, s2, db)
	s.Set([]byte("x/1"), []byte("changed"))
	// s's flat view is stale for other writers' keys, but its trie root for
	// the same writes must match.
	b := storage.NewMemDB().NewBatch()
	r, err := s.Commit(b)
	if err != nil {
		t.Fatal(err)
	}
	if r != s2.Root() {
		t.Fatalf("roots differ after reopen: %x vs %x", r, s2.Root())
	}
	if _, err := Open(db, [32]byte{1}); err == nil {
		t.Fatal("opening an unknown root succeeded")
	}
}

func TestProofs(t *testing.T) {
	db := storage.NewMemDB()
	s, _ := Open(db, EmptyRoot)
	for i := 0; i < 200; i++ {
		s.Set([]byte(fmt.Sprintf("acct/%d", i)), []byte(fmt.Sprint(i*i)))
	}
	commitWrite(t, s, db)
	r, _ := NewReader(db, s.Root())
	p, err := r.Prove([]byte("acct/42"))
	if err != nil {
		t.Fatal(err)
	}
	v, ok, err := VerifyProof(s.Root(), p)
	if err != nil || !ok || string(v) != "1764" {
		t.Fatalf("proof of present key: %q %v %v", v, ok, err)
	}
	p, _ = r.Prove([]byte("acct/missing"))
	if _, ok, err := VerifyProof(s.Root(), p); err != nil || ok {
		t.Fatalf("proof of absent key: %v %v", ok, err)
	}
	// A tampered proof or a wrong root fails.
	p, _ = r.Prove([]byte("acct/42"))
	if _, _, err := VerifyProof([32]byte{7}, p); err == nil {
		t.Fatal("proof verified against the wrong root")
	}
	last := p.Nodes[len(p.Nodes)-1]
	last[len(last)-1] ^= 1
	if v, ok, err := VerifyProof(s.Root(), p); err == nil && ok && string(v) == "1764" {
		t.Fatal("tampered proof verified")
	}
}

func BenchmarkCommit4000Writes(b *testing.B) {
	db := storage.NewMemDB()
	s, _ := Open(db, EmptyRoot)
	for i := 0; i < 100000; i++ {
		s.Set([]byte(fmt.Sprintf("acct/%08d", i)), []byte("v"))
	}
	commitWrite(b, s, db)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 4000; j++ {
			s.Set([]byte(fmt.Sprintf("acct/%08d", (i*4000+j*7919)%100000)), []byte(fmt.Sprint(i)))
		}
		commitWrite(b, s, db)
	}
}

// BenchmarkIterateSmallPrefixManyDirty is the access pattern of a block
// whose epochs write tens of thousands of keys and iterate the few keys of
// one hotkey's stake thousands of times: the cost of one Iterate of a
// 3-key prefix with 30,000 dirty keys in the block.
func BenchmarkIterateSmallPrefixManyDirty(b *testing.B) {
	db := storage.NewMemDB()
	s, _ := Open(db, EmptyRoot)
	for i := 0; i < 10000; i++ {
		for j := 0; j < 3; j++ {
			s.Set([]byte(fmt.Sprintf("s/%05d/%d", i, j)), []byte("v"))
		}
	}
	commitWrite(b, s, db)
	for i := 0; i < 30000; i++ {
		s.Set([]byte(fmt.Sprintf("u/%05d", i)), []byte("w"))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Set([]byte(fmt.Sprintf("s/%05d/1", i%10000)), []byte("x"))
		n := 0
		s.Iterate([]byte(fmt.Sprintf("s/%05d/", i%10000)), func(_, _ []byte) bool { n++; return true })
		if n != 3 {
			b.Fatalf("%d keys", n)
		}
	}
}

// TestTwoCommitsBeforeWrite: a second Commit while the first one's batch
// is not yet written serves reads from both commits' changes, and both
// batches together hold the state of the second root.
func TestTwoCommitsBeforeWrite(t *testing.T) {
	db := storage.NewMemDB()
	s, _ := Open(db, EmptyRoot)
	s.Set([]byte("k/1"), []byte("a"))
	s.Set([]byte("k/2"), []byte("b"))
	b1 := db.NewBatch()
	if _, err := s.Commit(b1); err != nil {
		t.Fatal(err)
	}
	s.Set([]byte("k/2"), []byte("c"))
	s.Delete([]byte("k/1"))
	s.Set([]byte("k/3"), []byte("d"))
	b2 := db.NewBatch()
	root, err := s.Commit(b2)
	if err != nil {
		t.Fatal(err)
	}
	const want = "6b2f32=63\n6b2f33=64\n"
	if got := dump(t, s, []byte("k/")); got != want {
		t.Fatalf("before the writes: %q, want %q", got, want)
	}
	for _, b := range []storage.Batch{b1, b2} {
		if err := b.Write(); err != nil {
			t.Fatal(err)
		}
		b.Close()
	}
	s.MarkWritten()
	if got := dump(t, s, []byte("k/")); got != want {
		t.Fatalf("after the writes: %q, want %q", got, want)
	}
	r, err := NewReader(db, root)
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(t, r, []byte("k/")); got != want {
		t.Fatalf("reader at the second root: %q, want %q", got, want)
	}
}

// TestNodeCacheBound: the trie node cache keeps what it holds (nodes plus
// the per-entry overhead) within its byte budget, evicting the least
// recently used nodes first.
func TestNodeCacheBound(t *testing.T) {
	const node = 100
	c := newNodeCache(10 * (node + nodeCacheEntryOverhead))
	hash := func(i int) common.Hash { return common.Hash{byte(i), byte(i >> 8)} }
	for i := range 10 {
		c.add(hash(i), make([]byte, node))
	}
	c.get(hash(0)) // now the most recently used
	for i := 10; i < 15; i++ {
		c.add(hash(i), make([]byte, node))
	}
	if c.bytes > c.max || c.lru.Len() != 10 {
		t.Fatalf("%d entries, %d bytes of %d", c.lru.Len(), c.bytes, c.max)
	}
	for i, want := range map[int]bool{0: true, 1: false, 5: false, 6: true, 14: true} {
		if _, ok := c.get(hash(i)); ok != want {
			t.Fatalf("node %d cached %v, want %v", i, ok, want)
		}
	}
	c.add(hash(20), make([]byte, 5*node+4*nodeCacheEntryOverhead))
	if c.bytes > c.max || c.lru.Len() != 6 {
		t.Fatalf("after a large node: %d entries, %d bytes of %d", c.lru.Len(), c.bytes, c.max)
	}
}
