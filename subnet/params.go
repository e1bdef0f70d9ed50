package subnet

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/yumachain/yuma/chain"
)

// Params are the module's chain rules. They come from the genesis section
// "subnet" (fields left out keep the defaults below) and are stored at
// genesis; they do not change afterwards. Numbers are subtensor's unless
// noted.
type Params struct {
	// SubnetLimit is the most subnets (root excluded) that may exist; a
	// registration beyond it prunes one (see RegisterNetwork).
	SubnetLimit uint16 `json:"subnet_limit"`
	// NetworkMinLock is the floor of the network lock cost, rao.
	NetworkMinLock chain.U64 `json:"network_min_lock"`
	// NetworkLockReductionInterval is how many blocks the lock cost takes to
	// decay from twice the last lock back to the last lock.
	NetworkLockReductionInterval uint64 `json:"network_lock_reduction_interval"`
	// NetworkRateLimit is the least number of blocks between two network
	// registrations (chain-wide).
	NetworkRateLimit uint64 `json:"network_rate_limit"`
	// NetworkImmunityPeriod is how many blocks a new subnet cannot be
	// pruned.
	NetworkImmunityPeriod uint64 `json:"network_immunity_period"`
	// SubnetOwnerCut is the owner's share of each epoch's emission, u16
	// fraction of 65535 (11796 = 18%).
	SubnetOwnerCut uint16 `json:"subnet_owner_cut"`
	// AdminFreezeWindow: hyperparameter changes are refused while fewer
	// than this many blocks remain before the subnet's next epoch.
	AdminFreezeWindow uint64 `json:"admin_freeze_window"`
	// HyperparamRateLimitTempos: a hyperparameter of a subnet may change at
	// most once per this many tempos of the subnet.
	HyperparamRateLimitTempos uint64 `json:"hyperparam_rate_limit_tempos"`
	// WeightsVersionRateLimitTempos is the same for weights_version.
	WeightsVersionRateLimitTempos uint64 `json:"weights_version_rate_limit_tempos"`
	// MinStake is the smallest add_stake, and the least stake a coldkey may
	// leave behind a hotkey (a smaller remainder is unstaked with it), rao.
	MinStake chain.U64 `json:"min_stake"`
	// WeightsMinStake is the stake a hotkey needs to set weights (and the
	// epoch's stake threshold), rao.
	WeightsMinStake chain.U64 `json:"weights_min_stake"`
	// DefaultTake, MinTake and MaxTake bound the delegate take (u16
	// fractions of 65535); DefaultTake applies until set_delegate_take.
	DefaultTake uint16 `json:"default_take"`
	MinTake     uint16 `json:"min_take"`
	MaxTake     uint16 `json:"max_take"`
	// TakeRateLimit is the least number of blocks between two take
	// increases of a hotkey; decreases are not limited.
	TakeRateLimit uint64 `json:"take_rate_limit"`
	// MaxUnrevealedCommits bounds a hotkey's pending commits per subnet.
	MaxUnrevealedCommits uint16 `json:"max_unrevealed_commits"`
	// MinActivityCutoff is the least activity_cutoff a subnet may set.
	MinActivityCutoff uint64 `json:"min_activity_cutoff"`
	// MaxAllowedUIDsLimit bounds any subnet's max_allowed_uids.
	MaxAllowedUIDsLimit uint16 `json:"max_allowed_uids_limit"`
	// SubnetDefaults are the hyperparameters of a newly registered subnet.
	SubnetDefaults Hyperparams `json:"subnet_defaults"`
	// Root are the hyperparameters of the root network at genesis.
	Root Hyperparams `json:"root"`
}

