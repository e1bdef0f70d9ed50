package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/yumachain/yuma/e2e"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/rpc"
)

// nodeProc is one `yuma node run` process of the benchmark.
type nodeProc struct {
	cmd  *exec.Cmd
	done chan error
}

func startNode(bin, home, logPath string) (*nodeProc, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "node", "run", "--home", home)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p := &nodeProc{cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); logf.Close() }()
	return p, nil
}

func (p *nodeProc) pid() string { return strconv.Itoa(p.cmd.Process.Pid) }

// stop sends SIGTERM and, after 30 s, SIGKILL to the process it started.
func (p *nodeProc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// procDriver submits the workload's transactions to the node over RPC.
type procDriver struct {
	cl      *rpc.Client
	metrics string
	seen    uint64 // last block whose receipts were checked
}

func (d *procDriver) head(ctx context.Context) (uint64, error) {
	h, err := d.cl.Head(ctx)
	return h.Height, err
}

// submit sends txs in batches (mempool admission only) and waits until
// blocks hold that many more successful receipts; any failed receipt is an
// error.
func (d *procDriver) submit(ctx context.Context, txs [][]byte) (uint64, error) {
	for i := 0; i < len(txs); i += 100 {
		var calls []rpc.BatchCall
		for _, tx := range txs[i:min(i+100, len(txs))] {
			calls = append(calls, rpc.BatchCall{Method: rpc.MethodSubmit, Params: []any{rpc.SubmitRequest{Tx: hex.EncodeToString(tx), Wait: rpc.WaitNone}}})
		}
		if err := d.cl.Batch(ctx, calls); err != nil {
			return 0, err
		}
		for j, c := range calls {
			if c.Err != nil {
				return 0, fmt.Errorf("tx %d: %w", i+j, c.Err)
			}
		}
	}
	got := 0
	for got < len(txs) {
		h, err := d.head(ctx)
		if err != nil {
			return 0, err
		}
		for ; d.seen < h; d.seen++ {
			b, err := d.cl.Block(ctx, d.seen+1)
			if err != nil {
				return 0, err
			}
			for _, tx := range b.Txs {
				if !tx.Receipt.OK() {
					return 0, fmt.Errorf("block %d: %s failed: %s %s", b.Height, tx.Hash.Hex(), tx.Receipt.Code, tx.Receipt.Msg)
				}
			}
			got += len(b.Txs)
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got != len(txs) {
		return 0, fmt.Errorf("%d transactions landed, %d sent", got, len(txs))
	}
	return d.seen, nil
}

// untilEveryEpochAfter waits until every subnet has run an epoch after h.
func (d *procDriver) untilEveryEpochAfter(ctx context.Context, h uint64) error {
	for ctx.Err() == nil {
		subs, err := d.cl.SubnetList(ctx, nil)
		if err != nil {
			return err
		}
		done := true
		for _, s := range subs[1:] {
			done = done && s.LastEpoch > h
		}
		if done {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return ctx.Err()
}

// scrape reads the node's metrics: the committed height, the block apply
// histogram's sum and count, and the Go heap in use.
func (d *procDriver) scrape(ctx context.Context) (height, count uint64, sum, heap float64, err error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+d.metrics+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, val, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.IndexByte(name, '{'); i >= 0 {
			name = name[:i]
		}
		v, _ := strconv.ParseFloat(val[strings.LastIndexByte(val, ' ')+1:], 64)
		switch name {
		case "yuma_node_height":
			height = uint64(v)
		case "yuma_node_block_apply_seconds_sum":
			sum = v
		case "yuma_node_block_apply_seconds_count":
			count = uint64(v)
		case "go_memstats_heap_inuse_bytes":
			heap = v
		}
	}
	return height, count, sum, heap, sc.Err()
}

// sample is one scrape of the node's metrics.
type sample struct {
	height, count uint64
	sum           float64
}

// scrapeAt waits until the node has committed block h and scrapes its
// metrics; ok is false if the node had moved past h by then.
func (d *procDriver) scrapeAt(ctx context.Context, h uint64) (sample, bool, error) {
	for {
		head, err := d.head(ctx)
		if err != nil {
			return sample{}, false, err
		}
		if head >= h {
			mh, c, s, _, err := d.scrape(ctx)
			return sample{mh, c, s}, err == nil && mh == h, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// applyMs is the apply time of block b.height, when b follows a directly.
func applyMs(a, b sample) (float64, bool) {
	if b.height != a.height+1 || b.count != a.count+1 {
		return 0, false
	}
	return (b.sum - a.sum) * 1000, true
}

// watchRSS samples VmRSS of pid every 50 ms and keeps the largest.
func watchRSS(ctx context.Context, pid string, max *float64, mu *sync.Mutex) {
	for ctx.Err() == nil {
		if _, rss, err := vmStatus(pid); err == nil {
			mu.Lock()
			*max = math.Max(*max, rss)
			mu.Unlock()
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runProcess(c *config, w *workload) (*result, error) {
	res := &result{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	root, _ := filepath.Abs(".")
	logf("building yuma")
	bin, err := e2e.Build(root, c.dir)
	if err != nil {
		return nil, err
	}
	gt, _ := time.Parse(time.RFC3339, w.gen.GenesisTime)
	infos, _, err := node.InitTestnet(filepath.Join(c.dir, "net"), node.TestnetOptions{
		Nodes: 1, ChainID: w.chainID, GenesisTime: gt, Params: w.gen.Params, Admin: w.gen.Admin,
		Accounts: w.gen.Accounts, Modules: w.gen.Modules,
		Configure: func(_ int, cfg *node.Config) {
			cfg.Consensus.BlockTime = node.Duration{Duration: c.blockTime}
			cfg.Log.Level = "warn"
		},
	})
	if err != nil {
		return nil, err
	}
	home, logPath := infos[0].Home, filepath.Join(c.dir, "node.log")
	d := &procDriver{metrics: infos[0].Metrics}
	if d.cl, err = rpc.Dial("http://" + infos[0].RPC); err != nil {
		return nil, err
	}
	p, err := startNode(bin, home, logPath)
	if err != nil {
		return nil, err
	}
	defer func() { p.stop() }()
	if err := waitUp(ctx, d); err != nil {
		return nil, fmt.Errorf("%w (log: %s)", err, logPath)
	}

	setup := time.Now()
	for _, ph := range []struct {
		name string
		txs  func() [][]byte
	}{{"register_network", w.networks}, {"burned_register", w.registrations}, {"add_stake", w.stakes}} {
		txs := ph.txs()
		h, err := d.submit(ctx, txs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ph.name, err)
		}
		logf("%d %s landed by block %d", len(txs), ph.name, h)
	}
	if err := d.untilEveryEpochAfter(ctx, d.seen); err != nil {
		return nil, err
	}
	txs := w.weights()
	h, err := d.submit(ctx, txs)
	if err != nil {
		return nil, fmt.Errorf("set_weights: %w", err)
	}
	logf("%d set_weights landed by block %d", len(txs), h)
	if err := d.untilEveryEpochAfter(ctx, h); err != nil {
		return nil, err
	}
	res.SetupSecs = time.Since(setup).Seconds()

	// A fresh process on that state: its peak RSS is loading the state
	// and the measured rounds only.
	logf("restarting the node")
	p.stop()
	if p, err = startNode(bin, home, logPath); err != nil {
		return nil, err
	}
	if err := waitUp(ctx, d); err != nil {
		return nil, fmt.Errorf("%w (log: %s)", err, logPath)
	}
	time.Sleep(2 * time.Second)
	if _, rss, err := vmStatus(p.pid()); err == nil {
		res.StartRSSMB = rss
	}
	wctx, wcancel := context.WithCancel(ctx)
	defer wcancel()
	var maxRSS float64
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); watchRSS(wctx, p.pid(), &maxRSS, &mu) }()
	var plain []float64
	for r := 0; len(res.EpochBlockMs) < c.rounds && r < 3*c.rounds; r++ {
		head, err := d.head(ctx)
		if err != nil {
			return nil, err
		}
		at := head + 8
		for _, tx := range w.tempos(at) {
			// One admin, so in nonce order: each waits for admission.
			if _, err := d.cl.Submit(ctx, rpc.SubmitRequest{Tx: hex.EncodeToString(tx)}); err != nil {
				return nil, fmt.Errorf("admin tempo: %w", err)
			}
		}
		var s [3]sample
		var ok [3]bool
		for i := range s {
			if s[i], ok[i], err = d.scrapeAt(ctx, at-1+uint64(i)); err != nil {
				return nil, err
			}
		}
		b, err := d.cl.Block(ctx, at)
		if err != nil {
			return nil, err
		}
		epochs := 0
		for _, ev := range b.Events {
			if ev.Type == "subnet_epoch" {
				epochs++
			}
		}
		if epochs != c.subnets {
			logf("round %d: block %d ran %d epochs (the tempo changes landed late); again", r, at, epochs)
			continue
		}
		ems, eok := applyMs(s[0], s[1])
		if !eok || !ok[0] || !ok[1] {
			logf("round %d: block %d ran %d epochs; missed its apply time; again", r, at, epochs)
			continue
		}
		res.EpochBlockMs = append(res.EpochBlockMs, ems)
		if pms, pok := applyMs(s[1], s[2]); pok && ok[2] {
			plain = append(plain, pms)
		}
		logf("round %d: block %d ran %d epochs in %.1f ms", r, at, epochs, ems)
	}
	wcancel()
	wg.Wait()
	if len(res.EpochBlockMs) < c.rounds {
		return nil, errors.New("could not time enough blocks running the epoch of every subnet")
	}
	res.PlainBlockMs = median(plain)
	if res.PeakRSSMB, res.RSSMB, err = vmStatus(p.pid()); err != nil {
		return nil, err
	}
	if _, _, _, heap, err := d.scrape(ctx); err == nil {
		res.HeapInuseMB = heap / (1 << 20)
	}
	logf("largest VmRSS sampled: %.1f MB", maxRSS)
	res.StateDirMB = dirMB(filepath.Join(home, node.AppDBDir))
	return res, nil
}

func waitUp(ctx context.Context, d *procDriver) error {
	deadline := time.Now().Add(2 * time.Minute)
	var last error
	for time.Now().Before(deadline) {
		if h, err := d.head(ctx); err == nil && h > d.seen {
			return nil
		} else {
			last = err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("node did not produce a block: %v", last)
}
