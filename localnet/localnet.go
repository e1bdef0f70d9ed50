package localnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/yumachain/yuma/node"
)

// IO is where a run reads its binary and writes its output.
type IO struct {
	// Bin is the yuma executable every child runs (the CLI passes
	// os.Executable()).
	Bin string
	// Out receives the live view (or the progress lines) and the summary.
	Out io.Writer
	// Terminal: Out is a terminal, so the view is redrawn in place.
	Terminal bool
	// JSON: Out receives only the JSON summary; progress goes to Err.
	JSON bool
	// Err receives progress and warnings.
	Err io.Writer
	// Force, when it yields, kills every child at once (SIGKILL) instead
	// of the orderly stop: the CLI sends on a second Ctrl-C.
	Force <-chan struct{}
}

// Run creates (or resumes) the network of cfg in its home, starts every
// process, sets the chain up, shows the live view until ctx ends or
// cfg.ExitAfter passes, stops everything and returns the summary. Bad
// input (options, home, ports) returns an error before any process
// starts. After processes start, an error still stops them all first.
func Run(ctx context.Context, cfg Config, out IO) (sum *Summary, err error) {
	start := time.Now()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if out.Out == nil {
		out.Out = io.Discard
	}
	if out.Err == nil {
		out.Err = io.Discard
	}
	if out.Bin == "" {
		return nil, fmt.Errorf("%w: no yuma binary to run the processes with", ErrStart)
	}
	progress := func(format string, args ...any) {
		w := out.Out
		if out.JSON {
			w = out.Err
		}
		fmt.Fprintf(w, "localnet: "+format+"\n", args...)
	}

	home, temporary := cfg.Home, cfg.Home == ""
	if temporary {
		if home, err = os.MkdirTemp("", "yuma-localnet-"); err != nil {
			return nil, fmt.Errorf("%w: temporary folder: %v", ErrHome, err)
		}
	} else if home, err = filepath.Abs(home); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHome, err)
	}
	keep := !temporary
	defer func() {
		if !keep {
			os.RemoveAll(home)
		}
	}()
	empty, err := prepareHome(home)
	if err != nil {
		return nil, err
	}
	lock, err := lockHome(home)
	if err != nil {
		return nil, err
	}
	defer lock.release()

	m, resumed, err := ReadManifest(home)
	if err != nil {
		return nil, err
	}
	if resumed {
		for _, d := range shapeDiffs(&cfg, m) {
			progress("resuming the network in %s: %s", home, d)
		}
		if err := applyNodeConfig(home, m, &cfg); err != nil {
			return nil, err
		}
	} else {
		if !empty {
			return nil, fmt.Errorf("%w: %s is not empty and holds no localnet (no %s): choose an empty or new folder, or remove it", ErrHome, home, ManifestFile)
		}
		// The ports asked for are checked before anything is written.
		for i := range cfg.Nodes {
			if cfg.RPCPortBase != 0 {
				if err := checkPort("tcp", fmt.Sprintf("127.0.0.1:%d", cfg.RPCPortBase+i), fmt.Sprintf("node%d JSON-RPC", i), rpcFix); err != nil {
					return nil, err
				}
			}
		}
		progress("creating a %d-node network with %d miners and %d validators in %s", cfg.Nodes, cfg.Miners, cfg.Validators, home)
		if m, err = createNetwork(home, &cfg); err != nil {
			clearHome(home)
			return nil, err
		}
	}
	if err := checkPorts(home, m); err != nil {
		if !resumed {
			clearHome(home)
		}
		return nil, err
	}

	sup := NewSupervisor(out.Bin)
	sup.StopTimeout = cfg.StopTimeout
	defer sup.StopAll() // whatever happens, no child outlives Run
	forced := make(chan struct{})
	defer close(forced)
	go func() {
		select {
		case <-out.Force:
			progress("killing every process now")
			sup.KillAll()
		case <-forced:
		}
	}()
	r := &runner{cfg: &cfg, out: out, home: home, m: m, sup: sup, progress: progress, start: start}
	r.obs = newObserver(home, m, sup, start)
	sum = &Summary{Version: SummaryVersion, Home: home, HomeKept: keep, Resumed: resumed}
	runErr := r.run(ctx)

	// Shutdown: neurons first, then read the final state, then the nodes.
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sup.StopAll(r.neuronNames()...)
	switch {
	case runErr != nil && !errors.Is(runErr, context.Canceled):
		sum.Reason, sum.Error = "error", runErr.Error()
	case ctx.Err() != nil:
		sum.Reason = "interrupted"
	default:
		sum.Reason = "exit_after"
	}
	if r.started {
		r.obs.summarize(sctx, sum, r.setup.RegisteredAt)
	}
	sum.UptimeMS = time.Since(start).Milliseconds()
	sup.StopAll()
	os.Remove(filepath.Join(home, RunFile))
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		if r.started && temporary {
			keep = true // the logs explain the failure
			sum.HomeKept = true
		}
		return sum, runErr
	}
	return sum, nil
}

