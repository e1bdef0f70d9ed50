package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/internal/tao"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/subnet"
	"github.com/yumachain/yuma/types"
)

func newSubnetCmd() *cobra.Command {
	g := &globals{}
	c := &cobra.Command{
		Use:   "subnet",
		Short: "Subnets: list, inspect, create, and tune hyperparameters",
		Long: `Subnets are networks of miners and validators with their own incentive
mechanism. Creating one locks the network lock cost from the coldkey; the
owner may then tune the owner-settable hyperparameters.`,
		Example: `  yuma subnet list
  yuma subnet show --netuid 1
  yuma subnet lock-cost
  yuma subnet create --wallet owner --hotkey default
  yuma subnet hyperparameters --netuid 1
  yuma subnet set --netuid 1 --param immunity_period --value 5000 --wallet owner`,
	}
	addGlobalFlags(c, g)
	c.AddCommand(newSubnetListCmd(g), newSubnetShowCmd(g), newSubnetCreateCmd(g), newSubnetHyperparamsCmd(g),
		newSubnetSetCmd(g), newSubnetLockCostCmd(g), newSubnetBurnCostCmd(g))
	return c
}

func newNeuronCmd() *cobra.Command {
	g := &globals{}
	c := &cobra.Command{
		Use:   "neuron",
		Short: "Register a hotkey on a subnet and publish its axon endpoint",
		Example: `  yuma neuron register --netuid 1 --wallet alice --hotkey miner1
  yuma neuron serve --netuid 1 --wallet alice --hotkey miner1 --ip 203.0.113.7 --port 8091`,
	}
	addGlobalFlags(c, g)
	c.AddCommand(newNeuronRegisterCmd(g), newNeuronServeCmd(g))
	return c
}

// netuidFlag adds the required --netuid flag.
func netuidFlag(c *cobra.Command, v *int) {
	c.Flags().IntVarP(v, "netuid", "n", -1, "subnet id (0 is the root network)")
}

func checkNetuid(v int) (uint16, error) {
	if v < 0 || v > 65535 {
		if v == -1 {
			return 0, &cliError{Code: "invalid_argument", Msg: "--netuid is required (see `yuma subnet list`)"}
		}
		return 0, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--netuid %d: want 0..65535", v)}
	}
	return uint16(v), nil
}

// optional runs a query the node may not support yet; ok is false when it
// does not (an older node), so a pre-check can be skipped.
func optionalQuery(err error) (ok bool, _ error) {
	var re *rpc.Error
	if errors.As(err, &re) && re.Code == rpc.CodeMethodNotFound {
		return false, nil
	}
	return err == nil, err
}

// ---- create ----

type subnetCreateJSON struct {
	NetUID int        `json:"netuid"` // -1 while pending (--no-wait)
	Owner  string     `json:"owner"`
	Hotkey string     `json:"hotkey"`
	Lock   amountJSON `json:"lock"`
	Tx     txJSON     `json:"tx"`
}

func newSubnetCreateCmd(g *globals) *cobra.Command {
	c := &cobra.Command{
		Use:   "create",
		Short: "Register a new subnet, locking the network lock cost from the coldkey",
		Long: `Register a new subnet owned by the wallet's coldkey, which pays (locks) the
current network lock cost. The wallet's hotkey becomes the owner's neuron.`,
		Example: `  yuma subnet lock-cost
  yuma subnet create --wallet owner --hotkey default`,
		Args: noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			hot, err := g.hotkeyAddress()
			if err != nil {
				return err
			}
			cold, err := g.coldkeyAddress()
			if err != nil {
				return err
			}
			lock, haveLock, err := g.lockCost(ctx)
			if err != nil {
				return err
			}
			q := fmt.Sprintf("Create a subnet owned by wallet %q (%s) with hotkey %s", g.walletName, cold.Hex(), hot.Hex())
			if haveLock {
				q += fmt.Sprintf(", locking %s", g.amountText(lock))
			}
			if ok, err := g.confirm(q + "?"); err != nil || !ok {
				return abortedOr(err)
			}
			key, err := g.coldkey()
			if err != nil {
				return err
			}
			tx, err := g.submit(ctx, submitOpts{key: key, call: &types.RegisterNetwork{Hotkey: hot}, spend: lock, what: "subnet create"})
			if err != nil {
				return err
			}
			out := subnetCreateJSON{NetUID: -1, Owner: cold.Hex(), Hotkey: hot.Hex(), Lock: amountOf(lock), Tx: tx}
			if v, ok := tx.event("network_registered", "netuid"); ok {
				n, _ := strconv.Atoi(v)
				out.NetUID = n
			}
			if v, ok := tx.event("network_registered", "lock"); ok {
				l, _ := strconv.ParseUint(v, 10, 64)
				out.Lock = amountOf(l)
			}
			return g.emit(out, func(w io.Writer) {
				if out.NetUID >= 0 {
					fmt.Fprintf(w, "created subnet %d owned by %s (locked %s)\n", out.NetUID, out.Owner, g.amountText(mustRao(out.Lock)))
				}
				g.printTx(w, tx)
			})
		}),
	}
	return c
}

