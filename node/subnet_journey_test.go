package node

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/consensus"
	"github.com/yumachain/yuma/emission"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/state"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

// TestSubnetJourney walks the whole subnet journey on four real nodes
// (CometBFT, libp2p on loopback, pebble, JSON-RPC), every transaction sent
// with tx_submit (wait=inclusion) to a different node in turn:
//
//   - the owner registers subnet 1 and sets owner-settable hyperparameters,
//     the genesis admin sets root-only ones (and the owner is refused one);
//   - three miners and two validators burned_register, the validators and a
//     nominator stake, the miners serve axons;
//   - after the epoch that gives the validators their permits, validator A
//     sets plain weights; the owner then enables commit-reveal and validator
//     B commits, and reveals in the next epoch, so the chain runs epochs
//     with plain weights only, with a pending commit, and with both rows;
//   - every epoch of the subnet is recomputed independently: the
//     consensus.Input is built here from the raw state after the block
//     before the epoch (state.NewReader, keys as documented in
//     subnet/keys.go), consensus.Epoch runs on it, and the stored outputs,
//     bonds, stake paid per (hotkey, coldkey), the owner's cut
//     (emission.SplitSubnetCut) and the issuance must match to the rao;
//   - every node has the same app hash at every height and serves the same
//     metagraph over RPC; after every block, node 0's state satisfies
//     Runtime.CheckInvariants (issuance within the cap, supply conserved)
//     and every subnet's UIDs are dense and unique.
func TestSubnetJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node network test")
	}
	start := time.Now()
	j := newJourney(t)
	defer j.cancel()
	defer j.recoverFailure()
	tn := j.tn
	tn.waitHeight(1, 30*time.Second)

	// The owner registers subnet 1 at the quoted lock cost.
	lc, err := tn.client(0).SubnetLockCost(j.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ownerBefore := j.balance(j.owner.addr, nil)
	rc, h := j.do(j.owner, &types.RegisterNetwork{Hotkey: j.ownerHot.addr})
	if got := eventAttr(rc, "network_registered", "netuid"); got != "1" {
		t.Fatalf("registered netuid %q, want 1", got)
	}
	if paid := ownerBefore - j.balance(j.owner.addr, &h); paid != uint64(lc.Cost)+rc.Fee {
		t.Fatalf("owner paid %d for the subnet, want lock %d + fee %d", paid, lc.Cost, rc.Fee)
	}

	// Hyperparameters: root-only ones by the genesis admin, owner-settable
	// ones by the owner; the owner may not set a root-only one.
	j.parallel(
		func() {
			j.do(j.admin, &types.SetHyperparameter{NetUID: 1, Name: "tempo", Value: journeyTempo})
			j.do(j.admin, &types.SetHyperparameter{NetUID: 1, Name: "max_allowed_validators", Value: 2})
		},
		func() {
			j.do(j.owner, &types.SetHyperparameter{NetUID: 1, Name: "bonds_moving_average", Value: 500_000})
			j.do(j.owner, &types.SetHyperparameter{NetUID: 1, Name: "activity_cutoff", Value: 2000})
			rc, _ := j.send(j.owner, &types.SetHyperparameter{NetUID: 1, Name: "kappa", Value: 1000})
			if rc.Code != "not_admin" {
				j.errorf("owner setting kappa: receipt %q, want not_admin", rc.Code)
			}
		},
	)
	hp, err := tn.client(1).SubnetHyperparameters(j.ctx, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if hp.Tempo != journeyTempo || hp.MaxAllowedValidators != 2 || hp.BondsMovingAverage != 500_000 || hp.ActivityCutoff != 2000 || hp.Kappa != subnet.DefaultHyperparams().Kappa {
		t.Fatalf("hyperparameters after the changes: %+v", hp)
	}
	j.tempo.Store(journeyTempo)

	// Three miners and two validators register, burning the quoted cost.
	bc, err := tn.client(2).SubnetBurnCost(j.ctx, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	regs := append(append([]*actor{}, j.miners...), j.vals...)
	uids := make([]uint16, len(regs))
	var calls []func()
	for i, a := range regs {
		calls = append(calls, func() {
			before := j.balance(a.addr, nil)
			rc, h := j.do(a, &types.BurnedRegister{NetUID: 1, Hotkey: j.hot[a].addr})
			u, err := strconv.ParseUint(eventAttr(rc, "neuron_registered", "uid"), 10, 16)
			if err != nil {
				j.errorf("%s: registration event: %v", a.name, err)
				return
			}
			uids[i] = uint16(u)
			hb := h - 1
			if paid := j.balance(a.addr, &hb) - j.balance(a.addr, &h); paid != uint64(bc.Cost)+rc.Fee {
				j.errorf("%s paid %d to register (balance before %d), want burn %d + fee %d", a.name, paid, before, bc.Cost, rc.Fee)
			}
		})
	}
	j.parallel(calls...)
	minerUIDs, valUIDs := uids[:3], uids[3:]
	if got := slices.Sorted(slices.Values(uids)); !slices.Equal(got, []uint16{1, 2, 3, 4, 5}) {
		t.Fatalf("registered uids %v, want 1..5", uids)
	}

	// Validators stake, A (with a nominator) above kappa alone; miners
	// serve their axons.
	calls = nil
	for i, v := range j.vals {
		calls = append(calls, func() {
			j.do(v, &types.AddStake{Hotkey: j.hot[v].addr, Amount: uint64(2000-1000*i) * chain.RaoPerTAO})
		})
	}
	calls = append(calls, func() {
		j.do(j.nominator, &types.AddStake{Hotkey: j.hot[j.vals[0]].addr, Amount: 700 * chain.RaoPerTAO})
	})
	for i, m := range j.miners {
		calls = append(calls, func() {
			j.do(j.hot[m], &types.ServeAxon{NetUID: 1, Version: 1, IP: []byte{127, 0, 0, 1}, Port: uint16(9000 + i), IPType: types.IPv4, Protocol: 4})
		})
	}
	j.parallel(calls...)

	// The next epoch gives the two staked validators their permits
	// (max_allowed_validators = 2) and nobody else.
	e1 := j.nextEpochAfterHead()
	tn.waitHeight(e1, 60*time.Second)
	mg, err := tn.client(3).SubnetMetagraph(j.ctx, 1, &e1)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range mg.Neurons {
		if want := slices.Contains(valUIDs, n.UID); n.ValidatorPermit != want {
			t.Fatalf("after epoch %d: uid %d permit %v, want %v", e1, n.UID, n.ValidatorPermit, want)
		}
		if i := slices.Index(minerUIDs, n.UID); i >= 0 && (n.Axon == nil || n.Axon.Endpoint != fmt.Sprintf("127.0.0.1:%d", 9000+i)) {
			t.Fatalf("miner uid %d axon %+v", n.UID, n.Axon)
		}
	}

	// Validator A sets plain weights; then the owner enables commit-reveal
	// and validator B commits its weights.
	va, vb := j.hot[j.vals[0]], j.hot[j.vals[1]]
	weightsA := []uint16{100, 200, 300}
	weightsB := []uint16{300, 250, 50}
	salt := []uint16{7, 11, 13}
	rc, _ = j.do(va, &types.SetWeights{NetUID: 1, UIDs: minerUIDs, Values: weightsA})
	if got := eventAttr(rc, "weights_set", "count"); got != "3" {
		t.Fatalf("weights_set count %q", got)
	}
	j.do(j.owner, &types.SetHyperparameter{NetUID: 1, Name: "commit_reveal_enabled", Value: 1})
	if rc, _ := j.send(vb, &types.SetWeights{NetUID: 1, UIDs: minerUIDs, Values: weightsB}); rc.Code != "commit_reveal_enabled" {
		t.Fatalf("plain weights on a commit-reveal subnet: receipt %q", rc.Code)
	}
	commit := types.WeightsCommitHash(vb.addr, 1, minerUIDs, weightsB, salt, 0)
	j.do(vb, &types.CommitWeights{NetUID: 1, Commit: commit})
	reveal := &types.RevealWeights{NetUID: 1, UIDs: minerUIDs, Values: weightsB, Salt: salt}
	if rc, _ := j.send(vb, reveal); rc.Code != "reveal_too_early" {
		t.Fatalf("reveal in the commit's epoch: receipt %q", rc.Code)
	}

	// B reveals once its window opens (after the next epoch); the epoch
	// after that sees both rows, and one more sees the bonds of both.
	pc, err := tn.client(1).SubnetPendingCommits(j.ctx, vb.addr, nil)
	if err != nil || len(pc) != 1 || pc[0].Hash != commit {
		t.Fatalf("pending commits %+v (%v)", pc, err)
	}
	tn.waitHeight(pc[0].RevealFrom, 60*time.Second)
	_, revealed := j.do(vb, reveal)
	if revealed > pc[0].RevealUntil {
		t.Fatalf("reveal landed in block %d, after its window %d..%d", revealed, pc[0].RevealFrom, pc[0].RevealUntil)
	}
	e3 := j.nextEpochAfter(revealed)
	last := j.nextEpochAfter(e3)
	tn.waitHeight(last, 60*time.Second)

	// Independent recomputation of every epoch of the subnet.
	epochs := j.epochBlocks(last)
	if len(epochs) < 4 {
		t.Fatalf("subnet epochs at %v, want at least 4", epochs)
	}
	for _, h := range epochs {
		j.verifyEpoch(1, h)
	}
	// The epoch after the reveal used both validators' rows: each weighted
	// miner earned incentive and both validators earned dividends.
	after := j.view(0, e3)
	before := j.view(0, e3-1)
	for i, u := range valUIDs {
		row := before.row("w/", 1, u)
		want := []consensus.Entry{}
		for k, w := range subnet.MaxUpscale([][]uint16{weightsA, weightsB}[i]) {
			want = append(want, consensus.Entry{UID: minerUIDs[k], Value: w})
		}
		slices.SortFunc(want, func(a, b consensus.Entry) int { return int(a.UID) - int(b.UID) })
		if !reflect.DeepEqual(row, want) {
			t.Fatalf("epoch %d input: validator uid %d weights %v, want %v", e3, u, row, want)
		}
		if nr := after.neuron(1, u); nr.Dividends == 0 || nr.Emission == 0 {
			t.Fatalf("epoch %d: validator uid %d earned nothing: %+v", e3, u, nr)
		}
	}
	for _, u := range minerUIDs {
		if nr := after.neuron(1, u); nr.Incentive == 0 || nr.Emission == 0 {
			t.Fatalf("epoch %d: miner uid %d earned nothing: %+v", e3, u, nr)
		}
	}

	// Identical on every node: app hashes at every height, metagraphs at
	// every epoch and at the head.
	for h := uint64(1); h <= last; h++ {
		ref := tn.appHashAt(0, h)
		for i := 1; i < len(tn.nodes); i++ {
			if got := tn.appHashAt(i, h); got != ref {
				t.Fatalf("height %d: node %d app hash %s, node 0 %s", h, i, got.Hex(), ref.Hex())
			}
		}
	}
	for _, h := range append(epochs, last) {
		ref, err := tn.client(0).SubnetMetagraph(j.ctx, 1, &h)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(tn.nodes); i++ {
			mg, err := tn.client(i).SubnetMetagraph(j.ctx, 1, &h)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(mg, ref) {
				t.Fatalf("height %d: node %d metagraph differs from node 0:\n%+v\n%+v", h, i, mg, ref)
			}
		}
	}

	// Invariants after every block, on node 0.
	for h := uint64(1); h <= last; h++ {
		j.checkBlockInvariants(h)
	}
	t.Logf("journey: %d blocks, subnet epochs at %v, verified in %s", last, epochs, time.Since(start).Round(time.Millisecond))
}

// journeyTempo is the subnet's tempo once the admin has set it.
const journeyTempo = 10

// journeyParams are the subnet module's genesis rules for the journey:
// cheap locks and burns, no rate limits or freeze windows that would slow
// it down, and a long genesis tempo that the admin then shortens.
func journeyParams() subnet.Params {
	p := subnet.DefaultParams()
	p.NetworkMinLock = 10 * chain.RaoPerTAO
	p.NetworkRateLimit = 0
	p.AdminFreezeWindow = 0
	p.HyperparamRateLimitTempos = 0
	p.WeightsVersionRateLimitTempos = 0
	d := &p.SubnetDefaults
	d.Tempo = 1000
	d.WeightsRateLimit = 0
	d.ServingRateLimit = 0
	d.MaxRegsPerBlock = 8
	d.TargetRegsPerInterval = 4
	d.AdjustmentInterval = 1000
	d.InitialBurn = chain.RaoPerTAO
	d.MinBurn = chain.RaoPerTAO / 10
	return p
}

type actor struct {
	name string
	key  *ecdsa.PrivateKey
	addr types.Address
}

type journey struct {
	t      *testing.T
	tn     *testNet
	ctx    context.Context
	cancel context.CancelFunc

	admin, owner, ownerHot, nominator *actor
	miners, vals                      []*actor
	hot                               map[*actor]*actor // coldkey -> hotkey
	actors                            []*actor

	tempo atomicU16 // the subnet's tempo once set; 0 before

	mu    sync.Mutex
	nonce map[types.Address]uint64
	turn  int
	errs  []string
}

type atomicU16 struct {
	mu sync.Mutex
	v  uint16
}

func (a *atomicU16) Store(v uint16) { a.mu.Lock(); a.v = v; a.mu.Unlock() }
func (a *atomicU16) Load() uint16   { a.mu.Lock(); defer a.mu.Unlock(); return a.v }

func newJourney(t *testing.T) *journey {
	j := &journey{t: t, hot: map[*actor]*actor{}, nonce: map[types.Address]uint64{}}
	newActor := func(name string) *actor {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		a := &actor{name: name, key: k, addr: crypto.PubkeyToAddress(k.PublicKey)}
		j.actors = append(j.actors, a)
		return a
	}
	j.admin = newActor("admin")
	j.owner = newActor("owner")
	j.ownerHot = newActor("owner-hotkey")
	j.nominator = newActor("nominator")
	for i := range 3 {
		m := newActor(fmt.Sprintf("miner%d", i))
		j.hot[m] = newActor(fmt.Sprintf("miner%d-hotkey", i))
		j.miners = append(j.miners, m)
	}
	for i := range 2 {
		v := newActor(fmt.Sprintf("validator%d", i))
		j.hot[v] = newActor(fmt.Sprintf("validator%d-hotkey", i))
		j.vals = append(j.vals, v)
	}
	var accs []chain.GenesisAccount
	for _, a := range j.actors {
		if a != j.ownerHot {
			accs = append(accs, chain.GenesisAccount{Address: a.addr, Balance: chain.U64(10_000 * chain.RaoPerTAO)})
		}
	}
	raw, err := json.Marshal(journeyParams())
	if err != nil {
		t.Fatal(err)
	}
	j.tn = newTestNetWith(t, 4, 0, testNetOptions{
		admin: j.admin.addr, accounts: accs,
		genesis: map[string]json.RawMessage{subnet.ModuleName: raw},
		modules: func() []chain.Module { return []chain.Module{subnet.New()} },
	})
	j.ctx, j.cancel = context.WithTimeout(context.Background(), 3*time.Minute)
	return j
}

// journeyFailure is what fail panics with: a failure in a helper that may
// run on a goroutine of parallel, or on the test's own (recoverFailure).
type journeyFailure string

func (j *journey) fail(format string, args ...any) {
	panic(journeyFailure(fmt.Sprintf(format, args...)))
}

// recoverFailure turns a fail on the test's goroutine into t.Fatal.
func (j *journey) recoverFailure() {
	if r := recover(); r != nil {
		if f, ok := r.(journeyFailure); ok {
			j.t.Fatal(string(f))
		}
		panic(r)
	}
}

// errorf records a failure from any goroutine; parallel reports them.
func (j *journey) errorf(format string, args ...any) {
	j.mu.Lock()
	j.errs = append(j.errs, fmt.Sprintf(format, args...))
	j.mu.Unlock()
}

// parallel runs fns concurrently (each may submit transactions of its own
// accounts) and fails the test if any recorded an error.
func (j *journey) parallel(fns ...func()) {
	j.t.Helper()
	var wg sync.WaitGroup
	for _, f := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					if f, ok := r.(journeyFailure); ok {
						j.errorf("%s", string(f))
						return
					}
					j.errorf("panic: %v", r)
				}
			}()
			f()
		}()
	}
	wg.Wait()
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.errs) > 0 {
		j.t.Fatal(j.errs)
	}
}

