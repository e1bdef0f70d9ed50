package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/internal/atomicfile"
	"github.com/yumachain/yuma/types"
)

func newWeightsCmd() *cobra.Command {
	g := &globals{}
	c := &cobra.Command{
		Use:   "weights",
		Short: "Set validator weights on a subnet, directly or by commit and reveal",
		Long: `Validators score miners and set weights on chain, signed by the hotkey (which
pays the fee). Weights are given as relative numbers and scaled so the largest
becomes 65535. On subnets with commit-reveal, commit first and reveal in the
commit's reveal epoch; the commit's salt is kept in a reveal file (mode 0600).`,
		Example: `  yuma weights set --netuid 1 --wallet val --hotkey default --uids 0,1,2 --weights 0.5,0.3,0.2
  yuma weights commit --netuid 1 --wallet val --uids 0,1 --weights 1,1
  yuma weights reveal --netuid 1 --wallet val --wait`,
	}
	addGlobalFlags(c, g)
	c.AddCommand(newWeightsSetCmd(g), newWeightsCommitCmd(g), newWeightsRevealCmd(g))
	return c
}

// parseWeights reads --uids and --weights into UIDs and u16 values scaled
// so the largest is 65535.
func parseWeights(uidsStr, weightsStr string) ([]uint16, []uint16, error) {
	if uidsStr == "" || weightsStr == "" {
		return nil, nil, &cliError{Code: "invalid_argument", Msg: "--uids and --weights are required, e.g. --uids 0,1,2 --weights 0.5,0.3,0.2"}
	}
	us, ws := strings.Split(uidsStr, ","), strings.Split(weightsStr, ",")
	if len(us) != len(ws) {
		return nil, nil, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("%d uids but %d weights: give one weight per uid", len(us), len(ws))}
	}
	if len(us) > types.MaxWeightsLen {
		return nil, nil, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("%d weights, at most %d", len(us), types.MaxWeightsLen)}
	}
	uids := make([]uint16, len(us))
	raw := make([]float64, len(ws))
	seen := map[uint16]bool{}
	var mx float64
	for i := range us {
		u, err := strconv.ParseUint(strings.TrimSpace(us[i]), 10, 16)
		if err != nil {
			return nil, nil, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--uids: %q is not a uid (0..65535)", us[i])}
		}
		if seen[uint16(u)] {
			return nil, nil, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--uids: uid %d appears twice", u)}
		}
		seen[uint16(u)] = true
		w, err := strconv.ParseFloat(strings.TrimSpace(ws[i]), 64)
		if err != nil || w < 0 || math.IsInf(w, 0) || math.IsNaN(w) {
			return nil, nil, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--weights: %q is not a non-negative number", ws[i])}
		}
		uids[i], raw[i] = uint16(u), w
		mx = max(mx, w)
	}
	if mx == 0 {
		return nil, nil, &cliError{Code: "invalid_argument", Msg: "--weights are all zero: give at least one positive weight"}
	}
	vals := make([]uint16, len(raw))
	for i, w := range raw {
		vals[i] = uint16(math.Round(w / mx * 65535))
	}
	return uids, vals, nil
}

type weightsSetJSON struct {
	NetUID     uint16   `json:"netuid"`
	Hotkey     string   `json:"hotkey"`
	UIDs       []uint16 `json:"uids"`
	Weights    []uint16 `json:"weights"` // u16, the largest 65535
	VersionKey uint64   `json:"version_key"`
	Tx         txJSON   `json:"tx"`
}

func weightsFlags(c *cobra.Command, netuid *int, uids, weights *string, version *uint64) {
	netuidFlag(c, netuid)
	c.Flags().StringVar(uids, "uids", "", "comma-separated UIDs (on netuid 0: netuids)")
	c.Flags().StringVar(weights, "weights", "", "comma-separated relative weights, one per uid")
	c.Flags().Uint64Var(version, "version-key", 0, "weights version key (at least the subnet's weights_version)")
}

