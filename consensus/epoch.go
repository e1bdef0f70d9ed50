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

	// Weights: mask, then row-normalise (inplace_row_normalize_sparse, the
	// row sum gathered while counting), and preranks r_j = sum_i w_ij * s_i
	// (matmul_sparse) while filling.
	lens := make([]int, n)
	rowSums := make([]fx, n)
	for i, row := range in.Weights {
		c, sum := 0, zero
		for _, e := range row {
			if p.weightKept(in, i, int(e.UID)) {
				c++
				sum = sum.WrappingAdd(fixed.I32F32FromU16(e.Value))
			}
		}
		lens[i], rowSums[i] = c, sum
	}
	weights := newSMat(lens)
	preranks := make([]fx, n)
	for i, row := range in.Weights {
		sum, si := rowSums[i], S[i]
		norm := zero.Less(sum)
		for _, e := range row {
			if p.weightKept(in, i, int(e.UID)) {
				v := fixed.I32F32FromU16(e.Value)
				if norm {
					v = v.SafeDiv(sum)
				}
				weights[i] = append(weights[i], sEntry{uint32(e.UID), v})
				preranks[e.UID] = preranks[e.UID].SaturatingAdd(si.SaturatingMul(v))
			}
		}
	}

	// Consensus, clipped weights (min(consensus_j, w_ij); entries clipped to
	// a zero threshold, which col_clip_sparse drops, add zero), validator
	// trust and ranks.
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

	// Weights for bonds: interpolate(weights, clipped, bonds_penalty). Its
	// entries are a subset of the weights' entries; wfb holds their values
	// aligned with the weights' backing array, -1 where an entry is absent
	// (every present value is non-negative).
	var dividends []fx
	var ema sMat
	var upscale []fx // column maxima of the classic EMA (inplace_col_max_upscale_sparse)
	if in.Params.Yuma3Enabled {
		wfb, _ := weightsForBonds(weights, cons, p.penalty, nil)
		bonds, _ := p.storedBondsSparse(in, true, false)
		var emaSums []fx
		if p.liquidEnabled && anyNonZero(cons) {
			ema, emaSums = p.liquidEmaSparse(weights, wfb, bonds, cons)
		} else {
			ema, emaSums = matEmaFused(weights, wfb, nil, bonds, nil, p.emaAlphaClassic, n)
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
		// Bonds delta W_b * S (row_hadamard_sparse) with its column sums;
		// both it and the bonds are column-normalised where the EMA reads
		// them.
		delta, deltaSums := weightsForBonds(weights, cons, p.penalty, S)
		var emaSums []fx
		ema, emaSums = matEmaFused(weights, delta, deltaSums, bonds, bondSums, p.emaAlphaClassic, n)
		// Column-normalise the EMA, dividends d_i = sum_j incentive_j * b_ij
		// (matmul_transpose_sparse); the column max-upscale for storage is
		// applied when the bonds are written out.
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
		upscale = maxes
	}

	out := make([][]Entry, n)
	for i, row := range ema {
		if !p.newPermits[i] {
			continue
		}
		r := make([]Entry, 0, len(row))
		for _, e := range row {
			v := e.v
			if upscale != nil {
				if d := upscale[e.j]; !d.IsZero() {
					v = v.SafeDiv(d)
				}
			}
			if be, ok := bondEntry(int(e.j), v); ok {
				r = append(r, be)
			}
		}
		out[i] = r
	}
	return p.finish(in, ranks, trust, cons, vtrust, incentive, dividends, out), nil
}

// absent marks an entry of weights for bonds that does not exist.
var absent = fixed.I32F32FromInt(-1)

