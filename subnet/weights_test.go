package subnet

import (
	"math"
	"testing"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

func TestMaxUpscale(t *testing.T) {
	for _, tc := range []struct{ in, want []uint16 }{
		{nil, []uint16{}},
		{[]uint16{0, 0}, []uint16{0, 0}},
		{[]uint16{1}, []uint16{65535}},
		{[]uint16{1, 2}, []uint16{32768, 65535}}, // 32767.5 rounds up
		{[]uint16{1, 3}, []uint16{21845, 65535}},
		{[]uint16{65535, 0, 32768}, []uint16{65535, 0, 32768}},
		{[]uint16{40000, 20000}, []uint16{65535, 32767}}, // truncated ratio: 65535/40000 in I32F32
		{[]uint16{100, 200, 300}, []uint16{21845, 43690, 65535}},
	} {
		got := MaxUpscale(tc.in)
		if len(got) != len(tc.want) {
			t.Fatalf("%v: %v", tc.in, got)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("MaxUpscale(%v) = %v, want %v", tc.in, got, tc.want)
				break
			}
		}
	}
	if !maxWeightLimited([]uint16{1, 1}, 32768) || maxWeightLimited([]uint16{3, 1}, 32768) || !maxWeightLimited([]uint16{0}, 1) {
		t.Fatal("maxWeightLimited")
	}
}

// runEpoch applies blocks up to and including netuid's next epoch block.
func (e *env) runEpoch(netuid uint16) {
	e.t.Helper()
	e.advanceTo(e.nextEpoch(netuid))
	e.block()
}

// validatorSetup: subnet owned by alice with bob-hk (staked, permitted
// after an epoch) and two miners m1, m2.
func validatorSetup(t *testing.T, edit func(*Params)) (*env, uint16) {
	e := newEnv(t, edit)
	n := e.newSubnet("alice")
	e.register(n, "bob", "bob-hk")
	e.register(n, "carol", "m1")
	e.register(n, "carol", "m2")
	e.ok("bob", &types.AddStake{Hotkey: e.addr("bob-hk"), Amount: 100 * tao})
	e.ok("alice", &types.Transfer{To: e.addr("bob-hk"), Amount: 10 * tao})
	e.ok("alice", &types.Transfer{To: e.addr("m1"), Amount: 10 * tao})
	e.runEpoch(n)
	if !e.neuron(n, 1).ValidatorPermit {
		t.Fatal("bob-hk has no permit after the epoch")
	}
	return e, n
}

func sw(netuid uint16, uids []uint16, vals []uint16) *types.SetWeights {
	return &types.SetWeights{NetUID: netuid, UIDs: uids, Values: vals}
}

func TestSetWeights(t *testing.T) {
	e, n := validatorSetup(t, nil)
	e.ok("bob-hk", sw(n, []uint16{3, 2}, []uint16{10, 30}))
	row, _ := e.reader().row(weightsKey(n, 1))
	if len(row) != 2 || row[0] != (entry{2, 65535}) || row[1] != (entry{3, 21845}) {
		t.Fatalf("stored row %+v (want sorted by uid, max-upscaled)", row)
	}
	if e.neuron(n, 1).LastUpdate != e.height {
		t.Fatal("last update not moved")
	}
	// A miner without permit may set a self-weight.
	e.ok("m1", sw(n, []uint16{2}, []uint16{1}))
	// All-zero weights clear the row.
	e.advanceTo(e.height + 2)
	e.ok("bob-hk", sw(n, []uint16{2}, []uint16{0}))
	if row, _ := e.reader().row(weightsKey(n, 1)); len(row) != 0 {
		t.Fatalf("row %+v", row)
	}
}

