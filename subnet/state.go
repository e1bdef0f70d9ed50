package subnet

import (
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/consensus"
	"github.com/yumachain/yuma/types"
)

// RootNetUID is the root network.
const RootNetUID uint16 = 0

// Globals is the chain-wide network registration state.
type Globals struct {
	// LastLockCost is the lock paid by the last network registration (the
	// minimum lock before any).
	LastLockCost uint64
	// LastLockBlock is the block of the last network registration, 0 for
	// none.
	LastLockBlock uint64
}

// Subnet is the dynamic state of a subnet (netuid 0: the root network).
type Subnet struct {
	Owner        types.Address // coldkey; zero for root
	OwnerHotkey  types.Address
	RegisteredAt uint64
	// Lock is the rao locked by the owner at registration, held by the
	// module and returned when the subnet is pruned.
	Lock uint64
	// N is the number of UIDs; UIDs are 0..N-1.
	N uint16
	// PendingEmission is the rao emitted to the subnet since its last
	// epoch (plus undistributed remainders), held by the module.
	PendingEmission uint64
	// EmissionShare is the subnet's weight in the split of each block's
	// reward, as decided by the last root epoch (u16 incentive of the
	// subnet's column; 0 until the first root epoch that sees it).
	EmissionShare uint16
	// Burn is the registration cost before clamping to min/max burn.
	Burn uint64
	// LastAdjustment is the block of the last burn adjustment.
	LastAdjustment   uint64
	RegsThisInterval uint16
	// RegsBlock is the block RegsThisBlock counts for.
	RegsBlock     uint64
	RegsThisBlock uint16
	// LastEpoch is the block of the subnet's last epoch (0: none yet).
	LastEpoch uint64
	// LastEpochEmission is the rao the last epoch paid to UIDs and owner.
	LastEpochEmission uint64
}

// Neuron is one UID of a subnet. The u16 outputs are those of the last
// epoch, as subtensor stores them.
type Neuron struct {
	Hotkey          types.Address
	RegisteredAt    uint64
	LastUpdate      uint64
	Active          bool
	ValidatorPermit bool
	Rank            uint16
	Trust           uint16
	Consensus       uint16
	Incentive       uint16
	Dividends       uint16
	ValidatorTrust  uint16
	PruningScore    uint16
	// Emission is the rao the UID earned in the last epoch (server plus
	// validator emission).
	Emission uint64
}

// Hotkey is the chain-wide record of a hotkey, created at its first
// registration. Its owner coldkey never changes.
type Hotkey struct {
	Owner types.Address
	Take  uint16
	// LastTakeIncrease is the block of the last take increase (0: none).
	LastTakeIncrease uint64
	// TotalStake is the sum of all stake behind the hotkey: its stake weight.
	TotalStake uint64
}

// Axon is a served endpoint.
type Axon struct {
	Block    uint64
	Version  uint32
	IP       []byte
	Port     uint16
	IPType   uint8
	Protocol uint8
}

// Commit is a pending weight commit.
type Commit struct {
	Hash  types.Hash
	Block uint64
}

// entry is the stored form of a weights or bonds element.
type entry struct {
	UID   uint16
	Value uint16
}

// store wraps the module's reads and writes. Decode failures are broken
// invariants (the module wrote the value).
type store struct {
	r chain.Reader
	w chain.Store // nil for read-only use
}

func (s store) get(k []byte, v any) (bool, error) {
	b, ok, err := s.r.Get(k)
	if err != nil || !ok {
		return false, err
	}
	if err := rlp.DecodeBytes(b, v); err != nil {
		return false, fmt.Errorf("%w: subnet state %q: %v", chain.ErrInvariant, k, err)
	}
	return true, nil
}

func (s store) put(k []byte, v any) error {
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		return err
	}
	return s.w.Set(k, b)
}

func (s store) del(k []byte) error { return s.w.Delete(k) }

// keys returns the keys under prefix, so they can be deleted after the
// iteration.
func (s store) keys(prefix []byte) ([][]byte, error) {
	var ks [][]byte
	err := s.r.Iterate(prefix, func(k, _ []byte) bool {
		ks = append(ks, append([]byte(nil), k...))
		return true
	})
	return ks, err
}

func (s store) params() (Params, error) {
	var p Params
	ok, err := s.get(keyParams, &p)
	if err == nil && !ok {
		err = fmt.Errorf("%w: subnet params missing (genesis not initialized)", chain.ErrInvariant)
	}
	return p, err
}

func (s store) globals() (Globals, error) {
	var g Globals
	_, err := s.get(keyGlobals, &g)
	return g, err
}

func (s store) subnet(netuid uint16) (Subnet, bool, error) {
	var sn Subnet
	ok, err := s.get(subnetKey(netuid), &sn)
	return sn, ok, err
}

