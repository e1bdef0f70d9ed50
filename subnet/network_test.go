package subnet

import (
	"testing"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

func TestLockCost(t *testing.T) {
	p := testParams() // min 100 TAO, reduction interval 100
	for _, tc := range []struct {
		name string
		g    Globals
		now  uint64
		want uint64
	}{
		{"first registration pays the last lock (the minimum)", Globals{LastLockCost: 100 * tao}, 5, 100 * tao},
		{"doubles right after a registration", Globals{LastLockCost: 300 * tao, LastLockBlock: 10}, 10, 600 * tao},
		{"decays linearly", Globals{LastLockCost: 300 * tao, LastLockBlock: 10}, 60, 600*tao - 3*tao*50},
		{"back to the last lock after one interval", Globals{LastLockCost: 300 * tao, LastLockBlock: 10}, 110, 300 * tao},
		{"never below the minimum", Globals{LastLockCost: 300 * tao, LastLockBlock: 10}, 1000, 100 * tao},
	} {
		if got := LockCost(&p, &tc.g, tc.now); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestRegisterNetwork(t *testing.T) {
	e := newEnv(t, nil)
	before := e.balance("alice")
	n := e.newSubnet("alice")
	sn := e.subnet(n)
	if n != 1 || sn.Owner != e.addr("alice") || sn.OwnerHotkey != e.addr("alice-hk") || sn.N != 1 || sn.Lock != 100*tao {
		t.Fatalf("subnet %d: %+v", n, sn)
	}
	if got := e.balance("alice"); got != before-100*tao-testFee {
		t.Fatalf("owner balance %d, want %d", got, before-100*tao-testFee)
	}
	if nr := e.neuron(n, 0); nr.Hotkey != e.addr("alice-hk") {
		t.Fatalf("uid 0 %+v", nr)
	}
	if hp := e.hyper(n); hp != testParams().SubnetDefaults {
		t.Fatalf("hyperparameters %+v", hp)
	}

	// The next network pays double, decayed by the blocks since.
	e.fail("bob", &types.RegisterNetwork{Hotkey: e.addr("bob-hk")}, ErrNetworkRateLimited)
	g, _ := e.reader().globals()
	p := testParams()
	e.advanceTo(g.LastLockBlock + p.NetworkRateLimit)
	want := LockCost(&p, &g, e.height+1)
	if want != 200*tao-tao*p.NetworkRateLimit {
		t.Fatalf("lock cost %d", want)
	}
	bob := e.balance("bob")
	if n2 := e.newSubnet("bob"); n2 != 2 || e.subnet(2).Lock != want || e.balance("bob") != bob-want-testFee {
		t.Fatalf("second subnet %d %+v", n2, e.subnet(2))
	}
}

func TestRegisterNetworkErrors(t *testing.T) {
	e := newEnv(t, func(p *Params) { p.SubnetLimit = 1 })
	poor := "pauper"
	e.ok("alice", &types.Transfer{To: e.addr(poor), Amount: 10 * tao})
	e.fail(poor, &types.RegisterNetwork{Hotkey: e.addr("p-hk")}, chain.ErrInsufficientFunds)

	e.newSubnet("alice")
	e.fail("bob", &types.RegisterNetwork{Hotkey: e.addr("bob-hk")}, ErrNetworkRateLimited)
	rc := e.fail("bob", &types.RegisterNetwork{Hotkey: e.addr("bob-hk")}, ErrNetworkRateLimited)
	if g, _ := e.reader().globals(); rc.RetryAt != g.LastLockBlock+testParams().NetworkRateLimit {
		t.Fatalf("retry at %d", rc.RetryAt)
	}
	e.advanceTo(30)
	// alice-hk belongs to alice.
	e.fail("bob", &types.RegisterNetwork{Hotkey: e.addr("alice-hk")}, ErrNonAssociatedColdkey)
	// The limit of one subnet is reached and subnet 1 is immune for 50 blocks.
	e.fail("bob", &types.RegisterNetwork{Hotkey: e.addr("bob-hk")}, ErrAllSubnetsImmune)
}

// At the subnet limit, a registration prunes the weakest subnet outside
// its immunity: its owner gets the lock back, its pending emission is
// burned, and its netuid is reused.
func TestRegisterNetworkPrunes(t *testing.T) {
	e := newEnv(t, func(p *Params) { p.SubnetLimit = 2 })
	a := e.newSubnet("alice")
	b := e.newSubnet("bob")
	e.register(a, "carol", "carol-hk")
	e.advanceTo(60) // both out of immunity (50 blocks); equal shares: the older (alice's) goes
	aliceBefore := e.balance("alice")
	lock := e.subnet(a).Lock
	supBefore, _ := chain.ReadSupply(e.st)
	res := e.block(e.tx("dave", &types.RegisterNetwork{Hotkey: e.addr("dave-hk")}))
	if rc := res.Receipts[0]; !rc.OK() {
		t.Fatalf("%s: %s", rc.Code, rc.Msg)
	}
	var pendingBurned string
	for _, ev := range res.Receipts[0].Events {
		if ev.Type == "subnet_removed" {
			pendingBurned = ev.Attrs[3].Value
		}
	}
	if pendingBurned == "" {
		t.Fatal("no subnet_removed event")
	}
	sn := e.subnet(a)
	if sn.Owner != e.addr("dave") || sn.N != 1 || e.neuron(a, 0).Hotkey != e.addr("dave-hk") {
		t.Fatalf("netuid %d not reused by dave: %+v", a, sn)
	}
	if _, ok, _ := e.reader().uid(a, e.addr("carol-hk")); ok {
		t.Fatal("carol-hk still registered on the pruned subnet")
	}
	if got := e.balance("alice"); got != aliceBefore+lock {
		t.Fatalf("alice balance %d, want lock %d back (%d)", got, lock, aliceBefore+lock)
	}
	supAfter, _ := chain.ReadSupply(e.st)
	if supAfter.Burned <= supBefore.Burned+testFee {
		t.Fatalf("pending emission not burned: burned %d -> %d (%s)", supBefore.Burned, supAfter.Burned, pendingBurned)
	}
	if e.subnet(b).Owner != e.addr("bob") {
		t.Fatal("the other subnet changed")
	}
}

func TestSubnetToPruneOrder(t *testing.T) {
	e := newEnv(t, func(p *Params) { p.SubnetLimit = 3 })
	for _, o := range []string{"alice", "bob", "carol"} {
		e.newSubnet(o)
	}
	st := store{r: e.st, w: e.st}
	for netuid, share := range map[uint16]uint16{1: 300, 2: 100, 3: 100} {
		sn := e.subnet(netuid)
		sn.EmissionShare = share
		if err := st.put(subnetKey(netuid), &sn); err != nil {
			t.Fatal(err)
		}
	}
	p := testParams()
	// Subnet 3 is the youngest; at block 75 only 1 and 2 are out of
	// immunity (registered at 1, 11, 21+... with immunity 50).
	got, ok, err := subnetToPrune(st, &p, e.subnet(2).RegisteredAt+p.NetworkImmunityPeriod)
	if err != nil || !ok || got != 2 {
		t.Fatalf("prune %d %v %v, want 2 (lowest share out of immunity)", got, ok, err)
	}
	got, _, _ = subnetToPrune(st, &p, 1000)
	if got != 2 {
		t.Fatalf("prune %d, want 2 (share tie with 3, registered earlier)", got)
	}
	if _, ok, _ := subnetToPrune(st, &p, e.subnet(1).RegisteredAt+p.NetworkImmunityPeriod-1); ok {
		t.Fatal("pruned an immune subnet")
	}
}