func TestSetWeightsErrors(t *testing.T) {
	e, n := validatorSetup(t, func(p *Params) { p.SubnetDefaults.MinAllowedWeights = 2 })
	e.advanceTo(e.height + 3)
	for _, tc := range []struct {
		name   string
		signer string
		call   *types.SetWeights
		want   *chain.TxError
	}{
		{"unknown subnet", "bob-hk", sw(9, []uint16{2, 3}, []uint16{1, 1}), ErrSubnetNotFound},
		{"more weights than uids", "bob-hk", sw(n, []uint16{0, 1, 2, 3, 4}, []uint16{1, 1, 1, 1, 1}), ErrTooManyWeights},
		{"not registered", "erin", sw(n, []uint16{2, 3}, []uint16{1, 1}), ErrHotkeyNotRegistered},
		{"no permit", "m2", sw(n, []uint16{0, 3}, []uint16{1, 1}), ErrNoValidatorPermit},
		{"duplicate", "bob-hk", sw(n, []uint16{2, 2}, []uint16{1, 1}), ErrDuplicateUIDs},
		{"invalid uid", "bob-hk", sw(n, []uint16{2, 7}, []uint16{1, 1}), ErrInvalidUID},
		{"too few", "bob-hk", sw(n, []uint16{2}, []uint16{1}), ErrTooFewWeights},
	} {
		e.fail(tc.signer, tc.call, tc.want)
	}
	// Weights rate limit: 2 blocks since the last update.
	e.ok("bob-hk", sw(n, []uint16{2, 3}, []uint16{1, 1}))
	rc := e.fail("bob-hk", sw(n, []uint16{2, 3}, []uint16{1, 2}), ErrWeightsRateLimited)
	if rc.RetryAt != e.height+1 {
		t.Fatalf("retry at %d, want %d", rc.RetryAt, e.height+1)
	}
	// Max weight limit (checked on the normalized, upscaled weights).
	e.openBlock(n)
	e.ok("alice", set(n, "max_weights_limit", 40_000))
	e.advanceTo(e.height + 2)
	e.fail("bob-hk", sw(n, []uint16{2, 3}, []uint16{1, 3}), ErrMaxWeightExceeded)
	e.ok("bob-hk", sw(n, []uint16{2, 3}, []uint16{1, 1}))
	// Version key.
	e.openBlock(n)
	e.ok("alice", set(n, "weights_version", 5))
	e.advanceTo(e.height + 2)
	e.fail("bob-hk", &types.SetWeights{NetUID: n, UIDs: []uint16{2, 3}, Values: []uint16{1, 1}, VersionKey: 4}, ErrIncorrectWeightsVersion)
	e.ok("bob-hk", &types.SetWeights{NetUID: n, UIDs: []uint16{2, 3}, Values: []uint16{1, 1}, VersionKey: 5})
	// Commit-reveal on: plain weights refused.
	e.openBlock(n)
	e.ok("alice", set(n, "commit_reveal_enabled", 1))
	e.advanceTo(e.height + 2)
	e.fail("bob-hk", &types.SetWeights{NetUID: n, UIDs: []uint16{2, 3}, Values: []uint16{1, 1}, VersionKey: 5}, ErrCommitRevealEnabled)

	// Minimum stake to set weights.
	e2 := newEnv(t, func(p *Params) { p.WeightsMinStake = 1000 * tao })
	n2 := e2.newSubnet("alice")
	e2.register(n2, "bob", "bob-hk")
	e2.register(n2, "carol", "m1")
	e2.register(n2, "carol", "m2")
	e2.ok("bob", &types.AddStake{Hotkey: e2.addr("bob-hk"), Amount: 999 * tao})
	e2.advanceTo(e2.height + 3)
	e2.fail("bob-hk", sw(n2, []uint16{2, 3}, []uint16{1, 1}), ErrNotEnoughStakeToSetWeights)

	// Mismatched lengths cannot be encoded in a transaction; the module
	// refuses them anyway.
	ctx := &chain.Context{Header: chain.Header{Height: e.height + 1}, Store: e.st, Bank: chain.NewBank(e.st)}
	if err := New().Execute(ctx, e.addr("bob-hk"), sw(n, []uint16{2}, []uint16{1, 2})); !isCode(err, ErrWeightsLengthMismatch) {
		t.Fatalf("err %v", err)
	}
}

func TestRootWeights(t *testing.T) {
	e := newEnv(t, nil)
	a := e.newSubnet("alice")
	b := e.newSubnet("bob")
	e.ok("carol", &types.RootRegister{Hotkey: e.addr("rc")})
	e.advanceTo(e.height + 3)
	e.ok("rc", sw(0, []uint16{b, a}, []uint16{1, 3}))
	row, _ := e.reader().row(weightsKey(0, 0))
	if len(row) != 2 || row[0] != (entry{a, 65535}) || row[1] != (entry{b, 21845}) {
		t.Fatalf("root row %+v", row)
	}
	e.advanceTo(e.height + 3)
	e.fail("rc", sw(0, []uint16{a, 0}, []uint16{1, 1}), ErrInvalidUID)
	e.fail("rc", sw(0, []uint16{a, 9}, []uint16{1, 1}), ErrInvalidUID)
	e.fail("rc", sw(0, []uint16{a, b, 7}, []uint16{1, 1, 1}), ErrTooManyWeights)
	e.fail("alice-hk", sw(0, []uint16{a}, []uint16{1}), ErrHotkeyNotRegistered)
}

func commitOf(e *env, hk string, netuid uint16, uids, vals, salt []uint16, ver uint64) *types.CommitWeights {
	return &types.CommitWeights{NetUID: netuid, Commit: types.WeightsCommitHash(e.addr(hk), netuid, uids, vals, salt, ver)}
}

