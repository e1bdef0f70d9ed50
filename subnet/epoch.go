package subnet

import (
	"fmt"
	"math"
	"sort"

	"github.com/ethereum/go-ethereum/rlp"
	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/consensus"
	"github.com/yumachain/yuma/emission"
	"github.com/yumachain/yuma/types"
)

func consensusParams(hp *Hyperparams) consensus.Hyperparameters {
	return consensus.Hyperparameters{
		Kappa:                hp.Kappa,
		Rho:                  hp.Rho,
		BondsMovingAverage:   hp.BondsMovingAverage,
		BondsPenalty:         hp.BondsPenalty,
		ActivityCutoff:       hp.ActivityCutoff,
		MaxAllowedValidators: hp.MaxAllowedValidators,
		MinAllowedWeights:    hp.MinAllowedWeights,
		MaxWeightsLimit:      hp.MaxWeightsLimit,
		ImmunityPeriod:       hp.ImmunityPeriod,
		LiquidAlphaEnabled:   hp.LiquidAlphaEnabled,
		AlphaLow:             hp.AlphaLow,
		AlphaHigh:            hp.AlphaHigh,
		Yuma3Enabled:         hp.Yuma3Enabled,
		CommitRevealEnabled:  hp.CommitRevealEnabled,
		// subtensor's default steepness; not a hyperparameter here.
		AlphaSigmoidSteepness: 1000,
	}
}

// subnetState is what an epoch reads of one subnet's UIDs.
type subnetState struct {
	neurons []Neuron
	weights [][]entry
	bonds   [][]entry
	hasBond []bool
}

// loadSubnetState reads every neuron, weights row and bonds row of a subnet
// with one prefix iteration each.
func loadSubnetState(st store, netuid uint16, n uint16) (*subnetState, error) {
	ss := &subnetState{
		neurons: make([]Neuron, n),
		weights: make([][]entry, n),
		bonds:   make([][]entry, n),
		hasBond: make([]bool, n),
	}
	seen := 0
	var bad error
	decodeUID := func(k []byte, prefix []byte) (uint16, bool) {
		if len(k) != len(prefix)+4 {
			bad = fmt.Errorf("%w: malformed key %x", chain.ErrInvariant, k)
			return 0, false
		}
		uid := uint16(k[len(prefix)+2])<<8 | uint16(k[len(prefix)+3])
		if uid >= n {
			bad = fmt.Errorf("%w: subnet %d has key for uid %d >= n %d", chain.ErrInvariant, netuid, uid, n)
			return 0, false
		}
		return uid, true
	}
	err := st.r.Iterate(neuronPrefix(netuid), func(k, v []byte) bool {
		uid, ok := decodeUID(k, pfxNeuron)
		if !ok {
			return false
		}
		if err := rlp.DecodeBytes(v, &ss.neurons[uid]); err != nil {
			bad = fmt.Errorf("%w: neuron %d/%d: %v", chain.ErrInvariant, netuid, uid, err)
			return false
		}
		seen++
		return true
	})
	if err == nil && bad == nil && seen != int(n) {
		bad = fmt.Errorf("%w: subnet %d has %d neurons, n = %d", chain.ErrInvariant, netuid, seen, n)
	}
	for _, rows := range []struct {
		prefix []byte
		full   []byte
		dst    [][]entry
		mark   []bool
	}{{pfxWeights, weightsPrefix(netuid), ss.weights, nil}, {pfxBonds, bondsPrefix(netuid), ss.bonds, ss.hasBond}} {
		if err != nil || bad != nil {
			break
		}
		err = st.r.Iterate(rows.full, func(k, v []byte) bool {
			uid, ok := decodeUID(k, rows.prefix)
			if !ok {
				return false
			}
			r, err := decodeRow(v)
			if err != nil {
				bad = err
				return false
			}
			rows.dst[uid] = r
			if rows.mark != nil {
				rows.mark[uid] = true
			}
			return true
		})
	}
	if err != nil {
		return nil, err
	}
	if bad != nil {
		return nil, bad
	}
	return ss, nil
}

