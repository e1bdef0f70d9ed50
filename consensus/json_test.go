package consensus

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestEntryJSON(t *testing.T) {
	b, err := json.Marshal([]Entry{{1, 65535}, {7, 0}})
	if err != nil || string(b) != "[[1,65535],[7,0]]" {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var e []Entry
	if err := json.Unmarshal([]byte(" [ [3, 4] ,[65535,65535]]"), &e); err != nil || !reflect.DeepEqual(e, []Entry{{3, 4}, {65535, 65535}}) {
		t.Fatalf("unmarshal: %v %v", e, err)
	}
	for _, bad := range []string{`[1]`, `[1,2,3]`, `[65536,0]`, `[0,-1]`, `{"uid":1}`, `[1.5,2]`} {
		var x Entry
		if err := json.Unmarshal([]byte(bad), &x); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
}

func TestInputJSONU64(t *testing.T) {
	src := `{"block": "12", "tempo": 360, "emission": "18446744073709551615", "stake": ["9007199254740993", 5],
	  "last_update": [1, "2"], "block_at_registration": [0, 0], "validator_permit": [true, false],
	  "weights": [[[1, 65535]], []], "bonds": [[], []],
	  "hyperparameters": {"kappa": 32767, "bonds_moving_average": "900000", "activity_cutoff": 5000, "immunity_period": "4096"},
	  "name": "ignored", "expected": {}}`
	var in Input
	if err := json.Unmarshal([]byte(src), &in); err != nil {
		t.Fatal(err)
	}
	if in.Block != 12 || in.Emission != math.MaxUint64 || in.Stake[0] != 9007199254740993 || in.LastUpdate[1] != 2 ||
		in.Params.BondsMovingAverage != 900000 || in.Params.ImmunityPeriod != 4096 || in.Params.Kappa != 32767 ||
		!reflect.DeepEqual(in.Weights[0], []Entry{{1, 65535}}) {
		t.Fatalf("decoded %+v", in)
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"emission":"18446744073709551615"`, `"stake":["9007199254740993",5]`, `"block":12`, `"bonds_moving_average":900000`} {
		if !strings.Contains(s, want) {
			t.Errorf("marshal lacks %s: %s", want, s)
		}
	}
	var back Input
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, in) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, back, in)
	}
	// A partial document keeps the fields it does not mention.
	if err := json.Unmarshal([]byte(`{"block": 13, "hyperparameters": {"rho": 9}}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.Block != 13 || back.Emission != math.MaxUint64 || back.Params.Kappa != 32767 || back.Params.Rho != 9 {
		t.Fatalf("partial decode lost fields: %+v", back)
	}
}

func TestOutputJSON(t *testing.T) {
	out := &Output{ServerEmission: []uint64{1, math.MaxUint64}, ValidatorEmission: []uint64{0, 2}, Bonds: [][]Entry{{{0, 1}}, {}}}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"server_emission":[1,"18446744073709551615"]`) || !strings.Contains(string(b), `"bonds":[[[0,1]],[]]`) {
		t.Fatalf("marshal: %s", b)
	}
	var back Output
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back.ServerEmission, out.ServerEmission) {
		t.Fatalf("round trip: %v %+v", err, back)
	}
}