func TestCommitReveal(t *testing.T) {
	e, n := validatorSetup(t, nil)
	e.openBlock(n)
	e.ok("alice", set(n, "commit_reveal_enabled", 1))
	uids, vals, salt := []uint16{2, 3}, []uint16{5, 10}, []uint16{7, 7, 7}
	reveal := &types.RevealWeights{NetUID: n, UIDs: uids, Values: vals, Salt: salt}
	e.fail("bob-hk", reveal, ErrNoWeightsCommit)
	e.advanceTo(e.height + 2)
	e.ok("bob-hk", commitOf(e, "bob-hk", n, uids, vals, salt, 0))
	committed := e.height
	e.fail("bob-hk", commitOf(e, "bob-hk", n, uids, vals, []uint16{1}, 0), ErrWeightsRateLimited)
	if e.neuron(n, 1).LastUpdate != committed {
		t.Fatal("commit must count as the update")
	}
	hp := e.hyper(n)
	revealFrom := firstBlockOfEpoch(n, hp.Tempo, epochIndex(n, hp.Tempo, committed)+1)
	if revealFrom <= e.height+1 {
		t.Fatalf("reveal window opens at %d, too soon for the test", revealFrom)
	}
	rc := e.fail("bob-hk", reveal, ErrRevealTooEarly)
	if rc.RetryAt != revealFrom {
		t.Fatalf("retry at %d, want %d", rc.RetryAt, revealFrom)
	}
	bad := *reveal
	bad.Salt = []uint16{1}
	e.fail("bob-hk", &bad, ErrCommitHashMismatch)

	e.advanceTo(revealFrom)
	e.ok("bob-hk", reveal)
	row, _ := e.reader().row(weightsKey(n, 1))
	if len(row) != 2 || row[0] != (entry{2, 32768}) || row[1] != (entry{3, 65535}) {
		t.Fatalf("revealed row %+v", row)
	}
	if cs, _ := e.reader().commits(n, e.addr("bob-hk")); len(cs) != 0 {
		t.Fatalf("commits left %+v", cs)
	}
	if e.neuron(n, 1).LastUpdate != committed {
		t.Fatal("a reveal must not move last update")
	}
	e.fail("bob-hk", reveal, ErrNoWeightsCommit)
	e.fail("m1", reveal, ErrNoWeightsCommit)

	// Expiry: a commit not revealed in its reveal epoch expires.
	e.advanceTo(e.height + 3)
	e.ok("bob-hk", commitOf(e, "bob-hk", n, uids, vals, salt, 0))
	c2 := e.height
	e.advanceTo(firstBlockOfEpoch(n, hp.Tempo, epochIndex(n, hp.Tempo, c2)+2))
	e.fail("bob-hk", reveal, ErrCommitExpired)

	// At most MaxUnrevealedCommits (3) pending.
	for i := range 3 {
		e.advanceTo(e.height + 3)
		e.ok("bob-hk", commitOf(e, "bob-hk", n, uids, vals, []uint16{uint16(i)}, 0))
	}
	e.advanceTo(e.height + 3)
	e.fail("bob-hk", commitOf(e, "bob-hk", n, uids, vals, []uint16{9}, 0), ErrTooManyUnrevealedCommits)

	// Disabled on a plain subnet.
	m := e.newSubnet("dave")
	e.fail("dave-hk", &types.CommitWeights{NetUID: m}, ErrCommitRevealDisabled)
	e.fail("dave-hk", &types.RevealWeights{NetUID: m}, ErrCommitRevealDisabled)
	e.fail("erin", &types.CommitWeights{NetUID: n}, ErrHotkeyNotRegistered)
}

func TestEpochTiming(t *testing.T) {
	// (block + netuid + 1) mod (tempo + 1) == tempo.
	for _, tc := range []struct {
		netuid, tempo uint16
		block         uint64
		until         uint64
	}{
		{0, 9, 8, 0}, {0, 9, 9, 9}, {0, 9, 18, 0}, {1, 9, 7, 0}, {1, 9, 8, 9},
		{3, 360, 356, 0}, {3, 360, 0, 356}, {1, 0, 5, math.MaxUint64},
	} {
		if got := blocksUntilNextEpoch(tc.netuid, tc.tempo, tc.block); got != tc.until {
			t.Errorf("blocksUntilNextEpoch(%d, %d, %d) = %d, want %d", tc.netuid, tc.tempo, tc.block, got, tc.until)
		}
	}
	if NextEpochBlock(1, 9, 7) != 17 || NextEpochBlock(1, 9, 6) != 7 {
		t.Fatal("NextEpochBlock")
	}
	// Epoch indices change on the block after each epoch block.
	if epochIndex(1, 9, 7) != 0 || epochIndex(1, 9, 8) != 1 || firstBlockOfEpoch(1, 9, 1) != 8 {
		t.Fatal("epoch index")
	}
}
