package miner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/yumachain/yuma/axon"
	"github.com/yumachain/yuma/axon/textgen"
	"github.com/yumachain/yuma/types"
)

// Metagraph is what the miner needs from the chain: the neuron registered
// with a hotkey on its subnet. *axon.Metagraph implements it.
type Metagraph interface {
	Neuron(hotkey types.Address) (axon.NeuronInfo, bool)
}

// Deps are the miner's collaborators. Metagraph (or Fetch, for Run) is
// required; the rest have defaults.
type Deps struct {
	Metagraph Metagraph
	// Fetch, used by Run when Metagraph is nil, reads the subnet's
	// neurons from the chain; Run refreshes from it every
	// Config.MetagraphRefresh.
	Fetch axon.Fetch
	// Handlers serve the synapses; empty means the built-in textgen task
	// over Config.Backend.
	Handlers []Handler
	// HTTPClient is used by upstream backends (default http.DefaultClient).
	HTTPClient HTTPDoer
	Logger     *slog.Logger
	Metrics    *Metrics
	// Clock is the time source for freshness and rate limits.
	Clock func() time.Time
}

// Reject reasons: the values of the rejects_total "reason" label and of
// the "error" field of error bodies. docs/protocol.md lists them with
// their status codes.
const (
	ReasonMethod         = "method"           // 405: not POST
	ReasonUnknownSynapse = "unknown_synapse"  // 404
	ReasonTooLarge       = "too_large"        // 413
	ReasonUnsigned       = "unsigned"         // 401: no or empty signature or auth header
	ReasonBadHeader      = "bad_header"       // 401: malformed auth header
	ReasonBadSignature   = "bad_signature"    // 401: malformed, or not by the claimed caller over this request
	ReasonWrongTarget    = "wrong_target"     // 401: meant for another hotkey
	ReasonStale          = "stale"            // 401: timestamp outside the clock skew
	ReasonReplay         = "replay"           // 401: nonce not greater than the last accepted
	ReasonUnregistered   = "unregistered"     // 403: caller not on the subnet
	ReasonNoPermit       = "no_permit"        // 403: no validator permit and too little stake
	ReasonRateLimited    = "rate_limited"     // 429
	ReasonOverloaded     = "overloaded"       // 503
	ReasonBadRequest     = "bad_request"      // 400: body rejected by the handler, or a query string
	ReasonTimeout        = "timeout"          // 504
	ReasonHandler        = "handler_error"    // 500
	ReasonResponseSize   = "response_too_big" // 500
	ReasonNonceStore     = "nonce_store"      // 500: replay protection could not be made durable
)

// Server is a miner's axon. It is an http.Handler.
type Server struct {
	cfg      Config
	hotkey   types.Address
	mg       Metagraph
	handlers map[string]Handler
	nonces   *NonceStore
	limiter  *rateLimiter
	queue    *admission
	log      *slog.Logger
	metrics  *Metrics
	now      func() time.Time
}

// New builds a server and opens its nonce file. Close it when done.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Metagraph == nil {
		return nil, fmt.Errorf("%w: no metagraph", ErrConfig)
	}
	s := &Server{
		cfg: cfg, hotkey: crypto.PubkeyToAddress(cfg.Hotkey.PublicKey), mg: deps.Metagraph,
		handlers: map[string]Handler{}, log: deps.Logger, metrics: deps.Metrics, now: deps.Clock,
		limiter: newRateLimiter(cfg.RateLimit, cfg.RateBurst),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.metrics == nil {
		s.metrics = NopMetrics()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.queue = newAdmission(cfg.MaxConcurrent, cfg.MaxQueue, func(n int) { s.metrics.Queued.Set(float64(n)) })
	handlers := deps.Handlers
	if len(handlers) == 0 {
		b, err := NewBackend(cfg.Backend, textgen.Builtin(), deps.HTTPClient)
		if err != nil {
			return nil, err
		}
		handlers = []Handler{TextGen(b)}
	}
	for _, h := range handlers {
		name := h.Synapse()
		if !axon.ValidSynapseName(name) {
			return nil, fmt.Errorf("%w: synapse name %q", ErrConfig, name)
		}
		if _, dup := s.handlers[name]; dup {
			return nil, fmt.Errorf("%w: synapse %q twice", ErrConfig, name)
		}
		s.handlers[name] = h
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("miner data dir: %w", err)
	}
	var err error
	s.nonces, err = OpenNonceStore(filepath.Join(cfg.DataDir, "nonces.log"), func(int) { s.metrics.NonceSyncs.Inc() })
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Hotkey is the miner's address.
func (s *Server) Hotkey() types.Address { return s.hotkey }

// Close closes the nonce file. Call it after the HTTP server has stopped.
func (s *Server) Close() error { return s.nonces.Close() }

// Serve serves HTTP on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: min(s.cfg.ReadTimeout, 5*time.Second),
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("miner serving", "addr", ln.Addr().String(), "hotkey", s.hotkey, "netuid", s.cfg.NetUID)
	select {
	case err := <-errc:
		return fmt.Errorf("miner http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("miner shutdown: %w", err)
	}
	return nil
}

// errorBody is the JSON body of every error answer.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message,omitempty"`
}

// outcome is how a request ends: the status, the reject reason (empty for
// 200), the body, and whether to sign it.
type outcome struct {
	status  int
	reason  string
	msg     string
	body    []byte
	id      *types.Hash // set once the request is authenticated: sign the response
	durable func(context.Context) error
}

// ServeHTTP answers one request; see docs/protocol.md for the order of the
// checks.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	synapse := "unknown"
	if r.Method == http.MethodGet && r.URL.Path == "/health" {
		s.health(w)
		return
	}
	o := s.handle(w, r, &synapse)
	if o.durable != nil && o.status != http.StatusInternalServerError {
		// The answer leaves only once its nonce is on disk.
		if err := o.durable(r.Context()); err != nil {
			if r.Context().Err() != nil {
				// The caller went away while the record was being synced.
				o = outcome{status: http.StatusGatewayTimeout, reason: ReasonTimeout, id: o.id}
			} else {
				s.log.Error("nonce store", "err", err)
				o = outcome{status: http.StatusInternalServerError, reason: ReasonNonceStore, id: o.id}
			}
		}
	}
	s.write(w, o)
	code := strconv.Itoa(o.status)
	s.metrics.Requests.WithLabelValues(synapse, code).Inc()
	s.metrics.Latency.WithLabelValues(synapse).Observe(time.Since(start).Seconds())
	if o.reason != "" {
		s.metrics.Rejects.WithLabelValues(o.reason).Inc()
		s.log.Debug("request rejected", "reason", o.reason, "status", o.status, "msg", o.msg, "remote", r.RemoteAddr)
	}
}

