package main

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/wallet"
)

// regenFaucet restores the genesis-funded faucet wallet from its mnemonic.
func (e *cliEnv) regenFaucet() {
	e.t.Helper()
	f := filepath.Join(e.home, "faucet.words")
	if err := os.WriteFile(f, []byte(faucetMnemonic+"\n"), 0o600); err != nil {
		e.t.Fatal(err)
	}
	var out keysJSON
	e.okJSON("wallet_regen", &out, "wallet", "regen-coldkey", "--wallet", "faucet", "--mnemonic-file", f, "--password-file", e.pwFile, "--light-kdf")
	if out.Keys[0].Address != faucetAddress {
		e.t.Fatalf("faucet regenerated as %s, want %s", out.Keys[0].Address, faucetAddress)
	}
}

// createWallet makes a wallet (coldkey and hotkey "default") and returns
// its output and mnemonic file.
func (e *cliEnv) createWallet(name string) (keysJSON, string) {
	e.t.Helper()
	words := filepath.Join(e.home, name+".words")
	var out keysJSON
	e.okJSON("wallet_create", &out, "wallet", "create", "--wallet", name, "--password-file", e.pwFile, "--mnemonic-out", words, "--light-kdf")
	return out, words
}

func walletFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			files[p] = fi.Mode().String() + " " + string(b)
		}
		return nil
	})
	return files
}

func sameFiles(t *testing.T, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("wallet files changed: %d before, %d after", len(before), len(after))
	}
	for p, v := range before {
		if after[p] != v {
			t.Fatalf("%s changed", p)
		}
	}
}

func TestWalletCreateListRegenOffline(t *testing.T) {
	e := newCLIEnv(t)
	out, words := e.createWallet("alice")
	if len(out.Keys) != 2 || out.Keys[0].Role != "coldkey" || out.Keys[1].Hotkey != "default" || !out.Keys[0].Encrypted || out.Keys[1].Encrypted {
		t.Fatalf("create: %+v", out)
	}
	for _, k := range out.Keys {
		if k.Mnemonic != "" {
			t.Fatal("mnemonic in --json output without --show-mnemonic")
		}
	}
	if fi, err := os.Stat(words); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mnemonic file: %v %v", fi, err)
	}
	// The layout: files 0600 under $YUMA_HOME/wallets/alice.
	dir := filepath.Join(e.home, "wallets", "alice")
	for _, f := range []string{"coldkey", "coldkeypub.json", "hotkeys/default", "hotkeys/defaultpub.json"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", f, fi, err)
		}
	}

	// Regenerate both keys elsewhere from the mnemonic file: same addresses.
	other := t.TempDir()
	var cold, hot keysJSON
	e.okJSON("wallet_regen", &cold, "wallet", "regen-coldkey", "--wallet-path", other, "--wallet", "alice", "--mnemonic-file", words, "--password-file", e.pwFile, "--light-kdf")
	e.okJSON("wallet_regen", &hot, "wallet", "regen-hotkey", "--wallet-path", other, "--wallet", "alice", "--hotkey", "default", "--mnemonic-file", words)
	if cold.Keys[0].Address != out.Keys[0].Address || hot.Keys[0].Address != out.Keys[1].Address {
		t.Fatalf("regenerated %s/%s, created %s/%s", cold.Keys[0].Address, hot.Keys[0].Address, out.Keys[0].Address, out.Keys[1].Address)
	}
	// The mnemonic on stdin works too, and regenerating the same key in
	// place needs no --overwrite.
	b, _ := os.ReadFile(words)
	r := e.yuma(string(b), "wallet", "regen-hotkey", "--wallet", "alice", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, out.Keys[1].Address) {
		t.Fatalf("regen from stdin: %d %s %s", r.code, r.stdout, r.stderr)
	}

	e.ok("wallet", "new-hotkey", "--wallet", "alice", "--hotkey", "miner1", "--mnemonic-out", filepath.Join(e.home, "m1.words"))
	var list walletListJSON
	e.okJSON("wallet_list", &list, "wallet", "list")
	if len(list.Wallets) != 1 || list.Wallets[0].Coldkey.Address != out.Keys[0].Address || len(list.Wallets[0].Hotkeys) != 2 {
		t.Fatalf("list: %+v", list)
	}
	human := e.ok("wallet", "list").stdout
	for _, w := range []string{"alice", "miner1", out.Keys[0].Address, "encrypted"} {
		if !strings.Contains(human, w) {
			t.Fatalf("list table lacks %q:\n%s", w, human)
		}
	}
}

