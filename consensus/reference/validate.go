package reference

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/yumachain/yuma/consensus"
)

// maxN is subtensor's largest subnetwork size (a u16 count).
const maxN = math.MaxUint16

// validate checks in against the shape rules of consensus.Input.
func validate(in *consensus.Input) error {
	if in == nil {
		return fmt.Errorf("%w: nil input", ErrInvalidInput)
	}
	n := len(in.Stake)
	if n > maxN {
		return fmt.Errorf("%w: %d UIDs, more than %d", ErrInvalidInput, n, maxN)
	}
	lengths := []struct {
		name string
		got  int
	}{
		{"last_update", len(in.LastUpdate)},
		{"block_at_registration", len(in.BlockAtRegistration)},
		{"validator_permit", len(in.ValidatorPermit)},
		{"weights", len(in.Weights)},
		{"bonds", len(in.Bonds)},
	}
	for _, l := range lengths {
		if l.got != n {
			return fmt.Errorf("%w: %s has %d entries, stake has %d", ErrInvalidInput, l.name, l.got, n)
		}
	}
	if in.CommitBlocks != nil && len(in.CommitBlocks) != n {
		return fmt.Errorf("%w: commit_blocks has %d entries, stake has %d", ErrInvalidInput, len(in.CommitBlocks), n)
	}
	if in.OwnerUID != nil && int(*in.OwnerUID) >= n {
		return fmt.Errorf("%w: owner_uid %d out of range (n=%d)", ErrInvalidInput, *in.OwnerUID, n)
	}
	if in.Params.BondsMovingAverage > 1_000_000 {
		return fmt.Errorf("%w: bonds_moving_average %d above 1000000", ErrInvalidInput, in.Params.BondsMovingAverage)
	}
	// The fixed-point path sums stake in I64F64; beyond 2^63-1 rao its sum
	// would wrap, so such inputs are rejected by both.
	var total, carry uint64
	for _, s := range in.Stake {
		total, carry = bits.Add64(total, s, 0)
		if carry != 0 || total > math.MaxInt64 {
			return fmt.Errorf("%w: total stake above 2^63-1 rao", ErrInvalidInput)
		}
	}
	if err := validateRows("weights", in.Weights, n); err != nil {
		return err
	}
	return validateRows("bonds", in.Bonds, n)
}

func validateRows(name string, rows [][]consensus.Entry, n int) error {
	for i, row := range rows {
		for k, e := range row {
			if int(e.UID) >= n {
				return fmt.Errorf("%w: %s row %d: UID %d out of range (n=%d)", ErrInvalidInput, name, i, e.UID, n)
			}
			if k > 0 && e.UID <= row[k-1].UID {
				return fmt.Errorf("%w: %s row %d: UIDs not strictly increasing at %d", ErrInvalidInput, name, i, e.UID)
			}
		}
	}
	return nil
}
