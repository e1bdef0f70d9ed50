package consensus

import (
	"math"

	"github.com/yumachain/yuma/fixed"
)

// The sparse epoch: subtensor's epoch_mechanism (run_epoch.rs, the version
// before commit 8fb5c3688 that still computes rank, trust and pruning
// scores), with the optional inputs of later versions (stake threshold,
// owner UID, last epoch block, commit-reveal column mask).
//
// Layout. The masked, normalised weights are one value per input entry
// (wv, aligned with in.Weights row by row, offsets off), their columns read
// from in.Weights and masked entries marked absent (negative; every present
// value is non-negative). The pass that clips them overwrites each value
// with its weight for bonds (or bonds delta), and the liquid-alpha EMA with
// its result, so the matrices of the reference that are only read once
// never exist. Stored bonds are read from in.Bonds where they are used. The
// EMA bonds, whose entries are the union of two rows, are a csr.
//
// Division. Every quotient the per-entry passes take has non-negative
// operands: weights, bonds and stake are non-negative, and so are their
// products, the saturating column sums and the positive EMA entries; a
// row's weight sum is only divided by when positive (it is a wrapping sum
// of at most 65535 u16 values, which cannot wrap back to a positive
// number). So they use SafeDivNonNeg, SafeDiv inlined, and the products
// of such values (and of the EMA coefficients, which lie in [0, 1]) use
// SaturatingMulNonNeg.

// absent marks an entry of wv that does not exist.
var absent = fixed.I32F32FromInt(-1)

// csr is a sparse matrix as split column and value arrays: row i is
// col[end[i-1]:end[i]], val[end[i-1]:end[i]] (end[-1] = 0), sorted by
// column.
type csr struct {
	end []int
	col []uint16
	val []fx
}

// row returns the bounds of row i.
func (m *csr) row(i int) (int, int) {
	if i == 0 {
		return 0, m.end[0]
	}
	return m.end[i-1], m.end[i]
}

