package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/yumachain/yuma/emission"
	"github.com/yumachain/yuma/localnet"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/rpc"
)

// localnetRun is one `yuma localnet` process of a test.
type localnetRun struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	err            error
}

func startLocalnet(t *testing.T, args ...string) *localnetRun {
	t.Helper()
	r := &localnetRun{done: make(chan struct{})}
	r.cmd = exec.Command(binPath, append([]string{"localnet"}, args...)...)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	// A private YUMA_HOME, so no user config is read.
	r.cmd.Env = append(os.Environ(), "YUMA_HOME="+t.TempDir())
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.cmd.Process.Kill() // its children die with it (parent-death signal)
			<-r.done
		}
		if t.Failed() {
			t.Logf("---- localnet stderr (tail):\n%s", lastBytes(r.stderr.String(), 4000))
		}
	})
	return r
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// wait waits for the process to exit and returns its exit code.
func (r *localnetRun) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(within):
		t.Fatalf("localnet still running after %s", within)
	}
	var ee *exec.ExitError
	if errors.As(r.err, &ee) {
		return ee.ExitCode()
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	return 0
}

func (r *localnetRun) summary(t *testing.T) localnet.Summary {
	t.Helper()
	var s localnet.Summary
	if err := json.Unmarshal(r.stdout.Bytes(), &s); err != nil {
		t.Fatalf("stdout is not the JSON summary (%v):\n%s", err, lastBytes(r.stdout.String(), 2000))
	}
	if s.Version != localnet.SummaryVersion {
		t.Fatalf("summary version %d", s.Version)
	}
	return s
}

