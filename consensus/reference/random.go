package reference

import (
	"math/rand/v2"
	"slices"

	"github.com/yumachain/yuma/consensus"
)

// RandomConfig shapes a random epoch input for property tests and
// benchmarks. UIDs 0..Validators-1 are validators (stake, permit, weights,
// bonds); the rest are miners.
type RandomConfig struct {
	N          int
	Validators int
	// Density is the fraction of the other N-1 UIDs each validator
	// weights; 1 means every one of them.
	Density float64
	// Shared is the fraction of each validator's weighted UIDs drawn from
	// one common set (so that validators agree on some miners and
	// consensus is not zero); the rest are drawn independently.
	Shared float64
	// BondDensity is the fraction of UIDs each validator holds a bond on.
	BondDensity float64
	// StakeSpread is the ratio of the largest to the smallest validator
	// stake (at least 1).
	StakeSpread float64
	// WeightSpread is the ratio of the largest to the smallest weight in a
	// row before max-upscaling (at least 1).
	WeightSpread float64
	Params       consensus.Hyperparameters
}

// RandomInput draws an input from rng: validators active and permitted,
// every UID registered long before the validators' last update, weights
// max-upscaled to 65535 as set_weights stores them.
func RandomInput(rng *rand.Rand, c RandomConfig) *consensus.Input {
	n := c.N
	const tempo = 360
	block := uint64(100_000 + rng.IntN(100_000))
	in := &consensus.Input{
		Block:               block,
		Tempo:               tempo,
		Params:              c.Params,
		Stake:               make([]uint64, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		ValidatorPermit:     make([]bool, n),
		Weights:             make([][]consensus.Entry, n),
		Bonds:               make([][]consensus.Entry, n),
		Emission:            uint64(1e9 + rng.IntN(1e9)),
	}
	spread := max(c.StakeSpread, 1)
	wspread := max(c.WeightSpread, 1)
	for i := range n {
		in.BlockAtRegistration[i] = uint64(rng.IntN(int(block) - 10*tempo))
	}
	perm := make([]int, n)
	k := int(c.Density*float64(n-1) + 0.5)
	// The common set: k UIDs, the same for every validator.
	common := rng.Perm(n)[:min(k+1, n)]
	shared := int(min(max(c.Shared, 0), 1)*float64(k) + 0.5)
	for i := range min(c.Validators, n) {
		// Stake between 1e12 and spread*1e12 rao.
		in.Stake[i] = uint64(1e12 * (1 + (spread-1)*rng.Float64()))
		in.LastUpdate[i] = block - uint64(rng.IntN(tempo))
		in.ValidatorPermit[i] = true
		in.Weights[i] = randomRow(rng, perm, i, k, shared, common, wspread)
		in.Bonds[i] = randomRow(rng, perm, -1, int(c.BondDensity*float64(n)+0.5), 0, nil, wspread)
	}
	return in
}

// randomRow picks k distinct UIDs other than self, the first shared of
// them from common, and gives them values in [1/spread, 1] of the row
// maximum, max-upscaled to 65535.
func randomRow(rng *rand.Rand, perm []int, self, k, shared int, common []int, spread float64) []consensus.Entry {
	n := len(perm)
	taken := make(map[int]bool, k)
	picked := make([]int, 0, k)
	for _, q := range rng.Perm(len(common)) {
		if len(picked) >= shared {
			break
		}
		if j := common[q]; j != self {
			picked = append(picked, j)
			taken[j] = true
		}
	}
	for i := range perm {
		perm[i] = i
	}
	for m := 0; m < n && len(picked) < k; m++ {
		j := m + rng.IntN(n-m)
		perm[m], perm[j] = perm[j], perm[m]
		if perm[m] != self && !taken[perm[m]] {
			picked = append(picked, perm[m])
		}
	}
	slices.Sort(picked)
	row := make([]consensus.Entry, len(picked))
	vals := make([]float64, len(picked))
	var mx float64
	for q := range picked {
		vals[q] = 1/spread + (1-1/spread)*rng.Float64()
		mx = max(mx, vals[q])
	}
	for q, j := range picked {
		row[q] = consensus.Entry{UID: uint16(j), Value: uint16(vals[q]/mx*65535 + 0.5)}
	}
	return row
}
