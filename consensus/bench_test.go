package consensus

import (
	"math/rand/v2"
	"testing"
)

// benchInput builds a subnet of n UIDs whose first v are validators with
// stake setting weights on a density fraction (per mille) of the UIDs, with
// bonds from a previous epoch on the same pattern.
func benchInput(v, n int, perMille int, yuma3 bool) *Input {
	r := rand.New(rand.NewPCG(uint64(v), uint64(n)))
	in := &Input{
		Block: 10_000, Tempo: 360,
		Params: Hyperparameters{
			Kappa: 32767, Rho: 10, BondsMovingAverage: 900_000, BondsPenalty: 65535,
			ActivityCutoff: 5000, MaxAllowedValidators: uint16(v), AlphaLow: 45875, AlphaHigh: 58982,
			AlphaSigmoidSteepness: 1000, Yuma3Enabled: yuma3, LiquidAlphaEnabled: yuma3,
		},
		Emission: 1_000_000_000,
	}
	for i := 0; i < n; i++ {
		stake := uint64(0)
		if i < v {
			stake = 1_000_000_000 + r.Uint64N(1_000_000_000_000)
		}
		in.Stake = append(in.Stake, stake)
		in.LastUpdate = append(in.LastUpdate, 9_990)
		in.BlockAtRegistration = append(in.BlockAtRegistration, uint64(r.IntN(9_000)))
		in.ValidatorPermit = append(in.ValidatorPermit, i < v)
		var w, b []Entry
		if i < v {
			for j := 0; j < n; j++ {
				if perMille < 1000 && r.IntN(1000) >= perMille {
					continue
				}
				w = append(w, Entry{uint16(j), uint16(1 + r.IntN(65535))})
				b = append(b, Entry{uint16(j), uint16(r.IntN(65536))})
			}
		}
		in.Weights = append(in.Weights, w)
		in.Bonds = append(in.Bonds, b)
	}
	return in
}

func benchEpoch(b *testing.B, f func(*Input) (*Output, error), in *Input) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f(in); err != nil {
			b.Fatal(err)
		}
	}
}

// Dense weights: every validator weights every UID.
func BenchmarkEpochDense64x256(b *testing.B) { benchEpoch(b, Epoch, benchInput(64, 256, 1000, false)) }
func BenchmarkEpochDensePath64x256(b *testing.B) {
	benchEpoch(b, EpochDense, benchInput(64, 256, 1000, false))
}
func BenchmarkEpochDense256x4096(b *testing.B) {
	benchEpoch(b, Epoch, benchInput(256, 4096, 1000, false))
}
func BenchmarkEpochSparse256x4096(b *testing.B) {
	benchEpoch(b, Epoch, benchInput(256, 4096, 100, false))
}
func BenchmarkEpochYuma3Dense256x4096(b *testing.B) {
	benchEpoch(b, Epoch, benchInput(256, 4096, 1000, true))
}

// Yuma3 with liquid alpha in a settled state: the bonds are those of the
// same weights' previous epochs (ten epochs run before timing, from no
// bonds), rather than random.
func BenchmarkEpochYuma3Settled256x4096(b *testing.B) {
	in := benchInput(256, 4096, 1000, true)
	for i := range in.Bonds {
		in.Bonds[i] = nil
	}
	for range 10 {
		out, err := Epoch(in)
		if err != nil {
			b.Fatal(err)
		}
		in.Bonds = out.Bonds
	}
	benchEpoch(b, Epoch, in)
}
