package wallet

import (
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/cosmos/go-bip39"
	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
	"github.com/yumachain/yuma/types"
)

// DerivationPath is the BIP-32 path every key is derived along, as text.
const DerivationPath = "m/44'/60'/0'/0/0"

var derivationPath = []uint32{
	hdkeychain.HardenedKeyStart + 44,
	hdkeychain.HardenedKeyStart + 60,
	hdkeychain.HardenedKeyStart + 0,
	0,
	0,
}

// KDF holds the scrypt parameters of new encrypted keyfiles. Opening a file
// uses the parameters stored in it.
type KDF struct{ N, P int }

var (
	// StandardKDF is what new keys use: 256 MB of memory, about a second.
	StandardKDF = KDF{N: keystore.StandardScryptN, P: keystore.StandardScryptP}
	// LightKDF is fast and weak: for tests and throwaway keys only.
	LightKDF = KDF{N: keystore.LightScryptN, P: keystore.LightScryptP}
)

// NewMnemonic returns a fresh BIP-39 English mnemonic of words words (12,
// 15, 18, 21 or 24), from the operating system's random source.
func NewMnemonic(words int) (string, error) {
	bits := map[int]int{12: 128, 15: 160, 18: 192, 21: 224, 24: 256}[words]
	if bits == 0 {
		return "", newError(ErrBadMnemonic, fmt.Sprintf("a mnemonic has 12, 15, 18, 21 or 24 words, not %d", words))
	}
	ent, err := bip39.NewEntropy(bits)
	if err != nil {
		return "", fmt.Errorf("wallet: random entropy: %w", err)
	}
	return bip39.NewMnemonic(ent)
}

// NormalizeMnemonic lowercases the words and joins them with single spaces.
func NormalizeMnemonic(m string) string {
	return strings.Join(strings.Fields(strings.ToLower(m)), " ")
}

// CheckMnemonic reports why m is not a valid BIP-39 English mnemonic, or
// nil. Its messages never quote the words.
func CheckMnemonic(m string) error {
	words := strings.Fields(NormalizeMnemonic(m))
	switch len(words) {
	case 12, 15, 18, 21, 24:
	default:
		return newError(ErrBadMnemonic, fmt.Sprintf("invalid mnemonic: %d words, want 12, 15, 18, 21 or 24", len(words)))
	}
	for i, w := range words {
		if _, ok := bip39.ReverseWordMap[w]; !ok {
			return newError(ErrBadMnemonic, fmt.Sprintf("invalid mnemonic: word %d is not in the BIP-39 English word list (check its spelling)", i+1))
		}
	}
	if _, err := bip39.MnemonicToByteArray(strings.Join(words, " ")); err != nil {
		return newError(ErrBadMnemonic, "invalid mnemonic: the checksum does not match (a word is wrong or the words are out of order)")
	}
	return nil
}

// DeriveKey derives the secp256k1 key of a mnemonic by the package's rule:
// BIP-39 seed with an empty passphrase, then BIP-32 along DerivationPath.
func DeriveKey(mnemonic string) (*ecdsa.PrivateKey, error) {
	if err := CheckMnemonic(mnemonic); err != nil {
		return nil, err
	}
	seed := bip39.NewSeed(NormalizeMnemonic(mnemonic), "")
	k, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		return nil, fmt.Errorf("wallet: master key: %w", err)
	}
	for _, i := range derivationPath {
		if k, err = k.Derive(i); err != nil {
			// ErrInvalidChild has probability below 2^-127.
			return nil, fmt.Errorf("wallet: derive %s: %w", DerivationPath, err)
		}
	}
	bk, err := k.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("wallet: derive %s: %w", DerivationPath, err)
	}
	key, err := crypto.ToECDSA(bk.Serialize())
	if err != nil {
		return nil, fmt.Errorf("wallet: derive %s: %w", DerivationPath, err)
	}
	return key, nil
}

// PublicKey is what a public-key file holds.
type PublicKey struct {
	Address types.Address `json:"address"`
	// Compressed is the 33-byte compressed secp256k1 public key.
	Compressed hexBytes `json:"public_key"`
}

// PublicOf returns the public part of key.
func PublicOf(key *ecdsa.PrivateKey) PublicKey {
	return PublicKey{Address: crypto.PubkeyToAddress(key.PublicKey), Compressed: crypto.CompressPubkey(&key.PublicKey)}
}

type hexBytes []byte

func (h hexBytes) MarshalText() ([]byte, error) { return []byte("0x" + hex.EncodeToString(h)), nil }

func (h *hexBytes) UnmarshalText(b []byte) error {
	s := strings.TrimPrefix(string(b), "0x")
	v, err := hex.DecodeString(s)
	if err != nil {
		return errors.New("not hex")
	}
	*h = v
	return nil
}

