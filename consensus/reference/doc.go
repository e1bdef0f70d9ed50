// Package reference is a float64 model of the Yuma consensus epoch, built on
// gonum. It is the oracle of the differential tests of package consensus and
// the engine of the simulator (package sim and `yuma sim`). It is never on
// chain: nothing it computes may reach state, because float64 results depend
// on the CPU, the compiler's FMA fusion and gonum's assembly kernels.
//
// # Contract
//
// Epoch reads the same *consensus.Input as consensus.Epoch and follows the
// same steps, in the order subtensor's epoch_mechanism (the sparse path,
// pallets/subtensor/src/epoch/run_epoch.rs before commit 8fb5c3688) takes
// them:
//
//  1. active: last_update + activity_cutoff >= block;
//  2. stake: stake below StakeThreshold is zeroed, the rest normalized to
//     sum 1; new validator permits are the top max_allowed_validators
//     non-zero stakes (ties go to the higher UID, as subtensor's stable
//     ascending sort does); active stake is stake masked by inactivity and
//     by the permits held before the epoch, renormalized;
//  3. weights: rows of UIDs without a permit, self-weights, weights set at or
//     before the target's registration block and, with commit-reveal, weights
//     committed before the target's registration are removed; rows are
//     normalized to sum 1;
//  4. consensus: per miner the stake-weighted median of the weights with
//     majority kappa (subtensor's mid-pivot search, so the same element of a
//     column is chosen); weights are clipped at consensus; validator trust is
//     the row sum of the clipped weights; rank = clipped weights times active
//     stake, trust = rank / pre-clip rank, incentive = rank normalized (the
//     stored rank is the normalized rank);
//  5. bonds: weights for bonds interpolate between weights and clipped
//     weights by bonds_penalty; bonds to UIDs registered since the previous
//     epoch are reset; classic Yuma takes an EMA of the column-normalized
//     stake-weighted bond deltas with alpha = 1 - bonds_moving_average/10^6,
//     column-normalizes it, pays dividends = bonds x incentive and stores the
//     bonds column max-upscaled; Yuma3 takes the EMA of the weights themselves
//     (with liquid alpha per entry, a sigmoid of how far a weight leads
//     consensus or a bond trails a weight, clamped to [alpha_low, alpha_high],
//     when liquid alpha is on and consensus is not all zero), pays dividends
//     = (column-normalized bonds x incentive) * active stake and stores the
//     bonds as fractions;
//  6. emission: server and validator shares are incentive and dividends over
//     their joint sum (or active stake, else stake, when that sum is zero);
//     pruning scores are the normalized combined emission.
//
// Result holds these values in float64. Result.Output converts them to the
// *consensus.Output the chain stores: fractions become u16 by
// floor(x*65535) (pruning scores by rounding after max-upscaling) and the
// emissions become rao by floor.
//
// Where subtensor's sparse and dense paths disagree, Epoch follows the
// sparse one, which is the one the chain runs: with Yuma3 and liquid alpha,
// a bond survives only where its row still has a weight entry for bonds
// (the dense path would let it decay instead), and a UID that does not get
// a permit leaves the epoch with an empty bond row. With an OwnerUID (newer
// subtensor) the owner keeps its self-weight, is exempt from the stake
// threshold and always holds a permit. The liquid-alpha steepness is taken
// from the hyperparameters literally (zero makes the sigmoid flat).
//
// # Agreement with the fixed-point epoch
//
// diff_test.go states the contract between Epoch and consensus.Epoch (and
// consensus.EpochDense) and checks it on random inputs: permits and the
// active mask equal, u16 fields within 2 of 65535 (trust and classic bonds
// with an allowance for the I32F32 truncation of small denominators), and
// emissions within a relative 10^-6 (10^-4 for inputs spanning four
// decades of stake and weight) plus (n+4)*2^-32 of the epoch's emission.
//
// # Layout
//
// Only the rows that can matter are stored: UIDs that set weights with a
// permit, hold bonds or have active stake (Result.Rows). The matrices are
// len(Rows) x N gonum matrices, so a 4096-UID subnet with 256 validators
// costs 256 x 4096 cells, not 4096 x 4096.
package reference
