package chainview

import (
	"errors"
	"fmt"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

var (
	// ErrTxRejected: the node refused the transaction at admission; it is
	// in no block and no fee was charged.
	ErrTxRejected = errors.New("transaction rejected")
	// ErrTxFailed: the transaction was included in a block (the fee was
	// charged) but its call failed.
	ErrTxFailed = errors.New("transaction failed")
	// ErrNotIncluded: the transaction was admitted but not seen in a block
	// within the inclusion timeout. It may still land.
	ErrNotIncluded = errors.New("transaction not included in time")
	// ErrNotFound: the subnet, UID or hotkey asked for is not on chain.
	ErrNotFound = errors.New("not found on chain")
)

// TxError is a transaction the chain refused at admission or included with
// a failed receipt. It unwraps to ErrTxRejected or ErrTxFailed and to a
// *chain.TxError with the same code, so errors.Is matches the module's
// sentinels (chain.TxError matches on the code).
type TxError struct {
	Kind types.CallKind
	Hash types.Hash
	// Height is the block that included the transaction; 0 if it was
	// refused at admission.
	Height uint64
	// Code is the chain's error code (e.g. "weights_rate_limited"), Message
	// its explanation.
	Code    string
	Message string
	// RetryAt, when non-zero, is the first block at which the same call can
	// succeed (rate limits, reveal too early).
	RetryAt uint64
}

// Included reports whether the transaction is in a block (fee charged).
func (e *TxError) Included() bool { return e.Height != 0 }

func (e *TxError) Error() string {
	where := "rejected by the node"
	if e.Included() {
		where = fmt.Sprintf("failed in block %d", e.Height)
	}
	s := fmt.Sprintf("%s transaction %s %s: %s: %s", kindName(e.Kind), e.Hash.Hex(), where, e.Code, e.Message)
	if e.RetryAt != 0 {
		s += fmt.Sprintf(" (retry at block %d)", e.RetryAt)
	}
	return s
}

func (e *TxError) Unwrap() []error {
	kind := ErrTxRejected
	if e.Included() {
		kind = ErrTxFailed
	}
	return []error{kind, &chain.TxError{Code: e.Code, Msg: e.Message, RetryAt: e.RetryAt}}
}

// kindName names a call kind as the chain's calls are named in receipts
// and docs.
func kindName(k types.CallKind) string {
	switch k {
	case types.KindTransfer:
		return "transfer"
	case types.KindRegisterNetwork:
		return "register_network"
	case types.KindSetHyperparameter:
		return "set_hyperparameter"
	case types.KindBurnedRegister:
		return "burned_register"
	case types.KindServeAxon:
		return "serve_axon"
	case types.KindAddStake:
		return "add_stake"
	case types.KindRemoveStake:
		return "remove_stake"
	case types.KindSetDelegateTake:
		return "set_delegate_take"
	case types.KindSetWeights:
		return "set_weights"
	case types.KindCommitWeights:
		return "commit_weights"
	case types.KindRevealWeights:
		return "reveal_weights"
	case types.KindRootRegister:
		return "root_register"
	}
	return fmt.Sprintf("call %d", k)
}