// buildInput assembles the epoch input of a subnet from state: stake
// weights are the hotkeys' total stake; commit blocks (commit-reveal only)
// are each hotkey's earliest unexpired commit.
func buildInput(st store, p *Params, s *loaded, ss *subnetState, now, amount uint64) (*consensus.Input, error) {
	n := int(s.sn.N)
	in := &consensus.Input{
		Block:               now,
		Tempo:               uint64(s.hp.Tempo),
		Params:              consensusParams(&s.hp),
		Stake:               make([]uint64, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		ValidatorPermit:     make([]bool, n),
		Weights:             make([][]consensus.Entry, n),
		Bonds:               make([][]consensus.Entry, n),
		Emission:            amount,
		StakeThreshold:      uint64(p.WeightsMinStake),
		LastEpochBlock:      s.sn.LastEpoch,
	}
	if s.hp.CommitRevealEnabled {
		in.CommitBlocks = make([]uint64, n)
	}
	for uid := range n {
		nr := &ss.neurons[uid]
		hk, _, err := st.hotkey(nr.Hotkey)
		if err != nil {
			return nil, err
		}
		in.Stake[uid] = hk.TotalStake
		in.LastUpdate[uid] = nr.LastUpdate
		in.BlockAtRegistration[uid] = nr.RegisteredAt
		in.ValidatorPermit[uid] = nr.ValidatorPermit
		in.Weights[uid] = toConsensusRow(ss.weights[uid])
		in.Bonds[uid] = toConsensusRow(ss.bonds[uid])
		if in.CommitBlocks != nil {
			in.CommitBlocks[uid] = math.MaxUint64
			cs, err := st.commits(s.netuid, nr.Hotkey)
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				if !commitExpired(s.netuid, &s.hp, c.Block, now) {
					in.CommitBlocks[uid] = c.Block
					break
				}
			}
		}
	}
	return in, nil
}

func checkOutput(in *consensus.Input, out *consensus.Output) error {
	n := len(in.Stake)
	for _, l := range []int{len(out.Active), len(out.ValidatorPermit), len(out.Rank), len(out.Trust), len(out.Consensus),
		len(out.Incentive), len(out.Dividends), len(out.ValidatorTrust), len(out.PruningScores), len(out.Bonds),
		len(out.ServerEmission), len(out.ValidatorEmission)} {
		if l != n {
			return fmt.Errorf("%w: epoch output has a vector of length %d for %d UIDs", chain.ErrInvariant, l, n)
		}
	}
	return nil
}

// storeOutputs writes the epoch's per-UID results and bonds. emissions are
// the rao paid per UID.
func storeOutputs(st store, netuid uint16, ss *subnetState, out *consensus.Output, emissions []uint64) error {
	for uid := range ss.neurons {
		nr := &ss.neurons[uid]
		nr.Active = out.Active[uid]
		nr.ValidatorPermit = out.ValidatorPermit[uid]
		nr.Rank = out.Rank[uid]
		nr.Trust = out.Trust[uid]
		nr.Consensus = out.Consensus[uid]
		nr.Incentive = out.Incentive[uid]
		nr.Dividends = out.Dividends[uid]
		nr.ValidatorTrust = out.ValidatorTrust[uid]
		nr.PruningScore = out.PruningScores[uid]
		nr.Emission = 0
		if emissions != nil {
			nr.Emission = emissions[uid]
		}
		if err := st.put(neuronKey(netuid, uint16(uid)), nr); err != nil {
			return err
		}
		if ss.bonds == nil {
			continue
		}
		row := fromConsensusRow(out.Bonds[uid])
		switch {
		case len(row) > 0:
			if err := st.putRow(bondsKey(netuid, uint16(uid)), row); err != nil {
				return err
			}
		case ss.hasBond[uid]:
			if err := st.del(bondsKey(netuid, uint16(uid))); err != nil {
				return err
			}
		}
	}
	return nil
}

