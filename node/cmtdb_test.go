package node

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
)

// TestCmtPebbleMatchesMemDB drives the engine-store adapter and
// cometbft-db's reference in-memory DB with the same random operations and
// compares every read, forward and reverse range scan.
func TestCmtPebbleMatchesMemDB(t *testing.T) {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(t.TempDir())
	got, err := pebbleDBProvider(&cmtcfg.DBContext{ID: "test", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	want := dbm.NewMemDB()
	rng := rand.New(rand.NewPCG(3, 4))
	key := func() []byte { return []byte{byte('a' + rng.IntN(6)), byte('0' + rng.IntN(6))} }
	scan := func(it dbm.Iterator, err error) string {
		if err != nil {
			return "err:" + err.Error()
		}
		defer it.Close()
		var b bytes.Buffer
		for ; it.Valid(); it.Next() {
			fmt.Fprintf(&b, "%s=%s,", it.Key(), it.Value())
		}
		return b.String()
	}
	for step := 0; step < 2000; step++ {
		switch rng.IntN(5) {
		case 0, 1:
			k, v := key(), []byte(fmt.Sprint(step))
			got.Set(k, v)
			want.Set(k, v)
		case 2:
			k := key()
			got.DeleteSync(k)
			want.DeleteSync(k)
		case 3:
			gb, wb := got.NewBatch(), want.NewBatch()
			for i := 0; i < 4; i++ {
				k := key()
				gb.Set(k, []byte("b"))
				wb.Set(k, []byte("b"))
			}
			if err := gb.WriteSync(); err != nil {
				t.Fatal(err)
			}
			wb.WriteSync()
			gb.Close()
			wb.Close()
		default:
			var start, end []byte
			if rng.IntN(3) > 0 {
				start = key()
			}
			if rng.IntN(3) > 0 {
				end = key()
			}
			if g, w := scan(got.Iterator(start, end)), scan(want.Iterator(start, end)); g != w {
				t.Fatalf("step %d forward [%s,%s): %s, want %s", step, start, end, g, w)
			}
			if g, w := scan(got.ReverseIterator(start, end)), scan(want.ReverseIterator(start, end)); g != w {
				t.Fatalf("step %d reverse [%s,%s): %s, want %s", step, start, end, g, w)
			}
		}
		k := key()
		gv, _ := got.Get(k)
		wv, _ := want.Get(k)
		if !bytes.Equal(gv, wv) {
			t.Fatalf("step %d get %s: %q want %q", step, k, gv, wv)
		}
	}
	if _, err := got.Get(nil); err == nil {
		t.Fatal("empty key accepted")
	}
	if err := got.Set([]byte("k"), nil); err == nil {
		t.Fatal("nil value accepted")
	}
}

// TestCmtPebbleAfterClose: reads after Close answer as an empty store (the
// engine's goroutines may still read during shutdown and would panic on an
// error); writes fail.
func TestCmtPebbleAfterClose(t *testing.T) {
	cfg := cmtcfg.DefaultConfig()
	cfg.SetRoot(t.TempDir())
	db, err := pebbleDBProvider(&cmtcfg.DBContext{ID: "closed", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	db.SetSync([]byte("k"), []byte("v"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("k")); v != nil || err != nil {
		t.Fatalf("get after close: %q %v", v, err)
	}
	it, err := db.Iterator(nil, nil)
	if err != nil || it.Valid() {
		t.Fatalf("iterator after close: valid=%v %v", it != nil && it.Valid(), err)
	}
	if err := db.Set([]byte("k"), []byte("w")); err == nil {
		t.Fatal("write after close succeeded")
	}
	b := db.NewBatch()
	if b != nil {
		b.Set([]byte("x"), []byte("y"))
		if err := b.WriteSync(); err == nil {
			t.Fatal("batch write after close succeeded")
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal("second close:", err)
	}
}
