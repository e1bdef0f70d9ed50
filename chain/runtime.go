package chain

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/yumachain/yuma/types"
)

// Receipt is the outcome of one transaction in a block.
type Receipt struct {
	TxHash types.Hash     `json:"tx_hash"`
	Signer types.Address  `json:"signer"`
	Kind   types.CallKind `json:"kind"`
	Nonce  uint64         `json:"nonce"`
	Fee    uint64         `json:"fee"`
	// Code is empty on success, else the TxError code.
	Code    string  `json:"code,omitempty"`
	Msg     string  `json:"msg,omitempty"`
	RetryAt uint64  `json:"retry_at,omitempty"`
	Events  []Event `json:"events,omitempty" rlp:"tail"`
}

// OK reports whether the transaction succeeded.
func (r *Receipt) OK() bool { return r.Code == "" }

// Charged reports whether the transaction was admitted: its fee was paid
// and its nonce used, whether or not its call succeeded. A transaction
// that was not admitted left no trace in state; the same bytes may appear
// again in a later block (a proposer may include anything), so only
// charged receipts identify a transaction's one effective inclusion.
func (r *Receipt) Charged() bool { return r.Code == "" || !IsAdmissionCode(r.Code) }

// BlockResult is the outcome of ApplyBlock.
type BlockResult struct {
	Receipts []Receipt
	// Events were emitted by the modules' BeginBlock (emission, epochs).
	Events []Event
}

// SenderVerifier recovers a transaction's signer. The node may supply one
// that caches recoveries done at mempool admission; the result must be what
// tx.Sender returns.
type SenderVerifier interface {
	Sender(tx *types.Tx) (types.Address, error)
}

type plainVerifier struct{}

func (plainVerifier) Sender(tx *types.Tx) (types.Address, error) { return tx.Sender() }

// Runtime is the state transition function: genesis, transaction admission
// and block application over a Store.
type Runtime struct {
	genesis *Genesis
	modules []Module
}

// NewRuntime returns the state transition for genesis g with the given
// modules (beside the built-in account module).
func NewRuntime(g *Genesis, modules ...Module) (*Runtime, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, m := range modules {
		if names[m.Name()] {
			return nil, fmt.Errorf("chain: module %q registered twice", m.Name())
		}
		names[m.Name()] = true
	}
	for name := range g.Modules {
		if !names[name] {
			return nil, fmt.Errorf("%w: genesis has a section for unknown module %q", ErrBadGenesis, name)
		}
	}
	return &Runtime{genesis: g, modules: modules}, nil
}

// Genesis returns the chain's genesis.
func (rt *Runtime) Genesis() *Genesis { return rt.genesis }

// InitGenesis writes the genesis state into an empty store.
func (rt *Runtime) InitGenesis(st Store) error {
	bank := NewBank(st)
	var total uint64
	for _, acc := range rt.genesis.sortedAccounts() {
		if err := bank.Credit(acc.Address, uint64(acc.Balance)); err != nil {
			return err
		}
		total += uint64(acc.Balance)
	}
	if err := bank.Mint(total); err != nil {
		return err
	}
	ctx := &Context{Header: Header{ChainID: rt.genesis.ChainID}, Store: st, Bank: bank, Genesis: rt.genesis}
	for _, m := range rt.modules {
		if err := m.InitGenesis(ctx, rt.genesis.Modules[m.Name()]); err != nil {
			return fmt.Errorf("genesis of module %s: %w", m.Name(), err)
		}
	}
	return rt.CheckInvariants(st)
}

// Admit decodes raw and checks what a transaction needs to be charged: its
// encoding, signature, chain id, nonce (which must equal the account's next
// nonce) and fee. It does not write. It is what the mempool runs and the
// first step of applying a transaction.
func (rt *Runtime) Admit(r Reader, raw []byte, v SenderVerifier) (*types.Tx, types.Address, error) {
	tx, err := types.DecodeTx(raw)
	if err != nil {
		if errors.Is(err, types.ErrBadSignature) {
			return nil, types.Address{}, ErrBadSignature.With("%v", err)
		}
		return nil, types.Address{}, ErrMalformedTx.With("%v", err)
	}
	if tx.ChainID != rt.genesis.ChainID {
		return tx, types.Address{}, ErrWrongChainID.With("transaction chain id %q, this chain is %q", tx.ChainID, rt.genesis.ChainID)
	}
	if v == nil {
		v = plainVerifier{}
	}
	from, err := v.Sender(tx)
	if err != nil {
		return tx, types.Address{}, ErrBadSignature.With("%v", err)
	}
	if tx.Fee < uint64(rt.genesis.Params.MinFee) {
		return tx, from, ErrFeeTooLow.With("fee %d rao, minimum %d rao", tx.Fee, uint64(rt.genesis.Params.MinFee))
	}
	acc, err := ReadAccount(r, from)
	if err != nil {
		return tx, from, err
	}
	if tx.Nonce != acc.Nonce {
		return tx, from, ErrBadNonce.With("nonce %d, account %s expects %d", tx.Nonce, from.Hex(), acc.Nonce)
	}
	if acc.Balance < tx.Fee {
		return tx, from, ErrCannotPayFee.With("balance %d rao, fee %d rao", acc.Balance, tx.Fee)
	}
	return tx, from, nil
}

