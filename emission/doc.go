// Package emission holds the block reward schedule and the split of a
// block's emission among subnets and inside a subnet.
//
// Ring 1 (pure math). All amounts are integer rao (1 TAO = 10^9 rao); every
// remainder of a division is assigned by a documented rule so that the parts
// of a split always sum exactly to the whole. Total issuance never exceeds
// the 21,000,000 TAO cap. No floats, no clock, no I/O: values in, values out.
//
// # Block reward
//
// BlockReward(issuance) is subtensor's get_block_emission_for_issuance
// (pallets/subtensor/src/coinbase/block_emission.rs): 1 TAO per block,
// halved once for every halving the issuance has passed, 0 at or above
// MaxSupply. The k-th halving happens when the issuance reaches
// HalvingIssuance(k) = MaxSupply - floor(MaxSupply/2^k), that is
// 21M TAO * (1 - 2^-k) rounded up to a whole rao: 10,500,000 TAO,
// 15,750,000, 18,375,000, 19,687,500, ... The reward of era k is
// 10^9 >> k rao (truncated: 976,562 rao in era 10), and 0 from era 30 on.
// Mint and MintBlock add a reward to the issuance without passing the cap.
//
// # Bit-exactness of the halving boundaries
//
// The reference computes, in I96F32 (32 fractional bits, truncating
// division), q = issuance / (2 * 10.5e15), y = 1 / (1 - q), then
// floor(log2(y)) with substrate-fixed's log2 (v0.5.9 and v0.6.0), and
// 10^9 / 2^that. Two roundings could move a boundary:
//
//   - The truncating divisions. With Q = the bits of q and Y = the bits of y,
//     Y = floor(2^64 / (2^32 - Q)) and Q = floor(issuance * 2^32 / S)
//     (S = MaxSupply). Then Y >= 2^(32+k) iff issuance >= S*(1 - 2^-k)
//     exactly, for every k <= 32: floor() of a quotient is at least an
//     integer exactly when the quotient is. So these truncations move no
//     boundary.
//   - The integer part of log2. substrate-fixed halves its operand with a
//     rounding shift, (x >> 1) + (x & 1), not a truncating one, so after n
//     halvings it holds ceil(Y / 2^n) and counts one halving too many when
//     2^(32+k) - 2^(k-1) < Y < 2^(32+k), just below a power of two
//     (reference_test.go shows it: log2 of the largest I96F32 below 4.0
//     gives 2, not 1). But Y = floor(2^64/m) for an integer m = 2^32 - Q:
//     Y = 2^(32+k) at m = 2^(32-k), and the next smaller value of Y, at
//     m = 2^(32-k) + 1, is 2^(2k) / (1 + 2^(k-32)) >= 2^(2k-1) lower, far
//     outside that window of width 2^(k-1) (empty for k = 1;
//     reference_test.go checks every k). So no
//     reachable issuance is affected, and the boundaries stay exact.
//
// Hence Halvings(issuance) = min(32, floor(log2(S / (S - issuance)))),
// computed exactly with integers. The cap at 32 (1 - q is at least 2^-32,
// so y is at most 2^32) is invisible in the reward, which is 0 from 30
// halvings on.
// reference_test.go emulates the reference's fixed-point steps bit by bit
// and compares them with BlockReward within +-2,000 rao of every boundary
// and at random issuances.
//
// # Schedule
//
// Schedule(genesisUnix, blockSeconds) is the halving table assuming one
// reward per block from issuance 0, block 1 being the first that mints.
// Each era lasts about 10.5M blocks (4 years at 12 s), the last positive
// reward is 1 rao per block in era 29, and minting stops at exactly
// HalvingIssuance(30), with floor(MaxSupply/2^30) = 19,557,774 rao
// (< 0.02 TAO) never minted. Mint caps any other minting at MaxSupply.
//
// # Splits
//
// Among subnets, the caller (the subnet state module) runs Yuma consensus
// on the root network and passes the resulting u16 shares; SplitByShares
// splits the block's emission by them. Inside a subnet SplitSubnet takes
// the owner's cut (DefaultOwnerCut = 11796/65535, subtensor's "18
// percent"), then half of the rest to miners and the other half, plus the
// odd rao, to validators. EpochEmission then pays each pot to UIDs by
// incentive and by dividends.
//
// Every proportional split uses one rule, the largest remainder: each
// part gets its exact share rounded down, and the rao left over go one
// each to the parts with the largest fractional remainders, ties to the
// lowest index (UID or subnet position). Parts sum exactly to the total.
// When every weight is zero nothing is distributed: all parts are 0 and
// the amount is reported back (EpochEmission's undistributed) or simply
// left to the caller (SplitByWeights, SplitByShares), who keeps it pending
// or recycles it; this package never invents an equal split.
//
// This differs from subtensor in one deliberate way: subtensor truncates
// each share separately and the lost rao are never minted (ten subnets
// with equal root weights get 99,999,999 rao each of 1 TAO). Here every
// rao of a split is assigned, and each part is within one rao of the
// reference's truncated value.
package emission