// ---- set ----

type subnetSetJSON struct {
	NetUID uint16 `json:"netuid"`
	Param  string `json:"param"`
	Value  uint64 `json:"value"`
	Tx     txJSON `json:"tx"`
}

// parseHyperValue reads a hyperparameter value: a whole number, true/false
// for switches, or a TAO amount for the *_burn parameters.
func parseHyperValue(name, s string) (uint64, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "yes":
		return 1, nil
	case "false", "off", "no":
		return 0, nil
	}
	if strings.HasSuffix(name, "_burn") && (strings.Contains(s, ".") || strings.HasSuffix(strings.ToLower(s), "tao") || strings.HasSuffix(strings.ToLower(s), "rao")) {
		return tao.Parse(s)
	}
	v, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--value %q: want a whole number (or true/false)", s)}
	}
	return v, nil
}

func newSubnetSetCmd(g *globals) *cobra.Command {
	var (
		netuid      int
		param, vstr string
	)
	c := &cobra.Command{
		Use:   "set",
		Short: "Set one hyperparameter of a subnet (owner or chain admin)",
		Long: `Set one hyperparameter of a subnet, signed by the wallet's coldkey. The subnet
owner may set the owner-settable ones; the chain admin all of them. Changes
are rate-limited per parameter and refused in the last blocks before an epoch.
See the names and current values with ` + "`yuma subnet hyperparameters`" + `.`,
		Example: `  yuma subnet set --netuid 1 --param immunity_period --value 5000 --wallet owner
  yuma subnet set --netuid 1 --param commit_reveal_enabled --value true --wallet owner
  yuma subnet set --netuid 1 --param min_burn --value 0.001 --wallet owner`,
		Args: noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			if param == "" || vstr == "" {
				return &cliError{Code: "invalid_argument", Msg: "--param and --value are required (names: `yuma subnet hyperparameters --netuid N`)"}
			}
			v, err := parseHyperValue(param, vstr)
			if err != nil {
				return err
			}
			if ok, err := g.confirm(fmt.Sprintf("Set %s of subnet %d to %d?", param, n, v)); err != nil || !ok {
				return abortedOr(err)
			}
			key, err := g.coldkey()
			if err != nil {
				return err
			}
			tx, err := g.submit(ctx, submitOpts{key: key, call: &types.SetHyperparameter{NetUID: n, Name: param, Value: v}, what: "subnet set"})
			if err != nil {
				return err
			}
			out := subnetSetJSON{NetUID: n, Param: param, Value: v, Tx: tx}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "%s of subnet %d set to %d\n", param, n, v)
				g.printTx(w, tx)
			})
		}),
	}
	netuidFlag(c, &netuid)
	c.Flags().StringVar(&param, "param", "", "hyperparameter name, e.g. immunity_period")
	c.Flags().StringVar(&vstr, "value", "", "new value: a whole number, true/false, or TAO for min_burn/max_burn")
	return c
}

// ---- neuron register ----

type neuronRegisterJSON struct {
	NetUID  uint16     `json:"netuid"`
	UID     int        `json:"uid"` // -1 while pending
	Hotkey  string     `json:"hotkey"`
	Coldkey string     `json:"coldkey"`
	Burned  amountJSON `json:"burned"`
	Tx      txJSON     `json:"tx"`
}

