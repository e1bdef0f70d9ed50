package subnet

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/chain/chaintest"
	"github.com/yumachain/yuma/types"
)

const (
	testChain = "subnet-test"
	testFee   = 10
	tao       = chain.RaoPerTAO
)

// testParams are small, fast chain rules for unit tests.
func testParams() Params {
	p := DefaultParams()
	p.NetworkMinLock = 100 * tao
	p.NetworkLockReductionInterval = 100
	p.NetworkRateLimit = 10
	p.NetworkImmunityPeriod = 50
	p.SubnetLimit = 8
	p.AdminFreezeWindow = 2
	p.HyperparamRateLimitTempos = 2
	p.WeightsVersionRateLimitTempos = 5
	p.TakeRateLimit = 30
	p.MinActivityCutoff = 10
	p.MaxUnrevealedCommits = 3
	h := &p.SubnetDefaults
	h.Tempo = 9
	h.ImmunityPeriod = 20
	h.WeightsRateLimit = 2
	h.ServingRateLimit = 5
	h.AdjustmentInterval = 20
	h.TargetRegsPerInterval = 2
	h.MaxRegsPerBlock = 3
	h.MaxAllowedUIDs = 8
	h.MaxAllowedValidators = 4
	h.ActivityCutoff = 100
	h.MinBurn = tao / 10
	h.InitialBurn = tao
	h.MaxBurn = 100 * tao
	r := &p.Root
	r.Tempo = 9
	r.MaxAllowedUIDs = 3
	r.MaxAllowedValidators = 3
	r.ActivityCutoff = 100
	r.WeightsRateLimit = 2
	r.MaxRegsPerBlock = 3
	r.TargetRegsPerInterval = 3
	return p
}

type env struct {
	t      testing.TB
	rt     *chain.Runtime
	st     *chaintest.MemStore
	height uint64
	keys   map[string]*ecdsa.PrivateKey
	// inBlock counts the txs of each signer built for the next block.
	inBlock map[types.Address]uint64
}

func keyFor(t testing.TB, name string) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte("subnet-test/" + name)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// funded are the accounts of every test genesis (coldkeys, and hotkeys
// that sign), each with 100,000 TAO.
var funded = []string{"admin", "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
	"alice-hk", "bob-hk", "carol-hk", "dave-hk", "m1", "m2", "rc", "r1", "r2"}

func newEnv(t testing.TB, edit func(*Params)) *env { return newEnvFunded(t, edit, nil) }

// newEnvFunded is newEnv with more funded accounts.
func newEnvFunded(t testing.TB, edit func(*Params), extra []string) *env {
	t.Helper()
	p := testParams()
	if edit != nil {
		edit(&p)
	}
	raw, err := json.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, keys: map[string]*ecdsa.PrivateKey{}, inBlock: map[types.Address]uint64{}}
	auth := keyFor(t, "authority")
	g := &chain.Genesis{
		ChainID: testChain, GenesisTime: "2026-01-01T00:00:00Z", Params: chain.Params{MinFee: testFee},
		Authorities: []chain.Authority{{Name: "a", PubKey: "0x" + hex.EncodeToString(crypto.CompressPubkey(&auth.PublicKey)), Power: 1}},
		Modules:     map[string]json.RawMessage{ModuleName: raw},
	}
	for _, name := range append(append([]string(nil), funded...), extra...) {
		g.Accounts = append(g.Accounts, chain.GenesisAccount{Address: e.addr(name), Balance: chain.U64(100_000 * tao)})
	}
	g.Admin = e.addr("admin")
	e.rt, err = chain.NewRuntime(g, New())
	if err != nil {
		t.Fatal(err)
	}
	e.st = chaintest.NewMemStore()
	if err := e.rt.InitGenesis(e.st); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) key(name string) *ecdsa.PrivateKey {
	k, ok := e.keys[name]
	if !ok {
		k = keyFor(e.t, name)
		e.keys[name] = k
	}
	return k
}

func (e *env) addr(name string) types.Address { return crypto.PubkeyToAddress(e.key(name).PublicKey) }

// tx signs call by name with the next nonce (counting txs already built
// for the coming block).
func (e *env) tx(name string, call types.Call) []byte {
	e.t.Helper()
	a := e.addr(name)
	acc, err := chain.ReadAccount(e.st, a)
	if err != nil {
		e.t.Fatal(err)
	}
	tx, err := types.NewTx(testChain, acc.Nonce+e.inBlock[a], testFee, call)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := tx.Sign(e.key(name)); err != nil {
		e.t.Fatal(err)
	}
	b, err := tx.Encode()
	if err != nil {
		e.t.Fatal(err)
	}
	e.inBlock[a]++
	return b
}

// block applies the next block and checks the supply invariant.
func (e *env) block(txs ...[]byte) *chain.BlockResult {
	e.t.Helper()
	e.height++
	e.inBlock = map[types.Address]uint64{}
	res, err := e.rt.ApplyBlock(e.st, chain.Header{ChainID: testChain, Height: e.height, Time: int64(e.height) * 12_000}, txs, nil)
	if err != nil {
		e.t.Fatalf("block %d: %v", e.height, err)
	}
	if err := e.rt.CheckInvariants(e.st); err != nil {
		e.t.Fatalf("block %d: %v", e.height, err)
	}
	return res
}

// advanceTo applies empty blocks until the next block is h.
func (e *env) advanceTo(h uint64) {
	e.t.Helper()
	for e.height+1 < h {
		e.block()
	}
}

// ok runs call in its own block and fails the test unless it succeeds.
func (e *env) ok(name string, call types.Call) chain.Receipt {
	e.t.Helper()
	rc := e.block(e.tx(name, call)).Receipts[0]
	if !rc.OK() {
		e.t.Fatalf("block %d: %T by %s failed: %s: %s", e.height, call, name, rc.Code, rc.Msg)
	}
	return rc
}

