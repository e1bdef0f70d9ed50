package consensus

import (
	"math"
	"slices"

	"github.com/yumachain/yuma/fixed"
)

// Vector helpers shared by the sparse and dense paths. Each mirrors a
// function of subtensor's epoch/math.rs (named in its comment) operation for
// operation, so that every intermediate value has the same bits.

type fx = fixed.I32F32

var (
	zero     = fixed.I32F32Zero
	one      = fixed.I32F32One
	u16MaxFx = fixed.I32F32FromU16(math.MaxUint16)
)

// sumWrap is iter().sum() of I32F32: a wrapping sum, as in a release build.
func sumWrap(v []fx) fx {
	s := zero
	for _, x := range v {
		s = s.WrappingAdd(x)
	}
	return s
}

// normalize is inplace_normalize: divide by the (wrapping) sum unless it is
// zero.
func normalize(v []fx) {
	s := sumWrap(v)
	if s.IsZero() {
		return
	}
	for i := range v {
		v[i] = v[i].SafeDiv(s)
	}
}

// normalizeUsingSum is inplace_normalize_using_sum.
func normalizeUsingSum(v []fx, s fx) {
	if s.IsZero() {
		return
	}
	for i := range v {
		v[i] = v[i].SafeDiv(s)
	}
}

// normalize64 is inplace_normalize_64 on I64F64.
func normalize64(v []fixed.I64F64) {
	s := fixed.I64F64Zero
	for _, x := range v {
		s = s.WrappingAdd(x)
	}
	if s.IsZero() {
		return
	}
	for i := range v {
		v[i] = v[i].SafeDiv(s)
	}
}

// isTopkNonzero is is_topk_nonzero: true for non-zero values among the k
// largest; ties are broken by a stable ascending sort, so among equal values
// the lower UIDs lose their place first.
func isTopkNonzero(v []fx, k int) []bool {
	n := len(v)
	out := make([]bool, n)
	for i, x := range v {
		out[i] = !x.IsZero()
	}
	if n < k {
		return out
	}
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return v[a].Cmp(v[b]) })
	for _, i := range idx[:n-k] {
		out[i] = false
	}
	return out
}

// vecdiv is vecdiv: x[i] / y[i], zero where y[i] is zero.
func vecdiv(x, y []fx) []fx {
	out := make([]fx, len(x))
	for i := range x {
		out[i] = x[i].SafeDiv(y[i])
	}
	return out
}

// fixedProportionToU16 is fixed_proportion_to_u16: x * 65535, floored and
// clamped to u16 (x.SaturatingMul(65535).ToU16Sat()). Negative x gives 0
// and x >= 1 gives 65535 (its product is at least 65535, or saturates);
// in between the product fits 48 bits and its integer part is the result.
func fixedProportionToU16(x fx) uint16 {
	b := x.Bits()
	switch {
	case b < 0:
		return 0
	case b >= 1<<32:
		return math.MaxUint16
	}
	return uint16(b * math.MaxUint16 >> 32)
}

func vecProportionsToU16(v []fx) []uint16 {
	out := make([]uint16, len(v))
	for i, x := range v {
		out[i] = fixedProportionToU16(x)
	}
	return out
}

// u16ProportionToFixed is u16_proportion_to_fixed: x / 65535, that is
// floor(x * 2^32 / 65535) as raw bits. Since 2^32 = 65535*65537 + 1 this is
// x*65537 + floor(x/65535), computed without a division
// (TestU16ProportionToFixed checks all 65536 values against SafeDiv).
func u16ProportionToFixed(x uint16) fx {
	b := int64(x) * 65537
	if x == math.MaxUint16 {
		b++
	}
	return fixed.I32F32FromBits(b)
}

// vecMaxUpscaleToU16 is vec_max_upscale_to_u16: scale so that the maximum
// becomes 65535, rounding to nearest.
func vecMaxUpscaleToU16(v []fx) []uint16 {
	out := make([]uint16, len(v))
	if len(v) == 0 {
		return out
	}
	maxV := v[0]
	for _, x := range v[1:] {
		maxV = maxV.Max(x)
	}
	switch {
	case maxV.IsZero():
		for i, x := range v {
			out[i] = x.SaturatingMul(u16MaxFx).ToU16Sat()
		}
	case fixed.I32F32FromU16(32768).Less(maxV):
		ratio := u16MaxFx.SafeDiv(maxV)
		for i, x := range v {
			out[i] = x.SaturatingMul(ratio).Round().ToU16Sat()
		}
	default:
		for i, x := range v {
			out[i] = x.SaturatingMul(u16MaxFx).SafeDiv(maxV).Round().ToU16Sat()
		}
	}
	return out
}