func newNeuronRegisterCmd(g *globals) *cobra.Command {
	var netuid int
	c := &cobra.Command{
		Use:   "register",
		Short: "Register the wallet's hotkey on a subnet, burning the registration cost",
		Long: `Register the wallet's hotkey on a subnet. The coldkey signs and pays (burns)
the subnet's current registration cost (see ` + "`yuma subnet burn-cost`" + `) and
becomes the hotkey's owner. On netuid 0 (root) nothing is burned.`,
		Example: `  yuma neuron register --netuid 1 --wallet alice --hotkey miner1
  yuma neuron register --netuid 0 --wallet alice --hotkey validator   # the root network`,
		Args: noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			hot, err := g.hotkeyAddress()
			if err != nil {
				return err
			}
			cold, err := g.coldkeyAddress()
			if err != nil {
				return err
			}
			if regs, err := g.registrations(ctx, hot); err == nil {
				for _, r := range regs {
					if r.NetUID == n {
						return &cliError{Code: "hotkey_already_registered", Msg: fmt.Sprintf("hotkey already registered: %s is uid %d on subnet %d: nothing was sent (see `yuma wallet overview`)", hot.Hex(), r.UID, n)}
					}
				}
			} else if err != errNoQuery {
				return err
			}
			var cost uint64
			if n != 0 {
				if cost, _, err = g.burnCost(ctx, n); err != nil {
					return err
				}
			}
			if ok, err := g.confirm(fmt.Sprintf("Register hotkey %s on subnet %d for %s?", hot.Hex(), n, g.amountText(cost))); err != nil || !ok {
				return abortedOr(err)
			}
			key, err := g.coldkey()
			if err != nil {
				return err
			}
			var call types.Call = &types.BurnedRegister{NetUID: n, Hotkey: hot}
			if n == 0 {
				call = &types.RootRegister{Hotkey: hot}
			}
			tx, err := g.submit(ctx, submitOpts{key: key, call: call, spend: cost, what: "neuron register"})
			if err != nil {
				return err
			}
			out := neuronRegisterJSON{NetUID: n, UID: -1, Hotkey: hot.Hex(), Coldkey: cold.Hex(), Burned: amountOf(cost), Tx: tx}
			if v, ok := tx.event("neuron_registered", "uid"); ok {
				out.UID, _ = strconv.Atoi(v)
			}
			if v, ok := tx.event("neuron_registered", "burned"); ok {
				b, _ := strconv.ParseUint(v, 10, 64)
				out.Burned = amountOf(b)
			}
			return g.emit(out, func(w io.Writer) {
				if out.UID >= 0 {
					fmt.Fprintf(w, "hotkey %s registered on subnet %d as uid %d (burned %s)\n", out.Hotkey, n, out.UID, g.amountText(mustRao(out.Burned)))
				}
				g.printTx(w, tx)
			})
		}),
	}
	netuidFlag(c, &netuid)
	return c
}

// ---- neuron serve ----

type neuronServeJSON struct {
	NetUID   uint16 `json:"netuid"`
	Hotkey   string `json:"hotkey"`
	IP       string `json:"ip"`
	Port     uint16 `json:"port"`
	Protocol uint8  `json:"protocol"`
	Version  uint32 `json:"version"`
	Tx       txJSON `json:"tx"`
}

