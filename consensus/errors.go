package consensus

import "errors"

// The errors Epoch and EpochDense return. Each is wrapped with the detail
// (which slice, which row, which UID); test with errors.Is.
var (
	// ErrNilInput: the input pointer is nil.
	ErrNilInput = errors.New("consensus: nil input")
	// ErrTooManyUIDs: the subnet has more than 65535 UIDs (subtensor's
	// subnetwork size is a u16).
	ErrTooManyUIDs = errors.New("consensus: more than 65535 UIDs")
	// ErrLength: a per-UID slice (last_update, block_at_registration,
	// validator_permit, weights, bonds, commit_blocks) does not have one
	// element per UID, i.e. the length of stake.
	ErrLength = errors.New("consensus: slice length differs from the number of UIDs")
	// ErrRowTooLong: a weights or bonds row has more entries than UIDs.
	ErrRowTooLong = errors.New("consensus: sparse row longer than the number of UIDs")
	// ErrUIDOutOfRange: a sparse entry or the owner UID names a UID >= n.
	ErrUIDOutOfRange = errors.New("consensus: UID out of range")
	// ErrUnsortedRow: a sparse row is not sorted by UID or repeats a UID.
	ErrUnsortedRow = errors.New("consensus: sparse row not strictly increasing by UID")
	// ErrHyperparameter: a hyperparameter is outside the range on which the
	// sparse and dense computations of subtensor agree (bonds moving
	// average above 1,000,000, which would make the EMA coefficient
	// negative).
	ErrHyperparameter = errors.New("consensus: hyperparameter out of range")
)

// ErrStakeOverflow: the stakes add up to more than 2^63-1 rao, where
// subtensor's I64F64 stake sum would wrap around (its result is then
// meaningless). Total issuance is 2.1e16 rao, far below.
var ErrStakeOverflow = errors.New("consensus: total stake exceeds 2^63-1")
