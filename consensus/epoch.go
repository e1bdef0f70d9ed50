package consensus

import (
	"github.com/yumachain/yuma/fixed"
)

// The sparse epoch: subtensor's epoch_mechanism (run_epoch.rs, the version
// before commit 8fb5c3688 that still computes rank, trust and pruning
// scores), with the optional inputs of later versions (stake threshold,
// owner UID, last epoch block, commit-reveal column mask).

// sEntry is one element of a sparse row of I32F32 values.
type sEntry struct {
	j uint32
	v fx
}

// sMat is a sparse matrix: one row per UID, entries sorted by column.
type sMat [][]sEntry

// newSMat allocates rows with the given lengths on one backing array.
func newSMat(lens []int) sMat {
	total := 0
	for _, l := range lens {
		total += l
	}
	back := make([]sEntry, total)
	m := make(sMat, len(lens))
	off := 0
	for i, l := range lens {
		m[i] = back[off : off : off+l]
		off += l
	}
	return m
}

func (m sMat) lens() []int {
	out := make([]int, len(m))
	for i, r := range m {
		out[i] = len(r)
	}
	return out
}

// Epoch runs one Yuma consensus epoch on the sparse path (the one subtensor
// runs on chain). It returns an error wrapping a sentinel of errors.go for a
// malformed input and never panics.
//
// The steps are subtensor's, but matrices that the reference builds only to
// read once (clipped weights, weights for bonds, bonds delta, normalised
// bonds) are computed entry by entry where they are read, and column sums
// are gathered while the matrix they sum is built. Every value goes through
// the same fixed-point operations in the same order, so the bits are the
// reference's; epoch_unfused_test.go keeps the step-by-step version and the
// property test checks the three paths agree.
func Epoch(in *Input) (*Output, error) {
	if err := validate(in); err != nil {
		return nil, err
	}
	p := newPrelude(in)
	n := p.n
	S := p.activeStake

	// Weights: mask, then row-normalise.
	lens := make([]int, n)
	for i, row := range in.Weights {
		for _, e := range row {
			if p.weightKept(in, i, int(e.UID)) {
				lens[i]++
			}
		}
	}
	weights := newSMat(lens)
	for i, row := range in.Weights {
		for _, e := range row {
			if p.weightKept(in, i, int(e.UID)) {
				weights[i] = append(weights[i], sEntry{uint32(e.UID), fixed.I32F32FromU16(e.Value)})
			}
		}
	}
	rowNormalizeSparse(weights)

	// Consensus, clipped weights (min(consensus_j, w_ij); entries clipped to
	// a zero threshold, which col_clip_sparse drops, add zero), validator
	// trust and ranks.
	preranks := matmulSparse(weights, S, n)
	cons := weightedMedianColSparse(S, weights, n, p.kappa)
	vtrust := make([]fx, n)
	ranks := make([]fx, n)
	for i, row := range weights {
		si, vt := S[i], zero
		for _, e := range row {
			c := cons[e.j].Min(e.v)
			vt = vt.WrappingAdd(c)
			ranks[e.j] = ranks[e.j].SaturatingAdd(si.SaturatingMul(c))
		}
		vtrust[i] = vt
	}
	trust := vecdiv(ranks, preranks)
	normalize(ranks)
	incentive := ranks

	// Weights for bonds: interpolate(weights, clipped, bonds_penalty); its
	// entries are a subset of the weights' entries.
	wb := wfbFunc(p.penalty, cons)

	var dividends []fx
	var ema sMat
	if in.Params.Yuma3Enabled {
		bonds, _ := p.storedBondsSparse(in, true, false)
		var emaSums []fx
		if p.liquidEnabled && anyNonZero(cons) {
			ema, emaSums = p.liquidEmaSparse(weights, wb, bonds, cons)
		} else {
			ema, emaSums = matEmaFused(weights, wb, nil, nil, bonds, nil, p.emaAlphaClassic, n)
		}
		// dividends_i = (sum_j (ema_ij / colsum_j) * incentive_j) * S_i
		// (col-normalised copy, mat_vec_mul_sparse, row_sum_sparse, vec_mul).
		dividends = make([]fx, n)
		for i, row := range ema {
			t := zero
			for _, e := range row {
				v := e.v
				if d := emaSums[e.j]; !d.IsZero() {
					v = v.SafeDiv(d)
				}
				t = t.WrappingAdd(v.SaturatingMul(incentive[e.j]))
			}
			dividends[i], _ = t.CheckedMul(S[i])
		}
		normalize(dividends)
	} else {
		bonds, bondSums := p.storedBondsSparse(in, false, true)
		// Column sums of the bonds delta W_b * S (row_hadamard_sparse); the
		// delta itself is recomputed where the EMA reads it.
		deltaSums := make([]fx, n)
		for i, row := range weights {
			for _, e := range row {
				if v, ok := wb(e); ok {
					deltaSums[e.j] = deltaSums[e.j].SaturatingAdd(v.SaturatingMul(S[i]))
				}
			}
		}
		var emaSums []fx
		ema, emaSums = matEmaFused(weights, wb, S, deltaSums, bonds, bondSums, p.emaAlphaClassic, n)
		// Column-normalise the EMA, dividends d_i = sum_j incentive_j * b_ij
		// (matmul_transpose_sparse), then column max-upscale for storage.
		dividends = make([]fx, n)
		maxes := make([]fx, n)
		for i, row := range ema {
			acc := zero
			for k := range row {
				e := &row[k]
				if d := emaSums[e.j]; !d.IsZero() {
					e.v = e.v.SafeDiv(d)
				}
				acc = acc.SaturatingAdd(incentive[e.j].SaturatingMul(e.v))
				if maxes[e.j].Less(e.v) {
					maxes[e.j] = e.v
				}
			}
			dividends[i] = acc
		}
		normalize(dividends)
		for _, row := range ema {
			for k := range row {
				if d := maxes[row[k].j]; !d.IsZero() {
					row[k].v = row[k].v.SafeDiv(d)
				}
			}
		}
	}

	out := make([][]Entry, n)
	for i, row := range ema {
		if !p.newPermits[i] {
			continue
		}
		r := make([]Entry, 0, len(row))
		for _, e := range row {
			if be, ok := bondEntry(int(e.j), e.v); ok {
				r = append(r, be)
			}
		}
		out[i] = r
	}
	return p.finish(in, ranks, trust, cons, vtrust, incentive, dividends, out), nil
}