func newNeuronServeCmd(g *globals) *cobra.Command {
	var (
		netuid   int
		ipStr    string
		port     uint16
		protocol uint8
		version  uint32
	)
	c := &cobra.Command{
		Use:   "serve",
		Short: "Publish the hotkey's axon endpoint (IP and port) on a subnet",
		Long: `Publish where validators reach this miner's axon. The hotkey signs and pays
the fee, so it needs a little TAO: send some with
` + "`yuma wallet transfer --to WALLET/HOTKEY`" + `.`,
		Example: `  yuma neuron serve --netuid 1 --wallet alice --hotkey miner1 --ip 203.0.113.7 --port 8091`,
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			ip := net.ParseIP(strings.TrimSpace(ipStr))
			if ip == nil {
				return &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--ip %q is not an IPv4 or IPv6 address", ipStr)}
			}
			call := &types.ServeAxon{NetUID: n, Version: version, Port: port, Protocol: protocol}
			if v4 := ip.To4(); v4 != nil {
				call.IP, call.IPType = []byte(v4), types.IPv4
			} else {
				call.IP, call.IPType = []byte(ip.To16()), types.IPv6
			}
			if port == 0 {
				return &cliError{Code: "invalid_argument", Msg: "--port is required (1..65535)"}
			}
			key, err := g.hotkey()
			if err != nil {
				return err
			}
			tx, err := g.submit(ctx, submitOpts{key: key, call: call, what: "neuron serve"})
			if err != nil {
				return err
			}
			out := neuronServeJSON{NetUID: n, Hotkey: tx.Signer, IP: ip.String(), Port: port, Protocol: protocol, Version: version, Tx: tx}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "axon of %s on subnet %d: %s\n", out.Hotkey, n, net.JoinHostPort(out.IP, strconv.Itoa(int(port))))
				g.printTx(w, tx)
			})
		}),
	}
	netuidFlag(c, &netuid)
	c.Flags().StringVar(&ipStr, "ip", "", "public IPv4 or IPv6 address of the axon")
	c.Flags().Uint16Var(&port, "port", 0, "axon port")
	c.Flags().Uint8Var(&protocol, "protocol", 4, "protocol number (4: HTTP, as Bittensor)")
	c.Flags().Uint32Var(&version, "version", 1, "axon software version")
	return c
}

// ipString shows an axon IP (4 or 16 bytes).
func ipString(b []byte) string {
	if len(b) != 4 && len(b) != 16 {
		return ""
	}
	return net.IP(b).String()
}

// lockCost is the current network lock cost; ok is false when the node
// cannot say. It refuses early when the network rate limit would.
func (g *globals) lockCost(ctx context.Context) (uint64, bool, error) {
	cl, err := g.client()
	if err != nil {
		return 0, false, err
	}
	lc, err := cl.SubnetLockCost(ctx, nil)
	if ok, err := optionalQuery(err); !ok {
		return 0, false, err
	}
	if lc.RegistrationOpensAt > lc.Block {
		return 0, false, &cliError{Code: "network_rate_limited", RetryAt: lc.RegistrationOpensAt,
			Msg: "network rate limited: a network was registered too recently; " + g.retryText(lc.RegistrationOpensAt) + ": nothing was sent"}
	}
	return uint64(lc.Cost), true, nil
}

// burnCost is a subnet's current registration cost; ok is false when the
// node cannot say. It refuses early when the subnet takes no
// registrations.
func (g *globals) burnCost(ctx context.Context, netuid uint16) (uint64, bool, error) {
	cl, err := g.client()
	if err != nil {
		return 0, false, err
	}
	bc, err := cl.SubnetBurnCost(ctx, netuid, nil)
	if ok, err := optionalQuery(err); !ok {
		return 0, false, g.notFoundSubnet(err, netuid)
	}
	if !bc.RegistrationAllowed {
		return 0, false, &cliError{Code: "registration_disabled", Msg: fmt.Sprintf("registration is disabled on subnet %d: nothing was sent", netuid)}
	}
	return uint64(bc.Cost), true, nil
}

// notFoundSubnet explains an RPC not-found for a netuid.
func (g *globals) notFoundSubnet(err error, netuid uint16) error {
	var re *rpc.Error
	if errors.As(err, &re) && re.Code == rpc.CodeNotFound {
		return &cliError{Code: "subnet_not_found", Msg: fmt.Sprintf("subnet %d does not exist: see `yuma subnet list`", netuid)}
	}
	return queryErr(err)
}

// headHeight reads the head so a command's queries all see one block.
func (g *globals) headHeight(ctx context.Context) (*rpc.Client, uint64, error) {
	cl, err := g.client()
	if err != nil {
		return nil, 0, err
	}
	h, err := cl.Head(ctx)
	if err != nil {
		return nil, 0, err
	}
	return cl, h.Height, nil
}

// ---- list and show ----

