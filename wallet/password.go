package wallet

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// EnvPassword is the environment variable read for a password when no other
// source is named.
const EnvPassword = "YUMA_PASSWORD"

// maxPasswordLen bounds what is read from a file or descriptor.
const maxPasswordLen = 4096

// PasswordSource finds a password for headless and interactive use. The
// first source that is set wins, in this order: FD, File, Env (an explicit
// variable name), the YUMA_PASSWORD variable, then Prompt. A password read
// from a file or descriptor is its first line, without the line ending.
//
// A source is read at most once: later calls return the same password, so a
// command that opens two keys reads a descriptor once.
type PasswordSource struct {
	// FD is a file descriptor to read from; 0 or less means none (standard
	// input is not accepted: it may carry a mnemonic or data).
	FD int
	// File is a file whose first line is the password.
	File string
	// Env names an environment variable holding the password. An explicit
	// name that is not set is an error.
	Env string
	// LookupEnv is os.LookupEnv unless a test supplies one.
	LookupEnv func(string) (string, bool)
	// Prompt asks interactively; nil when there is no terminal.
	Prompt func(prompt string) (string, error)

	got  bool
	pass string
}

func (p *PasswordSource) lookup(name string) (string, bool) {
	if p.LookupEnv != nil {
		return p.LookupEnv(name)
	}
	return os.LookupEnv(name)
}

// Headless reports whether a non-interactive source is configured.
func (p *PasswordSource) Headless() bool {
	if p.FD > 0 || p.File != "" || p.Env != "" {
		return true
	}
	_, ok := p.lookup(EnvPassword)
	return ok
}

// Get returns the password for an existing key.
func (p *PasswordSource) Get(prompt string) (string, error) {
	return p.get(prompt, false)
}

// New returns the password for a new key. An interactive prompt asks twice;
// an empty password is refused.
func (p *PasswordSource) New(prompt string) (string, error) {
	pw, err := p.get(prompt, true)
	if err != nil {
		return "", err
	}
	if pw == "" {
		return "", newError(ErrEmptyPassword, "the password is empty: a key cannot be encrypted with an empty password")
	}
	return pw, nil
}

// Func adapts the source for Store.Load.
func (p *PasswordSource) Func() PasswordFunc { return p.Get }

func (p *PasswordSource) get(prompt string, confirm bool) (string, error) {
	if p.got {
		return p.pass, nil
	}
	n := 0
	for _, set := range []bool{p.FD > 0, p.File != "", p.Env != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return "", newError(ErrNoPassword, "give only one of --password-fd, --password-file and --password-env")
	}
	var (
		pw  string
		err error
	)
	switch {
	case p.FD > 0:
		pw, err = readFD(p.FD)
		if err != nil {
			return "", newError(ErrNoPassword, fmt.Sprintf("read the password from file descriptor %d: %v", p.FD, err))
		}
	case p.File != "":
		f, ferr := os.Open(p.File)
		if ferr != nil {
			return "", newError(ErrNoPassword, fmt.Sprintf("read the password file: %v", ferr))
		}
		pw, err = firstLine(f)
		f.Close()
		if err != nil {
			return "", newError(ErrNoPassword, fmt.Sprintf("read the password file %s: %v", p.File, err))
		}
	case p.Env != "":
		v, ok := p.lookup(p.Env)
		if !ok {
			return "", newError(ErrNoPassword, fmt.Sprintf("environment variable %s (from --password-env) is not set", p.Env))
		}
		pw = v
	default:
		if v, ok := p.lookup(EnvPassword); ok {
			pw = v
			break
		}
		if p.Prompt == nil {
			return "", newError(ErrNoPassword, "a password is needed and there is no terminal to ask on: give --password-file FILE, --password-fd N, --password-env NAME or set YUMA_PASSWORD")
		}
		if pw, err = p.Prompt(prompt); err != nil {
			return "", err
		}
		if confirm {
			again, err := p.Prompt("Repeat the password: ")
			if err != nil {
				return "", err
			}
			if again != pw {
				return "", newError(ErrNoPassword, "the two passwords differ: nothing was written")
			}
		}
	}
	p.got, p.pass = true, pw
	return pw, nil
}

// firstLine reads up to the first newline (not included, nor a CR before
// it) or end of input.
func firstLine(r io.Reader) (string, error) {
	br := bufio.NewReader(io.LimitReader(r, maxPasswordLen+2))
	s, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if len(s) > maxPasswordLen+1 {
		return "", fmt.Errorf("longer than %d bytes", maxPasswordLen)
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r"), nil
}

// TerminalPrompt returns a prompt that reads a password without echo from
// in, writing the prompt to out, or nil when in is not a terminal.
func TerminalPrompt(in any, out io.Writer) func(string) (string, error) {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return func(prompt string) (string, error) {
		fmt.Fprint(out, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(out)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
}

// IsTerminal reports whether v is an *os.File on a terminal.
func IsTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
