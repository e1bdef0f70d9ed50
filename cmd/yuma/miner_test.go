package main

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

// roleLog is a goroutine-safe log of a running command.
type roleLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *roleLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *roleLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// roleProc is a long-running command (miner run, validator run) executed
// in-process until its context is cancelled.
type roleProc struct {
	cancel context.CancelFunc
	done   chan error
	out    *roleLog
}

func (e *cliEnv) start(args ...string) *roleProc {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &roleProc{cancel: cancel, done: make(chan error, 1), out: &roleLog{}}
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(strings.NewReader(""))
	root.SetOut(p.out)
	root.SetErr(p.out)
	go func() { p.done <- root.ExecuteContext(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		<-p.done
		if e.t.Failed() {
			e.t.Logf("$ yuma %s\n%s", strings.Join(args, " "), p.out.String())
		}
	})
	return p
}

// stop cancels the command (as SIGINT does) and checks it exits cleanly
// and soon.
func (p *roleProc) stop(t *testing.T, what string) {
	t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("%s exited with %v\n%s", what, err, p.out.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("%s did not stop within 15 s of its cancellation\n%s", what, p.out.String())
	}
}

// waitNeuron polls the metagraph until ok accepts hotkey's neuron.
func waitNeuron(t *testing.T, rpcURL string, netuid uint16, hotkey string, within time.Duration, ok func(subnet.NeuronInfo) bool) subnet.NeuronInfo {
	t.Helper()
	cl, _ := rpc.Dial(rpcURL)
	hk, err := types.ParseAddress(hotkey)
	if err != nil {
		t.Fatal(err)
	}
	var last subnet.NeuronInfo
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		mg, err := cl.SubnetMetagraph(context.Background(), netuid, nil)
		if err != nil {
			continue
		}
		for _, n := range mg.Neurons {
			if n.Hotkey == hk {
				if last = n; ok(n) {
					return n
				}
			}
		}
	}
	t.Fatalf("neuron %s on subnet %d not as expected within %s; last seen %+v", hotkey, netuid, within, last)
	return last
}

