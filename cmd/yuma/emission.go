package main

// yuma emission: the block reward schedule of package emission, for people
// and scripts. Nothing here talks to a node; the numbers are computed.
//
// JSON output (--json) is stable; fields are only ever added. Every amount
// is an object {"rao": "<decimal string>", "tao": "<TAO with 9 decimals>"}
// (strings, so values beyond 2^53 stay exact); block numbers and counts are
// JSON numbers.
//
// yuma emission schedule --json:
//
//	{
//	  "schema": "yuma.emission.schedule/v1",
//	  "genesis_time": "2023-03-20T00:00:00Z",   // RFC 3339, UTC
//	  "block_time_seconds": 12,
//	  "max_supply": {"rao": "21000000000000000", "tao": "21000000.000000000"},
//	  "never_minted": {"rao": ..., "tao": ...}, // max supply - final issuance
//	  "eras": [{
//	    "era": 0,                                // halvings so far
//	    "block_reward": {"rao": "1000000000", "tao": "1.000000000"},
//	    "start_issuance": {"rao": "0", "tao": "0.000000000"},
//	    "start_block": 1,                        // first block of the era
//	    "blocks": 10500000,                      // 0 for the final era
//	    "approx_start_time": "2023-03-20T00:00:12Z",
//	    "final": false                           // true for the reward-0 era
//	  }, ...]
//	}
//
// yuma emission reward --json:
//
//	{
//	  "schema": "yuma.emission.reward/v1",
//	  "issuance": {"rao": ..., "tao": ...},
//	  "era": 1,                                  // halvings at this issuance
//	  "block_reward": {"rao": "500000000", "tao": "0.500000000"},
//	  "next_halving_issuance": {"rao": ..., "tao": ...} // null if none
//	}

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/emission"
	"github.com/yumachain/yuma/internal/tao"
)

// emissionDefaultGenesis is Bittensor's finney network launch.
const emissionDefaultGenesis = "2023-03-20T00:00:00Z"

func newEmissionCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "emission",
		Short: "Block reward, halving schedule and supply cap",
		Long: `The TAO block reward and its halving schedule, computed offline exactly as
the chain computes them (package emission, bit-identical to subtensor's
get_block_emission_for_issuance).

The reward is 1 TAO per block and halves each time the total issuance
passes 21,000,000 TAO * (1 - 2^-k): at 10,500,000, 15,750,000,
18,375,000, ... TAO. It is 0 at or above the 21,000,000 TAO cap.`,
		Example: `  yuma emission schedule
  yuma emission reward --issuance-tao 10500000`,
	}
	c.AddCommand(newEmissionScheduleCmd(), newEmissionRewardCmd())
	return c
}

