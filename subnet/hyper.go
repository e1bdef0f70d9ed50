package subnet

import (
	"fmt"
	"math"
	"sort"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// hyperDef describes one hyperparameter: its name in set_hyperparameter,
// whether only the chain admin may set it, and its range check. Which
// parameters are owner-settable follows subtensor's admin-utils: the subnet
// owner (or the admin) may set the ones with rootOnly false.
type hyperDef struct {
	name     string
	rootOnly bool
	get      func(*Hyperparams) uint64
	set      func(*Hyperparams, uint64)
	// check validates v as the new value for h on a subnet of n UIDs;
	// byOwner is true when the subnet owner (not the admin) sets it.
	check func(p *Params, h *Hyperparams, v uint64, n uint16, byOwner bool) *chain.TxError
}

func between(lo, hi uint64) func(*Params, *Hyperparams, uint64, uint16, bool) *chain.TxError {
	return func(_ *Params, _ *Hyperparams, v uint64, _ uint16, _ bool) *chain.TxError {
		if v < lo || v > hi {
			return ErrHyperparameterOutOfRange.With("must be %d..%d, got %d", lo, hi, v)
		}
		return nil
	}
}

func u16Field(f func(*Hyperparams) *uint16) (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
	return func(h *Hyperparams) uint64 { return uint64(*f(h)) }, func(h *Hyperparams, v uint64) { *f(h) = uint16(v) }
}

func u64Field(f func(*Hyperparams) *uint64) (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
	return func(h *Hyperparams) uint64 { return *f(h) }, func(h *Hyperparams, v uint64) { *f(h) = v }
}

func boolField(f func(*Hyperparams) *bool) (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
	return func(h *Hyperparams) uint64 {
			if *f(h) {
				return 1
			}
			return 0
		}, func(h *Hyperparams, v uint64) {
			*f(h) = v == 1
		}
}

func def(name string, rootOnly bool, gs func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)), check func(*Params, *Hyperparams, uint64, uint16, bool) *chain.TxError) hyperDef {
	g, s := gs()
	return hyperDef{name: name, rootOnly: rootOnly, get: g, set: s, check: check}
}

const (
	maxU16 = math.MaxUint16
	// minAlpha is subtensor's floor for alpha_low and alpha_high (65535/40).
	minAlpha = 1638
	// maxRevealPeriod bounds commit_reveal_period (subtensor's
	// MAX_COMMIT_REVEAL_PEROIDS).
	maxRevealPeriod = 100
	// maxOwnerBondsMovingAverage is the most a subnet owner may set
	// bonds_moving_average to; the admin may go up to 1,000,000.
	maxOwnerBondsMovingAverage = 975_000
)

