package e2e

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/chainview"
	"github.com/yumachain/yuma/localnet"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
	"github.com/yumachain/yuma/wallet"
)

// rolesTempo is the subnet's epoch length: an epoch every 11 blocks, ~3.3 s
// at 300 ms blocks.
const rolesTempo = 10

// rolesSubnetGenesis makes a subnet cheap, fast and quick to act on: a
// 10 TAO lock, 1 TAO registration, tempo 10, weights every 2 blocks, no
// serving limit, no freeze window.
var rolesSubnetGenesis = fmt.Sprintf(`{
  "network_min_lock": "10000000000", "network_rate_limit": 1, "admin_freeze_window": 0,
  "hyperparam_rate_limit_tempos": 0,
  "subnet_defaults": {"tempo": %d, "weights_rate_limit": 2, "serving_rate_limit": 0, "max_regs_per_block": 8,
    "target_regs_per_interval": 8, "initial_burn": 1000000000, "min_burn": 1000000, "max_burn": 100000000000}
}`, rolesTempo)

// rolePerson is one wallet: a coldkey (encrypted) and its hotkey "default"
// (plain), written to the wallet folder the processes read.
type rolePerson struct {
	name      string
	cold, hot *ecdsa.PrivateKey
}

func (p rolePerson) coldAddr() types.Address { return crypto.PubkeyToAddress(p.cold.PublicKey) }
func (p rolePerson) hotAddr() types.Address  { return crypto.PubkeyToAddress(p.hot.PublicKey) }

