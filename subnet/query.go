package subnet

import (
	"errors"
	"fmt"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// Queries for the RPC layer: pure readers over a chain.Reader, returning
// JSON-ready values whose field names are part of the RPC API (never rename
// one). Amounts are rao as chain.U64 (decimal strings). Functions that
// depend on the block take head, the height of the state read: a
// transaction sent now lands in block head+1, so costs are quoted for that
// block.

// ErrNotFound: the subnet (or hotkey) asked for does not exist.
var ErrNotFound = errors.New("subnet: not found")

// SubnetSummary is one subnet in the subnet list.
type SubnetSummary struct {
	NetUID            uint16        `json:"netuid"`
	Owner             types.Address `json:"owner"`
	OwnerHotkey       types.Address `json:"owner_hotkey"`
	RegisteredAt      uint64        `json:"registered_at"`
	N                 uint16        `json:"n"`
	MaxUIDs           uint16        `json:"max_uids"`
	Tempo             uint16        `json:"tempo"`
	EmissionShare     uint16        `json:"emission_share"` // u16 weight in the split of block rewards (0 until decided by root)
	PendingEmission   chain.U64     `json:"pending_emission"`
	Lock              chain.U64     `json:"lock"`
	BurnCost          chain.U64     `json:"burn_cost"`
	LastEpoch         uint64        `json:"last_epoch"`
	LastEpochEmission chain.U64     `json:"last_epoch_emission"`
}

// HyperparametersInfo are a subnet's hyperparameters under their
// set_hyperparameter names.
type HyperparametersInfo struct {
	Tempo                 uint16    `json:"tempo"`
	Kappa                 uint16    `json:"kappa"`
	Rho                   uint16    `json:"rho"`
	ImmunityPeriod        uint64    `json:"immunity_period"`
	MinAllowedWeights     uint16    `json:"min_allowed_weights"`
	MaxWeightsLimit       uint16    `json:"max_weights_limit"`
	MaxAllowedUIDs        uint16    `json:"max_allowed_uids"`
	MaxAllowedValidators  uint16    `json:"max_allowed_validators"`
	ActivityCutoff        uint64    `json:"activity_cutoff"`
	BondsMovingAverage    uint64    `json:"bonds_moving_average"`
	BondsPenalty          uint16    `json:"bonds_penalty"`
	WeightsRateLimit      uint64    `json:"weights_rate_limit"`
	WeightsVersion        chain.U64 `json:"weights_version"`
	ServingRateLimit      uint64    `json:"serving_rate_limit"`
	MinBurn               chain.U64 `json:"min_burn"`
	MaxBurn               chain.U64 `json:"max_burn"`
	TargetRegsPerInterval uint16    `json:"target_regs_per_interval"`
	AdjustmentInterval    uint16    `json:"adjustment_interval"`
	AdjustmentAlpha       chain.U64 `json:"adjustment_alpha"`
	MaxRegsPerBlock       uint16    `json:"max_regs_per_block"`
	RegistrationAllowed   bool      `json:"registration_allowed"`
	CommitRevealEnabled   bool      `json:"commit_reveal_enabled"`
	CommitRevealPeriod    uint64    `json:"commit_reveal_period"`
	LiquidAlphaEnabled    bool      `json:"liquid_alpha_enabled"`
	AlphaLow              uint16    `json:"alpha_low"`
	AlphaHigh             uint16    `json:"alpha_high"`
	Yuma3Enabled          bool      `json:"yuma3_enabled"`
}

func hyperInfo(h *Hyperparams) HyperparametersInfo {
	return HyperparametersInfo{
		Tempo: h.Tempo, Kappa: h.Kappa, Rho: h.Rho, ImmunityPeriod: h.ImmunityPeriod,
		MinAllowedWeights: h.MinAllowedWeights, MaxWeightsLimit: h.MaxWeightsLimit,
		MaxAllowedUIDs: h.MaxAllowedUIDs, MaxAllowedValidators: h.MaxAllowedValidators,
		ActivityCutoff: h.ActivityCutoff, BondsMovingAverage: h.BondsMovingAverage, BondsPenalty: h.BondsPenalty,
		WeightsRateLimit: h.WeightsRateLimit, WeightsVersion: chain.U64(h.WeightsVersion), ServingRateLimit: h.ServingRateLimit,
		MinBurn: chain.U64(h.MinBurn), MaxBurn: chain.U64(h.MaxBurn),
		TargetRegsPerInterval: h.TargetRegsPerInterval, AdjustmentInterval: h.AdjustmentInterval,
		AdjustmentAlpha: chain.U64(h.AdjustmentAlpha), MaxRegsPerBlock: h.MaxRegsPerBlock,
		RegistrationAllowed: h.RegistrationAllowed, CommitRevealEnabled: h.CommitRevealEnabled,
		CommitRevealPeriod: h.CommitRevealPeriod, LiquidAlphaEnabled: h.LiquidAlphaEnabled,
		AlphaLow: h.AlphaLow, AlphaHigh: h.AlphaHigh, Yuma3Enabled: h.Yuma3Enabled,
	}
}

// SubnetInfo is one subnet with its hyperparameters.
type SubnetInfo struct {
	SubnetSummary
	RegsThisInterval uint16              `json:"regs_this_interval"`
	LastAdjustment   uint64              `json:"last_adjustment"`
	NextEpoch        uint64              `json:"next_epoch"`
	Hyperparameters  HyperparametersInfo `json:"hyperparameters"`
}

func summary(netuid uint16, sn *Subnet, hp *Hyperparams) SubnetSummary {
	return SubnetSummary{
		NetUID: netuid, Owner: sn.Owner, OwnerHotkey: sn.OwnerHotkey, RegisteredAt: sn.RegisteredAt,
		N: sn.N, MaxUIDs: hp.MaxAllowedUIDs, Tempo: hp.Tempo, EmissionShare: sn.EmissionShare,
		PendingEmission: chain.U64(sn.PendingEmission), Lock: chain.U64(sn.Lock), BurnCost: chain.U64(burnCost(sn, hp)),
		LastEpoch: sn.LastEpoch, LastEpochEmission: chain.U64(sn.LastEpochEmission),
	}
}

func readSubnet(r chain.Reader, netuid uint16) (Subnet, Hyperparams, error) {
	st := store{r: r}
	sn, ok, err := st.subnet(netuid)
	if err != nil {
		return Subnet{}, Hyperparams{}, err
	}
	if !ok {
		return Subnet{}, Hyperparams{}, fmt.Errorf("%w: subnet %d", ErrNotFound, netuid)
	}
	hp, err := st.hyper(netuid)
	return sn, hp, err
}

// ListSubnets returns every subnet, root (netuid 0) first.
func ListSubnets(r chain.Reader) ([]SubnetSummary, error) {
	ids, err := store{r: r}.netuids()
	if err != nil {
		return nil, err
	}
	out := make([]SubnetSummary, 0, len(ids))
	for _, id := range ids {
		sn, hp, err := readSubnet(r, id)
		if err != nil {
			return nil, err
		}
		out = append(out, summary(id, &sn, &hp))
	}
	return out, nil
}

// GetSubnet returns one subnet with its hyperparameters.
func GetSubnet(r chain.Reader, netuid uint16, head uint64) (SubnetInfo, error) {
	sn, hp, err := readSubnet(r, netuid)
	if err != nil {
		return SubnetInfo{}, err
	}
	return SubnetInfo{
		SubnetSummary: summary(netuid, &sn, &hp), RegsThisInterval: sn.RegsThisInterval,
		LastAdjustment: sn.LastAdjustment, NextEpoch: NextEpochBlock(netuid, hp.Tempo, head),
		Hyperparameters: hyperInfo(&hp),
	}, nil
}

// GetHyperparameters returns a subnet's hyperparameters.
func GetHyperparameters(r chain.Reader, netuid uint16) (HyperparametersInfo, error) {
	_, hp, err := readSubnet(r, netuid)
	if err != nil {
		return HyperparametersInfo{}, err
	}
	return hyperInfo(&hp), nil
}

// AxonInfo is a served endpoint.
type AxonInfo struct {
	Block    uint64 `json:"block"`
	Version  uint32 `json:"version"`
	IP       string `json:"ip"`
	Port     uint16 `json:"port"`
	IPType   uint8  `json:"ip_type"`
	Protocol uint8  `json:"protocol"`
	// Endpoint is host:port ([host]:port for IPv6).
	Endpoint string `json:"endpoint"`
}

// NeuronInfo is one UID of a subnet. Stake is the hotkey's total stake
// (its stake weight); the u16 values are the last epoch's outputs.
type NeuronInfo struct {
	NetUID          uint16        `json:"netuid"`
	UID             uint16        `json:"uid"`
	Hotkey          types.Address `json:"hotkey"`
	Coldkey         types.Address `json:"coldkey"`
	Stake           chain.U64     `json:"stake"`
	Rank            uint16        `json:"rank"`
	Trust           uint16        `json:"trust"`
	Consensus       uint16        `json:"consensus"`
	Incentive       uint16        `json:"incentive"`
	Dividends       uint16        `json:"dividends"`
	Emission        chain.U64     `json:"emission"`
	ValidatorTrust  uint16        `json:"validator_trust"`
	PruningScore    uint16        `json:"pruning_score"`
	ValidatorPermit bool          `json:"validator_permit"`
	Active          bool          `json:"active"`
	RegisteredAt    uint64        `json:"registered_at"`
	LastUpdate      uint64        `json:"last_update"`
	Axon            *AxonInfo     `json:"axon"`
}

func neuronInfo(st store, netuid, uid uint16, nr *Neuron) (NeuronInfo, error) {
	hk, _, err := st.hotkey(nr.Hotkey)
	if err != nil {
		return NeuronInfo{}, err
	}
	ni := NeuronInfo{
		NetUID: netuid, UID: uid, Hotkey: nr.Hotkey, Coldkey: hk.Owner, Stake: chain.U64(hk.TotalStake),
		Rank: nr.Rank, Trust: nr.Trust, Consensus: nr.Consensus, Incentive: nr.Incentive, Dividends: nr.Dividends,
		Emission: chain.U64(nr.Emission), ValidatorTrust: nr.ValidatorTrust, PruningScore: nr.PruningScore,
		ValidatorPermit: nr.ValidatorPermit, Active: nr.Active, RegisteredAt: nr.RegisteredAt, LastUpdate: nr.LastUpdate,
	}
	ax, ok, err := st.axon(netuid, nr.Hotkey)
	if err != nil {
		return NeuronInfo{}, err
	}
	if ok {
		ni.Axon = &AxonInfo{Block: ax.Block, Version: ax.Version, IP: formatIP(ax.IPType, ax.IP), Port: ax.Port,
			IPType: ax.IPType, Protocol: ax.Protocol, Endpoint: formatEndpoint(&ax)}
	}
	return ni, nil
}

// Metagraph is every UID of a subnet, in UID order.
type Metagraph struct {
	NetUID  uint16       `json:"netuid"`
	Block   uint64       `json:"block"`
	N       uint16       `json:"n"`
	Neurons []NeuronInfo `json:"neurons"`
}

// GetMetagraph returns the metagraph of a subnet at head.
func GetMetagraph(r chain.Reader, netuid uint16, head uint64) (Metagraph, error) {
	sn, _, err := readSubnet(r, netuid)
	if err != nil {
		return Metagraph{}, err
	}
	st := store{r: r}
	ss, err := loadSubnetState(st, netuid, sn.N)
	if err != nil {
		return Metagraph{}, err
	}
	mg := Metagraph{NetUID: netuid, Block: head, N: sn.N, Neurons: make([]NeuronInfo, 0, sn.N)}
	for uid := range ss.neurons {
		ni, err := neuronInfo(st, netuid, uint16(uid), &ss.neurons[uid])
		if err != nil {
			return Metagraph{}, err
		}
		mg.Neurons = append(mg.Neurons, ni)
	}
	return mg, nil
}

// NeuronsByHotkey returns the hotkey's neuron on every subnet where it has
// a UID (root included), in netuid order; empty if none.
func NeuronsByHotkey(r chain.Reader, hotkey types.Address) ([]NeuronInfo, error) {
	st := store{r: r}
	ids, err := st.netuids()
	if err != nil {
		return nil, err
	}
	out := []NeuronInfo{}
	for _, id := range ids {
		uid, ok, err := st.uid(id, hotkey)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		nr, err := st.neuron(id, uid)
		if err != nil {
			return nil, err
		}
		ni, err := neuronInfo(st, id, uid, &nr)
		if err != nil {
			return nil, err
		}
		out = append(out, ni)
	}
	return out, nil
}

// HotkeyStake is a coldkey's stake behind one hotkey.
type HotkeyStake struct {
	Hotkey types.Address `json:"hotkey"`
	Amount chain.U64     `json:"amount"`
}

// StakeInfo is everything a coldkey has staked, per hotkey in address
// order.
type StakeInfo struct {
	Coldkey types.Address `json:"coldkey"`
	Total   chain.U64     `json:"total"`
	Stakes  []HotkeyStake `json:"stakes"`
}

// StakeOfColdkey returns a coldkey's stake.
func StakeOfColdkey(r chain.Reader, coldkey types.Address) (StakeInfo, error) {
	st := store{r: r}
	ks, err := st.keys(stakeIdxPrefix(coldkey))
	if err != nil {
		return StakeInfo{}, err
	}
	out := StakeInfo{Coldkey: coldkey, Stakes: []HotkeyStake{}}
	for _, k := range ks {
		var hk types.Address
		copy(hk[:], k[len(pfxStakeIdx)+20:])
		amt, err := st.stake(hk, coldkey)
		if err != nil {
			return StakeInfo{}, err
		}
		out.Stakes = append(out.Stakes, HotkeyStake{Hotkey: hk, Amount: chain.U64(amt)})
		out.Total += chain.U64(amt)
	}
	return out, nil
}

// LockCostInfo is the network lock cost for a registration in block
// Block, and the first block the network rate limit allows one.
type LockCostInfo struct {
	Cost                 chain.U64 `json:"cost"`
	Block                uint64    `json:"block"`
	MinLock              chain.U64 `json:"min_lock"`
	LastLock             chain.U64 `json:"last_lock"`
	LastLockBlock        uint64    `json:"last_lock_block"`
	RegistrationOpensAt  uint64    `json:"registration_opens_at"`
	Subnets              int       `json:"subnets"`
	SubnetLimit          uint16    `json:"subnet_limit"`
	PrunesOnRegistration bool      `json:"prunes_on_registration"`
}

// GetLockCost quotes the lock cost for block head+1.
func GetLockCost(r chain.Reader, head uint64) (LockCostInfo, error) {
	st := store{r: r}
	p, err := st.params()
	if err != nil {
		return LockCostInfo{}, err
	}
	g, err := st.globals()
	if err != nil {
		return LockCostInfo{}, err
	}
	ids, err := st.netuids()
	if err != nil {
		return LockCostInfo{}, err
	}
	at := head + 1
	opens := at
	if g.LastLockBlock != 0 {
		opens = max(at, g.LastLockBlock+p.NetworkRateLimit)
	}
	return LockCostInfo{
		Cost: chain.U64(LockCost(&p, &g, at)), Block: at, MinLock: p.NetworkMinLock,
		LastLock: chain.U64(g.LastLockCost), LastLockBlock: g.LastLockBlock, RegistrationOpensAt: opens,
		Subnets: len(ids) - 1, SubnetLimit: p.SubnetLimit, PrunesOnRegistration: len(ids)-1 >= int(p.SubnetLimit),
	}, nil
}

// BurnCostInfo is a subnet's registration cost in block Block.
type BurnCostInfo struct {
	NetUID              uint16    `json:"netuid"`
	Block               uint64    `json:"block"` // the block the cost is quoted for (head+1)
	Cost                chain.U64 `json:"cost"`
	MinBurn             chain.U64 `json:"min_burn"`
	MaxBurn             chain.U64 `json:"max_burn"`
	RegistrationAllowed bool      `json:"registration_allowed"`
	RegsThisInterval    uint16    `json:"regs_this_interval"`
	MaxRegsPerInterval  uint32    `json:"max_regs_per_interval"`
	NextAdjustment      uint64    `json:"next_adjustment"`
	Full                bool      `json:"full"`
}

// GetBurnCost returns the cost of burned_register on a subnet in the next
// block, head+1: if that block's BeginBlock adjusts the burn
// (adjustRegistration), the quote is the adjusted burn, and the interval
// fields are those after the adjustment. The cost then holds until
// NextAdjustment.
func GetBurnCost(r chain.Reader, netuid uint16, head uint64) (BurnCostInfo, error) {
	sn, hp, err := readSubnet(r, netuid)
	if err != nil {
		return BurnCostInfo{}, err
	}
	at := head + 1
	adjustRegistration(netuid, &sn, &hp, at)
	return BurnCostInfo{
		NetUID: netuid, Block: at, Cost: chain.U64(burnCost(&sn, &hp)), MinBurn: chain.U64(hp.MinBurn), MaxBurn: chain.U64(hp.MaxBurn),
		RegistrationAllowed: hp.RegistrationAllowed && netuid != RootNetUID, RegsThisInterval: sn.RegsThisInterval,
		MaxRegsPerInterval: 3 * uint32(hp.TargetRegsPerInterval), NextAdjustment: sn.LastAdjustment + uint64(hp.AdjustmentInterval),
		Full: sn.N >= hp.MaxAllowedUIDs,
	}, nil
}

// NextEpochInfo says when a subnet next runs its epoch after head.
type NextEpochInfo struct {
	NetUID          uint16 `json:"netuid"`
	Tempo           uint16 `json:"tempo"`
	Block           uint64 `json:"block"` // head
	NextEpoch       uint64 `json:"next_epoch"`
	BlocksRemaining uint64 `json:"blocks_remaining"`
	EpochIndex      uint64 `json:"epoch_index"` // of block head+1 (commit-reveal windows count these)
	LastEpoch       uint64 `json:"last_epoch"`
	// FrozenFrom is the first block of the admin freeze window before
	// NextEpoch (hyperparameter changes are refused from there to NextEpoch).
	FrozenFrom uint64 `json:"frozen_from"`
}

// GetNextEpoch returns the subnet's next epoch block after head.
func GetNextEpoch(r chain.Reader, netuid uint16, head uint64) (NextEpochInfo, error) {
	sn, hp, err := readSubnet(r, netuid)
	if err != nil {
		return NextEpochInfo{}, err
	}
	p, err := store{r: r}.params()
	if err != nil {
		return NextEpochInfo{}, err
	}
	next := NextEpochBlock(netuid, hp.Tempo, head)
	frozen := next + 1
	if next+1 > p.AdminFreezeWindow {
		frozen = next + 1 - p.AdminFreezeWindow
	}
	return NextEpochInfo{
		NetUID: netuid, Tempo: hp.Tempo, Block: head, NextEpoch: next, BlocksRemaining: next - head,
		EpochIndex: epochIndex(netuid, hp.Tempo, head+1), LastEpoch: sn.LastEpoch, FrozenFrom: frozen,
	}, nil
}

// PendingCommit is an unrevealed weight commit.
type PendingCommit struct {
	NetUID      uint16     `json:"netuid"`
	Hash        types.Hash `json:"hash"`
	CommitBlock uint64     `json:"commit_block"`
	RevealFrom  uint64     `json:"reveal_from"`
	RevealUntil uint64     `json:"reveal_until"`
	// Expired: the reveal window has passed (the commit is dropped at the
	// hotkey's next commit or reveal).
	Expired bool `json:"expired"`
}

// PendingCommits returns the hotkey's commits on every subnet, oldest
// first per subnet, with their reveal windows as of block head+1.
func PendingCommits(r chain.Reader, hotkey types.Address, head uint64) ([]PendingCommit, error) {
	st := store{r: r}
	ids, err := st.netuids()
	if err != nil {
		return nil, err
	}
	out := []PendingCommit{}
	for _, id := range ids {
		cs, err := st.commits(id, hotkey)
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			continue
		}
		hp, err := st.hyper(id)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			from, until := RevealWindow(id, hp.Tempo, hp.CommitRevealPeriod, c.Block)
			out = append(out, PendingCommit{
				NetUID: id, Hash: c.Hash, CommitBlock: c.Block, RevealFrom: from, RevealUntil: until,
				Expired: commitExpired(id, &hp, c.Block, head+1),
			})
		}
	}
	return out, nil
}
