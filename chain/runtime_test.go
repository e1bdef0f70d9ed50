package chain

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/chain/chaintest"
	"github.com/yumachain/yuma/types"
)

const testChain = "test-chain"

func key(t testing.TB, seed byte) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func addr(k *ecdsa.PrivateKey) types.Address { return crypto.PubkeyToAddress(k.PublicKey) }

func testGenesis(t testing.TB, accounts ...GenesisAccount) *Genesis {
	t.Helper()
	auth := key(t, 99)
	return &Genesis{
		ChainID: testChain, GenesisTime: "2026-01-01T00:00:00Z", Params: Params{MinFee: 10},
		Accounts:    accounts,
		Authorities: []Authority{{Name: "a", PubKey: "0x" + bytesHex(crypto.CompressPubkey(&auth.PublicKey)), Power: 1}},
	}
}

func bytesHex(b []byte) string {
	const hexdig = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = hexdig[c>>4], hexdig[c&15]
	}
	return string(out)
}

func signed(t testing.TB, k *ecdsa.PrivateKey, chainID string, nonce, fee uint64, call types.Call) []byte {
	t.Helper()
	tx, err := types.NewTx(chainID, nonce, fee, call)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Sign(k); err != nil {
		t.Fatal(err)
	}
	b, err := tx.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type fixture struct {
	rt    *Runtime
	st    *chaintest.MemStore
	alice *ecdsa.PrivateKey
	bob   *ecdsa.PrivateKey
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	alice, bob := key(t, 1), key(t, 2)
	g := testGenesis(t, GenesisAccount{Address: addr(alice), Balance: 1000}, GenesisAccount{Address: addr(bob), Balance: 50})
	rt, err := NewRuntime(g)
	if err != nil {
		t.Fatal(err)
	}
	st := chaintest.NewMemStore()
	if err := rt.InitGenesis(st); err != nil {
		t.Fatal(err)
	}
	return &fixture{rt: rt, st: st, alice: alice, bob: bob}
}

func (f *fixture) apply(t *testing.T, txs ...[]byte) *BlockResult {
	t.Helper()
	res, err := f.rt.ApplyBlock(f.st, Header{ChainID: testChain, Height: 1}, txs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.rt.CheckInvariants(f.st); err != nil {
		t.Fatal(err)
	}
	return res
}

func (f *fixture) account(t *testing.T, k *ecdsa.PrivateKey) Account {
	t.Helper()
	a, err := ReadAccount(f.st, addr(k))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTransferSuccess(t *testing.T) {
	f := newFixture(t)
	res := f.apply(t, signed(t, f.alice, testChain, 0, 10, &types.Transfer{To: addr(f.bob), Amount: 100}))
	if rc := res.Receipts[0]; !rc.OK() || rc.Fee != 10 || rc.Signer != addr(f.alice) {
		t.Fatalf("receipt %+v", rc)
	}
	if a := f.account(t, f.alice); a.Balance != 890 || a.Nonce != 1 {
		t.Fatalf("alice %+v", a)
	}
	if b := f.account(t, f.bob); b.Balance != 150 || b.Nonce != 0 {
		t.Fatalf("bob %+v", b)
	}
	sup, _ := ReadSupply(f.st)
	if sup.Issuance != 1050 || sup.Burned != 10 {
		t.Fatalf("supply %+v", sup)
	}
}

// Admission failures leave no trace at all: no fee, no nonce.
func TestAdmissionFailuresLeaveNoTrace(t *testing.T) {
	f := newFixture(t)
	good := signed(t, f.alice, testChain, 0, 10, &types.Transfer{To: addr(f.bob), Amount: 1})
	badSig := bytes.Clone(good)
	badSig[len(badSig)-1] = 7 // recovery id out of range
	stranger := key(t, 3)
	for _, tc := range []struct {
		name string
		raw  []byte
		want *TxError
	}{
		{"garbage", []byte{1, 2, 3}, ErrMalformedTx},
		{"wrong chain", signed(t, f.alice, "other", 0, 10, &types.Transfer{To: addr(f.bob), Amount: 1}), ErrWrongChainID},
		{"reused nonce", signed(t, f.alice, testChain, 5, 10, &types.Transfer{To: addr(f.bob), Amount: 1}), ErrBadNonce},
		{"fee too low", signed(t, f.alice, testChain, 0, 9, &types.Transfer{To: addr(f.bob), Amount: 1}), ErrFeeTooLow},
		{"cannot pay fee", signed(t, stranger, testChain, 0, 10, &types.Transfer{To: addr(f.bob), Amount: 1}), ErrCannotPayFee},
		{"bad signature", badSig, ErrBadSignature},
	} {
		before := f.st.Dump()
		res := f.apply(t, tc.raw)
		rc := res.Receipts[0]
		if rc.Code != tc.want.Code {
			t.Errorf("%s: code %q (%s), want %q", tc.name, rc.Code, rc.Msg, tc.want.Code)
		}
		if after := f.st.Dump(); after != before {
			t.Errorf("%s: state changed", tc.name)
		}
	}
}

// Execution failures charge the fee and bump the nonce but revert the call.
func TestExecutionFailureChargesFeeOnly(t *testing.T) {
	f := newFixture(t)
	for i, tc := range []struct {
		name string
		call types.Call
		want *TxError
	}{
		{"overdraw", &types.Transfer{To: addr(f.bob), Amount: 10_000}, ErrInsufficientFunds},
		{"zero", &types.Transfer{To: addr(f.bob), Amount: 0}, ErrZeroAmount},
		{"self", &types.Transfer{To: addr(f.alice), Amount: 1}, ErrSelfTransfer},
		{"unknown call", &types.AddStake{Hotkey: addr(f.bob), Amount: 1}, ErrUnknownCall},
	} {
		before := f.account(t, f.alice)
		bob := f.account(t, f.bob)
		res := f.apply(t, signed(t, f.alice, testChain, uint64(i), 10, tc.call))
		rc := res.Receipts[0]
		if rc.Code != tc.want.Code || rc.Fee != 10 {
			t.Errorf("%s: receipt %+v, want code %q with fee", tc.name, rc, tc.want.Code)
		}
		after := f.account(t, f.alice)
		if after.Balance != before.Balance-10 || after.Nonce != before.Nonce+1 {
			t.Errorf("%s: alice %+v -> %+v", tc.name, before, after)
		}
		if f.account(t, f.bob) != bob {
			t.Errorf("%s: bob changed", tc.name)
		}
	}
}

func TestNoncesSequenceWithinBlock(t *testing.T) {
	f := newFixture(t)
	var txs [][]byte
	for n := range 5 {
		txs = append(txs, signed(t, f.alice, testChain, uint64(n), 10, &types.Transfer{To: addr(f.bob), Amount: 1}))
	}
	txs = append(txs, txs[2]) // a replay inside the block
	res := f.apply(t, txs...)
	for i := range 5 {
		if !res.Receipts[i].OK() {
			t.Fatalf("tx %d: %+v", i, res.Receipts[i])
		}
	}
	if res.Receipts[5].Code != ErrBadNonce.Code {
		t.Fatalf("replay: %+v", res.Receipts[5])
	}
	if a := f.account(t, f.alice); a.Nonce != 5 || a.Balance != 1000-5*11 {
		t.Fatalf("alice %+v", a)
	}
}

func TestGenesisValidation(t *testing.T) {
	a := key(t, 1)
	for _, tc := range []struct {
		name   string
		mutate func(g *Genesis)
	}{
		{"no chain id", func(g *Genesis) { g.ChainID = "" }},
		{"no authority", func(g *Genesis) { g.Authorities = nil }},
		{"bad authority key", func(g *Genesis) { g.Authorities[0].PubKey = "0x1234" }},
		{"zero power", func(g *Genesis) { g.Authorities[0].Power = 0 }},
		{"duplicate account", func(g *Genesis) { g.Accounts = append(g.Accounts, g.Accounts[0]) }},
		{"above cap", func(g *Genesis) { g.Accounts[0].Balance = U64(MaxSupply + 1) }},
	} {
		g := testGenesis(t, GenesisAccount{Address: addr(a), Balance: 1})
		tc.mutate(g)
		if err := g.Validate(); !errors.Is(err, ErrBadGenesis) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	if _, err := ParseGenesis([]byte(`{"chain_id":"x","unknown_field":1}`)); !errors.Is(err, ErrBadGenesis) {
		t.Errorf("unknown field accepted: %v", err)
	}
}

func TestMintRespectsCap(t *testing.T) {
	st := chaintest.NewMemStore()
	b := NewBank(st)
	if err := b.Mint(MaxSupply - 5); err != nil {
		t.Fatal(err)
	}
	if err := b.Mint(6); !errors.Is(err, ErrSupplyCap) {
		t.Fatalf("mint past cap: %v", err)
	}
	if err := b.Mint(5); err != nil {
		t.Fatal(err)
	}
	if iss, _ := b.Issuance(); iss != MaxSupply {
		t.Fatalf("issuance %d", iss)
	}
}

func TestInvariantCatchesLeak(t *testing.T) {
	f := newFixture(t)
	// Credit without minting: the invariant must notice.
	if err := NewBank(f.st).Credit(addr(f.bob), 1); err != nil {
		t.Fatal(err)
	}
	if err := f.rt.CheckInvariants(f.st); !errors.Is(err, ErrInvariant) {
		t.Fatalf("leak not detected: %v", err)
	}
}