// TestMinerAndValidatorRun runs `yuma miner run` (registering its hotkey
// with --register) and `yuma validator run` against a one-node chain: the
// miner publishes its axon, the validator scores it and sets weights, and
// both stop cleanly when interrupted, leaving their state in --data-dir.
func TestMinerAndValidatorRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node")
	}
	e := newCLIEnv(t).withChain()
	e.regenFaucet()
	e.createWallet("owner")
	mw, _ := e.createWallet("miner")
	vw, _ := e.createWallet("val")
	pw := []string{"--password-file", e.pwFile}
	for _, to := range []string{"owner", "miner", "val", "miner/default", "val/default"} {
		e.ok(append([]string{"wallet", "transfer", "--wallet", "faucet", "--to", to, "--amount", "50"}, pw...)...)
	}
	var sc subnetCreateJSON
	e.okJSON("subnet_create", &sc, append([]string{"subnet", "create", "--wallet", "owner"}, pw...)...)
	netuid := strconv.Itoa(sc.NetUID)
	n := uint16(sc.NetUID)

	// Refusals before anything runs.
	e.fails([]string{"--netuid is required"}, "miner", "run", "--wallet", "miner")
	e.fails([]string{"not registered on subnet " + netuid, "--register"}, "miner", "run", "--netuid", netuid, "--wallet", "miner", "--listen", "127.0.0.1:0", "--metrics", "off")
	e.fails([]string{"not registered on subnet " + netuid, "yuma neuron register"}, "validator", "run", "--netuid", netuid, "--wallet", "val", "--metrics", "off")
	e.fails([]string{"subnet 77 does not exist"}, "validator", "run", "--netuid", "77", "--wallet", "val", "--metrics", "off")
	r := e.yuma("", "validator", "run", "--netuid", "77", "--wallet", "val", "--metrics", "off", "--json")
	checkSchema(t, "error", r.stdout)
	var ej errorJSON
	mustUnmarshal(t, r.stdout, &ej)
	if r.code == 0 || ej.Error.Code != "subnet_not_found" {
		t.Fatalf("--json failure: exit %d, %+v", r.code, ej)
	}
	e.fails([]string{"--external-ip"}, append([]string{"miner", "run", "--netuid", netuid, "--wallet", "miner", "--register", "--external-ip", "0.0.0.0", "--listen", "127.0.0.1:0", "--metrics", "off"}, pw...)...)

	e.ok(append([]string{"neuron", "register", "--netuid", netuid, "--wallet", "val"}, pw...)...)
	e.ok(append([]string{"stake", "add", "--wallet", "val", "--amount", "20"}, pw...)...)

	minerDir, valDir := filepath.Join(e.home, "m"), filepath.Join(e.home, "v")
	mp := e.start(append([]string{"miner", "run", "--netuid", netuid, "--wallet", "miner", "--register", "--listen", "127.0.0.1:0",
		"--metrics", "off", "--min-stake", "1", "--metagraph-refresh", "1s", "--data-dir", minerDir}, pw...)...)
	mn := waitNeuron(t, e.rpc, n, mw.Keys[1].Address, 60*time.Second, func(n subnet.NeuronInfo) bool { return n.Axon != nil })
	if mn.Axon.IP != "127.0.0.1" || mn.Axon.Port == 0 {
		t.Fatalf("published axon: %+v", mn.Axon)
	}

	vp := e.start("validator", "run", "--netuid", netuid, "--wallet", "val", "--interval", "500ms", "--weights-every", "0",
		"--metrics", "off", "--metagraph-refresh", "1s", "--data-dir", valDir)
	vhot := vw.Keys[1].Address
	// Weights on the miner need a validator permit, which comes with the
	// first epoch after the stake: the validator keeps trying until then.
	vn := waitNeuron(t, e.rpc, n, vhot, 90*time.Second, func(n subnet.NeuronInfo) bool { return n.LastUpdate > n.RegisteredAt })
	waitNeuron(t, e.rpc, n, mw.Keys[1].Address, 90*time.Second, func(n subnet.NeuronInfo) bool { return n.Incentive > 0 })
	t.Logf("validator set weights at block %d; the miner earns incentive", vn.LastUpdate)

	// The owner turns commit-reveal on: the validator commits, then
	// reveals in the window the chain gives.
	e.ok(append([]string{"subnet", "set", "--netuid", netuid, "--param", "commit_reveal_enabled", "--value", "true", "--wallet", "owner"}, pw...)...)
	for deadline := time.Now().Add(90 * time.Second); !strings.Contains(vp.out.String(), "weights revealed"); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no reveal within 90 s of enabling commit-reveal:\n%s", vp.out.String())
		}
	}
	if !strings.Contains(vp.out.String(), "weights committed") {
		t.Fatalf("revealed without a commit:\n%s", vp.out.String())
	}
	if os.Getenv("YUMA_SHOW_LOGS") != "" {
		t.Logf("miner:\n%s\nvalidator:\n%s", mp.out.String(), vp.out.String())
	}
	vp.stop(t, "validator run")
	mp.stop(t, "miner run")
	for _, f := range []string{filepath.Join(minerDir, "nonces.log"), filepath.Join(valDir, "scores.json")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("state file: %v", err)
		}
	}
	if !strings.Contains(mp.out.String(), "axon published on chain") || !strings.Contains(vp.out.String(), "weights set") {
		t.Fatalf("logs lack the milestones:\nminer:\n%s\nvalidator:\n%s", mp.out.String(), vp.out.String())
	}

	// A restarted miner finds its axon already on chain and sends nothing.
	mp = e.start("miner", "run", "--netuid", netuid, "--wallet", "miner", "--listen", "127.0.0.1:"+strconv.Itoa(int(mn.Axon.Port)),
		"--metrics", "off", "--data-dir", minerDir)
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(mp.out.String(), "axon already published"); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("restarted miner:\n%s", mp.out.String())
		}
	}
	mp.stop(t, "restarted miner run")
}

