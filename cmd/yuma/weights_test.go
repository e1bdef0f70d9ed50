package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestWriteRevealFileConcurrent: writers of one reveal file each use their
// own temporary file, so none fails, the file always decodes whole (it
// holds the salt: without it the commit cannot be revealed), it has mode
// 0600, and nothing is left beside it.
func TestWriteRevealFileConcurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "reveals")
	path := filepath.Join(dir, "1-0xabc.json")
	var wg sync.WaitGroup
	errs := make(chan error, 4*20)
	for w := range 4 {
		wg.Go(func() {
			for i := range 20 {
				rf := &revealFile{Version: 1, NetUID: 1, Hotkey: "default", UIDs: make([]uint16, 50*w), Salt: []uint16{uint16(w), uint16(i)}}
				errs <- writeRevealFile(path, rf)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent writeRevealFile: %v", err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rf revealFile
	if err := json.Unmarshal(b, &rf); err != nil || len(rf.Salt) != 2 {
		t.Fatalf("reveal file not whole: %v %+v", err, rf)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("reveal file mode %o", st.Mode().Perm())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("left beside the reveal file: %v", ents)
	}
}
