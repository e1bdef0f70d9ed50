package types

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
)

// sampleCalls has one call of every kind; the golden file pins their
// encodings.
func sampleCalls() []Call {
	hk := common20(0x11)
	return []Call{
		&Transfer{To: common20(0x22), Amount: 5},
		&RegisterNetwork{Hotkey: hk},
		&SetHyperparameter{NetUID: 1, Name: "tempo", Value: 360},
		&BurnedRegister{NetUID: 1, Hotkey: hk},
		&ServeAxon{NetUID: 1, Version: 1, IP: []byte{127, 0, 0, 1}, Port: 8091, IPType: IPv4, Protocol: 4},
		&AddStake{Hotkey: hk, Amount: 1_000_000_000},
		&RemoveStake{Hotkey: hk, Amount: 1},
		&SetDelegateTake{Hotkey: hk, Take: 11796},
		&SetWeights{NetUID: 1, UIDs: []uint16{0, 1, 2}, Values: []uint16{65535, 32768, 0}, VersionKey: 7},
		&CommitWeights{NetUID: 1, Commit: WeightsCommitHash(hk, 1, []uint16{0, 1}, []uint16{1, 2}, []uint16{9, 9}, 7)},
		&RevealWeights{NetUID: 1, UIDs: []uint16{0, 1}, Values: []uint16{1, 2}, Salt: []uint16{9, 9}, VersionKey: 7},
		&RootRegister{Hotkey: hk},
	}
}

type goldenCall struct {
	Name    string   `json:"name"`
	Kind    CallKind `json:"kind"`
	Payload string   `json:"payload"`
}

func TestCallGoldenVectors(t *testing.T) {
	var got []goldenCall
	seen := map[CallKind]bool{}
	for _, c := range sampleCalls() {
		b, err := rlp.EncodeToBytes(c)
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.Kind()] {
			t.Fatalf("kind %d used twice", c.Kind())
		}
		seen[c.Kind()] = true
		got = append(got, goldenCall{Name: reflect.TypeOf(c).Elem().Name(), Kind: c.Kind(), Payload: hex.EncodeToString(b)})

		// Round trip through a signed transaction.
		tx, err := NewTx("c", 0, 0, c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := tx.Call()
		if err != nil {
			t.Fatalf("%T: %v", c, err)
		}
		if !reflect.DeepEqual(normalize(back), normalize(c)) {
			t.Fatalf("%T round trip: got %+v want %+v", c, back, c)
		}
	}
	path := filepath.Join("testdata", "calls_golden.json")
	b, _ := json.MarshalIndent(got, "", "  ")
	b = append(b, '\n')
	if *rewrite {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create)", err)
	}
	if !bytes.Equal(b, want) {
		t.Fatalf("call encodings changed:\n%s", b)
	}
}

// normalize maps empty and nil slices to the same value for comparison.
func normalize(c Call) string {
	b, _ := json.Marshal(c)
	return string(b)
}

func TestCallValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		call Call
	}{
		{"weights length mismatch", &SetWeights{UIDs: []uint16{1, 2}, Values: []uint16{1}}},
		{"too many weights", &SetWeights{UIDs: make([]uint16, MaxWeightsLen+1), Values: make([]uint16, MaxWeightsLen+1)}},
		{"reveal salt too long", &RevealWeights{Salt: make([]uint16, MaxSaltLen+1)}},
		{"axon ipv4 with 16 bytes", &ServeAxon{IP: make([]byte, 16), IPType: IPv4}},
		{"axon unknown ip type", &ServeAxon{IP: make([]byte, 4), IPType: 5}},
		{"empty hyperparameter name", &SetHyperparameter{}},
	} {
		tx, err := NewTx("c", 0, 0, tc.call)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Call(); !errors.Is(err, ErrCallDecode) {
			t.Errorf("%s: err = %v, want ErrCallDecode", tc.name, err)
		}
	}
}

func TestCommitHashBindsEveryInput(t *testing.T) {
	hk := common20(1)
	base := WeightsCommitHash(hk, 1, []uint16{1}, []uint16{2}, []uint16{3}, 4)
	for name, h := range map[string]Hash{
		"hotkey":  WeightsCommitHash(common20(2), 1, []uint16{1}, []uint16{2}, []uint16{3}, 4),
		"netuid":  WeightsCommitHash(hk, 2, []uint16{1}, []uint16{2}, []uint16{3}, 4),
		"uids":    WeightsCommitHash(hk, 1, []uint16{2}, []uint16{2}, []uint16{3}, 4),
		"values":  WeightsCommitHash(hk, 1, []uint16{1}, []uint16{3}, []uint16{3}, 4),
		"salt":    WeightsCommitHash(hk, 1, []uint16{1}, []uint16{2}, []uint16{4}, 4),
		"version": WeightsCommitHash(hk, 1, []uint16{1}, []uint16{2}, []uint16{3}, 5),
	} {
		if h == base {
			t.Errorf("changing %s does not change the commitment", name)
		}
	}
}

func FuzzCall(f *testing.F) {
	for _, c := range sampleCalls() {
		b, _ := rlp.EncodeToBytes(c)
		f.Add(uint16(c.Kind()), b)
	}
	f.Fuzz(func(t *testing.T, kind uint16, payload []byte) {
		tx := &Tx{ChainID: "c", Kind: CallKind(kind), Payload: payload}
		c, err := tx.Call()
		if err != nil {
			return
		}
		again, err := rlp.EncodeToBytes(c)
		if err != nil || !bytes.Equal(again, payload) {
			t.Fatalf("accepted payload does not re-encode identically")
		}
	})
}
