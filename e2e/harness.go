package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

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

// Proc is one node process of a Cluster.
type Proc struct {
	Home string
	RPC  string
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

// Cluster runs node processes from a testnet directory.
type Cluster struct {
	Bin   string
	Nodes []node.TestnetNode
	mu    sync.Mutex
	procs []*Proc
	// LogDir receives node<i>.log files (appended across restarts).
	LogDir string
}

// NewCluster prepares a cluster for the nodes of a testnet written by
// node.InitTestnet.
func NewCluster(bin string, nodes []node.TestnetNode, logDir string) *Cluster {
	return &Cluster{Bin: bin, Nodes: nodes, procs: make([]*Proc, len(nodes)), LogDir: logDir}
}

// Start starts node i (which must not be running).
func (c *Cluster) Start(i int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.procs[i]; p != nil && !p.exited() {
		return fmt.Errorf("node %d already running", i)
	}
	logf, err := os.OpenFile(filepath.Join(c.LogDir, fmt.Sprintf("node%d.log", i)), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "==== start %s\n", time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(c.Bin, "node", "run", "--home", c.Nodes[i].Home)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	p := &Proc{Home: c.Nodes[i].Home, RPC: "http://" + c.Nodes[i].RPC, cmd: cmd, done: make(chan struct{}), log: logf}
	go func() {
		cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	c.procs[i] = p
	return nil
}

func (p *Proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL to node i and waits for it to die.
func (c *Cluster) Kill(i int) {
	c.signal(i, syscall.SIGKILL)
}

// Stop sends SIGTERM to node i and waits for a clean exit.
func (c *Cluster) Stop(i int) {
	c.signal(i, syscall.SIGTERM)
}

func (c *Cluster) signal(i int, sig syscall.Signal) {
	c.mu.Lock()
	p := c.procs[i]
	c.mu.Unlock()
	if p == nil || p.exited() {
		return
	}
	p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

// StopAll stops every running node.
func (c *Cluster) StopAll() {
	var wg sync.WaitGroup
	for i := range c.procs {
		wg.Add(1)
		go func(i int) { defer wg.Done(); c.Stop(i) }(i)
	}
	wg.Wait()
}

// Running reports whether node i's process is alive.
func (c *Cluster) Running(i int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.procs[i]
	return p != nil && !p.exited()
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
