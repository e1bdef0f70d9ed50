package chain

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/yumachain/yuma/types"
)

// Genesis is the chain's birth certificate: everything consensus-critical
// that is fixed at height 0. Node operators do not configure these values
// locally; every node of a chain loads the same genesis file.
type Genesis struct {
	ChainID string `json:"chain_id"`
	// GenesisTime is the RFC 3339 time of the first block.
	GenesisTime string `json:"genesis_time"`
	Params      Params `json:"params"`
	// Admin may change root-only parameters (the chain's sudo key).
	Admin       types.Address    `json:"admin"`
	Accounts    []GenesisAccount `json:"accounts"`
	Authorities []Authority      `json:"authorities"`
	// Modules carries each module's own genesis section by module name.
	Modules map[string]json.RawMessage `json:"modules,omitempty"`
}

// Params are the chain rules of the account module.
type Params struct {
	// MinFee is the smallest fee in rao a transaction may carry. Fees are
	// burned.
	MinFee U64 `json:"min_fee"`
}

// GenesisAccount is an initial balance.
type GenesisAccount struct {
	Address types.Address `json:"address"`
	Balance U64           `json:"balance"`
}

// Authority is a block-producing validator of the BFT engine.
type Authority struct {
	Name string `json:"name"`
	// PubKey is the 33-byte compressed secp256k1 public key, hex.
	PubKey string `json:"pub_key"`
	Power  int64  `json:"power"`
}

// PubKeyBytes decodes the compressed public key.
func (a Authority) PubKeyBytes() ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(a.PubKey, "0x"))
	if err != nil {
		return nil, fmt.Errorf("authority %q: public key is not hex: %w", a.Name, err)
	}
	if _, err := crypto.DecompressPubkey(b); err != nil {
		return nil, fmt.Errorf("authority %q: not a compressed secp256k1 public key: %w", a.Name, err)
	}
	return b, nil
}

// Genesis validation errors.
var ErrBadGenesis = errors.New("invalid genesis")

// ParseGenesis decodes and validates a genesis document. Unknown fields are
// an error, so a typo cannot silently fork a chain.
func ParseGenesis(b []byte) (*Genesis, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var g Genesis
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadGenesis, err)
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	return &g, nil
}

// Validate checks the genesis for consistency.
func (g *Genesis) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadGenesis, fmt.Sprintf(format, args...))
	}
	if g.ChainID == "" || len(g.ChainID) > types.MaxChainIDLen {
		return bad("chain_id must be 1..%d characters", types.MaxChainIDLen)
	}
	if len(g.Authorities) == 0 {
		return bad("at least one authority is required")
	}
	seenKey := map[string]bool{}
	for _, a := range g.Authorities {
		if _, err := a.PubKeyBytes(); err != nil {
			return bad("%v", err)
		}
		if a.Power <= 0 {
			return bad("authority %q: power must be positive", a.Name)
		}
		if seenKey[a.PubKey] {
			return bad("authority %q: duplicate public key", a.Name)
		}
		seenKey[a.PubKey] = true
	}
	var total uint64
	seen := map[types.Address]bool{}
	for _, acc := range g.Accounts {
		if seen[acc.Address] {
			return bad("account %s listed twice", acc.Address.Hex())
		}
		seen[acc.Address] = true
		if uint64(acc.Balance) > MaxSupply-total {
			return bad("initial balances exceed the supply cap of %d rao", MaxSupply)
		}
		total += uint64(acc.Balance)
	}
	return nil
}

// Hash returns a digest of the canonical JSON of the genesis, so nodes can
// check they run the same chain.
func (g *Genesis) Hash() (types.Hash, error) {
	b, err := json.Marshal(g)
	if err != nil {
		return types.Hash{}, err
	}
	return crypto.Keccak256Hash(b), nil
}

// sortedAccounts returns the genesis accounts in address order, so the
// genesis state does not depend on the file's order.
func (g *Genesis) sortedAccounts() []GenesisAccount {
	accs := append([]GenesisAccount(nil), g.Accounts...)
	sort.Slice(accs, func(i, j int) bool { return bytes.Compare(accs[i].Address[:], accs[j].Address[:]) < 0 })
	return accs
}