func TestMinerAndValidatorHelp(t *testing.T) {
	newCLIEnv(t)
	for _, args := range [][]string{{"miner", "run"}, {"validator", "run"}} {
		var out, errb strings.Builder
		if code := run(append(args, "--help"), strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("%v --help: exit %d: %s", args, code, errb.String())
		}
		for _, want := range []string{"Examples:", "yuma " + strings.Join(args, " ") + " --netuid 1", "--netuid", "--wallet", "--hotkey", "--rpc", "--data-dir", "--metrics", "--password-file", "SIGTERM"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("yuma %s --help lacks %q", strings.Join(args, " "), want)
			}
		}
	}
}

func TestMinerEndpoint(t *testing.T) {
	tcp := func(s string) net.Addr { return net.TCPAddrFromAddrPort(netip.MustParseAddrPort(s)) }
	for _, tc := range []struct {
		external, listen, rpc string
		want                  string
		guessed, fails        bool
	}{
		{"", "127.0.0.1:8091", "http://127.0.0.1:8545", "127.0.0.1:8091", false, false},
		{"203.0.113.7", "0.0.0.0:8091", "http://127.0.0.1:8545", "203.0.113.7:8091", false, false},
		{"::ffff:203.0.113.7", "[::]:9000", "http://127.0.0.1:8545", "203.0.113.7:9000", false, false},
		{"2001:db8::1", "0.0.0.0:8091", "http://127.0.0.1:8545", "[2001:db8::1]:8091", false, false},
		{"", "0.0.0.0:8091", "http://127.0.0.1:8545", "127.0.0.1:8091", true, false},
		{"0.0.0.0", "127.0.0.1:8091", "http://127.0.0.1:8545", "", false, true},
		{"not-an-ip", "127.0.0.1:8091", "http://127.0.0.1:8545", "", false, true},
	} {
		f := &minerFlags{externalIP: tc.external}
		ep, how, err := f.endpoint(tcp(tc.listen), tc.rpc)
		if tc.fails {
			if err == nil {
				t.Errorf("--external-ip %q --listen %s: accepted as %v", tc.external, tc.listen, ep)
			}
			continue
		}
		if err != nil || ep.String() != tc.want || (how != "") != tc.guessed {
			t.Errorf("--external-ip %q --listen %s: %v (guessed %q), %v; want %s", tc.external, tc.listen, ep, how, err, tc.want)
		}
	}
}

func TestMinerConfigFromFlags(t *testing.T) {
	key, _ := crypto.GenerateKey()
	e := &roleEnv{chainID: "c", netuid: 3, hotkey: key, dataDir: t.TempDir()}
	t.Setenv("TEST_UPSTREAM_KEY", "sk-test")
	f := &minerFlags{roleFlags: roleFlags{metagraphRefresh: time.Second}, listen: "127.0.0.1:1", backend: "openai", upstream: "http://127.0.0.1:11434/v1",
		model: "llama3", chat: true, apiKeyEnv: "TEST_UPSTREAM_KEY", quality: "noisy", noise: 0.5, minStake: "2.5"}
	cfg, err := f.config(e)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Backend.OpenAI
	if cfg.ChainID != "c" || cfg.NetUID != 3 || cfg.MetagraphRefresh != time.Second || cfg.MinStake != 2_500_000_000 ||
		cfg.Backend.Kind != "openai" || cfg.Backend.Quality != "noisy" || cfg.Backend.NoiseFraction != 0.5 ||
		o.URL != f.upstream || o.Model != "llama3" || !o.Chat || o.APIKey != "sk-test" {
		t.Fatalf("config: %+v", cfg)
	}
	f.minStake = "0"
	if cfg, err := f.config(e); err != nil || cfg.MinStake != 0 {
		t.Fatalf("--min-stake 0: %d %v", cfg.MinStake, err)
	}
	for name, bad := range map[string]func(f *minerFlags){
		"unset key variable": func(f *minerFlags) { f.apiKeyEnv = "TEST_NO_SUCH_VARIABLE" },
		"unknown quality":    func(f *minerFlags) { f.quality = "excellent" },
		"unknown backend":    func(f *minerFlags) { f.backend = "magic" },
		"bad upstream":       func(f *minerFlags) { f.upstream = "ftp://x" },
		"bad min stake":      func(f *minerFlags) { f.minStake = "lots" },
	} {
		g := *f
		g.minStake = "1"
		bad(&g)
		if _, err := g.config(e); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
