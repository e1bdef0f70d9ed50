package node

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/state"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/types"
)

// ABCI result codes. Every failure carries its named chain error code in
// Info and the human message in Log; the numeric code only separates
// success from failure.
const (
	codeOK     uint32 = 0
	codeFailed uint32 = 1
	codespace         = "yuma"
)

// App is the ABCI++ application: it feeds CometBFT's decided blocks to the
// chain runtime and persists each block, its state and the head marker in
// one atomic batch at Commit.
//
// CometBFT's local client serializes all ABCI calls, so the consensus
// methods never run concurrently with each other or with CheckTx. RPC
// readers run concurrently and synchronize through mu.
type App struct {
	abci.BaseApplication

	log     *slog.Logger
	metrics *Metrics
	db      storage.DB
	rt      *chain.Runtime
	genHash types.Hash

	st      *state.State // working state, owned by the ABCI goroutine
	pending *pendingBlock
	check   *checkState
	senders *lru.Cache[types.Hash, types.Address]

	mu   sync.RWMutex // guards head
	head headRecord
	has  bool // head is valid (genesis applied)

	hub *hub
}

type pendingBlock struct {
	batch  storage.Batch
	head   headRecord
	record blockRecord
	start  time.Time
}

// NewApp opens the application over db for genesis g. If db already holds a
// chain, it must be the same chain.
func NewApp(db storage.DB, g *chain.Genesis, modules []chain.Module, logger *slog.Logger, m *Metrics) (*App, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if m == nil {
		m = NopMetrics()
	}
	rt, err := chain.NewRuntime(g, modules...)
	if err != nil {
		return nil, err
	}
	gh, err := g.Hash()
	if err != nil {
		return nil, err
	}
	head, has, err := readHead(db)
	if err != nil {
		return nil, err
	}
	if has && head.GenesisHash != gh {
		return nil, fmt.Errorf("node: the database holds chain with genesis %s, but the genesis file is %s: use a fresh home or the matching genesis", head.GenesisHash.Hex(), gh.Hex())
	}
	root := state.EmptyRoot
	if has {
		root = head.AppHash
	}
	st, err := state.Open(db, root)
	if err != nil {
		return nil, fmt.Errorf("node: open state at %s: %w", root.Hex(), err)
	}
	senders, _ := lru.New[types.Hash, types.Address](1 << 17)
	a := &App{
		log: logger, metrics: m, db: db, rt: rt, genHash: gh,
		st: st, head: head, has: has, senders: senders, hub: newHub(),
	}
	a.hub.chainID = g.ChainID
	a.check = newCheckState(a)
	if has {
		m.Height.Set(float64(head.Height))
	}
	return a, nil
}

// Runtime returns the chain runtime.
func (a *App) Runtime() *chain.Runtime { return a.rt }

// Head returns the last committed block's head marker.
func (a *App) Head() (headRecord, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.head, a.has
}

// Info tells CometBFT where the application is, so it can replay missing
// blocks after a restart.
func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	h, has := a.Head()
	res := &abci.ResponseInfo{Data: "yuma", Version: "1", AppVersion: 1}
	if has {
		res.LastBlockHeight = int64(h.Height)
		if h.Height > 0 {
			res.LastBlockAppHash = h.AppHash[:]
		}
	}
	return res, nil
}

// InitChain writes the genesis state. It is idempotent: CometBFT calls it
// again after a restart that happened before the first block committed.
func (a *App) InitChain(_ context.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	g := a.rt.Genesis()
	if req.ChainId != g.ChainID {
		return nil, fmt.Errorf("node: InitChain for chain %q, app genesis is %q", req.ChainId, g.ChainID)
	}
	if len(req.AppStateBytes) > 0 {
		other, err := chain.ParseGenesis(req.AppStateBytes)
		if err != nil {
			return nil, fmt.Errorf("node: app_state of the genesis file: %w", err)
		}
		oh, err := other.Hash()
		if err != nil || oh != a.genHash {
			return nil, fmt.Errorf("node: app_state in the BFT genesis differs from the app genesis")
		}
	}
	if h, has := a.Head(); has {
		return &abci.ResponseInitChain{AppHash: h.AppHash[:]}, nil
	}
	if err := a.rt.InitGenesis(a.st); err != nil {
		a.st.Discard()
		return nil, fmt.Errorf("node: genesis: %w", err)
	}
	batch := a.db.NewBatch()
	defer batch.Close()
	root, err := a.st.Commit(batch)
	if err != nil {
		return nil, fmt.Errorf("node: commit genesis: %w", err)
	}
	head := headRecord{Version: recordVersion, Height: 0, AppHash: root, Time: unixMilli(req.Time), GenesisHash: a.genHash}
	if err := batch.Set(storage.KeyHead, encodeRecord(&head)); err != nil {
		return nil, err
	}
	if err := batch.Write(); err != nil {
		a.st.Discard()
		return nil, fmt.Errorf("node: write genesis: %w", err)
	}
	a.st.MarkWritten()
	a.setHead(head)
	a.log.Info("genesis applied", "chain_id", g.ChainID, "app_hash", root.Hex())
	return &abci.ResponseInitChain{AppHash: root[:]}, nil
}