func TestWalletRefusals(t *testing.T) {
	e := newCLIEnv(t)
	out, _ := e.createWallet("alice")
	dir := filepath.Join(e.home, "wallets", "alice")
	before := walletFiles(t, dir)

	// Creating over an existing wallet: refused with --yes and without a
	// terminal, unless --overwrite.
	e.fails([]string{"already exists", "--overwrite"}, "wallet", "create", "--wallet", "alice", "--yes", "--password-file", e.pwFile, "--mnemonic-out", filepath.Join(e.home, "x.words"), "--light-kdf")
	e.fails([]string{"already exists"}, "wallet", "new-coldkey", "--wallet", "alice", "--password-file", e.pwFile, "--show-mnemonic", "--light-kdf")
	sameFiles(t, before, walletFiles(t, dir))
	// Headless creation without a way to see the mnemonic is refused.
	e.fails([]string{"--mnemonic-out", "--show-mnemonic"}, "wallet", "create", "--wallet", "bob", "--password-file", e.pwFile, "--light-kdf")
	if _, err := os.Stat(filepath.Join(e.home, "wallets", "bob")); err == nil {
		t.Fatal("refused create left a wallet")
	}
	// No password source without a terminal.
	e.fails([]string{"--password-file", "YUMA_PASSWORD"}, "wallet", "create", "--wallet", "bob", "--show-mnemonic", "--light-kdf")
	// Bad names and mnemonics.
	e.fails([]string{"invalid wallet name"}, "wallet", "create", "--wallet", "../evil", "--show-mnemonic", "--password-file", e.pwFile)
	bad := filepath.Join(e.home, "bad.words")
	os.WriteFile(bad, []byte(strings.Repeat("abandon ", 12)), 0o600)
	e.fails([]string{"checksum"}, "wallet", "regen-coldkey", "--wallet", "carol", "--mnemonic-file", bad, "--password-file", e.pwFile)
	// An existing, different key is not replaced by a regeneration.
	e.fails([]string{"already exists"}, "wallet", "regen-coldkey", "--wallet", "alice", "--mnemonic", faucetMnemonic, "--yes", "--password-file", e.pwFile)
	sameFiles(t, before, walletFiles(t, dir))

	// --overwrite replaces it and keeps the old keyfile.
	var ow keysJSON
	e.okJSON("wallet_regen", &ow, "wallet", "regen-coldkey", "--wallet", "alice", "--mnemonic", faucetMnemonic, "--overwrite", "--password-file", e.pwFile, "--light-kdf")
	if ow.Keys[0].Address != faucetAddress || ow.Keys[0].Replaced == "" {
		t.Fatalf("overwrite: %+v", ow)
	}
	old, _ := os.ReadFile(ow.Keys[0].Replaced)
	if !strings.Contains(before[filepath.Join(dir, "coldkey")], string(old)) {
		t.Fatal("the backup is not the old coldkey")
	}
	_ = out
}

func TestWalletShowMnemonicJSON(t *testing.T) {
	e := newCLIEnv(t)
	var out keysJSON
	e.okJSON("wallet_create", &out, "wallet", "new-hotkey", "--wallet", "w", "--hotkey", "h", "--show-mnemonic")
	if len(out.Keys) != 1 {
		t.Fatalf("%+v", out)
	}
	k, err := wallet.DeriveKey(out.Keys[0].Mnemonic)
	if err != nil || crypto.PubkeyToAddress(k.PublicKey).Hex() != out.Keys[0].Address {
		t.Fatalf("--show-mnemonic gave a mnemonic of another key: %v", err)
	}
}

