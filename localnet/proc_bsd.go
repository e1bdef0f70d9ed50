//go:build unix && !linux

package localnet

import "syscall"

// sysProcAttr puts a child in its own process group. There is no
// parent-death signal outside Linux: a supervisor killed with SIGKILL
// leaves its children running (stop them with the pids in run.json).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