// wfbFunc returns the entry map of interpolate_sparse(weights, clipped,
// ratio): the weight for bonds of a weights entry and whether the entry
// exists. ratio 0 returns the weights (zeros included), ratio 1 the clipped
// weights (col_clip_sparse drops entries clipped to a non-positive
// threshold), anything else the positive interpolations.
func wfbFunc(ratio fx, cons []fx) func(sEntry) (fx, bool) {
	switch {
	case ratio.IsZero():
		return func(e sEntry) (fx, bool) { return e.v, true }
	case ratio == one:
		return func(e sEntry) (fx, bool) {
			t := cons[e.j]
			if t.Less(e.v) {
				return t, zero.Less(t)
			}
			return e.v, true
		}
	}
	return func(e sEntry) (fx, bool) {
		v2 := e.v
		if t := cons[e.j]; t.Less(e.v) {
			v2 = zero
			if zero.Less(t) {
				v2 = t
			}
		}
		v := e.v.SaturatingAdd(ratio.SaturatingMul(v2.SaturatingSub(e.v)))
		return v, zero.Less(v)
	}
}

// matEmaFused is mat_ema_sparse(new, old, alpha) where new is the weights
// for bonds (wb over weights), times S_i and column-normalised by newSums
// when S is given (the classic bonds delta), and old is the stored bonds,
// column-normalised by oldSums when given. Entries are accumulated as the
// reference's densified row (0 + alpha*new, then + (1-alpha)*old), positive
// results kept; the column sums of the result are returned with it.
func matEmaFused(weights sMat, wb func(sEntry) (fx, bool), S, newSums []fx, old sMat, oldSums []fx, alpha fx, n int) (sMat, []fx) {
	oma := one.SaturatingSub(alpha)
	newVal := func(i int, e sEntry) (fx, bool) {
		v, ok := wb(e)
		if !ok || S == nil {
			return v, ok
		}
		v = v.SaturatingMul(S[i])
		if d := newSums[e.j]; !d.IsZero() {
			v = v.SafeDiv(d)
		}
		return v, true
	}
	oldVal := func(e sEntry) fx {
		if oldSums != nil {
			if d := oldSums[e.j]; !d.IsZero() {
				return e.v.SafeDiv(d)
			}
		}
		return e.v
	}
	out := newSMat(unionLens(weights, old))
	sums := make([]fx, n)
	for i := range weights {
		rn, ro := weights[i], old[i]
		x, y := 0, 0
		for x < len(rn) || y < len(ro) {
			var j uint32
			acc := zero
			switch {
			case y >= len(ro) || (x < len(rn) && rn[x].j < ro[y].j):
				j = rn[x].j
				v, ok := newVal(i, rn[x])
				x++
				if !ok {
					continue
				}
				acc = acc.SaturatingAdd(alpha.SaturatingMul(v))
			case x >= len(rn) || ro[y].j < rn[x].j:
				j = ro[y].j
				acc = acc.SaturatingAdd(oma.SaturatingMul(oldVal(ro[y])))
				y++
			default:
				j = rn[x].j
				if v, ok := newVal(i, rn[x]); ok {
					acc = acc.SaturatingAdd(alpha.SaturatingMul(v))
				}
				acc = acc.SaturatingAdd(oma.SaturatingMul(oldVal(ro[y])))
				x++
				y++
			}
			if zero.Less(acc) {
				out[i] = append(out[i], sEntry{j, acc})
				sums[j] = sums[j].SaturatingAdd(acc)
			}
		}
	}
	return out, sums
}

