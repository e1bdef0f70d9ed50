package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/node"
)

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "yuma-e2e-bin")
	if err != nil {
		panic(err)
	}
	root, _ := filepath.Abs("..")
	binPath, err = Build(root, dir)
	if err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newCluster writes an n-node testnet and starts every node.
func newCluster(t *testing.T, n int, blockTime time.Duration) *Cluster {
	t.Helper()
	dir := t.TempDir()
	if os.Getenv("YUMA_E2E_KEEP") != "" {
		dir, _ = os.MkdirTemp("", "yuma-e2e-")
		t.Logf("cluster files kept in %s", dir)
	}
	nodes, _, err := node.InitTestnet(filepath.Join(dir, "net"), node.TestnetOptions{
		Nodes: n, ChainID: "e2e", Params: chain.Params{MinFee: 1000},
		Configure: func(_ int, c *node.Config) {
			c.Consensus.BlockTime = node.Duration{Duration: blockTime}
			c.Consensus.TimeoutPropose = node.Duration{Duration: time.Second}
			c.Metrics.Listen = ""
			c.Log.Level = "info"
			c.Log.EngineLevel = "info"
			if os.Getenv("YUMA_E2E_NO_PEER_RESET") != "" {
				c.P2P.PeerReset = false // reproduce the upstream defect
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	logDir := filepath.Join(dir, "logs")
	os.MkdirAll(logDir, 0o755)
	c := NewCluster(binPath, nodes, logDir)
	for i := range nodes {
		if err := c.Start(i); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		c.StopAll()
		if t.Failed() {
			for i := range nodes {
				b, _ := os.ReadFile(filepath.Join(logDir, "node"+string(rune('0'+i))+".log"))
				if len(b) > 6000 {
					b = b[len(b)-6000:]
				}
				t.Logf("---- node%d log tail:\n%s", i, b)
			}
		}
	})
	return c
}

// checkAgreement compares the app hash of every answering node at every
// height up to the lowest common head.
func checkAgreement(t *testing.T, ctx context.Context, c *Cluster) uint64 {
	t.Helper()
	low := ^uint64(0)
	for i := range c.Nodes {
		h, err := c.Head(ctx, i)
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		low = min(low, h.Height)
	}
	for h := uint64(1); h <= low; h++ {
		ref, err := c.AppHash(ctx, 0, h)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(c.Nodes); i++ {
			got, err := c.AppHash(ctx, i, h)
			if err != nil {
				t.Fatal(err)
			}
			if got != ref {
				t.Fatalf("fork at height %d: node %d %s, node 0 %s", h, i, got, ref)
			}
		}
	}
	return low
}

// TestKillOneOfFour: with one of four authorities killed (SIGKILL) the
// chain keeps finalizing; restarted 5 s later, the node catches up within
// 20 s and agrees on every app hash.
func TestKillOneOfFour(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	c := newCluster(t, 4, 300*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := c.WaitHeight(ctx, 3, 5); err != nil {
		t.Fatal(err)
	}
	c.Kill(3)
	killed := time.Now()
	h0, _ := c.Head(ctx, 0)
	if _, err := c.WaitHeight(ctx, 0, h0.Height+5); err != nil {
		t.Fatalf("chain stopped with 3 of 4 authorities: %v", err)
	}
	time.Sleep(time.Until(killed.Add(5 * time.Second)))
	if err := c.Start(3); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	target := c.MaxHeight(ctx)
	cctx, ccancel := context.WithTimeout(ctx, 20*time.Second)
	defer ccancel()
	if _, err := c.WaitHeight(cctx, 3, target+2); err != nil {
		t.Fatalf("restarted node did not catch up within 20 s: %v", err)
	}
	t.Logf("restarted node caught up to %d in %s", target+2, time.Since(restarted).Round(time.Millisecond))
	checkAgreement(t, ctx, c)
}

// TestKillTwoOfFour: with two of four authorities down there is no quorum:
// no new blocks and no fork. Restarted ~10 s later, finality resumes.
func TestKillTwoOfFour(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	c := newCluster(t, 4, 300*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := c.WaitHeight(ctx, 3, 5); err != nil {
		t.Fatal(err)
	}
	c.Kill(2)
	c.Kill(3)
	killed := time.Now()
	time.Sleep(2 * time.Second) // a block in flight may still commit
	h0, _ := c.Head(ctx, 0)
	time.Sleep(5 * time.Second)
	h1, _ := c.Head(ctx, 0)
	if h1.Height != h0.Height {
		t.Fatalf("blocks finalized without a quorum: %d -> %d", h0.Height, h1.Height)
	}
	time.Sleep(time.Until(killed.Add(10 * time.Second)))
	for _, i := range []int{2, 3} {
		if err := c.Start(i); err != nil {
			t.Fatal(err)
		}
	}
	restarted := time.Now()
	cctx, ccancel := context.WithTimeout(ctx, 30*time.Second)
	defer ccancel()
	for i := range c.Nodes {
		if _, err := c.WaitHeight(cctx, i, h1.Height+3); err != nil {
			t.Fatalf("finality did not resume within 30 s of the restart: %v", err)
		}
	}
	t.Logf("finality resumed: all nodes at %d, %s after restart", h1.Height+3, time.Since(restarted).Round(time.Millisecond))
	checkAgreement(t, ctx, c)
}
