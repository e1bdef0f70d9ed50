package reference

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/yumachain/yuma/consensus"
)

// handInput is a 4-UID subnet worked by hand below: validators 0 and 1 with
// stake 3:1, miners 2 and 3. Validator 0 splits its weight evenly, validator
// 1 puts all of it on miner 2.
func handInput() *consensus.Input {
	return &consensus.Input{
		Block: 10,
		Tempo: 10,
		Params: consensus.Hyperparameters{
			Kappa:                32767,
			BondsMovingAverage:   900_000,
			ActivityCutoff:       5000,
			MaxAllowedValidators: 64,
		},
		Stake:               []uint64{3000, 1000, 0, 0},
		LastUpdate:          []uint64{9, 9, 0, 0},
		BlockAtRegistration: []uint64{0, 0, 0, 0},
		ValidatorPermit:     []bool{true, true, false, false},
		Weights:             [][]consensus.Entry{row(2, 65535, 3, 65535), row(2, 65535), nil, nil},
		Bonds:               emptyRows(4),
		Emission:            1_000_000_000,
	}
}

// TestEpochByHand checks every stage against values worked out on paper.
//
// S = [3/4, 1/4]; W0 = [1/2, 1/2], W1 = [1, 0] over miners 2, 3.
// Pre-ranks: 3/4*1/2 + 1/4*1 = 5/8 and 3/8. Consensus with kappa ~ 1/2:
// miner 2 has stake 1 at >= 1/2 but only 1/4 at 1, so 1/2; miner 3 has 3/4
// at >= 1/2, so 1/2. Clipped: W1 = [1/2, 0]; validator trust [1, 1/2].
// Ranks [1/2, 3/8], trust [4/5, 1], incentive [4/7, 3/7].
// Bond deltas W*S column-normalized: miner 2 [3/5, 2/5], miner 3 [1, 0];
// with no prior bonds the EMA renormalizes to the same. Dividends:
// d0 = 3/5*4/7 + 3/7 = 27/35, d1 = 2/5*4/7 = 8/35 (sum 1).
// Emission sum 2: server [2/7, 3/14], validator [27/70, 4/35].
// Stored bonds (column max-upscaled): miner 2 [1, 2/3], miner 3 [1, 0].
func TestEpochByHand(t *testing.T) {
	r := mustEpoch(t, handInput())
	const tol = 1e-12
	nearVec(t, "stake", r.Stake, []float64{0.75, 0.25, 0, 0}, tol)
	nearVec(t, "pre-ranks", r.PreRanks, []float64{0, 0, 5.0 / 8, 3.0 / 8}, tol)
	nearVec(t, "consensus", r.Consensus, []float64{0, 0, 0.5, 0.5}, tol)
	nearVec(t, "validator trust", r.ValidatorTrust, []float64{1, 0.5, 0, 0}, tol)
	nearVec(t, "ranks", r.Ranks, []float64{0, 0, 0.5, 3.0 / 8}, tol)
	nearVec(t, "trust", r.Trust, []float64{0, 0, 0.8, 1}, tol)
	nearVec(t, "incentive", r.Incentive, []float64{0, 0, 4.0 / 7, 3.0 / 7}, tol)
	nearVec(t, "rank", r.Rank, r.Incentive, 0)
	nearVec(t, "dividends", r.Dividends, []float64{27.0 / 35, 8.0 / 35, 0, 0}, tol)
	nearVec(t, "server share", r.NormServerEmission, []float64{0, 0, 2.0 / 7, 3.0 / 14}, tol)
	nearVec(t, "validator share", r.NormValidatorEmission, []float64{27.0 / 70, 4.0 / 35, 0, 0}, tol)
	near(t, "bond[0][2]", r.Bonds.At(0, 2), 1, tol)
	near(t, "bond[1][2]", r.Bonds.At(1, 2), 2.0/3, tol)
	near(t, "bond[0][3]", r.Bonds.At(0, 3), 1, tol)
	near(t, "bond[1][3]", r.Bonds.At(1, 3), 0, tol)

	out := r.Output()
	// 1e9 * 2/7 = 285714285.71..., * 3/14 = 214285714.28...,
	// * 27/70 = 385714285.71..., * 4/35 = 114285714.28...
	if want := []uint64{0, 0, 285714285, 214285714}; !reflect.DeepEqual(out.ServerEmission, want) {
		t.Errorf("server emission %v, want %v", out.ServerEmission, want)
	}
	if want := []uint64{385714285, 114285714, 0, 0}; !reflect.DeepEqual(out.ValidatorEmission, want) {
		t.Errorf("validator emission %v, want %v", out.ValidatorEmission, want)
	}
	// Combined emission [27/70, 4/35, 2/7, 3/14] max-upscaled:
	// 65535 * [1, 8/27, 20/27, 15/27] rounded.
	if want := []uint16{65535, 19418, 48544, 36408}; !reflect.DeepEqual(out.PruningScores, want) {
		t.Errorf("pruning scores %v, want %v", out.PruningScores, want)
	}
	// floor(65535 * 4/7) = 37448, floor(65535 * 3/7) = 28086.
	if want := []uint16{0, 0, 37448, 28086}; !reflect.DeepEqual(out.Incentive, want) {
		t.Errorf("incentive %v, want %v", out.Incentive, want)
	}
	if want := []bool{true, true, false, false}; !reflect.DeepEqual(out.ValidatorPermit, want) {
		t.Errorf("permits %v, want %v", out.ValidatorPermit, want)
	}
	if len(out.Bonds[2]) != 0 || len(out.Bonds[3]) != 0 || len(out.Bonds[0]) != 2 {
		t.Errorf("bond rows %v: want two entries for UID 0 and none for miners", out.Bonds)
	}
}

