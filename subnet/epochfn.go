//go:build consensus_epoch

package subnet

import "github.com/yumachain/yuma/consensus"

// runEpoch is the Yuma epoch the chain runs.
func runEpoch(in *consensus.Input) (*consensus.Output, error) { return consensus.Epoch(in) }