// runInfo waits until HOME/run.json lists every name.
func runInfo(t *testing.T, home string, within time.Duration, names ...string) localnet.RunInfo {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var ri localnet.RunInfo
		b, err := os.ReadFile(filepath.Join(home, localnet.RunFile))
		if err == nil && json.Unmarshal(b, &ri) == nil {
			all := true
			for _, n := range names {
				all = all && ri.Processes[n] != 0
			}
			if all {
				return ri
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("run.json never listed %v (last: %s)", names, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// running reports whether pid is a live (non-zombie) process.
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesized command name.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// strays lists live processes whose command line names home.
func strays(home string) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(home)) && running(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// noStrays checks that none of pids runs and no process names home.
func noStrays(t *testing.T, home string, pids ...int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var left []int
		for _, p := range pids {
			if p != 0 && running(p) {
				left = append(left, p)
			}
		}
		left = append(left, strays(home)...)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			for _, p := range left {
				syscall.Kill(p, syscall.SIGKILL)
			}
			t.Fatalf("stray processes after localnet exited: %v", left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func summaryPids(s localnet.Summary) []int {
	var pids []int
	for _, n := range s.Nodes {
		pids = append(pids, n.PID)
	}
	for _, p := range s.Processes {
		pids = append(pids, p.PID)
	}
	return pids
}

// checkSummary checks what every healthy run must show: agreement on the
// app hash, the issuance of the emission schedule (recomputed here from
// the genesis file and package emission), and an epoch.
func checkSummary(t *testing.T, home string, s localnet.Summary) {
	t.Helper()
	if s.CommonHeight == 0 || !s.AppHashAgree || s.AppHash == "" {
		t.Fatalf("common height %d, agree %v, app hash %q", s.CommonHeight, s.AppHashAgree, s.AppHash)
	}
	for _, n := range s.Nodes {
		if n.Alive && n.AppHash != s.AppHash {
			t.Fatalf("%s has app hash %s at %d, the summary says %s", n.Name, n.AppHash, s.CommonHeight, s.AppHash)
		}
	}
	_, g, err := node.LoadGenesis(filepath.Join(home, localnet.NetDir, "node0"))
	if err != nil {
		t.Fatal(err)
	}
	iss := uint64(0)
	for _, a := range g.Accounts {
		iss += uint64(a.Balance)
	}
	if s.Subnet.RegisteredAt == 0 || s.Subnet.RegisteredAt >= s.CommonHeight {
		t.Fatalf("subnet registered at %d, common height %d", s.Subnet.RegisteredAt, s.CommonHeight)
	}
	// Each block after the one that registered the subnet mints its reward.
	for h := s.Subnet.RegisteredAt + 1; h <= s.CommonHeight; h++ {
		iss += emission.BlockReward(iss)
	}
	if s.Issuance.Height != s.CommonHeight || s.Issuance.Rao != iss || !s.Issuance.Matches {
		t.Fatalf("issuance at %d: chain %d, emission schedule %d (summary: %+v)", s.CommonHeight, s.Issuance.Rao, iss, s.Issuance)
	}
	if s.Subnet.Epochs < 1 || s.Subnet.NetUID == 0 {
		t.Fatalf("no epoch completed: %+v", s.Subnet)
	}
	if !s.OK {
		t.Fatal("summary not ok")
	}
}

// checkIncentive: the good miner earns the most, garbage (almost)
// nothing, and validators earn dividends.
func checkIncentive(t *testing.T, s localnet.Summary) {
	t.Helper()
	var good, best localnet.SummaryNeuron
	miners, divs := 0, 0.0
	for _, n := range s.Neurons {
		switch n.Role {
		case localnet.RoleMiner:
			miners++
			if n.Quality == localnet.QualityGood {
				good = n
			}
			if n.IncentiveU16 > best.IncentiveU16 {
				best = n
			}
			if n.Quality == localnet.QualityGarbage && n.Incentive > 0.05 {
				t.Errorf("the garbage miner %s earns incentive %.4f", n.Name, n.Incentive)
			}
		case localnet.RoleValidator:
			divs += n.Dividends
		}
	}
	if miners != 3 || good.Name == "" {
		t.Fatalf("neurons %+v", s.Neurons)
	}
	if good.IncentiveU16 == 0 || best.Name != good.Name {
		t.Fatalf("best miner is %s (%.4f), the good miner %s has %.4f: %+v", best.Name, best.Incentive, good.Name, good.Incentive, s.Neurons)
	}
	for _, n := range s.Neurons {
		if n.Role == localnet.RoleMiner && n.Name != good.Name && n.IncentiveU16 >= good.IncentiveU16 {
			t.Fatalf("%s (%s) has incentive %.4f >= the good miner's %.4f", n.Name, n.Quality, n.Incentive, good.Incentive)
		}
	}
	if divs <= 0 {
		t.Fatalf("no validator dividends: %+v", s.Neurons)
	}
}

// TestLocalnet runs the whole network for 45 s and checks the summary.
func TestLocalnet(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	home := filepath.Join(t.TempDir(), "net")
	r := startLocalnet(t, "--home", home, "--block-time", "300ms", "--tempo", "10", "--exit-after", "45s", "--json")
	if code := r.wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, lastBytes(r.stdout.String(), 3000))
	}
	s := r.summary(t)
	ms := func(p *int64) string {
		if p == nil {
			return "never"
		}
		return fmt.Sprintf("%dms", *p)
	}
	t.Logf("height %d, %d epochs; first block %s, setup %s, first epoch %s, first miner incentive %s", s.CommonHeight, s.Subnet.Epochs,
		ms(s.Milestones.FirstBlockMS), ms(s.Milestones.SetupMS), ms(s.Milestones.FirstEpochMS), ms(s.Milestones.FirstIncentiveMS))
	if s.Reason != "exit_after" || s.Resumed || len(s.Died) != 0 || len(s.Nodes) != 4 || len(s.Processes) != 5 {
		t.Fatalf("reason %q resumed %v died %v nodes %d processes %d", s.Reason, s.Resumed, s.Died, len(s.Nodes), len(s.Processes))
	}
	for _, p := range s.Processes {
		if !p.Alive {
			t.Fatalf("%s died during the run: %s", p.Name, p.Exit)
		}
	}
	checkSummary(t, home, s)
	checkIncentive(t, s)
	noStrays(t, home, summaryPids(s)...)
	if _, err := os.Stat(filepath.Join(home, localnet.RunFile)); err == nil {
		t.Fatal("run.json left behind by a clean exit")
	}
}

// TestLocalnetKillNode kills one node's process during the run: the
// others keep finalizing, and the summary names the dead node.
func TestLocalnetKillNode(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	home := filepath.Join(t.TempDir(), "net")
	r := startLocalnet(t, "--home", home, "--block-time", "300ms", "--exit-after", "40s", "--json")
	ri := runInfo(t, home, 60*time.Second, "node3", "validator1")
	m, _, err := localnet.ReadManifest(home)
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := rpc.Dial("http://" + m.Nodes[0].RPC)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before, err := cl.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(ri.Processes["node3"], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if code := r.wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, lastBytes(r.stdout.String(), 3000))
	}
	s := r.summary(t)
	if len(s.Died) != 1 || s.Died[0] != "node3" {
		t.Fatalf("died %v, want [node3]", s.Died)
	}
	for _, n := range s.Nodes {
		if (n.Name == "node3") == n.Alive {
			t.Fatalf("%s alive %v (exit %q)", n.Name, n.Alive, n.Exit)
		}
	}
	// The network went on: at least 10 blocks (3 s at 300 ms) after the
	// kill, on the three nodes left.
	if s.CommonHeight < before.Height+10 {
		t.Fatalf("common height %d, only %d blocks after the kill at %d", s.CommonHeight, s.CommonHeight-before.Height, before.Height)
	}
	if !strings.Contains(r.stderr.String(), "node3 (pid") {
		t.Fatalf("the death of node3 was not reported:\n%s", lastBytes(r.stderr.String(), 2000))
	}
	checkSummary(t, home, s)
	noStrays(t, home, summaryPids(s)...)
}

// TestLocalnetResume runs a network twice on one home: the second run
// resumes the stored chain and skips genesis and setup. Then a port of the
// stored network is taken: the third run refuses to start, naming it.
func TestLocalnetResume(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	home := filepath.Join(t.TempDir(), "net")
	args := []string{"--home", home, "--block-time", "300ms", "--exit-after", "25s", "--json"}
	r1 := startLocalnet(t, args...)
	if code := r1.wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("first run: exit code %d", code)
	}
	s1 := r1.summary(t)
	noStrays(t, home, summaryPids(s1)...)
	genesis, _ := os.ReadFile(filepath.Join(home, localnet.NetDir, "node0", node.GenesisFile))

	r2 := startLocalnet(t, args...)
	if code := r2.wait(t, 2*time.Minute); code != 0 {
		t.Fatalf("second run: exit code %d", code)
	}
	s2 := r2.summary(t)
	if !s2.Resumed || s1.Resumed {
		t.Fatalf("resumed: first %v, second %v", s1.Resumed, s2.Resumed)
	}
	if s2.CommonHeight <= s1.CommonHeight {
		t.Fatalf("second run at height %d, not above the first's %d", s2.CommonHeight, s1.CommonHeight)
	}
	if again, _ := os.ReadFile(filepath.Join(home, localnet.NetDir, "node0", node.GenesisFile)); !bytes.Equal(again, genesis) {
		t.Fatal("the genesis was rewritten")
	}
	if s2.Subnet.NetUID != s1.Subnet.NetUID || s2.Subnet.RegisteredAt != s1.Subnet.RegisteredAt {
		t.Fatalf("subnet %+v then %+v", s1.Subnet, s2.Subnet)
	}
	if len(s2.Neurons) != len(s1.Neurons) {
		t.Fatalf("%d neurons, then %d (registered again?)", len(s1.Neurons), len(s2.Neurons))
	}
	for i := range s1.Neurons {
		if s1.Neurons[i].Hotkey != s2.Neurons[i].Hotkey || s1.Neurons[i].UID != s2.Neurons[i].UID {
			t.Fatalf("uid %d changed hands", s1.Neurons[i].UID)
		}
	}
	if e := r2.stderr.String(); !strings.Contains(e, "already set up") || strings.Contains(e, "registered subnet") || strings.Contains(e, "creating a") {
		t.Fatalf("the second run did setup again:\n%s", lastBytes(e, 2000))
	}
	checkSummary(t, home, s2)
	noStrays(t, home, summaryPids(s2)...)

	// A stored port taken by someone else.
	m, _, _ := localnet.ReadManifest(home)
	l, err := net.Listen("tcp", m.Nodes[1].Metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r3 := startLocalnet(t, "--home", home)
	if code := r3.wait(t, time.Minute); code == 0 {
		t.Fatal("started with a busy port")
	}
	checkOneError(t, r3.stderr.String(), m.Nodes[1].Metrics, "node1 metrics")
	noStrays(t, home)
}

// checkOneError: stderr is one line, "error: ...", naming every want.
func checkOneError(t *testing.T, stderr string, want ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "error: ") {
		t.Fatalf("want one error line, got:\n%s", stderr)
	}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Fatalf("error %q does not name %q", lines[0], w)
		}
	}
}

