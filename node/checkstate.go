package node

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/types"
)

// checkState is the mempool's view of accounts: the committed state plus the
// effect of every transaction already admitted since the last commit (nonces
// used, fees and amounts spent). It is reset at each commit; CometBFT then
// re-checks the remaining mempool transactions in order, which rebuilds it.
type checkState struct {
	app      *App
	accounts map[types.Address]chain.Account
}

func newCheckState(a *App) *checkState {
	return &checkState{app: a, accounts: map[types.Address]chain.Account{}}
}

func (c *checkState) reset() { clear(c.accounts) }

var accountKeyLen = len(chain.AccountKey(types.Address{}))

// Get implements chain.Reader over the committed flat state with the
// mempool overlay on accounts.
func (c *checkState) Get(key []byte) ([]byte, bool, error) {
	if len(key) == accountKeyLen && bytes.HasPrefix(key, chain.AccountKey(types.Address{})[:accountKeyLen-20]) {
		var addr types.Address
		copy(addr[:], key[accountKeyLen-20:])
		if acc, ok := c.accounts[addr]; ok {
			b, err := rlp.EncodeToBytes(&acc)
			return b, true, err
		}
	}
	return committedGet(c.app.db, key)
}

// Iterate is not needed by admission; it reads the committed state only.
func (c *checkState) Iterate(prefix []byte, fn func(k, v []byte) bool) error {
	return committedIterate(c.app.db, prefix, fn)
}

// admit runs admission for the mempool and records the transaction's
// spending if it passes.
func (c *checkState) admit(raw []byte) error {
	rt := c.app.rt
	tx, from, err := rt.Admit(c, raw, senderCache{c.app.senders})
	if err != nil {
		return err
	}
	call, err := tx.Call()
	if err != nil {
		if errors.Is(err, types.ErrUnknownCall) {
			return chain.ErrUnknownCall.With("%v", err)
		}
		return chain.ErrMalformedCall.With("%v", err)
	}
	acc, err := chain.ReadAccount(c, from)
	if err != nil {
		return err
	}
	spend := rt.Spend(call)
	total := tx.Fee + spend
	if total < tx.Fee || acc.Balance < total {
		return chain.ErrInsufficientFunds.With("balance %d rao, fee %d + amount %d rao", acc.Balance, tx.Fee, spend)
	}
	acc.Balance -= total
	acc.Nonce++
	c.accounts[from] = acc
	return nil
}

// committedGet reads a state key from the committed flat state.
func committedGet(db storage.Reader, key []byte) ([]byte, bool, error) {
	v, err := db.Get(storage.Key(storage.PrefixState, key))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read state: %w", err)
	}
	return v, true, nil
}

func committedIterate(db storage.Iteratee, prefix []byte, fn func(k, v []byte) bool) error {
	it := db.NewIterator(storage.Key(storage.PrefixState, prefix), nil)
	defer it.Close()
	n := len(storage.PrefixState)
	for it.Next() {
		if !fn(it.Key()[n:], it.Value()) {
			break
		}
	}
	return it.Error()
}