// liquidEmaSparse is compute_bonds_sparse with liquid alpha
// (mat_ema_alpha_sparse with alpha_sigmoid alphas): only entries of the
// weights-for-bonds row are emitted; the alpha of (i, j) depends on
// consensus_j, w_ij and b_ij (zero when absent), so it is computed only
// where it is used. Column sums of the result come with it.
func (p *prelude) liquidEmaSparse(weights sMat, wb func(sEntry) (fx, bool), bonds sMat, cons []fx) (sMat, []fx) {
	out := newSMat(weights.lens())
	sums := make([]fx, p.n)
	sg := p.liquid.prepare()
	for i, rn := range weights {
		ro := bonds[i]
		y := 0
		for _, e := range rn {
			w, ok := wb(e)
			if !ok {
				continue
			}
			for y < len(ro) && ro[y].j < e.j {
				y++
			}
			b := zero
			if y < len(ro) && ro[y].j == e.j {
				b = ro[y].v
			}
			a := sg.alpha(cons[e.j], w, b)
			decayed := one.SaturatingSub(a).SaturatingMul(b)
			inc := a.SaturatingMul(w).Max(zero)
			v := decayed.SaturatingAdd(inc).Min(one)
			if zero.Less(v) {
				out[i] = append(out[i], sEntry{e.j, v})
				sums[e.j] = sums[e.j].SaturatingAdd(v)
			}
		}
	}
	return out, sums
}

// storedBondsSparse reads the stored bonds (get_bonds_sparse, or its
// fixed-proportion variant for Yuma3) without the columns of UIDs
// registered since the last epoch (scalar_vec_mask_sparse_matrix).
// With sums it also returns the column sums (saturating).
func (p *prelude) storedBondsSparse(in *Input, proportion, sums bool) (sMat, []fx) {
	lens := make([]int, p.n)
	for i, row := range in.Bonds {
		for _, e := range row {
			if p.bondKept(in, int(e.UID)) {
				lens[i]++
			}
		}
	}
	m := newSMat(lens)
	for i, row := range in.Bonds {
		for _, e := range row {
			if !p.bondKept(in, int(e.UID)) {
				continue
			}
			v := fixed.I32F32FromU16(e.Value)
			if proportion {
				v = v.SafeDiv(u16MaxFx)
			}
			m[i] = append(m[i], sEntry{uint32(e.UID), v})
		}
	}
	if !sums {
		return m, nil
	}
	cs := make([]fx, p.n)
	for _, row := range m {
		for _, e := range row {
			cs[e.j] = cs[e.j].SaturatingAdd(e.v)
		}
	}
	return m, cs
}

// rowNormalizeSparse is inplace_row_normalize_sparse.
func rowNormalizeSparse(m sMat) {
	for _, row := range m {
		s := zero
		for _, e := range row {
			s = s.WrappingAdd(e.v)
		}
		if zero.Less(s) {
			for k := range row {
				row[k].v = row[k].v.SafeDiv(s)
			}
		}
	}
}

// colNormalizeSparse is inplace_col_normalize_sparse (saturating sums).
func colNormalizeSparse(m sMat, n int) {
	sums := make([]fx, n)
	for _, row := range m {
		for _, e := range row {
			sums[e.j] = sums[e.j].SaturatingAdd(e.v)
		}
	}
	for _, row := range m {
		for k := range row {
			if d := sums[row[k].j]; !d.IsZero() {
				row[k].v = row[k].v.SafeDiv(d)
			}
		}
	}
}

