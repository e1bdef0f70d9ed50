package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/types"
)

func newTxCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "tx",
		Short: "Sign and submit raw transactions with a key file",
		Example: `  yuma tx transfer --key ./net/keys/account0.key --to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --amount 1.5
  yuma tx transfer --key ./net/keys/account0.key --to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --amount 2500rao --json`,
	}
	c.AddCommand(newTxTransferCmd())
	return c
}

// newTxTransferCmd sends TAO from a raw key file. It keeps its own flags
// (no wallet, no config file) but follows the wallet commands' contract
// (docs/cli-json.md): the wallet_transfer document with --json, and on
// failure a non-zero exit, one "error: ... what to do next" line on stderr
// and, with --json, the error document on stdout.
func newTxTransferCmd() *cobra.Command {
	g := &globals{}
	var keyFile, to, amount, wait string
	c := &cobra.Command{
		Use:   "transfer",
		Short: "Transfer TAO from the account of a key file",
		Example: `  yuma tx transfer --key ./testnet/keys/account0.key --to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --amount 1.5
  yuma tx transfer --key k.key --to 0x... --amount 100rao --wait none --json`,
		Args: noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			switch wait {
			case "none":
				g.noWait = true
			case "inclusion", "finality": // BFT finality is immediate: the same block
			default:
				return &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--wait %q: want none, inclusion or finality", wait)}
			}
			if keyFile == "" {
				return &cliError{Code: "invalid_argument", Msg: "--key is required: a file with the sender's hex private key (`yuma testnet init` writes them to DIR/keys)"}
			}
			if to == "" {
				return &cliError{Code: "invalid_argument", Msg: "--to is required: the recipient's address (0x…)"}
			}
			key, err := loadRawKey(keyFile)
			if err != nil {
				return err
			}
			dest, err := types.ParseAddress(to)
			if err != nil {
				return err
			}
			amt, err := parseAmount("amount", amount)
			if err != nil {
				return err
			}
			from := pubAddr(key)
			if from == dest {
				return &cliError{Code: "self_transfer", Msg: fmt.Sprintf("--to %s is the sender itself: nothing to do", dest.Hex())}
			}
			tx, err := g.submit(ctx, submitOpts{key: key, call: &types.Transfer{To: dest, Amount: amt}, spend: amt, what: "transfer"})
			if err != nil {
				return err
			}
			out := transferJSON{From: from.Hex(), To: dest.Hex(), Amount: amountOf(amt), Tx: tx}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "transfer of %s from %s to %s\n", g.amountText(amt), out.From, out.To)
				g.printTx(w, tx)
			})
		}),
	}
	f := c.Flags()
	f.StringVar(&g.rpcURL, "rpc", defaultRPC, "JSON-RPC URL of a node")
	f.StringVar(&keyFile, "key", "", "file with the sender's hex private key (required)")
	f.StringVar(&to, "to", "", "recipient address (0x..., EIP-55; required)")
	f.StringVar(&amount, "amount", "", "amount in TAO (e.g. 1.5) or rao (e.g. 1500rao; required)")
	f.Uint64Var(&g.fee, "fee", 1000, "fee in rao (burned; at least the chain's minimum)")
	f.StringVar(&wait, "wait", "inclusion", "wait for: none, inclusion or finality")
	f.DurationVar(&g.timeout, "timeout", 60*time.Second, "give up after this long")
	f.BoolVar(&g.jsonOut, "json", false, "print the result as JSON (the wallet_transfer schema of docs/cli-json.md)")
	return c
}
