package reference

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/yumachain/yuma/consensus"
)

// The differential test: on random inputs the fixed-point consensus.Epoch
// (and consensus.EpochDense) must agree with the float64 reference within
// these tolerances, which are the stated contract between the two.
//
//   - active, validator_permit: equal;
//   - rank, consensus, incentive, dividends, validator_trust,
//     pruning_scores and every Yuma3 bond cell (missing = 0): |Δ| <= 2 (of
//     65535);
//   - classic bond cell (i, j): |Δ| <= 2 + 2*65535*α*(2+m)*2^-32/(D*M),
//     α = 1 - bonds_moving_average/10^6, D = Σ_i wb_ij*s_i the column's
//     total bond delta, m its number of non-zero terms and M the column
//     maximum the stored bonds were upscaled by: each delta w*s is
//     truncated by up to one 2^-32 step, which is a relative error of
//     2^-32/D once the column is normalized, amplified by 1/M;
//   - trust: |Δ| <= 2 + 65535*(8+R)*2^-32/prerank, R the number of
//     validator rows: trust is rank/prerank, so the I32F32 truncation of
//     both (about one 2^-32 step per summed term) is amplified by
//     1/prerank;
//   - server and validator emission: |Δ| <= 1e-6*value + (n+4)*2^-32*E
//   - 2 rao, E the epoch's emission: a share is a sum of up to n I32F32
//     products, each truncated by less than one 2^-32 step (a systematic
//     undershoot that grows with n), plus a few steps of normalization and
//     the two roundings down to rao.
//
// Validator stakes are drawn within a factor 20 (a quarter of the cases:
// 10^4) and weights within 16 (10^4) of their row maximum. Discrete choices
// agree only above the I32F32 resolution: stakes closer than 2^-32 of the
// total tie in fixed point (and top-k then prefers the higher UID) while
// float64 still orders them, so the generator keeps small stakes away from
// that.
const (
	tolU16       = 2
	tolEmRel     = 1e-6
	tolEmRelWide = 1e-4
	tolEmRao     = 2
	fixedEpsilon = 1.0 / (1 << 32)
)

func diffCases(t *testing.T) int {
	if testing.Short() {
		return 60
	}
	return 400
}

// randomCase draws one input with a random mix of hyperparameters and of
// the situations the masks handle.
func randomCase(rng *rand.Rand) (*consensus.Input, float64) {
	n := 1 + rng.IntN(64)
	if rng.IntN(8) == 0 {
		n = 65 + rng.IntN(200)
	}
	v := 1 + rng.IntN(min(n, 16))
	density := []float64{0.05, 0.2, 0.5, 1}[rng.IntN(4)]
	p := consensus.Hyperparameters{
		Kappa:                32767,
		BondsMovingAverage:   900_000,
		ActivityCutoff:       5000,
		MaxAllowedValidators: uint16(1 + rng.IntN(v+2)),
		LiquidAlphaEnabled:   rng.IntN(2) == 0,
		Yuma3Enabled:         rng.IntN(2) == 0,
	}
	if rng.IntN(2) == 0 {
		p.Kappa = uint16(6553 + rng.IntN(52428))
	}
	switch rng.IntN(3) {
	case 0:
		p.BondsMovingAverage = 975_000
	case 1:
		p.BondsMovingAverage = uint64(rng.IntN(1_000_001))
	}
	switch rng.IntN(3) {
	case 0:
		p.BondsPenalty = math.MaxUint16
	case 1:
		p.BondsPenalty = uint16(rng.IntN(65535))
	}
	p.AlphaSigmoidSteepness = []int16{1000, 0, int16(rng.IntN(3000)), -int16(rng.IntN(3000))}[rng.IntN(4)]
	p.AlphaLow = uint16(1638 + rng.IntN(40000))
	p.AlphaHigh = p.AlphaLow + uint16(rng.IntN(65536-int(p.AlphaLow)))
	// Most cases are moderate (stakes within 20x, weights within 16x);
	// a quarter spread both over four decades.
	spread, wspread := 20.0, 16.0
	wide := rng.IntN(4) == 0
	if wide {
		spread, wspread = 1e4, 1e4
	}
	in := RandomInput(rng, RandomConfig{
		N: n, Validators: v, Density: density, Shared: []float64{0, 0.5, 0.9}[rng.IntN(3)],
		BondDensity: density * rng.Float64(),
		StakeSpread: spread, WeightSpread: wspread, Params: p,
	})
	if p.Yuma3Enabled {
		halveBonds(in)
	}
	// Situations, each with some probability.
	for i := range v {
		switch rng.IntN(12) {
		case 0: // inactive
			in.LastUpdate[i] = in.Block - p.ActivityCutoff - 1 - uint64(rng.IntN(100))
		case 1: // no permit before the epoch
			in.ValidatorPermit[i] = false
		case 2: // a self-weight
			in.Weights[i] = setEntry(in.Weights[i], uint16(i), 65535)
		case 3: // a zero-valued entry, as set_weights stores it
			if len(in.Weights[i]) > 0 {
				in.Weights[i][rng.IntN(len(in.Weights[i]))].Value = 0
			}
		}
	}
	for j := range n {
		switch rng.IntN(16) {
		case 0: // registered since the last epoch: bonds reset, weights outdated
			in.BlockAtRegistration[j] = in.Block - uint64(rng.IntN(int(in.Tempo)))
		case 1: // a miner with a little stake and no permit
			// Not with wide spreads: there such stakes fall within a few
			// 2^-32 steps of the total and I32F32 ties them (see above).
			if j >= v && !wide {
				in.Stake[j] = uint64(1e6 + rng.IntN(1e9))
			}
		}
	}
	if rng.IntN(6) == 0 {
		in.StakeThreshold = uint64(1e12 + rng.IntN(1e13))
	}
	if rng.IntN(6) == 0 {
		in.LastEpochBlock = in.Block - in.Tempo/2
	}
	if rng.IntN(6) == 0 {
		in.Params.CommitRevealEnabled = true
		in.CommitBlocks = make([]uint64, n)
		for i := range in.CommitBlocks {
			in.CommitBlocks[i] = math.MaxUint64
			if i < v && rng.IntN(2) == 0 {
				in.CommitBlocks[i] = in.Block - uint64(rng.IntN(2*int(in.Tempo)))
			}
		}
	}
	if rng.IntN(6) == 0 {
		// An owner: self-weight kept, threshold-exempt, always permitted.
		o := uint16(rng.IntN(n))
		in.OwnerUID = &o
		if int(o) < v && rng.IntN(2) == 0 {
			in.Weights[o] = setEntry(in.Weights[o], o, 65535)
		}
	}
	if rng.IntN(4) == 0 {
		// Equal stakes: permits decided by the tie rule.
		for i := range v {
			in.Stake[i] = 5e12
		}
	}
	if wide {
		return in, tolEmRelWide
	}
	return in, tolEmRel
}

