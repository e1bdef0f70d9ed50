package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/rpc"
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
func optional(err error) (ok bool, _ error) {
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
		return parseTAO(s)
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
// cannot say.
func (g *globals) lockCost(ctx context.Context) (uint64, bool, error) {
	return 0, false, nil
}

// burnCost is a subnet's current registration cost; ok is false when the
// node cannot say.
func (g *globals) burnCost(ctx context.Context, netuid uint16) (uint64, bool, error) {
	return 0, false, nil
}

func newSubnetListCmd(g *globals) *cobra.Command { return &cobra.Command{Use: "list", Hidden: true} }
func newSubnetShowCmd(g *globals) *cobra.Command { return &cobra.Command{Use: "show", Hidden: true} }
func newSubnetHyperparamsCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "hyperparameters", Hidden: true}
}
func newSubnetLockCostCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "lock-cost", Hidden: true}
}
func newSubnetBurnCostCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "burn-cost", Hidden: true}
}
