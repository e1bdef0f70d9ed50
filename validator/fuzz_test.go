package validator

import (
	"net/http"
	"testing"

	"github.com/yumachain/yuma/types"
)

func FuzzDecodeScores(f *testing.F) {
	f.Add([]byte(`{"version":1,"netuid":1,"scores":[{"uid":1,"hotkey":"0x0000000000000000000000000000000000000001","score":0.5,"samples":3}]}`))
	f.Add([]byte(`{"version":1,"netuid":1,"scores":[{"uid":1,"score":0.5},{"uid":1,"score":0.5}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeScores(b, 1)
		if err != nil {
			return
		}
		enc, err := encodeScores(m, 1)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := decodeScores(enc, 1)
		if err != nil || len(m2) != len(m) {
			t.Fatalf("re-decode: %v", err)
		}
		for k, e := range m {
			if m2[k] != e {
				t.Fatalf("uid %d: %+v vs %+v", k, m2[k], e)
			}
		}
	})
}

func FuzzDecodeWeights(f *testing.F) {
	f.Add([]byte(`{"version":1,"netuid":1,"last_set":5,"pending":{"hash":"0x0000000000000000000000000000000000000000000000000000000000000000","uids":[1],"values":[2],"salt":[3],"version_key":0,"commit_block":1,"reveal_first":2,"reveal_last":3}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeWeights(b, 1)
		if err != nil {
			return
		}
		if p := d.Pending; p != nil && len(p.UIDs) != len(p.Values) {
			t.Fatal("accepted mismatched pending commit")
		}
	})
}

// FuzzVerifyResponse: arbitrary response headers and bodies never verify
// (the key is unknown to the fuzzer) and never panic.
func FuzzVerifyResponse(f *testing.F) {
	f.Add("0x"+string(make([]byte, 130)), 200, []byte("{}"))
	f.Add("", 500, []byte{})
	miner := types.Address{9}
	f.Fuzz(func(t *testing.T, sig string, status int, body []byte) {
		h := http.Header{}
		h.Set("Yuma-Signature", sig)
		if err := VerifyResponse(types.Hash{1}, miner, status, h, body); err == nil {
			t.Fatal("forged response verified")
		}
	})
}
