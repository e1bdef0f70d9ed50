package emission

import (
	"math/bits"
	"slices"
)

// DefaultOwnerCut is the subnet owner's share of a subnet's emission as a
// u16 fraction of 65535: 11796/65535 = 17.9995...%, subtensor's
// SubtensorInitialSubnetOwnerCut ("18 percent", runtime/src/lib.rs), read
// through get_float_subnet_owner_cut as SubnetOwnerCut / u16::MAX.
const DefaultOwnerCut uint16 = 11_796

// SplitByWeights splits total rao in proportion to weights by the largest
// remainder (Hamilton) rule:
//
//  1. Part i gets floor(total * w_i / W), W = sum of the weights (computed
//     with 128-bit intermediates, so no weights overflow).
//  2. The rao left over (fewer than the number of nonzero weights) go one
//     each to the parts with the largest remainders
//     total*w_i mod W, ties to the lowest index.
//
// The parts sum exactly to total whenever W > 0, every part is its exact
// share rounded down or up, and a zero weight always gets 0. If W == 0
// (all weights zero, or none) nothing is distributed: every part is 0 and
// the whole total stays with the caller, who decides (keep it pending,
// recycle it). The result has len(weights) entries.
func SplitByWeights(total uint64, weights []uint64) []uint64 {
	parts := make([]uint64, len(weights))
	var sum u128
	for _, w := range weights {
		sum = sum.add64(w)
	}
	if sum.isZero() || total == 0 {
		return parts
	}
	rems := make([]u128, len(weights))
	var given uint64
	for i, w := range weights {
		parts[i], rems[i] = divmod(mul64(total, w), sum)
		given += parts[i]
	}
	leftover := total - given
	if leftover == 0 {
		return parts
	}
	// Sum of remainders = leftover * W and each remainder < W, so more than
	// leftover entries have a nonzero remainder: only those compete.
	order := make([]int, 0, len(weights))
	for i := range rems {
		if !rems[i].isZero() {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := rems[b].cmp(rems[a]); c != 0 {
			return c // larger remainder first
		}
		return a - b // then lower index
	})
	for _, i := range order[:leftover] {
		parts[i]++
	}
	return parts
}

// SplitByShares is SplitByWeights for u16 shares, the form in which the
// epoch stores incentive, dividends and emission shares (fractions of
// 65535 that need not sum to exactly 65535; only their ratios matter).
//
// It is the split among subnets: the subnet state module runs Yuma
// consensus on the root network (netuid 0) and passes the resulting
// per-subnet shares, and a block's emission is split by them here. It is
// also the split of an epoch's pot among UIDs (see EpochEmission). All
// shares zero means nothing is distributed, as in SplitByWeights.
func SplitByShares(total uint64, shares []uint16) []uint64 {
	w := make([]uint64, len(shares))
	for i, s := range shares {
		w[i] = uint64(s)
	}
	return SplitByWeights(total, w)
}

// SplitSubnet splits a subnet's emission with the default owner cut; see
// SplitSubnetCut.
func SplitSubnet(amount uint64) (owner, miners, validators uint64) {
	return SplitSubnetCut(amount, DefaultOwnerCut)
}

// SplitSubnetCut splits a subnet's emission into the owner's cut, the
// miners' pot (incentive) and the validators' pot (dividends):
//
//	owner      = floor(amount * ownerCut / 65535)
//	miners     = floor((amount - owner) / 2)
//	validators = amount - owner - miners   (gets the odd rao)
//
// The three always sum to amount. The owner's cut is the exact rational
// floor, as subtensor's pre-dynamic-TAO generate_emission computed it
// (I96F32 amount * cut / 65535, truncated); subtensor then also truncated
// the rest and could leave one rao unminted, which here goes to the
// miners and validators instead. The validators get the odd rao as in
// subtensor's emit_to_subnets, where the validator pot is what is left
// after the miners' half.
func SplitSubnetCut(amount uint64, ownerCut uint16) (owner, miners, validators uint64) {
	hi, lo := bits.Mul64(amount, uint64(ownerCut))
	owner, _ = bits.Div64(hi, lo, 65535) // hi < 65535: the quotient is <= amount
	rest := amount - owner
	miners = rest / 2
	validators = rest - miners
	return owner, miners, validators
}

// EpochEmission turns an epoch's per-UID shares into rao: the miners' pot
// is split by incentive and the validators' pot by dividends, each with
// SplitByShares (largest remainder, ties to the lowest UID), so each pot
// is paid out to the last rao. If every incentive is zero the miners' pot
// is not distributed, and likewise for the validators' pot and dividends;
// undistributed is the sum of such pots, which the caller keeps pending or
// recycles. Always sum(server) + sum(validator) + undistributed ==
// minersPot + validatorsPot.
//
// incentive and dividends are indexed by UID; the shorter one is treated
// as padded with zeros, and both results have the longer length.
func EpochEmission(minersPot, validatorsPot uint64, incentive, dividends []uint16) (server, validator []uint64, undistributed uint64) {
	n := max(len(incentive), len(dividends))
	server = pad(SplitByShares(minersPot, incentive), n)
	validator = pad(SplitByShares(validatorsPot, dividends), n)
	if allZero(incentive) {
		undistributed += minersPot
	}
	if allZero(dividends) {
		undistributed += validatorsPot
	}
	return server, validator, undistributed
}

func pad(v []uint64, n int) []uint64 {
	if len(v) >= n {
		return v
	}
	return append(v, make([]uint64, n-len(v))...)
}

func allZero(v []uint16) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
