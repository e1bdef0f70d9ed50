package rpc

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

// Subnet module methods. Every one takes an optional trailing height (nil
// or omitted: the finalized head). Results are the subnet package's query
// types; costs and windows are quoted for the block after the state read.
const (
	MethodSubnetList            = "subnet_list"            // [height?] -> []subnet.SubnetSummary
	MethodSubnetInfo            = "subnet_info"            // [netuid, height?] -> subnet.SubnetInfo
	MethodSubnetHyperparameters = "subnet_hyperparameters" // [netuid, height?] -> subnet.HyperparametersInfo
	MethodSubnetMetagraph       = "subnet_metagraph"       // [netuid, height?] -> subnet.Metagraph
	MethodSubnetNeuron          = "subnet_neuron"          // [hotkey, height?] -> []subnet.NeuronInfo (every subnet)
	MethodSubnetLockCost        = "subnet_lockCost"        // [height?] -> subnet.LockCostInfo
	MethodSubnetBurnCost        = "subnet_burnCost"        // [netuid, height?] -> subnet.BurnCostInfo
	MethodSubnetNextEpoch       = "subnet_nextEpoch"       // [netuid, height?] -> subnet.NextEpochInfo
	MethodSubnetPendingCommits  = "subnet_pendingCommits"  // [hotkey, height?] -> []subnet.PendingCommit
	MethodStakeGet              = "stake_get"              // [coldkey, height?] -> subnet.StakeInfo
)

// RegisterSubnetMethods registers the subnet module's query methods on s,
// reading state from b.
func RegisterSubnetMethods(s *Server, b StateBackend) {
	// withNetuid parses [netuid, height?].
	withNetuid := func(f func(r chain.Reader, head uint64, netuid uint16) (any, error)) Handler {
		return func(ctx context.Context, p json.RawMessage) (any, error) {
			var netuid *uint16
			var h Height
			if err := ParseParams(p, &netuid, &h); err != nil {
				return nil, err
			}
			if err := Required("netuid", netuid == nil); err != nil {
				return nil, err
			}
			r, head, err := b.StateAt(ctx, h)
			if err != nil {
				return nil, err
			}
			return queryResult(f(r, head, *netuid))
		}
	}
	// withAddress parses [address, height?].
	withAddress := func(name string, f func(r chain.Reader, head uint64, a types.Address) (any, error)) Handler {
		return func(ctx context.Context, p json.RawMessage) (any, error) {
			var addr *string
			var h Height
			if err := ParseParams(p, &addr, &h); err != nil {
				return nil, err
			}
			if err := Required(name, addr == nil); err != nil {
				return nil, err
			}
			a, err := types.ParseAddress(*addr)
			if err != nil {
				return nil, &Error{Code: CodeInvalidParams, Message: name + ": " + err.Error()}
			}
			r, head, err := b.StateAt(ctx, h)
			if err != nil {
				return nil, err
			}
			return queryResult(f(r, head, a))
		}
	}
	// withHeight parses [height?].
	withHeight := func(f func(r chain.Reader, head uint64) (any, error)) Handler {
		return func(ctx context.Context, p json.RawMessage) (any, error) {
			var h Height
			if err := ParseParams(p, &h); err != nil {
				return nil, err
			}
			r, head, err := b.StateAt(ctx, h)
			if err != nil {
				return nil, err
			}
			return queryResult(f(r, head))
		}
	}

	s.Handle(MethodSubnetList, withHeight(func(r chain.Reader, _ uint64) (any, error) {
		return subnet.ListSubnets(r)
	}))
	s.Handle(MethodSubnetLockCost, withHeight(func(r chain.Reader, head uint64) (any, error) {
		return subnet.GetLockCost(r, head)
	}))
	s.Handle(MethodSubnetInfo, withNetuid(func(r chain.Reader, head uint64, n uint16) (any, error) {
		return subnet.GetSubnet(r, n, head)
	}))
	s.Handle(MethodSubnetHyperparameters, withNetuid(func(r chain.Reader, _ uint64, n uint16) (any, error) {
		return subnet.GetHyperparameters(r, n)
	}))
	s.Handle(MethodSubnetMetagraph, withNetuid(func(r chain.Reader, head uint64, n uint16) (any, error) {
		return subnet.GetMetagraph(r, n, head)
	}))
	s.Handle(MethodSubnetBurnCost, withNetuid(func(r chain.Reader, head uint64, n uint16) (any, error) {
		return subnet.GetBurnCost(r, n, head)
	}))
	s.Handle(MethodSubnetNextEpoch, withNetuid(func(r chain.Reader, head uint64, n uint16) (any, error) {
		return subnet.GetNextEpoch(r, n, head)
	}))
	s.Handle(MethodSubnetNeuron, withAddress("hotkey", func(r chain.Reader, _ uint64, a types.Address) (any, error) {
		return subnet.NeuronsByHotkey(r, a)
	}))
	s.Handle(MethodSubnetPendingCommits, withAddress("hotkey", func(r chain.Reader, head uint64, a types.Address) (any, error) {
		return subnet.PendingCommits(r, a, head)
	}))
	s.Handle(MethodStakeGet, withAddress("coldkey", func(r chain.Reader, _ uint64, a types.Address) (any, error) {
		return subnet.StakeOfColdkey(r, a)
	}))
}

