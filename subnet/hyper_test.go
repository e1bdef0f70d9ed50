package subnet

import (
	"strings"
	"testing"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// openBlock advances so that the next block is outside netuid's admin
// freeze window.
func (e *env) openBlock(netuid uint16) {
	e.t.Helper()
	p := testParams()
	for blocksUntilNextEpoch(netuid, e.hyper(netuid).Tempo, e.height+1) < p.AdminFreezeWindow {
		e.block()
	}
}

func set(netuid uint16, name string, v uint64) *types.SetHyperparameter {
	return &types.SetHyperparameter{NetUID: netuid, Name: name, Value: v}
}

func TestSetHyperparameter(t *testing.T) {
	e := newEnv(t, nil)
	n := e.newSubnet("alice")
	e.openBlock(n)
	e.ok("alice", set(n, "rho", 12))
	e.openBlock(n)
	e.ok("admin", set(n, "tempo", 19))
	e.openBlock(n)
	e.ok("admin", set(n, "kappa", 40_000))
	e.openBlock(n)
	e.ok("alice", set(n, "commit_reveal_enabled", 1))
	e.openBlock(n)
	e.ok("alice", set(n, "liquid_alpha_enabled", 1))
	e.openBlock(n)
	e.ok("alice", set(n, "alpha_low", 2000))
	hp := e.hyper(n)
	if hp.Rho != 12 || hp.Tempo != 19 || hp.Kappa != 40_000 || !hp.CommitRevealEnabled || !hp.LiquidAlphaEnabled || hp.AlphaLow != 2000 {
		t.Fatalf("hyperparameters %+v", hp)
	}
	// The admin may set owner-settable parameters too, and root's.
	e.openBlock(n)
	e.ok("admin", set(n, "bonds_moving_average", 999_000))
	e.openBlock(0)
	e.ok("admin", set(0, "max_allowed_validators", 2))
	if e.hyper(0).MaxAllowedValidators != 2 || e.hyper(n).BondsMovingAverage != 999_000 {
		t.Fatal("admin changes not stored")
	}
}

func TestSetHyperparameterErrors(t *testing.T) {
	e := newEnv(t, nil)
	n := e.newSubnet("alice")
	e.register(n, "bob", "bob-hk")
	e.openBlock(n)
	for _, tc := range []struct {
		name   string
		signer string
		call   *types.SetHyperparameter
		want   *chain.TxError
	}{
		{"unknown name", "alice", set(n, "no_such_thing", 1), ErrUnknownHyperparameter},
		{"unknown subnet", "alice", set(9, "rho", 1), ErrSubnetNotFound},
		{"owner sets a root-only parameter", "alice", set(n, "tempo", 20), ErrNotAdmin},
		{"owner sets kappa", "alice", set(n, "kappa", 20), ErrNotAdmin},
		{"stranger sets rho", "bob", set(n, "rho", 20), ErrNotSubnetOwner},
		{"owner on root", "alice", set(0, "rho", 20), ErrNotSubnetOwner},
		{"bool out of range", "alice", set(n, "yuma3_enabled", 2), ErrHyperparameterOutOfRange},
		{"tempo 0", "admin", set(n, "tempo", 0), ErrHyperparameterOutOfRange},
		{"tempo above u16", "admin", set(n, "tempo", 70_000), ErrHyperparameterOutOfRange},
		{"owner bonds_moving_average above 975000", "alice", set(n, "bonds_moving_average", 980_000), ErrHyperparameterOutOfRange},
		{"admin bonds_moving_average above 1e6", "admin", set(n, "bonds_moving_average", 1_000_001), ErrHyperparameterOutOfRange},
		{"max_allowed_uids below current n", "alice", set(n, "max_allowed_uids", 1), ErrHyperparameterOutOfRange},
		{"max_allowed_uids above the limit", "alice", set(n, "max_allowed_uids", 5000), ErrHyperparameterOutOfRange},
		{"max_allowed_validators above max uids", "admin", set(n, "max_allowed_validators", 9), ErrHyperparameterOutOfRange},
		{"activity_cutoff below the minimum", "alice", set(n, "activity_cutoff", 9), ErrHyperparameterOutOfRange},
		{"min_burn above max_burn", "alice", set(n, "min_burn", 101*tao), ErrHyperparameterOutOfRange},
		{"max_burn below min_burn", "alice", set(n, "max_burn", 1), ErrHyperparameterOutOfRange},
		{"commit_reveal_period 0", "alice", set(n, "commit_reveal_period", 0), ErrHyperparameterOutOfRange},
		{"commit_reveal_period 101", "alice", set(n, "commit_reveal_period", 101), ErrHyperparameterOutOfRange},
		{"target regs 0", "admin", set(n, "target_regs_per_interval", 0), ErrHyperparameterOutOfRange},
		{"min_allowed_weights above max uids", "alice", set(n, "min_allowed_weights", 9), ErrHyperparameterOutOfRange},
		{"alpha without liquid alpha", "alice", set(n, "alpha_high", 60_000), ErrLiquidAlphaDisabled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.fail(tc.signer, tc.call, tc.want)
			e.openBlock(n)
		})
	}
	e.t = t

	// Alpha range once liquid alpha is on.
	e.ok("alice", set(n, "liquid_alpha_enabled", 1))
	e.openBlock(n)
	e.fail("alice", set(n, "alpha_low", 1000), ErrHyperparameterOutOfRange)
	e.fail("alice", set(n, "alpha_low", 60_000), ErrHyperparameterOutOfRange)  // above alpha_high 58982
	e.fail("alice", set(n, "alpha_high", 40_000), ErrHyperparameterOutOfRange) // below alpha_low 45875

	// Rate limit: once per 2 tempos per parameter.
	e.openBlock(n)
	e.ok("alice", set(n, "rho", 11))
	changed := e.height
	e.openBlock(n)
	rc := e.fail("alice", set(n, "rho", 12), ErrHyperparameterRateLimited)
	if want := changed + 2*uint64(e.hyper(n).Tempo); rc.RetryAt != want {
		t.Fatalf("retry at %d, want %d", rc.RetryAt, want)
	}
	e.ok("alice", set(n, "immunity_period", 30)) // another parameter is independent

	// Freeze window: the last 2 blocks before the epoch.
	for blocksUntilNextEpoch(n, e.hyper(n).Tempo, e.height+1) != 1 {
		e.block()
	}
	rc = e.fail("alice", set(n, "serving_rate_limit", 7), ErrAdminFreezeWindow)
	if want := e.height + 2; rc.RetryAt != want || !isEpochBlock(n, e.hyper(n).Tempo, want-1) {
		t.Fatalf("freeze retry at %d, want %d (the block after the epoch)", rc.RetryAt, want)
	}
}

