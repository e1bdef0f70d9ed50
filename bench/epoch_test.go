// Package bench holds the project's benchmarks; run them with
// go test -bench . ./bench/ or with bench/epoch.sh for the epoch table.
package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/yumachain/yuma/consensus"
	"github.com/yumachain/yuma/consensus/reference"
)

// epochSizes are the benchmarked subnets: validators x UIDs, and the
// fraction of the other UIDs each validator weights (and holds bonds on).
var epochSizes = []struct {
	name                 string
	validators, n        int
	density, bondDensity float64
}{
	{"dense-64x256", 64, 256, 1, 1},
	{"dense-256x4096", 256, 4096, 1, 1},
	{"sparse-256x4096-10pct", 256, 4096, 0.1, 0.1},
}

// epochImpl is one implementation of the epoch under benchmark.
type epochImpl struct {
	name string
	run  func(*consensus.Input) error
}

// epochImpls lists the implementations: the chain's sparse fixed-point
// epoch, its dense twin and the float64 reference.
var epochImpls = []epochImpl{
	{"fixed-sparse", func(in *consensus.Input) error { _, err := consensus.Epoch(in); return err }},
	{"fixed-dense", func(in *consensus.Input) error { _, err := consensus.EpochDense(in); return err }},
	{"float", func(in *consensus.Input) error { _, err := reference.Epoch(in); return err }},
}

// benchInput is the input of one size: classic Yuma with subtensor's
// default hyperparameters, drawn from a fixed seed.
func benchInput(validators, n int, density, bondDensity float64) *consensus.Input {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(validators)))
	return reference.RandomInput(rng, reference.RandomConfig{
		N: n, Validators: validators, Density: density, Shared: 0.8, BondDensity: bondDensity,
		StakeSpread: 100, WeightSpread: 100,
		Params: consensus.Hyperparameters{
			Kappa: 32767, Rho: 10, BondsMovingAverage: 900_000,
			ActivityCutoff: 5000, MaxAllowedValidators: uint16(validators),
			MaxWeightsLimit: 65535, ImmunityPeriod: 4096,
			AlphaLow: 45875, AlphaHigh: 58982, AlphaSigmoidSteepness: 1000,
		},
	})
}

// BenchmarkEpoch runs every implementation on every size; the sub-benchmark
// names are size/implementation.
func BenchmarkEpoch(b *testing.B) {
	for _, size := range epochSizes {
		// The input is drawn inside the size's sub-benchmark, so a run
		// filtered to one size builds only that input.
		b.Run(size.name, func(b *testing.B) {
			in := benchInput(size.validators, size.n, size.density, size.bondDensity)
			for _, impl := range epochImpls {
				b.Run(impl.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if err := impl.run(in); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// TestBenchInputs keeps the benchmark inputs honest: the right shape, and
// valid for the reference.
func TestBenchInputs(t *testing.T) {
	for _, size := range epochSizes {
		if size.n > 256 && testing.Short() {
			continue
		}
		in := benchInput(size.validators, size.n, size.density, size.bondDensity)
		if len(in.Stake) != size.n {
			t.Fatalf("%s: %d UIDs", size.name, len(in.Stake))
		}
		var entries int
		for i, row := range in.Weights {
			if i >= size.validators && len(row) > 0 {
				t.Fatalf("%s: miner %d has weights", size.name, i)
			}
			entries += len(row)
		}
		want := float64(size.validators) * size.density * float64(size.n-1)
		if d := float64(entries) - want; d > 0.01*want+float64(size.validators) || d < -0.01*want-float64(size.validators) {
			t.Errorf("%s: %d weight entries, want about %.0f", size.name, entries, want)
		}
		if _, err := reference.Epoch(in); err != nil {
			t.Fatalf("%s: %v", size.name, err)
		}
	}
}
