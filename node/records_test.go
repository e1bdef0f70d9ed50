package node

import (
	"bytes"
	"testing"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// FuzzDecodeRecords feeds arbitrary bytes (a corrupt disk) to the record
// decoders: they return errors, never panic, and what they accept
// re-encodes to the same bytes.
func FuzzDecodeRecords(f *testing.F) {
	f.Add(encodeRecord(&headRecord{Version: recordVersion, Height: 3, AppHash: types.Hash{1}, Time: 5}))
	f.Add(encodeRecord(&blockRecord{Version: recordVersion, Height: 2, Txs: [][]byte{{1}}, Receipts: []chain.Receipt{{Code: "x"}}}))
	f.Add(encodeRecord(&txLocation{Height: 9, Index: 1}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, err := decodeHead(b); err == nil {
			if !bytes.Equal(encodeRecord(&h), b) {
				t.Fatalf("head record re-encodes differently")
			}
		}
		if r, err := decodeBlock(b); err == nil && len(r.Receipts) != len(r.Txs) {
			t.Fatalf("block record with mismatched receipts accepted")
		}
		decodeTxLocation(b)
	})
}

func TestDecodeRejectsOtherVersions(t *testing.T) {
	b := encodeRecord(&headRecord{Version: recordVersion + 1, Height: 3})
	if _, err := decodeHead(b); err == nil {
		t.Fatal("head record of a future version accepted")
	}
	b = encodeRecord(&blockRecord{Version: recordVersion, Txs: [][]byte{{1}}})
	if _, err := decodeBlock(b); err == nil {
		t.Fatal("block record without receipts accepted")
	}
}
