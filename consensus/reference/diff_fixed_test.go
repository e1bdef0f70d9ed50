//go:build difftest

// The build tag keeps this file out of the build until consensus.Epoch and
// consensus.EpochDense exist; run it with go test -tags difftest.

package reference

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/yumachain/yuma/consensus"
)

func TestDifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(0x79756d61, 1))
	w := worst{}
	fixed := map[string]func(*consensus.Input) (*consensus.Output, error){
		"Epoch":      consensus.Epoch,
		"EpochDense": consensus.EpochDense,
	}
	for c := range diffCases(t) {
		in := randomCase(rng)
		// Half the cases run a second epoch on the bonds the first one
		// stored, as the chain would.
		if rng.IntN(2) == 0 {
			first := mustEpoch(t, in).Output()
			in.Bonds = first.Bonds
			in.ValidatorPermit = first.ValidatorPermit
			in.Block += in.Tempo
		}
		ref := mustEpoch(t, in)
		for name, epoch := range fixed {
			got, err := epoch(in)
			if err != nil {
				t.Fatalf("case %d: consensus.%s: %v", c, name, err)
			}
			label := fmt.Sprintf("case %d (n=%d, yuma3=%v, liquid=%v) %s", c, len(in.Stake), in.Params.Yuma3Enabled, in.Params.LiquidAlphaEnabled, name)
			compareOutput(t, label, ref, got, w)
		}
		if t.Failed() {
			t.Fatalf("stopping after case %d", c)
		}
	}
	for _, f := range []string{"rank", "consensus", "incentive", "dividends", "validator_trust", "pruning_scores", "trust", "bonds",
		"server_emission (rao)", "server_emission (relative)", "validator_emission (rao)", "validator_emission (relative)"} {
		t.Logf("worst |Δ| %-28s %.3g", f, w[f])
	}
}

// TestDifferentialInvalid: both implementations reject the same malformed
// inputs.
func TestDifferentialInvalid(t *testing.T) {
	bad := handInput()
	bad.Weights[0] = row(3, 1, 2, 1)
	if _, err := consensus.Epoch(bad); err == nil {
		t.Error("consensus.Epoch accepted an unsorted weight row")
	}
	if _, err := Epoch(bad); err == nil {
		t.Error("reference.Epoch accepted an unsorted weight row")
	}
}
