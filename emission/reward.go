package emission

import "math/bits"

// Units and chain constants, as in subtensor (pallets/subtensor/src/lib.rs:
// TotalSupply, DefaultBlockEmission).
const (
	// RaoPerTAO is the number of rao in one TAO. It is untyped, so it
	// multiplies any integer type (chain.U64 amounts too).
	RaoPerTAO = 1_000_000_000
	// MaxSupply is the issuance cap, 21,000,000 TAO in rao.
	MaxSupply uint64 = 21_000_000 * RaoPerTAO
	// DefaultBlockEmission is the reward of one block before any halving,
	// 1 TAO.
	DefaultBlockEmission uint64 = RaoPerTAO
	// MaxHalvings is the largest halving count the reference can compute:
	// its 1 - issuance/MaxSupply has 32 fractional bits, so
	// log2(1/(1 - issuance/MaxSupply)) never exceeds 32. The reward is
	// already 0 from 30 halvings on (10^9 >> 30 = 0), so the cap only shows
	// in Halvings, never in a reward.
	MaxHalvings = 32
)

// Halvings returns the number of halvings that apply at the given total
// issuance: floor(log2(MaxSupply / (MaxSupply - issuance))), capped at
// MaxHalvings. Equivalently, it is the largest k <= 32 with
//
//	issuance >= MaxSupply - floor(MaxSupply / 2^k)
//
// so the k-th halving happens exactly when the issuance reaches
// ceil(21,000,000 TAO * (1 - 2^-k)): 10.5M, 15.75M, 18.375M, ... TAO.
// At or above MaxSupply it returns MaxHalvings (BlockReward is 0 there).
//
// This is bit-identical to subtensor's I96F32 computation; see doc.go
// ("Bit-exactness of the halving boundaries") for the argument and
// reference_test.go for the emulation that checks it at every boundary.
func Halvings(issuance uint64) int {
	if issuance >= MaxSupply {
		return MaxHalvings
	}
	remaining := MaxSupply - issuance // >= 1
	// floor(log2(S/r)) == floor(log2(floor(S/r))) for S >= r >= 1.
	k := bits.Len64(MaxSupply/remaining) - 1
	if k > MaxHalvings {
		k = MaxHalvings
	}
	return k
}

// BlockReward returns the rao minted by one block when the total issuance
// is issuance, exactly as subtensor's get_block_emission_for_issuance
// (pallets/subtensor/src/coinbase/block_emission.rs):
//
//	DefaultBlockEmission >> Halvings(issuance)    if issuance < MaxSupply
//	0                                            otherwise
//
// (The reference divides 10^9 by 2^k in fixed point and truncates; with
// 32 fractional bits that is exactly 10^9 >> k for every k <= 32.)
func BlockReward(issuance uint64) uint64 {
	if issuance >= MaxSupply {
		return 0
	}
	return DefaultBlockEmission >> uint(Halvings(issuance))
}

// Mint adds reward to issuance without letting it pass MaxSupply. It
// returns the new issuance and the amount actually minted (reward, or
// less when the cap is reached; 0 when issuance is already at or above
// the cap, in which case issuance is returned unchanged).
func Mint(issuance, reward uint64) (newIssuance, minted uint64) {
	if issuance >= MaxSupply {
		return issuance, 0
	}
	minted = min(reward, MaxSupply-issuance)
	return issuance + minted, minted
}

// MintBlock mints one block's reward at the given issuance:
// Mint(issuance, BlockReward(issuance)).
func MintBlock(issuance uint64) (newIssuance, minted uint64) {
	return Mint(issuance, BlockReward(issuance))
}

// HalvingIssuance returns the issuance at which the k-th halving takes
// effect: the smallest issuance with Halvings(issuance) >= k, that is
// MaxSupply - floor(MaxSupply / 2^k) = ceil(MaxSupply * (1 - 2^-k)). It
// returns 0 for k <= 0 and is only meaningful for k <= MaxHalvings.
func HalvingIssuance(k int) uint64 {
	if k <= 0 {
		return 0
	}
	if k >= 64 {
		return MaxSupply
	}
	return MaxSupply - MaxSupply>>uint(k)
}
