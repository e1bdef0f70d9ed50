package subnet

import (
	"math/big"
	"slices"
	"testing"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/consensus"
	"github.com/yumachain/yuma/emission"
	"github.com/yumachain/yuma/types"
)

// TestEpochMatchesConsensus runs a subnet epoch through blocks and checks
// the stored outputs, the stake and the balances against consensus.Epoch
// run directly on an input assembled by hand from what the test did, and
// against the payout rules computed here with big integers.
func TestEpochMatchesConsensus(t *testing.T) {
	e := newEnv(t, nil)
	n := e.newSubnet("alice")                // uid 0: alice-hk, no stake
	v1 := e.register(n, "bob", "bob-hk")     // uid 1
	v2 := e.register(n, "carol", "carol-hk") // uid 2
	m1 := e.register(n, "erin", "m1")        // uid 3
	m2 := e.register(n, "frank", "m2")       // uid 4
	e.ok("bob", &types.AddStake{Hotkey: e.addr("bob-hk"), Amount: 100 * tao})
	e.ok("dave", &types.AddStake{Hotkey: e.addr("bob-hk"), Amount: 50 * tao})
	e.ok("carol", &types.AddStake{Hotkey: e.addr("carol-hk"), Amount: 60 * tao})
	e.ok("bob", &types.SetDelegateTake{Hotkey: e.addr("bob-hk"), Take: 6553})
	e.runEpoch(n) // permits
	if !e.neuron(n, v1).ValidatorPermit || !e.neuron(n, v2).ValidatorPermit {
		t.Fatal("validators without permits")
	}
	e.ok("bob-hk", sw(n, []uint16{m1, m2}, []uint16{3, 1}))
	e.ok("carol-hk", sw(n, []uint16{m1, m2}, []uint16{1, 1}))
	e.runEpoch(n) // builds bonds
	e.advanceTo(e.height + 3)
	e.ok("bob-hk", sw(n, []uint16{m1, m2}, []uint16{2, 1}))
	e.ok("carol-hk", sw(n, []uint16{m1, m2}, []uint16{1, 2}))

	epochAt := e.nextEpoch(n)
	e.advanceTo(epochAt)
	// The input, from what this test knows and the stored pre-epoch state.
	hp := e.hyper(n)
	sn := e.subnet(n)
	iss, _ := chain.ReadSupply(e.st)
	pending := sn.PendingEmission + emission.BlockReward(iss.Issuance)
	hks := []string{"alice-hk", "bob-hk", "carol-hk", "m1", "m2"}
	owners := []string{"alice", "bob", "carol", "erin", "frank"}
	in := &consensus.Input{
		Block: epochAt, Tempo: uint64(hp.Tempo),
		Params: consensus.Hyperparameters{
			Kappa: hp.Kappa, Rho: hp.Rho, BondsMovingAverage: hp.BondsMovingAverage, BondsPenalty: hp.BondsPenalty,
			ActivityCutoff: hp.ActivityCutoff, MaxAllowedValidators: hp.MaxAllowedValidators,
			MinAllowedWeights: hp.MinAllowedWeights, MaxWeightsLimit: hp.MaxWeightsLimit, ImmunityPeriod: hp.ImmunityPeriod,
			AlphaLow: hp.AlphaLow, AlphaHigh: hp.AlphaHigh, AlphaSigmoidSteepness: 1000,
		},
		Weights:        [][]consensus.Entry{nil, {{UID: m1, Value: 65535}, {UID: m2, Value: 32768}}, {{UID: m1, Value: 32768}, {UID: m2, Value: 65535}}, nil, nil},
		LastEpochBlock: sn.LastEpoch,
	}
	for uid, hk := range hks {
		nr := e.neuron(n, uint16(uid))
		in.Stake = append(in.Stake, e.totalStake(hk))
		in.LastUpdate = append(in.LastUpdate, nr.LastUpdate)
		in.BlockAtRegistration = append(in.BlockAtRegistration, nr.RegisteredAt)
		in.ValidatorPermit = append(in.ValidatorPermit, nr.ValidatorPermit)
		row, _ := e.reader().row(bondsKey(n, uint16(uid)))
		in.Bonds = append(in.Bonds, toConsensusRow(row))
	}
	if in.Stake[1] < 150*tao || in.Stake[2] < 60*tao || len(in.Bonds[1]) == 0 {
		t.Fatalf("setup: stake %v bonds %v", in.Stake, in.Bonds)
	}
	owner, miners, validators := emission.SplitSubnetCut(pending, testParams().SubnetOwnerCut)
	in.Emission = miners + validators
	out, err := consensus.Epoch(in)
	if err != nil {
		t.Fatal(err)
	}

	stakesBefore := map[[2]string]uint64{}
	for _, hk := range hks {
		for _, ck := range append(slices.Clone(owners), "dave") {
			stakesBefore[[2]string{hk, ck}] = e.stakeOf(hk, ck)
		}
	}
	aliceBefore := e.balance("alice")
	e.block()

	var paid uint64
	for uid, hk := range hks {
		nr := e.neuron(n, uint16(uid))
		if nr.Incentive != out.Incentive[uid] || nr.Dividends != out.Dividends[uid] || nr.Rank != out.Rank[uid] ||
			nr.Trust != out.Trust[uid] || nr.Consensus != out.Consensus[uid] || nr.ValidatorTrust != out.ValidatorTrust[uid] ||
			nr.PruningScore != out.PruningScores[uid] || nr.ValidatorPermit != out.ValidatorPermit[uid] || nr.Active != out.Active[uid] {
			t.Errorf("uid %d stored %+v, epoch says incentive %d dividends %d", uid, nr, out.Incentive[uid], out.Dividends[uid])
		}
		if nr.Emission != out.ServerEmission[uid]+out.ValidatorEmission[uid] {
			t.Errorf("uid %d emission %d, want %d", uid, nr.Emission, out.ServerEmission[uid]+out.ValidatorEmission[uid])
		}
		row, _ := e.reader().row(bondsKey(n, uint16(uid)))
		if !slices.Equal(toConsensusRow(row), nonzero(out.Bonds[uid])) {
			t.Errorf("uid %d bonds %v, want %v", uid, row, out.Bonds[uid])
		}
		paid += out.ServerEmission[uid] + out.ValidatorEmission[uid]

		// Expected stake changes of this hotkey, computed independently.
		take := uint64(11_796)
		if hk == "bob-hk" {
			take = 6553
		}
		ve := out.ValidatorEmission[uid]
		takeAmt := new(big.Int).Div(new(big.Int).Mul(big.NewInt(0).SetUint64(ve), big.NewInt(int64(take))), big.NewInt(65535)).Uint64()
		rest := ve - takeAmt
		total := in.Stake[uid]
		want := map[string]uint64{}
		var given uint64
		for _, ck := range append(slices.Clone(owners), "dave") {
			s := stakesBefore[[2]string{hk, ck}]
			if s == 0 || total == 0 {
				continue
			}
			share := new(big.Int).Div(new(big.Int).Mul(big.NewInt(0).SetUint64(rest), big.NewInt(0).SetUint64(s)), big.NewInt(0).SetUint64(total)).Uint64()
			want[ck] += share
			given += share
		}
		want[owners[uid]] += out.ServerEmission[uid] + takeAmt + rest - given
		for _, ck := range append(slices.Clone(owners), "dave") {
			got := e.stakeOf(hk, ck) - stakesBefore[[2]string{hk, ck}]
			if got != want[ck] {
				t.Errorf("stake of %s behind %s grew by %d, want %d", ck, hk, got, want[ck])
			}
		}
	}
	if out.ServerEmission[m1] == 0 || out.ValidatorEmission[v1] == 0 || out.ValidatorEmission[v2] == 0 {
		t.Fatalf("degenerate epoch: server %v validator %v", out.ServerEmission, out.ValidatorEmission)
	}
	if got := e.balance("alice"); got != aliceBefore+owner {
		t.Errorf("owner cut: alice got %d, want %d", got-aliceBefore, owner)
	}
	if got := e.subnet(n).PendingEmission; got != in.Emission-paid {
		t.Errorf("carried %d, want %d", got, in.Emission-paid)
	}
	if e.stakeOf("bob-hk", "dave") == stakesBefore[[2]string{"bob-hk", "dave"}] {
		t.Error("nominator dave earned nothing")
	}
}

