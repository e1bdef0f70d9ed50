package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
)

func newChainCmd() *cobra.Command {
	g := &globals{}
	c := &cobra.Command{
		Use:   "chain",
		Short: "Read the chain: the head, blocks and transactions",
		Example: `  yuma chain head
  yuma chain block 42 --json
  yuma chain tx 0x3f…`,
	}
	addGlobalFlags(c, g)
	c.AddCommand(newChainHeadCmd(g), newChainBlockCmd(g), newChainTxCmd(g))
	return c
}

// callKindNames name the call kinds in output.
var callKindNames = map[types.CallKind]string{
	types.KindTransfer:          "transfer",
	types.KindRegisterNetwork:   "register_network",
	types.KindSetHyperparameter: "set_hyperparameter",
	types.KindBurnedRegister:    "burned_register",
	types.KindServeAxon:         "serve_axon",
	types.KindAddStake:          "add_stake",
	types.KindRemoveStake:       "remove_stake",
	types.KindSetDelegateTake:   "set_delegate_take",
	types.KindSetWeights:        "set_weights",
	types.KindCommitWeights:     "commit_weights",
	types.KindRevealWeights:     "reveal_weights",
	types.KindRootRegister:      "root_register",
}

func kindName(k types.CallKind) string {
	if n, ok := callKindNames[k]; ok {
		return n
	}
	return "kind_" + strconv.Itoa(int(k))
}

// headJSON is `chain head`, and the header part of `chain block`.
type headJSON struct {
	ChainID         string `json:"chain_id"`
	Height          uint64 `json:"height"`
	FinalizedHeight uint64 `json:"finalized_height"`
	BlockHash       string `json:"block_hash"`
	AppHash         string `json:"app_hash"`
	Time            string `json:"time"` // RFC 3339, UTC
	NumTxs          int    `json:"num_txs"`
}

func headOf(h rpc.Head) headJSON {
	return headJSON{
		ChainID: h.ChainID, Height: h.Height, FinalizedHeight: h.FinalizedHeight, BlockHash: h.BlockHash,
		AppHash: h.AppHash.Hex(), Time: time.UnixMilli(h.Time).UTC().Format(time.RFC3339Nano), NumTxs: h.NumTxs,
	}
}

func newChainHeadCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "head",
		Short:   "Show the latest finalized block",
		Example: "  yuma chain head\n  yuma chain head --rpc http://10.0.0.5:8545 --json",
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			cl, err := g.client()
			if err != nil {
				return err
			}
			h, err := cl.Head(ctx)
			if err != nil {
				return err
			}
			out := headOf(h)
			return g.emit(out, func(w io.Writer) {
				printTable(w, []string{"FIELD", "VALUE"}, [][]string{
					{"chain", out.ChainID}, {"height", strconv.FormatUint(out.Height, 10)},
					{"finalized", strconv.FormatUint(out.FinalizedHeight, 10)}, {"time", out.Time},
					{"block hash", out.BlockHash}, {"state root", out.AppHash}, {"transactions", strconv.Itoa(out.NumTxs)},
				})
			})
		}),
	}
}

// txInfoJSON is a transaction in a block: `chain tx`, and each of the
// `txs` of `chain block`.
type txInfoJSON struct {
	Hash    string      `json:"hash"`
	Height  uint64      `json:"height"`
	Index   uint32      `json:"index"`
	Kind    string      `json:"kind"`
	Signer  string      `json:"signer"`
	Nonce   uint64      `json:"nonce"`
	Fee     amountJSON  `json:"fee"`
	OK      bool        `json:"ok"`
	Code    string      `json:"code"`    // "" on success
	Message string      `json:"message"` // "" on success
	RetryAt uint64      `json:"retry_at"`
	Call    any         `json:"call"` // the decoded call, fields in snake_case; null if it does not decode
	Events  []eventJSON `json:"events"`
}

func txInfoOf(t rpc.TxInfo) txInfoJSON {
	rc := t.Receipt
	out := txInfoJSON{
		Hash: t.Hash.Hex(), Height: t.Height, Index: t.Index, Kind: kindName(rc.Kind), Signer: rc.Signer.Hex(),
		Nonce: rc.Nonce, Fee: amountOf(rc.Fee), OK: rc.OK(), Code: rc.Code, Message: rc.Msg, RetryAt: rc.RetryAt,
		Events: eventsOf(rc.Events),
	}
	if raw, err := hex.DecodeString(strings.TrimPrefix(t.Raw, "0x")); err == nil {
		if tx, err := types.DecodeTx(raw); err == nil {
			if c, err := tx.Call(); err == nil {
				out.Call = callJSON(c)
			}
		}
	}
	return out
}