func newEmissionScheduleCmd() *cobra.Command {
	var (
		genesis   string
		blockTime time.Duration
		jsonOut   bool
	)
	c := &cobra.Command{
		Use:   "schedule",
		Short: "Print the halving table: era, block reward, issuance, start block and date",
		Long: `Print the halving table assuming exactly one block reward per block from
issuance 0 at genesis, block 1 being the first block that mints.

Columns: the era (number of halvings so far), the block reward in TAO, the
total issuance when the era starts, the era's first block, its length in
blocks, and the approximate start date (UTC) if every block takes exactly
--block-time after --genesis-time. The last row is the era in which the
reward has become 0; its issuance is where minting stops for good.

The dates are illustrative: a real chain's issuance also moves with burns,
recycling and locks, and the finney network did not start from issuance 0.

With --json the output is one JSON object with the stable schema
"yuma.emission.schedule/v1" (see cmd/yuma/emission.go): amounts as
{"rao": "<string>", "tao": "<string>"}, blocks as numbers, times in RFC 3339.`,
		Example: `  yuma emission schedule
  yuma emission schedule --genesis-time 2025-01-01T00:00:00Z --block-time 6s
  yuma emission schedule --json | jq '.eras[1].start_block'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			g, err := time.Parse(time.RFC3339, genesis)
			if err != nil {
				return fmt.Errorf("--genesis-time: %q is not an RFC 3339 time like %s", genesis, emissionDefaultGenesis)
			}
			if blockTime < time.Second || blockTime > 24*time.Hour || blockTime%time.Second != 0 {
				return fmt.Errorf("--block-time: %s must be a whole number of seconds between 1s and 24h", blockTime)
			}
			secs := uint64(blockTime / time.Second)
			eras := emission.Schedule(g.Unix(), secs)
			if jsonOut {
				return writeEmissionJSON(cmd.OutOrStdout(), emissionScheduleJSON(g, secs, eras))
			}
			writeEmissionTable(cmd.OutOrStdout(), eras)
			return nil
		},
	}
	c.Flags().StringVar(&genesis, "genesis-time", emissionDefaultGenesis, "genesis time, RFC 3339 (default: Bittensor finney's launch)")
	c.Flags().DurationVar(&blockTime, "block-time", 12*time.Second, "time per block, a whole number of seconds")
	c.Flags().BoolVar(&jsonOut, "json", false, `print JSON (schema "yuma.emission.schedule/v1")`)
	return c
}

func newEmissionRewardCmd() *cobra.Command {
	var (
		issuance, issuanceTAO string
		jsonOut               bool
	)
	c := &cobra.Command{
		Use:   "reward",
		Short: "Print the block reward at a given total issuance",
		Long: `Print the reward one block mints when the total issuance is the given
amount, the era (number of halvings) it falls in, and the issuance of the
next halving. Give the issuance in rao (--issuance) or in TAO with up to 9
decimals (--issuance-tao); underscores may group digits.

With --json the output is one JSON object with the stable schema
"yuma.emission.reward/v1" (see cmd/yuma/emission.go).`,
		Example: `  yuma emission reward --issuance 10500000000000000
  yuma emission reward --issuance-tao 15_750_000
  yuma emission reward --issuance-tao 20999999.5 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var (
				x   uint64
				err error
			)
			switch {
			case issuance != "" && issuanceTAO != "":
				return errors.New("give either --issuance (rao) or --issuance-tao, not both")
			case issuance != "":
				if x, err = parseEmissionRao(issuance); err != nil {
					return fmt.Errorf("--issuance: %w", err)
				}
			case issuanceTAO != "":
				if x, err = tao.Parse(issuanceTAO); err != nil {
					return fmt.Errorf("--issuance-tao: %w", err)
				}
			default:
				return errors.New("give the total issuance with --issuance (rao) or --issuance-tao")
			}
			out := emissionRewardJSON(x)
			if jsonOut {
				return writeEmissionJSON(cmd.OutOrStdout(), out)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "issuance      %s TAO\n", out.Issuance.TAO)
			fmt.Fprintf(w, "era           %d\n", out.Era)
			fmt.Fprintf(w, "block reward  %s TAO (%s rao)\n", out.BlockReward.TAO, out.BlockReward.Rao)
			if out.NextHalvingIssuance != nil {
				fmt.Fprintf(w, "next halving  at issuance %s TAO\n", out.NextHalvingIssuance.TAO)
			} else {
				fmt.Fprintln(w, "next halving  none (no further reward)")
			}
			return nil
		},
	}
	c.Flags().StringVar(&issuance, "issuance", "", "total issuance in rao (whole number)")
	c.Flags().StringVar(&issuanceTAO, "issuance-tao", "", "total issuance in TAO, up to 9 decimals")
	c.Flags().BoolVar(&jsonOut, "json", false, `print JSON (schema "yuma.emission.reward/v1")`)
	return c
}

type emissionEraJSON struct {
	Era             int        `json:"era"`
	BlockReward     amountJSON `json:"block_reward"`
	StartIssuance   amountJSON `json:"start_issuance"`
	StartBlock      uint64     `json:"start_block"`
	Blocks          uint64     `json:"blocks"`
	ApproxStartTime string     `json:"approx_start_time"`
	Final           bool       `json:"final"`
}

