package types

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Size limits for remote input. A transaction larger than MaxTxSize is
// rejected before it is decoded.
const (
	MaxTxSize      = 128 << 10 // bytes of a whole encoded transaction
	MaxChainIDLen  = 64
	SignatureLen   = 65
	txSigningLabel = "yuma/tx/v1"
)

// CallKind names the call a transaction carries.
type CallKind uint16

// Tx is a signed transaction. The signer is not carried: it is recovered
// from the signature, which covers every other field, including the chain id
// (replay protection across chains) and the nonce (replay protection within
// a chain).
type Tx struct {
	ChainID string
	Nonce   uint64
	// Fee in rao the signer pays whether or not the call succeeds. It must be
	// at least the chain's minimum fee; it is burned.
	Fee     uint64
	Kind    CallKind
	Payload []byte // canonical RLP of the call
	Sig     []byte // 65-byte [R || S || V] with V in {0, 1}, low S
}

// unsigned is the list that is hashed and signed: a domain label, then every
// field of Tx but the signature.
type unsigned struct {
	Label   string
	ChainID string
	Nonce   uint64
	Fee     uint64
	Kind    uint16
	Payload []byte
}

type wireTx struct {
	ChainID string
	Nonce   uint64
	Fee     uint64
	Kind    uint16
	Payload []byte
	Sig     []byte
}

// NewTx builds an unsigned transaction carrying call.
func NewTx(chainID string, nonce, fee uint64, call Call) (*Tx, error) {
	payload, err := rlp.EncodeToBytes(call)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", call, err)
	}
	return &Tx{ChainID: chainID, Nonce: nonce, Fee: fee, Kind: call.Kind(), Payload: payload}, nil
}

// SigningHash is the keccak256 digest the signer signs.
func (tx *Tx) SigningHash() Hash {
	b, err := rlp.EncodeToBytes(unsigned{
		Label: txSigningLabel, ChainID: tx.ChainID, Nonce: tx.Nonce, Fee: tx.Fee,
		Kind: uint16(tx.Kind), Payload: tx.Payload,
	})
	if err != nil {
		// Encoding a struct of strings, integers and byte slices cannot fail.
		panic(fmt.Sprintf("types: encode signing payload: %v", err))
	}
	return crypto.Keccak256Hash(b)
}

// Sign fills tx.Sig with a signature by key.
func (tx *Tx) Sign(key *ecdsa.PrivateKey) error {
	h := tx.SigningHash()
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return fmt.Errorf("sign transaction: %w", err)
	}
	tx.Sig = sig
	return nil
}

// Sender verifies the signature and returns the signer's address.
func (tx *Tx) Sender() (Address, error) {
	h := tx.SigningHash()
	return RecoverSigner(h, tx.Sig)
}

// RecoverSigner checks that sig is a well-formed low-S recoverable signature
// of hash and returns the signer's address.
func RecoverSigner(hash Hash, sig []byte) (Address, error) {
	if len(sig) != SignatureLen {
		return Address{}, fmt.Errorf("%w: %d bytes, want %d", ErrBadSignature, len(sig), SignatureLen)
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:64])
	if !crypto.ValidateSignatureValues(sig[64], r, s, true) {
		return Address{}, fmt.Errorf("%w: r, s or v out of range (high-S signatures are refused)", ErrBadSignature)
	}
	pub, err := crypto.SigToPub(hash[:], sig)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}

// Encode returns the canonical encoding of the signed transaction.
func (tx *Tx) Encode() ([]byte, error) {
	return rlp.EncodeToBytes(wireTx{tx.ChainID, tx.Nonce, tx.Fee, uint16(tx.Kind), tx.Payload, tx.Sig})
}

// Hash is keccak256 of the canonical encoding. Because signatures must be
// low-S, a transaction has exactly one valid encoding and one hash.
func (tx *Tx) Hash() Hash {
	b, err := tx.Encode()
	if err != nil {
		panic(fmt.Sprintf("types: encode transaction: %v", err))
	}
	return crypto.Keccak256Hash(b)
}

// DecodeTx decodes a transaction from bytes that came from the network or
// disk. It checks the size limit first, requires the canonical encoding (no
// trailing bytes, re-encoding gives the same bytes) and the field bounds; it
// does not verify the signature (see Sender) nor decode the call (see Call).
func DecodeTx(b []byte) (*Tx, error) {
	if len(b) > MaxTxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTxTooLarge, len(b), MaxTxSize)
	}
	var w wireTx
	if err := rlp.DecodeBytes(b, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTxDecode, err)
	}
	tx := &Tx{ChainID: w.ChainID, Nonce: w.Nonce, Fee: w.Fee, Kind: CallKind(w.Kind), Payload: w.Payload, Sig: w.Sig}
	if len(tx.ChainID) == 0 || len(tx.ChainID) > MaxChainIDLen {
		return nil, fmt.Errorf("%w: chain id length %d, want 1..%d", ErrTxDecode, len(tx.ChainID), MaxChainIDLen)
	}
	if len(tx.Sig) != SignatureLen {
		return nil, fmt.Errorf("%w: signature length %d, want %d", ErrBadSignature, len(tx.Sig), SignatureLen)
	}
	again, err := tx.Encode()
	if err != nil || string(again) != string(b) {
		return nil, fmt.Errorf("%w: not canonical", ErrTxDecode)
	}
	return tx, nil
}

// Call decodes the transaction's payload as the call its kind names.
func (tx *Tx) Call() (Call, error) {
	c, err := newCall(tx.Kind)
	if err != nil {
		return nil, err
	}
	if err := rlp.DecodeBytes(tx.Payload, c); err != nil {
		return nil, fmt.Errorf("%w: kind %d: %v", ErrCallDecode, tx.Kind, err)
	}
	if v, ok := c.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCallDecode, err)
		}
	}
	again, err := rlp.EncodeToBytes(c)
	if err != nil || string(again) != string(tx.Payload) {
		return nil, fmt.Errorf("%w: kind %d: not canonical", ErrCallDecode, tx.Kind)
	}
	return c, nil
}

// IsDecodeError reports whether err is a malformed-input error from this
// package.
func IsDecodeError(err error) bool {
	return errors.Is(err, ErrTxDecode) || errors.Is(err, ErrTxTooLarge) || errors.Is(err, ErrBadSignature) ||
		errors.Is(err, ErrCallDecode) || errors.Is(err, ErrUnknownCall)
}
