// Command yuma is the single binary of the yuma chain: node, localnet,
// wallet, subnet tools, miner, validator and simulator.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns the process exit code. It is
// separate from main so tests can drive the CLI in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(stderr, "error:", ee.msg)
			}
			return ee.code
		}
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	return 0
}

// exitError carries a specific exit code out of a command.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "yuma",
		Short: "yuma: a subnet blockchain with Yuma consensus",
		Long: `yuma is a standalone layer-1 node for subnets in the spirit of Bittensor's
subtensor chain, and the tools around it: wallets, subnet management, miners,
validators, a Yuma consensus simulator and a one-command local network.`,
		Example: `  yuma localnet                       # a whole local network with a subnet, miners and validators
  yuma sim epoch --case case.json     # run one Yuma epoch from a case file
  yuma emission schedule              # the halving table`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	// Each command group lives in its own file and is added here.
	root.AddCommand(
		newVersionCmd(),
		newNodeCmd(),
		newTestnetCmd(),
		newTxCmd(),
		newEmissionCmd(),
		newWalletCmd(),
		newChainCmd(),
		newSubnetCmd(),
		newNeuronCmd(),
		newStakeCmd(),
		newDelegateCmd(),
		newWeightsCmd(),
		newMetagraphCmd(),
		newSimCmd(),
		newMinerCmd(),
		newValidatorCmd(),
		newLocalnetCmd(),
	)
	rejectUnknownSubcommands(root)
	return root
}

// rejectUnknownSubcommands walks the command tree once and gives every
// command group (a command with subcommands and nothing of its own to
// run) a body: bare, it prints the group's help; with an argument, which
// can only be a subcommand that does not exist, it fails, so `yuma subnet
// lst` exits non-zero instead of printing help and exiting 0.
func rejectUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		rejectUnknownSubcommands(sub)
	}
	if !c.HasSubCommands() || c.Runnable() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return fmt.Errorf("unknown command %q for %q (see '%s --help')", args[0], cmd.CommandPath(), cmd.CommandPath())
	}
}
