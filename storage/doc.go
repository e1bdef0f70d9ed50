// Package storage defines the key-value interface the state transition runs
// on, an in-memory implementation and one conformance suite that every
// backend must pass. The pebble implementation lives in storage/pebble. All
// key prefixes are defined in schema.go.
//
// Ring 3 (shell) for the backends; the interface itself is what ring-2 code
// consumes.
package storage