// matmulSparse is matmul_sparse: out_j = sum_i s_i * m_ij (saturating).
func matmulSparse(m sMat, s []fx, n int) []fx {
	out := make([]fx, n)
	for i, row := range m {
		si := s[i]
		for _, e := range row {
			out[e.j] = out[e.j].SaturatingAdd(si.SaturatingMul(e.v))
		}
	}
	return out
}

// vecMul is vec_mul: element-wise checked product, zero on overflow.
func vecMul(a, b []fx) []fx {
	out := make([]fx, len(a))
	for i := range a {
		out[i], _ = a[i].CheckedMul(b[i])
	}
	return out
}

// weightedMedianColSparse is weighted_median_col_sparse: per column, the
// stake-weighted median (at majority kappa) of the weights of the UIDs with
// positive active stake.
func weightedMedianColSparse(stake []fx, m sMat, n int, majority fx) []fx {
	rowOf := make([]int32, n) // position among positive-stake rows, or -1
	useStake := make([]fx, 0, n)
	for i, s := range stake {
		if zero.Less(s) {
			rowOf[i] = int32(len(useStake))
			useStake = append(useStake, s)
		} else {
			rowOf[i] = -1
		}
	}
	normalize(useStake)
	stakeSum := sumWrap(useStake)
	minority := stakeSum.SaturatingSub(majority)
	k := len(useStake)

	// Columns are visited in blocks: the entries of each positive-stake row
	// that fall in the block are copied into a small column-major buffer
	// (cache-resident), one score vector per column.
	rows := make([][]sEntry, 0, k)
	for i, row := range m {
		if rowOf[i] >= 0 {
			rows = append(rows, row)
		}
	}
	median := make([]fx, n)
	if k == 0 {
		return median
	}
	block := max(1, min(n, (1<<16)/k))
	buf := make([]fx, block*k)
	used := make([]bool, block)
	cursor := make([]int, k)
	wm := newMedianScratch(k)
	for base := 0; base < n; base += block {
		end := min(base+block, n)
		for r, row := range rows {
			c := cursor[r]
			for c < len(row) && int(row[c].j) < end {
				col := int(row[c].j) - base
				buf[col*k+r] = row[c].v
				used[col] = true
				c++
			}
			cursor[r] = c
		}
		for col := 0; col < end-base; col++ {
			if !used[col] {
				continue // no entry: every score is zero, so is the median
			}
			score := buf[col*k : (col+1)*k]
			median[base+col] = wm.weightedMedian(useStake, score, minority, zero, stakeSum)
			clear(score)
			used[col] = false
		}
	}
	return median
}

// medianScratch holds the partition buffers of weightedMedian.
type medianScratch struct {
	cur, lower, upper []int32
}

func newMedianScratch(k int) *medianScratch {
	return &medianScratch{
		cur:   make([]int32, 0, k),
		lower: make([]int32, 0, k),
		upper: make([]int32, 0, k),
	}
}

// weightedMedian is weighted_median: a deterministic mid-pivot partition
// search for the stake-weighted median of score over all indices, where
// minority = stake_sum - majority and [lo, hi] the stake segment.
func (m *medianScratch) weightedMedian(stake, score []fx, minority, lo, hi fx) fx {
	cur := m.cur[:0]
	for i := range score {
		cur = append(cur, int32(i))
	}
	lower, upper := m.lower[:0], m.upper[:0]
	limit := len(cur)
	for iter := 0; ; {
		nn := len(cur)
		if nn == 0 {
			return zero
		}
		if nn == 1 {
			return score[cur[0]]
		}
		pivot := score[cur[nn/2]]
		loStake, hiStake := zero, zero
		lower, upper = lower[:0], upper[:0]
		for _, idx := range cur {
			s := score[idx]
			if s == pivot {
				continue
			}
			if s.Less(pivot) {
				loStake = loStake.SaturatingAdd(stake[idx])
				lower = append(lower, idx)
			} else {
				hiStake = hiStake.SaturatingAdd(stake[idx])
				upper = append(upper, idx)
			}
		}
		switch {
		case minority.Less(lo.SaturatingAdd(loStake)) && len(lower) > 0:
			hi = lo.SaturatingAdd(loStake)
			cur, lower = lower, cur
		case hi.SaturatingSub(hiStake).Cmp(minority) <= 0 && len(upper) > 0:
			lo = hi.SaturatingSub(hiStake)
			cur, upper = upper, cur
		default:
			return pivot
		}
		iter++
		if iter > limit {
			return zero
		}
	}
}
