package node

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/mempool"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/state"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/types"
)

// backend implements rpc.Backend over a running node.
type backend struct {
	n *Node
}

var _ rpc.Backend = (*backend)(nil)

func notFound(format string, args ...any) error {
	return &rpc.Error{Code: rpc.CodeNotFound, Message: fmt.Sprintf(format, args...)}
}

func (b *backend) Head(context.Context) (rpc.Head, error) {
	h, ok := b.n.app.Head()
	if !ok {
		return rpc.Head{}, &rpc.Error{Code: rpc.CodeUnavailable, Message: "the chain has not started yet (no genesis applied)"}
	}
	head := rpc.Head{ChainID: b.n.ChainID(), Height: h.Height, FinalizedHeight: h.Height,
		BlockHash: hexBytes(h.BlockHash), AppHash: h.AppHash, Time: int64(h.Time)}
	if h.Height > 0 {
		rec, ok, err := readBlock(b.n.db, h.Height)
		if err != nil {
			return rpc.Head{}, err
		}
		if ok {
			head.NumTxs = len(rec.Txs)
		}
	}
	return head, nil
}

// hexBytes is the 0x-prefixed lowercase hex of the engine's block hash, the
// same form as every other hash in the API.
func hexBytes(b []byte) string { return "0x" + hex.EncodeToString(b) }

func (b *backend) Block(_ context.Context, height uint64) (rpc.Block, error) {
	rec, ok, err := readBlock(b.n.db, height)
	if err != nil {
		return rpc.Block{}, err
	}
	if !ok {
		return rpc.Block{}, notFound("no block at height %d", height)
	}
	out := rpc.Block{Head: headOf(b.n.ChainID(), &rec), Events: rec.Events, Txs: make([]rpc.TxInfo, len(rec.Txs))}
	for i := range rec.Txs {
		out.Txs[i] = rpc.TxInfo{Hash: rec.Receipts[i].TxHash, Height: rec.Height, Index: uint32(i),
			Raw: hex.EncodeToString(rec.Txs[i]), Receipt: rec.Receipts[i]}
	}
	return out, nil
}

func (b *backend) Tx(_ context.Context, hash types.Hash) (rpc.TxInfo, error) {
	v, err := b.n.db.Get(storage.Key(storage.PrefixTxIndex, hash[:]))
	if errors.Is(err, storage.ErrNotFound) {
		return rpc.TxInfo{}, notFound("transaction %s is not in a finalized block (yet)", hash.Hex())
	}
	if err != nil {
		return rpc.TxInfo{}, err
	}
	loc, err := decodeTxLocation(v)
	if err != nil {
		return rpc.TxInfo{}, err
	}
	rec, ok, err := readBlock(b.n.db, loc.Height)
	if err != nil {
		return rpc.TxInfo{}, err
	}
	if !ok || int(loc.Index) >= len(rec.Txs) {
		return rpc.TxInfo{}, fmt.Errorf("%w: tx index points at missing block %d", errCorrupt, loc.Height)
	}
	return rpc.TxInfo{Hash: hash, Height: loc.Height, Index: loc.Index, Raw: hex.EncodeToString(rec.Txs[loc.Index]), Receipt: rec.Receipts[loc.Index]}, nil
}

// stateAt returns a reader of the state after block height (nil: the last
// committed block) and that height.
func (b *backend) stateAt(height rpc.Height) (chain.Reader, uint64, error) {
	h, ok := b.n.app.Head()
	if !ok {
		return nil, 0, &rpc.Error{Code: rpc.CodeUnavailable, Message: "the chain has not started yet"}
	}
	at, root := h.Height, h.AppHash
	if height != nil && *height != h.Height {
		if *height > h.Height {
			return nil, 0, notFound("height %d is above the finalized head %d", *height, h.Height)
		}
		if *height == 0 {
			return nil, 0, notFound("state at height 0 is the genesis: query height 1 or later")
		}
		rec, ok, err := readBlock(b.n.db, *height)
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			return nil, 0, notFound("no block at height %d", *height)
		}
		at, root = rec.Height, rec.AppHash
	}
	r, err := state.NewReader(b.n.db, root)
	if err != nil {
		return nil, 0, fmt.Errorf("open state at height %d: %w", at, err)
	}
	return r, at, nil
}

func (b *backend) Account(_ context.Context, addr types.Address, height rpc.Height) (rpc.Account, error) {
	r, at, err := b.stateAt(height)
	if err != nil {
		return rpc.Account{}, err
	}
	acc, err := chain.ReadAccount(r, addr)
	if err != nil {
		return rpc.Account{}, err
	}
	return rpc.Account{Address: addr, Balance: chain.U64(acc.Balance), Nonce: acc.Nonce, Height: at}, nil
}

func (b *backend) Supply(_ context.Context, height rpc.Height) (rpc.Supply, error) {
	r, at, err := b.stateAt(height)
	if err != nil {
		return rpc.Supply{}, err
	}
	s, err := chain.ReadSupply(r)
	if err != nil {
		return rpc.Supply{}, err
	}
	return rpc.Supply{Issuance: chain.U64(s.Issuance), Burned: chain.U64(s.Burned), Cap: chain.U64(chain.MaxSupply), Height: at}, nil
}

func (b *backend) Genesis(context.Context) (*chain.Genesis, error) {
	return b.n.app.rt.Genesis(), nil
}

