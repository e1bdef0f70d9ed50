package subnet

import (
	"fmt"
	"testing"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

func TestBurnedRegister(t *testing.T) {
	e := newEnv(t, nil)
	n := e.newSubnet("alice")
	cost := burnCost(ptr(e.subnet(n)), ptr(e.hyper(n)))
	if cost != tao {
		t.Fatalf("initial burn %d", cost)
	}
	bal := e.balance("bob")
	sup, _ := chain.ReadSupply(e.st)
	uid := e.register(n, "bob", "bob-hk")
	sup2, _ := chain.ReadSupply(e.st)
	if uid != 1 || e.balance("bob") != bal-cost-testFee || sup2.Burned != sup.Burned+cost+testFee {
		t.Fatalf("uid %d, balance %d, burned %d", uid, e.balance("bob"), sup2.Burned-sup.Burned)
	}
	nr := e.neuron(n, uid)
	if nr.Hotkey != e.addr("bob-hk") || nr.RegisteredAt != e.height || nr.LastUpdate != e.height {
		t.Fatalf("neuron %+v", nr)
	}
	if rec, _, _ := e.reader().hotkey(e.addr("bob-hk")); rec.Owner != e.addr("bob") || rec.Take != testParams().DefaultTake {
		t.Fatalf("hotkey %+v", rec)
	}
	// The same coldkey may register its hotkey on a second subnet.
	n2 := e.newSubnet("carol")
	e.register(n2, "bob", "bob-hk")
}

func ptr[T any](v T) *T { return &v }

func TestBurnedRegisterErrors(t *testing.T) {
	e := newEnv(t, func(p *Params) { p.SubnetDefaults.MaxAllowedUIDs, p.SubnetDefaults.MaxAllowedValidators = 3, 3 })
	n := e.newSubnet("alice")
	e.register(n, "bob", "bob-hk")
	for _, tc := range []struct {
		name   string
		signer string
		call   types.BurnedRegister
		want   *chain.TxError
	}{
		{"root", "carol", types.BurnedRegister{NetUID: 0, Hotkey: e.addr("c-hk")}, ErrRootNotAllowed},
		{"unknown subnet", "carol", types.BurnedRegister{NetUID: 7, Hotkey: e.addr("c-hk")}, ErrSubnetNotFound},
		{"already registered", "bob", types.BurnedRegister{NetUID: n, Hotkey: e.addr("bob-hk")}, ErrHotkeyAlreadyRegistered},
		{"hotkey of another coldkey", "carol", types.BurnedRegister{NetUID: n, Hotkey: e.addr("bob-hk")}, ErrHotkeyAlreadyRegistered},
		{"hotkey owned elsewhere", "carol", types.BurnedRegister{NetUID: n, Hotkey: e.addr("alice-hk")}, ErrHotkeyAlreadyRegistered},
	} {
		e.fail(tc.signer, &tc.call, tc.want)
	}
	// alice-hk is owned by alice: carol cannot register it on another subnet.
	n2 := e.newSubnet("dave")
	e.fail("carol", &types.BurnedRegister{NetUID: n2, Hotkey: e.addr("alice-hk")}, ErrNonAssociatedColdkey)

	e.ok("alice", &types.Transfer{To: e.addr("pauper"), Amount: tao / 2})
	e.fail("pauper", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("p-hk")}, chain.ErrInsufficientFunds)

	e.openBlock(n)
	e.ok("admin", set(n, "registration_allowed", 0))
	e.fail("carol", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("c-hk")}, ErrRegistrationDisabled)
}

func TestRegistrationLimits(t *testing.T) {
	e := newEnv(t, func(p *Params) {
		p.SubnetDefaults.MaxRegsPerBlock = 2
		p.SubnetDefaults.TargetRegsPerInterval = 1 // at most 3 per interval
		p.SubnetDefaults.AdjustmentInterval = 50
	})
	n := e.newSubnet("alice")
	res := e.block(
		e.tx("bob", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("b1")}),
		e.tx("bob", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("b2")}),
		e.tx("bob", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("b3")}),
	)
	if !res.Receipts[0].OK() || !res.Receipts[1].OK() || res.Receipts[2].Code != ErrTooManyRegistrationsThisBlock.Code {
		t.Fatalf("receipts %+v", res.Receipts)
	}
	if res.Receipts[2].RetryAt != e.height+1 {
		t.Fatalf("retry at %d", res.Receipts[2].RetryAt)
	}
	e.ok("bob", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("b3")})
	rc := e.fail("bob", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("b4")}, ErrTooManyRegistrationsThisInterval)
	sn := e.subnet(n)
	if rc.RetryAt != sn.LastAdjustment+50 {
		t.Fatalf("retry at %d, want %d", rc.RetryAt, sn.LastAdjustment+50)
	}
	e.advanceTo(rc.RetryAt)
	e.ok("bob", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("b4")})
}

