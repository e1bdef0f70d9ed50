// Package chain is the state transition function: accounts, balances, nonces,
// fees, genesis and ApplyBlock, over a key-value store whose contents are
// committed to a Merkle state root.
//
// Ring 2 (state transition). ApplyBlock takes a header and ordered
// transactions and returns receipts and the new state root. It never reads a
// clock, starts a goroutine or depends on map iteration order. A failed
// transaction is a receipt with a named error and leaves state unchanged
// except for its fee and nonce; a storage error is returned and halts the
// node.
package chain
