package main

// yuma sim: the Yuma consensus epoch and simulator, offline. Nothing here
// talks to a node.
//
// yuma sim epoch prints the output form of the spec's epoch case format
// (../shared/spec/README.md): the JSON of consensus.Output.
//
// yuma sim run --json prints
//
//	{
//	  "schema": "yuma.sim.run/v1",
//	  "scenario": "default", "seed": 1,
//	  "neurons": [{"uid": 0, "name": "...", "role": "validator"|"miner",
//	               "behaviour": "honest", "quality": 0.9, "stake": 0}, ...],
//	  "epochs": [{"epoch": 0, "block": 360, "incentive": [float per UID],
//	              "dividends": [...], "consensus": [...],
//	              "emission": [rao per UID], "active": [bool per UID]}, ...],
//	  "total_emission": [rao per UID]
//	}
//
// and --csv one row per epoch and UID (see sim.Report.WriteCSV).

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/yumachain/yuma/consensus"
	"github.com/yumachain/yuma/consensus/reference"
	"github.com/yumachain/yuma/consensus/sim"
)

// simMaxCaseBytes bounds a case file: a full 4096-UID dense case is a few
// hundred MB of JSON at most; anything larger is not a case.
const simMaxCaseBytes = 1 << 30

func newSimCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "sim",
		Short: "Run Yuma consensus epochs and multi-epoch simulations offline",
		Long: `Yuma consensus without a chain. "sim epoch" runs one epoch of a case file
(the spec's epoch case format) through the chain's fixed-point epoch or the
float64 reference; "sim run" simulates a subnet for many epochs with honest,
copying, lazy and adversarial validators on the float64 reference and shows
how incentive, dividends and emission evolve.`,
		Example: `  yuma sim epoch --case case.json
  yuma sim epoch --case case.json --float
  yuma sim run --epochs 50 --seed 7
  yuma sim run --scenario my.json --csv > run.csv`,
	}
	c.AddCommand(newSimEpochCmd(), newSimRunCmd())
	return c
}

func newSimEpochCmd() *cobra.Command {
	var (
		caseFile     string
		float, dense bool
	)
	c := &cobra.Command{
		Use:   "epoch --case FILE",
		Short: "Run one Yuma epoch from a case file and print the output JSON",
		Long: `Reads one epoch case (the JSON input form of shared/spec/README.md: block,
tempo, hyperparameters, stake, last_update, block_at_registration,
validator_permit, weights, bonds, emission; other fields such as "name"
and "expected" are ignored) and prints what the epoch decides in the
spec's output form: active, validator_permit, rank, trust, consensus,
incentive, dividends, validator_trust, pruning_scores, bonds and the
server, validator and combined emission in rao.

By default the chain's fixed-point sparse epoch (consensus.Epoch) runs;
--dense runs its dense twin, which must print the same; --float runs the
float64 reference quantized as the chain stores values, which agrees within
the tolerance of the differential test. Use "-" to read the case from
standard input.`,
		Example: `  yuma sim epoch --case case.json
  yuma sim epoch --case case.json --float > float.json
  cat case.json | yuma sim epoch --case - --dense`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if caseFile == "" {
				return errors.New("--case is required (a case file, or - for standard input)")
			}
			if float && dense {
				return errors.New("--float and --dense exclude each other")
			}
			in, err := readSimCase(cmd.InOrStdin(), caseFile)
			if err != nil {
				return err
			}
			var out *consensus.Output
			switch {
			case float:
				var r *reference.Result
				if r, err = reference.Epoch(in); err == nil {
					out = r.Output()
				}
			case dense:
				out, err = consensus.EpochDense(in)
			default:
				out, err = consensus.Epoch(in)
			}
			if err != nil {
				return fmt.Errorf("case %s: %w", caseFile, err)
			}
			return simWriteJSON(cmd.OutOrStdout(), out)
		},
	}
	c.Flags().StringVar(&caseFile, "case", "", "epoch case file in the spec format (- for standard input)")
	c.Flags().BoolVar(&float, "float", false, "run the float64 reference instead of the fixed-point epoch")
	c.Flags().BoolVar(&dense, "dense", false, "run the dense fixed-point epoch (EpochDense)")
	return c
}

// readSimCase decodes one case from path ("-": r).
func readSimCase(r io.Reader, path string) (*consensus.Input, error) {
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("case: %w", err)
		}
		defer f.Close()
		r = f
	}
	dec := json.NewDecoder(io.LimitReader(r, simMaxCaseBytes))
	var in consensus.Input
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("case %s: not an epoch case: %v", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("case %s: data after the case object", path)
	}
	return &in, nil
}

func newSimRunCmd() *cobra.Command {
	var (
		scenarioFile    string
		epochs          int
		seed            uint64
		jsonOut, csvOut bool
	)
	c := &cobra.Command{
		Use:   "run [--scenario FILE]",
		Short: "Simulate a subnet for many epochs and print incentive and dividends",
		Long: `Simulates a subnet on the float64 Yuma reference: miners with a true
quality, validators that are honest (quality plus noise), copiers (copy the
last consensus), lazy (set weights once and let them go stale past the
activity cutoff) or adversarial (all weight on a colluding miner). Bonds,
weights, last updates and permits carry from epoch to epoch as on chain.

Without --scenario the embedded default scenario runs; the scenario format
is documented in package consensus/sim. --epochs and --seed override the
scenario's. The default output is a table with one line per epoch: each
validator's dividends share and each miner's incentive share (an asterisk
marks an inactive validator), then each UID's total emission in TAO.
--json prints the whole report, --csv one row per epoch and UID for
plotting.`,
		Example: `  yuma sim run
  yuma sim run --epochs 100 --seed 3
  yuma sim run --scenario scenario.json --json
  yuma sim run --csv > run.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if jsonOut && csvOut {
				return errors.New("--json and --csv exclude each other")
			}
			s := sim.Default()
			if scenarioFile != "" {
				f, err := os.Open(scenarioFile)
				if err != nil {
					return fmt.Errorf("scenario: %w", err)
				}
				s, err = sim.Load(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("scenario %s: %w", scenarioFile, err)
				}
			}
			if cmd.Flags().Changed("epochs") {
				s.Epochs = epochs
			}
			if cmd.Flags().Changed("seed") {
				s.Seed = seed
			}
			rep, err := sim.Run(s)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			switch {
			case jsonOut:
				return simWriteJSON(w, struct {
					Schema string `json:"schema"`
					*sim.Report
				}{"yuma.sim.run/v1", rep})
			case csvOut:
				return rep.WriteCSV(w)
			default:
				return rep.WriteTable(w)
			}
		},
	}
	c.Flags().StringVar(&scenarioFile, "scenario", "", "scenario JSON file (default: the embedded default scenario)")
	c.Flags().IntVar(&epochs, "epochs", 0, "number of epochs (overrides the scenario)")
	c.Flags().Uint64Var(&seed, "seed", 0, "noise seed (overrides the scenario)")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the report as JSON")
	c.Flags().BoolVar(&csvOut, "csv", false, "print one CSV row per epoch and UID")
	return c
}

// simWriteJSON prints v indented, with a final newline.
func simWriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
