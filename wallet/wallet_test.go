package wallet

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// testKDF makes scrypt nearly free; the format is the same.
var testKDF = KDF{N: 16, P: 1}

const (
	testPassword = "correct horse battery staple"
	// Well-known vectors: the first Ethereum account of these mnemonics
	// (m/44'/60'/0'/0/0), as every Ethereum wallet derives it.
	hardhatMnemonic = "test test test test test test test test test test test junk"
	hardhatAddress  = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	abandonMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	abandonAddress  = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	s := Open(filepath.Join(t.TempDir(), "wallets"))
	s.KDF = testKDF
	return s
}

func fixedPassword(pw string) PasswordFunc { return func(string) (string, error) { return pw, nil } }

// noSecrets fails if err's message carries any secret.
func noSecrets(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Fatalf("error message leaks a secret: %q", err.Error())
		}
	}
}

func TestDeriveKnownVectors(t *testing.T) {
	for _, tc := range []struct{ mnemonic, addr string }{
		{hardhatMnemonic, hardhatAddress},
		{abandonMnemonic, abandonAddress},
		// Normalization: case and spacing do not change the key.
		{"  TEST test\ttest test test test test test test test test   junk\n", hardhatAddress},
	} {
		k, err := DeriveKey(tc.mnemonic)
		if err != nil {
			t.Fatal(err)
		}
		if got := crypto.PubkeyToAddress(k.PublicKey).Hex(); got != tc.addr {
			t.Errorf("DeriveKey(%q) = %s, want %s", tc.mnemonic, got, tc.addr)
		}
	}
}

