package validator

import (
	"context"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/types"
)

// Metagraph is what the validator needs to know about the subnet: its
// neurons with UID, hotkey, stake and endpoint. *axon.Metagraph implements
// it.
type Metagraph interface {
	Neurons() []axon.NeuronInfo
}

// Hyperparameters are the subnet parameters weight setting obeys.
type Hyperparameters struct {
	// WeightsRateLimit: blocks that must pass after a UID's last update
	// before it may set weights again.
	WeightsRateLimit uint64
	// MinAllowedWeights: the fewest (uid, weight) pairs a weights call
	// may carry.
	MinAllowedWeights uint16
	// MaxWeightsLimit: the largest weight any one UID may get, as a
	// fraction of 65535 of the sum of weights (65535, or 0 for a chain
	// that leaves it unset: no limit).
	MaxWeightsLimit uint16
	// CommitRevealEnabled: weights must be committed, then revealed in
	// the window RevealWindow gives.
	CommitRevealEnabled bool
	// CommitRevealPeriod is informative (logged); the chain's rule is
	// behind Chain.RevealWindow.
	CommitRevealPeriod uint64
	// ActivityCutoff: a UID that has not updated weights for this many
	// blocks is inactive (loses its validator dividends).
	ActivityCutoff uint64
}

// Chain reads what the weight-setting rules depend on. Implementations
// read the latest finalized state.
type Chain interface {
	// Block is the current block height.
	Block(ctx context.Context) (uint64, error)
	Hyperparameters(ctx context.Context, netuid uint16) (Hyperparameters, error)
	// LastUpdate is the block of uid's last weights update on netuid.
	LastUpdate(ctx context.Context, netuid, uid uint16) (uint64, error)
	// RevealWindow is the inclusive range of blocks in which a commit
	// included at commitBlock may be revealed.
	RevealWindow(ctx context.Context, netuid uint16, commitBlock uint64) (first, last uint64, err error)
	// PendingCommits are hotkey's unrevealed weight commits on netuid
	// (expired ones included), oldest first.
	PendingCommits(ctx context.Context, netuid uint16, hotkey types.Address) ([]OnChainCommit, error)
}

// OnChainCommit is a weight commit the chain holds.
type OnChainCommit struct {
	Hash  types.Hash
	Block uint64 // the block that included it
}

// WeightSetter submits weight transactions signed by the validator's
// hotkey, and returns once they are included (or refused).
type WeightSetter interface {
	SetWeights(ctx context.Context, netuid uint16, uids, values []uint16, versionKey uint64) error
	// CommitWeights publishes commit (see types.WeightsCommitHash) and
	// returns the block it was included in. An error that is or wraps a
	// *chain.TxError means the chain refused the transaction or failed
	// its call: it will not land. Any other error (a timeout, the node
	// unreachable) leaves it unknown: the commit may still land.
	CommitWeights(ctx context.Context, netuid uint16, commit types.Hash) (block uint64, err error)
	RevealWeights(ctx context.Context, netuid uint16, uids, values, salt []uint16, versionKey uint64) error
}
