//go:build !unix

package localnet

import (
	"os"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return nil }

// signalGroup has no process groups to use here: SIGTERM becomes a kill.
func signalGroup(p *os.Process, sig syscall.Signal) {
	_ = p.Kill()
}
