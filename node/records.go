package node

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/storage"
	"github.com/yumachain/yuma/types"
)

// recordVersion is the first field of every stored record, so a future
// format change can be detected instead of misread.
const recordVersion = 1

// errCorrupt reports a stored record that does not decode: disk corruption
// or a database from an incompatible version.
var errCorrupt = errors.New("node: corrupt record in database")

// headRecord is the head marker: the last committed block. It is written in
// the same batch as the block's state and record.
type headRecord struct {
	Version     uint
	Height      uint64
	AppHash     types.Hash
	BlockHash   []byte
	Time        uint64 // Unix milliseconds
	GenesisHash types.Hash
}

// blockRecord is what the node keeps of each finalized block.
type blockRecord struct {
	Version   uint
	Height    uint64
	Time      uint64 // Unix milliseconds
	BlockHash []byte
	Proposer  []byte
	AppHash   types.Hash // state root after the block
	Txs       [][]byte
	Receipts  []chain.Receipt
	Events    []chain.Event
}

// txLocation is the tx index value.
type txLocation struct {
	Height uint64
	Index  uint32
}

func heightKey(prefix []byte, h uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], h)
	return storage.Key(prefix, b[:])
}

func encodeRecord(v any) []byte {
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		// Records hold only integers, byte strings and lists.
		panic(fmt.Sprintf("node: encode %T: %v", v, err))
	}
	return b
}

func decodeHead(b []byte) (headRecord, error) {
	var h headRecord
	if err := rlp.DecodeBytes(b, &h); err != nil {
		return h, fmt.Errorf("%w: head marker: %v", errCorrupt, err)
	}
	if h.Version != recordVersion {
		return h, fmt.Errorf("%w: head marker version %d, this binary reads %d", errCorrupt, h.Version, recordVersion)
	}
	return h, nil
}

func decodeBlock(b []byte) (blockRecord, error) {
	var r blockRecord
	if err := rlp.DecodeBytes(b, &r); err != nil {
		return r, fmt.Errorf("%w: block record: %v", errCorrupt, err)
	}
	if r.Version != recordVersion {
		return r, fmt.Errorf("%w: block record version %d, this binary reads %d", errCorrupt, r.Version, recordVersion)
	}
	if len(r.Receipts) != len(r.Txs) {
		return r, fmt.Errorf("%w: block %d has %d txs and %d receipts", errCorrupt, r.Height, len(r.Txs), len(r.Receipts))
	}
	return r, nil
}

func decodeTxLocation(b []byte) (txLocation, error) {
	var l txLocation
	if err := rlp.DecodeBytes(b, &l); err != nil {
		return l, fmt.Errorf("%w: tx index: %v", errCorrupt, err)
	}
	return l, nil
}

// readHead returns the head marker, or ok=false on a fresh database.
func readHead(r storage.Reader) (headRecord, bool, error) {
	b, err := r.Get(storage.KeyHead)
	if errors.Is(err, storage.ErrNotFound) {
		return headRecord{}, false, nil
	}
	if err != nil {
		return headRecord{}, false, err
	}
	h, err := decodeHead(b)
	return h, err == nil, err
}

func readBlock(r storage.Reader, height uint64) (blockRecord, bool, error) {
	b, err := r.Get(heightKey(storage.PrefixBlock, height))
	if errors.Is(err, storage.ErrNotFound) {
		return blockRecord{}, false, nil
	}
	if err != nil {
		return blockRecord{}, false, err
	}
	rec, err := decodeBlock(b)
	return rec, err == nil, err
}

// unixMilli is t in Unix milliseconds, clamped at 0 (block times are after
// 1970).
func unixMilli(t time.Time) uint64 { return uint64(max(0, t.UnixMilli())) }