type subnetJSON struct {
	NetUID            uint16     `json:"netuid"`
	Owner             string     `json:"owner"`        // coldkey; zero address for root
	OwnerHotkey       string     `json:"owner_hotkey"` // zero address for root
	RegisteredAt      uint64     `json:"registered_at"`
	N                 uint16     `json:"n"`
	MaxUIDs           uint16     `json:"max_uids"`
	Tempo             uint16     `json:"tempo"`
	EmissionShare     uint16     `json:"emission_share"` // u16 of 65535
	PendingEmission   amountJSON `json:"pending_emission"`
	Lock              amountJSON `json:"lock"`
	BurnCost          amountJSON `json:"burn_cost"`
	LastEpoch         uint64     `json:"last_epoch"`
	LastEpochEmission amountJSON `json:"last_epoch_emission"`
}

func subnetOf(s subnet.SubnetSummary) subnetJSON {
	return subnetJSON{
		NetUID: s.NetUID, Owner: s.Owner.Hex(), OwnerHotkey: s.OwnerHotkey.Hex(), RegisteredAt: s.RegisteredAt,
		N: s.N, MaxUIDs: s.MaxUIDs, Tempo: s.Tempo, EmissionShare: s.EmissionShare,
		PendingEmission: amountOf(uint64(s.PendingEmission)), Lock: amountOf(uint64(s.Lock)), BurnCost: amountOf(uint64(s.BurnCost)),
		LastEpoch: s.LastEpoch, LastEpochEmission: amountOf(uint64(s.LastEpochEmission)),
	}
}

type subnetListJSON struct {
	Height  uint64       `json:"height"`
	Subnets []subnetJSON `json:"subnets"`
}

func newSubnetListCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "list",
		Short:   "List every subnet (root, netuid 0, first)",
		Example: "  yuma subnet list\n  yuma subnet list --json",
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			cl, h, err := g.headHeight(ctx)
			if err != nil {
				return err
			}
			ss, err := cl.SubnetList(ctx, rpc.Height(&h))
			if err != nil {
				return queryErr(err)
			}
			out := subnetListJSON{Height: h, Subnets: []subnetJSON{}}
			for _, s := range ss {
				out.Subnets = append(out.Subnets, subnetOf(s))
			}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "%d subnets (root included) at block %d\n", len(out.Subnets), h)
				var rows [][]string
				for _, s := range out.Subnets {
					owner := s.Owner
					if s.NetUID == 0 {
						owner = "(root)"
					}
					rows = append(rows, []string{strconv.Itoa(int(s.NetUID)), fmt.Sprintf("%d/%d", s.N, s.MaxUIDs), strconv.Itoa(int(s.Tempo)),
						u16Fraction(s.EmissionShare), g.amountText(mustRao(s.BurnCost)), g.amountText(mustRao(s.Lock)), owner})
				}
				printTable(w, []string{"NETUID", "UIDS", "TEMPO", "EMISSION", "BURN", "LOCK", "OWNER"}, rows)
			})
		}),
	}
}

type subnetShowJSON struct {
	subnetJSON
	Height           uint64      `json:"height"`
	RegsThisInterval uint16      `json:"regs_this_interval"`
	LastAdjustment   uint64      `json:"last_adjustment"`
	NextEpoch        uint64      `json:"next_epoch"`
	Hyperparameters  []hyperJSON `json:"hyperparameters"`
}