func (a *App) setHead(h headRecord) {
	a.mu.Lock()
	a.head, a.has = h, true
	a.mu.Unlock()
}

// CheckTx admits a transaction to the mempool: it must decode, verify, be
// for this chain, carry the next nonce of its sender (counting the sender's
// transactions already in the mempool) and be affordable.
func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	err := a.check.admit(req.Tx)
	if err != nil {
		a.metrics.CheckTxRejected.Inc()
		code, msg := txErrorParts(err)
		return &abci.ResponseCheckTx{Code: codeFailed, Codespace: codespace, Info: code, Log: msg}, nil
	}
	return &abci.ResponseCheckTx{Code: codeOK}, nil
}

// txErrorParts splits a transaction error into its code and message.
func txErrorParts(err error) (code, msg string) {
	var te *chain.TxError
	if errors.As(err, &te) {
		return te.Code, te.Msg
	}
	return "internal", err.Error()
}

// PrepareProposal keeps the mempool's transactions in order within the
// byte budget. Transactions that turn out invalid when the block executes
// become failed receipts without state changes, so the proposer need not
// re-verify them here.
func (a *App) PrepareProposal(_ context.Context, req *abci.RequestPrepareProposal) (*abci.ResponsePrepareProposal, error) {
	txs := make([][]byte, 0, len(req.Txs))
	var size int64
	for _, tx := range req.Txs {
		size += int64(len(tx))
		if size > req.MaxTxBytes {
			break
		}
		txs = append(txs, tx)
	}
	return &abci.ResponsePrepareProposal{Txs: txs}, nil
}

// ProcessProposal accepts every proposal: any sequence of byte strings is a
// valid block body, because invalid transactions only yield failed receipts.
func (a *App) ProcessProposal(context.Context, *abci.RequestProcessProposal) (*abci.ResponseProcessProposal, error) {
	return &abci.ResponseProcessProposal{Status: abci.ResponseProcessProposal_ACCEPT}, nil
}

// FinalizeBlock executes a decided block and computes its state root. The
// writes wait in a batch until Commit.
func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	start := time.Now()
	if a.pending != nil {
		// A replay after a crash between FinalizeBlock and Commit: drop the
		// half-finished block and run it again.
		a.pending.batch.Close()
		a.pending = nil
		a.st.Discard()
	}
	if req.Height <= 0 {
		return nil, fmt.Errorf("node: FinalizeBlock at height %d", req.Height)
	}
	g := a.rt.Genesis()
	hdr := chain.Header{ChainID: g.ChainID, Height: uint64(req.Height), Time: req.Time.UnixMilli()}
	a.preverify(req.Txs)
	res, err := a.rt.ApplyBlock(a.st, hdr, req.Txs, senderCache{a.senders})
	if err != nil {
		a.st.Discard()
		return nil, fmt.Errorf("node: apply block %d: %w", req.Height, err)
	}
	batch := a.db.NewBatch()
	root, err := a.st.Commit(batch)
	if err != nil {
		batch.Close()
		return nil, fmt.Errorf("node: commit state of block %d: %w", req.Height, err)
	}
	rec := blockRecord{
		Version: recordVersion, Height: hdr.Height, Time: uint64(hdr.Time), BlockHash: req.Hash,
		Proposer: req.ProposerAddress, AppHash: root, Txs: req.Txs, Receipts: res.Receipts, Events: res.Events,
	}
	head := headRecord{Version: recordVersion, Height: hdr.Height, AppHash: root, BlockHash: req.Hash, Time: uint64(hdr.Time), GenesisHash: a.genHash}
	if err := a.stageBlock(batch, &rec, &head); err != nil {
		batch.Close()
		return nil, err
	}
	a.pending = &pendingBlock{batch: batch, head: head, record: rec, start: start}

	out := &abci.ResponseFinalizeBlock{AppHash: root[:], TxResults: make([]*abci.ExecTxResult, len(res.Receipts))}
	for i := range res.Receipts {
		rc := &res.Receipts[i]
		r := &abci.ExecTxResult{Code: codeOK}
		if !rc.OK() {
			r.Code, r.Codespace, r.Info, r.Log = codeFailed, codespace, rc.Code, rc.Msg
		}
		out.TxResults[i] = r
	}
	return out, nil
}