// halveBonds keeps Yuma3 bonds (fractions of 65535) well below 1.
func halveBonds(in *consensus.Input) {
	for _, r := range in.Bonds {
		for k := range r {
			r[k].Value /= 2
		}
	}
}

func setEntry(row []consensus.Entry, uid, val uint16) []consensus.Entry {
	for k := range row {
		if row[k].UID == uid {
			row[k].Value = val
			return row
		}
	}
	out := make([]consensus.Entry, 0, len(row)+1)
	k := 0
	for ; k < len(row) && row[k].UID < uid; k++ {
		out = append(out, row[k])
	}
	out = append(out, consensus.Entry{UID: uid, Value: val})
	return append(out, row[k:]...)
}

// worst tracks the largest deviation seen per field.
type worst map[string]float64

func (w worst) see(field string, d float64) {
	if d > w[field] {
		w[field] = d
	}
}

// compareOutput reports every field of got that is outside the tolerance
// of the reference result ref.
func compareOutput(t reporter, label string, ref *Result, got *consensus.Output, emission, relTol float64, w worst) {
	t.Helper()
	want := ref.Output()
	n := ref.N
	fail := func(format string, args ...any) {
		t.Errorf("%s: "+format, append([]any{label}, args...)...)
	}
	for _, f := range []struct {
		name      string
		got, want []bool
	}{{"active", got.Active, want.Active}, {"validator_permit", got.ValidatorPermit, want.ValidatorPermit}} {
		if len(f.got) != n {
			fail("%s has %d entries, want %d", f.name, len(f.got), n)
			continue
		}
		for i := range n {
			if f.got[i] != f.want[i] {
				fail("%s[%d] = %v, reference %v", f.name, i, f.got[i], f.want[i])
			}
		}
	}
	rows := float64(len(ref.Rows))
	u16s := []struct {
		name      string
		got, want []uint16
		tol       func(i int) float64
	}{
		{"rank", got.Rank, want.Rank, nil},
		{"consensus", got.Consensus, want.Consensus, nil},
		{"incentive", got.Incentive, want.Incentive, nil},
		{"dividends", got.Dividends, want.Dividends, nil},
		{"validator_trust", got.ValidatorTrust, want.ValidatorTrust, nil},
		{"pruning_scores", got.PruningScores, want.PruningScores, nil},
		{"trust", got.Trust, want.Trust, func(i int) float64 {
			if ref.PreRanks[i] == 0 {
				return tolU16
			}
			return tolU16 + 65535*(8+rows)*fixedEpsilon/ref.PreRanks[i]
		}},
	}
	for _, f := range u16s {
		if len(f.got) != n {
			fail("%s has %d entries, want %d", f.name, len(f.got), n)
			continue
		}
		for i := range n {
			d := math.Abs(float64(f.got[i]) - float64(f.want[i]))
			tol := float64(tolU16)
			if f.tol != nil {
				tol = f.tol(i)
			}
			w.see(f.name, d)
			if d > tol {
				fail("%s[%d] = %d, reference %d (float %.9g), tolerance %.3g", f.name, i, f.got[i], f.want[i], floatOf(ref, f.name, i), tol)
			}
		}
	}
	if len(got.Bonds) != n {
		fail("bonds has %d rows, want %d", len(got.Bonds), n)
	} else {
		tol := bondTolerance(ref)
		gb, wb := denseU16(got.Bonds, n), denseU16(want.Bonds, n)
		for i := range n {
			for j := range n {
				d := math.Abs(float64(gb[i][j]) - float64(wb[i][j]))
				w.see("bonds", d)
				if d > tol[j] {
					fail("bond[%d][%d] = %d, reference %d, tolerance %.3g", i, j, gb[i][j], wb[i][j], tol[j])
				}
			}
		}
	}
	for _, f := range []struct {
		name      string
		got, want []uint64
	}{
		{"server_emission", got.ServerEmission, want.ServerEmission},
		{"validator_emission", got.ValidatorEmission, want.ValidatorEmission},
		{"emission", got.Emission, want.Emission},
	} {
		if len(f.got) != n {
			fail("%s has %d entries, want %d", f.name, len(f.got), n)
			continue
		}
		for i := range n {
			g, r := float64(f.got[i]), float64(f.want[i])
			d := math.Abs(g - r)
			w.see(f.name+" (rao)", d)
			if r > 0 {
				w.see(f.name+" (relative)", d/r)
			}
			if emission > 0 {
				w.see(f.name+" (2^-32 E)", d/(fixedEpsilon*emission))
			}
			if d > relTol*math.Max(g, r)+float64(n+4)*fixedEpsilon*emission+tolEmRao {
				fail("%s[%d] = %d, reference %d", f.name, i, f.got[i], f.want[i])
			}
		}
	}
}