// weightsForBonds is interpolate_sparse(weights, clipped, ratio) as values
// aligned with the weights' entries (-1 where an entry does not exist; every
// existing value is non-negative): ratio 0 gives the weights (zeros
// included), ratio 1 the clipped weights (col_clip_sparse drops entries
// clipped to a non-positive threshold), anything else the interpolations,
// of which only positive ones exist. With S it returns the bonds delta
// row_hadamard_sparse(wfb, S) instead, and its column sums.
func weightsForBonds(weights sMat, cons []fx, ratio fx, S []fx) ([]fx, []fx) {
	total := 0
	for _, row := range weights {
		total += len(row)
	}
	out := make([]fx, total)
	var sums []fx
	if S != nil {
		sums = make([]fx, len(weights))
	}
	k := 0
	for i, row := range weights {
		for _, e := range row {
			t := cons[e.j]
			var v fx
			switch {
			case ratio.IsZero():
				v = e.v
			case ratio == one:
				switch {
				case !t.Less(e.v):
					v = e.v
				case zero.Less(t):
					v = t
				default:
					v = absent
				}
			default:
				v2 := e.v
				if t.Less(e.v) {
					v2 = zero
					if zero.Less(t) {
						v2 = t
					}
				}
				v = e.v.SaturatingAdd(ratio.SaturatingMul(v2.SaturatingSub(e.v)))
				if !zero.Less(v) {
					v = absent
				}
			}
			if S != nil && v != absent {
				v = v.SaturatingMul(S[i])
				sums[e.j] = sums[e.j].SaturatingAdd(v)
			}
			out[k] = v
			k++
		}
	}
	return out, sums
}

// matEmaFused is mat_ema_sparse(new, old, alpha): new has the entries of
// weights with values vals (aligned, negative = absent), old is a sparse
// matrix; when newSums/oldSums are given, values are first divided by their
// column sum where it is non-zero (inplace_col_normalize_sparse). Entries
// are accumulated as the reference's densified row (0 + alpha*new, then +
// (1-alpha)*old) and positive results kept; the column sums of the result
// come with it.
func matEmaFused(weights sMat, vals, newSums []fx, old sMat, oldSums []fx, alpha fx, n int) (sMat, []fx) {
	oma := one.SaturatingSub(alpha)
	// Rows are produced in order into one backing array (sized for the
	// larger of each pair of rows, grown if the union is larger) and cut at
	// the end.
	est := 0
	for i := range weights {
		est += max(len(weights[i]), len(old[i]))
	}
	back := make([]sEntry, 0, est+est/8)
	ends := make([]int, len(weights))
	sums := make([]fx, n)
	norm := func(v fx, sums []fx, j uint32) fx {
		if sums != nil && !sums[j].IsZero() {
			return v.SafeDiv(sums[j])
		}
		return v
	}
	k := 0
	for i := range weights {
		rn, ro := weights[i], old[i]
		nv := vals[k : k+len(rn)]
		k += len(rn)
		x, y := 0, 0
		for x < len(rn) || y < len(ro) {
			var j uint32
			acc := zero
			switch {
			case y >= len(ro) || (x < len(rn) && rn[x].j < ro[y].j):
				j = rn[x].j
				v := nv[x]
				x++
				if v.Less(zero) {
					continue
				}
				acc = acc.SaturatingAdd(alpha.SaturatingMul(norm(v, newSums, j)))
			case x >= len(rn) || ro[y].j < rn[x].j:
				j = ro[y].j
				acc = acc.SaturatingAdd(oma.SaturatingMul(norm(ro[y].v, oldSums, j)))
				y++
			default:
				j = rn[x].j
				if v := nv[x]; !v.Less(zero) {
					acc = acc.SaturatingAdd(alpha.SaturatingMul(norm(v, newSums, j)))
				}
				acc = acc.SaturatingAdd(oma.SaturatingMul(norm(ro[y].v, oldSums, j)))
				x++
				y++
			}
			if zero.Less(acc) {
				back = append(back, sEntry{j, acc})
				sums[j] = sums[j].SaturatingAdd(acc)
			}
		}
		ends[i] = len(back)
	}
	out := make(sMat, len(weights))
	start := 0
	for i, e := range ends {
		out[i] = back[start:e:e]
		start = e
	}
	return out, sums
}

