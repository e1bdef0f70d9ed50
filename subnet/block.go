package subnet

import (
	"fmt"
	"math/big"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/emission"
)

// loaded is a subnet read once per block.
type loaded struct {
	netuid uint16
	sn     Subnet
	hp     Hyperparams
	dirty  bool
}

// BeginBlock runs, in order:
//
//  1. Registration terms: each subnet whose adjustment_interval has elapsed
//     since its last adjustment moves its burn toward the target
//     registrations (adjustBurn) and resets its interval counter.
//  2. The root epoch, at the root network's epoch block: Yuma on the root
//     network decides every subnet's emission share (see rootEpoch).
//  3. Emission: emission.BlockReward(issuance), capped so issuance never
//     passes the supply cap, is minted and split among the subnets (root
//     excluded) by their shares with emission.SplitByShares (largest
//     remainder); if every share is zero it is split equally. Each part is
//     added to the subnet's pending emission. With no subnet, nothing is
//     minted.
//  4. Epochs: every subnet at its epoch block runs Yuma and pays out its
//     pending emission (see subnetEpoch).
//
// Outside epoch blocks it reads and writes O(subnets) keys.
func (m *Module) BeginBlock(ctx *chain.Context) error {
	st := store{r: ctx.Store, w: ctx.Store}
	now := ctx.Header.Height
	p, err := st.params()
	if err != nil {
		return err
	}
	netuids, err := st.netuids()
	if err != nil {
		return err
	}
	subs := make([]*loaded, 0, len(netuids))
	for _, netuid := range netuids {
		sn, _, err := st.subnet(netuid)
		if err != nil {
			return err
		}
		hp, err := st.hyper(netuid)
		if err != nil {
			return err
		}
		subs = append(subs, &loaded{netuid: netuid, sn: sn, hp: hp})
	}
	if len(subs) == 0 || subs[0].netuid != RootNetUID {
		return fmt.Errorf("%w: root network missing", chain.ErrInvariant)
	}
	root, others := subs[0], subs[1:]

	for _, s := range subs {
		if adjustRegistration(s.netuid, &s.sn, &s.hp, now) {
			s.dirty = true
		}
	}

	if isEpochBlock(RootNetUID, root.hp.Tempo, now) {
		if err := m.rootEpoch(ctx, st, &p, root, others); err != nil {
			return err
		}
	}

	if len(others) > 0 {
		iss, err := ctx.Bank.Issuance()
		if err != nil {
			return err
		}
		_, minted := emission.Mint(iss, emission.BlockReward(iss))
		if minted > 0 {
			if err := ctx.Bank.Mint(minted); err != nil {
				return fmt.Errorf("%w: minting the block reward: %v", chain.ErrInvariant, err)
			}
			parts := splitAmongSubnets(minted, others)
			for i, s := range others {
				s.sn.PendingEmission += parts[i]
				s.dirty = true
			}
		}
	}

	for _, s := range others {
		if isEpochBlock(s.netuid, s.hp.Tempo, now) {
			if err := m.subnetEpoch(ctx, st, &p, s); err != nil {
				return fmt.Errorf("epoch of subnet %d: %w", s.netuid, err)
			}
			s.dirty = true
		}
	}
	for _, s := range subs {
		if s.dirty {
			if err := st.put(subnetKey(s.netuid), &s.sn); err != nil {
				return err
			}
		}
	}
	return nil
}

// splitAmongSubnets splits a block's reward by the subnets' emission
// shares, or equally when every share is zero. The parts sum to total.
func splitAmongSubnets(total uint64, subs []*loaded) []uint64 {
	shares := make([]uint16, len(subs))
	var any bool
	for i, s := range subs {
		shares[i] = s.sn.EmissionShare
		any = any || shares[i] != 0
	}
	if !any {
		for i := range shares {
			shares[i] = 1
		}
	}
	return emission.SplitByShares(total, shares)
}

// adjustRegistration applies step 1 of BeginBlock at block now to one
// subnet: once adjustment_interval blocks have passed since its last
// adjustment, its burn moves toward the target registrations (adjustBurn;
// root has no burn) and its interval counter restarts. It reports whether
// sn changed.
func adjustRegistration(netuid uint16, sn *Subnet, hp *Hyperparams, now uint64) bool {
	if now < sn.LastAdjustment || now-sn.LastAdjustment < uint64(hp.AdjustmentInterval) {
		return false
	}
	if netuid != RootNetUID {
		sn.Burn = adjustBurn(burnCost(sn, hp), sn.RegsThisInterval, hp.TargetRegsPerInterval, hp.AdjustmentAlpha, hp.MinBurn, hp.MaxBurn)
	}
	sn.LastAdjustment = now
	sn.RegsThisInterval = 0
	return true
}

// burnCost is the subnet's registration cost: its burn clamped to the
// current min_burn..max_burn.
func burnCost(sn *Subnet, hp *Hyperparams) uint64 {
	return min(max(sn.Burn, hp.MinBurn), hp.MaxBurn)
}

// adjustBurn is subtensor's upgraded_burn: the burn moves toward
//
//	updated = burn * (regs + target) / (2 * target)
//
// smoothed by alpha (a fraction of 2^64-1 given to the old value):
//
//	next = (alpha * burn + (2^64-1 - alpha) * updated) / (2^64-1)
//
// and is clamped to min..max. Exact integer arithmetic (subtensor uses
// I110F18), rounded down.
func adjustBurn(burn uint64, regs, target uint16, alpha, lo, hi uint64) uint64 {
	if target == 0 {
		target = 1
	}
	b := new(big.Int).SetUint64(burn)
	updated := new(big.Int).Mul(b, big.NewInt(int64(regs)+int64(target)))
	updated.Quo(updated, big.NewInt(2*int64(target)))
	one := new(big.Int).SetUint64(^uint64(0))
	a := new(big.Int).SetUint64(alpha)
	next := new(big.Int).Mul(a, b)
	next.Add(next, new(big.Int).Mul(new(big.Int).Sub(one, a), updated))
	next.Quo(next, one)
	if next.Cmp(new(big.Int).SetUint64(hi)) >= 0 {
		return hi
	}
	if next.Cmp(new(big.Int).SetUint64(lo)) <= 0 {
		return lo
	}
	return next.Uint64()
}
