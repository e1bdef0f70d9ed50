package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// fakeBackend isolates the server: it answers from fixed values.
type fakeBackend struct {
	heads chan Head
}

func (f *fakeBackend) Head(context.Context) (Head, error) { return Head{ChainID: "c", Height: 7}, nil }
func (f *fakeBackend) Block(_ context.Context, h uint64) (Block, error) {
	if h > 7 {
		return Block{}, &Error{Code: CodeNotFound, Message: "no block"}
	}
	return Block{Head: Head{Height: h}}, nil
}
func (f *fakeBackend) Tx(context.Context, types.Hash) (TxInfo, error) {
	return TxInfo{}, errors.New("disk on fire")
}
func (f *fakeBackend) Account(_ context.Context, a types.Address, h Height) (Account, error) {
	acc := Account{Address: a, Balance: 5}
	if h != nil {
		acc.Height = *h
	}
	return acc, nil
}
func (f *fakeBackend) Supply(context.Context, Height) (Supply, error) { return Supply{}, nil }
func (f *fakeBackend) Genesis(context.Context) (*chain.Genesis, error) {
	return &chain.Genesis{ChainID: "c"}, nil
}
func (f *fakeBackend) Submit(_ context.Context, r SubmitRequest) (SubmitResult, error) {
	panic("submit exploded")
}
func (f *fakeBackend) Health(context.Context) (Health, error) { return Health{OK: true}, nil }
func (f *fakeBackend) Peers(context.Context) ([]Peer, error)  { return nil, nil }
func (f *fakeBackend) SubscribeHeads(ctx context.Context) (<-chan Head, error) {
	out := make(chan Head)
	go func() {
		defer close(out)
		for {
			select {
			case h := <-f.heads:
				out <- h
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func startServer(t *testing.T, cfg Config) (*Server, *Client, *fakeBackend) {
	t.Helper()
	fb := &fakeBackend{heads: make(chan Head, 4)}
	s, err := NewServer(cfg, fb, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	c, err := Dial("http://" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return s, c, fb
}

func post(t *testing.T, c *Client, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(c.URL(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, sb.String()
}

func TestServerCalls(t *testing.T) {
	_, c, _ := startServer(t, DefaultConfig())
	ctx := context.Background()
	h, err := c.Head(ctx)
	if err != nil || h.Height != 7 {
		t.Fatalf("head %+v %v", h, err)
	}
	b, err := c.Block(ctx, 3)
	if err != nil || b.Height != 3 {
		t.Fatalf("block %+v %v", b, err)
	}
	var rerr *Error
	if _, err := c.Block(ctx, 9); !errors.As(err, &rerr) || rerr.Code != CodeNotFound {
		t.Fatalf("missing block: %v", err)
	}
	if _, err := c.Tx(ctx, types.Hash{}); !errors.As(err, &rerr) || rerr.Code != CodeInternal {
		t.Fatalf("backend failure: %v", err)
	}
	height := uint64(4)
	acc, err := c.Account(ctx, types.Address{1}, &height)
	if err != nil || acc.Height != 4 || acc.Balance != 5 {
		t.Fatalf("account %+v %v", acc, err)
	}
	// A panicking handler is an internal error, not a dead server.
	if _, err := c.Submit(ctx, SubmitRequest{Tx: "00"}); !errors.As(err, &rerr) || rerr.Code != CodeInternal {
		t.Fatalf("panic: %v", err)
	}
	if _, err := c.Head(ctx); err != nil {
		t.Fatalf("server dead after panic: %v", err)
	}
}

func TestServerRejectsBadRequests(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxBodyBytes = 4096
	cfg.MaxBatch = 2
	_, c, _ := startServer(t, cfg)
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"not json", "{", CodeParse},
		{"no version", `{"id":1,"method":"chain_head"}`, CodeInvalidRequest},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"nope"}`, CodeMethodNotFound},
		{"params not array", `{"jsonrpc":"2.0","id":1,"method":"chain_block","params":{"h":1}}`, CodeInvalidParams},
		{"too many params", `{"jsonrpc":"2.0","id":1,"method":"chain_head","params":[1]}`, CodeInvalidParams},
		{"wrong param type", `{"jsonrpc":"2.0","id":1,"method":"chain_block","params":["x"]}`, CodeInvalidParams},
		{"bad address", `{"jsonrpc":"2.0","id":1,"method":"account_get","params":["0x12"]}`, CodeInvalidParams},
		{"missing tx", `{"jsonrpc":"2.0","id":1,"method":"tx_submit","params":[]}`, CodeInvalidParams},
		{"subscribe over http", `{"jsonrpc":"2.0","id":1,"method":"subscribe","params":["newHeads"]}`, CodeMethodNotFound},
		{"empty batch", `[]`, CodeInvalidRequest},
		{"batch too large", `[{"jsonrpc":"2.0","id":1,"method":"chain_head"},{"jsonrpc":"2.0","id":2,"method":"chain_head"},{"jsonrpc":"2.0","id":3,"method":"chain_head"}]`, CodeInvalidRequest},
		{"oversized", `{"jsonrpc":"2.0","id":1,"method":"chain_head","params":["` + strings.Repeat("a", 5000) + `"]}`, CodeInvalidRequest},
	} {
		_, body := post(t, c, tc.body)
		var resp struct {
			Error *Error `json:"error"`
		}
		if err := json.Unmarshal([]byte(body), &resp); err != nil || resp.Error == nil || resp.Error.Code != tc.code {
			t.Errorf("%s: got %s, want error code %d", tc.name, body, tc.code)
		}
	}
}

func TestServerBatchAndNotification(t *testing.T) {
	_, c, _ := startServer(t, DefaultConfig())
	_, body := post(t, c, `[{"jsonrpc":"2.0","id":1,"method":"chain_head"},{"jsonrpc":"2.0","method":"chain_head"},{"jsonrpc":"2.0","id":"x","method":"chain_block","params":[2]}]`)
	var out []struct {
		ID     json.RawMessage `json:"id"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out) != 2 {
		t.Fatalf("batch response %s", body)
	}
	if string(out[1].ID) != `"x"` {
		t.Fatalf("ids not echoed: %s", body)
	}
	status, body := post(t, c, `{"jsonrpc":"2.0","method":"chain_head"}`)
	if status != http.StatusNoContent || body != "" {
		t.Fatalf("notification got %d %q", status, body)
	}
}

func TestServerHandleExtraMethod(t *testing.T) {
	s, c, _ := startServer(t, DefaultConfig())
	s.Handle("x_echo", func(_ context.Context, p json.RawMessage) (any, error) {
		var a string
		var b *uint64
		if err := ParseParams(p, &a, &b); err != nil {
			return nil, err
		}
		if b == nil {
			return a, nil
		}
		return a + "!", nil
	})
	var got string
	if err := c.Call(context.Background(), "x_echo", &got, "hi"); err != nil || got != "hi" {
		t.Fatalf("got %q %v", got, err)
	}
	if err := c.Call(context.Background(), "x_echo", &got, "hi", 3); err != nil || got != "hi!" {
		t.Fatalf("got %q %v", got, err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("duplicate registration did not panic")
		}
	}()
	s.Handle("x_echo", nil)
}

func TestSubscribeHeads(t *testing.T) {
	_, c, fb := startServer(t, DefaultConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ch, err := c.SubscribeHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := uint64(1); i <= 3; i++ {
		fb.heads <- Head{Height: i}
	}
	for i := uint64(1); i <= 3; i++ {
		select {
		case h := <-ch:
			if h.Height != i {
				t.Fatalf("head %d, want %d", h.Height, i)
			}
		case <-ctx.Done():
			t.Fatal("no head")
		}
	}
}

func TestConfigRefusesRemoteByDefault(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Listen = "0.0.0.0:8545"
	if err := cfg.Validate(); !errors.Is(err, ErrBadConfig) {
		t.Fatalf("remote listen accepted: %v", err)
	}
	cfg.AllowRemote = true
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

func FuzzServerBody(f *testing.F) {
	fb := &fakeBackend{heads: make(chan Head)}
	s, err := NewServer(DefaultConfig(), fb, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"chain_block","params":[1]}`))
	f.Add([]byte(`[{"jsonrpc":"2.0","id":1,"method":"account_get","params":["0x0000000000000000000000000000000000000001", 5]}]`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"tx_submit","params":[{"tx":"00"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		out, _ := s.dispatchBody(context.Background(), body, nil)
		if out != nil && !json.Valid(out) {
			t.Fatalf("invalid JSON response %q", out)
		}
	})
}

func TestClientBatch(t *testing.T) {
	_, c, _ := startServer(t, DefaultConfig())
	var h Head
	var b Block
	calls := []BatchCall{
		{Method: MethodHead, Result: &h},
		{Method: MethodBlock, Params: []any{3}, Result: &b},
		{Method: MethodBlock, Params: []any{99}},
		{Method: "nope"},
	}
	if err := c.Batch(context.Background(), calls); err != nil {
		t.Fatal(err)
	}
	if calls[0].Err != nil || h.Height != 7 || calls[1].Err != nil || b.Height != 3 {
		t.Fatalf("batch results: %+v %+v %+v", calls, h, b)
	}
	var e *Error
	if !errors.As(calls[2].Err, &e) || e.Code != CodeNotFound {
		t.Fatalf("missing block in batch: %v", calls[2].Err)
	}
	if !errors.As(calls[3].Err, &e) || e.Code != CodeMethodNotFound {
		t.Fatalf("unknown method in batch: %v", calls[3].Err)
	}
}

func TestBatchRefusesWaitingSubmits(t *testing.T) {
	_, c, _ := startServer(t, DefaultConfig())
	calls := []BatchCall{{Method: MethodSubmit, Params: []any{SubmitRequest{Tx: "00", Wait: WaitInclusion}}}}
	if err := c.Batch(context.Background(), calls); err != nil {
		t.Fatal(err)
	}
	var e *Error
	if !errors.As(calls[0].Err, &e) || e.Code != CodeInvalidParams {
		t.Fatalf("waiting submit in a batch: %v", calls[0].Err)
	}
}

func TestConnectionLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxConnections = 1
	_, c, _ := startServer(t, cfg)
	// Hold the only connection with a half-sent request.
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.Head(ctx); err == nil {
		t.Fatal("a second connection was served beyond the limit")
	}
	conn.Close()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if _, err := c.Head(ctx2); err != nil {
		t.Fatalf("served nothing after the first connection closed: %v", err)
	}
}
