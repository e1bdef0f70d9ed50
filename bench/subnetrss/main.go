// Command subnetrss measures a yuma node holding 32 subnets of 256 UIDs
// (64 validators per subnet, each with its owner's stake and two
// nominators, weighting every other UID): the time of a block in which all
// 32 subnets run their epoch, and the node's resident memory while such
// blocks run.
//
// The state is built the way a chain builds it: signed transactions
// (register_network, burned_register, add_stake, set_weights) in blocks,
// applied by the node's code over pebble. Then, for each round, the genesis
// admin sets the subnets' tempos so that all of them run their epoch in the
// same block (tempo + 1 of subnet n divides block + n + 2), and that block
// is timed.
//
// Two modes:
//
//   - process (default): a one-authority chain run by the real `yuma node
//     run` binary (CometBFT, libp2p, pebble, RPC); transactions go through
//     tx_submit. After the setup the node is restarted, so its peak RSS
//     (VmHWM of /proc/<pid>/status) covers only loading the state and the
//     measured rounds; the epoch block's time is the node's own
//     yuma_node_block_apply_seconds (FinalizeBlock to the end of Commit).
//
//   - app: the node's ABCI application (node.App over pebble, the same
//     FinalizeBlock and Commit) driven in this process without CometBFT;
//     for profiling (-cpuprofile, -memprofile). Peak RSS is reset (Linux
//     clear_refs) before the measured rounds.
//
//     go run ./bench/subnetrss [-mode process|app] [-subnets 32] [-uids 256] [-validators 64] [-rounds 3] [-json]
package main

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

type config struct {
	mode                      string
	subnets, uids, validators int
	rounds                    int
	dir                       string
	keep, jsonOut             bool
	cpuProfile, memProfile    string
	blockTime                 time.Duration
}

// result is what the command prints.
type result struct {
	Mode       string  `json:"mode"`
	Subnets    int     `json:"subnets"`
	UIDs       int     `json:"uids"`
	Validators int     `json:"validators"`
	SetupTxs   int     `json:"setup_txs"`
	SetupSecs  float64 `json:"setup_seconds"`
	// EpochBlockMs are the measured blocks, each running every subnet's
	// epoch (FinalizeBlock + Commit).
	EpochBlockMs []float64 `json:"epoch_block_ms"`
	// PlainBlockMs is the median of the blocks without epochs in the
	// measured phase.
	PlainBlockMs float64 `json:"plain_block_ms"`
	// PeakRSSMB is VmHWM after the measured rounds; RSSMB is VmRSS then.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// StartRSSMB is VmRSS of the restarted node before the rounds
	// (process mode).
	StartRSSMB   float64 `json:"start_rss_mb,omitempty"`
	RSSMB        float64 `json:"rss_mb"`
	HeapInuseMB  float64 `json:"heap_inuse_mb,omitempty"`
	StateDirMB   float64 `json:"app_db_mb"`
	TargetRSSMB  float64 `json:"target_rss_mb"`
	WithinTarget bool    `json:"within_target"`
}

