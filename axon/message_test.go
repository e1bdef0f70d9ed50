package axon

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/yumachain/yuma/types"
)

func testKey(t testing.TB, seed byte) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sampleRequest(t testing.TB) (*ecdsa.PrivateKey, RequestMessage) {
	k := testKey(t, 1)
	return k, RequestMessage{
		Caller:    crypto.PubkeyToAddress(k.PublicKey),
		Target:    crypto.PubkeyToAddress(testKey(t, 2).PublicKey),
		ChainID:   "yuma-test",
		NetUID:    3,
		Nonce:     42,
		Timestamp: 1_700_000_000_000,
		Path:      "/synapse/textgen",
		BodyHash:  BodyHash([]byte(`{"prompt":"light"}`)),
	}
}

// Golden vectors pin the canonical encoding of both signed messages: a
// change here breaks every deployed miner and validator.
func TestGoldenHashes(t *testing.T) {
	_, m := sampleRequest(t)
	const wantID = "0xe7f030e131ede47d878b5305be3ba690ad1882c12a2a776367d2e801a1657c41"
	if got := m.ID().Hex(); got != wantID {
		t.Errorf("request id = %s, want %s", got, wantID)
	}
	// Signatures are deterministic (RFC 6979), so the header form is pinned too.
	sig, err := m.Sign(testKey(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	const wantSig = "0x8ad979c8c2130448451b741fd6f134f417032bde44b568e477f7f03f32cd0b4021bbeabf81d13e9ee68e37e5389b4d9942901c90dcaf9c87f2901fe8a1ef04a900"
	if got := EncodeSignature(sig); got != wantSig {
		t.Errorf("signature = %s, want %s", got, wantSig)
	}
	r := ResponseMessage{RequestID: m.ID(), Status: 200, BodyHash: BodyHash([]byte(`{"text":"is"}`))}
	const wantResp = "0x4d5b58924d96a7f3f3fe86f33ba67407d2b958ae4ce51f7c8ac9b2a2b468eeb8"
	if got := r.Hash().Hex(); got != wantResp {
		t.Errorf("response hash = %s, want %s", got, wantResp)
	}
}

func TestRequestSignVerify(t *testing.T) {
	k, m := sampleRequest(t)
	sig, err := m.Sign(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Verify(sig); err != nil {
		t.Fatalf("verify own signature: %v", err)
	}
	// Every field is bound: changing any one breaks the signature.
	mutations := map[string]func(*RequestMessage){
		"caller":    func(m *RequestMessage) { m.Caller[0] ^= 1 },
		"target":    func(m *RequestMessage) { m.Target[0] ^= 1 },
		"chain id":  func(m *RequestMessage) { m.ChainID = "other" },
		"netuid":    func(m *RequestMessage) { m.NetUID++ },
		"nonce":     func(m *RequestMessage) { m.Nonce++ },
		"timestamp": func(m *RequestMessage) { m.Timestamp++ },
		"path":      func(m *RequestMessage) { m.Path = "/synapse/other" },
		"body":      func(m *RequestMessage) { m.BodyHash[31] ^= 1 },
	}
	for name, mut := range mutations {
		c := m
		mut(&c)
		if err := c.Verify(sig); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s changed: verify = %v, want ErrBadSignature", name, err)
		}
	}
	for name, bad := range map[string][]byte{
		"empty":   nil,
		"short":   sig[:64],
		"garbage": bytes.Repeat([]byte{0xff}, 65),
		"zero":    make([]byte, 65),
	} {
		if err := m.Verify(bad); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s signature: verify = %v, want ErrBadSignature", name, err)
		}
	}
}

func TestResponseSignVerify(t *testing.T) {
	_, m := sampleRequest(t)
	miner := testKey(t, 2)
	r := ResponseMessage{RequestID: m.ID(), Status: 200, BodyHash: BodyHash([]byte("ok"))}
	sig, err := r.Sign(miner)
	if err != nil {
		t.Fatal(err)
	}
	minerAddr := crypto.PubkeyToAddress(miner.PublicKey)
	if err := r.Verify(sig, minerAddr); err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(sig, m.Caller); !errors.Is(err, ErrBadSignature) {
		t.Errorf("wrong expected hotkey: %v", err)
	}
	for name, mut := range map[string]func(*ResponseMessage){
		"request id": func(r *ResponseMessage) { r.RequestID[0] ^= 1 },
		"status":     func(r *ResponseMessage) { r.Status = 500 },
		"body":       func(r *ResponseMessage) { r.BodyHash[0] ^= 1 },
	} {
		c := r
		mut(&c)
		if err := c.Verify(sig, minerAddr); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s changed: verify = %v", name, err)
		}
	}
	// A request signature is never a valid response signature (domain labels).
	k, m2 := sampleRequest(t)
	reqSig, _ := m2.Sign(k)
	if err := r.Verify(reqSig, m2.Caller); !errors.Is(err, ErrBadSignature) {
		t.Errorf("request signature accepted as response signature")
	}
}

