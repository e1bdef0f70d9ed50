// Command tps measures finalized signed transfers per second on a local
// 4-node network (separate processes, libp2p on loopback, pebble) and the
// raw secp256k1 signature-recovery rate of this machine, and prints both
// and their ratio.
//
//	go run ./bench/tps [-nodes 4] [-txs 20000] [-accounts 200]
package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/e2e"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
)

type result struct {
	Nodes            int     `json:"nodes"`
	Txs              int     `json:"txs"`
	Blocks           int     `json:"blocks"`
	Seconds          float64 `json:"seconds"`
	FinalizedTPS     float64 `json:"finalized_tps"`
	VerifyPerSec1    float64 `json:"secp256k1_recover_per_sec_1core"`
	VerifyPerSecAll  float64 `json:"secp256k1_recover_per_sec_all_cores"`
	Cores            int     `json:"cores"`
	RatioTPSToVerify float64 `json:"tps_over_recover_all_cores"`
}

func main() {
	nodes := flag.Int("nodes", 4, "authorities")
	txs := flag.Int("txs", 20000, "transfers to submit")
	accounts := flag.Int("accounts", 200, "sending accounts")
	blockTime := flag.Duration("block-time", 500*time.Millisecond, "block time")
	jsonOut := flag.Bool("json", false, "print JSON")
	keep := flag.Bool("keep", false, "keep the network directory")
	flag.Parse()
	if err := run(*nodes, *txs, *accounts, *blockTime, *jsonOut, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(nNodes, nTxs, nAcc int, blockTime time.Duration, jsonOut, keep bool) error {
	res := result{Nodes: nNodes, Txs: nTxs, Cores: runtime.NumCPU()}
	res.VerifyPerSec1, res.VerifyPerSecAll = recoverRate()
	fmt.Fprintf(os.Stderr, "secp256k1 recover: %.0f/s on 1 core, %.0f/s on %d cores\n", res.VerifyPerSec1, res.VerifyPerSecAll, res.Cores)

	dir, err := os.MkdirTemp("", "yuma-tps-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	root, _ := filepath.Abs(".")
	bin, err := e2e.Build(root, dir)
	if err != nil {
		return err
	}
	keys := make([]*ecdsa.PrivateKey, nAcc)
	accs := make([]chain.GenesisAccount, nAcc)
	for i := range keys {
		keys[i], _ = crypto.GenerateKey()
		accs[i] = chain.GenesisAccount{Address: crypto.PubkeyToAddress(keys[i].PublicKey), Balance: chain.U64(1000 * chain.RaoPerTAO)}
	}
	infos, g, err := node.InitTestnet(filepath.Join(dir, "net"), node.TestnetOptions{
		Nodes: nNodes, ChainID: "tps", Params: chain.Params{MinFee: 1000}, Accounts: accs,
		Configure: func(_ int, c *node.Config) {
			c.Consensus.BlockTime = node.Duration{Duration: blockTime}
			c.Consensus.TimeoutPropose = node.Duration{Duration: 3 * time.Second}
			c.Metrics.Listen = ""
			c.Mempool.Size = 200000
			c.Mempool.CacheSize = 200000
		},
	})
	if err != nil {
		return err
	}
	logDir := filepath.Join(dir, "logs")
	os.MkdirAll(logDir, 0o755)
	cl := e2e.NewCluster(bin, infos, logDir)
	for i := range infos {
		if err := cl.Start(i); err != nil {
			return err
		}
	}
	defer cl.StopAll()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for i := range infos {
		if _, err := cl.WaitHeight(ctx, i, 2); err != nil {
			return err
		}
	}
	// Pre-sign every transfer (not part of the measurement).
	perAcc := (nTxs + nAcc - 1) / nAcc
	signed := make([][]string, nAcc)
	var wg sync.WaitGroup
	for a := range keys {
		wg.Add(1)
		go func(a int) {
			defer wg.Done()
			for n := 0; n < perAcc; n++ {
				tx, _ := types.NewTx(g.ChainID, uint64(n), 1000, &types.Transfer{To: types.Address{0xbb}, Amount: 1})
				tx.Sign(keys[a])
				b, _ := tx.Encode()
				signed[a] = append(signed[a], hex.EncodeToString(b))
			}
		}(a)
	}
	wg.Wait()
	total := perAcc * nAcc
	res.Txs = total
	startHead, _ := cl.Head(ctx, 0)
	fmt.Fprintf(os.Stderr, "submitting %d signed transfers from %d accounts to %d nodes\n", total, nAcc, nNodes)
	start := time.Now()
	var rejected atomic.Int64
	// One submitter per node; each sends batches of 100 in nonce order.
	for w := 0; w < nNodes; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := cl.Client(w)
			for n := 0; n < perAcc; n++ {
				var batch []rpc.BatchCall
				flush := func() {
					if err := c.Batch(ctx, batch); err != nil {
						rejected.Add(int64(len(batch)))
					}
					for _, b := range batch {
						if b.Err != nil {
							rejected.Add(1)
						}
					}
					batch = batch[:0]
				}
				for a := w; a < nAcc; a += nNodes {
					batch = append(batch, rpc.BatchCall{Method: rpc.MethodSubmit, Params: []any{rpc.SubmitRequest{Tx: signed[a][n]}}})
					if len(batch) == 100 {
						flush()
					}
				}
				if len(batch) > 0 {
					flush()
				}
			}
		}(w)
	}
	wg.Wait()
	if r := rejected.Load(); r > 0 {
		fmt.Fprintf(os.Stderr, "warning: %d submissions rejected\n", r)
	}
	// Wait until every node has the sink's final balance.
	want := uint64(total) - uint64(rejected.Load())
	for i := range infos {
		for {
			acc, err := cl.Client(i).Account(ctx, types.Address{0xbb}, nil)
			if err == nil && uint64(acc.Balance) >= want {
				break
			}
			if ctx.Err() != nil {
				return fmt.Errorf("node %d: sink %v of %d", i, acc.Balance, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if i == 0 {
			res.Seconds = time.Since(start).Seconds()
		}
	}
	endHead, _ := cl.Head(ctx, 0)
	res.Blocks = int(endHead.Height - startHead.Height)
	res.FinalizedTPS = float64(want) / res.Seconds
	res.RatioTPSToVerify = res.FinalizedTPS / res.VerifyPerSecAll
	if jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Printf("nodes                         %d\n", res.Nodes)
	fmt.Printf("transfers finalized           %d in %d blocks\n", want, res.Blocks)
	fmt.Printf("time to finality on node 0    %.2f s\n", res.Seconds)
	fmt.Printf("finalized transfers / s       %.0f\n", res.FinalizedTPS)
	fmt.Printf("secp256k1 recover / s         %.0f (1 core), %.0f (%d cores)\n", res.VerifyPerSec1, res.VerifyPerSecAll, res.Cores)
	fmt.Printf("ratio tps / recover (all)     %.3f\n", res.RatioTPSToVerify)
	return nil
}

// recoverRate measures secp256k1 public-key recovery (what a node does to
// verify a transaction's signature) on one core and on all cores.
func recoverRate() (one, all float64) {
	k, _ := crypto.GenerateKey()
	hash := crypto.Keccak256([]byte("bench"))
	sig, _ := crypto.Sign(hash, k)
	measure := func(workers int) float64 {
		const per = 3000
		var wg sync.WaitGroup
		start := time.Now()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < per; i++ {
					if _, err := crypto.SigToPub(hash, sig); err != nil {
						panic(err)
					}
				}
			}()
		}
		wg.Wait()
		return float64(workers*per) / time.Since(start).Seconds()
	}
	return measure(1), measure(runtime.NumCPU())
}
