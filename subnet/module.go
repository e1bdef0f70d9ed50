package subnet

import (
	"encoding/json"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// ModuleName is the module's key in the genesis "modules" section.
const ModuleName = "subnet"

// Module is the subnet state module. It keeps no state of its own: every
// value lives in the chain state under the "sn/" prefix (see keys.go).
type Module struct{}

// New returns the subnet module.
func New() *Module { return &Module{} }

var (
	_ chain.Module  = (*Module)(nil)
	_ chain.Spender = (*Module)(nil)
)

// Name implements chain.Module.
func (*Module) Name() string { return ModuleName }

// InitGenesis stores the params (raw is the genesis section, see Params)
// and creates the root network.
func (*Module) InitGenesis(ctx *chain.Context, raw json.RawMessage) error {
	p, err := ParseParams(raw)
	if err != nil {
		return err
	}
	st := store{r: ctx.Store, w: ctx.Store}
	if err := st.put(keyParams, &p); err != nil {
		return err
	}
	if err := st.put(keyGlobals, &Globals{LastLockCost: uint64(p.NetworkMinLock)}); err != nil {
		return err
	}
	root := Subnet{RegisteredAt: ctx.Header.Height, LastAdjustment: ctx.Header.Height}
	if err := st.put(subnetKey(RootNetUID), &root); err != nil {
		return err
	}
	return st.put(hyperKey(RootNetUID), &p.Root)
}

// Handles implements chain.Module.
func (*Module) Handles(k types.CallKind) bool {
	switch k {
	case types.KindRegisterNetwork, types.KindSetHyperparameter, types.KindBurnedRegister,
		types.KindServeAxon, types.KindAddStake, types.KindRemoveStake, types.KindSetDelegateTake,
		types.KindSetWeights, types.KindCommitWeights, types.KindRevealWeights, types.KindRootRegister:
		return true
	}
	return false
}

// Execute implements chain.Module.
func (m *Module) Execute(ctx *chain.Context, signer types.Address, call types.Call) error {
	st := store{r: ctx.Store, w: ctx.Store}
	switch c := call.(type) {
	case *types.RegisterNetwork:
		return m.registerNetwork(ctx, st, signer, c)
	case *types.SetHyperparameter:
		return m.setHyperparameter(ctx, st, signer, c)
	case *types.BurnedRegister:
		return m.burnedRegister(ctx, st, signer, c)
	case *types.RootRegister:
		return m.rootRegister(ctx, st, signer, c)
	case *types.ServeAxon:
		return m.serveAxon(ctx, st, signer, c)
	case *types.AddStake:
		return m.addStake(ctx, st, signer, c)
	case *types.RemoveStake:
		return m.removeStake(ctx, st, signer, c)
	case *types.SetDelegateTake:
		return m.setDelegateTake(ctx, st, signer, c)
	case *types.SetWeights:
		return m.setWeightsCall(ctx, st, signer, c)
	case *types.CommitWeights:
		return m.commitWeights(ctx, st, signer, c)
	case *types.RevealWeights:
		return m.revealWeights(ctx, st, signer, c)
	}
	return chain.ErrUnknownCall.With("subnet module does not handle call kind %d", call.Kind())
}

// Spend implements chain.Spender: add_stake moves its amount. The network
// lock and the registration burn depend on state the mempool check does not
// read, so they count as 0 here; a registration the signer cannot afford
// fails in the block with insufficient_balance (fee charged).
func (*Module) Spend(call types.Call) uint64 {
	if c, ok := call.(*types.AddStake); ok {
		return c.Amount
	}
	return 0
}

// Held implements chain.Module: all stake, all network locks and every
// subnet's pending emission. It walks the module's state (for invariant
// checks, not the hot path).
func (*Module) Held(r chain.Reader) (uint64, error) {
	var sum uint64
	var bad error
	add := func(v uint64) {
		if sum+v < sum {
			bad = fmt.Errorf("%w: subnet holdings overflow", chain.ErrInvariant)
		}
		sum += v
	}
	err := r.Iterate(pfxStake, func(k, v []byte) bool {
		var amt uint64
		if err := rlp.DecodeBytes(v, &amt); err != nil {
			bad = fmt.Errorf("%w: stake %x: %v", chain.ErrInvariant, k, err)
			return false
		}
		add(amt)
		return bad == nil
	})
	if err != nil {
		return 0, err
	}
	if bad != nil {
		return 0, bad
	}
	err = r.Iterate(pfxSubnet, func(k, v []byte) bool {
		var sn Subnet
		if err := rlp.DecodeBytes(v, &sn); err != nil {
			bad = fmt.Errorf("%w: subnet %x: %v", chain.ErrInvariant, k, err)
			return false
		}
		add(sn.Lock)
		add(sn.PendingEmission)
		return bad == nil
	})
	if err != nil {
		return 0, err
	}
	return sum, bad
}
