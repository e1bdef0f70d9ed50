package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
	"golang.org/x/net/netutil"
)

// Config configures the server.
type Config struct {
	// Listen is the host:port to bind. It must be a loopback address unless
	// AllowRemote is set.
	Listen      string
	AllowRemote bool
	// CORSOrigins lists the origins browsers may call from ("*" for any).
	CORSOrigins []string
	// MaxBodyBytes bounds one HTTP request body or WebSocket message.
	MaxBodyBytes int64
	// MaxBatch bounds the calls in one batch request.
	MaxBatch int
	// MaxSubscriptions bounds the subscriptions of one WebSocket connection.
	MaxSubscriptions int
	// CallTimeout bounds one call (tx_submit with a wait sets its own,
	// longer, bound through its params).
	CallTimeout time.Duration
	// MaxConnections bounds concurrent client connections (HTTP and
	// WebSocket); further clients wait in the accept queue.
	MaxConnections int
	// ReadTimeout bounds reading one request (headers and body).
	ReadTimeout time.Duration
}

// DefaultConfig returns a loopback server with conservative limits.
func DefaultConfig() Config {
	return Config{
		Listen:           "127.0.0.1:8545",
		MaxBodyBytes:     1 << 20,
		MaxBatch:         100,
		MaxSubscriptions: 16,
		CallTimeout:      130 * time.Second,
		MaxConnections:   512,
		ReadTimeout:      30 * time.Second,
	}
}

// ErrBadConfig wraps configuration errors.
var ErrBadConfig = errors.New("invalid rpc config")

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Listen != "" {
		host, _, err := net.SplitHostPort(c.Listen)
		if err != nil {
			return fmt.Errorf("%w: listen %q: %v", ErrBadConfig, c.Listen, err)
		}
		if !c.AllowRemote && host != "localhost" {
			ip := net.ParseIP(host)
			if ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("%w: listen %q is not loopback; allow remote access explicitly", ErrBadConfig, c.Listen)
			}
		}
	}
	if c.MaxBodyBytes < 1<<10 || c.MaxBatch < 1 || c.MaxSubscriptions < 0 || c.CallTimeout <= 0 || c.MaxConnections < 1 || c.ReadTimeout <= 0 {
		return fmt.Errorf("%w: limits must be positive (max body >= 1 KiB)", ErrBadConfig)
	}
	return nil
}

// Handler serves one method. params is the raw JSON of the request's
// params (an array, possibly empty). Return an *Error for client-visible
// failures; any other error is reported as an internal error.
type Handler func(ctx context.Context, params json.RawMessage) (any, error)

// StateBackend gives read access to committed state at a height (nil: the
// finalized head). Modules' RPC methods are written against it.
type StateBackend interface {
	StateAt(ctx context.Context, height Height) (chain.Reader, uint64, error)
}

// Server is the JSON-RPC 2.0 server over HTTP POST and WebSocket.
type Server struct {
	cfg      Config
	backend  Backend
	log      *slog.Logger
	metrics  *Metrics
	mu       sync.RWMutex
	methods  map[string]Handler
	http     *http.Server
	upgrader websocket.Upgrader
}

// NewServer returns a server for b. Pass nil metrics for none.
func NewServer(cfg Config, b Backend, logger *slog.Logger, m *Metrics) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if m == nil {
		m = NopMetrics()
	}
	s := &Server{cfg: cfg, backend: b, log: logger, metrics: m, methods: map[string]Handler{}}
	s.upgrader = websocket.Upgrader{
		ReadBufferSize: 4096, WriteBufferSize: 4096,
		CheckOrigin: func(r *http.Request) bool { return s.originAllowed(r.Header.Get("Origin")) },
	}
	s.registerCore()
	m.known = func(method string) bool {
		if method == MethodSubscribe || method == MethodUnsubscribe {
			return true
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		_, ok := s.methods[method]
		return ok
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.serveHTTP)
	// No WriteTimeout: tx_submit may wait up to its bound for inclusion
	// and WebSockets live long; CallTimeout bounds every call instead.
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: cfg.ReadTimeout,
		IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	return s, nil
}

// Handle registers an extra method. Registering a name twice panics: it
// is a wiring bug, found at start-up.
func (s *Server) Handle(method string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.methods[method]; dup {
		panic("rpc: method registered twice: " + method)
	}
	s.methods[method] = h
}

// Methods returns the registered method names.
func (s *Server) Methods() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.methods))
	for m := range s.methods {
		out = append(out, m)
	}
	return out
}