// runner is one run's state.
type runner struct {
	cfg      *Config
	out      IO
	home     string
	m        *Manifest
	sup      *Supervisor
	obs      *observer
	progress func(string, ...any)
	start    time.Time
	started  bool // the nodes were started
	setup    SetupReport
}

func (r *runner) neuronNames() []string {
	var names []string
	for _, n := range append(append([]NeuronInfo{}, r.m.Miners...), r.m.Validators...) {
		names = append(names, n.Name)
	}
	return names
}

func (r *runner) run(ctx context.Context) error {
	var exitC <-chan time.Time
	if r.cfg.ExitAfter > 0 {
		t := time.NewTimer(r.cfg.ExitAfter - time.Since(r.start))
		defer t.Stop()
		exitC = t.C
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-exitC:
			cancel()
		case <-ctx.Done():
		}
	}()

	if !r.out.Terminal || r.out.JSON {
		w := r.out.Out
		if r.out.JSON {
			w = r.out.Err
		}
		fmt.Fprint(w, Header(r.home, r.m, r.cfg.Home == ""))
	}
	for _, n := range r.m.Nodes {
		if err := r.startProc(Spec{Name: n.Name, Args: []string{"node", "run", "--home", filepath.Join(r.home, n.Home)}}); err != nil {
			return err
		}
	}
	r.started = true
	r.progress("started %d nodes; waiting for the first finalized block", len(r.m.Nodes))
	head, err := r.waitFirstBlock(ctx)
	if err != nil {
		return err
	}
	r.progress("block %d finalized after %.1fs; setting up the subnet", head, time.Since(r.start).Seconds())

	best := r.obs.clients[0]
	for i, n := range r.obs.pollNodes(ctx) {
		if n.Answering {
			best = r.obs.clients[i]
			break
		}
	}
	sub := &submitter{cl: best, chainID: r.m.ChainID, timeout: r.cfg.StartTimeout}
	r.setup, err = setupChain(ctx, r.home, r.m, sub, func(s string) { r.progress("%s", s) })
	if err != nil {
		return r.withContext(ctx, err)
	}
	if len(r.setup.Done) == 0 {
		r.progress("subnet %d and its neurons are already set up (resumed)", r.setup.NetUID)
	}
	h, _ := best.Head(ctx)
	r.obs.setupDone(r.setup.NetUID, h.Height)

	for i, nr := range r.m.Miners {
		if err := r.startProc(Spec{Name: nr.Name, Args: minerArgs(r.home, r.m, nr, r.setup.NetUID, i, r.cfg)}); err != nil {
			return err
		}
	}
	for i, nr := range r.m.Validators {
		if err := r.startProc(Spec{Name: nr.Name, Args: validatorArgs(r.home, r.m, nr, r.setup.NetUID, i, r.cfg)}); err != nil {
			return err
		}
	}
	r.progress("started %d miners and %d validators", len(r.m.Miners), len(r.m.Validators))
	return r.watch(ctx)
}

// withContext turns an error caused by the run ending into the end.
func (r *runner) withContext(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Canceled
	}
	return err
}

