package node

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
)

// testNet is a network of in-process nodes on loopback: real CometBFT,
// real libp2p, real pebble in temp dirs, real RPC servers.
type testNet struct {
	t     *testing.T
	homes []string
	nodes []*Node
	keys  []*ecdsa.PrivateKey
	gen   *chain.Genesis
	opts  testNetOptions
}

// testNetOptions are the optional parts of a test network's genesis and
// nodes; the zero value is a plain chain with no state modules.
type testNetOptions struct {
	// admin is the genesis admin (it may set root-only parameters).
	admin types.Address
	// accounts are genesis balances besides the generated ones.
	accounts []chain.GenesisAccount
	// genesis holds the module sections of the genesis, by module name.
	genesis map[string]json.RawMessage
	// modules returns the state modules of one node; it is called for
	// every node start.
	modules func() []chain.Module
}

func newTestNet(t *testing.T, n, accounts int) *testNet {
	t.Helper()
	return newTestNetWith(t, n, accounts, testNetOptions{})
}

// newTestNetWith starts n nodes on one genesis with accounts generated
// funded keys (tn.keys) and opts.
func newTestNetWith(t *testing.T, n, accounts int, opts testNetOptions) *testNet {
	t.Helper()
	tn := &testNet{t: t, opts: opts}
	var accs []chain.GenesisAccount
	for i := 0; i < accounts; i++ {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		tn.keys = append(tn.keys, k)
		accs = append(accs, chain.GenesisAccount{Address: crypto.PubkeyToAddress(k.PublicKey), Balance: chain.U64(1_000_000 * chain.RaoPerTAO)})
	}
	accs = append(accs, opts.accounts...)
	infos, g, err := InitTestnet(t.TempDir(), TestnetOptions{
		Nodes: n, ChainID: "testnet", Params: chain.Params{MinFee: 1000}, Accounts: accs,
		Admin: opts.admin, Modules: opts.genesis,
		Configure: func(_ int, c *Config) {
			c.Consensus.BlockTime = Duration{200 * time.Millisecond}
			c.Consensus.TimeoutPropose = Duration{time.Second}
			c.Metrics.Listen = ""
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tn.gen = g
	for _, in := range infos {
		tn.homes = append(tn.homes, in.Home)
	}
	tn.nodes = make([]*Node, n)
	for i := range tn.nodes {
		tn.start(i)
	}
	t.Cleanup(func() {
		for i := range tn.nodes {
			tn.stop(i)
		}
	})
	return tn
}

func (tn *testNet) start(i int) {
	tn.t.Helper()
	cfg, err := LoadConfig(tn.homes[i])
	if err != nil {
		tn.t.Fatal(err)
	}
	var opts []Option
	if tn.opts.modules != nil {
		opts = append(opts, WithModules(tn.opts.modules()...))
	}
	n, err := New(tn.homes[i], cfg, testLogger(tn.t).With("node", i), opts...)
	if err != nil {
		tn.t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		tn.t.Fatal(err)
	}
	tn.nodes[i] = n
}

func (tn *testNet) stop(i int) {
	if tn.nodes[i] != nil {
		tn.nodes[i].Stop()
		tn.nodes[i] = nil
	}
}

func (tn *testNet) client(i int) *rpc.Client {
	c, err := rpc.Dial("http://" + tn.nodes[i].RPCAddr())
	if err != nil {
		tn.t.Fatal(err)
	}
	return c
}

// waitHeight waits until every running node has committed height h.
func (tn *testNet) waitHeight(h uint64, timeout time.Duration) {
	tn.t.Helper()
	deadline := time.Now().Add(timeout)
	for i, n := range tn.nodes {
		if n == nil {
			continue
		}
		for {
			head, ok := n.App().Head()
			if ok && head.Height >= h {
				break
			}
			if time.Now().After(deadline) {
				tn.t.Fatalf("node %d at height %d, want %d after %s", i, head.Height, h, timeout)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// appHashAt returns node i's state root after block h.
func (tn *testNet) appHashAt(i int, h uint64) types.Hash {
	tn.t.Helper()
	rec, ok, err := readBlock(tn.nodes[i].db, h)
	if err != nil || !ok {
		tn.t.Fatalf("node %d block %d: %v %v", i, h, ok, err)
	}
	return rec.AppHash
}

// diagnose logs each node's view, to explain a timeout.
func (tn *testNet) diagnose() {
	for i, n := range tn.nodes {
		if n == nil {
			continue
		}
		h, _ := n.App().Head()
		tn.t.Logf("node %d: committed height %d, engine block store height %d, mempool %d, peers %d, resets %d",
			i, h.Height, n.cmt.BlockStore().Height(), n.cmt.Mempool().Size(),
			n.cmt.Switch().Peers().Size(), n.resetter.Resets())
	}
}

func signTransfer(t testing.TB, k *ecdsa.PrivateKey, chainID string, nonce uint64, to types.Address, amount uint64) string {
	tx, err := types.NewTx(chainID, nonce, 1000, &types.Transfer{To: to, Amount: amount})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	b, _ := tx.Encode()
	return hex.EncodeToString(b)
}

func TestFourNodesAgreeOnThousandTransfers(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network test")
	}
	const accounts, perAccount = 10, 100
	tn := newTestNet(t, 4, accounts)
	tn.waitHeight(2, 30*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	sink := types.Address{0xee}
	// Each account submits its transfers in nonce order to one node; the
	// accounts are spread over all nodes so gossip carries them.
	var wg sync.WaitGroup
	errs := make(chan error, accounts)
	for a := 0; a < accounts; a++ {
		wg.Add(1)
		go func(a int) {
			defer wg.Done()
			cl := tn.client(a % 4)
			for nonce := uint64(0); nonce < perAccount; nonce++ {
				raw := signTransfer(t, tn.keys[a], tn.gen.ChainID, nonce, sink, 1+nonce)
				if _, err := cl.Submit(ctx, rpc.SubmitRequest{Tx: raw}); err != nil {
					errs <- fmt.Errorf("account %d nonce %d: %w", a, nonce, err)
					return
				}
			}
		}(a)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Wait until the sink holds every transfer on every node.
	want := uint64(accounts) * (perAccount * (perAccount + 1) / 2)
	for i := range tn.nodes {
		cl := tn.client(i)
		for {
			acc, err := cl.Account(ctx, sink, nil)
			if err == nil && uint64(acc.Balance) == want {
				break
			}
			if ctx.Err() != nil {
				tn.diagnose()
				t.Fatalf("node %d: sink balance %v (%v), want %d", i, acc.Balance, err, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// Same blocks, same app hashes, same balances everywhere.
	var top uint64 = ^uint64(0)
	for _, n := range tn.nodes {
		h, _ := n.App().Head()
		top = min(top, h.Height)
	}
	for h := uint64(1); h <= top; h++ {
		ref := tn.appHashAt(0, h)
		for i := 1; i < 4; i++ {
			if got := tn.appHashAt(i, h); got != ref {
				t.Fatalf("height %d: node %d app hash %s, node 0 %s", h, i, got.Hex(), ref.Hex())
			}
		}
	}
	total := 0
	for h := uint64(1); h <= top; h++ {
		rec, _, _ := readBlock(tn.nodes[0].db, h)
		for _, rc := range rec.Receipts {
			if !rc.OK() {
				t.Fatalf("block %d: failed receipt %s %s", h, rc.Code, rc.Msg)
			}
			total++
		}
	}
	if total != accounts*perAccount {
		t.Fatalf("%d transactions in blocks, want %d", total, accounts*perAccount)
	}
	for i, n := range tn.nodes {
		st, err := n.backendState()
		if err != nil {
			t.Fatal(err)
		}
		if err := n.App().Runtime().CheckInvariants(st); err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	t.Logf("%d transfers in %d blocks agreed on 4 nodes", total, top)
}
