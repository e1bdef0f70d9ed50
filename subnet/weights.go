package subnet

import (
	"fmt"
	"math"
	"sort"

	"github.com/yumachain/yuma/chain"
	"github.com/yumachain/yuma/types"
)

// MaxUpscale scales weights so the largest becomes 65535, rounding to
// nearest, bit for bit as subtensor's vec_u16_max_upscale_to_u16 in I32F32:
// for a maximum above 32768 each value is multiplied by the truncated
// fixed-point ratio 65535/max, otherwise value*65535 is divided by max; the
// result is rounded half away from zero. All-zero input stays zero.
func MaxUpscale(values []uint16) []uint16 {
	out := make([]uint16, len(values))
	var mx uint64
	for _, v := range values {
		mx = max(mx, uint64(v))
	}
	if mx == 0 {
		return out
	}
	const half = 1 << 31
	for i, v := range values {
		var fx uint64 // I32F32 bits
		if mx > 32768 {
			ratio := (uint64(math.MaxUint16) << 32) / mx
			fx = uint64(v) * ratio
		} else {
			fx = ((uint64(v) * math.MaxUint16) << 32) / mx
		}
		out[i] = uint16(min((fx+half)>>32, math.MaxUint16))
	}
	return out
}

// maxWeightLimited reports whether, normalized to sum 1 in I32F32, no
// weight exceeds limit/65535 (subtensor's check_vec_max_limited).
func maxWeightLimited(values []uint16, limit uint16) bool {
	var sum uint64
	for _, v := range values {
		sum += uint64(v)
	}
	if sum == 0 {
		return true
	}
	lim := (uint64(limit) << 32) / math.MaxUint16
	for _, v := range values {
		if (uint64(v)<<32)/sum > lim {
			return false
		}
	}
	return true
}

// setWeightsCall is the plain set_weights transaction.
func (m *Module) setWeightsCall(ctx *chain.Context, st store, signer types.Address, c *types.SetWeights) error {
	return m.setWeights(ctx, st, signer, c.NetUID, c.UIDs, c.Values, c.VersionKey, false)
}

