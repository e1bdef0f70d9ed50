// Package consensus computes the Yuma consensus epoch of a subnet.
//
// Ring 1 (pure math). An epoch is a pure function from the subnet's inputs
// (stake, weights, bonds, last update and registration blocks, validator
// permits, hyperparameters, block number and the emission to distribute) to
// its outputs (active mask, validator permits, rank, trust, consensus,
// incentive, dividends, validator trust, pruning scores, new bonds and the
// server and validator emission). The canonical path uses the fixed-point
// types of package fixed and reproduces subtensor's I32F32/I64F64 results
// bit for bit; it uses no float64, no clock, no randomness, no goroutines and
// no map iteration, so every CPU architecture computes the same bits.
//
// A float64 reference of the same epoch built on gonum lives in the
// subpackage reference; it is the oracle of the property tests and the engine
// of the simulator, never a source of on-chain values.
package consensus