// Serve serves on ln until Shutdown, with at most MaxConnections client
// connections at a time.
func (s *Server) Serve(ln net.Listener) error {
	return s.http.Serve(netutil.LimitListener(ln, s.cfg.MaxConnections))
}

// Handler returns the server's HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.http.Handler }

// Shutdown stops accepting requests and waits for calls in flight.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

func (s *Server) originAllowed(origin string) bool {
	if origin == "" {
		return true // not a browser
	}
	for _, o := range s.cfg.CORSOrigins {
		if o == "*" || strings.EqualFold(o, origin) {
			return true
		}
	}
	return false
}

// request is a JSON-RPC 2.0 request or notification.
type request struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id,omitempty"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params,omitempty"`
}

// response is a JSON-RPC 2.0 response.
type response struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

var nullID = json.RawMessage("null")

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" && s.originAllowed(origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
	}
	switch {
	case r.Method == http.MethodOptions:
		w.WriteHeader(http.StatusNoContent)
		return
	case r.Method == http.MethodGet && websocket.IsWebSocketUpgrade(r):
		s.serveWS(w, r)
		return
	case r.Method == http.MethodGet && r.URL.Path == "/health":
		s.serveHealth(w, r)
		return
	case r.Method != http.MethodPost:
		http.Error(w, "use POST with a JSON-RPC 2.0 body, or a WebSocket upgrade", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		s.metrics.request("", CodeInvalidRequest, 0)
		writeJSON(w, http.StatusRequestEntityTooLarge, response{JSONRPC: "2.0", ID: nullID,
			Error: &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("request body over %d bytes", s.cfg.MaxBodyBytes)}})
		return
	}
	out, status := s.dispatchBody(r.Context(), body, nil)
	if out == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(out)
}

func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	h, err := s.backend.Health(r.Context())
	status := http.StatusOK
	if err != nil || !h.OK {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, h)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// dispatchBody handles a single or batch request body and returns the
// encoded response (nil for notifications only). ws is non-nil on a
// WebSocket connection, where subscriptions are allowed.
func (s *Server) dispatchBody(ctx context.Context, body []byte, ws *wsConn) ([]byte, int) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var reqs []json.RawMessage
		if err := json.Unmarshal(body, &reqs); err != nil {
			return mustEncode(errResponse(nullID, CodeParse, "batch is not valid JSON: "+err.Error())), http.StatusOK
		}
		if len(reqs) == 0 {
			return mustEncode(errResponse(nullID, CodeInvalidRequest, "empty batch")), http.StatusOK
		}
		if len(reqs) > s.cfg.MaxBatch {
			return mustEncode(errResponse(nullID, CodeInvalidRequest, fmt.Sprintf("batch of %d calls, at most %d", len(reqs), s.cfg.MaxBatch))), http.StatusOK
		}
		var out []response
		bctx := context.WithValue(ctx, inBatchKey{}, true)
		for _, raw := range reqs {
			if resp, ok := s.dispatchOne(bctx, raw, ws); ok {
				out = append(out, resp)
			}
		}
		if len(out) == 0 {
			return nil, http.StatusOK
		}
		return mustEncode(out), http.StatusOK
	}
	resp, ok := s.dispatchOne(ctx, body, ws)
	if !ok {
		return nil, http.StatusOK
	}
	return mustEncode(resp), http.StatusOK
}

// inBatchKey marks the context of a call made inside a batch.
type inBatchKey struct{}

// InBatch reports whether the call runs inside a batch request. Calls
// that wait (tx_submit with a wait) are refused there: a batch is served
// in order, so waits would add up.
func InBatch(ctx context.Context) bool { v, _ := ctx.Value(inBatchKey{}).(bool); return v }

func mustEncode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(errResponse(nullID, CodeInternal, "cannot encode result: "+err.Error()))
	}
	return b
}

func errResponse(id json.RawMessage, code int, msg string) response {
	return response{JSONRPC: "2.0", ID: id, Error: &Error{Code: code, Message: msg}}
}

// dispatchOne runs one call. ok is false for a notification (no id), which
// gets no response.
func (s *Server) dispatchOne(ctx context.Context, raw json.RawMessage, ws *wsConn) (resp response, ok bool) {
	var req request
	if err := json.Unmarshal(raw, &req); err != nil {
		return errResponse(nullID, CodeParse, "request is not valid JSON-RPC: "+err.Error()), true
	}
	id := req.ID
	if len(id) == 0 {
		id = nullID
	}
	if req.JSONRPC != "2.0" || req.Method == "" {
		return errResponse(id, CodeInvalidRequest, `request must have "jsonrpc":"2.0" and a method`), true
	}
	start := time.Now()
	result, err := s.call(ctx, req.Method, req.Params, ws)
	code := 0
	if err != nil {
		e := toRPCError(err)
		if e.Code == CodeInternal {
			s.log.Error("rpc call failed", "method", req.Method, "err", err)
		}
		code = e.Code
		resp = response{JSONRPC: "2.0", ID: id, Error: e}
	} else {
		if result == nil {
			result = json.RawMessage("null")
		}
		resp = response{JSONRPC: "2.0", ID: id, Result: result}
	}
	s.metrics.request(req.Method, code, time.Since(start))
	return resp, len(req.ID) > 0
}

func toRPCError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeTimeout, Message: "call timed out"}
	}
	return &Error{Code: CodeInternal, Message: "internal error: " + err.Error()}
}

func (s *Server) call(ctx context.Context, method string, params json.RawMessage, ws *wsConn) (result any, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("rpc handler panicked", "method", method, "panic", r, "stack", string(debug.Stack()))
			result, err = nil, &Error{Code: CodeInternal, Message: "internal error"}
		}
	}()
	switch method {
	case MethodSubscribe, MethodUnsubscribe:
		if ws == nil {
			return nil, &Error{Code: CodeMethodNotFound, Message: method + " needs a WebSocket connection"}
		}
		if method == MethodSubscribe {
			return ws.subscribe(params)
		}
		return ws.unsubscribe(params)
	}
	s.mu.RLock()
	h, ok := s.methods[method]
	s.mu.RUnlock()
	if !ok {
		return nil, &Error{Code: CodeMethodNotFound, Message: fmt.Sprintf("method %q does not exist (see the method list in docs/rpc.md)", method)}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CallTimeout)
	defer cancel()
	return h(ctx, params)
}

// ParseParams decodes a positional params array into dst, in order.
// Missing trailing params leave their dst untouched (optional params); more
// params than dst, or a param of the wrong type, is an invalid-params
// error. A JSON null param also leaves its dst untouched.
func ParseParams(raw json.RawMessage, dst ...any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return &Error{Code: CodeInvalidParams, Message: "params must be a JSON array"}
	}
	if len(list) > len(dst) {
		return &Error{Code: CodeInvalidParams, Message: fmt.Sprintf("%d params given, at most %d accepted", len(list), len(dst))}
	}
	for i, p := range list {
		if string(bytes.TrimSpace(p)) == "null" {
			continue
		}
		if err := json.Unmarshal(p, dst[i]); err != nil {
			return &Error{Code: CodeInvalidParams, Message: fmt.Sprintf("param %d: %v", i+1, err)}
		}
	}
	return nil
}

// Required reports an invalid-params error when a required param was not
// given (its value is still the zero value).
func Required(name string, missing bool) error {
	if missing {
		return &Error{Code: CodeInvalidParams, Message: "missing required param " + name}
	}
	return nil
}

func (s *Server) registerCore() {
	b := s.backend
	s.methods[MethodHead] = func(ctx context.Context, p json.RawMessage) (any, error) {
		if err := ParseParams(p); err != nil {
			return nil, err
		}
		return b.Head(ctx)
	}
	s.methods[MethodBlock] = func(ctx context.Context, p json.RawMessage) (any, error) {
		var h *uint64
		if err := ParseParams(p, &h); err != nil {
			return nil, err
		}
		if h == nil {
			head, err := b.Head(ctx)
			if err != nil {
				return nil, err
			}
			h = &head.Height
		}
		return b.Block(ctx, *h)
	}
	s.methods[MethodTx] = func(ctx context.Context, p json.RawMessage) (any, error) {
		var hash *types.Hash
		if err := ParseParams(p, &hash); err != nil {
			return nil, err
		}
		if err := Required("hash", hash == nil); err != nil {
			return nil, err
		}
		return b.Tx(ctx, *hash)
	}
	s.methods[MethodAccount] = func(ctx context.Context, p json.RawMessage) (any, error) {
		var addr string
		var h Height
		if err := ParseParams(p, &addr, &h); err != nil {
			return nil, err
		}
		a, err := types.ParseAddress(addr)
		if err != nil {
			return nil, &Error{Code: CodeInvalidParams, Message: err.Error()}
		}
		return b.Account(ctx, a, h)
	}
	s.methods[MethodSupply] = func(ctx context.Context, p json.RawMessage) (any, error) {
		var h Height
		if err := ParseParams(p, &h); err != nil {
			return nil, err
		}
		return b.Supply(ctx, h)
	}
	s.methods[MethodGenesis] = func(ctx context.Context, p json.RawMessage) (any, error) {
		return b.Genesis(ctx)
	}
	s.methods[MethodSubmit] = func(ctx context.Context, p json.RawMessage) (any, error) {
		var req *SubmitRequest
		if err := ParseParams(p, &req); err != nil {
			return nil, err
		}
		if err := Required("tx", req == nil || req.Tx == ""); err != nil {
			return nil, err
		}
		if InBatch(ctx) && req.Wait != "" && req.Wait != WaitNone {
			return nil, &Error{Code: CodeInvalidParams, Message: `tx_submit with a wait is not allowed in a batch: submit with "wait":"none" and poll chain_tx, or send it alone`}
		}
		return b.Submit(ctx, *req)
	}
	s.methods[MethodHealth] = func(ctx context.Context, p json.RawMessage) (any, error) {
		return b.Health(ctx)
	}
	s.methods[MethodPeers] = func(ctx context.Context, p json.RawMessage) (any, error) {
		peers, err := b.Peers(ctx)
		if peers == nil && err == nil {
			peers = []Peer{}
		}
		return peers, err
	}
}

// wsConn is one WebSocket connection: calls are served in order; head
// notifications are written by the subscription goroutines through the
// same write lock.
type wsConn struct {
	s      *Server
	conn   *websocket.Conn
	ctx    context.Context
	wmu    sync.Mutex
	mu     sync.Mutex
	subs   map[string]context.CancelFunc
	nextID uint64
	// ready holds the start signals of subscriptions created by the call
	// being served: notifications begin only after the response carrying
	// the subscription id is written.
	ready []chan struct{}
}

func (c *wsConn) release() {
	c.mu.Lock()
	for _, ch := range c.ready {
		close(ch)
	}
	c.ready = nil
	c.mu.Unlock()
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has written the HTTP error
	}
	conn.SetReadLimit(s.cfg.MaxBodyBytes)
	ctx, cancel := context.WithCancel(context.Background())
	c := &wsConn{s: s, conn: conn, ctx: ctx, subs: map[string]context.CancelFunc{}}
	s.metrics.wsConns.Inc()
	defer func() {
		cancel()
		conn.Close()
		s.metrics.wsConns.Dec()
	}()
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return
		}
		out, _ := s.dispatchBody(ctx, msg, c)
		if out != nil {
			if err := c.write(out); err != nil {
				return
			}
		}
		c.release()
	}
}

func (c *wsConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return c.conn.WriteMessage(websocket.TextMessage, b)
}

type notification struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  struct {
		Subscription string `json:"subscription"`
		Result       any    `json:"result"`
	} `json:"params"`
}

func (c *wsConn) subscribe(params json.RawMessage) (any, error) {
	var topic string
	if err := ParseParams(params, &topic); err != nil {
		return nil, err
	}
	if topic != TopicNewHeads {
		return nil, &Error{Code: CodeInvalidParams, Message: fmt.Sprintf("unknown topic %q (available: %s)", topic, TopicNewHeads)}
	}
	c.mu.Lock()
	if len(c.subs) >= c.s.cfg.MaxSubscriptions {
		c.mu.Unlock()
		return nil, &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("at most %d subscriptions per connection", c.s.cfg.MaxSubscriptions)}
	}
	c.nextID++
	id := "0x" + strconv.FormatUint(c.nextID, 16)
	ctx, cancel := context.WithCancel(c.ctx)
	c.subs[id] = cancel
	ready := make(chan struct{})
	c.ready = append(c.ready, ready)
	c.mu.Unlock()
	heads, err := c.s.backend.SubscribeHeads(ctx)
	if err != nil {
		cancel()
		c.mu.Lock()
		delete(c.subs, id)
		c.mu.Unlock()
		return nil, err
	}
	go func() {
		select {
		case <-ready:
		case <-ctx.Done():
		}
		for h := range heads {
			var n notification
			n.JSONRPC, n.Method = "2.0", NotifySubscription
			n.Params.Subscription, n.Params.Result = id, h
			b, err := json.Marshal(n)
			if err != nil {
				continue
			}
			if err := c.write(b); err != nil {
				cancel()
			}
		}
	}()
	return id, nil
}

func (c *wsConn) unsubscribe(params json.RawMessage) (any, error) {
	var id string
	if err := ParseParams(params, &id); err != nil {
		return nil, err
	}
	c.mu.Lock()
	cancel, ok := c.subs[id]
	delete(c.subs, id)
	c.mu.Unlock()
	if ok {
		cancel()
	}
	return ok, nil
}