// subnetEpoch runs the Yuma epoch of a subnet and pays out its pending
// emission:
//
//   - The owner's cut (Params.SubnetOwnerCut of the pending emission,
//     rounded down, as emission.SplitSubnetCut) goes to the owner coldkey's
//     free balance.
//   - The rest is the epoch's emission: consensus.Epoch decides each UID's
//     server emission (incentive) and validator emission (dividends).
//   - Server emission is staked behind the UID's hotkey for the hotkey's
//     owner coldkey.
//   - Validator emission pays the hotkey's delegate take to its owner and
//     the rest to everyone staked behind the hotkey (owner included) pro
//     rata to their stake, rounded down; the rounding dust goes to the
//     owner. All of it is added as stake behind the hotkey.
//   - Whatever the epoch did not distribute (its rounding remainder, or all
//     of it when nothing can be distributed) stays in pending emission for
//     the next epoch: no rao is lost or burned.
func (m *Module) subnetEpoch(ctx *chain.Context, st store, p *Params, s *loaded) error {
	now := ctx.Header.Height
	if s.sn.N == 0 {
		return nil
	}
	pending := s.sn.PendingEmission
	owner, miners, validators := emission.SplitSubnetCut(pending, p.SubnetOwnerCut)
	amount := miners + validators
	ss, err := loadSubnetState(st, s.netuid, s.sn.N)
	if err != nil {
		return err
	}
	in, err := buildInput(st, p, s, ss, now, amount)
	if err != nil {
		return err
	}
	out, err := runEpoch(in)
	if err != nil {
		return fmt.Errorf("%w: epoch refused the state's input: %v", chain.ErrInvariant, err)
	}
	if err := checkOutput(in, out); err != nil {
		return err
	}
	emissions := make([]uint64, len(ss.neurons))
	var paid uint64
	for uid := range ss.neurons {
		e := out.ServerEmission[uid] + out.ValidatorEmission[uid]
		if e < out.ServerEmission[uid] || paid+e < paid {
			return fmt.Errorf("%w: epoch emission overflows", chain.ErrInvariant)
		}
		emissions[uid] = e
		paid += e
	}
	if paid > amount {
		return fmt.Errorf("%w: epoch paid %d of %d rao", chain.ErrInvariant, paid, amount)
	}
	if err := storeOutputs(st, s.netuid, ss, out, emissions); err != nil {
		return err
	}
	for uid := range ss.neurons {
		if emissions[uid] == 0 {
			continue
		}
		if err := payHotkey(st, ss.neurons[uid].Hotkey, out.ServerEmission[uid], out.ValidatorEmission[uid]); err != nil {
			return err
		}
	}
	if owner > 0 {
		if err := ctx.Bank.Credit(s.sn.Owner, owner); err != nil {
			return err
		}
	}
	s.sn.PendingEmission = amount - paid
	s.sn.LastEpoch = now
	s.sn.LastEpochEmission = owner + paid
	ctx.Emit("subnet_epoch", "netuid", fmt.Sprint(s.netuid), "emission", fmt.Sprint(owner+paid),
		"owner_cut", fmt.Sprint(owner), "carried", fmt.Sprint(s.sn.PendingEmission))
	return nil
}

// rootEpoch decides the subnets' emission shares with the same Yuma epoch
// the subnets run. The epoch's UID space is the R root validators followed
// by one column per subnet (in netuid order): a root validator's weight on
// netuid k becomes a weight on the column of subnet k. Columns have no
// stake and no weights; their registration block is the subnet's, so
// weights set before a netuid was (re)registered are masked as outdated.
// Each subnet's share is the incentive of its column. Root keeps no bonds.
// The root validators' outputs (rank, trust, permits, ...) are stored as
// for any subnet; they earn no emission from root. With no root validator
// or no subnet, every share becomes 0 (and the block reward is then split
// equally, see BeginBlock).
func (m *Module) rootEpoch(ctx *chain.Context, st store, p *Params, root *loaded, subs []*loaded) error {
	now := ctx.Header.Height
	lastEpoch := root.sn.LastEpoch
	root.sn.LastEpoch = now
	root.dirty = true
	r, k := int(root.sn.N), len(subs)
	if r == 0 || k == 0 {
		for _, s := range subs {
			s.sn.EmissionShare = 0
			s.dirty = true
		}
		return nil
	}
	if r+k > math.MaxUint16 {
		return fmt.Errorf("%w: root epoch of %d validators and %d subnets", chain.ErrInvariant, r, k)
	}
	ss, err := loadSubnetState(st, RootNetUID, root.sn.N)
	if err != nil {
		return err
	}
	col := func(netuid uint16) (uint16, bool) {
		j := sort.Search(k, func(j int) bool { return subs[j].netuid >= netuid })
		if j < k && subs[j].netuid == netuid {
			return uint16(r + j), true
		}
		return 0, false
	}
	n := r + k
	hp := root.hp
	in := &consensus.Input{
		Block:               now,
		Tempo:               uint64(hp.Tempo),
		Params:              consensusParams(&hp),
		Stake:               make([]uint64, n),
		LastUpdate:          make([]uint64, n),
		BlockAtRegistration: make([]uint64, n),
		ValidatorPermit:     make([]bool, n),
		Weights:             make([][]consensus.Entry, n),
		Bonds:               make([][]consensus.Entry, n),
		StakeThreshold:      uint64(p.WeightsMinStake),
		LastEpochBlock:      lastEpoch,
	}
	in.Params.CommitRevealEnabled = false
	in.Params.ImmunityPeriod = 0
	for uid := range r {
		nr := &ss.neurons[uid]
		hk, _, err := st.hotkey(nr.Hotkey)
		if err != nil {
			return err
		}
		in.Stake[uid] = hk.TotalStake
		in.LastUpdate[uid] = nr.LastUpdate
		in.BlockAtRegistration[uid] = nr.RegisteredAt
		in.ValidatorPermit[uid] = nr.ValidatorPermit
		var row []consensus.Entry
		for _, e := range ss.weights[uid] {
			if c, ok := col(e.UID); ok && e.Value != 0 {
				row = append(row, consensus.Entry{UID: c, Value: e.Value})
			}
		}
		in.Weights[uid] = row
	}
	for j, s := range subs {
		in.LastUpdate[r+j] = s.sn.RegisteredAt
		in.BlockAtRegistration[r+j] = s.sn.RegisteredAt
	}
	out, err := runEpoch(in)
	if err != nil {
		return fmt.Errorf("%w: root epoch refused the state's input: %v", chain.ErrInvariant, err)
	}
	if err := checkOutput(in, out); err != nil {
		return err
	}
	ss.bonds = nil // root keeps no bonds
	rootOut := *out
	trim := func(v []uint16) []uint16 { return v[:r] }
	rootOut.Active, rootOut.ValidatorPermit = out.Active[:r], out.ValidatorPermit[:r]
	rootOut.Rank, rootOut.Trust, rootOut.Consensus = trim(out.Rank), trim(out.Trust), trim(out.Consensus)
	rootOut.Incentive, rootOut.Dividends = trim(out.Incentive), trim(out.Dividends)
	rootOut.ValidatorTrust, rootOut.PruningScores = trim(out.ValidatorTrust), trim(out.PruningScores)
	if err := storeOutputs(st, RootNetUID, ss, &rootOut, nil); err != nil {
		return err
	}
	for j, s := range subs {
		s.sn.EmissionShare = out.Incentive[r+j]
		s.dirty = true
	}
	ctx.Emit("root_epoch", "validators", fmt.Sprint(r), "subnets", fmt.Sprint(k))
	return nil
}

