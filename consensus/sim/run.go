package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/yumachain/yuma/consensus"
	"github.com/yumachain/yuma/consensus/reference"
)

// Neuron describes one UID of a run.
type Neuron struct {
	UID       int     `json:"uid"`
	Name      string  `json:"name"`
	Role      string  `json:"role"` // "validator" or "miner"
	Behaviour string  `json:"behaviour,omitempty"`
	Quality   float64 `json:"quality,omitempty"`
	Stake     uint64  `json:"stake"`
}

// EpochReport is what one epoch gave each UID (slices indexed by UID).
type EpochReport struct {
	Epoch int    `json:"epoch"`
	Block uint64 `json:"block"`
	// Incentive and Dividends are the float64 shares (each sums to 1 or
	// 0); Consensus is the stake-weighted median weight per UID.
	Incentive []float64 `json:"incentive"`
	Dividends []float64 `json:"dividends"`
	Consensus []float64 `json:"consensus"`
	// Emission is server plus validator emission in rao, as the chain
	// would credit it (rounded down).
	Emission []uint64 `json:"emission"`
	Active   []bool   `json:"active"`
}

// Report is the result of a run.
type Report struct {
	Scenario string        `json:"scenario"`
	Seed     uint64        `json:"seed"`
	Neurons  []Neuron      `json:"neurons"`
	Epochs   []EpochReport `json:"epochs"`
	// Total is each UID's emission summed over the run, in rao.
	Total []uint64 `json:"total_emission"`
}

// Run simulates s.Epochs epochs of s. The same scenario (seed included)
// always gives the same report.
func Run(s *Scenario) (*Report, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	v, m := len(s.Validators), len(s.Miners)
	n := v + m
	rng := rand.New(rand.NewPCG(s.Seed, 0x59554d4153494d)) // "YUMASIM"

	rep := &Report{Scenario: s.Name, Seed: s.Seed, Total: make([]uint64, n)}
	minerUID := map[string]int{}
	in := &consensus.Input{
		Tempo:               s.Tempo,
		Params:              s.Params,
		Stake:               make([]uint64, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		ValidatorPermit:     make([]bool, n),
		Weights:             make([][]consensus.Entry, n),
		Bonds:               make([][]consensus.Entry, n),
		Emission:            s.Emission,
	}
	for i, val := range s.Validators {
		in.Stake[i] = val.Stake
		rep.Neurons = append(rep.Neurons, Neuron{UID: i, Name: val.Name, Role: "validator", Behaviour: val.Behaviour, Stake: val.Stake})
	}
	for k, mi := range s.Miners {
		uid := v + k
		in.Stake[uid] = mi.Stake
		minerUID[mi.Name] = uid
		rep.Neurons = append(rep.Neurons, Neuron{UID: uid, Name: mi.Name, Role: "miner", Quality: mi.Quality, Stake: mi.Stake})
	}

	// Setup epoch: no weights yet; it hands out the first permits.
	in.Block = 1
	setup, err := epoch(in)
	if err != nil {
		return nil, err
	}
	in.ValidatorPermit = setup.out.ValidatorPermit

	var prevConsensus []uint16
	for e := range s.Epochs {
		block := uint64(e+1) * s.Tempo
		for i, val := range s.Validators {
			var w []float64
			switch val.Behaviour {
			case Honest:
				w = noisy(rng, s.Miners, val.Noise)
			case Lazy:
				if e == 0 {
					w = noisy(rng, s.Miners, val.Noise)
				}
			case Copier:
				w = make([]float64, m)
				for k := range w {
					if prevConsensus == nil {
						w[k] = 1
					} else {
						w[k] = float64(prevConsensus[v+k])
					}
				}
			case Adversarial:
				w = make([]float64, m)
				w[minerUID[val.Target]-v] = 1
			}
			if row := weightRow(w, v); row != nil {
				in.Weights[i] = row
				in.LastUpdate[i] = block - 1
			}
		}
		in.Block = block
		res, err := epoch(in)
		if err != nil {
			return nil, fmt.Errorf("sim: epoch %d: %w", e, err)
		}
		er := EpochReport{
			Epoch:     e,
			Block:     block,
			Incentive: res.ref.Incentive,
			Dividends: res.ref.Dividends,
			Consensus: res.ref.Consensus,
			Emission:  make([]uint64, n),
			Active:    res.out.Active,
		}
		for i := range n {
			er.Emission[i] = res.out.ServerEmission[i] + res.out.ValidatorEmission[i]
			rep.Total[i] += er.Emission[i]
		}
		rep.Epochs = append(rep.Epochs, er)
		// What the chain carries into the next epoch.
		in.Bonds = res.out.Bonds
		in.ValidatorPermit = res.out.ValidatorPermit
		prevConsensus = res.out.Consensus
	}
	return rep, nil
}

type epochResult struct {
	ref *reference.Result
	out *consensus.Output
}

func epoch(in *consensus.Input) (epochResult, error) {
	r, err := reference.Epoch(in)
	if err != nil {
		return epochResult{}, err
	}
	return epochResult{ref: r, out: r.Output()}, nil
}

// noisy returns each miner's quality plus Gaussian noise, clamped to
// [0, 1].
func noisy(rng *rand.Rand, miners []Miner, sd float64) []float64 {
	w := make([]float64, len(miners))
	for k, mi := range miners {
		x := mi.Quality
		if sd > 0 {
			x += sd * rng.NormFloat64()
		}
		w[k] = math.Min(math.Max(x, 0), 1)
	}
	return w
}

// weightRow turns scores for the miners (UIDs offset, offset+1, ...) into
// a weight row max-upscaled to 65535, dropping zeros; nil when every score
// is zero.
func weightRow(w []float64, offset int) []consensus.Entry {
	var mx float64
	for _, x := range w {
		mx = math.Max(mx, x)
	}
	if !(mx > 0) {
		return nil
	}
	var row []consensus.Entry
	for k, x := range w {
		if q := uint16(math.Round(x / mx * math.MaxUint16)); q > 0 {
			row = append(row, consensus.Entry{UID: uint16(offset + k), Value: q})
		}
	}
	return row
}
