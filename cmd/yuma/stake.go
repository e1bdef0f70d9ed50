package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/types"
)

func newStakeCmd() *cobra.Command {
	g := &globals{}
	c := &cobra.Command{
		Use:   "stake",
		Short: "Stake TAO behind hotkeys, unstake it, and list stake",
		Long: `Stake moves TAO from the coldkey's free balance behind a hotkey: the wallet's
own (--hotkey) or anyone's (--hotkey-address, to nominate a delegate).`,
		Example: `  yuma stake add --wallet alice --hotkey validator --amount 100
  yuma stake add --wallet alice --hotkey-address 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --amount 10
  yuma stake remove --wallet alice --hotkey validator --amount 5
  yuma stake list --wallet alice`,
	}
	addGlobalFlags(c, g)
	c.AddCommand(newStakeMoveCmd(g, true), newStakeMoveCmd(g, false), newStakeListCmd(g))
	return c
}

func newDelegateCmd() *cobra.Command {
	g := &globals{}
	c := &cobra.Command{
		Use:     "delegate",
		Short:   "Delegate settings of a hotkey you own",
		Example: `  yuma delegate set-take --wallet alice --hotkey validator --take 0.09`,
	}
	addGlobalFlags(c, g)
	c.AddCommand(newDelegateSetTakeCmd(g))
	return c
}

// targetHotkey is --hotkey-address when given, else the wallet's hotkey.
func (g *globals) targetHotkey(addr string) (types.Address, error) {
	if addr != "" {
		return g.resolveAddress(addr)
	}
	return g.hotkeyAddress()
}

type stakeMoveJSON struct {
	Coldkey string     `json:"coldkey"`
	Hotkey  string     `json:"hotkey"`
	Amount  amountJSON `json:"amount"` // what moved (an unstake may take a dust remainder along)
	Stake   amountJSON `json:"stake"`  // the coldkey's stake behind the hotkey afterwards
	Tx      txJSON     `json:"tx"`
}

func newStakeMoveCmd(g *globals, add bool) *cobra.Command {
	var (
		amount, hkAddr string
		all            bool
	)
	use, short, example := "add", "Stake TAO from the coldkey behind a hotkey", `  yuma stake add --wallet alice --hotkey validator --amount 100
  yuma stake add --wallet alice --hotkey-address bob/validator --amount 10`
	if !add {
		use, short, example = "remove", "Unstake TAO from behind a hotkey back to the coldkey", `  yuma stake remove --wallet alice --hotkey validator --amount 5
  yuma stake remove --wallet alice --hotkey validator --all`
	}
	c := &cobra.Command{
		Use:     use,
		Short:   short,
		Example: example,
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			hot, err := g.targetHotkey(hkAddr)
			if err != nil {
				return err
			}
			cold, err := g.coldkeyAddress()
			if err != nil {
				return err
			}
			var amt uint64
			if !add && all {
				if amount != "" {
					return &cliError{Code: "invalid_argument", Msg: "give --amount or --all, not both"}
				}
				if amt, err = g.stakeBehind(ctx, cold, hot); err != nil {
					return err
				}
				if amt == 0 {
					return &cliError{Code: "not_enough_stake", Msg: fmt.Sprintf("wallet %q has no stake behind %s: nothing to unstake", g.walletName, hot.Hex())}
				}
			} else if amt, err = parseAmount("amount", amount); err != nil {
				return err
			}
			if !add {
				cur, err := g.stakeBehind(ctx, cold, hot)
				if err != nil && err != errNoQuery {
					return err
				}
				if err == nil && amt > cur {
					return &cliError{Code: "not_enough_stake", Msg: fmt.Sprintf("wallet %q has %s staked behind %s, less than %s: nothing was sent (see `yuma stake list`)", g.walletName, g.amountText(cur), hot.Hex(), g.amountText(amt))}
				}
			}
			verb := "Stake"
			if !add {
				verb = "Unstake"
			}
			if ok, err := g.confirm(fmt.Sprintf("%s %s of wallet %q behind hotkey %s?", verb, g.amountText(amt), g.walletName, hot.Hex())); err != nil || !ok {
				return abortedOr(err)
			}
			key, err := g.coldkey()
			if err != nil {
				return err
			}
			o := submitOpts{key: key, call: &types.AddStake{Hotkey: hot, Amount: amt}, spend: amt, what: "stake add"}
			if !add {
				o = submitOpts{key: key, call: &types.RemoveStake{Hotkey: hot, Amount: amt}, what: "stake remove"}
			}
			tx, err := g.submit(ctx, o)
			if err != nil {
				return err
			}
			ev := "stake_added"
			if !add {
				ev = "stake_removed"
			}
			if v, ok := tx.event(ev, "amount"); ok {
				amt, _ = strconv.ParseUint(v, 10, 64)
			}
			out := stakeMoveJSON{Coldkey: cold.Hex(), Hotkey: hot.Hex(), Amount: amountOf(amt), Stake: amountOf(0), Tx: tx}
			if tx.Status == "included" {
				if s, err := g.stakeBehind(ctx, cold, hot); err == nil {
					out.Stake = amountOf(s)
				}
			}
			return g.emit(out, func(w io.Writer) {
				what := "staked"
				if !add {
					what = "unstaked"
				}
				fmt.Fprintf(w, "%s %s behind %s; stake now %s\n", what, g.amountText(amt), out.Hotkey, g.amountText(mustRao(out.Stake)))
				g.printTx(w, tx)
			})
		}),
	}
	c.Flags().StringVar(&amount, "amount", "", "amount in TAO (1.5) or rao (1500rao)")
	c.Flags().StringVar(&hkAddr, "hotkey-address", "", "stake behind this hotkey (0x… or WALLET/HOTKEY) instead of the wallet's --hotkey")
	if !add {
		c.Flags().BoolVar(&all, "all", false, "unstake everything behind the hotkey")
	}
	return c
}

