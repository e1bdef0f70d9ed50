// Package storagetest is the conformance suite every storage.DB backend
// must pass. A backend's test calls Run with a constructor of fresh stores.
package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/yumachain/yuma/storage"
)

// Run runs the whole suite. open must return a new, empty store each call.
func Run(t *testing.T, open func(t *testing.T) storage.DB) {
	t.Run("GetSetDelete", func(t *testing.T) { testGetSetDelete(t, open(t)) })
	t.Run("EmptyValue", func(t *testing.T) { testEmptyValue(t, open(t)) })
	t.Run("ValueIsCopied", func(t *testing.T) { testCopies(t, open(t)) })
	t.Run("IteratePrefixStart", func(t *testing.T) { testIterate(t, open(t)) })
	t.Run("IterateAgainstReference", func(t *testing.T) { testIterateReference(t, open(t)) })
	t.Run("BatchAtomic", func(t *testing.T) { testBatch(t, open(t)) })
	t.Run("Snapshot", func(t *testing.T) { testSnapshot(t, open(t)) })
	t.Run("IteratorIsolation", func(t *testing.T) { testIteratorIsolation(t, open(t)) })
	t.Run("Closed", func(t *testing.T) { testClosed(t, open(t)) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testGetSetDelete(t *testing.T, db storage.DB) {
	defer db.Close()
	if _, err := db.Get([]byte("a")); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("get absent: %v", err)
	}
	if ok, err := db.Has([]byte("a")); ok || err != nil {
		t.Fatalf("has absent: %v %v", ok, err)
	}
	must(t, db.Set([]byte("a"), []byte("1")))
	must(t, db.Set([]byte("a"), []byte("2")))
	v, err := db.Get([]byte("a"))
	if err != nil || string(v) != "2" {
		t.Fatalf("get = %q %v", v, err)
	}
	if ok, _ := db.Has([]byte("a")); !ok {
		t.Fatal("has after set")
	}
	must(t, db.Delete([]byte("a")))
	must(t, db.Delete([]byte("never")))
	if _, err := db.Get([]byte("a")); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
}

func testEmptyValue(t *testing.T, db storage.DB) {
	defer db.Close()
	must(t, db.Set([]byte("e"), nil))
	v, err := db.Get([]byte("e"))
	if err != nil || len(v) != 0 {
		t.Fatalf("empty value: %q %v", v, err)
	}
	if ok, _ := db.Has([]byte("e")); !ok {
		t.Fatal("empty value reads as absent")
	}
}

func testCopies(t *testing.T, db storage.DB) {
	defer db.Close()
	k, v := []byte("k"), []byte("v")
	must(t, db.Set(k, v))
	k[0], v[0] = 'x', 'x'
	got, err := db.Get([]byte("k"))
	if err != nil || string(got) != "v" {
		t.Fatalf("store kept caller's slices: %q %v", got, err)
	}
	got[0] = 'y'
	again, _ := db.Get([]byte("k"))
	if string(again) != "v" {
		t.Fatal("Get returned the store's own slice")
	}
}

func collect(t *testing.T, it storage.Iterator) []string {
	t.Helper()
	defer it.Close()
	var out []string
	for it.Next() {
		out = append(out, string(it.Key())+"="+string(it.Value()))
	}
	must(t, it.Error())
	return out
}

func testIterate(t *testing.T, db storage.DB) {
	defer db.Close()
	for _, k := range []string{"b/2", "a/1", "b/1", "b/3", "c", "b", "b0"} {
		must(t, db.Set([]byte(k), []byte("v"+k)))
	}
	for _, tc := range []struct {
		prefix, start string
		want          []string
	}{
		{"b/", "", []string{"b/1=vb/1", "b/2=vb/2", "b/3=vb/3"}},
		{"b/", "2", []string{"b/2=vb/2", "b/3=vb/3"}},
		{"b/", "9", nil},
		{"z", "", nil},
		{"", "b0", []string{"b0=vb0", "c=vc"}},
	} {
		var prefix []byte
		if tc.prefix != "" {
			prefix = []byte(tc.prefix)
		}
		got := collect(t, db.NewIterator(prefix, []byte(tc.start)))
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("iterate(%q, %q) = %v, want %v", tc.prefix, tc.start, got, tc.want)
		}
	}
	all := collect(t, db.NewIterator(nil, nil))
	if len(all) != 7 {
		t.Fatalf("full iteration: %v", all)
	}
}

// testIterateReference compares prefix iteration with a sorted reference
// over keys that include 0x00 and 0xff bytes (the edges of prefix bounds).
func testIterateReference(t *testing.T, db storage.DB) {
	defer db.Close()
	ref := map[string]string{}
	seed := uint32(7)
	next := func() byte { seed = seed*1664525 + 1013904223; return byte(seed >> 24) }
	for i := 0; i < 400; i++ {
		n := 1 + int(next()%4)
		k := make([]byte, n)
		for j := range k {
			switch next() % 4 {
			case 0:
				k[j] = 0x00
			case 1:
				k[j] = 0xff
			default:
				k[j] = 'a' + next()%3
			}
		}
		v := fmt.Sprint(i)
		ref[string(k)] = v
		must(t, db.Set(k, []byte(v)))
	}
	for _, prefix := range [][]byte{{0xff}, {0xff, 0xff}, {0x00}, {'a'}, {'b', 0xff}, nil} {
		var keys, want []string
		for k := range ref {
			if bytes.HasPrefix([]byte(k), prefix) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			want = append(want, k+"="+ref[k])
		}
		got := collect(t, db.NewIterator(prefix, nil))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("prefix %x: got %d keys, want %d", prefix, len(got), len(want))
		}
	}
}

