package subnet

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

const (
	simColdkeys = 8
	simHotkeys  = 24
)

func simNames() []string {
	var out []string
	for i := range simColdkeys {
		out = append(out, fmt.Sprintf("c%d", i))
	}
	for i := range simHotkeys {
		out = append(out, fmt.Sprintf("h%d", i))
	}
	return out
}

func simParams(p *Params) {
	p.SubnetLimit = 4
	p.NetworkRateLimit = 15
	p.NetworkImmunityPeriod = 60
	p.SubnetDefaults.MaxAllowedUIDs = 6
	p.SubnetDefaults.MaxAllowedValidators = 3
	p.SubnetDefaults.ImmunityPeriod = 12
	p.SubnetDefaults.TargetRegsPerInterval = 3
	p.SubnetDefaults.AdjustmentInterval = 15
	p.HyperparamRateLimitTempos = 1
	p.Root.MaxAllowedUIDs = 4
}

type simCommit struct {
	hk     string
	netuid uint16
	uids   []uint16
	vals   []uint16
	salt   []uint16
}

type sim struct {
	e       *env
	rng     *rand.Rand
	commits []simCommit
	// replaced counts neuron replacements checked against immunity.
	replaced int
	// codes counts receipts by code ("" for success).
	codes map[string]int
}

func (s *sim) pick(n int) int { return s.rng.IntN(n) }

func (s *sim) coldkey() string { return fmt.Sprintf("c%d", s.pick(simColdkeys)) }
func (s *sim) hotkey() string  { return fmt.Sprintf("h%d", s.pick(simHotkeys)) }

// netuid is mostly an existing subnet, sometimes root or a missing one.
func (s *sim) netuid() uint16 {
	ids, _ := s.e.reader().netuids()
	if s.pick(10) == 0 {
		return uint16(s.pick(8))
	}
	return ids[s.pick(len(ids))]
}

func (s *sim) randomTx() []byte {
	e := s.e
	switch s.pick(14) {
	case 0:
		return e.tx(s.coldkey(), &types.RegisterNetwork{Hotkey: e.addr(s.hotkey())})
	case 1, 2:
		return e.tx(s.coldkey(), &types.BurnedRegister{NetUID: s.netuid(), Hotkey: e.addr(s.hotkey())})
	case 3:
		return e.tx(s.coldkey(), &types.RootRegister{Hotkey: e.addr(s.hotkey())})
	case 4, 5:
		return e.tx(s.coldkey(), &types.AddStake{Hotkey: e.addr(s.hotkey()), Amount: uint64(s.pick(50)+1) * tao / 10})
	case 6:
		return e.tx(s.coldkey(), &types.RemoveStake{Hotkey: e.addr(s.hotkey()), Amount: uint64(s.pick(30)) * tao / 10})
	case 7, 8, 9:
		n := s.netuid()
		k := s.pick(5) + 1
		uids, vals := make([]uint16, k), make([]uint16, k)
		for i := range k {
			uids[i], vals[i] = uint16(s.pick(7)), uint16(s.rng.Uint32())
		}
		if n == RootNetUID {
			for i := range k {
				uids[i] = uint16(s.pick(6))
			}
		}
		hk := s.hotkey()
		if s.pick(3) == 0 {
			salt := []uint16{uint16(s.pick(1000))}
			s.commits = append(s.commits, simCommit{hk, n, uids, vals, salt})
			return e.tx(hk, &types.CommitWeights{NetUID: n, Commit: types.WeightsCommitHash(e.addr(hk), n, uids, vals, salt, 0)})
		}
		return e.tx(hk, &types.SetWeights{NetUID: n, UIDs: uids, Values: vals})
	case 10:
		if len(s.commits) == 0 {
			return e.tx(s.coldkey(), &types.Transfer{To: e.addr(s.hotkey()), Amount: tao})
		}
		c := s.commits[s.pick(len(s.commits))]
		return e.tx(c.hk, &types.RevealWeights{NetUID: c.netuid, UIDs: c.uids, Values: c.vals, Salt: c.salt})
	case 11:
		ip := []byte{byte(s.pick(256)), byte(s.pick(256)), 0, 1}
		return e.tx(s.hotkey(), &types.ServeAxon{NetUID: s.netuid(), Version: 1, IP: ip, Port: uint16(s.pick(3)), IPType: types.IPv4})
	case 12:
		names := []string{"rho", "tempo", "commit_reveal_enabled", "max_allowed_uids", "immunity_period", "weights_rate_limit", "kappa", "bonds_penalty", "min_burn"}
		name := names[s.pick(len(names))]
		n := s.netuid()
		signer := "admin"
		if sn, ok, _ := e.reader().subnet(n); ok && s.pick(2) == 0 && n != RootNetUID {
			signer = ownerName(e, sn.Owner)
		}
		v := uint64(s.pick(12))
		if name == "commit_reveal_enabled" {
			v = uint64(s.pick(3))
		}
		return e.tx(signer, &types.SetHyperparameter{NetUID: n, Name: name, Value: v})
	default:
		return e.tx(s.coldkey(), &types.SetDelegateTake{Hotkey: e.addr(s.hotkey()), Take: uint16(s.pick(12_000))})
	}
}

func ownerName(e *env, a types.Address) string {
	for i := range simColdkeys {
		if n := fmt.Sprintf("c%d", i); e.addr(n) == a {
			return n
		}
	}
	return "admin"
}

