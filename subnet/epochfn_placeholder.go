//go:build !consensus_epoch

package subnet

import (
	"errors"
	"math"
	"sort"

	"github.com/yumachain/yuma/consensus"
)

// PLACEHOLDER until consensus.Epoch lands (build with -tags consensus_epoch
// to use it; this file is then deleted). It is a much simplified,
// deterministic integer stand-in with the contract's shapes: active by
// activity cutoff, permits for the top stakes, incentive from
// stake-weighted column sums, dividends by active permitted stake of the
// validators that set weights, and the server/validator emission split of
// subtensor (normalized on incentive + dividends, by stake if both are
// zero). Bonds are the stored weights of permitted validators.
func runEpoch(in *consensus.Input) (*consensus.Output, error) {
	n := len(in.Stake)
	if len(in.LastUpdate) != n || len(in.BlockAtRegistration) != n || len(in.ValidatorPermit) != n || len(in.Weights) != n || len(in.Bonds) != n {
		return nil, errors.New("placeholder epoch: input vectors differ in length")
	}
	out := &consensus.Output{
		Active: make([]bool, n), ValidatorPermit: make([]bool, n),
		Rank: make([]uint16, n), Trust: make([]uint16, n), Consensus: make([]uint16, n),
		Incentive: make([]uint16, n), Dividends: make([]uint16, n), ValidatorTrust: make([]uint16, n),
		PruningScores: make([]uint16, n), Bonds: make([][]consensus.Entry, n),
		ServerEmission: make([]uint64, n), ValidatorEmission: make([]uint64, n),
	}
	stake := make([]uint64, n)
	for i := range n {
		out.Active[i] = in.LastUpdate[i]+in.Params.ActivityCutoff >= in.Block
		if in.Stake[i] >= in.StakeThreshold {
			stake[i] = in.Stake[i] >> 16 // keep products within uint64
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return stake[order[a]] > stake[order[b]] })
	for k, i := range order {
		if k < int(in.Params.MaxAllowedValidators) && stake[i] > 0 {
			out.ValidatorPermit[i] = true
		}
	}
	rank := make([]uint64, n)
	div := make([]uint64, n)
	for i := range n {
		if !out.Active[i] || !out.ValidatorPermit[i] || stake[i] == 0 {
			continue
		}
		var sum uint64
		for _, e := range in.Weights[i] {
			if int(e.UID) != i {
				sum += uint64(e.Value)
			}
		}
		if sum == 0 {
			continue
		}
		div[i] = stake[i]
		for _, e := range in.Weights[i] {
			if int(e.UID) != i && int(e.UID) < n {
				rank[e.UID] += stake[i] / sum * uint64(e.Value)
			}
		}
		out.Bonds[i] = append([]consensus.Entry(nil), in.Weights[i]...)
	}
	inc := toU16(rank)
	dv := toU16(div)
	copy(out.Rank, inc)
	copy(out.Trust, inc)
	copy(out.Consensus, inc)
	copy(out.Incentive, inc)
	copy(out.Dividends, dv)
	copy(out.ValidatorTrust, dv)
	var si, sd uint64
	for i := range n {
		si += uint64(inc[i])
		sd += uint64(dv[i])
	}
	if si+sd == 0 {
		for i := range n {
			sd += stake[i]
		}
		for i := range n {
			if sd > 0 {
				out.ValidatorEmission[i] = mulDiv(in.Emission, stake[i], sd)
			}
		}
	} else {
		for i := range n {
			out.ServerEmission[i] = mulDiv(in.Emission, uint64(inc[i]), si+sd)
			out.ValidatorEmission[i] = mulDiv(in.Emission, uint64(dv[i]), si+sd)
		}
	}
	comb := make([]uint64, n)
	for i := range n {
		comb[i] = out.ServerEmission[i] + out.ValidatorEmission[i]
	}
	copy(out.PruningScores, toU16(comb))
	return out, nil
}

// toU16 normalizes v to u16 fractions of 65535, rounded down.
func toU16(v []uint64) []uint16 {
	var sum uint64
	for _, x := range v {
		sum += x
	}
	out := make([]uint16, len(v))
	if sum == 0 {
		return out
	}
	for i, x := range v {
		out[i] = uint16(mulDiv(x, math.MaxUint16, sum))
	}
	return out
}
