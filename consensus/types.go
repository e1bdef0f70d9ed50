package consensus

// This file is the contract of the package: the epoch's inputs and outputs.
// Their JSON form is the case format of ../shared/spec/README.md (u64
// values above 2^53 may be JSON strings; see U64).

// Entry is one element of a sparse row: a UID and a u16 value (a fraction
// of 65535 as stored on chain).
type Entry struct {
	UID   uint16
	Value uint16
}

// Hyperparameters are the subnet parameters the epoch reads. Fractions are
// u16 out of 65535 unless noted.
type Hyperparameters struct {
	Kappa uint16 `json:"kappa"`
	Rho   uint16 `json:"rho"`
	// BondsMovingAverage is per 1,000,000 (subtensor's default 900,000).
	BondsMovingAverage   uint64 `json:"bonds_moving_average"`
	BondsPenalty         uint16 `json:"bonds_penalty"`
	ActivityCutoff       uint64 `json:"activity_cutoff"`
	MaxAllowedValidators uint16 `json:"max_allowed_validators"`
	MinAllowedWeights    uint16 `json:"min_allowed_weights"`
	MaxWeightsLimit      uint16 `json:"max_weights_limit"`
	ImmunityPeriod       uint64 `json:"immunity_period"`
	LiquidAlphaEnabled   bool   `json:"liquid_alpha_enabled"`
	AlphaLow             uint16 `json:"alpha_low"`
	AlphaHigh            uint16 `json:"alpha_high"`
	Yuma3Enabled         bool   `json:"yuma3_enabled"`
	CommitRevealEnabled  bool   `json:"commit_reveal_enabled"`
	// AlphaSigmoidSteepness is the liquid alpha sigmoid steepness (an i16 in
	// subtensor, default 1000). Zero is taken literally: the sigmoid is then
	// flat at 0.5 and every alpha is the midpoint of AlphaLow and AlphaHigh.
	AlphaSigmoidSteepness int16 `json:"alpha_sigmoid_steepness,omitempty"`
}

// Input is everything one epoch of one subnet reads. Every per-UID slice
// has length N (the subnet size); Weights and Bonds have N rows of sparse
// entries with UIDs < N, sorted by UID, no duplicates. Epoch returns an
// error for any other shape.
type Input struct {
	Block  uint64          `json:"block"`
	Tempo  uint64          `json:"tempo"`
	Params Hyperparameters `json:"hyperparameters"`
	// Stake is the stake weight of each UID in rao.
	Stake               []uint64  `json:"stake"`
	LastUpdate          []uint64  `json:"last_update"`
	BlockAtRegistration []uint64  `json:"block_at_registration"`
	ValidatorPermit     []bool    `json:"validator_permit"`
	Weights             [][]Entry `json:"weights"`
	Bonds               [][]Entry `json:"bonds"`
	// Emission is the rao distributed this epoch to miners and validators.
	Emission uint64 `json:"emission"`

	// Optional inputs of newer subtensor versions; their zero values give
	// the classic behaviour.

	// StakeThreshold: UIDs with less stake (rao) get zero stake weight.
	StakeThreshold uint64 `json:"stake_threshold,omitempty"`
	// LastEpochBlock is the block of the subnet's previous epoch; bonds to
	// UIDs registered at or after LastEpochBlock+1 are reset. Zero means
	// Block - Tempo.
	LastEpochBlock uint64 `json:"last_epoch_block,omitempty"`
	// CommitBlocks, when commit-reveal is enabled, is per UID the block of
	// its earliest unexpired weight commit (max uint64 for none); weights
	// on a UID registered after that commit are masked.
	CommitBlocks []uint64 `json:"commit_blocks,omitempty"`
	// OwnerUID, when set, is the subnet owner's UID: its self-weight is kept,
	// it is exempt from StakeThreshold, and it always holds a validator
	// permit (subtensor's newer epoch).
	OwnerUID *uint16 `json:"owner_uid,omitempty"`
}

// Output is what an epoch decides, in the form subtensor stores it.
type Output struct {
	Active          []bool   `json:"active"`
	ValidatorPermit []bool   `json:"validator_permit"`
	Rank            []uint16 `json:"rank"`
	Trust           []uint16 `json:"trust"`
	Consensus       []uint16 `json:"consensus"`
	Incentive       []uint16 `json:"incentive"`
	Dividends       []uint16 `json:"dividends"`
	ValidatorTrust  []uint16 `json:"validator_trust"`
	PruningScores   []uint16 `json:"pruning_scores"`
	// Bonds are the new bond rows: for a UID with a new validator permit
	// its EMA bonds (column max-upscaled in classic Yuma, as proportions in
	// Yuma3), for every other UID an empty row. Rows hold only non-zero
	// entries, sorted by UID (subtensor may also store explicit zeros, which
	// no later epoch can tell apart from absent entries).
	Bonds [][]Entry `json:"bonds"`
	// ServerEmission and ValidatorEmission are rao per UID; their sum never
	// exceeds Input.Emission (rounding remainders are reported by the
	// caller's accounting, see emission).
	ServerEmission    []uint64 `json:"server_emission"`
	ValidatorEmission []uint64 `json:"validator_emission"`
	// Emission is rao per UID of the combined (incentive + dividends)
	// normalised emission score, what subtensor stores as Emission; with
	// no incentive and no dividends it follows stake.
	Emission []uint64 `json:"emission,omitempty"`
}

// The epoch functions (implemented in epoch.go and epoch_dense.go):
//
//	func Epoch(in *Input) (*Output, error)      // sparse path, the one the chain runs
//	func EpochDense(in *Input) (*Output, error) // dense path; must agree bit for bit