type emissionScheduleOut struct {
	Schema           string            `json:"schema"`
	GenesisTime      string            `json:"genesis_time"`
	BlockTimeSeconds uint64            `json:"block_time_seconds"`
	MaxSupply        amountJSON        `json:"max_supply"`
	NeverMinted      amountJSON        `json:"never_minted"`
	Eras             []emissionEraJSON `json:"eras"`
}

func emissionScheduleJSON(genesis time.Time, secs uint64, eras []emission.Era) emissionScheduleOut {
	out := emissionScheduleOut{
		Schema:           "yuma.emission.schedule/v1",
		GenesisTime:      genesis.UTC().Format(time.RFC3339),
		BlockTimeSeconds: secs,
		MaxSupply:        amountOf(emission.MaxSupply),
	}
	for _, e := range eras {
		out.Eras = append(out.Eras, emissionEraJSON{
			Era:             e.Halvings,
			BlockReward:     amountOf(e.Reward),
			StartIssuance:   amountOf(e.StartIssuance),
			StartBlock:      e.StartBlock,
			Blocks:          e.Blocks,
			ApproxStartTime: time.Unix(e.StartUnix, 0).UTC().Format(time.RFC3339),
			Final:           e.Reward == 0,
		})
	}
	if n := len(eras); n > 0 {
		out.NeverMinted = amountOf(emission.MaxSupply - min(emission.MaxSupply, eras[n-1].StartIssuance))
	}
	return out
}

func writeEmissionTable(w io.Writer, eras []emission.Era) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ERA\tREWARD (TAO)\tISSUANCE AT START (TAO)\tSTART BLOCK\tBLOCKS\tAPPROX. START (UTC)\t")
	for _, e := range eras {
		blocks := strconv.FormatUint(e.Blocks, 10)
		if e.Reward == 0 {
			blocks = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t\n", e.Halvings, tao.Format(e.Reward), tao.Format(e.StartIssuance),
			e.StartBlock, blocks, time.Unix(e.StartUnix, 0).UTC().Format("2006-01-02"))
	}
	tw.Flush()
	if n := len(eras); n > 0 {
		last := eras[n-1]
		fmt.Fprintf(w, "\nminting stops at %s TAO; %s TAO of the %s TAO cap is never minted\n",
			tao.Format(last.StartIssuance), tao.Format(emission.MaxSupply-min(emission.MaxSupply, last.StartIssuance)),
			tao.Format(emission.MaxSupply))
	}
}

type emissionRewardOut struct {
	Schema              string      `json:"schema"`
	Issuance            amountJSON  `json:"issuance"`
	Era                 int         `json:"era"`
	BlockReward         amountJSON  `json:"block_reward"`
	NextHalvingIssuance *amountJSON `json:"next_halving_issuance"`
}

func emissionRewardJSON(issuance uint64) emissionRewardOut {
	out := emissionRewardOut{
		Schema:      "yuma.emission.reward/v1",
		Issuance:    amountOf(issuance),
		Era:         emission.Halvings(issuance),
		BlockReward: amountOf(emission.BlockReward(issuance)),
	}
	// A next halving exists while the reward is positive (it halves to 0 at
	// the last one).
	if out.BlockReward.Rao != "0" {
		next := amountOf(emission.HalvingIssuance(out.Era + 1))
		out.NextHalvingIssuance = &next
	}
	return out
}

func writeEmissionJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// parseEmissionRao parses a whole number of rao; underscores may group
// digits.
func parseEmissionRao(s string) (uint64, error) {
	d := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	if d == "" || strings.Trim(d, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a whole number of rao", s)
	}
	n, err := strconv.ParseUint(d, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range (at most %d rao)", s, uint64(1<<64-1))
	}
	return n, nil
}
