package types

import (
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// Address is a 20-byte account address: the last 20 bytes of the keccak256
// of the uncompressed secp256k1 public key. Its text form is 0x-prefixed hex
// with the EIP-55 mixed-case checksum.
type Address = common.Address

// Hash is a 32-byte keccak256 digest.
type Hash = common.Hash

// ParseAddress parses a 0x-prefixed hex address. All-lowercase and
// all-uppercase hex are accepted; mixed case must carry a valid EIP-55
// checksum, so a mistyped address is caught before funds move.
func ParseAddress(s string) (Address, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return Address{}, fmt.Errorf("%w: %q must start with 0x", ErrBadAddress, s)
	}
	hex := s[2:]
	if len(hex) != 2*common.AddressLength {
		return Address{}, fmt.Errorf("%w: %q has %d hex digits, want 40", ErrBadAddress, s, len(hex))
	}
	if !common.IsHexAddress(s) {
		return Address{}, fmt.Errorf("%w: %q is not hex", ErrBadAddress, s)
	}
	a := common.HexToAddress(s)
	if hex != strings.ToLower(hex) && hex != strings.ToUpper(hex) && a.Hex() != "0x"+hex {
		return Address{}, fmt.Errorf("%w: %q has a wrong EIP-55 checksum (did you mean %s?)", ErrBadAddress, s, a.Hex())
	}
	return a, nil
}
