package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/yumachain/yuma/localnet"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/rpc"
)

// Build compiles ./cmd/yuma from the module at root into dir and returns
// the binary's path.
func Build(root, dir string) (string, error) {
	bin := filepath.Join(dir, "yuma")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/yuma")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// Cluster runs node processes from a testnet directory. Process
// management (process groups, parent-death signal, SIGTERM then SIGKILL)
// is localnet.Supervisor's, the same one `yuma localnet` uses.
type Cluster struct {
	Bin   string
	Nodes []node.TestnetNode
	// LogDir receives node<i>.log files (appended across restarts).
	LogDir string
	sup    *localnet.Supervisor
}

// NewCluster prepares a cluster for the nodes of a testnet written by
// node.InitTestnet.
func NewCluster(bin string, nodes []node.TestnetNode, logDir string) *Cluster {
	sup := localnet.NewSupervisor(bin)
	sup.StopTimeout = 20 * time.Second
	return &Cluster{Bin: bin, Nodes: nodes, LogDir: logDir, sup: sup}
}

func procName(i int) string { return fmt.Sprintf("node%d", i) }

// Start starts node i (which must not be running).
func (c *Cluster) Start(i int) error {
	_, err := c.sup.Start(localnet.Spec{
		Name:    procName(i),
		Args:    []string{"node", "run", "--home", c.Nodes[i].Home},
		LogPath: filepath.Join(c.LogDir, procName(i)+".log"),
	})
	return err
}

// Kill sends SIGKILL to node i and waits for it to die.
func (c *Cluster) Kill(i int) { c.sup.Kill(procName(i)) }

// Stop sends SIGTERM to node i and waits for a clean exit (SIGKILL after
// 20 s).
func (c *Cluster) Stop(i int) { c.sup.Stop(procName(i)) }

// StopAll stops every running node.
func (c *Cluster) StopAll() { c.sup.StopAll() }

// Running reports whether node i's process is alive.
func (c *Cluster) Running(i int) bool {
	p := c.sup.Proc(procName(i))
	return p != nil && p.Running()
}

// Client returns an RPC client for node i.
func (c *Cluster) Client(i int) *rpc.Client {
	cl, _ := rpc.Dial("http://" + c.Nodes[i].RPC)
	return cl
}

// Head returns node i's finalized head, or an error if it does not answer.
func (c *Cluster) Head(ctx context.Context, i int) (rpc.Head, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return c.Client(i).Head(ctx)
}

// WaitHeight waits until node i reports a finalized height >= h.
func (c *Cluster) WaitHeight(ctx context.Context, i int, h uint64) (rpc.Head, error) {
	for {
		head, err := c.Head(ctx, i)
		if err == nil && head.Height >= h {
			return head, nil
		}
		select {
		case <-ctx.Done():
			return head, fmt.Errorf("node %d: height %d, want %d: %w (last error %v)", i, head.Height, h, ctx.Err(), err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// MaxHeight returns the highest finalized height among answering nodes.
func (c *Cluster) MaxHeight(ctx context.Context) uint64 {
	var top uint64
	for i := range c.Nodes {
		if h, err := c.Head(ctx, i); err == nil && h.Height > top {
			top = h.Height
		}
	}
	return top
}

// AppHash returns node i's app hash after block h.
func (c *Cluster) AppHash(ctx context.Context, i int, h uint64) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	b, err := c.Client(i).Block(ctx, h)
	if err != nil {
		return "", err
	}
	return b.AppHash.Hex(), nil
}
