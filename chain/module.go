package chain

import (
	"encoding/json"

	"github.com/yumachain/yuma/types"
)

// Header is what the state transition knows of the block it applies. Time
// comes from the block header (agreed by the BFT engine), never from a
// local clock.
type Header struct {
	ChainID string
	Height  uint64
	// Time is the block time in Unix milliseconds.
	Time int64
}

// Context is handed to modules for one block or one transaction.
type Context struct {
	Header Header
	Store  Store
	Bank   Bank
	// Genesis gives modules the chain-wide values (admin key, chain id).
	Genesis *Genesis
	// Events collects what the current transaction or block step wants to
	// report in its receipt.
	Events *[]Event
}

// Emit records an event in the current receipt.
func (c *Context) Emit(typ string, attrs ...string) {
	if c.Events == nil {
		return
	}
	ev := Event{Type: typ}
	for i := 0; i+1 < len(attrs); i += 2 {
		ev.Attrs = append(ev.Attrs, Attr{Key: attrs[i], Value: attrs[i+1]})
	}
	*c.Events = append(*c.Events, ev)
}

// Event is a typed record of something that happened, for clients.
type Event struct {
	Type  string `json:"type"`
	Attrs []Attr `json:"attrs,omitempty"`
}

// Attr is one key/value of an event.
type Attr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Module is a state module plugged into the state transition. All methods
// must be deterministic.
type Module interface {
	// Name is the module's key in the genesis "modules" section.
	Name() string
	// InitGenesis writes the module's initial state. raw is nil when the
	// genesis has no section for the module.
	InitGenesis(ctx *Context, raw json.RawMessage) error
	// BeginBlock runs before the block's transactions (emission, epochs).
	// An error halts the chain: only storage failures and broken invariants
	// may return one.
	BeginBlock(ctx *Context) error
	// Handles reports whether the module executes calls of kind k.
	Handles(k types.CallKind) bool
	// Execute runs a call for signer. A *TxError fails the transaction (its
	// writes are reverted, the fee stays charged); any other error halts
	// the chain.
	Execute(ctx *Context, signer types.Address, call types.Call) error
	// Held returns the rao the module holds outside balances (stake,
	// pending emission), for the supply invariant.
	Held(r Reader) (uint64, error)
}