// Epoch runs one Yuma consensus epoch on the sparse path (the one subtensor
// runs on chain). It returns an error wrapping a sentinel of errors.go for a
// malformed input and never panics.
//
// The steps are subtensor's, but matrices that the reference builds only to
// read once (clipped weights, weights for bonds, bonds delta, normalised
// bonds, stored bonds) are computed entry by entry where they are read, and
// column sums are gathered while the matrix they sum is built. Every value
// goes through the same fixed-point operations in the same order, so the
// bits are the reference's; epoch_unfused_test.go keeps the step-by-step
// version and the property test checks the three paths agree.
func Epoch(in *Input) (*Output, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	p := newPrelude(in)
	n := p.n
	S := p.activeStake

	// Weights: mask, then row-normalise (inplace_row_normalize_sparse, the
	// row sum gathered while masking), and preranks r_j = sum_i w_ij * s_i
	// (matmul_sparse) on the row just written.
	off := make([]int, n+1)
	for i, row := range in.Weights {
		off[i+1] = off[i] + len(row)
	}
	wv := make([]fx, off[n])
	preranks := make([]fx, n)
	bar := in.BlockAtRegistration
	for i, row := range in.Weights {
		seg := wv[off[i]:off[i+1]]
		if p.forbids[i] {
			for k := range seg {
				seg[k] = absent
			}
			continue
		}
		lim, self := p.weightLimit(in, i), i
		if i == p.owner {
			self = -1
		}
		sum := zero
		for k, e := range row {
			j := int(e.UID)
			if j == self || bar[j] >= lim {
				seg[k] = absent
				continue
			}
			v := fixed.I32F32FromU16(e.Value)
			seg[k] = v
			sum = sum.WrappingAdd(v)
		}
		norm, si := zero.Less(sum), S[i]
		for k, e := range row {
			v := seg[k]
			if v.Less(zero) {
				continue
			}
			if norm {
				v = v.SafeDivNonNeg(sum)
				seg[k] = v
			}
			preranks[e.UID] = preranks[e.UID].SaturatingAdd(si.SaturatingMulNonNeg(v))
		}
	}

	// Consensus; then, in one pass, clipped weights (min(consensus_j, w_ij);
	// entries clipped to a zero threshold, which col_clip_sparse drops, add
	// zero) for validator trust and ranks, and the weights for bonds
	// interpolate(weights, clipped, bonds_penalty), which replace the
	// weights in wv; in classic Yuma the bonds delta W_b * S
	// (row_hadamard_sparse) instead, with its column sums.
	cons := weightedMedianCols(S, in.Weights, wv, off, p.kappa)
	vtrust := make([]fx, n)
	ranks := make([]fx, n)
	yuma3 := in.Params.Yuma3Enabled
	var deltaSums []fx
	if !yuma3 {
		deltaSums = make([]fx, n)
	}
	ratio := p.penalty
	mode := penaltyOther
	switch ratio {
	case zero:
		mode = penaltyZero
	case one:
		mode = penaltyOne
	}
	for i, row := range in.Weights {
		seg := wv[off[i]:off[i+1]]
		si, vt := S[i], zero
		for k, e := range row {
			w := seg[k]
			if w.Less(zero) {
				continue
			}
			t := cons[e.UID]
			c := t.Min(w)
			vt = vt.WrappingAdd(c)
			sc := si.SaturatingMulNonNeg(c)
			ranks[e.UID] = ranks[e.UID].SaturatingAdd(sc)
			var v fx
			switch mode {
			case penaltyZero:
				v = w
			case penaltyOne:
				// weightForBond with ratio 1: the clipped weight, absent
				// when clipped to a non-positive threshold.
				if t.Less(w) && !zero.Less(t) {
					seg[k] = absent
					continue
				}
				if !yuma3 {
					// The bonds delta c * s_i is the rank term
					// (SaturatingMul is commutative).
					deltaSums[e.UID] = deltaSums[e.UID].SaturatingAdd(sc)
					seg[k] = sc
					continue
				}
				v = c
			default:
				v = weightForBond(w, t, ratio)
			}
			if !yuma3 && v != absent {
				v = v.SaturatingMulNonNeg(si)
				deltaSums[e.UID] = deltaSums[e.UID].SaturatingAdd(v)
			}
			seg[k] = v
		}
		vtrust[i] = vt
	}
	trust := vecdiv(ranks, preranks)
	normalize(ranks)
	incentive := ranks

	keep := make([]bool, n)
	for j := range keep {
		keep[j] = p.bondKept(in, j)
	}
	var ema *csr
	var emaSums, upscale []fx
	if yuma3 {
		if p.liquidEnabled && anyNonZero(cons) {
			ema, emaSums = p.liquidEma(in, wv, off, keep, cons)
		} else {
			// Weights for bonds as they are, stored bonds as proportions
			// (get_bonds_fixed_proportion: u16 / 65535).
			proportion := make([]fx, n)
			for j := range proportion {
				proportion[j] = u16MaxFx
			}
			ema, emaSums, _ = matEmaFused(in, wv, off, make([]fx, n), keep, proportion, p.emaAlphaClassic)
		}
	} else {
		// Stored bonds (get_bonds_sparse without the reset columns), read
		// where the EMA uses them, and their column sums; both the bonds
		// and the bonds delta are column-normalised where the EMA reads them.
		bondSums := make([]fx, n)
		for _, row := range in.Bonds {
			for _, e := range row {
				if keep[e.UID] {
					bondSums[e.UID] = bondSums[e.UID].SaturatingAdd(fixed.I32F32FromU16(e.Value))
				}
			}
		}
		var emaMax []fx
		ema, emaSums, emaMax = matEmaFused(in, wv, off, deltaSums, keep, bondSums, p.emaAlphaClassic)
		// The column maxima of the column-normalised EMA
		// (inplace_col_max_upscale_sparse): normalising divides by the
		// column sum, which is monotonic and never overflows (every entry
		// is at most its column's sum), so they are the normalised raw
		// maxima.
		upscale = emaMax
		for j, m := range emaMax {
			if d := emaSums[j]; !d.IsZero() {
				upscale[j] = m.SafeDivNonNeg(d)
			}
		}
	}

	// One pass over the EMA for the dividends and the new bonds, which
	// are u16, zeros omitted, on rows of UIDs with a new permit only (one
	// backing array, rows capped so appending to one never reaches the
	// next).
	//   Yuma3: dividends_i = (sum_j (ema_ij / colsum_j) * incentive_j) * S_i
	//   (col-normalised copy, mat_vec_mul_sparse, row_sum_sparse,
	//   vec_mul); bonds are the EMA as it is.
	//   Classic: the EMA is column-normalised, dividends_i = sum_j
	//   incentive_j * b_ij (matmul_transpose_sparse), bonds are the
	//   normalised EMA divided by its column maxima.
	total := 0
	for i := range n {
		if p.newPermits[i] {
			lo, hi := ema.row(i)
			total += hi - lo
		}
	}
	back := make([]Entry, 0, total)
	out := make([][]Entry, n)
	dividends := make([]fx, n)
	for i := range n {
		lo, hi := ema.row(i)
		cols, vals := ema.col[lo:hi], ema.val[lo:hi]
		permit, start := p.newPermits[i], len(back)
		acc := zero
		if yuma3 {
			for k, j := range cols {
				e := vals[k]
				v := e
				if d := emaSums[j]; !d.IsZero() {
					v = v.SafeDivNonNeg(d)
				}
				acc = acc.WrappingAdd(v.SaturatingMulNonNeg(incentive[j]))
				if permit {
					if be, ok := bondEntry(int(j), e); ok {
						back = append(back, be)
					}
				}
			}
			acc, _ = acc.CheckedMul(S[i])
		} else {
			for k, j := range cols {
				v := vals[k]
				if d := emaSums[j]; !d.IsZero() {
					v = v.SafeDivNonNeg(d)
				}
				acc = acc.SaturatingAdd(incentive[j].SaturatingMulNonNeg(v))
				if permit {
					if d := upscale[j]; !d.IsZero() {
						v = v.SafeDivNonNeg(d)
					}
					if be, ok := bondEntry(int(j), v); ok {
						back = append(back, be)
					}
				}
			}
		}
		dividends[i] = acc
		if permit {
			out[i] = back[start:len(back):len(back)]
		}
	}
	normalize(dividends)
	return p.finish(in, ranks, trust, cons, vtrust, incentive, dividends, out), nil
}