// snapshotNeurons records every neuron before a block, for the immunity
// check of replacements.
func snapshotNeurons(e *env) map[[2]uint16]Neuron {
	out := map[[2]uint16]Neuron{}
	ids, _ := e.reader().netuids()
	for _, n := range ids {
		sn := e.subnet(n)
		for uid := range sn.N {
			out[[2]uint16{n, uid}] = e.neuron(n, uid)
		}
	}
	return out
}

// checkStructure verifies that every subnet's UIDs are exactly 0..N-1 and
// that the hotkey index agrees with them, one UID per hotkey.
func checkStructure(t testing.TB, e *env) {
	t.Helper()
	sup, _ := chain.ReadSupply(e.st)
	if sup.Issuance > chain.MaxSupply {
		t.Fatalf("issuance %d above the cap", sup.Issuance)
	}
	ids, err := e.reader().netuids()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ids {
		sn := e.subnet(n)
		count := 0
		seen := map[types.Address]bool{}
		e.st.Iterate(neuronPrefix(n), func(k, v []byte) bool {
			uid := uint16(k[len(k)-2])<<8 | uint16(k[len(k)-1])
			if int(uid) != count {
				t.Fatalf("subnet %d: uid %d at position %d (not dense)", n, uid, count)
			}
			count++
			nr := e.neuron(n, uid)
			if seen[nr.Hotkey] {
				t.Fatalf("subnet %d: hotkey %s on two uids", n, nr.Hotkey.Hex())
			}
			seen[nr.Hotkey] = true
			if got, ok, _ := e.reader().uid(n, nr.Hotkey); !ok || got != uid {
				t.Fatalf("subnet %d: index of %s says %d/%v, neuron is %d", n, nr.Hotkey.Hex(), got, ok, uid)
			}
			return true
		})
		if count != int(sn.N) {
			t.Fatalf("subnet %d: %d neurons, n = %d", n, count, sn.N)
		}
		idx := 0
		e.st.Iterate(key(pfxUID, be16(n)), func(k, v []byte) bool { idx++; return true })
		if idx != count {
			t.Fatalf("subnet %d: %d index entries for %d neurons", n, idx, count)
		}
	}
}

func runSim(t testing.TB, seed uint64, blocks int) (*env, *sim) {
	e := newEnvFunded(t, simParams, simNames())
	s := &sim{e: e, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), codes: map[string]int{}}
	// Start with two subnets so that most txs have a target.
	e.newSubnet("c0")
	e.newSubnet("c1")
	for range blocks {
		before := snapshotNeurons(e)
		var txs [][]byte
		for range s.pick(7) {
			txs = append(txs, s.randomTx())
		}
		res := e.block(txs...) // checks rt.CheckInvariants
		checkStructure(t, e)
		for _, rc := range res.Receipts {
			s.codes[rc.Code]++
			for _, ev := range rc.Events {
				if ev.Type != "neuron_replaced" || ev.Attrs[0].Value == "0" {
					continue
				}
				n, _ := strconv.Atoi(ev.Attrs[0].Value)
				uid, _ := strconv.Atoi(ev.Attrs[1].Value)
				old, ok := before[[2]uint16{uint16(n), uint16(uid)}]
				if !ok {
					continue // registered and replaced within this block: cannot happen (immune)
				}
				hp, _ := e.reader().hyper(uint16(n))
				if isImmune(&old, &hp, e.height) {
					t.Fatalf("block %d: subnet %d uid %d replaced under immunity (registered %d, immunity %d)", e.height, n, uid, old.RegisteredAt, hp.ImmunityPeriod)
				}
				s.replaced++
			}
		}
	}
	return e, s
}

func TestSimulationInvariants(t *testing.T) {
	// 400 blocks take well under a second; -short keeps them, because
	// fewer blocks do not reach the variety the test requires.
	blocks := 400
	e, s := runSim(t, 1, blocks)
	// The run must have exercised the interesting paths.
	ids, _ := e.reader().netuids()
	t.Logf("%d blocks, %d subnets at the end, %d checked replacements, receipts by code: %v", blocks, len(ids)-1, s.replaced, s.codes)
	if s.codes[""] < 100 || len(s.codes) < 15 {
		t.Errorf("too little variety: %v", s.codes)
	}
	if s.replaced == 0 {
		t.Error("no neuron replacement happened; the simulation does not exercise pruning")
	}
	sup, _ := chain.ReadSupply(e.st)
	held, _ := New().Held(e.st)
	if held == 0 || sup.Burned == 0 {
		t.Errorf("nothing held (%d) or burned (%d)", held, sup.Burned)
	}
}

func TestDeterminism(t *testing.T) {
	a, _ := runSim(t, 7, 120)
	b, _ := runSim(t, 7, 120)
	if a.st.Dump() != b.st.Dump() {
		t.Fatal("the same blocks gave different states")
	}
	c, _ := runSim(t, 8, 120)
	if a.st.Dump() == c.st.Dump() {
		t.Fatal("different seeds gave the same state: the comparison is vacuous")
	}
}

var rewrite = flag.Bool("rewrite", false, "rewrite testdata golden files")

// TestStateDigest pins the state after a seeded simulation, so every
// architecture (GOARCH=386, arm64, amd64 v1/v3) must reproduce it bit for
// bit. Regenerate with -rewrite after an intended change of rules or
// layout.
func TestStateDigest(t *testing.T) {
	e, _ := runSim(t, 7, 120)
	got := crypto.Keccak256Hash([]byte(e.st.Dump())).Hex() + "\n"
	const file = "testdata/sim120.digest"
	if *rewrite {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("state digest %s, golden %s", got, want)
	}
}
