package types

import (
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Bounds on subnet call payloads, checked when a call is decoded so that an
// oversized vector is refused before any state is read.
const (
	// MaxWeightsLen is the most (uid, weight) pairs a weights call carries.
	MaxWeightsLen = 4096
	// MaxSaltLen bounds a commit-reveal salt.
	MaxSaltLen = 64
	// MaxHyperparameterName bounds a hyperparameter name.
	MaxHyperparameterName = 64
)

// RegisterNetwork creates a subnet owned by the signer (the owner coldkey),
// which pays the network lock cost. Hotkey becomes the owner's neuron.
type RegisterNetwork struct {
	Hotkey Address
}

func (*RegisterNetwork) Kind() CallKind { return KindRegisterNetwork }

// SetHyperparameter changes one hyperparameter of a subnet. Owner-settable
// parameters need the subnet owner's signature; root-only ones the chain
// admin's.
type SetHyperparameter struct {
	NetUID uint16
	Name   string
	Value  uint64
}

func (*SetHyperparameter) Kind() CallKind { return KindSetHyperparameter }

func (c *SetHyperparameter) Validate() error {
	if len(c.Name) == 0 || len(c.Name) > MaxHyperparameterName {
		return fmt.Errorf("hyperparameter name must be 1..%d bytes", MaxHyperparameterName)
	}
	return nil
}

// BurnedRegister registers Hotkey on a subnet, paying (burning) the
// subnet's current registration cost from the signer (the coldkey that
// owns, or now claims, the hotkey).
type BurnedRegister struct {
	NetUID uint16
	Hotkey Address
}

func (*BurnedRegister) Kind() CallKind { return KindBurnedRegister }

// RootRegister registers Hotkey on the root network (netuid 0), whose
// members' weights decide how emission is split among subnets.
type RootRegister struct {
	Hotkey Address
}

func (*RootRegister) Kind() CallKind { return KindRootRegister }

// IP types of ServeAxon.
const (
	IPv4 uint8 = 4
	IPv6 uint8 = 6
)

// ServeAxon publishes the signer hotkey's endpoint on a subnet.
type ServeAxon struct {
	NetUID   uint16
	Version  uint32
	IP       []byte // 4 bytes (IPv4) or 16 bytes (IPv6)
	Port     uint16
	IPType   uint8
	Protocol uint8
}

func (*ServeAxon) Kind() CallKind { return KindServeAxon }

func (c *ServeAxon) Validate() error {
	switch {
	case c.IPType == IPv4 && len(c.IP) == 4:
	case c.IPType == IPv6 && len(c.IP) == 16:
	default:
		return fmt.Errorf("ip type %d with a %d-byte address (want 4 with 4 bytes or 6 with 16)", c.IPType, len(c.IP))
	}
	return nil
}

// AddStake moves Amount rao of the signer coldkey's free balance into stake
// behind Hotkey.
type AddStake struct {
	Hotkey Address
	Amount uint64
}

func (*AddStake) Kind() CallKind { return KindAddStake }

// RemoveStake moves Amount rao of the signer coldkey's stake behind Hotkey
// back to its free balance.
type RemoveStake struct {
	Hotkey Address
	Amount uint64
}

func (*RemoveStake) Kind() CallKind { return KindRemoveStake }

// SetDelegateTake sets the share (u16 fraction of 65535) of Hotkey's
// dividends its owner keeps before the rest goes to its nominators. The
// signer must own the hotkey.
type SetDelegateTake struct {
	Hotkey Address
	Take   uint16
}

func (*SetDelegateTake) Kind() CallKind { return KindSetDelegateTake }

// SetWeights sets the signer hotkey's weights on a subnet. For netuid 0 the
// UIDs are netuids.
type SetWeights struct {
	NetUID     uint16
	UIDs       []uint16
	Values     []uint16
	VersionKey uint64
}

func (*SetWeights) Kind() CallKind { return KindSetWeights }

func (c *SetWeights) Validate() error { return validateWeights(c.UIDs, c.Values) }

func validateWeights(uids, values []uint16) error {
	if len(uids) != len(values) {
		return fmt.Errorf("%d uids but %d weights", len(uids), len(values))
	}
	if len(uids) > MaxWeightsLen {
		return fmt.Errorf("%d weights, at most %d", len(uids), MaxWeightsLen)
	}
	return nil
}

// CommitWeights commits to weights without revealing them: Commit is
// WeightsCommitHash of the weights to be revealed later.
type CommitWeights struct {
	NetUID uint16
	Commit Hash
}

func (*CommitWeights) Kind() CallKind { return KindCommitWeights }

// RevealWeights reveals weights committed earlier with CommitWeights.
type RevealWeights struct {
	NetUID     uint16
	UIDs       []uint16
	Values     []uint16
	Salt       []uint16
	VersionKey uint64
}

func (*RevealWeights) Kind() CallKind { return KindRevealWeights }

func (c *RevealWeights) Validate() error {
	if len(c.Salt) > MaxSaltLen {
		return fmt.Errorf("salt of %d words, at most %d", len(c.Salt), MaxSaltLen)
	}
	return validateWeights(c.UIDs, c.Values)
}

type commitPreimage struct {
	Label      string
	Hotkey     Address
	NetUID     uint16
	UIDs       []uint16
	Values     []uint16
	Salt       []uint16
	VersionKey uint64
}

// WeightsCommitHash is the commitment a hotkey publishes with
// CommitWeights: keccak256 of the RLP list (label, hotkey, netuid, uids,
// values, salt, version key). Binding the hotkey stops one validator from
// revealing another's commitment.
func WeightsCommitHash(hotkey Address, netuid uint16, uids, values, salt []uint16, versionKey uint64) Hash {
	b, err := rlp.EncodeToBytes(&commitPreimage{"yuma/weights-commit/v1", hotkey, netuid, uids, values, salt, versionKey})
	if err != nil {
		panic(fmt.Sprintf("types: encode commit preimage: %v", err))
	}
	return crypto.Keccak256Hash(b)
}
