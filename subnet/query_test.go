package subnet

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/yumachain/yuma/types"
)

func TestQueries(t *testing.T) {
	e := newEnv(t, nil)
	n := e.newSubnet("alice")
	uid := e.register(n, "bob", "bob-hk")
	e.ok("carol", &types.AddStake{Hotkey: e.addr("bob-hk"), Amount: 5 * tao})
	e.ok("bob-hk", axon(n, []byte{10, 1, 2, 3}, 8091))
	e.ok("bob", &types.RootRegister{Hotkey: e.addr("bob-hk")})

	list, err := ListSubnets(e.st)
	if err != nil || len(list) != 2 || list[0].NetUID != 0 || list[1].NetUID != n || list[1].N != 2 || list[1].Owner != e.addr("alice") {
		t.Fatalf("list %+v %v", list, err)
	}

	info, err := GetSubnet(e.st, n, e.height)
	if err != nil || info.Hyperparameters.Tempo != 9 || info.NextEpoch != NextEpochBlock(n, 9, e.height) || uint64(info.Lock) != 100*tao {
		t.Fatalf("info %+v %v", info, err)
	}
	if _, err := GetSubnet(e.st, 42, e.height); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing subnet: %v", err)
	}
	hp, err := GetHyperparameters(e.st, n)
	if err != nil || hp.MaxAllowedUIDs != 8 || uint64(hp.AdjustmentAlpha) != testParams().SubnetDefaults.AdjustmentAlpha {
		t.Fatalf("hyperparameters %+v", hp)
	}

	mg, err := GetMetagraph(e.st, n, e.height)
	if err != nil || mg.N != 2 || len(mg.Neurons) != 2 {
		t.Fatalf("metagraph %+v %v", mg, err)
	}
	b := mg.Neurons[uid]
	if b.Hotkey != e.addr("bob-hk") || b.Coldkey != e.addr("bob") || uint64(b.Stake) != 5*tao || b.Axon == nil || b.Axon.Endpoint != "10.1.2.3:8091" {
		t.Fatalf("neuron %+v axon %+v", b, b.Axon)
	}
	if mg.Neurons[0].Axon != nil {
		t.Fatal("axon for a hotkey that never served")
	}

	ns, err := NeuronsByHotkey(e.st, e.addr("bob-hk"))
	if err != nil || len(ns) != 2 || ns[0].NetUID != 0 || ns[1].NetUID != n || ns[1].UID != uid {
		t.Fatalf("neurons by hotkey %+v", ns)
	}
	if ns, _ := NeuronsByHotkey(e.st, e.addr("nobody")); ns == nil || len(ns) != 0 {
		t.Fatalf("unknown hotkey: %+v (want an empty list)", ns)
	}

	si, err := StakeOfColdkey(e.st, e.addr("carol"))
	if err != nil || uint64(si.Total) != 5*tao || len(si.Stakes) != 1 || si.Stakes[0].Hotkey != e.addr("bob-hk") {
		t.Fatalf("stake %+v", si)
	}

	lc, err := GetLockCost(e.st, e.height)
	g, _ := e.reader().globals()
	p := testParams()
	if err != nil || uint64(lc.Cost) != LockCost(&p, &g, e.height+1) || lc.RegistrationOpensAt != max(e.height+1, g.LastLockBlock+p.NetworkRateLimit) {
		t.Fatalf("lock cost %+v", lc)
	}
	bc, err := GetBurnCost(e.st, n, e.height)
	if err != nil || uint64(bc.Cost) != tao || !bc.RegistrationAllowed || bc.RegsThisInterval != 1 {
		t.Fatalf("burn cost %+v", bc)
	}
	ne, err := GetNextEpoch(e.st, n, e.height)
	if err != nil || ne.NextEpoch <= e.height || !isEpochBlock(n, 9, ne.NextEpoch) || ne.BlocksRemaining != ne.NextEpoch-e.height {
		t.Fatalf("next epoch %+v", ne)
	}

	e.openBlock(n)
	e.ok("alice", set(n, "commit_reveal_enabled", 1))
	e.advanceTo(e.height + 3)
	e.ok("bob-hk", commitOf(e, "bob-hk", n, []uint16{0}, []uint16{1}, []uint16{1}, 0))
	pc, err := PendingCommits(e.st, e.addr("bob-hk"), e.height)
	if err != nil || len(pc) != 1 || pc[0].NetUID != n || pc[0].CommitBlock != e.height || pc[0].Expired ||
		!(pc[0].RevealFrom > e.height && pc[0].RevealUntil == pc[0].RevealFrom+9) {
		t.Fatalf("pending commits %+v", pc)
	}

	// JSON field names are API.
	raw, _ := json.Marshal(mg)
	for _, f := range []string{`"netuid"`, `"neurons"`, `"hotkey"`, `"coldkey"`, `"stake":"5000000000"`, `"rank"`, `"trust"`, `"consensus"`,
		`"incentive"`, `"dividends"`, `"emission"`, `"validator_trust"`, `"validator_permit"`, `"last_update"`, `"axon"`, `"endpoint"`} {
		if !strings.Contains(string(raw), f) {
			t.Errorf("metagraph JSON lacks %s", f)
		}
	}
	raw, _ = json.Marshal(info)
	for _, d := range hyperTable {
		if !strings.Contains(string(raw), `"`+d.name+`"`) {
			t.Errorf("subnet info JSON lacks hyperparameter %s", d.name)
		}
	}
}