// setWeights applies subtensor's do_set_weights checks in its order and
// stores the max-upscaled weights. reveal is true when the weights come
// from a valid reveal: then the commit-reveal refusal and the rate limit do
// not apply and last_update is not moved (the commit moved it). On the
// root network the UIDs are netuids of existing subnets and no validator
// permit is needed (subtensor's do_set_root_weights).
//
// Checks: equal lengths; subnet exists; no more weights than UIDs (root:
// than subnets); signer registered; hotkey stake >= weights_min_stake;
// version key >= weights_version (unless 0); commit-reveal off (plain
// calls); weights_rate_limit since last_update; validator permit unless it
// is a single self-weight; no duplicate UIDs; every UID exists; at least
// min(min_allowed_weights, n) weights unless a self-weight; after
// max-upscaling, no normalized weight above max_weights_limit unless a
// self-weight.
func (m *Module) setWeights(ctx *chain.Context, st store, signer types.Address, netuid uint16, uids, values []uint16, version uint64, reveal bool) error {
	if len(uids) != len(values) {
		return ErrWeightsLengthMismatch.With("%d uids, %d weights", len(uids), len(values))
	}
	sn, hp, err := st.mustSubnet(netuid)
	if err != nil {
		return err
	}
	isRoot := netuid == RootNetUID
	var nTargets int
	var rootTargets []uint16
	if isRoot {
		all, err := st.netuids()
		if err != nil {
			return err
		}
		rootTargets = all[1:]
		nTargets = len(rootTargets)
	} else {
		nTargets = int(sn.N)
	}
	if len(uids) > nTargets {
		return ErrTooManyWeights.With("%d weights, subnet %d has %d targets", len(uids), netuid, nTargets)
	}
	uid, ok, err := st.uid(netuid, signer)
	if err != nil {
		return err
	}
	if !ok {
		return ErrHotkeyNotRegistered.With("hotkey %s has no UID on subnet %d", signer.Hex(), netuid)
	}
	p, err := st.params()
	if err != nil {
		return err
	}
	rec, _, err := st.hotkey(signer)
	if err != nil {
		return err
	}
	if rec.TotalStake < uint64(p.WeightsMinStake) {
		return ErrNotEnoughStakeToSetWeights.With("stake %d rao, minimum %d rao", rec.TotalStake, uint64(p.WeightsMinStake))
	}
	if hp.WeightsVersion != 0 && version < hp.WeightsVersion {
		return ErrIncorrectWeightsVersion.With("version key %d, subnet %d requires >= %d", version, netuid, hp.WeightsVersion)
	}
	if !reveal && hp.CommitRevealEnabled {
		return ErrCommitRevealEnabled.With("subnet %d takes weights by commit_weights and reveal_weights", netuid)
	}
	nr, err := st.neuron(netuid, uid)
	if err != nil {
		return err
	}
	now := ctx.Header.Height
	if !reveal {
		if err := checkWeightsRateLimit(&nr, &hp, netuid, now); err != nil {
			return err
		}
	}
	self := !isRoot && len(uids) == 1 && uids[0] == uid
	if !isRoot && !self && !nr.ValidatorPermit {
		return ErrNoValidatorPermit.With("uid %d on subnet %d has no validator permit (only a self-weight is allowed)", uid, netuid)
	}
	order := make([]int, len(uids))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return uids[order[a]] < uids[order[b]] })
	for i := 1; i < len(order); i++ {
		if uids[order[i]] == uids[order[i-1]] {
			return ErrDuplicateUIDs.With("uid %d appears twice", uids[order[i]])
		}
	}
	for _, u := range uids {
		if isRoot {
			i := sort.Search(len(rootTargets), func(i int) bool { return rootTargets[i] >= u })
			if i == len(rootTargets) || rootTargets[i] != u {
				return ErrInvalidUID.With("netuid %d is not a subnet", u)
			}
		} else if u >= sn.N {
			return ErrInvalidUID.With("uid %d does not exist on subnet %d (n = %d)", u, netuid, sn.N)
		}
	}
	if minW := min(int(hp.MinAllowedWeights), nTargets); !self && len(uids) < minW {
		return ErrTooFewWeights.With("%d weights, subnet %d requires at least %d", len(uids), netuid, minW)
	}
	up := MaxUpscale(values)
	if !self && hp.MaxWeightsLimit != math.MaxUint16 && !maxWeightLimited(up, hp.MaxWeightsLimit) {
		return ErrMaxWeightExceeded.With("a normalized weight exceeds %d/65535", hp.MaxWeightsLimit)
	}
	row := make([]entry, 0, len(uids))
	for _, i := range order {
		if up[i] != 0 {
			row = append(row, entry{UID: uids[i], Value: up[i]})
		}
	}
	if err := st.putRow(weightsKey(netuid, uid), row); err != nil {
		return err
	}
	if !reveal {
		nr.LastUpdate = now
		if err := st.put(neuronKey(netuid, uid), &nr); err != nil {
			return err
		}
	}
	ctx.Emit("weights_set", "netuid", fmt.Sprint(netuid), "uid", fmt.Sprint(uid), "count", fmt.Sprint(len(row)))
	return nil
}

// checkWeightsRateLimit: weights (or commits) need weights_rate_limit
// blocks since the UID's last update (its registration block at first).
func checkWeightsRateLimit(nr *Neuron, hp *Hyperparams, netuid uint16, now uint64) error {
	if now >= nr.LastUpdate && now-nr.LastUpdate < hp.WeightsRateLimit {
		return ErrWeightsRateLimited.RetryAfter(nr.LastUpdate+hp.WeightsRateLimit, "last update of this UID on subnet %d at block %d; one per %d blocks", netuid, nr.LastUpdate, hp.WeightsRateLimit)
	}
	return nil
}

// commitExpired: a commit made in epoch e can be revealed only during
// epoch e + commit_reveal_period; after that it has expired.
func commitExpired(netuid uint16, hp *Hyperparams, commitBlock, now uint64) bool {
	return epochIndex(netuid, hp.Tempo, now) > epochIndex(netuid, hp.Tempo, commitBlock)+hp.CommitRevealPeriod
}

