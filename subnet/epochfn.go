package subnet

import "github.com/yumachain/yuma/consensus"

// runEpoch is the Yuma epoch the chain runs: consensus.Epoch, the sparse
// fixed-point path.
func runEpoch(in *consensus.Input) (*consensus.Output, error) { return consensus.Epoch(in) }
