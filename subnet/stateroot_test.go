package subnet

import (
	"os"
	"testing"

	"github.com/yumachain/yuma/state"
	"github.com/yumachain/yuma/storage"
)

// TestStateRootDigest commits the state of the seeded simulation (the one
// TestStateDigest pins) to the Merkle trie and pins its root: together the
// two prove that the same chain gives the same app hash on every
// architecture scripts/crossarch.sh runs (386, amd64 v1/v3, arm64).
// Regenerate with -rewrite after an intended change.
func TestStateRootDigest(t *testing.T) {
	e, _ := runSim(t, 7, 120)
	db := storage.NewMemDB()
	st, err := state.Open(db, state.EmptyRoot)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := e.st.Iterate(nil, func(k, v []byte) bool {
		st.Set(k, v)
		n++
		return true
	}); err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	root, err := st.Commit(b)
	if err != nil {
		t.Fatal(err)
	}
	got := root.Hex() + "\n"
	const file = "testdata/sim120.root"
	if *rewrite {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create)", err)
	}
	if got != string(want) {
		t.Fatalf("state root %s over %d keys, golden %s", got, n, want)
	}
	t.Logf("state root digest %s over %d keys", root.Hex(), n)
}