// A full subnet replaces the lowest pruning score outside immunity, never
// a UID under immunity, and refuses when every UID is immune.
func TestRegisterReplacesPrunable(t *testing.T) {
	e := newEnv(t, func(p *Params) {
		p.SubnetDefaults.MaxAllowedUIDs, p.SubnetDefaults.MaxAllowedValidators = 3, 3
		p.SubnetDefaults.ImmunityPeriod = 30
	})
	n := e.newSubnet("alice")
	e.register(n, "bob", "h1")
	e.register(n, "bob", "h2")
	e.fail("carol", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("h3")}, ErrAllUIDsImmune)

	// Out of immunity: set pruning scores by hand (the epoch's job).
	e.advanceTo(e.neuron(n, 2).RegisteredAt + 30)
	st := store{r: e.st, w: e.st}
	for uid, score := range map[uint16]uint16{1: 500, 2: 100} {
		nr := e.neuron(n, uid)
		nr.PruningScore = score
		if err := st.put(neuronKey(n, uid), &nr); err != nil {
			t.Fatal(err)
		}
	}
	// The owner's UID 0 has score 0 but is never pruned.
	e.ok("carol", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("h3")})
	if got := e.neuron(n, 2); got.Hotkey != e.addr("h3") || got.RegisteredAt != e.height || got.PruningScore != 0 {
		t.Fatalf("uid 2 %+v", got)
	}
	if _, ok, _ := e.reader().uid(n, e.addr("h2")); ok {
		t.Fatal("h2 still has a uid")
	}
	// h3 is immune now; h1 is the only candidate.
	e.ok("dave", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("h4")})
	if e.neuron(n, 1).Hotkey != e.addr("h4") {
		t.Fatal("h1 not replaced")
	}
	e.fail("erin", &types.BurnedRegister{NetUID: n, Hotkey: e.addr("h5")}, ErrAllUIDsImmune)
}

// TestNeuronToPruneCorruptRecord: a neuron record that does not decode is
// an error, not silently "no UID to prune" (Iterate returns nil after the
// callback stops it early).
func TestNeuronToPruneCorruptRecord(t *testing.T) {
	e := newEnv(t, func(p *Params) {
		p.SubnetDefaults.MaxAllowedUIDs, p.SubnetDefaults.MaxAllowedValidators = 3, 3
		p.SubnetDefaults.ImmunityPeriod = 30
	})
	n := e.newSubnet("alice")
	e.register(n, "bob", "h1")
	e.register(n, "bob", "h2")
	e.advanceTo(e.neuron(n, 2).RegisteredAt + 30)
	st := store{r: e.st, w: e.st}
	sn, hp := e.subnet(n), e.hyper(n)
	if _, ok, err := neuronToPrune(st, n, &sn, &hp, e.height); err != nil || !ok {
		t.Fatalf("before the corruption: ok %v err %v", ok, err)
	}
	if err := e.st.Set(neuronKey(n, 1), []byte{0xff, 0x01}); err != nil {
		t.Fatal(err)
	}
	uid, ok, err := neuronToPrune(st, n, &sn, &hp, e.height)
	if err == nil || ok {
		t.Fatalf("corrupt neuron record: uid %d ok %v err %v, want an error", uid, ok, err)
	}
}

func TestAdjustBurn(t *testing.T) {
	const alpha97 = 17_893_341_751_498_265_066
	for _, tc := range []struct {
		burn         uint64
		regs, target uint16
		alpha        uint64
		want         uint64
	}{
		{tao, 2, 2, 0, tao},                    // on target: unchanged
		{tao, 6, 2, 0, 2 * tao},                // (6+2)/(2*2) = 2x
		{tao, 0, 2, 0, tao / 2},                // none: halves
		{tao, 0, 1, alpha97, 985 * tao / 1000}, // 0.97*1 + 0.03*0.5
		{tao, 300, 1, 0, 100 * tao},            // clamped to max
		{tao / 10, 0, 1, 0, tao / 10},          // clamped to min
	} {
		if got := adjustBurn(tc.burn, tc.regs, tc.target, tc.alpha, tao/10, 100*tao); got != tc.want && !(tc.alpha != 0 && diff(got, tc.want) <= 1) {
			t.Errorf("adjustBurn(%d, %d, %d, %d) = %d, want %d", tc.burn, tc.regs, tc.target, tc.alpha, got, tc.want)
		}
	}
}

