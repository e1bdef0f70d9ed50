package consensus

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

const digestFile = "testdata/determinism.digest"

// hashOutput feeds a canonical binary encoding of out to h.
func hashOutput(h hash.Hash, out *Output) {
	var buf [8]byte
	u64 := func(v uint64) {
		binary.LittleEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	bools := func(v []bool) {
		u64(uint64(len(v)))
		for _, b := range v {
			if b {
				h.Write([]byte{1})
			} else {
				h.Write([]byte{0})
			}
		}
	}
	u16s := func(v []uint16) {
		u64(uint64(len(v)))
		for _, x := range v {
			binary.LittleEndian.PutUint16(buf[:2], x)
			h.Write(buf[:2])
		}
	}
	u64s := func(v []uint64) {
		u64(uint64(len(v)))
		for _, x := range v {
			u64(x)
		}
	}
	bools(out.Active)
	bools(out.ValidatorPermit)
	for _, v := range [][]uint16{out.Rank, out.Trust, out.Consensus, out.Incentive, out.Dividends, out.ValidatorTrust, out.PruningScores} {
		u16s(v)
	}
	u64(uint64(len(out.Bonds)))
	for _, row := range out.Bonds {
		u64(uint64(len(row)))
		for _, e := range row {
			binary.LittleEndian.PutUint16(buf[:2], e.UID)
			binary.LittleEndian.PutUint16(buf[2:4], e.Value)
			h.Write(buf[:4])
		}
	}
	u64s(out.ServerEmission)
	u64s(out.ValidatorEmission)
	u64s(out.Emission)
}

// TestDeterminismDigest hashes the outputs of 1,000 seeded random epochs
// and compares the digest with the golden file, so that every architecture
// (scripts/crossarch.sh: GOARCH=386, GOAMD64=v3, arm64 under qemu) is
// checked against the same bits. Regenerate with -rewrite.
func TestDeterminismDigest(t *testing.T) {
	r := rand.New(rand.NewPCG(20240601, 7))
	h := sha256.New()
	for i := range 1000 {
		n := r.IntN(48)
		if i%100 == 0 {
			n = 64 + r.IntN(64)
		}
		in := randomInput(r, n)
		out, err := Epoch(in)
		if err != nil {
			t.Fatalf("epoch %d: %v", i, err)
		}
		hashOutput(h, out)
	}
	got := hex.EncodeToString(h.Sum(nil))
	if *rewrite {
		if err := os.WriteFile(digestFile, []byte(got+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %s", digestFile, got)
		return
	}
	want, err := os.ReadFile(digestFile)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create it)", err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("determinism digest %s, golden %s", got, strings.TrimSpace(string(want)))
	}
	t.Logf("determinism digest %s", got)
}