func reject(status int, reason, msg string) outcome {
	return outcome{status: status, reason: reason, msg: msg}
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, synapse *string) outcome {
	if r.Method != http.MethodPost {
		return reject(http.StatusMethodNotAllowed, ReasonMethod, "use POST")
	}
	name, err := axon.ParseSynapsePath(r.URL.Path)
	if err != nil {
		return reject(http.StatusNotFound, ReasonUnknownSynapse, err.Error())
	}
	h, ok := s.handlers[name]
	if !ok {
		return reject(http.StatusNotFound, ReasonUnknownSynapse, "no synapse "+name)
	}
	*synapse = name
	if r.URL.RawQuery != "" {
		return reject(http.StatusBadRequest, ReasonBadRequest, "query strings are not signed; send none")
	}
	if r.ContentLength > s.cfg.MaxRequestBytes {
		return reject(http.StatusRequestEntityTooLarge, ReasonTooLarge, fmt.Sprintf("body over %d bytes", s.cfg.MaxRequestBytes))
	}

	auth, err := axon.ParseAuth(r.Header)
	switch {
	case errors.Is(err, axon.ErrMissingAuth):
		return reject(http.StatusUnauthorized, ReasonUnsigned, err.Error())
	case errors.Is(err, axon.ErrBadSignature):
		return reject(http.StatusUnauthorized, ReasonBadSignature, err.Error())
	case err != nil:
		return reject(http.StatusUnauthorized, ReasonBadHeader, err.Error())
	}
	if auth.Target != s.hotkey {
		return reject(http.StatusUnauthorized, ReasonWrongTarget, "request is for "+auth.Target.Hex())
	}
	now := s.now()
	if skew := now.Sub(time.UnixMilli(int64(min(auth.Timestamp, uint64(1)<<62)))).Abs(); skew > s.cfg.MaxClockSkew {
		return reject(http.StatusUnauthorized, ReasonStale, fmt.Sprintf("timestamp %d is %v from now, more than %v", auth.Timestamp, skew, s.cfg.MaxClockSkew))
	}
	caller, ok := s.mg.Neuron(auth.Caller)
	if !ok {
		return reject(http.StatusForbidden, ReasonUnregistered, auth.Caller.Hex()+" is not registered on this subnet")
	}
	if !caller.ValidatorPermit && (s.cfg.MinStake == 0 || caller.Stake < s.cfg.MinStake) {
		return reject(http.StatusForbidden, ReasonNoPermit, "caller has no validator permit and too little stake")
	}

	// With w, an oversized body also closes the connection after the answer.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxRequestBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return reject(http.StatusRequestEntityTooLarge, ReasonTooLarge, fmt.Sprintf("body over %d bytes", s.cfg.MaxRequestBytes))
		}
		return reject(http.StatusBadRequest, ReasonBadRequest, "read body: "+err.Error())
	}
	msg := axon.RequestMessage{
		Caller: auth.Caller, Target: auth.Target, ChainID: s.cfg.ChainID, NetUID: s.cfg.NetUID,
		Nonce: auth.Nonce, Timestamp: auth.Timestamp, Path: r.URL.Path, BodyHash: axon.BodyHash(body),
	}
	if err := msg.Verify(auth.Signature); err != nil {
		return reject(http.StatusUnauthorized, ReasonBadSignature, err.Error())
	}

	// Authenticated: from here on every answer is signed.
	id := msg.ID()
	signed := func(o outcome) outcome { o.id = &id; return o }
	// The nonce before the rate limit: a replay of a captured request
	// (signature and all) must not spend the real caller's tokens.
	if last := s.nonces.Last(auth.Caller); auth.Nonce <= last {
		return signed(reject(http.StatusUnauthorized, ReasonReplay, fmt.Sprintf("%v: nonce %d, last accepted %d", ErrReplay, auth.Nonce, last)))
	}
	if !s.limiter.allow(auth.Caller, now) {
		return signed(reject(http.StatusTooManyRequests, ReasonRateLimited, "slow down"))
	}
	durable, err := s.nonces.Check(auth.Caller, auth.Nonce)
	switch {
	case errors.Is(err, ErrReplay):
		// A concurrent request took the nonce meanwhile: give the token back.
		s.limiter.refund(auth.Caller)
		return signed(reject(http.StatusUnauthorized, ReasonReplay, err.Error()))
	case err != nil:
		s.log.Error("nonce store", "err", err)
		return signed(reject(http.StatusInternalServerError, ReasonNonceStore, ""))
	}
	o := s.run(r.Context(), h, &Request{ID: id, Caller: caller, Body: body})
	o.id, o.durable = &id, durable
	return o
}

