package sim

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func mustRun(t *testing.T, s *Scenario) *Report {
	t.Helper()
	r, err := Run(s)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return r
}

func uidOf(t *testing.T, r *Report, name string) int {
	t.Helper()
	for _, n := range r.Neurons {
		if n.Name == name {
			return n.UID
		}
	}
	t.Fatalf("no neuron %q", name)
	return -1
}

func TestDeterministic(t *testing.T) {
	a, b := mustRun(t, Default()), mustRun(t, Default())
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs of the same scenario and seed differ")
	}
	s := Default()
	s.Seed++
	if c := mustRun(t, s); reflect.DeepEqual(a.Epochs, c.Epochs) {
		t.Fatal("a different seed gave the same noisy run")
	}
}

// TestEmissionConserved: every epoch credits the whole emission except
// rounding, at most one rao per UID and kind.
func TestEmissionConserved(t *testing.T) {
	s := Default()
	r := mustRun(t, s)
	if len(r.Epochs) != s.Epochs {
		t.Fatalf("%d epochs reported, want %d", len(r.Epochs), s.Epochs)
	}
	n := uint64(len(r.Neurons))
	for _, e := range r.Epochs {
		var sum uint64
		for _, x := range e.Emission {
			sum += x
		}
		if sum > s.Emission || sum+2*n < s.Emission {
			t.Errorf("epoch %d credits %d rao of %d", e.Epoch, sum, s.Emission)
		}
	}
}

// TestLazyGoesStale: the lazy validator is active until activity_cutoff
// blocks after its only weight update, then inactive for good; once
// inactive its stake no longer counts, so it stops building bonds and its
// dividends only decay.
func TestLazyGoesStale(t *testing.T) {
	s := Default()
	r := mustRun(t, s)
	lazy := uidOf(t, r, "lazy")
	set := s.Tempo - 1 // its only update, before epoch 0
	for _, e := range r.Epochs {
		want := set+s.Params.ActivityCutoff >= e.Block
		if e.Active[lazy] != want {
			t.Fatalf("epoch %d (block %d): lazy active = %v, want %v", e.Epoch, e.Block, e.Active[lazy], want)
		}
	}
	var prev float64 = 2
	for _, e := range r.Epochs {
		if e.Active[lazy] {
			continue
		}
		if d := e.Dividends[lazy]; d >= prev {
			t.Errorf("epoch %d: inactive lazy validator's dividends rose from %g to %g", e.Epoch, prev, d)
		} else {
			prev = d
		}
	}
	if prev == 2 {
		t.Fatal("the lazy validator never went inactive")
	}
}

// TestAdversaryClipped: a minority adversary that puts everything on one
// miner is clipped to consensus, so its dividends per unit of stake stay
// below an honest validator's, and its miner's consensus is what the
// honest majority gives it.
func TestAdversaryClipped(t *testing.T) {
	s := Default()
	r := mustRun(t, s)
	adv, hon := uidOf(t, r, "adversary"), uidOf(t, r, "honest-a")
	advStake, honStake := float64(s.Validators[adv].Stake), float64(s.Validators[hon].Stake)
	var advDiv, honDiv float64
	for _, e := range r.Epochs {
		advDiv += e.Dividends[adv]
		honDiv += e.Dividends[hon]
	}
	if advDiv/advStake >= honDiv/honStake/2 {
		t.Errorf("adversary earns %g per stake, honest %g: want less than half", advDiv/advStake, honDiv/honStake)
	}
	colluder := uidOf(t, r, "m5-colluder")
	best := uidOf(t, r, "m0")
	last := r.Epochs[len(r.Epochs)-1]
	if last.Incentive[colluder] >= last.Incentive[best] {
		t.Errorf("colluding miner incentive %g not below the best miner's %g", last.Incentive[colluder], last.Incentive[best])
	}
}

// TestNoiselessRanking: with honest noiseless validators only, incentive
// is proportional to quality, and a copier earns like an honest validator
// of the same stake once the bonds it built on its first, uniform, weights
// have decayed (bonds_moving_average 0.9: 0.9^60 < 0.002).
func TestNoiselessRanking(t *testing.T) {
	s := &Scenario{
		Name: "noiseless", Epochs: 60, Tempo: 100, Emission: 1e9,
		Params: Default().Params,
		Miners: []Miner{{Name: "a", Quality: 0.8}, {Name: "b", Quality: 0.4}, {Name: "c", Quality: 0.2}},
		Validators: []Validator{
			{Name: "h1", Stake: 3e12, Behaviour: Honest},
			{Name: "h2", Stake: 1e12, Behaviour: Honest},
			{Name: "cp", Stake: 1e12, Behaviour: Copier},
		},
	}
	r := mustRun(t, s)
	last := r.Epochs[len(r.Epochs)-1]
	a, b, c := last.Incentive[3], last.Incentive[4], last.Incentive[5]
	// Quality 0.8 : 0.4 : 0.2 -> shares 4/7, 2/7, 1/7, up to the u16
	// weights.
	for _, x := range []struct {
		got, want float64
	}{{a, 4.0 / 7}, {b, 2.0 / 7}, {c, 1.0 / 7}} {
		if d := x.got - x.want; d > 1e-4 || d < -1e-4 {
			t.Errorf("incentive %v, want about [4/7 2/7 1/7]", []float64{a, b, c})
			break
		}
	}
	if d := last.Dividends[1] - last.Dividends[2]; d > 0.01 || d < -0.01 {
		t.Errorf("copier dividends %g, honest validator of equal stake %g", last.Dividends[2], last.Dividends[1])
	}
}

func TestLoadErrors(t *testing.T) {
	good, err := json.Marshal(Default())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(bytes.NewReader(good)); err != nil {
		t.Fatalf("the default scenario does not round-trip: %v", err)
	}
	cases := map[string]string{
		"unknown field":      strings.Replace(string(good), `"seed"`, `"sede"`, 1),
		"bad behaviour":      strings.Replace(string(good), `"behaviour":"copier"`, `"behaviour":"copy"`, 1),
		"target not a miner": strings.Replace(string(good), `"target":"m5-colluder"`, `"target":"nobody"`, 1),
		"quality above one":  strings.Replace(string(good), `"quality":0.95`, `"quality":1.5`, 1),
		"no epochs":          strings.Replace(string(good), `"epochs":30`, `"epochs":0`, 1),
		"trailing data":      string(good) + "{}",
		"not json":           "epochs: 3",
	}
	for name, text := range cases {
		if text == string(good) {
			t.Fatalf("%s: the edit did not apply", name)
		}
		if _, err := Load(strings.NewReader(text)); !errors.Is(err, ErrScenario) {
			t.Errorf("%s: err = %v, want ErrScenario", name, err)
		}
	}
}

func TestFormats(t *testing.T) {
	s := Default()
	s.Epochs = 3
	r := mustRun(t, s)
	var tbl bytes.Buffer
	if err := r.WriteTable(&tbl); err != nil {
		t.Fatal(err)
	}
	// Header, one line per epoch, the total line and the legend.
	if lines := strings.Count(tbl.String(), "\n"); lines != 1+3+1+1 {
		t.Errorf("table has %d lines:\n%s", lines, tbl.String())
	}
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 3*len(r.Neurons); len(recs) != want {
		t.Errorf("csv has %d records, want %d", len(recs), want)
	}
}
