package chainview

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
)

// fakeChain is an rpc.Backend whose mempool and blocks a test scripts:
// onSubmit decides what happens to each submitted transaction.
type fakeChain struct {
	mu       sync.Mutex
	nonce    uint64                    // the account's committed nonce
	included map[types.Hash]rpc.TxInfo // chain_tx answers
	submits  []*types.Tx               // every transaction submitted, in order
	onSubmit func(tx *types.Tx) error  // nil error: admitted
	height   uint64
}

func (f *fakeChain) Head(context.Context) (rpc.Head, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return rpc.Head{ChainID: "fake", Height: f.height}, nil
}
func (f *fakeChain) Block(context.Context, uint64) (rpc.Block, error) { return rpc.Block{}, nil }
func (f *fakeChain) Tx(_ context.Context, h types.Hash) (rpc.TxInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if info, ok := f.included[h]; ok {
		return info, nil
	}
	return rpc.TxInfo{}, &rpc.Error{Code: rpc.CodeNotFound, Message: "not in a block"}
}
func (f *fakeChain) Account(_ context.Context, a types.Address, _ rpc.Height) (rpc.Account, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return rpc.Account{Address: a, Nonce: f.nonce}, nil
}
func (f *fakeChain) Supply(context.Context, rpc.Height) (rpc.Supply, error) { return rpc.Supply{}, nil }
func (f *fakeChain) Genesis(context.Context) (*chain.Genesis, error) {
	return &chain.Genesis{ChainID: "fake", Params: chain.Params{MinFee: 7}}, nil
}
func (f *fakeChain) Submit(_ context.Context, req rpc.SubmitRequest) (rpc.SubmitResult, error) {
	raw, err := hex.DecodeString(req.Tx)
	if err != nil {
		return rpc.SubmitResult{}, err
	}
	tx, err := types.DecodeTx(raw)
	if err != nil {
		return rpc.SubmitResult{}, err
	}
	f.mu.Lock()
	f.submits = append(f.submits, tx)
	f.mu.Unlock()
	if err := f.onSubmit(tx); err != nil {
		return rpc.SubmitResult{}, err
	}
	return rpc.SubmitResult{Hash: tx.Hash(), Status: "pending"}, nil
}
func (f *fakeChain) Health(context.Context) (rpc.Health, error) { return rpc.Health{}, nil }
func (f *fakeChain) Peers(context.Context) ([]rpc.Peer, error)  { return nil, nil }
func (f *fakeChain) SubscribeHeads(ctx context.Context) (<-chan rpc.Head, error) {
	return nil, errors.New("no subscriptions")
}

// include puts tx in block height with receipt rc and commits its nonce.
func (f *fakeChain) include(tx *types.Tx, height uint64, rc chain.Receipt) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rc.TxHash = tx.Hash()
	f.included[tx.Hash()] = rpc.TxInfo{Hash: tx.Hash(), Height: height, Receipt: rc}
	f.nonce = max(f.nonce, tx.Nonce+1)
	f.height = max(f.height, height)
}

func rejectErr(te *chain.TxError) error {
	data, _ := json.Marshal(rpc.TxErrorData{Code: te.Code, RetryAt: te.RetryAt})
	return &rpc.Error{Code: rpc.CodeTxRejected, Message: te.Error(), Data: data}
}

