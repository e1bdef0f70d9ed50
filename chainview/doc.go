// Package chainview connects the off-chain roles (package miner and
// package validator) to a yuma node over JSON-RPC: it implements their
// consumer-side interfaces on top of an *rpc.Client.
//
//   - View reads chain state: View.Fetch(netuid) is an axon.Fetch (the
//     subnet's metagraph: UID, hotkey, stake, validator permit, axon
//     endpoint), and View is a validator.Chain (head height,
//     hyperparameters, a UID's last update, the reveal window of a weights
//     commit, computed with subnet.RevealWindow, the chain's own rule).
//   - Signer signs and submits transactions with one key. It is a
//     validator.WeightSetter (set_weights, commit_weights, reveal_weights
//     signed by the validator hotkey), and has ServeAxon for a miner's
//     hotkey and BurnedRegister for the coldkey that registers a hotkey.
//
// Ring 3 (shell): network I/O and a clock (polling for inclusion).
//
// Contract of Signer.Submit, which every transaction method uses:
//
//   - The chain id and the minimum fee come from the node's genesis, read
//     once. Nonces come from a local cache, seeded from account_get and
//     advanced by every transaction the node admits, so one Signer can send
//     several transactions per block. Submissions by one Signer are
//     admitted one at a time (a mutex), then wait for inclusion
//     concurrently.
//   - A transaction refused at admission with bad_nonce, dropped from the
//     mempool because its nonce was used by another transaction of the
//     same key (another process, say), or included with a bad_nonce
//     receipt is rebuilt with a nonce read afresh from the chain and sent
//     again, up to Config.NonceRetries times.
//   - Submit returns once the transaction is in a finalized block (BFT
//     finality: included is final). A failed receipt, or any other
//     refusal at admission, is a *TxError carrying the chain's code,
//     message and retry_at; errors.Is matches it against ErrTxFailed or
//     ErrTxRejected and against the chain's sentinel (for example
//     subnet.ErrWeightsRateLimited). A transaction not seen in a block
//     within Config.InclusionTimeout is ErrNotIncluded: it may still land.
package chainview
