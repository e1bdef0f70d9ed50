package localnet

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/emission"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
	"github.com/yumachain/yuma/wallet"
)

func TestDefaultIsValid(t *testing.T) {
	for _, c := range []Config{Default(), TestConfig(t.TempDir())} {
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	d := Default()
	if d.Nodes != 4 || d.Miners != 3 || d.Validators != 2 || d.BlockTime != time.Second || d.Tempo != 10 {
		t.Fatalf("defaults %+v differ from the documented --nodes 4 --miners 3 --validators 2 --block-time 1s --tempo 10", d)
	}
}

func TestValidateNamesTheFlag(t *testing.T) {
	cases := []struct {
		flag string
		mod  func(*Config)
	}{
		{"--nodes", func(c *Config) { c.Nodes = 0 }},
		{"--nodes", func(c *Config) { c.Nodes = MaxNodes + 1 }},
		{"--miners", func(c *Config) { c.Miners = 0 }},
		{"--validators", func(c *Config) { c.Validators = -1 }},
		{"--block-time", func(c *Config) { c.BlockTime = time.Millisecond }},
		{"--tempo", func(c *Config) { c.Tempo = 1 }},
		{"--chain-id", func(c *Config) { c.ChainID = "" }},
		{"--rpc-port-base", func(c *Config) { c.RPCPortBase = 80 }},
		{"--rpc-port-base", func(c *Config) { c.RPCPortBase = 65534 }},
		{"--exit-after", func(c *Config) { c.ExitAfter = -time.Second }},
		{"--miner-quality", func(c *Config) { c.MinerQualities = []string{"good", "great"} }},
		{"--miner-quality", func(c *Config) { c.MinerQualities = nil }},
	}
	for _, tc := range cases {
		c := Default()
		tc.mod(&c)
		err := c.Validate()
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.flag) {
			t.Errorf("%s: got %v, want ErrConfig naming %s", tc.flag, err, tc.flag)
		}
	}
}

func TestQualitiesCycle(t *testing.T) {
	c := Default()
	c.MinerQualities = ParseQualities(" Good, garbage ,")
	if len(c.MinerQualities) != 2 {
		t.Fatalf("parsed %q", c.MinerQualities)
	}
	got := []string{c.quality(0), c.quality(1), c.quality(2)}
	if strings.Join(got, ",") != "good,garbage,good" {
		t.Fatalf("qualities %v", got)
	}
}

func TestPrepareHome(t *testing.T) {
	dir := t.TempDir()
	empty, err := prepareHome(filepath.Join(dir, "new", "home"))
	if err != nil || !empty {
		t.Fatalf("new home: empty %v err %v", empty, err)
	}
	os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o644)
	if empty, err := prepareHome(dir); err != nil || empty {
		t.Fatalf("non-empty home: empty %v err %v", empty, err)
	}
	// Under a regular file nothing can be created (this holds for root too).
	_, err = prepareHome(filepath.Join(dir, "file", "home"))
	if !errors.Is(err, ErrHome) || !strings.Contains(err.Error(), "cannot create") {
		t.Fatalf("home under a file: %v", err)
	}
	if _, err := prepareHome(filepath.Join(dir, "file")); !errors.Is(err, ErrHome) || !strings.Contains(err.Error(), "not a folder") {
		t.Fatalf("home is a file: %v", err)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		if _, err := prepareHome(ro); !errors.Is(err, ErrHome) || !strings.Contains(err.Error(), "not writable") {
			t.Fatalf("read-only home: %v", err)
		}
	}
}

