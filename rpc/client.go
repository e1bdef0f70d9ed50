package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// Client calls a yuma node's JSON-RPC server over HTTP. It is safe for
// concurrent use.
type Client struct {
	url  string
	http *http.Client
	id   atomic.Uint64
	// MaxResponseBytes bounds a response body.
	MaxResponseBytes int64
}

// ErrUnreachable wraps transport failures: the node is down, the URL is
// wrong, or the network failed.
var ErrUnreachable = errors.New("node unreachable")

// Dial returns a client for the node at rawURL (http://host:port). No
// connection is made until the first call.
func Dial(rawURL string) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("rpc url %q: want http://host:port", rawURL)
	}
	return &Client{url: rawURL, http: &http.Client{Timeout: 150 * time.Second}, MaxResponseBytes: 64 << 20}, nil
}

// URL returns the node URL.
func (c *Client) URL() string { return c.url }

// Call invokes method with positional params and decodes the result into
// result (which may be nil to discard it). A JSON-RPC error comes back as
// *Error; a transport failure wraps ErrUnreachable.
func (c *Client) Call(ctx context.Context, method string, result any, params ...any) error {
	if params == nil {
		params = []any{}
	}
	id := c.id.Add(1)
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params})
	if err != nil {
		return fmt.Errorf("rpc: encode %s params: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", method, ctx.Err())
		}
		return fmt.Errorf("%w at %s: %v (is the node running? check --rpc)", ErrUnreachable, c.url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.MaxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("%w at %s: %v", ErrUnreachable, c.url, err)
	}
	if int64(len(b)) > c.MaxResponseBytes {
		return fmt.Errorf("rpc: %s response over %d bytes", method, c.MaxResponseBytes)
	}
	var out struct {
		Result json.RawMessage `json:"result"`
		Error  *Error          `json:"error"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("rpc: %s: HTTP %d, not a JSON-RPC response: %.200s", method, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if out.Error != nil {
		return out.Error
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(out.Result, result); err != nil {
		return fmt.Errorf("rpc: decode %s result: %w", method, err)
	}
	return nil
}

// Head returns the finalized head.
func (c *Client) Head(ctx context.Context) (Head, error) {
	var h Head
	return h, c.Call(ctx, MethodHead, &h)
}

// Block returns the finalized block at height.
func (c *Client) Block(ctx context.Context, height uint64) (Block, error) {
	var b Block
	return b, c.Call(ctx, MethodBlock, &b, height)
}

// Tx returns a finalized transaction by hash.
func (c *Client) Tx(ctx context.Context, hash types.Hash) (TxInfo, error) {
	var t TxInfo
	return t, c.Call(ctx, MethodTx, &t, hash)
}

// Account returns an account at a height (nil: the finalized head).
func (c *Client) Account(ctx context.Context, addr types.Address, height Height) (Account, error) {
	var a Account
	return a, c.Call(ctx, MethodAccount, &a, addr.Hex(), height)
}

// Supply returns the supply counters at a height (nil: the finalized head).
func (c *Client) Supply(ctx context.Context, height Height) (Supply, error) {
	var s Supply
	return s, c.Call(ctx, MethodSupply, &s, height)
}

// Genesis returns the chain's genesis.
func (c *Client) Genesis(ctx context.Context) (*chain.Genesis, error) {
	var g chain.Genesis
	if err := c.Call(ctx, MethodGenesis, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// Submit submits a signed transaction.
func (c *Client) Submit(ctx context.Context, req SubmitRequest) (SubmitResult, error) {
	var r SubmitResult
	return r, c.Call(ctx, MethodSubmit, &r, req)
}

// Health returns the node's health.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var h Health
	return h, c.Call(ctx, MethodHealth, &h)
}

// Peers returns the node's connected peers.
func (c *Client) Peers(ctx context.Context) ([]Peer, error) {
	var p []Peer
	return p, c.Call(ctx, MethodPeers, &p)
}

// SubscribeHeads opens a WebSocket to the node and delivers every new
// finalized head until ctx ends or the connection drops; the channel is
// then closed.
func (c *Client) SubscribeHeads(ctx context.Context) (<-chan Head, error) {
	wsURL := "ws" + strings.TrimPrefix(c.url, "http")
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, wsURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %v", ErrUnreachable, wsURL, err)
	}
	conn.SetReadLimit(c.MaxResponseBytes)
	req, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": MethodSubscribe, "params": []string{TopicNewHeads}})
	if err := conn.WriteMessage(websocket.TextMessage, req); err != nil {
		conn.Close()
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	var first struct {
		Result string `json:"result"`
		Error  *Error `json:"error"`
	}
	if err := conn.ReadJSON(&first); err != nil {
		conn.Close()
		return nil, fmt.Errorf("rpc: subscribe: %w", err)
	}
	if first.Error != nil {
		conn.Close()
		return nil, first.Error
	}
	out := make(chan Head, 64)
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	go func() {
		defer close(out)
		for {
			var n struct {
				Method string `json:"method"`
				Params struct {
					Subscription string `json:"subscription"`
					Result       Head   `json:"result"`
				} `json:"params"`
			}
			if err := conn.ReadJSON(&n); err != nil {
				return
			}
			if n.Method != NotifySubscription || n.Params.Subscription != first.Result {
				continue
			}
			select {
			case out <- n.Params.Result:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// BatchCall is one call of a batch.
type BatchCall struct {
	Method string
	Params []any
	// Result receives the decoded result; Err the call's error.
	Result any
	Err    error
}

// Batch sends calls in one JSON-RPC batch request (at most the server's
// batch limit, 100 by default). A transport failure is returned; errors of
// single calls are set in their Err.
func (c *Client) Batch(ctx context.Context, calls []BatchCall) error {
	if len(calls) == 0 {
		return nil
	}
	reqs := make([]map[string]any, len(calls))
	base := c.id.Add(uint64(len(calls))) - uint64(len(calls))
	for i, call := range calls {
		params := call.Params
		if params == nil {
			params = []any{}
		}
		reqs[i] = map[string]any{"jsonrpc": "2.0", "id": base + uint64(i) + 1, "method": call.Method, "params": params}
	}
	body, err := json.Marshal(reqs)
	if err != nil {
		return fmt.Errorf("rpc: encode batch: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%w at %s: %v", ErrUnreachable, c.url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.MaxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("%w at %s: %v", ErrUnreachable, c.url, err)
	}
	var out []struct {
		ID     uint64          `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *Error          `json:"error"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		var single struct {
			Error *Error `json:"error"`
		}
		if json.Unmarshal(b, &single) == nil && single.Error != nil {
			return single.Error
		}
		return fmt.Errorf("rpc: batch: HTTP %d, not a JSON-RPC batch response: %.200s", resp.StatusCode, b)
	}
	seen := make([]bool, len(calls))
	for _, o := range out {
		i := int(o.ID - base - 1)
		if o.ID <= base || i >= len(calls) {
			continue
		}
		seen[i] = true
		switch {
		case o.Error != nil:
			calls[i].Err = o.Error
		case calls[i].Result != nil:
			if err := json.Unmarshal(o.Result, calls[i].Result); err != nil {
				calls[i].Err = fmt.Errorf("rpc: decode %s result: %w", calls[i].Method, err)
			}
		}
	}
	for i, ok := range seen {
		if !ok {
			calls[i].Err = fmt.Errorf("rpc: batch response has no answer for call %d (%s)", i, calls[i].Method)
		}
	}
	return nil
}
