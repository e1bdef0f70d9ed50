package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestJourneyTransfer is the first user journey against a real node: a
// faucet restored from its mnemonic, a new wallet regenerated elsewhere
// with the same address, a transfer, balances, and the chain commands; then
// the bad inputs, each one clear line and no change to the key files; and
// last, no secret anywhere in the session's output or the node's logs.
func TestJourneyTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	e := newCLIEnv(t).withChain()
	e.regenFaucet()
	alice, words := e.createWallet("alice")
	aliceAddr := alice.Keys[0].Address

	var tr transferJSON
	e.okJSON("wallet_transfer", &tr, "wallet", "transfer", "--wallet", "faucet", "--to", "alice", "--amount", "100.5", "--password-file", e.pwFile)
	if !tr.Tx.OK || tr.Tx.Status != "included" || tr.Tx.Height == 0 || tr.To != aliceAddr || tr.Amount.Rao != "100500000000" {
		t.Fatalf("transfer: %+v", tr)
	}
	human := e.ok("wallet", "transfer", "--wallet", "faucet", "--to", aliceAddr, "--amount", "0.5", "--password-file", e.pwFile).stdout
	if !strings.Contains(human, "included in block") || !strings.Contains(human, "0.500000000 TAO") {
		t.Fatalf("transfer output:\n%s", human)
	}

	var bal balancesJSON
	e.okJSON("wallet_balance", &bal, "wallet", "balance", "--wallet", "alice")
	if len(bal.Accounts) != 1 || bal.Accounts[0].Free.TAO != "101.000000000" || bal.Accounts[0].Address != aliceAddr {
		t.Fatalf("balance: %+v", bal)
	}
	if out := e.ok("wallet", "balance", "--all", "--rao").stdout; !strings.Contains(out, "101000000000 rao") || !strings.Contains(out, "TOTAL") {
		t.Fatalf("balance --all --rao:\n%s", out)
	}
	e.okJSON("wallet_overview", nil, "wallet", "overview", "--wallet", "alice")

	// The chain commands, on the block that holds the transfer.
	var head headJSON
	e.okJSON("chain_head", &head, "chain", "head")
	if head.ChainID != "yuma-cli-test" || head.Height < tr.Tx.Height {
		t.Fatalf("head: %+v", head)
	}
	var blk blockJSON
	e.okJSON("chain_block", &blk, "chain", "block", u64Text(tr.Tx.Height))
	found := false
	for _, x := range blk.Txs {
		found = found || x.Hash == tr.Tx.Hash
	}
	if !found {
		t.Fatalf("block %d lacks tx %s", tr.Tx.Height, tr.Tx.Hash)
	}
	var tx txInfoJSON
	e.okJSON("chain_tx", &tx, "chain", "tx", tr.Tx.Hash)
	if tx.Kind != "transfer" || !tx.OK || tx.Signer != faucetAddress {
		t.Fatalf("chain tx: %+v", tx)
	}
	e.ok("chain", "block")
	e.ok("chain", "tx", tr.Tx.Hash)

	// Bad input: one clear line, non-zero exit, key files unchanged.
	dir := filepath.Join(e.home, "wallets")
	before := walletFiles(t, dir)
	badPW := filepath.Join(e.home, "badpw")
	os.WriteFile(badPW, []byte("not the password\n"), 0o600)
	send := func(extra ...string) []string {
		return append([]string{"wallet", "transfer", "--wallet", "alice", "--to", faucetAddress, "--password-file", e.pwFile}, extra...)
	}
	e.fails([]string{"wrong password", `wallet "alice"`}, append(send("--amount", "1"), "--password-file", badPW)...)
	e.fails([]string{`wallet "nobody" not found`, "yuma wallet create"}, "wallet", "transfer", "--wallet", "nobody", "--to", faucetAddress, "--amount", "1", "--password-file", e.pwFile)
	e.fails([]string{"invalid address", "40"}, "wallet", "transfer", "--wallet", "alice", "--to", "0x1234", "--amount", "1", "--password-file", e.pwFile)
	e.fails([]string{"EIP-55 checksum"}, "wallet", "transfer", "--wallet", "alice", "--to", strings.Replace(faucetAddress, "f39F", "F39f", 1), "--amount", "1", "--password-file", e.pwFile)
	e.fails([]string{"more than 9 decimals"}, send("--amount", "1.0000000001")...)
	e.fails([]string{"exceeds the free balance", "101.000000000 TAO", "nothing was sent"}, send("--amount", "5000")...)
	e.fails([]string{"node unreachable", "127.0.0.1:1"}, append(send("--amount", "1"), "--rpc", "http://127.0.0.1:1")...)
	e.fails([]string{"not a transaction hash"}, "chain", "tx", "0x12")
	e.fails([]string{"not in a finalized block"}, "chain", "tx", "0x"+strings.Repeat("ab", 32))
	// --json failures put the same error on stdout as JSON.
	r := e.yuma("", append(send("--amount", "5000"), "--json")...)
	if r.code == 0 {
		t.Fatal("over-balance --json succeeded")
	}
	checkSchema(t, "error", r.stdout)
	if !strings.Contains(r.stdout, `"code": "insufficient_balance"`) {
		t.Fatalf("--json error: %s", r.stdout)
	}
	sameFiles(t, before, walletFiles(t, dir))

	// --no-wait returns the hash at once.
	var nw transferJSON
	e.okJSON("wallet_transfer", &nw, "wallet", "transfer", "--wallet", "faucet", "--to", "alice", "--amount", "1rao", "--password-file", e.pwFile, "--no-wait")
	if nw.Tx.Status != "pending" || nw.Tx.Hash == "" {
		t.Fatalf("--no-wait: %+v", nw.Tx)
	}

	// Nothing secret was printed, nor logged by the node.
	secrets := secretsOf(t, words, filepath.Join(e.home, "faucet.words"))
	assertNoSecrets(t, "CLI output", e.all.String(), secrets)
	assertNoSecrets(t, "node logs", e.logs.String(), secrets)
}

func u64Text(v uint64) string { return strconv.FormatUint(v, 10) }

// TestTimeoutAndUnreachable: a node that does not answer is given up on
// after --timeout, and one that is down is named, each in one line.
func TestTimeoutAndUnreachable(t *testing.T) {
	e := newCLIEnv(t)
	done := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		}
	}))
	defer hang.Close()
	defer close(done)
	start := time.Now()
	r := e.fails([]string{"gave up after 300ms", "--timeout"}, "chain", "head", "--rpc", hang.URL, "--timeout", "300ms", "--json")
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %s", time.Since(start))
	}
	checkSchema(t, "error", r.stdout)
	e.fails([]string{"node unreachable", "127.0.0.1:1", "--rpc"}, "chain", "head", "--rpc", "http://127.0.0.1:1")
	e.fails([]string{"not a node URL"}, "chain", "head", "--rpc", "localhost:8545")
}