// TestMasks checks that each mask removes exactly what it should: an input
// with the masked entry present gives the same result as one without it.
func TestMasks(t *testing.T) {
	base := handInput()
	want := mustEpoch(t, base).Output()

	cases := []struct {
		name string
		edit func(in *consensus.Input)
	}{
		{"self-weight", func(in *consensus.Input) {
			in.Weights[0] = row(0, 65535, 2, 65535, 3, 65535)
		}},
		{"weights of a UID without a permit", func(in *consensus.Input) {
			in.Weights[2] = row(3, 65535)
			in.LastUpdate[2] = 9
		}},
		{"weight on a UID registered after it was set", func(in *consensus.Input) {
			// UID 4 registered at block 9, the validator's weights are
			// from block 9: outdated.
			in.Stake = append(in.Stake, 0)
			in.LastUpdate = append(in.LastUpdate, 0)
			in.BlockAtRegistration = append(in.BlockAtRegistration, 9)
			in.ValidatorPermit = append(in.ValidatorPermit, false)
			in.Weights = append(in.Weights, nil)
			in.Bonds = append(in.Bonds, nil)
			in.Weights[1] = row(2, 65535, 4, 65535)
		}},
		{"commit older than the target's registration", func(in *consensus.Input) {
			in.Params.CommitRevealEnabled = true
			in.Stake = append(in.Stake, 0)
			in.LastUpdate = append(in.LastUpdate, 0)
			in.BlockAtRegistration = append(in.BlockAtRegistration, 5)
			in.ValidatorPermit = append(in.ValidatorPermit, false)
			in.Weights = append(in.Weights, nil)
			in.Bonds = append(in.Bonds, nil)
			in.Weights[1] = row(2, 65535, 4, 65535)
			in.CommitBlocks = []uint64{^uint64(0), 4, ^uint64(0), ^uint64(0), ^uint64(0)}
		}},
		{"bonds to a UID registered since the last epoch", func(in *consensus.Input) {
			in.Stake = append(in.Stake, 0)
			in.LastUpdate = append(in.LastUpdate, 0)
			in.BlockAtRegistration = append(in.BlockAtRegistration, 3)
			in.ValidatorPermit = append(in.ValidatorPermit, false)
			in.Weights = append(in.Weights, nil)
			in.Bonds = append(in.Bonds, nil)
			in.LastEpochBlock = 2
			in.Bonds[0] = row(4, 65535)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := handInput()
			tc.edit(in)
			got := mustEpoch(t, in).Output()
			n := len(want.Incentive)
			for _, f := range []struct {
				name      string
				got, want []uint16
			}{
				{"incentive", got.Incentive[:n], want.Incentive},
				{"dividends", got.Dividends[:n], want.Dividends},
				{"consensus", got.Consensus[:n], want.Consensus},
				{"trust", got.Trust[:n], want.Trust},
				{"validator_trust", got.ValidatorTrust[:n], want.ValidatorTrust},
			} {
				if !reflect.DeepEqual(f.got, f.want) {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
			for i := range n {
				g := denseU16(got.Bonds, len(got.Bonds))[i][:n]
				w := denseU16(want.Bonds, n)[i]
				if !reflect.DeepEqual(g, w) {
					t.Errorf("bonds row %d = %v, want %v", i, g, w)
				}
			}
		})
	}
}

// TestInactiveValidator: a validator whose last update is older than the
// activity cutoff loses its stake in consensus and earns no dividends, while
// keeping its permit.
func TestInactiveValidator(t *testing.T) {
	in := handInput()
	in.Block = 6000
	in.LastUpdate[0] = 5999
	in.LastUpdate[1] = 1000 - 1 // 999 + 5000 < 6000
	r := mustEpoch(t, in)
	if r.Active[1] || !r.Active[0] {
		t.Fatalf("active = %v, want UID 1 inactive and UID 0 active", r.Active)
	}
	nearVec(t, "active stake", r.ActiveStake, []float64{1, 0, 0, 0}, 0)
	// Only validator 0 counts: consensus = its weights, incentive 1/2 each.
	nearVec(t, "incentive", r.Incentive, []float64{0, 0, 0.5, 0.5}, 1e-12)
	nearVec(t, "dividends", r.Dividends, []float64{1, 0, 0, 0}, 1e-12)
	if !r.ValidatorPermit[1] {
		t.Error("an inactive validator with stake keeps its permit")
	}
	// Exactly at the cutoff it is still active.
	in.LastUpdate[1] = 1000
	if r := mustEpoch(t, in); !r.Active[1] {
		t.Error("last_update + cutoff == block must count as active")
	}
}

// TestStakeThreshold: stake below the threshold weighs nothing.
func TestStakeThreshold(t *testing.T) {
	in := handInput()
	in.StakeThreshold = 1001
	r := mustEpoch(t, in)
	nearVec(t, "stake", r.Stake, []float64{1, 0, 0, 0}, 0)
	if r.ValidatorPermit[1] {
		t.Error("a UID with zero stake weight gets no permit")
	}
}

// TestNoWeightsPaysStake: with no usable weights all emission goes to
// validators by active stake (subtensor's fallback).
func TestNoWeightsPaysStake(t *testing.T) {
	in := handInput()
	in.Weights = emptyRows(4)
	out := mustEpoch(t, in).Output()
	if want := []uint64{750_000_000, 250_000_000, 0, 0}; !reflect.DeepEqual(out.ValidatorEmission, want) {
		t.Errorf("validator emission %v, want %v", out.ValidatorEmission, want)
	}
	if want := []uint64{0, 0, 0, 0}; !reflect.DeepEqual(out.ServerEmission, want) {
		t.Errorf("server emission %v, want %v", out.ServerEmission, want)
	}
	// And with no active stake either, by plain stake.
	in.LastUpdate = []uint64{0, 0, 0, 0}
	in.Block = 100_000
	out = mustEpoch(t, in).Output()
	if want := []uint64{750_000_000, 250_000_000, 0, 0}; !reflect.DeepEqual(out.ValidatorEmission, want) {
		t.Errorf("validator emission with nobody active %v, want %v", out.ValidatorEmission, want)
	}
}

func TestTopKNonzero(t *testing.T) {
	cases := []struct {
		x    []float64
		k    int
		want []bool
	}{
		{[]float64{0.1, 0.4, 0, 0.5}, 2, []bool{false, true, false, true}},
		// Ties: the stable ascending sort drops the lower UID first.
		{[]float64{0.25, 0.25, 0.25, 0.25}, 3, []bool{false, true, true, true}},
		// Fewer UIDs than k: every non-zero one.
		{[]float64{0.5, 0, 0.5}, 8, []bool{true, false, true}},
		// k = 0 with n > 0: none.
		{[]float64{1}, 0, []bool{false}},
	}
	for _, tc := range cases {
		if got := topKNonzero(tc.x, tc.k); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("topKNonzero(%v, %d) = %v, want %v", tc.x, tc.k, got, tc.want)
		}
	}
}

// TestWeightedMedianSmall: stakes 0.5, 0.3, 0.2 on scores 0.1, 0.5, 0.9.
// The consensus is the highest score that at least kappa of the stake
// reaches: kappa 0.5 -> 0.5 (0.5 of stake at >= 0.5), 0.8 -> 0.1,
// 0.2 -> 0.9.
func TestWeightedMedianSmall(t *testing.T) {
	stake := []float64{0.5, 0.3, 0.2}
	score := []float64{0.1, 0.5, 0.9}
	for _, tc := range []struct{ kappa, want float64 }{{0.5, 0.5}, {0.8, 0.1}, {0.2, 0.9}} {
		got := newMedian(3).find(stake, score, 1-tc.kappa, 0, 1)
		if got != tc.want {
			t.Errorf("kappa %g: median %g, want %g", tc.kappa, got, tc.want)
		}
	}
}

// TestWeightedMedianProperty: for random stakes and scores the result m
// is a score with stake(score >= m) >= kappa and stake(score > m) < kappa.
func TestWeightedMedianProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := 1 + rng.IntN(12)
		stake := make([]float64, n)
		score := make([]float64, n)
		for i := range n {
			stake[i] = rng.Float64() + 1e-3
			score[i] = float64(rng.IntN(6)) / 5 // repeated values on purpose
		}
		normalize(stake)
		var sum float64
		for _, s := range stake {
			sum += s
		}
		kappa := 0.05 + 0.9*rng.Float64()
		m := newMedian(n).find(stake, score, sum-kappa, 0, sum)
		var atLeast, above float64
		found := false
		for i := range n {
			if score[i] >= m {
				atLeast += stake[i]
			}
			if score[i] > m {
				above += stake[i]
			}
			found = found || score[i] == m
		}
		if !found || atLeast < kappa-1e-12 || above >= kappa+1e-12 {
			t.Fatalf("trial %d: stake %v score %v kappa %g: median %g has stake %g at or above and %g above",
				trial, stake, score, kappa, m, atLeast, above)
		}
	}
}

