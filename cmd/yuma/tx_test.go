package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/wallet"
)

const someAddress = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"

// faucetKeyFile writes the faucet's key as a raw key file, the format
// `yuma testnet init` writes.
func faucetKeyFile(t *testing.T, dir string) string {
	t.Helper()
	k, err := wallet.DeriveKey(faucetMnemonic)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "keys", "account0.key")
	if err := node.WriteKeyFile(path, k); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTxTransferErrors: `yuma tx transfer` fails like the wallet commands
// (docs/cli-json.md): a non-zero exit, one error line on stderr that says
// what to do next, and with --json the error document on stdout.
func TestTxTransferErrors(t *testing.T) {
	e := newCLIEnv(t)
	good := faucetKeyFile(t, e.home)
	loose := filepath.Join(e.home, "loose.key")
	b, _ := os.ReadFile(good)
	os.WriteFile(loose, b, 0o644)
	os.Chmod(loose, 0o644)
	corrupt := filepath.Join(e.home, "corrupt.key")
	os.WriteFile(corrupt, []byte("not hex\n"), 0o600)
	unreachable := "http://127.0.0.1:1"
	for _, tc := range []struct {
		code string
		want []string
		args []string
	}{
		{"key_not_found", []string{"no-such.key", "not found", "yuma testnet init"}, []string{"--key", filepath.Join(e.home, "no-such.key"), "--to", someAddress, "--amount", "1"}},
		{"loose_permissions", []string{"chmod 600"}, []string{"--key", loose, "--to", someAddress, "--amount", "1"}},
		{"corrupt_keyfile", []string{"corrupt.key", "hex secp256k1 private key"}, []string{"--key", corrupt, "--to", someAddress, "--amount", "1"}},
		{"invalid_argument", []string{"--key is required"}, []string{"--to", someAddress, "--amount", "1"}},
		{"invalid_argument", []string{"--to is required"}, []string{"--key", good, "--amount", "1"}},
		{"invalid_argument", []string{"--amount is required"}, []string{"--key", good, "--to", someAddress}},
		{"invalid_argument", []string{"--wait", "none, inclusion or finality"}, []string{"--key", good, "--to", someAddress, "--amount", "1", "--wait", "soon"}},
		{"bad_address", []string{"EIP-55 checksum"}, []string{"--key", good, "--to", strings.Replace(someAddress, "5aAe", "5AAe", 1), "--amount", "1"}},
		{"invalid_amount", []string{"--amount", "more than 9 decimals"}, []string{"--key", good, "--to", someAddress, "--amount", "1.0000000001"}},
		{"self_transfer", []string{"sender itself"}, []string{"--key", good, "--to", faucetAddress, "--amount", "1"}},
		{"node_unreachable", []string{"127.0.0.1:1"}, []string{"--key", good, "--to", someAddress, "--amount", "1", "--rpc", unreachable}},
	} {
		args := append([]string{"tx", "transfer"}, tc.args...)
		r := e.fails(tc.want, args...)
		if r.stdout != "" {
			t.Errorf("%v: stdout %q without --json", tc.args, r.stdout)
		}
		r = e.fails(tc.want, append(args, "--json")...)
		checkSchema(t, "error", r.stdout)
		var doc errorJSON
		mustUnmarshal(t, r.stdout, &doc)
		if doc.Error.Code != tc.code || !strings.HasPrefix(r.stderr, "error: "+doc.Error.Message) {
			t.Errorf("%v --json: code %q (want %q), message %q, stderr %q", tc.args, doc.Error.Code, tc.code, doc.Error.Message, r.stderr)
		}
	}
}

// TestTxTransferJSON: with --json a transfer prints the wallet_transfer
// document, and a transfer the account cannot pay is insufficient_balance.
func TestTxTransferJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	e := newCLIEnv(t).withChain()
	key := faucetKeyFile(t, e.home)
	var tr transferJSON
	e.okJSON("wallet_transfer", &tr, "tx", "transfer", "--key", key, "--to", someAddress, "--amount", "1.5", "--rpc", e.rpc)
	if !tr.Tx.OK || tr.Tx.Status != "included" || tr.Tx.Height == 0 || tr.From != faucetAddress || tr.To != someAddress || tr.Amount.Rao != "1500000000" {
		t.Fatalf("transfer: %+v", tr)
	}
	human := e.ok("tx", "transfer", "--key", key, "--to", someAddress, "--amount", "2500rao", "--rpc", e.rpc).stdout
	if !strings.Contains(human, "transfer of 0.000002500 TAO") || !strings.Contains(human, "included in block") {
		t.Fatalf("human output:\n%s", human)
	}
	r := e.fails([]string{"exceeds the free balance", "nothing was sent"}, "tx", "transfer", "--key", key, "--to", someAddress, "--amount", "2000000", "--rpc", e.rpc, "--json")
	var doc errorJSON
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Error.Code != "insufficient_balance" {
		t.Fatalf("over-balance --json: %v\n%s", err, r.stdout)
	}
}