func main() {
	var c config
	flag.StringVar(&c.mode, "mode", "process", "process (a real node process) or app (the ABCI app in this process)")
	flag.IntVar(&c.subnets, "subnets", 32, "subnets")
	flag.IntVar(&c.uids, "uids", 256, "UIDs per subnet")
	flag.IntVar(&c.validators, "validators", 64, "validators per subnet (they stake and set weights)")
	flag.IntVar(&c.rounds, "rounds", 3, "measured blocks in which every subnet runs its epoch")
	flag.StringVar(&c.dir, "dir", "", "work directory (default: a new temporary one)")
	flag.BoolVar(&c.keep, "keep", false, "keep the work directory")
	flag.BoolVar(&c.jsonOut, "json", false, "print JSON")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "app mode: write a CPU profile of the measured rounds")
	flag.StringVar(&c.memProfile, "memprofile", "", "app mode: write a heap profile after the measured rounds")
	flag.DurationVar(&c.blockTime, "block-time", 300*time.Millisecond, "process mode: the node's block time")
	flag.Parse()
	if err := run(&c); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(c *config) error {
	if c.subnets < 1 || c.uids < 2 || c.validators < 1 || c.validators > c.uids || c.uids > 4096 {
		return errors.New("need subnets >= 1, 2 <= uids <= 4096, 1 <= validators <= uids")
	}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "yuma-subnetrss-")
		if err != nil {
			return err
		}
		c.dir = d
		if !c.keep {
			defer os.RemoveAll(d)
		}
	}
	w := newWorkload(c)
	logf("%d subnets x %d UIDs, %d validators each: %d genesis accounts, %d setup transactions", c.subnets, c.uids, c.validators, len(w.gen.Accounts), w.setupTxs())
	var res *result
	var err error
	switch c.mode {
	case "app":
		res, err = runApp(c, w)
	case "process":
		res, err = runProcess(c, w)
	default:
		return fmt.Errorf("unknown mode %q", c.mode)
	}
	if err != nil {
		return err
	}
	res.Mode, res.Subnets, res.UIDs, res.Validators, res.SetupTxs = c.mode, c.subnets, c.uids, c.validators, w.setupTxs()
	res.TargetRSSMB = 300
	res.WithinTarget = res.PeakRSSMB <= res.TargetRSSMB
	if c.jsonOut {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Printf("mode %s: %d subnets x %d UIDs (%d validators each), state built from %d transactions in %.1f s\n",
		res.Mode, res.Subnets, res.UIDs, res.Validators, res.SetupTxs, res.SetupSecs)
	fmt.Printf("block running %d epochs: %s ms (median %.1f ms); block without epochs: %.1f ms\n",
		res.Subnets, joinMs(res.EpochBlockMs), median(res.EpochBlockMs), res.PlainBlockMs)
	fmt.Printf("peak RSS %.1f MB (VmHWM), RSS %.1f MB", res.PeakRSSMB, res.RSSMB)
	if res.StartRSSMB > 0 {
		fmt.Printf(" (%.1f MB after the restart, before the rounds)", res.StartRSSMB)
	}
	if res.HeapInuseMB > 0 {
		fmt.Printf(", Go heap in use %.1f MB", res.HeapInuseMB)
	}
	fmt.Printf("; app database %.1f MB on disk; target %.0f MB: %v\n", res.StateDirMB, res.TargetRSSMB, map[bool]string{true: "met", false: "NOT met"}[res.WithinTarget])
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

func joinMs(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strings.Join(s, ", ")
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	sort.Float64s(s)
	return s[len(s)/2]
}

// workload is the deterministic set of keys, genesis and transactions.
type workload struct {
	c       *config
	chainID string
	gen     *chain.Genesis
	admin   *signer
	// cold[k][u] and hot[k][u] are the coldkey and hotkey of UID u of
	// subnet k+1; nominators[k][v] the two nominators of validator v.
	cold, hot  [][]*signer
	nominators [][][2]*signer
	rng        *rand.Rand
}

type signer struct {
	key   *ecdsa.PrivateKey
	addr  types.Address
	nonce uint64
}

const fee = 1000

func newSigner(tag string, a, b int) *signer {
	seed := crypto.Keccak256([]byte(fmt.Sprintf("subnetrss/%s/%d/%d", tag, a, b)))
	k, err := crypto.ToECDSA(seed)
	if err != nil {
		panic(err)
	}
	return &signer{key: k, addr: crypto.PubkeyToAddress(k.PublicKey)}
}

// params are the subnet module's genesis rules for the benchmark: locks,
// burns and registration limits that let one block register a whole
// subnet, no weight or hyperparameter rate limits, no freeze window.
func params(c *config) subnet.Params {
	p := subnet.DefaultParams()
	p.SubnetLimit = uint16(max(c.subnets, 1))
	p.NetworkMinLock = 1 // doubles per registration: the 32nd locks 2^31 rao
	p.NetworkRateLimit = 0
	p.AdminFreezeWindow = 0
	p.HyperparamRateLimitTempos = 0
	p.MaxAllowedUIDsLimit = uint16(c.uids)
	d := &p.SubnetDefaults
	d.Tempo = 20
	d.MaxAllowedUIDs = uint16(c.uids)
	d.MaxAllowedValidators = uint16(c.validators)
	d.WeightsRateLimit = 0
	d.MaxRegsPerBlock = uint16(c.uids)
	d.TargetRegsPerInterval = uint16(c.uids/3 + 1)
	d.AdjustmentInterval = 60000
	d.InitialBurn = 1000
	d.MinBurn = 100
	return p
}

func newWorkload(c *config) *workload {
	w := &workload{c: c, chainID: "subnetrss", rng: rand.New(rand.NewPCG(1, 2))}
	w.admin = newSigner("admin", 0, 0)
	accs := []chain.GenesisAccount{{Address: w.admin.addr, Balance: chain.U64(10 * chain.RaoPerTAO)}}
	for k := range c.subnets {
		var cold, hot []*signer
		var noms [][2]*signer
		for u := range c.uids {
			cold = append(cold, newSigner("cold", k, u))
			hot = append(hot, newSigner("hot", k, u))
			bal := chain.RaoPerTAO
			if u < c.validators {
				bal = 2000 * chain.RaoPerTAO
				accs = append(accs, chain.GenesisAccount{Address: hot[u].addr, Balance: chain.U64(chain.RaoPerTAO)})
				n := [2]*signer{newSigner("nom", k, 2*u), newSigner("nom", k, 2*u+1)}
				noms = append(noms, n)
				for _, s := range n {
					accs = append(accs, chain.GenesisAccount{Address: s.addr, Balance: chain.U64(20 * chain.RaoPerTAO)})
				}
			}
			accs = append(accs, chain.GenesisAccount{Address: cold[u].addr, Balance: chain.U64(bal)})
		}
		w.cold, w.hot, w.nominators = append(w.cold, cold), append(w.hot, hot), append(w.nominators, noms)
	}
	raw, err := json.Marshal(params(c))
	if err != nil {
		panic(err)
	}
	w.gen = &chain.Genesis{
		ChainID: w.chainID, GenesisTime: "2026-01-01T00:00:00Z", Params: chain.Params{MinFee: fee},
		Admin: w.admin.addr, Accounts: accs, Modules: map[string]json.RawMessage{subnet.ModuleName: raw},
		// The app mode's one authority; the process mode writes its own.
		Authorities: []chain.Authority{{Name: "a0", PubKey: hex.EncodeToString(crypto.CompressPubkey(&w.admin.key.PublicKey)), Power: 10}},
	}
	return w
}

func (w *workload) setupTxs() int {
	return w.c.subnets * (w.c.uids + 4*w.c.validators)
}

func (w *workload) sign(s *signer, call types.Call) []byte {
	tx, err := types.NewTx(w.chainID, s.nonce, fee, call)
	if err != nil {
		panic(err)
	}
	if err := tx.Sign(s.key); err != nil {
		panic(err)
	}
	s.nonce++
	b, err := tx.Encode()
	if err != nil {
		panic(err)
	}
	return b
}

// The setup phases, in order; each phase's transactions may share a block.

func (w *workload) networks() [][]byte {
	var txs [][]byte
	for k := range w.c.subnets {
		txs = append(txs, w.sign(w.cold[k][0], &types.RegisterNetwork{Hotkey: w.hot[k][0].addr}))
	}
	return txs
}

func (w *workload) registrations() [][]byte {
	var txs [][]byte
	for k := range w.c.subnets {
		for u := 1; u < w.c.uids; u++ {
			txs = append(txs, w.sign(w.cold[k][u], &types.BurnedRegister{NetUID: uint16(k + 1), Hotkey: w.hot[k][u].addr}))
		}
	}
	return txs
}

// stakes: each validator's owner stakes 100..1099 TAO, its two nominators
// 10 and 5 TAO (the shape of subnet.BenchmarkEpochBlock32x256).
func (w *workload) stakes() [][]byte {
	var txs [][]byte
	for k := range w.c.subnets {
		for v := range w.c.validators {
			hk := w.hot[k][v].addr
			txs = append(txs, w.sign(w.cold[k][v], &types.AddStake{Hotkey: hk, Amount: uint64(w.rng.IntN(1000)+100) * chain.RaoPerTAO}))
			txs = append(txs, w.sign(w.nominators[k][v][0], &types.AddStake{Hotkey: hk, Amount: 10 * chain.RaoPerTAO}))
			txs = append(txs, w.sign(w.nominators[k][v][1], &types.AddStake{Hotkey: hk, Amount: 5 * chain.RaoPerTAO}))
		}
	}
	return txs
}

// weights: every validator weights every other UID, 1..65535 at random.
func (w *workload) weights() [][]byte {
	var txs [][]byte
	for k := range w.c.subnets {
		for v := range w.c.validators {
			var uids, vals []uint16
			for u := range w.c.uids {
				if u != v {
					uids = append(uids, uint16(u))
					vals = append(vals, uint16(w.rng.IntN(65535)+1))
				}
			}
			txs = append(txs, w.sign(w.hot[k][v], &types.SetWeights{NetUID: uint16(k + 1), UIDs: uids, Values: vals}))
		}
	}
	return txs
}

// tempos are the admin's set_hyperparameter calls that make every subnet
// run its epoch at block at: subnet k runs at b when tempo_k + 1 divides
// b + k + 2, so tempo_k = at + k + 1 (subnet/timing.go).
func (w *workload) tempos(at uint64) [][]byte {
	var txs [][]byte
	for k := range w.c.subnets {
		netuid := uint64(k + 1)
		txs = append(txs, w.sign(w.admin, &types.SetHyperparameter{NetUID: uint16(netuid), Name: "tempo", Value: at + netuid + 1}))
	}
	return txs
}

// vmStatus reads VmHWM and VmRSS (MB) of a process from /proc.
func vmStatus(pid string) (hwm, rss float64, err error) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmHWM:":
			hwm = v / 1024
		case "VmRSS:":
			rss = v / 1024
		}
	}
	return hwm, rss, nil
}

// dirMB is the size of the files under dir.
func dirMB(dir string) float64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return float64(n) / (1 << 20)
}