// emaAlpha is the classic EMA coefficient 1 - bonds_moving_average/10^6
// (compute_ema_bonds_normal and compute_disabled_liquid_alpha).
func emaAlpha(bma uint64) fx {
	avg := fixed.I64F64FromU64(bma).SafeDiv(fixed.I64F64FromU64(1_000_000))
	return one.SaturatingSub(fixed.I32F32FromI64F64(avg))
}

// liquidAlpha holds the parameters of alpha_sigmoid.
type liquidAlpha struct {
	low, high, steepness fx
}

var minus100 = fixed.I32F32FromInt(-100)

// clampValue is clamp_value: min(value, high), then max(., low).
func clampValue(v, low, high fx) fx { return v.Min(high).Max(low) }

// sigmoid is alpha_sigmoid: the per-bond EMA coefficient of liquid alpha.
func (la *liquidAlpha) sigmoid(consensus, weight, bond fx) fx {
	return la.prepare().alpha(consensus, weight, bond)
}

// sigmoidPrep holds the per-epoch constants of alpha_sigmoid.
type sigmoidPrep struct {
	low, high, span, k fx
}

func (la *liquidAlpha) prepare() sigmoidPrep {
	return sigmoidPrep{
		low:  la.low,
		high: la.high,
		span: la.high.SaturatingSub(la.low),
		k:    la.steepness.SaturatingDiv(minus100),
	}
}

// alpha is alpha_sigmoid: clamp(low + sigmoid * (high - low), low, high)
// with sigmoid = 1 / (1 + exp(steepness/-100 * (diff - 0.5))), diff the
// clamped buy (weight above consensus) or sell (bond above weight)
// difference; safe_exp there is exp(x), or 0 when exp fails.
func (s sigmoidPrep) alpha(consensus, weight, bond fx) fx {
	return s.alphaOf(fixed.Exp(s.expInput(consensus, weight, bond)))
}

// expInput is the argument of alpha's exp.
func (s sigmoidPrep) expInput(consensus, weight, bond fx) fx {
	diffBuy := clampValue(weight.SaturatingSub(consensus), zero, one)
	diffSell := clampValue(bond.SaturatingSub(weight), zero, one)
	combined := diffSell
	if weight.Cmp(bond) >= 0 {
		combined = diffBuy
	}
	return s.k.SaturatingMul(combined.SaturatingSub(fixed.I32F32Half))
}

// alphaOf is alpha given the result of its exp.
func (s sigmoidPrep) alphaOf(e fx, ok bool) fx {
	if !ok {
		e = zero
	}
	// e >= 0, so the divisor is at least 1 and the saturating division
	// never saturates: it is SafeDiv.
	sig := one.SafeDivNonNeg(one.SaturatingAdd(e))
	return clampValue(s.low.SaturatingAdd(sig.SaturatingMul(s.span)), s.low, s.high)
}

// prelude is everything before the weights: activity, stake, permits,
// active stake and the scalar parameters. Both paths share it.
type prelude struct {
	n               int
	active          []bool
	inactive        []bool
	stake           []fx // normalised stake weight
	forbids         []bool
	permits         []bool // stored permits (owner forced)
	newPermits      []bool
	activeStake     []fx
	kappa, penalty  fx
	lastTempo       uint64
	owner           int // -1 when no owner UID
	commitBlocks    []uint64
	commitReveal    bool
	liquid          liquidAlpha
	liquidEnabled   bool
	emaAlphaClassic fx
}

func newPrelude(in *Input) *prelude {
	n := len(in.Stake)
	p := &prelude{n: n, owner: -1}
	if in.OwnerUID != nil {
		p.owner = int(*in.OwnerUID)
	}
	// Activity: inactive when last_update + activity_cutoff < block.
	p.active = make([]bool, n)
	p.inactive = make([]bool, n)
	for i, u := range in.LastUpdate {
		sum := u + in.Params.ActivityCutoff
		if sum < u {
			sum = math.MaxUint64
		}
		p.inactive[i] = sum < in.Block
		p.active[i] = !p.inactive[i]
	}
	// Stake: threshold filter, I64F64 normalisation, then I32F32.
	s64 := make([]fixed.I64F64, n)
	for i, s := range in.Stake {
		v := fixed.I64F64FromU64(s)
		if i != p.owner && v.ToU64Sat() < in.StakeThreshold {
			v = fixed.I64F64Zero
		}
		s64[i] = v
	}
	normalize64(s64)
	p.stake = make([]fx, n)
	for i, v := range s64 {
		p.stake[i] = fixed.I32F32FromI64F64(v)
	}
	// Permits.
	p.permits = slices.Clone(in.ValidatorPermit)
	if p.owner >= 0 {
		p.permits[p.owner] = true
	}
	p.forbids = make([]bool, n)
	for i, v := range p.permits {
		p.forbids[i] = !v
	}
	p.newPermits = isTopkNonzero(p.stake, int(in.Params.MaxAllowedValidators))
	if p.owner >= 0 {
		p.newPermits[p.owner] = true
	}
	// Active stake: mask inactive and non-validators, normalise.
	p.activeStake = slices.Clone(p.stake)
	for i := range p.activeStake {
		if p.inactive[i] || p.forbids[i] {
			p.activeStake[i] = zero
		}
	}
	normalize(p.activeStake)

	p.kappa = u16ProportionToFixed(in.Params.Kappa)
	p.penalty = u16ProportionToFixed(in.Params.BondsPenalty)
	if in.LastEpochBlock != 0 {
		p.lastTempo = in.LastEpochBlock + 1
		if p.lastTempo == 0 {
			p.lastTempo = math.MaxUint64
		}
	} else if in.Block > in.Tempo {
		p.lastTempo = in.Block - in.Tempo
	}
	p.commitReveal = in.Params.CommitRevealEnabled && in.CommitBlocks != nil
	p.commitBlocks = in.CommitBlocks
	p.liquidEnabled = in.Params.LiquidAlphaEnabled
	p.liquid = liquidAlpha{
		low:       u16ProportionToFixed(in.Params.AlphaLow),
		high:      u16ProportionToFixed(in.Params.AlphaHigh),
		steepness: fixed.I32F32FromInt(int64(in.Params.AlphaSigmoidSteepness)),
	}
	p.emaAlphaClassic = emaAlpha(in.Params.BondsMovingAverage)
	return p
}

