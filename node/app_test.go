package node

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/types"
)

// appFixture drives the ABCI application directly over an in-memory store,
// as CometBFT would, without the engine.
type appFixture struct {
	t   *testing.T
	db  *storage.MemDB
	app *App
	g   *chain.Genesis
}

func newAppFixture(t *testing.T, accounts ...chain.GenesisAccount) *appFixture {
	t.Helper()
	auth, _ := crypto.GenerateKey()
	g := &chain.Genesis{ChainID: "app-test", GenesisTime: "2026-01-01T00:00:00Z", Params: chain.Params{MinFee: 1000},
		Accounts:    accounts,
		Authorities: []chain.Authority{{Name: "a", PubKey: "0x" + hex.EncodeToString(crypto.CompressPubkey(&auth.PublicKey)), Power: 1}}}
	db := storage.NewMemDB()
	app, err := NewApp(db, g, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.InitChain(context.Background(), &abci.RequestInitChain{ChainId: g.ChainID, Time: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	return &appFixture{t: t, db: db, app: app, g: g}
}

func (f *appFixture) finalize(height int64, txs ...[]byte) *abci.ResponseFinalizeBlock {
	f.t.Helper()
	res, err := f.app.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{
		Height: height, Time: time.Unix(height, 0), Txs: txs, Hash: []byte{byte(height)}})
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *appFixture) commit() {
	f.t.Helper()
	if _, err := f.app.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *appFixture) txLocation(h types.Hash) (txLocation, bool) {
	f.t.Helper()
	v, err := f.db.Get(storage.Key(storage.PrefixTxIndex, h[:]))
	if err != nil {
		return txLocation{}, false
	}
	loc, err := decodeTxLocation(v)
	if err != nil {
		f.t.Fatal(err)
	}
	return loc, true
}

// TestTxIndexIgnoresReincludedBytes: a proposer may include a transaction's
// bytes again after it landed; the second copy fails admission (bad nonce)
// and must not replace the index entry of the real inclusion.
func TestTxIndexIgnoresReincludedBytes(t *testing.T) {
	k, _ := crypto.GenerateKey()
	f := newAppFixture(t, chain.GenesisAccount{Address: crypto.PubkeyToAddress(k.PublicKey), Balance: 1_000_000})
	raw := mustDecodeHex(t, signTransfer(t, k, f.g.ChainID, 0, types.Address{9}, 5))
	tx, _ := types.DecodeTx(raw)
	f.finalize(1, raw)
	f.commit()
	res := f.finalize(2, raw)
	f.commit()
	if res.TxResults[0].Code == codeOK || res.TxResults[0].Info != chain.ErrBadNonce.Code {
		t.Fatalf("re-included copy: %+v", res.TxResults[0])
	}
	loc, ok := f.txLocation(tx.Hash())
	if !ok || loc.Height != 1 {
		t.Fatalf("tx index %+v %v, want height 1", loc, ok)
	}
	// A transaction that never was admitted is not indexed at all.
	bad := mustDecodeHex(t, signTransfer(t, k, f.g.ChainID, 7, types.Address{9}, 5))
	btx, _ := types.DecodeTx(bad)
	f.finalize(3, bad)
	f.commit()
	if _, ok := f.txLocation(btx.Hash()); ok {
		t.Fatal("a transaction that failed admission was indexed")
	}
}

// TestFinalizeReplayAfterCrash: FinalizeBlock run again for the same height
// (a crash between FinalizeBlock and Commit) gives the same app hash, and
// nothing of the first run leaks.
func TestFinalizeReplayAfterCrash(t *testing.T) {
	k, _ := crypto.GenerateKey()
	f := newAppFixture(t, chain.GenesisAccount{Address: crypto.PubkeyToAddress(k.PublicKey), Balance: 1_000_000})
	raw := mustDecodeHex(t, signTransfer(t, k, f.g.ChainID, 0, types.Address{9}, 5))
	first := f.finalize(1, raw)
	again := f.finalize(1, raw)
	if string(first.AppHash) != string(again.AppHash) {
		t.Fatalf("replayed block has another app hash: %x vs %x", first.AppHash, again.AppHash)
	}
	if again.TxResults[0].Code != codeOK {
		t.Fatalf("replayed tx failed: %+v (the first run leaked its nonce)", again.TxResults[0])
	}
	f.commit()
	h, _ := f.app.Head()
	if h.Height != 1 || string(h.AppHash[:]) != string(first.AppHash) {
		t.Fatalf("head %+v", h)
	}
	// A restart on the same database reopens at the committed head and
	// InitChain is a no-op.
	app2, err := NewApp(f.db, f.g, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := app2.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != 1 || string(info.LastBlockAppHash) != string(first.AppHash) {
		t.Fatalf("info after restart %+v", info)
	}
	ic, err := app2.InitChain(context.Background(), &abci.RequestInitChain{ChainId: f.g.ChainID})
	if err != nil || string(ic.AppHash) != string(first.AppHash) {
		t.Fatalf("InitChain after restart: %v %x", err, ic.AppHash)
	}
}

func mustDecodeHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