// run queues the request by stake and runs its handler under the request
// timeout.
func (s *Server) run(ctx context.Context, h Handler, req *Request) outcome {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	if err := s.queue.acquire(ctx, req.Caller.Stake); err != nil {
		if errors.Is(err, ErrOverloaded) {
			return reject(http.StatusServiceUnavailable, ReasonOverloaded, "all workers busy")
		}
		return reject(http.StatusGatewayTimeout, ReasonTimeout, "timed out waiting for a worker")
	}
	s.metrics.InFlight.Inc()
	resp, err := h.Serve(ctx, req)
	s.metrics.InFlight.Dec()
	s.queue.release()
	switch {
	case err == nil && ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded):
		return reject(http.StatusGatewayTimeout, ReasonTimeout, "handler missed the deadline")
	case errors.Is(err, ErrBadRequest):
		return reject(http.StatusBadRequest, ReasonBadRequest, err.Error())
	case err != nil:
		s.log.Warn("handler failed", "synapse", h.Synapse(), "err", err)
		return reject(http.StatusInternalServerError, ReasonHandler, "")
	}
	body, err := json.Marshal(resp)
	if err != nil {
		s.log.Error("encode response", "synapse", h.Synapse(), "err", err)
		return reject(http.StatusInternalServerError, ReasonHandler, "")
	}
	if len(body) > s.cfg.MaxResponseBytes {
		return reject(http.StatusInternalServerError, ReasonResponseSize, "")
	}
	return outcome{status: http.StatusOK, body: body}
}

// write sends o, signed by the hotkey when the request was authenticated.
func (s *Server) write(w http.ResponseWriter, o outcome) {
	body := o.body
	if o.status != http.StatusOK {
		body, _ = json.Marshal(errorBody{Error: o.reason, Message: o.msg})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if o.id != nil {
		rm := axon.ResponseMessage{RequestID: *o.id, Status: uint16(o.status), BodyHash: axon.BodyHash(body)}
		sig, err := rm.Sign(s.cfg.Hotkey)
		if err != nil {
			s.log.Error("sign response", "err", err)
		} else {
			h.Set(axon.HeaderSignature, axon.EncodeSignature(sig))
			h.Set(axon.HeaderRequestID, o.id.Hex())
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(o.status)
	_, _ = w.Write(body)
}

func (s *Server) health(w http.ResponseWriter) {
	b, _ := json.Marshal(map[string]any{"hotkey": s.hotkey.Hex(), "netuid": s.cfg.NetUID, "chain_id": s.cfg.ChainID})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// Run serves a miner until ctx ends: the entry point for the command line.
// With deps.Metagraph nil it keeps an axon.Metagraph fresh from
// deps.Fetch (the first fetch must succeed).
func Run(ctx context.Context, cfg Config, deps Deps) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if deps.Metagraph == nil {
		if deps.Fetch == nil {
			return fmt.Errorf("%w: neither a metagraph nor a fetch function", ErrConfig)
		}
		mg, stop, err := axon.StartMetagraph(ctx, deps.Fetch, cfg.MetagraphRefresh, log)
		if err != nil {
			return err
		}
		defer stop() // Run returns only once the refresher has stopped
		deps.Metagraph = mg
	}
	s, err := New(cfg, deps)
	if err != nil {
		return err
	}
	if _, ok := deps.Metagraph.Neuron(s.hotkey); !ok {
		log.Warn("miner hotkey is not registered on the subnet; validators will not find it", "hotkey", s.hotkey, "netuid", cfg.NetUID)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		_ = s.Close()
		return fmt.Errorf("miner listen: %w", err)
	}
	serr := s.Serve(ctx, ln)
	if cerr := s.Close(); serr == nil {
		serr = cerr
	}
	return serr
}
