package e2e

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
)

// loadGen keeps submitting signed transfers from its accounts to the given
// nodes until stopped, refetching nonces after any rejection.
type loadGen struct {
	c       *Cluster
	chainID string
	keys    []*ecdsa.PrivateKey
	targets []int
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	sent    int
}

func (l *loadGen) run() {
	for a, k := range l.keys {
		l.wg.Add(1)
		go func(a int, k *ecdsa.PrivateKey) {
			defer l.wg.Done()
			target := l.targets[a%len(l.targets)]
			cl := l.c.Client(target)
			from := crypto.PubkeyToAddress(k.PublicKey)
			var nonce uint64
			fresh := false
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if !fresh {
					acc, err := cl.Account(ctx, from, nil)
					if err != nil {
						cancel()
						time.Sleep(200 * time.Millisecond)
						continue
					}
					nonce, fresh = acc.Nonce, true
				}
				tx, _ := types.NewTx(l.chainID, nonce, 1000, &types.Transfer{To: types.Address{0xaa}, Amount: 1})
				tx.Sign(k)
				b, _ := tx.Encode()
				_, err := cl.Submit(ctx, rpc.SubmitRequest{Tx: hex.EncodeToString(b)})
				cancel()
				if err != nil {
					// Refetch the nonce after a rejection (or wait for the
					// mempool to drain).
					fresh = false
					time.Sleep(300 * time.Millisecond)
					continue
				}
				nonce++
				l.mu.Lock()
				l.sent++
				l.mu.Unlock()
				if nonce%20 == 0 {
					time.Sleep(50 * time.Millisecond)
				}
			}
		}(a, k)
	}
}

func (l *loadGen) halt() int {
	close(l.stop)
	l.wg.Wait()
	return l.sent
}

// TestSIGKILLDuringBlocks kills one node with SIGKILL at random moments
// while blocks with transactions are being applied, restarts it at once,
// and checks it catches up and agrees with the others on every app hash.
// YUMA_E2E_KILLS sets the number of kills (default 3; the crash-loop
// script runs 20).
func TestSIGKILLDuringBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	kills := 3
	if v, err := strconv.Atoi(os.Getenv("YUMA_E2E_KILLS")); err == nil && v > 0 {
		kills = v
	}
	var keys []*ecdsa.PrivateKey
	var accs []chain.GenesisAccount
	for i := 0; i < 4; i++ {
		k, _ := crypto.GenerateKey()
		keys = append(keys, k)
		accs = append(accs, chain.GenesisAccount{Address: crypto.PubkeyToAddress(k.PublicKey), Balance: chain.U64(1_000_000 * chain.RaoPerTAO)})
	}
	dir := t.TempDir()
	nodes, g, err := node.InitTestnet(filepath.Join(dir, "net"), node.TestnetOptions{
		Nodes: 4, ChainID: "crash", Params: chain.Params{MinFee: 1000}, Accounts: accs,
		Configure: func(_ int, c *node.Config) {
			c.Consensus.BlockTime = node.Duration{Duration: 200 * time.Millisecond}
			c.Consensus.TimeoutPropose = node.Duration{Duration: time.Second}
			c.Metrics.Listen = ""
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	logDir := filepath.Join(dir, "logs")
	os.MkdirAll(logDir, 0o755)
	c := NewCluster(binPath, nodes, logDir)
	for i := range nodes {
		if err := c.Start(i); err != nil {
			t.Fatal(err)
		}
	}
	defer c.StopAll()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(60+kills*25)*time.Second)
	defer cancel()
	if _, err := c.WaitHeight(ctx, 0, 3); err != nil {
		t.Fatal(err)
	}
	load := &loadGen{c: c, chainID: g.ChainID, keys: keys, targets: []int{0, 1}, stop: make(chan struct{})}
	load.run()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	victim := 3
	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(500+rng.IntN(1500)) * time.Millisecond)
		c.Kill(victim)
		if err := c.Start(victim); err != nil {
			t.Fatal(err)
		}
		target := c.MaxHeight(ctx)
		start := time.Now()
		if _, err := c.WaitHeight(ctx, victim, target+1); err != nil {
			t.Fatalf("kill %d: node did not catch up: %v", k+1, err)
		}
		t.Logf("kill %d: back at height %d after %s", k+1, target+1, time.Since(start).Round(time.Millisecond))
	}
	sent := load.halt()
	low := checkAgreement(t, ctx, c)
	txs := 0
	for h := uint64(1); h <= low; h++ {
		b, err := c.Client(0).Block(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		txs += len(b.Txs)
	}
	if txs == 0 {
		t.Fatal("no transactions were applied during the kills")
	}
	t.Logf("%d kills survived; %d txs submitted, %d in blocks 1..%d, all app hashes equal", kills, sent, txs, low)
}
