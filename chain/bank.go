package chain

import (
	"fmt"
	"math/bits"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/yumachain/yuma/emission"
	"github.com/yumachain/yuma/types"
)

// Units and the supply cap, defined once in package emission (whose
// halving schedule is built on the cap).
const (
	// RaoPerTAO is the number of rao in one TAO.
	RaoPerTAO = emission.RaoPerTAO
	// MaxSupply is the cap on total issuance: 21,000,000 TAO in rao.
	MaxSupply = emission.MaxSupply
)

// State keys of the account module. Keys are relative to the state key
// space (see storage.PrefixState).
var (
	keyAccountPrefix = []byte("acct/")
	keyIssuance      = []byte("sys/issuance")
	keyBurned        = []byte("sys/burned")
)

// Account is the stored state of an address.
type Account struct {
	Balance uint64
	Nonce   uint64
}

// AccountKey is the state key of an address's account.
func AccountKey(a types.Address) []byte {
	return append(append(make([]byte, 0, len(keyAccountPrefix)+20), keyAccountPrefix...), a[:]...)
}

// Bank reads and writes balances, nonces and the supply counters. Every
// method either succeeds or leaves state unchanged.
type Bank struct {
	st Store
}

// NewBank returns the account module over st.
func NewBank(st Store) Bank { return Bank{st: st} }

// Account returns the account of a; an absent account is the zero account.
func (b Bank) Account(a types.Address) (Account, error) {
	return ReadAccount(b.st, a)
}

// ReadAccount reads the account of a from any state reader.
func ReadAccount(r Reader, a types.Address) (Account, error) {
	v, ok, err := r.Get(AccountKey(a))
	if err != nil || !ok {
		return Account{}, err
	}
	var acc Account
	if err := rlp.DecodeBytes(v, &acc); err != nil {
		return Account{}, fmt.Errorf("%w: account %s: %v", ErrInvariant, a.Hex(), err)
	}
	return acc, nil
}

func (b Bank) put(a types.Address, acc Account) error {
	if acc == (Account{}) {
		return b.st.Delete(AccountKey(a))
	}
	v, err := rlp.EncodeToBytes(&acc)
	if err != nil {
		return err
	}
	return b.st.Set(AccountKey(a), v)
}

// Balance returns a's free balance in rao.
func (b Bank) Balance(a types.Address) (uint64, error) {
	acc, err := b.Account(a)
	return acc.Balance, err
}

// Debit takes amount from a's balance.
func (b Bank) Debit(a types.Address, amount uint64) error {
	acc, err := b.Account(a)
	if err != nil {
		return err
	}
	if acc.Balance < amount {
		return ErrInsufficientFunds.With("balance %d rao, need %d rao", acc.Balance, amount)
	}
	acc.Balance -= amount
	return b.put(a, acc)
}

// Credit adds amount to a's balance.
func (b Bank) Credit(a types.Address, amount uint64) error {
	acc, err := b.Account(a)
	if err != nil {
		return err
	}
	sum, carry := bits.Add64(acc.Balance, amount, 0)
	if carry != 0 {
		return ErrOverflow.With("balance of %s would overflow", a.Hex())
	}
	acc.Balance = sum
	return b.put(a, acc)
}

// Transfer moves amount from one account to another.
func (b Bank) Transfer(from, to types.Address, amount uint64) error {
	if err := b.Debit(from, amount); err != nil {
		return err
	}
	return b.Credit(to, amount)
}

// Burn removes amount from a's balance and adds it to the burned counter.
// Issuance is unchanged: burned rao stay counted as issued.
func (b Bank) Burn(a types.Address, amount uint64) error {
	if err := b.Debit(a, amount); err != nil {
		return err
	}
	return b.addCounter(keyBurned, amount)
}

// Mint raises total issuance by amount, refusing to pass MaxSupply. The
// caller must put the minted rao somewhere (a balance or module holdings) in
// the same transition, or the supply invariant breaks.
func (b Bank) Mint(amount uint64) error {
	iss, err := b.Issuance()
	if err != nil {
		return err
	}
	if amount > MaxSupply-iss {
		return ErrSupplyCap.With("issuance %d + %d exceeds cap %d", iss, amount, MaxSupply)
	}
	return b.setCounter(keyIssuance, iss+amount)
}

// Issuance returns total issuance in rao.
func (b Bank) Issuance() (uint64, error) { return readCounter(b.st, keyIssuance) }

// Burned returns the total burned in rao.
func (b Bank) Burned() (uint64, error) { return readCounter(b.st, keyBurned) }

// AddBurned records rao that left circulation without a balance debit by
// this bank (for example a module burning held funds).
func (b Bank) AddBurned(amount uint64) error { return b.addCounter(keyBurned, amount) }

// IncrementNonce bumps a's nonce.
func (b Bank) IncrementNonce(a types.Address) error {
	acc, err := b.Account(a)
	if err != nil {
		return err
	}
	acc.Nonce++
	return b.put(a, acc)
}

func (b Bank) addCounter(key []byte, amount uint64) error {
	v, err := readCounter(b.st, key)
	if err != nil {
		return err
	}
	sum, carry := bits.Add64(v, amount, 0)
	if carry != 0 {
		return fmt.Errorf("%w: counter %s overflows", ErrInvariant, key)
	}
	return b.setCounter(key, sum)
}

func (b Bank) setCounter(key []byte, v uint64) error {
	enc, _ := rlp.EncodeToBytes(v)
	return b.st.Set(key, enc)
}

func readCounter(r Reader, key []byte) (uint64, error) {
	v, ok, err := r.Get(key)
	if err != nil || !ok {
		return 0, err
	}
	var n uint64
	if err := rlp.DecodeBytes(v, &n); err != nil {
		return 0, fmt.Errorf("%w: counter %s: %v", ErrInvariant, key, err)
	}
	return n, nil
}

// Supply is a snapshot of the supply counters, for RPC and invariants.
type Supply struct {
	Issuance uint64 `json:"issuance"`
	Burned   uint64 `json:"burned"`
}

// ReadSupply reads the supply counters from any state reader.
func ReadSupply(r Reader) (Supply, error) {
	iss, err := readCounter(r, keyIssuance)
	if err != nil {
		return Supply{}, err
	}
	burned, err := readCounter(r, keyBurned)
	return Supply{Issuance: iss, Burned: burned}, err
}
