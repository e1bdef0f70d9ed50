package main

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/internal/tao"
	"github.com/yumachain/yuma/node"
	"github.com/yumachain/yuma/types"
)

// defaultHome is $YUMA_HOME/node, else ~/.yuma/node.
func defaultHome(sub string) string {
	if h := os.Getenv("YUMA_HOME"); h != "" {
		return filepath.Join(h, sub)
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".yuma", sub)
	}
	return filepath.Join(".yuma", sub)
}

func newNodeCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "node",
		Short: "Create and run a yuma node",
		Example: `  yuma node init --home ./n0 --new-chain --chain-id my-chain
  yuma node run --home ./n0`,
	}
	c.AddCommand(newNodeInitCmd(), newNodeRunCmd(), newNodeIdentityCmd())
	return c
}

func newNodeInitCmd() *cobra.Command {
	var (
		home, moniker, chainID, genesisFile string
		newChain                            bool
		funds                               []string
	)
	c := &cobra.Command{
		Use:   "init",
		Short: "Create a node home: config, node key and authority key",
		Long: `Create a node home with yuma.toml, a libp2p node key and a secp256k1
authority key. Either join an existing chain by giving its genesis file
(--genesis), or start a new single-authority chain (--new-chain).`,
		Example: `  yuma node init --home ./n0 --genesis ./genesis.json
  yuma node init --home ./n0 --new-chain --chain-id dev --fund 0xAbc...=1000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if newChain == (genesisFile != "") {
				return errors.New("give exactly one of --genesis FILE (join a chain) or --new-chain")
			}
			cfg := node.DefaultConfig()
			cfg.Moniker = moniker
			id, err := node.InitHome(home, cfg)
			if err != nil {
				return err
			}
			if genesisFile != "" {
				b, err := os.ReadFile(genesisFile)
				if err != nil {
					return fmt.Errorf("read genesis: %w", err)
				}
				if err := os.WriteFile(filepath.Join(home, node.GenesisFile), b, 0o644); err != nil {
					return err
				}
				if _, _, err := node.LoadGenesis(home); err != nil {
					os.Remove(filepath.Join(home, node.GenesisFile))
					return err
				}
			} else {
				g := &chain.Genesis{
					ChainID: chainID, GenesisTime: time.Now().UTC().Format(time.RFC3339),
					Params:      chain.Params{MinFee: 1000},
					Authorities: []chain.Authority{{Name: moniker, PubKey: id.ValidatorPubKey, Power: 10}},
				}
				for _, f := range funds {
					addr, amt, err := parseFund(f)
					if err != nil {
						return err
					}
					g.Accounts = append(g.Accounts, chain.GenesisAccount{Address: addr, Balance: chain.U64(amt)})
				}
				if err := node.WriteGenesis(home, g); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "initialized node home %s\n  peer id:   %s\n  authority: %s\n  run it:    yuma node run --home %s\n",
				home, id.PeerID, id.ValidatorAddress.Hex(), home)
			return nil
		},
	}
	c.Flags().StringVar(&home, "home", defaultHome("node"), "node home directory")
	c.Flags().StringVar(&moniker, "moniker", "yuma-node", "human-readable node name")
	c.Flags().StringVar(&chainID, "chain-id", "yuma-dev", "chain id of a new chain")
	c.Flags().StringVar(&genesisFile, "genesis", "", "genesis.json of the chain to join")
	c.Flags().BoolVar(&newChain, "new-chain", false, "create a new chain with this node as its only authority")
	c.Flags().StringArrayVar(&funds, "fund", nil, "ADDRESS=TAO initial balance on a new chain (repeatable)")
	return c
}

// parseFund parses ADDRESS=TAO.
func parseFund(s string) (types.Address, uint64, error) {
	a, b, ok := strings.Cut(s, "=")
	if !ok {
		return types.Address{}, 0, fmt.Errorf("--fund %q: want ADDRESS=TAO", s)
	}
	addr, err := types.ParseAddress(a)
	if err != nil {
		return types.Address{}, 0, err
	}
	amt, err := tao.Parse(b)
	if err != nil {
		return types.Address{}, 0, fmt.Errorf("--fund %q: %w", s, err)
	}
	return addr, amt, nil
}

func newNodeRunCmd() *cobra.Command {
	var home string
	c := &cobra.Command{
		Use:     "run",
		Short:   "Run a node until interrupted",
		Example: `  yuma node run --home ./n0`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := node.LoadConfig(home)
			if err != nil {
				return err
			}
			logger := newLogger(cmd.ErrOrStderr(), cfg.Log.Level, cfg.Log.Format)
			n, err := node.New(home, cfg, logger, node.WithModules(defaultModules()...))
			if err != nil {
				return err
			}
			if err := n.Start(); err != nil {
				n.Stop()
				return err
			}
			<-cmd.Context().Done()
			logger.Info("shutting down")
			return n.Stop()
		},
	}
	c.Flags().StringVar(&home, "home", defaultHome("node"), "node home directory")
	return c
}

func newNodeIdentityCmd() *cobra.Command {
	var home string
	c := &cobra.Command{
		Use:     "identity",
		Short:   "Print the node's peer id and authority key (JSON)",
		Example: `  yuma node identity --home ./n0`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := node.ReadIdentity(home)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(id)
		},
	}
	c.Flags().StringVar(&home, "home", defaultHome("node"), "node home directory")
	return c
}

func newLogger(w interface{ Write([]byte) (int, error) }, level, format string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func newTestnetCmd() *cobra.Command {
	var (
		dir, chainID string
		nodes, accts int
		blockTime    time.Duration
		jsonOut      bool
	)
	c := &cobra.Command{
		Use:   "testnet",
		Short: "Create local multi-node networks",
		Example: `  yuma testnet init --nodes 4 --dir ./net
  yuma testnet init --nodes 1 --accounts 10 --block-time 500ms --dir ./solo --json`,
	}
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Write N node homes with one genesis and funded test accounts",
		Long: `Write N node homes under --dir (node0, node1, ...) that share one genesis,
listen on free loopback ports and bootstrap from each other. Each node is an
authority of equal power. Funded test accounts get raw key files under
DIR/keys for ` + "`yuma tx transfer --key`" + `.`,
		Example: `  yuma testnet init --nodes 4 --dir ./net
  for i in 0 1 2 3; do yuma node run --home ./net/node$i & done`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var accounts []chain.GenesisAccount
			for i := range accts {
				key, err := crypto.GenerateKey()
				if err != nil {
					return err
				}
				if err := node.WriteKeyFile(filepath.Join(dir, "keys", fmt.Sprintf("account%d.key", i)), key); err != nil {
					return err
				}
				accounts = append(accounts, chain.GenesisAccount{Address: crypto.PubkeyToAddress(key.PublicKey), Balance: chain.U64(1_000_000 * chain.RaoPerTAO)})
			}
			ns, _, err := node.InitTestnet(dir, node.TestnetOptions{
				Nodes: nodes, ChainID: chainID, Params: chain.Params{MinFee: 1000}, Accounts: accounts,
				Configure: func(_ int, c *node.Config) { c.Consensus.BlockTime = node.Duration{Duration: blockTime} },
			})
			if err != nil {
				return err
			}
			if jsonOut {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(ns)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%-7s %-22s %-22s %s\n", "NODE", "RPC", "P2P", "PEER ID")
			for _, n := range ns {
				fmt.Fprintf(w, "%-7s %-22s %-22s %s\n", n.Moniker, n.RPC, n.P2P, n.PeerID)
			}
			fmt.Fprintf(w, "\n%d funded accounts: %s\n", accts, filepath.Join(dir, "keys"))
			return nil
		},
	}
	initCmd.Flags().StringVar(&dir, "dir", "./testnet", "directory for the node homes")
	initCmd.Flags().StringVar(&chainID, "chain-id", "yuma-testnet", "chain id")
	initCmd.Flags().IntVar(&nodes, "nodes", 4, "number of nodes (authorities)")
	initCmd.Flags().IntVar(&accts, "accounts", 4, "number of funded test accounts (1,000,000 TAO each)")
	initCmd.Flags().DurationVar(&blockTime, "block-time", time.Second, "target block interval")
	initCmd.Flags().BoolVar(&jsonOut, "json", false, "print the nodes as JSON")
	c.AddCommand(initCmd)
	return c
}

// loadRawKey reads a hex private key file written by `yuma testnet init`.
// Its errors are cliErrors that say what to do.
func loadRawKey(path string) (*ecdsa.PrivateKey, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &cliError{Code: "key_not_found", Msg: fmt.Sprintf("key file %s not found: pass --key with a file written by `yuma testnet init` (DIR/keys/accountN.key), or send from a wallet with `yuma wallet transfer`", path)}
	}
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, &cliError{Code: "loose_permissions", Msg: fmt.Sprintf("key file %s is readable by others (mode %o): run chmod 600 %s", path, st.Mode().Perm(), path)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	k, err := crypto.HexToECDSA(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, &cliError{Code: "corrupt_keyfile", Msg: fmt.Sprintf("key file %s does not hold a hex secp256k1 private key (64 hex digits, as `yuma testnet init` writes)", path)}
	}
	return k, nil
}
