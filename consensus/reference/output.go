package reference

import (
	"math"

	"github.com/yumachain/yuma/consensus"
)

// Output quantizes r the way the chain stores an epoch: fractions become
// u16 by floor(x*65535) (saturating), pruning scores are max-upscaled and
// rounded, emissions are rounded down to rao, and bond rows are kept only
// for UIDs with a new permit (the others leave with an empty row), holding
// the cells whose u16 value is not zero.
func (r *Result) Output() *consensus.Output {
	n := r.N
	out := &consensus.Output{
		Active:            append([]bool(nil), r.Active...),
		ValidatorPermit:   append([]bool(nil), r.ValidatorPermit...),
		Rank:              ToU16(r.Rank),
		Trust:             ToU16(r.Trust),
		Consensus:         ToU16(r.Consensus),
		Incentive:         ToU16(r.Incentive),
		Dividends:         ToU16(r.Dividends),
		ValidatorTrust:    ToU16(r.ValidatorTrust),
		PruningScores:     MaxUpscaleU16(r.PruningScores),
		Bonds:             make([][]consensus.Entry, n),
		ServerEmission:    make([]uint64, n),
		ValidatorEmission: make([]uint64, n),
		Emission:          make([]uint64, n),
	}
	for i := range n {
		out.ServerEmission[i] = floorU64(r.ServerEmission[i])
		out.ValidatorEmission[i] = floorU64(r.ValidatorEmission[i])
		out.Emission[i] = floorU64(r.Emission[i])
		out.Bonds[i] = []consensus.Entry{}
	}
	for k, uid := range r.Rows {
		if !r.ValidatorPermit[uid] {
			continue
		}
		row := r.Bonds.RawRowView(k)
		entries := []consensus.Entry{}
		for j, v := range row {
			if q := FractionToU16(v); q > 0 {
				entries = append(entries, consensus.Entry{UID: uint16(j), Value: q})
			}
		}
		out.Bonds[uid] = entries
	}
	return out
}

// FractionToU16 is subtensor's fixed_proportion_to_u16 in float64:
// floor(x*65535), saturating at 0 and 65535.
func FractionToU16(x float64) uint16 {
	v := math.Floor(x * u16Max)
	switch {
	case !(v > 0): // also NaN
		return 0
	case v >= u16Max:
		return math.MaxUint16
	}
	return uint16(v)
}

// ToU16 applies FractionToU16 to every element of x.
func ToU16(x []float64) []uint16 {
	out := make([]uint16, len(x))
	for i, v := range x {
		out[i] = FractionToU16(v)
	}
	return out
}

// MaxUpscaleU16 is subtensor's vec_max_upscale_to_u16 for a normalized
// non-negative vector: each element times 65535 over the maximum, rounded
// half away from zero; all zeros when the maximum is zero.
func MaxUpscaleU16(x []float64) []uint16 {
	out := make([]uint16, len(x))
	var mx float64
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	if mx == 0 {
		return out
	}
	for i, v := range x {
		out[i] = clampU16(math.Round(v * u16Max / mx))
	}
	return out
}

func clampU16(v float64) uint16 {
	switch {
	case !(v > 0):
		return 0
	case v >= u16Max:
		return math.MaxUint16
	}
	return uint16(v)
}

// floorU64 rounds a non-negative rao amount down, saturating at the u64
// range.
func floorU64(v float64) uint64 {
	switch {
	case !(v > 0):
		return 0
	case v >= math.MaxUint64: // 2^64 as a float64
		return math.MaxUint64
	}
	return uint64(math.Floor(v))
}