// hyperTable is every settable hyperparameter, sorted by name.
var hyperTable = func() []hyperDef {
	t := []hyperDef{
		def("tempo", true, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.Tempo })
		}, between(1, maxU16)),
		def("kappa", true, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.Kappa })
		}, between(0, maxU16)),
		def("rho", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.Rho })
		}, between(0, maxU16)),
		def("immunity_period", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.ImmunityPeriod })
		}, between(0, maxU16)),
		def("min_allowed_weights", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.MinAllowedWeights })
		}, func(_ *Params, h *Hyperparams, v uint64, _ uint16, _ bool) *chain.TxError {
			if v > uint64(h.MaxAllowedUIDs) {
				return ErrHyperparameterOutOfRange.With("must be 0..max_allowed_uids (%d), got %d", h.MaxAllowedUIDs, v)
			}
			return nil
		}),
		def("max_weights_limit", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.MaxWeightsLimit })
		}, between(1, maxU16)),
		def("max_allowed_uids", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.MaxAllowedUIDs })
		}, func(p *Params, h *Hyperparams, v uint64, n uint16, _ bool) *chain.TxError {
			lo := max(uint64(n), uint64(h.MaxAllowedValidators), uint64(h.MinAllowedWeights), 1)
			if v < lo || v > uint64(p.MaxAllowedUIDsLimit) {
				return ErrHyperparameterOutOfRange.With("must be %d..%d (at least the current UIDs, max_allowed_validators and min_allowed_weights), got %d", lo, p.MaxAllowedUIDsLimit, v)
			}
			return nil
		}),
		def("max_allowed_validators", true, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.MaxAllowedValidators })
		}, func(_ *Params, h *Hyperparams, v uint64, _ uint16, _ bool) *chain.TxError {
			if v < 1 || v > uint64(h.MaxAllowedUIDs) {
				return ErrHyperparameterOutOfRange.With("must be 1..max_allowed_uids (%d), got %d", h.MaxAllowedUIDs, v)
			}
			return nil
		}),
		def("activity_cutoff", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.ActivityCutoff })
		}, func(p *Params, _ *Hyperparams, v uint64, _ uint16, _ bool) *chain.TxError {
			if v < p.MinActivityCutoff || v > maxU16 {
				return ErrHyperparameterOutOfRange.With("must be %d..%d, got %d", p.MinActivityCutoff, maxU16, v)
			}
			return nil
		}),
		def("bonds_moving_average", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.BondsMovingAverage })
		}, func(_ *Params, _ *Hyperparams, v uint64, _ uint16, byOwner bool) *chain.TxError {
			hi := uint64(1_000_000)
			if byOwner {
				hi = maxOwnerBondsMovingAverage
			}
			if v > hi {
				return ErrHyperparameterOutOfRange.With("must be 0..%d, got %d", hi, v)
			}
			return nil
		}),
		def("bonds_penalty", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.BondsPenalty })
		}, between(0, maxU16)),
		def("weights_rate_limit", true, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.WeightsRateLimit })
		}, between(0, math.MaxUint32)),
		def("weights_version", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.WeightsVersion })
		}, between(0, math.MaxUint64)),
		def("serving_rate_limit", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.ServingRateLimit })
		}, between(0, math.MaxUint32)),
		def("min_burn", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.MinBurn })
		}, func(_ *Params, h *Hyperparams, v uint64, _ uint16, _ bool) *chain.TxError {
			if v > h.MaxBurn {
				return ErrHyperparameterOutOfRange.With("must be at most max_burn (%d), got %d", h.MaxBurn, v)
			}
			return nil
		}),
		def("max_burn", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.MaxBurn })
		}, func(_ *Params, h *Hyperparams, v uint64, _ uint16, _ bool) *chain.TxError {
			if v < h.MinBurn || v > chain.MaxSupply {
				return ErrHyperparameterOutOfRange.With("must be min_burn (%d)..%d, got %d", h.MinBurn, chain.MaxSupply, v)
			}
			return nil
		}),
		def("target_regs_per_interval", true, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.TargetRegsPerInterval })
		}, between(1, maxU16/3)),
		def("adjustment_interval", true, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.AdjustmentInterval })
		}, between(1, maxU16)),
		def("adjustment_alpha", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.AdjustmentAlpha })
		}, between(0, math.MaxUint64)),
		def("max_regs_per_block", true, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.MaxRegsPerBlock })
		}, between(1, maxU16)),
		def("registration_allowed", true, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return boolField(func(h *Hyperparams) *bool { return &h.RegistrationAllowed })
		}, between(0, 1)),
		def("commit_reveal_enabled", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return boolField(func(h *Hyperparams) *bool { return &h.CommitRevealEnabled })
		}, between(0, 1)),
		def("commit_reveal_period", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u64Field(func(h *Hyperparams) *uint64 { return &h.CommitRevealPeriod })
		}, between(1, maxRevealPeriod)),
		def("liquid_alpha_enabled", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return boolField(func(h *Hyperparams) *bool { return &h.LiquidAlphaEnabled })
		}, between(0, 1)),
		def("alpha_low", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.AlphaLow })
		}, func(_ *Params, h *Hyperparams, v uint64, _ uint16, _ bool) *chain.TxError {
			if v < minAlpha || v > uint64(h.AlphaHigh) {
				return ErrHyperparameterOutOfRange.With("must be %d..alpha_high (%d), got %d", minAlpha, h.AlphaHigh, v)
			}
			return nil
		}),
		def("alpha_high", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return u16Field(func(h *Hyperparams) *uint16 { return &h.AlphaHigh })
		}, func(_ *Params, h *Hyperparams, v uint64, _ uint16, _ bool) *chain.TxError {
			lo := max(uint64(minAlpha), uint64(h.AlphaLow))
			if v < lo || v > maxU16 {
				return ErrHyperparameterOutOfRange.With("must be alpha_low..65535 (%d..65535), got %d", lo, v)
			}
			return nil
		}),
		def("yuma3_enabled", false, func() (func(*Hyperparams) uint64, func(*Hyperparams, uint64)) {
			return boolField(func(h *Hyperparams) *bool { return &h.Yuma3Enabled })
		}, between(0, 1)),
	}
	sort.Slice(t, func(i, j int) bool { return t[i].name < t[j].name })
	return t
}()