// weightLimit is the bound of row i's weight mask on registration blocks: a
// weight on j is kept when j registered before it, block_at_registration_j <
// limit (the weight was set after j's registration, and when commit-reveal
// is on, j registered no later than i's earliest commit). weightKept is the
// same mask entry by entry.
func (p *prelude) weightLimit(in *Input, i int) uint64 {
	lim := in.LastUpdate[i]
	if p.commitReveal && p.commitBlocks[i] < math.MaxUint64 {
		lim = min(lim, p.commitBlocks[i]+1)
	}
	return lim
}

// The bonds penalty cases of weightForBond.
const (
	penaltyOther = iota
	penaltyZero
	penaltyOne
)

// weightForBond is the entry of interpolate_sparse(weights, clipped, ratio)
// for a present weight w with consensus t, or absent: ratio 0 gives the
// weight (zeros included), ratio 1 the clipped weight (col_clip_sparse drops
// entries clipped to a non-positive threshold), anything else the
// interpolation, which only exists when positive.
func weightForBond(w, t, ratio fx) fx {
	switch {
	case ratio.IsZero():
		return w
	case ratio == one:
		switch {
		case !t.Less(w):
			return w
		case zero.Less(t):
			return t
		}
		return absent
	}
	v2 := w
	if t.Less(w) {
		v2 = zero
		if zero.Less(t) {
			v2 = t
		}
	}
	v := w.SaturatingAdd(ratio.SaturatingMul(v2.SaturatingSub(w)))
	if !zero.Less(v) {
		return absent
	}
	return v
}