func newRolePerson(t *testing.T, st *wallet.Store, name, password string) rolePerson {
	t.Helper()
	p := rolePerson{name: name}
	for _, hot := range []bool{false, true} {
		m, err := wallet.NewMnemonic(12)
		if err != nil {
			t.Fatal(err)
		}
		k, err := wallet.DeriveKey(m)
		if err != nil {
			t.Fatal(err)
		}
		role, opts := wallet.Coldkey(name), wallet.CreateOptions{Password: password}
		if hot {
			role, opts = wallet.Hotkey(name, wallet.DefaultHotkey), wallet.CreateOptions{}
			p.hot = k
		} else {
			p.cold = k
		}
		if _, err := st.Create(role, m, opts); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// roleProc is a `yuma miner run` or `yuma validator run` process, run by
// localnet.Supervisor (the project's one process manager).
type roleProc struct {
	name    string
	logPath string
	p       *localnet.Proc
}

func startRole(t *testing.T, logDir, name string, args ...string) *roleProc {
	t.Helper()
	sup := localnet.NewSupervisor(binPath)
	logPath := filepath.Join(logDir, name+".log")
	p, err := sup.Start(localnet.Spec{Name: name, Args: args, LogPath: logPath,
		Env: []string{"YUMA_HOME=" + filepath.Join(logDir, "home-"+name)}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	return &roleProc{name: name, logPath: logPath, p: p}
}

func (p *roleProc) exited() bool { return !p.p.Running() }

// stop sends SIGTERM and waits for a clean exit (status 0); after 15 s it
// kills the process and fails.
func (p *roleProc) stop(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	p.p.Stop(15 * time.Second)
	if e := p.p.Exit(); e != "exit status 0" {
		t.Errorf("%s exited with %s after SIGTERM (killed: no exit within 15 s):\n%s", p.name, e, tail(p.logPath, 3000))
	}
	return time.Since(start)
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// TestMinersAndValidatorsEarnByQuality is the acceptance test of the
// off-chain roles: on a 3-node chain with 300 ms blocks, an owner creates
// a subnet with tempo 10; two validators register and stake; three
// `yuma miner run` processes (good, noisy and garbage answers) register
// themselves with --register and publish their axons; two `yuma validator
// run` processes query and score them and set weights. After three epochs
// of weights, the metagraph read from every node at one height is the
// same, and the good miner has the highest incentive, the garbage one the
// lowest.
func TestMinersAndValidatorsEarnByQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	began := time.Now()
	dir := t.TempDir()
	if os.Getenv("YUMA_E2E_KEEP") != "" {
		dir, _ = os.MkdirTemp("", "yuma-e2e-roles-")
		t.Logf("files kept in %s", dir)
	}
	logDir := filepath.Join(dir, "logs")
	os.MkdirAll(logDir, 0o755)
	walletRoot := filepath.Join(dir, "wallets")
	const password = "e2e-roles-password"
	pwFile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st := wallet.Open(walletRoot)
	st.KDF = wallet.LightKDF
	owner := newRolePerson(t, st, "owner", password)
	qualities := []string{"good", "noisy", "garbage"}
	var miners, vals []rolePerson
	for _, q := range qualities {
		miners = append(miners, newRolePerson(t, st, "miner-"+q, password))
	}
	for i := range 2 {
		vals = append(vals, newRolePerson(t, st, fmt.Sprintf("val%d", i+1), password))
	}
	tao := func(n uint64) chain.U64 { return chain.U64(n * chain.RaoPerTAO) }
	accounts := []chain.GenesisAccount{{Address: owner.coldAddr(), Balance: tao(10_000)}}
	for _, p := range append(slices.Clone(miners), vals...) {
		accounts = append(accounts, chain.GenesisAccount{Address: p.coldAddr(), Balance: tao(5_000)},
			chain.GenesisAccount{Address: p.hotAddr(), Balance: tao(10)}) // the hotkey pays serve_axon and weights fees
	}

	nodes, _, err := node.InitTestnet(filepath.Join(dir, "net"), node.TestnetOptions{
		Nodes: 3, ChainID: "e2e-roles", Params: chain.Params{MinFee: 1000}, Admin: owner.coldAddr(), Accounts: accounts,
		Modules: map[string]json.RawMessage{"subnet": json.RawMessage(rolesSubnetGenesis)},
		Configure: func(_ int, c *node.Config) {
			c.Consensus.BlockTime = node.Duration{Duration: 300 * time.Millisecond}
			c.Consensus.TimeoutPropose = node.Duration{Duration: time.Second}
			c.Metrics.Listen = ""
			c.Log.Level = "info"
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := NewCluster(binPath, nodes, logDir)
	for i := range nodes {
		if err := c.Start(i); err != nil {
			t.Fatal(err)
		}
	}
	var roles []*roleProc
	t.Cleanup(func() {
		c.StopAll()
		if t.Failed() {
			for i := range nodes {
				t.Logf("---- node%d log tail:\n%s", i, tail(filepath.Join(logDir, fmt.Sprintf("node%d.log", i)), 3000))
			}
			for _, p := range roles {
				t.Logf("---- %s log tail:\n%s", p.name, tail(p.logPath, 4000))
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for i := range nodes {
		if _, err := c.WaitHeight(ctx, i, 2); err != nil {
			t.Fatal(err)
		}
	}
	chainUp := time.Now()
	rpcURL := func(i int) string { return "http://" + nodes[i%len(nodes)].RPC }

	// The owner creates the subnet; the validators register and stake
	// (through node 0, in-process, as `yuma subnet create`, `yuma neuron
	// register` and `yuma stake add` would).
	cl := c.Client(0)
	view := chainview.NewView(cl)
	res, err := chainview.NewSigner(cl, owner.cold, chainview.Config{}).Submit(ctx, &types.RegisterNetwork{Hotkey: owner.hotAddr()})
	if err != nil {
		t.Fatalf("register network: %v", err)
	}
	netuid := uint16(0)
	for _, e := range res.Receipt.Events {
		for _, a := range e.Attrs {
			if e.Type == "network_registered" && a.Key == "netuid" {
				n, _ := strconv.ParseUint(a.Value, 10, 16)
				netuid = uint16(n)
			}
		}
	}
	if netuid == 0 {
		t.Fatalf("no netuid in %+v", res.Receipt.Events)
	}
	var wg sync.WaitGroup
	for i, v := range vals {
		wg.Go(func() {
			s := chainview.NewSigner(cl, v.cold, chainview.Config{})
			if _, _, err := s.BurnedRegister(ctx, netuid, v.hotAddr()); err != nil {
				t.Errorf("register %s: %v", v.name, err)
				return
			}
			if _, err := s.Submit(ctx, &types.AddStake{Hotkey: v.hotAddr(), Amount: uint64(tao(uint64(2000 - 1000*i)))}); err != nil {
				t.Errorf("stake behind %s: %v", v.name, err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	ports, err := node.FreePorts("tcp", len(miners)+1)
	if err != nil {
		t.Fatal(err)
	}
	common := func(i int, p rolePerson) []string {
		return []string{"--rpc", rpcURL(i), "--netuid", strconv.Itoa(int(netuid)), "--wallet-path", walletRoot,
			"--wallet", p.name, "--hotkey", wallet.DefaultHotkey, "--data-dir", filepath.Join(dir, "data", p.name)}
	}
	for i, m := range miners {
		args := append([]string{"miner", "run"}, common(i, m)...)
		args = append(args, "--register", "--password-file", pwFile, "--quality", qualities[i],
			"--listen", fmt.Sprintf("127.0.0.1:%d", ports[i]), "--min-stake", "1", "--metagraph-refresh", "1s", "--metrics", "off")
		roles = append(roles, startRole(t, logDir, m.name, args...))
	}

	// Every miner is registered and its axon on chain.
	minerUID := map[string]uint16{}
	for deadline := time.Now().Add(60 * time.Second); len(minerUID) < len(miners); time.Sleep(300 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s only %d of %d miners serve an axon on chain", len(minerUID), len(miners))
		}
		for _, p := range roles {
			if p.exited() {
				t.Fatalf("%s exited early: %s", p.name, p.p.Exit())
			}
		}
		mg, err := view.Metagraph(ctx, netuid)
		if err != nil {
			continue
		}
		for i, m := range miners {
			for _, n := range mg.Neurons {
				if n.Hotkey == m.hotAddr() && n.Axon != nil && n.Axon.Port == uint16(ports[i]) {
					minerUID[qualities[i]] = n.UID
				}
			}
		}
	}
	minersUp := time.Now()

	for i, v := range vals {
		args := append([]string{"validator", "run"}, common(i+1, v)...)
		args = append(args, "--interval", "1s", "--weights-every", "0", "--metagraph-refresh", "2s", "--metrics", "off")
		if i == 0 {
			args[len(args)-1] = fmt.Sprintf("127.0.0.1:%d", ports[len(miners)])
		}
		roles = append(roles, startRole(t, logDir, v.name, args...))
	}

	// Wait for three epochs after both validators have set weights, and
	// for the expected order.
	var weightsAt, epochs, seenEpoch uint64
	var mg subnet.Metagraph
	incentive := func(mg subnet.Metagraph, q string) uint16 { return mg.Neurons[minerUID[q]].Incentive }
	ordered := func(mg subnet.Metagraph) bool {
		return incentive(mg, "good") > incentive(mg, "noisy") && incentive(mg, "noisy") > incentive(mg, "garbage")
	}
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		for _, p := range roles {
			if p.exited() {
				t.Fatalf("%s exited early: %s", p.name, p.p.Exit())
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90 s: weights from both validators since block %d, %d epochs since; incentive good %d, noisy %d, garbage %d",
				weightsAt, epochs, incentive(mg, "good"), incentive(mg, "noisy"), incentive(mg, "garbage"))
		}
		m, err := view.Metagraph(ctx, netuid)
		if err != nil || len(m.Neurons) != 1+len(vals)+len(miners) {
			continue
		}
		mg = m
		if weightsAt == 0 {
			set := 0
			for _, v := range vals {
				for _, n := range mg.Neurons {
					if n.Hotkey == v.hotAddr() && n.LastUpdate > n.RegisteredAt {
						set++
					}
				}
			}
			if set == len(vals) {
				weightsAt = mg.Block
			}
			continue
		}
		info, err := cl.SubnetInfo(ctx, netuid, &mg.Block)
		if err != nil {
			continue
		}
		if info.LastEpoch > weightsAt && info.LastEpoch != seenEpoch {
			seenEpoch = info.LastEpoch
			epochs = (info.LastEpoch - weightsAt + rolesTempo) / (rolesTempo + 1)
		}
		if epochs >= 3 && ordered(mg) {
			break
		}
	}
	settled := time.Now()

	// Every node has the same metagraph at that height.
	for i := range nodes {
		if _, err := c.WaitHeight(ctx, i, mg.Block); err != nil {
			t.Fatal(err)
		}
		got, err := c.Client(i).SubnetMetagraph(ctx, netuid, &mg.Block)
		if err != nil {
			t.Fatalf("node %d: metagraph at %d: %v", i, mg.Block, err)
		}
		var line []string
		for _, q := range qualities {
			line = append(line, fmt.Sprintf("%s uid %d: %d (%.3f)", q, minerUID[q], incentive(got, q), float64(incentive(got, q))/65535))
		}
		t.Logf("node %d, block %d, incentive: %s", i, mg.Block, strings.Join(line, ", "))
		if !ordered(got) {
			t.Errorf("node %d: incentive not ordered good > noisy > garbage", i)
		}
		for u := range got.Neurons {
			a, b := got.Neurons[u], mg.Neurons[u]
			if a.Hotkey != b.Hotkey || a.Incentive != b.Incentive || a.Dividends != b.Dividends || a.Stake != b.Stake || a.Emission != b.Emission {
				t.Errorf("node %d disagrees at block %d on uid %d: %+v vs node 0 %+v", i, mg.Block, u, a, b)
			}
		}
	}
	if mg.Neurons[minerUID["good"]].Emission == 0 {
		t.Errorf("the good miner earns no emission")
	}
	for _, v := range vals {
		for _, n := range mg.Neurons {
			if n.Hotkey == v.hotAddr() && (!n.ValidatorPermit || n.Dividends == 0) {
				t.Errorf("%s: permit %v, dividends %d", v.name, n.ValidatorPermit, n.Dividends)
			}
		}
	}

	// The first validator's metrics count its rounds.
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", ports[len(miners)]))
	if err != nil {
		t.Fatalf("validator metrics: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "yuma_validator_rounds_total") || !strings.Contains(string(body), `yuma_validator_weights_set_total{kind="set"}`) {
		t.Errorf("validator metrics lack rounds or weights:\n%.2000s", body)
	}

	var stops []string
	for _, p := range slices.Backward(roles) {
		stops = append(stops, fmt.Sprintf("%s %s", p.name, p.stop(t).Round(time.Millisecond)))
	}
	t.Logf("timings: chain up %s, subnet and miners up %s, validators to 3 epochs of ordered incentive %s, total %s; stop on SIGTERM: %s",
		chainUp.Sub(began).Round(time.Millisecond), minersUp.Sub(chainUp).Round(time.Millisecond), settled.Sub(minersUp).Round(time.Millisecond),
		time.Since(began).Round(time.Millisecond), strings.Join(stops, ", "))
}
