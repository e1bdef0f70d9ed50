package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/yumachain/yuma/consensus"
)

func runSim(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// simCase is a 4-UID case in the spec format: validators 0 and 1 with
// stake 3:1, miners 2 and 3; u64 values as numbers and as strings.
const simCase = `{
  "name": "two validators, two miners",
  "block": 10, "tempo": 10,
  "hyperparameters": {"kappa": 32767, "bonds_moving_average": 900000, "activity_cutoff": 5000,
    "max_allowed_validators": 64, "alpha_low": 45875, "alpha_high": 58982},
  "stake": ["3000", 1000, 0, 0],
  "last_update": [9, 9, 0, 0],
  "block_at_registration": [0, 0, 0, 0],
  "validator_permit": [true, true, false, false],
  "weights": [[[2, 65535], [3, 65535]], [[2, 65535]], [], []],
  "bonds": [[], [], [], []],
  "emission": "1000000000",
  "expected": {"incentive": [0, 0, 37448, 28086]}
}`

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSimEpoch(t *testing.T) {
	path := writeTemp(t, "case.json", simCase)
	outs := map[string]*consensus.Output{}
	for _, mode := range [][]string{nil, {"--dense"}, {"--float"}} {
		args := append([]string{"sim", "epoch", "--case", path}, mode...)
		code, out, errs := runSim(t, "", args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		var o consensus.Output
		if err := json.Unmarshal([]byte(out), &o); err != nil {
			t.Fatalf("%v: output does not parse: %v\n%s", args, err, out)
		}
		outs[strings.Join(mode, "")] = &o
	}
	// Worked by hand in consensus/reference (TestEpochByHand): incentive
	// floor(65535*[4/7, 3/7]) and server emission 1e9*[2/7, 3/14].
	for mode, o := range outs {
		if want := []uint16{0, 0, 37448, 28086}; !reflect.DeepEqual(o.Incentive, want) {
			t.Errorf("%q: incentive %v, want %v", mode, o.Incentive, want)
		}
		if len(o.ServerEmission) != 4 {
			t.Fatalf("%q: server emission %v", mode, o.ServerEmission)
		}
		for i, want := range []float64{0, 0, 1e9 * 2 / 7, 1e9 * 3 / 14} {
			if d := float64(o.ServerEmission[i]) - want; d > 2 || d < -2 {
				t.Errorf("%q: server emission[%d] = %d, want about %.0f", mode, i, o.ServerEmission[i], want)
			}
		}
	}
	if !reflect.DeepEqual(outs[""], outs["--dense"]) {
		t.Error("sparse and dense epochs print different outputs")
	}
	// Standard input.
	if code, out, errs := runSim(t, simCase, "sim", "epoch", "--case", "-"); code != 0 || !strings.Contains(out, `"incentive"`) {
		t.Errorf("--case -: exit %d, stderr %q", code, errs)
	}
}

func TestSimEpochErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"stake": [1, 2], "weights": [[]]`), 0o600); err != nil {
		t.Fatal(err)
	}
	shape := filepath.Join(dir, "shape.json")
	if err := os.WriteFile(shape, []byte(`{"stake": [1, 2], "last_update": [0], "block_at_registration": [0, 0],
		"validator_permit": [true, true], "weights": [[], []], "bonds": [[], []]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"truncated json", []string{"sim", "epoch", "--case", bad}, "bad.json"},
		{"wrong shape", []string{"sim", "epoch", "--case", shape}, "last_update"},
		{"wrong shape, float", []string{"sim", "epoch", "--case", shape, "--float"}, "last_update"},
		{"missing file", []string{"sim", "epoch", "--case", filepath.Join(dir, "none.json")}, "none.json"},
		{"no --case", []string{"sim", "epoch"}, "--case"},
		{"both modes", []string{"sim", "epoch", "--case", bad, "--float", "--dense"}, "exclude"},
	}
	for _, tc := range cases {
		code, out, errs := runSim(t, "", tc.args...)
		if code == 0 {
			t.Errorf("%s: exit 0, want failure (stdout %q)", tc.name, out)
			continue
		}
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "error: ") || !strings.Contains(lines[0], tc.want) {
			t.Errorf("%s: stderr %q, want one error line naming %q", tc.name, errs, tc.want)
		}
		if out != "" {
			t.Errorf("%s: printed %q on stdout", tc.name, out)
		}
	}
}

func TestSimRun(t *testing.T) {
	code, out, errs := runSim(t, "", "sim", "run", "--epochs", "4", "--seed", "9", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		Schema  string `json:"schema"`
		Seed    uint64 `json:"seed"`
		Neurons []struct {
			UID  int    `json:"uid"`
			Role string `json:"role"`
		} `json:"neurons"`
		Epochs []struct {
			Epoch     int       `json:"epoch"`
			Incentive []float64 `json:"incentive"`
			Dividends []float64 `json:"dividends"`
			Emission  []uint64  `json:"emission"`
		} `json:"epochs"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	if rep.Schema != "yuma.sim.run/v1" || rep.Seed != 9 || len(rep.Epochs) != 4 || len(rep.Neurons) == 0 {
		t.Fatalf("report header: schema %q seed %d, %d epochs, %d neurons", rep.Schema, rep.Seed, len(rep.Epochs), len(rep.Neurons))
	}
	for _, e := range rep.Epochs {
		if len(e.Incentive) != len(rep.Neurons) || len(e.Dividends) != len(rep.Neurons) || len(e.Emission) != len(rep.Neurons) {
			t.Fatalf("epoch %d: per-UID vectors of the wrong length", e.Epoch)
		}
	}

	code, out, errs = runSim(t, "", "sim", "run", "--epochs", "2", "--csv")
	if code != 0 {
		t.Fatalf("--csv: exit %d: %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 1+2*len(rep.Neurons) || recs[0][0] != "epoch" {
		t.Fatalf("--csv: %d records, err %v", len(recs), err)
	}

	code, out, _ = runSim(t, "", "sim", "run", "--epochs", "2")
	if code != 0 || !strings.Contains(out, "epoch") || !strings.Contains(out, "total") {
		t.Fatalf("table: exit %d:\n%s", code, out)
	}
}

func TestSimRunErrors(t *testing.T) {
	bad := writeTemp(t, "s.json", `{"name": "x", "epochs": 3, "tempo": 10, "miners": [{"name": "m", "quality": 0.5}],
		"validators": [{"name": "v", "stake": 1, "behaviour": "sleepy"}]}`)
	for _, args := range [][]string{
		{"sim", "run", "--scenario", bad},
		{"sim", "run", "--epochs", "0"},
		{"sim", "run", "--json", "--csv"},
	} {
		code, out, errs := runSim(t, "", args...)
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		if code == 0 || out != "" || len(lines) != 1 || !strings.HasPrefix(lines[0], "error: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want one error line and a non-zero exit", args, code, out, errs)
		}
	}
}
