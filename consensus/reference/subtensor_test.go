package reference

import (
	"fmt"
	"math"
	"testing"

	"github.com/yumachain/yuma/consensus"
)

// The numbers in this file come from opentensor/subtensor,
// pallets/subtensor/src/tests/epoch.rs at 8fb5c3688^ (the assertions and
// the logged states of test_bonds and test_yuma_3_kappa_moves_*). subtensor
// computes in I32F32, so the float reference is compared with a tolerance:
// bonds within 1 u16 step (subtensor truncates values that are integers in
// exact arithmetic, e.g. 12602.99 -> 12602), emissions within 3 rao.

// bondsRows builds the 8-UID bond state of test_bonds: validators 0..3 hold
// bonds on miners 4..7 (four values per row, one per miner).
func bondsRows(v [4][4]uint16) [][]consensus.Entry {
	out := emptyRows(8)
	for i := range 4 {
		out[i] = row(4, v[i][0], 5, v[i][1], 6, v[i][2], 7, v[i][3])
	}
	return out
}

func same4(a, b, c, d uint16) [4][4]uint16 {
	return [4][4]uint16{{a, a, a, a}, {b, b, b, b}, {c, c, c, c}, {d, d, d, d}}
}

// TestSubtensorBonds replays test_bonds epoch by epoch: four validators with
// stake 1:2:3:4 weight four miners 0.1:0.2:0.3:0.4 (bonds_penalty 1,
// bonds_moving_average 0.9), then one by one switch to self-weights, then
// validator 2 moves to miner 7 alone. Each epoch starts from the bond state
// subtensor logged and must end in the state it logged (or asserted) next.
func TestSubtensorBonds(t *testing.T) {
	const maxU = math.MaxUint16
	std := row(4, maxU/4, 5, maxU/2, 6, (maxU/4)*3, 7, maxU)
	self := func(i uint16) []consensus.Entry { return row(i, maxU) }
	w := func(rows ...[]consensus.Entry) [][]consensus.Entry {
		out := emptyRows(8)
		copy(out, rows)
		return out
	}
	steps := []struct {
		block   uint64
		weights [][]consensus.Entry
		lastUpd []uint64
		bonds   [][]consensus.Entry
		want    [4][4]uint16 // bonds of validators 0..3 on miners 4..7 after
		// emission is subtensor's logged combined emission E per UID.
		emission [8]uint64
	}{
		{1, w(std, std, std, std), []uint64{1, 1, 1, 1, 0, 0, 0, 0}, emptyRows(8),
			same4(16383, 32767, 49151, 65535),
			[8]uint64{49999998, 99999999, 150000000, 200000001, 49998779, 100000610, 149996337, 200004272}},
		{2, w(self(0), std, std, std), []uint64{1, 1, 1, 1, 0, 0, 0, 0}, bondsRows(same4(16383, 32767, 49151, 65535)),
			same4(14582, 32767, 49151, 65535),
			[8]uint64{44998351, 101110561, 151667215, 202223870, 49998779, 100000610, 149996337, 200004272}},
		{3, w(self(0), self(1), std, std), []uint64{1, 2, 1, 1, 0, 0, 0, 0}, bondsRows(same4(14582, 32767, 49151, 65535)),
			same4(12603, 28321, 49151, 65535),
			[8]uint64{40496805, 90999783, 157929636, 210573773, 49998779, 100000610, 149996337, 200004272}},
		{4, w(self(0), self(1), self(2), std), []uint64{1, 2, 3, 1, 0, 0, 0, 0}, bondsRows(same4(12603, 28321, 49151, 65535)),
			same4(12602, 28320, 49150, 65535),
			[8]uint64{99999999, 199999999, 299999999, 399999999, 0, 0, 0, 0}},
		{5, w(self(0), self(1), row(7, maxU), std), []uint64{1, 2, 4, 1, 0, 0, 0, 0}, bondsRows(same4(12602, 28320, 49150, 65535)),
			[4][4]uint16{{12601, 12601, 12601, 10951}, {28319, 28319, 28319, 24609}, {49149, 49149, 49149, 49150}, {65535, 65535, 65535, 65535}},
			[8]uint64{36443733, 81898628, 163565493, 218092144, 0, 0, 0, 500000000}},
		{6, w(self(0), self(1), row(7, maxU), std), []uint64{1, 2, 4, 1, 0, 0, 0, 0},
			bondsRows([4][4]uint16{{12601, 12601, 12601, 10951}, {28319, 28319, 28319, 24609}, {49149, 49149, 49149, 49150}, {65535, 65535, 65535, 65535}}),
			[4][4]uint16{{12600, 12600, 12600, 9559}, {28318, 28318, 28318, 21482}, {49148, 49148, 49148, 49150}, {65535, 65535, 65535, 65535}},
			[8]uint64{32799427, 73706612, 168638129, 224855830, 0, 0, 0, 500000000}},
		{7, w(self(0), self(1), row(7, maxU), std), []uint64{1, 2, 4, 1, 0, 0, 0, 0},
			bondsRows([4][4]uint16{{12600, 12600, 12600, 9559}, {28318, 28318, 28318, 21482}, {49148, 49148, 49148, 49150}, {65535, 65535, 65535, 65535}}),
			[4][4]uint16{{12599, 12599, 12599, 8376}, {28317, 28317, 28317, 18824}, {49147, 49147, 49147, 49150}, {65535, 65535, 65535, 65535}},
			[8]uint64{29518068, 66336137, 173203134, 230942659, 0, 0, 0, 500000000}},
	}
	for _, st := range steps {
		t.Run(fmt.Sprintf("block %d", st.block), func(t *testing.T) {
			in := &consensus.Input{
				Block: st.block,
				Tempo: 1,
				Params: consensus.Hyperparameters{
					Kappa: 32767, BondsMovingAverage: 900_000, BondsPenalty: maxU,
					ActivityCutoff: 5000, MaxAllowedValidators: 8,
				},
				Stake:               []uint64{1, 2, 3, 4, 0, 0, 0, 0},
				LastUpdate:          st.lastUpd,
				BlockAtRegistration: make([]uint64, 8),
				ValidatorPermit:     []bool{true, true, true, true, false, false, false, false},
				Weights:             st.weights,
				Bonds:               st.bonds,
				Emission:            1_000_000_000,
			}
			out := mustEpoch(t, in).Output()
			got := denseU16(out.Bonds, 8)
			for i := range 4 {
				for j := range 4 {
					g, want := int(got[i][4+j]), int(st.want[i][j])
					if g < want-1 || g > want+1 {
						t.Errorf("bond[%d][%d] = %d, subtensor %d", i, 4+j, g, want)
					}
				}
			}
			for i := range 8 {
				e := int64(out.ServerEmission[i] + out.ValidatorEmission[i])
				if d := e - int64(st.emission[i]); d < -3 || d > 3 {
					t.Errorf("emission[%d] = %d, subtensor %d", i, e, st.emission[i])
				}
			}
		})
	}
}

