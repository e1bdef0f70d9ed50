package pebble

import (
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/vfs"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.DB {
		db, err := Open(t.TempDir(), DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		return db
	})
}

func TestUpperBound(t *testing.T) {
	for _, tc := range []struct{ in, want []byte }{
		{nil, nil},
		{[]byte{0xff}, nil},
		{[]byte("a/"), []byte("a0")},
		{[]byte{'a', 0xff}, []byte("b")},
	} {
		if got := upperBound(tc.in); string(got) != string(tc.want) {
			t.Errorf("upperBound(%x) = %x, want %x", tc.in, got, tc.want)
		}
	}
}

// TestCrashKeepsWholeBatches simulates power loss with a strict in-memory
// file system that drops unsynced writes: every batch written before the
// crash survives in full, and nothing of an unwritten batch appears.
func TestCrashKeepsWholeBatches(t *testing.T) {
	fs := vfs.NewStrictMem()
	o := DefaultOptions()
	o.FS = fs
	db, err := Open("", o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		b := db.NewBatch()
		for j := 0; j < 50; j++ {
			b.Set([]byte(fmt.Sprintf("k/%02d/%02d", i, j)), []byte(fmt.Sprint(i)))
		}
		b.Set([]byte("head"), []byte(fmt.Sprint(i)))
		if err := b.Write(); err != nil {
			t.Fatal(err)
		}
		b.Close()
	}
	// A batch that was built but never written.
	lost := db.NewBatch()
	lost.Set([]byte("k/99/00"), []byte("x"))
	fs.SetIgnoreSyncs(true)
	// Writes after this point are not synced; the crash drops them.
	db.db.Set([]byte("unsynced"), []byte("x"), nil)
	// Closing with syncs ignored, then dropping unsynced state, is the
	// crash: the process dies and only what reached the disk remains.
	db.Close()
	fs.ResetToSyncedState()
	fs.SetIgnoreSyncs(false)
	db2, err := Open("", o)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	head, err := db2.Get([]byte("head"))
	if err != nil || string(head) != "19" {
		t.Fatalf("head after crash = %q %v", head, err)
	}
	it := db2.NewIterator([]byte("k/"), nil)
	n := 0
	for it.Next() {
		n++
	}
	it.Close()
	if n != 20*50 {
		t.Fatalf("%d keys after crash, want %d", n, 20*50)
	}
	if ok, _ := db2.Has([]byte("unsynced")); ok {
		t.Fatal("unsynced write survived the crash")
	}
}

func BenchmarkBatchWrite(b *testing.B) {
	db, err := Open(b.TempDir(), DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	val := make([]byte, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bt := db.NewBatch()
		for j := 0; j < 1000; j++ {
			bt.Set([]byte(fmt.Sprintf("k/%d/%d", i, j)), val)
		}
		if err := bt.Write(); err != nil {
			b.Fatal(err)
		}
		bt.Close()
	}
}
