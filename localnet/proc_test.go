//go:build linux

package localnet

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the child process of these tests: with
// LOCALNET_TEST_CHILD set, TestMain runs the named behaviour instead of
// the tests.
func TestMain(m *testing.M) {
	switch os.Getenv("LOCALNET_TEST_CHILD") {
	case "":
		os.Exit(m.Run())
	case "graceful": // exits 0 on SIGTERM
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM)
		fmt.Println("ready")
		<-c
		fmt.Println("got SIGTERM")
		os.Exit(0)
	case "stubborn": // ignores SIGTERM
		signal.Ignore(syscall.SIGTERM)
		fmt.Println("ready")
		time.Sleep(time.Hour)
	case "parent": // starts a grandchild in the same group, prints its pid
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "LOCALNET_TEST_CHILD=stubborn")
		if err := cmd.Start(); err != nil {
			os.Exit(3)
		}
		fmt.Println(cmd.Process.Pid)
		time.Sleep(time.Hour)
	case "supervisor": // a Supervisor whose child's pid it prints; then waits to be killed
		s := NewSupervisor(os.Args[0])
		p, err := s.Start(Spec{Name: "child", Env: []string{"LOCALNET_TEST_CHILD=stubborn"}, LogPath: os.Getenv("LOCALNET_TEST_LOG")})
		if err != nil {
			os.Exit(3)
		}
		fmt.Println(p.Pid())
		time.Sleep(time.Hour)
	case "exit3":
		fmt.Println("failing")
		os.Exit(3)
	}
}

func alive(pid int) bool {
	// A zombie still answers kill(0); read its state instead.
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

func waitGone(t *testing.T, pid int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL) // leave no stray process behind a failed test
			t.Fatalf("pid %d still alive after %s", pid, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func testSupervisor(t *testing.T) *Supervisor {
	s := NewSupervisor(os.Args[0])
	s.StopTimeout = 5 * time.Second
	t.Cleanup(func() { s.StopAll() })
	return s
}

func child(behaviour string) []string { return []string{"LOCALNET_TEST_CHILD=" + behaviour} }

// waitLog waits for the log to contain want.
func waitLog(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("log %s never contained %q; it has:\n%s", path, want, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStopIsGraceful(t *testing.T) {
	s := testSupervisor(t)
	log := filepath.Join(t.TempDir(), "logs", "g.log")
	p, err := s.Start(Spec{Name: "g", Env: child("graceful"), LogPath: log})
	if err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, "ready")
	if !p.Running() || p.Exit() != "" {
		t.Fatalf("running %v exit %q", p.Running(), p.Exit())
	}
	if _, err := s.Start(Spec{Name: "g", Env: child("graceful")}); err == nil {
		t.Fatal("a second process under a running name was started")
	}
	t0 := time.Now()
	s.Stop("g")
	if p.Running() || p.Exit() != "exit status 0" || !p.Expected() || !p.Survived() {
		t.Fatalf("after Stop: running %v exit %q expected %v survived %v", p.Running(), p.Exit(), p.Expected(), p.Survived())
	}
	if d := time.Since(t0); d > 3*time.Second {
		t.Fatalf("a graceful stop took %s", d)
	}
	waitLog(t, log, "got SIGTERM")
	waitLog(t, log, "==== exit")
	// A restart appends to the same log.
	if _, err := s.Start(Spec{Name: "g", Env: child("graceful"), LogPath: log}); err != nil {
		t.Fatal(err)
	}
	s.Stop("g")
	b, _ := os.ReadFile(log)
	if n := strings.Count(string(b), "==== start"); n != 2 {
		t.Fatalf("%d start headers in the log, want 2:\n%s", n, b)
	}
}

func TestStopEscalatesToSIGKILL(t *testing.T) {
	s := testSupervisor(t)
	s.StopTimeout = 300 * time.Millisecond
	log := filepath.Join(t.TempDir(), "s.log")
	p, err := s.Start(Spec{Name: "s", Env: child("stubborn"), LogPath: log})
	if err != nil {
		t.Fatal(err)
	}
	waitLog(t, log, "ready")
	t0 := time.Now()
	s.Stop("s")
	if p.Running() || !strings.Contains(p.Exit(), "killed") {
		t.Fatalf("running %v exit %q, want killed", p.Running(), p.Exit())
	}
	if d := time.Since(t0); d < 300*time.Millisecond || d > 5*time.Second {
		t.Fatalf("stop took %s, want about the 300ms timeout", d)
	}
}

func TestStopReachesTheProcessGroup(t *testing.T) {
	s := testSupervisor(t)
	log := filepath.Join(t.TempDir(), "p.log")
	p, err := s.Start(Spec{Name: "p", Env: child("parent"), LogPath: log})
	if err != nil {
		t.Fatal(err)
	}
	grandchild := readPid(t, log)
	if !alive(grandchild) {
		t.Fatal("grandchild not running")
	}
	s.Kill("p")
	if p.Running() {
		t.Fatal("still running after Kill")
	}
	waitGone(t, grandchild, 5*time.Second)
}

func TestChildrenDieWithTheSupervisor(t *testing.T) {
	// A supervisor killed with SIGKILL cannot stop its children: the
	// parent-death signal must.
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "sup.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(os.Args[0])
	childLog := filepath.Join(dir, "child.log")
	cmd.Env = append(os.Environ(), "LOCALNET_TEST_CHILD=supervisor", "LOCALNET_TEST_LOG="+childLog)
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := readPid(t, out.Name())
	waitLog(t, childLog, "ready")
	if !alive(pid) {
		t.Fatal("child of the supervisor not running")
	}
	cmd.Process.Kill()
	cmd.Wait()
	waitGone(t, pid, 5*time.Second)
}

func TestExitIsReported(t *testing.T) {
	s := testSupervisor(t)
	p, err := s.Start(Spec{Name: "x", Env: child("exit3")})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("no exit")
	}
	s.Stop("x") // stopping a process that died on its own does not make its death expected
	if p.Exit() != "exit status 3" || p.Expected() || p.Survived() {
		t.Fatalf("exit %q expected %v survived %v", p.Exit(), p.Expected(), p.Survived())
	}
	bad := NewSupervisor(filepath.Join(t.TempDir(), "missing"))
	if _, err := bad.Start(Spec{Name: "m"}); err == nil {
		t.Fatal("started a missing binary")
	}
}

// readPid waits for the first line of path and parses it as a pid.
func readPid(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		f, err := os.Open(path)
		if err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if pid, err := strconv.Atoi(strings.TrimSpace(sc.Text())); err == nil {
					f.Close()
					return pid
				}
			}
			f.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no pid in %s", path)
	return 0
}