// secretsOf lists what must never be printed: the mnemonics (whole and as
// any two consecutive words), the private keys' hex and the password.
func secretsOf(t *testing.T, wordFiles ...string) []string {
	t.Helper()
	secrets := []string{testPW}
	for _, f := range wordFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
				continue
			}
			if _, m, ok := strings.Cut(line, ":"); ok {
				line = m
			}
			m := wallet.NormalizeMnemonic(line)
			k, err := wallet.DeriveKey(m)
			if err != nil {
				t.Fatal(err)
			}
			kh := hex.EncodeToString(crypto.FromECDSA(k))
			secrets = append(secrets, m, strings.ToUpper(kh))
			for i := 0; i+16 <= len(kh); i++ {
				secrets = append(secrets, kh[i:i+16]) // any 16 hex digits of the key
			}
			w := strings.Fields(m)
			for i := 0; i+1 < len(w); i++ {
				secrets = append(secrets, w[i]+" "+w[i+1])
			}
		}
	}
	return secrets
}

// findSecret returns the first secret in text and where it is.
func findSecret(text string, secrets []string) (string, int) {
	for _, s := range secrets {
		if s == "test test" || s == "test junk" {
			continue // pairs of the faucet's public test-vector words
		}
		if i := strings.Index(text, s); i >= 0 {
			return s, i
		}
	}
	return "", -1
}

func assertNoSecrets(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	if s, i := findSecret(text, secrets); i >= 0 {
		lo := max(0, i-80)
		t.Fatalf("%s contains a secret (%q…) near: %q", where, s[:min(len(s), 8)], text[lo:min(len(text), i+len(s)+20)])
	}
}

// TestSecretScanCatchesLeaks plants each kind of secret in text.
func TestSecretScanCatchesLeaks(t *testing.T) {
	f := filepath.Join(t.TempDir(), "w")
	os.WriteFile(f, []byte("# header\ncoldkey: "+abandonWords+"\n"), 0o600)
	secrets := secretsOf(t, f)
	k, _ := wallet.DeriveKey(abandonWords)
	kh := hex.EncodeToString(crypto.FromECDSA(k))
	for _, leak := range []string{abandonWords, "abandon about", "x " + kh + " y", strings.ToUpper(kh), kh[3:40], "pw: " + testPW} {
		if _, i := findSecret("some output\n"+leak+"\nmore", secrets); i < 0 {
			t.Errorf("leak %q not found", leak)
		}
	}
	if s, i := findSecret("error: wrong password for keyfile /x/coldkey (the coldkey of wallet \"abandon\")", secrets); i >= 0 {
		t.Errorf("false positive %q", s)
	}
}

const abandonWords = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

func TestWalletBadKeyfilesOffline(t *testing.T) {
	e := newCLIEnv(t)
	e.createWallet("alice")
	cold := filepath.Join(e.home, "wallets", "alice", "coldkey")
	good, _ := os.ReadFile(cold)
	// Regenerating with a truncated or loose keyfile in place: the
	// command refuses and nothing changes.
	for name, tc := range map[string]struct {
		data []byte
		mode os.FileMode
		want []string
	}{
		"truncated": {good[:len(good)/3], 0o600, []string{"corrupt or truncated", cold}},
		"loose":     {good, 0o644, []string{"chmod 600 " + cold}},
	} {
		os.WriteFile(cold, tc.data, 0o600)
		os.Chmod(cold, tc.mode)
		before, _ := os.ReadFile(cold)
		e.fails(tc.want, "wallet", "transfer", "--wallet", "alice", "--to", faucetAddress, "--amount", "1", "--password-file", e.pwFile, "--rpc", "http://127.0.0.1:1")
		after, _ := os.ReadFile(cold)
		if !bytes.Equal(before, after) {
			t.Fatalf("%s: keyfile changed", name)
		}
	}
}
