package miner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/axon/textgen"
)

func TestServeSignedRequest(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(call{})
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	resp, err := textgen.DecodeResponse(r.body)
	if err != nil {
		t.Fatal(err)
	}
	want := textgen.Detokenize(textgen.Builtin().Generate("the rays of light", 16))
	if resp.Text != want {
		t.Errorf("text %q, want the model's %q", resp.Text, want)
	}
	if err := e.verifyResponse(r); err != nil {
		t.Errorf("response signature: %v", err)
	}
	if got := r.header.Get(axon.HeaderRequestID); got != r.msg.ID().Hex() {
		t.Errorf("request id header %s, want %s", got, r.msg.ID().Hex())
	}
	if got := testutil.ToFloat64(e.metrics.Requests.WithLabelValues("textgen", "200")); got != 1 {
		t.Errorf("requests_total{textgen,200} = %v", got)
	}
	if got := testutil.CollectAndCount(e.metrics.Latency); got != 1 {
		t.Errorf("latency series = %d", got)
	}
	// A registered caller without a permit but with enough stake is served.
	if r := e.do(call{from: e.staker}); r.status != http.StatusOK {
		t.Errorf("staker: status %d: %s", r.status, r.body)
	}
}

// TestSecurityRejects runs every attack against a live miner and checks the
// status, the reason and the reject counter.
func TestSecurityRejects(t *testing.T) {
	e := newEnv(t, nil)
	other := addr(e.otherMiner)
	stale := e.clock.Now().Add(-31 * time.Second)
	future := e.clock.Now().Add(31 * time.Second)
	big := []byte(`{"prompt":"` + strings.Repeat("a", int(e.cfg.MaxRequestBytes)) + `","max_tokens":1}`)
	setHeader := func(k, v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set(k, v) } }

	cases := []struct {
		name   string
		c      call
		status int
		reason string
	}{
		{"unsigned", call{tamper: func(r *http.Request) {
			for _, h := range []string{axon.HeaderSignature, axon.HeaderCaller, axon.HeaderTarget, axon.HeaderNonce, axon.HeaderTimestamp} {
				r.Header.Del(h)
			}
		}}, 401, ReasonUnsigned},
		{"empty signature", call{tamper: setHeader(axon.HeaderSignature, "")}, 401, ReasonUnsigned},
		{"short signature", call{tamper: setHeader(axon.HeaderSignature, "0x"+strings.Repeat("ab", 64))}, 401, ReasonBadSignature},
		{"garbage signature", call{tamper: setHeader(axon.HeaderSignature, "0x"+strings.Repeat("ff", 65))}, 401, ReasonBadSignature},
		{"zero signature", call{tamper: setHeader(axon.HeaderSignature, "0x"+strings.Repeat("00", 65))}, 401, ReasonBadSignature},
		{"non-hex signature", call{tamper: setHeader(axon.HeaderSignature, "0x"+strings.Repeat("zz", 65))}, 401, ReasonBadSignature},
		{"malformed nonce", call{tamper: setHeader(axon.HeaderNonce, "07")}, 401, ReasonBadHeader},
		{"signed for another miner", call{target: &other}, 401, ReasonWrongTarget},
		{"signed for another miner, target header rewritten", call{target: &other, tamper: setHeader(axon.HeaderTarget, addr(e.miner).Hex())}, 401, ReasonBadSignature},
		{"another chain", call{chainID: "other-chain"}, 401, ReasonBadSignature},
		{"stale timestamp", call{ts: &stale}, 401, ReasonStale},
		{"future timestamp", call{ts: &future}, 401, ReasonStale},
		{"modified body", call{tamper: func(r *http.Request) {
			b := []byte(`{"prompt":"the rays of dark","max_tokens":16}`)
			r.Body = ioNopCloser(b)
			r.ContentLength = int64(len(b))
		}}, 401, ReasonBadSignature},
		{"claims to be the validator", call{from: e.stranger, tamper: setHeader(axon.HeaderCaller, addr(e.validator).Hex())}, 401, ReasonBadSignature},
		{"unregistered caller", call{from: e.stranger}, 403, ReasonUnregistered},
		{"no permit, little stake", call{from: e.pauper}, 403, ReasonNoPermit},
		{"oversized body", call{body: big}, 413, ReasonTooLarge},
		{"oversized chunked body", call{body: big, tamper: func(r *http.Request) { r.ContentLength = -1 }}, 413, ReasonTooLarge},
		{"unknown synapse", call{synapse: "nope"}, 404, ReasonUnknownSynapse},
		{"query string", call{tamper: func(r *http.Request) { r.URL.RawQuery = "x=1" }}, 400, ReasonBadRequest},
		{"bad body", call{body: []byte(`{"prompt":1}`)}, 400, ReasonBadRequest},
		{"GET", call{tamper: func(r *http.Request) { r.Method = http.MethodGet }}, 405, ReasonMethod},
	}
	for _, tc := range cases {
		e.expectReject(tc.name, tc.c, tc.status, tc.reason)
	}
	// Pre-authentication rejects are not signed (no signing oracle); the
	// ones after authentication are.
	r := e.do(call{from: e.stranger})
	if r.header.Get(axon.HeaderSignature) != "" {
		t.Error("unauthenticated reject carries a signature")
	}
	if r := e.do(call{body: []byte(`{}`)}); e.verifyResponse(r) != nil {
		t.Errorf("authenticated 400 not signed: %v", e.verifyResponse(r))
	}
}