// weightKept reports whether the stored weight of row i on column j survives
// the masks: permitted validator, no self-weight (except the owner's), not
// outdated (set after j's registration), and not committed before j's
// registration when commit-reveal is on.
func (p *prelude) weightKept(in *Input, i, j int) bool {
	if p.forbids[i] {
		return false
	}
	if i == j && i != p.owner {
		return false
	}
	if in.LastUpdate[i] <= in.BlockAtRegistration[j] {
		return false
	}
	if p.commitReveal && p.commitBlocks[i] < in.BlockAtRegistration[j] {
		return false
	}
	return true
}

// bondKept reports whether a stored bond on column j survives: bonds to UIDs
// registered since the last epoch (last_tempo <= registered) are dropped.
func (p *prelude) bondKept(in *Input, j int) bool {
	return !(p.lastTempo <= in.BlockAtRegistration[j])
}

// anyNonZero reports whether some element is non-zero.
func anyNonZero(v []fx) bool {
	for _, x := range v {
		if !x.IsZero() {
			return true
		}
	}
	return false
}

// finish computes the emission split and pruning scores and assembles the
// output from the per-UID results of either path. bonds holds, per UID, the
// new bond values as u16 (already without zeros).
func (p *prelude) finish(in *Input, ranks, trust, cons, vtrust, incentive, dividends []fx, bonds [][]Entry) *Output {
	n := p.n
	combined := make([]fx, n)
	for i := range combined {
		combined[i] = incentive[i].SaturatingAdd(dividends[i])
	}
	emissionSum := sumWrap(combined)
	nServer := slices.Clone(incentive)
	nValidator := slices.Clone(dividends)
	nCombined := slices.Clone(combined)
	normalizeUsingSum(nServer, emissionSum)
	normalizeUsingSum(nValidator, emissionSum)
	normalize(nCombined)
	if emissionSum.IsZero() {
		// No incentive and no dividends: emission follows stake.
		src := p.activeStake
		if sumWrap(p.activeStake).IsZero() {
			src = p.stake
		}
		copy(nValidator, src)
		copy(nCombined, src)
	}
	rao := fixed.I96F32FromU64(in.Emission)
	toRao := func(v []fx) []uint64 {
		out := make([]uint64, len(v))
		for i, x := range v {
			out[i] = x.ToI96F32().SaturatingMul(rao).ToU64Sat()
		}
		return out
	}
	for i := range bonds {
		if bonds[i] == nil {
			bonds[i] = []Entry{}
		}
	}
	return &Output{
		Active:            p.active,
		ValidatorPermit:   p.newPermits,
		Rank:              vecProportionsToU16(ranks),
		Trust:             vecProportionsToU16(trust),
		Consensus:         vecProportionsToU16(cons),
		Incentive:         vecProportionsToU16(incentive),
		Dividends:         vecProportionsToU16(dividends),
		ValidatorTrust:    vecProportionsToU16(vtrust),
		PruningScores:     vecMaxUpscaleToU16(nCombined),
		Bonds:             bonds,
		ServerEmission:    toRao(nServer),
		ValidatorEmission: toRao(nValidator),
		Emission:          toRao(nCombined),
	}
}

// bondEntry converts a bond value for storage, reporting false for values
// stored as zero (which are omitted).
func bondEntry(j int, v fx) (Entry, bool) {
	u := fixedProportionToU16(v)
	return Entry{UID: uint16(j), Value: u}, u != 0
}
