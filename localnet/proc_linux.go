//go:build linux

package localnet

import "syscall"

// sysProcAttr puts a child in its own process group and has the kernel
// SIGKILL it if the supervisor dies, so no child outlives it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