func ioNopCloser(b []byte) *nopCloser { return &nopCloser{bytes.NewReader(b)} }

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func TestReplay(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.do(call{nonce: 10}); r.status != 200 {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	e.expectReject("same nonce", call{nonce: 10}, 401, ReasonReplay)
	e.expectReject("older nonce", call{nonce: 9}, 401, ReasonReplay)
	// Nonces are per caller: another validator may use 10.
	if r := e.do(call{from: e.staker, nonce: 10}); r.status != 200 {
		t.Fatalf("other caller: %d %s", r.status, r.body)
	}
	// The replay reject is signed: the validator can tell it came from the miner.
	if r := e.do(call{nonce: 10}); e.verifyResponse(r) != nil {
		t.Errorf("replay reject not signed by the miner: %v", e.verifyResponse(r))
	}

	e.restart()
	e.expectReject("same nonce after restart", call{nonce: 10}, 401, ReasonReplay)
	e.expectReject("staker nonce after restart", call{from: e.staker, nonce: 10}, 401, ReasonReplay)
	if r := e.do(call{nonce: 11}); r.status != 200 {
		t.Fatalf("next nonce after restart: %d %s", r.status, r.body)
	}
	e.restart()
	e.expectReject("second restart", call{nonce: 11}, 401, ReasonReplay)
}

// TestConcurrentReplay: of many concurrent requests with one nonce, exactly
// one is served.
func TestConcurrentReplay(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RateBurst = 100 })
	var wg sync.WaitGroup
	codes := make(chan int, 16)
	for range 16 {
		wg.Go(func() { codes <- e.do(call{nonce: 77}).status })
	}
	wg.Wait()
	close(codes)
	ok := 0
	for c := range codes {
		switch c {
		case 200:
			ok++
		case 401:
		default:
			t.Errorf("status %d", c)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 16 replays served, want 1", ok)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RateLimit = 1; c.RateBurst = 3 })
	for i := range 3 {
		if r := e.do(call{}); r.status != 200 {
			t.Fatalf("request %d within burst: %d", i, r.status)
		}
	}
	r := e.expectReject("over the burst", call{}, 429, ReasonRateLimited)
	if err := e.verifyResponse(r); err != nil {
		t.Errorf("429 not signed: %v", err)
	}
	// Other callers have their own bucket.
	if r := e.do(call{from: e.staker}); r.status != 200 {
		t.Fatalf("other caller limited: %d", r.status)
	}
	e.clock.Advance(time.Second)
	if r := e.do(call{}); r.status != 200 {
		t.Fatalf("after refill: %d", r.status)
	}
	e.expectReject("bucket empty again", call{}, 429, ReasonRateLimited)
}

// TestReplaysDoNotDrainTheBucket: an on-path attacker replaying a captured
// signed request gets replay every time, and the real validator's bucket
// is left as its own request left it (the nonce is checked before the
// rate limit).
func TestReplaysDoNotDrainTheBucket(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RateLimit = 1; c.RateBurst = 3 })
	if r := e.do(call{nonce: 50}); r.status != 200 {
		t.Fatalf("the validator's request: %d %s", r.status, r.body)
	}
	for i := range 10 {
		e.expectReject(fmt.Sprintf("replay %d", i), call{nonce: 50}, 401, ReasonReplay)
	}
	// The clock has not moved: the burst less the one real request is left.
	for i := range 2 {
		if r := e.do(call{nonce: uint64(51 + i)}); r.status != 200 {
			t.Fatalf("validator request %d after the replays: %d %s", i, r.status, r.body)
		}
	}
	e.expectReject("the validator's own burst used up", call{nonce: 60}, 429, ReasonRateLimited)
}