func lookupHyper(name string) (hyperDef, bool) {
	i := sort.Search(len(hyperTable), func(i int) bool { return hyperTable[i].name >= name })
	if i < len(hyperTable) && hyperTable[i].name == name {
		return hyperTable[i], true
	}
	return hyperDef{}, false
}

// HyperparameterNames lists the settable hyperparameters and whether each
// is root-only (admin) rather than owner-settable.
func HyperparameterNames() []struct {
	Name     string
	RootOnly bool
} {
	out := make([]struct {
		Name     string
		RootOnly bool
	}, len(hyperTable))
	for i, d := range hyperTable {
		out[i].Name, out[i].RootOnly = d.name, d.rootOnly
	}
	return out
}

// setHyperparameter: the chain admin may set every parameter of every
// subnet (root included); the subnet owner the owner-settable ones of its
// own subnet. Every change, by anyone, is refused inside the admin freeze
// window (the last AdminFreezeWindow blocks before the subnet's epoch) and
// is rate-limited per (subnet, parameter): once per
// HyperparamRateLimitTempos tempos (WeightsVersionRateLimitTempos for
// weights_version). Deviation from subtensor, where the admin is not
// rate-limited: here each change is.
func (m *Module) setHyperparameter(ctx *chain.Context, st store, signer types.Address, c *types.SetHyperparameter) error {
	if err := c.Validate(); err != nil {
		return ErrUnknownHyperparameter.With("%v", err)
	}
	d, ok := lookupHyper(c.Name)
	if !ok {
		return ErrUnknownHyperparameter.With("no hyperparameter %q", c.Name)
	}
	sn, hp, err := st.mustSubnet(c.NetUID)
	if err != nil {
		return err
	}
	admin := ctx.Genesis != nil && signer == ctx.Genesis.Admin && signer != (types.Address{})
	switch {
	case admin:
	case d.rootOnly:
		return ErrNotAdmin.With("%s is root-only: only the chain admin may set it", d.name)
	case c.NetUID == RootNetUID || signer != sn.Owner:
		return ErrNotSubnetOwner.With("%s does not own subnet %d", signer.Hex(), c.NetUID)
	}
	p, err := st.params()
	if err != nil {
		return err
	}
	if (d.name == "alpha_low" || d.name == "alpha_high") && !hp.LiquidAlphaEnabled {
		return ErrLiquidAlphaDisabled.With("enable liquid_alpha_enabled on subnet %d first", c.NetUID)
	}
	if e := d.check(&p, &hp, c.Value, sn.N, !admin); e != nil {
		return ErrHyperparameterOutOfRange.With("%s: %s", d.name, e.Msg)
	}
	now := ctx.Header.Height
	if rem := blocksUntilNextEpoch(c.NetUID, hp.Tempo, now); rem < p.AdminFreezeWindow {
		return ErrAdminFreezeWindow.RetryAfter(now+rem+1, "subnet %d runs its epoch in %d blocks; changes are frozen for the last %d", c.NetUID, rem, p.AdminFreezeWindow)
	}
	tempos := p.HyperparamRateLimitTempos
	if d.name == "weights_version" {
		tempos = p.WeightsVersionRateLimitTempos
	}
	limit := satMul(uint64(hp.Tempo), tempos)
	var last uint64
	seen, err := st.get(hyperSetKey(c.NetUID, d.name), &last)
	if err != nil {
		return err
	}
	if seen && now-last < limit {
		return ErrHyperparameterRateLimited.RetryAfter(last+limit, "%s of subnet %d changed at block %d; at most once per %d blocks", d.name, c.NetUID, last, limit)
	}
	d.set(&hp, c.Value)
	if err := st.put(hyperKey(c.NetUID), &hp); err != nil {
		return err
	}
	if err := st.put(hyperSetKey(c.NetUID, d.name), now); err != nil {
		return err
	}
	ctx.Emit("hyperparameter_set", "netuid", fmt.Sprint(c.NetUID), "name", d.name, "value", fmt.Sprint(c.Value), "by", signer.Hex())
	return nil
}

func satMul(a, b uint64) uint64 {
	if a != 0 && b > math.MaxUint64/a {
		return math.MaxUint64
	}
	return a * b
}
