// Package validator is the dendrite side of a subnet: it samples miners from
// the metagraph, sends signed challenges, verifies signed responses, keeps a
// persisted moving average of scores and sets weights on chain within the
// subnet's rules.
//
// Ring 3 (shell).
package validator