// yuma3Case is one of subtensor's test_yuma_3_kappa_moves_* scenarios: three
// validators with stake 8:1:1 (A, B, C) and two miners (UIDs 3 and 4);
// weights[e] are the weights on the two miners set before epoch e (nil: no
// change); bonds[e][v] and dividends[e] are subtensor's targets after it.
type yuma3Case struct {
	name      string
	weights   [][3][2]uint16
	bonds     [][3][2]float64
	dividends [][3]float64
}

var yuma3Cases = []yuma3Case{
	{
		name: "kappa moves first",
		weights: [][3][2]uint16{
			{{65535, 0}, {65535, 0}, {65535, 0}},
			{{0, 65535}, {65535, 0}, {65535, 0}},
			{{0, 65535}, {0, 65535}, {65535, 0}},
			{{0, 65535}, {0, 65535}, {0, 65535}},
		},
		bonds: [][3][2]float64{
			{{0.1013, 0}, {0.1013, 0}, {0.1013, 0}},
			{{0.0908, 0.1013}, {0.3697, 0}, {0.3697, 0}},
			{{0.0815, 0.1924}, {0.3170, 0.1013}, {0.5580, 0}},
			{{0.0731, 0.2742}, {0.2765, 0.1924}, {0.4306, 0.1013}},
			{{0.0656, 0.3478}, {0.2435, 0.2742}, {0.3589, 0.1924}},
			{{0.0588, 0.4139}, {0.2157, 0.3478}, {0.3089, 0.2742}},
		},
		dividends: [][3]float64{
			{0.8, 0.1, 0.1}, {1, 0, 0}, {0.9382, 0.0618, 0},
			{0.8819, 0.0773, 0.0407}, {0.8564, 0.0844, 0.0592}, {0.8418, 0.0884, 0.0697},
		},
	},
	{
		name: "kappa moves second",
		weights: [][3][2]uint16{
			{{65535, 0}, {65535, 0}, {65535, 0}},
			{{65535, 0}, {0, 65535}, {65535, 0}},
			{{0, 65535}, {0, 65535}, {65535, 0}},
			{{0, 65535}, {0, 65535}, {0, 65535}},
		},
		bonds: [][3][2]float64{
			{{0.1013, 0}, {0.1013, 0}, {0.1013, 0}},
			{{0.1924, 0}, {0.0908, 0.2987}, {0.1924, 0}},
			{{0.1715, 0.1013}, {0.0815, 0.3697}, {0.4336, 0}},
			{{0.1531, 0.1924}, {0.0731, 0.4336}, {0.3608, 0.1013}},
			{{0.1369, 0.2742}, {0.0656, 0.4910}, {0.3103, 0.1924}},
			{{0.1225, 0.3478}, {0.0588, 0.5426}, {0.2712, 0.2742}},
		},
		dividends: [][3]float64{
			{0.8, 0.1, 0.1}, {0.8446, 0.0498, 0.1056}, {0.6868, 0.3132, 0},
			{0.7421, 0.2090, 0.0489}, {0.7625, 0.1706, 0.0669}, {0.7730, 0.1508, 0.0762},
		},
	},
	{
		name: "kappa moves last",
		weights: [][3][2]uint16{
			{{65535, 0}, {65535, 0}, {65535, 0}},
			{{65535, 0}, {0, 65535}, {65535, 0}},
			{{65535, 0}, {0, 65535}, {0, 65535}},
			{{0, 65535}, {0, 65535}, {0, 65535}},
		},
		bonds: [][3][2]float64{
			{{0.1013, 0}, {0.1013, 0}, {0.1013, 0}},
			{{0.1924, 0}, {0.0908, 0.2987}, {0.1924, 0}},
			{{0.2742, 0}, {0.0815, 0.5081}, {0.1715, 0.2987}},
			{{0.2416, 0.1013}, {0.0731, 0.5580}, {0.1531, 0.3697}},
			{{0.2141, 0.1924}, {0.0656, 0.6028}, {0.1369, 0.4336}},
			{{0.1903, 0.2742}, {0.0588, 0.6430}, {0.1225, 0.4910}},
		},
		dividends: [][3]float64{
			{0.8, 0.1, 0.1}, {0.8446, 0.0498, 0.1056}, {0.8966, 0.0333, 0.0701},
			{0.4663, 0.3210, 0.2127}, {0.5976, 0.2340, 0.1683}, {0.6592, 0.1932, 0.1475},
		},
	},
}