// Hyperparams are a subnet's tunable parameters. Fractions are u16 of 65535
// unless noted. See hyperTable for who may change each and its range.
type Hyperparams struct {
	Tempo                 uint16 `json:"tempo"`
	Kappa                 uint16 `json:"kappa"`
	Rho                   uint16 `json:"rho"`
	ImmunityPeriod        uint64 `json:"immunity_period"`
	MinAllowedWeights     uint16 `json:"min_allowed_weights"`
	MaxWeightsLimit       uint16 `json:"max_weights_limit"`
	MaxAllowedUIDs        uint16 `json:"max_allowed_uids"`
	MaxAllowedValidators  uint16 `json:"max_allowed_validators"`
	ActivityCutoff        uint64 `json:"activity_cutoff"`
	BondsMovingAverage    uint64 `json:"bonds_moving_average"` // per 1,000,000
	BondsPenalty          uint16 `json:"bonds_penalty"`
	WeightsRateLimit      uint64 `json:"weights_rate_limit"`
	WeightsVersion        uint64 `json:"weights_version"`
	ServingRateLimit      uint64 `json:"serving_rate_limit"`
	MinBurn               uint64 `json:"min_burn"`
	MaxBurn               uint64 `json:"max_burn"`
	InitialBurn           uint64 `json:"initial_burn"`
	TargetRegsPerInterval uint16 `json:"target_regs_per_interval"`
	AdjustmentInterval    uint16 `json:"adjustment_interval"`
	AdjustmentAlpha       uint64 `json:"adjustment_alpha"` // fraction of 2^64-1
	MaxRegsPerBlock       uint16 `json:"max_regs_per_block"`
	RegistrationAllowed   bool   `json:"registration_allowed"`
	CommitRevealEnabled   bool   `json:"commit_reveal_enabled"`
	CommitRevealPeriod    uint64 `json:"commit_reveal_period"` // epochs
	LiquidAlphaEnabled    bool   `json:"liquid_alpha_enabled"`
	AlphaLow              uint16 `json:"alpha_low"`
	AlphaHigh             uint16 `json:"alpha_high"`
	Yuma3Enabled          bool   `json:"yuma3_enabled"`
}

// DefaultHyperparams are subtensor's values for a newly added network
// (init_new_network and the runtime's initial constants). Deviation:
// commit-reveal starts disabled, since subtensor's enabled default belongs to
// its timelock scheme; this chain's commit-reveal is the hash scheme.
func DefaultHyperparams() Hyperparams {
	return Hyperparams{
		Tempo:                 360,
		Kappa:                 32_767,
		Rho:                   10,
		ImmunityPeriod:        4096,
		MinAllowedWeights:     1,
		MaxWeightsLimit:       65_535,
		MaxAllowedUIDs:        256,
		MaxAllowedValidators:  64,
		ActivityCutoff:        5000,
		BondsMovingAverage:    900_000,
		BondsPenalty:          65_535,
		WeightsRateLimit:      100,
		WeightsVersion:        0,
		ServingRateLimit:      50,
		MinBurn:               500_000,
		MaxBurn:               100 * chain.RaoPerTAO,
		InitialBurn:           100_000_000,
		TargetRegsPerInterval: 1,
		AdjustmentInterval:    360,
		AdjustmentAlpha:       17_893_341_751_498_265_066, // 0.97 of 2^64-1
		MaxRegsPerBlock:       1,
		RegistrationAllowed:   true,
		CommitRevealEnabled:   false,
		CommitRevealPeriod:    1,
		LiquidAlphaEnabled:    false,
		AlphaLow:              45_875,
		AlphaHigh:             58_982,
		Yuma3Enabled:          false,
	}
}

// DefaultRootHyperparams are the root network's: tempo 99 (subtensor's
// initial tempo), 64 root validators, all of them eligible for a permit.
func DefaultRootHyperparams() Hyperparams {
	h := DefaultHyperparams()
	h.Tempo = 99
	h.MaxAllowedUIDs = 64
	h.MaxAllowedValidators = 64
	h.MinAllowedWeights = 1
	h.ImmunityPeriod = 0
	h.InitialBurn = 0
	h.MinBurn = 0
	h.TargetRegsPerInterval = 1
	return h
}

