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
	}
	return nil, fmt.Errorf("%w: kind %d", ErrUnknownCall, k)
}