func newWeightsSetCmd(g *globals) *cobra.Command {
	var (
		netuid         int
		uidsS, weightS string
		version        uint64
	)
	c := &cobra.Command{
		Use:     "set",
		Short:   "Set the hotkey's weights on a subnet",
		Example: `  yuma weights set --netuid 1 --wallet val --hotkey default --uids 0,1,2 --weights 0.5,0.3,0.2`,
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			uids, vals, err := parseWeights(uidsS, weightS)
			if err != nil {
				return err
			}
			key, err := g.hotkey()
			if err != nil {
				return err
			}
			tx, err := g.submit(ctx, submitOpts{key: key, hotkeySigner: true, call: &types.SetWeights{NetUID: n, UIDs: uids, Values: vals, VersionKey: version}, what: "weights set"})
			if err != nil {
				return err
			}
			out := weightsSetJSON{NetUID: n, Hotkey: tx.Signer, UIDs: uids, Weights: vals, VersionKey: version, Tx: tx}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "weights of %s on subnet %d: %s\n", out.Hotkey, n, weightsText(uids, vals))
				g.printTx(w, tx)
			})
		}),
	}
	weightsFlags(c, &netuid, &uidsS, &weightS, &version)
	return c
}

func weightsText(uids, vals []uint16) string {
	var parts []string
	for i := range uids {
		parts = append(parts, fmt.Sprintf("%d=%d", uids[i], vals[i]))
	}
	return strings.Join(parts, " ")
}

// revealFile is what a commit keeps for its reveal. The salt is secret
// until the reveal: whoever has it can reveal (or copy) the weights.
type revealFile struct {
	Version     int        `json:"version"`
	NetUID      uint16     `json:"netuid"`
	Hotkey      string     `json:"hotkey"`
	UIDs        []uint16   `json:"uids"`
	Weights     []uint16   `json:"weights"`
	Salt        []uint16   `json:"salt"`
	VersionKey  uint64     `json:"version_key"`
	Commit      types.Hash `json:"commit"`
	CommittedAt uint64     `json:"committed_at"`
	RevealFrom  uint64     `json:"reveal_from"`
	RevealUntil uint64     `json:"reveal_until"`
	Created     string     `json:"created"`
}

func (g *globals) revealDir() (string, error) {
	st, err := g.store()
	if err != nil {
		return "", err
	}
	return filepath.Join(st.WalletDir(g.walletName), "reveals"), nil
}

// writeRevealFile writes rf (mode 0600) through a synced temporary file of
// its own, a rename and a sync of the folder: the salt in it is the only
// way to reveal the commit.
func writeRevealFile(path string, rf *revealFile) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(rf, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o600)
}

type weightsCommitJSON struct {
	NetUID      uint16 `json:"netuid"`
	Hotkey      string `json:"hotkey"`
	Commit      string `json:"commit"`
	RevealFile  string `json:"reveal_file"`
	RevealFrom  uint64 `json:"reveal_from"`  // first block of the reveal window (0 while pending)
	RevealUntil uint64 `json:"reveal_until"` // last block of the reveal window (0 while pending)
	Tx          txJSON `json:"tx"`
}

