package chainview

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
	"github.com/yumachain/yuma/validator"
)

var _ validator.Chain = (*View)(nil)

// View reads the finalized state of a node. It is safe for concurrent use.
type View struct {
	cl *rpc.Client
}

// NewView returns a view over cl.
func NewView(cl *rpc.Client) *View { return &View{cl: cl} }

// Client is the RPC client the view reads through.
func (v *View) Client() *rpc.Client { return v.cl }

// ChainID is the chain's id (requests and transactions are signed for it).
func (v *View) ChainID(ctx context.Context) (string, error) {
	h, err := v.cl.Head(ctx)
	if err != nil {
		return "", fmt.Errorf("chain head: %w", err)
	}
	return h.ChainID, nil
}

// Block is the height of the finalized head.
func (v *View) Block(ctx context.Context) (uint64, error) {
	h, err := v.cl.Head(ctx)
	if err != nil {
		return 0, fmt.Errorf("chain head: %w", err)
	}
	return h.Height, nil
}

// WaitBlock waits until the finalized head is at least height, polling
// every poll (100 ms if zero). Transient read errors are retried.
func (v *View) WaitBlock(ctx context.Context, height uint64, poll time.Duration) error {
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	for {
		if h, err := v.cl.Head(ctx); err == nil && h.Height >= height {
			return nil
		}
		if err := sleep(ctx, poll); err != nil {
			return fmt.Errorf("wait for block %d: %w", height, err)
		}
	}
}

// Metagraph is every UID of netuid at the finalized head.
func (v *View) Metagraph(ctx context.Context, netuid uint16) (subnet.Metagraph, error) {
	mg, err := v.cl.SubnetMetagraph(ctx, netuid, nil)
	if err != nil {
		return subnet.Metagraph{}, wrapNotFound(fmt.Sprintf("metagraph of subnet %d", netuid), err)
	}
	return mg, nil
}

// Snapshot is netuid's metagraph as the off-chain roles see it.
func (v *View) Snapshot(ctx context.Context, netuid uint16) (axon.Snapshot, error) {
	mg, err := v.Metagraph(ctx, netuid)
	if err != nil {
		return axon.Snapshot{}, err
	}
	return snapshotOf(mg), nil
}

// Fetch returns the axon.Fetch of netuid's metagraph, for miner.Deps and
// validator.Deps.
func (v *View) Fetch(netuid uint16) axon.Fetch {
	return func(ctx context.Context) (axon.Snapshot, error) { return v.Snapshot(ctx, netuid) }
}

func snapshotOf(mg subnet.Metagraph) axon.Snapshot {
	s := axon.Snapshot{Block: mg.Block, Neurons: make([]axon.NeuronInfo, 0, len(mg.Neurons))}
	for _, n := range mg.Neurons {
		s.Neurons = append(s.Neurons, neuronOf(n))
	}
	return s
}

func neuronOf(n subnet.NeuronInfo) axon.NeuronInfo {
	return axon.NeuronInfo{UID: n.UID, Hotkey: n.Hotkey, Stake: uint64(n.Stake), ValidatorPermit: n.ValidatorPermit, Endpoint: endpointOf(n.Axon)}
}

// endpointOf is the base URL of a served axon, "" for none or an
// unusable one.
func endpointOf(a *subnet.AxonInfo) string {
	if a == nil {
		return ""
	}
	ip, err := netip.ParseAddr(a.IP)
	if err != nil {
		return ""
	}
	return axon.EndpointURL(ip.AsSlice(), a.Port)
}

// Neuron is hotkey's neuron on netuid; ErrNotFound if it has no UID there.
func (v *View) Neuron(ctx context.Context, netuid uint16, hotkey types.Address) (subnet.NeuronInfo, error) {
	ns, err := v.cl.SubnetNeuron(ctx, hotkey, nil)
	if err != nil {
		return subnet.NeuronInfo{}, wrapNotFound("neuron of "+hotkey.Hex(), err)
	}
	for _, n := range ns {
		if n.NetUID == netuid {
			return n, nil
		}
	}
	return subnet.NeuronInfo{}, fmt.Errorf("%w: hotkey %s has no UID on subnet %d", ErrNotFound, hotkey, netuid)
}

// Hyperparameters are netuid's weight-setting rules.
func (v *View) Hyperparameters(ctx context.Context, netuid uint16) (validator.Hyperparameters, error) {
	hp, err := v.cl.SubnetHyperparameters(ctx, netuid, nil)
	if err != nil {
		return validator.Hyperparameters{}, wrapNotFound(fmt.Sprintf("hyperparameters of subnet %d", netuid), err)
	}
	return hyperOf(hp), nil
}

func hyperOf(hp subnet.HyperparametersInfo) validator.Hyperparameters {
	return validator.Hyperparameters{
		WeightsRateLimit: hp.WeightsRateLimit, MinAllowedWeights: hp.MinAllowedWeights, MaxWeightsLimit: hp.MaxWeightsLimit,
		CommitRevealEnabled: hp.CommitRevealEnabled, CommitRevealPeriod: hp.CommitRevealPeriod, ActivityCutoff: hp.ActivityCutoff,
	}
}

// LastUpdate is the block of uid's last weights update (or commit) on
// netuid; its registration block until the first.
func (v *View) LastUpdate(ctx context.Context, netuid, uid uint16) (uint64, error) {
	mg, err := v.Metagraph(ctx, netuid)
	if err != nil {
		return 0, err
	}
	for _, n := range mg.Neurons {
		if n.UID == uid {
			return n.LastUpdate, nil
		}
	}
	return 0, fmt.Errorf("%w: uid %d on subnet %d (n = %d)", ErrNotFound, uid, netuid, mg.N)
}

// RevealWindow is the inclusive range of blocks in which a weights commit
// included at commitBlock may be revealed, by the chain's rule
// (subnet.RevealWindow) over the subnet's current tempo and
// commit_reveal_period.
func (v *View) RevealWindow(ctx context.Context, netuid uint16, commitBlock uint64) (first, last uint64, err error) {
	hp, err := v.cl.SubnetHyperparameters(ctx, netuid, nil)
	if err != nil {
		return 0, 0, wrapNotFound(fmt.Sprintf("hyperparameters of subnet %d", netuid), err)
	}
	first, last = subnet.RevealWindow(netuid, hp.Tempo, hp.CommitRevealPeriod, commitBlock)
	return first, last, nil
}

// PendingCommits are hotkey's unrevealed weight commits on netuid, oldest
// first (subnet_pendingCommits at the finalized head; expired ones too,
// until the chain drops them).
func (v *View) PendingCommits(ctx context.Context, netuid uint16, hotkey types.Address) ([]validator.OnChainCommit, error) {
	pc, err := v.cl.SubnetPendingCommits(ctx, hotkey, nil)
	if err != nil {
		return nil, wrapNotFound("pending commits of "+hotkey.Hex(), err)
	}
	out := []validator.OnChainCommit{}
	for _, c := range pc {
		if c.NetUID == netuid {
			out = append(out, validator.OnChainCommit{Hash: c.Hash, Block: c.CommitBlock})
		}
	}
	return out, nil
}

// wrapNotFound turns the node's not-found into ErrNotFound.
func wrapNotFound(what string, err error) error {
	if isNotFound(err) {
		return fmt.Errorf("%w: %s: %v", ErrNotFound, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