// blockingHandler holds every request until released.
type blockingHandler struct {
	started chan struct{}
	release chan struct{}
}

func (h *blockingHandler) Synapse() string { return "block" }
func (h *blockingHandler) Serve(ctx context.Context, _ *Request) (any, error) {
	h.started <- struct{}{}
	select {
	case <-h.release:
		return map[string]string{"ok": "yes"}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func TestOverloadAndPriority(t *testing.T) {
	h := &blockingHandler{started: make(chan struct{}, 8), release: make(chan struct{})}
	e := newEnv(t, func(c *Config) { c.MaxConcurrent = 1; c.MaxQueue = 1 }, h)
	body := []byte(`{}`)
	// Nonces are fixed up front so that concurrent requests never race on them.
	results := make(chan result, 3)
	go func() { results <- e.do(call{synapse: "block", body: body, nonce: 1}) }()
	<-h.started // the only worker is busy
	queued := make(chan struct{})
	e.metricsWait(t, func() bool { return testutil.ToFloat64(e.metrics.InFlight) == 1 })
	go func() {
		// The staker (stake 1000) waits in the one queue slot.
		results <- e.do(call{from: e.staker, synapse: "block", body: body, nonce: 1})
		close(queued)
	}()
	e.metricsWait(t, func() bool { return testutil.ToFloat64(e.metrics.Queued) == 1 })
	// The validator (stake 5000) evicts the staker from the full queue.
	go func() { results <- e.do(call{synapse: "block", body: body, nonce: 2}) }()
	<-queued
	r := <-results
	if r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), ReasonOverloaded) {
		t.Fatalf("evicted request: %d %s", r.status, r.body)
	}
	// A lower-stake newcomer is refused outright when the queue is full.
	e.expectReject("queue full", call{from: e.staker, synapse: "block", body: body, nonce: 2}, 503, ReasonOverloaded)
	close(h.release)
	for range 2 {
		if r := <-results; r.status != 200 {
			t.Errorf("served request: %d %s", r.status, r.body)
		}
	}
	if got := e.rejects(ReasonOverloaded); got != 2 {
		t.Errorf("overloaded rejects = %v, want 2", got)
	}
}

// metricsWait polls a condition on metrics the server updates; it spins
// on scheduler yields, not on sleeps, and gives up after a bounded count.
func (e *env) metricsWait(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		<-time.After(time.Millisecond)
	}
}

type slowHandler struct{}

func (slowHandler) Synapse() string { return "slow" }
func (slowHandler) Serve(ctx context.Context, _ *Request) (any, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestHandlerTimeout(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RequestTimeout = 50 * time.Millisecond }, slowHandler{})
	e.expectReject("slow handler", call{synapse: "slow", body: []byte(`{}`)}, 504, ReasonTimeout)
}

type bigHandler struct{}