func TestParseAuthRoundTrip(t *testing.T) {
	k, m := sampleRequest(t)
	sig, _ := m.Sign(k)
	a := Auth{Caller: m.Caller, Target: m.Target, Nonce: m.Nonce, Timestamp: m.Timestamp, Signature: sig}
	h := http.Header{}
	a.Write(h)
	got, err := ParseAuth(h)
	if err != nil {
		t.Fatal(err)
	}
	if got.Caller != a.Caller || got.Target != a.Target || got.Nonce != a.Nonce || got.Timestamp != a.Timestamp || !bytes.Equal(got.Signature, sig) {
		t.Fatalf("round trip: got %+v, want %+v", got, a)
	}
}

func TestParseAuthErrors(t *testing.T) {
	k, m := sampleRequest(t)
	sig, _ := m.Sign(k)
	good := func() http.Header {
		h := http.Header{}
		(&Auth{Caller: m.Caller, Target: m.Target, Nonce: 1, Timestamp: 2, Signature: sig}).Write(h)
		return h
	}
	cases := []struct {
		name string
		mut  func(http.Header)
		want error
	}{
		{"no signature", func(h http.Header) { h.Del(HeaderSignature) }, ErrMissingAuth},
		{"empty signature", func(h http.Header) { h.Set(HeaderSignature, "") }, ErrMissingAuth},
		{"0x only", func(h http.Header) { h.Set(HeaderSignature, "0x") }, ErrBadSignature},
		{"short signature", func(h http.Header) { h.Set(HeaderSignature, EncodeSignature(sig[:64])) }, ErrBadSignature},
		{"no prefix", func(h http.Header) { h.Set(HeaderSignature, EncodeSignature(sig)[2:]) }, ErrBadSignature},
		{"not hex", func(h http.Header) { h.Set(HeaderSignature, "0x"+strings.Repeat("zz", 65)) }, ErrBadSignature},
		{"two signatures", func(h http.Header) { h.Add(HeaderSignature, EncodeSignature(sig)) }, ErrBadHeader},
		{"no caller", func(h http.Header) { h.Del(HeaderCaller) }, ErrMissingAuth},
		{"bad caller", func(h http.Header) { h.Set(HeaderCaller, "0x1234") }, ErrBadHeader},
		{"bad checksum", func(h http.Header) {
			s := []byte(m.Caller.Hex())
			for i := 2; i < len(s); i++ {
				if s[i] >= 'a' && s[i] <= 'f' {
					s[i] -= 'a' - 'A'
					break
				}
			}
			h.Set(HeaderCaller, string(s))
		}, ErrBadHeader},
		{"no target", func(h http.Header) { h.Del(HeaderTarget) }, ErrMissingAuth},
		{"negative nonce", func(h http.Header) { h.Set(HeaderNonce, "-1") }, ErrBadHeader},
		{"padded nonce", func(h http.Header) { h.Set(HeaderNonce, "01") }, ErrBadHeader},
		{"plus nonce", func(h http.Header) { h.Set(HeaderNonce, "+1") }, ErrBadHeader},
		{"huge nonce", func(h http.Header) { h.Set(HeaderNonce, "18446744073709551616") }, ErrBadHeader},
		{"no timestamp", func(h http.Header) { h.Del(HeaderTimestamp) }, ErrMissingAuth},
		{"float timestamp", func(h http.Header) { h.Set(HeaderTimestamp, "1.5") }, ErrBadHeader},
		{"long value", func(h http.Header) { h.Set(HeaderTimestamp, strings.Repeat("1", 300)) }, ErrBadHeader},
	}
	for _, tc := range cases {
		h := good()
		tc.mut(h)
		if _, err := ParseAuth(h); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestSynapsePath(t *testing.T) {
	for _, ok := range []string{"/synapse/textgen", "/synapse/a", "/synapse/a-b.c_9"} {
		if _, err := ParseSynapsePath(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"/", "/synapse/", "/synapse/Text", "/synapse/9a", "/synapse/a/b", "/other/a", "/synapse/" + strings.Repeat("a", 65), "/synapse/a b"} {
		if _, err := ParseSynapsePath(bad); !errors.Is(err, ErrBadPath) {
			t.Errorf("%q: err = %v, want ErrBadPath", bad, err)
		}
	}
}

func TestMetagraph(t *testing.T) {
	a := types.Address{1}
	b := types.Address{2}
	mg, err := NewMetagraph(NeuronInfo{UID: 1, Hotkey: b}, NeuronInfo{UID: 0, Hotkey: a, Stake: 5})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := mg.Neuron(a); !ok || n.UID != 0 || n.Stake != 5 {
		t.Errorf("Neuron(a) = %+v, %v", n, ok)
	}
	if n, ok := mg.NeuronByUID(1); !ok || n.Hotkey != b {
		t.Errorf("NeuronByUID(1) = %+v, %v", n, ok)
	}
	if ns := mg.Neurons(); len(ns) != 2 || ns[0].UID != 0 {
		t.Errorf("Neurons not sorted: %+v", ns)
	}
	if err := mg.Set(Snapshot{Neurons: []NeuronInfo{{UID: 1, Hotkey: a}, {UID: 2, Hotkey: a}}}); err == nil {
		t.Error("duplicate hotkey accepted")
	}
	if err := mg.Set(Snapshot{Neurons: []NeuronInfo{{UID: 1, Hotkey: a}, {UID: 1, Hotkey: b}}}); err == nil {
		t.Error("duplicate uid accepted")
	}
	if _, ok := mg.Neuron(a); !ok {
		t.Error("refused snapshot changed the view")
	}
}

func TestEndpointURL(t *testing.T) {
	for _, tc := range []struct {
		ip   []byte
		port uint16
		want string
	}{
		{[]byte{127, 0, 0, 1}, 8091, "http://127.0.0.1:8091"},
		{[]byte{0, 0, 0, 0}, 8091, ""},
		{[]byte{1, 2, 3}, 8091, ""},
		{[]byte{10, 0, 0, 1}, 0, ""},
		{append(make([]byte, 15), 1), 80, "http://[::1]:80"},
	} {
		if got := EndpointURL(tc.ip, tc.port); got != tc.want {
			t.Errorf("EndpointURL(%v, %d) = %q, want %q", tc.ip, tc.port, got, tc.want)
		}
	}
}

func TestMetagraphRefresh(t *testing.T) {
	mg, _ := NewMetagraph()
	a := types.Address{1}
	good := func(context.Context) (Snapshot, error) {
		return Snapshot{Block: 9, Neurons: []NeuronInfo{{UID: 0, Hotkey: a}}}, nil
	}
	if err := mg.Refresh(context.Background(), good); err != nil || mg.Block() != 9 {
		t.Fatalf("refresh: %v, block %d", err, mg.Block())
	}
	bad := func(context.Context) (Snapshot, error) { return Snapshot{}, errors.New("rpc down") }
	if err := mg.Refresh(context.Background(), bad); err == nil {
		t.Fatal("failed fetch reported no error")
	}
	if _, ok := mg.Neuron(a); !ok || mg.Block() != 9 {
		t.Fatal("failed fetch dropped the previous view")
	}
	// Follow refreshes at once and stops with its context.
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := mg.Follow(ctx, func(context.Context) (Snapshot, error) {
		calls++
		cancel()
		return Snapshot{Block: 10}, nil
	}, time.Hour, nil)
	if !errors.Is(err, context.Canceled) || calls != 1 || mg.Block() != 10 {
		t.Fatalf("Follow: %v, %d calls, block %d", err, calls, mg.Block())
	}
}