// matEmaFused is mat_ema_sparse(new, old, alpha): new has the entries of the
// weights with the values of wv (negative = absent), old is the stored
// bonds in.Bonds without the columns keep drops. Values are first divided
// by their column's divisor in newDiv/oldDiv where it is non-zero: the
// column sums (inplace_col_normalize_sparse) in classic Yuma; in Yuma3
// none for the weights for bonds and 65535 for the stored bonds
// (get_bonds_fixed_proportion). Entries are accumulated as the reference's
// densified row (0 + alpha*new, then + (1-alpha)*old; adding to zero cannot
// saturate, so the first term is the product itself) and positive results
// kept; the column sums and maxima of the result come with it.
func matEmaFused(in *Input, wv []fx, off []int, newDiv []fx, keep []bool, oldDiv []fx, alpha fx) (*csr, []fx, []fx) {
	n := len(in.Weights)
	oma := one.SaturatingSub(alpha)
	// Rows are produced in order into arrays sized for the larger of each
	// pair of rows, plus room for one row's worst case (the union of both)
	// so that the last rows fit when the unions are no larger than the
	// larger rows; grown when a row might not fit.
	est, slack := 0, 0
	for i := range n {
		a, b := len(in.Weights[i]), len(in.Bonds[i])
		est += max(a, b)
		slack = max(slack, min(a, b))
	}
	est += slack
	col, val := make([]uint16, est), make([]fx, est)
	end := make([]int, n)
	sums, maxes := make([]fx, n), make([]fx, n)
	w := 0
	emit := func(j uint16, acc fx) {
		if zero.Less(acc) {
			col[w], val[w] = j, acc
			w++
			sums[j] = sums[j].SaturatingAdd(acc)
			maxes[j] = maxes[j].Max(acc)
		}
	}
	for i := range n {
		rn, ro := in.Weights[i], in.Bonds[i]
		nv := wv[off[i]:off[i+1]]
		if need := w + len(rn) + len(ro); need > len(col) {
			size := max(need, 2*len(col))
			col = append(col[:w], make([]uint16, size-w)...)
			val = append(val[:w], make([]fx, size-w)...)
		}
		x, y := 0, 0
		for x < len(rn) && y < len(ro) {
			o := ro[y]
			if !keep[o.UID] {
				y++
				continue
			}
			j := rn[x].UID
			switch {
			case j == o.UID:
				acc := zero
				if v := nv[x]; !v.Less(zero) {
					acc = alpha.SaturatingMulNonNeg(emaValue(v, newDiv, j))
				}
				emit(j, acc.SaturatingAdd(oma.SaturatingMulNonNeg(emaValue(fixed.I32F32FromU16(o.Value), oldDiv, o.UID))))
				x++
				y++
			case j < o.UID:
				if v := nv[x]; !v.Less(zero) {
					emit(j, alpha.SaturatingMulNonNeg(emaValue(v, newDiv, j)))
				}
				x++
			default:
				emit(o.UID, oma.SaturatingMulNonNeg(emaValue(fixed.I32F32FromU16(o.Value), oldDiv, o.UID)))
				y++
			}
		}
		for ; x < len(rn); x++ {
			if v := nv[x]; !v.Less(zero) {
				emit(rn[x].UID, alpha.SaturatingMulNonNeg(emaValue(v, newDiv, rn[x].UID)))
			}
		}
		for ; y < len(ro); y++ {
			if o := ro[y]; keep[o.UID] {
				emit(o.UID, oma.SaturatingMulNonNeg(emaValue(fixed.I32F32FromU16(o.Value), oldDiv, o.UID)))
			}
		}
		end[i] = w
	}
	return &csr{end: end, col: col[:w], val: val[:w]}, sums, maxes
}

// emaValue is an entry of one of matEmaFused's matrices, divided by its
// column's divisor unless zero.
func emaValue(v fx, div []fx, j uint16) fx {
	if d := div[j]; !d.IsZero() {
		return v.SafeDivNonNeg(d)
	}
	return v
}

// liquidEma is compute_bonds_sparse with liquid alpha (mat_ema_alpha_sparse
// with alpha_sigmoid alphas): only entries of the weights-for-bonds row
// (wv) are emitted; the alpha of (i, j) depends on consensus_j, w_ij and
// b_ij (the stored bond as a proportion, zero when absent or dropped by
// keep), so it is computed only where it is used. The result is compacted
// into wv's storage; its column sums come with it.
func (p *prelude) liquidEma(in *Input, wv []fx, off []int, keep []bool, cons []fx) (*csr, []fx) {
	n := p.n
	m := &csr{end: make([]int, n), col: make([]uint16, len(wv)), val: wv}
	sums := make([]fx, n)
	sg := p.liquid.prepare()
	// Per row, the exp inputs of the present entries are gathered first
	// and evaluated together (fixed.ExpSlice interleaves four series).
	// One input is common: a zero difference (a weight at or above its
	// bond and at or below consensus, as every weight for bonds is with
	// bonds penalty 1, e.g. a bond that has caught up with its weight);
	// its alpha is computed once.
	x0 := sg.expInput(zero, zero, zero)
	a0 := sg.alphaOf(fixed.Exp(x0))
	longest := 0
	for _, rn := range in.Weights {
		longest = max(longest, len(rn))
	}
	xs := make([]fx, longest)
	es := make([]fx, longest)
	oks := make([]bool, longest)
	bs := make([]fx, longest)
	slot := make([]int32, longest) // entry -> index in xs, or -1 for x0
	w := 0                         // write position in m (never past the entry being read)
	for i, rn := range in.Weights {
		ro := in.Bonds[i]
		nv := wv[off[i]:off[i+1]]
		y, c, nx := 0, 0, 0
		for x, e := range rn {
			wt := nv[x]
			if wt.Less(zero) {
				continue
			}
			for y < len(ro) && ro[y].UID < e.UID {
				y++
			}
			b := zero
			if y < len(ro) && ro[y].UID == e.UID && keep[e.UID] {
				b = u16ProportionToFixed(ro[y].Value)
			}
			bs[c] = b
			if v := sg.expInput(cons[e.UID], wt, b); v == x0 {
				slot[c] = -1
			} else {
				xs[nx] = v
				slot[c] = int32(nx)
				nx++
			}
			c++
		}
		fixed.ExpSlice(es[:nx], oks[:nx], xs[:nx])
		c = 0
		for x, e := range rn {
			wt := nv[x]
			if wt.Less(zero) {
				continue
			}
			b := bs[c]
			a := a0 // in [0, 1]: clamped to alpha_low or alpha_high
			if q := slot[c]; q >= 0 {
				a = sg.alphaOf(es[q], oks[q])
			}
			c++
			decayed := one.SaturatingSub(a).SaturatingMulNonNeg(b)
			inc := a.SaturatingMulNonNeg(wt).Max(zero)
			v := decayed.SaturatingAdd(inc).Min(one)
			if zero.Less(v) {
				m.col[w] = e.UID
				m.val[w] = v
				w++
				sums[e.UID] = sums[e.UID].SaturatingAdd(v)
			}
		}
		m.end[i] = w
	}
	return m, sums
}