// TestBurnCostQuotesTheNextBlock: subnet_burnCost quotes what
// burned_register in block head+1 burns, also when that block's
// BeginBlock adjusts the burn (the first block of a new interval).
func TestBurnCostQuotesTheNextBlock(t *testing.T) {
	e := newEnv(t, func(p *Params) { p.SubnetDefaults.AdjustmentAlpha = 0 })
	n := e.newSubnet("alice")
	for _, hk := range []string{"h1", "h2", "h3", "h4"} { // twice the target of 2
		e.register(n, "bob", hk)
	}
	sn, hp := e.subnet(n), e.hyper(n)
	boundary := sn.LastAdjustment + uint64(hp.AdjustmentInterval)
	registerAt := func(hk string) (quote BurnCostInfo, burned string) {
		t.Helper()
		q, err := GetBurnCost(e.st, n, e.height)
		if err != nil {
			t.Fatal(err)
		}
		rc := e.ok("carol", &types.BurnedRegister{NetUID: n, Hotkey: e.addr(hk)})
		for _, ev := range rc.Events {
			if ev.Type != "neuron_registered" {
				continue
			}
			for _, a := range ev.Attrs {
				if a.Key == "burned" {
					return q, a.Value
				}
			}
		}
		t.Fatalf("no burned attribute in %+v", rc.Events)
		return q, ""
	}

	// Inside the interval: the current burn.
	e.advanceTo(boundary - 1)
	q, burned := registerAt("h5")
	if q.Block != boundary-1 || strconv.FormatUint(uint64(q.Cost), 10) != burned || uint64(q.Cost) != sn.Burn {
		t.Fatalf("inside the interval: quote %+v, burned %s, burn %d", q, burned, sn.Burn)
	}
	// The next block adjusts: 5 registrations for a target of 2 raise the
	// burn by (5+2)/(2*2); the quote must be that, not the old burn.
	q, burned = registerAt("h6")
	want := adjustBurn(sn.Burn, 5, hp.TargetRegsPerInterval, 0, hp.MinBurn, hp.MaxBurn)
	if q.Block != boundary || strconv.FormatUint(uint64(q.Cost), 10) != burned || uint64(q.Cost) != want || want == sn.Burn {
		t.Fatalf("at the adjustment: quote %+v, burned %s, want %d (old burn %d)", q, burned, want, sn.Burn)
	}
	if q.RegsThisInterval != 0 || q.NextAdjustment != boundary+uint64(hp.AdjustmentInterval) {
		t.Fatalf("at the adjustment: interval fields %+v", q)
	}
}
