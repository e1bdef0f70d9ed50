// Package subnet is the state module for subnets: registration of networks
// and neurons, hyperparameters, axon info, stake, weights and commit-reveal,
// and the per-tempo epoch trigger that runs Yuma consensus and pays out
// emission.
//
// Ring 2 (state transition). It is deterministic: block time and height come
// from the header, iteration is in key order, and all arithmetic is integer
// or fixed point. Transaction failures are returned as named errors that
// become receipts; storage errors are returned wrapped and halt the node.
package subnet