// weightedMedianCols is weighted_median_col_sparse: per column, the
// stake-weighted median (at majority kappa) of the weights of the UIDs with
// positive active stake. The weights are wv (aligned with rows, negative =
// absent).
//
// weighted_median's answer does not depend on the order of its
// candidates (see weightedMedianFrom), so a column's zero scores (absent
// entries and zero weights), often most of them, are not listed: only
// their total stake is kept, and the search starts above them.
func weightedMedianCols(stake []fx, rows [][]Entry, wv []fx, off []int, majority fx) []fx {
	n := len(stake)
	useStake := make([]fx, 0, n)
	var use []int // the positive-stake rows
	for i, s := range stake {
		if zero.Less(s) {
			use = append(use, i)
			useStake = append(useStake, s)
		}
	}
	normalize(useStake)
	stakeSum := sumWrap(useStake)
	minority := stakeSum.SaturatingSub(majority)
	k := len(useStake)

	median := make([]fx, n)
	if k == 0 {
		return median
	}
	// Columns are visited in blocks: the positive entries of each
	// positive-stake row that fall in the block are appended, as (score,
	// stake) pairs in row order, to their column's slot of a small buffer
	// (cache-resident). A slot starts a whole, odd number of cache lines
	// after the previous one, so that a row's writes across the block
	// spread over every cache set instead of a few (a stride of a power of
	// two lines would keep evicting them).
	stride := (k + 3) &^ 3
	if stride/4%2 == 0 {
		stride += 4
	}
	block := max(1, min(n, (1<<15)/k))
	buf := make([]scored, block*stride)
	count := make([]int, block)
	listed := make([]int64, block) // stake of the listed candidates
	cursor := make([]int, k)
	wm := newMedianScratch(k)
	for base := 0; base < n; base += block {
		end := min(base+block, n)
		for r, i := range use {
			row, vals := rows[i], wv[off[i]:off[i+1]]
			st := useStake[r].Bits()
			c := cursor[r]
			for c < len(row) && int(row[c].UID) < end {
				if v := vals[c]; zero.Less(v) {
					col := int(row[c].UID) - base
					buf[col*stride+count[col]] = scored{v.Bits(), st}
					count[col]++
					listed[col] += st
				}
				c++
			}
			cursor[r] = c
		}
		for col := 0; col < end-base; col++ {
			nz, st := count[col], listed[col]
			count[col], listed[col] = 0, 0
			if nz == 0 {
				continue // every score is zero, so is the median
			}
			lo := zero
			if nz < k {
				// Some scores are zero, below every listed one: with
				// their stake G(0) above minority the median is 0,
				// otherwise the search starts above them.
				zeroStake := fixed.I32F32FromBits(stakeSum.Bits() - st)
				if minority.Less(zeroStake) {
					continue
				}
				lo = zeroStake
			}
			start := col * stride
			median[base+col] = wm.weightedMedianFrom(buf[start:start+nz:start+nz], minority, lo, stakeSum)
		}
	}
	return median
}

// vecMul is vec_mul: element-wise checked product, zero on overflow.
func vecMul(a, b []fx) []fx {
	out := make([]fx, len(a))
	for i := range a {
		out[i], _ = a[i].CheckedMul(b[i])
	}
	return out
}