func (j *journey) head() uint64 {
	h, _ := j.tn.nodes[0].App().Head()
	return h.Height
}

// nextEpochAfter is the subnet's first epoch block after block h.
func (j *journey) nextEpochAfter(h uint64) uint64 {
	return subnet.NextEpochBlock(1, j.tempo.Load(), h)
}

func (j *journey) nextEpochAfterHead() uint64 { return j.nextEpochAfter(j.head()) }

// avoidEpoch waits, when the subnet's next epoch is at most three blocks
// away, until it has passed, so that the epoch blocks carry no transaction
// that moves balances or stake (verifyEpoch checks that they do not).
func (j *journey) avoidEpoch() {
	if j.tempo.Load() == 0 {
		return
	}
	h := j.head()
	if next := j.nextEpochAfter(h); next-h <= 3 {
		for j.head() < next && j.ctx.Err() == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// send signs call with a's next nonce and submits it to the next node in
// turn, waiting for inclusion. The receipt may carry a failure code.
func (j *journey) send(a *actor, call types.Call) (chain.Receipt, uint64) {
	j.avoidEpoch()
	j.mu.Lock()
	nonce := j.nonce[a.addr]
	j.nonce[a.addr]++
	node := j.turn % len(j.tn.nodes)
	j.turn++
	j.mu.Unlock()
	tx, err := types.NewTx(j.tn.gen.ChainID, nonce, 1000, call)
	if err == nil {
		err = tx.Sign(a.key)
	}
	var raw []byte
	if err == nil {
		raw, err = tx.Encode()
	}
	if err != nil {
		j.fail("%s: sign %T: %v", a.name, call, err)
	}
	res, err := j.tn.client(node).Submit(j.ctx, rpc.SubmitRequest{Tx: hex.EncodeToString(raw), Wait: rpc.WaitInclusion, TimeoutMs: 30_000})
	if err != nil || res.Status != "included" || res.Receipt == nil {
		j.fail("%s: %T via node %d: %+v %v", a.name, call, node, res, err)
	}
	// Every node must have the block before the account's next transaction
	// (its nonce) or a query at that height goes to any node.
	j.waitAll(res.Height)
	return *res.Receipt, res.Height
}

// waitAll waits until every node has committed block h; it may run on any
// goroutine.
func (j *journey) waitAll(h uint64) {
	for i, n := range j.tn.nodes {
		for {
			if head, ok := n.App().Head(); ok && head.Height >= h {
				break
			}
			if j.ctx.Err() != nil {
				j.fail("node %d did not reach height %d", i, h)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// do is send for a call that must succeed.
func (j *journey) do(a *actor, call types.Call) (chain.Receipt, uint64) {
	rc, h := j.send(a, call)
	if !rc.OK() {
		j.fail("%s: %T failed in block %d: %s %s", a.name, call, h, rc.Code, rc.Msg)
	}
	return rc, h
}

func (j *journey) balance(a types.Address, h rpc.Height) uint64 {
	acc, err := j.tn.client(0).Account(j.ctx, a, h)
	if err != nil {
		j.fail("account %s: %v", a.Hex(), err)
	}
	return uint64(acc.Balance)
}

func eventAttr(rc chain.Receipt, typ, key string) string {
	for _, ev := range rc.Events {
		if ev.Type == typ {
			for _, a := range ev.Attrs {
				if a.Key == key {
					return a.Value
				}
			}
		}
	}
	return ""
}

// epochBlocks lists the blocks up to last in which subnet 1 ran its epoch,
// from the blocks' events on node 0.
func (j *journey) epochBlocks(last uint64) []uint64 {
	var out []uint64
	for h := uint64(1); h <= last; h++ {
		rec, ok, err := readBlock(j.tn.nodes[0].db, h)
		if err != nil || !ok {
			j.t.Fatalf("block %d: %v %v", h, ok, err)
		}
		for _, ev := range rec.Events {
			if ev.Type == "subnet_epoch" && len(ev.Attrs) > 0 && ev.Attrs[0].Value == "1" {
				out = append(out, h)
			}
		}
	}
	return out
}

// stateView reads the subnet module's raw state at one committed root. The
// key layout is the one documented in subnet/keys.go; the decoding here is
// the test's own.
type stateView struct {
	t *testing.T
	h uint64
	r *state.Reader
}

func (j *journey) view(node int, h uint64) stateView {
	r, err := state.NewReader(j.tn.nodes[node].db, j.tn.appHashAt(node, h))
	if err != nil {
		j.t.Fatal(err)
	}
	return stateView{t: j.t, h: h, r: r}
}

func be16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

func snKey(prefix string, parts ...[]byte) []byte {
	return slices.Concat(append([][]byte{[]byte("sn/" + prefix)}, parts...)...)
}

func (v stateView) get(k []byte, out any) bool {
	v.t.Helper()
	b, ok, err := v.r.Get(k)
	if err != nil {
		v.t.Fatal(err)
	}
	if !ok {
		return false
	}
	if err := rlp.DecodeBytes(b, out); err != nil {
		v.t.Fatalf("height %d: decode %q: %v", v.h, k, err)
	}
	return true
}

func (v stateView) must(k []byte, out any) {
	v.t.Helper()
	if !v.get(k, out) {
		v.t.Fatalf("height %d: %q missing", v.h, k)
	}
}

func (v stateView) params() (p subnet.Params) { v.must(snKey("p"), &p); return p }
func (v stateView) subnet(netuid uint16) (sn subnet.Subnet) {
	v.must(snKey("n/", be16(netuid)), &sn)
	return sn
}
func (v stateView) hyper(netuid uint16) (hp subnet.Hyperparams) {
	v.must(snKey("hp/", be16(netuid)), &hp)
	return hp
}
func (v stateView) neuron(netuid, uid uint16) (nr subnet.Neuron) {
	v.must(snKey("u/", be16(netuid), be16(uid)), &nr)
	return nr
}
func (v stateView) hotkey(hk types.Address) (rec subnet.Hotkey) {
	v.must(snKey("h/", hk[:]), &rec)
	return rec
}
func (v stateView) commits(netuid uint16, hk types.Address) (cs []subnet.Commit) {
	v.get(snKey("c/", be16(netuid), hk[:]), &cs)
	return cs
}

// row reads a weights ("w/") or bonds ("b/") row: an RLP string of packed
// big-endian (uid, value) pairs; absent is empty.
func (v stateView) row(kind string, netuid, uid uint16) []consensus.Entry {
	v.t.Helper()
	b, ok, err := v.r.Get(snKey(kind, be16(netuid), be16(uid)))
	if err != nil {
		v.t.Fatal(err)
	}
	out := []consensus.Entry{}
	if !ok {
		return out
	}
	var packed []byte
	if err := rlp.DecodeBytes(b, &packed); err != nil || len(packed)%4 != 0 {
		v.t.Fatalf("height %d: row %s%d/%d: %x (%v)", v.h, kind, netuid, uid, b, err)
	}
	for i := 0; i < len(packed); i += 4 {
		out = append(out, consensus.Entry{UID: uint16(packed[i])<<8 | uint16(packed[i+1]), Value: uint16(packed[i+2])<<8 | uint16(packed[i+3])})
	}
	return out
}

// stakes returns the stake behind hk by coldkey.
func (v stateView) stakes(hk types.Address) map[types.Address]uint64 {
	v.t.Helper()
	out := map[types.Address]uint64{}
	prefix := snKey("s/", hk[:])
	err := v.r.Iterate(prefix, func(k, val []byte) bool {
		var ck types.Address
		copy(ck[:], k[len(prefix):])
		var amt uint64
		if err := rlp.DecodeBytes(val, &amt); err != nil {
			v.t.Errorf("stake %x: %v", k, err)
			return false
		}
		out[ck] = amt
		return true
	})
	if err != nil {
		v.t.Fatal(err)
	}
	return out
}

func (v stateView) netuids() []uint16 {
	var out []uint16
	prefix := snKey("n/")
	if err := v.r.Iterate(prefix, func(k, _ []byte) bool {
		out = append(out, uint16(k[len(prefix)])<<8|uint16(k[len(prefix)+1]))
		return true
	}); err != nil {
		v.t.Fatal(err)
	}
	return out
}

func (v stateView) supply() chain.Supply {
	s, err := chain.ReadSupply(v.r)
	if err != nil {
		v.t.Fatal(err)
	}
	return s
}

func (v stateView) balance(a types.Address) uint64 {
	acc, err := chain.ReadAccount(v.r, a)
	if err != nil {
		v.t.Fatal(err)
	}
	return acc.Balance
}

// isEpochBlock is the documented epoch rule (subnet/timing.go):
// (block + netuid + 1) mod (tempo + 1) == tempo.
func isEpochBlock(netuid, tempo uint16, block uint64) bool {
	return tempo > 0 && (block+uint64(netuid)+1)%(uint64(tempo)+1) == uint64(tempo)
}

// mulDivBig is floor(a*b/c), computed with big integers.
func mulDivBig(a, b, c uint64) uint64 {
	x := new(big.Int).Mul(new(big.Int).SetUint64(a), new(big.Int).SetUint64(b))
	return x.Quo(x, new(big.Int).SetUint64(c)).Uint64()
}

// verifyEpoch recomputes the epoch of netuid in block h from the state
// after block h-1 and checks what block h stored and paid.
func (j *journey) verifyEpoch(netuid uint16, h uint64) {
	t := j.t
	t.Helper()
	pre, post := j.view(0, h-1), j.view(0, h)
	p := pre.params()
	sn, hp := pre.subnet(netuid), pre.hyper(netuid)
	if !isEpochBlock(netuid, hp.Tempo, h) {
		t.Fatalf("block %d is not an epoch block of subnet %d at tempo %d", h, netuid, hp.Tempo)
	}
	// Block h's transactions run after the epoch; none may move balances
	// or stake, so that the deltas below are the epoch's alone.
	rec, _, err := readBlock(j.tn.nodes[0].db, h)
	if err != nil {
		t.Fatal(err)
	}
	fees := map[types.Address]uint64{}
	for _, rc := range rec.Receipts {
		switch rc.Kind {
		case types.KindSetWeights, types.KindCommitWeights, types.KindRevealWeights, types.KindServeAxon, types.KindSetHyperparameter:
			fees[rc.Signer] += rc.Fee
		default:
			t.Fatalf("epoch block %d carries a %d transaction; the deltas would not be the epoch's", h, rc.Kind)
		}
	}

	// The block reward of block h, split among the subnets by their shares
	// (equally while none is set); root has no validators here, so a root
	// epoch in block h would leave the shares at zero.
	if root := pre.subnet(subnet.RootNetUID); root.N != 0 {
		t.Fatalf("root has %d validators; this check assumes none", root.N)
	}
	sup := pre.supply()
	_, minted := emission.Mint(sup.Issuance, emission.BlockReward(sup.Issuance))
	var shares []uint16
	var idx int
	anyShare := false
	for _, id := range pre.netuids()[1:] {
		if id == netuid {
			idx = len(shares)
		}
		s := pre.subnet(id).EmissionShare
		shares = append(shares, s)
		anyShare = anyShare || s != 0
	}
	if !anyShare || isEpochBlock(subnet.RootNetUID, pre.hyper(subnet.RootNetUID).Tempo, h) {
		for i := range shares {
			shares[i] = 1
		}
	}
	pending := sn.PendingEmission + emission.SplitByShares(minted, shares)[idx]
	ownerCut, miners, validators := emission.SplitSubnetCut(pending, p.SubnetOwnerCut)
	amount := miners + validators

	// The epoch's input, as the chain stored it before block h.
	n := int(sn.N)
	in := &consensus.Input{
		Block: h, Tempo: uint64(hp.Tempo),
		Params: consensus.Hyperparameters{
			Kappa: hp.Kappa, Rho: hp.Rho, BondsMovingAverage: hp.BondsMovingAverage, BondsPenalty: hp.BondsPenalty,
			ActivityCutoff: hp.ActivityCutoff, MaxAllowedValidators: hp.MaxAllowedValidators,
			MinAllowedWeights: hp.MinAllowedWeights, MaxWeightsLimit: hp.MaxWeightsLimit, ImmunityPeriod: hp.ImmunityPeriod,
			LiquidAlphaEnabled: hp.LiquidAlphaEnabled, AlphaLow: hp.AlphaLow, AlphaHigh: hp.AlphaHigh,
			Yuma3Enabled: hp.Yuma3Enabled, CommitRevealEnabled: hp.CommitRevealEnabled, AlphaSigmoidSteepness: 1000,
		},
		Stake: make([]uint64, n), LastUpdate: make([]uint64, n), BlockAtRegistration: make([]uint64, n),
		ValidatorPermit: make([]bool, n), Weights: make([][]consensus.Entry, n), Bonds: make([][]consensus.Entry, n),
		Emission: amount, StakeThreshold: uint64(p.WeightsMinStake), LastEpochBlock: sn.LastEpoch,
	}
	if hp.CommitRevealEnabled {
		in.CommitBlocks = make([]uint64, n)
	}
	neurons := make([]subnet.Neuron, n)
	for uid := range n {
		nr := pre.neuron(netuid, uint16(uid))
		neurons[uid] = nr
		in.Stake[uid] = pre.hotkey(nr.Hotkey).TotalStake
		in.LastUpdate[uid] = nr.LastUpdate
		in.BlockAtRegistration[uid] = nr.RegisteredAt
		in.ValidatorPermit[uid] = nr.ValidatorPermit
		in.Weights[uid] = pre.row("w/", netuid, uint16(uid))
		in.Bonds[uid] = pre.row("b/", netuid, uint16(uid))
		if in.CommitBlocks != nil {
			in.CommitBlocks[uid] = math.MaxUint64
			for _, c := range pre.commits(netuid, nr.Hotkey) {
				if _, until := subnet.RevealWindow(netuid, hp.Tempo, hp.CommitRevealPeriod, c.Block); h <= until {
					in.CommitBlocks[uid] = c.Block
					break
				}
			}
		}
	}
	out, err := consensus.Epoch(in)
	if err != nil {
		t.Fatalf("epoch %d: %v", h, err)
	}

	// Stored outputs and bonds.
	var paid uint64
	for uid := range n {
		got := post.neuron(netuid, uint16(uid))
		e := out.ServerEmission[uid] + out.ValidatorEmission[uid]
		paid += e
		want := neurons[uid]
		want.Active, want.ValidatorPermit = out.Active[uid], out.ValidatorPermit[uid]
		want.Rank, want.Trust, want.Consensus = out.Rank[uid], out.Trust[uid], out.Consensus[uid]
		want.Incentive, want.Dividends = out.Incentive[uid], out.Dividends[uid]
		want.ValidatorTrust, want.PruningScore, want.Emission = out.ValidatorTrust[uid], out.PruningScores[uid], e
		want.LastUpdate = got.LastUpdate // a set_weights in block h, after the epoch, may move it
		if got != want {
			t.Fatalf("epoch %d, uid %d: stored\n%+v\nrecomputed\n%+v", h, uid, got, want)
		}
		wantBonds := []consensus.Entry{}
		for _, b := range out.Bonds[uid] {
			if b.Value != 0 {
				wantBonds = append(wantBonds, b)
			}
		}
		if gotBonds := post.row("b/", netuid, uint16(uid)); !reflect.DeepEqual(gotBonds, wantBonds) {
			t.Fatalf("epoch %d, uid %d: bonds %v, recomputed %v", h, uid, gotBonds, wantBonds)
		}
	}

	// Stake paid per (hotkey, coldkey): server emission to the hotkey's
	// owner; validator emission less the delegate take pro rata to the
	// stakers (rounded down), take and dust to the owner.
	for uid, nr := range neurons {
		server, val := out.ServerEmission[uid], out.ValidatorEmission[uid]
		recPre, recPost := pre.hotkey(nr.Hotkey), post.hotkey(nr.Hotkey)
		if recPost.TotalStake-recPre.TotalStake != server+val {
			t.Fatalf("epoch %d, uid %d: total stake +%d, want +%d", h, uid, recPost.TotalStake-recPre.TotalStake, server+val)
		}
		sPre, sPost := pre.stakes(nr.Hotkey), post.stakes(nr.Hotkey)
		want := map[types.Address]uint64{}
		maps := func(m map[types.Address]uint64) {
			for k, v := range m {
				want[k] = v
			}
		}
		maps(sPre)
		take := mulDivBig(val, uint64(recPre.Take), math.MaxUint16)
		rest := val - take
		var given uint64
		if rest > 0 && recPre.TotalStake > 0 {
			for ck, amt := range sPre {
				a := mulDivBig(rest, amt, recPre.TotalStake)
				want[ck] += a
				given += a
			}
		}
		if owed := server + take + rest - given; owed > 0 {
			want[recPre.Owner] += owed
		}
		if !reflect.DeepEqual(sPost, want) {
			t.Fatalf("epoch %d, uid %d (server %d, validator %d, take %d): stake after %v, want %v (before %v)", h, uid, server, val, take, sPost, want, sPre)
		}
	}

	// Balances: the owner's cut to the owner's coldkey, nothing else but
	// the fees of block h's transactions.
	for _, a := range j.actors {
		want := int64(-fees[a.addr])
		if a.addr == sn.Owner {
			want += int64(ownerCut)
		}
		if got := int64(post.balance(a.addr)) - int64(pre.balance(a.addr)); got != want {
			t.Fatalf("epoch %d: %s balance %+d, want %+d (owner cut %d)", h, a.name, got, want, ownerCut)
		}
	}

	// The subnet's record and the issuance.
	snPost := post.subnet(netuid)
	if snPost.PendingEmission != amount-paid || snPost.LastEpoch != h || snPost.LastEpochEmission != ownerCut+paid {
		t.Fatalf("epoch %d: subnet after %+v; want pending %d, last epoch %d, emission %d", h, snPost, amount-paid, h, ownerCut+paid)
	}
	if got := post.supply().Issuance - sup.Issuance; got != minted {
		t.Fatalf("block %d minted %d, want %d", h, got, minted)
	}
	t.Logf("epoch %d of subnet %d: %d uids, pending %d rao: owner %d, paid %d, carried %d; incentive %v dividends %v",
		h, netuid, n, pending, ownerCut, paid, amount-paid, out.Incentive, out.Dividends)
}

// checkBlockInvariants checks node 0's state after block h: the runtime's
// supply invariants (issuance within the 21M TAO cap, every rao accounted
// for) and, on every subnet, UIDs 0..n-1 each with its own hotkey and a
// matching hotkey index entry.
func (j *journey) checkBlockInvariants(h uint64) {
	t := j.t
	t.Helper()
	v := j.view(0, h)
	if err := j.tn.nodes[0].App().Runtime().CheckInvariants(v.r); err != nil {
		t.Fatalf("after block %d: %v", h, err)
	}
	if s := v.supply(); s.Issuance > chain.MaxSupply {
		t.Fatalf("after block %d: issuance %d above the cap", h, s.Issuance)
	}
	for _, netuid := range v.netuids() {
		sn := v.subnet(netuid)
		prefix := snKey("u/", be16(netuid))
		next := 0
		seen := map[types.Address]bool{}
		err := v.r.Iterate(prefix, func(k, val []byte) bool {
			uid := uint16(k[len(prefix)])<<8 | uint16(k[len(prefix)+1])
			if int(uid) != next {
				t.Errorf("after block %d: subnet %d has uid %d where %d was expected (not dense)", h, netuid, uid, next)
				return false
			}
			next++
			var nr subnet.Neuron
			if err := rlp.DecodeBytes(val, &nr); err != nil {
				t.Errorf("after block %d: neuron %d/%d: %v", h, netuid, uid, err)
				return false
			}
			if seen[nr.Hotkey] {
				t.Errorf("after block %d: subnet %d: hotkey %s on two uids", h, netuid, nr.Hotkey.Hex())
				return false
			}
			seen[nr.Hotkey] = true
			var idx uint16
			if !v.get(snKey("k/", be16(netuid), nr.Hotkey[:]), &idx) || idx != uid {
				t.Errorf("after block %d: subnet %d: index of %s is %d, neuron is uid %d", h, netuid, nr.Hotkey.Hex(), idx, uid)
				return false
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		indexed := 0
		if err := v.r.Iterate(snKey("k/", be16(netuid)), func(_, _ []byte) bool { indexed++; return true }); err != nil {
			t.Fatal(err)
		}
		if t.Failed() || next != int(sn.N) || indexed != next {
			t.Fatalf("after block %d: subnet %d has %d neurons and %d index entries, n = %d", h, netuid, next, indexed, sn.N)
		}
	}
}
