package node

import (
	"testing"
	"time"

	"github.com/cometbft/cometbft/lp2p"
)

// TestSwitchHostAccessor pins the CometBFT internals the peer resetter
// relies on: a running node's switch is the libp2p one and its host can
// be read.
func TestSwitchHostAccessor(t *testing.T) {
	nodes, _, err := InitTestnet(t.TempDir(), TestnetOptions{Nodes: 1, ChainID: "acc",
		Configure: func(_ int, c *Config) { c.Metrics.Listen = ""; c.RPC.Listen = "" }})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := LoadConfig(nodes[0].Home)
	n, err := New(nodes[0].Home, cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	sw, ok := n.cmt.Switch().(*lp2p.Switch)
	if !ok {
		t.Fatalf("switch is %T, want *lp2p.Switch", n.cmt.Switch())
	}
	h, err := switchHost(sw)
	if err != nil {
		t.Fatal(err)
	}
	if h.ID().String() != nodes[0].PeerID {
		t.Fatalf("host id %s, node peer id %s", h.ID(), nodes[0].PeerID)
	}
	if n.resetter == nil {
		t.Fatal("peer resetter not installed")
	}
	_ = time.Second
}