// medianScratch holds the partition buffers of weightedMedian.
type medianScratch struct {
	cur, lower, upper []scored
}

// scored is one candidate of weightedMedian: its score and stake bits.
type scored struct{ score, stake int64 }

func newMedianScratch(k int) *medianScratch {
	return &medianScratch{
		cur:   make([]scored, k),
		lower: make([]scored, k),
		upper: make([]scored, k),
	}
}

func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}

// weightedMedian is weighted_median: a deterministic mid-pivot partition
// search for the stake-weighted median of score over all indices, where
// minority = stake_sum - majority and [lo, hi] the stake segment.
func (m *medianScratch) weightedMedian(stake, score []fx, minority, lo, hi fx) fx {
	cur := m.cur[:len(score):len(score)]
	for i := range cur {
		cur[i] = scored{score[i].Bits(), stake[i].Bits()}
	}
	return m.weightedMedianFrom(cur, minority, lo, hi)
}

// weightedMedianFrom is weighted_median's search over the candidates cand
// (len(cand) <= the scratch size; cand's storage is reused as a partition
// buffer), where lo is the stake of the candidates left out below them and
// hi = lo + their stake.
//
// The stakes are normalised (non-negative, summing to at most 1), so the
// partial stake sums never come near the I32F32 range and the reference's
// saturating additions are plain additions here; the partition is written
// without data-dependent branches, and moves (score, stake) pairs in their
// order rather than indices.
//
// The answer does not depend on the pivots, hence not on the candidates'
// order or on which lower candidates are left out (given lo): with G(v) the
// stake of all candidates scoring at most v (those left out included) and
// F(v) of those scoring below v, each step keeps the candidates strictly
// between the pivots so far, and lo + loStake = F(pivot), hi - hiStake =
// G(pivot). Let v* be the lowest score with G(v*) > minority. A pivot
// below v* has G(pivot) <= minority (so F(pivot) too) and moves up, one
// above has F(pivot) >= G(v*) > minority and moves down, both keeping v*,
// and v* itself is returned. Without such a score (minority >= the total)
// every step moves up, to the highest score; with minority < F of every
// candidate (minority < lo, or < 0) every step moves down, to the lowest.
// That is why weightedMedianCols may leave the zero scores out, and why
// no step empties cur or reaches the iteration limit.
func (m *medianScratch) weightedMedianFrom(cand []scored, minority, lo, hi fx) fx {
	cur := cand
	lower, upper := m.lower, m.upper
	limit := len(cur)
	for iter := 0; ; {
		nn := len(cur)
		if nn == 0 {
			return zero
		}
		if nn == 1 {
			return fixed.I32F32FromBits(cur[0].score)
		}
		pivot := cur[nn/2].score
		nl, loSum := below(cur, lower, pivot)
		if loStake := fixed.I32F32FromBits(loSum); minority.Less(lo.SaturatingAdd(loStake)) && nl > 0 {
			hi = lo.SaturatingAdd(loStake)
			cur, lower = lower[:nl], cur[:cap(cur)]
		} else {
			// The upper partition is only needed when the lower one is
			// not taken.
			nu, hiSum := above(cur, upper, pivot)
			hiStake := fixed.I32F32FromBits(hiSum)
			if !(hi.SaturatingSub(hiStake).Cmp(minority) <= 0 && nu > 0) {
				return fixed.I32F32FromBits(pivot)
			}
			lo = hi.SaturatingSub(hiStake)
			cur, upper = upper[:nu], cur[:cap(cur)]
		}
		iter++
		if iter > limit {
			return zero
		}
	}
}

// below copies the candidates of cur scoring below pivot to out, in order,
// and sums their stakes (branch-free). above is the same for those scoring
// above. Each is a small function of its own so that its loop keeps every
// counter in a register.
//
//go:noinline
func below(cur, out []scored, pivot int64) (n int, sum int64) {
	out = out[:len(cur)]
	for _, c := range cur {
		out[n] = c
		var m int64
		if c.score < pivot {
			m = -1
		}
		n -= int(m)
		sum += c.stake & m
	}
	return
}

//go:noinline
func above(cur, out []scored, pivot int64) (n int, sum int64) {
	out = out[:len(cur)]
	for _, c := range cur {
		out[n] = c
		var m int64
		if c.score > pivot {
			m = -1
		}
		n -= int(m)
		sum += c.stake & m
	}
	return
}