// ApplyBlock runs the modules' BeginBlock and then every transaction in
// order. Transactions that cannot be admitted get a receipt and leave no
// trace; admitted ones pay their fee (burned) and bump the nonce, and their
// call's writes are reverted if the call fails. The returned error is not a
// transaction failure: it means storage failed or an invariant broke, and
// the node must halt.
func (rt *Runtime) ApplyBlock(st Store, h Header, txs [][]byte, v SenderVerifier) (*BlockResult, error) {
	if h.ChainID != rt.genesis.ChainID {
		return nil, fmt.Errorf("chain: block for chain %q applied to %q", h.ChainID, rt.genesis.ChainID)
	}
	res := &BlockResult{Receipts: make([]Receipt, 0, len(txs))}
	ctx := &Context{Header: h, Store: st, Bank: NewBank(st), Genesis: rt.genesis, Events: &res.Events}
	for _, m := range rt.modules {
		if err := m.BeginBlock(ctx); err != nil {
			return nil, fmt.Errorf("begin block %d, module %s: %w", h.Height, m.Name(), err)
		}
	}
	for _, raw := range txs {
		rc, err := rt.applyTx(st, h, raw, v)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", h.Height, err)
		}
		res.Receipts = append(res.Receipts, rc)
	}
	return res, nil
}

func (rt *Runtime) applyTx(st Store, h Header, raw []byte, v SenderVerifier) (Receipt, error) {
	var rc Receipt
	tx, from, err := rt.Admit(st, raw, v)
	if tx != nil {
		rc.TxHash, rc.Kind, rc.Nonce, rc.Signer = tx.Hash(), tx.Kind, tx.Nonce, from
	}
	if err != nil {
		return rc, failReceipt(&rc, err)
	}
	bank := NewBank(st)
	if err := bank.Burn(from, tx.Fee); err != nil {
		return rc, err
	}
	if err := bank.IncrementNonce(from); err != nil {
		return rc, err
	}
	rc.Fee = tx.Fee
	snap := st.Snapshot()
	ctx := &Context{Header: h, Store: st, Bank: bank, Genesis: rt.genesis, Events: &rc.Events}
	if err := rt.execute(ctx, from, tx); err != nil {
		st.RevertToSnapshot(snap)
		rc.Events = nil
		return rc, failReceipt(&rc, err)
	}
	return rc, nil
}

// failReceipt records a transaction error in rc and returns nil, or returns
// err itself when it is not a transaction error (a halt).
func failReceipt(rc *Receipt, err error) error {
	var te *TxError
	if !errors.As(err, &te) {
		return err
	}
	rc.Code, rc.Msg, rc.RetryAt = te.Code, te.Msg, te.RetryAt
	return nil
}

func (rt *Runtime) execute(ctx *Context, from types.Address, tx *types.Tx) error {
	call, err := tx.Call()
	if err != nil {
		if errors.Is(err, types.ErrUnknownCall) {
			return ErrUnknownCall.With("%v", err)
		}
		return ErrMalformedCall.With("%v", err)
	}
	if t, ok := call.(*types.Transfer); ok {
		return transfer(ctx, from, t)
	}
	for _, m := range rt.modules {
		if m.Handles(tx.Kind) {
			return m.Execute(ctx, from, call)
		}
	}
	return ErrUnknownCall.With("no module handles call kind %d", tx.Kind)
}

func transfer(ctx *Context, from types.Address, t *types.Transfer) error {
	if t.Amount == 0 {
		return ErrZeroAmount
	}
	if t.To == from {
		return ErrSelfTransfer
	}
	if err := ctx.Bank.Transfer(from, t.To, t.Amount); err != nil {
		return err
	}
	ctx.Emit("transfer", "from", from.Hex(), "to", t.To.Hex(), "amount", fmt.Sprint(t.Amount))
	return nil
}

// CheckInvariants verifies the supply invariant: total issuance equals the
// sum of all balances, plus what modules hold, plus everything burned, and
// never exceeds the cap. It walks the whole state; it is for tests and
// audits, not the hot path.
func (rt *Runtime) CheckInvariants(r Reader) error {
	sup, err := ReadSupply(r)
	if err != nil {
		return err
	}
	if sup.Issuance > MaxSupply {
		return fmt.Errorf("%w: issuance %d above cap %d", ErrInvariant, sup.Issuance, MaxSupply)
	}
	var sum uint64
	var iterErr error
	err = r.Iterate(keyAccountPrefix, func(k, v []byte) bool {
		var acc Account
		if err := rlp.DecodeBytes(v, &acc); err != nil {
			iterErr = fmt.Errorf("%w: account %x: %v", ErrInvariant, k, err)
			return false
		}
		next := sum + acc.Balance
		if next < sum {
			iterErr = fmt.Errorf("%w: sum of balances overflows", ErrInvariant)
			return false
		}
		sum = next
		return true
	})
	if err != nil {
		return err
	}
	if iterErr != nil {
		return iterErr
	}
	for _, m := range rt.modules {
		held, err := m.Held(r)
		if err != nil {
			return fmt.Errorf("module %s holdings: %w", m.Name(), err)
		}
		sum += held
	}
	if sum+sup.Burned != sup.Issuance {
		return fmt.Errorf("%w: balances and holdings %d + burned %d != issuance %d", ErrInvariant, sum, sup.Burned, sup.Issuance)
	}
	return nil
}

// Spender is implemented by modules whose calls move the signer's free
// balance (stake, burns), so the mempool can refuse a transaction the
// sender cannot afford.
type Spender interface {
	Spend(call types.Call) uint64
}

// Spend returns how much of the signer's free balance call moves, beyond
// the fee, when it succeeds.
func (rt *Runtime) Spend(call types.Call) uint64 {
	if t, ok := call.(*types.Transfer); ok {
		return t.Amount
	}
	for _, m := range rt.modules {
		if s, ok := m.(Spender); ok && m.Handles(call.Kind()) {
			return s.Spend(call)
		}
	}
	return 0
}
