package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/yumachain/yuma/localnet"
)

func newLocalnetCmd() *cobra.Command {
	cfg := localnet.Default()
	var (
		qualities string
		jsonOut   bool
	)
	c := &cobra.Command{
		Use:   "localnet",
		Short: "Run a whole local network: nodes, a subnet, miners and validators",
		Long: `Start a complete local subnet network with one command: authority nodes as
separate processes on 127.0.0.1 (libp2p, pebble stores), a subnet with a
short tempo, miners serving the built-in model at different qualities
(good, noisy, garbage by default, so incentive visibly differs) and staked
validators scoring them and setting weights. Every wallet is funded in the
genesis.

DEV KEYS: coldkeys are encrypted with a fixed password written to
HOME/dev-password, hotkeys are unencrypted. Never use them elsewhere.

On a terminal the view is redrawn in place; otherwise one line is printed
per block and the metagraph after every epoch. Without --home the network
lives in a temporary folder that is removed on exit; with --home DIR it is
kept, and running again on the same DIR resumes the stored chain (genesis
and registrations are skipped when the state shows them done).

--exit-after stops everything after that long and prints a summary (--json:
schema in ` + "`go doc github.com/yumachain/yuma/localnet`" + `).
Ctrl-C stops every process. The exit code is 0 when the nodes agree on the
app hash and the issuance equals the emission schedule, 1 otherwise.`,
		Example: `  yuma localnet
  yuma localnet --home ./dev --block-time 500ms --tempo 20
  yuma localnet --exit-after 90s --json > summary.json
  yuma localnet --miners 4 --miner-quality good,good,noisy,garbage`,
		Args: noArgsHint,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("miner-quality") {
				cfg.MinerQualities = localnet.ParseQualities(qualities)
			}
			if err := cfg.Validate(); err != nil {
				return &exitError{code: 2, msg: strings.TrimPrefix(err.Error(), localnet.ErrConfig.Error()+": ")}
			}
			bin, err := os.Executable()
			if err != nil {
				return fmt.Errorf("localnet: cannot find the yuma binary to start the processes: %w", err)
			}
			out := cmd.OutOrStdout()
			isTerm := false
			if f, ok := out.(*os.File); ok {
				isTerm = term.IsTerminal(int(f.Fd()))
			}
			done := make(chan struct{})
			force := secondInterrupt(cmd.Context(), done, cmd.ErrOrStderr())
			sum, err := localnet.Run(cmd.Context(), cfg, localnet.IO{Bin: bin, Out: out, Err: cmd.ErrOrStderr(), Terminal: isTerm, JSON: jsonOut, Force: force})
			close(done)
			if sum == nil {
				// Bad input or a failure before any process started.
				code := 1
				if errors.Is(err, localnet.ErrConfig) {
					code = 2
				}
				return &exitError{code: code, msg: err.Error()}
			}
			if jsonOut {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(sum); err != nil {
					return err
				}
			} else {
				fmt.Fprint(out, sum.Text())
			}
			if err != nil {
				return &exitError{code: 1, msg: err.Error()}
			}
			if !sum.OK {
				return &exitError{code: 1, msg: "the summary shows a problem: app hashes disagree or the issuance differs from the emission schedule"}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&cfg.Home, "home", "", "keep the network in DIR (resumed when run again); default: a temporary folder removed on exit")
	f.IntVar(&cfg.Nodes, "nodes", cfg.Nodes, "authority nodes (processes)")
	f.IntVar(&cfg.Miners, "miners", cfg.Miners, "miners (processes, built-in model)")
	f.IntVar(&cfg.Validators, "validators", cfg.Validators, "validators (processes, staked)")
	f.DurationVar(&cfg.BlockTime, "block-time", cfg.BlockTime, "target block interval")
	f.Uint16Var(&cfg.Tempo, "tempo", cfg.Tempo, "subnet epoch length in blocks (genesis; fixed once the home exists)")
	f.StringVar(&qualities, "miner-quality", strings.Join(cfg.MinerQualities, ","), "miner qualities, one per miner, cycled: good, noisy (30% random words), garbage")
	f.IntVar(&cfg.RPCPortBase, "rpc-port-base", 0, "node i serves JSON-RPC on 127.0.0.1:BASE+i (0: free ports)")
	f.StringVar(&cfg.ChainID, "chain-id", cfg.ChainID, "chain id of a new network")
	f.DurationVar(&cfg.ExitAfter, "exit-after", 0, "stop everything after this long and print a summary (0: run until Ctrl-C)")
	f.DurationVar(&cfg.StartTimeout, "start-timeout", cfg.StartTimeout, "give up when the first block or a setup transaction takes longer")
	f.DurationVar(&cfg.StopTimeout, "stop-timeout", cfg.StopTimeout, "wait this long for each process to exit after SIGTERM before SIGKILL")
	f.BoolVar(&jsonOut, "json", false, "print the final summary as JSON on stdout (progress goes to stderr)")
	return c
}

// secondInterrupt yields when SIGINT or SIGTERM arrives again after ctx
// was cancelled by the first one while the localnet runs (until done): the
// orderly stop is then cut short.
func secondInterrupt(ctx context.Context, done <-chan struct{}, w io.Writer) <-chan struct{} {
	force := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sig)
		fmt.Fprintln(w, "localnet: stopping every process (Ctrl-C again to kill them at once)")
		select {
		case <-sig:
			close(force)
		case <-done:
		}
	}()
	return force
}
