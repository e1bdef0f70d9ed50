package miner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/yumachain/yuma/types"
)

func checkDurable(t *testing.T, s *NonceStore, a types.Address, n uint64) {
	t.Helper()
	wait, err := s.Check(a, n)
	if err != nil {
		t.Fatalf("Check(%d): %v", n, err)
	}
	if err := wait(context.Background()); err != nil {
		t.Fatalf("wait(%d): %v", n, err)
	}
}

func TestNonceStorePersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nonces.log")
	a, b := types.Address{1}, types.Address{2}
	s, err := OpenNonceStore(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkDurable(t, s, a, 5)
	checkDurable(t, s, a, 7)
	checkDurable(t, s, b, 3)
	if _, err := s.Check(a, 7); !errors.Is(err, ErrReplay) {
		t.Fatalf("replay: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(a, 100); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	s, err = OpenNonceStore(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Last(a) != 7 || s.Last(b) != 3 {
		t.Fatalf("after reopen: a=%d b=%d", s.Last(a), s.Last(b))
	}
	// Reopening compacted the file to one record per caller.
	if fi, _ := os.Stat(path); fi.Size() != int64(len(nonceMagic)+2*nonceRecordSize) {
		t.Errorf("compacted file is %d bytes", fi.Size())
	}
}

// TestNonceStoreTornTail: a crash mid-append leaves a partial or corrupt
// record; the good prefix survives and the store opens.
func TestNonceStoreTornTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nonces.log")
	a, b := types.Address{1}, types.Address{2}
	good := appendNonceRecord(appendNonceRecord([]byte(nonceMagic), a, 9), b, 4)
	for name, tail := range map[string][]byte{
		"partial record": appendNonceRecord(nil, a, 50)[:17],
		"bad crc":        append(appendNonceRecord(nil, a, 50)[:28], 0, 0, 0, 0),
	} {
		if err := os.WriteFile(path, append(append([]byte{}, good...), tail...), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := OpenNonceStore(path, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Last(a) != 9 || s.Last(b) != 4 {
			t.Errorf("%s: a=%d b=%d, want 9 and 4", name, s.Last(a), s.Last(b))
		}
		checkDurable(t, s, a, 10)
		s.Close()
	}
}

func TestNonceStoreRefusesForeignFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nonces.log")
	if err := os.WriteFile(path, []byte("something else entirely"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenNonceStore(path, nil); !errors.Is(err, ErrNonceStore) {
		t.Fatalf("foreign file: %v", err)
	}
	if _, err := OpenNonceStore(filepath.Join(t.TempDir(), "missing-dir", "nonces.log"), nil); !errors.Is(err, ErrNonceStore) {
		t.Fatalf("unwritable path: %v", err)
	}
}

// TestNonceStoreWriteFailure: once a write fails, the waiting request and
// every later one fail, so the miner never serves without durable replay
// protection.
func TestNonceStoreWriteFailure(t *testing.T) {
	s, err := OpenNonceStore(filepath.Join(t.TempDir(), "nonces.log"), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.f.Close() // the disk goes away
	wait, err := s.Check(types.Address{1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := wait(context.Background()); !errors.Is(err, ErrNonceStore) {
		t.Fatalf("wait after failed write: %v", err)
	}
	if _, err := s.Check(types.Address{1}, 2); !errors.Is(err, ErrNonceStore) {
		t.Fatalf("check after failed write: %v", err)
	}
	if err := s.Close(); err == nil {
		t.Fatal("close hid the write failure")
	}
}

func TestNonceStoreGroupCommit(t *testing.T) {
	var syncs, records int
	s, err := OpenNonceStore(filepath.Join(t.TempDir(), "nonces.log"), func(n int) { syncs++; records += n })
	if err != nil {
		t.Fatal(err)
	}
	var waits []func(context.Context) error
	for i := range 100 {
		w, err := s.Check(types.Address{byte(i)}, 1)
		if err != nil {
			t.Fatal(err)
		}
		waits = append(waits, w)
	}
	for _, w := range waits {
		if err := w(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if records != 100 || syncs >= 100 {
		t.Errorf("%d records in %d fsyncs: no batching", records, syncs)
	}
}

// FuzzNonceLog: the file decoder never panics, and what it accepts
// re-encodes to a file that decodes to the same map.
func FuzzNonceLog(f *testing.F) {
	f.Add([]byte(nonceMagic))
	f.Add(appendNonceRecord([]byte(nonceMagic), types.Address{7}, 1))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeNonceLog(b)
		if err != nil {
			return
		}
		m2, err := decodeNonceLog(encodeNonceLog(m))
		if err != nil || len(m2) != len(m) {
			t.Fatalf("re-decode: %v, %d vs %d entries", err, len(m2), len(m))
		}
		for k, v := range m {
			if m2[k] != v {
				t.Fatalf("entry %x: %d vs %d", k, m2[k], v)
			}
		}
	})
}
