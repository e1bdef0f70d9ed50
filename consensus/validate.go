package consensus

import (
	"fmt"
	"math"
	"math/bits"
)

// maxUIDs is subtensor's largest subnetwork size (a u16).
const maxUIDs = math.MaxUint16

// validate checks the shape of in; every error wraps one of the sentinels in
// errors.go.
func validate(in *Input) error {
	if in == nil {
		return ErrNilInput
	}
	n := len(in.Stake)
	if n > maxUIDs {
		return fmt.Errorf("%w: %d", ErrTooManyUIDs, n)
	}
	for _, s := range []struct {
		name string
		l    int
	}{
		{"last_update", len(in.LastUpdate)},
		{"block_at_registration", len(in.BlockAtRegistration)},
		{"validator_permit", len(in.ValidatorPermit)},
		{"weights", len(in.Weights)},
		{"bonds", len(in.Bonds)},
	} {
		if s.l != n {
			return fmt.Errorf("%w: %s has %d, stake has %d", ErrLength, s.name, s.l, n)
		}
	}
	if in.CommitBlocks != nil && len(in.CommitBlocks) != n {
		return fmt.Errorf("%w: commit_blocks has %d, stake has %d", ErrLength, len(in.CommitBlocks), n)
	}
	if in.OwnerUID != nil && int(*in.OwnerUID) >= n {
		return fmt.Errorf("%w: owner_uid %d, n = %d", ErrUIDOutOfRange, *in.OwnerUID, n)
	}
	if err := validateRows("weights", in.Weights, n); err != nil {
		return err
	}
	if err := validateRows("bonds", in.Bonds, n); err != nil {
		return err
	}
	if in.Params.BondsMovingAverage > 1_000_000 {
		return fmt.Errorf("%w: bonds_moving_average %d > 1000000", ErrHyperparameter, in.Params.BondsMovingAverage)
	}
	var total uint64
	for _, s := range in.Stake {
		var c uint64
		total, c = bits.Add64(total, s, 0)
		if c != 0 || total > math.MaxInt64 {
			return ErrStakeOverflow
		}
	}
	return nil
}

func validateRows(name string, rows [][]Entry, n int) error {
	for i, row := range rows {
		if len(row) > n {
			return fmt.Errorf("%w: %s row %d has %d entries, n = %d", ErrRowTooLong, name, i, len(row), n)
		}
		for k, e := range row {
			if int(e.UID) >= n {
				return fmt.Errorf("%w: %s[%d] names UID %d, n = %d", ErrUIDOutOfRange, name, i, e.UID, n)
			}
			if k > 0 && e.UID <= row[k-1].UID {
				return fmt.Errorf("%w: %s[%d] has UID %d after %d", ErrUnsortedRow, name, i, e.UID, row[k-1].UID)
			}
		}
	}
	return nil
}