// ---- list ----

type stakeEntryJSON struct {
	Hotkey string     `json:"hotkey"`
	Name   string     `json:"name"` // the wallet's hotkey name, or "" for another's hotkey
	Stake  amountJSON `json:"stake"`
}

type stakeListJSON struct {
	Coldkey string           `json:"coldkey"`
	Height  uint64           `json:"height"`
	Stakes  []stakeEntryJSON `json:"stakes"`
	Total   amountJSON       `json:"total"`
}

func newStakeListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "list [COLDKEY]",
		Short:   "List a coldkey's stake by hotkey",
		Example: "  yuma stake list --wallet alice\n  yuma stake list 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed --json",
		Args:    cobra.MaximumNArgs(1),
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, args []string) error {
			var (
				cold types.Address
				err  error
			)
			if len(args) == 1 {
				cold, err = g.resolveAddress(args[0])
			} else {
				cold, err = g.coldkeyAddress()
			}
			if err != nil {
				return err
			}
			names := map[types.Address]string{}
			if st, err := g.store(); err == nil {
				if in, err := st.Describe(g.walletName); err == nil {
					for _, h := range in.Hotkeys {
						names[h.Address] = h.Name
					}
				}
			}
			entries, height, err := g.stakesOf(ctx, cold)
			if err != nil {
				return err
			}
			out := stakeListJSON{Coldkey: cold.Hex(), Height: height, Stakes: []stakeEntryJSON{}}
			var total uint64
			for _, e := range entries {
				out.Stakes = append(out.Stakes, stakeEntryJSON{Hotkey: e.hotkey.Hex(), Name: names[e.hotkey], Stake: amountOf(e.amount)})
				total += e.amount
			}
			out.Total = amountOf(total)
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "stake of %s at block %d\n", out.Coldkey, height)
				if len(out.Stakes) == 0 {
					fmt.Fprintln(w, "no stake: add some with `yuma stake add`")
					return
				}
				var rows [][]string
				for _, s := range out.Stakes {
					rows = append(rows, []string{orDash(s.Name), s.Hotkey, g.amountText(mustRao(s.Stake))})
				}
				rows = append(rows, []string{"TOTAL", "", g.amountText(total)})
				printTable(w, []string{"HOTKEY", "ADDRESS", "STAKE"}, rows)
			})
		}),
	}
}

// ---- delegate set-take ----

type setTakeJSON struct {
	Hotkey string `json:"hotkey"`
	Take   uint16 `json:"take"`     // u16 fraction of 65535
	TakePc string `json:"take_pct"` // the same in percent, 2 decimals
	Tx     txJSON `json:"tx"`
}

