// Package miner is the axon side of a subnet: an HTTP server that verifies
// signed requests from validator hotkeys, applies the caller rules (a
// registered validator with a permit or enough stake), per-caller rate
// limits and stake priority, runs a task Handler over an inference Backend,
// and signs its responses. The protocol is package axon and
// docs/protocol.md.
//
// Ring 3 (shell). Checks run cheapest first, and nothing a remote sends can
// crash the server: headers and bodies are bounded and parsed by fuzzed
// decoders, handlers run under a deadline and a bounded concurrency.
//
// To write a new subnet task, implement Handler (or build one with
// NewHandler from a decoder and a function) and pass it in Deps.Handlers;
// the validator side implements validator.Task. The built-in task is
// textgen (TextGen) over a Backend: the in-process n-gram model (Builtin),
// an OpenAI-compatible upstream (NewOpenAI), optionally degraded for tests
// and local networks (Noisy, Garbage).
//
// Replay protection survives restarts: the last nonce accepted from each
// caller is written through to DataDir/nonces.log and fsynced (concurrent
// requests share one fsync) before the response leaves.
//
// Entry points: New and Server.Serve for embedding, Run for the command
// line.
package miner
