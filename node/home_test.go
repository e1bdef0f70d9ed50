package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// TestWriteKeyFileReplacesPrivately: rewriting a key file leaves the new
// key, whole, with mode 0600, even over a file that was world-readable
// (os.WriteFile would keep the old mode), and no temporary file.
func TestWriteKeyFileReplacesPrivately(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "account0.key")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteKeyFile(path, key); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %o, want 600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	got, err := crypto.HexToECDSA(strings.TrimSpace(string(b)))
	if err != nil || !got.Equal(key) {
		t.Fatalf("key file holds %q (%v)", b, err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Fatalf("left in the folder: %v", ents)
	}
}