// liquidEmaSparse is compute_bonds_sparse with liquid alpha
// (mat_ema_alpha_sparse with alpha_sigmoid alphas): only entries of the
// weights-for-bonds row are emitted; the alpha of (i, j) depends on
// consensus_j, w_ij and b_ij (zero when absent), so it is computed only
// where it is used. Column sums of the result come with it.
func (p *prelude) liquidEmaSparse(weights sMat, vals []fx, bonds sMat, cons []fx) (sMat, []fx) {
	out := newSMat(weights.lens())
	sums := make([]fx, p.n)
	sg := p.liquid.prepare()
	// Per row, the exp inputs of the present entries are gathered first
	// and evaluated together (fixed.ExpSlice interleaves four series).
	longest := 0
	for _, rn := range weights {
		longest = max(longest, len(rn))
	}
	xs := make([]fx, longest)
	es := make([]fx, longest)
	oks := make([]bool, longest)
	bs := make([]fx, longest)
	k := 0
	for i, rn := range weights {
		ro := bonds[i]
		nv := vals[k : k+len(rn)]
		k += len(rn)
		y, c := 0, 0
		for x, e := range rn {
			w := nv[x]
			if w.Less(zero) {
				continue
			}
			for y < len(ro) && ro[y].j < e.j {
				y++
			}
			b := zero
			if y < len(ro) && ro[y].j == e.j {
				b = ro[y].v
			}
			bs[c] = b
			xs[c] = sg.expInput(cons[e.j], w, b)
			c++
		}
		fixed.ExpSlice(es[:c], oks[:c], xs[:c])
		c = 0
		for x, e := range rn {
			w := nv[x]
			if w.Less(zero) {
				continue
			}
			b := bs[c]
			a := sg.alphaOf(es[c], oks[c])
			c++
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
// registered since the last epoch (scalar_vec_mask_sparse_matrix). With
// sums it also returns the column sums (saturating).
func (p *prelude) storedBondsSparse(in *Input, proportion, sums bool) (sMat, []fx) {
	keep := make([]bool, p.n)
	for j := range keep {
		keep[j] = p.bondKept(in, j)
	}
	m := newSMat(inputLens(in.Bonds))
	var cs []fx
	if sums {
		cs = make([]fx, p.n)
	}
	for i, row := range in.Bonds {
		for _, e := range row {
			if !keep[e.UID] {
				continue
			}
			v := fixed.I32F32FromU16(e.Value)
			if proportion {
				v = v.SafeDiv(u16MaxFx)
			}
			m[i] = append(m[i], sEntry{uint32(e.UID), v})
			if sums {
				cs[e.UID] = cs[e.UID].SaturatingAdd(v)
			}
		}
	}
	return m, cs
}

func inputLens(rows [][]Entry) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = len(r)
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
		cur:   make([]int32, k),
		lower: make([]int32, k),
		upper: make([]int32, k),
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
//
// stake is normalised (non-negative, summing to at most 1), so the partial
// stake sums of a partition never come near the I32F32 range and the
// reference's saturating additions are plain additions here; the partition
// itself is written without data-dependent branches.
func (m *medianScratch) weightedMedian(stake, score []fx, minority, lo, hi fx) fx {
	cur := m.cur[:len(score)]
	for i := range cur {
		cur[i] = int32(i)
	}
	lower, upper := m.lower, m.upper
	limit := len(cur)
	for iter := 0; ; {
		nn := len(cur)
		if nn == 0 {
			return zero
		}
		if nn == 1 {
			return score[cur[0]]
		}
		pivot := score[cur[nn/2]].Bits()
		var loSum, hiSum int64
		nl, nu := 0, 0
		for _, idx := range cur {
			s := score[idx].Bits()
			st := stake[idx].Bits()
			lower[nl] = idx
			upper[nu] = idx
			lt, gt := b2i(s < pivot), b2i(s > pivot)
			nl += lt
			nu += gt
			loSum += st & -int64(lt)
			hiSum += st & -int64(gt)
		}
		loStake, hiStake := fixed.I32F32FromBits(loSum), fixed.I32F32FromBits(hiSum)
		switch {
		case minority.Less(lo.SaturatingAdd(loStake)) && nl > 0:
			hi = lo.SaturatingAdd(loStake)
			cur, lower = lower[:nl], cur[:cap(cur)]
		case hi.SaturatingSub(hiStake).Cmp(minority) <= 0 && nu > 0:
			lo = hi.SaturatingSub(hiStake)
			cur, upper = upper[:nu], cur[:cap(cur)]
		default:
			return fixed.I32F32FromBits(pivot)
		}
		iter++
		if iter > limit {
			return zero
		}
	}
}
