// Package miner is the axon side of a subnet: an HTTP server that verifies
// signed requests from validator hotkeys, applies blacklist, rate limits and
// stake priority, runs an inference backend, and signs its responses.
//
// Ring 3 (shell).
package miner