func newSubnetShowCmd(g *globals) *cobra.Command {
	var netuid int
	c := &cobra.Command{
		Use:     "show",
		Short:   "Show one subnet: owner, size, costs, next epoch and hyperparameters",
		Example: "  yuma subnet show --netuid 1\n  yuma subnet show --netuid 1 --json",
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			cl, h, err := g.headHeight(ctx)
			if err != nil {
				return err
			}
			si, err := cl.SubnetInfo(ctx, n, rpc.Height(&h))
			if err != nil {
				return g.notFoundSubnet(err, n)
			}
			hp, err := hyperList(si.Hyperparameters)
			if err != nil {
				return err
			}
			out := subnetShowJSON{subnetJSON: subnetOf(si.SubnetSummary), Height: h, RegsThisInterval: si.RegsThisInterval,
				LastAdjustment: si.LastAdjustment, NextEpoch: si.NextEpoch, Hyperparameters: hp}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "subnet %d at block %d\n", n, h)
				printTable(w, []string{"FIELD", "VALUE"}, [][]string{
					{"owner", out.Owner}, {"owner hotkey", out.OwnerHotkey}, {"registered at", strconv.FormatUint(out.RegisteredAt, 10)},
					{"uids", fmt.Sprintf("%d of %d", out.N, out.MaxUIDs)}, {"tempo", strconv.Itoa(int(out.Tempo))},
					{"next epoch", fmt.Sprintf("block %d (in %d blocks)", out.NextEpoch, out.NextEpoch-min(out.NextEpoch, h))},
					{"last epoch", strconv.FormatUint(out.LastEpoch, 10)}, {"emission share", u16Fraction(out.EmissionShare)},
					{"pending emission", g.amountText(mustRao(out.PendingEmission))}, {"last epoch emission", g.amountText(mustRao(out.LastEpochEmission))},
					{"registration cost", g.amountText(mustRao(out.BurnCost))}, {"locked", g.amountText(mustRao(out.Lock))},
					{"registrations this interval", strconv.Itoa(int(out.RegsThisInterval))},
				})
				fmt.Fprintln(w)
				printHyper(w, hp)
			})
		}),
	}
	netuidFlag(c, &netuid)
	return c
}

// ---- hyperparameters ----

// hyperJSON is one hyperparameter. Values are text: whole numbers (exact
// beyond 2^53) or true/false.
type hyperJSON struct {
	Name       string `json:"name"`
	Value      string `json:"value"`
	SettableBy string `json:"settable_by"` // "owner" (owner or admin), "admin", or "none"
}

// hyperList turns the RPC's hyperparameters into a list sorted by name,
// saying who may set each.
func hyperList(hp subnet.HyperparametersInfo) ([]hyperJSON, error) {
	b, err := json.Marshal(hp)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	who := map[string]string{}
	for _, h := range subnet.HyperparameterNames() {
		who[h.Name] = "owner"
		if h.RootOnly {
			who[h.Name] = "admin"
		}
	}
	out := []hyperJSON{}
	for k, v := range m {
		by := who[k]
		if by == "" {
			by = "none"
		}
		out = append(out, hyperJSON{Name: k, Value: fmt.Sprint(v), SettableBy: by})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func printHyper(w io.Writer, hp []hyperJSON) {
	var rows [][]string
	for _, h := range hp {
		rows = append(rows, []string{h.Name, h.Value, h.SettableBy})
	}
	printTable(w, []string{"HYPERPARAMETER", "VALUE", "SET BY"}, rows)
}

type subnetHyperJSON struct {
	NetUID          uint16      `json:"netuid"`
	Height          uint64      `json:"height"`
	Hyperparameters []hyperJSON `json:"hyperparameters"`
}

func newSubnetHyperparamsCmd(g *globals) *cobra.Command {
	var netuid int
	c := &cobra.Command{
		Use:     "hyperparameters",
		Aliases: []string{"hparams"},
		Short:   "Show a subnet's hyperparameters and who may set each",
		Example: "  yuma subnet hyperparameters --netuid 1\n  yuma subnet hyperparameters --netuid 1 --json",
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			cl, h, err := g.headHeight(ctx)
			if err != nil {
				return err
			}
			info, err := cl.SubnetHyperparameters(ctx, n, rpc.Height(&h))
			if err != nil {
				return g.notFoundSubnet(err, n)
			}
			hp, err := hyperList(info)
			if err != nil {
				return err
			}
			out := subnetHyperJSON{NetUID: n, Height: h, Hyperparameters: hp}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "hyperparameters of subnet %d at block %d (set with `yuma subnet set`)\n", n, h)
				printHyper(w, hp)
			})
		}),
	}
	netuidFlag(c, &netuid)
	return c
}

// ---- costs ----