// parseTake reads a take as a fraction (0.09), a percentage (9%) or a raw
// u16 (5898u16).
func parseTake(s string) (uint16, error) {
	s = strings.TrimSpace(s)
	bad := &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--take %q: want a fraction (0.09), a percentage (9%%) or a u16 of 65535 (5898u16)", s)}
	if r, ok := strings.CutSuffix(s, "u16"); ok {
		v, err := strconv.ParseUint(r, 10, 16)
		if err != nil {
			return 0, bad
		}
		return uint16(v), nil
	}
	div := 1.0
	if r, ok := strings.CutSuffix(s, "%"); ok {
		s, div = r, 100
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || f < 0 || f/div > 1 || math.IsNaN(f) {
		return 0, bad
	}
	return uint16(math.Round(f / div * 65535)), nil
}

func takePct(v uint16) string { return fmt.Sprintf("%.2f", float64(v)*100/65535) }

func newDelegateSetTakeCmd(g *globals) *cobra.Command {
	var take, hkAddr string
	c := &cobra.Command{
		Use:   "set-take",
		Short: "Set the share of dividends a hotkey you own keeps before its nominators",
		Example: `  yuma delegate set-take --wallet alice --hotkey validator --take 0.09
  yuma delegate set-take --wallet alice --hotkey validator --take 18%`,
		Args: noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			if take == "" {
				return &cliError{Code: "invalid_argument", Msg: "--take is required (e.g. 0.09 or 9%)"}
			}
			t, err := parseTake(take)
			if err != nil {
				return err
			}
			hot, err := g.targetHotkey(hkAddr)
			if err != nil {
				return err
			}
			if ok, err := g.confirm(fmt.Sprintf("Set the take of %s to %s%%?", hot.Hex(), takePct(t))); err != nil || !ok {
				return abortedOr(err)
			}
			key, err := g.coldkey()
			if err != nil {
				return err
			}
			tx, err := g.submit(ctx, submitOpts{key: key, call: &types.SetDelegateTake{Hotkey: hot, Take: t}, what: "delegate set-take"})
			if err != nil {
				return err
			}
			out := setTakeJSON{Hotkey: hot.Hex(), Take: t, TakePc: takePct(t), Tx: tx}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "take of %s set to %s%% (%d/65535)\n", out.Hotkey, out.TakePc, t)
				g.printTx(w, tx)
			})
		}),
	}
	c.Flags().StringVar(&take, "take", "", "the take: a fraction (0.09), a percentage (9%) or a u16 (5898u16)")
	c.Flags().StringVar(&hkAddr, "hotkey-address", "", "the hotkey (0x… or WALLET/HOTKEY) instead of the wallet's --hotkey")
	return c
}

// ---- queries ----

// errNoQuery: the node does not serve the subnet module's queries.
var errNoQuery = &cliError{Code: "unsupported", Msg: "the node does not serve subnet queries (stake_get, subnet_*): upgrade the node or point --rpc at a newer one"}

// query maps "method not found" to errNoQuery.
func queryErr(err error) error {
	if ok, err := optionalQuery(err); !ok && err == nil {
		return errNoQuery
	}
	return err
}

type stakeEntry struct {
	hotkey types.Address
	amount uint64
}

// stakesOf lists coldkey's stake by hotkey, and the height read.
func (g *globals) stakesOf(ctx context.Context, coldkey types.Address) ([]stakeEntry, uint64, error) {
	cl, err := g.client()
	if err != nil {
		return nil, 0, err
	}
	h, err := cl.Head(ctx)
	if err != nil {
		return nil, 0, err
	}
	height := h.Height
	si, err := cl.StakeGet(ctx, coldkey, rpc.Height(&height))
	if err != nil {
		return nil, 0, queryErr(err)
	}
	var out []stakeEntry
	for _, s := range si.Stakes {
		out = append(out, stakeEntry{s.Hotkey, uint64(s.Amount)})
	}
	return out, height, nil
}

// stakeBehind is coldkey's stake behind hotkey.
func (g *globals) stakeBehind(ctx context.Context, coldkey, hotkey types.Address) (uint64, error) {
	es, _, err := g.stakesOf(ctx, coldkey)
	if err != nil {
		return 0, err
	}
	for _, e := range es {
		if e.hotkey == hotkey {
			return e.amount, nil
		}
	}
	return 0, nil
}

// coldkeyStake is the total stake a coldkey has behind all hotkeys.
func (g *globals) coldkeyStake(ctx context.Context, coldkey types.Address) (uint64, error) {
	es, _, err := g.stakesOf(ctx, coldkey)
	var total uint64
	for _, e := range es {
		total += e.amount
	}
	return total, err
}

// registrationJSON is one subnet a hotkey is registered on.
type registrationJSON struct {
	NetUID          uint16     `json:"netuid"`
	UID             uint16     `json:"uid"`
	Incentive       uint16     `json:"incentive"` // u16 of 65535, last epoch
	Dividends       uint16     `json:"dividends"` // u16 of 65535, last epoch
	Emission        amountJSON `json:"emission"`  // earned in the last epoch
	ValidatorPermit bool       `json:"validator_permit"`
	Axon            string     `json:"axon"` // host:port, or "" if not served
}

// registrations lists where hotkey is registered.
func (g *globals) registrations(ctx context.Context, hotkey types.Address) ([]registrationJSON, error) {
	cl, err := g.client()
	if err != nil {
		return nil, err
	}
	ns, err := cl.SubnetNeuron(ctx, hotkey, nil)
	if err != nil {
		return nil, queryErr(err)
	}
	out := []registrationJSON{}
	for _, n := range ns {
		r := registrationJSON{NetUID: n.NetUID, UID: n.UID, Incentive: n.Incentive, Dividends: n.Dividends,
			Emission: amountOf(uint64(n.Emission)), ValidatorPermit: n.ValidatorPermit}
		if n.Axon != nil {
			r.Axon = n.Axon.Endpoint
		}
		out = append(out, r)
	}
	return out, nil
}