func TestNewMnemonic(t *testing.T) {
	for _, n := range []int{12, 15, 18, 21, 24} {
		m, err := NewMnemonic(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(strings.Fields(m)); got != n {
			t.Fatalf("NewMnemonic(%d) has %d words", n, got)
		}
		if err := CheckMnemonic(m); err != nil {
			t.Fatalf("fresh mnemonic does not check: %v", err)
		}
	}
	a, _ := NewMnemonic(12)
	b, _ := NewMnemonic(12)
	if a == b {
		t.Fatal("two fresh mnemonics are equal")
	}
	if _, err := NewMnemonic(13); !errors.Is(err, ErrBadMnemonic) {
		t.Fatalf("13 words: %v", err)
	}
}

func TestBadMnemonics(t *testing.T) {
	words := strings.Fields(abandonMnemonic)
	for name, m := range map[string]string{
		"11 words":       strings.Join(words[:11], " "),
		"25 words":       abandonMnemonic + " " + strings.Join(words[:12], " ") + " zoo",
		"unknown word":   strings.Replace(abandonMnemonic, "about", "aboutt", 1),
		"wrong checksum": strings.Replace(abandonMnemonic, "about", "zoo", 1),
		"empty":          "",
	} {
		_, err := DeriveKey(m)
		if !errors.Is(err, ErrBadMnemonic) {
			t.Errorf("%s: err = %v, want ErrBadMnemonic", name, err)
		}
		noSecrets(t, err, "aboutt", "abandon abandon")
	}
}

func TestCreateLoadRegenerate(t *testing.T) {
	s := newStore(t)
	m, err := NewMnemonic(12)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Create(Coldkey("alice"), m, CreateOptions{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	key, err := s.Load(Coldkey("alice"), fixedPassword(testPassword))
	if err != nil {
		t.Fatal(err)
	}
	if crypto.PubkeyToAddress(key.PublicKey) != c.Address {
		t.Fatal("loaded key differs from created")
	}
	pub, err := s.Public(Coldkey("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if pub.Address != c.Address || !bytes.Equal(pub.Compressed, crypto.CompressPubkey(&key.PublicKey)) {
		t.Fatalf("public file %+v does not match the key", pub)
	}

	// Regenerating from the mnemonic elsewhere gives the same address.
	other := newStore(t)
	r, err := other.Create(Coldkey("alice"), m, CreateOptions{Password: "another password"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Address != c.Address {
		t.Fatalf("regenerated %s, created %s", r.Address.Hex(), c.Address.Hex())
	}
	// Regenerating in place is allowed without --overwrite (same key) and
	// keeps the old file.
	old, _ := os.ReadFile(c.KeyPath)
	r2, err := s.Create(Coldkey("alice"), m, CreateOptions{Password: "new password"})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Replaced == "" {
		t.Fatal("replaced keyfile not backed up")
	}
	if b, _ := os.ReadFile(r2.Replaced); !bytes.Equal(b, old) {
		t.Fatal("backup differs from the replaced keyfile")
	}
	if _, err := s.Load(Coldkey("alice"), fixedPassword("new password")); err != nil {
		t.Fatal(err)
	}
}

func TestFileModes(t *testing.T) {
	s := newStore(t)
	if _, err := s.Create(Coldkey("w"), abandonMnemonic, CreateOptions{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(Hotkey("w", "default"), hardhatMnemonic, CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.KeyPath(Coldkey("w")), s.PubPath(Coldkey("w")), s.KeyPath(Hotkey("w", "default")), s.PubPath(Hotkey("w", "default"))} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %o, want 600", p, fi.Mode().Perm())
		}
	}
	for _, d := range []string{s.WalletDir("w"), filepath.Join(s.WalletDir("w"), HotkeysDir)} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %o, want 700", d, fi.Mode().Perm())
		}
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(s.WalletDir("w"))
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("left %s", e.Name())
		}
	}
}

func TestWrongPassword(t *testing.T) {
	s := newStore(t)
	if _, err := s.Create(Coldkey("alice"), abandonMnemonic, CreateOptions{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(Coldkey("alice"), fixedPassword("hunter2"))
	if !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("err = %v, want ErrWrongPassword", err)
	}
	if !strings.Contains(err.Error(), `wallet "alice"`) {
		t.Fatalf("message does not name the wallet: %v", err)
	}
	noSecrets(t, err, "hunter2", testPassword)
	// No password source at all.
	if _, err := s.Load(Coldkey("alice"), nil); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("nil password: %v", err)
	}
}

func TestCorruptKeyfiles(t *testing.T) {
	s := newStore(t)
	c, err := s.Create(Coldkey("alice"), abandonMnemonic, CreateOptions{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(c.KeyPath)
	hk, err := s.Create(Hotkey("alice", "hk"), hardhatMnemonic, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	goodPlain, _ := os.ReadFile(hk.KeyPath)
	privHex := hex.EncodeToString(crypto.FromECDSA(mustDerive(t, hardhatMnemonic)))
	for name, tc := range map[string]struct {
		role Role
		b    []byte
	}{
		"truncated":       {Coldkey("alice"), good[:len(good)/2]},
		"empty":           {Coldkey("alice"), nil},
		"garbage":         {Coldkey("alice"), []byte("\x00\x01not json at all")},
		"other json":      {Coldkey("alice"), []byte(`{"hello":"world"}`)},
		"bad ciphertext":  {Coldkey("alice"), bytes.Replace(good, []byte(`"ciphertext":"`), []byte(`"ciphertext":"zz`), 1)},
		"plain truncated": {Hotkey("alice", "hk"), goodPlain[:len(goodPlain)-20]},
		"plain bad hex":   {Hotkey("alice", "hk"), bytes.Replace(goodPlain, []byte(privHex[:4]), []byte("zzzz"), 1)},
	} {
		path := s.KeyPath(tc.role)
		if err := os.WriteFile(path, tc.b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load(tc.role, fixedPassword(testPassword))
		if !errors.Is(err, ErrCorruptKeyfile) {
			t.Errorf("%s: err = %v, want ErrCorruptKeyfile", name, err)
		}
		noSecrets(t, err, testPassword, privHex[4:20])
		if err != nil && !strings.Contains(err.Error(), path) {
			t.Errorf("%s: message does not name the file: %v", name, err)
		}
	}
}

func mustDerive(t *testing.T, m string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := DeriveKey(m)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestLoosePermissions(t *testing.T) {
	s := newStore(t)
	c, err := s.Create(Coldkey("alice"), abandonMnemonic, CreateOptions{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(c.KeyPath, mode); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load(Coldkey("alice"), fixedPassword(testPassword))
		if !errors.Is(err, ErrLoosePermissions) {
			t.Fatalf("mode %o: err = %v, want ErrLoosePermissions", mode, err)
		}
		if !strings.Contains(err.Error(), "chmod 600 "+c.KeyPath) {
			t.Fatalf("message lacks the chmod to run: %v", err)
		}
	}
	if err := os.Chmod(c.KeyPath, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(Coldkey("alice"), fixedPassword(testPassword)); err != nil {
		t.Fatalf("mode 400 must load: %v", err)
	}
}

func TestUnknownWalletAndKey(t *testing.T) {
	s := newStore(t)
	_, err := s.Load(Coldkey("nobody"), fixedPassword(testPassword))
	if !errors.Is(err, ErrWalletNotFound) || !strings.Contains(err.Error(), `"nobody"`) {
		t.Fatalf("unknown wallet: %v", err)
	}
	if _, err := s.Public(Coldkey("nobody")); !errors.Is(err, ErrWalletNotFound) {
		t.Fatalf("unknown wallet public: %v", err)
	}
	if _, err := s.Create(Coldkey("alice"), abandonMnemonic, CreateOptions{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(Hotkey("alice", "missing"), nil); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("unknown hotkey: %v", err)
	}
	if _, err := s.Load(Coldkey("../etc"), nil); !errors.Is(err, ErrBadName) {
		t.Fatalf("path in a name: %v", err)
	}
	// Watch-only: the public file without the keyfile.
	if err := os.Remove(s.KeyPath(Coldkey("alice"))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Public(Coldkey("alice")); err != nil {
		t.Fatalf("watch-only public: %v", err)
	}
	if _, err := s.Load(Coldkey("alice"), fixedPassword(testPassword)); !errors.Is(err, ErrKeyNotFound) || !strings.Contains(err.Error(), "watch-only") {
		t.Fatalf("watch-only load: %v", err)
	}
}

func TestOverwriteProtection(t *testing.T) {
	s := newStore(t)
	s.Now = func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC) }
	first, err := s.Create(Coldkey("alice"), abandonMnemonic, CreateOptions{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(first.KeyPath)
	beforePub, _ := os.ReadFile(first.PubPath)
	_, err = s.Create(Coldkey("alice"), hardhatMnemonic, CreateOptions{Password: testPassword})
	if !errors.Is(err, ErrKeyExists) || !strings.Contains(err.Error(), "--overwrite") {
		t.Fatalf("second create: %v", err)
	}
	after, _ := os.ReadFile(first.KeyPath)
	afterPub, _ := os.ReadFile(first.PubPath)
	if !bytes.Equal(before, after) || !bytes.Equal(beforePub, afterPub) {
		t.Fatal("a refused create changed the key files")
	}
	// An unreadable keyfile is protected too.
	if err := os.WriteFile(first.KeyPath, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(Coldkey("alice"), abandonMnemonic, CreateOptions{Password: testPassword}); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("create over an unreadable keyfile: %v", err)
	}
	if err := os.WriteFile(first.KeyPath, before, 0o600); err != nil {
		t.Fatal(err)
	}

	second, err := s.Create(Coldkey("alice"), hardhatMnemonic, CreateOptions{Password: testPassword, Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if second.Address.Hex() != hardhatAddress {
		t.Fatalf("overwritten with %s", second.Address.Hex())
	}
	if want := first.KeyPath + ".replaced-20250102T030405.000000006Z"; second.Replaced != want {
		t.Fatalf("backup %q, want %q", second.Replaced, want)
	}
	if b, _ := os.ReadFile(second.Replaced); !bytes.Equal(b, before) {
		t.Fatal("the backup does not hold the old key")
	}
	if fi, _ := os.Stat(second.Replaced); fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %o", fi.Mode().Perm())
	}
	// The backup is not listed as a hotkey or a wallet.
	names, _ := s.HotkeyNames("alice")
	if len(names) != 0 {
		t.Fatalf("hotkeys %v", names)
	}
}

func TestHotkeysPlainAndEncrypted(t *testing.T) {
	s := newStore(t)
	// A hotkey may be created in a wallet that has no coldkey here (a
	// miner's machine).
	plain, err := s.Create(Hotkey("miner", "default"), hardhatMnemonic, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.Load(Hotkey("miner", "default"), nil)
	if err != nil {
		t.Fatalf("plain hotkey needs no password: %v", err)
	}
	if crypto.PubkeyToAddress(k.PublicKey) != plain.Address {
		t.Fatal("plain hotkey round trip")
	}
	if _, err := s.Create(Hotkey("miner", "secure"), abandonMnemonic, CreateOptions{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if enc, _ := s.IsEncrypted(Hotkey("miner", "secure")); !enc {
		t.Fatal("encrypted hotkey reported plain")
	}
	if _, err := s.Load(Hotkey("miner", "secure"), nil); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("encrypted hotkey without password: %v", err)
	}
	if _, err := s.Load(Hotkey("miner", "secure"), fixedPassword(testPassword)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(Coldkey("miner"), abandonMnemonic, CreateOptions{}); !errors.Is(err, ErrEmptyPassword) {
		t.Fatalf("unencrypted coldkey: %v", err)
	}

	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "miner" || list[0].Coldkey != nil || len(list[0].Hotkeys) != 2 {
		t.Fatalf("list %+v", list)
	}
	if h := list[0].Hotkeys[1]; h.Name != "secure" || !h.Encrypted || !h.HasPrivate || h.Address.Hex() != abandonAddress {
		t.Fatalf("hotkey info %+v", h)
	}
}

func TestKeyMismatch(t *testing.T) {
	s := newStore(t)
	if _, err := s.Create(Coldkey("a"), abandonMnemonic, CreateOptions{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(Coldkey("b"), hardhatMnemonic, CreateOptions{Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	pb, _ := os.ReadFile(s.PubPath(Coldkey("b")))
	if err := os.WriteFile(s.PubPath(Coldkey("a")), pb, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(Coldkey("a"), fixedPassword(testPassword)); !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("mismatched files: %v", err)
	}
}

func TestPasswordSources(t *testing.T) {
	env := map[string]string{}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	t.Run("fd", func(t *testing.T) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		w.WriteString("from fd\nsecond line\n")
		w.Close()
		p := &PasswordSource{FD: int(r.Fd()), LookupEnv: lookup}
		for range 2 {
			got, err := p.Get("")
			if err != nil || got != "from fd" {
				t.Fatalf("fd: %q, %v", got, err)
			}
		}
	})
	t.Run("file", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "pw")
		os.WriteFile(f, []byte("from file\r\nrest"), 0o600)
		p := &PasswordSource{File: f, LookupEnv: lookup}
		if got, err := p.Get(""); err != nil || got != "from file" {
			t.Fatalf("file: %q, %v", got, err)
		}
		p = &PasswordSource{File: filepath.Join(t.TempDir(), "missing"), LookupEnv: lookup}
		if _, err := p.Get(""); !errors.Is(err, ErrNoPassword) {
			t.Fatalf("missing file: %v", err)
		}
	})
	t.Run("env", func(t *testing.T) {
		env["MY_PW"] = "from my env"
		env[EnvPassword] = "from default env"
		defer delete(env, EnvPassword)
		p := &PasswordSource{Env: "MY_PW", LookupEnv: lookup}
		if got, err := p.Get(""); err != nil || got != "from my env" {
			t.Fatalf("env: %q, %v", got, err)
		}
		p = &PasswordSource{LookupEnv: lookup}
		if got, err := p.Get(""); err != nil || got != "from default env" {
			t.Fatalf("YUMA_PASSWORD: %q, %v", got, err)
		}
		p = &PasswordSource{Env: "UNSET_PW", LookupEnv: lookup}
		if _, err := p.Get(""); !errors.Is(err, ErrNoPassword) || !strings.Contains(err.Error(), "UNSET_PW") {
			t.Fatalf("unset env: %v", err)
		}
	})
	t.Run("none", func(t *testing.T) {
		p := &PasswordSource{LookupEnv: lookup}
		_, err := p.Get("")
		if !errors.Is(err, ErrNoPassword) || !strings.Contains(err.Error(), "--password-file") {
			t.Fatalf("no source: %v", err)
		}
		p = &PasswordSource{Env: "A", File: "b", LookupEnv: lookup}
		if _, err := p.Get(""); !errors.Is(err, ErrNoPassword) {
			t.Fatalf("two sources: %v", err)
		}
	})
	t.Run("prompt", func(t *testing.T) {
		answers := []string{"typed", "typed", "x", "y"}
		p := &PasswordSource{LookupEnv: lookup, Prompt: func(string) (string, error) {
			a := answers[0]
			answers = answers[1:]
			return a, nil
		}}
		if got, err := p.New(""); err != nil || got != "typed" {
			t.Fatalf("prompt: %q, %v", got, err)
		}
		p.got = false
		if _, err := p.New(""); err == nil {
			t.Fatal("differing confirmation accepted")
		}
	})
	t.Run("empty new", func(t *testing.T) {
		env["EMPTY"] = ""
		p := &PasswordSource{Env: "EMPTY", LookupEnv: lookup}
		if _, err := p.New(""); !errors.Is(err, ErrEmptyPassword) {
			t.Fatalf("empty: %v", err)
		}
	})
	t.Run("coldkey from fd", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Create(Coldkey("c"), abandonMnemonic, CreateOptions{Password: "fd pass"}); err != nil {
			t.Fatal(err)
		}
		r, w, _ := os.Pipe()
		defer r.Close()
		w.WriteString("fd pass\n")
		w.Close()
		p := &PasswordSource{FD: int(r.Fd()), LookupEnv: lookup}
		k, err := s.Load(Coldkey("c"), p.Func())
		if err != nil || crypto.PubkeyToAddress(k.PublicKey).Hex() != abandonAddress {
			t.Fatalf("coldkey via fd: %v", err)
		}
	})
}

func TestDefaultRoot(t *testing.T) {
	got, err := DefaultRoot(func(k string) string {
		if k == "YUMA_HOME" {
			return "/srv/yuma"
		}
		return ""
	})
	if err != nil || got != "/srv/yuma/wallets" {
		t.Fatalf("DefaultRoot = %q, %v", got, err)
	}
	if s := Open("x"); s.kdf() != StandardKDF {
		t.Fatal("new keys must default to the standard scrypt parameters")
	}
}

func TestNames(t *testing.T) {
	for _, ok := range []string{"a", "alice", "A-1_b", strings.Repeat("x", 64)} {
		if CheckName("wallet", ok) != nil {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "-a", "a b", "a.b", strings.Repeat("x", 65), "é"} {
		if !errors.Is(CheckName("wallet", bad), ErrBadName) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestWriteAtomicNeverReplacesNewKey: a keyfile that appears while a new
// one is written (another process creating the same key) is kept, and the
// writer gets ErrKeyExists.
func TestWriteAtomicNeverReplacesNewKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "coldkey")
	if err := os.WriteFile(path, []byte("theirs"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(path, []byte("ours"), false); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("writeAtomic over an existing key: %v, want ErrKeyExists", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "theirs" {
		t.Fatalf("the existing key was replaced: %q", b)
	}
	if err := writeAtomic(path, []byte("ours"), true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "ours" {
		t.Fatalf("replace: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}
}