// mustSubnet loads an existing subnet or fails with ErrSubnetNotFound.
func (s store) mustSubnet(netuid uint16) (Subnet, Hyperparams, error) {
	sn, ok, err := s.subnet(netuid)
	if err != nil {
		return Subnet{}, Hyperparams{}, err
	}
	if !ok {
		return Subnet{}, Hyperparams{}, ErrSubnetNotFound.With("no subnet with netuid %d", netuid)
	}
	hp, err := s.hyper(netuid)
	return sn, hp, err
}

func (s store) hyper(netuid uint16) (Hyperparams, error) {
	var h Hyperparams
	ok, err := s.get(hyperKey(netuid), &h)
	if err == nil && !ok {
		err = fmt.Errorf("%w: subnet %d has no hyperparameters", chain.ErrInvariant, netuid)
	}
	return h, err
}

func (s store) neuron(netuid, uid uint16) (Neuron, error) {
	var n Neuron
	ok, err := s.get(neuronKey(netuid, uid), &n)
	if err == nil && !ok {
		err = fmt.Errorf("%w: subnet %d uid %d missing", chain.ErrInvariant, netuid, uid)
	}
	return n, err
}

// uid returns the UID of hk on netuid.
func (s store) uid(netuid uint16, hk types.Address) (uint16, bool, error) {
	var u uint16
	ok, err := s.get(uidKey(netuid, hk), &u)
	return u, ok, err
}

func (s store) hotkey(hk types.Address) (Hotkey, bool, error) {
	var h Hotkey
	ok, err := s.get(hotkeyKey(hk), &h)
	return h, ok, err
}

func (s store) stake(hk, ck types.Address) (uint64, error) {
	var v uint64
	_, err := s.get(stakeKey(hk, ck), &v)
	return v, err
}

// Weights and bonds rows are stored as one RLP byte string holding the
// entries packed as big-endian (uid:2, value:2) pairs in uid order: the
// rows are the bulk of an epoch's reads and writes, and a packed string
// decodes without reflection.
func encodeRow(r []entry) ([]byte, error) {
	b := make([]byte, 4*len(r))
	for i, e := range r {
		b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(e.UID>>8), byte(e.UID), byte(e.Value>>8), byte(e.Value)
	}
	return rlp.EncodeToBytes(b)
}

func decodeRow(v []byte) ([]entry, error) {
	b, rest, err := rlp.SplitString(v)
	if err == nil && (len(rest) != 0 || len(b)%4 != 0) {
		err = fmt.Errorf("row of %d bytes with %d trailing", len(b), len(rest))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: subnet row: %v", chain.ErrInvariant, err)
	}
	r := make([]entry, len(b)/4)
	for i := range r {
		r[i] = entry{UID: uint16(b[4*i])<<8 | uint16(b[4*i+1]), Value: uint16(b[4*i+2])<<8 | uint16(b[4*i+3])}
	}
	return r, nil
}

func (s store) row(k []byte) ([]entry, error) {
	v, ok, err := s.r.Get(k)
	if err != nil || !ok {
		return nil, err
	}
	return decodeRow(v)
}

func (s store) putRow(k []byte, r []entry) error {
	if len(r) == 0 {
		return s.del(k)
	}
	b, err := encodeRow(r)
	if err != nil {
		return err
	}
	return s.w.Set(k, b)
}

func (s store) commits(netuid uint16, hk types.Address) ([]Commit, error) {
	var c []Commit
	_, err := s.get(commitsKey(netuid, hk), &c)
	return c, err
}

func (s store) axon(netuid uint16, hk types.Address) (Axon, bool, error) {
	var a Axon
	ok, err := s.get(axonKey(netuid, hk), &a)
	return a, ok, err
}

// netuids lists the existing subnets in netuid order (root included).
func (s store) netuids() ([]uint16, error) {
	var out []uint16
	err := s.r.Iterate(pfxSubnet, func(k, _ []byte) bool {
		if len(k) == len(pfxSubnet)+2 {
			out = append(out, uint16(k[len(pfxSubnet)])<<8|uint16(k[len(pfxSubnet)+1]))
		}
		return true
	})
	return out, err
}

func toConsensusRow(r []entry) []consensus.Entry {
	if len(r) == 0 {
		return nil
	}
	out := make([]consensus.Entry, len(r))
	for i, e := range r {
		out[i] = consensus.Entry{UID: e.UID, Value: e.Value}
	}
	return out
}

func fromConsensusRow(r []consensus.Entry) []entry {
	out := make([]entry, 0, len(r))
	for _, e := range r {
		if e.Value != 0 {
			out = append(out, entry{UID: e.UID, Value: e.Value})
		}
	}
	return out
}

func decodeInto(b []byte, v any) error {
	if err := rlp.DecodeBytes(b, v); err != nil {
		return fmt.Errorf("%w: subnet state: %v", chain.ErrInvariant, err)
	}
	return nil
}
