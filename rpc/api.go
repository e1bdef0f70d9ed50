package rpc

import (
	"context"
	"encoding/json"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// Method names. They are the public API: never rename one, add new ones.
const (
	MethodHead         = "chain_head"    // [] -> Head
	MethodBlock        = "chain_block"   // [height] -> Block
	MethodTx           = "chain_tx"      // [hash] -> TxInfo
	MethodSupply       = "chain_supply"  // [height?] -> Supply
	MethodGenesis      = "chain_genesis" // [] -> chain.Genesis
	MethodAccount      = "account_get"   // [address, height?] -> Account
	MethodSubmit       = "tx_submit"     // [SubmitRequest] -> SubmitResult
	MethodHealth       = "node_health"   // [] -> Health
	MethodPeers        = "node_peers"    // [] -> []Peer
	MethodSubscribe    = "subscribe"     // ["newHeads"] -> subscription id (WebSocket only)
	MethodUnsubscribe  = "unsubscribe"   // [subscription id] -> bool (WebSocket only)
	TopicNewHeads      = "newHeads"      // notification result: Head
	NotifySubscription = "subscription"  // server->client notification method
)

// Height selects the state a query reads: nil or omitted means the latest
// finalized block.
type Height = *uint64

// Head describes the latest finalized block.
type Head struct {
	ChainID         string     `json:"chain_id"`
	Height          uint64     `json:"height"`
	FinalizedHeight uint64     `json:"finalized_height"`
	BlockHash       string     `json:"block_hash"` // hex of the BFT engine's block hash
	AppHash         types.Hash `json:"app_hash"`   // state root after the block
	Time            int64      `json:"time"`       // block time, Unix milliseconds
	NumTxs          int        `json:"num_txs"`
}

// Block is a finalized block with its transactions and receipts.
type Block struct {
	Head
	Txs    []TxInfo      `json:"txs"`
	Events []chain.Event `json:"events,omitempty"` // emitted by begin-block steps (emission, epochs)
}

// TxInfo is a transaction located in a block.
type TxInfo struct {
	Hash    types.Hash    `json:"hash"`
	Height  uint64        `json:"height"`
	Index   uint32        `json:"index"`
	Raw     string        `json:"raw"` // hex of the canonical encoding
	Receipt chain.Receipt `json:"receipt"`
}

// Account is an account's balance and nonce at a height.
type Account struct {
	Address types.Address `json:"address"`
	Balance chain.U64     `json:"balance"` // rao
	Nonce   uint64        `json:"nonce"`
	Height  uint64        `json:"height"`
}

// Supply is the supply counters at a height.
type Supply struct {
	Issuance chain.U64 `json:"issuance"`
	Burned   chain.U64 `json:"burned"`
	Cap      chain.U64 `json:"cap"`
	Height   uint64    `json:"height"`
}

// Wait says how long tx_submit waits.
type Wait string

const (
	WaitNone      Wait = "none"      // return after mempool admission
	WaitInclusion Wait = "inclusion" // return once in a finalized block (BFT finality is immediate, so this equals finality)
	WaitFinality  Wait = "finality"
)

// SubmitRequest submits a signed transaction.
type SubmitRequest struct {
	Tx   string `json:"tx"`   // hex of the canonical encoding
	Wait Wait   `json:"wait"` // default none
	// TimeoutMs bounds the wait; default 30000, max 120000.
	TimeoutMs int64 `json:"timeout_ms,omitempty"`
}

// SubmitResult is the outcome of tx_submit. When the wait ends in a block,
// Receipt tells whether the call succeeded (a failed call is still included
// and charged).
type SubmitResult struct {
	Hash    types.Hash     `json:"hash"`
	Status  string         `json:"status"` // "pending" or "included"
	Height  uint64         `json:"height,omitempty"`
	Receipt *chain.Receipt `json:"receipt,omitempty"`
}

// Health is a node's liveness summary.
type Health struct {
	OK         bool   `json:"ok"`
	ChainID    string `json:"chain_id"`
	Height     uint64 `json:"height"`
	CatchingUp bool   `json:"catching_up"`
	Peers      int    `json:"peers"`
	NodeID     string `json:"node_id"`
	Moniker    string `json:"moniker"`
}

// Peer is a connected peer.
type Peer struct {
	ID      string `json:"id"`
	Address string `json:"address"`
	Moniker string `json:"moniker,omitempty"`
}

// Error is a JSON-RPC error object. Application errors use code
// CodeTxRejected or CodeNotFound and carry a machine-readable Data.
type Error struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// JSON-RPC error codes.
const (
	CodeParse          = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternal       = -32603
	// CodeTxRejected: the transaction was refused at admission; Data is
	// TxErrorData.
	CodeTxRejected = -32010
	// CodeNotFound: the block, transaction or state asked for does not
	// exist (or was pruned).
	CodeNotFound = -32011
	// CodeTimeout: the wait for inclusion ran out; the tx may still land.
	CodeTimeout = -32012
	// CodeUnavailable: the node cannot serve this now (e.g. still syncing).
	CodeUnavailable = -32013
)

// TxErrorData is the Data of a CodeTxRejected error.
type TxErrorData struct {
	Code    string `json:"code"` // chain.TxError code, e.g. "bad_nonce"
	RetryAt uint64 `json:"retry_at,omitempty"`
}

// Backend is what the server needs from a node. Methods return *Error for
// client-visible failures (not found, rejected) and plain errors for
// internal ones.
type Backend interface {
	Head(ctx context.Context) (Head, error)
	Block(ctx context.Context, height uint64) (Block, error)
	Tx(ctx context.Context, hash types.Hash) (TxInfo, error)
	Account(ctx context.Context, addr types.Address, height Height) (Account, error)
	Supply(ctx context.Context, height Height) (Supply, error)
	Genesis(ctx context.Context) (*chain.Genesis, error)
	Submit(ctx context.Context, req SubmitRequest) (SubmitResult, error)
	Health(ctx context.Context) (Health, error)
	Peers(ctx context.Context) ([]Peer, error)
	// SubscribeHeads delivers every newly finalized head until ctx ends.
	// The channel is closed when the subscription ends. Slow consumers may
	// miss heads (the server drops, never blocks the node).
	SubscribeHeads(ctx context.Context) (<-chan Head, error)
}
