package localnet

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"
)

// DefaultStopTimeout is how long Stop waits after SIGTERM before SIGKILL.
const DefaultStopTimeout = 15 * time.Second

// Spec describes one child process of a Supervisor.
type Spec struct {
	// Name identifies the process within its supervisor ("node0", "miner1").
	Name string
	// Args follow the supervisor's binary.
	Args []string
	// Env is added to the parent's environment (later entries win).
	Env []string
	// LogPath receives the process's stdout and stderr, appended across
	// restarts, each start headed by a "==== start" line. Empty discards.
	LogPath string
}

// Proc is one started child process. A Proc is never restarted: starting
// the same name again gives a new Proc.
type Proc struct {
	Spec
	started time.Time
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error // valid once done is closed
	stopped bool  // we asked it to stop (so its exit is expected)
	mu      sync.Mutex
}

// Supervisor starts child processes of one binary, each in its own process
// group (so a terminal's Ctrl-C reaches only the supervisor, which then
// stops them in order) and, on Linux, with a parent-death signal (so they
// die with the supervisor even if it is SIGKILLed). Stop sends SIGTERM to
// the group, waits, and sends SIGKILL after StopTimeout. It is safe for
// concurrent use.
type Supervisor struct {
	// Bin is the executable every child runs.
	Bin string
	// StopTimeout bounds the wait after SIGTERM; zero means
	// DefaultStopTimeout.
	StopTimeout time.Duration

	mu    sync.Mutex
	procs map[string]*Proc
}

// NewSupervisor returns a supervisor of bin's processes.
func NewSupervisor(bin string) *Supervisor {
	return &Supervisor{Bin: bin, procs: map[string]*Proc{}}
}

// Start starts spec. It fails if a process of that name is still running.
func (s *Supervisor) Start(spec Spec) (*Proc, error) {
	if spec.Name == "" {
		return nil, errors.New("localnet: process spec without a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.procs[spec.Name]; p != nil && p.Running() {
		return nil, fmt.Errorf("%s is already running (pid %d)", spec.Name, p.Pid())
	}
	var out io.Writer = io.Discard
	var logf *os.File
	if spec.LogPath != "" {
		if err := os.MkdirAll(filepath.Dir(spec.LogPath), 0o755); err != nil {
			return nil, fmt.Errorf("%s: log folder: %w", spec.Name, err)
		}
		f, err := os.OpenFile(spec.LogPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, fmt.Errorf("%s: log file: %w", spec.Name, err)
		}
		fmt.Fprintf(f, "==== start %s: %s %v\n", time.Now().Format(time.RFC3339Nano), filepath.Base(s.Bin), spec.Args)
		logf, out = f, f
	}
	cmd := exec.Command(s.Bin, spec.Args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		if logf != nil {
			logf.Close()
		}
		return nil, fmt.Errorf("start %s: %w", spec.Name, err)
	}
	p := &Proc{Spec: spec, started: time.Now(), cmd: cmd, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		if logf != nil {
			fmt.Fprintf(logf, "==== exit %s: %v\n", time.Now().Format(time.RFC3339Nano), exitText(err))
			logf.Close()
		}
		p.waitErr = err
		close(p.done)
	}()
	s.procs[spec.Name] = p
	return p, nil
}

// Proc returns the latest process started under name, or nil.
func (s *Supervisor) Proc(name string) *Proc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.procs[name]
}

// Procs returns the latest process of every name, sorted by name.
func (s *Supervisor) Procs() []*Proc {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Proc, 0, len(s.procs))
	for _, p := range s.procs {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (s *Supervisor) stopTimeout() time.Duration {
	if s.StopTimeout > 0 {
		return s.StopTimeout
	}
	return DefaultStopTimeout
}

// Stop stops the named process (SIGTERM, then SIGKILL after StopTimeout)
// and waits for it to exit. Stopping a process that is not running is a
// no-op.
func (s *Supervisor) Stop(name string) {
	if p := s.Proc(name); p != nil {
		p.Stop(s.stopTimeout())
	}
}

// Kill sends SIGKILL to the named process's group and waits for it.
func (s *Supervisor) Kill(name string) {
	if p := s.Proc(name); p != nil {
		p.Kill()
	}
}

// StopAll stops the given processes (every process when names is empty)
// in parallel and waits for all of them.
func (s *Supervisor) StopAll(names ...string) {
	var ps []*Proc
	if len(names) == 0 {
		ps = s.Procs()
	} else {
		for _, n := range names {
			if p := s.Proc(n); p != nil {
				ps = append(ps, p)
			}
		}
	}
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Go(func() { p.Stop(s.stopTimeout()) })
	}
	wg.Wait()
}

// KillAll sends SIGKILL to every running process and waits for them.
func (s *Supervisor) KillAll() {
	var wg sync.WaitGroup
	for _, p := range s.Procs() {
		wg.Go(p.Kill)
	}
	wg.Wait()
}

// Pid is the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Started is when the process was started.
func (p *Proc) Started() time.Time { return p.started }

// Done is closed when the process has exited and been reaped.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Running reports whether the process has not exited yet.
func (p *Proc) Running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Exit describes how the process ended ("exit status 1", "signal: killed");
// empty while it runs.
func (p *Proc) Exit() string {
	if p.Running() {
		return ""
	}
	return exitText(p.waitErr)
}

// Expected reports whether the process was asked to stop (by Stop or
// Kill) while it ran, so its exit is not a failure.
func (p *Proc) Expected() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopped
}

// Signal sends sig to the process's group (the process and anything it
// started), if it still runs.
func (p *Proc) Signal(sig syscall.Signal) {
	if p.Running() {
		signalGroup(p.cmd.Process, sig)
	}
}

// Stop sends SIGTERM, waits up to timeout for the exit, then sends SIGKILL
// and waits for the exit.
func (p *Proc) Stop(timeout time.Duration) {
	p.markStopped()
	p.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return
	case <-time.After(timeout):
	}
	p.Signal(syscall.SIGKILL)
	<-p.done
}

// Kill sends SIGKILL and waits for the exit.
func (p *Proc) Kill() {
	p.markStopped()
	p.Signal(syscall.SIGKILL)
	<-p.done
}

// markStopped records that we asked a running process to stop; a process
// that already died on its own stays unexpected.
func (p *Proc) markStopped() {
	p.mu.Lock()
	if p.Running() {
		p.stopped = true
	}
	p.mu.Unlock()
}

// Survived reports whether the process ran until it was asked to stop (or
// still runs): it did not die on its own.
func (p *Proc) Survived() bool { return p.Running() || p.Expected() }

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}