func (a *App) stageBlock(batch storage.Batch, rec *blockRecord, head *headRecord) error {
	if err := batch.Set(heightKey(storage.PrefixBlock, rec.Height), encodeRecord(rec)); err != nil {
		return err
	}
	for i, rc := range rec.Receipts {
		// Undecodable bytes have no hash; transactions that were not
		// admitted left no trace, and indexing them would let a proposer
		// that re-includes old bytes shadow the real inclusion.
		if rc.TxHash == (types.Hash{}) || !rc.Charged() {
			continue
		}
		loc := txLocation{Height: rec.Height, Index: uint32(i)}
		if err := batch.Set(storage.Key(storage.PrefixTxIndex, rc.TxHash[:]), encodeRecord(&loc)); err != nil {
			return err
		}
	}
	return batch.Set(storage.KeyHead, encodeRecord(head))
}

// Commit makes the finalized block durable: state, block record, tx index
// and head marker land in one synced batch.
func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	p := a.pending
	if p == nil {
		return nil, errors.New("node: Commit without a finalized block")
	}
	a.pending = nil
	if err := p.batch.Write(); err != nil {
		p.batch.Close()
		a.st.Discard()
		return nil, fmt.Errorf("node: write block %d: %w", p.head.Height, err)
	}
	p.batch.Close()
	a.st.MarkWritten()
	a.setHead(p.head)
	a.check.reset()

	failed := 0
	for i := range p.record.Receipts {
		if !p.record.Receipts[i].OK() {
			failed++
		}
	}
	a.metrics.Height.Set(float64(p.head.Height))
	a.metrics.Txs.Add(float64(len(p.record.Txs)))
	a.metrics.TxsFailed.Add(float64(failed))
	a.metrics.BlockApply.Observe(time.Since(p.start).Seconds())
	a.hub.publish(&p.record)
	return &abci.ResponseCommit{}, nil
}

// preverify recovers the signers of the block's transactions that the
// mempool has not seen, in parallel, so the sequential state transition
// finds them cached. It never changes what the state transition decides:
// the cache maps a transaction hash to the signer tx.Sender returns.
func (a *App) preverify(txs [][]byte) {
	var todo []*types.Tx
	for _, raw := range txs {
		tx, err := types.DecodeTx(raw)
		if err != nil {
			continue
		}
		if _, ok := a.senders.Get(tx.Hash()); !ok {
			todo = append(todo, tx)
		}
	}
	if len(todo) < 8 {
		return
	}
	workers := min(runtime.GOMAXPROCS(0), len(todo))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(todo); i += workers {
				if from, err := todo[i].Sender(); err == nil {
					a.senders.Add(todo[i].Hash(), from)
				}
			}
		}(w)
	}
	wg.Wait()
}

// senderCache is the chain.SenderVerifier backed by signatures recovered at
// mempool admission.
type senderCache struct {
	c *lru.Cache[types.Hash, types.Address]
}

func (s senderCache) Sender(tx *types.Tx) (types.Address, error) {
	h := tx.Hash()
	if from, ok := s.c.Get(h); ok {
		return from, nil
	}
	from, err := tx.Sender()
	if err == nil {
		s.c.Add(h, from)
	}
	return from, err
}

// genesisFromAppState parses the app genesis embedded in a BFT genesis.
func genesisFromAppState(appState json.RawMessage) (*chain.Genesis, error) {
	if len(bytes.TrimSpace(appState)) == 0 {
		return nil, errors.New("node: the genesis file has no app_state")
	}
	return chain.ParseGenesis(appState)
}