func TestLockIsExclusive(t *testing.T) {
	dir := t.TempDir()
	l, err := lockHome(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockHome(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second lock: %v", err)
	}
	l.release()
	l2, err := lockHome(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.release()
}

func TestManifestErrors(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := ReadManifest(dir); ok || err != nil {
		t.Fatalf("no manifest: ok %v err %v", ok, err)
	}
	os.WriteFile(filepath.Join(dir, ManifestFile), []byte("{"), 0o644)
	if _, _, err := ReadManifest(dir); !errors.Is(err, ErrHome) || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("corrupt manifest: %v", err)
	}
	writeJSONAtomic(filepath.Join(dir, ManifestFile), Manifest{Version: 99})
	if _, _, err := ReadManifest(dir); !errors.Is(err, ErrHome) || !strings.Contains(err.Error(), "version 99") {
		t.Fatalf("future manifest: %v", err)
	}
}

// createTestNetwork writes a 2-node network into a temporary home.
func createTestNetwork(t *testing.T) (string, *Config, *Manifest) {
	t.Helper()
	home := t.TempDir()
	cfg := TestConfig(home)
	cfg.Nodes, cfg.Miners, cfg.Validators, cfg.Tempo = 2, 3, 2, 7
	m, err := createNetwork(home, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	return home, &cfg, m
}

func TestCreateNetwork(t *testing.T) {
	home, cfg, m := createTestNetwork(t)
	back, ok, err := ReadManifest(home)
	if err != nil || !ok {
		t.Fatalf("manifest: ok %v err %v", ok, err)
	}
	if len(back.Nodes) != 2 || len(back.Miners) != 3 || len(back.Validators) != 2 || back.Tempo != 7 {
		t.Fatalf("manifest shape %+v", back)
	}
	if back.Miners[0].Quality != QualityGood || back.Miners[1].Quality != QualityNoisy || back.Miners[2].Quality != QualityGarbage {
		t.Fatalf("miner qualities %+v", back.Miners)
	}
	if back.Validators[0].Stake <= back.Validators[1].Stake {
		t.Fatalf("validator stakes should differ: %d, %d", back.Validators[0].Stake, back.Validators[1].Stake)
	}
	// One genesis for all nodes, funding every wallet, the owner as admin,
	// and the localnet's subnet rules.
	var ref types.Hash
	for i, n := range back.Nodes {
		_, g, err := node.LoadGenesis(filepath.Join(home, n.Home))
		if err != nil {
			t.Fatal(err)
		}
		h, _ := g.Hash()
		if i == 0 {
			ref = h
			if g.Admin != m.Owner.Coldkey || g.ChainID != cfg.ChainID {
				t.Fatalf("admin %s chain %s", g.Admin.Hex(), g.ChainID)
			}
			funded := map[types.Address]uint64{}
			var total uint64
			for _, a := range g.Accounts {
				funded[a.Address] = uint64(a.Balance)
				total += uint64(a.Balance)
			}
			for _, nr := range m.neurons() {
				if funded[nr.Coldkey] == 0 || funded[nr.HotAddr] == 0 {
					t.Fatalf("%s not funded", nr.Name)
				}
				if nr.Stake > 0 && funded[nr.Coldkey] <= nr.Stake {
					t.Fatalf("%s cannot afford its stake", nr.Name)
				}
			}
			if total != m.GenesisIssuance {
				t.Fatalf("genesis issuance %d, balances sum to %d", m.GenesisIssuance, total)
			}
			p, err := subnet.ParseParams(g.Modules[subnet.ModuleName])
			if err != nil {
				t.Fatal(err)
			}
			if p.SubnetDefaults.Tempo != 7 || p.SubnetDefaults.MaxAllowedValidators != 2 || p.SubnetDefaults.MaxRegsPerBlock < 5 {
				t.Fatalf("subnet defaults %+v", p.SubnetDefaults)
			}
		} else if h != ref {
			t.Fatalf("node %d has another genesis", i)
		}
		c, err := node.LoadConfig(filepath.Join(home, n.Home))
		if err != nil {
			t.Fatal(err)
		}
		if c.Consensus.BlockTime.Duration != cfg.BlockTime || c.RPC.Listen != n.RPC {
			t.Fatalf("node config %+v", c)
		}
	}
	// Coldkeys open with the dev password only; hotkeys are plain.
	store := &wallet.Store{Root: filepath.Join(home, WalletsDir)}
	for _, nr := range m.neurons() {
		if enc, err := store.IsEncrypted(wallet.Coldkey(nr.Name)); err != nil || !enc {
			t.Fatalf("%s coldkey encrypted %v err %v", nr.Name, enc, err)
		}
		if enc, err := store.IsEncrypted(wallet.Hotkey(nr.Name, nr.Hotkey)); err != nil || enc {
			t.Fatalf("%s hotkey encrypted %v err %v", nr.Name, enc, err)
		}
		if _, err := store.Load(wallet.Coldkey(nr.Name), func(string) (string, error) { return "wrong", nil }); err == nil {
			t.Fatalf("%s coldkey opened with a wrong password", nr.Name)
		}
		cold, hot, err := loadKeys(home, nr)
		if err != nil {
			t.Fatal(err)
		}
		if cold == nil || hot == nil {
			t.Fatal("nil key")
		}
	}
	b, _ := os.ReadFile(filepath.Join(home, PasswordFile))
	if strings.TrimSpace(string(b)) != DevPassword {
		t.Fatalf("dev password file holds %q", b)
	}
}

func TestRPCPortBase(t *testing.T) {
	home := t.TempDir()
	cfg := TestConfig(home)
	cfg.Nodes, cfg.Miners, cfg.Validators = 2, 1, 1
	ps, _ := node.FreePorts("tcp", 1)
	cfg.RPCPortBase = ps[0]
	m, err := createNetwork(home, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range m.Nodes {
		if want := "127.0.0.1:" + strconv.Itoa(ps[0]+i); n.RPC != want {
			t.Fatalf("node %d RPC %s, want %s", i, n.RPC, want)
		}
	}
	// Resuming with another base moves the RPC ports; another block time
	// rewrites the node config.
	cfg.RPCPortBase, cfg.BlockTime = ps[0]+10, 700*time.Millisecond
	if err := applyNodeConfig(home, m, &cfg); err != nil {
		t.Fatal(err)
	}
	back, _, _ := ReadManifest(home)
	c, _ := node.LoadConfig(filepath.Join(home, back.Nodes[1].Home))
	if want := "127.0.0.1:" + strconv.Itoa(ps[0]+11); back.Nodes[1].RPC != want || c.RPC.Listen != want || c.Consensus.BlockTime.Duration != 700*time.Millisecond {
		t.Fatalf("after resume: manifest %s, config %s, block time %s", back.Nodes[1].RPC, c.RPC.Listen, c.Consensus.BlockTime)
	}
}

func TestShapeDiffs(t *testing.T) {
	_, cfg, m := createTestNetwork(t)
	if d := shapeDiffs(cfg, m); len(d) != 0 {
		t.Fatalf("same shape reported as %v", d)
	}
	c := *cfg
	c.Nodes, c.Tempo = 4, 10
	d := shapeDiffs(&c, m)
	if len(d) != 2 || !strings.Contains(d[0], "2 nodes") || !strings.Contains(d[1], "tempo 7") {
		t.Fatalf("diffs %v", d)
	}
}

func TestCheckPortsNamesTheBusyPort(t *testing.T) {
	home, _, m := createTestNetwork(t)
	if err := checkPorts(home, m); err != nil {
		t.Fatalf("fresh ports: %v", err)
	}
	for _, tc := range []struct {
		addr, what string
	}{
		{m.Nodes[1].RPC, "node1 JSON-RPC"},
		{m.Nodes[0].Metrics, "node0 metrics"},
		{m.Miners[2].Axon, "miner2 axon"},
	} {
		l, err := net.Listen("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		err = checkPorts(home, m)
		l.Close()
		if !errors.Is(err, ErrPortBusy) || !strings.Contains(err.Error(), tc.addr) || !strings.Contains(err.Error(), tc.what) {
			t.Fatalf("busy %s: %v", tc.what, err)
		}
	}
	pc, err := net.ListenPacket("udp", m.Nodes[0].P2P)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if err := checkPorts(home, m); !errors.Is(err, ErrPortBusy) || !strings.Contains(err.Error(), "node0 p2p") {
		t.Fatalf("busy p2p: %v", err)
	}
}

func TestRunRejectsBadInputBeforeStarting(t *testing.T) {
	dir := t.TempDir()
	// A binary that must never run: bad input stops Run first.
	bin := filepath.Join(dir, "must-not-run")
	os.WriteFile(bin, []byte("#!/bin/sh\ntouch "+filepath.Join(dir, "ran")+"\n"), 0o755)
	io := IO{Bin: bin}

	bad := TestConfig(filepath.Join(dir, "h1"))
	bad.Nodes = 0
	if s, err := Run(context.Background(), bad, io); !errors.Is(err, ErrConfig) || s != nil {
		t.Fatalf("bad config: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	if _, err := Run(context.Background(), TestConfig(filepath.Join(dir, "file", "h")), io); !errors.Is(err, ErrHome) {
		t.Fatalf("home under a file: %v", err)
	}
	notLocalnet := filepath.Join(dir, "docs")
	os.MkdirAll(notLocalnet, 0o755)
	os.WriteFile(filepath.Join(notLocalnet, "thesis.tex"), []byte("x"), 0o644)
	if _, err := Run(context.Background(), TestConfig(notLocalnet), io); !errors.Is(err, ErrHome) || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty home: %v", err)
	}
	if _, err := os.Stat(filepath.Join(notLocalnet, "thesis.tex")); err != nil {
		t.Fatal("a non-localnet folder was touched")
	}
	// A busy RPC port on a fresh home: nothing starts, and the home is
	// left as it was (empty apart from the lock).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c := TestConfig(filepath.Join(dir, "h2"))
	c.RPCPortBase = l.Addr().(*net.TCPAddr).Port
	_, err = Run(context.Background(), c, io)
	if !errors.Is(err, ErrPortBusy) || !strings.Contains(err.Error(), l.Addr().String()) || !strings.Contains(err.Error(), "--rpc-port-base") {
		t.Fatalf("busy port: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Fatal("a process was started despite bad input")
	}
	if _, err := os.Stat(filepath.Join(dir, "h2", NetDir)); err == nil {
		t.Fatal("the network was written despite the busy port")
	}
}

func TestExpectedIssuance(t *testing.T) {
	const g = 1_000 * chain.RaoPerTAO
	if ExpectedIssuance(g, 0) != g {
		t.Fatal("no blocks must mint nothing")
	}
	want := uint64(g)
	for range 100 {
		want += emission.BlockReward(want)
	}
	if got := ExpectedIssuance(g, 100); got != want || got == g {
		t.Fatalf("100 blocks: got %d want %d", got, want)
	}
	// At the cap nothing more is minted.
	if got := ExpectedIssuance(chain.MaxSupply, 5); got != chain.MaxSupply {
		t.Fatalf("at the cap: %d", got)
	}
}

func sampleSnapshot() Snapshot {
	return Snapshot{
		Home: "/h", ChainID: "c", Uptime: 83 * time.Second, Head: 42, NetUID: 1, Tempo: 10, NextEpoch: 52, BlocksLeft: 10, LastEpoch: 41, Epochs: 3,
		Issuance: 70_400 * chain.RaoPerTAO, MetagraphBlock: 41,
		Nodes: []NodeStatus{
			{Name: "node0", PID: 100, Alive: true, Answering: true, Height: 42, Finalized: 42, Peers: 3, RPC: "http://127.0.0.1:1", Metrics: "http://127.0.0.1:9/metrics"},
			{Name: "node1", PID: 101, Alive: false, Exit: "signal: killed", RPC: "http://127.0.0.1:2"},
		},
		Procs: []ProcStatus{{Name: "miner0", Role: RoleMiner, PID: 200, Alive: true, Detail: "good, axon 127.0.0.1:3", Metrics: "http://127.0.0.1:8/metrics"}},
		Metagraph: []NeuronRow{
			{UID: 1, Name: "miner0", Role: RoleMiner, Quality: QualityGood, Incentive: 65535 / 2, Emission: 1_500_000_000},
			{UID: 4, Name: "validator0", Role: RoleValidator, Stake: 20_000 * chain.RaoPerTAO, Dividends: 65535},
		},
	}
}

func TestRenderLive(t *testing.T) {
	out := RenderLive(sampleSnapshot(), 30*time.Second, false)
	for _, want := range []string{ansiHome, ansiClearDown, "finalized height 42", "stops in 00:00:30", "node1", "DIED (signal: killed)",
		"next epoch at block 52 (in 10 blocks)", "epochs completed 3", "70400.000000000 TAO", "miner0", "0.5000", "1.0000", "1.500000000 TAO", "20000.000000000 TAO",
		"DEV KEYS", "/h/" + PasswordFile, "http://127.0.0.1:9/metrics", "http://127.0.0.1:8/metrics"} {
		if !strings.Contains(out, want) {
			t.Errorf("live view lacks %q:\n%s", want, out)
		}
	}
	// Every line clears its rest, so a shorter redraw leaves no residue.
	for _, l := range strings.Split(strings.TrimSuffix(out, ansiClearDown), "\n") {
		if l != "" && !strings.HasSuffix(l, ansiClearLine) {
			t.Fatalf("line without clear-to-end: %q", l)
		}
	}
	if s := RenderLive(Snapshot{}, 0, true); !strings.Contains(s, "setting up") || !strings.Contains(s, "Ctrl-C") || !strings.HasPrefix(s, "\x1b[2J") {
		t.Fatalf("empty view:\n%s", s)
	}
}

func TestPlainLinesHaveNoANSI(t *testing.T) {
	s := sampleSnapshot()
	for _, out := range []string{BlockLine(s), EpochLines(s), Header("/h", &Manifest{ChainID: "c", Nodes: []NodeInfo{{Name: "node0", RPC: "127.0.0.1:1"}}}, true)} {
		if strings.Contains(out, "\x1b") {
			t.Fatalf("ANSI in plain output: %q", out)
		}
	}
	if l := BlockLine(s); !strings.Contains(l, "block 42") || !strings.Contains(l, "node1=dead") || !strings.Contains(l, "epoch in 10") || strings.Contains(l, "\n") {
		t.Fatalf("block line %q", l)
	}
}

func TestHeaderWarnsAboutDevKeys(t *testing.T) {
	m := &Manifest{ChainID: "c", Tempo: 10, Nodes: []NodeInfo{{Name: "node0", RPC: "127.0.0.1:1", Metrics: "127.0.0.1:2"}},
		Miners: []NeuronInfo{{Name: "miner0", Role: RoleMiner, Axon: "127.0.0.1:3"}}, Validators: []NeuronInfo{{Name: "validator0", Role: RoleValidator}}}
	h := Header("/h", m, false)
	for _, want := range []string{"DEV KEYS", DevPassword, "/h/" + PasswordFile, "http://127.0.0.1:1", "http://127.0.0.1:2/metrics", "logs/miner0.log", "axon http://127.0.0.1:3", "--rpc http://127.0.0.1:1"} {
		if !strings.Contains(h, want) {
			t.Errorf("header lacks %q:\n%s", want, h)
		}
	}
}

func TestSummaryJSONAndText(t *testing.T) {
	one := int64(1500)
	s := Summary{Version: SummaryVersion, ChainID: "c", Reason: "exit_after", UptimeMS: 60_000, CommonHeight: 50,
		Nodes:        []SummaryNode{{Name: "node0", Alive: true, AppHash: "0xaa"}, {Name: "node1", Alive: false, Exit: "signal: killed", AppHash: "0xbb"}},
		Died:         []string{"node1"},
		AppHashAgree: false,
		Issuance:     SummaryIssuance{Height: 50, Rao: 10, ExpectedRao: 11},
		Subnet:       SummarySubnet{NetUID: 1, Tempo: 10},
		Neurons:      []SummaryNeuron{{UID: 1, Name: "miner0", Role: RoleMiner, Quality: QualityGood, Incentive: 0.5}},
		Milestones:   SummaryMilestones{FirstBlockMS: &one},
	}
	txt := s.Text()
	for _, want := range []string{"exit-after", "DO NOT AGREE", "died during the run: node1", "DIFFERS", "first block 1.5s", "first epoch not reached", "miner0"} {
		if !strings.Contains(txt, want) {
			t.Errorf("summary text lacks %q:\n%s", want, txt)
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	// The documented top-level keys (doc.go) are all present.
	for _, k := range []string{"version", "chain_id", "home", "home_kept", "reason", "uptime_ms", "resumed", "nodes", "died", "common_height",
		"app_hash_agree", "app_hash", "issuance", "subnet", "neurons", "processes", "milestones", "ok"} {
		if _, ok := m[k]; !ok {
			t.Errorf("summary JSON lacks %q", k)
		}
	}
	if ms := m["milestones"].(map[string]any); ms["first_epoch_ms"] != nil || ms["first_block_ms"].(float64) != 1500 {
		t.Fatalf("milestones %v", ms)
	}
}

func TestTAOText(t *testing.T) {
	// The CLI's form (all 9 decimals), deliberately: the view used to round
	// to 4 decimals and showed amounts differently from `yuma wallet`.
	for rao, want := range map[uint64]string{0: "0.000000000 TAO", chain.RaoPerTAO: "1.000000000 TAO", 1_500_000_000: "1.500000000 TAO", 1: "0.000000001 TAO", 12_345_678_901: "12.345678901 TAO"} {
		if got := taoText(rao); got != want {
			t.Errorf("taoText(%d) = %q, want %q", rao, got, want)
		}
	}
}

// TestWriteJSONAtomicConcurrent: two writers of one file (the supervisor
// and a second `yuma localnet` on the same home) each get their own
// temporary file, so neither fails and the file is always whole JSON.
func TestWriteJSONAtomicConcurrent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, RunFile)
	var wg sync.WaitGroup
	errs := make(chan error, 4*20)
	for w := range 4 {
		wg.Go(func() {
			for i := range 20 {
				errs <- writeJSONAtomic(path, map[string]any{"writer": w, "i": i, "pad": strings.Repeat("x", 100*w)})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent writeJSONAtomic: %v", err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("the file is not whole JSON: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("left in the home: %v", ents)
	}
}