type lockCostJSON struct {
	Cost                 amountJSON `json:"cost"`
	Block                uint64     `json:"block"` // the block the cost is quoted for
	MinLock              amountJSON `json:"min_lock"`
	LastLock             amountJSON `json:"last_lock"`
	LastLockBlock        uint64     `json:"last_lock_block"`
	RegistrationOpensAt  uint64     `json:"registration_opens_at"`
	Subnets              int        `json:"subnets"`
	SubnetLimit          uint16     `json:"subnet_limit"`
	PrunesOnRegistration bool       `json:"prunes_on_registration"`
}

func newSubnetLockCostCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "lock-cost",
		Short:   "Show what creating a subnet locks now",
		Example: "  yuma subnet lock-cost\n  yuma subnet lock-cost --rao --json",
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			cl, err := g.client()
			if err != nil {
				return err
			}
			lc, err := cl.SubnetLockCost(ctx, nil)
			if err != nil {
				return queryErr(err)
			}
			out := lockCostJSON{Cost: amountOf(uint64(lc.Cost)), Block: lc.Block, MinLock: amountOf(uint64(lc.MinLock)), LastLock: amountOf(uint64(lc.LastLock)),
				LastLockBlock: lc.LastLockBlock, RegistrationOpensAt: lc.RegistrationOpensAt, Subnets: lc.Subnets, SubnetLimit: lc.SubnetLimit,
				PrunesOnRegistration: lc.PrunesOnRegistration}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "network lock cost at block %d: %s (minimum %s)\n", out.Block, g.amountText(uint64(lc.Cost)), g.amountText(uint64(lc.MinLock)))
				fmt.Fprintf(w, "%d of %d subnets", out.Subnets, out.SubnetLimit)
				if out.PrunesOnRegistration {
					fmt.Fprint(w, " (the limit is reached: a registration prunes the subnet with the lowest emission)")
				}
				fmt.Fprintln(w)
				if out.RegistrationOpensAt > out.Block {
					fmt.Fprintf(w, "the network rate limit allows the next registration at block %d\n", out.RegistrationOpensAt)
				}
			})
		}),
	}
}

type burnCostJSON struct {
	NetUID              uint16     `json:"netuid"`
	Cost                amountJSON `json:"cost"`
	MinBurn             amountJSON `json:"min_burn"`
	MaxBurn             amountJSON `json:"max_burn"`
	RegistrationAllowed bool       `json:"registration_allowed"`
	RegsThisInterval    uint16     `json:"regs_this_interval"`
	MaxRegsPerInterval  uint32     `json:"max_regs_per_interval"`
	NextAdjustment      uint64     `json:"next_adjustment"`
	Full                bool       `json:"full"`
}

func newSubnetBurnCostCmd(g *globals) *cobra.Command {
	var netuid int
	c := &cobra.Command{
		Use:     "burn-cost",
		Short:   "Show what registering a hotkey on a subnet burns now",
		Example: "  yuma subnet burn-cost --netuid 1",
		Args:    noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			cl, err := g.client()
			if err != nil {
				return err
			}
			bc, err := cl.SubnetBurnCost(ctx, n, nil)
			if err != nil {
				return g.notFoundSubnet(err, n)
			}
			out := burnCostJSON{NetUID: n, Cost: amountOf(uint64(bc.Cost)), MinBurn: amountOf(uint64(bc.MinBurn)), MaxBurn: amountOf(uint64(bc.MaxBurn)),
				RegistrationAllowed: bc.RegistrationAllowed, RegsThisInterval: bc.RegsThisInterval, MaxRegsPerInterval: bc.MaxRegsPerInterval,
				NextAdjustment: bc.NextAdjustment, Full: bc.Full}
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "registration on subnet %d burns %s (between %s and %s; next adjustment at block %d)\n", n,
					g.amountText(uint64(bc.Cost)), g.amountText(uint64(bc.MinBurn)), g.amountText(uint64(bc.MaxBurn)), bc.NextAdjustment)
				if !bc.RegistrationAllowed {
					fmt.Fprintln(w, "registration is disabled on this subnet")
				}
				if bc.Full {
					fmt.Fprintln(w, "the subnet is full: a registration replaces the UID with the lowest pruning score")
				}
			})
		}),
	}
	netuidFlag(c, &netuid)
	return c
}