// bondTolerance is the per-column bond tolerance of the contract above.
func bondTolerance(r *Result) []float64 {
	tol := make([]float64, r.N)
	for j := range tol {
		tol[j] = tolU16
	}
	if r.Yuma3 || r.WeightsForBonds == nil {
		return tol
	}
	alpha := r.Alpha
	rows, _ := r.WeightsForBonds.Dims()
	for j := range tol {
		var d, m float64
		for k := range rows {
			if x := r.WeightsForBonds.At(k, j) * r.ActiveStake[r.Rows[k]]; x > 0 {
				d += x
				m++
			}
		}
		if d > 0 && r.BondColMax[j] > 0 {
			tol[j] += 2 * 65535 * alpha * (2 + m) * fixedEpsilon / (d * r.BondColMax[j])
		}
	}
	return tol
}

func floatOf(r *Result, field string, i int) float64 {
	switch field {
	case "rank":
		return r.Rank[i]
	case "consensus":
		return r.Consensus[i]
	case "incentive":
		return r.Incentive[i]
	case "dividends":
		return r.Dividends[i]
	case "validator_trust":
		return r.ValidatorTrust[i]
	case "pruning_scores":
		return r.PruningScores[i]
	case "trust":
		return r.Trust[i]
	}
	return math.NaN()
}

func TestDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(0x79756d61, 1))
	classes := []string{"moderate", "wide", "full-size"}
	ws := map[string]worst{}
	for _, c := range classes {
		ws[c] = worst{}
	}
	type impl struct {
		name  string
		epoch func(*consensus.Input) (*consensus.Output, error)
	}
	both := []impl{{"Epoch", consensus.Epoch}, {"EpochDense", consensus.EpochDense}}
	check := func(c int, in *consensus.Input, relTol float64, w worst, impls []impl) {
		t.Helper()
		ref := mustEpoch(t, in)
		for _, im := range impls {
			got, err := im.epoch(in)
			if err != nil {
				t.Fatalf("case %d: consensus.%s: %v", c, im.name, err)
			}
			label := fmt.Sprintf("case %d (n=%d, yuma3=%v, liquid=%v) %s", c, len(in.Stake), in.Params.Yuma3Enabled, in.Params.LiquidAlphaEnabled, im.name)
			compareOutput(t, label, ref, got, float64(in.Emission), relTol, w)
		}
		if t.Failed() {
			t.Fatalf("stopping after case %d", c)
		}
	}
	cases := diffCases(t)
	for c := range cases {
		in, relTol := randomCase(rng)
		// Half the cases run a second epoch on the bonds the first one
		// stored, as the chain would.
		if rng.IntN(2) == 0 {
			first := mustEpoch(t, in).Output()
			in.Bonds = first.Bonds
			in.ValidatorPermit = first.ValidatorPermit
			in.Block += in.Tempo
		}
		class := "moderate"
		if relTol != tolEmRel {
			class = "wide"
		}
		check(c, in, relTol, ws[class], both)
	}
	// Full-size subnets, where the truncation of long I32F32 sums is
	// largest; the dense path (n x n) only at 1024.
	if !testing.Short() {
		for k, n := range []int{1024, 4096, 4096} {
			p := consensus.Hyperparameters{
				Kappa: 32767, BondsMovingAverage: 900_000, ActivityCutoff: 5000,
				MaxAllowedValidators: 256, AlphaLow: 45875, AlphaHigh: 58982, AlphaSigmoidSteepness: 1000,
				Yuma3Enabled: k == 2, LiquidAlphaEnabled: k == 2,
			}
			in := RandomInput(rng, RandomConfig{
				N: n, Validators: 256, Density: 0.1, Shared: 0.8, BondDensity: 0.1,
				StakeSpread: 20, WeightSpread: 16, Params: p,
			})
			if p.Yuma3Enabled {
				halveBonds(in)
			}
			impls := both
			if n > 1024 {
				impls = both[:1]
			}
			check(cases+k, in, tolEmRel, ws["full-size"], impls)
		}
	}
	for _, f := range []string{"rank", "consensus", "incentive", "dividends", "validator_trust", "pruning_scores", "trust", "bonds",
		"server_emission (rao)", "server_emission (relative)", "server_emission (2^-32 E)",
		"validator_emission (rao)", "validator_emission (relative)", "validator_emission (2^-32 E)",
		"emission (rao)", "emission (2^-32 E)"} {
		t.Logf("worst |Δ| %-30s moderate %-8.3g wide %-8.3g full-size %-8.3g", f, ws["moderate"][f], ws["wide"][f], ws["full-size"][f])
	}
}

// TestDifferentialInvalid: both implementations reject the same malformed
// inputs.
func TestDifferentialInvalid(t *testing.T) {
	bad := handInput()
	bad.Weights[0] = row(3, 1, 2, 1)
	if _, err := consensus.Epoch(bad); err == nil {
		t.Error("consensus.Epoch accepted an unsorted weight row")
	}
	if _, err := Epoch(bad); err == nil {
		t.Error("reference.Epoch accepted an unsorted weight row")
	}
}

// TestDiffHarness checks the harness on the reference itself: random cases
// are valid, reach every bond rule, and a result compared with its own
// output deviates by nothing.
func TestDiffHarness(t *testing.T) {
	rng := rand.New(rand.NewPCG(0x79756d61, 1))
	w := worst{}
	seen := map[string]int{}
	for c := range diffCases(t) {
		in, _ := randomCase(rng)
		r := mustEpoch(t, in)
		compareOutput(t, fmt.Sprintf("case %d", c), r, r.Output(), float64(in.Emission), 0, w)
		switch {
		case r.Yuma3 && r.LiquidAlpha:
			seen["yuma3+liquid"]++
		case r.Yuma3:
			seen["yuma3"]++
		default:
			seen["classic"]++
		}
	}
	for f, d := range w {
		if d != 0 {
			t.Errorf("self-comparison of %s deviates by %g", f, d)
		}
	}
	for _, k := range []string{"yuma3+liquid", "yuma3", "classic"} {
		if seen[k] == 0 {
			t.Errorf("no random case ran the %s bond rule", k)
		}
	}
	// A deviation beyond the tolerance must be reported.
	r := mustEpoch(t, handInput())
	bad := r.Output()
	bad.Incentive[2] += tolU16 + 1
	if !reportsDeviation(r, bad) {
		t.Error("compareOutput missed an incentive off by 3")
	}
}

// reporter is the part of *testing.T that compareOutput uses.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// recorder is a reporter that only notes whether anything was reported.
type recorder struct{ failed bool }

func (*recorder) Helper()                 {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }

// reportsDeviation says whether compareOutput flags got.
func reportsDeviation(r *Result, got *consensus.Output) bool {
	rec := &recorder{}
	compareOutput(rec, "probe", r, got, 1e9, tolEmRel, worst{})
	return rec.failed
}
