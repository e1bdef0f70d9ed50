package node

import (
	"context"
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
