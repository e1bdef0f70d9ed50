package subnet

import (
	"fmt"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// LockCost is subtensor's get_network_lock_cost at block now: the last lock
// doubled (not doubled before the first registration), minus a linear decay
// of last_lock/reduction_interval per block since the last registration,
// never below the minimum lock:
//
//	cost = max(min_lock, mult*last_lock - (last_lock / interval) * (now - last_block))
//
// So each registration doubles the price, which then decays back to the
// last lock over one reduction interval (and further, to the minimum, over
// later intervals).
func LockCost(p *Params, g *Globals, now uint64) uint64 {
	mult := uint64(2)
	if g.LastLockBlock == 0 {
		mult = 1
	}
	cost := satMul(g.LastLockCost, mult)
	var elapsed uint64
	if now > g.LastLockBlock {
		elapsed = now - g.LastLockBlock
	}
	decay := satMul(g.LastLockCost/p.NetworkLockReductionInterval, elapsed)
	if decay >= cost {
		cost = 0
	} else {
		cost -= decay
	}
	return max(cost, uint64(p.NetworkMinLock))
}

// subnetToPrune picks the subnet a registration beyond SubnetLimit
// replaces: among subnets outside the network immunity period, the lowest
// emission share, ties to the earliest registration, then the lowest
// netuid (subtensor's get_subnet_to_prune). ok is false if all are immune.
func subnetToPrune(st store, p *Params, now uint64) (uint16, bool, error) {
	var best Subnet
	var bestID uint16
	found := false
	var bad error
	err := st.r.Iterate(pfxSubnet, func(k, v []byte) bool {
		netuid := uint16(k[len(pfxSubnet)])<<8 | uint16(k[len(pfxSubnet)+1])
		if netuid == RootNetUID {
			return true
		}
		var sn Subnet
		if bad = decodeInto(v, &sn); bad != nil {
			return false
		}
		if now < sn.RegisteredAt || now-sn.RegisteredAt < p.NetworkImmunityPeriod {
			return true
		}
		if !found || sn.EmissionShare < best.EmissionShare ||
			(sn.EmissionShare == best.EmissionShare && sn.RegisteredAt < best.RegisteredAt) {
			best, bestID, found = sn, netuid, true
		}
		return true
	})
	if err == nil {
		err = bad
	}
	return bestID, found, err
}

// removeSubnet deletes a subnet and everything under its netuid. Its lock
// goes back to the owner's free balance; its pending emission is burned
// (counted with AddBurned). Stake behind its hotkeys is untouched (stake is
// chain-wide). Root weights naming the netuid are left in place: the root
// epoch ignores netuids that do not exist and masks weights set before a
// netuid's re-registration.
func removeSubnet(ctx *chain.Context, st store, netuid uint16) error {
	sn, ok, err := st.subnet(netuid)
	if err != nil || !ok {
		return err
	}
	for _, prefix := range perSubnetPrefixes {
		ks, err := st.keys(key(prefix, be16(netuid)))
		if err != nil {
			return err
		}
		for _, k := range ks {
			if err := st.del(k); err != nil {
				return err
			}
		}
	}
	if sn.Lock > 0 {
		if err := ctx.Bank.Credit(sn.Owner, sn.Lock); err != nil {
			return err
		}
	}
	if sn.PendingEmission > 0 {
		if err := ctx.Bank.AddBurned(sn.PendingEmission); err != nil {
			return err
		}
	}
	ctx.Emit("subnet_removed", "netuid", fmt.Sprint(netuid), "owner", sn.Owner.Hex(),
		"lock_returned", fmt.Sprint(sn.Lock), "pending_burned", fmt.Sprint(sn.PendingEmission))
	return nil
}

// registerNetwork creates a subnet owned by the signer, who pays the
// current LockCost. The lock is held by the module (counted in Held) and
// returned if the subnet is pruned. The subnet takes the lowest free netuid
// >= 1 while fewer than SubnetLimit exist; at the limit it takes the netuid
// of the subnet chosen by subnetToPrune, which is removed first. The
// owner's Hotkey becomes UID 0. Network registrations are rate-limited
// chain-wide by NetworkRateLimit blocks.
func (m *Module) registerNetwork(ctx *chain.Context, st store, signer types.Address, c *types.RegisterNetwork) error {
	p, err := st.params()
	if err != nil {
		return err
	}
	g, err := st.globals()
	if err != nil {
		return err
	}
	now := ctx.Header.Height
	if g.LastLockBlock != 0 && now-g.LastLockBlock < p.NetworkRateLimit {
		return ErrNetworkRateLimited.RetryAfter(g.LastLockBlock+p.NetworkRateLimit, "last network registered at block %d; one per %d blocks", g.LastLockBlock, p.NetworkRateLimit)
	}
	cost := LockCost(&p, &g, now)
	if bal, err := ctx.Bank.Balance(signer); err != nil {
		return err
	} else if bal < cost {
		return chain.ErrInsufficientFunds.With("network lock is %d rao, balance %d rao", cost, bal)
	}
	if err := checkHotkeyOwner(st, c.Hotkey, signer); err != nil {
		return err
	}
	netuids, err := st.netuids()
	if err != nil {
		return err
	}
	var netuid uint16
	if len(netuids)-1 < int(p.SubnetLimit) {
		netuid = 1
		for _, id := range netuids[1:] {
			if id != netuid {
				break
			}
			netuid++
		}
	} else {
		id, ok, err := subnetToPrune(st, &p, now)
		if err != nil {
			return err
		}
		if !ok {
			return ErrAllSubnetsImmune.With("%d subnets (the limit), none older than %d blocks", len(netuids)-1, p.NetworkImmunityPeriod)
		}
		if err := removeSubnet(ctx, st, id); err != nil {
			return err
		}
		netuid = id
	}
	if err := ctx.Bank.Debit(signer, cost); err != nil {
		return err
	}
	hp := p.SubnetDefaults
	sn := Subnet{
		Owner: signer, OwnerHotkey: c.Hotkey, RegisteredAt: now, Lock: cost,
		Burn: hp.InitialBurn, LastAdjustment: now,
	}
	if _, err := claimHotkey(st, &p, c.Hotkey, signer); err != nil {
		return err
	}
	if _, err := appendNeuron(st, netuid, &sn, c.Hotkey, now); err != nil {
		return err
	}
	if err := st.put(subnetKey(netuid), &sn); err != nil {
		return err
	}
	if err := st.put(hyperKey(netuid), &hp); err != nil {
		return err
	}
	g.LastLockCost, g.LastLockBlock = cost, now
	if err := st.put(keyGlobals, &g); err != nil {
		return err
	}
	ctx.Emit("network_registered", "netuid", fmt.Sprint(netuid), "owner", signer.Hex(), "hotkey", c.Hotkey.Hex(), "lock", fmt.Sprint(cost))
	return nil
}
