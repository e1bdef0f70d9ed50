package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/internal/tao"
	"github.com/yumachain/yuma/rpc"
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

func newTxTransferCmd() *cobra.Command {
	var (
		rpcURL, keyFile, to, amount string
		fee                         uint64
		wait                        string
		timeout                     time.Duration
		jsonOut                     bool
	)
	c := &cobra.Command{
		Use:   "transfer",
		Short: "Transfer TAO from the account of a key file",
		Example: `  yuma tx transfer --key ./testnet/keys/account0.key --to 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --amount 1.5
  yuma tx transfer --key k.key --to 0x... --amount 100rao --wait none`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := loadRawKey(keyFile)
			if err != nil {
				return err
			}
			dest, err := types.ParseAddress(to)
			if err != nil {
				return err
			}
			amt, err := tao.Parse(amount)
			if err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			cl, err := rpc.Dial(rpcURL)
			if err != nil {
				return err
			}
			res, err := signAndSubmit(ctx, cl, key, func(chainID string, nonce uint64) (*types.Tx, error) {
				return types.NewTx(chainID, nonce, fee, &types.Transfer{To: dest, Amount: amt})
			}, rpc.Wait(wait))
			if err != nil {
				return err
			}
			if jsonOut {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			printSubmit(cmd, res)
			return nil
		},
	}
	c.Flags().StringVar(&rpcURL, "rpc", "http://127.0.0.1:8545", "JSON-RPC URL of a node")
	c.Flags().StringVar(&keyFile, "key", "", "file with the sender's hex private key")
	c.Flags().StringVar(&to, "to", "", "recipient address (0x..., EIP-55)")
	c.Flags().StringVar(&amount, "amount", "", "amount in TAO (e.g. 1.5) or rao (e.g. 1500rao)")
	c.Flags().Uint64Var(&fee, "fee", 1000, "fee in rao (burned)")
	c.Flags().StringVar(&wait, "wait", "inclusion", "wait for: none, inclusion or finality")
	c.Flags().DurationVar(&timeout, "timeout", 60*time.Second, "give up after this long")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the result as JSON")
	c.MarkFlagRequired("key")
	c.MarkFlagRequired("to")
	c.MarkFlagRequired("amount")
	return c
}

// signAndSubmit fetches the chain id and the signer's next nonce, builds the
// transaction with build, signs and submits it.
func signAndSubmit(ctx context.Context, cl *rpc.Client, key *ecdsa.PrivateKey, build func(chainID string, nonce uint64) (*types.Tx, error), wait rpc.Wait) (rpc.SubmitResult, error) {
	g, err := cl.Genesis(ctx)
	if err != nil {
		return rpc.SubmitResult{}, err
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	acc, err := cl.Account(ctx, from, nil)
	if err != nil {
		return rpc.SubmitResult{}, err
	}
	tx, err := build(g.ChainID, acc.Nonce)
	if err != nil {
		return rpc.SubmitResult{}, err
	}
	if err := tx.Sign(key); err != nil {
		return rpc.SubmitResult{}, err
	}
	raw, err := tx.Encode()
	if err != nil {
		return rpc.SubmitResult{}, err
	}
	return cl.Submit(ctx, rpc.SubmitRequest{Tx: hex.EncodeToString(raw), Wait: wait})
}

func printSubmit(cmd *cobra.Command, res rpc.SubmitResult) {
	w := cmd.OutOrStdout()
	switch {
	case res.Receipt == nil:
		fmt.Fprintf(w, "submitted %s (pending)\n", res.Hash.Hex())
	case res.Receipt.OK():
		fmt.Fprintf(w, "included in block %d: %s\n", res.Height, res.Hash.Hex())
	default:
		fmt.Fprintf(w, "included in block %d but FAILED: %s: %s\n  tx %s (the fee was charged)\n", res.Height, res.Receipt.Code, res.Receipt.Msg, res.Hash.Hex())
	}
}