func (bigHandler) Synapse() string { return "big" }
func (bigHandler) Serve(context.Context, *Request) (any, error) {
	return strings.Repeat("x", 2048), nil
}

type failingHandler struct{}

func (failingHandler) Synapse() string { return "fail" }
func (failingHandler) Serve(context.Context, *Request) (any, error) {
	return nil, errors.New("secret internal detail")
}

func TestResponseLimitsAndErrors(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxResponseBytes = 1024 }, bigHandler{}, failingHandler{})
	e.expectReject("response too big", call{synapse: "big", body: []byte(`{}`)}, 500, ReasonResponseSize)
	r := e.expectReject("handler error", call{synapse: "fail", body: []byte(`{}`)}, 500, ReasonHandler)
	if strings.Contains(string(r.body), "secret") {
		t.Errorf("internal error text leaked: %s", r.body)
	}
}

func TestNewRejectsBadHandlers(t *testing.T) {
	mg, _ := axon.NewMetagraph()
	cfg := TestConfig(key(t, 1), t.TempDir())
	for name, hs := range map[string][]Handler{
		"bad name":  {NewHandler("Bad Name", textgen.DecodeRequest, nil2)},
		"duplicate": {slowHandler{}, slowHandler{}},
	} {
		if _, err := New(cfg, Deps{Metagraph: mg, Handlers: hs}); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := New(cfg, Deps{}); !errors.Is(err, ErrConfig) {
		t.Errorf("no metagraph: %v", err)
	}
}

func nil2(context.Context, axon.NeuronInfo, textgen.Request) (textgen.Response, error) {
	return textgen.Response{}, nil
}

func TestConfigValidate(t *testing.T) {
	good := TestConfig(key(t, 1), t.TempDir())
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*Config){
		"no chain":      func(c *Config) { c.ChainID = "" },
		"no key":        func(c *Config) { c.Hotkey = nil },
		"no dir":        func(c *Config) { c.DataDir = "" },
		"skew":          func(c *Config) { c.MaxClockSkew = 0 },
		"body":          func(c *Config) { c.MaxRequestBytes = 0 },
		"workers":       func(c *Config) { c.MaxConcurrent = 0 },
		"rate":          func(c *Config) { c.RateLimit = 0 },
		"backend":       func(c *Config) { c.Backend.Kind = "gpu" },
		"quality":       func(c *Config) { c.Backend.Quality = "meh" },
		"noise":         func(c *Config) { c.Backend.Quality = QualityNoisy; c.Backend.NoiseFraction = 1.5 },
		"openai no url": func(c *Config) { c.Backend.Kind = BackendOpenAI },
	} {
		c := good
		mut(&c)
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := e.http.Client().Get(e.http.URL + "/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil || h["hotkey"] != addr(e.miner).Hex() {
		t.Fatalf("health: %v %v", h, err)
	}
}

func TestRun(t *testing.T) {
	cfg := TestConfig(key(t, 1), t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var fetched atomic.Int32
	fetch := func(context.Context) (axon.Snapshot, error) {
		fetched.Add(1)
		return axon.Snapshot{Block: 7}, nil
	}
	if err := Run(ctx, cfg, Deps{Fetch: fetch}); err != nil {
		t.Fatalf("Run with a cancelled context: %v", err)
	}
	if fetched.Load() == 0 {
		t.Error("Run did not read the metagraph before serving")
	}
	failing := func(context.Context) (axon.Snapshot, error) { return axon.Snapshot{}, errors.New("rpc down") }
	if err := Run(context.Background(), cfg, Deps{Fetch: failing}); err == nil {
		t.Error("Run served without a metagraph")
	}
	if err := Run(context.Background(), cfg, Deps{}); !errors.Is(err, ErrConfig) {
		t.Errorf("Run with neither metagraph nor fetch: %v", err)
	}
}

func TestNewCreatesDataDir(t *testing.T) {
	mg, _ := axon.NewMetagraph()
	cfg := TestConfig(key(t, 1), t.TempDir()+"/nested/miner")
	s, err := New(cfg, Deps{Metagraph: mg})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
