package sim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/yumachain/yuma/consensus"
)

// Behaviours of a validator (see the package documentation).
const (
	Honest      = "honest"
	Copier      = "copier"
	Lazy        = "lazy"
	Adversarial = "adversarial"
)

// MaxEpochs bounds a run so a typo cannot keep a CPU busy for hours.
const MaxEpochs = 100_000

// ErrScenario is returned (wrapped, with the reason) for a scenario that
// cannot be run.
var ErrScenario = errors.New("sim: invalid scenario")

// Scenario is a subnet and its participants; see the package documentation
// for the file format.
type Scenario struct {
	Name        string                    `json:"name"`
	Description string                    `json:"description,omitempty"`
	Seed        uint64                    `json:"seed"`
	Epochs      int                       `json:"epochs"`
	Tempo       uint64                    `json:"tempo"`
	Emission    uint64                    `json:"emission"`
	Params      consensus.Hyperparameters `json:"hyperparameters"`
	Miners      []Miner                   `json:"miners"`
	Validators  []Validator               `json:"validators"`
}

// Miner is a UID that serves; Quality is the true value of what it serves,
// the score an honest noiseless validator gives it.
type Miner struct {
	Name    string  `json:"name"`
	Quality float64 `json:"quality"`
	Stake   uint64  `json:"stake,omitempty"`
}

// Validator is a UID that stakes and sets weights.
type Validator struct {
	Name      string  `json:"name"`
	Stake     uint64  `json:"stake"`
	Behaviour string  `json:"behaviour"`
	Noise     float64 `json:"noise,omitempty"`
	// Target is the miner an adversarial validator colludes with.
	Target string `json:"target,omitempty"`
}

//go:embed default.json
var defaultScenario []byte

// Default returns a fresh copy of the embedded default scenario.
func Default() *Scenario {
	s, err := Load(bytes.NewReader(defaultScenario))
	if err != nil {
		panic("sim: embedded default scenario is invalid: " + err.Error())
	}
	return s
}

// Load decodes and validates one scenario. Unknown fields and trailing
// data are errors.
func Load(r io.Reader) (*Scenario, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrScenario, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the scenario object", ErrScenario)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate reports the first reason s cannot be run.
func (s *Scenario) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrScenario}, args...)...)
	}
	switch {
	case s.Epochs < 1 || s.Epochs > MaxEpochs:
		return bad("epochs = %d, want 1..%d", s.Epochs, MaxEpochs)
	case s.Tempo < 2:
		return bad("tempo = %d, want at least 2", s.Tempo)
	case len(s.Miners) == 0:
		return bad("no miners")
	case len(s.Validators) == 0:
		return bad("no validators")
	case len(s.Miners)+len(s.Validators) > math.MaxUint16+1:
		return bad("%d UIDs, more than %d", len(s.Miners)+len(s.Validators), math.MaxUint16+1)
	}
	names := map[string]bool{}
	miners := map[string]bool{}
	for i, m := range s.Miners {
		if m.Name == "" || names[m.Name] {
			return bad("miner %d: name %q is empty or not unique", i, m.Name)
		}
		names[m.Name], miners[m.Name] = true, true
		if !(m.Quality >= 0 && m.Quality <= 1) {
			return bad("miner %q: quality %g outside [0, 1]", m.Name, m.Quality)
		}
	}
	for i, v := range s.Validators {
		if v.Name == "" || names[v.Name] {
			return bad("validator %d: name %q is empty or not unique", i, v.Name)
		}
		names[v.Name] = true
		if !(v.Noise >= 0 && v.Noise <= 10) {
			return bad("validator %q: noise %g outside [0, 10]", v.Name, v.Noise)
		}
		switch v.Behaviour {
		case Honest, Copier, Lazy:
			if v.Target != "" {
				return bad("validator %q: target is only for %s validators", v.Name, Adversarial)
			}
		case Adversarial:
			if !miners[v.Target] {
				return bad("validator %q: target %q is not a miner", v.Name, v.Target)
			}
		default:
			return bad("validator %q: behaviour %q, want %s, %s, %s or %s", v.Name, v.Behaviour, Honest, Copier, Lazy, Adversarial)
		}
	}
	return nil
}