// startProc starts a child with its log under HOME/logs and records its pid
// in HOME/run.json.
func (r *runner) startProc(spec Spec) error {
	spec.LogPath = filepath.Join(r.home, LogsDir, spec.Name+".log")
	spec.Env = append(spec.Env, "YUMA_HOME="+r.home)
	if _, err := r.sup.Start(spec); err != nil {
		return fmt.Errorf("%w: %v", ErrStart, err)
	}
	return r.writeRunFile()
}

// RunInfo is HOME/run.json while a localnet runs: the pids of the
// supervisor and of every child, for scripts and for cleanup after a
// crash.
type RunInfo struct {
	PID       int            `json:"pid"`
	Started   string         `json:"started"`
	Processes map[string]int `json:"processes"`
}

func (r *runner) writeRunFile() error {
	ri := RunInfo{PID: os.Getpid(), Started: r.start.UTC().Format(time.RFC3339), Processes: map[string]int{}}
	for _, p := range r.sup.Procs() {
		if p.Running() {
			ri.Processes[p.Name] = p.Pid()
		}
	}
	return writeJSONAtomic(filepath.Join(r.home, RunFile), ri)
}

// waitFirstBlock waits until some node finalizes a block above the height
// the chain had when the run began. A node that exits meanwhile is a
// start failure (with the end of its log).
func (r *runner) waitFirstBlock(ctx context.Context) (uint64, error) {
	deadline := time.NewTimer(r.cfg.StartTimeout)
	defer deadline.Stop()
	var startHead uint64
	first := true
	for {
		for _, n := range r.m.Nodes {
			if p := r.sup.Proc(n.Name); p != nil && !p.Running() {
				return 0, fmt.Errorf("%w: %s exited during start (%s):\n%s", ErrStart, n.Name, p.Exit(), logTail(p.LogPath, 15))
			}
		}
		r.obs.poll(ctx)
		s := r.obs.Snapshot()
		if first {
			startHead, first = s.Head, false
		} else if s.Head > startHead {
			return s.Head, nil
		}
		select {
		case <-ctx.Done():
			return 0, context.Canceled
		case <-deadline.C:
			return 0, fmt.Errorf("%w: no block finalized within %s; the end of %s:\n%s", ErrStart, r.cfg.StartTimeout,
				r.m.Nodes[0].Name+".log", logTail(filepath.Join(r.home, LogsDir, r.m.Nodes[0].Name+".log"), 15))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// watch shows the live view until ctx ends.
func (r *runner) watch(ctx context.Context) error {
	every := min(max(r.cfg.BlockTime/2, 100*time.Millisecond), 500*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	reported := map[string]bool{}
	drawn := false
	var exitAt time.Time
	if r.cfg.ExitAfter > 0 {
		exitAt = r.start.Add(r.cfg.ExitAfter)
	}
	lines := r.out.Out
	if r.out.JSON {
		lines = r.out.Err
	}
	for {
		newBlock, newEpoch := r.obs.poll(ctx)
		s := r.obs.Snapshot()
		for _, p := range r.sup.Procs() {
			if !p.Running() && !p.Expected() && !reported[p.Name] {
				reported[p.Name] = true
				if !r.out.Terminal || r.out.JSON {
					fmt.Fprintf(lines, "localnet: %s (pid %d) exited: %s; the others keep running (log: %s)\n", p.Name, p.Pid(), p.Exit(), rel(r.home, p.LogPath))
				}
				r.writeRunFile()
			}
		}
		switch {
		case r.out.Terminal && !r.out.JSON:
			var left time.Duration
			if !exitAt.IsZero() {
				left = max(time.Until(exitAt), 0)
			}
			fmt.Fprint(r.out.Out, RenderLive(s, left, !drawn))
			drawn = true
		default:
			if newBlock {
				fmt.Fprintln(lines, BlockLine(s))
			}
			if newEpoch {
				fmt.Fprint(lines, EpochLines(s))
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// shapeDiffs lists the options a resumed network ignores because its
// shape is fixed in the home.
func shapeDiffs(cfg *Config, m *Manifest) []string {
	var d []string
	if cfg.Nodes != len(m.Nodes) || cfg.Miners != len(m.Miners) || cfg.Validators != len(m.Validators) {
		d = append(d, fmt.Sprintf("keeping its %d nodes, %d miners and %d validators", len(m.Nodes), len(m.Miners), len(m.Validators)))
	}
	if cfg.Tempo != m.Tempo {
		d = append(d, fmt.Sprintf("keeping its genesis tempo %d (change it with `yuma subnet set --param tempo`)", m.Tempo))
	}
	if cfg.ChainID != m.ChainID {
		d = append(d, fmt.Sprintf("keeping its chain id %q", m.ChainID))
	}
	return d
}

// applyNodeConfig brings the node configs of a resumed network to the
// block time and RPC ports of cfg (node config, not chain rules).
func applyNodeConfig(home string, m *Manifest, cfg *Config) error {
	changed := false
	for i := range m.Nodes {
		n := &m.Nodes[i]
		h := filepath.Join(home, n.Home)
		c, err := node.LoadConfig(h)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrHome, n.Name, err)
		}
		dirty := false
		if c.Consensus.BlockTime.Duration != cfg.BlockTime {
			configureNode(&c, cfg.BlockTime)
			dirty = true
		}
		if cfg.RPCPortBase != 0 {
			if want := fmt.Sprintf("127.0.0.1:%d", cfg.RPCPortBase+i); c.RPC.Listen != want {
				c.RPC.Listen, n.RPC, dirty, changed = want, want, true, true
			}
		}
		if dirty {
			if err := node.SaveConfig(h, c); err != nil {
				return fmt.Errorf("%w: %s: %v", ErrHome, n.Name, err)
			}
		}
	}
	if changed {
		return writeJSONAtomic(filepath.Join(home, ManifestFile), m)
	}
	return nil
}

const rpcFix = "choose another --rpc-port-base, or stop that process"

// checkPorts makes sure every port of the network can be bound now.
func checkPorts(home string, m *Manifest) error {
	type port struct{ network, addr, what, fix string }
	var ps []port
	for _, n := range m.Nodes {
		cfgPath := filepath.Join(home, n.Home, node.ConfigFile)
		ps = append(ps, port{"tcp", n.RPC, n.Name + " JSON-RPC", rpcFix})
		if n.Metrics != "" {
			ps = append(ps, port{"tcp", n.Metrics, n.Name + " metrics", "stop that process, or edit " + cfgPath})
		}
		ps = append(ps, port{"udp", n.P2P, n.Name + " p2p", "stop that process, or edit " + cfgPath})
	}
	const other = "stop that process, or start a new localnet in another --home"
	for _, nr := range m.Miners {
		ps = append(ps, port{"tcp", nr.Axon, nr.Name + " axon", other})
	}
	for _, nr := range append(append([]NeuronInfo{}, m.Miners...), m.Validators...) {
		if nr.Metrics != "" {
			ps = append(ps, port{"tcp", nr.Metrics, nr.Name + " metrics", other})
		}
	}
	for _, p := range ps {
		if err := checkPort(p.network, p.addr, p.what, p.fix); err != nil {
			return err
		}
	}
	return nil
}

// checkPort binds addr and releases it at once.
func checkPort(network, addr, what, fix string) error {
	var err error
	if network == "udp" {
		var c net.PacketConn
		if c, err = net.ListenPacket("udp", addr); err == nil {
			c.Close()
		}
	} else {
		var l net.Listener
		if l, err = net.Listen("tcp", addr); err == nil {
			l.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %s (%s) cannot be used: %v: %s", ErrPortBusy, addr, what, unwrapOp(err), fix)
	}
	return nil
}

func unwrapOp(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		var se *os.SyscallError
		if errors.As(oe.Err, &se) {
			return se.Err
		}
		return oe.Err
	}
	return err
}

// clearHome removes what a failed creation wrote into a home that was
// empty before.
func clearHome(home string) {
	for _, d := range []string{NetDir, WalletsDir, MinersDir, ValidatorDir, LogsDir, PasswordFile, ManifestFile, RunFile} {
		os.RemoveAll(filepath.Join(home, d))
	}
}

// logTail is the last n lines of a log file, indented.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "    (no log: " + err.Error() + ")"
	}
	ls := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return "    " + strings.Join(ls, "\n    ")
}
