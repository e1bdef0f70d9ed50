// Package e2e holds end-to-end tests that run the real yuma binary as
// separate processes on loopback: multi-node networks, SIGKILL and restart,
// and the localnet. Its helpers build the binary once per test run.
//
// Ring 3 (shell). Tests here are slow; `go test -short` skips the longest.
package e2e