func nonzero(r []consensus.Entry) []consensus.Entry {
	var out []consensus.Entry
	for _, x := range r {
		if x.Value != 0 {
			out = append(out, x)
		}
	}
	return out
}

// The root epoch turns root validators' weights on netuids into emission
// shares through consensus.Epoch; without root weights the reward is split
// equally.
func TestRootEpochShares(t *testing.T) {
	e := newEnv(t, nil)
	a := e.newSubnet("alice")
	b := e.newSubnet("bob")
	c := e.newSubnet("carol")
	// No root weights: equal split of each block's reward.
	before := [3]uint64{e.subnet(a).PendingEmission, e.subnet(b).PendingEmission, e.subnet(c).PendingEmission}
	iss, _ := chain.ReadSupply(e.st)
	e.block()
	reward := emission.BlockReward(iss.Issuance)
	var got [3]uint64
	for i, id := range []uint16{a, b, c} {
		got[i] = e.subnet(id).PendingEmission - before[i]
		if isEpochBlock(id, e.hyper(id).Tempo, e.height) {
			t.Skip("epoch in the probe block")
		}
	}
	if got[0]+got[1]+got[2] != reward || got[0] != reward/3+1 || got[1] != reward/3 {
		t.Fatalf("equal split %v of %d", got, reward)
	}

	// Two root validators; the bigger one weights subnet a only, the
	// smaller splits a and b. c gets nothing.
	e.ok("dave", &types.RootRegister{Hotkey: e.addr("r1")})
	e.ok("erin", &types.RootRegister{Hotkey: e.addr("r2")})
	e.ok("dave", &types.AddStake{Hotkey: e.addr("r1"), Amount: 300 * tao})
	e.ok("erin", &types.AddStake{Hotkey: e.addr("r2"), Amount: 100 * tao})
	e.runEpoch(0) // permits
	e.advanceTo(e.height + 3)
	e.ok("r1", sw(0, []uint16{a}, []uint16{1}))
	e.ok("r2", sw(0, []uint16{a, b}, []uint16{1, 1}))
	rootAt := e.nextEpoch(0)
	e.advanceTo(rootAt)

	// The same epoch by hand: 2 validators then one column per subnet.
	rhp := e.hyper(0)
	in := &consensus.Input{
		Block: rootAt, Tempo: uint64(rhp.Tempo),
		Params: consensus.Hyperparameters{
			Kappa: rhp.Kappa, Rho: rhp.Rho, BondsMovingAverage: rhp.BondsMovingAverage, BondsPenalty: rhp.BondsPenalty,
			ActivityCutoff: rhp.ActivityCutoff, MaxAllowedValidators: rhp.MaxAllowedValidators,
			MinAllowedWeights: rhp.MinAllowedWeights, MaxWeightsLimit: rhp.MaxWeightsLimit,
			AlphaLow: rhp.AlphaLow, AlphaHigh: rhp.AlphaHigh, AlphaSigmoidSteepness: 1000,
		},
		Stake:          []uint64{300 * tao, 100 * tao, 0, 0, 0},
		Weights:        [][]consensus.Entry{{{UID: 2, Value: 65535}}, {{UID: 2, Value: 65535}, {UID: 3, Value: 65535}}, nil, nil, nil},
		Bonds:          make([][]consensus.Entry, 5),
		LastEpochBlock: e.subnet(0).LastEpoch,
	}
	for uid := range 2 {
		nr := e.neuron(0, uint16(uid))
		in.LastUpdate = append(in.LastUpdate, nr.LastUpdate)
		in.BlockAtRegistration = append(in.BlockAtRegistration, nr.RegisteredAt)
		in.ValidatorPermit = append(in.ValidatorPermit, nr.ValidatorPermit)
	}
	for _, id := range []uint16{a, b, c} {
		in.LastUpdate = append(in.LastUpdate, e.subnet(id).RegisteredAt)
		in.BlockAtRegistration = append(in.BlockAtRegistration, e.subnet(id).RegisteredAt)
		in.ValidatorPermit = append(in.ValidatorPermit, false)
	}
	out, err := consensus.Epoch(in)
	if err != nil {
		t.Fatal(err)
	}
	e.block()
	shares := []uint16{e.subnet(a).EmissionShare, e.subnet(b).EmissionShare, e.subnet(c).EmissionShare}
	if !slices.Equal(shares, out.Incentive[2:]) {
		t.Fatalf("shares %v, epoch incentive %v", shares, out.Incentive)
	}
	if shares[0] <= shares[1] || shares[2] != 0 {
		t.Fatalf("shares %v: a should lead, c get nothing", shares)
	}
	// The next block's reward follows the shares.
	before = [3]uint64{e.subnet(a).PendingEmission, e.subnet(b).PendingEmission, e.subnet(c).PendingEmission}
	iss, _ = chain.ReadSupply(e.st)
	e.block()
	parts := emission.SplitByShares(emission.BlockReward(iss.Issuance), shares)
	for i, id := range []uint16{a, b, c} {
		if isEpochBlock(id, e.hyper(id).Tempo, e.height) {
			continue
		}
		if d := e.subnet(id).PendingEmission - before[i]; d != parts[i] {
			t.Errorf("subnet %d got %d, want %d", id, d, parts[i])
		}
	}
}