func testBatch(t *testing.T, db storage.DB) {
	defer db.Close()
	must(t, db.Set([]byte("old"), []byte("x")))
	b := db.NewBatch()
	must(t, b.Set([]byte("n1"), []byte("1")))
	must(t, b.Set([]byte("n2"), []byte("2")))
	must(t, b.Delete([]byte("old")))
	if b.Len() != 3 {
		t.Fatalf("batch len %d", b.Len())
	}
	if _, err := db.Get([]byte("n1")); !errors.Is(err, storage.ErrNotFound) {
		t.Fatal("batch visible before Write")
	}
	must(t, b.Write())
	must(t, b.Close())
	for k, want := range map[string]string{"n1": "1", "n2": "2"} {
		if v, err := db.Get([]byte(k)); err != nil || string(v) != want {
			t.Fatalf("%s = %q %v", k, v, err)
		}
	}
	if ok, _ := db.Has([]byte("old")); ok {
		t.Fatal("batched delete not applied")
	}
	// Later operations on the same key win within a batch; Reset empties it.
	b = db.NewBatch()
	defer b.Close()
	must(t, b.Set([]byte("k"), []byte("a")))
	must(t, b.Delete([]byte("k")))
	must(t, b.Set([]byte("k"), []byte("b")))
	must(t, b.Write())
	if v, _ := db.Get([]byte("k")); string(v) != "b" {
		t.Fatalf("last op did not win: %q", v)
	}
	b.Reset()
	if b.Len() != 0 {
		t.Fatal("reset batch not empty")
	}
}

func testSnapshot(t *testing.T, db storage.DB) {
	defer db.Close()
	must(t, db.Set([]byte("a"), []byte("1")))
	snap, err := db.NewSnapshot()
	must(t, err)
	defer snap.Close()
	must(t, db.Set([]byte("a"), []byte("2")))
	must(t, db.Set([]byte("b"), []byte("3")))
	if v, err := snap.Get([]byte("a")); err != nil || string(v) != "1" {
		t.Fatalf("snapshot sees later write: %q %v", v, err)
	}
	if ok, _ := snap.Has([]byte("b")); ok {
		t.Fatal("snapshot sees later key")
	}
	if got := collect(t, snap.NewIterator(nil, nil)); fmt.Sprint(got) != "[a=1]" {
		t.Fatalf("snapshot iteration %v", got)
	}
}

func testIteratorIsolation(t *testing.T, db storage.DB) {
	defer db.Close()
	must(t, db.Set([]byte("p/1"), []byte("1")))
	must(t, db.Set([]byte("p/2"), []byte("2")))
	it := db.NewIterator([]byte("p/"), nil)
	defer it.Close()
	if !it.Next() {
		t.Fatal("empty")
	}
	k := bytes.Clone(it.Key())
	// Writes during iteration must not break the iterator.
	must(t, db.Set([]byte("p/3"), []byte("3")))
	must(t, db.Delete([]byte("p/2")))
	n := 1
	for it.Next() {
		n++
	}
	must(t, it.Error())
	if string(k) != "p/1" || n < 1 {
		t.Fatalf("iteration broken: first %q, n %d", k, n)
	}
}

func testClosed(t *testing.T, db storage.DB) {
	must(t, db.Close())
	if _, err := db.Get([]byte("a")); err == nil {
		t.Fatal("get on closed store succeeded")
	}
	if err := db.Set([]byte("a"), []byte("b")); err == nil {
		t.Fatal("set on closed store succeeded")
	}
}
