//go:build unix

package wallet

import (
	"errors"
	"fmt"
	"syscall"
)

// readFD reads the first line from a file descriptor the caller opened for
// us. It reads with syscall.Read rather than an *os.File, whose finalizer
// would close a descriptor this process may still use, and it stops at the
// first newline so a writer that keeps the pipe open does not block it.
func readFD(fd int) (string, error) {
	var (
		buf []byte
		one [1]byte
	)
	for len(buf) <= maxPasswordLen {
		n, err := syscall.Read(fd, one[:])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return "", err
		}
		if n == 0 || one[0] == '\n' {
			if len(buf) > 0 && buf[len(buf)-1] == '\r' {
				buf = buf[:len(buf)-1]
			}
			return string(buf), nil
		}
		buf = append(buf, one[0])
	}
	return "", fmt.Errorf("longer than %d bytes", maxPasswordLen)
}
