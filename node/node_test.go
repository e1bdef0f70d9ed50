package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/rpc"
)

func TestSingleNodeProducesBlocks(t *testing.T) {
	dir := t.TempDir()
	nodes, _, err := InitTestnet(dir, TestnetOptions{Nodes: 1, ChainID: "single", Params: chain.Params{MinFee: 1},
		Configure: func(_ int, c *Config) {
			c.Consensus.BlockTime = Duration{100 * time.Millisecond}
			c.Metrics.Listen = ""
		}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(nodes[0].Home)
	if err != nil {
		t.Fatal(err)
	}
	n, err := New(nodes[0].Home, cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	cl, _ := rpc.Dial("http://" + n.RPCAddr())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		h, err := cl.Head(ctx)
		if err == nil && h.Height >= 3 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no blocks: %+v %v", h, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestMetricsEndpointHasNodeAndEngineMetrics(t *testing.T) {
	dir := t.TempDir()
	ports, _ := FreePorts("tcp", 1)
	nodes, _, err := InitTestnet(dir, TestnetOptions{Nodes: 1, ChainID: "metrics",
		Configure: func(_ int, c *Config) {
			c.Consensus.BlockTime = Duration{100 * time.Millisecond}
			c.Metrics.Listen = fmt.Sprintf("127.0.0.1:%d", ports[0])
		}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := LoadConfig(nodes[0].Home)
	n, err := New(nodes[0].Home, cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	deadline := time.Now().Add(20 * time.Second)
	cl, _ := rpc.Dial("http://" + n.RPCAddr())
	for {
		cl.Head(context.Background())
		resp, err := http.Get("http://" + cfg.Metrics.Listen + "/metrics")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body := string(b)
			ok := true
			for _, m := range []string{"yuma_node_height", "yuma_node_block_apply_seconds", "cometbft_consensus_height", "yuma_rpc_requests_total", "go_goroutines"} {
				if !strings.Contains(body, m) {
					ok = false
				}
			}
			if ok && !strings.Contains(body, "yuma_node_height{chain_id=\"metrics\"} 0\n") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics incomplete after 20 s: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestSubnetMethodsServed(t *testing.T) {
	tn := newTestNet(t, 1, 0)
	tn.waitHeight(1, 30*time.Second)
	cl := tn.client(0)
	var out json.RawMessage
	if err := cl.Call(context.Background(), "subnet_list", &out); err != nil {
		t.Fatalf("subnet_list: %v", err)
	}
	var e *rpc.Error
	if err := cl.Call(context.Background(), "subnet_info", &out, 42); !errors.As(err, &e) || e.Code != rpc.CodeNotFound {
		t.Fatalf("subnet_info of a missing subnet: %v", err)
	}
}