func diff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

// The burn moves toward the target registrations every adjustment interval.
func TestBurnAdjustsEveryInterval(t *testing.T) {
	e := newEnv(t, func(p *Params) {
		p.SubnetDefaults.AdjustmentAlpha = 0
		p.SubnetDefaults.TargetRegsPerInterval = 1
		p.SubnetDefaults.AdjustmentInterval = 20
	})
	n := e.newSubnet("alice")
	start := e.subnet(n).LastAdjustment
	e.advanceTo(start + 20)
	e.block()
	if sn := e.subnet(n); sn.Burn != tao/2 || sn.LastAdjustment != start+20 {
		t.Fatalf("after a quiet interval: %+v", sn)
	}
	for i := range 3 {
		e.register(n, "bob", fmt.Sprintf("r%d", i))
	}
	e.advanceTo(start + 40)
	e.block()
	if sn := e.subnet(n); sn.Burn != tao/2*(3+1)/2 || sn.RegsThisInterval != 0 {
		t.Fatalf("after 3 registrations: %+v", sn)
	}
}

func TestRootRegister(t *testing.T) {
	e := newEnv(t, nil) // root holds 3 validators
	e.ok("alice", &types.RootRegister{Hotkey: e.addr("ra")})
	e.fail("alice", &types.RootRegister{Hotkey: e.addr("ra")}, ErrHotkeyAlreadyRegistered)
	e.fail("bob", &types.RootRegister{Hotkey: e.addr("ra")}, ErrHotkeyAlreadyRegistered)
	e.newSubnet("carol")
	e.fail("bob", &types.RootRegister{Hotkey: e.addr("carol-hk")}, ErrNonAssociatedColdkey)
	for _, who := range []string{"bob", "carol"} {
		e.ok(who, &types.RootRegister{Hotkey: e.addr("r" + who)})
		e.ok(who, &types.AddStake{Hotkey: e.addr("r" + who), Amount: 10 * tao})
	}
	e.ok("alice", &types.AddStake{Hotkey: e.addr("ra"), Amount: 5 * tao})
	// Root is full; dave's hotkey has no stake.
	e.fail("dave", &types.RootRegister{Hotkey: e.addr("rd")}, ErrStakeTooLowForRoot)
	// A hotkey with more stake than the lowest (ra, 5 TAO) replaces it.
	e.ok("dave", &types.BurnedRegister{NetUID: 1, Hotkey: e.addr("rd")})
	e.ok("dave", &types.AddStake{Hotkey: e.addr("rd"), Amount: 6 * tao})
	e.ok("dave", &types.RootRegister{Hotkey: e.addr("rd")})
	if e.neuron(0, 0).Hotkey != e.addr("rd") || e.subnet(0).N != 3 {
		t.Fatalf("root uid 0 %+v", e.neuron(0, 0))
	}
	if _, ok, _ := e.reader().uid(0, e.addr("ra")); ok {
		t.Fatal("ra still on root")
	}
	if e.stakeOf("ra", "alice") != 5*tao {
		t.Fatal("a replaced root validator's stake must stay")
	}
}

func TestRootRegisterLimits(t *testing.T) {
	e := newEnv(t, func(p *Params) { p.Root.MaxAllowedUIDs, p.Root.MaxRegsPerBlock = 16, 3 })
	res := e.block(
		e.tx("erin", &types.RootRegister{Hotkey: e.addr("e1")}),
		e.tx("erin", &types.RootRegister{Hotkey: e.addr("e2")}),
		e.tx("erin", &types.RootRegister{Hotkey: e.addr("e3")}),
		e.tx("erin", &types.RootRegister{Hotkey: e.addr("e4")}),
	)
	if c := res.Receipts[3].Code; !res.Receipts[2].OK() || c != ErrTooManyRegistrationsThisBlock.Code {
		t.Fatalf("4th root registration in a block: %q", c)
	}
	// Three per block and 3*3 per interval: the tenth in the interval fails.
	for i := range 2 {
		e.block(
			e.tx("frank", &types.RootRegister{Hotkey: e.addr(fmt.Sprint("f", i, 1))}),
			e.tx("frank", &types.RootRegister{Hotkey: e.addr(fmt.Sprint("f", i, 2))}),
			e.tx("frank", &types.RootRegister{Hotkey: e.addr(fmt.Sprint("f", i, 3))}),
		)
	}
	e.fail("frank", &types.RootRegister{Hotkey: e.addr("f9")}, ErrTooManyRegistrationsThisInterval)
}