// TestSubtensorYuma3 runs the Yuma3 + liquid alpha scenarios (kappa 1/2,
// alpha in [0.1, 0.3], steepness 1000, bonds_moving_average 0.975,
// bonds_penalty 0), feeding
// each epoch's stored bonds and permits into the next as the chain does,
// and checks bonds and dividends within subtensor's own tolerance of 1e-3.
func TestSubtensorYuma3(t *testing.T) {
	for _, tc := range yuma3Cases {
		t.Run(tc.name, func(t *testing.T) {
			const n = 5
			in := &consensus.Input{
				Block: 1,
				Tempo: 1,
				Params: consensus.Hyperparameters{
					Kappa: math.MaxUint16 / 2, BondsMovingAverage: 975_000,
					ActivityCutoff: 5000, MaxAllowedValidators: 3,
					LiquidAlphaEnabled: true,
					// set_alpha_values_32(0.1, 0.3) stores floor(x * 65535).
					AlphaLow: 6553, AlphaHigh: 19660, AlphaSigmoidSteepness: 1000,
					Yuma3Enabled: true,
				},
				Stake:               []uint64{8, 1, 1, 0, 0},
				LastUpdate:          make([]uint64, n),
				BlockAtRegistration: make([]uint64, n),
				ValidatorPermit:     make([]bool, n),
				Weights:             emptyRows(n),
				Bonds:               emptyRows(n),
				Emission:            1_000_000_000,
			}
			// The setup epoch hands out the permits.
			out := mustEpoch(t, in).Output()
			for e := range tc.bonds {
				in.ValidatorPermit = out.ValidatorPermit
				in.Bonds = out.Bonds
				if e < len(tc.weights) {
					for v := range 3 {
						in.Weights[v] = row(3, tc.weights[e][v][0], 4, tc.weights[e][v][1])
						in.LastUpdate[v] = in.Block
					}
				}
				in.Block++
				out = mustEpoch(t, in).Output()
				b := denseU16(out.Bonds, n)
				for v := range 3 {
					for m := range 2 {
						got := float64(b[v][3+m]) / math.MaxUint16
						if d := math.Abs(got - tc.bonds[e][v][m]); d > 1e-3 {
							t.Errorf("epoch %d: bond[%d][%d] = %.4f, subtensor %.4f", e, v, 3+m, got, tc.bonds[e][v][m])
						}
					}
					got := float64(out.Dividends[v]) / math.MaxUint16
					if d := math.Abs(got - tc.dividends[e][v]); d > 1e-3 {
						t.Errorf("epoch %d: dividend[%d] = %.4f, subtensor %.4f", e, v, got, tc.dividends[e][v])
					}
				}
			}
		})
	}
}
