package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/rpc"
	"github.com/yumachain/yuma/subnet"
)

// neuronJSON is one UID in `metagraph --json`. The u16 values are the last
// epoch's outputs, fractions of 65535.
type neuronJSON struct {
	UID             uint16     `json:"uid"`
	Hotkey          string     `json:"hotkey"`
	Coldkey         string     `json:"coldkey"`
	Stake           amountJSON `json:"stake"` // the hotkey's total stake
	Rank            uint16     `json:"rank"`
	Trust           uint16     `json:"trust"`
	Consensus       uint16     `json:"consensus"`
	Incentive       uint16     `json:"incentive"`
	Dividends       uint16     `json:"dividends"`
	Emission        amountJSON `json:"emission"` // earned in the last epoch
	ValidatorTrust  uint16     `json:"validator_trust"`
	PruningScore    uint16     `json:"pruning_score"`
	ValidatorPermit bool       `json:"validator_permit"`
	Active          bool       `json:"active"`
	RegisteredAt    uint64     `json:"registered_at"`
	LastUpdate      uint64     `json:"last_update"`
	Axon            string     `json:"axon"` // host:port, or "" if not served
}

type metagraphJSON struct {
	NetUID  uint16       `json:"netuid"`
	Block   uint64       `json:"block"`
	N       uint16       `json:"n"`
	Neurons []neuronJSON `json:"neurons"`
}

func neuronOf(n subnet.NeuronInfo) neuronJSON {
	out := neuronJSON{
		UID: n.UID, Hotkey: n.Hotkey.Hex(), Coldkey: n.Coldkey.Hex(), Stake: amountOf(uint64(n.Stake)),
		Rank: n.Rank, Trust: n.Trust, Consensus: n.Consensus, Incentive: n.Incentive, Dividends: n.Dividends,
		Emission: amountOf(uint64(n.Emission)), ValidatorTrust: n.ValidatorTrust, PruningScore: n.PruningScore,
		ValidatorPermit: n.ValidatorPermit, Active: n.Active, RegisteredAt: n.RegisteredAt, LastUpdate: n.LastUpdate,
	}
	if n.Axon != nil {
		out.Axon = n.Axon.Endpoint
	}
	return out
}

var metagraphSorts = map[string]func(a, b neuronJSON) bool{
	"uid":       func(a, b neuronJSON) bool { return a.UID < b.UID },
	"stake":     func(a, b neuronJSON) bool { return mustRao(a.Stake) > mustRao(b.Stake) },
	"incentive": func(a, b neuronJSON) bool { return a.Incentive > b.Incentive },
	"dividends": func(a, b neuronJSON) bool { return a.Dividends > b.Dividends },
	"emission":  func(a, b neuronJSON) bool { return mustRao(a.Emission) > mustRao(b.Emission) },
	"trust":     func(a, b neuronJSON) bool { return a.Trust > b.Trust },
}

func newMetagraphCmd() *cobra.Command {
	g := &globals{}
	var (
		netuid int
		sortBy string
		height uint64
	)
	c := &cobra.Command{
		Use:   "metagraph",
		Short: "Show every UID of a subnet: stake, rank, trust, consensus, incentive, dividends, emission, axon",
		Long: `Show a subnet's metagraph: every UID with its hotkey, the hotkey's stake, the
last epoch's rank, trust, consensus, incentive, dividends and emission, its
validator permit and its axon. Fractions are shown in [0, 1]; --json gives
them as u16 of 65535.`,
		Example: `  yuma metagraph --netuid 1
  yuma metagraph --netuid 1 --sort incentive
  yuma metagraph --netuid 1 --json | jq '.neurons[] | select(.validator_permit)'`,
		Args: noArgsHint,
		RunE: g.run(func(ctx context.Context, cmd *cobra.Command, _ []string) error {
			n, err := checkNetuid(netuid)
			if err != nil {
				return err
			}
			less, ok := metagraphSorts[sortBy]
			if !ok {
				return &cliError{Code: "invalid_argument", Msg: fmt.Sprintf("--sort %q: use uid, stake, incentive, dividends, emission or trust", sortBy)}
			}
			cl, err := g.client()
			if err != nil {
				return err
			}
			var h rpc.Height
			if height > 0 {
				h = &height
			}
			mg, err := cl.SubnetMetagraph(ctx, n, h)
			if err != nil {
				return g.notFoundSubnet(err, n)
			}
			out := metagraphJSON{NetUID: mg.NetUID, Block: mg.Block, N: mg.N, Neurons: []neuronJSON{}}
			for _, nr := range mg.Neurons {
				out.Neurons = append(out.Neurons, neuronOf(nr))
			}
			sort.SliceStable(out.Neurons, func(i, j int) bool { return less(out.Neurons[i], out.Neurons[j]) })
			return g.emit(out, func(w io.Writer) {
				fmt.Fprintf(w, "subnet %d at block %d: %d UIDs\n", out.NetUID, out.Block, out.N)
				if len(out.Neurons) == 0 {
					return
				}
				var rows [][]string
				for _, x := range out.Neurons {
					vp := ""
					if x.ValidatorPermit {
						vp = "*"
					}
					rows = append(rows, []string{strconv.Itoa(int(x.UID)), x.Hotkey, g.amountText(mustRao(x.Stake)),
						u16Fraction(x.Rank), u16Fraction(x.Trust), u16Fraction(x.Consensus), u16Fraction(x.Incentive),
						u16Fraction(x.Dividends), g.amountText(mustRao(x.Emission)), u16Fraction(x.ValidatorTrust), vp,
						strconv.FormatUint(x.LastUpdate, 10), orDash(x.Axon)})
				}
				printTable(w, []string{"UID", "HOTKEY", "STAKE", "RANK", "TRUST", "CONSENSUS", "INCENTIVE", "DIVIDENDS", "EMISSION", "VTRUST", "VPERMIT", "UPDATED", "AXON"}, rows)
			})
		}),
	}
	addGlobalFlags(c, g)
	netuidFlag(c, &netuid)
	c.Flags().StringVar(&sortBy, "sort", "uid", "order: uid, stake, incentive, dividends, emission or trust")
	c.Flags().Uint64Var(&height, "height", 0, "read the metagraph at this block (default: the latest)")
	return c
}