// queryResult turns the subnet package's not-found into CodeNotFound.
func queryResult(v any, err error) (any, error) {
	if errors.Is(err, subnet.ErrNotFound) {
		return nil, &Error{Code: CodeNotFound, Message: err.Error()}
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// SubnetList returns every subnet (root first).
func (c *Client) SubnetList(ctx context.Context, height Height) ([]subnet.SubnetSummary, error) {
	var out []subnet.SubnetSummary
	return out, c.Call(ctx, MethodSubnetList, &out, height)
}

// SubnetInfo returns a subnet with its hyperparameters.
func (c *Client) SubnetInfo(ctx context.Context, netuid uint16, height Height) (subnet.SubnetInfo, error) {
	var out subnet.SubnetInfo
	return out, c.Call(ctx, MethodSubnetInfo, &out, netuid, height)
}

// SubnetHyperparameters returns a subnet's hyperparameters.
func (c *Client) SubnetHyperparameters(ctx context.Context, netuid uint16, height Height) (subnet.HyperparametersInfo, error) {
	var out subnet.HyperparametersInfo
	return out, c.Call(ctx, MethodSubnetHyperparameters, &out, netuid, height)
}

// SubnetMetagraph returns every UID of a subnet.
func (c *Client) SubnetMetagraph(ctx context.Context, netuid uint16, height Height) (subnet.Metagraph, error) {
	var out subnet.Metagraph
	return out, c.Call(ctx, MethodSubnetMetagraph, &out, netuid, height)
}

// SubnetNeuron returns the hotkey's neuron on every subnet where it has a
// UID.
func (c *Client) SubnetNeuron(ctx context.Context, hotkey types.Address, height Height) ([]subnet.NeuronInfo, error) {
	var out []subnet.NeuronInfo
	return out, c.Call(ctx, MethodSubnetNeuron, &out, hotkey.Hex(), height)
}

// SubnetLockCost returns the network lock cost for the next block.
func (c *Client) SubnetLockCost(ctx context.Context, height Height) (subnet.LockCostInfo, error) {
	var out subnet.LockCostInfo
	return out, c.Call(ctx, MethodSubnetLockCost, &out, height)
}

// SubnetBurnCost returns a subnet's registration cost.
func (c *Client) SubnetBurnCost(ctx context.Context, netuid uint16, height Height) (subnet.BurnCostInfo, error) {
	var out subnet.BurnCostInfo
	return out, c.Call(ctx, MethodSubnetBurnCost, &out, netuid, height)
}

// SubnetNextEpoch returns a subnet's next epoch block.
func (c *Client) SubnetNextEpoch(ctx context.Context, netuid uint16, height Height) (subnet.NextEpochInfo, error) {
	var out subnet.NextEpochInfo
	return out, c.Call(ctx, MethodSubnetNextEpoch, &out, netuid, height)
}

// SubnetPendingCommits returns the hotkey's unrevealed weight commits.
func (c *Client) SubnetPendingCommits(ctx context.Context, hotkey types.Address, height Height) ([]subnet.PendingCommit, error) {
	var out []subnet.PendingCommit
	return out, c.Call(ctx, MethodSubnetPendingCommits, &out, hotkey.Hex(), height)
}

// StakeGet returns a coldkey's stake per hotkey.
func (c *Client) StakeGet(ctx context.Context, coldkey types.Address, height Height) (subnet.StakeInfo, error) {
	var out subnet.StakeInfo
	return out, c.Call(ctx, MethodStakeGet, &out, coldkey.Hex(), height)
}