// DefaultParams are the chain rules when the genesis leaves them out.
func DefaultParams() Params {
	return Params{
		SubnetLimit:                   128,
		NetworkMinLock:                1000 * chain.RaoPerTAO,
		NetworkLockReductionInterval:  14 * 7200,
		NetworkRateLimit:              7200,
		NetworkImmunityPeriod:         7 * 7200,
		SubnetOwnerCut:                11_796,
		AdminFreezeWindow:             10,
		HyperparamRateLimitTempos:     2,
		WeightsVersionRateLimitTempos: 5,
		MinStake:                      2_000_000,
		WeightsMinStake:               0,
		DefaultTake:                   11_796,
		MinTake:                       0,
		MaxTake:                       11_796,
		TakeRateLimit:                 216_000,
		MaxUnrevealedCommits:          10,
		MinActivityCutoff:             360,
		MaxAllowedUIDsLimit:           4096,
		SubnetDefaults:                DefaultHyperparams(),
		Root:                          DefaultRootHyperparams(),
	}
}

// ParseParams decodes the genesis section over the defaults; unknown fields
// are an error. nil gives the defaults.
func ParseParams(raw json.RawMessage) (Params, error) {
	p := DefaultParams()
	if len(bytes.TrimSpace(raw)) > 0 && string(bytes.TrimSpace(raw)) != "null" {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return Params{}, fmt.Errorf("subnet genesis: %w", err)
		}
	}
	return p, p.Validate()
}

// Validate checks the params for consistency.
func (p *Params) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("subnet genesis: %s", fmt.Sprintf(format, args...))
	}
	switch {
	case p.SubnetLimit == 0:
		return bad("subnet_limit must be positive")
	case p.NetworkLockReductionInterval == 0:
		return bad("network_lock_reduction_interval must be positive")
	case !(p.MinTake <= p.DefaultTake && p.DefaultTake <= p.MaxTake):
		return bad("takes must satisfy min_take <= default_take <= max_take")
	case p.MaxUnrevealedCommits == 0:
		return bad("max_unrevealed_commits must be positive")
	case p.MaxAllowedUIDsLimit == 0 || p.MaxAllowedUIDsLimit > 4096:
		return bad("max_allowed_uids_limit must be 1..4096")
	}
	if p.SubnetDefaults.InitialBurn < p.SubnetDefaults.MinBurn || p.SubnetDefaults.InitialBurn > p.SubnetDefaults.MaxBurn {
		return bad("subnet_defaults: initial_burn must lie within min_burn..max_burn")
	}
	for _, hp := range []struct {
		name string
		h    Hyperparams
	}{{"subnet_defaults", p.SubnetDefaults}, {"root", p.Root}} {
		if err := p.validateHyper(&hp.h, 0); err != nil {
			return bad("%s: %v", hp.name, err)
		}
	}
	// The root epoch is one matrix of root validators by subnets, indexed
	// by u16: root's UIDs (at most max_allowed_uids, which the admin may
	// raise to max_allowed_uids_limit) plus subnet_limit subnets must fit,
	// or the chain halts at the first root epoch that passes 65535.
	if rootUIDs := max(p.Root.MaxAllowedUIDs, p.MaxAllowedUIDsLimit); uint32(p.SubnetLimit)+uint32(rootUIDs) > math.MaxUint16 {
		return bad("subnet_limit (%d) + root max_allowed_uids (up to max_allowed_uids_limit, %d) is %d, above 65535: the root epoch could not index its validators and subnets; lower subnet_limit to at most %d",
			p.SubnetLimit, rootUIDs, uint32(p.SubnetLimit)+uint32(rootUIDs), math.MaxUint16-uint32(rootUIDs))
	}
	return nil
}

// validateHyper runs every range check of hyperTable on h, as if each value
// were being set by the admin on a subnet of n UIDs.
func (p *Params) validateHyper(h *Hyperparams, n uint16) error {
	for _, d := range hyperTable {
		if err := d.check(p, h, d.get(h), n, false); err != nil {
			return fmt.Errorf("%s: %s", d.name, err.Msg)
		}
	}
	return nil
}
