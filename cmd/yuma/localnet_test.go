package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runLocalnetCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	t.Setenv("YUMA_HOME", t.TempDir())
	code = run(append([]string{"localnet"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestLocalnetHelpShowsTheDefaults(t *testing.T) {
	code, out, _ := runLocalnetCLI(t, "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Examples:", "yuma localnet --exit-after 90s --json", "DEV KEYS", "dev-password",
		"--nodes int", "(default 4)", "--miners int", "(default 3)", "--validators int", "(default 2)",
		"--block-time duration", "(default 1s)", "--tempo uint16", "(default 10)", "--home", "--rpc-port-base", "--exit-after", "--json",
		"good,noisy,garbage"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestLocalnetBadFlagsGiveOneMessage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--nodes", "0"}, 2, "error: --nodes 0: want 1..16"},
		{[]string{"--tempo", "1"}, 2, "error: --tempo 1: want 2..65535 blocks"},
		{[]string{"--miner-quality", "good,shiny"}, 2, `error: --miner-quality "shiny": want good, noisy or garbage`},
		{[]string{"--exit-after", "-5s"}, 2, "error: --exit-after -5s"},
		{[]string{"--nodes", "many"}, 1, `error: invalid argument "many" for "--nodes"`},
		{[]string{"extra"}, 1, "takes no arguments"},
		{[]string{"--home", filepath.Join(file, "h")}, 1, "error: unusable localnet home: cannot create"},
	} {
		code, out, errs := runLocalnetCLI(t, tc.args...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code != tc.code || len(lines) != 1 || !strings.Contains(lines[0], tc.want) || out != "" {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q (want one line with %q)", tc.args, code, tc.code, out, errs, tc.want)
		}
	}
}