// TestLocalnetBadInput: a busy port, an unusable home and invalid flags
// each give one clear message, a non-zero exit and no process.
func TestLocalnetBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	dir := t.TempDir()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	cases := []struct {
		name string
		home string
		args []string
		code int
		want []string
	}{
		{"busy rpc port", filepath.Join(dir, "h1"), []string{"--rpc-port-base", strconv.Itoa(port)}, 1, []string{busy.Addr().String(), "node0 JSON-RPC", "--rpc-port-base"}},
		{"home under a file", filepath.Join(file, "home"), nil, 1, []string{"cannot create", "--home"}},
		{"home is a file", file, nil, 1, []string{"not a folder"}},
		{"zero nodes", filepath.Join(dir, "h2"), []string{"--nodes", "0"}, 2, []string{"--nodes 0"}},
		{"bad quality", filepath.Join(dir, "h3"), []string{"--miner-quality", "good,superb"}, 2, []string{"superb"}},
		{"unknown flag", filepath.Join(dir, "h4"), []string{"--validatorz", "3"}, 1, []string{"--validatorz"}},
		{"bad duration", filepath.Join(dir, "h5"), []string{"--block-time", "fast"}, 1, []string{"--block-time"}},
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		cases = append(cases, struct {
			name string
			home string
			args []string
			code int
			want []string
		}{"read-only home", filepath.Join(ro, "home"), nil, 1, []string{"cannot create"}})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := startLocalnet(t, append([]string{"--home", tc.home}, tc.args...)...)
			if code := r.wait(t, 30*time.Second); code != tc.code {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tc.code, r.stderr.String())
			}
			checkOneError(t, r.stderr.String(), tc.want...)
			if r.stdout.Len() != 0 {
				t.Fatalf("output on stdout:\n%s", r.stdout.String())
			}
			noStrays(t, tc.home)
			if _, err := os.Stat(filepath.Join(tc.home, localnet.NetDir)); err == nil {
				t.Fatal("node homes were written despite bad input")
			}
		})
	}
}