// TestParamsRejectRootEpochOverflow: subnet_limit plus the most UIDs root
// can have (max_allowed_uids_limit, what the admin may raise root's
// max_allowed_uids to) must fit the root epoch's u16 index; above 65535
// the genesis is refused instead of halting the chain at a root epoch.
func TestParamsRejectRootEpochOverflow(t *testing.T) {
	for _, tc := range []struct {
		subnets, limit, rootUIDs uint16
		ok                       bool
	}{
		{128, 4096, 64, true},
		{65535 - 4096, 4096, 64, true},
		{65535 - 4096 + 1, 4096, 64, false},
		{65000, 4096, 4096, false},
		{65535 - 512, 512, 64, true},
		{65535 - 511, 512, 64, false},
		{65535, 512, 64, false},
	} {
		p := DefaultParams()
		p.SubnetLimit, p.MaxAllowedUIDsLimit = tc.subnets, tc.limit
		p.Root.MaxAllowedUIDs, p.Root.MaxAllowedValidators = tc.rootUIDs, min(p.Root.MaxAllowedValidators, tc.rootUIDs)
		p.Root.MinAllowedWeights = min(p.Root.MinAllowedWeights, tc.rootUIDs)
		err := p.Validate()
		if tc.ok && err != nil {
			t.Errorf("subnet_limit %d, limit %d, root %d: %v", tc.subnets, tc.limit, tc.rootUIDs, err)
		}
		if !tc.ok && (err == nil || !strings.Contains(err.Error(), "subnet_limit") || !strings.Contains(err.Error(), "65535")) {
			t.Errorf("subnet_limit %d, limit %d, root %d: %v, want a subnet_limit error", tc.subnets, tc.limit, tc.rootUIDs, err)
		}
	}
	raw := []byte(`{"subnet_limit": 65000}`)
	if _, err := ParseParams(raw); err == nil || !strings.Contains(err.Error(), "lower subnet_limit") {
		t.Fatalf("genesis with subnet_limit 65000: %v", err)
	}
}
