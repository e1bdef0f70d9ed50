//go:build !unix

package wallet

import "errors"

func readFD(int) (string, error) {
	return "", errors.New("--password-fd works on Unix only: use --password-file or --password-env")
}
