package axon

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/yumachain/yuma/types"
)

// Domain labels: the first element of every signed message, so a signature
// made for one purpose (a transaction, a request, a response) can never be
// accepted for another.
const (
	RequestLabel  = "yuma/axon-request/v1"
	ResponseLabel = "yuma/axon-response/v1"
)

// RequestMessage is what a validator hotkey signs for one request. Its
// keccak256 (ID) is the request id that the response signature refers to.
type RequestMessage struct {
	Caller    types.Address // validator hotkey (the signer)
	Target    types.Address // miner hotkey the request is meant for
	ChainID   string
	NetUID    uint16
	Nonce     uint64 // strictly increasing per caller, across all miners
	Timestamp uint64 // Unix milliseconds at signing
	Path      string // the HTTP request path, /synapse/<name>
	BodyHash  [32]byte
}

type requestPreimage struct {
	Label     string
	Caller    types.Address
	Target    types.Address
	ChainID   string
	NetUID    uint16
	Nonce     uint64
	Timestamp uint64
	Path      string
	BodyHash  [32]byte
}

// ID is keccak256 of the canonical RLP list (RequestLabel, Caller, Target,
// ChainID, NetUID, Nonce, Timestamp, Path, BodyHash). It is the digest the
// caller signs and the request id a response signature binds.
func (m *RequestMessage) ID() types.Hash {
	b, err := rlp.EncodeToBytes(&requestPreimage{
		RequestLabel, m.Caller, m.Target, m.ChainID, m.NetUID, m.Nonce, m.Timestamp, m.Path, m.BodyHash,
	})
	if err != nil {
		// A struct of strings, integers and fixed byte arrays always encodes.
		panic(fmt.Sprintf("axon: encode request preimage: %v", err))
	}
	return crypto.Keccak256Hash(b)
}

// Sign returns the 65-byte recoverable signature of m.ID() by key.
func (m *RequestMessage) Sign(key *ecdsa.PrivateKey) ([]byte, error) {
	id := m.ID()
	sig, err := crypto.Sign(id[:], key)
	if err != nil {
		return nil, fmt.Errorf("sign request: %w", err)
	}
	return sig, nil
}

// Verify checks that sig is a well-formed low-S signature of m.ID() by
// m.Caller.
func (m *RequestMessage) Verify(sig []byte) error {
	signer, err := types.RecoverSigner(m.ID(), sig)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if signer != m.Caller {
		return fmt.Errorf("%w: signed by %s, not by the claimed caller %s", ErrBadSignature, signer, m.Caller)
	}
	return nil
}

// ResponseMessage is what a miner hotkey signs for one response.
type ResponseMessage struct {
	RequestID types.Hash
	Status    uint16 // HTTP status code
	BodyHash  [32]byte
}

type responsePreimage struct {
	Label     string
	RequestID types.Hash
	Status    uint16
	BodyHash  [32]byte
}

// Hash is keccak256 of the canonical RLP list (ResponseLabel, RequestID,
// Status, BodyHash): the digest the miner signs.
func (m *ResponseMessage) Hash() types.Hash {
	b, err := rlp.EncodeToBytes(&responsePreimage{ResponseLabel, m.RequestID, m.Status, m.BodyHash})
	if err != nil {
		panic(fmt.Sprintf("axon: encode response preimage: %v", err))
	}
	return crypto.Keccak256Hash(b)
}

// Sign returns the 65-byte recoverable signature of m.Hash() by key.
func (m *ResponseMessage) Sign(key *ecdsa.PrivateKey) ([]byte, error) {
	h := m.Hash()
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return nil, fmt.Errorf("sign response: %w", err)
	}
	return sig, nil
}

// Verify checks that sig is a well-formed low-S signature of m.Hash() by
// miner, the hotkey that owns the queried UID on chain.
func (m *ResponseMessage) Verify(sig []byte, miner types.Address) error {
	signer, err := types.RecoverSigner(m.Hash(), sig)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if signer != miner {
		return fmt.Errorf("%w: response signed by %s, want the UID's hotkey %s", ErrBadSignature, signer, miner)
	}
	return nil
}

// BodyHash is the SHA-256 of the exact body bytes, as bound by both
// messages.
func BodyHash(body []byte) [32]byte { return sha256.Sum256(body) }
