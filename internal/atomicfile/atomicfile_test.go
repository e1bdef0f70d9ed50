package atomicfile

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func requireOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	got := names(t, dir)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s holds %q, want %q (a temporary file left behind?)", dir, got, want)
	}
}

func requireFile(t *testing.T, path string, data []byte, perm fs.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("%s holds %q, want %q", path, got, data)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != perm {
		t.Fatalf("%s has mode %o, want %o", path, st.Mode().Perm(), perm)
	}
}

func TestWriteCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := Write(path, []byte("one"), 0o640); err != nil {
		t.Fatal(err)
	}
	requireFile(t, path, []byte("one"), 0o640)
	// Replacing takes the new mode too, unlike os.WriteFile, which keeps
	// the old file's mode (a 0644 key file would stay world-readable).
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("second, longer"), 0o600); err != nil {
		t.Fatal(err)
	}
	requireFile(t, path, []byte("second, longer"), 0o600)
	if err := Write(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	requireFile(t, path, nil, 0o600)
	requireOnly(t, dir, "state.json")
}

func TestWriteFailureLeavesTargetAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	// A non-empty folder cannot be renamed over.
	path := filepath.Join(dir, "busy")
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("x"), 0o600); err == nil {
		t.Fatal("Write over a non-empty folder succeeded")
	}
	requireOnly(t, dir, "busy")
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		t.Fatalf("the folder was harmed: %v", err)
	}
	if err := Write(filepath.Join(dir, "no-such-dir", "f"), []byte("x"), 0o600); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Write into a missing folder: %v, want ErrNotExist", err)
	}
}

func TestCreateNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	if err := Create(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	requireFile(t, path, []byte("first"), 0o600)
	err := Create(path, []byte("second"), 0o644)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Create over an existing file: %v, want ErrExist", err)
	}
	requireFile(t, path, []byte("first"), 0o600)
	requireOnly(t, dir, "key")
}

// TestConcurrentWrites: writers of one path each use their own temporary
// file, so none fails and the result is always one writer's whole data.
// With a fixed temporary name ("path.tmp") they truncate each other's
// file and rename it from under each other.
func TestConcurrentWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "reveal.json")
	const writers, rounds = 8, 25
	payload := func(w int) []byte { return bytes.Repeat([]byte{byte('a' + w)}, 1000*(w+1)) }
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds)
	for w := range writers {
		wg.Go(func() {
			for range rounds {
				errs <- Write(path, payload(w), 0o600)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent Write: %v", err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ok := false
	for w := range writers {
		ok = ok || bytes.Equal(got, payload(w))
	}
	if !ok {
		t.Fatalf("the file holds %d bytes that are no writer's data", len(got))
	}
	requireOnly(t, dir, "reveal.json")
}

func TestConcurrentCreateHasOneWinner(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = Create(path, []byte{byte('0' + i)}, 0o600) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("both %d and %d created the file", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, fs.ErrExist):
			t.Fatalf("Create %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("nobody created the file")
	}
	requireFile(t, path, []byte{byte('0' + winner)}, 0o600)
	requireOnly(t, dir, "key")
}
