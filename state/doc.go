// Package state is the working state of the state transition: a flat
// key-value view for fast reads, committed at every block to a Merkle
// Patricia trie (go-ethereum's trie package) whose root is the block's app
// hash. Trie nodes are stored by hash and never deleted, so the state at
// any committed root can be read, iterated and proven.
//
// Ring 2. State satisfies chain.Store: reads see the writes of the current
// block, Snapshot/RevertToSnapshot undo a failed transaction's writes, and
// Commit stages the block's writes (flat values and new trie nodes) into a
// caller-supplied batch, so the block, its state and the head marker land
// in one atomic write. The trie is keyed by the raw state keys, so prefix
// iteration at a historical root walks the trie in key order.
package state