func newFake(t *testing.T) (*fakeChain, *rpc.Client) {
	t.Helper()
	f := &fakeChain{included: map[types.Hash]rpc.TxInfo{}}
	srv, err := rpc.NewServer(rpc.DefaultConfig(), f, nil, rpc.NopMetrics())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	cl, err := rpc.Dial(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	return f, cl
}

func fastConfig() Config {
	return Config{PollInterval: 5 * time.Millisecond, InclusionTimeout: 2 * time.Second}
}

// A transaction admitted to the mempool whose nonce another transaction
// of the same key then takes (another node's mempool won) never lands: the
// signer notices the account's nonce passing it, and resends with a fresh
// nonce.
func TestSubmitResendsWhenItsNonceIsTaken(t *testing.T) {
	f, cl := newFake(t)
	f.onSubmit = func(tx *types.Tx) error {
		if tx.Nonce == 0 {
			// Admitted, but another transaction with nonce 0 lands instead.
			go func() {
				time.Sleep(20 * time.Millisecond)
				f.mu.Lock()
				f.nonce, f.height = 1, 5
				f.mu.Unlock()
			}()
			return nil
		}
		go f.include(tx, 6, chain.Receipt{Kind: tx.Kind})
		return nil
	}
	s := NewSigner(cl, mustKey(t, 1), fastConfig())
	res, err := s.Submit(context.Background(), &types.Transfer{Amount: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Nonce != 1 || res.Height != 6 || len(f.submits) != 2 || f.submits[0].Nonce != 0 || f.submits[1].Nonce != 1 {
		t.Fatalf("result %+v after submits %d", res, len(f.submits))
	}
	if f.submits[0].Fee != 7 || f.submits[0].ChainID != "fake" {
		t.Fatalf("fee %d chain %q: want the genesis min fee and chain id", f.submits[0].Fee, f.submits[0].ChainID)
	}
	// The cache moved on: the next transaction needs no account read.
	f.onSubmit = func(tx *types.Tx) error { go f.include(tx, 7, chain.Receipt{Kind: tx.Kind}); return nil }
	if res, err := s.Submit(context.Background(), &types.Transfer{Amount: 2}); err != nil || res.Nonce != 2 {
		t.Fatalf("next: %+v %v", res, err)
	}
}

// bad_nonce at admission and in a receipt both make the signer reread the
// nonce; other refusals and failed receipts come back as *TxError at once.
func TestSubmitErrors(t *testing.T) {
	f, cl := newFake(t)
	f.nonce = 3 // another process used nonces 0..2: the cache starts stale
	s := NewSigner(cl, mustKey(t, 1), fastConfig())
	s.mu.Lock()
	s.nonce, s.haveNonce = 1, true
	s.mu.Unlock()
	f.onSubmit = func(tx *types.Tx) error {
		f.mu.Lock()
		want := f.nonce
		f.mu.Unlock()
		if tx.Nonce != want {
			return rejectErr(chain.ErrBadNonce.With("nonce %d, account expects %d", tx.Nonce, want))
		}
		go f.include(tx, 10, chain.Receipt{Kind: tx.Kind})
		return nil
	}
	if res, err := s.Submit(context.Background(), &types.Transfer{Amount: 1}); err != nil || res.Nonce != 3 {
		t.Fatalf("stale cache: %+v %v", res, err)
	}

	// A receipt that failed with bad_nonce: resent.
	n := 0
	f.onSubmit = func(tx *types.Tx) error {
		n++
		rc := chain.Receipt{Kind: tx.Kind}
		if n == 1 {
			rc.Code, rc.Msg = chain.ErrBadNonce.Code, "raced"
		}
		go f.include(tx, 11, rc)
		return nil
	}
	if res, err := s.Submit(context.Background(), &types.Transfer{Amount: 2}); err != nil || n != 2 {
		t.Fatalf("bad_nonce receipt: %+v %v after %d submits", res, err, n)
	}

	// A failed receipt with retry_at.
	f.onSubmit = func(tx *types.Tx) error {
		go f.include(tx, 12, chain.Receipt{Kind: tx.Kind, Code: "weights_rate_limited", Msg: "too soon", RetryAt: 20})
		return nil
	}
	_, err := s.Submit(context.Background(), &types.SetWeights{NetUID: 1})
	var te *TxError
	if !errors.As(err, &te) || te.Height != 12 || te.RetryAt != 20 || te.Message != "too soon" || !errors.Is(err, ErrTxFailed) {
		t.Fatalf("failed receipt: %v", err)
	}

	// A refusal at admission, with retry_at: no resend.
	before := len(f.submits)
	f.onSubmit = func(*types.Tx) error {
		return rejectErr(chain.NewTxError("serving_rate_limited", "x").RetryAfter(30, "served at block 25"))
	}
	_, err = s.Submit(context.Background(), &types.ServeAxon{NetUID: 1, IP: []byte{1, 2, 3, 4}, IPType: 4, Port: 1})
	if !errors.As(err, &te) || te.Included() || te.RetryAt != 30 || te.Message != "served at block 25" || len(f.submits) != before+1 {
		t.Fatalf("refusal: %v (%d submits)", err, len(f.submits)-before)
	}

	// Never included: ErrNotIncluded after the timeout.
	f.onSubmit = func(*types.Tx) error { return nil }
	s.cfg.InclusionTimeout = 100 * time.Millisecond
	if _, err := s.Submit(context.Background(), &types.Transfer{Amount: 3}); !errors.Is(err, ErrNotIncluded) {
		t.Fatalf("never included: %v", err)
	}

	// bad_nonce forever: gives up after NonceRetries resends.
	before = len(f.submits)
	f.onSubmit = func(tx *types.Tx) error { return rejectErr(chain.ErrBadNonce.With("always")) }
	s.cfg.NonceRetries = 3
	if _, err := s.Submit(context.Background(), &types.Transfer{Amount: 4}); !errors.Is(err, chain.ErrBadNonce) || len(f.submits)-before != 4 {
		t.Fatalf("endless bad_nonce: %v after %d submits", err, len(f.submits)-before)
	}
}

// A node that cannot be reached while submitting leaves the nonce unknown:
// the next transaction reads it from the chain again.
func TestSubmitRereadsNonceAfterTransportFailure(t *testing.T) {
	f, cl := newFake(t)
	s := NewSigner(cl, mustKey(t, 1), fastConfig())
	f.onSubmit = func(tx *types.Tx) error { go f.include(tx, 1, chain.Receipt{Kind: tx.Kind}); return nil }
	if _, err := s.Submit(context.Background(), &types.Transfer{Amount: 1}); err != nil {
		t.Fatal(err)
	}
	f.onSubmit = func(*types.Tx) error { return fmt.Errorf("disk on fire") } // an internal error: the node may or may not have it
	if _, err := s.Submit(context.Background(), &types.Transfer{Amount: 2}); err == nil {
		t.Fatal("internal error not returned")
	}
	s.mu.Lock()
	have := s.haveNonce
	s.mu.Unlock()
	if have {
		t.Fatal("nonce still cached after an unknown outcome")
	}
}