func TestAlphaSigmoid(t *testing.T) {
	// At the midpoint of the sigmoid (difference 1/2) alpha is halfway.
	near(t, "alpha at d=1/2", alphaSigmoid(0.25, 0.75, 0, 0.1, 0.3, 1000), 0.2, 1e-15)
	// d = 0: 1/(1+e^5); d = 1: 1/(1+e^-5).
	near(t, "alpha at d=0", alphaSigmoid(1, 1, 0, 0.1, 0.3, 1000), 0.1+0.2*0.0066928509242848554, 1e-15)
	near(t, "alpha at d=1", alphaSigmoid(0, 0.2, 1.2, 0.1, 0.3, 1000), 0.1+0.2*0.9933071490757153, 1e-15)
}

func TestInvalidInput(t *testing.T) {
	cases := map[string]func(in *consensus.Input){
		"short last_update":  func(in *consensus.Input) { in.LastUpdate = in.LastUpdate[:3] },
		"short permits":      func(in *consensus.Input) { in.ValidatorPermit = nil },
		"short weights":      func(in *consensus.Input) { in.Weights = in.Weights[:1] },
		"uid out of range":   func(in *consensus.Input) { in.Weights[0] = row(4, 1) },
		"unsorted row":       func(in *consensus.Input) { in.Weights[0] = row(3, 1, 2, 1) },
		"duplicate uid":      func(in *consensus.Input) { in.Bonds[0] = row(2, 1, 2, 1) },
		"short commitblocks": func(in *consensus.Input) { in.CommitBlocks = []uint64{1} },
	}
	for name, edit := range cases {
		in := handInput()
		edit(in)
		if _, err := Epoch(in); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if _, err := Epoch(nil); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("nil input: err = %v", err)
	}
}

