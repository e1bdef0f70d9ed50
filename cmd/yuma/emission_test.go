package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func runEmission(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestEmissionScheduleJSON(t *testing.T) {
	code, out, errs := runEmission(t, "emission", "schedule", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got emissionScheduleOut
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	if got.Schema != "yuma.emission.schedule/v1" || got.GenesisTime != "2023-03-20T00:00:00Z" || got.BlockTimeSeconds != 12 {
		t.Fatalf("header %+v", got)
	}
	if len(got.Eras) < 6 {
		t.Fatalf("%d eras", len(got.Eras))
	}
	// subtensor tests/root.rs test_halving: 1 TAO per block until 10.5M TAO,
	// then 0.5 TAO; 0.25 TAO from 15.75M.
	e0, e1 := got.Eras[0], got.Eras[1]
	if e0.BlockReward.Rao != "1000000000" || e0.StartIssuance.Rao != "0" || e0.StartBlock != 1 ||
		e0.ApproxStartTime != "2023-03-20T00:00:12Z" || e0.Final {
		t.Errorf("era 0 = %+v", e0)
	}
	if e1.BlockReward.Rao != "500000000" || e1.BlockReward.TAO != "0.500000000" ||
		e1.StartIssuance.Rao != "10500000000000000" || e1.StartIssuance.TAO != "10500000.000000000" {
		t.Errorf("era 1 = %+v", e1)
	}
	if got.Eras[2].BlockReward.Rao != "250000000" {
		t.Errorf("era 2 = %+v", got.Eras[2])
	}
	if last := got.Eras[len(got.Eras)-1]; !last.Final || last.BlockReward.Rao != "0" || last.Blocks != 0 {
		t.Errorf("last era = %+v", last)
	}
	if got.MaxSupply.Rao != "21000000000000000" {
		t.Errorf("max supply %+v", got.MaxSupply)
	}
}

func TestEmissionScheduleTableAndFlags(t *testing.T) {
	code, out, errs := runEmission(t, "emission", "schedule", "--genesis-time", "2025-01-01T00:00:00Z", "--block-time", "6s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"ERA", "REWARD (TAO)", "1.000000000", "0.500000000", "10500000.000000000", "2025-01-01", "minting stops"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// 10,500,000 blocks of 6 s after 2025-01-01: 729.17 days, 2026-12-31.
	if !strings.Contains(out, "2026-12-31") {
		t.Errorf("era 1 date not 2026-12-31 at 6 s blocks:\n%s", out)
	}
	for _, bad := range [][]string{
		{"emission", "schedule", "--genesis-time", "yesterday"},
		{"emission", "schedule", "--block-time", "1500ms"},
		{"emission", "schedule", "--block-time", "0s"},
	} {
		code, _, errs := runEmission(t, bad...)
		if code == 0 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.HasPrefix(errs, "error: --") {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errs)
		}
	}
}

func TestEmissionRewardJSON(t *testing.T) {
	for _, tc := range []struct {
		args             []string
		reward, issuance string
		era              int
		next             string
	}{
		// subtensor tests/root.rs test_halving vectors.
		{[]string{"--issuance", "10500000000000000"}, "500000000", "10500000000000000", 1, "15750000000000000"},
		{[]string{"--issuance-tao", "10_500_000"}, "500000000", "10500000000000000", 1, "15750000000000000"},
		{[]string{"--issuance", "20979493000000000"}, "976562", "20979493000000000", 10, "20989746093750000"},
		{[]string{"--issuance-tao", "20999999"}, "59", "20999999000000000", 24, "20999999374151230"},
		{[]string{"--issuance", "0"}, "1000000000", "0", 0, "10500000000000000"},
		{[]string{"--issuance", "21000000000000000"}, "0", "21000000000000000", 32, ""},
	} {
		code, out, errs := runEmission(t, append([]string{"emission", "reward", "--json"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errs)
		}
		var got emissionRewardOut
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: --json output does not parse: %v\n%s", tc.args, err, out)
		}
		if got.Schema != "yuma.emission.reward/v1" || got.BlockReward.Rao != tc.reward || got.Issuance.Rao != tc.issuance || got.Era != tc.era {
			t.Errorf("%v: %+v", tc.args, got)
		}
		switch {
		case tc.next == "" && got.NextHalvingIssuance != nil:
			t.Errorf("%v: next halving %+v, want none", tc.args, *got.NextHalvingIssuance)
		case tc.next != "" && (got.NextHalvingIssuance == nil || got.NextHalvingIssuance.Rao != tc.next):
			t.Errorf("%v: next halving %v, want %s", tc.args, got.NextHalvingIssuance, tc.next)
		}
	}
	code, out, _ := runEmission(t, "emission", "reward", "--issuance-tao", "0.5")
	if code != 0 || !strings.Contains(out, "1.000000000 TAO (1000000000 rao)") || !strings.Contains(out, "0.500000000") {
		t.Errorf("text output: exit %d\n%s", code, out)
	}
}

func TestEmissionRewardBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"--issuance", "abc"},
		{"--issuance", "-5"},
		{"--issuance", "1.5"},
		{"--issuance", "99999999999999999999"},
		{"--issuance-tao", "1.0000000001"},
		{"--issuance-tao", "abc"},
		{"--issuance-tao", "5."},
		{"--issuance", "1", "--issuance-tao", "1"},
		{},
	} {
		code, out, errs := runEmission(t, append([]string{"emission", "reward"}, args...)...)
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		if code == 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "error: ") || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want one error line and a nonzero exit", args, code, out, errs)
		}
		if len(args) > 0 && len(args) < 3 && !strings.Contains(errs, args[0]) {
			t.Errorf("%v: error %q does not name the flag", args, errs)
		}
	}
}

func TestEmissionHelp(t *testing.T) {
	for _, args := range [][]string{
		{"emission", "--help"},
		{"emission", "schedule", "--help"},
		{"emission", "reward", "--help"},
	} {
		code, out, _ := runEmission(t, args...)
		if code != 0 || !strings.Contains(out, "Examples:") || !strings.Contains(out, "yuma emission") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
	_, out, _ := runEmission(t, "--help")
	if !strings.Contains(out, "emission") {
		t.Errorf("root help does not list emission:\n%s", out)
	}
}
