package main

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/state"
	"github.com/yumachain/yuma/storage/pebble"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

// appDriver feeds blocks to the node's ABCI application as CometBFT would
// after a decision: FinalizeBlock, then Commit.
type appDriver struct {
	app     *node.App
	db      *pebble.DB
	genesis time.Time
	height  int64
	root    types.Hash
}

// block applies one block and returns the time of FinalizeBlock + Commit.
// Every transaction must succeed.
func (d *appDriver) block(txs [][]byte) (time.Duration, error) {
	d.height++
	ctx := context.Background()
	hash := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(d.height)))
	start := time.Now()
	res, err := d.app.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{
		Height: d.height, Time: d.genesis.Add(time.Duration(d.height) * time.Second), Txs: txs, Hash: hash[:],
	})
	if err != nil {
		return 0, err
	}
	if _, err := d.app.Commit(ctx, &abci.RequestCommit{}); err != nil {
		return 0, err
	}
	took := time.Since(start)
	for i, r := range res.TxResults {
		if r.Code != 0 {
			return 0, fmt.Errorf("block %d tx %d failed: %s %s", d.height, i, r.Info, r.Log)
		}
	}
	copy(d.root[:], res.AppHash)
	return took, nil
}

// lastEpochs returns every subnet's last epoch block (root excluded).
func (d *appDriver) lastEpochs() ([]uint64, error) {
	r, err := state.NewReader(d.db, d.root)
	if err != nil {
		return nil, err
	}
	subs, err := subnet.ListSubnets(r)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, s := range subs[1:] {
		out = append(out, s.LastEpoch)
	}
	return out, nil
}

func runApp(c *config, w *workload) (*result, error) {
	res := &result{}
	dbDir := filepath.Join(c.dir, "app.db")
	db, err := pebble.Open(dbDir, pebble.DefaultOptions())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	app, err := node.NewApp(db, w.gen, []chain.Module{subnet.New()}, nil, nil)
	if err != nil {
		return nil, err
	}
	gt, _ := time.Parse(time.RFC3339, w.gen.GenesisTime)
	d := &appDriver{app: app, db: db, genesis: gt}
	if _, err := app.InitChain(context.Background(), &abci.RequestInitChain{ChainId: w.chainID, Time: gt}); err != nil {
		return nil, err
	}

	setup := time.Now()
	for _, ph := range []struct {
		name string
		txs  func() [][]byte
	}{{"register_network", w.networks}, {"burned_register", w.registrations}, {"add_stake", w.stakes}} {
		txs := ph.txs()
		took, err := d.block(txs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
		logf("block %d: %d %s in %s", d.height, len(txs), ph.name, took.Round(time.Millisecond))
	}
	// Validator permits come from an epoch after the stake.
	staked := uint64(d.height)
	if err := d.untilEveryEpochAfter(staked); err != nil {
		return nil, err
	}
	txs := w.weights()
	took, err := d.block(txs)
	if err != nil {
		return nil, fmt.Errorf("set_weights: %w", err)
	}
	logf("block %d: %d set_weights in %s", d.height, len(txs), took.Round(time.Millisecond))
	// One epoch per subnet with the weights, so bonds exist as on a live
	// chain.
	if err := d.untilEveryEpochAfter(uint64(d.height)); err != nil {
		return nil, err
	}
	res.SetupSecs = time.Since(setup).Seconds()

	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		logf("cannot reset the peak RSS (%v): VmHWM includes the setup", err)
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	var plain []float64
	for r := range c.rounds {
		at := uint64(d.height) + 3
		if _, err := d.block(w.tempos(at)); err != nil {
			return nil, err
		}
		took, err := d.block(nil)
		if err != nil {
			return nil, err
		}
		plain = append(plain, ms(took))
		if took, err = d.block(nil); err != nil {
			return nil, err
		}
		last, err := d.lastEpochs()
		if err != nil {
			return nil, err
		}
		for k, l := range last {
			if l != at {
				return nil, fmt.Errorf("round %d: subnet %d last ran its epoch at %d, not %d", r, k+1, l, at)
			}
		}
		res.EpochBlockMs = append(res.EpochBlockMs, ms(took))
		logf("round %d: block %d ran %d epochs in %s", r, at, len(last), took.Round(100*time.Microsecond))
	}
	pprof.StopCPUProfile()
	res.PlainBlockMs = median(plain)
	res.PeakRSSMB, res.RSSMB, err = vmStatus("self")
	if err != nil {
		return nil, err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapInuseMB = float64(ms.HeapInuse) / (1 << 20)
	if c.memProfile != "" {
		f, err := os.Create(c.memProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return nil, err
		}
	}
	res.StateDirMB = dirMB(dbDir)
	return res, nil
}

// untilEveryEpochAfter applies empty blocks until every subnet has run an
// epoch after block h.
func (d *appDriver) untilEveryEpochAfter(h uint64) error {
	for range 1 << 16 {
		last, err := d.lastEpochs()
		if err != nil {
			return err
		}
		done := true
		for _, l := range last {
			done = done && l > h
		}
		if done {
			return nil
		}
		if _, err := d.block(nil); err != nil {
			return err
		}
	}
	return fmt.Errorf("subnets ran no epoch after block %d", h)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