var keyBurned = []byte("sys/burned")

// fail runs call in the next block and checks that it fails with want and
// that, apart from the fee and the nonce, the state is exactly what the
// same block without the transaction produces. It returns the receipt.
func (e *env) fail(name string, call types.Call, want *chain.TxError) chain.Receipt {
	e.t.Helper()
	signer := e.addr(name)
	acctKey := chain.AccountKey(signer)
	snap := e.st.Snapshot()
	h := e.height
	e.block()
	withoutTx := e.st.Dump()
	accA, _, _ := e.st.Get(acctKey)
	burnedA, _, _ := e.st.Get(keyBurned)
	before, _ := chain.ReadAccount(e.st, signer)
	supA, _ := chain.ReadSupply(e.st)
	e.st.RevertToSnapshot(snap)
	e.height = h

	rc := e.block(e.tx(name, call)).Receipts[0]
	if rc.Code != want.Code {
		e.t.Fatalf("block %d: %T by %s: code %q (%s), want %q", e.height, call, name, rc.Code, rc.Msg, want.Code)
	}
	after, _ := chain.ReadAccount(e.st, signer)
	supB, _ := chain.ReadSupply(e.st)
	if after.Nonce != before.Nonce+1 || after.Balance != before.Balance-testFee || supB.Burned != supA.Burned+testFee {
		e.t.Fatalf("%s: fee and nonce not charged exactly: before %+v after %+v", want.Code, before, after)
	}
	if err := e.st.Set(acctKey, accA); err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Set(keyBurned, burnedA); err != nil {
		e.t.Fatal(err)
	}
	if got := e.st.Dump(); got != withoutTx {
		e.t.Fatalf("%s: the failed call changed state:\n%s", want.Code, diffDumps(withoutTx, got))
	}
	return rc
}

func diffDumps(a, b string) string {
	al, bl := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	var out []byte
	seen := map[string]bool{}
	for _, l := range al {
		seen[string(l)] = true
	}
	for _, l := range bl {
		if !seen[string(l)] {
			out = append(out, "+ "...)
			out = append(out, []byte(hex.EncodeToString(l))...)
			out = append(out, '\n')
		}
	}
	return string(out)
}

func (e *env) reader() store { return store{r: e.st} }

func (e *env) subnet(netuid uint16) Subnet {
	e.t.Helper()
	sn, ok, err := e.reader().subnet(netuid)
	if err != nil || !ok {
		e.t.Fatalf("subnet %d: ok=%v err=%v", netuid, ok, err)
	}
	return sn
}

func (e *env) hyper(netuid uint16) Hyperparams {
	e.t.Helper()
	hp, err := e.reader().hyper(netuid)
	if err != nil {
		e.t.Fatal(err)
	}
	return hp
}

func (e *env) neuron(netuid, uid uint16) Neuron {
	e.t.Helper()
	nr, err := e.reader().neuron(netuid, uid)
	if err != nil {
		e.t.Fatal(err)
	}
	return nr
}

func (e *env) balance(name string) uint64 {
	e.t.Helper()
	acc, err := chain.ReadAccount(e.st, e.addr(name))
	if err != nil {
		e.t.Fatal(err)
	}
	return acc.Balance
}

func (e *env) stakeOf(hk, ck string) uint64 {
	e.t.Helper()
	v, err := e.reader().stake(e.addr(hk), e.addr(ck))
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

func (e *env) totalStake(hk string) uint64 {
	e.t.Helper()
	rec, _, err := e.reader().hotkey(e.addr(hk))
	if err != nil {
		e.t.Fatal(err)
	}
	return rec.TotalStake
}

// newSubnet registers a subnet owned by owner with owner+"-hk" as UID 0
// and returns its netuid. It waits out the network rate limit.
func (e *env) newSubnet(owner string) uint16 {
	e.t.Helper()
	g, _ := e.reader().globals()
	p, _ := e.reader().params()
	if g.LastLockBlock != 0 {
		e.advanceTo(g.LastLockBlock + p.NetworkRateLimit)
	}
	res := e.block(e.tx(owner, &types.RegisterNetwork{Hotkey: e.addr(owner + "-hk")}))
	rc := res.Receipts[0]
	if !rc.OK() {
		e.t.Fatalf("register network: %s: %s", rc.Code, rc.Msg)
	}
	for _, ev := range rc.Events {
		if ev.Type == "network_registered" {
			var n uint16
			if _, err := jsonNumber(ev.Attrs[0].Value, &n); err != nil {
				e.t.Fatal(err)
			}
			return n
		}
	}
	e.t.Fatal("no network_registered event")
	return 0
}

func jsonNumber(s string, v *uint16) (bool, error) {
	return true, json.Unmarshal([]byte(s), v)
}

// register burned-registers hotkey hk for coldkey ck on netuid (waiting for
// the per-block limit by using its own block) and returns the UID.
func (e *env) register(netuid uint16, ck, hk string) uint16 {
	e.t.Helper()
	e.ok(ck, &types.BurnedRegister{NetUID: netuid, Hotkey: e.addr(hk)})
	uid, ok, err := e.reader().uid(netuid, e.addr(hk))
	if err != nil || !ok {
		e.t.Fatalf("uid of %s: %v %v", hk, ok, err)
	}
	return uid
}

// isCode reports whether err is the named transaction error.
func isCode(err error, want *chain.TxError) bool { return errors.Is(err, want) }

// nextEpoch is the next epoch block of netuid after the current height.
func (e *env) nextEpoch(netuid uint16) uint64 {
	return NextEpochBlock(netuid, e.hyper(netuid).Tempo, e.height)
}