const plainKeyType = "yuma-plain-key"

// plainKeyfile is the format of an unencrypted hotkey.
type plainKeyfile struct {
	Version    int           `json:"version"`
	Type       string        `json:"type"`
	Address    types.Address `json:"address"`
	PrivateKey string        `json:"private_key"`
}

// encodeKeyfile returns the keyfile bytes of key: keystore v3 JSON when
// password is not empty, else the plain format.
func encodeKeyfile(key *ecdsa.PrivateKey, password string, kdf KDF) ([]byte, error) {
	addr := crypto.PubkeyToAddress(key.PublicKey)
	if password == "" {
		b, err := json.MarshalIndent(plainKeyfile{
			Version: 1, Type: plainKeyType, Address: addr,
			PrivateKey: "0x" + hex.EncodeToString(crypto.FromECDSA(key)),
		}, "", "  ")
		return append(b, '\n'), err
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return nil, fmt.Errorf("wallet: key id: %w", err)
	}
	b, err := keystore.EncryptKey(&keystore.Key{Id: id, Address: addr, PrivateKey: key}, password, kdf.N, kdf.P)
	if err != nil {
		return nil, fmt.Errorf("wallet: encrypt key: %w", err)
	}
	return append(b, '\n'), nil
}

// keyfileHeader is what can be read from a keyfile without its password.
type keyfileHeader struct {
	Encrypted bool
	Address   types.Address // zero when the file does not say
}

type probe struct {
	Version    json.RawMessage `json:"version"`
	Type       string          `json:"type"`
	Address    string          `json:"address"`
	PrivateKey *string         `json:"private_key"`
	Crypto     json.RawMessage `json:"crypto"`
	CryptoV1   json.RawMessage `json:"Crypto"`
}

// inspectKeyfile reads what a keyfile says of itself. describe names the
// file in errors.
func inspectKeyfile(b []byte, describe string) (keyfileHeader, error) {
	var p probe
	if err := json.Unmarshal(b, &p); err != nil {
		return keyfileHeader{}, corrupt(describe, "it is not complete JSON")
	}
	var h keyfileHeader
	if p.Address != "" {
		s := p.Address
		if !strings.HasPrefix(s, "0x") {
			s = "0x" + s
		}
		a, err := types.ParseAddress(s)
		if err != nil {
			return keyfileHeader{}, corrupt(describe, "its address field is not an address")
		}
		h.Address = a
	}
	switch {
	case len(p.Crypto) > 0 || len(p.CryptoV1) > 0:
		h.Encrypted = true
	case p.Type == plainKeyType && p.PrivateKey != nil:
	default:
		return keyfileHeader{}, corrupt(describe, "it is neither a keystore v3 file nor a plain yuma key")
	}
	return h, nil
}

// decodeKeyfile opens a keyfile. password is called only if the file is
// encrypted.
func decodeKeyfile(b []byte, describe string, password func() (string, error)) (*ecdsa.PrivateKey, error) {
	h, err := inspectKeyfile(b, describe)
	if err != nil {
		return nil, err
	}
	var key *ecdsa.PrivateKey
	if h.Encrypted {
		pw, err := password()
		if err != nil {
			return nil, err
		}
		k, err := keystore.DecryptKey(b, pw)
		if errors.Is(err, keystore.ErrDecrypt) {
			return nil, newError(ErrWrongPassword, "wrong password for "+describe)
		}
		if err != nil {
			// The keystore's own messages name fields and formats, never
			// the password or key.
			return nil, corrupt(describe, err.Error())
		}
		key = k.PrivateKey
	} else {
		var p plainKeyfile
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, corrupt(describe, "it is not complete JSON")
		}
		raw, err := hex.DecodeString(strings.TrimPrefix(p.PrivateKey, "0x"))
		if err != nil || len(raw) != 32 {
			// Never quote the offending characters: they are key material.
			return nil, corrupt(describe, "its private_key is not 64 hex digits")
		}
		if key, err = crypto.ToECDSA(raw); err != nil {
			return nil, corrupt(describe, "its private_key is not a valid secp256k1 key")
		}
	}
	if got := crypto.PubkeyToAddress(key.PublicKey); h.Address != (types.Address{}) && got != h.Address {
		return nil, corrupt(describe, fmt.Sprintf("it holds the key of %s but says %s", got.Hex(), h.Address.Hex()))
	}
	return key, nil
}

func corrupt(describe, why string) error {
	return newError(ErrCorruptKeyfile, fmt.Sprintf("%s is corrupt or truncated (%s): restore it from a backup, or regenerate it from its mnemonic", describe, why))
}
