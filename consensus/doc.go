// Package consensus computes the Yuma consensus epoch of a subnet.
//
// Ring 1 (pure math). An epoch is a pure function from the subnet's inputs
// (stake, weights, bonds, last update and registration blocks, validator
// permits, hyperparameters, block number and the emission to distribute) to
// its outputs (active mask, validator permits, rank, trust, consensus,
// incentive, dividends, validator trust, pruning scores, new bonds and the
// server, validator and combined emission). The canonical path uses the
// fixed-point types of package fixed and reproduces subtensor's
// I32F32/I64F64/I96F32 results bit for bit; it uses no float64, no clock, no
// randomness, no goroutines and no map iteration, so every CPU architecture
// computes the same bits (TestDeterminismDigest, scripts/crossarch.sh).
//
// # Contract
//
//	func Epoch(in *Input) (*Output, error)      // sparse path, the one the chain runs
//	func EpochDense(in *Input) (*Output, error) // dense n x n path, same result
//
// Both follow subtensor's run_epoch.rs as it was before commit 8fb5c3688
// (the last version that computes rank, trust and pruning scores):
// epoch_mechanism and epoch_dense_mechanism, with the math of epoch/math.rs.
// In order: activity cutoff; stake threshold and I64F64 stake
// normalisation; top-k validator permits; active stake; weights masked by
// permit, self-weight, outdatedness and (optionally) the commit-reveal column
// mask, then row-normalised; preranks; stake-weighted median consensus at
// kappa; clipping; validator trust; ranks, trust and incentive; weights for
// bonds interpolated by bonds_penalty; then either the classic bonds EMA
// (column-normalised bonds and bonds delta, fixed alpha from
// bonds_moving_average, dividends, column max-upscale) or Yuma3
// (compute_bonds with liquid alpha via alpha_sigmoid, or the fixed EMA,
// dividends from column-normalised bonds times incentive times stake); the
// emission split (falling back to stake when nothing is earned) and pruning
// scores (max-upscaled combined emission).
//
// Optional inputs of newer subtensor versions: StakeThreshold, OwnerUID
// (keeps its self-weight, is exempt from the threshold and always holds a
// permit), LastEpochBlock (bonds to UIDs registered after it are reset;
// zero means Block - Tempo) and CommitBlocks (with commit-reveal enabled,
// weights on UIDs registered after the validator's earliest unexpired
// commit are masked). Hyperparameters.AlphaSigmoidSteepness is taken
// literally; subtensor's default is 1000.
//
// Errors and panics: a malformed input (wrong slice lengths, rows longer
// than n, UIDs >= n, unsorted or duplicate UIDs, more than 65535 UIDs, a
// bonds moving average above 1,000,000, stakes summing past 2^63-1) returns
// an error wrapping a sentinel of errors.go; subtensor would filter or log
// instead. No input makes Epoch or EpochDense panic (FuzzEpoch).
//
// # Where this differs from subtensor, and why
//
//   - Output.Bonds rows hold only non-zero entries. subtensor's sparse path
//     may store (uid, 0) for a bond that rounds to zero and its dense path
//     stores full rows; no later epoch can tell zeros from absent entries.
//   - Rows of UIDs without a new permit get empty bonds in both paths, as
//     in subtensor's sparse path (its dense path leaves them untouched).
//   - EpochDense follows the sparse semantics where subtensor's two
//     functions disagree: it applies the commit-reveal mask and the owner's
//     self-weight, and in liquid-alpha Yuma3 it only emits bonds on columns
//     present in the weights-for-bonds row, as mat_ema_alpha_sparse does
//     (mat_ema_alpha updates every column). See epoch_dense.go.
//   - Epoch computes the same values as the reference's sequence of
//     matrices but fuses passes (epoch.go); epoch_unfused_test.go keeps the
//     step-by-step transcription and the property tests check that the
//     fused, unfused and dense paths agree on random inputs.
//
// # Tests
//
// testdata/cases holds 32 conformance cases transcribed from subtensor's
// tests/epoch.rs (transcribe.py shows how each input follows from the
// test's setup), run through every path by TestConformance. Property tests
// check sparse/dense agreement, that incentive and dividends sum to 65535 (or
// 0) within rounding, that server plus validator emission never exceeds the
// input emission, and that degenerate inputs do not panic.
//
// A float64 reference of the same epoch built on gonum lives in the
// subpackage reference (differential tests against it live there); with the
// simulator it is never a source of on-chain values.
package consensus
