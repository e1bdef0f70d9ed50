//go:build unix

package localnet

import (
	"os"
	"syscall"
)

// signalGroup signals the process group led by p (children are started as
// group leaders), falling back to p alone.
func signalGroup(p *os.Process, sig syscall.Signal) {
	if err := syscall.Kill(-p.Pid, sig); err != nil {
		_ = p.Signal(sig)
	}
}
