// Package axon is the wire protocol between validators (the dendrite side,
// package validator) and miners (the axon side, package miner): how a
// request is signed by the validator hotkey and checked by the miner, and
// how a response is signed by the miner hotkey and checked by the
// validator. docs/protocol.md is its specification in plain words.
//
// Ring 3 (shell), but the signing and parsing functions here are pure: no
// clock (timestamps are arguments), no I/O, no goroutines. The exceptions
// are CachedMetagraph, which refreshes a chain view in the background, and
// the HTTP helpers, which only build and read http.Header values.
//
// Contract:
//
//   - A request's signed message binds a domain label, the caller and target
//     hotkeys, the chain id, the netuid, a nonce, a timestamp (Unix ms), the
//     request path and the SHA-256 of the exact body. Its keccak256 is the
//     request id.
//   - A response's signed message binds a domain label, the request id, the
//     HTTP status and the SHA-256 of the exact response body.
//   - Both messages are canonical RLP lists, like every signed value in
//     yuma; golden vectors in message_test.go pin them.
//   - Every parser of network bytes here returns an error wrapping one of
//     the sentinels in errors.go and never panics (fuzzed).
package axon
