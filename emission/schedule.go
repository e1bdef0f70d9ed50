package emission

import "math/bits"

// Era is one row of the halving table: a run of blocks with the same
// block reward.
type Era struct {
	// Halvings is the era number: how many halvings have happened.
	Halvings int
	// Reward is the rao minted per block during the era.
	Reward uint64
	// StartIssuance is the total issuance when the era's first block is
	// minted.
	StartIssuance uint64
	// StartBlock is the number of the era's first block, counting the
	// genesis block as 0 and block 1 as the first block that mints (as in
	// a Substrate chain, where the coinbase runs from block 1 on).
	StartBlock uint64
	// Blocks is the number of blocks in the era. It is 0 for the final
	// era (Reward 0), which never ends.
	Blocks uint64
	// StartUnix is the approximate start time of the era in Unix seconds:
	// genesis time + StartBlock * block time (saturating at the int64
	// limits). It assumes every block takes exactly the block time.
	StartUnix int64
}

// Schedule returns the halving table assuming exactly one BlockReward per
// block from issuance 0 (no other minting, nothing burned): one row per era
// with a positive reward, then a final row with Reward 0 whose
// StartIssuance is the issuance at which minting stops for good. The
// genesis time (Unix seconds) and block time (seconds) only feed StartUnix;
// they are parameters because this package reads no clock.
//
// An era with reward r that starts at issuance s ends after the first block
// that brings the issuance to the next halving issuance h or beyond, so it
// has ceil((h - s) / r) blocks, and the next era starts at
// s + blocks*r >= h. The overshoot (< r) carries into the next era; it never
// skips one, since every era spans about 10.5M blocks. Era 29 mints 1 rao
// per block, so it ends exactly at HalvingIssuance(30), where the reward
// becomes 0: the supply that is never minted (the dust) is
// floor(MaxSupply / 2^30) = 19,557,774 rao (< 0.02 TAO), reached after
// block 328,414,167 (about 125 years at 12 s).
func Schedule(genesisUnix int64, blockSeconds uint64) []Era {
	var eras []Era
	issuance := uint64(0)
	block := uint64(1)
	for {
		k := Halvings(issuance)
		e := Era{
			Halvings:      k,
			Reward:        BlockReward(issuance),
			StartIssuance: issuance,
			StartBlock:    block,
			StartUnix:     blockTime(genesisUnix, block, blockSeconds),
		}
		if e.Reward == 0 {
			eras = append(eras, e)
			return eras
		}
		next := HalvingIssuance(k + 1)
		e.Blocks = ceilDiv(next-issuance, e.Reward)
		eras = append(eras, e)
		// blocks*reward <= (next - issuance) + reward - 1 < MaxSupply, so
		// neither product nor sum overflows.
		issuance += e.Blocks * e.Reward
		block += e.Blocks
	}
}

// ceilDiv returns ceil(a / b) for b > 0.
func ceilDiv(a, b uint64) uint64 {
	q := a / b
	if a%b != 0 {
		q++
	}
	return q
}

// blockTime returns genesis + block*seconds, saturating at the int64 limits.
func blockTime(genesis int64, block, seconds uint64) int64 {
	hi, lo := bits.Mul64(block, seconds)
	if hi != 0 || lo > maxInt64 {
		return maxInt64
	}
	off := int64(lo)
	if genesis > 0 && off > maxInt64-genesis {
		return maxInt64
	}
	return genesis + off
}

const maxInt64 = 1<<63 - 1