// TestLocalnetInterrupt: Ctrl-C (SIGINT) stops every child and prints the
// summary; SIGKILL of the localnet itself still leaves no orphan.
func TestLocalnetInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process test")
	}
	home := filepath.Join(t.TempDir(), "net")
	r := startLocalnet(t, "--home", home, "--block-time", "300ms", "--json")
	ri := runInfo(t, home, 60*time.Second, "node0", "miner0", "validator1")
	r.cmd.Process.Signal(os.Interrupt)
	if code := r.wait(t, time.Minute); code != 0 {
		t.Fatalf("exit code %d after Ctrl-C", code)
	}
	s := r.summary(t)
	if s.Reason != "interrupted" {
		t.Fatalf("reason %q", s.Reason)
	}
	var pids []int
	for _, p := range ri.Processes {
		pids = append(pids, p)
	}
	noStrays(t, home, pids...)

	// A second Ctrl-C cuts the orderly stop short: everything is killed.
	rf := startLocalnet(t, "--home", home, "--block-time", "300ms", "--stop-timeout", "30s", "--json")
	rif := runInfo(t, home, 60*time.Second, "node0", "miner0", "validator1")
	rf.cmd.Process.Signal(os.Interrupt)
	time.Sleep(100 * time.Millisecond)
	rf.cmd.Process.Signal(os.Interrupt)
	rf.wait(t, 25*time.Second) // well below the 30 s stop timeout
	if !strings.Contains(rf.stderr.String(), "killing every process now") {
		t.Fatalf("no forced stop reported:\n%s", lastBytes(rf.stderr.String(), 2000))
	}
	if sf := rf.summary(t); sf.Reason != "interrupted" || len(sf.Died) != 0 {
		t.Fatalf("forced stop: reason %q, died %v (killed on request is not died)", sf.Reason, sf.Died)
	}
	pids = pids[:0]
	for _, p := range rif.Processes {
		pids = append(pids, p)
	}
	noStrays(t, home, pids...)

	// SIGKILL cannot be caught: the children's parent-death signal ends
	// them.
	r2 := startLocalnet(t, "--home", home, "--block-time", "300ms")
	ri2 := runInfo(t, home, 60*time.Second, "node0", "miner0", "validator1")
	r2.cmd.Process.Kill()
	r2.wait(t, 10*time.Second)
	pids = pids[:0]
	for _, p := range ri2.Processes {
		pids = append(pids, p)
	}
	noStrays(t, home, pids...)
}