func newWeightsCommitCmd(g *globals) *cobra.Command {
	var (
		netuid         int
		uidsS, weightS string
		version        uint64
		file           string
	)
	c := &cobra.Command{
		Use:   "commit",
		Short: "Commit to weights without revealing them (commit-reveal subnets)",
		Long: `Commit to weights: only a hash goes on chain now. The weights and a random
salt are kept in a reveal file (default WALLET/reveals/, mode 0600), which
` + "`yuma weights reveal`" + ` reads in the commit's reveal window.`,
		Example: `  yuma weights commit --netuid 1 --wallet val --uids 0,1 --weights 0.7,0.3`,
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			uids, vals, err := parseWeights(uidsS, weightS)
			if err != nil {
				return err
			}
			key, err := g.hotkey()
			if err != nil {
				return err
			}
			hot := pubAddr(key)
			var sb [16]byte
			if _, err := rand.Read(sb[:]); err != nil {
				return err
			}
			salt := make([]uint16, 8)
			for i := range salt {
				salt[i] = binary.BigEndian.Uint16(sb[2*i:])
			}
			h := types.WeightsCommitHash(hot, n, uids, vals, salt, version)
			if file == "" {
				dir, err := g.revealDir()
				if err != nil {
					return err
				}
				file = filepath.Join(dir, fmt.Sprintf("%s-%d-%s.json", g.hotkeyName, n, h.Hex()[2:14]))
			}
			rf := &revealFile{Version: 1, NetUID: n, Hotkey: hot.Hex(), UIDs: uids, Weights: vals, Salt: salt, VersionKey: version, Commit: h, Created: time.Now().UTC().Format(time.RFC3339)}
			// Written before the commit is sent, so a crash cannot leave a
			// commit nobody can reveal.
			if err := writeRevealFile(file, rf); err != nil {
				return fmt.Errorf("write the reveal file: %w (nothing was committed)", err)
			}
			tx, err := g.submit(ctx, submitOpts{key: key, hotkeySigner: true, call: &types.CommitWeights{NetUID: n, Commit: h}, what: "weights commit"})
			if err != nil {
				var ce *cliError
				if !errors.As(err, &ce) || ce.Code != "timeout" {
					os.Remove(file) // nothing was committed
				}
				return err
			}
			out := weightsCommitJSON{NetUID: n, Hotkey: hot.Hex(), Commit: h.Hex(), RevealFile: file, Tx: tx}
			if v, ok := tx.event("weights_committed", "reveal_from"); ok {
				out.RevealFrom, _ = strconv.ParseUint(v, 10, 64)
			}
			if v, ok := tx.event("weights_committed", "reveal_until"); ok {
				out.RevealUntil, _ = strconv.ParseUint(v, 10, 64)
			}
			rf.CommittedAt, rf.RevealFrom, rf.RevealUntil = tx.Height, out.RevealFrom, out.RevealUntil
			if err := writeRevealFile(file, rf); err != nil {
				return err
			}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "committed %s for subnet %d; reveal file %s\n", out.Commit, n, file)
				if out.RevealFrom != 0 {
					fmt.Fprintf(w, "reveal between blocks %d and %d: yuma weights reveal --netuid %d --wallet %s --hotkey %s\n", out.RevealFrom, out.RevealUntil, n, g.walletName, g.hotkeyName)
				}
				g.printTx(w, tx)
			})
		}),
	}
	weightsFlags(c, &netuid, &uidsS, &weightS, &version)
	c.Flags().StringVar(&file, "reveal-file", "", "where to keep the salt and weights for the reveal (default WALLET/reveals/HOTKEY-NETUID-HASH.json)")
	return c
}

type weightsRevealJSON struct {
	NetUID  uint16   `json:"netuid"`
	Hotkey  string   `json:"hotkey"`
	Commit  string   `json:"commit"`
	UIDs    []uint16 `json:"uids"`
	Weights []uint16 `json:"weights"`
	Tx      txJSON   `json:"tx"`
}

