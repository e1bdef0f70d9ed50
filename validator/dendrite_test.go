package validator

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/miner"
)

// forgingMiner answers like a miner but lets a test tamper with what it
// signs and what it sends.
func forgingMiner(t *testing.T, signer *ecdsa.PrivateKey, body string, tamper func(w http.ResponseWriter, sig string, status *int, body *string)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := axon.ParseAuth(r.Header)
		if err != nil {
			http.Error(w, err.Error(), 401)
			return
		}
		var reqBody [1 << 12]byte
		nb, _ := r.Body.Read(reqBody[:])
		m := axon.RequestMessage{Caller: a.Caller, Target: a.Target, ChainID: "yuma-test", NetUID: 1,
			Nonce: a.Nonce, Timestamp: a.Timestamp, Path: r.URL.Path, BodyHash: axon.BodyHash(reqBody[:nb])}
		if m.Verify(a.Signature) != nil {
			http.Error(w, "bad request signature", 401)
			return
		}
		status := 200
		rm := axon.ResponseMessage{RequestID: m.ID(), Status: uint16(status), BodyHash: axon.BodyHash([]byte(body))}
		sig, _ := rm.Sign(signer)
		sent := body
		sigText := axon.EncodeSignature(sig)
		if tamper != nil {
			tamper(w, sigText, &status, &sent)
		} else {
			w.Header().Set(axon.HeaderSignature, sigText)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(sent))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDendriteRejectsForgedResponses(t *testing.T) {
	valKey, minerKey, impostor := key(t, 100), key(t, 1), key(t, 2)
	d := NewDendrite(valKey, "yuma-test", 1, nil, 1<<10, nil)
	body := `{"text":"the light"}`
	setSig := func(w http.ResponseWriter, sig string) { w.Header().Set(axon.HeaderSignature, sig) }
	cases := []struct {
		name   string
		signer *ecdsa.PrivateKey
		tamper func(w http.ResponseWriter, sig string, status *int, body *string)
		want   error
	}{
		{"genuine", minerKey, nil, nil},
		{"wrong key", impostor, nil, ErrForgedResponse},
		{"modified body", minerKey, func(w http.ResponseWriter, sig string, _ *int, b *string) { setSig(w, sig); *b = `{"text":"the dark"}` }, ErrForgedResponse},
		{"modified status", minerKey, func(w http.ResponseWriter, sig string, s *int, _ *string) { setSig(w, sig); *s = 201 }, ErrForgedResponse},
		{"unsigned", minerKey, func(http.ResponseWriter, string, *int, *string) {}, ErrForgedResponse},
		{"garbage signature", minerKey, func(w http.ResponseWriter, _ string, _ *int, _ *string) { setSig(w, "0x"+strings.Repeat("ff", 65)) }, ErrForgedResponse},
		{"oversized", minerKey, func(w http.ResponseWriter, sig string, _ *int, b *string) {
			setSig(w, sig)
			*b = strings.Repeat("x", 2<<10)
		}, ErrResponseTooLarge},
	}
	for _, tc := range cases {
		srv := forgingMiner(t, tc.signer, body, tc.tamper)
		n := axon.NeuronInfo{UID: 1, Hotkey: addr(minerKey), Endpoint: srv.URL}
		resp, err := d.Query(context.Background(), n, "textgen", []byte(`{}`))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if tc.want == nil && (resp.Status != 200 || string(resp.Body) != body) {
			t.Errorf("%s: response %+v", tc.name, resp)
		}
	}
}

// TestForgedResponseScoresZero: a validator gives no score to a UID whose
// answers are signed by another key, even if the text is perfect.
func TestForgedResponseScoresZero(t *testing.T) {
	valKey := key(t, 100)
	// A genuine good miner, published on chain under a different hotkey.
	genuine := startMiner(t, 1, 11, miner.QualityGood, valKey, nil)
	genuine.Hotkey = addr(key(t, 99))
	n := newTestNet(t, genuine)
	n.step()
	if s := n.v.Scores()[1]; s.Score != 0 {
		t.Fatalf("forged responses scored %v", s.Score)
	}
}

func TestDendriteNonceIncreases(t *testing.T) {
	fixed := time.Unix(1_700_000_000, 0)
	d := NewDendrite(key(t, 1), "c", 1, nil, 1, func() time.Time { return fixed })
	a, b := d.nextNonce(), d.nextNonce()
	if a != uint64(fixed.UnixNano()) || b != a+1 {
		t.Fatalf("nonces %d %d", a, b)
	}
	// A restarted validator (fresh dendrite) still moves past old nonces
	// as the clock advances.
	d2 := NewDendrite(key(t, 1), "c", 1, nil, 1, func() time.Time { return fixed.Add(time.Millisecond) })
	if c := d2.nextNonce(); c <= b {
		t.Fatalf("nonce after restart %d <= %d", c, b)
	}
}

// TestDendriteAgainstRealMiner: the real miner's rejections come back as
// signed non-200 responses, verified.
func TestDendriteAgainstRealMiner(t *testing.T) {
	valKey := key(t, 100)
	m := startMiner(t, 1, 11, miner.QualityGood, valKey, nil)
	d := NewDendrite(valKey, "yuma-test", 1, nil, 1<<20, nil)
	resp, err := d.Query(context.Background(), m, "textgen", []byte(`{"prompt":"x","max_tokens":0}`))
	if err != nil || resp.Status != 400 {
		t.Fatalf("bad body: %+v %v", resp, err)
	}
	// Another validator chain id: the miner cannot verify, answers unsigned.
	d2 := NewDendrite(valKey, "other-chain", 1, nil, 1<<20, nil)
	if _, err := d2.Query(context.Background(), m, "textgen", []byte(`{"prompt":"x","max_tokens":1}`)); !errors.Is(err, ErrForgedResponse) {
		t.Fatalf("unsigned 401 accepted: %v", err)
	}
}