func TestEmptySubnet(t *testing.T) {
	r := mustEpoch(t, &consensus.Input{Params: consensus.Hyperparameters{MaxAllowedValidators: 4}})
	if out := r.Output(); len(out.Incentive) != 0 || len(out.Bonds) != 0 {
		t.Fatalf("empty subnet output %+v", out)
	}
}

func TestQuantization(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want uint16
	}{{0, 0}, {-0.1, 0}, {1, 65535}, {1.5, 65535}, {0.5, 32767}, {16384.0 / 65535, 16384}} {
		if got := FractionToU16(tc.x); got != tc.want {
			t.Errorf("FractionToU16(%g) = %d, want %d", tc.x, got, tc.want)
		}
	}
}

// TestOwner: the owner UID keeps its self-weight, is exempt from the stake
// threshold and holds a permit whatever was stored.
func TestOwner(t *testing.T) {
	in := handInput()
	owner := uint16(1)
	in.OwnerUID = &owner
	in.StakeThreshold = 1001 // above the owner's 1000
	in.ValidatorPermit[1] = false
	in.Weights[1] = row(1, 65535, 2, 65535)
	r := mustEpoch(t, in)
	nearVec(t, "stake", r.Stake, []float64{0.75, 0.25, 0, 0}, 1e-15)
	if !r.ValidatorPermit[1] {
		t.Error("the owner has no new permit")
	}
	// The owner's row keeps its self-weight: [1/2 on itself, 1/2 on 2].
	k := slices.Index(r.Rows, 1)
	if k < 0 {
		t.Fatal("the owner has no matrix row")
	}
	near(t, "owner self-weight", r.Weights.At(k, 1), 0.5, 1e-15)
	near(t, "owner weight on 2", r.Weights.At(k, 2), 0.5, 1e-15)
	// Without the owner, the same row loses the self-weight and UID 1 its
	// stake weight.
	in.OwnerUID = nil
	r = mustEpoch(t, in)
	if r.Stake[1] != 0 || r.ValidatorPermit[1] {
		t.Errorf("non-owner below the threshold: stake %g, permit %v", r.Stake[1], r.ValidatorPermit[1])
	}
}