// pendingReveals lists the reveal files of hotkey on netuid, oldest commit
// first.
func (g *globals) pendingReveals(netuid uint16, hotkey types.Address) ([]string, []*revealFile, error) {
	dir, err := g.revealDir()
	if err != nil {
		return nil, nil, err
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	type item struct {
		p  string
		rf *revealFile
	}
	var items []item
	for _, p := range paths {
		rf, err := readRevealFile(p)
		if err != nil || rf.NetUID != netuid || !strings.EqualFold(rf.Hotkey, hotkey.Hex()) {
			continue
		}
		items = append(items, item{p, rf})
	}
	sort.Slice(items, func(i, j int) bool {
		if items[i].rf.CommittedAt != items[j].rf.CommittedAt {
			return items[i].rf.CommittedAt < items[j].rf.CommittedAt
		}
		return items[i].rf.Created < items[j].rf.Created
	})
	var ps []string
	var rfs []*revealFile
	for _, it := range items {
		ps, rfs = append(ps, it.p), append(rfs, it.rf)
	}
	return ps, rfs, nil
}

func readRevealFile(p string) (*revealFile, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var rf revealFile
	if err := json.Unmarshal(b, &rf); err != nil || rf.Version != 1 {
		return nil, fmt.Errorf("reveal file %s is not readable: %v", p, err)
	}
	return &rf, nil
}

func newWeightsRevealCmd(g *globals) *cobra.Command {
	var (
		netuid int
		file   string
		wait   bool
	)
	c := &cobra.Command{
		Use:   "reveal",
		Short: "Reveal committed weights (reads the reveal file the commit wrote)",
		Example: `  yuma weights reveal --netuid 1 --wallet val
  yuma weights reveal --netuid 1 --wallet val --wait           # wait for the reveal window to open
  yuma weights reveal --netuid 1 --reveal-file ./val-1-ab12.json`,
		Args: noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			key, err := g.hotkey()
			if err != nil {
				return err
			}
			hot := pubAddr(key)
			var rf *revealFile
			if file != "" {
				if rf, err = readRevealFile(file); err != nil {
					return &cliError{Code: "invalid_argument", Msg: err.Error()}
				}
				if rf.NetUID != n || !strings.EqualFold(rf.Hotkey, hot.Hex()) {
					return &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("reveal file %s is for hotkey %s on subnet %d, not %s on subnet %d", file, rf.Hotkey, rf.NetUID, hot.Hex(), n)}
				}
			} else {
				ps, rfs, err := g.pendingReveals(n, hot)
				if err != nil {
					return err
				}
				if len(rfs) == 0 {
					dir, _ := g.revealDir()
					return &cliError{Code: "no_weights_commit", Msg: fmt.Sprintf("no reveal file for hotkey %s on subnet %d in %s: commit first with `yuma weights commit`, or give --reveal-file", hot.Hex(), n, dir)}
				}
				file, rf = ps[0], rfs[0]
			}
			call := &types.RevealWeights{NetUID: n, UIDs: rf.UIDs, Values: rf.Weights, Salt: rf.Salt, VersionKey: rf.VersionKey}
			var tx txJSON
			for {
				tx, err = g.submit(ctx, submitOpts{key: key, hotkeySigner: true, call: call, what: "weights reveal"})
				var ce *cliError
				if wait && errors.As(err, &ce) && ce.Code == "reveal_too_early" && ce.RetryAt != 0 {
					if werr := g.waitForBlock(ctx, ce.RetryAt); werr != nil {
						return werr
					}
					continue
				}
				break
			}
			if err != nil {
				return err
			}
			os.Remove(file)
			out := weightsRevealJSON{NetUID: n, Hotkey: hot.Hex(), Commit: rf.Commit.Hex(), UIDs: rf.UIDs, Weights: rf.Weights, Tx: tx}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "revealed %s on subnet %d: %s\n", out.Commit, n, weightsText(rf.UIDs, rf.Weights))
				g.printTx(w, tx)
			})
		}),
	}
	netuidFlag(c, &netuid)
	c.Flags().StringVar(&file, "reveal-file", "", "the reveal file written by `weights commit` (default: the oldest one of this hotkey and subnet)")
	c.Flags().BoolVar(&wait, "wait", false, "if the reveal window has not opened, wait for it (up to --timeout)")
	return c
}

// waitForBlock waits until the chain reaches height, with a spinner.
func (g *globals) waitForBlock(ctx context.Context, height uint64) error {
	cl, err := g.client()
	if err != nil {
		return err
	}
	sp := g.startSpinner(fmt.Sprintf("waiting for block %d", height))
	defer sp.Stop()
	for {
		h, err := cl.Head(ctx)
		if err != nil {
			return err
		}
		if h.Height >= height {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for block %d (at %d): %w", height, h.Height, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
