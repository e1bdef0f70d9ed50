// Package archtest enforces the architecture rings of ../../DESIGN.md with
// tests: pure-math and state-transition packages may not import I/O,
// networking, clocks, metrics or float libraries, and may not start
// goroutines.
package archtest
