package miner

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/types"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func key(t testing.TB, seed byte) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(bytes.Repeat([]byte{seed}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func addr(k *ecdsa.PrivateKey) types.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// env is a running miner with a metagraph of: validator (permit), staker
// (no permit, stake above MinStake), pauper (no permit, little stake) and
// the miner itself. stranger is not registered.
type env struct {
	t                                testing.TB
	cfg                              Config
	miner, validator, staker, pauper *ecdsa.PrivateKey
	stranger, otherMiner             *ecdsa.PrivateKey
	mg                               *axon.Metagraph
	clock                            *fakeClock
	metrics                          *Metrics
	srv                              *Server
	http                             *httptest.Server
	nonce                            uint64
	handlers                         []Handler
}

func newEnv(t testing.TB, mutate func(*Config), handlers ...Handler) *env {
	t.Helper()
	e := &env{
		t: t, miner: key(t, 1), validator: key(t, 2), staker: key(t, 3), pauper: key(t, 4),
		stranger: key(t, 5), otherMiner: key(t, 6), clock: newFakeClock(), handlers: handlers,
	}
	e.cfg = TestConfig(e.miner, t.TempDir())
	e.cfg.MinStake = 1000
	if mutate != nil {
		mutate(&e.cfg)
	}
	var err error
	e.mg, err = axon.NewMetagraph(
		axon.NeuronInfo{UID: 0, Hotkey: addr(e.validator), Stake: 5000, ValidatorPermit: true},
		axon.NeuronInfo{UID: 1, Hotkey: addr(e.staker), Stake: 1000},
		axon.NeuronInfo{UID: 2, Hotkey: addr(e.pauper), Stake: 999},
		axon.NeuronInfo{UID: 3, Hotkey: addr(e.miner)},
		axon.NeuronInfo{UID: 4, Hotkey: addr(e.otherMiner)},
	)
	if err != nil {
		t.Fatal(err)
	}
	e.start()
	return e
}

// start (re)starts the miner on the same data dir with fresh metrics.
func (e *env) start() {
	e.t.Helper()
	var err error
	e.metrics, err = NewMetrics(prometheus.NewRegistry())
	if err != nil {
		e.t.Fatal(err)
	}
	e.srv, err = New(e.cfg, Deps{Metagraph: e.mg, Metrics: e.metrics, Clock: e.clock.Now, Handlers: e.handlers})
	if err != nil {
		e.t.Fatal(err)
	}
	e.http = httptest.NewServer(e.srv)
	e.t.Cleanup(e.stop)
}

func (e *env) stop() {
	if e.http != nil {
		e.http.Close()
		e.http = nil
		if err := e.srv.Close(); err != nil {
			e.t.Errorf("close miner: %v", err)
		}
	}
}

func (e *env) restart() {
	e.stop()
	e.start()
}

// call describes one request; the zero value of a field means "the usual".
type call struct {
	from    *ecdsa.PrivateKey // default validator
	target  *types.Address    // default the miner
	nonce   uint64            // default next
	ts      *time.Time        // default clock now
	chainID string            // default the miner's
	synapse string            // default textgen
	body    []byte            // default a valid textgen request
	tamper  func(*http.Request)
}

type result struct {
	status int
	body   []byte
	header http.Header
	msg    axon.RequestMessage
}

func (e *env) do(c call) result {
	e.t.Helper()
	if c.from == nil {
		c.from = e.validator
	}
	target := addr(e.miner)
	if c.target != nil {
		target = *c.target
	}
	if c.nonce == 0 {
		e.nonce++
		c.nonce = e.nonce
	}
	ts := e.clock.Now()
	if c.ts != nil {
		ts = *c.ts
	}
	if c.chainID == "" {
		c.chainID = e.cfg.ChainID
	}
	if c.synapse == "" {
		c.synapse = "textgen"
	}
	if c.body == nil {
		c.body = []byte(`{"prompt":"the rays of light","max_tokens":16}`)
	}
	m := axon.RequestMessage{Target: target, ChainID: c.chainID, NetUID: e.cfg.NetUID, Nonce: c.nonce, Timestamp: uint64(ts.UnixMilli())}
	req, err := axon.NewSignedRequest(context.Background(), c.from, e.http.URL, c.synapse, &m, c.body)
	if err != nil {
		e.t.Fatal(err)
	}
	if c.tamper != nil {
		c.tamper(req)
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return result{status: resp.StatusCode, body: b, header: resp.Header, msg: m}
}

func (e *env) rejects(reason string) float64 {
	return testutil.ToFloat64(e.metrics.Rejects.WithLabelValues(reason))
}

// expectReject runs c and checks the status, the error body and that the
// reject counter for reason went up by exactly one.
func (e *env) expectReject(name string, c call, status int, reason string) result {
	e.t.Helper()
	before := e.rejects(reason)
	r := e.do(c)
	if r.status != status {
		e.t.Errorf("%s: status %d, want %d (body %s)", name, r.status, status, r.body)
	}
	if !bytes.Contains(r.body, []byte(`"error":"`+reason+`"`)) {
		e.t.Errorf("%s: body %s does not name reason %q", name, r.body, reason)
	}
	if got := e.rejects(reason) - before; got != 1 {
		e.t.Errorf("%s: rejects_total{reason=%q} went up by %v, want 1", name, reason, got)
	}
	return r
}

// verifyResponse checks the miner's signature on r.
func (e *env) verifyResponse(r result) error {
	sig, err := axon.ResponseSignature(r.header)
	if err != nil {
		return err
	}
	rm := axon.ResponseMessage{RequestID: r.msg.ID(), Status: uint16(r.status), BodyHash: axon.BodyHash(r.body)}
	return rm.Verify(sig, addr(e.miner))
}
