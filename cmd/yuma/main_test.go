package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// commandTree is every command under newRootCmd(), the root included.
func commandTree() []*cobra.Command {
	var all []*cobra.Command
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		all = append(all, c)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(newRootCmd())
	return all
}

// TestUnknownSubcommandFails: for every command group, a mistyped
// subcommand is an error with a non-zero exit (scripts must not read
// success), and the bare group still prints its help and exits 0.
func TestUnknownSubcommandFails(t *testing.T) {
	t.Setenv("YUMA_HOME", t.TempDir())
	groups := 0
	for _, c := range commandTree() {
		if !c.HasSubCommands() {
			continue
		}
		groups++
		path := strings.Fields(c.CommandPath())[1:]
		var out, errb bytes.Buffer
		code := run(append(path, "lst"), strings.NewReader(""), &out, &errb)
		want := fmt.Sprintf("error: unknown command \"lst\" for %q (see '%s --help')\n", c.CommandPath(), c.CommandPath())
		if code == 0 || errb.String() != want {
			t.Errorf("%s lst: exit %d, stderr %q; want a non-zero exit and %q", c.CommandPath(), code, errb.String(), want)
		}
		out.Reset()
		errb.Reset()
		code = run(path, strings.NewReader(""), &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "Available Commands:") || errb.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want its help", c.CommandPath(), code, out.String(), errb.String())
		}
	}
	if groups < 15 {
		t.Fatalf("only %d command groups found", groups)
	}
}

// TestEveryCommandHasAnExample: `--help` of every command, groups and
// leaves alike, shows at least one example.
func TestEveryCommandHasAnExample(t *testing.T) {
	n := 0
	for _, c := range commandTree() {
		n++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no Example", c.CommandPath())
			continue
		}
		if !strings.Contains(c.Example, c.CommandPath()) {
			t.Errorf("%s: no example runs it:\n%s", c.CommandPath(), c.Example)
		}
	}
	if n < 50 {
		t.Fatalf("only %d commands found", n)
	}
}
