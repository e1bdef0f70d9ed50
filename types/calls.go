package types

import "fmt"

// Call is the body of a transaction: what the signer asks the chain to do.
// Each call is an RLP-encoded struct; its kind is carried beside it in Tx.
type Call interface {
	Kind() CallKind
}

// Call kinds. Values are part of the wire format: never renumber.
const (
	KindTransfer CallKind = 1

	// Subnet module calls.
	KindRegisterNetwork   CallKind = 10
	KindSetHyperparameter CallKind = 11
	KindBurnedRegister    CallKind = 12
	KindServeAxon         CallKind = 13
	KindAddStake          CallKind = 14
	KindRemoveStake       CallKind = 15
	KindSetDelegateTake   CallKind = 16
	KindSetWeights        CallKind = 17
	KindCommitWeights     CallKind = 18
	KindRevealWeights     CallKind = 19
	KindRootRegister      CallKind = 20
)

// Transfer moves Amount rao from the signer to To.
type Transfer struct {
	To     Address
	Amount uint64
}

func (*Transfer) Kind() CallKind { return KindTransfer }

// newCall returns a zero call of the given kind to decode into.
func newCall(k CallKind) (Call, error) {
	switch k {
	case KindTransfer:
		return new(Transfer), nil
	case KindRegisterNetwork:
		return new(RegisterNetwork), nil
	case KindSetHyperparameter:
		return new(SetHyperparameter), nil
	case KindBurnedRegister:
		return new(BurnedRegister), nil
	case KindServeAxon:
		return new(ServeAxon), nil
	case KindAddStake:
		return new(AddStake), nil
	case KindRemoveStake:
		return new(RemoveStake), nil
	case KindSetDelegateTake:
		return new(SetDelegateTake), nil
	case KindSetWeights:
		return new(SetWeights), nil
	case KindCommitWeights:
		return new(CommitWeights), nil
	case KindRevealWeights:
		return new(RevealWeights), nil
	case KindRootRegister:
		return new(RootRegister), nil
	}
	return nil, fmt.Errorf("%w: kind %d", ErrUnknownCall, k)
}
