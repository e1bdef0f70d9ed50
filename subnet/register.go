package subnet

import (
	"fmt"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// claimHotkey returns hk's record, creating it with owner ck and the
// default take on first registration. A hotkey's owner is fixed at its
// first registration: a different coldkey gets ErrNonAssociatedColdkey.
func claimHotkey(st store, p *Params, hk, ck types.Address) (Hotkey, error) {
	rec, ok, err := st.hotkey(hk)
	if err != nil {
		return Hotkey{}, err
	}
	if ok {
		if rec.Owner != ck {
			return Hotkey{}, ErrNonAssociatedColdkey.With("hotkey %s is owned by %s", hk.Hex(), rec.Owner.Hex())
		}
		return rec, nil
	}
	rec = Hotkey{Owner: ck, Take: p.DefaultTake}
	return rec, st.put(hotkeyKey(hk), &rec)
}

// checkHotkeyOwner fails if hk is owned by another coldkey than ck.
func checkHotkeyOwner(st store, hk, ck types.Address) error {
	rec, ok, err := st.hotkey(hk)
	if err != nil {
		return err
	}
	if ok && rec.Owner != ck {
		return ErrNonAssociatedColdkey.With("hotkey %s is owned by %s", hk.Hex(), rec.Owner.Hex())
	}
	return nil
}

// appendNeuron gives hk the next UID of the subnet.
func appendNeuron(st store, netuid uint16, sn *Subnet, hk types.Address, now uint64) (uint16, error) {
	uid := sn.N
	nr := Neuron{Hotkey: hk, RegisteredAt: now, LastUpdate: now, Active: true}
	if err := st.put(neuronKey(netuid, uid), &nr); err != nil {
		return 0, err
	}
	if err := st.put(uidKey(netuid, hk), uid); err != nil {
		return 0, err
	}
	sn.N++
	return uid, nil
}

// replaceNeuron gives uid to hk: the old hotkey loses its UID, axon,
// commits, weights and bonds on this subnet (its stake is untouched); the
// new neuron starts fresh, registered now.
func replaceNeuron(st store, netuid, uid uint16, hk types.Address, now uint64) (types.Address, error) {
	old, err := st.neuron(netuid, uid)
	if err != nil {
		return types.Address{}, err
	}
	for _, k := range [][]byte{uidKey(netuid, old.Hotkey), axonKey(netuid, old.Hotkey), commitsKey(netuid, old.Hotkey), weightsKey(netuid, uid), bondsKey(netuid, uid)} {
		if err := st.del(k); err != nil {
			return types.Address{}, err
		}
	}
	nr := Neuron{Hotkey: hk, RegisteredAt: now, LastUpdate: now, Active: true}
	if err := st.put(neuronKey(netuid, uid), &nr); err != nil {
		return types.Address{}, err
	}
	return old.Hotkey, st.put(uidKey(netuid, hk), uid)
}

// isImmune: a UID is immune for immunity_period blocks after registration.
func isImmune(nr *Neuron, hp *Hyperparams, now uint64) bool {
	return now < nr.RegisteredAt || now-nr.RegisteredAt < hp.ImmunityPeriod
}

// neuronToPrune picks the UID a registration on a full subnet replaces:
// the lowest pruning score among UIDs outside their immunity period, ties
// to the earliest registration, then the lowest UID. The subnet owner's
// hotkey is never pruned. A UID under immunity is never chosen; ok is false
// when every candidate is immune.
func neuronToPrune(st store, netuid uint16, sn *Subnet, hp *Hyperparams, now uint64) (uid uint16, ok bool, err error) {
	var best Neuron
	// A decode error stops the walk, and Iterate then returns nil: keep it
	// apart so a corrupt record is not hidden.
	var bad error
	err = st.r.Iterate(neuronPrefix(netuid), func(k, v []byte) bool {
		var nr Neuron
		if bad = decodeInto(v, &nr); bad != nil {
			return false
		}
		if nr.Hotkey == sn.OwnerHotkey || isImmune(&nr, hp, now) {
			return true
		}
		u := uint16(k[len(k)-2])<<8 | uint16(k[len(k)-1])
		if !ok || nr.PruningScore < best.PruningScore ||
			(nr.PruningScore == best.PruningScore && nr.RegisteredAt < best.RegisteredAt) {
			uid, best, ok = u, nr, true
		}
		return true
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return 0, false, err
	}
	return uid, ok, nil
}

// checkRegistrationLimits enforces max_regs_per_block and three times
// target_regs_per_interval per adjustment interval, as subtensor.
func checkRegistrationLimits(sn *Subnet, hp *Hyperparams, netuid uint16, now uint64) error {
	if sn.RegsBlock == now && sn.RegsThisBlock >= hp.MaxRegsPerBlock {
		return ErrTooManyRegistrationsThisBlock.RetryAfter(now+1, "subnet %d took %d registrations in block %d", netuid, sn.RegsThisBlock, now)
	}
	if limit := 3 * uint32(hp.TargetRegsPerInterval); uint32(sn.RegsThisInterval) >= limit {
		return ErrTooManyRegistrationsThisInterval.RetryAfter(sn.LastAdjustment+uint64(hp.AdjustmentInterval),
			"subnet %d took %d registrations this interval (limit %d)", netuid, sn.RegsThisInterval, limit)
	}
	return nil
}

func countRegistration(sn *Subnet, now uint64) {
	if sn.RegsBlock != now {
		sn.RegsBlock, sn.RegsThisBlock = now, 0
	}
	sn.RegsThisBlock++
	sn.RegsThisInterval++
}

// burnedRegister registers Hotkey on a subnet for the signer coldkey,
// burning the subnet's current burn cost. On a full subnet the UID chosen
// by neuronToPrune is replaced.
func (m *Module) burnedRegister(ctx *chain.Context, st store, signer types.Address, c *types.BurnedRegister) error {
	if c.NetUID == RootNetUID {
		return ErrRootNotAllowed.With("use root_register for the root network")
	}
	sn, hp, err := st.mustSubnet(c.NetUID)
	if err != nil {
		return err
	}
	now := ctx.Header.Height
	if !hp.RegistrationAllowed {
		return ErrRegistrationDisabled.With("subnet %d does not accept registrations", c.NetUID)
	}
	if err := checkRegistrationLimits(&sn, &hp, c.NetUID, now); err != nil {
		return err
	}
	if _, ok, err := st.uid(c.NetUID, c.Hotkey); err != nil {
		return err
	} else if ok {
		return ErrHotkeyAlreadyRegistered.With("hotkey %s is already on subnet %d", c.Hotkey.Hex(), c.NetUID)
	}
	cost := burnCost(&sn, &hp)
	if bal, err := ctx.Bank.Balance(signer); err != nil {
		return err
	} else if bal < cost {
		return chain.ErrInsufficientFunds.With("registration on subnet %d burns %d rao, balance %d rao", c.NetUID, cost, bal)
	}
	if err := checkHotkeyOwner(st, c.Hotkey, signer); err != nil {
		return err
	}
	var replace uint16
	full := sn.N >= hp.MaxAllowedUIDs
	if full {
		uid, ok, err := neuronToPrune(st, c.NetUID, &sn, &hp, now)
		if err != nil {
			return err
		}
		if !ok {
			return ErrAllUIDsImmune.With("subnet %d has all %d UIDs under immunity", c.NetUID, sn.N)
		}
		replace = uid
	}
	p, err := st.params()
	if err != nil {
		return err
	}
	if err := ctx.Bank.Burn(signer, cost); err != nil {
		return err
	}
	if _, err := claimHotkey(st, &p, c.Hotkey, signer); err != nil {
		return err
	}
	uid := replace
	if full {
		old, err := replaceNeuron(st, c.NetUID, replace, c.Hotkey, now)
		if err != nil {
			return err
		}
		ctx.Emit("neuron_replaced", "netuid", fmt.Sprint(c.NetUID), "uid", fmt.Sprint(uid), "old_hotkey", old.Hex())
	} else if uid, err = appendNeuron(st, c.NetUID, &sn, c.Hotkey, now); err != nil {
		return err
	}
	countRegistration(&sn, now)
	if err := st.put(subnetKey(c.NetUID), &sn); err != nil {
		return err
	}
	ctx.Emit("neuron_registered", "netuid", fmt.Sprint(c.NetUID), "uid", fmt.Sprint(uid), "hotkey", c.Hotkey.Hex(), "burned", fmt.Sprint(cost))
	return nil
}

// rootRegister adds Hotkey to the root network (no burn). When root is full
// the hotkey replaces the root validator with the least stake (ties to the
// lowest UID), and only if its own stake is strictly greater.
func (m *Module) rootRegister(ctx *chain.Context, st store, signer types.Address, c *types.RootRegister) error {
	sn, hp, err := st.mustSubnet(RootNetUID)
	if err != nil {
		return err
	}
	now := ctx.Header.Height
	if err := checkRegistrationLimits(&sn, &hp, RootNetUID, now); err != nil {
		return err
	}
	if _, ok, err := st.uid(RootNetUID, c.Hotkey); err != nil {
		return err
	} else if ok {
		return ErrHotkeyAlreadyRegistered.With("hotkey %s is already a root validator", c.Hotkey.Hex())
	}
	p, err := st.params()
	if err != nil {
		return err
	}
	rec, err := claimHotkey(st, &p, c.Hotkey, signer)
	if err != nil {
		return err
	}
	var uid uint16
	if sn.N < hp.MaxAllowedUIDs {
		if uid, err = appendNeuron(st, RootNetUID, &sn, c.Hotkey, now); err != nil {
			return err
		}
	} else {
		var lowest uint64
		found := false
		for u := range sn.N {
			nr, err := st.neuron(RootNetUID, u)
			if err != nil {
				return err
			}
			h, _, err := st.hotkey(nr.Hotkey)
			if err != nil {
				return err
			}
			if !found || h.TotalStake < lowest {
				uid, lowest, found = u, h.TotalStake, true
			}
		}
		if rec.TotalStake <= lowest {
			return ErrStakeTooLowForRoot.With("stake %d rao, lowest root validator (uid %d) has %d rao", rec.TotalStake, uid, lowest)
		}
		old, err := replaceNeuron(st, RootNetUID, uid, c.Hotkey, now)
		if err != nil {
			return err
		}
		ctx.Emit("neuron_replaced", "netuid", "0", "uid", fmt.Sprint(uid), "old_hotkey", old.Hex())
	}
	countRegistration(&sn, now)
	if err := st.put(subnetKey(RootNetUID), &sn); err != nil {
		return err
	}
	ctx.Emit("neuron_registered", "netuid", "0", "uid", fmt.Sprint(uid), "hotkey", c.Hotkey.Hex())
	return nil
}