// Submit hands a transaction to the mempool (which runs CheckTx and gossips
// it) and optionally waits until a finalized block includes it.
func (b *backend) Submit(ctx context.Context, req rpc.SubmitRequest) (rpc.SubmitResult, error) {
	raw, err := hex.DecodeString(strings.TrimPrefix(req.Tx, "0x"))
	if err != nil {
		return rpc.SubmitResult{}, &rpc.Error{Code: rpc.CodeInvalidParams, Message: "tx is not hex: " + err.Error()}
	}
	if len(raw) > types.MaxTxSize {
		return rpc.SubmitResult{}, rejected(chain.ErrMalformedTx.With("transaction is %d bytes, limit %d", len(raw), types.MaxTxSize))
	}
	tx, err := types.DecodeTx(raw)
	if err != nil {
		if errors.Is(err, types.ErrBadSignature) {
			return rpc.SubmitResult{}, rejected(chain.ErrBadSignature.With("%v", err))
		}
		return rpc.SubmitResult{}, rejected(chain.ErrMalformedTx.With("%v", err))
	}
	hash := tx.Hash()
	wait := req.Wait
	if wait == "" {
		wait = rpc.WaitNone
	}
	var landed chan txLanded
	switch wait {
	case rpc.WaitNone:
	case rpc.WaitInclusion, rpc.WaitFinality:
		landed = b.n.app.hub.wait(hash)
		defer b.n.app.hub.cancel(hash, landed)
	default:
		return rpc.SubmitResult{}, &rpc.Error{Code: rpc.CodeInvalidParams, Message: fmt.Sprintf("wait %q: use none, inclusion or finality", wait)}
	}
	resCh := make(chan *abci.ResponseCheckTx, 1)
	err = b.n.cmt.Mempool().CheckTx(raw, func(r *abci.ResponseCheckTx) { resCh <- r }, mempool.TxInfo{})
	if err != nil {
		if errors.Is(err, mempool.ErrTxInCache) {
			return rpc.SubmitResult{}, rejected(chain.NewTxError("duplicate_tx", "the transaction is already in the mempool or was recently included"))
		}
		var full mempool.ErrMempoolIsFull
		if errors.As(err, &full) {
			return rpc.SubmitResult{}, &rpc.Error{Code: rpc.CodeUnavailable, Message: "mempool is full: retry in a few blocks"}
		}
		return rpc.SubmitResult{}, rejected(chain.ErrMalformedTx.With("%v", err))
	}
	select {
	case r := <-resCh:
		if r.Code != codeOK {
			return rpc.SubmitResult{}, rejected(&chain.TxError{Code: r.Info, Msg: r.Log})
		}
	case <-ctx.Done():
		return rpc.SubmitResult{}, &rpc.Error{Code: rpc.CodeTimeout, Message: "timed out waiting for mempool admission"}
	}
	if landed == nil {
		return rpc.SubmitResult{Hash: hash, Status: "pending"}, nil
	}
	timeout := 30 * time.Second
	if req.TimeoutMs > 0 {
		timeout = min(time.Duration(req.TimeoutMs)*time.Millisecond, 120*time.Second)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case l := <-landed:
		rc := l.receipt
		return rpc.SubmitResult{Hash: hash, Status: "included", Height: l.height, Receipt: &rc}, nil
	case <-t.C:
		return rpc.SubmitResult{}, &rpc.Error{Code: rpc.CodeTimeout, Message: fmt.Sprintf("transaction %s not included within %s; it may still land: check chain_tx", hash.Hex(), timeout)}
	case <-ctx.Done():
		return rpc.SubmitResult{}, &rpc.Error{Code: rpc.CodeTimeout, Message: fmt.Sprintf("request ended before transaction %s was included; check chain_tx", hash.Hex())}
	}
}

func rejected(te *chain.TxError) error {
	data, _ := json.Marshal(rpc.TxErrorData{Code: te.Code, RetryAt: te.RetryAt})
	return &rpc.Error{Code: rpc.CodeTxRejected, Message: te.Error(), Data: data}
}

func (b *backend) Health(context.Context) (rpc.Health, error) {
	h, _ := b.n.app.Head()
	peers := b.n.cmt.Switch().Peers().Size()
	catching := false
	if cs := b.n.cmt.ConsensusReactor(); cs != nil {
		catching = cs.WaitSync()
	}
	return rpc.Health{
		OK: b.n.cmt.IsRunning() && !catching, ChainID: b.n.ChainID(), Height: h.Height, CatchingUp: catching,
		Peers: peers, NodeID: string(b.n.cmt.NodeInfo().ID()), Moniker: b.n.cfg.Moniker,
	}, nil
}

func (b *backend) Peers(context.Context) ([]rpc.Peer, error) {
	var out []rpc.Peer
	for _, p := range b.n.cmt.Switch().Peers().Copy() {
		rp := rpc.Peer{ID: string(p.ID())}
		if a := p.SocketAddr(); a != nil {
			rp.Address = a.String()
		}
		out = append(out, rp)
	}
	return out, nil
}

func (b *backend) SubscribeHeads(ctx context.Context) (<-chan rpc.Head, error) {
	ch := b.n.app.hub.subscribe(64)
	go func() {
		<-ctx.Done()
		b.n.app.hub.unsubscribe(ch)
	}()
	return ch, nil
}

// StateAt implements rpc.StateBackend for module RPC methods.
func (b *backend) StateAt(_ context.Context, height rpc.Height) (chain.Reader, uint64, error) {
	return b.stateAt(height)
}