// payHotkey adds an epoch's server and validator emission of one hotkey as
// stake (see subnetEpoch for the rule).
func payHotkey(st store, hk types.Address, server, validator uint64) error {
	rec, ok, err := st.hotkey(hk)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: registered hotkey %s has no record", chain.ErrInvariant, hk.Hex())
	}
	take := mulDiv(validator, uint64(rec.Take), math.MaxUint16)
	rest := validator - take
	var given uint64
	type share struct {
		ck  types.Address
		old uint64
		add uint64
	}
	var shares []share
	if rest > 0 && rec.TotalStake > 0 {
		var bad error
		err := st.r.Iterate(stakePrefix(hk), func(k, v []byte) bool {
			var amt uint64
			if err := rlp.DecodeBytes(v, &amt); err != nil {
				bad = fmt.Errorf("%w: stake %x: %v", chain.ErrInvariant, k, err)
				return false
			}
			if amt > rec.TotalStake {
				bad = fmt.Errorf("%w: stake %x above the hotkey's total", chain.ErrInvariant, k)
				return false
			}
			var ck types.Address
			copy(ck[:], k[len(pfxStake)+20:])
			a := mulDiv(rest, amt, rec.TotalStake)
			shares = append(shares, share{ck, amt, a})
			given += a
			return true
		})
		if err != nil {
			return err
		}
		if bad != nil {
			return bad
		}
	}
	ownerAdd := server + take + (rest - given)
	ownerDone := false
	for _, sh := range shares {
		add := sh.add
		if sh.ck == rec.Owner {
			add += ownerAdd
			ownerDone = true
		}
		if add == 0 {
			continue
		}
		if err := st.put(stakeKey(hk, sh.ck), sh.old+add); err != nil {
			return err
		}
	}
	if !ownerDone && ownerAdd > 0 {
		old, err := st.stake(hk, rec.Owner)
		if err != nil {
			return err
		}
		if err := st.put(stakeKey(hk, rec.Owner), old+ownerAdd); err != nil {
			return err
		}
		if old == 0 {
			if err := st.w.Set(stakeIdxKey(rec.Owner, hk), []byte{}); err != nil {
				return err
			}
		}
	}
	rec.TotalStake += server + validator
	return st.put(hotkeyKey(hk), &rec)
}