// callJSON shows a decoded call with snake_case fields and amounts in both
// units.
func callJSON(c types.Call) any {
	switch c := c.(type) {
	case *types.Transfer:
		return map[string]any{"to": c.To.Hex(), "amount": amountOf(c.Amount)}
	case *types.RegisterNetwork:
		return map[string]any{"hotkey": c.Hotkey.Hex()}
	case *types.SetHyperparameter:
		return map[string]any{"netuid": c.NetUID, "name": c.Name, "value": c.Value}
	case *types.BurnedRegister:
		return map[string]any{"netuid": c.NetUID, "hotkey": c.Hotkey.Hex()}
	case *types.RootRegister:
		return map[string]any{"hotkey": c.Hotkey.Hex()}
	case *types.ServeAxon:
		return map[string]any{"netuid": c.NetUID, "ip": ipString(c.IP), "port": c.Port, "protocol": c.Protocol, "version": c.Version}
	case *types.AddStake:
		return map[string]any{"hotkey": c.Hotkey.Hex(), "amount": amountOf(c.Amount)}
	case *types.RemoveStake:
		return map[string]any{"hotkey": c.Hotkey.Hex(), "amount": amountOf(c.Amount)}
	case *types.SetDelegateTake:
		return map[string]any{"hotkey": c.Hotkey.Hex(), "take": c.Take}
	case *types.SetWeights:
		return map[string]any{"netuid": c.NetUID, "uids": nonNil(c.UIDs), "weights": nonNil(c.Values), "version_key": c.VersionKey}
	case *types.CommitWeights:
		return map[string]any{"netuid": c.NetUID, "commit": c.Commit.Hex()}
	case *types.RevealWeights:
		return map[string]any{"netuid": c.NetUID, "uids": nonNil(c.UIDs), "weights": nonNil(c.Values), "version_key": c.VersionKey}
	}
	return nil
}

func nonNil(v []uint16) []uint16 {
	if v == nil {
		return []uint16{}
	}
	return v
}

func newChainTxCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "tx HASH",
		Short:   "Show a transaction and its receipt",
		Example: "  yuma chain tx 0x5c0d…e1 --json",
		Args:    exactArgs(1, "HASH"),
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			h, err := parseHash(args[0])
			if err != nil {
				return err
			}
			cl, err := g.client()
			if err != nil {
				return err
			}
			t, err := cl.Tx(ctx, h)
			if err != nil {
				return err
			}
			out := txInfoOf(t)
			return g.emit(out, func(w io.Writer) {
				status := "ok"
				if !out.OK {
					status = "FAILED: " + strings.ReplaceAll(out.Code, "_", " ") + ": " + out.Message
				}
				rows := [][]string{
					{"hash", out.Hash}, {"block", fmt.Sprintf("%d (index %d)", out.Height, out.Index)},
					{"kind", out.Kind}, {"signer", out.Signer}, {"nonce", strconv.FormatUint(out.Nonce, 10)},
					{"fee", g.amountText(mustRao(out.Fee))}, {"status", status},
				}
				for _, e := range out.Events {
					rows = append(rows, []string{"event", eventText(e)})
				}
				printTable(w, []string{"FIELD", "VALUE"}, rows)
			})
		}),
	}
}

func eventText(e eventJSON) string {
	var kv []string
	for _, a := range e.Attrs {
		kv = append(kv, a.Key+"="+a.Value)
	}
	return e.Type + " " + strings.Join(kv, " ")
}

// blockJSON is `chain block`.
type blockJSON struct {
	headJSON
	Txs    []txInfoJSON `json:"txs"`
	Events []eventJSON  `json:"events"`
}

func newChainBlockCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "block [HEIGHT]",
		Short:   "Show a finalized block (default: the latest)",
		Example: "  yuma chain block\n  yuma chain block 1200 --json",
		Args:    cobra.MaximumNArgs(1),
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			cl, err := g.client()
			if err != nil {
				return err
			}
			var height uint64
			if len(args) == 1 {
				if height, err = strconv.ParseUint(args[0], 10, 64); err != nil || height == 0 {
					return &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("block height %q: want a positive whole number", args[0])}
				}
			} else {
				h, err := cl.Head(ctx)
				if err != nil {
					return err
				}
				height = h.Height
			}
			b, err := cl.Block(ctx, height)
			if err != nil {
				return err
			}
			out := blockJSON{headJSON: headOf(b.Head), Txs: []txInfoJSON{}, Events: eventsOf(b.Events)}
			for _, t := range b.Txs {
				out.Txs = append(out.Txs, txInfoOf(t))
			}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "block %d of %s at %s, %d transactions\n  hash %s\n  state root %s\n", out.Height, out.ChainID, out.Time, len(out.Txs), out.BlockHash, out.AppHash)
				if len(out.Txs) > 0 {
					var rows [][]string
					for _, t := range out.Txs {
						st := "ok"
						if !t.OK {
							st = t.Code
						}
						rows = append(rows, []string{strconv.Itoa(int(t.Index)), t.Hash, t.Kind, t.Signer, st})
					}
					fmt.Fprintln(w)
					printTable(w, []string{"#", "HASH", "KIND", "SIGNER", "STATUS"}, rows)
				}
				for _, e := range out.Events {
					fmt.Fprintf(w, "event %s\n", eventText(e))
				}
			})
		}),
	}
}

func parseHash(s string) (types.Hash, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	if err != nil || len(b) != 32 {
		return types.Hash{}, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("%q is not a transaction hash (0x followed by 64 hex digits)", s)}
	}
	return types.Hash(b), nil
}

// exactArgs is cobra.ExactArgs with a message naming the arguments.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("%s needs %s: see `%s --help`", cmd.CommandPath(), names, cmd.CommandPath())}
		}
		return nil
	}
}
