// Package sim runs a subnet for many epochs on the float64 Yuma reference
// (package consensus/reference) to show how incentive, dividends and
// emission respond to miner quality and validator behaviour. It is an
// analysis tool: deterministic for a given scenario and seed, never part of
// the chain.
//
// # Model
//
// UIDs 0..V-1 are the scenario's validators in file order, UIDs V.. its
// miners. Everyone registers at block 0 and a setup epoch with no weights
// hands out the first validator permits (the top max_allowed_validators by
// stake), as on a fresh subnet. Epoch e then runs at block (e+1)*tempo;
// validators that update their weights do so at the block before, so their
// last_update is (e+1)*tempo-1. Between epochs the simulator carries what
// the chain stores: the weights, last_update, the u16 bonds and the
// validator permits of the previous epoch's output.
//
// Validator behaviours:
//
//   - honest: every epoch, weight each miner by its true quality plus
//     Gaussian noise of standard deviation noise, clamped to [0, 1];
//   - copier: every epoch, copy the consensus the chain stored at the
//     previous epoch (uniform weights before there is any);
//   - lazy: set honest weights once, before the first epoch, and never
//     again, so they go stale and the validator drops out of consensus once
//     activity_cutoff blocks have passed;
//   - adversarial: every epoch, put all weight on the colluding miner named
//     by target.
//
// Weights are max-upscaled to u16 as set_weights stores them; a validator
// whose weights would be all zero leaves its previous weights in place.
//
// # Scenario file
//
// A scenario is one JSON object; unknown fields are an error.
//
//	{
//	  "name": "short name",
//	  "description": "optional free text",
//	  "seed": 1,                       // noise seed (yuma sim run --seed overrides)
//	  "epochs": 30,                    // at least 1 (--epochs overrides)
//	  "tempo": 360,                    // blocks per epoch, at least 2
//	  "emission": 360000000000,        // rao distributed per epoch
//	  "hyperparameters": { ... },      // as in the epoch case format of
//	                                   // ../shared/spec/README.md; omitted
//	                                   // fields are zero (set
//	                                   // alpha_sigmoid_steepness, e.g. 1000,
//	                                   // when liquid alpha is on)
//	  "miners": [
//	    {"name": "m0", "quality": 0.9} // quality in [0, 1]; optional "stake" (rao)
//	  ],
//	  "validators": [
//	    {"name": "v0", "stake": 400000000000000, "behaviour": "honest", "noise": 0.05},
//	    {"name": "v1", "stake": 100000000000000, "behaviour": "adversarial", "target": "m0"}
//	  ]
//	}
//
// Names must be unique across miners and validators. Default returns the
// embedded default scenario (default.json): two honest validators, a
// copier, a lazy one and an adversary colluding with the worst miner.
package sim