// commitWeights records a weights commitment (types.WeightsCommitHash) of
// the signer hotkey. Expired commits are dropped first; at most
// Params.MaxUnrevealedCommits may be pending. The commit counts as the
// UID's update for the weights rate limit.
func (m *Module) commitWeights(ctx *chain.Context, st store, signer types.Address, c *types.CommitWeights) error {
	_, hp, err := st.mustSubnet(c.NetUID)
	if err != nil {
		return err
	}
	if !hp.CommitRevealEnabled {
		return ErrCommitRevealDisabled.With("subnet %d takes plain set_weights", c.NetUID)
	}
	uid, ok, err := st.uid(c.NetUID, signer)
	if err != nil {
		return err
	}
	if !ok {
		return ErrHotkeyNotRegistered.With("hotkey %s has no UID on subnet %d", signer.Hex(), c.NetUID)
	}
	nr, err := st.neuron(c.NetUID, uid)
	if err != nil {
		return err
	}
	now := ctx.Header.Height
	if err := checkWeightsRateLimit(&nr, &hp, c.NetUID, now); err != nil {
		return err
	}
	p, err := st.params()
	if err != nil {
		return err
	}
	cs, err := st.commits(c.NetUID, signer)
	if err != nil {
		return err
	}
	for len(cs) > 0 && commitExpired(c.NetUID, &hp, cs[0].Block, now) {
		cs = cs[1:]
	}
	if len(cs) >= int(p.MaxUnrevealedCommits) {
		return ErrTooManyUnrevealedCommits.With("%d commits pending on subnet %d", len(cs), c.NetUID)
	}
	cs = append(cs, Commit{Hash: c.Commit, Block: now})
	if err := st.put(commitsKey(c.NetUID, signer), cs); err != nil {
		return err
	}
	nr.LastUpdate = now
	if err := st.put(neuronKey(c.NetUID, uid), &nr); err != nil {
		return err
	}
	from, until := RevealWindow(c.NetUID, hp.Tempo, hp.CommitRevealPeriod, now)
	ctx.Emit("weights_committed", "netuid", fmt.Sprint(c.NetUID), "hotkey", signer.Hex(), "hash", c.Commit.Hex(),
		"reveal_from", fmt.Sprint(from), "reveal_until", fmt.Sprint(until))
	return nil
}

// revealWeights opens a pending commit and sets its weights (through
// setWeights with reveal set). The reveal must come during the commit's
// reveal epoch; the matching commit and every older one are removed.
func (m *Module) revealWeights(ctx *chain.Context, st store, signer types.Address, c *types.RevealWeights) error {
	if err := c.Validate(); err != nil {
		return ErrWeightsLengthMismatch.With("%v", err)
	}
	_, hp, err := st.mustSubnet(c.NetUID)
	if err != nil {
		return err
	}
	if !hp.CommitRevealEnabled {
		return ErrCommitRevealDisabled.With("subnet %d takes plain set_weights", c.NetUID)
	}
	cs, err := st.commits(c.NetUID, signer)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return ErrNoWeightsCommit.With("hotkey %s has no pending commit on subnet %d", signer.Hex(), c.NetUID)
	}
	now := ctx.Header.Height
	var expired []Commit
	for len(cs) > 0 && commitExpired(c.NetUID, &hp, cs[0].Block, now) {
		expired = append(expired, cs[0])
		cs = cs[1:]
	}
	h := types.WeightsCommitHash(signer, c.NetUID, c.UIDs, c.Values, c.Salt, c.VersionKey)
	pos := -1
	for i := range cs {
		if cs[i].Hash == h {
			pos = i
			break
		}
	}
	if pos < 0 {
		for _, e := range expired {
			if e.Hash == h {
				return ErrCommitExpired.With("commit of block %d expired", e.Block)
			}
		}
		if len(cs) == 0 {
			return ErrNoWeightsCommit.With("every pending commit of %s on subnet %d has expired", signer.Hex(), c.NetUID)
		}
		return ErrCommitHashMismatch.With("hash %s matches none of %d pending commits", h.Hex(), len(cs))
	}
	revealEpoch := epochIndex(c.NetUID, hp.Tempo, cs[pos].Block) + hp.CommitRevealPeriod
	if epochIndex(c.NetUID, hp.Tempo, now) < revealEpoch {
		return ErrRevealTooEarly.RetryAfter(firstBlockOfEpoch(c.NetUID, hp.Tempo, revealEpoch), "commit of block %d opens for reveal in epoch %d", cs[pos].Block, revealEpoch)
	}
	cs = cs[pos+1:]
	if len(cs) == 0 {
		err = st.del(commitsKey(c.NetUID, signer))
	} else {
		err = st.put(commitsKey(c.NetUID, signer), cs)
	}
	if err != nil {
		return err
	}
	if err := m.setWeights(ctx, st, signer, c.NetUID, c.UIDs, c.Values, c.VersionKey, true); err != nil {
		return err
	}
	ctx.Emit("weights_revealed", "netuid", fmt.Sprint(c.NetUID), "hotkey", signer.Hex(), "hash", h.Hex())
	return nil
}
